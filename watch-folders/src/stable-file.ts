import type { Stats } from 'node:fs'
import { stat } from 'node:fs/promises'

import { pause } from './pause.js'

export interface StableOptions {
  /** How long size and modification time must stay unchanged, in milliseconds. */
  stableMs: number
  /** How often the file is checked, in milliseconds. */
  pollMs: number
  /**
   * How long an empty file must stay empty before it counts as complete. Some tools create the
   * file first and write it later, so an empty file gets longer than `stableMs`.
   */
  emptyStableMs?: number
  signal?: AbortSignal
}

/** The facts compared between checks: a change in any of them restarts the wait. */
export interface FileState {
  size: number
  mtimeMs: number
  ino: number
}

export function fileState(stats: Stats): FileState {
  return { size: stats.size, mtimeMs: stats.mtimeMs, ino: stats.ino }
}

export function sameState(a: FileState, b: FileState): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino
}

/** Returns how often a file is checked for a stability window of `stableMs`: a quarter of it, from 50 to 500 ms. */
export function pollIntervalMs(stableMs: number): number {
  return Math.max(50, Math.min(500, Math.round(stableMs / 4)))
}

/** Returns the file's state, or undefined when it does not exist or is not a regular file. */
export async function readFileState(path: string): Promise<FileState | undefined> {
  try {
    const stats = await stat(path)
    return stats.isFile() ? fileState(stats) : undefined
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

/**
 * Waits until a file's size, modification time and inode have not changed for `stableMs`, and
 * returns that state, or undefined as soon as the file is gone. A writer that pauses longer than
 * `stableMs` between chunks defeats this check, so sync tools' temporary names are ignored too.
 */
export async function waitUntilStable(path: string, options: StableOptions): Promise<FileState | undefined> {
  let last = await readFileState(path)
  let since = Date.now()
  for (;;) {
    if (!last) return undefined
    const needed = last.size === 0 ? Math.max(options.stableMs, options.emptyStableMs ?? 0) : options.stableMs
    if (Date.now() - since >= needed) return last

    await pause(options.pollMs, options.signal)
    const current = await readFileState(path)
    if (!current || !sameState(current, last)) {
      last = current
      since = Date.now()
    }
  }
}
