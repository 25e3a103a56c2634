/**
 * The watcher's settings from the command line and an optional JSON config file. Everything is
 * checked at startup, so a typo stops the watcher with a message instead of misbehaving later.
 */
import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'

import { DEFAULT_MAX_FACES } from '../../daemon/src/mesh/mesh-data.js'
import { EXPORT_FORMATS, type ExportFormat } from '../../daemon/src/export/write-exports.js'
import { parseParams } from '../../protocol/src/params.js'
import type { FolderTiming } from './folder-watcher.js'

export const USAGE = `Usage: npm run watch -- <folder>... [options]
       npm run watch -- --config watch.json [options]

Watches each folder's incoming/ subfolder and segments every mesh file (.obj, .glb, .gltf, .ply,
.off) dropped there. Results go to done/<name>/ (parts GLB and PLY, labels.json, PCA view and the
original), files that cannot be processed to failed/<name>/ with an error.txt. Parameters come
from the folder's partfield.json and from a sidecar <file>.partfield.json, e.g. {"n_clusters": 8}.

Options:
  --daemon URL              send files to this partfield-bridge daemon instead of processing
                            them in this process
  --token TOKEN             the daemon's access token [PARTFIELD_TOKEN]
  --config FILE             JSON file listing folders with their own settings (see below)
  --concurrency N           files processed at once over all folders (1)
  --stable-seconds S        how long a file must stay unchanged before it is read (2)
  --companion-timeout S     how long a mesh waits for the .mtl, .bin or textures it refers to (60)
  --rescan-seconds S        how often incoming/ is listed in case a change event was missed (30)
  --poll                    poll for changes instead of file system events (network shares)
  --param NAME=VALUE        segmentation parameter for every folder, repeatable (n_clusters=8)
  --max-faces N             largest mesh in source faces, in-process only (${DEFAULT_MAX_FACES})
  --log-level LEVEL         trace, debug, info, warn, error or fatal [LOG_LEVEL] (info)
  -h, --help                show this help

Config file: {"daemon": URL, "token": T, "concurrency": N, "params": {...},
  "folders": ["path", {"path": "path", "params": {...}, "formats": ["glb", "ply", "labels", "pca"],
  "stableSeconds": S, "companionTimeoutSeconds": S, "rescanSeconds": S, "poll": true}]}
Top-level keys other than folders set defaults for every folder; relative paths are relative to
the config file. Command-line options override the file's top-level values.`

/** Outputs written to done/ unless a folder chooses others. */
export const DEFAULT_FORMATS: readonly ExportFormat[] = ['glb', 'ply', 'labels', 'pca']
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

export interface FolderConfig {
  /** Absolute path of the watched folder. */
  path: string
  /** Segmentation parameters for every file of the folder, before partfield.json and sidecars. */
  params: Record<string, unknown>
  formats: ExportFormat[]
  timing: FolderTiming
}

export interface WatchConfig {
  folders: FolderConfig[]
  /** Absent: process in this process. */
  daemon?: { url: string; token?: string }
  concurrency: number
  maxFaces: number
  logLevel: string
  help: boolean
}

const DEFAULT_SETTINGS = { stableSeconds: 2, companionTimeoutSeconds: 60, rescanSeconds: 30, poll: false }
const FOLDER_KEYS = ['path', 'params', 'formats', 'stableSeconds', 'companionTimeoutSeconds', 'rescanSeconds', 'poll']
const TOP_KEYS = ['daemon', 'token', 'concurrency', 'maxFaces', 'logLevel', 'folders', ...FOLDER_KEYS.filter((key) => key !== 'path')]

