import { copyFile, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import type { HealthResponse } from '../../../protocol/src/messages.js'
import { getStatus, peek, postFile, readResult } from './test-client.js'
import { startDaemon, type TestDaemon } from './test-daemon.js'
import { toOff, twoBoxes } from './test-meshes.js'

const STAND_IN_MODEL = fileURLToPath(new URL('../../../runpod/test/fixtures/stand-in-encoder.onnx', import.meta.url))
const MESH = toOff(twoBoxes(2))
const FAILED_LOG = 'PartField model failed to load; backend=auto jobs run the geometric backend and backend=partfield jobs fail'

async function health(daemon: TestDaemon): Promise<HealthResponse> {
  return (await (await fetch(`${daemon.url}/v1/health`)).json()) as HealthResponse
}

/** Polls /v1/health until the warm-up has named a device. */
async function warmHealth(daemon: TestDaemon): Promise<HealthResponse> {
  const deadline = Date.now() + 60_000
  for (;;) {
    const report = await health(daemon)
    if (report.device !== null) return report
    if (Date.now() > deadline) throw new Error(`no device after 60 s: ${JSON.stringify(report)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('daemon with a model that does not load', () => {
  let daemon: TestDaemon
  let modelPath: string
  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'partfield-model-'))
    // The first 15 bytes of a model, as a truncated copy leaves them.
    modelPath = join(dir, 'partfield.onnx')
    await writeFile(modelPath, 'not really onnx')
    daemon = await startDaemon({ env: { PARTFIELD_MODEL: modelPath } })
  })
  afterAll(() => daemon.stop())

  it('reports the failure in /v1/health', async () => {
    const report = await warmHealth(daemon)

    expect(report.backend).toBe('geometric')
    expect(report.device).toBe('cpu')
    expect(report.model).toMatchObject({ path: modelPath, present: true, bytes: 15, status: 'failed' })
    expect(report.model.error).toContain('Protobuf parsing failed')
  })

  it('runs auto jobs on the geometric backend with a warning', async () => {
    await warmHealth(daemon)

    const response = await postFile(daemon.url, 'boxes.off', MESH, { n_clusters: 2, wait: 1 })

    expect(response.status, await peek(response)).toBe(200)
    const result = await readResult(response)
    expect(result.backend).toBe('geometric')
    const warning = result.warnings.find((text) => text.startsWith('backend=auto ran the geometric backend'))
    expect(warning).toContain('Protobuf parsing failed')
    expect((await getStatus(daemon.url, result.jobId)).warnings).toContain(warning)
  })

  it('rejects backend=partfield with the load error', async () => {
    await warmHealth(daemon)

    const response = await postFile(daemon.url, 'boxes.off', MESH, { backend: 'partfield' })

    expect(response.status).toBe(400)
    const { error } = (await response.json()) as { error: { code: string; field: string; message: string } }
    expect(error).toMatchObject({ code: 'backend-unavailable', field: 'backend' })
    expect(error.message).toContain('Protobuf parsing failed')
    expect(error.message).toContain('backend=partfield cannot run until the model loads')
  })

  it('logs the failure once', async () => {
    await warmHealth(daemon)
    await postFile(daemon.url, 'again.off', MESH, { n_clusters: 2, wait: 1 })

    const lines = daemon.logs.filter((entry) => entry.msg === FAILED_LOG)

    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ level: 40, model: modelPath, bytes: 15 })
  })

  it('checks a replaced model again', async () => {
    await warmHealth(daemon)
    await copyFile(STAND_IN_MODEL, modelPath)

    const report = await health(daemon)

    expect(report.backend).toBe('partfield')
    expect(report.model).toMatchObject({ present: true, status: 'unchecked', error: null })
  })
})

describe('daemon without a model', () => {
  let daemon: TestDaemon
  beforeAll(async () => {
    daemon = await startDaemon({ args: ['--no-warm-up'] })
  })
  afterAll(() => daemon.stop())

  it('says how to install the model', async () => {
    const response = await postFile(daemon.url, 'boxes.off', MESH, { backend: 'partfield' })

    expect(response.status).toBe(400)
    const { error } = (await response.json()) as { error: { code: string; message: string } }
    expect(error.code).toBe('backend-unavailable')
    expect(error.message).toContain('on a RunPod pod run bash runpod/install.sh')
    expect(error.message).toContain('set PARTFIELD_MODEL or --model')
    expect((await health(daemon)).model).toMatchObject({ present: false, status: 'missing', error: null })
  })
})
