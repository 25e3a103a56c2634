/**
 * The 3D view: the segmented model in part colours, the PCA colours or plain grey, with orbit
 * controls, and the part under the pointer reported for highlighting. Frames are drawn only
 * when something changed, so an idle page costs no GPU time.
 */
import {
  BufferAttribute,
  BufferGeometry,
  Color,
  DirectionalLight,
  DoubleSide,
  HemisphereLight,
  Mesh,
  MeshStandardMaterial,
  type Object3D,
  PerspectiveCamera,
  Points,
  PointsMaterial,
  Raycaster,
  Scene,
  Sphere,
  Vector2,
  WebGLRenderer,
} from 'three'
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js'
import { acceleratedRaycast, MeshBVH } from 'three-mesh-bvh'

import { fillNeutral, fillPartColors, fillPcaColors } from './face-colors.js'
import { addPartHighlight, type HighlightUniform } from './highlight-shader.js'
import type { ViewMesh } from './view-mesh.js'

export type ViewMode = 'parts' | 'pca' | 'original'

const BACKGROUND = 0xeef0f3

interface DisplayedModel {
  view: ViewMesh
  object: Mesh | Points
  geometry: BufferGeometry
  colors: Float32Array
  parts: Float32Array
  labels: Int32Array
  pca: Uint8Array | null
  bvh?: MeshBVH
}

export class Viewer {
  readonly renderer: WebGLRenderer
  readonly camera = new PerspectiveCamera(40, 1, 0.01, 1000)
  readonly controls: OrbitControls
  /** Called with the part under the pointer, or null when it leaves the model. */
  onHover: (part: number | null) => void = () => {}

  #scene = new Scene()
  #host: HTMLElement
  #model: DisplayedModel | undefined
  #original: Object3D | undefined
  #mode: ViewMode = 'parts'
  #highlight: HighlightUniform = { value: -1 }
  #needsRender = true
  #pointer: Vector2 | undefined
  #hoveredPart: number | null = null
  #raycaster = new Raycaster()

