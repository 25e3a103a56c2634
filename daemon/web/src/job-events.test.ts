import { describe, expect, it } from 'vitest'

import { parseEvent } from './job-events.js'

describe('parseEvent', () => {
  it('reads the event name and data', () => {
    expect(parseEvent('event: status\nid: 3\ndata: {"state":"running"}')).toEqual({ name: 'status', data: '{"state":"running"}' })
  })

  it('joins data lines with newlines', () => {
    expect(parseEvent('data: first\ndata:second')).toEqual({ name: 'message', data: 'first\nsecond' })
  })

  it('ignores a keep-alive comment', () => {
    expect(parseEvent(': keep-alive')).toBeUndefined()
  })
})
