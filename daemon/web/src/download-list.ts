/** The download buttons, one per file of the job, and saving a downloaded file to disk. */
import type { FileInfo } from '../../../protocol/src/messages.js'
import { formatBytes } from './upload-picker.js'

/** Description of each export, keyed by the end of its name after the daemon's `model` prefix. */
const DESCRIPTIONS: Record<string, string> = {
  '.parts.glb': 'GLB: one node per part',
  '.parts.ply': 'PLY: faces coloured by part',
  '.parts.obj': 'OBJ: one object per part',
  '.parts.mtl': 'MTL: the OBJ\'s part materials',
  '.labels.json': 'labels.json: labels, merge tree, parameters',
  '.pca.ply': 'PCA PLY: feature colours',
  '.pca.glb': 'PCA GLB: feature colours',
}

export type ResultKind = 'mesh' | 'points'

export function describeFile(file: FileInfo, kind: ResultKind): string {
  const suffix = Object.keys(DESCRIPTIONS).find((key) => file.name.endsWith(key))
  if (!suffix) return file.name
  if (suffix === '.parts.ply' && kind === 'points') return 'PLY: points coloured by part'
  return DESCRIPTIONS[suffix]
}

export interface DownloadRows {
  files: FileInfo[]
  kind: ResultKind
  /** False while the files on the daemon have another part count than the view: a download recuts them first, so their sizes would be stale. */
  sizesCurrent: boolean
  onDownload: (file: FileInfo) => void
}

/** Shows one button per file; the button that had the focus keeps it across the redraw. */
export function renderDownloads(list: HTMLUListElement, rows: DownloadRows): void {
  const focused = list.contains(document.activeElement) ? (document.activeElement as HTMLElement).dataset.file : undefined
  const items = rows.files.map((file) => {
    const item = document.createElement('li')
    const button = document.createElement('button')
    button.type = 'button'
    button.dataset.file = file.name
    button.textContent = describeFile(file, rows.kind)
    if (rows.sizesCurrent) {
      const size = document.createElement('span')
      size.className = 'file-size'
      size.textContent = formatBytes(file.bytes)
      button.append(' ', size)
    }
    button.addEventListener('click', () => rows.onDownload(file))
    item.append(button)
    return item
  })
  list.replaceChildren(...items)
  if (focused) list.querySelector<HTMLElement>(`button[data-file="${CSS.escape(focused)}"]`)?.focus()
}

/** Hands a downloaded blob to the browser's download manager under `fileName`. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  link.hidden = true
  document.body.append(link)
  link.click()
  link.remove()
  // The download has started once click() returns; the URL only needs to live that long, but
  // some browsers read it on a later task.
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}
