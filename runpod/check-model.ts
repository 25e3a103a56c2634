/**
 * Checks that a file is a PartField encoder model that onnxruntime-node can load, for install.sh
 * and start.sh: `tsx runpod/check-model.ts FILE`. Exits 0 and prints `model ok` when it is;
 * exits 1 and prints `model unusable: REASON` otherwise. The session is created on the CPU only,
 * so the check needs no GPU and takes no GPU memory from the daemon that starts after it.
 */
import ort from 'onnxruntime-node'

// The names runpod/export_onnx.py gives the encoder's input and output. The daemon's loader,
// daemon/src/features/partfield/encoder.ts, rejects a model without them.
const INPUT_NAME = 'points'
const OUTPUT_NAME = 'part_planes'

async function checkModel(path: string): Promise<void> {
  const session = await ort.InferenceSession.create(path, { executionProviders: ['cpu'] })
  try {
    if (!session.inputNames.includes(INPUT_NAME) || !session.outputNames.includes(OUTPUT_NAME)) {
      throw new Error(
        `it has inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]; ` +
          `expected the input ${INPUT_NAME} and the output ${OUTPUT_NAME} of runpod/export_onnx.py`,
      )
    }
  } finally {
    await session.release()
  }
}

const path = process.argv[2]
if (!path || process.argv.length > 3) {
  console.log('usage: tsx runpod/check-model.ts MODEL.onnx')
  process.exitCode = 2
} else {
  try {
    await checkModel(path)
    console.log('model ok')
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    console.log(`model unusable: ${message.replace(/\s+/g, ' ').trim()}`)
    process.exitCode = 1
  }
}
