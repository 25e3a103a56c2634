/**
 * The result column and the view switch: part slider, summary, part list and download buttons
 * of the job on screen, and their empty state while no result is shown.
 */
import type { FileInfo, JobStatus, SegmentResult } from '../../../protocol/src/messages.js'
import { renderDownloads } from './download-list.js'
import { countPerPart, partCountOf } from './face-colors.js'
import type { PageElements } from './page-elements.js'
import { PartList } from './part-list.js'
import type { ViewMesh } from './view-mesh.js'

/** A finished job on screen. */
export interface DisplayedJob {
  id: string
  /** The daemon's latest result: its labels and files have `result.partCount` parts. */
  result: SegmentResult
  view: ViewMesh
  /**
   * Labels on screen, one per leaf: the result's own array while the slider is at the result's
   * count, else a local cut of the tree. Comparing the arrays by identity therefore shows
   * whether the daemon's files match the view.
   */
  labels: Int32Array
  /** The slider's part count. */
  requestedParts: number
}

export class ResultPanel {
  readonly parts: PartList
  #sliderHelp: string

  constructor(readonly ui: PageElements) {
    this.parts = new PartList(ui.partList)
    this.#sliderHelp = ui.partSliderHelp.textContent ?? ''
  }

  /** Empties the column and the 3D view's controls, as on a fresh page. */
  clear(): void {
    const ui = this.ui
    this.parts.clear()
    ui.partSlider.disabled = true
    ui.partSlider.min = '2'
    ui.partSlider.max = '30'
    ui.partSlider.value = '2'
    ui.partCountOutput.textContent = '–'
    ui.partSliderHelp.textContent = this.#sliderHelp
    ui.resultSummary.textContent = ''
    ui.downloadsNote.textContent = ''
    ui.downloadList.replaceChildren()
    ui.viewSwitch.disabled = true
    ui.viewerPlaceholder.hidden = false
  }

  setupSlider(result: SegmentResult): void {
    const slider = this.ui.partSlider
    const top = Math.min(result.faceCount, Math.max(result.params.max_clusters, result.partCount))
    slider.min = String(Math.min(2, top))
    slider.max = String(top)
    slider.value = String(result.partCount)
    slider.disabled = top <= 1
    this.ui.partSliderHelp.textContent = result.tree
      ? `Cuts the merge tree in the page, ${slider.min} to ${slider.max} parts, without asking the daemon.`
      : 'This k-means result has no merge tree, so the daemon reclusters the stored features for each count.'
  }

  /** Refreshes the part list, slider output, download note and buttons for the labels on screen. */
  showLabels(displayed: DisplayedJob, onDownload: (file: FileInfo) => void): void {
    const kind = displayed.result.kind
    const partCount = partCountOf(displayed.labels)
    this.parts.render(countPerPart(displayed.labels, partCount), kind === 'points' ? 'points' : 'faces')
    const pieces = partCount > displayed.requestedParts ? ` (the mesh has ${partCount} pieces that stay apart)` : ''
    this.ui.partCountOutput.textContent = `${partCount}${pieces}`

    const serverParts = displayed.result.partCount
    const current = displayed.labels === displayed.result.labels
    this.ui.downloadsNote.textContent = current
      ? `The files have the ${serverParts} parts shown.`
      : `The files on the daemon have ${serverParts} parts. A download first recuts them to the ${partCount} parts shown; their sizes show after that.`
    renderDownloads(this.ui.downloadList, { files: displayed.result.files, kind, sizesCurrent: current, onDownload })
  }

  /** Writes the summary line and enables the view switch; returns the job's total seconds. */
  showSummary(final: JobStatus, result: SegmentResult): number {
    const ui = this.ui
    const seconds = Object.values(result.timings).reduce((sum, ms) => sum + (ms ?? 0), 0) / 1000
    const unit = result.kind === 'points' ? 'points' : 'faces'
    ui.resultSummary.textContent =
      `${final.input.name}: ${result.faceCount.toLocaleString('en')} ${unit}, ${result.partCount} parts` +
      `${result.autoPartCount ? ' (chosen automatically)' : ''}, ${result.backend} on ${result.device}, ${seconds.toFixed(1)} s.`
    if (result.warnings.length > 0) ui.resultSummary.textContent += ` Warnings: ${result.warnings.join('; ')}`
    ui.viewSwitch.disabled = false
    ui.pcaRadio.disabled = result.pca === null
    ui.viewerPlaceholder.hidden = true
    return seconds
  }
}
