/**
 * Bearer-token authentication. A daemon bound to anything but loopback always requires a token;
 * on loopback it requires one only when PARTFIELD_TOKEN is set.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { chmod, readFile, writeFile } from 'node:fs/promises'
import { isIP } from 'node:net'
import { join } from 'node:path'

import type { MiddlewareHandler } from 'hono'

import { apiError } from './api-error.js'

const TOKEN_FILE = 'token'
/** 32 random bytes (256 bits), base64url. */
const TOKEN_BYTES = 32
/** Query parameter for clients that cannot set headers (EventSource, download links), as RFC 6750 section 2.3 names it. */
export const TOKEN_QUERY = 'access_token'

export type TokenSource = 'env' | 'file' | 'generated' | 'none'

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase()
  if (bare === 'localhost' || bare === '::1') return true
  return isIP(bare) === 4 && bare.startsWith('127.')
}

/**
 * Returns the token to enforce: PARTFIELD_TOKEN, else (non-loopback only) the one stored in the
 * data folder, else a new one written there with mode 0600.
 */
export async function resolveToken(
  configured: string | undefined,
  host: string,
  dataDir: string,
): Promise<{ token: string | undefined; source: TokenSource; file?: string }> {
  if (configured) return { token: configured, source: 'env' }
  if (isLoopbackHost(host)) return { token: undefined, source: 'none' }

  const file = join(dataDir, TOKEN_FILE)
  try {
    const stored = (await readFile(file, 'utf8')).trim()
    if (stored) return { token: stored, source: 'file', file }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }

  const token = randomBytes(TOKEN_BYTES).toString('base64url')
  await writeFile(file, `${token}\n`, { mode: 0o600, flag: 'wx' })
  // The mode given to writeFile is reduced by the umask; chmod makes it exact.
  await chmod(file, 0o600)
  return { token, source: 'generated', file }
}

/**
 * Middleware that rejects requests without `Authorization: Bearer <token>` (or ?access_token=).
 * `source` is where the token came from, so the 401 message tells the user where to find it.
 */
export function bearerAuth(token: string, source: Exclude<TokenSource, 'none'>): MiddlewareHandler {
  const expected = digest(token)
  const where = source === 'env'
    ? 'the token set in the PARTFIELD_TOKEN environment variable of the daemon'
    : `the token the daemon printed at startup, which is also stored in the file "${TOKEN_FILE}" in its data folder`
  return async function bearerAuth(c, next) {
    const header = c.req.header('authorization')
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null
    const given = match?.[1] ?? c.req.query(TOKEN_QUERY)
    // Comparing fixed-length digests keeps the time independent of where the strings differ.
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      const problem = given === undefined ? 'missing' : 'invalid'
      throw apiError(401, 'unauthorized',
        `${problem} access token; send the header Authorization: Bearer <token> (or ?${TOKEN_QUERY}=<token>) with ${where}`,
        {}, { 'www-authenticate': 'Bearer realm="partfield"' })
    }
    await next()
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}
