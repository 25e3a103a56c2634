/**
 * The page's parameter fields: labels, grouping, the page's own bounds, help texts and the check
 * of one field's value. Ranges, allowed values and base help texts come from the protocol's
 * PARAM_SPECS, so they are the daemon's own. Free of the DOM, so the checks are unit-tested.
 */
import { DEFAULT_PARAMS, PARAM_SPECS, type SegmentParams } from '../../../protocol/src/params.js'

export type ParamKey = keyof SegmentParams

export interface FieldDef {
  key: ParamKey
  label: string
  /** Narrower bounds than the protocol allows, for the page's inputs. */
  min?: number
  max?: number
}

export interface GroupDef {
  legend: string
  /** Note under the legend. */
  note?: string
  /** Rendered folded, inside <details>. */
  folded?: boolean
  fields: FieldDef[]
}

export const GROUPS: GroupDef[] = [
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

export const FIELDS: FieldDef[] = GROUPS.flatMap((group) => group.fields)

/** Backend values this daemon cannot run, with the reason shown beside them ("model not installed on this daemon"). */
export type UnavailableBackends = Map<string, string>

/** The raw value of one input: text as typed, or a checkbox state. */
export interface FieldValue {
  value: string | boolean
  /** True when a number input contains text that is not a number (the browser then reports ''). */
  badInput?: boolean
}

/** Returns the inclusive range the page accepts for an integer field. */
export function pageRange(field: FieldDef): { min: number; max: number } {
  const spec = PARAM_SPECS[field.key]
  if (spec.kind !== 'int') throw new Error(`${field.key} is not an integer parameter`)
  return { min: field.min ?? spec.min, max: field.max ?? spec.max }
}

/**
 * Checks one field and returns the message to show under it, starting with the field's label,
 * or undefined when the value is valid. An empty integer field means the protocol's default.
 */
export function checkField(field: FieldDef, input: FieldValue, unavailable: UnavailableBackends = new Map()): string | undefined {
  const spec = PARAM_SPECS[field.key]
  if (spec.kind === 'bool') return undefined

  if (spec.kind === 'enum') {
    const value = String(input.value)
    const reason = field.key === 'backend' ? unavailable.get(value) : undefined
    if (reason) return `${field.label}: ${value} is not available (${reason}); choose another`
    if (spec.values.includes(value)) return undefined
    return `${field.label}: expected one of ${spec.values.join(', ')}`
  }

  const text = String(input.value).trim()
  const { min, max } = pageRange(field)
  if (text === '' && !input.badInput) return undefined
  const number = Number(text)
  if (text !== '' && Number.isInteger(number) && number >= min && number <= max) return undefined
  return `${field.label}: expected a whole number from ${min.toLocaleString('en')} to ${max.toLocaleString('en')}, ${emptyMeaning(field.key)}`
}

function emptyMeaning(key: ParamKey): string {
  const initial = DEFAULT_PARAMS[key]
  return initial === undefined ? 'or empty for automatic' : `or empty for the default ${String(initial)}`
}

/** Help under a field: the protocol's text, and for integers the page's range and, where narrower, the API's. */
export function helpText(field: FieldDef): string {
  const spec = PARAM_SPECS[field.key]
  if (spec.kind !== 'int') return spec.help
  const { min, max } = pageRange(field)
  const range = `${min.toLocaleString('en')} to ${max.toLocaleString('en')}`
  if (min === spec.min && max === spec.max) return `${spec.help} ${range}.`
  const apiRange = `${spec.min.toLocaleString('en')} to ${spec.max.toLocaleString('en')}`
  return `${spec.help} ${range} on this page; scripts and the HTTP API accept ${apiRange}.`
}
