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

/** Status line text for a job, and the bar's fraction (undefined: indeterminate). */
export interface JobProgress {
  text: string
  fraction: number | undefined
}

/**
 * Describes a queued or running job; undefined for other states. A stage whose progress is
 * still 0 shows no percentage and an indeterminate bar, because some stages (and backends)
 * report nothing until they end, and a bar stuck at 0% reads as a hang.
 */
export function describeJobProgress(status: JobStatus): JobProgress | undefined {
  if (status.state === 'queued') {
    const position = status.queuePosition === null ? '' : `, position ${status.queuePosition} in the queue`
    return { text: `Waiting for the daemon${position}`, fraction: 0.1 }
  }
  if (status.state !== 'running' || status.stage === null) return undefined

  const index = STAGES.indexOf(status.stage) + 1
  const stage = `Stage ${index} of ${STAGES.length}, ${status.stage}: ${STAGE_TEXT[status.stage]}`
  if (status.stageProgress <= 0) return { text: `${stage}…`, fraction: undefined }
  const stagePercent = Math.round(100 * status.stageProgress)
  // The job fills the bar after the upload's first tenth.
  return { text: `${stage} (${stagePercent}%)`, fraction: 0.1 + 0.9 * status.progress }
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
    const progress = describeJobProgress(status)
    if (progress) this.show(progress.text, progress.fraction)
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
