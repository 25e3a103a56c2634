/** The error.txt written beside a failed file: what failed, what to do, and the facts behind it. */
import { join } from 'node:path'

import type { SegmentParams } from '../../protocol/src/params.js'
import { exists, suffixedNames, writeFileAtomic } from './file-moves.js'
import { adviceFor, type JobFailure } from './job-failure.js'
import type { JobManifest } from './job-manifest.js'

/** Line width of the wrapped paragraphs, so the file reads well in any text editor. */
const WIDTH = 78
const RETRY_ADVICE = 'To retry, move the files of this folder (except this error.txt) back into incoming/. ' +
  'The watcher leaves this folder with error.txt and its hidden job record; delete it when you no longer need it.'

export interface ErrorReport {
  failure: JobFailure
  manifest: JobManifest
  folder: string
  /** `in-process` or the daemon's URL. */
  processedBy: string
  params?: SegmentParams
}

export function errorText(report: ErrorReport): string {
  const { failure, manifest } = report
  const lines = [
    `partfield-bridge could not segment ${manifest.file}.`,
    '',
    'What failed:',
    // Not wrapped: the message often contains a path or a quoted value that must stay whole.
    `  ${failure.message}`,
    '',
    'What to do:',
    ...wrap(adviceFor(failure.kind, report.processedBy)),
    // Moving an unsupported file back would only fail it again.
    ...(failure.kind === 'unsupported-format' ? [] : wrap(RETRY_ADVICE)),
    '',
    'Details:',
    `  file:        ${manifest.file}`,
  ]
  if (manifest.companions.length > 0) lines.push(`  companions:  ${manifest.companions.join(', ')}`)
  if (manifest.missing.length > 0) lines.push(`  missing:     ${manifest.missing.join(', ')} (referenced by the file, never arrived)`)
  if (manifest.sidecar) lines.push(`  sidecar:     ${manifest.sidecar}`)
  lines.push(
    `  folder:      ${report.folder}`,
    `  failed at:   ${new Date().toISOString()}`,
    `  processed:   ${report.processedBy}`,
    `  reason code: ${failure.kind}`,
  )
  if (report.params) lines.push(`  parameters:  ${JSON.stringify(report.params)}`)
  return `${lines.join('\n')}\n`
}

/** Breaks text into lines of at most WIDTH characters at spaces, indented by two. */
function wrap(text: string): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > WIDTH) {
      lines.push(`  ${line}`)
      line = word
    } else {
      line = line === '' ? word : `${line} ${word}`
    }
  }
  if (line !== '') lines.push(`  ${line}`)
  return lines
}

/**
 * Writes the report into the job folder as error.txt, or as error-2.txt and so on when a file
 * of that name came with the mesh. Returns the name used.
 */
export async function writeErrorReport(dir: string, report: ErrorReport): Promise<string> {
  for (const candidate of suffixedNames('error')) {
    const name = `${candidate}.txt`
    if (await exists(join(dir, name))) continue
    await writeFileAtomic(join(dir, name), errorText(report))
    return name
  }
  throw new Error(`no free name for the error report in ${dir}`)
}
