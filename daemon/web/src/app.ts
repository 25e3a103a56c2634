/**
 * The page's controller: connects to the daemon, uploads a mesh, follows the job, shows the
 * result and keeps the slider, part list, 3D view and downloads in step.
 */
import type { FileInfo, HealthResponse, JobStatus } from '../../../protocol/src/messages.js'
import { cutTree } from '../../../protocol/src/part-tree.js'
import { ApiError, DaemonClient, type Upload } from './api.js'
import { saveBlob } from './download-list.js'
import { explainError, type Explanation } from './error-text.js'
import { followJob } from './job-events.js'
import { loadOriginalModel, REOPENED_NOTE } from './original-model.js'
import type { PageElements } from './page-elements.js'
import type { UnavailableBackends } from './param-fields.js'
import { InvalidParamsError, ParamsForm } from './params-form.js'
import { readPly } from './ply-reader.js'
import { ResultPanel, type DisplayedJob } from './result-panel.js'
import { StatusView } from './status-view.js'
import { TokenPanel } from './token-panel.js'
import { tokenSourceOf } from './token-source.js'
import { TokenStore } from './token-store.js'
import { formatBytes, planUpload } from './upload-picker.js'
import { buildViewMesh } from './view-mesh.js'
import { Viewer, type ViewMode } from './viewer.js'

export type { DisplayedJob } from './result-panel.js'
export type Phase = 'connecting' | 'ready' | 'uploading' | 'waiting' | 'loading-result' | 'done' | 'failed'

/** How long slider moves on a result without a merge tree wait before asking the daemon. */
const SERVER_RECUT_DELAY_MS = 400

export class App {
  phase: Phase = 'connecting'
  displayed: DisplayedJob | undefined
  readonly viewer: Viewer
  readonly token = new TokenStore()
  #client = new DaemonClient(() => this.token.value)
  #health: HealthResponse | undefined
  /** True after a request got no response, so the next Segment checks the daemon first. */
  #unreachable = false
  #files: File[] = []
  /** The reason the selected files cannot be sent. Segment stays disabled while it is set. */
  #selectionError: Explanation | undefined
  #running: AbortController | undefined
  #runningId: string | undefined
  #recutTimer: ReturnType<typeof setTimeout> | undefined
  #originalNote: string | undefined
  #form: ParamsForm
  #status: StatusView
  #results: ResultPanel
  #tokenPanel: TokenPanel

  constructor(readonly ui: PageElements) {
    this.#form = new ParamsForm(ui.paramFields)
    this.#status = new StatusView(ui.progressLabel, ui.progressBar, ui.errorBox)
    this.#results = new ResultPanel(ui)
    this.#tokenPanel = new TokenPanel({ form: ui.tokenForm, input: ui.tokenInput, help: ui.tokenHelp, change: ui.tokenChange })
    this.viewer = new Viewer(ui.viewerHost)
    this.viewer.onHover = (part) => {
      this.#results.parts.setActive(part)
      this.viewer.highlight(part)
    }
    this.#results.parts.onHover = (part) => this.viewer.highlight(part)
    this.#updateButtons()
  }

