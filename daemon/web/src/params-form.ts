/**
 * The parameter fields, built from the protocol's PARAM_SPECS so that ranges, allowed values and
 * help texts are the daemon's own. Values are checked with the daemon's parseParams before
 * sending, so a mistake is shown at its field instead of coming back as a 400.
 */
import {
  DEFAULT_PARAMS,
  PARAM_SPECS,
  ParamError,
  parseParams,
  type SegmentParams,
} from '../../../protocol/src/params.js'

type Key = keyof SegmentParams

interface FieldDef {
  key: Key
  label: string
  /** Narrower bounds than the protocol allows, for the page's inputs. */
  min?: number
  max?: number
}

interface GroupDef {
  legend: string
  /** Note under the legend. */
  note?: string
  /** Rendered folded, inside <details>. */
  folded?: boolean
  fields: FieldDef[]
}

const GROUPS: GroupDef[] = [
  {
    legend: 'Clustering',
    fields: [
      // The old Gradio app offered 2 to 30 parts; the slider goes further after a run.
      { key: 'n_clusters', label: 'Number of parts', min: 2, max: 30 },
      { key: 'method', label: 'Method' },
      { key: 'adjacency', label: 'Adjacency' },
      { key: 'knn', label: 'k-nearest edges' },
      { key: 'preprocess', label: 'Preprocess' },
    ],
  },
  {
    legend: 'Feature field',
    note: 'Points per face, features per sample and sampling apply to the PartField backend only; the geometric backend ignores them.',
    fields: [
      { key: 'backend', label: 'Backend' },
      { key: 'points_per_face', label: 'Points per face' },
      { key: 'features_per_sample', label: 'Features per sample' },
      { key: 'sampling', label: 'Sampling' },
    ],
  },
  {
    legend: 'More',
    folded: true,
    fields: [
      { key: 'max_clusters', label: 'Largest part count' },
      { key: 'pca_components', label: 'PCA components' },
      { key: 'seed', label: 'Seed' },
    ],
  },
]

const PARTFIELD_ONLY: Key[] = ['points_per_face', 'features_per_sample', 'sampling']
const STORAGE_KEY = 'partfield-bridge.params'

export class ParamsForm {
  #inputs = new Map<Key, HTMLInputElement | HTMLSelectElement>()
  #defaultBackend = 'geometric'

  constructor(container: HTMLElement) {
    for (const group of GROUPS) container.append(renderGroup(group, this.#inputs))
    this.#restore()
    this.#inputs.get('backend')!.addEventListener('change', () => this.#updatePartfieldFields())
    this.#updatePartfieldFields()
  }

  /** Sets the backend that `auto` runs, so that PartField-only fields are marked unused under it. */
  setDefaultBackend(backend: string): void {
    this.#defaultBackend = backend
    this.#updatePartfieldFields()
  }

  /**
   * Returns the parameters as strings for the multipart upload, or marks the first invalid field
   * and throws its ParamError.
   */
  read(): Record<string, string> {
    this.#clearMarks()
    const raw: Record<string, unknown> = {}
    for (const [key, input] of this.#inputs) {
      raw[key] = input instanceof HTMLInputElement && input.type === 'checkbox' ? input.checked : input.value.trim()
    }

    for (const group of GROUPS) {
      for (const field of group.fields) this.#checkPageBounds(field, raw[field.key])
    }
    let params: SegmentParams
    try {
      params = parseParams(raw)
    } catch (error) {
      if (error instanceof ParamError) this.#mark(error.field as Key, error.message)
      throw error
    }

    const out: Record<string, string> = {}
    for (const [key, value] of Object.entries(params)) if (value !== undefined) out[key] = String(value)
    localStorage.setItem(STORAGE_KEY, JSON.stringify(raw))
    return out
  }

  setDisabled(disabled: boolean): void {
    for (const input of this.#inputs.values()) input.disabled = disabled
    if (!disabled) this.#updatePartfieldFields()
  }

  #checkPageBounds(field: FieldDef, value: unknown): void {
    if (value === '' || (field.min === undefined && field.max === undefined)) return
    const number = Number(value)
    if (Number.isInteger(number) && number >= field.min! && number <= field.max!) return
    const message = `invalid ${field.key}: ${JSON.stringify(value)}; expected an integer from ${field.min} to ${field.max}, or empty`
    this.#mark(field.key, message)
    throw new ParamError(field.key, message)
  }

  #mark(key: Key, message: string): void {
    const input = this.#inputs.get(key)
    if (!input) return
    input.setAttribute('aria-invalid', 'true')
    const error = document.getElementById(`param-${key}-error`)!
    error.textContent = message
    error.hidden = false
    for (let details = input.closest('details'); details; details = details.parentElement?.closest('details') ?? null) {
      details.open = true
    }
    input.focus()
  }

  #clearMarks(): void {
    for (const [key, input] of this.#inputs) {
      input.removeAttribute('aria-invalid')
      document.getElementById(`param-${key}-error`)!.hidden = true
    }
  }

