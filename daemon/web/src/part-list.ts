/**
 * The list of parts with their colours and face counts. Hovering or focusing a row highlights
 * the part in the 3D view, and hovering the model marks the row under the pointer.
 */
import { partCss } from './face-colors.js'

export class PartList {
  /** Called with the part the user points at or focuses in the list, or null. */
  onHover: (part: number | null) => void = () => {}
  #list: HTMLUListElement
  #active: number | null = null

  constructor(list: HTMLUListElement) {
    this.#list = list
  }

  /** Shows one row per part; `unit` names what was counted (faces, or points of a point cloud). */
  render(counts: number[], unit: 'faces' | 'points'): void {
    const total = counts.reduce((sum, count) => sum + count, 0)
    const rows = counts.map((count, part) => this.#row(part, count, total, unit))
    this.#list.replaceChildren(...rows)
    this.#active = null
  }

  clear(): void {
    this.#list.replaceChildren()
    this.#active = null
  }

  /** Marks the row of `part` (hovered in the 3D view) without moving the keyboard focus. */
  setActive(part: number | null): void {
    if (part === this.#active) return
    this.#list.querySelector('.active')?.classList.remove('active')
    this.#active = part
    if (part === null) return
    const row = this.#list.querySelector<HTMLElement>(`[data-part="${part}"]`)
    row?.classList.add('active')
    row?.scrollIntoView({ block: 'nearest' })
  }

  #row(part: number, count: number, total: number, unit: string): HTMLLIElement {
    const row = document.createElement('li')
    row.dataset.part = String(part)
    row.tabIndex = 0
    const share = total > 0 ? (100 * count) / total : 0
    const name = `Part ${part + 1}`
    const counted = `${count.toLocaleString('en')} ${count === 1 ? unit.slice(0, -1) : unit}`
    row.setAttribute('aria-label', `${name}: ${counted}, ${share.toFixed(1)} percent`)

    const swatch = document.createElement('span')
    swatch.className = 'swatch'
    swatch.style.background = partCss(part)
    const label = document.createElement('span')
    label.className = 'part-name'
    label.textContent = name
    const size = document.createElement('span')
    size.className = 'part-size'
    size.textContent = `${counted} · ${share.toFixed(1)}%`
    row.append(swatch, label, size)

    const enter = () => this.onHover(part)
    const leave = () => this.onHover(null)
    row.addEventListener('pointerenter', enter)
    row.addEventListener('pointerleave', leave)
    row.addEventListener('focus', enter)
    row.addEventListener('blur', leave)
    return row
  }
}
