import { basename, extname } from 'node:path'

import { ParamError } from '../../../protocol/src/params.js'
import { ExportError } from '../export/errors.js'
import { writeExports } from '../export/write-exports.js'
import { BackendUnavailableError } from '../features/select-backend.js'
import { MeshParseError } from '../mesh/errors.js'
import { readMeshFile } from '../mesh/read-file.js'
import { progressEvent, type ProgressEvent } from '../pipeline/progress.js'
import { segment } from '../pipeline/segment.js'
import type { Stage } from '../pipeline/segmentation.js'
import { parseCliArgs, USAGE, UsageError } from './args.js'
import { chooseOutputDir } from './output-dir.js'
import { ProgressBar } from './progress-bar.js'

/** Exit codes: 0 done, 1 the input or parameters were rejected, 2 usage error, 3 internal failure. */
const EXIT_INPUT = 1
const EXIT_USAGE = 2
const EXIT_FAILURE = 3

// npm runs scripts from the package root; INIT_CWD is the folder the user typed the command in.
const USER_CWD = process.env.INIT_CWD ?? process.cwd()

const bar = new ProgressBar(process.stderr)

async function run(argv: string[]): Promise<number> {
  const options = parseCliArgs(argv, USER_CWD)
  if (options.help) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }

  const stem = basename(options.file, extname(options.file)) || 'mesh'
  const dir = chooseOutputDir({ stem, requested: options.out, formats: options.formats, overwrite: options.overwrite, cwd: USER_CWD })
  const onProgress = options.quiet ? undefined : (event: ProgressEvent) => bar.update(event)

  onProgress?.(progressEvent('load', 0))
  const loadStart = performance.now()
  const input = await readMeshFile(options.file, { maxFaces: options.maxFaces })
  const loadMs = Math.round(performance.now() - loadStart)

  const seg = await segment(input, options.params, { onProgress })
  seg.timings = { load: loadMs, ...seg.timings }

  onProgress?.(progressEvent('export', 0))
  const exportStart = performance.now()
  const files = await writeExports(seg, { dir, baseName: stem, formats: options.formats })
  seg.timings.export = Math.round(performance.now() - exportStart)
  onProgress?.(progressEvent('export', 1))
  bar.done()

  const elements = input.kind === 'mesh' ? `${input.polygonCount} faces` : `${input.positions.length / 3} points`
  const chosen = seg.autoPartCount ? ' (chosen automatically)' : ''
  process.stderr.write(`${elements}, ${seg.partCount} parts${chosen}, ${seg.backend} backend on ${seg.device}\n`)
  process.stderr.write(`timings: ${formatTimings(seg.timings)}\n`)
  for (const warning of seg.warnings) process.stderr.write(`warning: ${warning}\n`)

  // Paths go to stdout, one per line, so scripts can pick them up.
  process.stdout.write(`results in ${dir}\n`)
  for (const file of files) process.stdout.write(`  ${file.path}\n`)
  return 0
}

function formatTimings(timings: Partial<Record<Stage, number>>): string {
  const parts = Object.entries(timings).map(([stage, ms]) => `${stage} ${ms} ms`)
  const total = Object.values(timings).reduce((sum, ms) => sum + (ms ?? 0), 0)
  return `${parts.join(', ')}; total ${total} ms`
}

function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return EXIT_USAGE
  if (error instanceof MeshParseError || error instanceof ParamError) return EXIT_INPUT
  if (error instanceof BackendUnavailableError || error instanceof ExportError) return EXIT_INPUT
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') return EXIT_INPUT
  return EXIT_FAILURE
}

try {
  process.exitCode = await run(process.argv.slice(2))
} catch (error) {
  const code = exitCodeFor(error)
  const message = error instanceof Error ? error.message : String(error)
  bar.done()
  process.stderr.write(`error: ${message}\n`)
  if (code === EXIT_USAGE) process.stderr.write('Run `npm run segment -- --help` for usage.\n')
  if (code === EXIT_FAILURE && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`)
  process.exitCode = code
}
