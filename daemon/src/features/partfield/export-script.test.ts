/** runpod/export_onnx.py's checkpoint handling and command line, through the real interpreter. */

import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { EXPORT_SCRIPT, exportUnavailableReason, PYTHON, runExport } from './python-export.js'

const unavailable = exportUnavailableReason()
if (unavailable) console.warn(`skipping the export_onnx.py tests: ${unavailable}`)

describe.skipIf(unavailable !== undefined)('export_onnx.py', () => {
  let dir: string

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'partfield-export-'))
  })

  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('passes its Python checkpoint tests', () => {
    const run = spawnSync(PYTHON, ['-m', 'unittest', 'partfield_onnx.test_checkpoint'], {
      cwd: dirname(EXPORT_SCRIPT),
      encoding: 'utf8',
      timeout: 300_000,
      env: { ...process.env, PYTHONWARNINGS: 'ignore' },
    })
    expect(run.status, `${run.stdout}${run.stderr}`).toBe(0)
    expect(run.stderr).toMatch(/Ran \d+ tests/)
  })

  it('names a missing checkpoint', () => {
    const missing = join(dir, 'model_objaverse.ckpt')
    const run = runExport(['--checkpoint', missing, '--out', join(dir, 'out.onnx')], 120_000)
    expect(run.status).toBe(2)
    expect(run.output).toContain(`error: checkpoint not found: ${missing}`)
  })

  it('rejects a file that is not a checkpoint', () => {
    const notes = join(dir, 'notes.ckpt')
    writeFileSync(notes, 'plain text')
    const run = runExport(['--checkpoint', notes, '--out', join(dir, 'out.onnx')], 120_000)
    expect(run.status).toBe(2)
    expect(run.output).toContain(`error: ${notes} is not a PyTorch checkpoint`)
  })

  it('names a missing output folder', () => {
    const out = join(dir, 'absent', 'partfield.onnx')
    const run = runExport(['--reduced', '--out', out], 120_000)
    expect(run.status).toBe(2)
    expect(run.output).toContain(`error: output folder not found: ${join(dir, 'absent')}`)
  })

  it('requires a weight source', () => {
    const run = runExport(['--out', join(dir, 'out.onnx')], 120_000)
    expect(run.status).toBe(2)
    expect(run.output).toMatch(/one of the arguments --checkpoint --golden --reduced is required/)
  })
})
