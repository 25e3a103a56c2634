import type { PreparedMesh } from '../../prepare/prepared-mesh.js'

/**
 * Compares the windings of two triangles across their shared edge: +1 when they are
 * consistent (the edge runs in opposite directions in the two), -1 when one of them is flipped,
 * 0 when they share no edge.
 */
export function windingAgreement(triangles: Uint32Array, t: number, u: number): number {
  for (let i = 0; i < 3; i++) {
    const a = triangles[3 * t + i]
    const b = triangles[3 * t + ((i + 1) % 3)]
    for (let j = 0; j < 3; j++) {
      const c = triangles[3 * u + j]
      const d = triangles[3 * u + ((j + 1) % 3)]
      if (a === d && b === c) return 1
      if (a === c && b === d) return -1
    }
  }
  return 0
}

/**
 * Chooses a sign per triangle (+1 keep, -1 flip) so that normals agree across shared edges
 * and point outwards. Files often mix windings, so nothing downstream may trust the stored
 * normals: the signs spread by breadth-first search over the shared-edge graph, and each
 * connected piece is then flipped as a whole when its signed volume comes out negative.
 * On a piece with holes the volume test still picks the side that encloses more volume.
 */
export function orientTriangles(mesh: PreparedMesh): Int8Array {
  const count = mesh.triangles.length / 3
  const signs = new Int8Array(count)
  const queue = new Uint32Array(count)
  const { offsets, neighbors } = mesh.adjacency

  for (let seed = 0; seed < count; seed++) {
    if (signs[seed] !== 0) continue
    signs[seed] = 1
    let head = 0
    let tail = 0
    queue[tail++] = seed
    while (head < tail) {
      const t = queue[head++]
      for (let p = offsets[t]; p < offsets[t + 1]; p++) {
        const u = neighbors[p]
        if (signs[u] !== 0) continue
        const agreement = windingAgreement(mesh.triangles, t, u)
        signs[u] = (agreement < 0 ? -signs[t] : signs[t]) as 1 | -1
        queue[tail++] = u
      }
    }
    if (signedVolume(mesh, signs, queue, tail) < 0) {
      for (let i = 0; i < tail; i++) signs[queue[i]] = -signs[queue[i]] as 1 | -1
    }
  }
  return signs
}

/** Signed volume enclosed by the listed triangles with the given signs, about their centroid. */
function signedVolume(mesh: PreparedMesh, signs: Int8Array, members: Uint32Array, count: number): number {
  const { centroids, normals, areas } = mesh
  let cx = 0
  let cy = 0
  let cz = 0
  let total = 0
  for (let i = 0; i < count; i++) {
    const t = members[i]
    cx += areas[t] * centroids[3 * t]
    cy += areas[t] * centroids[3 * t + 1]
    cz += areas[t] * centroids[3 * t + 2]
    total += areas[t]
  }
  if (total <= 0) return 0
  cx /= total
  cy /= total
  cz /= total

  let volume = 0
  for (let i = 0; i < count; i++) {
    const t = members[i]
    const dot =
      (centroids[3 * t] - cx) * normals[3 * t] +
      (centroids[3 * t + 1] - cy) * normals[3 * t + 1] +
      (centroids[3 * t + 2] - cz) * normals[3 * t + 2]
    volume += (signs[t] * dot * areas[t]) / 3
  }
  return volume
}
