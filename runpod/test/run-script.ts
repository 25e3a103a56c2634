/**
 * Runs the RunPod shell scripts in a throw-away root folder, with the stub nvidia-smi and the
 * fake exporter on PATH, and the caller's settings in place of anything inherited from the
 * machine that runs the tests.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const RUNPOD_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const APP_DIR = dirname(RUNPOD_DIR)
export const STUB_BIN = join(RUNPOD_DIR, 'test', 'bin')
/** The model test/bin/fake-export writes: the PartField encoder's signature and nothing else. */
export const STAND_IN_MODEL = join(RUNPOD_DIR, 'test', 'fixtures', 'stand-in-encoder.onnx')

export interface ScriptResult {
  code: number | null
  stdout: string
  stderr: string
}

export interface Sandbox {
  root: string
  env: Record<string, string>
  remove(): Promise<void>
}

// Settings that would leak from the test machine into the scripts and change what they do.
const INHERITED_PREFIXES = ['PARTFIELD_', 'GRADIO_', 'RUNPOD_', 'STUB_', 'FAKE_EXPORT_']
const INHERITED_NAMES = new Set(['PUBLIC_KEY', 'HF_TOKEN'])

/** Creates an empty PARTFIELD_ROOT and the environment that points the scripts at it. */
export async function createSandbox(): Promise<Sandbox> {
  const root = await mkdtemp(join(tmpdir(), 'partfield-runpod-'))
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(process.env)) {
    const inherited = INHERITED_PREFIXES.some((prefix) => name.startsWith(prefix)) || INHERITED_NAMES.has(name)
    if (value !== undefined && !inherited) {
      env[name] = value
    }
  }

  env.PATH = `${STUB_BIN}:${process.env.PATH ?? '/usr/bin:/bin'}`
  env.PARTFIELD_ROOT = root
  env.PARTFIELD_APP_DIR = APP_DIR
  env.PARTFIELD_EXPORT_CMD = join(STUB_BIN, 'fake-export')
  env.FAKE_EXPORT_LOG = join(root, 'fake-export.log')
  env.PARTFIELD_RETRY_DELAY_S = '0'
  env.PARTFIELD_INSTALL_MIN_FREE_MB = '1'
  // The stand-in model the fake exporter writes has 152 bytes, not the real export's 430 MB.
  env.PARTFIELD_MIN_MODEL_BYTES = '100'
  return { root, env, remove: () => rm(root, { recursive: true, force: true }) }
}

/** Runs `bash SCRIPT ARGS` and collects its output, killing it after timeoutMs. */
export function runScript(
  script: string,
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<ScriptResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', [join(RUNPOD_DIR, script), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))

    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolvePromise({ code, stdout, stderr })
    })
  })
}
