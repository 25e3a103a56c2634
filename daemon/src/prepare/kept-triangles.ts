/**
 * Triangles with less area than this, in PartField's normalised frame (longest side 1.8), count
 * as degenerate: a triangle 1e-6 wide at that scale is far below any feature's resolution.
 */
export const DEGENERATE_AREA = 1e-12

/** Triangles left out of feature computation, with the count for each reason. */
export interface KeptTriangles {
  /** 1 for triangles features use, 0 for degenerate or duplicate ones. */
  kept: Uint8Array
  degenerateCount: number
  duplicateCount: number
}

/**
 * Marks triangles that features must ignore. Degenerate: two corners share a vertex, or the area
 * is below DEGENERATE_AREA. Duplicate: the same three vertices, in any order or winding, as an
 * earlier kept triangle. With `cleanup` off only triangles of exactly zero area are marked,
 * because they have no normal for features to use.
 */
export function markKeptTriangles(
  triangles: Uint32Array,
  areas: Float32Array,
  vertexCount: number,
  cleanup: boolean,
): KeptTriangles {
  const triangleCount = triangles.length / 3
  const kept = new Uint8Array(triangleCount).fill(1)
  let degenerateCount = 0
  for (let t = 0; t < triangleCount; t++) {
    const a = triangles[3 * t]
    const b = triangles[3 * t + 1]
    const c = triangles[3 * t + 2]
    const degenerate = cleanup
      ? a === b || b === c || a === c || !(areas[t] >= DEGENERATE_AREA)
      : !(areas[t] > 0)
    if (degenerate) {
      kept[t] = 0
      degenerateCount++
    }
  }
  const duplicateCount = cleanup ? markDuplicates(triangles, kept, vertexCount) : 0
  return { kept, degenerateCount, duplicateCount }
}

/**
 * Groups kept triangles by their lowest vertex (a counting sort), then compares the other two
 * vertices within each group, which is linear time for meshes of bounded vertex valence.
 */
function markDuplicates(triangles: Uint32Array, kept: Uint8Array, vertexCount: number): number {
  const triangleCount = kept.length
  const start = new Uint32Array(vertexCount + 1)
  for (let t = 0; t < triangleCount; t++) {
    if (kept[t]) start[lowestVertex(triangles, t) + 1]++
  }
  for (let v = 0; v < vertexCount; v++) start[v + 1] += start[v]
  const fill = start.slice(0, vertexCount)
  const grouped = new Uint32Array(start[vertexCount])
  for (let t = 0; t < triangleCount; t++) {
    if (kept[t]) grouped[fill[lowestVertex(triangles, t)]++] = t
  }

  let duplicates = 0
  for (let v = 0; v < vertexCount; v++) {
    const begin = start[v]
    const end = start[v + 1]
    if (end - begin > LARGE_GROUP) sortGroupByKey(grouped, begin, end, triangles)
    duplicates += markDuplicatesInGroup(grouped, begin, end, triangles, kept, end - begin > LARGE_GROUP)
  }
  return duplicates
}

/** Groups larger than this (a fan around one vertex) are sorted instead of compared pairwise. */
const LARGE_GROUP = 64

/**
 * Marks every triangle equal to an earlier kept one in grouped[begin..end). Triangles come in
 * index order, or sorted by (highest vertex, vertex sum, index) when `sorted`, so the earliest
 * copy stays kept either way. A sorted group only compares within runs of equal keys.
 */
function markDuplicatesInGroup(
  grouped: Uint32Array,
  begin: number,
  end: number,
  triangles: Uint32Array,
  kept: Uint8Array,
  sorted: boolean,
): number {
  let duplicates = 0
  for (let i = begin; i < end; i++) {
    const t = grouped[i]
    if (!kept[t]) continue
    const sum = vertexSum(triangles, t)
    const high = highestVertex(triangles, t)
    for (let j = i + 1; j < end; j++) {
      const u = grouped[j]
      const sameHigh = highestVertex(triangles, u) === high
      if (sorted && (!sameHigh || vertexSum(triangles, u) !== sum)) break
      if (!kept[u] || !sameHigh || vertexSum(triangles, u) !== sum) continue
      kept[u] = 0
      duplicates++
    }
  }
  return duplicates
}

function sortGroupByKey(grouped: Uint32Array, begin: number, end: number, triangles: Uint32Array): void {
  const members = Array.from(grouped.subarray(begin, end))
  members.sort((a, b) => {
    const byHigh = highestVertex(triangles, a) - highestVertex(triangles, b)
    if (byHigh !== 0) return byHigh
    const bySum = vertexSum(triangles, a) - vertexSum(triangles, b)
    return bySum !== 0 ? bySum : a - b
  })
  grouped.set(members, begin)
}

function vertexSum(triangles: Uint32Array, t: number): number {
  return triangles[3 * t] + triangles[3 * t + 1] + triangles[3 * t + 2]
}

function lowestVertex(triangles: Uint32Array, t: number): number {
  return Math.min(triangles[3 * t], triangles[3 * t + 1], triangles[3 * t + 2])
}

function highestVertex(triangles: Uint32Array, t: number): number {
  return Math.max(triangles[3 * t], triangles[3 * t + 1], triangles[3 * t + 2])
}
