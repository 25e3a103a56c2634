import type { Csr } from './prepared-mesh.js'

/**
 * Labels the connected components of a graph by breadth-first search. Components are numbered in
 * order of their lowest node index, so component 0 contains node 0. With `labels` (one per node),
 * only edges between nodes of equal label connect, so each component lies within one label.
 */
export function connectedComponents(graph: Csr, labels?: Int32Array): { count: number; ofNode: Uint32Array } {
  const nodeCount = graph.offsets.length - 1
  const unvisited = 0xffffffff
  const ofNode = new Uint32Array(nodeCount).fill(unvisited)
  const queue = new Uint32Array(nodeCount)
  let count = 0

  for (let seed = 0; seed < nodeCount; seed++) {
    if (ofNode[seed] !== unvisited) continue
    ofNode[seed] = count
    let head = 0
    let tail = 0
    queue[tail++] = seed
    while (head < tail) {
      const node = queue[head++]
      for (let p = graph.offsets[node]; p < graph.offsets[node + 1]; p++) {
        const next = graph.neighbors[p]
        if (ofNode[next] !== unvisited) continue
        if (labels && labels[next] !== labels[node]) continue
        ofNode[next] = count
        queue[tail++] = next
      }
    }
    count++
  }
  return { count, ofNode }
}

/** Element indices grouped by a key such as the part label, in file order within each group. */
export interface Groups {
  /** Members of group g are `members[offsets[g] .. offsets[g + 1])`. */
  offsets: Uint32Array
  members: Uint32Array
}

/** Counting sort of element indices by group; stable, so each group keeps file order. */
export function groupIndices(groupOf: Int32Array | Uint32Array, groupCount: number): Groups {
  const offsets = new Uint32Array(groupCount + 1)
  for (let i = 0; i < groupOf.length; i++) offsets[groupOf[i] + 1]++
  for (let g = 0; g < groupCount; g++) offsets[g + 1] += offsets[g]

  const cursor = offsets.slice(0, groupCount)
  const members = new Uint32Array(groupOf.length)
  for (let i = 0; i < groupOf.length; i++) members[cursor[groupOf[i]]++] = i
  return { offsets, members }
}

/** Disjoint sets over 0..size-1 with path halving and union by size. */
export class UnionFind {
  readonly #parent: Uint32Array
  readonly #size: Uint32Array

  constructor(size: number) {
    this.#parent = new Uint32Array(size)
    this.#size = new Uint32Array(size).fill(1)
    for (let i = 0; i < size; i++) this.#parent[i] = i
  }

  find(x: number): number {
    const parent = this.#parent
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]]
      x = parent[x]
    }
    return x
  }

  /** Joins the sets of a and b; returns false when they were already one set. */
  union(a: number, b: number): boolean {
    let rootA = this.find(a)
    let rootB = this.find(b)
    if (rootA === rootB) return false
    if (this.#size[rootA] < this.#size[rootB]) [rootA, rootB] = [rootB, rootA]
    this.#parent[rootB] = rootA
    this.#size[rootA] += this.#size[rootB]
    return true
  }
}
