import { execFileSync, spawnSync } from 'node:child_process'

import { describe, expect, it } from 'vitest'

import { goldenPoints, goldenQueries, hashedUniform } from './golden-inputs.js'

const PYTHON = '/usr/bin/python3'
const hasNumpy = spawnSync(PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0

describe('golden inputs', () => {
  it('hashedUniform stays in [-1, 1)', () => {
    const values = hashedUniform('some/key', 10_000)
    expect(Math.min(...values)).toBeGreaterThanOrEqual(-1)
    expect(Math.max(...values)).toBeLessThan(1)
  })

  it.skipIf(!hasNumpy)('matches the Python weight rule bit for bit', () => {
    const script = [
      'import sys; sys.path.insert(0, "runpod")',
      'from partfield_onnx.weight_rule import golden_points, golden_queries',
      'sys.stdout.buffer.write(golden_points().tobytes() + golden_queries().tobytes())',
    ].join('\n')
    const bytes = execFileSync(PYTHON, ['-c', script], { maxBuffer: 1 << 24 })
    const python = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)
    const ours = new Float32Array([...goldenPoints(), ...goldenQueries()])
    expect(ours.length).toBe(python.length)
    let mismatches = 0
    for (let i = 0; i < ours.length; i++) if (ours[i] !== python[i]) mismatches++
    expect(mismatches).toBe(0)
  })
})
