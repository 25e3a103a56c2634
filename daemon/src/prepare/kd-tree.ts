/** Points per leaf; small leaves prune well, larger ones cost less to build. */
const LEAF_SIZE = 12

/**
 * Label filter modes for queries over labelled points: Exclude skips points whose label equals
 * the query's label, Only considers nothing else.
 */
export const LabelFilter = { None: 0, Exclude: 1, Only: 2 } as const
export type LabelFilter = (typeof LabelFilter)[keyof typeof LabelFilter]

/** Per-point labels plus, per tree node, the one label all its points share (-1 when mixed). */
export interface TreeLabels {
  ofPoint: Uint32Array
  ofNode: Int32Array
}

/**
 * A k-d tree over 3-D points (median split on the widest axis) for nearest-neighbour queries
 * that can skip or require a label, such as "the nearest face in another component". Nodes whose
 * points all carry the skipped label are pruned whole, which keeps such queries fast when
 * components are large.
 */
export class KdTree {
  readonly points: Float32Array
  /** Point indices, permuted so that node n covers order[nodeStart[n] .. nodeEnd[n]). */
  readonly order: Uint32Array
  readonly nodeStart: Uint32Array
  readonly nodeEnd: Uint32Array
  /** First child of an inner node (the second is nodeLeft + 1); -1 for leaves. */
  readonly nodeLeft: Int32Array
  /** Node bounding boxes: min xyz then max xyz. */
  readonly boxes: Float32Array
  nodeCount = 0
  /** Squared distance of the last `nearest` result. */
  lastDistanceSquared = Infinity

  #stack: Int32Array
  #stackBound: Float64Array

  /** Builds over all points, or only over `subset` (indices into `points`, xyz each). */
  constructor(points: Float32Array, subset?: Uint32Array) {
    this.points = points
    const count = subset ? subset.length : points.length / 3
    this.order = subset ? subset.slice() : Uint32Array.from({ length: count }, (_, i) => i)
    const capacity = Math.max(1, Math.ceil((4 * count) / LEAF_SIZE) + 2)
    this.nodeStart = new Uint32Array(capacity)
    this.nodeEnd = new Uint32Array(capacity)
    this.nodeLeft = new Int32Array(capacity).fill(-1)
    this.boxes = new Float32Array(6 * capacity)
    this.#stack = new Int32Array(256)
    this.#stackBound = new Float64Array(256)
    if (count > 0) this.#build(count)
  }

  get size(): number {
    return this.order.length
  }

