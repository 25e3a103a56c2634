/**
 * Moves and writes that never replace a user's file. Everything here renames within one watched
 * folder. A rename across file systems (EXDEV) fails with its error and is never replaced by a
 * copy and delete.
 */
import { lstat, mkdir, rename, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'

import { writeTemporaryFor } from '../../daemon/src/export/temporary-file.js'

/** How many suffixed names (`chair-2` … ) are tried before giving up. */
const MAX_SUFFIX = 10_000

/** Returns `name`, then `name-2`, `name-3`, … */
export function* suffixedNames(name: string): Generator<string> {
  yield name
  for (let n = 2; n <= MAX_SUFFIX; n++) yield `${name}-${n}`
}

/** Returns whether anything (file, folder, link) exists at `path`. */
export async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw error
  }
}

/**
 * Creates `parent/<name>` under the first suffixed name that is free in `parent` and in every
 * folder of `alsoFreeIn`, and returns that name. mkdir is the claim: it fails rather than reuse a
 * folder that appeared meanwhile.
 */
export async function createUniqueDir(parent: string, name: string, alsoFreeIn: readonly string[]): Promise<string> {
  for (const candidate of suffixedNames(name)) {
    const occupied = await Promise.all(alsoFreeIn.map((dir) => exists(join(dir, candidate))))
    if (occupied.some(Boolean)) continue
    try {
      await mkdir(join(parent, candidate))
      return candidate
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
  }
  throw new Error(`no free folder name for ${name} in ${parent} after ${MAX_SUFFIX} tries`)
}

/**
 * Renames the folder `source` to `parent/<name>`, or to the first free suffixed name, and returns
 * the name used. A name where anything exists is skipped, so nothing there is ever replaced.
 */
export async function moveDirToUnique(source: string, parent: string, name: string): Promise<string> {
  for (const candidate of suffixedNames(name)) {
    const target = join(parent, candidate)
    if (await exists(target)) continue
    try {
      await rename(source, target)
      return candidate
    } catch (error) {
      // Something appeared at the target since the check: rename refuses a non-empty folder or a file.
      const code = (error as NodeJS.ErrnoException).code
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOTDIR' && code !== 'EISDIR') throw error
    }
  }
  throw new Error(`no free folder name for ${name} in ${parent} after ${MAX_SUFFIX} tries`)
}

/**
 * Renames a file to `target`, creating its folder. Targets are inside a job folder the watcher
 * created, so the existence check is the only guard. An existing target is an error, never replaced.
 */
export async function moveFileNoReplace(source: string, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true })
  if (await exists(target)) throw new Error(`will not move ${source} to ${target}: a file of that name exists`)
  await rename(source, target)
}

/** Writes and flushes `data` to a temporary name, then renames it to `path` (replacing it). */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = await writeTemporaryFor(path, data)
  try {
    await rename(temporary, path)
  } catch (error) {
    await rm(temporary, { force: true })
    throw error
  }
}
