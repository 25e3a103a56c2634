import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { MSGPACK_TYPE } from '../../../protocol/src/codec.js'
import { startDaemon, type TestDaemon } from './test-daemon.js'
import { getResult, pollUntil, submitFile } from './test-client.js'
import { toOff, twoBoxes } from './test-meshes.js'

const run = promisify(execFile)
const PYTHON = '/usr/bin/python3'
const EXAMPLES = fileURLToPath(new URL('../../../protocol/examples/', import.meta.url))
const PROTOCOL_MD = fileURLToPath(new URL('../../../protocol/PROTOCOL.md', import.meta.url))
const MESH = twoBoxes(3)

interface Summary {
  faces: number
  parts: number
  labels: number[]
  folder: string
  files: string[]
}

/** Runs client.py in `dir` against the test daemon. */
function runClient(dir: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(PYTHON, [join(EXAMPLES, 'client.py'), ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH, PARTFIELD_URL: daemon.url },
  })
}

let daemon: TestDaemon
beforeAll(async () => {
  daemon = await startDaemon()
})
afterAll(() => daemon.stop())

describe.skipIf(!existsSync(PYTHON))('Python clients', () => {
  it('PROTOCOL.md carries client.py verbatim', async () => {
    const client = await readFile(join(EXAMPLES, 'client.py'), 'utf8')
    expect(await readFile(PROTOCOL_MD, 'utf8')).toContain(client.trimEnd())
  })

  it('client.py segments a file and downloads every file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'partfield-python-'))
    await writeFile(join(dir, 'boxes.off'), toOff(MESH))
    const { stdout } = await runClient(dir, ['boxes.off', '4'])
    const summary = JSON.parse(stdout) as Summary
    expect(summary.faces).toBe(MESH.faces.length)
    expect(summary.parts).toBe(4)
    expect(summary.labels.length).toBe(MESH.faces.length)
    expect(new Set(summary.labels).size).toBe(4)
    expect(summary.folder).toBe('boxes')
    expect(summary.files).toContain('boxes.parts.glb')
    for (const name of summary.files) expect(existsSync(join(dir, 'boxes', name)), name).toBe(true)
  })

  it('client.py writes each run to a new folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'partfield-python-'))
    await writeFile(join(dir, 'boxes.off'), toOff(MESH))
    await mkdir(join(dir, 'boxes'))
    await writeFile(join(dir, 'boxes', 'boxes.parts.glb'), 'the user\'s own file')

    const first = JSON.parse((await runClient(dir, ['boxes.off', '2'])).stdout) as Summary
    const second = JSON.parse((await runClient(dir, ['boxes.off', '3'])).stdout) as Summary
    expect([first.folder, second.folder]).toEqual(['boxes-2', 'boxes-3'])
    expect(await readFile(join(dir, 'boxes', 'boxes.parts.glb'), 'utf8')).toBe('the user\'s own file')
    expect((await readdir(join(dir, 'boxes-3'))).sort()).toEqual([...second.files].sort())
  })

  it('client.py rejects bad arguments with its usage line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'partfield-python-'))
    await writeFile(join(dir, 'boxes.off'), toOff(MESH))
    for (const args of [[], ['boxes.off', '0'], ['boxes.off', 'four'], ['boxes.off', '2.5'], ['boxes.off', '257'], ['a', 'b', 'c']]) {
      const failure = await runClient(dir, args).then(() => undefined, (error: { code: number; stderr: string }) => error)
      expect(failure?.code, args.join(' ')).toBe(2)
      expect(failure?.stderr, args.join(' ')).toMatch(/^usage: python3 client\.py MESH_FILE \[N_CLUSTERS\]/)
      expect(failure?.stderr, args.join(' ')).not.toMatch(/Traceback/)
    }
    expect(await readdir(dir)).toEqual(['boxes.off'])
  })

  it('client.py prints the daemon error for a bad file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'partfield-python-'))
    await writeFile(join(dir, 'bad.off'), 'OFF\n1 1 0\n0 0 0\n3 0 0 5\n')
    const failure = await runClient(dir, ['bad.off']).then(() => undefined, (error: { code: number; stderr: string }) => error)
    expect(failure?.code).toBe(1)
    expect(failure?.stderr).toMatch(/^error: job failed: bad\.off: line 4: vertex index 5/m)
  })

  it('msgpack_decode.py reads a MessagePack result without any msgpack package', async () => {
    const job = await submitFile(daemon.url, 'boxes.off', toOff(MESH), { n_clusters: 3 })
    await pollUntil(daemon.url, job.id)
    const expected = await getResult(daemon.url, job.id)
    const response = await fetch(`${daemon.url}/v1/jobs/${job.id}/result`, { headers: { accept: MSGPACK_TYPE } })
    const dir = await mkdtemp(join(tmpdir(), 'partfield-python-'))
    await writeFile(join(dir, 'result.msgpack'), new Uint8Array(await response.arrayBuffer()))

    const script = [
      'import array, json, sys',
      `sys.path.insert(0, ${JSON.stringify(EXAMPLES)})`,
      'from msgpack_decode import unpackb',
      'result = unpackb(open("result.msgpack", "rb").read())',
      'labels = array.array("i", result["labels"])',
      'merges = array.array("i", result["tree"]["merges"])',
      'colors = list(result["pca"]["colors"])',
      'if sys.byteorder == "big": labels.byteswap(); merges.byteswap()',
      'print(json.dumps({"labels": list(labels), "merges": list(merges), "colors": colors, "parts": result["partCount"]}))',
    ].join('\n')
    const { stdout } = await run(PYTHON, ['-c', script], { cwd: dir })
    const decoded = JSON.parse(stdout) as { labels: number[]; merges: number[]; colors: number[]; parts: number }
    expect(decoded.parts).toBe(3)
    expect(decoded.labels).toEqual(Array.from(expected.labels))
    expect(decoded.merges).toEqual(Array.from(expected.tree!.merges))
    expect(decoded.colors).toEqual(Array.from(expected.pca!.colors))
  })
})
