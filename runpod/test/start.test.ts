import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { startCheckpointServer, type CheckpointServer } from './checkpoint-server.js'
import { APP_DIR, RUNPOD_DIR, createSandbox, runScript, type Sandbox } from './run-script.js'

const DAEMON_ENTRY = join(APP_DIR, 'daemon', 'src', 'server', 'main.ts')
const TOKEN_PATTERN = /^ Token {4}(\S+)$/m

function tokenFrom(stdout: string): string | undefined {
  return TOKEN_PATTERN.exec(stdout)?.[1]
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

  it('falls back to the CPU loudly', async () => {
    // The stub reports an L4, but onnxruntime's CUDA provider libraries are not installed here.
    const result = await runScript('start.sh', ['--dry-run'], sandbox.env)

    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain('GPU (name, memory total, memory used, driver): NVIDIA L4, 23034 MiB, 1 MiB, 550.54.15')
    expect(result.stderr).toContain('!! NO GPU: running on the CPU.')
    expect(result.stderr).toContain("!! Why: onnxruntime's CUDA execution provider did not start")
    expect(result.stdout).toMatch(/^ Device {3}cpu$/m)
  })

  it('reports a failing nvidia-smi', async () => {
    sandbox.env.STUB_NVIDIA_SMI = 'failing'

    const result = await runScript('start.sh', ['--dry-run'], sandbox.env)

    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain("!! Why: nvidia-smi failed: NVIDIA-SMI has failed because it couldn't communicate")
    expect(result.stdout).toMatch(/^ Device {3}cpu$/m)
  })

  it('reports a missing nvidia-smi', async () => {
    sandbox.env.PARTFIELD_NVIDIA_SMI = 'nvidia-smi-not-installed'

    const result = await runScript('start.sh', ['--dry-run'], sandbox.env)

    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain('!! Why: nvidia-smi was not found')
  })

  it('refuses the CPU when cuda is required', async () => {
    sandbox.env.PARTFIELD_DEVICE = 'cuda'

    const result = await runScript('start.sh', ['--dry-run'], sandbox.env)

    expect(result.code).toBe(1)
    expect(result.stderr).toContain('ERROR: PARTFIELD_DEVICE=cuda but the GPU is unusable')
    expect(result.stderr).toContain('What to do: deploy on a GPU pod')
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

  it('keeps the generated token', async () => {
    sandbox.env.PARTFIELD_DEVICE = 'cpu'
    const tokenFile = join(sandbox.root, 'partfield', 'data', 'token')

    const first = await runScript('start.sh', ['--dry-run'], sandbox.env)
    const second = await runScript('start.sh', ['--dry-run'], sandbox.env)

    const token = tokenFrom(first.stdout)
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(first.stdout).toContain(`generated a new token in ${tokenFile}`)
    expect(tokenFrom(second.stdout)).toBe(token)
    expect(second.stdout).not.toContain('generated a new token')
    expect((await readFile(tokenFile, 'utf8')).trim()).toBe(token)
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600)
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
    sandbox.env.RUNPOD_POD_ID = 'abc123xyz'

    const withId = await runScript('start.sh', ['--dry-run'], sandbox.env)
    delete sandbox.env.RUNPOD_POD_ID
    const withoutId = await runScript('start.sh', ['--dry-run'], sandbox.env)

    expect(withId.stdout).toMatch(/^ URL {6}https:\/\/abc123xyz-7860\.proxy\.runpod\.net$/m)
    expect(withId.stdout).toContain('curl https://abc123xyz-7860.proxy.runpod.net/health')
    expect(withoutId.stdout).toMatch(/^ URL {6}https:\/\/<pod-id>-7860\.proxy\.runpod\.net$/m)
    expect(withoutId.stdout).toContain('RUNPOD_POD_ID is not set')
  })

  it('warns when the model is missing', async () => {
    sandbox.env.PARTFIELD_DEVICE = 'cpu'

    const result = await runScript('start.sh', ['--dry-run'], sandbox.env)

    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain('!! The PartField model is not installed: not installed yet')
    expect(result.stderr).toContain('the weight-free geometric backend')
    expect(result.stdout).toMatch(/^ Backend {2}geometric only/m)
  })

  it('exits when the model is required', async () => {
    sandbox.env.PARTFIELD_DEVICE = 'cpu'
    sandbox.env.PARTFIELD_REQUIRE_MODEL = '1'

    const result = await runScript('start.sh', ['--dry-run'], sandbox.env)

    expect(result.code).toBe(1)
    expect(result.stderr).toContain('ERROR: the PartField model is unavailable')
  })

  it('installs on first start', async () => {
    const body = new TextEncoder().encode('fake checkpoint for start.sh\n'.repeat(1000))
    server = await startCheckpointServer({ body })
    sandbox.env.PARTFIELD_CKPT_URL = server.url
    sandbox.env.PARTFIELD_DEVICE = 'cpu'
    delete sandbox.env.PARTFIELD_AUTO_INSTALL

    const first = await runScript('start.sh', ['--dry-run'], sandbox.env)
    const second = await runScript('start.sh', ['--dry-run'], sandbox.env)

    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toContain('running install.sh')
    expect(first.stdout).toContain('[partfield install] install complete')
    const modelPath = join(sandbox.root, 'models', 'partfield.onnx')
    expect(first.stdout).toContain(`Backend  partfield (model ${modelPath})`)
    expect(second.stdout).not.toContain('running install.sh')
    expect(second.stdout).toMatch(/PartField model: installed \d{4}-\d\d-\d\dT/)
    expect(server.requests.filter((request) => request.method === 'GET')).toHaveLength(1)
  })

  it('starts despite a failed install', async () => {
    server = await startCheckpointServer({ body: new Uint8Array(16), status: 404 })
    sandbox.env.PARTFIELD_CKPT_URL = server.url
    sandbox.env.PARTFIELD_DEVICE = 'cpu'
    delete sandbox.env.PARTFIELD_AUTO_INSTALL

    const result = await runScript('start.sh', ['--dry-run'], sandbox.env)

    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain('checkpoint not found (HTTP 404)')
    expect(result.stderr).toContain('!! The PartField model is not installed: install.sh failed')
    expect(result.stdout).toContain('dry run: would start')
  })

  it.skipIf(!existsSync(DAEMON_ENTRY))('starts the daemon', async () => {
    // Skipped while daemon/src/server/main.ts does not exist: this test runs the real daemon.
    sandbox.env.PARTFIELD_DEVICE = 'cpu'
    sandbox.env.GRADIO_SERVER_PORT = String(await freePort())
    const daemon = await startDaemon(sandbox.env)
    try {
      const base = `http://127.0.0.1:${sandbox.env.GRADIO_SERVER_PORT}`
      const health = await waitForHealth(`${base}/health`, daemon)
      const token = tokenFrom(daemon.stdout())
      expect(health.status).toBe(200)
      expect(await health.json()).toMatchObject({ status: 'ok', version: '0.1.0' })
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)

      const withoutToken = await fetch(`${base}/v1/health`)
      const withToken = await fetch(`${base}/v1/health`, { headers: { authorization: `Bearer ${token}` } })
      expect(withoutToken.status).toBe(401)
      expect(withToken.status).toBe(200)
      const details = (await withToken.json()) as { backend: string; model: { path: string; present: boolean } }
      expect(details.backend).toBe('geometric')
      expect(details.model).toMatchObject({ path: join(sandbox.root, 'models', 'partfield.onnx'), present: false })
      expect(existsSync(join(sandbox.root, 'partfield', 'data', 'jobs'))).toBe(true)
    } finally {
      await daemon.stop()
    }
  })
})

describe.skipIf(!existsSync(DAEMON_ENTRY))('start.sh with the daemon', () => {
  it('passes the job lifetime', async () => {
    const sandbox = await createSandbox()
    try {
      // An invalid value makes the daemon itself stop with its own message, which proves the
      // variable reached it.
      Object.assign(sandbox.env, { GRADIO_SERVER_NAME: '127.0.0.1', GRADIO_SERVER_PORT: String(await freePort()) })
      Object.assign(sandbox.env, { PARTFIELD_AUTO_INSTALL: '0', PARTFIELD_DEVICE: 'cpu', PARTFIELD_JOB_TTL_HOURS: 'soon' })

      const result = await runScript('start.sh', [], sandbox.env)

      expect(result.code).toBe(2)
      expect(result.stdout).toContain('deleted soon h after they finish')
      expect(result.stderr).toContain('error: invalid --ttl-hours: "soon"')
    } finally {
      await sandbox.remove()
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
