/**
 * Checks that onnxruntime-node can run a model on its CUDA execution provider, for start.sh.
 * Exits 0 and prints `cuda ok` when it can; exits 1 with the reason otherwise. The provider
 * libraries load only when a session asks for them, so listing the supported backends proves
 * nothing: this creates a session for a one-node model and runs it.
 */
import ort from 'onnxruntime-node'

// A one-node ONNX model, y = x + x on float32[1], opset 13, serialised with the onnx Python
// package and checked with onnx.checker.
const ADD_MODEL_BASE64 =
  'CAgSEHBhcnRmaWVsZC1icmlkZ2U6OQoOCgF4CgF4EgF5IgNBZGQSBXByb2JlWg8KAXgSCgoICAESBAoCCAFiDwoBeRIK' +
  'CggIARIECgIIAUIECgAQDQ=='

async function probeCuda(): Promise<void> {
  const model = Buffer.from(ADD_MODEL_BASE64, 'base64')
  const session = await ort.InferenceSession.create(model, { executionProviders: ['cuda'] })
  const input = new ort.Tensor('float32', new Float32Array([1.5]), [1])
  const output = await session.run({ x: input })

  const value = (output.y.data as Float32Array)[0]
  if (value !== 3) {
    throw new Error(`the CUDA session computed 1.5 + 1.5 = ${value}`)
  }
  await session.release()
}

try {
  await probeCuda()
  console.log('cuda ok')
} catch (error) {
  const message = error instanceof Error ? error.message : String(error)
  console.log(`cuda unavailable: ${message}`)
  process.exitCode = 1
}
