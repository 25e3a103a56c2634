/** Machine-readable reason an export failed; the CLI and the daemon may branch on it. */
export type ExportErrorCode = 'invalid-segmentation' | 'invalid-name' | 'target-exists'

/** Error for a segmentation that cannot be exported or an output that must not be written. */
export class ExportError extends Error {
  override readonly name = 'ExportError'
  readonly code: ExportErrorCode

  constructor(code: ExportErrorCode, message: string) {
    super(message)
    this.code = code
  }
}
