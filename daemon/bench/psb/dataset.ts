import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'

/** Princeton Segmentation Benchmark categories, by their first model id (20 models each). */
const CATEGORIES: readonly [number, string][] = [
  [1, 'Human'], [21, 'Cup'], [41, 'Glasses'], [61, 'Airplane'], [81, 'Ant'], [101, 'Chair'],
  [121, 'Octopus'], [141, 'Table'], [161, 'Teddy'], [181, 'Hand'], [201, 'Plier'], [221, 'Fish'],
  [241, 'Bird'], [261, 'Spring'], [281, 'Armadillo'], [301, 'Bust'], [321, 'Mech'], [341, 'Bearing'],
  [361, 'Vase'], [381, 'Fourleg'],
]

/** One benchmark model: its mesh file and every human segmentation of it. */
export interface BenchmarkModel {
  id: string
  category: string
  meshPath: string
  /** Human labellings, one label per face. */
  humans: Int32Array[]
}

export function categoryOf(id: string): string {
  const number = Number(id)
  for (const [first, name] of CATEGORIES) if (number >= first && number < first + 20) return name
  return 'Other'
}

/** Lists the models of a benchmark folder (off/ID.off and seg/ID/*.seg), ordered by id. */
export async function listModels(dataDir: string): Promise<string[]> {
  const names = await readdir(join(dataDir, 'off'))
  return names
    .filter((name) => name.endsWith('.off'))
    .map((name) => name.slice(0, -4))
    .sort((a, b) => Number(a) - Number(b) || a.localeCompare(b))
}

/** Reads a model's human segmentations; a model without any is an error. */
export async function readModel(dataDir: string, id: string): Promise<BenchmarkModel> {
  const segDir = join(dataDir, 'seg', id)
  let files: string[]
  try {
    files = (await readdir(segDir)).filter((name) => name.endsWith('.seg')).sort()
  } catch {
    throw new Error(`${segDir}: missing; expected a folder of .seg files for model ${id}`)
  }
  if (files.length === 0) throw new Error(`${segDir}: no .seg files; expected at least one human segmentation`)
  const humans = await Promise.all(files.map((name) => readSegFile(join(segDir, name))))
  return { id, category: categoryOf(id), meshPath: join(dataDir, 'off', `${id}.off`), humans }
}

/** Reads a .seg file: one integer label per line, line i for face i. */
export async function readSegFile(path: string): Promise<Int32Array> {
  const text = await readFile(path, 'utf8')
  const lines = text.split(/\r?\n/)
  const labels: number[] = []
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim()
    if (line === '') continue
    const label = Number(line)
    if (!Number.isInteger(label)) throw new Error(`${path}: line ${i + 1}: ${JSON.stringify(line)}; expected an integer label`)
    labels.push(label)
  }
  return Int32Array.from(labels)
}

/** Returns the most common number of distinct labels among the human segmentations, the smaller on a tie. */
export function targetPartCount(humans: Int32Array[]): number {
  const votes = new Map<number, number>()
  for (const labels of humans) {
    const count = new Set(labels).size
    votes.set(count, (votes.get(count) ?? 0) + 1)
  }
  let best = 0
  let bestVotes = 0
  for (const [count, n] of votes) {
    if (n > bestVotes || (n === bestVotes && count < best)) {
      best = count
      bestVotes = n
    }
  }
  return best
}
