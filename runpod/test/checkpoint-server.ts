/**
 * A loopback HTTP server that serves one file the way a download host does, with byte ranges,
 * and can misbehave on purpose: drop the first connection part-way through the body, ignore
 * Range headers, or answer with an error status.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface CheckpointServerOptions {
  /** File contents served at every path. */
  body: Uint8Array
  /** Bytes of the body sent on the first GET before the socket is destroyed. */
  dropFirstAfter?: number
  /** When false, Range headers are ignored and every GET returns the whole file with 200. */
  supportsRanges?: boolean
  /** When set, every request is answered with this status and no file. */
  status?: number
}

export interface ServedRequest {
  method: string
  range: string | undefined
  authorization: string | undefined
  status: number
  bytesSent: number
}

export interface CheckpointServer {
  url: string
  requests: ServedRequest[]
  close(): Promise<void>
}

const RANGE_PATTERN = /^bytes=(\d+)-$/

export async function startCheckpointServer(
  options: CheckpointServerOptions,
): Promise<CheckpointServer> {
  const requests: ServedRequest[] = []
  let getCount = 0

  const server: Server = createServer((request, response) => {
    const record: ServedRequest = {
      method: request.method ?? '',
      range: request.headers.range,
      authorization: request.headers.authorization,
      status: 0,
      bytesSent: 0,
    }
    requests.push(record)
    getCount += request.method === 'GET' ? 1 : 0
    const dropAfter = getCount === 1 ? options.dropFirstAfter : undefined
    serveFile(request, response, options, record, dropAfter)
  })

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}/mikaelaangel/partfield-ckpt/resolve/main/model_objaverse.ckpt`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function serveFile(
  request: IncomingMessage,
  response: ServerResponse,
  options: CheckpointServerOptions,
  record: ServedRequest,
  dropAfter: number | undefined,
): void {
  const total = options.body.length
  if (options.status !== undefined) {
    record.status = options.status
    response.writeHead(options.status, { 'content-type': 'text/plain' })
    response.end(`status ${options.status}\n`)
    return
  }

  // Only the open-ended form curl sends for --continue-at is needed here.
  const match = RANGE_PATTERN.exec(request.headers.range ?? '')
  const start = match && options.supportsRanges !== false ? Number(match[1]) : 0
  if (start >= total && start > 0) {
    record.status = 416
    response.writeHead(416, { 'content-range': `bytes */${total}` })
    response.end()
    return
  }

  const headers: Record<string, string | number> = {
    'content-type': 'application/octet-stream',
    'content-length': total - start,
    'accept-ranges': options.supportsRanges === false ? 'none' : 'bytes',
  }
  if (start > 0) {
    headers['content-range'] = `bytes ${start}-${total - 1}/${total}`
  }
  record.status = start > 0 ? 206 : 200
  response.writeHead(record.status, headers)
  if (request.method === 'HEAD') {
    response.end()
    return
  }

  const remaining = options.body.subarray(start)
  if (dropAfter !== undefined && dropAfter < remaining.length) {
    record.bytesSent = dropAfter
    // Destroy only once the partial body has reached the socket, so the client sees a
    // connection that breaks mid-body rather than one that never sent anything.
    response.write(remaining.subarray(0, dropAfter), () => response.socket?.destroy())
    return
  }
  record.bytesSent = remaining.length
  response.end(remaining)
}
