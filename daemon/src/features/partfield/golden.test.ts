/**
 * The full-width golden check, end to end. export_onnx.py fills the network by the golden weight
 * rule, compares it with the original PartField output and exports ONNX. Then onnxruntime-node
 * runs that file through the backend's own encoder and query code, which must match the same data.
 */

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { loadEncoder } from './encoder.js'
import { goldenPoints, goldenQueries } from './golden-inputs.js'
import { exportUnavailableReason, GOLDEN_EXCERPT_DIR, runExport, type ExportRun } from './python-export.js'
import { samplePoints } from './triplane.js'

const CHANNELS = 448
const RELATIVE_TOLERANCE = 1e-4
const EXPORT_TIMEOUT_MS = 540_000

// The full expected data lives outside the repository; without it the committed excerpt is used.
const FULL_GOLDEN_DIR =
  process.env.PARTFIELD_GOLDEN_DIR ?? fileURLToPath(new URL('../../../../../shared/partfield/golden/', import.meta.url))
const hasFullGolden = existsSync(join(FULL_GOLDEN_DIR, 'features-512x448.f32'))

const unavailable = exportUnavailableReason()
if (unavailable) console.warn(`skipping the PartField golden check: ${unavailable}`)

function readFloats(path: string): Float32Array {
  const bytes = readFileSync(path)
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
}

/** Expected features and the query indices they belong to. */
function expectedFeatures(): { queries: number[]; features: Float32Array } {
  if (hasFullGolden) {
    return {
      queries: Array.from({ length: 512 }, (_, i) => i),
      features: readFloats(join(FULL_GOLDEN_DIR, 'features-512x448.f32')),
    }
  }
  return {
    queries: Array.from({ length: 16 }, (_, i) => 32 * i),
    features: readFloats(join(GOLDEN_EXCERPT_DIR, 'features-every-32nd-query-16x448.f32')),
  }
}

describe.skipIf(unavailable !== undefined)('PartField golden check', () => {
  let dir: string
  let modelPath: string
  let run: ExportRun

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'partfield-golden-'))
    modelPath = join(dir, 'partfield-golden.onnx')
    const args = ['--golden', '--out', modelPath]
    if (hasFullGolden) args.push('--golden-dir', FULL_GOLDEN_DIR)
    run = runExport(args, EXPORT_TIMEOUT_MS)
  }, EXPORT_TIMEOUT_MS + 10_000)

  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('export_onnx.py --golden passes and exports', () => {
    expect(run.output).toMatch(/features at \d+ queries: .*: pass/)
    expect(run.output).toMatch(/channel means of .*: pass/)
    expect(run.status, run.output).toBe(0)
    expect(existsSync(modelPath)).toBe(true)
  })

  it('onnxruntime-node with our query code matches the golden features', async () => {
    const encoder = await loadEncoder(modelPath)
    const triplane = await encoder.encode(goldenPoints())
    await encoder.release()
    expect(triplane.channels).toBe(CHANNELS)
    expect(triplane.resolution).toBe(128)

    const { queries, features: expected } = expectedFeatures()
    const allQueries = goldenQueries()
    const points = new Float32Array(queries.flatMap((q) => [...allQueries.subarray(3 * q, 3 * q + 3)]))
    const ours = samplePoints(triplane, points)

    let maxDifference = 0
    let maxExpected = 0
    for (let i = 0; i < expected.length; i++) {
      maxDifference = Math.max(maxDifference, Math.abs(ours[i] - expected[i]))
      maxExpected = Math.max(maxExpected, Math.abs(expected[i]))
    }
    console.info(
      `golden features at ${queries.length} queries through onnxruntime-node: max |ours - expected| ` +
        `${maxDifference.toExponential(3)}, max |expected| ${maxExpected.toFixed(4)}, ratio ` +
        `${(maxDifference / maxExpected).toExponential(2)}`,
    )
    expect(maxDifference).toBeLessThanOrEqual(RELATIVE_TOLERANCE * maxExpected)
  })
})
