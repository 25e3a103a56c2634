import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

import { RUNPOD_DIR, STUB_BIN } from './run-script.js'

const hasShellcheck = spawnSync('shellcheck', ['--version'], { stdio: 'ignore' }).status === 0

const SCRIPTS = [
  ...readdirSync(RUNPOD_DIR)
    .filter((name) => name.endsWith('.sh'))
    .map((name) => join(RUNPOD_DIR, name)),
  ...readdirSync(STUB_BIN).map((name) => join(STUB_BIN, name)),
]

describe('shell scripts', () => {
  it('include the scripts the pod runs', () => {
    const names = SCRIPTS.map((path) => path.slice(RUNPOD_DIR.length + 1))
    expect(names).toEqual(expect.arrayContaining(['install.sh', 'start.sh', 'common.sh', 'test/bin/nvidia-smi']))
  })

  // Needs Debian's shellcheck package, which CI installs. Skipped where it is missing.
  it.skipIf(!hasShellcheck)('pass shellcheck', () => {
    const result = spawnSync('shellcheck', ['--external-sources', '--severity=style', ...SCRIPTS], {
      cwd: RUNPOD_DIR,
      encoding: 'utf8',
    })

    expect(result.stdout + result.stderr).toBe('')
    expect(result.status).toBe(0)
  })
})
