/**
 * The daemon's size limit (--max-faces). A job's work grows with the triangles it prepares,
 * samples and clusters, not with the user's source faces: a Blender mesh sent with polygon ids can
 * have 500 faces and 250,000 triangles. So the limit counts triangles after triangulation, and
 * points for a point cloud. Source faces never exceed triangles, so it bounds them too.
 */
import { plural } from '../../../protocol/src/plural.js'
import { MeshParseError } from '../mesh/errors.js'
import type { LoadedInput } from '../mesh/mesh-data.js'

/** The setting behind the limit, named in every message that reports it. */
const LIMIT_SETTING = "the daemon's --max-faces limit, PARTFIELD_MAX_FACES"
const ADVICE = 'decimate the mesh, or start the daemon with a larger --max-faces'
const POINTS_ADVICE = 'send fewer points, or start the daemon with a larger --max-faces'

/** Throws MeshParseError `too-many-faces` when a mesh has more triangles than `maxFaces`. */
export function checkTriangleLimit(name: string, triangles: number, sourceFaces: number, maxFaces: number): void {
  if (triangles <= maxFaces) return
  throw new MeshParseError('too-many-faces', name, undefined,
    `the mesh has ${plural(sourceFaces, 'source face')} in ${plural(triangles, 'triangle')}; ` +
    `expected at most ${plural(maxFaces, 'triangle')} (${LIMIT_SETTING}); ${ADVICE}`)
}

/** Throws MeshParseError `too-many-faces` when a loaded mesh or point cloud is over the limit. */
export function checkWorkLimit(input: LoadedInput, maxFaces: number): void {
  if (input.kind === 'mesh') {
    checkTriangleLimit(input.sourceName, input.triangles.length / 3, input.polygonCount, maxFaces)
    return
  }

  const points = input.positions.length / 3
  if (points <= maxFaces) return
  throw new MeshParseError('too-many-faces', input.sourceName, undefined,
    `the point cloud has ${plural(points, 'point')}; expected at most ${maxFaces} (${LIMIT_SETTING}); ${POINTS_ADVICE}`)
}

/**
 * Returns a loader's `too-many-faces` error with the setting named. The loaders stop as soon as
 * the source faces (or points) pass the limit, before triangulating, and their message names only
 * "the configured limit". Other errors are returned unchanged.
 */
export function nameLimitSetting(error: unknown): unknown {
  if (!(error instanceof MeshParseError) || error.code !== 'too-many-faces') return error
  const prefix = error.position ? `${error.file}: ${error.position}: ` : `${error.file}: `
  const detail = error.message.slice(prefix.length).replace(/ \(the configured limit\)$/, '')
  // The loaders' messages start "the point cloud has" for points and "the file has" for faces.
  const ending = detail.includes('point cloud')
    ? `(${LIMIT_SETTING}); ${POINTS_ADVICE}`
    : `(${LIMIT_SETTING}, which counts triangles after triangulation); ${ADVICE}`
  return new MeshParseError(error.code, error.file, error.position, `${detail} ${ending}`)
}
