import type { ProgressEvent } from '../pipeline/progress.js'

const WIDTH = 28

/**
 * Draws one progress line on a terminal, redrawn in place. On a pipe or log file it prints one
 * line per stage instead, so captured output stays readable.
 */
export class ProgressBar {
  readonly #stream: NodeJS.WriteStream
  readonly #interactive: boolean
  #lastStage = ''
  #lastDraw = 0
  /** True while the cursor sits at the end of a drawn bar, so the next message needs a newline. */
  #midLine = false

  constructor(stream: NodeJS.WriteStream) {
    this.#stream = stream
    this.#interactive = stream.isTTY === true
  }

  update(event: ProgressEvent): void {
    if (!this.#interactive) {
      if (event.stage !== this.#lastStage) this.#stream.write(`${event.stage}...\n`)
      this.#lastStage = event.stage
      return
    }

    // Redrawing more than ~20 times a second only costs time on slow terminals.
    const now = Date.now()
    if (now - this.#lastDraw < 50 && event.fraction < 1) return
    this.#lastDraw = now
    const filled = Math.round(event.overall * WIDTH)
    const bar = '#'.repeat(filled) + '.'.repeat(WIDTH - filled)
    const percent = String(Math.round(event.overall * 100)).padStart(3)
    this.#stream.write(`\r[${bar}] ${percent}% ${event.stage.padEnd(9)}`)
    this.#midLine = true
  }

  /** Ends the bar's line, if one is drawn, so messages after it start on their own line. */
  done(): void {
    if (this.#midLine) this.#stream.write('\n')
    this.#midLine = false
  }
}
