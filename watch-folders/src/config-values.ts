/**
 * Checks of single settings from the command line or a config file. Each check names the setting
 * as the user wrote it (`--stable-seconds` or `stableSeconds`) and the value it rejects.
 */
import { EXPORT_FORMATS, type ExportFormat } from '../../daemon/src/export/write-exports.js'

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

/** Runs `check` and puts `where` (a config file, a folder entry) before the message of its ConfigError. */
export function inContext<T>(where: string, check: () => T): T {
  try {
    return check()
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(`${where}: ${error.message}`)
    throw error
  }
}

/** Returns seconds given as a number or a numeric string, in milliseconds. */
export function seconds(value: unknown, name: string, min: number, max: number): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
  if (typeof number !== 'number' || !Number.isFinite(number) || number < min || number > max) {
    throw new ConfigError(`invalid ${name}: ${JSON.stringify(value)}; expected seconds from ${min} to ${max}`)
  }
  return Math.round(number * 1000)
}

export function integer(value: unknown, name: string, min: number, max: number): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
  if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
    throw new ConfigError(`invalid ${name}: ${JSON.stringify(value)}; expected an integer from ${min} to ${max}`)
  }
  return number
}

export function boolean(value: unknown, name: string): boolean {
  if (typeof value === 'boolean') return value
  throw new ConfigError(`invalid ${name}: ${JSON.stringify(value)}; expected true or false`)
}

export function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value !== 'string') throw new ConfigError(`invalid ${name}: ${JSON.stringify(value)}; expected a string`)
  return value
}

export function formats(value: unknown, name: string): ExportFormat[] {
  const valid = Array.isArray(value) && value.length > 0 && value.every((f) => EXPORT_FORMATS.includes(f as ExportFormat))
  if (!valid) throw new ConfigError(`invalid ${name}: ${JSON.stringify(value)}; expected a non-empty list of ${EXPORT_FORMATS.join(', ')}`)
  return [...new Set(value as ExportFormat[])]
}

/** Returns the URL without trailing slashes. */
export function daemonUrl(url: string, name: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new ConfigError(`invalid ${name}: ${JSON.stringify(url)}; expected http://HOST:PORT or https://HOST`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(`invalid ${name}: ${JSON.stringify(url)}; expected an http:// or https:// URL`)
  }
  return url.replace(/\/+$/, '')
}

export function logLevel(value: unknown, name: string): string {
  if (typeof value === 'string' && LOG_LEVELS.includes(value)) return value
  throw new ConfigError(`invalid ${name}: ${JSON.stringify(value)}; expected one of ${LOG_LEVELS.join(', ')}`)
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