  #updatePartfieldFields(): void {
    const backend = this.#inputs.get('backend')!.value
    const unused = backend === 'geometric' || (backend === 'auto' && this.#defaultBackend === 'geometric')
    for (const key of PARTFIELD_ONLY) {
      const row = this.#inputs.get(key)!.closest('.param')!
      row.classList.toggle('unused', unused)
    }
  }

  /** Restores the last submitted values; anything the protocol no longer accepts is dropped. */
  #restore(): void {
    let saved: Record<string, unknown>
    try {
      saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}') as Record<string, unknown>
      parseParams(Object.fromEntries(Object.entries(saved).filter(([key]) => key in PARAM_SPECS)))
    } catch {
      return
    }
    for (const [key, value] of Object.entries(saved)) {
      const input = this.#inputs.get(key as Key)
      if (!input) continue
      if (input instanceof HTMLInputElement && input.type === 'checkbox') input.checked = value === true
      else input.value = String(value)
    }
  }
}

function renderGroup(group: GroupDef, inputs: Map<Key, HTMLInputElement | HTMLSelectElement>): HTMLElement {
  const fieldset = document.createElement('fieldset')
  fieldset.className = 'param-group'
  const legend = document.createElement('legend')
  legend.textContent = group.legend
  fieldset.append(legend)
  if (group.note) {
    const note = document.createElement('p')
    note.className = 'group-note'
    note.textContent = group.note
    fieldset.append(note)
  }
  for (const field of group.fields) fieldset.append(renderField(field, inputs))
  if (!group.folded) return fieldset

  const details = document.createElement('details')
  const summary = document.createElement('summary')
  summary.textContent = `${group.legend} parameters`
  details.append(summary, fieldset)
  return details
}

function renderField(field: FieldDef, inputs: Map<Key, HTMLInputElement | HTMLSelectElement>): HTMLElement {
  const spec = PARAM_SPECS[field.key]
  const id = `param-${field.key}`
  const row = document.createElement('div')
  row.className = `param param-${spec.kind}`

  const label = document.createElement('label')
  label.htmlFor = id
  label.textContent = field.label
  const help = document.createElement('small')
  help.id = `${id}-help`
  help.className = 'param-help'
  help.textContent = helpText(field)
  const error = document.createElement('small')
  error.id = `${id}-error`
  error.className = 'param-error'
  error.hidden = true

  const input = createInput(field, id)
  input.setAttribute('aria-describedby', `${help.id} ${error.id}`)
  inputs.set(field.key, input)
  if (spec.kind === 'bool') row.append(input, label, help, error)
  else row.append(label, input, help, error)
  return row
}

function createInput(field: FieldDef, id: string): HTMLInputElement | HTMLSelectElement {
  const spec = PARAM_SPECS[field.key]
  const initial = DEFAULT_PARAMS[field.key]
  if (spec.kind === 'enum') {
    const select = document.createElement('select')
    select.id = id
    select.name = field.key
    for (const value of spec.values) select.append(new Option(value.replace(/_/g, ' '), value))
    select.value = String(initial)
    return select
  }

  const input = document.createElement('input')
  input.id = id
  input.name = field.key
  if (spec.kind === 'bool') {
    input.type = 'checkbox'
    input.checked = initial === true
    return input
  }
  input.type = 'number'
  input.inputMode = 'numeric'
  input.step = '1'
  input.min = String(field.min ?? spec.min)
  input.max = String(field.max ?? spec.max)
  input.value = initial === undefined ? '' : String(initial)
  if (initial === undefined) input.placeholder = 'auto'
  return input
}

function helpText(field: FieldDef): string {
  const spec = PARAM_SPECS[field.key]
  if (spec.kind !== 'int') return spec.help
  const min = field.min ?? spec.min
  const max = field.max ?? spec.max
  return `${spec.help} ${min.toLocaleString('en')} to ${max.toLocaleString('en')}.`
}
