/** A growable list of uint32 values backed by one typed array. */
export class Uint32Builder {
  #values: Uint32Array
  #length = 0

  constructor(initialCapacity = 1024) {
    this.#values = new Uint32Array(Math.max(16, initialCapacity))
  }

  get length(): number {
    return this.#length
  }

  push(value: number): void {
    if (this.#length === this.#values.length) this.#grow()
    this.#values[this.#length++] = value
  }

  pushPair(a: number, b: number): void {
    if (this.#length + 2 > this.#values.length) this.#grow()
    this.#values[this.#length++] = a
    this.#values[this.#length++] = b
  }

  /** Copy of the values pushed so far. */
  toArray(): Uint32Array {
    return this.#values.slice(0, this.#length)
  }

  #grow(): void {
    const next = new Uint32Array(this.#values.length * 2)
    next.set(this.#values)
    this.#values = next
  }
}