/** Parses argv (without node and script) and the config file it names; throws ConfigError. */
export async function loadConfig(argv: string[], env: NodeJS.ProcessEnv): Promise<WatchConfig> {
  const { values, positionals } = parseCommandLine(argv)
  if (values.help) return { folders: [], concurrency: 1, maxFaces: DEFAULT_MAX_FACES, logLevel: 'info', help: true }

  const file = values.config ? await readConfigFile(values.config) : undefined
  const top: Record<string, unknown> = { ...(file?.values ?? {}) }
  delete top.folders
  const cliParams = parseParamOptions(values.param ?? [])
  const overrides: Record<string, unknown> = {
    daemon: values.daemon,
    token: values.token,
    concurrency: values.concurrency,
    maxFaces: values['max-faces'],
    logLevel: values['log-level'],
    stableSeconds: values['stable-seconds'],
    companionTimeoutSeconds: values['companion-timeout'],
    rescanSeconds: values['rescan-seconds'],
    poll: values.poll,
  }
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) top[key] = value
  top.params = { ...(isObject(top.params) ? top.params : {}), ...cliParams }

  const entries: Array<{ entry: unknown; base: string; source: string }> = [
    ...(file?.folders ?? []).map((entry) => ({ entry, base: file!.dir, source: file!.path })),
    ...positionals.map((entry) => ({ entry, base: process.cwd(), source: 'the command line' })),
  ]
  if (entries.length === 0) throw new ConfigError('no folder to watch: name one or more folders, or a --config file with "folders"')
  const folders = entries.map(({ entry, base, source }) => folderConfig(entry, top, base, source))
  checkDistinct(folders)

  const daemonUrl = optionalString(top.daemon, 'daemon')
  return {
    folders,
    daemon: daemonUrl ? { url: checkUrl(daemonUrl), token: optionalString(top.token, 'token') ?? (env.PARTFIELD_TOKEN || undefined) } : undefined,
    concurrency: integer(top.concurrency ?? 1, 'concurrency', 1, 64),
    maxFaces: integer(top.maxFaces ?? DEFAULT_MAX_FACES, 'maxFaces (--max-faces)', 1, 1e9),
    logLevel: logLevel(top.logLevel ?? env.LOG_LEVEL ?? 'info'),
    help: false,
  }
}

function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        daemon: { type: 'string' },
        token: { type: 'string' },
        config: { type: 'string' },
        concurrency: { type: 'string' },
        'stable-seconds': { type: 'string' },
        'companion-timeout': { type: 'string' },
        'rescan-seconds': { type: 'string' },
        poll: { type: 'boolean' },
        param: { type: 'string', multiple: true },
        'max-faces': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (error) {
    throw new ConfigError((error as Error).message)
  }
}

async function readConfigFile(path: string): Promise<{ path: string; dir: string; values: Record<string, unknown>; folders: unknown[] }> {
  const absolute = resolve(path)
  let value: unknown
  try {
    value = JSON.parse(await readFile(absolute, 'utf8'))
  } catch (error) {
    throw new ConfigError(`cannot read the config file ${absolute}: ${(error as Error).message}`)
  }
  if (!isObject(value)) throw new ConfigError(`${absolute}: expected a JSON object with a "folders" list`)
  for (const key of Object.keys(value)) {
    if (!TOP_KEYS.includes(key)) throw new ConfigError(`${absolute}: unknown key ${JSON.stringify(key)}; expected one of ${TOP_KEYS.join(', ')}`)
  }
  const folders = value.folders ?? []
  if (!Array.isArray(folders)) throw new ConfigError(`${absolute}: "folders" must be a list of paths or objects`)
  return { path: absolute, dir: dirname(absolute), values: value, folders }
}

