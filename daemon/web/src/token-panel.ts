/**
 * The access token field in the top bar: shown when the daemon requires a token, collapsed to a
 * "Change access token" button once the daemon accepts one.
 */
import { describeToken, type TokenSource } from './token-source.js'

export interface TokenElements {
  form: HTMLFormElement
  input: HTMLInputElement
  help: HTMLElement
  change: HTMLButtonElement
}

export class TokenPanel {
  constructor(readonly ui: TokenElements) {
    ui.change.addEventListener('click', () => this.expand())
  }

  /** Shows the field, saying where this daemon's token comes from, and focuses it. */
  ask(source: TokenSource): void {
    this.ui.help.textContent = `Enter ${describeToken(source)}. The page keeps it in this browser's local storage.`
    this.expand()
  }

  /** Hides the field once the daemon accepted the request; where a token is required, a button brings it back. */
  collapse(authRequired: boolean): void {
    const hadFocus = this.ui.form.contains(document.activeElement)
    this.ui.form.hidden = true
    this.ui.change.hidden = !authRequired
    if (hadFocus && authRequired) this.ui.change.focus()
  }

  expand(): void {
    this.ui.form.hidden = false
    this.ui.change.hidden = true
    this.ui.input.focus()
    this.ui.input.select()
  }
}
