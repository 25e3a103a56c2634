import { describe, expect, it } from 'vitest'

import { checkField, FIELDS, helpText, type FieldDef, type ParamKey } from './param-fields.js'

function field(key: ParamKey): FieldDef {
  return FIELDS.find((candidate) => candidate.key === key)!
}

describe('checkField', () => {
  it('words an out-of-range part count with the label', () => {
    const expected = 'Number of parts: expected a whole number from 2 to 30, or empty for automatic'
    for (const value of ['1', '31', '2.5', '-3']) expect(checkField(field('n_clusters'), { value })).toBe(expected)
  })

  it('rejects text the number input could not read', () => {
    expect(checkField(field('n_clusters'), { value: '', badInput: true })).toMatch(/^Number of parts: expected a whole number/)
  })

  it('accepts an empty part count and the page bounds', () => {
    for (const value of ['', '  ', '2', '30']) expect(checkField(field('n_clusters'), { value })).toBeUndefined()
  })

  it('names the default of other empty fields', () => {
    expect(checkField(field('knn'), { value: '99' })).toBe('k-nearest edges: expected a whole number from 0 to 32, or empty for the default 0')
    expect(checkField(field('seed'), { value: '-1' })).toBe('Seed: expected a whole number from 0 to 2,147,483,647, or empty for the default 0')
    expect(checkField(field('pca_components'), { value: '17' })).toBe('PCA components: expected a whole number from 0 to 16, or empty for the default 3')
    expect(checkField(field('features_per_sample'), { value: '10' }))
      .toBe('Features per sample: expected a whole number from 1,000 to 10,000,000, or empty for the default 10000')
  })

  it('rejects a backend this daemon cannot run', () => {
    const unavailable = new Map([['partfield', 'model not installed on this daemon']])
    expect(checkField(field('backend'), { value: 'partfield' }, unavailable))
      .toBe('Backend: partfield is not available (model not installed on this daemon); choose another')
    expect(checkField(field('backend'), { value: 'auto' }, unavailable)).toBeUndefined()
    expect(checkField(field('sampling'), { value: 'auto' }, new Map([['auto', 'not for sampling']]))).toBeUndefined()
  })

  it('accepts checkboxes', () => {
    expect(checkField(field('preprocess'), { value: false })).toBeUndefined()
  })
})

describe('helpText', () => {
  it('gives the page and API part ranges', () => {
    expect(helpText(field('n_clusters'))).toBe(
      'Number of parts; leave empty to choose one automatically. 2 to 30 on this page; scripts and the HTTP API accept 1 to 256.')
  })

  it('gives one range where the page takes the protocol bounds', () => {
    expect(helpText(field('knn'))).toMatch(/ 0 to 32\.$/)
    expect(helpText(field('max_clusters'))).toMatch(/ 2 to 256\.$/)
  })
})
