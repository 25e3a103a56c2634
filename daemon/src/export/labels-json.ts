import { PARAM_SPECS, type SegmentParams } from '../../../protocol/src/params.js'
import type { Segmentation, Stage } from '../pipeline/segmentation.js'
import { formatFloat32 } from './float-text.js'
import { partColor } from './palette.js'
import { checkSegmentation, countPerPart, partName } from './parts.js'
import { GENERATOR } from './signature.js'

/**
 * labels.json, format version 1. Keys always appear in this order:
 *
 *   generator      "partfield-bridge"
 *   formatVersion  1; raised when a key changes meaning or goes away (new keys may appear)
 *   source         { name, format, kind }: the input's file name, format ("obj", "glb", ...)
 *                  and kind ("mesh" or "points")
 *   faceCount      number of source faces (the user's polygons); 0 for a point cloud
 *   pointCount     number of points; 0 for a mesh
 *   triangleCount  triangles after triangulating the source faces; 0 for a point cloud
 *   partCount      number of parts; labels run 0..partCount-1
 *   autoPartCount  true when the part count was chosen from the merge tree, not given
 *   labels         one part label per source face (per point), in file order
 *   parts          per part, in label order: { label, name, color, size } with name as in the
 *                  GLB and OBJ ("part_00"), color as sRGB bytes [r, g, b] and size the number of
 *                  faces (points) in the part
 *   nodes          per object or node of the source file, in file order:
 *                  { name, firstFace, faceCount }; its faces are firstFace..firstFace+faceCount-1
 *                  in `labels`; empty for a point cloud
 *   tree           null for k-means, else the merge tree in SciPy's linkage convention:
 *                  { leafCount, merges, costs } where leaves are 0..leafCount-1, merge i joins
 *                  the node ids merges[2i] and merges[2i+1] into node leafCount+i at cost costs[i]
 *   params         every segmentation parameter, in the order of PARAM_SPECS; n_clusters is
 *                  null when the part count was chosen automatically
 *   pcaComponents  principal components computed per face; 0 when there is no PCA view
 *   backend        "geometric" or "partfield"
 *   device         "cpu" or "cuda"
 *   timings        milliseconds per pipeline stage, in pipeline order, only the stages that ran
 *   warnings       recoverable problems met while loading and segmenting, as sentences
 *
 * Small objects and arrays of numbers are written on one line each, so a million labels cost one
 * line rather than a million.
 */

const FORMAT_VERSION = 1
const STAGE_ORDER: readonly Stage[] = ['load', 'prepare', 'features', 'cluster', 'pca', 'export']

/** Encodes labels.json as UTF-8 bytes. */
export function encodeLabelsJson(seg: Segmentation): Uint8Array {
  return new TextEncoder().encode(`${formatJson(labelsDocument(seg), 0)}\n`)
}

/** Builds the labels.json object, keys in their documented order. */
export function labelsDocument(seg: Segmentation): Record<string, unknown> {
  checkSegmentation(seg)
  const input = seg.input
  const isMesh = input.kind === 'mesh'
  const sizes = countPerPart(seg.labels, seg.partCount)

  return {
    generator: GENERATOR,
    formatVersion: FORMAT_VERSION,
    source: { name: input.sourceName, format: input.format, kind: input.kind },
    faceCount: isMesh ? input.polygonCount : 0,
    pointCount: isMesh ? 0 : input.positions.length / 3,
    triangleCount: isMesh ? input.triangles.length / 3 : 0,
    partCount: seg.partCount,
    autoPartCount: seg.autoPartCount,
    labels: Array.from(seg.labels),
    parts: Array.from(sizes, (size, label) => ({
      label,
      name: partName(label, seg.partCount),
      color: partColor(label),
      size,
    })),
    nodes: isMesh ? nodeRanges(input.nodes) : [],
    tree: seg.tree
      ? {
          leafCount: seg.tree.leafCount,
          merges: Array.from(seg.tree.merges),
          costs: Array.from(seg.tree.costs, (cost) => Number(formatFloat32(cost))),
        }
      : null,
    params: orderedParams(seg.params),
    pcaComponents: seg.pca?.components ?? 0,
    backend: seg.backend,
    device: seg.device,
    timings: orderedTimings(seg.timings),
    warnings: seg.warnings,
  }
}

function nodeRanges(nodes: { name: string; polygonCount: number }[]): object[] {
  let firstFace = 0
  return nodes.map((node) => {
    const range = { name: node.name, firstFace, faceCount: node.polygonCount }
    firstFace += node.polygonCount
    return range
  })
}

function orderedParams(params: SegmentParams): Record<string, unknown> {
  const ordered: Record<string, unknown> = {}
  for (const key of Object.keys(PARAM_SPECS) as (keyof SegmentParams)[]) ordered[key] = params[key] ?? null
  return ordered
}

function orderedTimings(timings: Segmentation['timings']): Record<string, number> {
  const ordered: Record<string, number> = {}
  for (const stage of STAGE_ORDER) {
    const ms = timings[stage]
    if (ms !== undefined) ordered[stage] = ms
  }
  return ordered
}

/**
 * Writes JSON with the top level and the objects directly under it expanded one key per line,
 * arrays of objects one element per line, and everything else compact.
 */
function formatJson(value: unknown, depth: number): string {
  const indent = '  '.repeat(depth + 1)
  const closing = '  '.repeat(depth)
  if (Array.isArray(value)) {
    if (value.length === 0 || value.every((item) => typeof item !== 'object' || item === null)) {
      return JSON.stringify(value)
    }
    return `[\n${value.map((item) => indent + JSON.stringify(item)).join(',\n')}\n${closing}]`
  }
  if (typeof value === 'object' && value !== null && depth < 2) {
    const entries = Object.entries(value)
    if (entries.length === 0) return '{}'
    const lines = entries.map(([key, child]) => `${indent}${JSON.stringify(key)}: ${formatJson(child, depth + 1)}`)
    return `{\n${lines.join(',\n')}\n${closing}}`
  }
  return JSON.stringify(value)
}
