/**
 * Query-string checks shared by the /v1 routes. A key a route does not use, a key given twice or
 * a value outside its few allowed spellings is rejected with 400 `invalid-param`, so a typo
 * never silently does nothing.
 */
import type { Context } from 'hono'

import { ParamError } from '../../../protocol/src/params.js'
import { TOKEN_QUERY } from './auth.js'

/** Values of ?include= and what each adds to a result. */
export const INCLUDE_VALUES = ['triangle_labels'] as const
export type IncludeValue = (typeof INCLUDE_VALUES)[number]

const TRUE_VALUES = ['1', 'true']
const FALSE_VALUES = ['0', 'false']

/**
 * Rejects query keys outside `allowed` (the access token is always allowed) and keys given more
 * than once. `route` names the endpoint in the message.
 */
export function checkQueryKeys(c: Context, route: string, allowed: readonly string[]): void {
  const permitted = [...allowed, TOKEN_QUERY]
  for (const [key, values] of Object.entries(c.req.queries())) {
    if (!permitted.includes(key)) {
      const expected = allowed.length > 0 ? `; expected ${allowed.join(', ')}` : '; it takes none'
      throw new ParamError(key, `unknown query parameter ${key} for ${route}${expected}`)
    }
    if (values.length > 1) {
      throw new ParamError(key, `query parameter ${key} is given ${values.length} times; give it once`)
    }
  }
}

/** Reads ?wait=: absent is false; 1, true, 0 and false are accepted, anything else rejected. */
export function parseWait(value: string | undefined): boolean {
  if (value === undefined) return false
  const lower = value.toLowerCase()
  if (TRUE_VALUES.includes(lower)) return true
  if (FALSE_VALUES.includes(lower)) return false
  throw new ParamError('wait', `invalid wait: ${JSON.stringify(value)}; expected 1 or true to wait for the result, 0 or false to return at once`)
}

/** Reads ?include= as a comma-separated list of INCLUDE_VALUES. */
export function parseInclude(value: string | undefined): Set<IncludeValue> {
  const included = new Set<IncludeValue>()
  for (const item of (value ?? '').split(',').map((part) => part.trim())) {
    if (item === '') continue
    if (!INCLUDE_VALUES.includes(item as IncludeValue)) {
      throw new ParamError('include', `invalid include: ${JSON.stringify(item)}; expected ${INCLUDE_VALUES.join(', ')}`)
    }
    included.add(item as IncludeValue)
  }
  return included
}
