/**
 * The parameter form, built from param-fields.ts. Each field is checked when it loses focus or
 * changes and again before sending, and a mistake is shown under its field, worded with its
 * label, instead of coming back from the daemon as a 400.
 */
import {
  DEFAULT_PARAMS,
  PARAM_SPECS,
  ParamError,
  parseParams,
  type SegmentParams,
} from '../../../protocol/src/params.js'
import {
  checkField,
  FIELDS,
  GROUPS,
  helpText,
  pageRange,
  type FieldDef,
  type FieldValue,
  type GroupDef,
  type ParamKey,
  type UnavailableBackends,
} from './param-fields.js'

type FieldInput = HTMLInputElement | HTMLSelectElement

const PARTFIELD_ONLY: ParamKey[] = ['points_per_face', 'features_per_sample', 'sampling']
const STORAGE_KEY = 'partfield-bridge.params'

/** Invalid parameters found before sending; each is already shown under its field. */
export class InvalidParamsError extends Error {
  override readonly name = 'InvalidParamsError'

  constructor(readonly labels: string[]) {
    super(`invalid parameters: ${labels.join(', ')}`)
  }
}

export class ParamsForm {
  #inputs = new Map<ParamKey, FieldInput>()
  #defaultBackend = 'geometric'
  #unavailable: UnavailableBackends = new Map()

