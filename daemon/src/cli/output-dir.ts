import { mkdirSync, readdirSync, existsSync } from 'node:fs'
import { basename, extname, join } from 'node:path'

/**
 * Picks the output folder: the one given, or out/<file name>, numbered (-2, -3, ...) when that
 * folder already holds files, so a second run never overwrites the first one's results.
 */
export function chooseOutputDir(inputFile: string, requested: string | undefined): string {
  if (requested !== undefined) {
    mkdirSync(requested, { recursive: true })
    return requested
  }

  const stem = basename(inputFile, extname(inputFile)) || 'mesh'
  for (let n = 1; ; n++) {
    const dir = join('out', n === 1 ? stem : `${stem}-${n}`)
    if (!existsSync(dir) || readdirSync(dir).length === 0) {
      mkdirSync(dir, { recursive: true })
      return dir
    }
  }
}
