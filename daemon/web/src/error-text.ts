/**
 * Error explanations for people: what went wrong in plain words and what to do about it, with
 * the daemon's own message kept as the detail.
 */
import { ApiError } from './api.js'
import { describeToken, tokenSourceOf } from './token-source.js'

export interface Explanation {
  title: string
  advice: string
  /** The daemon's or the browser's message, for the curious and for bug reports. */
  detail?: string
}

/** An error the page finds before sending anything, such as a file over the upload limit. */
export class PageError extends Error {
  override readonly name = 'PageError'

  constructor(readonly title: string, readonly advice: string) {
    super(title)
  }
}

type Explain = (error: ApiError) => Omit<Explanation, 'detail'>

const BY_CODE: Record<string, Explain> = {
  network: () => ({
    title: 'The daemon cannot be reached.',
    advice: 'Check that it is still running (npm start, or the pod is up), then reload this page.',
  }),
  unauthorized: (error) => ({
    title: 'The access token is missing or wrong.',
    advice: `Enter ${describeToken(tokenSourceOf(error.message))} in the Access token field at the top.`,
  }),
  'forbidden-host': () => ({
    title: 'The daemon refuses requests to this address.',
    advice: 'Without a token it only answers on localhost. Open the page at http://127.0.0.1 with the daemon\'s port, or set PARTFIELD_TOKEN and restart it.',
  }),
  'forbidden-origin': () => ({
    title: 'The daemon refuses requests from this page\'s address.',
    advice: 'Open the page the daemon itself serves, or restart the daemon with --cors-origin for this address.',
  }),
  'too-large': () => ({
    title: 'The upload is larger than the daemon accepts.',
    advice: 'Send a smaller or decimated mesh, or restart the daemon with a larger --max-upload-mb.',
  }),
  'invalid-param': (error) => ({
    title: `The parameter ${error.detail.field ?? ''} is not valid.`.replace('  ', ' '),
    advice: 'Correct that parameter in the form and segment again.',
  }),
  'backend-unavailable': () => ({
    title: 'The PartField model is not installed on this daemon.',
    advice: 'Choose the geometric backend (or auto), or install the model on the daemon and restart it.',
  }),
  'queue-full': (error) => ({
    title: 'The daemon is busy: its queue of waiting jobs is full.',
    advice: `Try again in ${error.detail.retryAfterSeconds ?? 30} seconds.`,
  }),
  'out-of-memory': () => ({
    title: 'The GPU or the machine ran out of memory.',
    advice: 'Lower points per face (for example to 500) or features per sample, or send a smaller mesh, and segment again.',
  }),
  interrupted: () => ({
    title: 'The daemon stopped while this job was running.',
    advice: 'Segment the mesh again. If it stops again, the mesh may be too large for the machine: lower points per face.',
  }),
  'insufficient-storage': () => ({
    title: 'The daemon\'s disk is nearly full.',
    advice: 'Free disk space on the machine that runs the daemon, or wait until old jobs expire, then try again.',
  }),
  'not-found': () => ({
    title: 'This job no longer exists.',
    advice: 'It was deleted or has expired. Segment the mesh again.',
  }),
  cancelled: () => ({ title: 'The job was cancelled.', advice: 'Segment again when you are ready.' }),
  'no-tree': () => ({
    title: 'This result has no merge tree to cut.',
    advice: 'It was made with k-means and a fixed part count. Segment again with the agglomerative method to change the count freely.',
  }),
  'unsupported-media-type': () => ({
    title: 'The daemon did not recognise the upload.',
    advice: 'Choose a file ending in .obj, .glb, .gltf, .off or .ply.',
  }),
}

const BY_MESH_REASON: Record<string, Omit<Explanation, 'detail'>> = {
  'too-many-faces': {
    title: 'The mesh has more faces than the daemon accepts.',
    advice: 'Decimate it in your 3D program, or restart the daemon with a larger --max-faces.',
  },
  'unsupported-format': {
    title: 'The file is not in a format the daemon reads.',
    advice: 'Export the mesh as OBJ, GLB, glTF, OFF or PLY.',
  },
}

export function explainError(error: unknown): Explanation {
  if (error instanceof PageError) return { title: error.title, advice: error.advice }
  if (!(error instanceof ApiError)) {
    return {
      title: 'Something went wrong in this page.',
      advice: 'Reload the page and try again. If it happens again, the detail below helps a bug report.',
      detail: error instanceof Error ? error.message : String(error),
    }
  }

  if (error.code === 'invalid-mesh') {
    if (error.detail.reason === 'missing-resource') return explainMissingResource(error.message)
    const known = BY_MESH_REASON[error.detail.reason ?? '']
    return {
      ...(known ?? {
        title: 'The file could not be read as a mesh.',
        advice: 'Check that it is a complete OBJ, GLB, glTF, OFF or PLY file. Exporting it again from your 3D program usually fixes this.',
      }),
      detail: error.message,
    }
  }
  const explain = BY_CODE[error.code]
  // The daemon's 401 message names the header an API client must send, so the page gives only its advice.
  if (explain && error.code === 'unauthorized') return explain(error)
  if (explain) return { ...explain(error), detail: error.message }
  return {
    title: error.status >= 500 ? 'The daemon failed with an internal error.' : `The request failed (HTTP ${error.status}).`,
    advice: 'Try again. If it happens again, the daemon\'s log has the details.',
    detail: error.message,
  }
}

/**
 * Explains a glTF buffer that was not uploaded. The daemon's message ends with advice for API
 * clients (multipart part names), which a page user cannot act on, so the detail drops it and
 * the advice names the files to select.
 */
function explainMissingResource(message: string): Explanation {
  const mesh = /^([^:]+\.gltf):/i.exec(message)?.[1]
  const missing = /cannot read '([^']+)'/.exec(message)?.[1]
  const advice = mesh && missing
    ? `Select ${missing} (and the textures ${mesh} uses) together with ${mesh}, in one selection.`
    : 'Select the .bin (and the textures) together with the .gltf, in one selection, or export a single .glb.'
  return { title: 'The mesh refers to a file that was not selected.', advice, detail: withoutApiAdvice(message) }
}

/** Removes the clauses of a daemon message that tell API clients how to shape a request. */
export function withoutApiAdvice(message: string): string {
  const cut = message.search(/;[^;]*\b(multipart|MessagePack)\b/)
  return cut < 0 ? message : message.slice(0, cut)
}
