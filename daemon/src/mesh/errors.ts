/** Machine-readable reason a mesh was rejected; clients may branch on it. */
export type MeshErrorCode =
  | 'empty'
  | 'bad-magic'
  | 'unsupported-format'
  | 'syntax'
  | 'truncated'
  | 'index-out-of-range'
  | 'non-finite'
  | 'face-too-small'
  | 'no-faces'
  | 'too-many-faces'
  | 'missing-resource'
  | 'decode-failed'

/**
 * Error for input that cannot be loaded. The message names the file, the position (line, byte
 * offset, accessor or element) and what was expected, so a user can find the problem.
 */
export class MeshParseError extends Error {
  override readonly name = 'MeshParseError'
  readonly code: MeshErrorCode
  readonly file: string
  readonly position: string | undefined

  constructor(code: MeshErrorCode, file: string, position: string | undefined, detail: string) {
    super(position ? `${file}: ${position}: ${detail}` : `${file}: ${detail}`)
    this.code = code
    this.file = file
    this.position = position
  }
}
