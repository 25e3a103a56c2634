/**
 * Splits one polygon into triangles so that concave polygons stay inside their outline: ear
 * clipping on the polygon projected to its best-fit plane. The plane's normal is Newell's normal,
 * which is exact for planar polygons and a least-squares fit for slightly bent ones.
 *
 * Index shuffle for a concave pentagon (corner 1 is a notch, y up), clipping from corner 0:
 *
 *     4 ─────────────── 3
 *     │                 │        ear at 0: triangle (4, 0, 1), list becomes 1 2 3 4
 *     │                 │        ear at 1: triangle (4, 1, 2), list becomes 2 3 4
 *     │        1        │        last three:  triangle (4, 2, 3)
 *     │     ╱     ╲     │
 *     0 ╱             ╲ 2        a fan from 0 would emit (0, 1, 2), which lies in the notch
 *
 * Every triangle keeps the polygon's winding (previous, ear, next). A polygon with no area, or
 * one that crosses itself so that no ear is left, falls back to a fan over its remaining corners.
 */

/** Point-in-triangle tests one polygon may spend before the rest of it is fanned (huge n-gons). */
const MAX_EAR_TESTS = 50_000_000

/** Reusable buffers so triangulating a million polygons allocates nothing per polygon. */
export class TriangulationScratch {
  u = new Float64Array(64)
  v = new Float64Array(64)
  next = new Int32Array(64)
  previous = new Int32Array(64)
  /** 1 where the corner is reflex or flat: only those can lie inside an ear of a simple polygon. */
  reflex = new Uint8Array(64)

  ensure(size: number): void {
    if (this.u.length >= size) return
    const capacity = Math.max(size, this.u.length * 2)
    this.u = new Float64Array(capacity)
    this.v = new Float64Array(capacity)
    this.next = new Int32Array(capacity)
    this.previous = new Int32Array(capacity)
    this.reflex = new Uint8Array(capacity)
  }
}

/**
 * Triangulates the polygon whose corners are `start .. end-1` of `cornerVertices` and writes
 * `end - start - 2` triangles to `out` from `outOffset`, as corner indices (not vertex indices),
 * so callers can carry per-corner normals and UVs along. Returns false when it had to fall back
 * to a fan (degenerate or self-intersecting polygon).
 */
export function triangulatePolygon(
  positions: Float32Array,
  cornerVertices: Uint32Array,
  start: number,
  end: number,
  out: Uint32Array,
  outOffset: number,
  scratch: TriangulationScratch,
): boolean {
  const count = end - start
  if (count === 3) {
    out[outOffset] = start
    out[outOffset + 1] = start + 1
    out[outOffset + 2] = start + 2
    return true
  }

  if (!projectToBestFitPlane(positions, cornerVertices, start, end, scratch)) {
    writeFan(start, end, out, outOffset)
    return false
  }
  return clipEars(count, start, out, outOffset, scratch)
}

/**
 * Fills scratch.u/v with the corners projected on the axis plane most parallel to the polygon,
 * oriented so the polygon winds counter-clockwise there. Returns false for a zero-area polygon.
 */
function projectToBestFitPlane(
  positions: Float32Array,
  cornerVertices: Uint32Array,
  start: number,
  end: number,
  scratch: TriangulationScratch,
): boolean {
  let nx = 0
  let ny = 0
  let nz = 0
  for (let corner = start; corner < end; corner++) {
    const a = cornerVertices[corner] * 3
    const b = cornerVertices[corner + 1 === end ? start : corner + 1] * 3
    nx += (positions[a + 1] - positions[b + 1]) * (positions[a + 2] + positions[b + 2])
    ny += (positions[a + 2] - positions[b + 2]) * (positions[a] + positions[b])
    nz += (positions[a] - positions[b]) * (positions[a + 1] + positions[b + 1])
  }
  const ax = Math.abs(nx)
  const ay = Math.abs(ny)
  const az = Math.abs(nz)
  if (!(ax + ay + az > 0)) return false

  // Drop the dominant axis. Swapping the two kept axes when the normal points down that axis
  // keeps the projected winding counter-clockwise.
  let uAxis = 2
  let vAxis = 0
  if (az >= ax && az >= ay) {
    uAxis = nz > 0 ? 0 : 1
    vAxis = nz > 0 ? 1 : 0
  } else if (ax >= ay) {
    uAxis = nx > 0 ? 1 : 2
    vAxis = nx > 0 ? 2 : 1
  } else if (ny < 0) {
    uAxis = 0
    vAxis = 2
  }

  const count = end - start
  scratch.ensure(count)
  for (let i = 0; i < count; i++) {
    const vertex = cornerVertices[start + i] * 3
    scratch.u[i] = positions[vertex + uAxis]
    scratch.v[i] = positions[vertex + vAxis]
  }
  return true
}

