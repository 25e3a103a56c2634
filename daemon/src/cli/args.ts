import { isAbsolute, resolve } from 'node:path'
import { parseArgs } from 'node:util'

import { ParamError, parseParams, type SegmentParams } from '../../../protocol/src/params.js'
import type { ExportFormat } from '../export/write-exports.js'

export const USAGE = `Usage: npm run segment -- <mesh file> [options]

Segments an .obj, .glb, .gltf, .ply or .off file into parts and writes coloured meshes,
labels.json and a PCA view of the features. Relative paths are read from the folder you ran
npm in.

Options:
  --parts N              number of parts (default: chosen automatically from the merge tree)
  --max-parts N          largest part count the automatic choice may pick (default 20)
  --method M             agglomerative (default) or kmeans
  --adjacency A          how separate pieces are joined: component_mst (default), face_mst or naive
  --knn K                extra links to the K nearest faces on other pieces (default 0)
  --no-preprocess        keep duplicate vertices and degenerate faces as they are
  --backend B            auto (default), geometric or partfield
  --points-per-face N    PartField: query points per face (default 1000)
  --features-per-sample N  PartField: query points per batch (default 10000)
  --sampling S           PartField: auto (default), full or adaptive
  --pca N                principal components in the feature view, 0 to skip (default 3)
  --seed N               random seed (default 0)
  --out DIR              output folder (default: out/<file name>, numbered if it exists)
  --overwrite            replace earlier results of this tool in --out (never other files)
  --formats LIST         comma-separated: glb,ply,obj,labels,pca (default: all)
  --max-faces N          reject meshes with more faces (default 2000000)
  -q, --quiet            no progress bar
  -h, --help             show this help

Exit codes: 0 done, 1 input or parameters rejected, 2 usage error, 3 internal failure.`

const ALL_FORMATS: readonly ExportFormat[] = ['glb', 'ply', 'obj', 'labels', 'pca']

/** Command-line flag for each segmentation parameter, so errors name what the user typed. */
const FLAG_OF_PARAM: Record<keyof SegmentParams, string> = {
  n_clusters: '--parts',
  max_clusters: '--max-parts',
  method: '--method',
  adjacency: '--adjacency',
  knn: '--knn',
  preprocess: '--no-preprocess',
  backend: '--backend',
  points_per_face: '--points-per-face',
  features_per_sample: '--features-per-sample',
  sampling: '--sampling',
  pca_components: '--pca',
  seed: '--seed',
}

const OPTIONS = {
  parts: { type: 'string' },
  'max-parts': { type: 'string' },
  method: { type: 'string' },
  adjacency: { type: 'string' },
  knn: { type: 'string' },
  'no-preprocess': { type: 'boolean' },
  backend: { type: 'string' },
  'points-per-face': { type: 'string' },
  'features-per-sample': { type: 'string' },
  sampling: { type: 'string' },
  pca: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  overwrite: { type: 'boolean' },
  formats: { type: 'string' },
  'max-faces': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} as const

/** Error for a command line that cannot run; the CLI prints it with the usage hint. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

export interface CliOptions {
  /** Input path, absolute. */
  file: string
  params: SegmentParams
  /** Output folder, absolute, when --out was given. */
  out?: string
  overwrite: boolean
  formats: ExportFormat[]
  maxFaces: number
  quiet: boolean
  help: boolean
}

/**
 * Parses argv (without node and script) into validated options. Relative paths resolve against
 * `cwd`, which the CLI sets to the folder npm was started in (npm itself runs scripts from the
 * package root).
 */
export function parseCliArgs(argv: string[], cwd: string = process.cwd()): CliOptions {
  let parsed
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv), allowPositionals: true, options: OPTIONS })
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const { values, positionals } = parsed
  if (values.help) {
    return { file: '', params: parseParams({}), overwrite: false, formats: [...ALL_FORMATS], maxFaces: 0, quiet: true, help: true }
  }
  if (positionals.length !== 1) {
    const detail = positionals.length === 0 ? 'missing mesh file' : `expected one mesh file, got ${positionals.length}: ${positionals.join(' ')}`
    throw new UsageError(detail)
  }
  if (values.out !== undefined && values.out.trim() === '') throw new UsageError('--out is empty; expected a folder path')

  return {
    file: absolute(positionals[0], cwd),
    params: parseSegmentParams(values),
    out: values.out === undefined ? undefined : absolute(values.out, cwd),
    overwrite: values.overwrite ?? false,
    formats: parseFormats(values.formats),
    maxFaces: parseMaxFaces(values['max-faces']),
    quiet: values.quiet ?? false,
    help: false,
  }
}

function parseSegmentParams(values: Record<string, string | boolean | undefined>): SegmentParams {
  try {
    return parseParams({
      n_clusters: values.parts,
      max_clusters: values['max-parts'],
      method: values.method,
      adjacency: values.adjacency,
      knn: values.knn,
      preprocess: values['no-preprocess'] ? false : undefined,
      backend: values.backend,
      points_per_face: values['points-per-face'],
      features_per_sample: values['features-per-sample'],
      sampling: values.sampling,
      pca_components: values.pca,
      seed: values.seed,
    })
  } catch (error) {
    // The parameter table speaks in API field names; on the command line the flag is what the user typed.
    if (error instanceof ParamError && error.field in FLAG_OF_PARAM) {
      const flag = FLAG_OF_PARAM[error.field as keyof SegmentParams]
      throw new ParamError(error.field, error.message.replaceAll(error.field, flag))
    }
    throw error
  }
}

/**
 * Rewrites `--seed -1` as `--seed=-1`: node's parseArgs reads a value that starts with a dash as
 * a missing value, and the range check should be the one that explains what is allowed.
 */
function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith('--') ? argv[i].slice(2) : ''
    const option = OPTIONS[name as keyof typeof OPTIONS]
    if (option?.type === 'string' && i + 1 < argv.length && /^-\d/.test(argv[i + 1])) {
      out.push(`${argv[i]}=${argv[i + 1]}`)
      i++
    } else {
      out.push(argv[i])
    }
  }
  return out
}

function absolute(path: string, cwd: string): string {
  return isAbsolute(path) ? path : resolve(cwd, path)
}

function parseFormats(raw: string | undefined): ExportFormat[] {
  if (raw === undefined) return [...ALL_FORMATS]
  const formats = raw.split(',').map((f) => f.trim().toLowerCase()).filter((f) => f !== '')
  for (const format of formats) {
    if (!ALL_FORMATS.includes(format as ExportFormat)) {
      throw new UsageError(`invalid format ${JSON.stringify(format)} in --formats; expected some of ${ALL_FORMATS.join(',')}`)
    }
  }
  if (formats.length === 0) throw new UsageError(`--formats is empty; expected some of ${ALL_FORMATS.join(',')}`)
  return formats as ExportFormat[]
}

function parseMaxFaces(raw: string | undefined): number {
  if (raw === undefined) return 2_000_000
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 1) {
    throw new UsageError(`invalid --max-faces ${JSON.stringify(raw)}; expected a positive integer`)
  }
  return value
}