function folderConfig(entry: unknown, top: Record<string, unknown>, base: string, source: string): FolderConfig {
  const settings: Record<string, unknown> = typeof entry === 'string' ? { path: entry } : isObject(entry) ? entry : {}
  const where = `folder ${JSON.stringify(settings.path ?? entry)} in ${source}`
  if (typeof settings.path !== 'string' || settings.path === '') throw new ConfigError(`${where}: expected a path string or an object with "path"`)
  for (const key of Object.keys(settings)) {
    if (!FOLDER_KEYS.includes(key)) throw new ConfigError(`${where}: unknown key ${JSON.stringify(key)}; expected one of ${FOLDER_KEYS.join(', ')}`)
  }

  const merged: Record<string, unknown> = { ...DEFAULT_SETTINGS, ...pick(top), ...pick(settings) }
  const params = { ...(isObject(top.params) ? top.params : {}), ...(isObject(settings.params) ? settings.params : {}) }
  if (settings.params !== undefined && !isObject(settings.params)) throw new ConfigError(`${where}: "params" must be an object`)
  try {
    parseParams(params)
  } catch (error) {
    throw new ConfigError(`${where}: ${(error as Error).message}`)
  }

  return {
    path: resolve(base, settings.path),
    params,
    formats: formats(merged.formats ?? DEFAULT_FORMATS, where),
    timing: {
      stableMs: seconds(merged.stableSeconds, `${where}: stableSeconds`, 0.05, 3600),
      companionTimeoutMs: seconds(merged.companionTimeoutSeconds, `${where}: companionTimeoutSeconds`, 0, 86_400),
      rescanMs: seconds(merged.rescanSeconds, `${where}: rescanSeconds`, 1, 86_400),
      usePolling: boolean(merged.poll, `${where}: poll`),
    },
  }
}

/** Returns the folder settings present in `values`, without undefined ones. */
function pick(values: Record<string, unknown>): Record<string, unknown> {
  const picked: Record<string, unknown> = {}
  for (const key of ['formats', 'stableSeconds', 'companionTimeoutSeconds', 'rescanSeconds', 'poll']) {
    if (values[key] !== undefined) picked[key] = values[key]
  }
  return picked
}

function parseParamOptions(options: string[]): Record<string, unknown> {
  const params: Record<string, unknown> = {}
  for (const option of options) {
    const equals = option.indexOf('=')
    if (equals <= 0) throw new ConfigError(`invalid --param ${JSON.stringify(option)}; expected NAME=VALUE such as n_clusters=8`)
    params[option.slice(0, equals)] = option.slice(equals + 1)
  }
  return params
}

function checkDistinct(folders: FolderConfig[]): void {
  const seen = new Set<string>()
  for (const folder of folders) {
    if (seen.has(folder.path)) throw new ConfigError(`folder ${folder.path} is listed twice; list each folder once`)
    seen.add(folder.path)
  }
}

function formats(value: unknown, where: string): ExportFormat[] {
  const valid = Array.isArray(value) && value.length > 0 && value.every((f) => EXPORT_FORMATS.includes(f as ExportFormat))
  if (!valid) throw new ConfigError(`${where}: invalid formats ${JSON.stringify(value)}; expected a non-empty list of ${EXPORT_FORMATS.join(', ')}`)
  return [...new Set(value as ExportFormat[])]
}

function seconds(value: unknown, name: string, min: number, max: number): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
  if (typeof number !== 'number' || !Number.isFinite(number) || number < min || number > max) {
    throw new ConfigError(`invalid ${name}: ${JSON.stringify(value)}; expected seconds from ${min} to ${max}`)
  }
  return Math.round(number * 1000)
}

function integer(value: unknown, name: string, min: number, max: number): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
  if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
    throw new ConfigError(`invalid ${name}: ${JSON.stringify(value)}; expected an integer from ${min} to ${max}`)
  }
  return number
}

function boolean(value: unknown, name: string): boolean {
  if (typeof value === 'boolean') return value
  throw new ConfigError(`invalid ${name}: ${JSON.stringify(value)}; expected true or false`)
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value !== 'string') throw new ConfigError(`invalid ${name}: ${JSON.stringify(value)}; expected a string`)
  return value
}

function checkUrl(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new ConfigError(`invalid daemon URL ${JSON.stringify(url)}; expected http://HOST:PORT or https://HOST`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(`invalid daemon URL ${JSON.stringify(url)}; expected an http:// or https:// URL`)
  }
  return url.replace(/\/+$/, '')
}

function logLevel(value: unknown): string {
  if (typeof value === 'string' && LOG_LEVELS.includes(value)) return value
  throw new ConfigError(`invalid log level ${JSON.stringify(value)}; expected one of ${LOG_LEVELS.join(', ')}`)
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
