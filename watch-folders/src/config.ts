/**
 * The watcher's settings from the command line and an optional JSON config file. Everything is
 * checked at startup, so a typo stops the watcher with a message instead of misbehaving later.
 */
import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'

import { DEFAULT_MAX_FACES } from '../../daemon/src/mesh/mesh-data.js'
import type { ExportFormat } from '../../daemon/src/export/write-exports.js'
import { parseParams } from '../../protocol/src/params.js'
import {
  boolean, ConfigError, daemonUrl, formats, inContext, integer, isObject, logLevel, optionalString, seconds,
} from './config-values.js'
import type { FolderTiming } from './folder-watcher.js'

export { ConfigError } from './config-values.js'

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
  --companion-timeout S     how long a glTF waits for the .bin buffers it refers to (60); an
                            OBJ waits a sixth as long for its .mtl files, and nothing waits
                            for textures
  --orphan-seconds S        how long a .mtl, .bin, texture or sidecar waits in incoming/ for
                            a mesh that refers to it before a warning is logged (600)
  --rescan-seconds S        how often incoming/ is listed in case a change event was missed (30)
  --poll                    poll for changes instead of file system events (network shares)
  --create                  create a watched folder that does not exist (without it, a
                            missing folder stops the watcher, which catches typos)
  --param NAME=VALUE        segmentation parameter for every folder, repeatable (n_clusters=8)
  --max-faces N             largest mesh in source faces, in-process only (${DEFAULT_MAX_FACES})
  --log-level LEVEL         trace, debug, info, warn, error or fatal [LOG_LEVEL] (info)
  -h, --help                show this help

Config file: {"daemon": URL, "token": T, "concurrency": N, "params": {...},
  "folders": ["path", {"path": "path", "params": {...}, "formats": ["glb", "ply", "labels", "pca"],
  "stableSeconds": S, "companionTimeoutSeconds": S, "rescanSeconds": S, "orphanSeconds": S,
  "poll": true, "create": true}]}
Top-level keys other than folders set defaults for every folder; relative paths are relative to
the config file. Command-line options override the file's top-level values.`

/** Outputs written to done/ unless a folder chooses others. */
export const DEFAULT_FORMATS: readonly ExportFormat[] = ['glb', 'ply', 'labels', 'pca']

