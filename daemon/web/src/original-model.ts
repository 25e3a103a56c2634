/**
 * Loads the user's own glTF or GLB file in the browser for the original view, with its
 * materials and textures. Other formats, and glTF files this loader cannot read (Draco
 * compression, KTX2 textures), show the segmented geometry in grey instead.
 */
import type { Object3D } from 'three'
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js'
import { MeshoptDecoder } from 'three/examples/jsm/libs/meshopt_decoder.module.js'
import { LoadingManager } from 'three'

import type { Upload } from './api.js'
import { extensionOf } from './upload-picker.js'

/** Returns the file's scene, or undefined when the format is not glTF or loading fails. */
export async function loadOriginalModel(upload: Upload): Promise<Object3D | undefined> {
  const extension = extensionOf(upload.mesh.name)
  if (extension !== '.glb' && extension !== '.gltf') return undefined

  // A .gltf names its .bin and textures by URI; each is served from the matching selected file.
  const urls = new Map(upload.resources.map((file) => [file.name, URL.createObjectURL(file)]))
  const manager = new LoadingManager()
  manager.setURLModifier((url) => {
    const name = decodeURIComponent(url.split(/[\\/]/).pop() ?? url)
    return urls.get(name) ?? url
  })
  const loader = new GLTFLoader(manager).setMeshoptDecoder(MeshoptDecoder)

  try {
    const data = extension === '.glb' ? await upload.mesh.arrayBuffer() : await upload.mesh.text()
    const gltf = await loader.parseAsync(data, '')
    return gltf.scene
  } catch (error) {
    console.warn(`original view: ${upload.mesh.name} could not be loaded in the browser; showing grey geometry`, error)
    return undefined
  } finally {
    for (const url of urls.values()) URL.revokeObjectURL(url)
  }
}
