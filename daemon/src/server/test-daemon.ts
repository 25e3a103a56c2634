/** Starts the real daemon (`node --import tsx main.ts`) on a free loopback port for tests. */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url))
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const START_TIMEOUT_MS = 60_000

export interface TestDaemon {
  url: string
  port: number
  dataDir: string
  child: ChildProcess
  /** Every log line so far, parsed (pino JSON) or as text. */
  logs: Array<Record<string, unknown>>
  stderr: string[]
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>
  /** SIGKILL (a crash) and wait for exit. */
  kill(): Promise<void>
}

export interface StartOptions {
  dataDir?: string
  args?: string[]
  env?: Record<string, string>
}

export async function startDaemon(options: StartOptions = {}): Promise<TestDaemon> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'partfield-daemon-')))
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Tests use the weight-free backend even on a machine that has the PartField model.
    PARTFIELD_MODEL: join(dataDir, 'no-model.onnx'),
    PARTFIELD_TOKEN: '',
    LOG_LEVEL: 'info',
    ...options.env,
  }
  const args = ['--import', 'tsx', MAIN, '--port', '0', '--data-dir', dataDir, ...(options.args ?? [])]
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  const logs: Array<Record<string, unknown>> = []
  const stderr: string[] = []
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`daemon did not start within ${START_TIMEOUT_MS} ms: ${stderr.join('')}`)), START_TIMEOUT_MS)
    let buffered = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8')
      const lines = buffered.split('\n')
      buffered = lines.pop()!
      for (const line of lines) {
        const entry = parseLine(line)
        logs.push(entry)
        if (entry.msg === 'daemon listening') {
          clearTimeout(timer)
          resolve(entry.port as number)
        }
      }
    })
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')))
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`daemon exited with code ${code} before listening: ${stderr.join('')}`))
    })
  })

  const stopWith = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    await exited
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    child,
    logs,
    stderr,
    stop: () => stopWith('SIGTERM'),
    kill: () => stopWith('SIGKILL'),
  }
}

function parseLine(line: string): Record<string, unknown> {
  try {
    return JSON.parse(line) as Record<string, unknown>
  } catch {
    return { text: line }
  }
}
