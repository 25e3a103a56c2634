/**
 * Waits for the files a mesh refers to. Only files that segmentation reads hold a mesh back for
 * long: a glTF waits for its buffers up to the companion timeout. An OBJ waits a sixth as long
 * for its material libraries, which travel with the mesh but do not change the segmentation.
 * Textures are taken when present and otherwise left out, because segmentation never reads them.
 */
import { join, posix } from 'node:path'

import type { Logger } from 'pino'

import { findReferences, type Reference, type ReferenceKind } from './companions.js'
import { pause } from './pause.js'
import { readFileState, waitUntilStable, type StableOptions } from './stable-file.js'
import { isMeshFileName } from './temp-names.js'

/** Share of the companion timeout that an OBJ waits for its material libraries. */
export const MATERIAL_WAIT_SHARE = 1 / 6
/** More referenced files than this are not followed, so a strange file cannot stall the watcher. */
const MAX_COMPANIONS = 1000

export interface CompanionWaitOptions {
  incoming: string
  /** How long a buffer is waited for, in milliseconds. */
  timeoutMs: number
  stable: StableOptions
  /** A logger that names the folder. */
  logger: Logger
  /** Called with each referenced path before it is waited for. */
  onReference(path: string): void
}

export interface Companions {
  /** Referenced files present and complete, relative to incoming/. */
  present: string[]
  /** Referenced files that did not arrive in time. */
  missing: string[]
}

/**
 * Waits for the files the mesh `name` in incoming/ refers to, then for the files those refer to
 * (a material library's textures). Logs one line when the wait starts and one when it gives up.
 */
export async function gatherCompanions(name: string, options: CompanionWaitOptions): Promise<Companions> {
  const start = Date.now()
  const deadlines: Record<ReferenceKind, number> = {
    buffer: start + options.timeoutMs,
    material: start + Math.round(options.timeoutMs * MATERIAL_WAIT_SHARE),
    texture: start,
  }
  const present: string[] = []
  const missing: Reference[] = []
  const seen = new Set<string>([name])
  let round = await findReferences(join(options.incoming, name))
  await announceWait(name, round, deadlines, start, options)

  while (round.length > 0) {
    const fresh = newReferences(round, seen)
    for (const reference of fresh) options.onReference(reference.path)
    const arrived = await Promise.all(fresh.map((reference) => awaitFile(reference, deadlines[reference.kind], options)))

    const next: Reference[] = []
    for (const [i, reference] of fresh.entries()) {
      if (!arrived[i]) {
        missing.push(reference)
        continue
      }
      present.push(reference.path)
      const directory = posix.dirname(reference.path)
      for (const nested of await findReferences(join(options.incoming, reference.path))) {
        const path = posix.normalize(posix.join(directory, nested.path))
        if (!path.startsWith('../')) next.push({ path, kind: nested.kind })
      }
    }
    round = next
  }

  reportMissing(name, missing, deadlines, start, options.logger)
  return { present, missing: missing.map((reference) => reference.path) }
}

/**
 * Returns the references not seen before, marking them seen. A referenced mesh file is a job of
 * its own, so it does not travel with this one.
 */
function newReferences(round: readonly Reference[], seen: Set<string>): Reference[] {
  const fresh: Reference[] = []
  for (const reference of round) {
    if (seen.has(reference.path) || isMeshFileName(posix.basename(reference.path))) continue
    if (seen.size > MAX_COMPANIONS) break
    seen.add(reference.path)
    fresh.push(reference)
  }
  return fresh
}

/** Returns whether the file exists before `deadline` and then stays unchanged for the stability window. */
async function awaitFile(reference: Reference, deadline: number, options: CompanionWaitOptions): Promise<boolean> {
  const path = join(options.incoming, reference.path)
  for (;;) {
    if (await readFileState(path)) break
    if (Date.now() >= deadline) return false
    await pause(options.stable.pollMs, options.stable.signal)
  }
  return (await waitUntilStable(path, options.stable)) !== undefined
}

/** Logs which files the mesh waits for, when some that it waits for are not there yet. */
async function announceWait(
  name: string,
  references: readonly Reference[],
  deadlines: Record<ReferenceKind, number>,
  start: number,
  options: CompanionWaitOptions,
): Promise<void> {
  const absent: Reference[] = []
  for (const reference of references) {
    if (reference.kind === 'texture') continue
    if (!(await readFileState(join(options.incoming, reference.path)))) absent.push(reference)
  }
  if (absent.length === 0) return

  const groups = byKind(absent).map(({ kind, paths }) => `${paths.join(', ')} (up to ${seconds(deadlines[kind] - start)} s)`)
  options.logger.info({ file: name, waitingFor: absent.map((reference) => reference.path) },
    `${name} refers to files not in incoming/ yet; waiting for ${groups.join(' and ')}`)
}

const WHY_NOT_NEEDED: Record<ReferenceKind, string> = {
  buffer: 'the mesh cannot be read if its geometry is in them',
  material: 'materials do not affect the segmentation',
  texture: 'segmentation does not use textures',
}

/** Logs one line about the files that did not arrive: those waited for, then textures. */
function reportMissing(
  name: string,
  missing: readonly Reference[],
  deadlines: Record<ReferenceKind, number>,
  start: number,
  logger: Logger,
): void {
  if (missing.length === 0) return
  const parts = byKind(missing).map(({ kind, paths }) => kind === 'texture'
    ? `textures ${paths.join(', ')} are not in incoming/ (${WHY_NOT_NEEDED[kind]})`
    : `gave up waiting for ${paths.join(', ')} after ${seconds(deadlines[kind] - start)} s (${WHY_NOT_NEEDED[kind]})`)
  logger.warn({ file: name, missing: missing.map((reference) => reference.path) },
    `${parts.join('; ')}; processing ${name} without them`)
}

function byKind(references: readonly Reference[]): Array<{ kind: ReferenceKind; paths: string[] }> {
  const groups = new Map<ReferenceKind, string[]>()
  for (const reference of references) groups.set(reference.kind, [...(groups.get(reference.kind) ?? []), reference.path])
  return [...groups].map(([kind, paths]) => ({ kind, paths }))
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10
}
