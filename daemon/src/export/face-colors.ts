import type { Segmentation } from '../pipeline/segmentation.js'
import { ExportError } from './errors.js'
import { PALETTE } from './palette.js'

/** Packs an sRGB triple into one 0xRRGGBB number, the form colours take inside the encoders. */
export function packRgb([r, g, b]: readonly number[]): number {
  return (r << 16) | (g << 8) | b
}

/** Returns the packed palette colour of each labelled face (point). */
export function partColorsPacked(labels: Int32Array): Uint32Array {
  const palette = PALETTE.map(packRgb)
  const packed = new Uint32Array(labels.length)
  for (let i = 0; i < labels.length; i++) packed[i] = palette[labels[i] % palette.length]
  return packed
}

/** Returns the packed PCA colour of each face (point). */
export function pcaColorsPacked(seg: Segmentation): Uint32Array {
  if (!seg.pca) {
    throw new ExportError(
      'invalid-segmentation',
      'cannot export the PCA view: the segmentation has no PCA colours because pca_components is 0',
    )
  }
  const bytes = seg.pca.colors
  const packed = new Uint32Array(bytes.length / 3)
  for (let i = 0; i < packed.length; i++) {
    packed[i] = packRgb([bytes[3 * i], bytes[3 * i + 1], bytes[3 * i + 2]])
  }
  return packed
}
