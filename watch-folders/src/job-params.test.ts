import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { describe, expect, it } from 'vitest'

import { JobFailure } from './job-failure.js'
import { resolveParams } from './job-params.js'

async function folder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'partfield-params-'))
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text)
  return dir
}

describe('resolveParams', () => {
  it('layers configuration, partfield.json and sidecar in that order', async () => {
    const dir = await folder({
      'partfield.json': '\uFEFF{"n_clusters": 6, "method": "kmeans", "seed": 3}',
      'a.obj.partfield.json': '{"n_clusters": 4, "seed": null}',
    })
    const params = await resolveParams({ max_clusters: 30, seed: 9 }, join(dir, 'partfield.json'), join(dir, 'a.obj.partfield.json'))
    expect(params).toMatchObject({ max_clusters: 30, n_clusters: 4, method: 'kmeans', seed: 0 })
  })

  it('uses the defaults without parameter files', async () => {
    const dir = await folder({})
    const params = await resolveParams({}, join(dir, 'partfield.json'), undefined)
    expect(params.n_clusters).toBeUndefined()
    expect(params.method).toBe('agglomerative')
  })

  const invalid: [string, string, RegExp][] = [
    ['an out-of-range value', '{"n_clusters": 0}', /a\.obj\.partfield\.json: invalid n_clusters: 0; expected an integer from 1 to 256/],
    ['an unknown key', '{"clusters": 4}', /a\.obj\.partfield\.json: unknown parameter clusters/],
    ['broken JSON', '{"n_clusters": 4', /a\.obj\.partfield\.json: not valid JSON/],
    ['an array', '[4]', /expected a JSON object such as \{"n_clusters": 8\}, got an array/],
  ]
  for (const [what, text, message] of invalid) {
    it(`names the sidecar with ${what}`, async () => {
      const dir = await folder({ 'a.obj.partfield.json': text })
      const resolving = resolveParams({}, join(dir, 'partfield.json'), join(dir, 'a.obj.partfield.json'))
      await expect(resolving).rejects.toThrow(message)
      await expect(resolving).rejects.toBeInstanceOf(JobFailure)
      await expect(resolving).rejects.toMatchObject({ kind: 'invalid-params' })
    })
  }

  it('names partfield.json when the folder file is invalid', async () => {
    const dir = await folder({ 'partfield.json': '{"backend": "gpu"}' })
    await expect(resolveParams({}, join(dir, 'partfield.json'), undefined)).rejects.toThrow(/partfield\.json: invalid backend: "gpu"/)
  })

  it('fails when the sidecar vanished', async () => {
    const dir = await folder({})
    await expect(resolveParams({}, join(dir, 'partfield.json'), join(dir, 'gone.partfield.json')))
      .rejects.toThrow(/gone\.partfield\.json: cannot read the parameter file \(ENOENT\)/)
  })
})
