import { describe, expect, it } from 'vitest'

import { SeededRandom } from '../../src/cluster/random.js'
import { randIndexError } from './rand-index.js'

/** Rand Index error by visiting every pair, the definition itself. */
function pairwiseError(a: number[], b: number[]): number {
  let disagreements = 0
  let pairs = 0
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      if ((a[i] === a[j]) !== (b[i] === b[j])) disagreements++
      pairs++
    }
  }
  return disagreements / pairs
}

describe('randIndexError', () => {
  it('matches the pairwise definition on random labellings', () => {
    const random = new SeededRandom(3)
    for (let trial = 0; trial < 20; trial++) {
      const n = 2 + random.nextInt(300)
      const a = Array.from({ length: n }, () => random.nextInt(1 + random.nextInt(8)))
      const b = Array.from({ length: n }, () => 100 * random.nextInt(5) - 7)

      expect(randIndexError(a, b)).toBeCloseTo(pairwiseError(a, b), 12)
    }
  })

  it('is zero for the same partition under other label names', () => {
    expect(randIndexError([0, 0, 1, 2, 2], [5, 5, -1, 9, 9])).toBe(0)
  })

  it('counts every pair of a split against one part', () => {
    // Four elements in two parts against one part: 2 of 6 pairs agree.
    expect(randIndexError([0, 0, 1, 1], [3, 3, 3, 3])).toBeCloseTo(4 / 6, 12)
  })

  it('rejects labellings of different lengths', () => {
    expect(() => randIndexError([0, 1], [0])).toThrow(/2 labels against 1/)
  })
})
