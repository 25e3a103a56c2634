/** Content negotiation: MessagePack when the Accept header names it, JSON otherwise. */
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

import { encodeJson, encodeMsgpack, isMsgpackType, JSON_TYPE, MSGPACK_TYPE } from '../../../protocol/src/codec.js'

export function wantsMsgpack(c: Context): boolean {
  return isMsgpackType(c.req.header('accept'))
}

export function respond(
  c: Context,
  message: unknown,
  status: ContentfulStatusCode = 200,
  headers: Record<string, string> = {},
): Response {
  if (wantsMsgpack(c)) {
    const bytes = encodeMsgpack(message)
    return c.body(bytes, status, { ...headers, 'content-type': MSGPACK_TYPE })
  }
  return c.body(encodeJson(message), status, { ...headers, 'content-type': `${JSON_TYPE}; charset=utf-8` })
}
