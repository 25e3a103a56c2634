/**
 * The `partfield` feature backend: PartField's learned part features from the exported ONNX
 * encoder (runpod/export_onnx.py), read per face from its triplanes.
 */

import { basename } from 'node:path'

import type { Sampling } from '../../../../protocol/src/params.js'
import type { PreparedMesh } from '../../prepare/prepared-mesh.js'
import type {
  DeviceName,
  FeatureBackend,
  FeatureContext,
  FeatureField,
  PreparedCloud,
} from '../feature-field.js'
import { isOutOfMemory, loadEncoder, PartfieldOutOfMemoryError, type PartfieldEncoder } from './encoder.js'
import { faceFeatures, type FaceSampling } from './face-features.js'
import { sampleSurface } from './surface-samples.js'
import { samplePoints, type Triplane } from './triplane.js'

export { PartfieldModelError, PartfieldOutOfMemoryError } from './encoder.js'

/** Surface samples fed to the encoder per mesh, as PartField feeds it. */
export const ENCODER_POINTS = 100_000

/** `auto` sampling: PartField's full sampling on a GPU, the exact per-face mean on a CPU. */
export function resolveSampling(sampling: Sampling, device: DeviceName): FaceSampling {
  if (sampling === 'auto') return device === 'cuda' ? 'full' : 'adaptive'
  return sampling
}

/** Loads the model at `modelPath` and returns a backend that reuses it for every job. */
export async function createPartfieldBackend(modelPath: string): Promise<FeatureBackend> {
  return new PartfieldBackend(await loadEncoder(modelPath))
}

class PartfieldBackend implements FeatureBackend {
  readonly name = 'partfield'
  readonly device: DeviceName
  readonly #encoder: PartfieldEncoder

  constructor(encoder: PartfieldEncoder) {
    this.#encoder = encoder
    this.device = encoder.device
  }

  async meshFeatures(mesh: PreparedMesh, context: FeatureContext): Promise<FeatureField> {
    const { params, signal } = context
    const sampling = resolveSampling(params.sampling, this.device)
    // Share of the stage's progress bar the encoder takes, from timings on a 2-core CPU.
    const encoderShare = sampling === 'full' ? 0.5 : 0.9
    signal.throwIfAborted()
    context.onProgress(0)

    const started = performance.now()
    const points = sampleSurface(mesh, ENCODER_POINTS, params.seed)
    const triplane = await this.#step('the encoder', context, () => this.#encoder.encode(points))
    signal.throwIfAborted()
    context.onProgress(encoderShare)

    const encoded = performance.now()
    const values = await this.#step('per-face sampling', context, () =>
      faceFeatures(mesh, triplane, {
        sampling,
        pointsPerFace: params.points_per_face,
        featuresPerSample: params.features_per_sample,
        seed: params.seed,
        signal,
        onProgress: (fraction) => context.onProgress(encoderShare + (1 - encoderShare) * fraction),
      }),
    )

    return {
      values,
      dim: triplane.channels,
      count: mesh.triangles.length / 3,
      backend: 'partfield',
      settings: {
        ...this.#settings(params.seed, triplane),
        encoder_points: ENCODER_POINTS,
        sampling,
        points_per_face: params.points_per_face,
        features_per_sample: params.features_per_sample,
        encoder_ms: Math.round(encoded - started),
        sampling_ms: Math.round(performance.now() - encoded),
      },
    }
  }

  /** Encodes the cloud itself and reads the features at its points, as PartField does. */
  async pointFeatures(cloud: PreparedCloud, context: FeatureContext): Promise<FeatureField> {
    context.signal.throwIfAborted()
    context.onProgress(0)
    const started = performance.now()
    const triplane = await this.#step('the encoder', context, () => this.#encoder.encode(cloud.positions))
    context.signal.throwIfAborted()
    const encoded = performance.now()
    const values = await this.#step('point sampling', context, () => samplePoints(triplane, cloud.positions))
    context.onProgress(1)
    return {
      values,
      dim: triplane.channels,
      count: cloud.count,
      backend: 'partfield',
      settings: {
        ...this.#settings(context.params.seed, triplane),
        encoder_points: cloud.count,
        encoder_ms: Math.round(encoded - started),
        sampling_ms: Math.round(performance.now() - encoded),
      },
    }
  }

  #settings(seed: number, triplane: Triplane): Record<string, number | string> {
    const settings: Record<string, number | string> = {
      model: basename(this.#encoder.modelPath),
      device: this.device,
      seed,
      plane_resolution: triplane.resolution,
    }
    if (this.#encoder.cudaError) settings.cuda_error = this.#encoder.cudaError
    return settings
  }

  /** Runs one step, turning an allocation failure into an error that names the settings to lower. */
  async #step<T>(step: string, context: FeatureContext, work: () => T | Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (error) {
      if (!isOutOfMemory(error)) throw error
      const { points_per_face, features_per_sample } = context.params
      throw new PartfieldOutOfMemoryError(
        `PartField ran out of ${this.device === 'cuda' ? 'GPU' : 'host'} memory in ${step} ` +
          `(points_per_face=${points_per_face}, features_per_sample=${features_per_sample}): ` +
          `${(error as Error).message}; lower points_per_face or features_per_sample, or use backend=geometric`,
        { cause: error },
      )
    }
  }
}
