/**
 * Per-corner colour and part buffers of the viewer's geometry. Colours are linear RGB, because
 * three.js expects vertex colours in linear light. The palette is the exports' own, so part 3
 * has the same colour here as in the downloaded GLB, PLY and OBJ.
 */
import { PALETTE, srgbToLinear } from '../../src/export/palette.js'

/** Colour of the original view: a light grey, linear RGB. */
const NEUTRAL_LINEAR = [0.55, 0.55, 0.55]

const PALETTE_LINEAR = Float32Array.from(PALETTE.flatMap((rgb) => rgb.map(srgbToLinear)))

/** Returns the sRGB colour of a part as a CSS colour, for the part list. */
export function partCss(label: number): string {
  const [r, g, b] = PALETTE[label % PALETTE.length]
  return `rgb(${r}, ${g}, ${b})`
}

/** Number of corners each element has: 3 per triangle, 1 per point. */
function cornersPer(leafOf: Uint32Array, colors: Float32Array): number {
  return colors.length / 3 / leafOf.length
}

/** Colours every corner by its leaf's part, and stores that part per corner for highlighting. */
export function fillPartColors(colors: Float32Array, parts: Float32Array, leafOf: Uint32Array, labels: Int32Array): void {
  const per = cornersPer(leafOf, colors)
  for (let e = 0; e < leafOf.length; e++) {
    const label = labels[leafOf[e]]
    const entry = 3 * (label % PALETTE.length)
    for (let c = e * per; c < (e + 1) * per; c++) {
      colors[3 * c] = PALETTE_LINEAR[entry]
      colors[3 * c + 1] = PALETTE_LINEAR[entry + 1]
      colors[3 * c + 2] = PALETTE_LINEAR[entry + 2]
      parts[c] = label
    }
  }
}

/** Colours every corner by its leaf's PCA colour (sRGB bytes, 3 per leaf). */
export function fillPcaColors(colors: Float32Array, leafOf: Uint32Array, pca: Uint8Array): void {
  const per = cornersPer(leafOf, colors)
  const table = new Float32Array(256)
  for (let i = 0; i < 256; i++) table[i] = srgbToLinear(i)
  for (let e = 0; e < leafOf.length; e++) {
    const leaf = 3 * leafOf[e]
    for (let c = e * per; c < (e + 1) * per; c++) {
      colors[3 * c] = table[pca[leaf]]
      colors[3 * c + 1] = table[pca[leaf + 1]]
      colors[3 * c + 2] = table[pca[leaf + 2]]
    }
  }
}

export function fillNeutral(colors: Float32Array): void {
  for (let i = 0; i < colors.length; i += 3) colors.set(NEUTRAL_LINEAR, i)
}

/** Faces (leaves) per part. */
export function countPerPart(labels: Int32Array, partCount: number): number[] {
  const counts = new Array<number>(partCount).fill(0)
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++
  return counts
}

/** Returns one more than the largest label: the part count of labels numbered 0..n-1. */
export function partCountOf(labels: Int32Array): number {
  let max = -1
  for (let i = 0; i < labels.length; i++) if (labels[i] > max) max = labels[i]
  return max + 1
}
