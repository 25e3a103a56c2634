import type { GLTF } from '@gltf-transform/core'

import { MeshParseError } from './errors.js'
import type { ParseOptions } from './polygon-soup.js'

/**
 * Structural checks of a glTF JSON document before glTF-Transform reads it. glTF-Transform trusts
 * the JSON: an object where the schema wants an array, or an index naming nothing, ends in a
 * TypeError such as "(meshDef.primitives || []).forEach is not a function". These checks cover
 * every value glTF-Transform's reader dereferences or passes on as a number, and report the JSON
 * path (`meshes[0].primitives`) with what the glTF 2.0 schema expects there. Values it ignores
 * (names, extras, a material's `pbrMetallicRoughness` of the wrong type) are left alone.
 */

type JsonObject = Record<string, unknown>

/** Top-level arrays of the glTF 2.0 schema, each of objects. */
const COLLECTIONS = [
  'accessors', 'animations', 'buffers', 'bufferViews', 'cameras', 'images', 'materials', 'meshes',
  'nodes', 'samplers', 'scenes', 'skins', 'textures',
] as const
type Collection = (typeof COLLECTIONS)[number]

/** Accessor componentType codes of glTF 2.0 (BYTE to FLOAT; 5124 INT is not allowed). */
const COMPONENT_TYPES = [5120, 5121, 5122, 5123, 5125, 5126]
const ACCESSOR_TYPES = ['SCALAR', 'VEC2', 'VEC3', 'VEC4', 'MAT2', 'MAT3', 'MAT4']
/** Primitive modes POINTS (0) to TRIANGLE_FAN (6). */
const MAX_PRIMITIVE_MODE = 6

/** Throws MeshParseError `syntax` naming the JSON path of the first value that breaks the schema. */
export function checkGltfJson(json: GLTF.IGLTF, options: ParseOptions): void {
  const check = new JsonChecker(json as unknown as JsonObject, options.fileName)
  for (const key of ['extensionsUsed', 'extensionsRequired']) check.strings(check.root, key, key)
  check.index(check.root.scene, 'scene', 'scenes')

  check.each('buffers', checkBuffer)
  check.each('bufferViews', checkBufferView)
  check.each('accessors', checkAccessor)
  check.each('images', (_, image, path) => {
    check.string(image, 'uri', path)
    check.index(image.bufferView, `${path}.bufferView`, 'bufferViews')
  })
  check.each('textures', (_, texture, path) => {
    check.index(texture.source, `${path}.source`, 'images')
    check.index(texture.sampler, `${path}.sampler`, 'samplers')
  })
  check.each('materials', checkMaterial)
  check.each('meshes', checkMesh)
  check.each('cameras', checkCamera)
  check.each('nodes', checkNode)
  check.each('skins', (_, skin, path) => {
    check.indices(skin, 'joints', path, 'nodes', true)
    check.index(skin.inverseBindMatrices, `${path}.inverseBindMatrices`, 'accessors')
    check.index(skin.skeleton, `${path}.skeleton`, 'nodes')
  })
  check.each('animations', checkAnimation)
  check.each('scenes', (_, scene, path) => check.indices(scene, 'nodes', path, 'nodes', false))
}

function checkBuffer(check: JsonChecker, buffer: JsonObject, path: string): void {
  check.string(buffer, 'uri', path)
  check.integer(buffer, 'byteLength', path, 0, false)
}

function checkBufferView(check: JsonChecker, view: JsonObject, path: string): void {
  check.required(view, 'buffer', path)
  check.index(view.buffer, `${path}.buffer`, 'buffers')
  check.integer(view, 'byteOffset', path, 0, false)
  check.integer(view, 'byteLength', path, 0, true)
  check.integer(view, 'byteStride', path, 1, false)
}

function checkAccessor(check: JsonChecker, accessor: JsonObject, path: string): void {
  check.index(accessor.bufferView, `${path}.bufferView`, 'bufferViews')
  check.integer(accessor, 'byteOffset', path, 0, false)
  check.oneOf(accessor, 'componentType', path, COMPONENT_TYPES)
  check.integer(accessor, 'count', path, 0, true)
  check.oneOf(accessor, 'type', path, ACCESSOR_TYPES)
  if (accessor.normalized !== undefined && typeof accessor.normalized !== 'boolean') {
    check.fail(`${path}.normalized`, accessor.normalized, 'expected true or false')
  }

  const sparse = check.object(accessor, 'sparse', path, false)
  if (!sparse) return
  const sparsePath = `${path}.sparse`
  check.integer(sparse, 'count', sparsePath, 1, true)
  for (const part of ['indices', 'values']) {
    const section = check.object(sparse, part, sparsePath, true)!
    check.required(section, 'bufferView', `${sparsePath}.${part}`)
    check.index(section.bufferView, `${sparsePath}.${part}.bufferView`, 'bufferViews')
    check.integer(section, 'byteOffset', `${sparsePath}.${part}`, 0, false)
    if (part === 'indices') check.oneOf(section, 'componentType', `${sparsePath}.indices`, [5121, 5123, 5125])
  }
}

