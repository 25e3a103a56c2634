import type { SegmentParams } from '../../../protocol/src/params.js'
import type { PreparedMesh } from '../prepare/prepared-mesh.js'

export type BackendName = 'partfield' | 'geometric'
export type DeviceName = 'cpu' | 'cuda'

/** One float vector per element (triangle or point), row-major. */
export interface FeatureField {
  values: Float32Array
  dim: number
  count: number
  backend: BackendName
  /** Settings that shaped the field (sample counts, scales), recorded in labels.json. */
  settings: Record<string, number | string | boolean>
}

/** Points in PartField's normalised frame, for backends that segment point clouds. */
export interface PreparedCloud {
  positions: Float32Array
  normals?: Float32Array
  count: number
}

export interface FeatureContext {
  params: SegmentParams
  /** Called with a fraction in 0..1 of this stage's work. */
  onProgress: (fraction: number) => void
  signal: AbortSignal
}

/** What the pipeline needs from a feature backend; the clustering after it is shared. */
export interface FeatureBackend {
  readonly name: BackendName
  readonly device: DeviceName
  /** Features per triangle of the prepared mesh; rows of unkept triangles may hold anything. */
  meshFeatures(mesh: PreparedMesh, context: FeatureContext): Promise<FeatureField>
  /** Features per point. */
  pointFeatures(cloud: PreparedCloud, context: FeatureContext): Promise<FeatureField>
}