  /** Reads /v1/health, then reopens the job named in the address (#job=ID), if any. */
  async connect(tokenEntered = false): Promise<void> {
    this.phase = 'connecting'
    if (!(await this.#checkHealth(tokenEntered))) return
    this.phase = 'ready'
    const id = new URLSearchParams(location.hash.slice(1)).get('job')
    if (id && !this.displayed) await this.#openJob(id)
  }

  saveToken(value: string): Promise<void> {
    this.token.value = value.trim() || undefined
    return this.connect(true)
  }

  selectFiles(files: File[]): void {
    this.#files = files
    this.#status.clearError()
    const names = files.map((file) => `${file.name} (${formatBytes(file.size)})`).join(', ')
    this.ui.fileSummary.textContent = `Selected: ${names}`
    this.#checkSelection()
    this.#updateButtons()
  }

  async segment(): Promise<void> {
    this.#status.clearError()
    if (this.#unreachable && !(await this.#checkHealth(false))) return
    let upload: Upload
    let params: Record<string, string>
    try {
      upload = planUpload(this.#files, this.#health?.limits.maxUploadBytes)
      params = this.#form.read()
    } catch (error) {
      if (!(error instanceof InvalidParamsError)) return this.#fail(error)
      // The message is under the field, which now has the focus.
      this.#status.show(`Not sent: correct ${joinWords(error.labels)} first.`, 0)
      return
    }

    const abort = new AbortController()
    this.#clearResult()
    this.#running = abort
    this.#setPhase('uploading')
    let failure: { error: unknown } | undefined
    try {
      const queued = await this.#client.submit(upload, params, (sent, total) => this.#status.uploading(upload.mesh.name, sent, total))
      this.#runningId = queued.id
      history.replaceState(null, '', `#job=${queued.id}`)
      this.#setPhase('waiting')
      const final = await followJob(this.#client, queued.id, (status) => this.#status.job(status), abort.signal)
      await this.#finish(final, upload)
    } catch (error) {
      if (!abort.signal.aborted) failure = { error }
    } finally {
      this.#endRun(abort)
    }
    // After the run has ended, so that Segment is enabled again when the failure moves the focus to it.
    if (failure) this.#fail(failure.error)
  }

  async cancel(): Promise<void> {
    const abort = this.#running
    const id = this.#runningId
    if (!abort) return
    abort.abort()
    this.#running = undefined
    this.#runningId = undefined
    history.replaceState(null, '', location.pathname + location.search)
    this.#setPhase(this.displayed ? 'done' : 'ready')
    this.#status.show('Cancelled', 0)
    restoreFocus(this.ui.segmentButton)
    if (id) await this.#client.cancel(id).catch((error: unknown) => this.#fail(error))
  }

  setMode(mode: ViewMode): void {
    this.viewer.setMode(mode)
    this.#showOriginalNote()
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

  /** Reads /v1/health and shows the daemon, or the problem, in the top bar; returns whether it responded. */
  async #checkHealth(tokenEntered: boolean): Promise<boolean> {
    let health: HealthResponse
    try {
      health = await this.#client.health()
    } catch (error) {
      this.#health = undefined
      if (error instanceof ApiError && error.code === 'unauthorized') {
        this.#askForToken(error, tokenEntered)
      } else {
        this.#showUnreachable()
        this.#status.showError(explainError(error))
      }
      this.#updateButtons()
      return false
    }

    this.#health = health
    this.#unreachable = false
    this.#tokenPanel.collapse(health.authRequired)
    this.#form.setDefaultBackend(health.backend)
    this.#form.setUnavailableBackends(unavailableBackends(health))
    const device = health.device ?? 'device not loaded yet'
    this.ui.daemonStatus.textContent =
      `Daemon ${health.version}: ${health.backend} backend on ${device}, uploads up to ${formatBytes(health.limits.maxUploadBytes)}`
    this.#status.clearError()
    // The upload limit is known now, so a selection made before is checked against it.
    if (this.#files.length > 0) this.#checkSelection()
    this.#updateButtons()
    return true
  }

  #askForToken(error: ApiError, tokenEntered: boolean): void {
    this.#tokenPanel.ask(tokenSourceOf(error.message))
    if (tokenEntered && this.token.value) {
      this.ui.daemonStatus.textContent = 'The access token you entered was not accepted. Check it and save it again.'
    } else if (this.token.value) {
      this.ui.daemonStatus.textContent = 'The access token saved in this browser was not accepted. Enter the current one.'
    } else {
      this.ui.daemonStatus.textContent = 'This daemon requires an access token.'
    }
  }

  #showUnreachable(): void {
    this.#unreachable = true
    this.ui.daemonStatus.textContent = `The daemon at ${location.host} cannot be reached; it may have stopped.`
  }

  /** Checks the selected files against the upload rules and shows the outcome in the status line. */
  #checkSelection(): void {
    try {
      planUpload(this.#files, this.#health?.limits.maxUploadBytes)
      this.#selectionError = undefined
      this.#status.show(this.#health ? 'Ready to segment.' : `Segment becomes available once ${this.#awaited()} (see the top of the page).`, 0)
    } catch (error) {
      this.#selectionError = explainError(error)
      this.#status.showError(this.#selectionError)
      this.#status.show('Cannot segment this selection: see the message below.', 0)
    }
  }

  /** Returns what the page waits for before it can send: an accepted token, or any response. */
  #awaited(): string {
    return this.ui.tokenForm.hidden ? 'the daemon responds' : 'the daemon accepts the access token'
  }

  /** Removes the result on screen, so that nothing of it is taken for the next file's. */
  #clearResult(): void {
    clearTimeout(this.#recutTimer)
    this.displayed = undefined
    this.viewer.clear()
    this.#results.clear()
    this.#originalNote = undefined
    this.#showOriginalNote()
    history.replaceState(null, '', location.pathname + location.search)
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
    this.#results.setupSlider(result)
    this.#showLabels()
    const seconds = this.#results.showSummary(final, result)
    if (result.pca === null && this.viewer.mode === 'pca') {
      this.ui.partsRadio.checked = true
      this.setMode('parts')
    }
    // A reopened job shows the parameters it ran with, not the last ones sent from this browser.
    if (!upload) this.#form.showJobParams(result.params, result.autoPartCount)
    this.#status.show(`Done: ${result.partCount} parts in ${seconds.toFixed(1)} s`, 1)
    this.#setPhase('done')
    // Only a job this page ran took the focus from Segment; a reopened one leaves the page as loaded.
    // The view stays where it is, so a phone keeps the model in sight above the result.
    if (upload) restoreFocus(this.ui.resultHeading, { preventScroll: true })
    this.#loadOriginal(final.id, upload)
  }

  /** Loads the uploaded glTF for the original view in the background, for the job still on screen. */
  #loadOriginal(id: string, upload: Upload | undefined): void {
    if (!upload) {
      this.#originalNote = REOPENED_NOTE
      this.#showOriginalNote()
      return
    }
    void loadOriginalModel(upload).then((model) => {
      if (this.displayed?.id !== id) return
      this.viewer.setOriginal(model.object)
      this.#originalNote = model.note
      this.#showOriginalNote()
    })
  }

  #showOriginalNote(): void {
    const note = this.viewer.mode === 'original' ? this.#originalNote : undefined
    this.ui.viewerNote.textContent = note ?? ''
    this.ui.viewerNote.hidden = note === undefined
  }

  /** Shows a job named in the address (#job=ID), so a reload keeps the result on screen. */
  async #openJob(id: string): Promise<void> {
    const abort = new AbortController()
    this.#running = abort
    this.#runningId = id
    this.#setPhase('waiting')
    let failure: { error: unknown } | undefined
    try {
      const final = await followJob(this.#client, id, (status) => this.#status.job(status), abort.signal)
      await this.#finish(final, undefined)
    } catch (error) {
      if (!abort.signal.aborted) failure = { error }
    } finally {
      this.#endRun(abort)
    }
    if (!failure) return
    // An expired job would otherwise fail again at every reload of this address.
    if (failure.error instanceof ApiError && failure.error.code === 'not-found') history.replaceState(null, '', location.pathname)
    this.#fail(failure.error)
  }

  #endRun(abort: AbortController): void {
    if (this.#running === abort) {
      this.#running = undefined
      this.#runningId = undefined
    }
    this.#updateButtons()
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

  /** Recolours the model and refreshes the part list, slider output and downloads. */
  #showLabels(): void {
    const displayed = this.displayed!
    this.viewer.setLabels(displayed.labels)
    this.#results.showLabels(displayed, (file) => void this.download(file))
  }

