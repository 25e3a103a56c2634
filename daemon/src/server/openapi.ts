/**
 * The OpenAPI 3.1 description served at /openapi.json. Segmentation parameters are generated
 * from PARAM_SPECS, so their ranges here always match what the daemon enforces.
 */
import { JOB_STATES, STAGES } from '../../../protocol/src/messages.js'
import { PARAM_SPECS, type ParamSpec } from '../../../protocol/src/params.js'
import { PROTOCOL_VERSION } from '../../../protocol/src/version.js'

type Schema = Record<string, unknown>

function paramSchema(spec: ParamSpec): Schema {
  if (spec.kind === 'int') return { type: 'integer', minimum: spec.min, maximum: spec.max, description: spec.help }
  if (spec.kind === 'enum') return { type: 'string', enum: spec.values, description: spec.help }
  return { type: 'boolean', description: spec.help }
}

const paramsSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(Object.entries(PARAM_SPECS).map(([name, spec]) => [name, paramSchema(spec)])),
}

const binary = (dtype: string, meaning: string): Schema => ({
  description: `${meaning}. MessagePack: bin of little-endian ${dtype}; JSON: array of numbers.`,
  oneOf: [{ type: 'string', format: 'binary' }, { type: 'array', items: { type: 'number' } }],
})

const fileInfo: Schema = {
  type: 'object',
  required: ['name', 'format', 'bytes', 'url'],
  properties: { name: { type: 'string' }, format: { type: 'string' }, bytes: { type: 'integer' }, url: { type: 'string' } },
}

const schemas: Record<string, Schema> = {
  Params: paramsSchema,
  Error: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: { type: 'string' },
          message: { type: 'string' },
          field: { type: 'string' },
          reason: { type: 'string' },
          jobId: { type: 'string' },
        },
      },
    },
  },
  MeshRequest: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      params: { $ref: '#/components/schemas/Params' },
      mesh: {
        type: 'object',
        required: ['positions', 'triangles'],
        properties: {
          positions: binary('float32', '3 per vertex'),
          triangles: binary('uint32', '3 vertex indices per triangle'),
          polygons: binary('uint32', 'source face id per triangle, 0..faces-1 without gaps'),
        },
      },
      file: { type: 'string', format: 'binary', description: 'MessagePack only: a mesh file' },
      filename: { type: 'string' },
      resources: { type: 'object', additionalProperties: { type: 'string', format: 'binary' } },
    },
  },
  JobStatus: {
    type: 'object',
    properties: {
      protocolVersion: { type: 'integer', const: PROTOCOL_VERSION },
      id: { type: 'string' },
      state: { type: 'string', enum: JOB_STATES },
      stage: { type: ['string', 'null'], enum: [...STAGES, null] },
      progress: { type: 'number', minimum: 0, maximum: 1 },
      stageProgress: { type: 'number', minimum: 0, maximum: 1 },
      queuePosition: { type: ['integer', 'null'] },
      input: { type: 'object' },
      createdAt: { type: 'string', format: 'date-time' },
      startedAt: { type: ['string', 'null'], format: 'date-time' },
      finishedAt: { type: ['string', 'null'], format: 'date-time' },
      expiresAt: { type: ['string', 'null'], format: 'date-time' },
      faces: { type: ['integer', 'null'] },
      parts: { type: ['integer', 'null'] },
      backend: { type: ['string', 'null'] },
      device: { type: ['string', 'null'] },
      timings: { type: 'object', additionalProperties: { type: 'number' } },
      warnings: { type: 'array', items: { type: 'string' } },
      error: { oneOf: [{ type: 'null' }, { type: 'object' }] },
      files: { type: 'array', items: fileInfo },
    },
  },
  SegmentResult: {
    type: 'object',
    properties: {
      protocolVersion: { type: 'integer' },
      jobId: { type: 'string' },
      kind: { type: 'string', enum: ['mesh', 'points'] },
      faceCount: { type: 'integer' },
      triangleCount: { type: 'integer' },
      partCount: { type: 'integer' },
      autoPartCount: { type: 'boolean' },
      method: { type: 'string', enum: ['agglomerative', 'kmeans'] },
      labels: binary('int32', 'part label per source face'),
      partSizes: { type: 'array', items: { type: 'integer' } },
      tree: {
        oneOf: [
          { type: 'null' },
          {
            type: 'object',
            properties: {
              leafCount: { type: 'integer' },
              merges: binary('int32', 'two node ids per merge, SciPy linkage numbering'),
              costs: binary('float32', 'cost per merge'),
            },
          },
        ],
      },
      pca: {
        oneOf: [
          { type: 'null' },
          { type: 'object', properties: { components: { type: 'integer' }, colors: binary('uint8', 'RGB per source face') } },
        ],
      },
      triangleLabels: binary('int32', 'only with ?include=triangle_labels'),
      backend: { type: 'string' },
      device: { type: 'string' },
      params: { $ref: '#/components/schemas/Params' },
      timings: { type: 'object' },
      warnings: { type: 'array', items: { type: 'string' } },
      files: { type: 'array', items: fileInfo },
    },
  },
}

