/** The progress bar with its stage line, and the error box. */
import type { JobStatus } from '../../../protocol/src/messages.js'
import { STAGES, type StageName } from '../../../protocol/src/messages.js'
import type { Explanation } from './error-text.js'

const STAGE_TEXT: Record<StageName, string> = {
  load: 'reading the mesh',
  prepare: 'cleaning and joining the mesh',
  features: 'computing the feature field',
  cluster: 'clustering faces into parts',
  pca: 'computing the feature colours',
  export: 'writing the download files',
}

export class StatusView {
  constructor(
    readonly label: HTMLElement,
    readonly bar: HTMLProgressElement,
    readonly errorBox: HTMLElement,
  ) {}

  /** Shows a plain message, with the bar at `fraction` (undefined: indeterminate). */
  show(message: string, fraction?: number): void {
    this.label.textContent = message
    if (fraction === undefined) this.bar.removeAttribute('value')
    else this.bar.value = fraction
  }

  uploading(name: string, sent: number, total: number): void {
    const fraction = total > 0 ? sent / total : undefined
    const percent = fraction === undefined ? '' : `: ${Math.round(100 * fraction)}%`
    // The upload fills the bar's first tenth; the job's own progress fills the rest.
    this.show(`Uploading ${name}${percent}`, fraction === undefined ? undefined : 0.1 * fraction)
  }

  job(status: JobStatus): void {
    if (status.state === 'queued') {
      const position = status.queuePosition === null ? '' : `, position ${status.queuePosition} in the queue`
      this.show(`Waiting for the daemon${position}`, 0.1)
      return
    }
    if (status.state !== 'running' || status.stage === null) return
    const index = STAGES.indexOf(status.stage) + 1
    const stagePercent = Math.round(100 * status.stageProgress)
    this.show(
      `Stage ${index} of ${STAGES.length}, ${status.stage}: ${STAGE_TEXT[status.stage]} (${stagePercent}%)`,
      0.1 + 0.9 * status.progress,
    )
  }

  showError(explanation: Explanation): void {
    const title = document.createElement('p')
    title.className = 'error-title'
    title.textContent = explanation.title
    const advice = document.createElement('p')
    advice.className = 'error-advice'
    advice.textContent = explanation.advice
    this.errorBox.replaceChildren(title, advice)
    if (explanation.detail) {
      const detail = document.createElement('p')
      detail.className = 'error-detail'
      detail.textContent = `Details: ${explanation.detail}`
      this.errorBox.append(detail)
    }
    this.errorBox.hidden = false
    this.errorBox.scrollIntoView({ block: 'nearest' })
  }

  clearError(): void {
    this.errorBox.hidden = true
    this.errorBox.replaceChildren()
  }
}
