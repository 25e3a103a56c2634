/**
 * Loads the user's own glTF or GLB file in the browser for the original view, with its
 * materials and textures. Draco-compressed geometry is decoded by three.js's decoder, which
 * build.ts copies next to the page. Other formats, and files this loader cannot read (KTX2
 * textures, for one), show the segmented geometry in grey, with a note that gives the reason.
 */
import { LoadingManager, type Object3D } from 'three'
import { MeshoptDecoder } from 'three/examples/jsm/libs/meshopt_decoder.module.js'
import { DRACOLoader } from 'three/examples/jsm/loaders/DRACOLoader.js'
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js'

import type { Upload } from './api.js'
import { extensionOf } from './upload-picker.js'

/** Folder of the Draco decoder files, relative to the page, ending in `/`; build.ts defines it. */
declare const DRACO_DECODER_PATH: string

export interface OriginalModel {
  /** The file's scene, or undefined when the original view shows grey geometry. */
  object: Object3D | undefined
  /** Reason the view is grey, or what it lacks, for the page to show; undefined when nothing is missing. */
  note: string | undefined
}

/** Drawn in place of a texture that was not selected: a 1 x 1 white PNG. */
const BLANK_IMAGE = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4//8/AAX+Av4N70a4AAAAAElFTkSuQmCC'
/** Returned for any other file that was not selected, so that loading it fails without a request. */
const EMPTY_FILE = 'data:application/octet-stream;base64,'
const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.ktx2']

export const REOPENED_NOTE =
  'The original view needs the uploaded file, which the page does not keep after a reload, so it shows the geometry in grey.'

let dracoLoader: DRACOLoader | undefined

/** Returns the page's one decoder, which starts its workers on first use and keeps them for later files. */
function sharedDracoLoader(): DRACOLoader {
  if (!dracoLoader) {
    const base = new URL(DRACO_DECODER_PATH, document.baseURI)
    dracoLoader = new DRACOLoader().setDecoderPath({
      js: new URL('draco_wasm_wrapper.js', base).href,
      wasm: new URL('draco_decoder.wasm', base).href,
    })
  }
  return dracoLoader
}

/** Loads the upload's glTF or GLB; any other format, or a failure, gives grey geometry and a note. */
export async function loadOriginalModel(upload: Upload): Promise<OriginalModel> {
  const extension = extensionOf(upload.mesh.name)
  if (extension !== '.glb' && extension !== '.gltf') {
    return { object: undefined, note: 'The original view draws glTF and GLB files with their own materials; other formats show the geometry in grey.' }
  }

  // A .gltf names its .bin and textures by URI. Each is served from the matching selected file,
  // and one not selected from a blank, so the browser never requests it from the daemon's root.
  const urls = new Map(upload.resources.map((file) => [file.name, URL.createObjectURL(file)]))
  const notSelected = new Set<string>()
  const manager = new LoadingManager()
  manager.setURLModifier((url) => {
    if (/^(data|blob):/.test(url)) return url
    const name = fileNameOf(url)
    const selected = urls.get(name)
    if (selected) return selected
    notSelected.add(name)
    return IMAGE_EXTENSIONS.includes(extensionOf(name)) ? BLANK_IMAGE : EMPTY_FILE
  })
  const loader = new GLTFLoader(manager).setMeshoptDecoder(MeshoptDecoder).setDRACOLoader(sharedDracoLoader())

  try {
    const data = extension === '.glb' ? await upload.mesh.arrayBuffer() : await upload.mesh.text()
    const gltf = await loader.parseAsync(data, '')
    return { object: gltf.scene, note: notSelectedNote([...notSelected]) }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    console.warn(`original view: ${upload.mesh.name} could not be loaded in the browser; showing grey geometry`, error)
    return { object: undefined, note: `${upload.mesh.name} could not be drawn in the browser (${reason}), so the original view shows the geometry in grey.` }
  } finally {
    for (const url of urls.values()) URL.revokeObjectURL(url)
  }
}

/** Returns the last path segment of a URI, percent-decoded when it decodes. */
function fileNameOf(url: string): string {
  const last = url.split(/[\\/]/).pop() ?? url
  try {
    return decodeURIComponent(last)
  } catch {
    return last
  }
}

function notSelectedNote(names: string[]): string | undefined {
  if (names.length === 0) return undefined
  if (names.length === 1) return `${names[0]} was not selected, so the original view draws it blank.`
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)} were not selected, so the original view draws them blank.`
}
