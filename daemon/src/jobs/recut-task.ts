/** The worker side of a recut: new labels from the stored tree or features, then fresh exports. */
import { recut } from '../pipeline/recut.js'
import { partCountWarning } from '../pipeline/segment.js'
import type { Segmentation } from '../pipeline/segmentation.js'
import { buildResult, loadSegmentation, writeJobExports, writeResult } from './result-store.js'
import { summarize } from './segment-task.js'
import type { RecutTask, TaskSummary } from './worker-messages.js'

/** Error of an agglomerative recut of a job that stored no merge tree. */
export class NoTreeError extends Error {
  override readonly name = 'NoTreeError'
}

/**
 * Cuts the stored segmentation again. The stored state itself is left as the segment job wrote
 * it, so a k-means recut (which has no tree) never stops a later agglomerative one.
 */
export async function runRecutTask(task: RecutTask): Promise<TaskSummary> {
  const stored = await loadSegmentation(task.dir)
  const method = task.method ?? stored.params.method
  if (method === 'agglomerative' && !stored.tree) {
    throw new NoTreeError('this job ran k-means with a given n_clusters, so it has no merge tree; recut it with method=kmeans')
  }
  const start = performance.now()
  const seg = recut(stored, task.k, task.method)
  const clusterMs = Math.round(performance.now() - start)
  seg.warnings = recutWarnings(stored, seg, task.k)

  const exportStart = performance.now()
  const files = await writeJobExports(task.dir, seg, task.baseName)
  seg.timings = { ...stored.timings, cluster: clusterMs, export: Math.round(performance.now() - exportStart) }
  await writeResult(task.dir, buildResult(seg, task.jobId, files))
  return summarize(seg, files)
}

/**
 * Returns the stored warnings with the one about the segment job's part count replaced by one
 * about the recut's, so a result never warns about a count it was not cut to.
 */
function recutWarnings(stored: Segmentation, seg: Segmentation, k: number): string[] {
  const leafCount = stored.labels.length
  const kind = stored.input.kind
  const old = partCountWarning(stored.params.n_clusters, leafCount, kind, stored.partCount)
  const warnings = stored.warnings.filter((warning) => warning !== old)
  const tooMany = partCountWarning(k, leafCount, kind, seg.partCount)
  return tooMany ? [...warnings, tooMany] : warnings
}
