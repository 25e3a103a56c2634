import { mkdir, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'

/**
 * The subfolders of one watched folder. Every move between them is a rename inside the watched
 * folder, so a file is always whole in exactly one place.
 */
export interface FolderLayout {
  root: string
  /** Drop folder for users' files. */
  incoming: string
  /** One folder per job being processed: the claimed originals and the outputs so far. */
  processing: string
  /** One folder per finished job: outputs and originals. */
  done: string
  /** One folder per failed job: originals and error.txt. */
  failed: string
  /** Parameters for every file of the folder. */
  paramsFile: string
}

/** Name of the per-folder parameter file, at the watched folder's top level. */
export const FOLDER_PARAMS_FILE = 'partfield.json'

export function folderLayout(root: string): FolderLayout {
  const absolute = resolve(root)
  return {
    root: absolute,
    incoming: join(absolute, 'incoming'),
    processing: join(absolute, 'processing'),
    done: join(absolute, 'done'),
    failed: join(absolute, 'failed'),
    paramsFile: join(absolute, FOLDER_PARAMS_FILE),
  }
}

/** A watched folder that does not exist (and may not be created) or is not a folder. */
export class FolderMissingError extends Error {
  override readonly name = 'FolderMissingError'
}

/**
 * Creates the four subfolders where missing. The watched folder itself is created only with
 * `create`, so a mistyped path stops the watcher instead of being watched while the files are
 * dropped elsewhere.
 */
export async function ensureLayout(layout: FolderLayout, create = true): Promise<void> {
  let isFolder: boolean | undefined
  try {
    isFolder = (await stat(layout.root)).isDirectory()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  if (isFolder === false) throw new FolderMissingError(`${layout.root} is not a folder; name the folder to watch`)
  if (isFolder === undefined && !create) {
    throw new FolderMissingError(`folder ${layout.root} does not exist; create it or pass --create ("create": true in a config file)`)
  }

  for (const dir of [layout.incoming, layout.processing, layout.done, layout.failed]) {
    await mkdir(dir, { recursive: true })
  }
}
