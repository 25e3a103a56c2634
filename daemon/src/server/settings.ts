/**
 * Daemon settings from command-line flags and environment variables; flags win. Invalid values
 * stop the daemon at startup with a message naming the flag and the allowed range.
 */
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

import { DEFAULT_MAX_FACES } from '../mesh/mesh-data.js'

export interface Settings {
  host: string
  port: number
  dataDir: string
  /** Token from PARTFIELD_TOKEN; when unset and the bind is not loopback, one is generated. */
  token: string | undefined
  maxUploadBytes: number
  /** Largest input in triangles after triangulation (points for a point cloud); see work-limit.ts. */
  maxFaces: number
  /** Jobs that may wait; the next one gets 429. */
  maxQueued: number
  /** Jobs computing at once on the device. */
  concurrency: number
  ttlMs: number
  cleanupIntervalMs: number
  /** Uploads are rejected with 507 when the data folder's disk has less free space than this. */
  minFreeBytes: number
  modelPath: string
  /** Origins besides the daemon's own page that may call the API from a browser. */
  corsOrigins: string[]
  logLevel: string
  /** Folder of the built web page served at `/`. */
  webDir: string
  /** Load the default backend at startup (off in tests that never run a job). */
  warmUp: boolean
  help: boolean
}

/** Error for an invalid flag or variable; main prints it with the usage text. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError'
}

const MB = 1024 * 1024
const HOUR_MS = 3600 * 1000
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))

export const USAGE = `Usage: npm start -- [options]

Starts the partfield-bridge daemon (HTTP API under /v1, web page at /).

Options (environment variable in brackets; flags win):
  --host NAME            address to bind [PARTFIELD_HOST, GRADIO_SERVER_NAME] (127.0.0.1)
  --port N               TCP port, 0 picks a free one [PARTFIELD_PORT, GRADIO_SERVER_PORT] (7860)
  --data-dir DIR         jobs, results and the generated token [PARTFIELD_DATA_DIR] (./data)
  --model FILE           PartField ONNX model [PARTFIELD_MODEL] (models/partfield.onnx)
  --max-upload-mb N      largest request body in MB [PARTFIELD_MAX_UPLOAD_MB] (100)
  --max-faces N          largest mesh in triangles after triangulation, or points of a point
                         cloud; larger ones get 413 [PARTFIELD_MAX_FACES] (2000000)
  --max-queue N          jobs allowed to wait; more get 429 [PARTFIELD_MAX_QUEUE] (16)
  --jobs-per-device N    jobs computing at once [PARTFIELD_JOBS_PER_DEVICE] (1)
  --ttl-hours N          hours finished jobs are kept [PARTFIELD_JOB_TTL_HOURS] (24)
  --min-free-mb N        free disk space uploads must leave [PARTFIELD_MIN_FREE_MB] (1024)
  --cors-origin URL      extra browser origin allowed to call the API, repeatable [PARTFIELD_CORS_ORIGINS, comma-separated]
  --log-level LEVEL      trace, debug, info, warn or error [LOG_LEVEL] (info)
  --no-warm-up           do not load the model at startup [PARTFIELD_WARM_UP=0]
  -h, --help             print this help

The access token comes from PARTFIELD_TOKEN only (never a flag, so it stays out of process
listings). Without it, a daemon bound to a non-loopback address generates one, stores it in
DATA_DIR/token and prints it at startup.`

const OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  'data-dir': { type: 'string' },
  model: { type: 'string' },
  'max-upload-mb': { type: 'string' },
  'max-faces': { type: 'string' },
  'max-queue': { type: 'string' },
  'jobs-per-device': { type: 'string' },
  'ttl-hours': { type: 'string' },
  'min-free-mb': { type: 'string' },
  'cors-origin': { type: 'string', multiple: true },
  'log-level': { type: 'string' },
  'no-warm-up': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

export function parseSettings(argv: string[], env: NodeJS.ProcessEnv): Settings {
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values']
  try {
    values = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values
  } catch (error) {
    throw new SettingsError((error as Error).message)
  }
  const pick = (flag: keyof typeof OPTIONS, ...names: string[]): string | undefined => {
    const fromFlag = values[flag]
    if (typeof fromFlag === 'string') return fromFlag
    return names.map((name) => env[name]).find((value) => value !== undefined && value !== '')
  }

  const corsFromEnv = (env.PARTFIELD_CORS_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean)
  return {
    host: pick('host', 'PARTFIELD_HOST', 'GRADIO_SERVER_NAME') ?? '127.0.0.1',
    port: number('--port', pick('port', 'PARTFIELD_PORT', 'GRADIO_SERVER_PORT'), 7860, 0, 65535, true),
    dataDir: resolve(pick('data-dir', 'PARTFIELD_DATA_DIR') ?? 'data'),
    token: env.PARTFIELD_TOKEN || undefined,
    maxUploadBytes: Math.round(number('--max-upload-mb', pick('max-upload-mb', 'PARTFIELD_MAX_UPLOAD_MB'), 100, 0.001, 100_000) * MB),
    maxFaces: number('--max-faces', pick('max-faces', 'PARTFIELD_MAX_FACES'), DEFAULT_MAX_FACES, 1, 1e9, true),
    maxQueued: number('--max-queue', pick('max-queue', 'PARTFIELD_MAX_QUEUE'), 16, 0, 100_000, true),
    concurrency: number('--jobs-per-device', pick('jobs-per-device', 'PARTFIELD_JOBS_PER_DEVICE'), 1, 1, 64, true),
    ttlMs: number('--ttl-hours', pick('ttl-hours', 'PARTFIELD_JOB_TTL_HOURS'), 24, 0.0001, 24 * 365) * HOUR_MS,
    cleanupIntervalMs: 10 * 60 * 1000,
    minFreeBytes: Math.round(number('--min-free-mb', pick('min-free-mb', 'PARTFIELD_MIN_FREE_MB'), 1024, 0, 1e9) * MB),
    modelPath: resolve(pick('model', 'PARTFIELD_MODEL') ?? resolve(REPO_ROOT, 'models/partfield.onnx')),
    corsOrigins: [...corsFromEnv, ...(values['cors-origin'] ?? [])].map((origin) => checkOrigin(origin)),
    logLevel: checkLevel(pick('log-level', 'LOG_LEVEL') ?? 'info'),
    webDir: resolve(env.PARTFIELD_WEB_DIR || resolve(REPO_ROOT, 'daemon/web/dist')),
    warmUp: !values['no-warm-up'] && env.PARTFIELD_WARM_UP !== '0',
    help: values.help === true,
  }
}

function number(flag: string, raw: string | undefined, fallback: number, min: number, max: number, integer = false): number {
  if (raw === undefined) return fallback
  const value = Number(raw)
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    const kind = integer ? 'an integer' : 'a number'
    throw new SettingsError(`invalid ${flag}: ${JSON.stringify(raw)}; expected ${kind} from ${min} to ${max}`)
  }
  return value
}

function checkOrigin(origin: string): string {
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    throw new SettingsError(`invalid --cors-origin: ${JSON.stringify(origin)}; expected an origin such as https://example.com`)
  }
  if (url.origin === 'null' || url.pathname !== '/' || url.search !== '') {
    throw new SettingsError(`invalid --cors-origin: ${JSON.stringify(origin)}; expected scheme, host and port only`)
  }
  return url.origin
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']

function checkLevel(level: string): string {
  if (!LEVELS.includes(level)) {
    throw new SettingsError(`invalid --log-level: ${JSON.stringify(level)}; expected one of ${LEVELS.join(', ')}`)
  }
  return level
}
