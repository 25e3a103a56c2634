/**
 * Segmentation parameters of one file, from three layers, each overriding the one before:
 * the watcher's configuration for the folder, the folder's partfield.json and the file's sidecar
 * `<file>.partfield.json`. A `null` in a later layer restores the default.
 */
import { readFile } from 'node:fs/promises'

import { parseParams, type SegmentParams } from '../../protocol/src/params.js'
import { JobFailure } from './job-failure.js'

/** Returns the parameters of a job, or throws JobFailure 'invalid-params' naming the file at fault. */
export async function resolveParams(
  configured: Record<string, unknown>,
  folderFile: string,
  sidecar: string | undefined,
): Promise<SegmentParams> {
  const layers: Array<[string, Record<string, unknown>]> = [['the watcher configuration', configured]]
  const folderParams = await readParamsFile(folderFile, false)
  if (folderParams) layers.push([folderFile, folderParams])
  const sidecarParams = sidecar ? await readParamsFile(sidecar, true) : undefined
  if (sidecar && sidecarParams) layers.push([sidecar, sidecarParams])

  // Each layer is checked alone first, so the error names the file that contains the bad value.
  for (const [source, values] of layers) checkLayer(source, values)
  return parseParams(Object.assign({}, ...layers.map(([, values]) => values)))
}

function checkLayer(source: string, values: Record<string, unknown>): void {
  try {
    parseParams(values)
  } catch (error) {
    throw new JobFailure('invalid-params', `${source}: ${(error as Error).message}`)
  }
}

/**
 * Reads a parameter file: a JSON object such as {"n_clusters": 8}. A missing folder file means
 * no parameters; a sidecar that vanished after it was seen is an error.
 */
async function readParamsFile(path: string, required: boolean): Promise<Record<string, unknown> | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' && !required) return undefined
    throw new JobFailure('invalid-params', `${path}: cannot read the parameter file (${code ?? String(error)})`)
  }

  let value: unknown
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch (error) {
    throw new JobFailure('invalid-params', `${path}: not valid JSON (${(error as Error).message}); expected an object such as {"n_clusters": 8}`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new JobFailure('invalid-params', `${path}: expected a JSON object such as {"n_clusters": 8}, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`)
  }
  return value as Record<string, unknown>
}