function clipEars(
  count: number,
  start: number,
  out: Uint32Array,
  outOffset: number,
  scratch: TriangulationScratch,
): boolean {
  const { next, previous, reflex } = scratch
  for (let i = 0; i < count; i++) {
    next[i] = i + 1 === count ? 0 : i + 1
    previous[i] = i === 0 ? count - 1 : i - 1
  }
  let reflexCount = 0
  for (let i = 0; i < count; i++) {
    reflex[i] = isConvex(previous[i], i, next[i], scratch) ? 0 : 1
    reflexCount += reflex[i]
  }

  let remaining = count
  let current = 0
  let sinceLastEar = 0
  let tests = 0
  let write = outOffset
  while (remaining > 3) {
    if (sinceLastEar >= remaining || tests > MAX_EAR_TESTS) {
      writeFanOverList(current, remaining, start, out, write, next)
      return false
    }

    const before = previous[current]
    const after = next[current]
    if (reflex[current] === 0) tests += reflexCount
    if (reflex[current] === 0 && (reflexCount === 0 || !containsReflexCorner(before, current, after, scratch))) {
      out[write++] = start + before
      out[write++] = start + current
      out[write++] = start + after
      next[before] = after
      previous[after] = before
      remaining--
      sinceLastEar = 0

      // Removing the ear changes the angles at its two neighbours.
      reflexCount += updateReflex(before, scratch) + updateReflex(after, scratch)
      current = after
    } else {
      sinceLastEar++
      current = after
    }
  }

  out[write++] = start + previous[current]
  out[write++] = start + current
  out[write] = start + next[current]
  return true
}

/** Recomputes whether a corner is reflex and returns the change in the reflex count. */
function updateReflex(corner: number, scratch: TriangulationScratch): number {
  const { next, previous, reflex } = scratch
  const nowReflex = isConvex(previous[corner], corner, next[corner], scratch) ? 0 : 1
  const change = nowReflex - reflex[corner]
  reflex[corner] = nowReflex
  return change
}

function isConvex(before: number, corner: number, after: number, scratch: TriangulationScratch): boolean {
  const { u, v } = scratch
  return (u[corner] - u[before]) * (v[after] - v[corner]) - (v[corner] - v[before]) * (u[after] - u[corner]) > 0
}

/** Returns whether a remaining reflex corner lies in the triangle (before, corner, after), edges included. */
function containsReflexCorner(before: number, corner: number, after: number, scratch: TriangulationScratch): boolean {
  const { u, v, next, reflex } = scratch
  const au = u[before]
  const av = v[before]
  const bu = u[corner]
  const bv = v[corner]
  const cu = u[after]
  const cv = v[after]
  for (let other = next[after]; other !== before; other = next[other]) {
    if (reflex[other] === 0) continue
    const pu = u[other]
    const pv = v[other]
    // A corner sitting exactly on a triangle corner (a repeated vertex) does not block the ear.
    if ((pu === au && pv === av) || (pu === bu && pv === bv) || (pu === cu && pv === cv)) continue
    if ((bu - au) * (pv - av) - (bv - av) * (pu - au) >= 0 &&
      (cu - bu) * (pv - bv) - (cv - bv) * (pu - bu) >= 0 &&
      (au - cu) * (pv - cv) - (av - cv) * (pu - cu) >= 0) {
      return true
    }
  }
  return false
}

function writeFan(start: number, end: number, out: Uint32Array, outOffset: number): void {
  let write = outOffset
  for (let corner = start + 1; corner + 1 < end; corner++) {
    out[write++] = start
    out[write++] = corner
    out[write++] = corner + 1
  }
}

function writeFanOverList(
  first: number,
  remaining: number,
  start: number,
  out: Uint32Array,
  outOffset: number,
  next: Int32Array,
): void {
  let write = outOffset
  let corner = next[first]
  for (let i = 0; i < remaining - 2; i++) {
    out[write++] = start + first
    out[write++] = start + corner
    out[write++] = start + next[corner]
    corner = next[corner]
  }
}