  #fail(error: unknown): void {
    if (error instanceof ApiError && error.code === 'network') this.#showUnreachable()
    this.#status.showError(explainError(error))
    this.#setPhase(this.displayed ? 'done' : 'failed')
    this.#status.show('Failed: see the message below.', 0)
    if (error instanceof ApiError && error.code === 'unauthorized') this.#askForToken(error, false)
    else restoreFocus(this.ui.segmentButton)
  }

  #setPhase(phase: Phase): void {
    this.phase = phase
    document.body.dataset.phase = phase
    this.#updateButtons()
  }

  #updateButtons(): void {
    const busy = this.#running !== undefined
    const sendable = this.#files.length > 0 && this.#health !== undefined && this.#selectionError === undefined
    this.ui.segmentButton.disabled = busy || !sendable
    this.ui.cancelButton.hidden = !busy
    this.#form.setDisabled(busy)
  }
}

/** Backends the daemon cannot run, from its health report, with the note shown beside each. */
function unavailableBackends(health: HealthResponse): UnavailableBackends {
  const unavailable: UnavailableBackends = new Map()
  if (!health.model.present) unavailable.set('partfield', 'model not installed on this daemon')
  return unavailable
}

/**
 * Moves the focus to `target` when it was lost: on the page itself, or on a control that was
 * just disabled or hidden (Segment while a job runs, Cancel after it). Focus the user placed
 * elsewhere stays where it is.
 */
function restoreFocus(target: HTMLElement, options?: FocusOptions): void {
  const active = document.activeElement as HTMLElement | null
  const lost = !active || active === document.body || (active as HTMLButtonElement).disabled === true || active.getClientRects().length === 0
  if (lost && !(target as HTMLButtonElement).disabled) target.focus(options)
}

function joinWords(words: string[]): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`
}
