/**
 * Runs queued work with a concurrency limit shared by every watched folder, first in, first out.
 * Resumed jobs go to the front, so files a crash left in processing/ finish first.
 */
export type Work = () => Promise<void>

export class JobQueue {
  readonly #limit: number
  readonly #waiting: Work[] = []
  #running = 0
  #idleWaiters: Array<() => void> = []

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`invalid concurrency ${limit}; expected an integer of at least 1`)
    this.#limit = limit
  }

  get running(): number {
    return this.#running
  }

  get waiting(): number {
    return this.#waiting.length
  }

  /** Queues work; `first` puts it ahead of everything waiting. Work must not reject. */
  push(work: Work, first = false): void {
    if (first) this.#waiting.unshift(work)
    else this.#waiting.push(work)
    this.#startNext()
  }

  /** Resolves when nothing runs and nothing waits. */
  idle(): Promise<void> {
    if (this.#running === 0 && this.#waiting.length === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idleWaiters.push(resolve))
  }

  #startNext(): void {
    while (this.#running < this.#limit && this.#waiting.length > 0) {
      const work = this.#waiting.shift()!
      this.#running++
      void work().finally(() => {
        this.#running--
        this.#startNext()
        if (this.#running === 0 && this.#waiting.length === 0) {
          for (const resolve of this.#idleWaiters.splice(0)) resolve()
        }
      })
    }
  }
}
