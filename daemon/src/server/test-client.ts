/** Small HTTP helpers the daemon's integration tests share. */
import { expect } from 'vitest'

import { decodeMsgpack, MSGPACK_TYPE } from '../../../protocol/src/codec.js'
import type { JobStatus, SegmentResult } from '../../../protocol/src/messages.js'
import { parseJobStatus, parseSegmentResult } from '../../../protocol/src/responses.js'

/** POSTs a raw mesh file body with ?filename= and the given query parameters. */
export function postFile(base: string, filename: string, body: string | Uint8Array, query: Record<string, string | number> = {}): Promise<Response> {
  const search = new URLSearchParams({ filename, ...Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])) })
  return fetch(`${base}/v1/segment?${search}`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: typeof body === 'string' ? body : (body as Uint8Array<ArrayBuffer>),
  })
}

export async function submitFile(base: string, filename: string, body: string | Uint8Array, query: Record<string, string | number> = {}): Promise<JobStatus> {
  const response = await postFile(base, filename, body, query)
  expect(response.status, await peek(response)).toBe(202)
  return parseJobStatus(await response.json())
}

export async function getStatus(base: string, id: string): Promise<JobStatus> {
  const response = await fetch(`${base}/v1/jobs/${id}`)
  expect(response.status).toBe(200)
  return parseJobStatus(await response.json())
}

/** Polls until the job is in one of `states` (default: any final state). */
export async function pollUntil(base: string, id: string, states = ['succeeded', 'failed', 'cancelled'], timeoutMs = 60_000): Promise<JobStatus> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const status = await getStatus(base, id)
    if (states.includes(status.state)) return status
    if (Date.now() > deadline) throw new Error(`job ${id} still ${status.state} after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

export async function getResult(base: string, id: string, accept: 'json' | 'msgpack' = 'json', query = ''): Promise<SegmentResult> {
  const response = await fetch(`${base}/v1/jobs/${id}/result${query}`, {
    headers: { accept: accept === 'json' ? 'application/json' : MSGPACK_TYPE },
  })
  expect(response.status, await peek(response)).toBe(200)
  return readResult(response)
}

/** Parses a result response of either content type. */
export async function readResult(response: Response): Promise<SegmentResult> {
  const type = response.headers.get('content-type') ?? ''
  const body = type.startsWith(MSGPACK_TYPE) ? decodeMsgpack(new Uint8Array(await response.arrayBuffer())) : await response.json()
  return parseSegmentResult(body)
}

/** Reads a server-sent event stream to its end and returns the statuses it carried. */
export async function readEvents(base: string, id: string): Promise<{ events: JobStatus[]; raw: string }> {
  const response = await fetch(`${base}/v1/jobs/${id}/events`)
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/)
  const raw = await response.text()
  const events: JobStatus[] = []
  for (const block of raw.split('\n\n')) {
    const lines = block.split('\n')
    if (!lines.includes('event: status')) continue
    const data = lines.filter((line) => line.startsWith('data: ')).map((line) => line.slice(6)).join('\n')
    events.push(parseJobStatus(JSON.parse(data)))
  }
  return { events, raw }
}

/** Returns the status and body of an unexpected response for assertion messages (reads a clone). */
export async function peek(response: Response): Promise<string> {
  if (response.ok) return ''
  return `${response.status} ${await response.clone().text()}`
}
