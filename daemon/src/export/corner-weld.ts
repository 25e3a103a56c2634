/**
 * Deduplicates fixed-width keys (vertex index plus the bit patterns of a corner's normal, UV and
 * colour) with an open-addressing hash table, so equal corners become one glTF vertex. Typed
 * arrays throughout: a million-face mesh has three million corners, too many for string keys.
 */

export interface WeldResult {
  /** Per key: index of its unique vertex, numbered in order of first appearance. */
  remap: Uint32Array
  /** Per unique vertex: index of the first key that produced it. */
  firsts: Uint32Array
  count: number
}

/** Welds `keys.length / width` keys of `width` words each. */
export function weldKeys(keys: Uint32Array, width: number): WeldResult {
  const keyCount = keys.length / width
  let capacity = 16
  while (capacity < keyCount * 2) capacity *= 2
  const mask = capacity - 1
  // Slot value 0 means empty; otherwise unique index + 1.
  const slots = new Uint32Array(capacity)
  const remap = new Uint32Array(keyCount)
  const firsts = new Uint32Array(keyCount)
  let count = 0

  for (let k = 0; k < keyCount; k++) {
    const base = k * width
    let slot = hashKey(keys, base, width) & mask
    for (;;) {
      const stored = slots[slot]
      if (stored === 0) {
        firsts[count] = k
        slots[slot] = ++count
        remap[k] = count - 1
        break
      }
      if (keysEqual(keys, base, firsts[stored - 1] * width, width)) {
        remap[k] = stored - 1
        break
      }
      slot = (slot + 1) & mask
    }
  }
  return { remap, firsts: firsts.slice(0, count), count }
}

/** FNV-1a over words with a final avalanche step, so nearby vertex indices spread over the table. */
function hashKey(keys: Uint32Array, base: number, width: number): number {
  let h = 0x811c9dc5
  for (let j = 0; j < width; j++) h = Math.imul(h ^ keys[base + j], 0x01000193)
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  return h >>> 0
}

function keysEqual(keys: Uint32Array, a: number, b: number, width: number): boolean {
  for (let j = 0; j < width; j++) if (keys[a + j] !== keys[b + j]) return false
  return true
}
