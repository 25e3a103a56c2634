import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { startDaemon, type TestDaemon } from './test-daemon.js'
import { getStatus, peek, pollUntil, postFile, readResult, submitFile } from './test-client.js'
import { toGltf, toOff, toPly, twoBoxes } from './test-meshes.js'

/**
 * Inputs the daemon cannot honour are rejected with a message naming them, never ignored:
 * unknown query keys, odd spellings of wait and include, repeated multipart parts and wrong
 * methods. Files are taken by their content where the name does not say the format.
 */

const MESH = twoBoxes(2)

let daemon: TestDaemon
let finishedJob: string
beforeAll(async () => {
  daemon = await startDaemon({ args: ['--no-warm-up'] })
  const job = await submitFile(daemon.url, 'boxes.off', toOff(MESH), { n_clusters: 2 })
  finishedJob = (await pollUntil(daemon.url, job.id)).id
})
afterAll(() => daemon.stop())

async function errorOf(response: Response): Promise<{ code: string; message: string; field?: string; reason?: string }> {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/)
  return ((await response.json()) as { error: { code: string; message: string; field?: string } }).error
}

describe('query parameters', () => {
  it('rejects a recut parameter that recut does not use', async () => {
    const response = await fetch(`${daemon.url}/v1/jobs/${finishedJob}/recut?n_clusters=3&knn=2`, { method: 'POST' })
    expect(response.status).toBe(400)
    const error = await errorOf(response)
    expect(error).toMatchObject({ code: 'invalid-param', field: 'knn' })
    expect(error.message).toBe('unknown query parameter knn for POST /v1/jobs/{id}/recut; expected n_clusters, method, include')
  })

  it('accepts include on a recut', async () => {
    const response = await fetch(`${daemon.url}/v1/jobs/${finishedJob}/recut?n_clusters=3&include=triangle_labels`, { method: 'POST' })
    expect(response.status, await peek(response)).toBe(200)
    expect((await readResult(response)).triangleLabels?.length).toBe(MESH.faces.length * 2)
  })

  it('takes only 1, true, 0 and false for wait', async () => {
    for (const wait of ['yes', '', '2', 'on']) {
      const response = await postFile(daemon.url, 'boxes.off', toOff(MESH), { wait })
      expect(response.status, `wait=${wait}`).toBe(400)
      const error = await errorOf(response)
      expect(error.field).toBe('wait')
      expect(error.message).toBe(`invalid wait: ${JSON.stringify(wait)}; expected 1 or true to wait for the result, 0 or false to return at once`)
    }
    for (const wait of ['0', 'false']) expect((await postFile(daemon.url, 'boxes.off', toOff(MESH), { wait })).status).toBe(202)
    expect((await postFile(daemon.url, 'boxes.off', toOff(MESH), { wait: 'true', n_clusters: 2 })).status).toBe(200)
  })

  it('lists the allowed values of include', async () => {
    const result = await fetch(`${daemon.url}/v1/jobs/${finishedJob}/result?include=foo`)
    expect(result.status).toBe(400)
    expect(await errorOf(result)).toMatchObject({ field: 'include', message: 'invalid include: "foo"; expected triangle_labels' })
    const segment = await postFile(daemon.url, 'boxes.off', toOff(MESH), { include: 'triangle_labels,labels' })
    expect(segment.status).toBe(400)
    expect((await errorOf(segment)).message).toBe('invalid include: "labels"; expected triangle_labels')
  })

  it('rejects a repeated key and a key a route does not read', async () => {
    const repeated = await fetch(`${daemon.url}/v1/segment?filename=a.off&n_clusters=3&n_clusters=4`, { method: 'POST', body: toOff(MESH) })
    expect(repeated.status).toBe(400)
    expect(await errorOf(repeated)).toMatchObject({ field: 'n_clusters', message: 'query parameter n_clusters is given 2 times; give it once' })
    const status = await fetch(`${daemon.url}/v1/jobs/${finishedJob}?verbose=1`)
    expect(status.status).toBe(400)
    expect((await errorOf(status)).message).toBe('unknown query parameter verbose for GET /v1/jobs/{id}; it takes none')
    expect((await fetch(`${daemon.url}/v1/jobs/${finishedJob}?access_token=unused`)).status).toBe(200)
  })
})

