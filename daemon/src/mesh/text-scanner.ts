import { MeshParseError } from './errors.js'

const NEWLINE = 0x0a
const CARRIAGE_RETURN = 0x0d
const SPACE = 0x20
const TAB = 0x09
const VERTICAL_TAB = 0x0b
const FORM_FEED = 0x0c
const BACKSLASH = 0x5c
const DOT = 0x2e
const PLUS = 0x2b
const MINUS = 0x2d
const DIGIT_0 = 0x30
const DIGIT_9 = 0x39
const LOWER_E = 0x65
const UPPER_E = 0x45

/** Mantissa digits kept exactly; further digits only scale the exponent (float32 needs ~9). */
const MAX_MANTISSA_DIGITS = 17

const POWERS_OF_TEN = Array.from({ length: 309 }, (_, exponent) => Number(`1e${exponent}`))

/** Spellings of NaN and infinity that C and C++ programs print (`printf`, MSVC's `1.#INF`). */
const NON_FINITE_TOKEN = /^[+-]?(nan|-?nan\(ind\)|inf|infinity|1\.#(inf|qnan|snan|ind)0*)$/i

export interface TextScannerOptions {
  fileName: string
  /** Byte that starts a comment running to the end of the line, or -1 for none. */
  commentByte?: number
  /** Whether a backslash at the end of a line joins it to the next one (OBJ). */
  lineContinuation?: boolean
}

/**
 * A cursor over ASCII bytes that reads numbers without building strings, so multi-million-line
 * files parse without a string per token. It tracks the 1-based line number for messages and
 * throws MeshParseError ('syntax' or 'truncated') naming the line and what it expected.
 */
export class TextScanner {
  readonly bytes: Uint8Array
  readonly fileName: string
  pos = 0
  line = 1
  readonly #commentByte: number
  readonly #lineContinuation: boolean

  constructor(bytes: Uint8Array, options: TextScannerOptions) {
    this.bytes = bytes
    this.fileName = options.fileName
    this.#commentByte = options.commentByte ?? -1
    this.#lineContinuation = options.lineContinuation ?? false
  }

  get atEnd(): boolean {
    return this.pos >= this.bytes.length
  }

  /** Skips spaces and tabs on the current line (and line continuations where enabled). */
  skipBlanks(): void {
    const bytes = this.bytes
    let pos = this.pos
    while (pos < bytes.length) {
      const byte = bytes[pos]
      if (byte === SPACE || byte === TAB || byte === CARRIAGE_RETURN || byte === VERTICAL_TAB || byte === FORM_FEED) {
        pos++
      } else if (byte === BACKSLASH && this.#lineContinuation && this.#isContinuation(pos)) {
        pos = bytes[pos + 1] === NEWLINE ? pos + 2 : pos + 3
        this.line++
      } else {
        break
      }
    }
    this.pos = pos
  }

  /** Skips whitespace, newlines and comments up to the next token or the end of the bytes. */
  skipWhitespace(): void {
    for (;;) {
      this.skipBlanks()
      if (this.pos >= this.bytes.length) return
      const byte = this.bytes[this.pos]
      if (byte === NEWLINE) {
        this.pos++
        this.line++
      } else if (byte === this.#commentByte) {
        this.skipLine()
      } else {
        return
      }
    }
  }

  /** Whether only blanks or a comment remain on the current line. */
  atLineEnd(): boolean {
    this.skipBlanks()
    if (this.pos >= this.bytes.length) return true
    const byte = this.bytes[this.pos]
    return byte === NEWLINE || byte === this.#commentByte
  }

  /** Moves past the next newline, ignoring the rest of the current line. */
  skipLine(): void {
    const bytes = this.bytes
    let pos = this.pos
    while (pos < bytes.length) {
      const byte = bytes[pos++]
      if (byte === NEWLINE) {
        this.line++
        break
      }
      if (byte === BACKSLASH && this.#lineContinuation && this.#isContinuation(pos - 1)) {
        pos = bytes[pos] === NEWLINE ? pos + 1 : pos + 2
        this.line++
      }
    }
    this.pos = pos
  }

  /** Reads a number on the current line; `what` names it in the error when there is none. */
  readFloat(what: string): number {
    this.skipBlanks()
    return this.#readFloatHere(what)
  }

  /** Reads a number, skipping newlines and comments before it. */
  readFloatAnyLine(what: string): number {
    this.skipWhitespace()
    return this.#readFloatHere(what)
  }

  /** Reads a decimal integer on the current line, which must end at a blank, newline or `/`. */
  readInt(what: string): number {
    this.skipBlanks()
    return this.#readIntHere(what)
  }

  /** Reads a decimal integer, skipping newlines and comments before it. */
  readIntAnyLine(what: string): number {
    this.skipWhitespace()
    return this.#readIntHere(what)
  }

  /** Reads the run of non-blank bytes at the cursor as text (keywords, names). */
  readWord(): string {
    this.skipBlanks()
    const start = this.pos
    while (this.pos < this.bytes.length && !isDelimiter(this.bytes[this.pos])) this.pos++
    return latin1(this.bytes, start, this.pos)
  }

  /** Returns the rest of the current line, trimmed, without moving the cursor past it. */
  restOfLine(): string {
    this.skipBlanks()
    const start = this.pos
    let end = start
    while (end < this.bytes.length && this.bytes[end] !== NEWLINE) end++
    return latin1(this.bytes, start, end).trim()
  }

  /** Builds the error for an unexpected token (or the end of the file) at the cursor. */
  errorHere(expected: string): MeshParseError {
    if (this.pos >= this.bytes.length) {
      return new MeshParseError('truncated', this.fileName, `line ${this.line}`,
        `expected ${expected}, found the end of the file`)
    }
    const token = this.#tokenPreview()
    const found = token === '' ? 'the end of the line' : `'${token}'`
    return new MeshParseError('syntax', this.fileName, `line ${this.line}`, `expected ${expected}, found ${found}`)
  }

  #readFloatHere(what: string): number {
    const bytes = this.bytes
    const start = this.pos
    let pos = start
    let negative = false
    if (bytes[pos] === MINUS || bytes[pos] === PLUS) negative = bytes[pos++] === MINUS

    let mantissa = 0
    let digits = 0
    let exponent = 0
    let byte = bytes[pos]
    while (byte >= DIGIT_0 && byte <= DIGIT_9) {
      if (digits < MAX_MANTISSA_DIGITS) mantissa = mantissa * 10 + (byte - DIGIT_0)
      else exponent++
      digits++
      byte = bytes[++pos]
    }
    if (byte === DOT) {
      byte = bytes[++pos]
      while (byte >= DIGIT_0 && byte <= DIGIT_9) {
        if (digits < MAX_MANTISSA_DIGITS) {
          mantissa = mantissa * 10 + (byte - DIGIT_0)
          exponent--
        }
        digits++
        byte = bytes[++pos]
      }
    }
    if (digits === 0) return this.#readOddFloat(start, what)

    if (byte === LOWER_E || byte === UPPER_E) {
      const exponentStart = pos
      byte = bytes[++pos]
      let exponentNegative = false
      if (byte === MINUS || byte === PLUS) {
        exponentNegative = byte === MINUS
        byte = bytes[++pos]
      }
      let written = 0
      let exponentDigits = 0
      while (byte >= DIGIT_0 && byte <= DIGIT_9) {
        if (written < 10000) written = written * 10 + (byte - DIGIT_0)
        exponentDigits++
        byte = bytes[++pos]
      }
      if (exponentDigits === 0) pos = exponentStart
      else exponent += exponentNegative ? -written : written
    }
    if (pos < bytes.length && !isDelimiter(bytes[pos]) && bytes[pos] !== this.#commentByte) {
      return this.#readOddFloat(start, what)
    }

    this.pos = pos
    const magnitude = scaleByPowerOfTen(mantissa, exponent)
    return negative ? -magnitude : magnitude
  }

  /** Slow path for tokens the fast path does not cover: NaN and infinity spellings. */
  #readOddFloat(start: number, what: string): number {
    let end = start
    while (end < this.bytes.length && !isDelimiter(this.bytes[end])) end++
    const token = latin1(this.bytes, start, end)
    if (!NON_FINITE_TOKEN.test(token)) {
      this.pos = start
      throw this.errorHere(what)
    }
    this.pos = end
    if (/nan|qnan|snan|ind/i.test(token)) return Number.NaN
    return token.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY
  }

  #readIntHere(what: string): number {
    const bytes = this.bytes
    let pos = this.pos
    let negative = false
    if (bytes[pos] === MINUS || bytes[pos] === PLUS) negative = bytes[pos++] === MINUS

    let value = 0
    let digits = 0
    let byte = bytes[pos]
    while (byte >= DIGIT_0 && byte <= DIGIT_9) {
      value = value * 10 + (byte - DIGIT_0)
      digits++
      byte = bytes[++pos]
    }
    if (digits === 0 || (pos < bytes.length && !isDelimiter(byte) && byte !== SLASH && byte !== this.#commentByte)) {
      throw this.errorHere(what)
    }
    this.pos = pos
    return negative ? -value : value
  }

  #isContinuation(pos: number): boolean {
    const next = this.bytes[pos + 1]
    return next === NEWLINE || (next === CARRIAGE_RETURN && this.bytes[pos + 2] === NEWLINE)
  }

  #tokenPreview(): string {
    let end = this.pos
    while (end < this.bytes.length && !isDelimiter(this.bytes[end]) && end - this.pos < 40) end++
    return latin1(this.bytes, this.pos, end)
  }
}

const SLASH = 0x2f

function isDelimiter(byte: number): boolean {
  return byte === SPACE || byte === TAB || byte === NEWLINE || byte === CARRIAGE_RETURN ||
    byte === VERTICAL_TAB || byte === FORM_FEED
}

function scaleByPowerOfTen(mantissa: number, exponent: number): number {
  if (exponent === 0 || mantissa === 0) return mantissa
  // Dividing by an exact power of ten rounds once, where multiplying by 1e-n would round twice.
  if (exponent > 0) return exponent <= 308 ? mantissa * POWERS_OF_TEN[exponent] : mantissa * 10 ** exponent
  return -exponent <= 308 ? mantissa / POWERS_OF_TEN[-exponent] : mantissa * 10 ** exponent
}

/** Decodes bytes as Latin-1, which cannot fail, for keywords and messages. */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  let text = ''
  for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i])
  return text
}
