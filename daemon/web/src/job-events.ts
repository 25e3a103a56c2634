/**
 * Follows a job until it ends: server-sent events read through fetch (EventSource cannot send
 * the Authorization header), and polling once a second when the stream breaks, for example
 * behind a proxy that buffers or drops long responses.
 */
import type { JobStatus } from '../../../protocol/src/messages.js'
import { TERMINAL_STATES } from '../../../protocol/src/messages.js'
import { parseJobStatus } from '../../../protocol/src/responses.js'
import type { DaemonClient } from './api.js'

const POLL_INTERVAL_MS = 1000

/** Resolves with the job's final status, and calls `onStatus` with every status before it. */
export async function followJob(
  client: DaemonClient,
  id: string,
  onStatus: (status: JobStatus) => void,
  signal: AbortSignal,
): Promise<JobStatus> {
  let last: JobStatus | undefined
  const seen = (status: JobStatus) => {
    last = status
    onStatus(status)
  }

  try {
    await readEvents(client, id, seen, signal)
  } catch (error) {
    if (signal.aborted) throw error
    // The stream failed; polling below picks up where it stopped.
  }

  while (!last || !TERMINAL_STATES.includes(last.state)) {
    if (last) await delay(POLL_INTERVAL_MS, signal)
    seen(await client.job(id))
  }
  return last
}

async function readEvents(client: DaemonClient, id: string, onStatus: (status: JobStatus) => void, signal: AbortSignal): Promise<void> {
  const response = await client.request(`/v1/jobs/${encodeURIComponent(id)}/events`, {
    headers: { accept: 'text/event-stream' },
    signal,
  })
  if (!response.body) return
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  for (;;) {
    const { value, done } = await reader.read()
    if (done) return
    buffer += value.replace(/\r\n?/g, '\n')
    let end: number
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = parseEvent(buffer.slice(0, end))
      buffer = buffer.slice(end + 2)
      if (event?.name === 'status') onStatus(parseJobStatus(JSON.parse(event.data)))
    }
  }
}

/** Parses one server-sent event block (text/event-stream, as the HTML standard defines it). */
export function parseEvent(block: string): { name: string; data: string } | undefined {
  let name = 'message'
  const data: string[] = []
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
    if (field === 'event') name = value
    if (field === 'data') data.push(value)
  }
  return data.length > 0 ? { name, data: data.join('\n') } : undefined
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => {
      clearTimeout(timer)
      reject(signal.reason)
    }, { once: true })
  })
}
