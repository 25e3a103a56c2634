import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url))

/** Returns the PartField ONNX model path: `PARTFIELD_MODEL` when set, else models/partfield.onnx in the repository. */
export function defaultModelPath(): string {
  const fromEnv = process.env.PARTFIELD_MODEL
  return fromEnv ? resolve(fromEnv) : resolve(REPO_ROOT, 'models/partfield.onnx')
}
