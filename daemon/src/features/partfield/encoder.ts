import { existsSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

import * as ort from 'onnxruntime-node'

import type { DeviceName } from '../feature-field.js'
import { triplaneFromPlanes, type Triplane } from './triplane.js'

const INPUT_NAME = 'points'
const OUTPUT_NAME = 'part_planes'
// The CUDA execution provider ships as this library beside onnxruntime-node's binding when
// the package was installed with CUDA support.
const CUDA_PROVIDER_LIBRARY = 'libonnxruntime_providers_cuda.so'

/** The model file is missing, unreadable or not a PartField encoder export. */
export class PartfieldModelError extends Error {
  override readonly name = 'PartfieldModelError'
}

/** The device or host ran out of memory during a PartField step. */
export class PartfieldOutOfMemoryError extends Error {
  override readonly name = 'PartfieldOutOfMemoryError'
}

const OUT_OF_MEMORY = /out of memory|failed to allocate|bad_alloc|alloc_failed|cudaErrorMemoryAllocation|array buffer allocation failed|invalid typed array length/i

/** True for the messages ONNX Runtime, CUDA and V8 give when an allocation fails. */
export function isOutOfMemory(error: unknown): boolean {
  return error instanceof RangeError || (error instanceof Error && OUT_OF_MEMORY.test(error.message))
}

/** Runs the exported encoder: points [1, N, 3] to part planes. */
export interface PartfieldEncoder {
  readonly device: DeviceName
  readonly modelPath: string
  /** Reason the installed CUDA execution provider did not load; absent when it loaded or is not installed. */
  readonly cudaError?: string
  encode(points: Float32Array): Promise<Triplane>
  release(): Promise<void>
}

/**
 * Loads the encoder with the CUDA execution provider when this onnxruntime-node build and machine
 * have one, else on the CPU.
 */
export async function loadEncoder(modelPath: string): Promise<PartfieldEncoder> {
  if (!existsSync(modelPath) || !statSync(modelPath).isFile()) {
    throw new PartfieldModelError(
      `PartField model not found at ${modelPath}; export it with runpod/export_onnx.py or set PARTFIELD_MODEL`,
    )
  }

  let device: DeviceName = 'cpu'
  let session: ort.InferenceSession | undefined
  let cudaError: string | undefined
  if (cudaProviderInstalled()) {
    try {
      session = await ort.InferenceSession.create(modelPath, { executionProviders: ['cuda', 'cpu'] })
      device = 'cuda'
    } catch (error) {
      // No usable GPU or driver: the CPU session below reports any problem with the file itself.
      cudaError = (error as Error).message
    }
  }
  try {
    session ??= await ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'] })
  } catch (error) {
    throw new PartfieldModelError(
      `PartField model at ${modelPath} could not be loaded: ${(error as Error).message}; expected an ONNX file written by runpod/export_onnx.py`,
    )
  }

  checkSignature(session, modelPath)
  return {
    device,
    modelPath,
    cudaError,
    encode: (points) => encode(session, points),
    release: () => session.release(),
  }
}

/** True when onnxruntime-node was installed with its CUDA execution provider. */
export function cudaProviderInstalled(): boolean {
  const require = createRequire(import.meta.url)
  const packageDir = dirname(require.resolve('onnxruntime-node/package.json'))
  const bindingDir = join(packageDir, 'bin', 'napi-v6', process.platform, process.arch)
  return existsSync(join(bindingDir, CUDA_PROVIDER_LIBRARY))
}

function checkSignature(session: ort.InferenceSession, modelPath: string): void {
  if (!session.inputNames.includes(INPUT_NAME) || !session.outputNames.includes(OUTPUT_NAME)) {
    throw new PartfieldModelError(
      `${modelPath} has inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]; expected input ${INPUT_NAME} and output ${OUTPUT_NAME} from runpod/export_onnx.py`,
    )
  }
}

async function encode(session: ort.InferenceSession, points: Float32Array): Promise<Triplane> {
  const count = points.length / 3
  if (!Number.isInteger(count) || count < 1) {
    throw new Error(`the encoder needs xyz triples; got ${points.length} values`)
  }
  const result = await session.run({ [INPUT_NAME]: new ort.Tensor('float32', points, [1, count, 3]) })
  const planes = result[OUTPUT_NAME]
  const dims = planes.dims
  if (dims.length !== 5 || dims[1] !== 3 || dims[3] !== dims[4] || planes.type !== 'float32') {
    throw new PartfieldModelError(`the encoder returned ${planes.type} [${dims.join(', ')}]; expected float32 [1, 3, C, R, R]`)
  }
  const triplane = triplaneFromPlanes(planes.data as Float32Array, dims[2], dims[3])
  planes.dispose()
  return triplane
}
