/**
 * One daemon per data folder. Two daemons on the same folder would each restore and run the
 * other's queued jobs, and each delete the other's expired ones, so the second one does not
 * start. The lock is a file `daemon.lock` with the owner's pid and host name, created
 * atomically. A lock left by a crashed daemon on this host is taken over.
 */
import { readFileSync, unlinkSync } from 'node:fs'
import { link, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'

export const LOCK_FILE = 'daemon.lock'

/** Contents of the lock file. */
export interface LockOwner {
  pid: number
  host: string
  startedAt: string
}

/** Error of a daemon whose data folder is in use; the message tells the user what to do. */
export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError'
}

/** A held lock. */
export interface DataDirLock {
  path: string
  /** The previous owner when a stale lock was taken over, for the log. */
  takenOverFrom: LockOwner | undefined
  /** Deletes the lock file if it is still this process's; safe to call more than once. */
  release(): void
}

/**
 * Creates `<dataDir>/daemon.lock` for this process. Throws DataDirLockedError when another live
 * daemon holds it, or when the lock names another host, whose processes cannot be checked.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const path = join(dataDir, LOCK_FILE)
  const owner: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() }
  const text = `${JSON.stringify(owner)}\n`

  if (await tryCreate(path, text)) return heldLock(path, text, undefined)

  const found = await readOwner(path)
  if (!found) {
    // The owner released the lock between the two steps.
    if (await tryCreate(path, text)) return heldLock(path, text, undefined)
    throw new DataDirLockedError(`another daemon created the lock ${path} at the same time; stop one of them`)
  }
  const { owner: previous, text: previousText } = found
  if (previous.host !== owner.host || isAlive(previous.pid)) {
    const where = previous.host === owner.host ? `process ${previous.pid}` : `process ${previous.pid} on host ${previous.host}`
    throw new DataDirLockedError(
      `the data folder ${dataDir} is in use by another partfield-bridge daemon (${where}, started ${previous.startedAt}); ` +
      `stop that daemon or start this one with another --data-dir. If no daemon uses the folder, delete ${path}`)
  }

  if (!(await removeStale(path, previousText)) || !(await tryCreate(path, text))) {
    throw new DataDirLockedError(`another daemon took over the stale lock ${path} at the same time; stop one of them`)
  }
  return heldLock(path, text, previous)
}

/**
 * Moves the stale lock aside and deletes it, but only when it is still the one judged stale: a
 * daemon that took it over a moment earlier keeps its new lock, which is moved back.
 */
async function removeStale(path: string, staleText: string): Promise<boolean> {
  const aside = `${path}.${process.pid}.stale`
  try {
    await rename(path, aside)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true
    throw error
  }
  const moved = await readFile(aside, 'utf8')
  if (moved !== staleText) await link(aside, path).catch(() => {})
  await rm(aside, { force: true })
  return moved === staleText
}

/** Creates the lock with its full contents in one step: written aside, then hard-linked into place. */
async function tryCreate(path: string, text: string): Promise<boolean> {
  const temporary = `${path}.${process.pid}.tmp`
  await writeFile(temporary, text)
  try {
    await link(temporary, path)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw error
  } finally {
    await rm(temporary, { force: true })
  }
}

/** Reads the lock's owner; undefined when the file no longer exists. */
async function readOwner(path: string): Promise<{ owner: LockOwner; text: string } | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>
    if (Number.isInteger(owner.pid) && typeof owner.host === 'string') {
      return { owner: { pid: owner.pid!, host: owner.host, startedAt: owner.startedAt ?? 'at an unknown time' }, text }
    }
  } catch {
    // Reported below.
  }
  throw new DataDirLockedError(
    `the lock file ${path} is not one this program writes (${JSON.stringify(text.slice(0, 80))}); ` +
    'if no partfield-bridge daemon uses this data folder, delete it')
}

/**
 * True when a process with this pid exists. EPERM means it exists but belongs to another user.
 * NOTE: a pid reused by an unrelated process after a crash reads as alive, so the message that
 * refuses to start tells the user how to remove the lock.
 */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function heldLock(path: string, text: string, takenOverFrom: LockOwner | undefined): DataDirLock {
  let held = true
  return {
    path,
    takenOverFrom,
    // Synchronous, so it also runs from a process 'exit' handler.
    release() {
      if (!held) return
      held = false
      try {
        if (readFileSync(path, 'utf8') === text) unlinkSync(path)
      } catch {
        // Already gone: nothing to release.
      }
    },
  }
}