const json = (schema: string) => ({ 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } })
const both = (schema: string) => ({ ...json(schema), 'application/msgpack': { schema: { $ref: `#/components/schemas/${schema}` } } })
const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((code) => [String(code), { description: 'error', content: json('Error') }]))
const jobId = { name: 'id', in: 'path', required: true, schema: { type: 'string' } }

export function openApiDocument(version: string): Schema {
  return {
    openapi: '3.1.0',
    info: { title: 'partfield-bridge', version, description: 'Part segmentation daemon. protocol/PROTOCOL.md is the full reference.' },
    components: {
      schemas,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
    security: [{ bearer: [] }],
    paths: {
      '/v1/segment': {
        post: {
          summary: 'Submit a mesh; returns a job (202), or the result with ?wait=1',
          parameters: [
            { name: 'filename', in: 'query', schema: { type: 'string' }, description: 'name of a raw file body' },
            { name: 'wait', in: 'query', schema: { type: 'string', enum: ['0', '1', 'false', 'true'] } },
            { name: 'include', in: 'query', schema: { type: 'string', enum: ['triangle_labels'] } },
            ...Object.keys(PARAM_SPECS).map((name) => ({ name, in: 'query', schema: paramsSchema.properties && (paramsSchema.properties as Schema)[name] })),
          ],
          requestBody: {
            content: {
              ...both('MeshRequest'),
              'multipart/form-data': { schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' }, params: { type: 'string' } } } },
              'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
            },
          },
          responses: {
            '202': { description: 'queued', content: both('JobStatus') },
            '200': { description: 'result (?wait=1)', content: both('SegmentResult') },
            ...errors(400, 401, 413, 415, 422, 429, 507),
          },
        },
      },
      '/v1/jobs/{id}': {
        get: { parameters: [jobId], responses: { '200': { description: 'status', content: both('JobStatus') }, ...errors(404) } },
        delete: { parameters: [jobId], summary: 'Cancel and delete', responses: { '200': { description: 'final status', content: both('JobStatus') }, ...errors(404) } },
      },
      '/v1/jobs/{id}/events': {
        get: { parameters: [jobId], summary: 'Server-sent events: event "status" with a JobStatus', responses: { '200': { description: 'text/event-stream' }, ...errors(404) } },
      },
      '/v1/jobs/{id}/result': {
        get: {
          parameters: [jobId, { name: 'include', in: 'query', schema: { type: 'string', enum: ['triangle_labels'] } }],
          responses: { '200': { description: 'result', content: both('SegmentResult') }, ...errors(404, 409, 413, 422, 500) },
        },
      },
      '/v1/jobs/{id}/recut': {
        post: {
          parameters: [
            jobId,
            { name: 'n_clusters', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 256 } },
            { name: 'method', in: 'query', schema: { type: 'string', enum: ['agglomerative', 'kmeans'] } },
            { name: 'include', in: 'query', schema: { type: 'string', enum: ['triangle_labels'] } },
          ],
          requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { n_clusters: { type: 'integer' }, method: { type: 'string' } } } } } },
          responses: { '200': { description: 'new result', content: both('SegmentResult') }, ...errors(400, 404, 409) },
        },
      },
      '/v1/jobs/{id}/files/{name}': {
        get: { parameters: [jobId, { name: 'name', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': { description: 'file' }, ...errors(404) } },
      },
      '/v1/health': { get: { responses: { '200': { description: 'daemon state' } } } },
      '/health': { get: { security: [], responses: { '200': { description: 'liveness' } } } },
    },
  }
}
