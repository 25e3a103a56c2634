/**
 * Segmentation parameters, named as the PartField Gradio app named them so that users of that app
 * find the same knobs. One table drives validation in the CLI, the daemon and the web page.
 */

export type Method = 'agglomerative' | 'kmeans'
export type Adjacency = 'naive' | 'face_mst' | 'component_mst'
export type BackendChoice = 'auto' | 'partfield' | 'geometric'
export type Sampling = 'auto' | 'full' | 'adaptive'

export interface SegmentParams {
  /** Number of parts; undefined picks one from the merge tree (see max_clusters). */
  n_clusters?: number
  /** Largest part count the automatic choice may pick, and the top of the recut range. */
  max_clusters: number
  method: Method
  /** Bridging rule that joins separate mesh components, so that clustering works on one connected graph. */
  adjacency: Adjacency
  /** Extra edges from each face to its k nearest faces in other components; 0 adds none. */
  knn: number
  /** Merge coincident vertices and drop degenerate and duplicate faces before computing features. */
  preprocess: boolean
  /** PartField: query points sampled on each face. */
  points_per_face: number
  /** PartField: query points evaluated per batch; lower it when the device runs out of memory. */
  features_per_sample: number
  /** PartField: `full` averages random samples per face, `adaptive` integrates the field over each face exactly. */
  sampling: Sampling
  /** Principal components of the feature field returned per face; the first three become colours. */
  pca_components: number
  backend: BackendChoice
  /** Seed for every random choice (surface samples, k-means), so a run can be repeated. */
  seed: number
}

interface IntSpec {
  kind: 'int'
  min: number
  max: number
  help: string
}
interface EnumSpec {
  kind: 'enum'
  values: readonly string[]
  help: string
}
interface BoolSpec {
  kind: 'bool'
  help: string
}
export type ParamSpec = IntSpec | EnumSpec | BoolSpec

export const PARAM_SPECS: Record<keyof SegmentParams, ParamSpec> = {
  n_clusters: { kind: 'int', min: 1, max: 256, help: 'Number of parts; leave empty to choose one automatically.' },
  max_clusters: { kind: 'int', min: 2, max: 256, help: 'Largest part count the automatic choice and the part slider offer.' },
  method: { kind: 'enum', values: ['agglomerative', 'kmeans'], help: 'Agglomerative keeps parts connected and returns a merge tree; k-means ignores connectivity.' },
  adjacency: { kind: 'enum', values: ['naive', 'face_mst', 'component_mst'], help: 'How separate pieces of the mesh are joined: a chain, a spanning tree over faces, or over piece centres.' },
  knn: { kind: 'int', min: 0, max: 32, help: 'Extra links from each face to its nearest faces on other pieces; 0 adds none.' },
  preprocess: { kind: 'bool', help: 'Merge duplicate vertices and ignore degenerate or repeated faces.' },
  points_per_face: { kind: 'int', min: 1, max: 10_000, help: 'PartField only: points sampled per face; lower it if the GPU runs out of memory.' },
  features_per_sample: { kind: 'int', min: 1_000, max: 10_000_000, help: 'PartField only: points evaluated per batch; lower it if the GPU runs out of memory.' },
  sampling: { kind: 'enum', values: ['auto', 'full', 'adaptive'], help: 'PartField only: adaptive takes the exact mean of the field over each face and is much faster on a CPU; full samples points_per_face random points; auto picks adaptive when no GPU is present.' },
  pca_components: { kind: 'int', min: 0, max: 16, help: 'Principal components of the features returned per face; 0 skips the feature view.' },
  backend: { kind: 'enum', values: ['auto', 'partfield', 'geometric'], help: 'Feature field: PartField network, the weight-free geometric field, or PartField when its model file exists.' },
  seed: { kind: 'int', min: 0, max: 2 ** 31 - 1, help: 'Seed for random sampling and k-means, so runs repeat exactly.' },
}

export const DEFAULT_PARAMS: SegmentParams = {
  n_clusters: undefined,
  max_clusters: 20,
  method: 'agglomerative',
  adjacency: 'component_mst',
  knn: 0,
  preprocess: true,
  points_per_face: 1000,
  features_per_sample: 10_000,
  sampling: 'auto',
  pca_components: 3,
  backend: 'auto',
  seed: 0,
}

/** Error for a parameter outside its allowed values; `field` names it for the 400 response. */
export class ParamError extends Error {
  override readonly name = 'ParamError'
  readonly field: string

  constructor(field: string, message: string) {
    super(message)
    this.field = field
  }
}

function describeAllowed(spec: ParamSpec): string {
  if (spec.kind === 'int') return `an integer from ${spec.min} to ${spec.max}`
  if (spec.kind === 'enum') return `one of ${spec.values.join(', ')}`
  return 'true or false'
}

function coerce(field: string, spec: ParamSpec, raw: unknown): unknown {
  const allowed = describeAllowed(spec)
  const received = JSON.stringify(raw)
  if (spec.kind === 'int') {
    const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw
    if (typeof value !== 'number' || !Number.isInteger(value) || value < spec.min || value > spec.max) {
      throw new ParamError(field, `invalid ${field}: ${received}; expected ${allowed}`)
    }
    return value
  }
  if (spec.kind === 'enum') {
    if (typeof raw !== 'string' || !spec.values.includes(raw)) {
      throw new ParamError(field, `invalid ${field}: ${received}; expected ${allowed}`)
    }
    return raw
  }
  if (raw === true || raw === 'true' || raw === '1' || raw === 1) return true
  if (raw === false || raw === 'false' || raw === '0' || raw === 0) return false
  throw new ParamError(field, `invalid ${field}: ${received}; expected ${allowed}`)
}

/**
 * Validates a loose map (query string, form fields, JSON or MessagePack `params`) and fills
 * defaults. Unknown keys are rejected so a misspelt parameter never silently does nothing.
 */
export function parseParams(input: Record<string, unknown>): SegmentParams {
  const params: SegmentParams = { ...DEFAULT_PARAMS }
  for (const [key, raw] of Object.entries(input)) {
    if (!(key in PARAM_SPECS)) {
      const known = Object.keys(PARAM_SPECS).join(', ')
      throw new ParamError(key, `unknown parameter ${key}; expected one of ${known}`)
    }
    if (raw === undefined || raw === null || raw === '') continue
    const field = key as keyof SegmentParams
    ;(params as unknown as Record<string, unknown>)[field] = coerce(field, PARAM_SPECS[field], raw)
  }
  // An explicit part count above the slider's range widens the range instead of failing.
  if (params.n_clusters !== undefined && params.n_clusters > params.max_clusters) {
    params.max_clusters = params.n_clusters
  }
  return params
}
