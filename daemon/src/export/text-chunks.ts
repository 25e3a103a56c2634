// Lines are joined and encoded in batches, so a million-face OBJ never exists as one huge string.
const LINES_PER_CHUNK = 65_536

/** Collects text lines and encodes them to UTF-8 in batches. */
export class TextChunks {
  #lines: string[] = []
  #chunks: Uint8Array[] = []
  #encoder = new TextEncoder()

  push(line: string): void {
    this.#lines.push(line)
    if (this.#lines.length >= LINES_PER_CHUNK) this.#flush()
  }

  /** Returns every line so far, each ended by a newline, as one byte array. */
  finish(): Uint8Array {
    this.#flush()
    const total = this.#chunks.reduce((sum, chunk) => sum + chunk.length, 0)
    const out = new Uint8Array(total)
    let at = 0
    for (const chunk of this.#chunks) {
      out.set(chunk, at)
      at += chunk.length
    }
    return out
  }

  #flush(): void {
    if (this.#lines.length === 0) return
    this.#chunks.push(this.#encoder.encode(`${this.#lines.join('\n')}\n`))
    this.#lines = []
  }
}
