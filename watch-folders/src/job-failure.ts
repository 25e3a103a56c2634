/**
 * Failure reasons of a job and the advice for each. Every error that ends a job becomes a
 * JobFailure, and its text goes to error.txt beside the original in failed/.
 */
import { extensionOf } from '../../daemon/src/mesh/formats.js'
import { SUPPORTED_FORMATS } from './file-roles.js'

export type FailureKind =
  | 'unsupported-format'
  | 'invalid-mesh'
  | 'missing-resource'
  | 'too-many-faces'
  | 'too-large'
  | 'invalid-params'
  | 'backend-unavailable'
  | 'out-of-memory'
  | 'output-exists'
  | 'interrupted'
  | 'vanished'
  | 'internal'

/** Processor.description of the in-process pipeline; any other value is a daemon's URL. */
const IN_PROCESS = 'in-process'

const ADVICE: Record<FailureKind, string | ((processedBy: string) => string)> = {
  'unsupported-format':
    `The watcher reads meshes in the formats ${SUPPORTED_FORMATS}. Export the model in one of them from your 3D program (OBJ and GLB work in almost every program) and drop that file into incoming/. Files that come with a mesh (.mtl, .bin, textures) wait in incoming/ for the mesh that refers to them. A file that is not a model does not belong in incoming/; delete this folder once you have what you need from it.`,
  'invalid-mesh':
    'The file could not be read as a mesh. Fix the problem named above, or export the mesh again from your 3D program, then drop the file into incoming/ again. If the file was still being copied or downloaded when the watcher read it, the file in this folder may be complete by now: move it back into incoming/.',
  'missing-resource':
    'A file the mesh refers to is missing. Put it into incoming/ under the name the mesh uses, before or together with the mesh, then drop the mesh into incoming/ again.',
  'too-many-faces':
    'The mesh has more faces than the limit. Reduce its face count (decimate it), or start the watcher (or, with --daemon, the daemon) with a higher --max-faces, then drop it into incoming/ again.',
  'too-large':
    'The file is larger than the daemon accepts. Make it smaller (decimate the mesh, drop unused data), or start the daemon with a higher --max-upload-mb, then drop it into incoming/ again.',
  'invalid-params':
    'A parameter is invalid. Correct it in the file named above (the allowed values are in protocol/PROTOCOL.md, section Parameters), then drop the mesh into incoming/ again.',
  'backend-unavailable': (processedBy) => processedBy === IN_PROCESS
    ? 'The watcher runs the pipeline itself and has no usable PartField model. Install the model on this machine (runpod/install.sh) or set PARTFIELD_MODEL to the model file before starting the watcher, or set "backend": "geometric" in the parameters, then drop the mesh into incoming/ again.'
    : `The daemon at ${processedBy} has no usable PartField model; the watcher only sends files there. Install the model on the daemon's machine (runpod/install.sh, or PARTFIELD_MODEL when starting the daemon), or set "backend": "geometric" in the parameters, then drop the mesh into incoming/ again.`,
  'out-of-memory':
    'The machine ran out of memory. Lower "points_per_face" or "features_per_sample" in a sidecar <file>.partfield.json, or process fewer files at once (--concurrency), then drop the mesh into incoming/ again.',
  'output-exists':
    'An output would have replaced a file of the same name that came with the mesh. Rename that file, then drop the files into incoming/ again.',
  'interrupted':
    'The watcher stopped several times while processing this file, so the file itself may make it crash. Check the watcher log around that time; to try once more, drop the file into incoming/ again.',
  'vanished':
    'The mesh file was removed from incoming/ while the watcher claimed it. The files that came with it are in this folder; drop them into incoming/ again together with the mesh.',
  'internal':
    'This looks like a bug in partfield-bridge rather than a problem with the file. The watcher log has the details; dropping the file into incoming/ again retries it.',
}

/** Returns what the user should do about a failure; `processedBy` is `in-process` or the daemon's URL. */
export function adviceFor(kind: FailureKind, processedBy: string): string {
  const advice = ADVICE[kind]
  return typeof advice === 'string' ? advice : advice(processedBy)
}

export class JobFailure extends Error {
  override readonly name = 'JobFailure'
  readonly kind: FailureKind

  constructor(kind: FailureKind, message: string) {
    super(message)
    this.kind = kind
  }
}

/** Returns the failure of a file in incoming/ that is neither a mesh nor a file that comes with one. */
export function unsupportedFile(fileName: string): JobFailure {
  const extension = extensionOf(fileName)
  const what = extension === '' ? 'a file without an extension' : `a ${extension} file`
  let message = `${fileName} is ${what}, which the watcher cannot read; supported mesh formats: ${SUPPORTED_FORMATS}`
  if (extension === '.json') {
    message += '. Parameter files belong beside incoming/ as partfield.json, or beside their mesh as <mesh file>.partfield.json'
  }
  return new JobFailure('unsupported-format', message)
}

/** Error names and codes from the pipeline (in a worker or in the daemon), as plain data. */
export interface ErrorFacts {
  name: string
  message: string
  /** MeshParseError's reason, ExportError's code or the daemon's error code. */
  code?: string
  /** The daemon's `reason` for invalid-mesh. */
  reason?: string
  /** Stack of the original error, for the log. */
  stack?: string
}

/** Classifies a pipeline error by its name and code, as both processors see them. */
export function failureFromFacts(facts: ErrorFacts): JobFailure {
  const failure = classify(facts)
  if (facts.stack) failure.stack = facts.stack
  return failure
}

function classify(facts: ErrorFacts): JobFailure {
  const { name, message } = facts
  const reason = facts.reason ?? (name === 'MeshParseError' ? facts.code : undefined)
  if (reason === 'missing-resource') return new JobFailure('missing-resource', message)
  if (reason === 'too-many-faces') return new JobFailure('too-many-faces', message)
  if (facts.code === 'too-large') return new JobFailure('too-large', message)
  if (name === 'MeshParseError' || facts.code === 'invalid-mesh') return new JobFailure('invalid-mesh', message)
  if (name === 'ParamError' || facts.code === 'invalid-param') return new JobFailure('invalid-params', message)
  if (name === 'BackendUnavailableError' || facts.code === 'backend-unavailable') {
    return new JobFailure('backend-unavailable', message)
  }
  if (name === 'ExportError' && facts.code === 'target-exists') return new JobFailure('output-exists', message)
  if (facts.code === 'out-of-memory' || facts.code === 'ERR_WORKER_OUT_OF_MEMORY' || /allocation failed|out of memory/i.test(message)) {
    return new JobFailure('out-of-memory', message)
  }
  return new JobFailure('internal', message)
}
