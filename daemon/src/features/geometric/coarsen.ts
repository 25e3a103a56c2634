import { weightedGraphFromEdges, type WeightedGraph } from './weighted-graph.js'

/** A coarse graph of aggregates and the map from the original nodes to them. */
export interface Coarsening {
  graph: WeightedGraph
  masses: Float64Array
  /** Per original node: its aggregate. */
  aggregateOf: Uint32Array
  count: number
}

/** Edges weaker than this share of a node's strongest edge are never matched along. */
const MIN_MATCH_SHARE = 0.1
/** A level that shrinks the graph by less than this share ends the coarsening. */
const MIN_LEVEL_REDUCTION = 0.1

/**
 * Coarsens a weighted graph by repeated heavy-edge matching until at most `target` aggregates
 * remain. Each node pairs with the unmatched neighbour it is most strongly tied to (weight over
 * combined size, so aggregates grow evenly), so weak edges such as concave creases stay between
 * aggregates. Coarse weights are sums of the fine weights between two aggregates and coarse
 * masses sums of the fine masses, the Galerkin product for piecewise-constant interpolation.
 */
export function coarsenGraph(graph: WeightedGraph, masses: Float64Array, target: number): Coarsening {
  const n = masses.length
  let aggregateOf = new Uint32Array(n)
  for (let i = 0; i < n; i++) aggregateOf[i] = i
  let current: Coarsening = { graph, masses, aggregateOf, count: n }
  let sizes = new Float64Array(n).fill(1)

  while (current.count > target) {
    const { match, count } = heavyEdgeMatching(current.graph, sizes)
    if (count > current.count * (1 - MIN_LEVEL_REDUCTION)) break
    const next = contract(current.graph, current.masses, match, count)
    const nextSizes = new Float64Array(count)
    for (let i = 0; i < current.count; i++) nextSizes[match[i]] += sizes[i]
    aggregateOf = aggregateOf.map((a) => match[a])
    current = { ...next, aggregateOf, count }
    sizes = nextSizes
  }
  return current
}

/**
 * Pairs nodes along their strongest size-normalised edge; returns each node's new aggregate.
 * A node whose free neighbours are all tied to it much more weakly than its strongest edge
 * stays alone, so an aggregate never straddles a crease just because nothing else was left.
 */
function heavyEdgeMatching(graph: WeightedGraph, sizes: Float64Array): { match: Uint32Array; count: number } {
  const n = sizes.length
  const match = new Uint32Array(n).fill(0xffffffff)
  let count = 0
  for (let i = 0; i < n; i++) {
    if (match[i] !== 0xffffffff) continue
    let strongest = 0
    for (let p = graph.offsets[i]; p < graph.offsets[i + 1]; p++) strongest = Math.max(strongest, graph.weights[p])
    let best = -1
    let bestScore = 0
    for (let p = graph.offsets[i]; p < graph.offsets[i + 1]; p++) {
      const j = graph.neighbors[p]
      if (j === i || match[j] !== 0xffffffff || graph.weights[p] < MIN_MATCH_SHARE * strongest) continue
      const score = graph.weights[p] / (sizes[i] + sizes[j])
      if (score > bestScore) {
        bestScore = score
        best = j
      }
    }
    match[i] = count
    if (best >= 0) match[best] = count
    count++
  }
  return { match, count }
}

function contract(
  graph: WeightedGraph,
  masses: Float64Array,
  match: Uint32Array,
  count: number,
): { graph: WeightedGraph; masses: Float64Array } {
  const coarseMasses = new Float64Array(count)
  for (let i = 0; i < masses.length; i++) coarseMasses[match[i]] += masses[i]

  const pairs: number[] = []
  const weights: number[] = []
  for (let i = 0; i < masses.length; i++) {
    for (let p = graph.offsets[i]; p < graph.offsets[i + 1]; p++) {
      const j = graph.neighbors[p]
      if (j <= i || match[i] === match[j]) continue
      pairs.push(match[i], match[j])
      weights.push(graph.weights[p])
    }
  }
  return { graph: weightedGraphFromEdges(count, pairs, weights), masses: coarseMasses }
}
