/**
 * One watcher per folder: two watchers on the same folder would both resume the jobs left in
 * processing/ and process them twice. The lock is a file in the watched folder naming the process
 * and host that holds it. A lock left by a process of this host that no longer runs (a crash) is
 * taken over; a lock of another host (a folder synced between machines) is never taken over.
 */
import { open, readFile, rm } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'

import { writeFileAtomic } from './file-moves.js'

export const LOCK_FILE = '.partfield-watch.lock'

interface LockOwner {
  pid: number
  host: string
  since: string
}

/** Error for a folder that another running watcher holds. */
export class FolderLockedError extends Error {
  override readonly name = 'FolderLockedError'
}

/** Takes the folder's lock; throws FolderLockedError when another live watcher holds it. */
export async function lockFolder(root: string): Promise<void> {
  const path = join(root, LOCK_FILE)
  const owner: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() }
  const text = `${JSON.stringify(owner)}\n`
  try {
    const handle = await open(path, 'wx')
    await handle.writeFile(text)
    await handle.close()
    return
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }

  const holder = await readOwner(path)
  if (holder && holder.pid !== process.pid && (holder.host !== owner.host || isRunning(holder.pid))) {
    throw new FolderLockedError(
      `${root} is already watched by process ${holder.pid} on ${holder.host} since ${holder.since}; ` +
      `stop that watcher, or delete ${path} if it no longer runs`)
  }
  // A stale or unreadable lock: this process takes it.
  await writeFileAtomic(path, text)
}

/** Releases the lock if this process holds it. */
export async function unlockFolder(root: string): Promise<void> {
  const path = join(root, LOCK_FILE)
  const holder = await readOwner(path)
  if (holder?.pid === process.pid && holder.host === hostname()) await rm(path, { force: true })
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    const value = JSON.parse(await readFile(path, 'utf8')) as Partial<LockOwner>
    if (typeof value.pid !== 'number' || typeof value.host !== 'string') return undefined
    return { pid: value.pid, host: value.host, since: String(value.since) }
  } catch {
    return undefined
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
