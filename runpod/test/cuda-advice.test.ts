/**
 * The advice start.sh prints when onnxruntime's CUDA provider does not start, one case per cause.
 * The first message is what onnxruntime-node 1.31 prints when installed without its CUDA
 * provider; the others follow the wording of the dynamic loader and of CUDA. No GPU is needed.
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

import { RUNPOD_DIR } from './run-script.js'

/** Runs cuda_failure_advice from cuda-advice.sh on REASON and returns the advice lines. */
function adviceFor(reason: string): string[] {
  const script = `source ${JSON.stringify(join(RUNPOD_DIR, 'cuda-advice.sh'))}; cuda_failure_advice "$1"; printf '%s\\n' "\${CUDA_ADVICE[@]}"`
  const result = spawnSync('bash', ['-c', script, 'advice', reason], { encoding: 'utf8' })
  expect(result.stderr).toBe('')
  return result.stdout.trimEnd().split('\n')
}

const PROVIDER_DIR = '/opt/partfield-bridge/node_modules/onnxruntime-node/bin/napi-v6/linux/x64'

describe('cuda_failure_advice', () => {
  it('blames the image for a missing provider library', () => {
    const library = `${PROVIDER_DIR}/libonnxruntime_providers_shared.so`
    const advice = adviceFor(
      `Failed to load library ${library} with error: ${library}: cannot open shared object file: No such file or directory ` +
        'cuda unavailable: OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library',
    )

    expect(advice[0]).toBe('onnxruntime-node was installed without its CUDA provider (libonnxruntime_providers_shared.so is missing).')
    expect(advice.join(' ')).toContain('ONNXRUNTIME_NODE_INSTALL=cuda12')
    expect(advice.join(' ')).not.toContain('driver')
  })

  it('names a missing cuDNN library', () => {
    const advice = adviceFor(
      `Failed to load library ${PROVIDER_DIR}/libonnxruntime_providers_cuda.so with error: libcudnn.so.9: cannot open shared object file: No such file or directory`,
    )

    expect(advice[0]).toBe('The image lacks the CUDA 12 or cuDNN 9 library libcudnn.so.9. This is a problem of the image,')
  })

  it('names a container without the driver', () => {
    const advice = adviceFor('CUDA failure 35: libcuda.so.1: cannot open shared object file: No such file or directory')

    expect(advice[0]).toBe("The container cannot reach the host's NVIDIA driver (libcuda.so.1 is missing).")
  })

  it('asks for a newer driver when CUDA says so', () => {
    const advice = adviceFor('CUDA failure 35: CUDA driver version is insufficient for CUDA runtime version')

    expect(advice.join(' ')).toContain("The host's NVIDIA driver is too old for CUDA 12.4")
  })

  it('falls back to the GPU pod advice', () => {
    expect(adviceFor('no CUDA-capable device is detected')[0]).toBe('Deploy on a GPU pod whose host driver supports CUDA 12.4 or later')
  })
})
