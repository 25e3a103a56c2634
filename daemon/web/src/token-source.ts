/**
 * Where a daemon's access token comes from, read from its 401 message, so that the page can say
 * where to find it. The daemon names PARTFIELD_TOKEN when the token was set there, and the
 * start-up print and token file otherwise. /v1/health cannot report it, because it needs the token.
 */

/** `env`: PARTFIELD_TOKEN; `file`: printed at start-up and kept in the data folder; `unknown`: neither named. */
export type TokenSource = 'env' | 'file' | 'unknown'

export function tokenSourceOf(message: string): TokenSource {
  if (message.includes('PARTFIELD_TOKEN')) return 'env'
  if (/printed at start-?up/.test(message)) return 'file'
  return 'unknown'
}

/** Names the token to enter, as a noun phrase: "the token the daemon was started with (…)". */
export function describeToken(source: TokenSource): string {
  if (source === 'env') return 'the token the daemon was started with (its PARTFIELD_TOKEN environment variable)'
  if (source === 'file') return 'the token the daemon printed at start-up (also in the token file of its data folder)'
  return 'the token the daemon was started with (PARTFIELD_TOKEN), or the one it printed at start-up'
}
