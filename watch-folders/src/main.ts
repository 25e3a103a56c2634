/**
 * `npm run watch`: watches folders and segments every mesh dropped into their incoming/, in this
 * process or on a daemon. Runs until SIGINT or SIGTERM; jobs running then resume at the next start.
 */
import { pino, type Logger } from 'pino'

import { ConfigError, loadConfig, USAGE, type WatchConfig } from './config.js'
import { folderLayout, FolderMissingError } from './folder-layout.js'
import { FolderLockedError } from './folder-lock.js'
import { FolderWatcher } from './folder-watcher.js'
import { HttpProcessor } from './http-processor.js'
import { InProcessProcessor } from './in-process-processor.js'
import { JobQueue } from './job-queue.js'
import type { Processor } from './processor.js'
import { RunTotals } from './totals.js'

async function main(): Promise<void> {
  const config = await loadConfig(process.argv.slice(2), process.env)
  if (config.help) {
    process.stdout.write(`${USAGE}\n`)
    return
  }

  const logger = pino({ level: config.logLevel, base: { service: 'partfield-watch' } })
  const processor = await createProcessor(config, logger)
  const stop = new AbortController()
  const queue = new JobQueue(config.concurrency)
  const totals = new RunTotals()
  const watchers = config.folders.map((folder) => new FolderWatcher({
    layout: folderLayout(folder.path),
    params: folder.params,
    formats: folder.formats,
    processor,
    logger,
    totals,
    signal: stop.signal,
  }, folder.timing, queue))

  // Every folder is checked and locked before any job starts, so a missing folder or one that
  // another watcher holds stops this one before it touches anything.
  try {
    for (const [i, watcher] of watchers.entries()) await watcher.lock({ create: config.folders[i].create })
  } catch (error) {
    await Promise.all(watchers.map((watcher) => watcher.release()))
    throw error
  }
  for (const watcher of watchers) await watcher.start()
  logger.info({ folders: config.folders.map((folder) => folder.path), processor: processor.description, concurrency: config.concurrency },
    `watching ${watchers.length} folder(s)`)

  const shutDown = (signal: string) => {
    logger.info({ signal, running: queue.running, waiting: queue.waiting }, 'stopping; running jobs resume at the next start')
    stop.abort(new Error(`stopped by ${signal}`))
    void Promise.all(watchers.map((watcher) => watcher.stop()))
      .then(() => queue.idle())
      .then(() => Promise.all(watchers.map((watcher) => watcher.release())))
      .then(() => processor.close())
      .then(() => {
        logger.info({ totals: totals.snapshot() }, 'stopped')
        process.exit(0)
      })
  }
  process.once('SIGINT', () => shutDown('SIGINT'))
  process.once('SIGTERM', () => shutDown('SIGTERM'))
}

/** In-process unless a daemon URL is given; a daemon is checked once so a bad URL or token stops at once. */
async function createProcessor(config: WatchConfig, logger: Logger): Promise<Processor> {
  if (!config.daemon) return new InProcessProcessor({ maxFaces: config.maxFaces })

  const processor = new HttpProcessor({ url: config.daemon.url, token: config.daemon.token, logger })
  try {
    await processor.checkConnection()
  } catch (error) {
    const status = (error as { status?: number }).status
    if (status === 401) throw new ConfigError(tokenProblem(config.daemon))
    // An unreachable daemon is not fatal, because files wait in processing/ until it responds.
    logger.warn({ daemon: config.daemon.url, error: (error as Error).message }, 'daemon not reachable; files wait in processing/ until it responds')
  }
  return processor
}

function tokenProblem(daemon: { url: string; token?: string }): string {
  if (!daemon.token) return `the daemon at ${daemon.url} requires a token; pass --token or set PARTFIELD_TOKEN`
  return `the daemon at ${daemon.url} rejected the token; pass the right one with --token or PARTFIELD_TOKEN`
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof FolderLockedError || error instanceof FolderMissingError) {
    process.stderr.write(`error: ${error.message}\nRun \`npm run watch -- --help\` for usage.\n`)
    process.exitCode = 2
    return
  }
  process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exitCode = 1
})
