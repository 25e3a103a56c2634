import type { SegmentParams } from '../../../protocol/src/params.js'
import type { PartTree } from '../../../protocol/src/part-tree.js'
import type { BackendName, DeviceName } from '../features/feature-field.js'
import type { LoadedInput } from '../mesh/mesh-data.js'
import type { Csr } from '../prepare/prepared-mesh.js'

/** Pipeline stages, in order; progress events and timings use these names. */
export type Stage = 'load' | 'prepare' | 'features' | 'cluster' | 'pca' | 'export'

/** The result of one segmentation, before it is written to any format. */
export interface Segmentation {
  input: LoadedInput
  backend: BackendName
  device: DeviceName
  params: SegmentParams
  partCount: number
  /** True when the part count was chosen from the merge tree rather than given. */
  autoPartCount: boolean
  /** One label per source face (per point for a point cloud), 0..partCount-1. */
  labels: Int32Array
  /** One label per triangle of the loaded mesh (empty for a point cloud). */
  triangleLabels: Int32Array
  /** Merge tree over the source faces; absent for k-means. */
  tree?: PartTree
  /** L2-normalised features per source face (per point), row-major, kept for recuts. */
  features: Float32Array
  featureDim: number
  /** Adjacency between source faces (bridges included; k-nearest points for a cloud), for recuts. */
  graph: Csr
  /** PCA of the features: `pcaComponents` floats per face, and RGB bytes per face from the first three. */
  pca?: { components: number; values: Float32Array; colors: Uint8Array }
  /** Milliseconds per stage. */
  timings: Partial<Record<Stage, number>>
  warnings: string[]
}
