import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, statSync } from 'node:fs'
import { readFile, rm, writeFile, mkdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { startCheckpointServer, type CheckpointServer, type CheckpointServerOptions } from './checkpoint-server.js'
import { createSandbox, runScript, STAND_IN_MODEL, type Sandbox } from './run-script.js'

// 300 KiB of seeded pseudo-random bytes: large enough to be cut mid-body, small enough to hash
// in no time.
const CHECKPOINT = fakeCheckpoint(300 * 1024, 12345)
const CHECKPOINT_SHA256 = createHash('sha256').update(CHECKPOINT).digest('hex')
const DROP_AFTER = 100 * 1024

function fakeCheckpoint(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length)
  let state = seed >>> 0
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    bytes[i] = state >>> 24
  }
  return bytes
}

// The real exporter needs Debian's python3-torch and python3-onnx, which CI installs.
const DEBIAN_PYTHON = '/usr/bin/python3'
const hasExportPython =
  spawnSync(DEBIAN_PYTHON, ['-c', 'import torch, numpy, onnx'], { stdio: 'ignore' }).status === 0

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

describe('install.sh', () => {
  let sandbox: Sandbox
  let server: CheckpointServer | undefined

  beforeEach(async () => {
    sandbox = await createSandbox()
  })

  afterEach(async () => {
    await server?.close()
    server = undefined
    await sandbox.remove()
  })

  async function serve(options: Omit<CheckpointServerOptions, 'body'> = {}): Promise<CheckpointServer> {
    server = await startCheckpointServer({ body: CHECKPOINT, ...options })
    sandbox.env.PARTFIELD_CKPT_URL = server.url
    return server
  }

  function pinCheckpoint(sha: string = CHECKPOINT_SHA256, bytes: number = CHECKPOINT.length): void {
    sandbox.env.PARTFIELD_CKPT_SHA256 = sha
    sandbox.env.PARTFIELD_CKPT_BYTES = String(bytes)
  }

  const checkpointPath = () => join(sandbox.root, 'models', 'model_objaverse.ckpt')
  const modelPath = () => join(sandbox.root, 'models', 'partfield.onnx')
  const markerPath = () => join(sandbox.root, '.partfield_installed')
  const exportCalls = async () => {
    const log = join(sandbox.root, 'fake-export.log')
    return existsSync(log) ? (await readFile(log, 'utf8')).trim().split('\n') : []
  }

  it('resumes after a dropped connection', async () => {
    const served = await serve({ dropFirstAfter: DROP_AFTER })
    pinCheckpoint()

    const result = await runScript('install.sh', [], sandbox.env)

    expect(result.stderr).toContain('download attempt 1 failed (curl exit 18')
    expect(result.code).toBe(0)
    const gets = served.requests.filter((request) => request.method === 'GET')
    expect(gets).toHaveLength(2)
    expect(gets[0].range).toBeUndefined()
    expect(gets[1].range).toBe(`bytes=${DROP_AFTER}-`)
    expect(gets[1].status).toBe(206)
    expect(sha256(await readFile(checkpointPath()))).toBe(CHECKPOINT_SHA256)
    expect(existsSync(`${checkpointPath()}.part`)).toBe(false)
  })

  it('exports and writes the marker', async () => {
    await serve()
    pinCheckpoint()

    const result = await runScript('install.sh', [], sandbox.env)

    expect(result.code, result.stderr).toBe(0)
    expect(await exportCalls()).toEqual([
      `checkpoint=${checkpointPath()} sha256=${CHECKPOINT_SHA256} out=${join(sandbox.root, 'models', 'partfield.partial.onnx')}`,
    ])
    expect(result.stdout).toContain('checking that')
    expect(await readFile(modelPath())).toEqual(await readFile(STAND_IN_MODEL))
    const marker = await readFile(markerPath(), 'utf8')
    expect(marker).toMatch(/^version=0\.1\.0\+exporter\.\S+$/m)
    expect(marker).toMatch(/^installed_at=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/m)
    expect(marker).toContain(`checkpoint_sha256=${CHECKPOINT_SHA256}\n`)
    expect(marker).toContain(`checkpoint_bytes=${CHECKPOINT.length}\n`)
    expect(marker).toContain('checkpoint_pin=environment\n')
    expect(marker).toContain(`model_path=${modelPath()}\n`)
    expect(marker).toContain('model_check=passed\n')
    expect(marker).toContain(`model_mtime=${Math.floor(statSync(modelPath()).mtimeMs / 1000)}\n`)
  })

  it('rejects an export that does not load', async () => {
    const served = await serve()
    pinCheckpoint()
    sandbox.env.FAKE_EXPORT_OUTPUT = 'truncated'

    const result = await runScript('install.sh', [], sandbox.env)

    expect(result.code).toBe(1)
    const partial = join(sandbox.root, 'models', 'partfield.partial.onnx')
    expect(result.stderr).toContain(
      `ERROR: the exporter exited 0, but its output is not a usable model: Load model from ${partial} failed:Protobuf parsing failed.; it was deleted`,
    )
    expect(existsSync(partial)).toBe(false)
    expect(existsSync(modelPath())).toBe(false)
    expect(existsSync(markerPath())).toBe(false)
    expect(sha256(await readFile(checkpointPath()))).toBe(CHECKPOINT_SHA256)

    delete sandbox.env.FAKE_EXPORT_OUTPUT
    const retried = await runScript('install.sh', [], sandbox.env)
    expect(retried.code, retried.stderr).toBe(0)
    expect(served.requests.filter((request) => request.method === 'GET')).toHaveLength(1)
  })

  it('rejects an export below the minimum size', async () => {
    await serve()
    pinCheckpoint()
    sandbox.env.FAKE_EXPORT_OUTPUT = 'text'

    const result = await runScript('install.sh', [], sandbox.env)

    expect(result.code).toBe(1)
    expect(result.stderr).toContain('its output is not a usable model: it has 15 bytes, and an exported model has at least 100 (PARTFIELD_MIN_MODEL_BYTES)')
    expect(existsSync(markerPath())).toBe(false)
  })

  it('exports again when the model does not load', async () => {
    // An install made before install.sh checked its exports: the marker vouches for a broken file.
    const served = await serve()
    pinCheckpoint()
    expect((await runScript('install.sh', [], sandbox.env)).code).toBe(0)
    await writeFile(modelPath(), 'not really onnx')
    const marker = (await readFile(markerPath(), 'utf8')).replace(/^model_(check|mtime)=.*\n/gm, '')
    await writeFile(markerPath(), marker.replace(/^model_bytes=\d+$/m, 'model_bytes=15'))

    const result = await runScript('install.sh', [], sandbox.env)

    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain(`model file ${modelPath()} is not a usable model: it has 15 bytes`)
    expect(await exportCalls()).toHaveLength(2)
    expect(served.requests.filter((request) => request.method === 'GET')).toHaveLength(1)
    expect(await readFile(modelPath())).toEqual(await readFile(STAND_IN_MODEL))
    expect(await readFile(markerPath(), 'utf8')).toContain('model_check=passed\n')
  })

  it('rejects a wrong checksum', async () => {
    await serve()
    pinCheckpoint('0'.repeat(64))

    const result = await runScript('install.sh', [], sandbox.env)

    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`SHA-256 mismatch: expected ${'0'.repeat(64)} (from environment), found ${CHECKPOINT_SHA256}`)
    expect(result.stderr).toContain('What to do: run install.sh again')
    expect(existsSync(checkpointPath())).toBe(false)
    expect(existsSync(`${checkpointPath()}.part`)).toBe(false)
    expect(existsSync(markerPath())).toBe(false)
    expect(await exportCalls()).toEqual([])
  })

  it('rejects a wrong size', async () => {
    await serve()
    pinCheckpoint(CHECKPOINT_SHA256, CHECKPOINT.length + 1)

    const result = await runScript('install.sh', [], sandbox.env)

    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`size mismatch: expected ${CHECKPOINT.length + 1} bytes (from environment), found ${CHECKPOINT.length}`)
    expect(existsSync(markerPath())).toBe(false)
  })

  it('skips when already installed', async () => {
    const served = await serve()
    pinCheckpoint()
    const first = await runScript('install.sh', [], sandbox.env)
    expect(first.code, first.stderr).toBe(0)
    const requestsAfterFirst = served.requests.length
    const markerAfterFirst = await readFile(markerPath(), 'utf8')

    const second = await runScript('install.sh', [], sandbox.env)

    expect(second.code, second.stderr).toBe(0)
    expect(second.stdout).toContain('already installed')
    expect(served.requests.length).toBe(requestsAfterFirst)
    expect(await exportCalls()).toHaveLength(1)
    expect(await readFile(markerPath(), 'utf8')).toBe(markerAfterFirst)
  })

  it('exports again with --force', async () => {
    const served = await serve()
    pinCheckpoint()
    expect((await runScript('install.sh', [], sandbox.env)).code).toBe(0)
    const requestsAfterFirst = served.requests.length

    const result = await runScript('install.sh', ['--force'], sandbox.env)

    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain(': --force given')
    expect(result.stdout).toContain('checkpoint verified')
    expect(served.requests.length).toBe(requestsAfterFirst)
    expect(await exportCalls()).toHaveLength(2)
  })

  it('re-exports a deleted model without downloading', async () => {
    const served = await serve()
    pinCheckpoint()
    expect((await runScript('install.sh', [], sandbox.env)).code).toBe(0)
    const requestsAfterFirst = served.requests.length
    await rm(modelPath())

    const result = await runScript('install.sh', [], sandbox.env)

    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain('is missing or changed since the install')
    expect(result.stdout).toContain('checkpoint verified')
    expect(served.requests.length).toBe(requestsAfterFirst)
    expect(await exportCalls()).toHaveLength(2)
    expect(existsSync(modelPath())).toBe(true)
  })

  it('restarts when ranges are unsupported', async () => {
    const served = await serve({ dropFirstAfter: DROP_AFTER, supportsRanges: false })
    pinCheckpoint()

    const result = await runScript('install.sh', [], sandbox.env)

    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toMatch(/cannot resume .* \(curl exit 33/)
    const gets = served.requests.filter((request) => request.method === 'GET')
    expect(gets.map((request) => request.status)).toEqual([200, 200, 200])
    expect(sha256(await readFile(checkpointPath()))).toBe(CHECKPOINT_SHA256)
  })

  it('restarts an oversized partial download', async () => {
    // Only possible without a pinned size: bytes left from a different, longer file.
    const served = await serve()
    const part = `${checkpointPath()}.part`
    await mkdir(dirname(part), { recursive: true })
    await writeFile(part, new Uint8Array(CHECKPOINT.length + 500))

    const result = await runScript('install.sh', [], sandbox.env)

    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain('(curl exit 22, HTTP 416); starting over')
    expect(served.requests.map((request) => request.range)).toEqual([`bytes=${CHECKPOINT.length + 500}-`, undefined])
    expect(sha256(await readFile(checkpointPath()))).toBe(CHECKPOINT_SHA256)
  })

  it('gives up after the last attempt', async () => {
    await serve({ status: 503 })
    pinCheckpoint()
    sandbox.env.PARTFIELD_DOWNLOAD_ATTEMPTS = '3'

    const result = await runScript('install.sh', [], sandbox.env)

    expect(result.code).toBe(1)
    expect(server?.requests).toHaveLength(3)
    expect(result.stderr).toContain('download attempt 3 failed (curl exit 22, HTTP 503)')
    expect(result.stderr).toContain('could not download the checkpoint')
    expect(result.stderr).toContain('after 3 attempts')
    expect(result.stderr).toContain('What to do: check the pod')
    // Nothing arrived, so there is nothing to resume.
    expect(result.stderr).toContain('then run install.sh again: it downloads the file from the start')
    expect(result.stderr).not.toContain('resumes from the 0 bytes')
  })

  it('names the bytes a rerun resumes from', async () => {
    await serve({ dropFirstAfter: DROP_AFTER })
    pinCheckpoint()
    sandbox.env.PARTFIELD_DOWNLOAD_ATTEMPTS = '1'

    const result = await runScript('install.sh', [], sandbox.env)

    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`it resumes from the ${DROP_AFTER} bytes already in ${checkpointPath()}.part`)
  })

  it('stops at once on 404', async () => {
    await serve({ status: 404 })
    pinCheckpoint()

    const result = await runScript('install.sh', [], sandbox.env)

    expect(result.code).toBe(1)
    expect(server?.requests).toHaveLength(1)
    expect(result.stderr).toContain(`checkpoint not found (HTTP 404) at ${server?.url}`)
    expect(result.stderr).toContain('What to do: check PARTFIELD_CKPT_URL')
  })

  it('asks for HF_TOKEN on 403 without one', async () => {
    await serve({ status: 403 })
    pinCheckpoint()

    const result = await runScript('install.sh', [], sandbox.env)

    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`the server refused the checkpoint download (HTTP 403) from ${server?.url}\n`)
    expect(result.stderr).toContain('and set HF_TOKEN in the pod')
  })

  it('blames the token on 403 with one', async () => {
    const served = await serve({ status: 403 })
    pinCheckpoint()
    sandbox.env.HF_TOKEN = 'hf_test_token_1234567890'

    const result = await runScript('install.sh', [], sandbox.env)

    expect(result.code).toBe(1)
    expect(served.requests).toHaveLength(1)
    expect(served.requests[0].authorization).toBe('Bearer hf_test_token_1234567890')
    expect(result.stderr).toContain('(HTTP 403) from')
    expect(result.stderr).toContain('although the HF_TOKEN from the environment was sent')
    expect(result.stderr).toContain('that the token exists and has read access')
    expect(result.stderr).toContain("accept its terms on the model's page")
    expect(result.stderr).not.toContain('set HF_TOKEN')
    expect(result.stdout + result.stderr).not.toContain('hf_test_token_1234567890')
  })

  it('sends HF_TOKEN without logging it', async () => {
    const served = await serve()
    pinCheckpoint()
    sandbox.env.HF_TOKEN = 'hf_test_token_1234567890'

    const result = await runScript('install.sh', [], sandbox.env)

    expect(result.code, result.stderr).toBe(0)
    expect(served.requests[0].authorization).toBe('Bearer hf_test_token_1234567890')
    expect(result.stdout + result.stderr).not.toContain('hf_test_token_1234567890')
    expect(existsSync(join(sandbox.root, 'partfield', '.hf-auth-header'))).toBe(false)
  })

  it('warns when nothing is pinned', async () => {
    await serve()

    const result = await runScript('install.sh', [], sandbox.env)

    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain(`checkpoint NOT verified: no SHA-256 is pinned. It is ${CHECKPOINT.length} bytes with SHA-256 ${CHECKPOINT_SHA256}`)
    expect(await readFile(markerPath(), 'utf8')).toContain('checkpoint_pin=none (unverified)\n')
  })

  it('refuses no pin when one is required', async () => {
    const served = await serve()
    sandbox.env.PARTFIELD_REQUIRE_PIN = '1'

    const result = await runScript('install.sh', [], sandbox.env)

    expect(result.code).toBe(1)
    expect(result.stderr).toContain('PARTFIELD_REQUIRE_PIN=1 but no SHA-256 is pinned')
    expect(served.requests).toHaveLength(0)
  })

  it('reads the pin file on the volume', async () => {
    await serve()
    await mkdir(join(sandbox.root, 'partfield'), { recursive: true })
    const pinFile = join(sandbox.root, 'partfield', 'checkpoint.pin')
    await writeFile(pinFile, `# test pin\nsha256=${'ab'.repeat(32)}\nbytes=${CHECKPOINT.length}\n`)

    const result = await runScript('install.sh', [], sandbox.env)

    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`SHA-256 mismatch: expected ${'ab'.repeat(32)} (from ${pinFile})`)
  })

  it('rejects a malformed pin', async () => {
    await serve()
    pinCheckpoint('not-a-hash')

    const result = await runScript('install.sh', [], sandbox.env)

    expect(result.code).toBe(1)
    expect(result.stderr).toContain("the pinned SHA-256 'not-a-hash' (from environment) is not 64 hexadecimal digits")
  })

  it('reads a pin file with CRLF and spaces', async () => {
    await serve()
    await mkdir(join(sandbox.root, 'partfield'), { recursive: true })
    const pinFile = join(sandbox.root, 'partfield', 'checkpoint.pin')
    await writeFile(pinFile, `# saved on Windows\r\nsha256 = ${CHECKPOINT_SHA256.toUpperCase()} \r\nbytes =${CHECKPOINT.length}\r\n`)

    const result = await runScript('install.sh', [], sandbox.env)

    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain(`checkpoint verified: ${CHECKPOINT.length} bytes, SHA-256 matches the pin from ${pinFile}`)
    expect(await readFile(markerPath(), 'utf8')).toContain(`checkpoint_pin=${pinFile}\n`)
  })

  it('shows invisible characters in a bad pin', async () => {
    await serve()
    await mkdir(join(sandbox.root, 'partfield'), { recursive: true })
    // A zero-width space (U+200B), as copying from a web page can add.
    const pasted = `${CHECKPOINT_SHA256.slice(0, 32)}\u200b${CHECKPOINT_SHA256.slice(32)}`
    await writeFile(join(sandbox.root, 'partfield', 'checkpoint.pin'), `sha256=${pasted}\n`)

    const result = await runScript('install.sh', [], sandbox.env)

    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`is not 64 hexadecimal digits`)
    expect(result.stderr).toContain(
      `(67 bytes, with invisible characters shown: $'${CHECKPOINT_SHA256.slice(0, 32)}\\342\\200\\213${CHECKPOINT_SHA256.slice(32)}')`,
    )
  })

  it('verifies a pin set after an unverified install', async () => {
    await serve()
    expect((await runScript('install.sh', [], sandbox.env)).code).toBe(0)
    const before = await readFile(markerPath(), 'utf8')
    expect(before).toContain('checkpoint_pin=none (unverified)\n')
    pinCheckpoint()

    const result = await runScript('install.sh', [], sandbox.env)

    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain('the checkpoint was installed without verification; checking it against the SHA-256 pinned in environment')
    expect(result.stdout).toContain('install verified: the checkpoint matches the pin from environment, so the model needs no new export')
    expect(await exportCalls()).toHaveLength(1)
    const after = await readFile(markerPath(), 'utf8')
    expect(after).toContain('checkpoint_pin=environment\n')
    expect(after).toContain(before.match(/^installed_at=.*$/m)![0])

    const again = await runScript('install.sh', [], sandbox.env)
    expect(again.stdout).toContain('already installed')
  })

  it('rejects a later pin that does not match', async () => {
    await serve()
    expect((await runScript('install.sh', [], sandbox.env)).code).toBe(0)
    pinCheckpoint('0'.repeat(64))

    const result = await runScript('install.sh', [], sandbox.env)

    expect(result.code).toBe(1)
    expect(result.stderr).toContain(
      `SHA-256 mismatch: expected ${'0'.repeat(64)} (from environment), found ${CHECKPOINT_SHA256} in ${checkpointPath()}, the checkpoint the installed model was exported from`,
    )
    expect(await readFile(markerPath(), 'utf8')).toContain('checkpoint_pin=none (unverified)\n')
    expect(await exportCalls()).toHaveLength(1)
  })

  it('verifies a later pin against the recorded checksum', async () => {
    // The guide allows deleting the checkpoint after the install; the marker recorded its SHA-256.
    await serve()
    expect((await runScript('install.sh', [], sandbox.env)).code).toBe(0)
    await rm(checkpointPath())
    pinCheckpoint('0'.repeat(64))

    const wrong = await runScript('install.sh', [], sandbox.env)
    pinCheckpoint()
    const right = await runScript('install.sh', [], sandbox.env)

    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toContain(`checksum mismatch: the installed model was exported from a checkpoint of ${CHECKPOINT.length} bytes with SHA-256 ${CHECKPOINT_SHA256}`)
    expect(right.code, right.stderr).toBe(0)
    expect(right.stdout).toContain('was deleted after the install; the SHA-256 recorded then matches the pin')
    expect(await readFile(markerPath(), 'utf8')).toContain('checkpoint_pin=environment\n')
    expect(await exportCalls()).toHaveLength(1)
  })

  it('keeps the checkpoint when export fails', async () => {
    const served = await serve()
    pinCheckpoint()
    sandbox.env.FAKE_EXPORT_FAIL = '1'

    const failed = await runScript('install.sh', [], sandbox.env)

    expect(failed.code).toBe(1)
    expect(failed.stderr).toContain('is not a PartField checkpoint')
    expect(failed.stderr).toContain('the ONNX export failed (exit 1)')
    expect(failed.stderr).toContain('What to do:')
    expect(existsSync(markerPath())).toBe(false)
    expect(existsSync(modelPath())).toBe(false)
    expect(existsSync(join(sandbox.root, 'models', 'partfield.partial.onnx'))).toBe(false)
    expect(sha256(await readFile(checkpointPath()))).toBe(CHECKPOINT_SHA256)

    delete sandbox.env.FAKE_EXPORT_FAIL
    const requestsAfterFailure = served.requests.length
    const retried = await runScript('install.sh', [], sandbox.env)

    expect(retried.code, retried.stderr).toBe(0)
    expect(served.requests.length).toBe(requestsAfterFailure)
    expect(existsSync(markerPath())).toBe(true)
  })

  it('uses a local checkpoint', async () => {
    const local = join(sandbox.root, 'uploaded.ckpt')
    await writeFile(local, CHECKPOINT)
    sandbox.env.PARTFIELD_CHECKPOINT = local
    sandbox.env.PARTFIELD_CKPT_URL = 'http://127.0.0.1:9/unused'
    pinCheckpoint()

    const result = await runScript('install.sh', [], sandbox.env)

    expect(result.code, result.stderr).toBe(0)
    expect(await exportCalls()).toEqual([
      `checkpoint=${local} sha256=${CHECKPOINT_SHA256} out=${join(sandbox.root, 'models', 'partfield.partial.onnx')}`,
    ])
    expect(existsSync(checkpointPath())).toBe(false)
  })

  it.skipIf(!hasExportPython)('passes the real exporter its flags', async () => {
    // Without torch, numpy and onnx in /usr/bin/python3 this test is skipped; CI installs them.
    await serve()
    pinCheckpoint()
    delete sandbox.env.PARTFIELD_EXPORT_CMD
    sandbox.env.PARTFIELD_PYTHON = DEBIAN_PYTHON

    const result = await runScript('install.sh', [], sandbox.env)

    // The fake checkpoint is not a pickle: export_onnx.py must have parsed --checkpoint and
    // --out, opened the file and rejected it with its own message.
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`error: ${checkpointPath()} is not a PyTorch checkpoint`)
    expect(result.stderr).toContain('the ONNX export failed (exit 2)')
    expect(existsSync(markerPath())).toBe(false)
    expect(existsSync(checkpointPath())).toBe(true)
  })

  it('waits for a running install', async () => {
    await serve()
    pinCheckpoint()
    sandbox.env.PARTFIELD_LOCK_WAIT_S = '1'
    const lockFile = join(sandbox.root, 'partfield', 'install.lock')
    await mkdir(dirname(lockFile), { recursive: true })
    // flock(1) holds the lock the way a second install.sh would, until the test releases it.
    const holder = spawn('flock', [lockFile, 'sleep', '30'], { stdio: 'ignore', detached: true })
    await new Promise((resolve) => setTimeout(resolve, 300))

    try {
      const result = await runScript('install.sh', [], sandbox.env)

      expect(result.code).toBe(1)
      expect(result.stdout).toContain('another install is running; waiting for it to finish')
      expect(result.stderr).toContain('timed out waiting for the other install')
      expect(server?.requests).toHaveLength(0)
    } finally {
      // The whole process group, so the sleep that holds the lock ends too.
      process.kill(-(holder.pid ?? 0), 'SIGTERM')
    }
  })

  it('rejects unknown arguments', async () => {
    const result = await runScript('install.sh', ['--frobnicate'], sandbox.env)

    expect(result.code).toBe(1)
    expect(result.stderr).toContain('unknown argument: --frobnicate')
  })
})
