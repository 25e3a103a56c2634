/**
 * Request and response bodies of the /v1 API. Field meanings, units and examples are in
 * protocol/PROTOCOL.md; these types are the same contract for TypeScript clients.
 */
import type { Method, SegmentParams } from './params.js'

/** Pipeline stages in the order a job passes them. */
export const STAGES = ['load', 'prepare', 'features', 'cluster', 'pca', 'export'] as const
export type StageName = (typeof STAGES)[number]

export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const
export type JobState = (typeof JOB_STATES)[number]

/** States after which a job never changes again (except through recut). */
export const TERMINAL_STATES: readonly JobState[] = ['succeeded', 'failed', 'cancelled']

/** Body of every error response (always JSON). */
export interface ErrorBody {
  error: {
    /** Stable machine-readable reason, listed in PROTOCOL.md. */
    code: string
    /** Explanation for people: what failed and what to do. */
    message: string
    /** The request field or parameter at fault, when there is one. */
    field?: string
    /** The mesh loader's reason code for `invalid-mesh` (for example `syntax`, `truncated`). */
    reason?: string
    /** The job the error belongs to, for errors of a job. */
    jobId?: string
  }
}

/** A mesh sent as arrays rather than as a file. */
export interface MeshArrays {
  /** float32, 3 per vertex (x, y, z). */
  positions: Float32Array
  /** uint32, 3 vertex indices per triangle. */
  triangles: Uint32Array
  /** uint32, one per triangle: the source face it belongs to, 0..faceCount-1 without gaps. */
  polygons?: Uint32Array
}

/** POST /v1/segment body with Content-Type application/msgpack or application/json. */
export interface SegmentRequest {
  /** Name used in messages and download names; defaults to `mesh`. */
  name?: string
  params?: Record<string, unknown>
  /** Either a mesh as arrays ... */
  mesh?: MeshArrays
  /** ... or a mesh file's bytes with its name (the extension picks the format). */
  file?: Uint8Array
  filename?: string
  /** Files the mesh file refers to (a glTF's .bin, an OBJ's .mtl), by the name it uses. */
  resources?: Record<string, Uint8Array>
}

/** A downloadable file of a finished job. */
export interface FileInfo {
  name: string
  format: string
  bytes: number
  /** Path of the download, relative to the daemon's base URL. */
  url: string
}

/** GET /v1/jobs/{id}: the job's state and progress. */
export interface JobStatus {
  protocolVersion: number
  id: string
  state: JobState
  /** Stage running now (or where a failed job stopped); null while queued and when done. */
  stage: StageName | null
  /** Fraction of the whole job done, 0..1. */
  progress: number
  /** Fraction of the current stage done, 0..1. */
  stageProgress: number
  /** 1 for the next job to start; null unless queued. */
  queuePosition: number | null
  input: { name: string; format: string; bytes: number }
  /** ISO 8601 times in UTC; null until they happen. */
  createdAt: string
  startedAt: string | null
  finishedAt: string | null
  /** When the job and its files are deleted; null while it is queued or running. */
  expiresAt: string | null
  /** Source faces (points for a point cloud), once loaded. */
  faces: number | null
  parts: number | null
  backend: string | null
  device: string | null
  /** Milliseconds per finished stage. */
  timings: Partial<Record<StageName, number>>
  warnings: string[]
  error: { code: string; message: string; reason?: string } | null
  files: FileInfo[]
}

/** Body of GET /v1/jobs/{id}/result, of a recut response and of a ?wait=1 response. */
export interface SegmentResult {
  protocolVersion: number
  jobId: string
  kind: 'mesh' | 'points'
  /** Source faces (points), the length of `labels`. */
  faceCount: number
  triangleCount: number
  partCount: number
  /** True when the server chose the part count from the merge tree. */
  autoPartCount: boolean
  method: Method
  /** int32, one part label per source face (point), 0..partCount-1. */
  labels: Int32Array
  /** Number of source faces in each part, indexed by label. */
  partSizes: number[]
  /** Merge tree for local re-cuts; null for k-means results. */
  tree: { leafCount: number; merges: Int32Array; costs: Float32Array } | null
  /** PCA view of the features: RGB (uint8) per source face; null when pca_components is 0. */
  pca: { components: number; colors: Uint8Array } | null
  /** int32 label per triangle, only when requested with ?include=triangle_labels. */
  triangleLabels?: Int32Array
  backend: string
  device: string
  params: SegmentParams
  timings: Partial<Record<StageName, number>>
  warnings: string[]
  files: FileInfo[]
}

/** POST /v1/jobs/{id}/recut body (or query parameters of the same names). */
export interface RecutRequest {
  n_clusters: number
  method?: Method
}

/** GET /v1/health. */
export interface HealthResponse {
  status: 'ok'
  version: string
  protocolVersion: number
  /** Backend that `backend=auto` runs (or tries first, while the model's status is `unchecked`). */
  backend: string
  model: {
    path: string
    present: boolean
    bytes: number | null
    /** `missing`, `unchecked` (not loaded yet, or changed since), `loaded` or `failed`. */
    status: 'missing' | 'unchecked' | 'loaded' | 'failed'
    /** Reason the model failed to load; null unless `status` is `failed`. */
    error: string | null
  }
  /** cpu or cuda once the worker has loaded the backend; null before. */
  device: string | null
  queue: { running: number; queued: number; maxQueued: number; concurrency: number }
  jobs: number
  authRequired: boolean
  limits: { maxUploadBytes: number; maxFaces: number }
  memory: { rssBytes: number; heapUsedBytes: number }
  uptimeSeconds: number
}
