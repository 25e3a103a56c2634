import { setTimeout as sleep } from 'node:timers/promises'

import { describe, expect, it } from 'vitest'

import { JobQueue } from './job-queue.js'

describe('JobQueue', () => {
  it('never runs more than the limit and runs in order, front pushes first', async () => {
    const queue = new JobQueue(2)
    const order: string[] = []
    let running = 0
    let peak = 0
    const work = (name: string) => async () => {
      running++
      peak = Math.max(peak, running)
      order.push(name)
      await sleep(20)
      running--
    }
    for (const name of ['a', 'b', 'c', 'd']) queue.push(work(name))
    queue.push(work('urgent'), true)
    expect(queue.running).toBe(2)
    expect(queue.waiting).toBe(3)

    await queue.idle()
    expect(peak).toBe(2)
    expect(order).toEqual(['a', 'b', 'urgent', 'c', 'd'])
  })

  it('resolves idle at once when empty', async () => {
    await new JobQueue(1).idle()
  })

  it('rejects a limit below 1', () => {
    expect(() => new JobQueue(0)).toThrow(/invalid concurrency 0/)
  })
})
