/**
 * `npm start`: the partfield-bridge daemon. Reads settings, restores jobs from the data folder,
 * starts the compute workers and serves the HTTP API until SIGINT or SIGTERM.
 */
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'

import { serve } from '@hono/node-server'
import { pino, type Logger } from 'pino'

import { JobManager } from '../jobs/job-manager.js'
import { JobStore } from '../jobs/job-store.js'
import { createApp } from './app.js'
import { isLoopbackHost, resolveToken } from './auth.js'
import { DataDirLockedError, lockDataDir, type DataDirLock } from './data-dir-lock.js'
import { freeBytes } from './disk-guard.js'
import type { ServerContext } from './server-context.js'
import { parseSettings, SettingsError, USAGE, type Settings } from './settings.js'
import { listPageFiles } from './static-page.js'

const MB = 1024 * 1024
const HOUR_MS = 3600 * 1000

async function main(): Promise<void> {
  const settings = parseSettings(process.argv.slice(2), process.env)
  if (settings.help) {
    process.stdout.write(`${USAGE}\n`)
    return
  }

  const logger = pino({ level: settings.logLevel, base: { service: 'partfield-bridge' } })
  await mkdir(settings.dataDir, { recursive: true })
  const lock = await lockDataDir(settings.dataDir)
  process.once('exit', () => lock.release())
  logTakeOver(logger, lock)
  const { token, source, file } = await resolveToken(settings.token, settings.host, settings.dataDir)
  const manager = new JobManager({
    store: new JobStore(join(settings.dataDir, 'jobs')),
    logger,
    concurrency: settings.concurrency,
    maxQueued: settings.maxQueued,
    ttlMs: settings.ttlMs,
    modelPath: settings.modelPath,
    maxFaces: settings.maxFaces,
  })
  await manager.restore(await manager.store.scan())
  await manager.sweepExpired()

  const context: ServerContext = {
    settings,
    manager,
    logger,
    version: await packageVersion(),
    authRequired: token !== undefined,
    startedAt: Date.now(),
  }
  const app = createApp(context, { token, tokenSource: source, pageFiles: await listPageFiles(settings.webDir) })
  const server = serve({ fetch: app.fetch, hostname: settings.host, port: settings.port }, (info) => {
    void logStart(logger, settings, info.port, source, file)
    // The JSON log buries the port chosen for --port 0, so people also get one plain line.
    process.stderr.write(`partfield-bridge listening on ${baseUrl(settings.host, info.port)}/ (web page and /v1 API)\n`)
    if (source === 'generated' || source === 'file') printToken(token!, file!)
  })
  server.on('error', (error) => {
    logger.fatal({ error: error.message, host: settings.host, port: settings.port }, 'cannot listen')
    process.exit(1)
  })

  if (settings.warmUp) warmUp(manager, logger)
  const sweep = setInterval(() => void manager.sweepExpired().catch((error: Error) =>
    logger.error({ error: error.message }, 'expiry sweep failed')), settings.cleanupIntervalMs)
  sweep.unref()

  const stop = (signal: string) => {
    logger.info({ signal }, 'stopping; queued and running jobs resume at the next start')
    clearInterval(sweep)
    server.close()
    void manager.shutdown().finally(() => process.exit(0))
  }
  process.once('SIGINT', () => stop('SIGINT'))
  process.once('SIGTERM', () => stop('SIGTERM'))
}

function warmUp(manager: JobManager, logger: Logger): void {
  const start = performance.now()
  manager.warmUp().then(
    () => logger.info({ backend: manager.defaultBackend, device: manager.device, ms: Math.round(performance.now() - start) }, 'backend loaded'),
    (error: Error) => logger.error({ error: error.message }, 'could not load the default backend; jobs will report the error'),
  )
}

async function logStart(logger: Logger, settings: Settings, port: number, source: string, file: string | undefined): Promise<void> {
  const free = await freeBytes(settings.dataDir).catch(() => NaN)
  logger.info({
    host: settings.host,
    port,
    url: baseUrl(settings.host, port),
    dataDir: settings.dataDir,
    auth: source === 'none' ? 'off (loopback only)' : `bearer token from ${source === 'env' ? 'PARTFIELD_TOKEN' : file}`,
    loopback: isLoopbackHost(settings.host),
    model: settings.modelPath,
    concurrency: settings.concurrency,
    maxQueued: settings.maxQueued,
    maxUploadMb: settings.maxUploadBytes / MB,
    maxTriangles: settings.maxFaces,
    ttlHours: settings.ttlMs / HOUR_MS,
    freeDiskMb: Math.floor(free / MB),
  }, 'daemon listening')
}

function logTakeOver(logger: Logger, lock: DataDirLock): void {
  const previous = lock.takenOverFrom
  if (!previous) return
  logger.warn({ lock: lock.path, previousPid: previous.pid, previousStartedAt: previous.startedAt },
    'took over the data folder lock of a daemon that is no longer running')
}

function baseUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`
}

/** Prints the token to stderr as plain text, so it never lands in the structured log. */
function printToken(token: string, file: string): void {
  process.stderr.write(`\nAccess token (stored in ${file}):\n  ${token}\nSend it as: Authorization: Bearer <token>\n\n`)
}

async function packageVersion(): Promise<string> {
  const text = await readFile(new URL('../../../package.json', import.meta.url), 'utf8')
  return (JSON.parse(text) as { version: string }).version
}

main().catch((error: unknown) => {
  if (error instanceof SettingsError) {
    process.stderr.write(`error: ${error.message}\n\n${USAGE}\n`)
    process.exitCode = 2
    return
  }
  if (error instanceof DataDirLockedError) {
    process.stderr.write(`error: ${error.message}\n`)
    process.exitCode = 1
    return
  }
  process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exitCode = 1
})
