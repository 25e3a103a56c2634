import { mkdir } from 'node:fs/promises'
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

/** Creates the watched folder and its four subfolders where missing. */
export async function ensureLayout(layout: FolderLayout): Promise<void> {
  for (const dir of [layout.incoming, layout.processing, layout.done, layout.failed]) {
    await mkdir(dir, { recursive: true })
  }
}
