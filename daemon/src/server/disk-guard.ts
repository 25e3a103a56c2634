/** Rejects uploads that would leave the data folder's disk with less than the configured free space. */
import { statfs } from 'node:fs/promises'

import { apiError } from './api-error.js'

const MB = 1024 * 1024

export async function freeBytes(dir: string): Promise<number> {
  const stats = await statfs(dir)
  return stats.bavail * stats.bsize
}

/** Throws a 507 response when `incomingBytes` more would take free space under `minFreeBytes`. */
export async function checkFreeSpace(dir: string, minFreeBytes: number, incomingBytes: number): Promise<void> {
  const free = await freeBytes(dir)
  if (free - incomingBytes >= minFreeBytes) return
  throw apiError(507, 'insufficient-storage',
    `the daemon's disk has ${Math.floor(free / MB)} MB free and keeps at least ${Math.floor(minFreeBytes / MB)} MB free; ` +
    'delete finished jobs (DELETE /v1/jobs/{id}) or free disk space, then retry')
}
