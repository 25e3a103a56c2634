import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**', 'data/**'],
    // Geometry tests run real meshes on a 2-core machine, so the default 5 s is too short.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
})
