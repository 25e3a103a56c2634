import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { startCheckpointServer, type CheckpointServer } from './checkpoint-server.js'
import { APP_DIR, RUNPOD_DIR, createSandbox, runScript, type Sandbox } from './run-script.js'

const DAEMON_ENTRY = join(APP_DIR, 'daemon', 'src', 'server', 'main.ts')
const TOKEN_PATTERN = /^ Token {4}(\S+)$/m
const CHECKPOINT_BODY = new TextEncoder().encode('fake checkpoint for start.sh\n'.repeat(1000))

function tokenFrom(stdout: string): string | undefined {
  return TOKEN_PATTERN.exec(stdout)?.[1]
}

/** Lists every file and folder under `root`, relative to it. */
function listTree(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).sort()
}

describe('start.sh', () => {
  let sandbox: Sandbox
  let server: CheckpointServer | undefined

  beforeEach(async () => {
    sandbox = await createSandbox()
    // Dry runs never start the daemon, but a test that slips must not bind every interface.
    sandbox.env.GRADIO_SERVER_NAME = '127.0.0.1'
    sandbox.env.PARTFIELD_AUTO_INSTALL = '0'
  })

  afterEach(async () => {
    await server?.close()
    server = undefined
    await sandbox.remove()
  })

  async function install(): Promise<void> {
    server ??= await startCheckpointServer({ body: CHECKPOINT_BODY })
    sandbox.env.PARTFIELD_CKPT_URL = server.url
    const result = await runScript('install.sh', [], sandbox.env)
    expect(result.code, result.stderr).toBe(0)
  }

  /** Replaces the installed model with BYTES and makes the marker vouch for it, as an install
   * made before install.sh checked its exports left it. */
  async function replaceModel(bytes: Uint8Array | string): Promise<string> {
    const modelPath = join(sandbox.root, 'models', 'partfield.onnx')
    await writeFile(modelPath, bytes)
    const markerPath = join(sandbox.root, '.partfield_installed')
    const marker = (await readFile(markerPath, 'utf8')).replace(/^model_(check|mtime)=.*\n/gm, '')
    await writeFile(markerPath, marker.replace(/^model_bytes=\d+$/m, `model_bytes=${statSync(modelPath).size}`))
    return modelPath
  }

  it('falls back to the CPU loudly', async () => {
    // The stub reports an L4, but onnxruntime's CUDA provider libraries are not installed here.
    const result = await runScript('start.sh', ['--dry-run'], sandbox.env)

    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain('GPU (name, memory total, memory used, driver): NVIDIA L4, 23034 MiB, 1 MiB, 550.54.15')
    expect(result.stderr).toContain('!! NO GPU: running on the CPU.')
    expect(result.stderr).toContain("!! Why: onnxruntime's CUDA execution provider did not start")
    // onnxruntime colours its log lines; the pod log must show the text, not escape codes.
    expect(result.stderr).not.toContain('\x1b')
    expect(result.stdout).toMatch(/^ Device {3}cpu$/m)
  })

  it('names the missing provider library as the cause', async () => {
    const result = await runScript('start.sh', ['--dry-run'], sandbox.env)

    // This machine's onnxruntime-node has no CUDA provider, so the probe fails on the missing
    // library. A machine whose probe fails for another reason skips these checks.
    if (!result.stderr.includes('libonnxruntime_providers_shared.so: cannot open shared object file')) return
    expect(result.stderr).toContain('!! To fix: onnxruntime-node was installed without its CUDA provider')
    expect(result.stderr).toContain('ONNXRUNTIME_NODE_INSTALL=cuda12')
    expect(result.stderr).not.toContain('whose host driver supports CUDA 12.4')
  })

  it('reports a failing nvidia-smi', async () => {
    sandbox.env.STUB_NVIDIA_SMI = 'failing'

    const result = await runScript('start.sh', ['--dry-run'], sandbox.env)

    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain("!! Why: nvidia-smi failed: NVIDIA-SMI has failed because it couldn't communicate")
    expect(result.stderr).toContain('!! To fix: The host\'s driver is broken or too old for CUDA 12.4')
    expect(result.stdout).toMatch(/^ Device {3}cpu$/m)
  })

  it('reports a missing nvidia-smi', async () => {
    sandbox.env.PARTFIELD_NVIDIA_SMI = 'nvidia-smi-not-installed'

    const result = await runScript('start.sh', ['--dry-run'], sandbox.env)

    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain('!! Why: nvidia-smi was not found')
    expect(result.stderr).toContain('!! To fix: Deploy on a GPU pod')
  })

  it('refuses the CPU when cuda is required', async () => {
    sandbox.env.PARTFIELD_DEVICE = 'cuda'

    const result = await runScript('start.sh', ['--dry-run'], sandbox.env)

    expect(result.code).toBe(1)
    expect(result.stderr).toContain('ERROR: PARTFIELD_DEVICE=cuda but the GPU is unusable')
    expect(result.stderr).toMatch(/What to do: .+ Or set PARTFIELD_DEVICE=auto to run on the CPU\./)
  })

  it('stays quiet when the CPU is chosen', async () => {
    sandbox.env.PARTFIELD_DEVICE = 'cpu'

    const result = await runScript('start.sh', ['--dry-run'], sandbox.env)

    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).not.toContain('NO GPU')
    expect(result.stdout).toContain('device: cpu, as PARTFIELD_DEVICE=cpu asks')
  })

  it('rejects an unknown device', async () => {
    sandbox.env.PARTFIELD_DEVICE = 'tpu'

    const result = await runScript('start.sh', ['--dry-run'], sandbox.env)

    expect(result.code).toBe(1)
    expect(result.stderr).toContain('PARTFIELD_DEVICE=tpu is not one of auto, cuda, cpu')
  })

  it('rejects an invalid port in one line', async () => {
    sandbox.env.PARTFIELD_DEVICE = 'cpu'
    sandbox.env.GRADIO_SERVER_PORT = '99999'

    for (const args of [['--dry-run'], []]) {
      const result = await runScript('start.sh', args, sandbox.env)

      expect(result.code, args.join(' ')).toBe(1)
      expect(result.stderr).toBe(
        '[partfield start] ERROR: GRADIO_SERVER_PORT=99999 is not a TCP port; set it to a whole number from 1 to 65535 (7860 on RunPod)\n',
      )
      expect(result.stdout).toBe('')
    }
    expect(listTree(sandbox.root)).toEqual([])
  })

  it('names PARTFIELD_PORT when it is the invalid one', async () => {
    sandbox.env.PARTFIELD_PORT = 'http'

    const result = await runScript('start.sh', ['--dry-run'], sandbox.env)

    expect(result.code).toBe(1)
    expect(result.stderr).toContain('ERROR: PARTFIELD_PORT=http is not a TCP port')
  })

  it('rejects other invalid settings', async () => {
    const cases: [string, string, string][] = [
      ['PARTFIELD_JOB_TTL_HOURS', 'soon', 'PARTFIELD_JOB_TTL_HOURS=soon is not a number of hours above 0 and at most 8760'],
      ['PARTFIELD_JOB_TTL_HOURS', '0', 'PARTFIELD_JOB_TTL_HOURS=0 is not a number of hours'],
      ['PARTFIELD_AUTO_INSTALL', 'no', 'PARTFIELD_AUTO_INSTALL=no is not 0 or 1'],
      ['PARTFIELD_REQUIRE_MODEL', 'yes', 'PARTFIELD_REQUIRE_MODEL=yes is not 0 or 1'],
      ['GRADIO_SERVER_NAME', 'pod host', "GRADIO_SERVER_NAME (or PARTFIELD_HOST) 'pod host' is not an address"],
    ]
    for (const [name, value, message] of cases) {
      const result = await runScript('start.sh', ['--dry-run'], { ...sandbox.env, [name]: value })

      expect(result.code, name).toBe(1)
      expect(result.stderr.split('\n').filter(Boolean), name).toHaveLength(1)
      expect(result.stderr, name).toContain(message)
    }
  })

  it('changes nothing in a dry run', async () => {
    server = await startCheckpointServer({ body: CHECKPOINT_BODY })
    Object.assign(sandbox.env, { PARTFIELD_CKPT_URL: server.url, PARTFIELD_DEVICE: 'cpu', PUBLIC_KEY: 'ssh-ed25519 AAAA test' })
    delete sandbox.env.PARTFIELD_AUTO_INSTALL

    const result = await runScript('start.sh', ['--dry-run'], sandbox.env)

    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain('dry run: would start sshd for the key in PUBLIC_KEY')
    expect(result.stdout).toContain(`dry run: would create ${join(sandbox.root, 'partfield', 'data')}`)
    expect(result.stdout).toContain('dry run: would run install.sh, because the PartField model: not installed yet')
    expect(result.stdout).toMatch(/^ Token {4}\(none yet\)$/m)
    expect(result.stdout).toMatch(/^ Backend {2}partfield once install\.sh has run/m)
    expect(result.stdout).toContain('dry run: would start')
    expect(result.stderr).not.toContain('The PartField model is not installed')
    expect(server.requests).toHaveLength(0)
    expect(listTree(sandbox.root)).toEqual([])
  })

  it('shows the stored token in a dry run', async () => {
    sandbox.env.PARTFIELD_DEVICE = 'cpu'
    await mkdir(join(sandbox.root, 'partfield', 'data'), { recursive: true })
    await writeFile(join(sandbox.root, 'partfield', 'data', 'token'), 'stored-token-0123456789\n')

    const result = await runScript('start.sh', ['--dry-run'], sandbox.env)

    expect(tokenFrom(result.stdout)).toBe('stored-token-0123456789')
    expect(result.stdout).toContain(`(from ${join(sandbox.root, 'partfield', 'data', 'token')})`)
  })

  it('prefers PARTFIELD_TOKEN', async () => {
    sandbox.env.PARTFIELD_DEVICE = 'cpu'
    sandbox.env.PARTFIELD_TOKEN = 'short'

    const result = await runScript('start.sh', ['--dry-run'], sandbox.env)

    expect(tokenFrom(result.stdout)).toBe('short')
    expect(result.stderr).toContain('PARTFIELD_TOKEN has only 5 characters')
    expect(existsSync(join(sandbox.root, 'partfield', 'data', 'token'))).toBe(false)
  })

  it('prints the proxy URL', async () => {
    sandbox.env.PARTFIELD_DEVICE = 'cpu'
    sandbox.env.GRADIO_SERVER_NAME = '0.0.0.0'
    sandbox.env.RUNPOD_POD_ID = 'abc123xyz'

    const withId = await runScript('start.sh', ['--dry-run'], sandbox.env)
    delete sandbox.env.RUNPOD_POD_ID
    const withoutId = await runScript('start.sh', ['--dry-run'], sandbox.env)

    expect(withId.stdout).toMatch(/^ URL {6}https:\/\/abc123xyz-7860\.proxy\.runpod\.net$/m)
    expect(withId.stdout).toMatch(/^ Local {4}http:\/\/127\.0\.0\.1:7860$/m)
    expect(withId.stdout).toContain('curl https://abc123xyz-7860.proxy.runpod.net/health')
    expect(withId.stdout).not.toContain('only the pod itself can connect')
    expect(withoutId.stdout).toMatch(/^ URL {6}https:\/\/<pod-id>-7860\.proxy\.runpod\.net$/m)
    expect(withoutId.stdout).toContain('RUNPOD_POD_ID is not set')
  })

  it('prints the local URL on loopback', async () => {
    Object.assign(sandbox.env, { PARTFIELD_DEVICE: 'cpu', GRADIO_SERVER_PORT: '7861', RUNPOD_POD_ID: 'abc123xyz' })

    const result = await runScript('start.sh', ['--dry-run'], sandbox.env)

    expect(result.stdout).toMatch(/^ Local {4}http:\/\/127\.0\.0\.1:7861$/m)
    expect(result.stdout).toContain("(bound to 127.0.0.1: only the pod itself can connect, RunPod's proxy cannot;")
    expect(result.stdout).toContain('curl http://127.0.0.1:7861/health')
  })

  it('warns when the model is missing', async () => {
    sandbox.env.PARTFIELD_DEVICE = 'cpu'

    const result = await runScript('start.sh', ['--dry-run'], sandbox.env)

    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain('!! The PartField model is not installed: not installed yet')
    expect(result.stderr).toContain('the weight-free geometric backend')
    // No install ran, so there are no install messages to read.
    expect(result.stderr).toContain("!! To fix: run 'bash")
    expect(result.stderr).toContain('or unset PARTFIELD_AUTO_INSTALL')
    expect(result.stderr).not.toContain('messages above')
    expect(result.stdout).toMatch(/^ Backend {2}geometric only/m)
  })

  it('exits when the model is required', async () => {
    sandbox.env.PARTFIELD_DEVICE = 'cpu'
    sandbox.env.PARTFIELD_REQUIRE_MODEL = '1'

    const result = await runScript('start.sh', ['--dry-run'], sandbox.env)

    expect(result.code).toBe(1)
    expect(result.stderr).toContain('ERROR: the PartField model is unavailable')
  })

  it('warns about a model that does not load', async () => {
    sandbox.env.PARTFIELD_DEVICE = 'cpu'
    await install()
    const modelPath = await replaceModel('not really onnx')

    const result = await runScript('start.sh', ['--dry-run'], sandbox.env)

    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain(
      `!! The PartField model is not installed: model file ${modelPath} is not a usable model: it has 15 bytes, and an exported model has at least 100 (PARTFIELD_MIN_MODEL_BYTES)`,
    )
    expect(result.stderr).toContain('backend=auto get geometric features (each result says so)')
    expect(result.stdout).toMatch(/^ Backend {2}geometric only: the model at .* does not load \(it has 15 bytes/m)
  })

  it('loads the model to check it', async () => {
    sandbox.env.PARTFIELD_DEVICE = 'cpu'
    await install()
    const stored = await readFile(join(sandbox.root, 'models', 'partfield.onnx'))
    // Long enough and starting like ONNX, but cut off: only loading it shows the fault.
    const modelPath = await replaceModel(stored.subarray(0, 120))

    const result = await runScript('start.sh', ['--dry-run'], sandbox.env)
    const required = await runScript('start.sh', ['--dry-run'], { ...sandbox.env, PARTFIELD_REQUIRE_MODEL: '1' })

    expect(result.stderr).toContain(`model file ${modelPath} is not a usable model: Load model from ${modelPath} failed:Protobuf parsing failed.`)
    expect(result.stdout).toMatch(/^ Backend {2}geometric only/m)
    expect(required.code).toBe(1)
    expect(required.stderr).toContain('ERROR: the PartField model is unavailable: model file')
  })

  it('reinstalls a model that does not load', async () => {
    sandbox.env.PARTFIELD_DEVICE = 'cpu'
    await install()
    await replaceModel('not really onnx')
    delete sandbox.env.PARTFIELD_AUTO_INSTALL

    const result = await runScript('start.sh', ['--dry-run'], sandbox.env)

    expect(result.stdout).toContain('dry run: would run install.sh, because the PartField model: model file')
    expect(result.stdout).toContain('is not a usable model: it has 15 bytes')
  })

  it('asks for an install when a pin follows an unverified one', async () => {
    sandbox.env.PARTFIELD_DEVICE = 'cpu'
    await install()
    sandbox.env.PARTFIELD_CKPT_SHA256 = 'ab'.repeat(32)

    const result = await runScript('start.sh', ['--dry-run'], sandbox.env)

    expect(result.stderr).toContain(
      '!! The PartField model is not installed: the checkpoint was installed without verification, and a SHA-256 is now pinned (from environment)',
    )
  })

  it('lists its settings in --help', async () => {
    const start = await runScript('start.sh', ['--help'], sandbox.env)
    const install = await runScript('install.sh', ['--help'], sandbox.env)
    const sources = ['start.sh', 'common.sh', 'cuda-advice.sh'].map((name) => readFile(join(RUNPOD_DIR, name), 'utf8'))
    const read = new Set([...(await Promise.all(sources)).join('\n').matchAll(/\b(PARTFIELD_[A-Z0-9_]+)\b/g)].map((match) => match[1]))

    expect(start.code).toBe(0)
    for (const name of ['PARTFIELD_APP_DIR', 'PARTFIELD_NVIDIA_SMI', 'PARTFIELD_MODEL', 'PARTFIELD_MIN_MODEL_BYTES']) {
      expect(start.stdout, name).toContain(name)
    }
    // The rest, such as the checkpoint pin, are install.sh's settings, which start.sh passes on.
    for (const name of read) {
      expect(start.stdout + install.stdout, name).toContain(name)
    }
  })
})

