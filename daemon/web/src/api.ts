/**
 * The page's client of the daemon's /v1 API. The page is served by the daemon, so every path is
 * relative to the page's own origin. Results come as MessagePack, whose typed arrays arrive as
 * raw bytes instead of long JSON number lists.
 */
import { decodeMsgpack, MSGPACK_TYPE } from '../../../protocol/src/codec.js'
import type { HealthResponse, JobStatus, SegmentResult } from '../../../protocol/src/messages.js'
import type { Method } from '../../../protocol/src/params.js'
import { parseErrorBody, parseJobStatus, parseSegmentResult } from '../../../protocol/src/responses.js'

/** A failed request: the daemon's error body, or code `network` when no response arrived. */
export class ApiError extends Error {
  override readonly name = 'ApiError'

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly detail: { field?: string; reason?: string; retryAfterSeconds?: number } = {},
  ) {
    super(message)
  }
}

/** The files of one upload: the mesh and the files it refers to (.bin, .mtl, textures). */
export interface Upload {
  mesh: File
  resources: File[]
}

export interface Download {
  blob: Blob
  /** The name the daemon gave in Content-Disposition, such as `chair.parts.glb`. */
  fileName: string
}

export class DaemonClient {
  constructor(readonly token: () => string | undefined) {}

  /** GET /v1/health; throws ApiError 401 when the daemon needs a token this page lacks. */
  async health(): Promise<HealthResponse> {
    return (await this.#json('/v1/health')) as HealthResponse
  }

  async job(id: string): Promise<JobStatus> {
    return parseJobStatus(await this.#json(`/v1/jobs/${encodeURIComponent(id)}`))
  }

  async result(id: string): Promise<SegmentResult> {
    const response = await this.request(`/v1/jobs/${encodeURIComponent(id)}/result`, { headers: { accept: MSGPACK_TYPE } })
    return parseSegmentResult(decodeMsgpack(new Uint8Array(await response.arrayBuffer())))
  }

  /** POST /v1/jobs/{id}/recut: replaces the job's result and files with a cut into `parts` parts. */
  async recut(id: string, parts: number, method: Method): Promise<SegmentResult> {
    const response = await this.request(`/v1/jobs/${encodeURIComponent(id)}/recut`, {
      method: 'POST',
      headers: { accept: MSGPACK_TYPE, 'content-type': 'application/json' },
      body: JSON.stringify({ n_clusters: parts, method }),
    })
    return parseSegmentResult(decodeMsgpack(new Uint8Array(await response.arrayBuffer())))
  }

  async cancel(id: string): Promise<void> {
    await this.request(`/v1/jobs/${encodeURIComponent(id)}`, { method: 'DELETE' })
  }

  /** Downloads a job file by the `url` its FileInfo gives. */
  async download(url: string, fallbackName: string): Promise<Download> {
    const response = await this.request(url)
    const fileName = dispositionName(response.headers.get('content-disposition')) ?? fallbackName
    return { blob: await response.blob(), fileName }
  }

  /**
   * POST /v1/segment as multipart, through XMLHttpRequest because fetch reports no upload
   * progress. Resolves with the queued job's status.
   */
  submit(upload: Upload, params: Record<string, string>, onProgress: (sent: number, total: number) => void): Promise<JobStatus> {
    const form = new FormData()
    form.append('file', upload.mesh, upload.mesh.name)
    for (const resource of upload.resources) form.append('resource', resource, resource.name)
    for (const [name, value] of Object.entries(params)) form.append(name, value)

    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest()
      xhr.open('POST', '/v1/segment')
      const token = this.token()
      if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`)
      xhr.upload.onprogress = (event) => onProgress(event.loaded, event.lengthComputable ? event.total : 0)
      xhr.onerror = () => reject(networkError())
      xhr.onload = () => {
        let body: unknown
        try {
          body = JSON.parse(xhr.responseText)
        } catch {
          body = undefined
        }
        if (xhr.status >= 200 && xhr.status < 300) {
          resolve(parseJobStatus(body))
        } else {
          reject(errorFrom(xhr.status, body, xhr.getResponseHeader('retry-after')))
        }
      }
      xhr.send(form)
    })
  }

  /** fetch with the token; throws ApiError for a network failure or an error status. */
  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    const token = this.token()
    if (token) headers.set('authorization', `Bearer ${token}`)
    let response: Response
    try {
      response = await fetch(path, { ...init, headers })
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error
      throw networkError()
    }
    if (!response.ok) {
      const body: unknown = await response.json().catch(() => undefined)
      throw errorFrom(response.status, body, response.headers.get('retry-after'))
    }
    return response
  }

  async #json(path: string): Promise<unknown> {
    const response = await this.request(path, { headers: { accept: 'application/json' } })
    return response.json()
  }
}

function networkError(): ApiError {
  return new ApiError(0, 'network', 'no response from the daemon')
}

function errorFrom(status: number, body: unknown, retryAfter: string | null): ApiError {
  const error = parseErrorBody(body)
  const retryAfterSeconds = retryAfter === null ? undefined : Number(retryAfter)
  if (!error) return new ApiError(status, `http-${status}`, `the daemon returned HTTP ${status} without an error body`, { retryAfterSeconds })
  return new ApiError(status, error.code, error.message, { field: error.field, reason: error.reason, retryAfterSeconds })
}

/** Returns the file name of a Content-Disposition header, preferring the UTF-8 `filename*` form (RFC 6266). */
export function dispositionName(header: string | null): string | undefined {
  if (!header) return undefined
  const extended = /filename\*=UTF-8''([^;]+)/i.exec(header)
  if (extended) {
    try {
      return decodeURIComponent(extended[1])
    } catch {
      // A malformed escape falls through to the plain name.
    }
  }
  return /filename="([^"]*)"/i.exec(header)?.[1]
}
