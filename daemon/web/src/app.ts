/**
 * The page's controller: connects to the daemon, uploads a mesh, follows the job, shows the
 * result and keeps the slider, part list, 3D view and downloads in step.
 */
import type { FileInfo, HealthResponse, JobStatus, SegmentResult } from '../../../protocol/src/messages.js'
import { cutTree } from '../../../protocol/src/part-tree.js'
import { ApiError, DaemonClient, type Upload } from './api.js'
import { renderDownloads, saveBlob } from './download-list.js'
import { explainError } from './error-text.js'
import { countPerPart, partCountOf } from './face-colors.js'
import { followJob } from './job-events.js'
import { loadOriginalModel } from './original-model.js'
import type { PageElements } from './page-elements.js'
import { ParamsForm } from './params-form.js'
import { PartList } from './part-list.js'
import { readPly } from './ply-reader.js'
import { StatusView } from './status-view.js'
import { TokenStore } from './token-store.js'
import { formatBytes, planUpload } from './upload-picker.js'
import { buildViewMesh, type ViewMesh } from './view-mesh.js'
import { Viewer, type ViewMode } from './viewer.js'

export type Phase = 'connecting' | 'ready' | 'uploading' | 'waiting' | 'loading-result' | 'done' | 'failed'

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

/** How long slider moves on a result without a merge tree wait before asking the daemon. */
const SERVER_RECUT_DELAY_MS = 400

export class App {
  phase: Phase = 'connecting'
  displayed: DisplayedJob | undefined
  readonly viewer: Viewer
  readonly token = new TokenStore()
  #client = new DaemonClient(() => this.token.value)
  #health: HealthResponse | undefined
  #files: File[] = []
  #running: AbortController | undefined
  #runningId: string | undefined
  #recutTimer: ReturnType<typeof setTimeout> | undefined
  #form: ParamsForm
  #status: StatusView
  #parts: PartList

  constructor(readonly ui: PageElements) {
    this.#form = new ParamsForm(ui.paramFields)
    this.#status = new StatusView(ui.progressLabel, ui.progressBar, ui.errorBox)
    this.#parts = new PartList(ui.partList)
    this.viewer = new Viewer(ui.viewerHost)
    this.viewer.onHover = (part) => {
      this.#parts.setActive(part)
      this.viewer.highlight(part)
    }
    this.#parts.onHover = (part) => this.viewer.highlight(part)
  }

  /** Reads /v1/health; a 401 shows the token field and waits for a token. */
  async connect(): Promise<void> {
    this.phase = 'connecting'
    try {
      this.#health = await this.#client.health()
    } catch (error) {
      if (error instanceof ApiError && error.code === 'unauthorized') {
        this.ui.tokenForm.hidden = false
        this.ui.daemonStatus.textContent = this.token.value
          ? 'The saved access token was not accepted. Enter the current one.'
          : 'This daemon requires an access token.'
        this.ui.tokenInput.focus()
      } else {
        this.ui.daemonStatus.textContent = 'The daemon cannot be reached.'
        this.#status.showError(explainError(error))
      }
      return
    }

    const health = this.#health
    this.ui.tokenForm.hidden = !health.authRequired
    this.#form.setDefaultBackend(health.backend)
    const device = health.device ?? 'device not loaded yet'
    this.ui.daemonStatus.textContent =
      `Daemon ${health.version}: ${health.backend} backend on ${device}, uploads up to ${formatBytes(health.limits.maxUploadBytes)}`
    this.phase = 'ready'
    this.#status.clearError()
    this.#updateButtons()

    const id = new URLSearchParams(location.hash.slice(1)).get('job')
    if (id && !this.displayed) await this.#openJob(id)
  }

  saveToken(value: string): Promise<void> {
    this.token.value = value.trim() || undefined
    return this.connect()
  }

