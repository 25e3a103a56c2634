import type { PartTree } from '../../../protocol/src/part-tree.js'
import type { Csr } from '../prepare/prepared-mesh.js'
import { MergeHeap } from './merge-heap.js'
import { ClusterMoments } from './ward-moments.js'

export interface WardOptions {
  /** Initial weight of each leaf (for example its area or triangle count); 1 each by default. */
  sizes?: Float64Array
  signal?: AbortSignal
  /** Called with the fraction of merges done, about a hundred times per run. */
  onProgress?: (fraction: number) => void
}

/** Merges between checks of the abort signal. */
const ABORT_CHECK_INTERVAL = 2048

/**
 * Agglomerative clustering with Ward's criterion, restricted to merging clusters that are
 * neighbours in `graph` (symmetric CSR over the rows of `features`). Returns every merge, so any
 * part count is a cut of one tree. Merge costs are the increase in within-cluster sum of squares,
 * sizeA * sizeB / (sizeA + sizeB) * |meanA - meanB|^2, which scikit-learn's ward_tree calls
 * inertia (its reported distance is sqrt(2 * cost)).
 *
 * The arithmetic and the tie-breaking follow scikit-learn's ward_tree (sums in float64, the
 * smallest (cost, higher id, lower id) first), so on the same features and graph both produce
 * the same merges. A graph with several components yields fewer than leafCount - 1 merges.
 */
export function wardTree(features: Float32Array, dim: number, graph: Csr, options: WardOptions = {}): PartTree {
  const leafCount = graph.offsets.length - 1
  checkInput(features, dim, leafCount, options.sizes)
  const state = new WardState(features, dim, graph, options.sizes)
  const merges = new Int32Array(2 * Math.max(0, leafCount - 1))
  const costs = new Float32Array(Math.max(0, leafCount - 1))
  const progressStep = Math.max(1, Math.floor(leafCount / 100))
  let mergeCount = 0

  while (mergeCount < leafCount - 1) {
    if (mergeCount % ABORT_CHECK_INTERVAL === 0) options.signal?.throwIfAborted()
    if (!state.popValid()) break
    merges[2 * mergeCount] = state.heap.poppedLow
    merges[2 * mergeCount + 1] = state.heap.poppedHigh
    costs[mergeCount] = state.heap.poppedCost
    state.merge(leafCount + mergeCount)
    mergeCount++
    if (options.onProgress && mergeCount % progressStep === 0) options.onProgress(mergeCount / (leafCount - 1))
  }

  options.onProgress?.(1)
  return {
    leafCount,
    merges: mergeCount === leafCount - 1 ? merges : merges.slice(0, 2 * mergeCount),
    costs: mergeCount === leafCount - 1 ? costs : costs.slice(0, mergeCount),
  }
}

function checkInput(features: Float32Array, dim: number, leafCount: number, sizes?: Float64Array): void {
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`wardTree: invalid dim ${dim}; expected a positive integer`)
  if (features.length !== leafCount * dim) {
    throw new RangeError(`wardTree: ${features.length} feature values for ${leafCount} graph nodes of dim ${dim}; expected ${leafCount * dim}`)
  }
  for (let i = 0; i < features.length; i++) {
    if (!Number.isFinite(features[i])) {
      throw new RangeError(`wardTree: feature row ${Math.floor(i / dim)} column ${i % dim} is ${features[i]}; expected a finite number`)
    }
  }
  if (sizes && sizes.length !== leafCount) throw new RangeError(`wardTree: ${sizes.length} sizes for ${leafCount} leaves`)
  if (sizes) {
    for (let i = 0; i < sizes.length; i++) {
      if (!(sizes[i] > 0) || !Number.isFinite(sizes[i])) throw new RangeError(`wardTree: size of leaf ${i} is ${sizes[i]}; expected a positive number`)
    }
  }
}

/**
 * Clusters live in slots: a merged cluster takes over the lower slot of its two parts, and
 * union-find over slots resolves neighbour lists that still name the absorbed slot. Neighbour
 * lists live in one arena: a merge appends the new list at the end, and the arena is compacted
 * when full, so merges allocate nothing.
 */
class WardState {
  readonly heap: MergeHeap
  readonly #moments: ClusterMoments
  readonly #slotParent: Int32Array
  readonly #nodeOfSlot: Int32Array
  readonly #slotOfNode: Int32Array
  readonly #alive: Uint8Array
  readonly #seen: Int32Array
  #arena: Uint32Array
  #arenaTop: number
  readonly #listStart: Int32Array
  readonly #listLength: Int32Array
  #costs = new Float64Array(64)
  /** Heap size above which stale entries are dropped; twice the size left after the last drop. */
  #compactAt = 0

