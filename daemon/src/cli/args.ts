import { parseArgs } from 'node:util'

import { parseParams, type SegmentParams } from '../../../protocol/src/params.js'
import type { ExportFormat } from '../export/write-exports.js'

export const USAGE = `Usage: npm run segment -- <mesh file> [options]

Segments an .obj, .glb, .gltf, .ply or .off file into parts and writes coloured meshes,
labels.json and a PCA view of the features.

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
  --formats LIST         comma-separated: glb,ply,obj,labels,pca (default: all)
  --max-faces N          reject meshes with more faces (default 2000000)
  -q, --quiet            no progress bar
  -h, --help             show this help`

const ALL_FORMATS: readonly ExportFormat[] = ['glb', 'ply', 'obj', 'labels', 'pca']

/** Error for a command line that cannot run; the CLI prints it with the usage hint. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

export interface CliOptions {
  file: string
  params: SegmentParams
  out?: string
  formats: ExportFormat[]
  maxFaces: number
  quiet: boolean
  help: boolean
}

/** Parses argv (without node and script) into validated options. */
export function parseCliArgs(argv: string[]): CliOptions {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
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
        formats: { type: 'string' },
        'max-faces': { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const { values, positionals } = parsed
  if (values.help) {
    return { file: '', params: parseParams({}), formats: [...ALL_FORMATS], maxFaces: 0, quiet: true, help: true }
  }
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0 ? 'missing mesh file' : `expected one mesh file, got ${positionals.length}: ${positionals.join(' ')}`,
    )
  }

  const params = parseParams({
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

  return {
    file: positionals[0],
    params,
    out: values.out,
    formats: parseFormats(values.formats),
    maxFaces: parseMaxFaces(values['max-faces']),
    quiet: values.quiet ?? false,
    help: false,
  }
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