  selectFiles(files: File[]): void {
    this.#files = files
    this.#status.clearError()
    const names = files.map((file) => `${file.name} (${formatBytes(file.size)})`).join(', ')
    this.ui.fileSummary.textContent = `Selected: ${names}`
    this.#status.show('Ready to segment.', 0)
    try {
      planUpload(files, this.#health?.limits.maxUploadBytes)
    } catch (error) {
      this.#status.showError(explainError(error))
    }
    this.#updateButtons()
  }

  async segment(): Promise<void> {
    this.#status.clearError()
    let upload: Upload
    let params: Record<string, string>
    try {
      upload = planUpload(this.#files, this.#health?.limits.maxUploadBytes)
      params = this.#form.read()
    } catch (error) {
      this.#fail(error)
      return
    }

    const abort = new AbortController()
    this.#running = abort
    this.#setPhase('uploading')
    try {
      const queued = await this.#client.submit(upload, params, (sent, total) => this.#status.uploading(upload.mesh.name, sent, total))
      this.#runningId = queued.id
      history.replaceState(null, '', `#job=${queued.id}`)
      this.#setPhase('waiting')
      const final = await followJob(this.#client, queued.id, (status) => this.#status.job(status), abort.signal)
      await this.#finish(final, upload)
    } catch (error) {
      if (abort.signal.aborted) return
      this.#fail(error)
    } finally {
      if (this.#running === abort) {
        this.#running = undefined
        this.#runningId = undefined
      }
      this.#updateButtons()
    }
  }

  async cancel(): Promise<void> {
    const abort = this.#running
    const id = this.#runningId
    if (!abort) return
    abort.abort()
    this.#running = undefined
    this.#runningId = undefined
    this.#setPhase(this.displayed ? 'done' : 'ready')
    this.#status.show('Cancelled', 0)
    if (id) await this.#client.cancel(id).catch((error: unknown) => this.#fail(error))
  }

  setMode(mode: ViewMode): void {
    this.viewer.setMode(mode)
  }

  /** Moves the part count: a local cut of the merge tree, or a delayed recut for k-means results. */
  setParts(parts: number): void {
    const displayed = this.displayed
    if (!displayed) return
    displayed.requestedParts = parts
    const tree = displayed.result.tree
    if (tree) {
      displayed.labels = parts === displayed.result.partCount ? displayed.result.labels : cutTree(tree, parts)
      this.#showLabels()
      return
    }
    this.ui.partCountOutput.textContent = `${parts}…`
    clearTimeout(this.#recutTimer)
    this.#recutTimer = setTimeout(() => void this.#recutOnServer().catch((error: unknown) => this.#fail(error)), SERVER_RECUT_DELAY_MS)
  }

  /** Downloads a job file, recutting on the daemon first when the slider moved since its result. */
  async download(file: FileInfo): Promise<void> {
    const displayed = this.displayed
    if (!displayed) return
    this.#status.clearError()
    try {
      let target = file
      if (displayed.labels !== displayed.result.labels) {
        this.#status.show(`Recutting the downloads to ${displayed.requestedParts} parts on the daemon…`)
        await this.#recutOnServer()
        target = displayed.result.files.find((candidate) => candidate.name === file.name) ?? file
      }
      this.#status.show(`Downloading ${target.name}…`)
      const { blob, fileName } = await this.#client.download(target.url, target.name)
      saveBlob(blob, fileName)
      this.#status.show(`Downloaded ${fileName} (${formatBytes(blob.size)}, ${displayed.result.partCount} parts)`, 1)
    } catch (error) {
      this.#fail(error)
    }
  }

  async #finish(final: JobStatus, upload: Upload | undefined): Promise<void> {
    if (final.state === 'cancelled') {
      this.#status.show('Cancelled', 0)
      this.#setPhase(this.displayed ? 'done' : 'ready')
      return
    }
    if (final.state !== 'succeeded') {
      const error = final.error ?? { code: 'internal', message: 'the job failed without an error message' }
      throw new ApiError(500, error.code, error.message, { reason: error.reason })
    }

    this.#setPhase('loading-result')
    this.#status.show('Loading the result…')
    const result = await this.#client.result(final.id)
    const plyFile = result.files.find((file) => file.name.endsWith('.parts.ply'))
    if (!plyFile) throw new Error(`job ${final.id} has no parts PLY to draw; its files: ${result.files.map((f) => f.name).join(', ')}`)
    const { blob } = await this.#client.download(plyFile.url, plyFile.name)
    const view = buildViewMesh(readPly(await blob.arrayBuffer()), result.faceCount)

    this.displayed = { id: final.id, result, view, labels: result.labels, requestedParts: result.partCount }
    this.viewer.show(view, result.labels, result.pca?.colors ?? null)
    this.ui.viewerPlaceholder.hidden = true
    this.#setupSlider(result)
    this.#showLabels()
    this.#showSummary(final)
    this.#setPhase('done')
    if (upload) void loadOriginalModel(upload).then((model) => this.viewer.setOriginal(model))
  }

  /** Shows a job named in the address (#job=ID), so a reload keeps the result on screen. */
  async #openJob(id: string): Promise<void> {
    const abort = new AbortController()
    this.#running = abort
    this.#runningId = id
    this.#setPhase('waiting')
    try {
      const final = await followJob(this.#client, id, (status) => this.#status.job(status), abort.signal)
      await this.#finish(final, undefined)
    } catch (error) {
      if (abort.signal.aborted) return
      // An expired job would otherwise fail again at every reload of this address.
      if (error instanceof ApiError && error.code === 'not-found') history.replaceState(null, '', location.pathname)
      this.#fail(error)
    } finally {
      if (this.#running === abort) {
        this.#running = undefined
        this.#runningId = undefined
      }
      this.#updateButtons()
    }
  }

  async #recutOnServer(): Promise<void> {
    const displayed = this.displayed!
    const parts = displayed.requestedParts
    const method = displayed.result.tree ? 'agglomerative' : 'kmeans'
    const result = await this.#client.recut(displayed.id, parts, method)
    if (this.displayed !== displayed) return
    displayed.result = result
    if (displayed.requestedParts === parts) displayed.labels = result.labels
    this.#showLabels()
  }

  #setupSlider(result: SegmentResult): void {
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

  /** Recolours the model and refreshes the part list, slider output and download note. */
  #showLabels(): void {
    const displayed = this.displayed!
    const partCount = partCountOf(displayed.labels)
    this.viewer.setLabels(displayed.labels)
    this.#parts.render(countPerPart(displayed.labels, partCount), displayed.result.kind === 'points' ? 'points' : 'faces')
    const pieces = partCount > displayed.requestedParts ? ` (the mesh has ${partCount} pieces that stay apart)` : ''
    this.ui.partCountOutput.textContent = `${partCount}${pieces}`

    const serverParts = displayed.result.partCount
    this.ui.downloadsNote.textContent = displayed.labels === displayed.result.labels
      ? `The files have the ${serverParts} parts shown.`
      : `The files on the daemon have ${serverParts} parts; a download first recuts them to the ${partCount} parts shown.`
    renderDownloads(this.ui.downloadList, displayed.result.files, (file) => void this.download(file))
  }

  #showSummary(final: JobStatus): void {
    const result = this.displayed!.result
    const seconds = Object.values(result.timings).reduce((sum, ms) => sum + (ms ?? 0), 0) / 1000
    const unit = result.kind === 'points' ? 'points' : 'faces'
    this.ui.resultSummary.textContent =
      `${final.input.name}: ${result.faceCount.toLocaleString('en')} ${unit}, ${result.partCount} parts` +
      `${result.autoPartCount ? ' (chosen automatically)' : ''}, ${result.backend} on ${result.device}, ${seconds.toFixed(1)} s.`
    if (result.warnings.length > 0) this.ui.resultSummary.textContent += ` Warnings: ${result.warnings.join('; ')}`
    this.ui.viewSwitch.disabled = false
    this.ui.pcaRadio.disabled = result.pca === null
    if (result.pca === null && this.viewer.mode === 'pca') {
      this.ui.partsRadio.checked = true
      this.viewer.setMode('parts')
    }
    this.#status.show(`Done: ${result.partCount} parts in ${seconds.toFixed(1)} s`, 1)
  }

  #fail(error: unknown): void {
    this.#status.showError(explainError(error))
    if (error instanceof ApiError && error.code === 'unauthorized') {
      this.ui.tokenForm.hidden = false
      this.ui.tokenInput.focus()
    }
    this.#setPhase(this.displayed ? 'done' : 'failed')
    this.#status.show('Failed: see the message below.', 0)
  }

  #setPhase(phase: Phase): void {
    this.phase = phase
    document.body.dataset.phase = phase
    this.#updateButtons()
  }

  #updateButtons(): void {
    const busy = this.#running !== undefined
    this.ui.segmentButton.disabled = busy || this.#files.length === 0 || !this.#health
    this.ui.cancelButton.hidden = !busy
    this.#form.setDisabled(busy)
  }
}
