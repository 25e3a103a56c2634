import { describe, expect, it } from 'vitest'

import { faceFeatures, type FaceFeatureMesh } from './face-features.js'
import { SeededRandom } from '../../cluster/random.js'
import { samplePoints, type Triplane } from './triplane.js'

function randomTriplane(resolution: number, channels: number, seed: number): Triplane {
  const random = new SeededRandom(seed)
  const texels = new Float32Array(3 * resolution * resolution * channels)
  for (let i = 0; i < texels.length; i++) texels[i] = random.next() * 2 - 1
  return { resolution, channels, texels }
}

/** Triangles with corners anywhere in [-0.9, 0.9], sized from a fraction of a cell to many cells. */
function randomMesh(triangleCount: number, maxEdge: number, seed: number): FaceFeatureMesh {
  const random = new SeededRandom(seed)
  const positions = new Float32Array(triangleCount * 9)
  for (let t = 0; t < triangleCount; t++) {
    const size = maxEdge * random.next() ** 2
    for (let axis = 0; axis < 3; axis++) {
      const centre = (random.next() * 2 - 1) * (0.9 - size)
      for (let k = 0; k < 3; k++) positions[9 * t + 3 * k + axis] = centre + (random.next() - 0.5) * size
    }
  }
  const triangles = Uint32Array.from({ length: triangleCount * 3 }, (_, i) => i)
  return { positions, triangles, kept: new Uint8Array(triangleCount).fill(1) }
}

/** Computes full sampling the textbook way: every sample read bilinearly, then averaged. */
function naiveFullSampling(mesh: FaceFeatureMesh, triplane: Triplane, perFace: number, seed: number): Float32Array {
  const random = new SeededRandom(seed)
  const count = mesh.triangles.length / 3
  const out = new Float32Array(count * triplane.channels)
  const points = new Float32Array(perFace * 3)
  for (let t = 0; t < count; t++) {
    const p = mesh.positions.subarray(9 * t, 9 * t + 9)
    for (let s = 0; s < perFace; s++) {
      const u = Math.sqrt(random.next())
      const v = random.next()
      for (let axis = 0; axis < 3; axis++) {
        points[3 * s + axis] = (1 - u) * p[axis] + u * (1 - v) * p[3 + axis] + u * v * p[6 + axis]
      }
    }
    const features = samplePoints(triplane, points)
    for (let s = 0; s < perFace; s++) {
      for (let c = 0; c < triplane.channels; c++) out[t * triplane.channels + c] += features[s * triplane.channels + c] / perFace
    }
  }
  return out
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  let max = 0
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]))
  return max
}

describe('faceFeatures', () => {
  const triplane = randomTriplane(16, 5, 1)
  const mesh = randomMesh(60, 0.6, 2)

  it('full mode equals per-sample bilinear reads', () => {
    const options = { sampling: 'full' as const, pointsPerFace: 50, featuresPerSample: 1000, seed: 7 }
    const fast = faceFeatures(mesh, triplane, options)
    const naive = naiveFullSampling(mesh, triplane, 50, 7)
    expect(maxAbsDifference(fast, naive)).toBeLessThan(1e-5)
  })

  it('adaptive mode is the limit of full sampling', () => {
    const exact = faceFeatures(mesh, triplane, { sampling: 'adaptive', pointsPerFace: 1, featuresPerSample: 1000, seed: 0 })
    const dense = faceFeatures(mesh, triplane, { sampling: 'full', pointsPerFace: 40_000, featuresPerSample: 40_000, seed: 3 })
    // Monte Carlo error of 40,000 samples of values in [-3, 3] is about 3 / 200.
    expect(maxAbsDifference(exact, dense)).toBeLessThan(0.03)
    const sparse = faceFeatures(mesh, triplane, { sampling: 'full', pointsPerFace: 100, featuresPerSample: 1000, seed: 3 })
    expect(maxAbsDifference(exact, sparse)).toBeGreaterThan(maxAbsDifference(exact, dense))
  })

  it('adaptive mode of a point-sized face is the point feature', () => {
    const point = new Float32Array([0.31, -0.42, 0.77])
    const degenerate: FaceFeatureMesh = {
      positions: new Float32Array([...point, ...point, ...point]),
      triangles: new Uint32Array([0, 1, 2]),
      kept: new Uint8Array([1]),
    }
    const face = faceFeatures(degenerate, triplane, { sampling: 'adaptive', pointsPerFace: 1, featuresPerSample: 1000, seed: 0 })
    expect(maxAbsDifference(face, samplePoints(triplane, point))).toBeLessThan(1e-6)
  })

  it('leaves unkept triangles zero', () => {
    const partial = { ...mesh, kept: mesh.kept.map((_, t) => (t % 2 === 0 ? 1 : 0)) }
    const features = faceFeatures(partial, triplane, { sampling: 'adaptive', pointsPerFace: 1, featuresPerSample: 1000, seed: 0 })
    const row = features.subarray(triplane.channels, 2 * triplane.channels)
    expect(Array.from(row)).toEqual(new Array(triplane.channels).fill(0))
  })
})
