/** Running totals over every folder since the watcher started, for the summary lines. */
export interface TotalsSnapshot {
  done: number
  failed: number
  /** Source faces of every finished mesh. */
  faces: number
  /** Points of every finished point cloud. */
  points: number
  /** Seconds spent on finished files, summed (jobs that overlap count fully). */
  seconds: number
}

export class RunTotals {
  #done = 0
  #failed = 0
  #faces = 0
  #points = 0
  #seconds = 0

  /** Counts a finished file: `count` is its faces, or its points for a point cloud. */
  addDone(kind: 'mesh' | 'points', count: number, seconds: number): TotalsSnapshot {
    this.#done++
    if (kind === 'points') this.#points += count
    else this.#faces += count
    this.#seconds += seconds
    return this.snapshot()
  }

  addFailed(): TotalsSnapshot {
    this.#failed++
    return this.snapshot()
  }

  snapshot(): TotalsSnapshot {
    return { done: this.#done, failed: this.#failed, faces: this.#faces, points: this.#points, seconds: Math.round(this.#seconds * 10) / 10 }
  }
}
