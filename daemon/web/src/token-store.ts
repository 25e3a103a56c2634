/** The access token, kept in this browser's local storage so it is entered once per browser. */
const STORAGE_KEY = 'partfield-bridge.token'

export class TokenStore {
  get value(): string | undefined {
    return localStorage.getItem(STORAGE_KEY) ?? undefined
  }

  set value(token: string | undefined) {
    if (token) localStorage.setItem(STORAGE_KEY, token)
    else localStorage.removeItem(STORAGE_KEY)
  }
}