describe.skipIf(!existsSync(DAEMON_ENTRY))('start.sh with the daemon', () => {
  // Skipped while daemon/src/server/main.ts does not exist: these tests run the real daemon.
  let sandbox: Sandbox
  let server: CheckpointServer | undefined

  beforeEach(async () => {
    sandbox = await createSandbox()
    Object.assign(sandbox.env, { GRADIO_SERVER_NAME: '127.0.0.1', GRADIO_SERVER_PORT: String(await freePort()), PARTFIELD_DEVICE: 'cpu' })
  })

  afterEach(async () => {
    await server?.close()
    server = undefined
    await sandbox.remove()
  })

  const base = () => `http://127.0.0.1:${sandbox.env.GRADIO_SERVER_PORT}`

  it('starts the daemon and keeps its token', async () => {
    Object.assign(sandbox.env, { PARTFIELD_AUTO_INSTALL: '0', PARTFIELD_JOB_TTL_HOURS: '0.5' })
    const tokenFile = join(sandbox.root, 'partfield', 'data', 'token')
    const daemon = await startDaemon(sandbox.env)
    try {
      const health = await waitForHealth(`${base()}/health`, daemon)
      const token = tokenFrom(daemon.stdout())
      expect(health.status).toBe(200)
      expect(await health.json()).toMatchObject({ status: 'ok', version: '0.1.0' })
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
      expect(daemon.stdout()).toContain(`generated a new token in ${tokenFile}`)
      expect((await readFile(tokenFile, 'utf8')).trim()).toBe(token)
      expect(statSync(tokenFile).mode & 0o777).toBe(0o600)

      const withoutToken = await fetch(`${base()}/v1/health`)
      const withToken = await fetch(`${base()}/v1/health`, { headers: { authorization: `Bearer ${token}` } })
      expect(withoutToken.status).toBe(401)
      expect(withToken.status).toBe(200)
      const details = (await withToken.json()) as { backend: string; model: { path: string; present: boolean; status: string } }
      expect(details.backend).toBe('geometric')
      expect(details.model).toMatchObject({ path: join(sandbox.root, 'models', 'partfield.onnx'), present: false, status: 'missing' })
      expect(existsSync(join(sandbox.root, 'partfield', 'data', 'jobs'))).toBe(true)
      // The daemon logs the lifetime it was given, which proves the variable reached it.
      expect(daemon.stdout()).toMatch(/"ttlHours":0\.5[,}]/)
    } finally {
      await daemon.stop()
    }

    const again = await runScript('start.sh', ['--dry-run'], sandbox.env)
    expect(tokenFrom(again.stdout)).toBe((await readFile(tokenFile, 'utf8')).trim())
    expect(again.stdout).not.toContain('generated a new token')
  })

  it('installs on first start', async () => {
    server = await startCheckpointServer({ body: CHECKPOINT_BODY })
    sandbox.env.PARTFIELD_CKPT_URL = server.url
    sandbox.env.PARTFIELD_TOKEN = 'test-token-0123456789'
    const modelPath = join(sandbox.root, 'models', 'partfield.onnx')

    const daemon = await startDaemon(sandbox.env)
    try {
      await waitForHealth(`${base()}/health`, daemon)
      expect(daemon.stdout()).toContain('running install.sh')
      expect(daemon.stdout()).toContain('[partfield install] install complete')
      expect(daemon.stdout()).toContain(`Backend  partfield (model ${modelPath})`)
      // The stand-in model has the encoder's signature, so the daemon loads it as PartField.
      const health = await waitForDevice(base(), 'test-token-0123456789')
      expect(health).toMatchObject({ backend: 'partfield', model: { path: modelPath, status: 'loaded', error: null } })
    } finally {
      await daemon.stop()
    }

    const second = await runScript('start.sh', ['--dry-run'], sandbox.env)
    expect(second.stdout).not.toContain('install.sh')
    expect(second.stdout).toMatch(/PartField model: installed \d{4}-\d\d-\d\dT/)
    expect(server.requests.filter((request) => request.method === 'GET')).toHaveLength(1)
  })

  it('starts despite a failed install', async () => {
    server = await startCheckpointServer({ body: new Uint8Array(16), status: 404 })
    sandbox.env.PARTFIELD_CKPT_URL = server.url

    const daemon = await startDaemon(sandbox.env)
    try {
      await waitForHealth(`${base()}/health`, daemon)
      expect(daemon.output()).toContain('checkpoint not found (HTTP 404)')
      expect(daemon.output()).toContain('!! The PartField model is not installed: install.sh failed')
      expect(daemon.output()).toContain("!! To fix: read install.sh's messages above")
      expect(daemon.stdout()).toMatch(/^ Backend {2}geometric only/m)
    } finally {
      await daemon.stop()
    }
  })
})

