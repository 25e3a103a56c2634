/** Starts the real watcher (`node --import tsx main.ts`) as a child process for tests. */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url))
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))

export interface TestWatcher {
  child: ChildProcess
  /** Every log line so far, parsed (pino JSON) or as text. */
  logs: Array<Record<string, unknown>>
  stderr: string[]
  /** Resolves with the exit code (null after a signal). */
  exited: Promise<number | null>
  /** Log lines whose message starts with `prefix`. */
  messages(prefix: string): Array<Record<string, unknown>>
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>
  /** SIGKILL (a crash) and wait for exit. */
  kill(): Promise<void>
}

/** Spawns the watcher with `args`, using the weight-free backend, and waits for its first "watching N folder(s)". */
export async function startWatcher(args: string[], env: Record<string, string> = {}): Promise<TestWatcher> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, PARTFIELD_MODEL: '/nonexistent/partfield.onnx', PARTFIELD_TOKEN: '', LOG_LEVEL: 'debug', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const logs: Array<Record<string, unknown>> = []
  const stderr: string[] = []
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  let buffered = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8')
    const lines = buffered.split('\n')
    buffered = lines.pop()!
    for (const line of lines) logs.push(parseLine(line))
  })
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')))

  const watcher: TestWatcher = {
    child,
    logs,
    stderr,
    exited,
    messages: (prefix) => logs.filter((entry) => typeof entry.msg === 'string' && entry.msg.startsWith(prefix)),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      await exited
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
    },
  }
  const started = await Promise.race([
    waitFor(() => watcher.messages('watching ').some((entry) => /folder/.test(String(entry.msg))), 60_000).then(() => true),
    exited.then(() => false),
  ])
  if (!started) throw new Error(`watcher exited with code ${child.exitCode} before watching: ${stderr.join('')}`)
  return watcher
}

/** Polls `check` every 50 ms until it returns true; throws after `timeoutMs`. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 60_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const temporaryFolders: string[] = []

/** Creates a folder under the system's temporary folder that removeTempFolders deletes. */
export async function tempFolder(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  temporaryFolders.push(dir)
  return dir
}

/** Deletes every folder tempFolder created; call it after the watchers using them stopped. */
export async function removeTempFolders(): Promise<void> {
  await Promise.all(temporaryFolders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
}

/** Lists a folder's entries, or [] when it does not exist. */
export async function list(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort()
  } catch {
    return []
  }
}

/** Lists every file under `dir`, relative paths, sorted. */
export async function listTree(dir: string): Promise<string[]> {
  const files: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) files.push(join(entry.parentPath, entry.name).slice(dir.length + 1))
  }
  return files.sort()
}

function parseLine(line: string): Record<string, unknown> {
  try {
    return JSON.parse(line) as Record<string, unknown>
  } catch {
    return { text: line }
  }
}