  constructor(features: Float32Array, dim: number, graph: Csr, sizes?: Float64Array) {
    const leafCount = graph.offsets.length - 1
    this.#moments = new ClusterMoments(features, dim, leafCount, sizes)

    this.#slotParent = Int32Array.from({ length: leafCount }, (_, i) => i)
    this.#nodeOfSlot = Int32Array.from({ length: leafCount }, (_, i) => i)
    this.#slotOfNode = new Int32Array(Math.max(1, 2 * leafCount - 1)).fill(-1)
    this.#slotOfNode.set(this.#nodeOfSlot)
    this.#alive = new Uint8Array(Math.max(1, 2 * leafCount - 1))
    this.#alive.fill(1, 0, leafCount)
    this.#seen = new Int32Array(leafCount).fill(-1)

    const edgeEntries = graph.neighbors.length
    this.#arena = new Uint32Array(Math.max(1024, 2 * edgeEntries))
    this.#arena.set(graph.neighbors)
    this.#arenaTop = edgeEntries
    this.#listStart = new Int32Array(leafCount)
    this.#listLength = new Int32Array(leafCount)
    for (let i = 0; i < leafCount; i++) {
      this.#listStart[i] = graph.offsets[i]
      this.#listLength[i] = graph.offsets[i + 1] - graph.offsets[i]
    }

    this.heap = new MergeHeap(edgeEntries / 2 + leafCount)
    for (let i = 0; i < leafCount; i++) {
      for (let p = graph.offsets[i]; p < graph.offsets[i + 1]; p++) {
        const j = graph.neighbors[p]
        if (j < i) this.heap.append(this.#moments.distance(i, j), i, j)
      }
    }
    this.heap.heapify()
    this.#compactAt = Math.max(2 * this.heap.size, MIN_COMPACT_SIZE)
  }

  /** Pops entries until one joins two live clusters; false when the heap runs dry. */
  popValid(): boolean {
    const heap = this.heap
    while (heap.pop()) {
      if (this.#alive[heap.poppedHigh] && this.#alive[heap.poppedLow]) return true
    }
    return false
  }

  /** Applies the merge last popped, creating node `node`. */
  merge(node: number): void {
    const high = this.heap.poppedHigh
    const low = this.heap.poppedLow
    const slotA = this.#slotOfNode[high]
    const slotB = this.#slotOfNode[low]
    const slot = slotA < slotB ? slotA : slotB
    const absorbed = slotA < slotB ? slotB : slotA
    this.#alive[high] = 0
    this.#alive[low] = 0
    this.#alive[node] = 1
    this.#slotParent[absorbed] = slot
    this.#nodeOfSlot[slot] = node
    this.#slotOfNode[node] = slot
    this.#moments.merge(slot, absorbed)

    this.#mergeNeighborLists(slot, absorbed)
    const arena = this.#arena
    const start = this.#listStart[slot]
    const length = this.#listLength[slot]
    const costs = this.#costScratch(length)
    this.#moments.distancesTo(slot, arena, start, start + length, costs)
    for (let i = 0; i < length; i++) this.heap.push(costs[i], node, this.#nodeOfSlot[arena[start + i]])
    // Compacting only once the heap has doubled since the last compaction keeps the total
    // compaction work proportional to the number of pushes.
    if (this.heap.size > this.#compactAt) {
      this.heap.compact((a, b) => this.#alive[a] === 1 && this.#alive[b] === 1)
      this.#compactAt = Math.max(2 * this.heap.size, MIN_COMPACT_SIZE)
    }
  }

  /**
   * Replaces the list of `slot` with the live neighbour slots of both clusters, each once and
   * without the clusters themselves, appended at the arena's end.
   */
  #mergeNeighborLists(slot: number, absorbed: number): void {
    this.#reserve(this.#listLength[slot] + this.#listLength[absorbed])
    const arena = this.#arena
    const seen = this.#seen
    const begin = this.#arenaTop
    let top = begin
    for (const owner of [slot, absorbed]) {
      const end = this.#listStart[owner] + this.#listLength[owner]
      for (let i = this.#listStart[owner]; i < end; i++) {
        const other = this.#find(arena[i])
        if (other === slot || seen[other] === slot) continue
        seen[other] = slot
        arena[top++] = other
      }
    }
    // Clear the marks so the next merge into this slot starts clean.
    for (let i = begin; i < top; i++) seen[arena[i]] = -1
    this.#listStart[slot] = begin
    this.#listLength[slot] = top - begin
    this.#listLength[absorbed] = 0
    this.#arenaTop = top
  }

  /** Makes room for `count` more entries, compacting live lists into a fresh arena if needed. */
  #reserve(count: number): void {
    if (this.#arenaTop + count <= this.#arena.length) return
    let live = 0
    for (let slot = 0; slot < this.#listLength.length; slot++) live += this.#listLength[slot]
    const fresh = new Uint32Array(Math.max(2 * (live + count), 1024))
    let top = 0
    for (let slot = 0; slot < this.#listLength.length; slot++) {
      const length = this.#listLength[slot]
      if (length === 0) continue
      const start = this.#listStart[slot]
      fresh.set(this.#arena.subarray(start, start + length), top)
      this.#listStart[slot] = top
      top += length
    }
    this.#arena = fresh
    this.#arenaTop = top
  }

  #costScratch(length: number): Float64Array {
    if (this.#costs.length < length) this.#costs = new Float64Array(2 * length)
    return this.#costs
  }

  #find(slot: number): number {
    const parent = this.#slotParent
    while (parent[slot] !== slot) {
      parent[slot] = parent[parent[slot]]
      slot = parent[slot]
    }
    return slot
  }
}

/** Heaps smaller than this are never compacted. */
const MIN_COMPACT_SIZE = 4096