/**
 * Checks the texture references glTF-Transform follows: every `...Texture` object of the material,
 * of its `pbrMetallicRoughness` and of its extensions (KHR_materials_clearcoat and the like).
 */
function checkMaterial(check: JsonChecker, material: JsonObject, path: string): void {
  check.numbers(material, 'emissiveFactor', path, 3)
  check.number(material, 'alphaCutoff', path)
  check.string(material, 'alphaMode', path)
  check.textureInfos(material, path)

  const pbr = material.pbrMetallicRoughness
  if (isObject(pbr)) {
    const pbrPath = `${path}.pbrMetallicRoughness`
    check.numbers(pbr, 'baseColorFactor', pbrPath, 4)
    check.number(pbr, 'metallicFactor', pbrPath)
    check.number(pbr, 'roughnessFactor', pbrPath)
    check.textureInfos(pbr, pbrPath)
  }
  const extensions = material.extensions
  if (!isObject(extensions)) return
  for (const [name, extension] of Object.entries(extensions)) {
    if (isObject(extension)) check.textureInfos(extension, `${path}.extensions.${name}`)
  }
}

function checkMesh(check: JsonChecker, mesh: JsonObject, path: string): void {
  check.required(mesh, 'primitives', path)
  check.numbers(mesh, 'weights', path)
  for (const [index, primitive] of check.objects(mesh, 'primitives', path).entries()) {
    const primitivePath = `${path}.primitives[${index}]`
    const attributes = check.object(primitive, 'attributes', primitivePath, true)!
    for (const [semantic, accessor] of Object.entries(attributes)) {
      check.index(accessor, `${primitivePath}.attributes.${semantic}`, 'accessors', true)
    }
    check.index(primitive.indices, `${primitivePath}.indices`, 'accessors')
    check.index(primitive.material, `${primitivePath}.material`, 'materials')
    check.integer(primitive, 'mode', primitivePath, 0, false, MAX_PRIMITIVE_MODE)
    for (const [target, morph] of check.objects(primitive, 'targets', primitivePath).entries()) {
      for (const [semantic, accessor] of Object.entries(morph)) {
        check.index(accessor, `${primitivePath}.targets[${target}].${semantic}`, 'accessors', true)
      }
    }
  }
}

function checkCamera(check: JsonChecker, camera: JsonObject, path: string): void {
  check.oneOf(camera, 'type', path, ['perspective', 'orthographic'])
  const perspective = camera.type === 'perspective'
  const projection = check.object(camera, camera.type as string, path, true)!
  const required = perspective ? ['yfov', 'znear'] : ['xmag', 'ymag', 'zfar', 'znear']
  const optional = perspective ? ['zfar', 'aspectRatio'] : []
  for (const key of required) check.required(projection, key, `${path}.${String(camera.type)}`)
  for (const key of [...required, ...optional]) check.number(projection, key, `${path}.${String(camera.type)}`)
}

function checkNode(check: JsonChecker, node: JsonObject, path: string): void {
  check.indices(node, 'children', path, 'nodes', false)
  check.index(node.mesh, `${path}.mesh`, 'meshes')
  check.index(node.skin, `${path}.skin`, 'skins')
  check.index(node.camera, `${path}.camera`, 'cameras')
  check.numbers(node, 'matrix', path, 16)
  check.numbers(node, 'translation', path, 3)
  check.numbers(node, 'rotation', path, 4)
  check.numbers(node, 'scale', path, 3)
  check.numbers(node, 'weights', path)
}

function checkAnimation(check: JsonChecker, animation: JsonObject, path: string): void {
  const samplers = check.objects(animation, 'samplers', path)
  for (const [index, sampler] of samplers.entries()) {
    for (const key of ['input', 'output']) {
      check.required(sampler, key, `${path}.samplers[${index}]`)
      check.index(sampler[key], `${path}.samplers[${index}].${key}`, 'accessors')
    }
  }
  for (const [index, channel] of check.objects(animation, 'channels', path).entries()) {
    const channelPath = `${path}.channels[${index}]`
    if (samplers.length === 0) check.fail(`${channelPath}.sampler`, channel.sampler, 'the animation has no samplers')
    check.integer(channel, 'sampler', channelPath, 0, true, samplers.length - 1)
    const target = check.object(channel, 'target', channelPath, true)!
    check.index(target.node, `${channelPath}.target.node`, 'nodes')
    check.required(target, 'path', `${channelPath}.target`)
    check.string(target, 'path', `${channelPath}.target`)
  }
}

/** The value checks, each throwing MeshParseError with the path of the value at fault. */
class JsonChecker {
  readonly root: JsonObject
  readonly #fileName: string

  constructor(root: JsonObject, fileName: string) {
    this.root = root
    this.#fileName = fileName
  }

