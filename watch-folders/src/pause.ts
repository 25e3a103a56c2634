import { setTimeout as sleep } from 'node:timers/promises'

/** Waits `ms` milliseconds; an abort rejects with the signal's reason, as fetch does. */
export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal })
  } catch (error) {
    if (signal?.aborted) throw signal.reason
    throw error
  }
}
