/** Runs runpod/export_onnx.py for tests and benchmarks. */

import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const PYTHON = '/usr/bin/python3'
export const EXPORT_SCRIPT = fileURLToPath(new URL('../../../../runpod/export_onnx.py', import.meta.url))
export const GOLDEN_EXCERPT_DIR = fileURLToPath(new URL('../../../../runpod/partfield_onnx/golden/', import.meta.url))

/** Returns why the export script cannot run here, or undefined when it can. */
export function exportUnavailableReason(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import torch, onnx, numpy'], { encoding: 'utf8' })
  if (probe.error) return `${PYTHON} not found (${probe.error.message})`
  if (probe.status !== 0) return `${PYTHON} lacks torch, onnx or numpy (Debian python3-torch, python3-onnx)`
  return undefined
}

export interface ExportRun {
  status: number | null
  output: string
}

/** Runs the export script with `args`; stdout and stderr together in `output`. */
export function runExport(args: string[], timeoutMs: number): ExportRun {
  const result = spawnSync(PYTHON, [EXPORT_SCRIPT, ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 1 << 24,
    env: { ...process.env, PYTHONWARNINGS: 'ignore' },
  })
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` }
}
