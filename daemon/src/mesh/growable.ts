/**
 * Append-only typed arrays for parsers that do not know their element counts up front (OBJ, or
 * files whose header lies). They double their capacity, so appending n values costs O(n) copies.
 */

const INITIAL_CAPACITY = 1024

export class GrowableFloat32 {
  #data = new Float32Array(INITIAL_CAPACITY)
  length = 0

  push(value: number): void {
    if (this.length === this.#data.length) this.#data = grow(this.#data, new Float32Array(this.length * 2))
    this.#data[this.length++] = value
  }

  push3(x: number, y: number, z: number): void {
    if (this.length + 3 > this.#data.length) this.#data = grow(this.#data, new Float32Array(this.length * 2 + 3))
    const data = this.#data
    data[this.length] = x
    data[this.length + 1] = y
    data[this.length + 2] = z
    this.length += 3
  }

  get(index: number): number {
    return this.#data[index]
  }

  /** Returns a copy trimmed to `length`. */
  toArray(): Float32Array {
    return this.#data.slice(0, this.length)
  }
}

export class GrowableUint32 {
  #data = new Uint32Array(INITIAL_CAPACITY)
  length = 0

  push(value: number): void {
    if (this.length === this.#data.length) this.#data = grow(this.#data, new Uint32Array(this.length * 2))
    this.#data[this.length++] = value
  }

  get(index: number): number {
    return this.#data[index]
  }

  /** Returns a copy trimmed to `length`. */
  toArray(): Uint32Array {
    return this.#data.slice(0, this.length)
  }
}

export class GrowableInt32 {
  #data = new Int32Array(INITIAL_CAPACITY)
  length = 0

  push(value: number): void {
    if (this.length === this.#data.length) this.#data = grow(this.#data, new Int32Array(this.length * 2))
    this.#data[this.length++] = value
  }

  get(index: number): number {
    return this.#data[index]
  }

  /** Returns a copy trimmed to `length`. */
  toArray(): Int32Array {
    return this.#data.slice(0, this.length)
  }
}

function grow<T extends Float32Array | Uint32Array | Int32Array>(old: T, larger: T): T {
  larger.set(old)
  return larger
}
