/**
 * Rand Index error of two labellings of the same N elements: the share of the N(N-1)/2 element
 * pairs on which they disagree (together in one, apart in the other). Computed from the
 * contingency table in O(N + table size), never by visiting pairs.
 */
export function randIndexError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length
  if (b.length !== n) throw new RangeError(`randIndexError: ${n} labels against ${b.length}; expected equal lengths`)
  if (n < 2) return 0
  const left = denseLabels(a)
  const right = denseLabels(b)

  const table = new Map<number, number>()
  for (let i = 0; i < n; i++) {
    const key = left.labels[i] * right.count + right.labels[i]
    table.set(key, (table.get(key) ?? 0) + 1)
  }
  let together = 0
  for (const count of table.values()) together += pairs(count)
  const togetherA = sumPairs(left.sizes)
  const togetherB = sumPairs(right.sizes)

  // Pairs together in A but not in B, plus pairs together in B but not in A.
  const disagreements = togetherA + togetherB - 2 * together
  return disagreements / pairs(n)
}

function pairs(count: number): number {
  return (count * (count - 1)) / 2
}

function sumPairs(sizes: number[]): number {
  let sum = 0
  for (const size of sizes) sum += pairs(size)
  return sum
}

/** Renumbers arbitrary integer labels 0..count-1 and counts each one's members. */
function denseLabels(values: ArrayLike<number>): { labels: Uint32Array; count: number; sizes: number[] } {
  const ids = new Map<number, number>()
  const labels = new Uint32Array(values.length)
  const sizes: number[] = []
  for (let i = 0; i < values.length; i++) {
    let id = ids.get(values[i])
    if (id === undefined) {
      id = ids.size
      ids.set(values[i], id)
      sizes.push(0)
    }
    labels[i] = id
    sizes[id]++
  }
  return { labels, count: ids.size, sizes }
}
