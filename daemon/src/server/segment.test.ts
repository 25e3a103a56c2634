import { NodeIO } from '@gltf-transform/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { encodeJson, encodeMsgpack, MSGPACK_TYPE } from '../../../protocol/src/codec.js'
import { cutTree } from '../../../protocol/src/part-tree.js'
import { loadMesh } from '../mesh/load.js'
import { startDaemon, type TestDaemon } from './test-daemon.js'
import { getResult, getStatus, peek, pollUntil, postFile, readEvents, readResult, submitFile } from './test-client.js'
import { box, toArrays, toGlb, toGltf, toObj, toOff, toPly, twoBoxes } from './test-meshes.js'

const GRID = 3
const MESH = twoBoxes(GRID)
const FACES = MESH.faces.length

let daemon: TestDaemon
beforeAll(async () => {
  daemon = await startDaemon()
})
afterAll(() => daemon.stop())

describe('segment formats', () => {
  const cases: [string, () => Promise<string | Uint8Array>][] = [
    ['boxes.off', async () => toOff(MESH)],
    ['boxes.obj', async () => toObj(MESH)],
    ['boxes.ply', async () => toPly(MESH)],
    ['boxes.glb', () => toGlb(MESH)],
  ]
  for (const [name, build] of cases) {
    it(`segments ${name} with ?wait=1`, async () => {
      const response = await postFile(daemon.url, name, await build(), { n_clusters: 3, wait: 1 })
      expect(response.status, await peek(response)).toBe(200)
      const result = await readResult(response)
      // GLB has no quads, so its faces are the triangles.
      const faces = name.endsWith('.glb') ? FACES * 2 : FACES
      expect(result.faceCount).toBe(faces)
      expect(result.labels.length).toBe(faces)
      expect(result.partCount).toBe(3)
      expect(result.partSizes.reduce((a, b) => a + b, 0)).toBe(faces)
      expect(result.tree?.leafCount).toBe(faces)
      expect(result.pca?.colors.length).toBe(3 * faces)
      expect(result.backend).toBe('geometric')
      expect(Math.max(...result.labels)).toBe(2)
    })
  }

  it('segments a .gltf with its .bin sent as a multipart resource', async () => {
    const { json, bin } = await toGltf(MESH, 'boxes.bin')
    const form = new FormData()
    form.append('file', new Blob([json]), 'boxes.gltf')
    form.append('resource', new Blob([bin as Uint8Array<ArrayBuffer>]), 'boxes.bin')
    form.append('n_clusters', '4')
    form.append('params', JSON.stringify({ pca_components: 0 }))
    const response = await fetch(`${daemon.url}/v1/segment?wait=1`, { method: 'POST', body: form })
    expect(response.status, await peek(response)).toBe(200)
    const result = await readResult(response)
    expect(result.partCount).toBe(4)
    expect(result.faceCount).toBe(FACES * 2)
    expect(result.pca).toBeNull()
    expect(result.files.map((f) => f.format)).not.toContain('pca')
  })

  it('accepts MessagePack mesh arrays and answers in MessagePack', async () => {
    const response = await fetch(`${daemon.url}/v1/segment?wait=1`, {
      method: 'POST',
      headers: { 'content-type': MSGPACK_TYPE, accept: MSGPACK_TYPE },
      body: encodeMsgpack({ name: 'boxes', mesh: toArrays(MESH), params: { n_clusters: 2 } }),
    })
    expect(response.status, await peek(response)).toBe(200)
    expect(response.headers.get('content-type')).toBe(MSGPACK_TYPE)
    const result = await readResult(response)
    // polygons map both triangles of each quad to it, so labels come back per quad
    expect(result.faceCount).toBe(FACES)
    expect(result.triangleCount).toBe(FACES * 2)
    expect(result.partCount).toBe(2)
    expect(result.labels).toBeInstanceOf(Int32Array)
    expect((await getStatus(daemon.url, result.jobId)).input.format).toBe('msgpack')
  })

  it('accepts a .gltf and its .bin inside MessagePack', async () => {
    const { json, bin } = await toGltf(MESH, 'boxes.bin')
    const body = { file: new TextEncoder().encode(json), filename: 'boxes.gltf', resources: { 'boxes.bin': bin }, params: { n_clusters: 2 } }
    const response = await fetch(`${daemon.url}/v1/segment?wait=1`, {
      method: 'POST',
      headers: { 'content-type': MSGPACK_TYPE },
      body: encodeMsgpack(body),
    })
    expect(response.status, await peek(response)).toBe(200)
    expect((await readResult(response)).faceCount).toBe(FACES * 2)
  })

  it('accepts JSON mesh arrays and returns triangle labels on request', async () => {
    const response = await fetch(`${daemon.url}/v1/segment?wait=1&include=triangle_labels&n_clusters=2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: encodeJson({ mesh: toArrays(MESH) }),
    })
    expect(response.status, await peek(response)).toBe(200)
    const result = await readResult(response)
    const triangleLabels = result.triangleLabels!
    expect(triangleLabels.length).toBe(FACES * 2)
    const { polygons } = toArrays(MESH)
    for (let t = 0; t < triangleLabels.length; t++) expect(triangleLabels[t]).toBe(result.labels[polygons[t]])

    // The input's format is the body's encoding, in the status and in labels.json.
    expect((await getStatus(daemon.url, result.jobId)).input.format).toBe('json')
    const labelsFile = result.files.find((file) => file.format === 'labels')!
    const labels = (await (await fetch(`${daemon.url}${labelsFile.url}`)).json()) as { source: { format: string } }
    expect(labels.source.format).toBe('json')
  })
})

describe('job lifecycle', () => {
  it('polls a job to completion', async () => {
    const response = await postFile(daemon.url, 'boxes.off', toOff(MESH), { n_clusters: 3 })
    expect(response.status).toBe(202)
    const queued = (await response.json()) as { id: string; state: string }
    expect(response.headers.get('location')).toBe(`/v1/jobs/${queued.id}`)
    expect(queued.id).toMatch(/^[A-Za-z0-9_-]{22}$/)

    const done = await pollUntil(daemon.url, queued.id)
    expect(done.state).toBe('succeeded')
    expect(done.faces).toBe(FACES)
    expect(done.parts).toBe(3)
    expect(done.progress).toBe(1)
    expect(Object.keys(done.timings)).toEqual(expect.arrayContaining(['load', 'prepare', 'features', 'cluster', 'export']))
    expect(Date.parse(done.expiresAt!) - Date.parse(done.finishedAt!)).toBe(24 * 3600 * 1000)
  })

  it('logs each stage with faces, parts, time and backend', async () => {
    const job = await submitFile(daemon.url, 'logged.off', toOff(MESH), { n_clusters: 3 })
    await pollUntil(daemon.url, job.id)
    const stages = daemon.logs.filter((entry) => entry.msg === 'job stage finished' && entry.jobId === job.id)
    expect(stages.map((entry) => entry.stage)).toEqual(['load', 'prepare', 'features', 'cluster', 'pca', 'export'])
    for (const entry of stages) {
      expect(entry).toMatchObject({ faces: FACES, parts: 3, backend: 'geometric', device: 'cpu' })
      expect(typeof entry.ms).toBe('number')
    }
    const requests = daemon.logs.filter((entry) => entry.msg === 'request' && entry.path === '/v1/segment')
    expect(requests.length).toBeGreaterThan(0)
    expect(requests[0]).toMatchObject({ method: 'POST', status: expect.any(Number), ms: expect.any(Number) })
  })

  it('follows a job with server-sent events to the end', async () => {
    const job = await submitFile(daemon.url, 'boxes.obj', toObj(MESH), { n_clusters: 3 })
    const { events, raw } = await readEvents(daemon.url, job.id)
    expect(events.length).toBeGreaterThanOrEqual(2)
    expect(events[events.length - 1].state).toBe('succeeded')
    const progress = events.map((e) => e.progress)
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1])
    // Stage shares add up to values such as 0.15000000000000002; the wire carries 3 decimals.
    for (const event of events) {
      expect(event.progress).toBe(Math.round(event.progress * 1000) / 1000)
      expect(event.stageProgress).toBe(Math.round(event.stageProgress * 1000) / 1000)
    }
    expect(raw).toMatch(/^event: status\ndata: \{.*\}\nid: 1\n\n/)
  })

  it('sends one event for a job that already ended', async () => {
    const job = await submitFile(daemon.url, 'boxes.off', toOff(MESH), { n_clusters: 2 })
    await pollUntil(daemon.url, job.id)
    const { events } = await readEvents(daemon.url, job.id)
    expect(events.map((e) => e.state)).toEqual(['succeeded'])
  })

  it('recuts from the stored tree and with k-means', async () => {
    const job = await submitFile(daemon.url, 'boxes.off', toOff(MESH), { n_clusters: 3 })
    await pollUntil(daemon.url, job.id)
    const first = await getResult(daemon.url, job.id, 'msgpack')

    const recut = await fetch(`${daemon.url}/v1/jobs/${job.id}/recut`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ n_clusters: 5 }),
    })
    expect(recut.status, await peek(recut)).toBe(200)
    const five = await readResult(recut)
    expect(five.partCount).toBe(5)
    // The daemon's cut and a client's local cut of the returned tree agree.
    expect(five.labels).toEqual(cutTree(first.tree!, 5))
    expect((await getStatus(daemon.url, job.id)).parts).toBe(5)

    const kmeans = await fetch(`${daemon.url}/v1/jobs/${job.id}/recut?n_clusters=4&method=kmeans`, { method: 'POST' })
    expect(kmeans.status, await peek(kmeans)).toBe(200)
    const four = await readResult(kmeans)
    expect(four.method).toBe('kmeans')
    expect(four.tree).toBeNull()
    expect(four.labels.length).toBe(FACES)

    const back = await fetch(`${daemon.url}/v1/jobs/${job.id}/recut`, {
      method: 'POST',
      headers: { 'content-type': MSGPACK_TYPE },
      body: encodeMsgpack({ n_clusters: 3, method: 'agglomerative' }),
    })
    expect(back.status, await peek(back)).toBe(200)
    expect((await readResult(back)).labels).toEqual(first.labels)
  })

  it('rejects a recut out of range with 400', async () => {
    const job = await submitFile(daemon.url, 'boxes.off', toOff(MESH), { n_clusters: 2 })
    await pollUntil(daemon.url, job.id)
    const response = await fetch(`${daemon.url}/v1/jobs/${job.id}/recut?n_clusters=0`, { method: 'POST' })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: { code: 'invalid-param', field: 'n_clusters' } })
  })

  it('downloads every file and parses it again', async () => {
    const job = await submitFile(daemon.url, 'chair seat.off', toOff(MESH), { n_clusters: 3 })
    await pollUntil(daemon.url, job.id)
    const result = await getResult(daemon.url, job.id)
    const formats = result.files.map((f) => f.format)
    expect(formats).toEqual(expect.arrayContaining(['glb', 'ply', 'obj', 'labels', 'pca']))

    for (const file of result.files) {
      const response = await fetch(`${daemon.url}${file.url}`)
      expect(response.status, file.name).toBe(200)
      const bytes = new Uint8Array(await response.arrayBuffer())
      expect(bytes.byteLength, file.name).toBe(file.bytes)
      expect(file.name, file.name).toMatch(/^chair seat\.(parts|labels|pca)\./)
      expect(response.headers.get('content-disposition')).toContain(`filename="${file.name}"`)
      await checkFile(file.name, bytes, result.partCount)
    }
  })

  it('names the OBJ and MTL alike in URL, download and mtllib', async () => {
    const job = await submitFile(daemon.url, 'Wuson.obj', toObj(MESH), { n_clusters: 3 })
    await pollUntil(daemon.url, job.id)
    const result = await getResult(daemon.url, job.id)
    const names = result.files.map((file) => file.name)
    expect(names).toEqual(expect.arrayContaining(['Wuson.parts.glb', 'Wuson.parts.obj', 'Wuson.parts.mtl', 'Wuson.labels.json']))

    const obj = result.files.find((file) => file.name.endsWith('.obj'))!
    const response = await fetch(`${daemon.url}${obj.url}`)
    expect(obj.url).toBe(`/v1/jobs/${job.id}/files/Wuson.parts.obj`)
    expect(response.headers.get('content-disposition')).toContain('filename="Wuson.parts.obj"')
    expect((await response.text()).split('\n')[1]).toBe('mtllib Wuson.parts.mtl')
    const mtl = await fetch(`${daemon.url}/v1/jobs/${job.id}/files/Wuson.parts.mtl`)
    expect(mtl.status).toBe(200)
    expect(mtl.headers.get('content-disposition')).toContain('filename="Wuson.parts.mtl"')
  })

  it('warns when asked for more parts than faces, and recuts renew the warning', async () => {
    const response = await postFile(daemon.url, 'box.off', toOff(box(1)), { n_clusters: 256, wait: 1 })
    expect(response.status, await peek(response)).toBe(200)
    const result = await readResult(response)
    expect(result.partCount).toBe(6)
    expect(result.warnings).toContain('asked for 256 parts but the mesh has 6 faces; returned 6 parts')
    expect((await getStatus(daemon.url, result.jobId)).warnings).toEqual(result.warnings)

    const fewer = await fetch(`${daemon.url}/v1/jobs/${result.jobId}/recut?n_clusters=1`, { method: 'POST' })
    expect(fewer.status, await peek(fewer)).toBe(200)
    expect((await readResult(fewer)).warnings.filter((warning) => warning.startsWith('asked for'))).toEqual([])
    const more = await fetch(`${daemon.url}/v1/jobs/${result.jobId}/recut?n_clusters=7`, { method: 'POST' })
    expect((await readResult(more)).warnings).toContain('asked for 7 parts but the mesh has 6 faces; returned 6 parts')
    expect((await getStatus(daemon.url, result.jobId)).warnings).toContain('asked for 7 parts but the mesh has 6 faces; returned 6 parts')
  })
})

describe('failures', () => {
  const broken = 'OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 9\n'

  it('answers ?wait=1 for a malformed file with 422 and the parser message', async () => {
    const response = await postFile(daemon.url, 'broken.off', broken, { wait: 1 })
    expect(response.status).toBe(422)
    const { error } = (await response.json()) as { error: { code: string; reason: string; message: string; jobId: string } }
    expect(error.code).toBe('invalid-mesh')
    expect(error.reason).toBe('index-out-of-range')
    expect(error.message).toMatch(/^broken\.off: .*vertex index 9/)
    expect(error.jobId).toMatch(/^[A-Za-z0-9_-]{22}$/)
  })

  it('reports a malformed file as a failed job whose result is 422', async () => {
    const job = await submitFile(daemon.url, 'broken.off', broken)
    const failed = await pollUntil(daemon.url, job.id)
    expect(failed.state).toBe('failed')
    expect(failed.error).toMatchObject({ code: 'invalid-mesh', reason: 'index-out-of-range' })
    const response = await fetch(`${daemon.url}/v1/jobs/${job.id}/result`)
    expect(response.status).toBe(422)
  })

  it('returns 404 for a file the job does not have', async () => {
    const job = await submitFile(daemon.url, 'boxes.off', toOff(MESH), { n_clusters: 2 })
    await pollUntil(daemon.url, job.id)
    const response = await fetch(`${daemon.url}/v1/jobs/${job.id}/files/..%2Fjob.json`)
    expect(response.status).toBe(404)
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/has no file "..\/job.json"/)
  })
})

async function checkFile(name: string, bytes: Uint8Array, parts: number): Promise<void> {
  if (name.endsWith('.glb')) {
    const document = await new NodeIO().readBinary(bytes)
    const meshes = document.getRoot().listMeshes()
    expect(meshes.length, name).toBeGreaterThan(0)
    if (name.includes('parts')) expect(document.getRoot().listNodes().filter((n) => n.getMesh()).length, name).toBe(parts)
    return
  }
  if (name.endsWith('.ply') || name.endsWith('.obj')) {
    const mesh = await loadMesh(bytes, { fileName: name, maxFaces: 1_000_000 })
    expect(mesh.kind, name).toBe('mesh')
    if (mesh.kind === 'mesh') expect(mesh.polygonCount, name).toBe(FACES)
    if (name.endsWith('.obj') && mesh.kind === 'mesh') expect(mesh.nodes.length, name).toBe(parts)
    return
  }
  if (name.endsWith('.json')) {
    const labels = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>
    expect(typeof labels, name).toBe('object')
    return
  }
  if (name.endsWith('.mtl')) {
    expect(new TextDecoder().decode(bytes).match(/^newmtl /gm)?.length, name).toBe(parts)
    return
  }
  throw new Error(`no check for ${name}`)
}
