import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

import { exportFileNames, type ExportFormat } from '../export/write-exports.js'
import { UsageError } from './args.js'

export interface OutputDirRequest {
  /** Base name of the files, from the input's file name. */
  stem: string
  /** Folder given with --out, absolute; undefined picks out/<stem> under `cwd`. */
  requested: string | undefined
  formats: readonly ExportFormat[]
  /** Whether earlier results in the requested folder may be replaced. */
  overwrite: boolean
  cwd: string
}

/**
 * Picks the output folder before any work is done, so a bad --out fails at once. The exports
 * create the folder later, so a rejected mesh leaves no empty folder behind. The default
 * out/<stem> is numbered (-2, -3, ...) when it already holds files. An explicit --out that holds
 * earlier results is rejected unless --overwrite is given.
 */
export function chooseOutputDir(request: OutputDirRequest): string {
  const { stem, requested, formats, overwrite, cwd } = request
  if (requested === undefined) return createDefaultDir(join(cwd, 'out'), stem)

  if (existsSync(requested) && !statSync(requested).isDirectory()) {
    throw new UsageError(`--out ${requested} is a file; expected a folder`)
  }
  const names = formats.flatMap((format) => exportFileNames(stem, format))
  const existing = names.filter((name) => existsSync(join(requested, name)))
  if (existing.length > 0 && !overwrite) {
    throw new UsageError(
      `${requested} already holds ${existing.join(', ')}; choose another --out folder, or pass --overwrite to replace earlier results of this tool`,
    )
  }
  return requested
}

function createDefaultDir(root: string, stem: string): string {
  for (let n = 1; ; n++) {
    const dir = join(root, n === 1 ? stem : `${stem}-${n}`)
    if (!existsSync(dir) || (statSync(dir).isDirectory() && readdirSync(dir).length === 0)) return dir
  }
}
