/** Input files for the watcher tests that daemon/src/server/test-meshes.ts does not make. */

/** Returns an ASCII PLY without faces: two clusters of `perCluster` points, 10 units apart. */
export function pointCloud(perCluster: number): string {
  const lines: string[] = []
  for (const offset of [0, 10]) {
    for (let i = 0; i < perCluster; i++) lines.push(`${offset + (i % 5) * 0.2} ${Math.floor(i / 5) * 0.2} ${(i % 3) * 0.1}`)
  }
  const header = ['ply', 'format ascii 1.0', `element vertex ${lines.length}`, 'property float x', 'property float y', 'property float z', 'end_header']
  return `${[...header, ...lines].join('\n')}\n`
}