  #build(count: number): void {
    const pending: number[] = [0]
    this.nodeStart[0] = 0
    this.nodeEnd[0] = count
    this.nodeCount = 1
    while (pending.length > 0) {
      const node = pending.pop()!
      const start = this.nodeStart[node]
      const end = this.nodeEnd[node]
      const axis = this.#fitBox(node, start, end)
      if (end - start <= LEAF_SIZE) continue

      const middle = (start + end) >>> 1
      selectNth(this.order, this.points, start, end, middle, axis)
      const left = this.nodeCount
      this.nodeCount += 2
      this.nodeLeft[node] = left
      this.nodeStart[left] = start
      this.nodeEnd[left] = middle
      this.nodeStart[left + 1] = middle
      this.nodeEnd[left + 1] = end
      pending.push(left + 1, left)
    }
  }

  /** Sets the node's bounding box and returns its widest axis. */
  #fitBox(node: number, start: number, end: number): number {
    let minX = Infinity, minY = Infinity, minZ = Infinity
    let maxX = -Infinity, maxY = -Infinity, maxZ = -Infinity
    const points = this.points
    for (let i = start; i < end; i++) {
      const p = 3 * this.order[i]
      const x = points[p], y = points[p + 1], z = points[p + 2]
      if (x < minX) minX = x
      if (x > maxX) maxX = x
      if (y < minY) minY = y
      if (y > maxY) maxY = y
      if (z < minZ) minZ = z
      if (z > maxZ) maxZ = z
    }
    const b = 6 * node
    this.boxes[b] = minX
    this.boxes[b + 1] = minY
    this.boxes[b + 2] = minZ
    this.boxes[b + 3] = maxX
    this.boxes[b + 4] = maxY
    this.boxes[b + 5] = maxZ
    const dx = maxX - minX, dy = maxY - minY, dz = maxZ - minZ
    if (dx >= dy && dx >= dz) return 0
    return dy >= dz ? 1 : 2
  }

  /** Computes, for every node, the label shared by all its points, or -1 when they differ. */
  labelNodes(ofPoint: Uint32Array): TreeLabels {
    const ofNode = new Int32Array(this.nodeCount)
    // Children always come after their parent, so a reverse sweep labels children first.
    for (let node = this.nodeCount - 1; node >= 0; node--) {
      const left = this.nodeLeft[node]
      if (left >= 0) {
        const a = ofNode[left]
        ofNode[node] = a >= 0 && a === ofNode[left + 1] ? a : -1
        continue
      }
      const first = ofPoint[this.order[this.nodeStart[node]]]
      let shared = first
      for (let i = this.nodeStart[node] + 1; i < this.nodeEnd[node]; i++) {
        if (ofPoint[this.order[i]] !== first) {
          shared = -1
          break
        }
      }
      ofNode[node] = shared
    }
    return { ofPoint, ofNode }
  }

  /**
   * Returns the index of the nearest point strictly closer than sqrt(maxDistanceSquared) that
   * passes the label filter, or -1 when none does. Its squared distance is in lastDistanceSquared.
   */
  nearest(
    x: number,
    y: number,
    z: number,
    maxDistanceSquared = Infinity,
    labels?: TreeLabels,
    label = 0,
    filter: LabelFilter = LabelFilter.None,
  ): number {
    let best = -1
    let bestDistance = maxDistanceSquared
    let top = this.#push(0, 0, 0)
    while (top > 0) {
      top--
      const node = this.#stack[top]
      if (this.#stackBound[top] >= bestDistance) continue
      if (labels && filter !== LabelFilter.None && this.#prunedByLabel(node, labels, label, filter)) {
        continue
      }

      const left = this.nodeLeft[node]
      if (left < 0) {
        for (let i = this.nodeStart[node]; i < this.nodeEnd[node]; i++) {
          const p = this.order[i]
          if (labels && filter !== LabelFilter.None && this.#rejectedByLabel(p, labels, label, filter)) {
            continue
          }
          const distance = this.#distanceSquared(p, x, y, z)
          if (distance < bestDistance) {
            bestDistance = distance
            best = p
          }
        }
        continue
      }
      top = this.#pushChildren(top, left, x, y, z)
    }
    this.lastDistanceSquared = best >= 0 ? bestDistance : Infinity
    return best
  }

  /**
   * Finds up to k nearest points passing the label filter, nearest first, into `indices` and
   * `distancesSquared` (both at least k long). Returns how many were found.
   */
  knn(
    x: number,
    y: number,
    z: number,
    k: number,
    indices: Int32Array,
    distancesSquared: Float64Array,
    labels?: TreeLabels,
    label = 0,
    filter: LabelFilter = LabelFilter.None,
  ): number {
    let found = 0
    let worst = Infinity
    let top = this.#push(0, 0, 0)
    while (top > 0) {
      top--
      const node = this.#stack[top]
      if (this.#stackBound[top] >= worst) continue
      if (labels && filter !== LabelFilter.None && this.#prunedByLabel(node, labels, label, filter)) {
        continue
      }

      const left = this.nodeLeft[node]
      if (left >= 0) {
        top = this.#pushChildren(top, left, x, y, z)
        continue
      }
      for (let i = this.nodeStart[node]; i < this.nodeEnd[node]; i++) {
        const p = this.order[i]
        if (labels && filter !== LabelFilter.None && this.#rejectedByLabel(p, labels, label, filter)) {
          continue
        }
        const distance = this.#distanceSquared(p, x, y, z)
        if (distance >= worst) continue
        found = insertSorted(indices, distancesSquared, found, k, p, distance)
        if (found === k) worst = distancesSquared[k - 1]
      }
    }
    return found
  }

  #prunedByLabel(node: number, labels: TreeLabels, label: number, filter: LabelFilter): boolean {
    const shared = labels.ofNode[node]
    if (filter === LabelFilter.Exclude) return shared === label
    return shared >= 0 && shared !== label
  }

  /** Point-level counterpart of #prunedByLabel: whether the filter rejects point p. */
  #rejectedByLabel(p: number, labels: TreeLabels, label: number, filter: LabelFilter): boolean {
    const same = labels.ofPoint[p] === label
    return same === (filter === LabelFilter.Exclude)
  }

  #distanceSquared(p: number, x: number, y: number, z: number): number {
    const points = this.points
    const dx = points[3 * p] - x
    const dy = points[3 * p + 1] - y
    const dz = points[3 * p + 2] - z
    return dx * dx + dy * dy + dz * dz
  }

  /** Pushes both children, the nearer one last so it is visited first. */
  #pushChildren(top: number, left: number, x: number, y: number, z: number): number {
    const nearLeft = this.#boxDistance(left, x, y, z)
    const nearRight = this.#boxDistance(left + 1, x, y, z)
    if (nearLeft <= nearRight) {
      top = this.#push(top, left + 1, nearRight)
      return this.#push(top, left, nearLeft)
    }
    top = this.#push(top, left, nearLeft)
    return this.#push(top, left + 1, nearRight)
  }

  #push(top: number, node: number, bound: number): number {
    if (top === this.#stack.length) {
      const stack = new Int32Array(2 * top)
      stack.set(this.#stack)
      this.#stack = stack
      const bounds = new Float64Array(2 * top)
      bounds.set(this.#stackBound)
      this.#stackBound = bounds
    }
    this.#stack[top] = node
    this.#stackBound[top] = bound
    return top + 1
  }

  #boxDistance(node: number, x: number, y: number, z: number): number {
    const b = 6 * node
    const boxes = this.boxes
    const dx = gapOutside(x, boxes[b], boxes[b + 3])
    const dy = gapOutside(y, boxes[b + 1], boxes[b + 4])
    const dz = gapOutside(z, boxes[b + 2], boxes[b + 5])
    return dx * dx + dy * dy + dz * dz
  }
}