describe('multipart uploads', () => {
  function form(parts: [string, string | Blob, string?][]): FormData {
    const body = new FormData()
    for (const [name, value, fileName] of parts) {
      if (typeof value === 'string') body.append(name, value)
      else body.append(name, value, fileName)
    }
    return body
  }

  it('rejects a second file part', async () => {
    const body = form([['file', new Blob([toOff(MESH)]), 'a.off'], ['file', new Blob([toOff(MESH)]), 'b.off']])
    const response = await fetch(`${daemon.url}/v1/segment`, { method: 'POST', body })
    expect(response.status).toBe(400)
    const error = await errorOf(response)
    expect(error).toMatchObject({ code: 'invalid-request', field: 'file' })
    expect(error.message).toMatch(/^invalid multipart body: 2 parts are named "file"; send one mesh per request/)
  })

  it('rejects a repeated text field and two resources of one name', async () => {
    const fields = form([['file', new Blob([toOff(MESH)]), 'a.off'], ['n_clusters', '2'], ['n_clusters', '3']])
    const repeated = await fetch(`${daemon.url}/v1/segment`, { method: 'POST', body: fields })
    expect(await errorOf(repeated)).toMatchObject({ field: 'n_clusters', message: 'invalid multipart body: 2 parts are named "n_clusters"; send it once' })
    const resources = form([['file', new Blob(['{}']), 'a.gltf'], ['resource', new Blob(['1']), 'a.bin'], ['resource', new Blob(['2']), 'a.bin']])
    const twice = await fetch(`${daemon.url}/v1/segment`, { method: 'POST', body: resources })
    expect(twice.status).toBe(400)
    expect((await errorOf(twice)).message).toBe('invalid multipart body: two resource parts are named "a.bin"; send each file once')
  })

  it('says how to send a .gltf file\'s missing .bin', async () => {
    const { json } = await toGltf(MESH, 'boxes.bin')
    const response = await fetch(`${daemon.url}/v1/segment?wait=1`, { method: 'POST', body: form([['file', new Blob([json]), 'boxes.gltf']]) })
    expect(response.status).toBe(422)
    const error = await errorOf(response)
    expect(error.reason).toBe('missing-resource')
    expect(error.message).toBe('boxes.gltf: buffers[0]: cannot read \'boxes.bin\'; expected it uploaded with the mesh: send it as a ' +
      'multipart file part named "resource" beside the "file" part, or in the "resources" map of a MessagePack body')
  })
})

describe('formats by content', () => {
  it('sniffs a name without an extension', async () => {
    const job = await submitFile(daemon.url, 'figure', toPly(MESH), { n_clusters: 2 })
    expect(job.input).toMatchObject({ name: 'figure', format: 'ply' })
    const done = await pollUntil(daemon.url, job.id)
    expect(done.state).toBe('succeeded')
    expect(done.files.map((file) => file.name)).toContain('figure.parts.glb')
  })

  it('rejects a nameless file whose content is no mesh', async () => {
    const response = await postFile(daemon.url, 'figure', 'solid cube\nendsolid\n')
    expect(response.status).toBe(422)
    expect(await errorOf(response)).toMatchObject({
      reason: 'unsupported-format',
      message: 'figure: the name has no extension and the content matches no supported format; expected one of .obj, .glb, .gltf, .ply, .off',
    })
  })

  it('loads a PLY named .obj as PLY and warns', async () => {
    const job = await submitFile(daemon.url, 'scan.obj', toPly(MESH), { n_clusters: 2 })
    expect(job.input.format).toBe('ply')
    const done = await pollUntil(daemon.url, job.id)
    expect(done.state).toBe('succeeded')
    expect(done.warnings).toContain('the file is named .obj but starts like a PLY file, so it was loaded as one; rename it to .ply')
    expect((await getStatus(daemon.url, job.id)).files.map((file) => file.name)).toContain('scan.parts.obj')
  })
})

describe('methods', () => {
  it('answers 405 with Allow for a known path', async () => {
    const cases: [string, string, string][] = [
      ['GET', '/v1/segment', 'POST'],
      ['PUT', `/v1/jobs/${finishedJob}`, 'GET, HEAD, DELETE'],
      ['POST', `/v1/jobs/${finishedJob}/result`, 'GET, HEAD'],
      ['GET', `/v1/jobs/${finishedJob}/recut`, 'POST'],
      ['DELETE', `/v1/jobs/${finishedJob}/files/boxes.parts.glb`, 'GET, HEAD'],
      ['POST', '/health', 'GET, HEAD'],
    ]
    for (const [method, path, allow] of cases) {
      const response = await fetch(`${daemon.url}${path}`, { method })
      expect(response.status, `${method} ${path}`).toBe(405)
      expect(response.headers.get('allow'), `${method} ${path}`).toBe(allow)
      expect((await errorOf(response)).code).toBe('method-not-allowed')
    }
    const segment = await fetch(`${daemon.url}/v1/segment`)
    expect((await errorOf(segment)).message).toBe('GET is not allowed on /v1/segment; use POST')
  })

  it('still answers 404 for unknown paths', async () => {
    for (const path of ['/v1/segments', '/v1/jobs/x/y/z', '/nothing']) {
      const response = await fetch(`${daemon.url}${path}`, { method: 'POST' })
      expect(response.status, path).toBe(404)
    }
  })
})
