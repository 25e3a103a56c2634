/**
 * Facts for the summary line of a finished daemon job that its JobStatus does not carry: whether
 * the input was a point cloud, and how long the job took in total.
 */
import { open } from 'node:fs/promises'

import type { JobStatus } from '../../protocol/src/messages.js'

/**
 * Bytes of labels.json read to find the input's kind. Every key before `labels` is small (the
 * longest is the input's file name), so the kind is always well inside this.
 */
export const LABELS_HEAD_BYTES = 64 * 1024

/**
 * Returns `source.kind` from the start of a labels.json. The format fixes the key order, and
 * `source` comes before `labels`, so the text up to `"labels":` closed with `}` is valid JSON.
 */
export function kindFromLabelsHead(head: string): 'mesh' | 'points' | undefined {
  const end = head.indexOf('"labels":')
  if (end < 0) return undefined
  let document: unknown
  try {
    document = JSON.parse(`${head.slice(0, end).replace(/,\s*$/, '')}}`)
  } catch {
    return undefined
  }
  const kind = (document as { source?: { kind?: unknown } } | null)?.source?.kind
  return kind === 'mesh' || kind === 'points' ? kind : undefined
}

/** Reads up to `bytes` bytes from the start of a file as UTF-8. */
export async function readFileHead(path: string, bytes: number): Promise<string> {
  const handle = await open(path, 'r')
  try {
    const buffer = Buffer.alloc(bytes)
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0)
    return buffer.subarray(0, bytesRead).toString('utf8')
  } finally {
    await handle.close()
  }
}

/** Reads up to `bytes` bytes of a response body as UTF-8 and cancels the rest of the download. */
export async function readResponseHead(response: Response, bytes: number): Promise<string> {
  if (!response.body) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let length = 0
  try {
    while (length < bytes) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      length += value.length
    }
  } finally {
    await reader.cancel().catch(() => {})
  }
  return Buffer.concat(chunks).subarray(0, bytes).toString('utf8')
}

/**
 * Returns the daemon job's seconds from submission to its end, by the daemon's clock. Falls back
 * to the sum of the stage timings when a time is missing or unreadable.
 */
export function daemonJobSeconds(status: JobStatus): number {
  const created = Date.parse(status.createdAt)
  const finished = status.finishedAt === null ? Number.NaN : Date.parse(status.finishedAt)
  if (Number.isFinite(created) && Number.isFinite(finished) && finished >= created) return (finished - created) / 1000
  return Object.values(status.timings).reduce((sum: number, ms) => sum + (ms ?? 0), 0) / 1000
}
