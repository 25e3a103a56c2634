/**
 * Companions (.mtl, .bin, textures) and sidecars wait in incoming/ for the mesh that refers to
 * them, and a mesh may arrive long after them, so they are never moved on their own. One that
 * still waits after `orphanMs` gets one warning, so a forgotten file does not go unnoticed.
 */
import { join } from 'node:path'

import type { Logger } from 'pino'

import { readFileState } from './stable-file.js'
import { SIDECAR_SUFFIX } from './temp-names.js'

export interface OrphanWatchOptions {
  incoming: string
  orphanMs: number
  /** A logger that names the folder. */
  logger: Logger
  /** Returns whether a mesh being settled or claimed refers to the file. */
  isAwaited(name: string): boolean
}

export class OrphanWatch {
  readonly #options: OrphanWatchOptions
  /** Per file name: the pending check, or 'reported' once the warning was logged. */
  readonly #files = new Map<string, NodeJS.Timeout | 'reported'>()

  constructor(options: OrphanWatchOptions) {
    this.#options = options
  }

  /** Starts the wait of a file found in incoming/; a file already waiting keeps its start. */
  notice(name: string): void {
    if (!this.#files.has(name)) this.#schedule(name)
  }

  /** Forgets a file that left incoming/, so one of the same name that comes later waits anew. */
  forget(name: string): void {
    const entry = this.#files.get(name)
    if (entry !== undefined && entry !== 'reported') clearTimeout(entry)
    this.#files.delete(name)
  }

  /** Forgets every file not in `present`, for a listing of incoming/ that may have missed a removal. */
  keepOnly(present: ReadonlySet<string>): void {
    for (const name of [...this.#files.keys()]) if (!present.has(name)) this.forget(name)
  }

  stop(): void {
    for (const name of [...this.#files.keys()]) this.forget(name)
  }

  #schedule(name: string): void {
    const timer = setTimeout(() => void this.#check(name), this.#options.orphanMs)
    timer.unref()
    this.#files.set(name, timer)
  }

  async #check(name: string): Promise<void> {
    const { incoming, orphanMs, logger, isAwaited } = this.#options
    const state = await readFileState(join(incoming, name)).catch(() => undefined)
    if (!state) {
      this.#files.delete(name)
      return
    }
    if (isAwaited(name)) {
      this.#schedule(name)
      return
    }

    this.#files.set(name, 'reported')
    const waited = Math.round(orphanMs / 1000)
    const needs = name.toLowerCase().endsWith(SIDECAR_SUFFIX)
      ? `its mesh ${name.slice(0, -SIDECAR_SUFFIX.length)} is not in incoming/`
      : 'no mesh in incoming/ refers to it'
    logger.warn({ file: name, waitedSeconds: waited },
      `${name} has waited ${waited} s in incoming/ and ${needs}; it stays there until such a mesh arrives. ` +
      'Drop the mesh that refers to it, or remove the file')
  }
}
