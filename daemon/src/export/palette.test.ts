import { describe, expect, test } from 'vitest'

import { PALETTE, partColor, srgbToLinear, type Rgb } from './palette.js'

/** sRGB bytes to OKLab (Björn Ottosson's published matrices). */
function oklab([r, g, b]: readonly number[]): [number, number, number] {
  const [lr, lg, lb] = [r, g, b].map(srgbToLinear)
  const l = Math.cbrt(0.4122214708 * lr + 0.5363325363 * lg + 0.0514459929 * lb)
  const m = Math.cbrt(0.2119034982 * lr + 0.6806995451 * lg + 0.1073969566 * lb)
  const s = Math.cbrt(0.0883024619 * lr + 0.2817188376 * lg + 0.6299787005 * lb)
  return [
    0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s,
    1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s,
    0.0259040371 * l + 0.7827717662 * m - 0.808675766 * s,
  ]
}

function distance(a: readonly number[], b: readonly number[]): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2])
}

/** Recomputes the palette from the rule its doc comment states. */
function paletteByRule(size: number): Rgb[] {
  const candidates: { rgb: Rgb; lab: number[] }[] = []
  for (let r = 0; r < 256; r += 17) {
    for (let g = 0; g < 256; g += 17) {
      for (let b = 0; b < 256; b += 17) {
        const lab = oklab([r, g, b])
        if (lab[0] >= 0.45 && lab[0] <= 0.9 && Math.hypot(lab[1], lab[2]) >= 0.07) candidates.push({ rgb: [r, g, b], lab })
      }
    }
  }
  const first = candidates.find((c) => c.rgb.join() === '255,0,0')!
  const picked = [first]
  const nearest = candidates.map((c) => distance(c.lab, first.lab))
  while (picked.length < size) {
    let best = 0
    for (let i = 1; i < candidates.length; i++) if (nearest[i] > nearest[best]) best = i
    picked.push(candidates[best])
    for (let i = 0; i < candidates.length; i++) nearest[i] = Math.min(nearest[i], distance(candidates[i].lab, candidates[best].lab))
  }
  return picked.map((c) => c.rgb)
}

describe('PALETTE', () => {
  test('has at least 32 colours', () => {
    expect(PALETTE.length).toBeGreaterThanOrEqual(32)
  })

  test('follows its documented rule', () => {
    expect(PALETTE).toEqual(paletteByRule(PALETTE.length))
  })

  test('colours are at least 0.096 apart in OKLab', () => {
    let closest = Infinity
    const labs = PALETTE.map(oklab)
    for (let i = 0; i < labs.length; i++) {
      for (let j = i + 1; j < labs.length; j++) closest = Math.min(closest, distance(labs[i], labs[j]))
    }
    expect(closest).toBeGreaterThanOrEqual(0.096)
  })

  test('avoids greys, near-black and near-white', () => {
    for (const color of PALETTE) {
      const [lightness, a, b] = oklab(color)
      expect(lightness).toBeGreaterThanOrEqual(0.45)
      expect(lightness).toBeLessThanOrEqual(0.9)
      expect(Math.hypot(a, b)).toBeGreaterThanOrEqual(0.07)
    }
  })
})

describe('partColor', () => {
  test('returns palette entries in order', () => {
    expect(partColor(0)).toEqual([255, 0, 0])
    expect(partColor(5)).toEqual([...PALETTE[5]])
  })

  test('cycles past the palette end', () => {
    expect(partColor(PALETTE.length)).toEqual(partColor(0))
    expect(partColor(2 * PALETTE.length + 3)).toEqual(partColor(3))
  })

  test('returns a copy callers may change', () => {
    partColor(1)[0] = 99
    expect(partColor(1)).toEqual([...PALETTE[1]])
  })

  test('rejects negative and fractional labels', () => {
    expect(() => partColor(-1)).toThrow(/invalid part label -1/)
    expect(() => partColor(1.5)).toThrow(RangeError)
  })
})

describe('srgbToLinear', () => {
  test('maps the ends and the middle grey', () => {
    expect(srgbToLinear(0)).toBe(0)
    expect(srgbToLinear(255)).toBeCloseTo(1, 12)
    expect(srgbToLinear(128)).toBeCloseTo(0.2158605, 6)
  })
})