/** Distance from value to the interval [min, max], 0 inside it. */
function gapOutside(value: number, min: number, max: number): number {
  if (value < min) return min - value
  return value > max ? value - max : 0
}

/** Inserts (index, distance) into the first `found` sorted entries, keeping at most k. */
function insertSorted(
  indices: Int32Array,
  distances: Float64Array,
  found: number,
  k: number,
  index: number,
  distance: number,
): number {
  let position = found < k ? found : k - 1
  while (position > 0 && distances[position - 1] > distance) {
    indices[position] = indices[position - 1]
    distances[position] = distances[position - 1]
    position--
  }
  indices[position] = index
  distances[position] = distance
  return found < k ? found + 1 : k
}

/**
 * Partially sorts order[start..end) by one coordinate so that order[nth] is the element that
 * would be there after a full sort, with smaller ones before it and larger ones after it (Hoare
 * quickselect with a median-of-three pivot).
 */
function selectNth(
  order: Uint32Array,
  points: Float32Array,
  start: number,
  end: number,
  nth: number,
  axis: number,
): void {
  let low = start
  let high = end - 1
  while (high > low) {
    const mid = (low + high) >>> 1
    const a = points[3 * order[low] + axis]
    const b = points[3 * order[mid] + axis]
    const c = points[3 * order[high] + axis]
    const pivot = medianOfThree(a, b, c)
    let i = low
    let j = high
    while (i <= j) {
      while (points[3 * order[i] + axis] < pivot) i++
      while (points[3 * order[j] + axis] > pivot) j--
      if (i <= j) {
        const swap = order[i]
        order[i] = order[j]
        order[j] = swap
        i++
        j--
      }
    }
    if (nth <= j) high = j
    else if (nth >= i) low = i
    else return
  }
}

function medianOfThree(a: number, b: number, c: number): number {
  if (a < b) {
    if (b < c) return b
    return a < c ? c : a
  }
  if (a < c) return a
  return b < c ? c : b
}