  constructor(host: HTMLElement) {
    this.#host = host
    this.renderer = new WebGLRenderer({ antialias: true })
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2))
    const canvas = this.renderer.domElement
    // Out of the Tab order until a model is shown, because an empty view has nothing to turn.
    canvas.tabIndex = -1
    canvas.setAttribute('role', 'img')
    canvas.setAttribute('aria-label', '3D view of the segmented model; drag to rotate, wheel to zoom, arrow keys to pan')
    host.append(canvas)

    this.#scene.background = new Color(BACKGROUND)
    this.#scene.add(new HemisphereLight(0xffffff, 0x8d8d8d, 1.6))
    // A light that follows the camera lights whatever side the user turns towards it.
    const headLight = new DirectionalLight(0xffffff, 1.8)
    headLight.position.set(0.5, 1, 1)
    this.camera.add(headLight)
    this.#scene.add(this.camera)

    this.controls = new OrbitControls(this.camera, canvas)
    this.controls.enableDamping = true
    this.controls.listenToKeyEvents(canvas)
    this.controls.addEventListener('change', () => this.requestRender())

    canvas.addEventListener('pointermove', (event) => this.#trackPointer(event))
    canvas.addEventListener('pointerleave', () => this.#setHovered(null, true))
    new ResizeObserver(() => this.#resize()).observe(host)
    this.#resize()
    this.renderer.setAnimationLoop(() => this.#frame())
  }

  get mode(): ViewMode {
    return this.#mode
  }

  /** True when the original view shows the user's own file rather than grey geometry. */
  get hasOriginalModel(): boolean {
    return this.#original !== undefined
  }

  /** Shows a new model coloured by `labels`, and points the camera at it. */
  show(view: ViewMesh, labels: Int32Array, pca: Uint8Array | null): void {
    this.clear()
    const geometry = new BufferGeometry()
    geometry.setAttribute('position', new BufferAttribute(view.positions, 3))
    const corners = view.positions.length / 3
    const colors = new Float32Array(3 * corners)
    const parts = new Float32Array(corners)
    geometry.setAttribute('color', new BufferAttribute(colors, 3))
    geometry.setAttribute('part', new BufferAttribute(parts, 1))
    geometry.computeBoundingSphere()

    const object = view.kind === 'mesh' ? this.#meshObject(geometry) : this.#pointsObject(geometry)
    this.#model = { view, object, geometry, colors, parts, labels, pca }
    this.#scene.add(object)
    this.#fitCamera(geometry.boundingSphere!)
    this.#recolor()
    this.renderer.domElement.tabIndex = 0
  }

  /** Recolours the parts view with new labels (one per leaf). */
  setLabels(labels: Int32Array): void {
    if (!this.#model) return
    this.#model.labels = labels
    this.#recolor()
  }

  setMode(mode: ViewMode): void {
    this.#mode = mode
    this.#recolor()
  }

  /** Shows the user's own file (as three.js loaded it) in the original view instead of grey; undefined removes it. */
  setOriginal(object: Object3D | undefined): void {
    if (this.#original) this.#scene.remove(this.#original)
    this.#original = object
    if (object) this.#scene.add(object)
    this.#recolor()
  }

  /** Dims every part but `part`; null shows all parts at full colour. */
  highlight(part: number | null): void {
    this.#highlight.value = part ?? -1
    this.requestRender()
  }

  clear(): void {
    if (this.#model) {
      this.#scene.remove(this.#model.object)
      this.#model.geometry.dispose()
      const material = this.#model.object.material
      if (!Array.isArray(material)) material.dispose()
      this.#model = undefined
    }
    this.setOriginal(undefined)
    this.#hoveredPart = null
    this.renderer.domElement.tabIndex = -1
    this.requestRender()
  }

  requestRender(): void {
    this.#needsRender = true
  }

  /** Draws a frame now and returns its pixels (RGBA, bottom row first), for tests. */
  readPixels(): { width: number; height: number; data: Uint8Array } {
    this.renderer.render(this.#scene, this.camera)
    const gl = this.renderer.getContext()
    const width = gl.drawingBufferWidth
    const height = gl.drawingBufferHeight
    const data = new Uint8Array(4 * width * height)
    gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, data)
    return { width, height, data }
  }

  #meshObject(geometry: BufferGeometry): Mesh {
    const material = new MeshStandardMaterial({
      vertexColors: true, flatShading: true, side: DoubleSide, roughness: 0.85, metalness: 0,
    })
    addPartHighlight(material, this.#highlight)
    return new Mesh(geometry, material)
  }

  #pointsObject(geometry: BufferGeometry): Points {
    const radius = geometry.boundingSphere!.radius
    const material = new PointsMaterial({ vertexColors: true, size: radius / 150, sizeAttenuation: true })
    addPartHighlight(material, this.#highlight)
    this.#raycaster.params.Points.threshold = radius / 150
    return new Points(geometry, material)
  }

  #recolor(): void {
    const model = this.#model
    if (!model) return
    const original = this.#mode === 'original'
    model.object.visible = !(original && this.#original)
    if (this.#original) this.#original.visible = original

    fillPartColors(model.colors, model.parts, model.view.leafOf, model.labels)
    if (this.#mode === 'pca' && model.pca) fillPcaColors(model.colors, model.view.leafOf, model.pca)
    if (original) fillNeutral(model.colors)
    model.geometry.getAttribute('color').needsUpdate = true
    model.geometry.getAttribute('part').needsUpdate = true
    this.requestRender()
  }

  #fitCamera(sphere: Sphere): void {
    const radius = sphere.radius > 0 ? sphere.radius : 1
    // The narrower of the two fields of view decides, so a portrait phone screen fits the model too.
    const halfVertical = (this.camera.fov * Math.PI) / 360
    const halfHorizontal = Math.atan(Math.tan(halfVertical) * this.camera.aspect)
    const distance = radius / Math.sin(Math.min(halfVertical, halfHorizontal))
    this.camera.near = distance / 100
    this.camera.far = distance * 100
    this.camera.position.copy(sphere.center).add({ x: distance * 0.55, y: distance * 0.45, z: distance * 0.7 })
    this.camera.updateProjectionMatrix()
    this.controls.target.copy(sphere.center)
    this.controls.update()
  }

  #resize(): void {
    const width = Math.max(1, this.#host.clientWidth)
    const height = Math.max(1, this.#host.clientHeight)
    this.renderer.setSize(width, height)
    this.camera.aspect = width / height
    this.camera.updateProjectionMatrix()
    this.requestRender()
  }

  #frame(): void {
    if (this.controls.update()) this.#needsRender = true
    if (this.#pointer) this.#pick()
    if (!this.#needsRender) return
    this.#needsRender = false
    this.renderer.render(this.#scene, this.camera)
  }

  #trackPointer(event: PointerEvent): void {
    const rect = this.renderer.domElement.getBoundingClientRect()
    this.#pointer = new Vector2(
      ((event.clientX - rect.left) / rect.width) * 2 - 1,
      -((event.clientY - rect.top) / rect.height) * 2 + 1,
    )
  }

  /** Finds the part under the pointer; runs once per frame at most, after the pointer moved. */
  #pick(): void {
    const pointer = this.#pointer!
    this.#pointer = undefined
    const model = this.#model
    if (!model || !model.object.visible) return this.#setHovered(null, false)

    if (model.object instanceof Mesh && !model.bvh) {
      // Built on the first hover, because it costs about 1 s per million triangles (measured in
      // Node 20 on a 2-core machine) that a user who never hovers should not wait for.
      model.bvh = new MeshBVH(model.geometry, { indirect: true })
      model.geometry.boundsTree = model.bvh
      model.object.raycast = acceleratedRaycast
    }
    this.#raycaster.setFromCamera(pointer, this.camera)
    this.#raycaster.firstHitOnly = true
    const hit = this.#raycaster.intersectObject(model.object, false)[0]
    if (!hit) return this.#setHovered(null, false)

    // Corners are unshared, so a corner's index divided by its element's corner count is the element.
    const element = model.object instanceof Mesh ? Math.floor(hit.face!.a / 3) : hit.index!
    this.#setHovered(model.labels[model.view.leafOf[element]], false)
  }

  #setHovered(part: number | null, left: boolean): void {
    if (left) this.#pointer = undefined
    if (part === this.#hoveredPart) return
    this.#hoveredPart = part
    this.onHover(part)
  }
}
