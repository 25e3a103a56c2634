/**
 * Names that sync tools, browsers and editors give files while they are still being written, or
 * that contain their own bookkeeping. Such files are never processed and never moved.
 */
import { MESH_EXTENSIONS, extensionOf } from '../../daemon/src/mesh/formats.js'

/** Suffix of a per-file parameter sidecar: `chair.obj.partfield.json`. */
export const SIDECAR_SUFFIX = '.partfield.json'

// Lower-case suffixes of partial downloads and transfers: .part (Firefox, KDE), .crdownload
// (Chrome and other Chromium browsers), .download (Safari), .partial (legacy Edge, Internet
// Explorer), .tmp and .temp (many tools), .!sync (Resilio Sync), .filepart (WinSCP) and
// .opdownload (Opera before Chromium). Tools that write under the final name (curl, wget, cp)
// are caught by the size check instead.
const TEMPORARY_SUFFIXES = ['.part', '.crdownload', '.download', '.partial', '.tmp', '.temp', '.!sync', '.filepart', '.opdownload']

/**
 * Returns whether a file name (no folders) is a temporary or hidden file:
 * - dotfiles, which covers Syncthing's `.syncthing.NAME.tmp`, Dropbox's `.dropbox.cache` and
 *   `.dropbox`, macOS `._NAME` and `.DS_Store`, and our own hidden temporary files
 * - `~$NAME` (Microsoft Office lock files) and `~syncthing~NAME.tmp` (Syncthing on Windows)
 * - names ending in `~` (editor backups) or in one of TEMPORARY_SUFFIXES
 */
export function isTemporaryName(name: string): boolean {
  if (name.startsWith('.') || name.startsWith('~$') || name.startsWith('~syncthing~')) return true
  if (name.endsWith('~')) return true
  const lower = name.toLowerCase()
  return TEMPORARY_SUFFIXES.some((suffix) => lower.endsWith(suffix))
}

/** Returns whether a file in incoming/ starts a job: a mesh file that is not a temporary name. */
export function isMeshFileName(name: string): boolean {
  return !isTemporaryName(name) && MESH_EXTENSIONS.includes(extensionOf(name))
}

/** Returns the stem a job's folder and outputs are named after: `chair` for `chair.obj`. */
export function jobStem(fileName: string): string {
  const dot = fileName.lastIndexOf('.')
  return dot > 0 ? fileName.slice(0, dot) : fileName
}