export interface FolderConfig {
  /** Absolute path of the watched folder. */
  path: string
  /** Segmentation parameters for every file of the folder, before partfield.json and sidecars. */
  params: Record<string, unknown>
  formats: ExportFormat[]
  timing: FolderTiming
  /** Create the folder when it does not exist, instead of stopping with an error. */
  create: boolean
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

/** Settings that apply per folder, given at the top level (for every folder) or in a folder entry. */
interface FolderSettings {
  formats?: ExportFormat[]
  stableMs?: number
  companionTimeoutMs?: number
  rescanMs?: number
  orphanMs?: number
  poll?: boolean
  create?: boolean
}

/** Settings of the whole watcher. */
interface GlobalSettings extends FolderSettings {
  daemon?: string
  token?: string
  concurrency?: number
  maxFaces?: number
  logLevel?: string
  params?: Record<string, unknown>
}

const DEFAULT_SETTINGS: Required<FolderSettings> = {
  formats: [...DEFAULT_FORMATS],
  stableMs: 2000,
  companionTimeoutMs: 60_000,
  rescanMs: 30_000,
  orphanMs: 600_000,
  poll: false,
  create: false,
}
const FOLDER_KEYS = ['path', 'params', 'formats', 'stableSeconds', 'companionTimeoutSeconds', 'rescanSeconds', 'orphanSeconds', 'poll', 'create']
const TOP_KEYS = ['daemon', 'token', 'concurrency', 'maxFaces', 'logLevel', 'folders', ...FOLDER_KEYS.filter((key) => key !== 'path')]

/** The command-line option of each setting, named in messages about a value given there. */
const OPTION_NAMES: Record<string, string> = {
  daemon: '--daemon',
  token: '--token',
  concurrency: '--concurrency',
  maxFaces: '--max-faces',
  logLevel: '--log-level',
  stableSeconds: '--stable-seconds',
  companionTimeoutSeconds: '--companion-timeout',
  rescanSeconds: '--rescan-seconds',
  orphanSeconds: '--orphan-seconds',
  poll: '--poll',
  create: '--create',
}
const optionName = (key: string) => OPTION_NAMES[key] ?? key
const keyName = (key: string) => key

/** Parses argv (without node and script) and the config file it names; throws ConfigError. */
export async function loadConfig(argv: string[], env: NodeJS.ProcessEnv): Promise<WatchConfig> {
  const { values, positionals } = parseCommandLine(argv)
  if (values.help) return { folders: [], concurrency: 1, maxFaces: DEFAULT_MAX_FACES, logLevel: 'info', help: true }

  const file = values.config ? await readConfigFile(values.config) : undefined
  const fromFile = file ? inContext(file.path, () => globalSettings(file.values, keyName)) : {}
  const fromCommandLine = globalSettings({
    daemon: values.daemon,
    token: values.token,
    concurrency: values.concurrency,
    maxFaces: values['max-faces'],
    logLevel: values['log-level'],
    stableSeconds: values['stable-seconds'],
    companionTimeoutSeconds: values['companion-timeout'],
    rescanSeconds: values['rescan-seconds'],
    orphanSeconds: values['orphan-seconds'],
    poll: values.poll,
    create: values.create,
  }, optionName)
  const top: GlobalSettings = { ...fromFile, ...fromCommandLine }
  top.params = { ...fromFile.params, ...parseParamOptions(values.param ?? []) }

  const entries: Array<{ entry: unknown; base: string; source: string }> = [
    ...(file?.folders ?? []).map((entry) => ({ entry, base: file!.dir, source: file!.path })),
    ...positionals.map((entry) => ({ entry, base: process.cwd(), source: 'the command line' })),
  ]
  if (entries.length === 0) throw new ConfigError('no folder to watch: name one or more folders, or a --config file with "folders"')
  const folders = entries.map(({ entry, base, source }) => folderConfig(entry, top, base, source))
  checkDistinct(folders)

  return {
    folders,
    daemon: top.daemon ? { url: top.daemon, token: top.token ?? (env.PARTFIELD_TOKEN || undefined) } : undefined,
    concurrency: top.concurrency ?? 1,
    maxFaces: top.maxFaces ?? DEFAULT_MAX_FACES,
    logLevel: top.logLevel ?? logLevel(env.LOG_LEVEL ?? 'info', 'LOG_LEVEL'),
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
        'orphan-seconds': { type: 'string' },
        poll: { type: 'boolean' },
        create: { type: 'boolean' },
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

/** Checks the watcher-wide settings present in `raw`; `name` gives the setting's name for messages. */
function globalSettings(raw: Record<string, unknown>, name: (key: string) => string): GlobalSettings {
  const settings: GlobalSettings = folderSettings(raw, name)
  const url = optionalString(raw.daemon, name('daemon'))
  if (url) settings.daemon = daemonUrl(url, name('daemon'))
  const token = optionalString(raw.token, name('token'))
  if (token) settings.token = token
  if (raw.concurrency !== undefined) settings.concurrency = integer(raw.concurrency, name('concurrency'), 1, 64)
  if (raw.maxFaces !== undefined) settings.maxFaces = integer(raw.maxFaces, name('maxFaces'), 1, 1e9)
  if (raw.logLevel !== undefined) settings.logLevel = logLevel(raw.logLevel, name('logLevel'))
  if (raw.params !== undefined) {
    if (!isObject(raw.params)) throw new ConfigError(`invalid ${name('params')}: expected an object`)
    settings.params = raw.params
  }
  return settings
}

/** Checks the per-folder settings present in `raw`. */
function folderSettings(raw: Record<string, unknown>, name: (key: string) => string): FolderSettings {
  const settings: FolderSettings = {}
  if (raw.formats !== undefined) settings.formats = formats(raw.formats, name('formats'))
  if (raw.stableSeconds !== undefined) settings.stableMs = seconds(raw.stableSeconds, name('stableSeconds'), 0.05, 3600)
  if (raw.companionTimeoutSeconds !== undefined) {
    settings.companionTimeoutMs = seconds(raw.companionTimeoutSeconds, name('companionTimeoutSeconds'), 0, 86_400)
  }
  if (raw.rescanSeconds !== undefined) settings.rescanMs = seconds(raw.rescanSeconds, name('rescanSeconds'), 1, 86_400)
  if (raw.orphanSeconds !== undefined) settings.orphanMs = seconds(raw.orphanSeconds, name('orphanSeconds'), 1, 7 * 86_400)
  if (raw.poll !== undefined) settings.poll = boolean(raw.poll, name('poll'))
  if (raw.create !== undefined) settings.create = boolean(raw.create, name('create'))
  return settings
}

function folderConfig(entry: unknown, top: GlobalSettings, base: string, source: string): FolderConfig {
  const raw: Record<string, unknown> = typeof entry === 'string' ? { path: entry } : isObject(entry) ? entry : {}
  const where = `folder ${JSON.stringify(raw.path ?? entry)} in ${source}`
  if (typeof raw.path !== 'string' || raw.path === '') throw new ConfigError(`${where}: expected a path string or an object with "path"`)
  for (const key of Object.keys(raw)) {
    if (!FOLDER_KEYS.includes(key)) throw new ConfigError(`${where}: unknown key ${JSON.stringify(key)}; expected one of ${FOLDER_KEYS.join(', ')}`)
  }
  if (raw.params !== undefined && !isObject(raw.params)) throw new ConfigError(`${where}: "params" must be an object`)

  const own = inContext(where, () => folderSettings(raw, keyName))
  const settings = { ...DEFAULT_SETTINGS, ...withoutUndefined(top), ...own }
  const params = { ...top.params, ...(isObject(raw.params) ? raw.params : {}) }
  inContext(where, () => parseParams(params))

  return {
    path: resolve(base, raw.path),
    params,
    formats: settings.formats,
    timing: {
      stableMs: settings.stableMs,
      companionTimeoutMs: settings.companionTimeoutMs,
      rescanMs: settings.rescanMs,
      orphanMs: settings.orphanMs,
      usePolling: settings.poll,
    },
    create: settings.create,
  }
}

/** Returns the per-folder settings among `settings` that are set. */
function withoutUndefined(settings: GlobalSettings): FolderSettings {
  const defined: FolderSettings = {}
  for (const key of Object.keys(DEFAULT_SETTINGS) as Array<keyof FolderSettings>) {
    if (settings[key] !== undefined) Object.assign(defined, { [key]: settings[key] })
  }
  return defined
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
