/**
 * Drag and drop and the file picker. One selection contains one mesh file plus the files it
 * refers to, and the sizes are checked against the daemon's upload limit before sending.
 */
import type { Upload } from './api.js'
import { PageError } from './error-text.js'

export const MESH_EXTENSIONS = ['.obj', '.glb', '.gltf', '.off', '.ply']

/** Room for the multipart boundaries and parameter fields around the files. */
const MULTIPART_OVERHEAD_BYTES = 16 * 1024

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.')
  return dot < 0 ? '' : name.slice(dot).toLowerCase()
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

/**
 * Picks the mesh among the selected files and checks the total size. Throws PageError with
 * what to do when there is no mesh, more than one, an empty one, or too many bytes.
 */
export function planUpload(files: File[], maxUploadBytes: number | undefined): Upload {
  const meshes = files.filter((file) => MESH_EXTENSIONS.includes(extensionOf(file.name)))
  if (meshes.length === 0) throw noMeshError(files)
  if (meshes.length > 1) {
    throw new PageError(`${meshes.length} mesh files were selected (${meshes.map((file) => file.name).join(', ')}).`,
      'Segment one mesh at a time: select one mesh and, if it needs them, its .bin, .mtl or texture files.')
  }
  const mesh = meshes[0]
  if (mesh.size === 0) throw new PageError(`${mesh.name} is empty (0 bytes).`, 'Export the mesh again and choose the new file.')

  const total = files.reduce((sum, file) => sum + file.size, 0)
  if (maxUploadBytes !== undefined && total + MULTIPART_OVERHEAD_BYTES > maxUploadBytes) {
    const subject = files.length === 1 ? `${mesh.name} is ${formatBytes(total)}` : `The selected files are ${formatBytes(total)}`
    throw new PageError(`${subject}; this daemon accepts uploads up to ${formatBytes(maxUploadBytes)}.`,
      'Decimate the mesh or save it as binary GLB or PLY, or restart the daemon with a larger --max-upload-mb.')
  }
  return { mesh, resources: files.filter((file) => file !== mesh) }
}

function noMeshError(files: File[]): PageError {
  const names = files.map((file) => file.name)
  if (names.length === 0) return new PageError('No file is selected.', 'Choose a mesh file, or drop one on the page.')
  const title = names.length === 1
    ? `${names[0]} is not a mesh file.`
    : `None of the ${names.length} selected files is a mesh file (${names.join(', ')}).`
  const advice = files.some((file) => extensionOf(file.name) === '.bin')
    ? 'A .bin file holds a glTF\'s data: select it together with its .gltf file. Meshes end in .obj, .glb, .gltf, .off or .ply.'
    : 'Choose a file ending in .obj, .glb, .gltf, .off or .ply.'
  return new PageError(title, advice)
}

/** Wires the drop zone and the file input; `onFiles` gets every selection. */
export function watchFileSelection(zone: HTMLElement, input: HTMLInputElement, onFiles: (files: File[]) => void): void {
  input.addEventListener('change', () => {
    if (input.files && input.files.length > 0) onFiles([...input.files])
  })
  zone.addEventListener('dragover', (event) => {
    event.preventDefault()
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy'
    zone.classList.add('dragging')
  })
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'))
  zone.addEventListener('drop', (event) => {
    event.preventDefault()
    zone.classList.remove('dragging')
    const files = [...(event.dataTransfer?.files ?? [])]
    if (files.length > 0) onFiles(files)
  })
}