  constructor(container: HTMLElement) {
    for (const group of GROUPS) container.append(renderGroup(group, this.#inputs))
    this.#restore()
    for (const field of FIELDS) this.#watch(field)
    this.#inputs.get('backend')!.addEventListener('change', () => this.#updatePartfieldFields())
    this.#updatePartfieldFields()
  }

  /** Sets the backend that `auto` runs, so that PartField-only fields are marked unused under it. */
  setDefaultBackend(backend: string): void {
    this.#defaultBackend = backend
    this.#updatePartfieldFields()
  }

  /**
   * Disables the backend choices this daemon cannot run, with the reason beside each. A restored
   * value that names one stays selected and is marked, so that it is never changed unseen.
   */
  setUnavailableBackends(unavailable: UnavailableBackends): void {
    this.#unavailable = unavailable
    const select = this.#inputs.get('backend') as HTMLSelectElement
    for (const option of select.options) {
      const reason = unavailable.get(option.value)
      option.disabled = reason !== undefined
      option.textContent = reason ? `${option.value} (${reason})` : option.value
    }
    this.#check(FIELDS.find((field) => field.key === 'backend')!)
  }

  /**
   * Returns the parameters as strings for the multipart upload. Otherwise marks every invalid
   * field, focuses the first and throws InvalidParamsError.
   */
  read(): Record<string, string> {
    const invalid = FIELDS.filter((field) => !this.#check(field))
    if (invalid.length > 0) {
      this.#focus(invalid[0].key)
      throw new InvalidParamsError(invalid.map((field) => field.label))
    }

    const raw: Record<string, unknown> = {}
    for (const [key, input] of this.#inputs) raw[key] = isCheckbox(input) ? input.checked : input.value.trim()
    let params: SegmentParams
    try {
      params = parseParams(raw)
    } catch (error) {
      // The page's checks cover the protocol's, so this only runs if the two drift apart.
      if (!(error instanceof ParamError)) throw error
      const field = FIELDS.find((candidate) => candidate.key === error.field)
      if (!field) throw error
      this.#mark(field.key, `${field.label}: ${error.message}`)
      this.#focus(field.key)
      throw new InvalidParamsError([field.label])
    }

    const out: Record<string, string> = {}
    for (const [key, value] of Object.entries(params)) if (value !== undefined) out[key] = String(value)
    localStorage.setItem(STORAGE_KEY, JSON.stringify(raw))
    return out
  }

  /**
   * Shows the parameters a finished job ran with. An automatically chosen part count shows as
   * empty, because it was submitted empty. Other values are shown as stored, and a value the
   * page would not send again is marked at its field.
   */
  showJobParams(params: SegmentParams, autoPartCount: boolean): void {
    for (const field of FIELDS) {
      const input = this.#inputs.get(field.key)!
      const value = field.key === 'n_clusters' && autoPartCount ? undefined : params[field.key]
      if (isCheckbox(input)) input.checked = value === true
      else input.value = value === undefined ? '' : String(value)
      this.#check(field)
    }
    this.#updatePartfieldFields()
  }

  setDisabled(disabled: boolean): void {
    for (const input of this.#inputs.values()) input.disabled = disabled
    if (!disabled) this.#updatePartfieldFields()
  }

  /** Checks fields as the user leaves or changes them, and clears a mark as soon as the value is fixed. */
  #watch(field: FieldDef): void {
    const input = this.#inputs.get(field.key)!
    input.addEventListener('change', () => this.#check(field))
    input.addEventListener('blur', () => this.#check(field))
    input.addEventListener('input', () => {
      if (input.getAttribute('aria-invalid') === 'true') this.#check(field)
    })
  }

  /** Marks or unmarks one field; returns whether its value is valid. */
  #check(field: FieldDef): boolean {
    const message = checkField(field, this.#valueOf(field.key), this.#unavailable)
    if (message) this.#mark(field.key, message)
    else this.#unmark(field.key)
    return message === undefined
  }

  #valueOf(key: ParamKey): FieldValue {
    const input = this.#inputs.get(key)!
    if (isCheckbox(input)) return { value: input.checked }
    return { value: input.value, badInput: input instanceof HTMLInputElement && input.validity.badInput }
  }

  #mark(key: ParamKey, message: string): void {
    const input = this.#inputs.get(key)!
    input.setAttribute('aria-invalid', 'true')
    const error = document.getElementById(`param-${key}-error`)!
    error.textContent = message
    error.hidden = false
  }

  #unmark(key: ParamKey): void {
    this.#inputs.get(key)!.removeAttribute('aria-invalid')
    const error = document.getElementById(`param-${key}-error`)!
    error.hidden = true
    error.textContent = ''
  }

  /** Opens the folded groups around a field, then focuses it. */
  #focus(key: ParamKey): void {
    const input = this.#inputs.get(key)!
    for (let details = input.closest('details'); details; details = details.parentElement?.closest('details') ?? null) {
      details.open = true
    }
    input.focus()
    document.getElementById(`param-${key}-error`)!.scrollIntoView({ block: 'nearest' })
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
      const input = this.#inputs.get(key as ParamKey)
      if (!input) continue
      if (isCheckbox(input)) input.checked = value === true
      else input.value = String(value)
    }
  }
}

function isCheckbox(input: FieldInput): input is HTMLInputElement {
  return input instanceof HTMLInputElement && input.type === 'checkbox'
}

function renderGroup(group: GroupDef, inputs: Map<ParamKey, FieldInput>): HTMLElement {
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

function renderField(field: FieldDef, inputs: Map<ParamKey, FieldInput>): HTMLElement {
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
  // Announced when it appears, because the check runs as the user leaves the field.
  error.setAttribute('aria-live', 'polite')
  error.hidden = true

  const input = createInput(field, id)
  input.setAttribute('aria-describedby', `${help.id} ${error.id}`)
  inputs.set(field.key, input)
  // The error comes right under the input, before the help, so it is seen next to the value.
  if (spec.kind === 'bool') row.append(input, label, error, help)
  else row.append(label, input, error, help)
  return row
}

function createInput(field: FieldDef, id: string): FieldInput {
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
  const { min, max } = pageRange(field)
  input.type = 'number'
  input.inputMode = 'numeric'
  input.step = '1'
  input.min = String(min)
  input.max = String(max)
  input.value = initial === undefined ? '' : String(initial)
  if (initial === undefined) input.placeholder = 'auto'
  return input
}
