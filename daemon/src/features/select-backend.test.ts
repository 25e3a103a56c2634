import { copyFile, mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { BackendUnavailableError, chooseBackend, selectBackend } from './select-backend.js'

// The smallest ONNX model with the encoder's input and output names, which loadEncoder accepts.
const STAND_IN_MODEL = fileURLToPath(new URL('../../../runpod/test/fixtures/stand-in-encoder.onnx', import.meta.url))

/** Returns the error a promise rejects with, or fails the test. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  throw new Error('expected a rejection, but the promise resolved')
}

describe('chooseBackend', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'partfield-backend-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('runs geometric without a model file', async () => {
    const missing = join(dir, 'absent.onnx')

    const selection = await chooseBackend('auto', missing)
    const error = await rejection(chooseBackend('partfield', missing))

    expect(selection.backend.name).toBe('geometric')
    expect(selection.model).toEqual({ path: missing, status: 'missing', error: null, bytes: null, mtimeMs: null })
    expect(selection.fallbackWarning).toBeUndefined()
    expect(error).toBeInstanceOf(BackendUnavailableError)
    expect(error.message).toBe(
      `PartField model not found at ${missing}; on a RunPod pod run bash runpod/install.sh to download and export it, ` +
        'elsewhere set PARTFIELD_MODEL or --model to the exported file, or use backend=geometric',
    )
  })

  it('falls back from a model that does not load', async () => {
    // The first 15 bytes of an export, as a truncated copy leaves them.
    const broken = join(dir, 'truncated.onnx')
    await writeFile(broken, 'not really onnx')

    const selection = await chooseBackend('auto', broken)

    expect(selection.backend.name).toBe('geometric')
    expect(selection.model).toMatchObject({ path: broken, status: 'failed', bytes: 15 })
    expect(selection.model?.error).toContain('Protobuf parsing failed')
    expect(selection.fallbackWarning).toMatch(/^backend=auto ran the geometric backend because the PartField model failed to load \(/)
    expect(selection.fallbackWarning).toContain('bash runpod/install.sh --force')
    expect((await selectBackend('auto', broken)).name).toBe('geometric')
  })

  it('rejects an explicit partfield whose model does not load', async () => {
    const broken = join(dir, 'text.onnx')
    await writeFile(broken, 'not really onnx')

    const error = await rejection(chooseBackend('partfield', broken))

    expect(error).toBeInstanceOf(BackendUnavailableError)
    expect(error.message).toContain('Protobuf parsing failed')
    expect(error.message).toContain('backend=partfield cannot run until the model loads')
    expect((error as BackendUnavailableError).model).toMatchObject({ status: 'failed', bytes: 15 })
  })

  it('keeps a failed load until the file changes', async () => {
    const path = join(dir, 'replaced.onnx')
    await writeFile(path, 'not really onnx')
    expect((await chooseBackend('auto', path)).model?.status).toBe('failed')

    // A working model with the size and time of the broken one: the cached failure remains.
    const model = await stat(STAND_IN_MODEL)
    const padded = Buffer.alloc(model.size)
    padded.write('not really onnx')
    await writeFile(path, padded)
    const time = new Date('2025-01-01T00:00:00Z')
    await utimes(path, time, time)
    expect((await chooseBackend('auto', path)).model?.status).toBe('failed')
    await copyFile(STAND_IN_MODEL, path)
    await utimes(path, time, time)
    const cached = await chooseBackend('auto', path)

    // A new modification time makes the next job try again.
    const later = new Date(time.getTime() + 5000)
    await utimes(path, later, later)
    const retried = await chooseBackend('auto', path)

    expect(cached.model?.status).toBe('failed')
    expect(cached.backend.name).toBe('geometric')
    expect(retried.model).toMatchObject({ status: 'loaded', error: null, bytes: model.size })
    expect(retried.backend.name).toBe('partfield')
    expect(retried.fallbackWarning).toBeUndefined()
  })

  it('never looks at the model for geometric', async () => {
    const selection = await chooseBackend('geometric', join(dir, 'absent.onnx'))

    expect(selection.backend.name).toBe('geometric')
    expect(selection.model).toBeUndefined()
  })
})