interface RunningDaemon {
  child: ChildProcess
  stdout(): string
  output(): string
  stop(): Promise<void>
}

async function startDaemon(env: Record<string, string>): Promise<RunningDaemon> {
  const child = spawn('bash', [join(RUNPOD_DIR, 'start.sh')], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))

  return {
    child,
    stdout: () => stdout,
    output: () => `${stdout}\n${stderr}`,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
        await exited
        clearTimeout(timer)
      }
    },
  }
}

async function waitForHealth(url: string, daemon: RunningDaemon): Promise<Response> {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (daemon.child.exitCode !== null) {
      throw new Error(`start.sh exited with ${daemon.child.exitCode} before /health answered:\n${daemon.output()}`)
    }
    try {
      return await fetch(url)
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
  throw new Error(`/health did not answer within 60 s:\n${daemon.output()}`)
}

/** Polls /v1/health until the daemon's worker has loaded the default backend and named a device. */
async function waitForDevice(base: string, token: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 60_000
  for (;;) {
    const response = await fetch(`${base}/v1/health`, { headers: { authorization: `Bearer ${token}` } })
    const health = (await response.json()) as Record<string, unknown>
    if (health.device !== null) return health
    if (Date.now() > deadline) throw new Error(`no device after 60 s: ${JSON.stringify(health)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}
