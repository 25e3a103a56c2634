import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
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
    const { stdout } = await run(PYTHON, [join(EXAMPLES, 'client.py'), 'boxes.off', '4'], {
      cwd: dir,
      env: { PATH: process.env.PATH, PARTFIELD_URL: daemon.url },
    })
    const summary = JSON.parse(stdout) as { faces: number; parts: number; labels: number[]; files: string[] }
    expect(summary.faces).toBe(MESH.faces.length)
    expect(summary.parts).toBe(4)
    expect(summary.labels.length).toBe(MESH.faces.length)
    expect(new Set(summary.labels).size).toBe(4)
    expect(summary.files).toContain('model.parts.glb')
    for (const name of summary.files) expect(existsSync(join(dir, name)), name).toBe(true)
  })

  it('client.py prints the daemon error for a bad file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'partfield-python-'))
    await writeFile(join(dir, 'bad.off'), 'OFF\n1 1 0\n0 0 0\n3 0 0 5\n')
    const failure = await run(PYTHON, [join(EXAMPLES, 'client.py'), 'bad.off'], {
      cwd: dir,
      env: { PATH: process.env.PATH, PARTFIELD_URL: daemon.url },
    }).then(() => undefined, (error: { code: number; stderr: string }) => error)
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
