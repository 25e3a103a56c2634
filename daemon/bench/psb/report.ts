/** Benchmark figures of one model. */
export interface ModelResult {
  id: string
  category: string
  faces: number
  /** Part count asked for: the most common human part count. */
  k: number
  /** Mean Rand Index error over the human segmentations at k parts. */
  error: number
  /** Part count the merge tree chose on its own, and its error. */
  autoK: number
  autoError: number
  /** Load, features and clustering, wall clock. */
  seconds: number
  /** CPU time of the same work; on a shared machine it varies less than the wall clock. */
  cpuSeconds: number
  /** Pipeline stage times, in milliseconds. */
  featureMs: number
  clusterMs: number
}

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / Math.max(values.length, 1)
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Prints per-category errors, the overall means and the timing figures. */
export function printSummary(results: ModelResult[]): void {
  if (results.length === 0) {
    console.log('no models found')
    return
  }
  const categories = new Map<string, ModelResult[]>()
  for (const result of results) categories.set(result.category, [...(categories.get(result.category) ?? []), result])

  console.log('\ncategory     models  error  auto-k error')
  for (const [category, members] of categories) {
    const error = mean(members.map((r) => r.error))
    const autoError = mean(members.map((r) => r.autoError))
    console.log(`${category.padEnd(12)} ${String(members.length).padStart(6)}  ${error.toFixed(3)}  ${autoError.toFixed(3)}`)
  }
  const seconds = results.map((r) => r.seconds)
  console.log(`\nmodels: ${results.length}`)
  console.log(`mean Rand Index error, k = most common human part count: ${mean(results.map((r) => r.error)).toFixed(4)}`)
  console.log(`mean Rand Index error, automatic part count: ${mean(results.map((r) => r.autoError)).toFixed(4)}`)
  const cpuSeconds = results.map((r) => r.cpuSeconds)
  console.log(`seconds per mesh: median ${median(seconds).toFixed(2)}, max ${Math.max(...seconds).toFixed(2)}`)
  console.log(`CPU seconds per mesh: median ${median(cpuSeconds).toFixed(2)}, max ${Math.max(...cpuSeconds).toFixed(2)}`)
}
