/** Running totals over every folder since the watcher started, for the summary lines. */
export interface TotalsSnapshot {
  done: number
  failed: number
  /** Source faces of every finished file. */
  faces: number
  /** Seconds spent on finished files, summed (jobs that overlap count fully). */
  seconds: number
}

export class RunTotals {
  #done = 0
  #failed = 0
  #faces = 0
  #seconds = 0

  addDone(faces: number, seconds: number): TotalsSnapshot {
    this.#done++
    this.#faces += faces
    this.#seconds += seconds
    return this.snapshot()
  }

  addFailed(): TotalsSnapshot {
    this.#failed++
    return this.snapshot()
  }

  snapshot(): TotalsSnapshot {
    return { done: this.#done, failed: this.#failed, faces: this.#faces, seconds: Math.round(this.#seconds * 10) / 10 }
  }
}
