/**
 * The golden check's inputs, regenerated from their hash rule so tests need no data files: for
 * element i of the values under `key`, x = i * 2654435761 + crc32(key), then twice
 * x ^= x >>> 16 and x *= 0x45d9f3b, then x ^= x >>> 16 (unsigned 32-bit); the value is
 * float32(x / 2^32 * 2 - 1), times a float32 scale.
 */

import { crc32 } from 'node:zlib'

/** `count` float32 values in [-1, 1) derived from `key`. */
export function hashedUniform(key: string, count: number): Float32Array {
  const seed = crc32(new TextEncoder().encode(key))
  const out = new Float32Array(count)
  for (let i = 0; i < count; i++) {
    let x = (Math.imul(i, 2654435761) + seed) >>> 0
    for (let round = 0; round < 2; round++) {
      x = (x ^ (x >>> 16)) >>> 0
      x = Math.imul(x, 0x45d9f3b) >>> 0
    }
    x = (x ^ (x >>> 16)) >>> 0
    out[i] = (x / 2 ** 32) * 2 - 1
  }
  return out
}

function scaled(values: Float32Array, scale: number): Float32Array {
  const factor = Math.fround(scale)
  return values.map((value) => Math.fround(value * factor))
}

/** Returns the 20,000 golden encoder input points as xyz triples. */
export function goldenPoints(): Float32Array {
  return scaled(hashedUniform('golden/points', 60_000), 0.9)
}

/** Returns the 512 golden query points as xyz triples. */
export function goldenQueries(): Float32Array {
  return scaled(hashedUniform('golden/queries', 1_536), 0.95)
}
