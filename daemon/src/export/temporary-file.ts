/**
 * Hidden temporary files, written beside their final name and then renamed into place. The
 * exporter and the watch-folder service both write them, and the watcher deletes the ones an
 * interrupted run left by TEMPORARY_FILE_PATTERN, so their name format is defined only here.
 */
import { randomBytes } from 'node:crypto'
import { open } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/** Matches the names temporaryPathFor returns: `.NAME.PID.HEX8.tmp`. */
export const TEMPORARY_FILE_PATTERN = /^\..+\.\d+\.[0-9a-f]{8}\.tmp$/

/** Returns a hidden temporary name beside `path`, unique to this process and call. */
export function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
}

/**
 * Writes and flushes `data` to a new temporary file beside `path` and returns the temporary's
 * path. Moving it into place is left to the caller. A failed write leaves the temporary behind.
 */
export async function writeTemporaryFor(path: string, data: string | Uint8Array): Promise<string> {
  const temporary = temporaryPathFor(path)
  const handle = await open(temporary, 'wx')
  try {
    await handle.writeFile(data)
    await handle.sync()
  } finally {
    await handle.close()
  }
  return temporary
}
