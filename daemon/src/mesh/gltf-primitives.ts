import type { Accessor, Primitive, mat4 } from '@gltf-transform/core'

/**
 * Per-primitive helpers for the glTF loader: triangle lists from every triangle mode, float
 * attributes from normalized integers, and node transforms for points and normals.
 */

export const MODE_POINTS = 0
export const MODE_TRIANGLES = 4
export const MODE_TRIANGLE_STRIP = 5
export const MODE_TRIANGLE_FAN = 6

export interface PrimitiveTriangles {
  /** Vertex indices local to the primitive, three per triangle. */
  triangles: Uint32Array
  /** Strip triangles with a repeated vertex, dropped because strips use them only as joins. */
  droppedDegenerate: number
}

/**
 * Returns the triangle list of a TRIANGLES, TRIANGLE_STRIP or TRIANGLE_FAN primitive, indexed or
 * not. Strip and fan orders follow the glTF 2.0 spec:
 *
 *   strip triangle i: (v[i], v[i + 1 + i % 2], v[i + 2 - i % 2])   so odd ones swap the last two
 *   fan triangle i:   (v[i + 1], v[i + 2], v[0])
 */
export function primitiveTriangles(primitive: Primitive, vertexCount: number): PrimitiveTriangles {
  const indexArray = primitive.getIndices()?.getArray()
  const count = indexArray ? indexArray.length : vertexCount
  const at = indexArray ? (i: number) => indexArray[i] : (i: number) => i
  const mode = primitive.getMode()

  if (mode === MODE_TRIANGLES) {
    const triangleCount = Math.floor(count / 3)
    const triangles = new Uint32Array(triangleCount * 3)
    for (let i = 0; i < triangles.length; i++) triangles[i] = at(i)
    return { triangles, droppedDegenerate: 0 }
  }

  const candidates = Math.max(count - 2, 0)
  const triangles = new Uint32Array(candidates * 3)
  let write = 0
  let dropped = 0
  for (let i = 0; i < candidates; i++) {
    let a: number, b: number, c: number
    if (mode === MODE_TRIANGLE_STRIP) {
      a = at(i)
      b = at(i + 1 + (i % 2))
      c = at(i + 2 - (i % 2))
      if (a === b || b === c || a === c) {
        dropped++
        continue
      }
    } else {
      a = at(i + 1)
      b = at(i + 2)
      c = at(0)
    }
    triangles[write++] = a
    triangles[write++] = b
    triangles[write++] = c
  }
  return { triangles: triangles.subarray(0, write), droppedDegenerate: dropped }
}

/** Returns an accessor's values as floats, applying the normalized-integer mapping of the spec. */
export function readFloatAttribute(accessor: Accessor): Float32Array {
  const array = accessor.getArray()
  if (!array) return new Float32Array(0)
  if (array instanceof Float32Array) return array

  const values = new Float32Array(array.length)
  if (!accessor.getNormalized()) {
    for (let i = 0; i < array.length; i++) values[i] = Number(array[i])
    return values
  }
  const divisor = normalizedDivisor(array)
  for (let i = 0; i < array.length; i++) values[i] = Math.max(Number(array[i]) / divisor, -1)
  return values
}

/**
 * Returns the max of a normalized integer type. The glTF 2.0 spec divides by it and clamps
 * signed values at -1.
 */
function normalizedDivisor(array: ArrayLike<number>): number {
  if (array instanceof Int8Array) return 127
  if (array instanceof Uint8Array) return 255
  if (array instanceof Int16Array) return 32767
  if (array instanceof Uint16Array) return 65535
  return 4294967295
}

/** Writes `points` (xyz) transformed by a column-major 4x4 matrix into `out` from `outOffset`. */
export function transformPoints(points: Float32Array, matrix: mat4, out: Float32Array, outOffset: number): void {
  const m = matrix
  for (let i = 0; i + 2 < points.length; i += 3) {
    const x = points[i]
    const y = points[i + 1]
    const z = points[i + 2]
    out[outOffset + i] = m[0] * x + m[4] * y + m[8] * z + m[12]
    out[outOffset + i + 1] = m[1] * x + m[5] * y + m[9] * z + m[13]
    out[outOffset + i + 2] = m[2] * x + m[6] * y + m[10] * z + m[14]
  }
}

/**
 * Writes normals transformed by the normal matrix (the inverse transpose of the upper 3x3) and
 * renormalised. A singular matrix leaves the normals untransformed but renormalised.
 */
export function transformNormals(normals: Float32Array, matrix: mat4, out: Float32Array, outOffset: number): void {
  const n = normalMatrix(matrix)
  for (let i = 0; i + 2 < normals.length; i += 3) {
    const x = normals[i]
    const y = normals[i + 1]
    const z = normals[i + 2]
    const tx = n[0] * x + n[3] * y + n[6] * z
    const ty = n[1] * x + n[4] * y + n[7] * z
    const tz = n[2] * x + n[5] * y + n[8] * z
    const length = Math.hypot(tx, ty, tz) || 1
    out[outOffset + i] = tx / length
    out[outOffset + i + 1] = ty / length
    out[outOffset + i + 2] = tz / length
  }
}

/** Determinant of the upper 3x3; negative means the transform mirrors and flips winding. */
export function determinant3(m: mat4): number {
  return m[0] * (m[5] * m[10] - m[6] * m[9]) -
    m[4] * (m[1] * m[10] - m[2] * m[9]) +
    m[8] * (m[1] * m[6] - m[2] * m[5])
}

/** Column-major inverse transpose of the upper 3x3, or the identity when it is singular. */
function normalMatrix(m: mat4): number[] {
  const a = [m[0], m[1], m[2], m[4], m[5], m[6], m[8], m[9], m[10]]
  const determinant = determinant3(m)
  if (determinant === 0 || !Number.isFinite(determinant)) return [1, 0, 0, 0, 1, 0, 0, 0, 1]
  // Cofactor matrix divided by the determinant equals the inverse transpose.
  const c = [
    a[4] * a[8] - a[5] * a[7], a[5] * a[6] - a[3] * a[8], a[3] * a[7] - a[4] * a[6],
    a[2] * a[7] - a[1] * a[8], a[0] * a[8] - a[2] * a[6], a[1] * a[6] - a[0] * a[7],
    a[1] * a[5] - a[2] * a[4], a[2] * a[3] - a[0] * a[5], a[0] * a[4] - a[1] * a[3],
  ]
  return c.map((value) => value / determinant)
}
