/** Result of merging coincident vertices. */
export interface WeldResult {
  /** Per input vertex: its index among the welded vertices. */
  remap: Uint32Array
  /** Welded vertex positions, xyz, in order of each group's lowest input index. */
  positions: Float32Array
  count: number
}

/**
 * Merges vertices closer than `tolerance` (same units as the positions) with a spatial hash of
 * cells one tolerance wide. Vertices are visited in index order and each joins the lowest-index
 * earlier representative within reach, so the result does not depend on hash order. With
 * tolerance 0 only exactly equal positions merge.
 */
export function weldVertices(positions: Float32Array, tolerance: number): WeldResult {
  const vertexCount = positions.length / 3
  const cellSize = cellSizeFor(positions, tolerance)
  const toleranceSquared = tolerance > 0 ? tolerance * tolerance : 0
  const table = new CellTable(vertexCount)
  const nextInCell = new Int32Array(vertexCount).fill(-1)
  const remap = new Uint32Array(vertexCount)
  const representativeIndex = new Uint32Array(vertexCount)
  let count = 0

  for (let v = 0; v < vertexCount; v++) {
    const x = positions[3 * v]
    const y = positions[3 * v + 1]
    const z = positions[3 * v + 2]
    const cx = Math.floor(x / cellSize)
    const cy = Math.floor(y / cellSize)
    const cz = Math.floor(z / cellSize)

    let best = -1
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (let dz = -1; dz <= 1; dz++) {
          for (let r = table.head(cx + dx, cy + dy, cz + dz); r >= 0; r = nextInCell[r]) {
            if (best >= 0 && r > best) continue
            const ex = positions[3 * r] - x
            const ey = positions[3 * r + 1] - y
            const ez = positions[3 * r + 2] - z
            if (ex * ex + ey * ey + ez * ez <= toleranceSquared) best = r
          }
        }
      }
    }

    if (best >= 0) {
      remap[v] = remap[best]
      continue
    }
    remap[v] = count
    representativeIndex[count++] = v
    nextInCell[v] = table.insert(cx, cy, cz, v)
  }

  const welded = new Float32Array(3 * count)
  for (let i = 0; i < count; i++) {
    const v = representativeIndex[i]
    welded[3 * i] = positions[3 * v]
    welded[3 * i + 1] = positions[3 * v + 1]
    welded[3 * i + 2] = positions[3 * v + 2]
  }
  return { remap, positions: welded, count }
}

/** Cells at least one tolerance wide; exact matching uses cells a millionth of the extent wide. */
function cellSizeFor(positions: Float32Array, tolerance: number): number {
  let extent = 0
  for (let i = 0; i < positions.length; i++) extent = Math.max(extent, Math.abs(positions[i]))
  // Keeps cell coordinates well inside the int32 range whatever the tolerance.
  const floor = Math.max(extent, 1e-30) * 1e-6
  return Math.max(tolerance, floor)
}

/** Open-addressing hash table from an integer cell (x, y, z) to the newest vertex inserted there. */
class CellTable {
  readonly #mask: number
  readonly #keys: Int32Array
  readonly #heads: Int32Array

  constructor(capacityHint: number) {
    let size = 16
    while (size < 2 * capacityHint) size *= 2
    this.#mask = size - 1
    this.#keys = new Int32Array(3 * size)
    this.#heads = new Int32Array(size).fill(-1)
  }

  #slot(x: number, y: number, z: number): number {
    let slot = (Math.imul(x, 73856093) ^ Math.imul(y, 19349663) ^ Math.imul(z, 83492791)) & this.#mask
    while (this.#heads[slot] >= 0) {
      const k = 3 * slot
      if (this.#keys[k] === x && this.#keys[k + 1] === y && this.#keys[k + 2] === z) return slot
      slot = (slot + 1) & this.#mask
    }
    return slot
  }

  /** Newest vertex in the cell, or -1 when the cell is empty. */
  head(x: number, y: number, z: number): number {
    return this.#heads[this.#slot(x, y, z)]
  }

  /** Makes `vertex` the cell's newest entry and returns the previous head (-1 if none). */
  insert(x: number, y: number, z: number, vertex: number): number {
    const slot = this.#slot(x, y, z)
    const previous = this.#heads[slot]
    this.#keys[3 * slot] = x
    this.#keys[3 * slot + 1] = y
    this.#keys[3 * slot + 2] = z
    this.#heads[slot] = vertex
    return previous
  }
}