  fail(path: string, value: unknown, expectation: string): never {
    const found = value === undefined ? 'missing' : `found ${describeJson(value)}`
    throw new MeshParseError('syntax', this.#fileName, path, `${found}; ${expectation}`)
  }

  /** Runs `visit` on each object of a top-level collection, after checking its shape. */
  each(collection: Collection, visit: (check: JsonChecker, item: JsonObject, path: string) => void): void {
    for (const [index, item] of this.objects(this.root, collection, '').entries()) {
      visit(this, item, `${collection}[${index}]`)
    }
  }

  /** Returns an optional array of objects (empty when absent). */
  objects(owner: JsonObject, key: string, path: string): JsonObject[] {
    const value = owner[key]
    const at = join(path, key)
    if (value === undefined) return []
    if (!Array.isArray(value)) this.fail(at, value, 'expected an array')
    for (const [index, item] of value.entries()) {
      if (!isObject(item)) this.fail(`${at}[${index}]`, item, 'expected an object')
    }
    return value as JsonObject[]
  }

  object(owner: JsonObject, key: string, path: string, required: boolean): JsonObject | undefined {
    const value = owner[key]
    if (value === undefined && !required) return undefined
    if (!isObject(value)) this.fail(join(path, key), value, 'expected an object')
    return value
  }

  required(owner: JsonObject, key: string, path: string): void {
    if (owner[key] !== undefined) return
    throw new MeshParseError('syntax', this.#fileName, path, `missing ${key}, which the glTF 2.0 schema requires`)
  }

  /** Checks an optional index into a top-level collection (required when `required` is set). */
  index(value: unknown, path: string, collection: Collection, required = false): void {
    if (value === undefined && !required) return
    const items = this.root[collection]
    const count = Array.isArray(items) ? items.length : 0
    const valid = typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < count
    if (!valid) {
      const range = count === 0 ? `the file has no ${collection}` : `expected an index into ${collection} (0 to ${count - 1})`
      this.fail(path, value, range)
    }
  }

  indices(owner: JsonObject, key: string, path: string, collection: Collection, required: boolean): void {
    const value = owner[key]
    const at = join(path, key)
    if (value === undefined && !required) return
    if (!Array.isArray(value)) this.fail(at, value, `expected an array of indices into ${collection}`)
    for (const [index, item] of value.entries()) this.index(item, `${at}[${index}]`, collection, true)
  }

  integer(owner: JsonObject, key: string, path: string, min: number, required: boolean, max = Number.MAX_SAFE_INTEGER): void {
    const value = owner[key]
    if (value === undefined && !required) return
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `an integer of ${min} or more` : `an integer from ${min} to ${max}`
      this.fail(join(path, key), value, `expected ${range}`)
    }
  }

  number(owner: JsonObject, key: string, path: string): void {
    const value = owner[key]
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
      this.fail(join(path, key), value, 'expected a number')
    }
  }

  /** Checks an optional array of numbers, of exactly `length` values when given. */
  numbers(owner: JsonObject, key: string, path: string, length?: number): void {
    const value = owner[key]
    if (value === undefined) return
    const valid = Array.isArray(value) && value.every((item) => typeof item === 'number' && Number.isFinite(item))
    if (!valid || (length !== undefined && value.length !== length)) {
      this.fail(join(path, key), value, `expected an array of ${length ?? 'any number of'} numbers`)
    }
  }

  string(owner: JsonObject, key: string, path: string): void {
    const value = owner[key]
    if (value !== undefined && typeof value !== 'string') this.fail(join(path, key), value, 'expected a string')
  }

  strings(owner: JsonObject, key: string, path: string): void {
    const value = owner[key]
    if (value === undefined) return
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      this.fail(path, value, 'expected an array of strings')
    }
  }

  oneOf(owner: JsonObject, key: string, path: string, allowed: readonly (string | number)[]): void {
    const value = owner[key]
    if (!allowed.includes(value as string | number)) {
      this.fail(join(path, key), value, `expected one of ${allowed.join(', ')}`)
    }
  }

  /** Checks every `...Texture` property of `owner` as a textureInfo: an object naming a texture. */
  textureInfos(owner: JsonObject, path: string): void {
    for (const [key, info] of Object.entries(owner)) {
      if (!key.endsWith('Texture') || info === undefined) continue
      const at = join(path, key)
      if (!isObject(info)) this.fail(at, info, 'expected a textureInfo object')
      this.index(info.index, `${at}.index`, 'textures', true)
      this.integer(info, 'texCoord', at, 0, false)
      this.number(info, 'scale', at)
      this.number(info, 'strength', at)
    }
  }
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`
}

/** Short description of a JSON value for messages: objects by kind, other values as written. */
function describeJson(value: unknown): string {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return 'an object'
  const text = JSON.stringify(value)
  return text.length > 40 ? `${text.slice(0, 37)}...` : text
}
