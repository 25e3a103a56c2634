/**
 * End-to-end test of the web page in headless Chromium against the real daemon: upload, progress,
 * the 3D view, the part slider, the PCA and original views, downloads, errors, the token field
 * and the phone layout. Screenshots go to test-artifacts/web/.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { NodeIO } from '@gltf-transform/core'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { cutTree } from '../../protocol/src/part-tree.js'
import { parseSegmentResult } from '../../protocol/src/responses.js'
import { startDaemon, type TestDaemon } from '../src/server/test-daemon.js'
import { toGltf, toOff, twoBoxes } from '../src/server/test-meshes.js'
import { buildWebPage } from './build.js'
import type { PageSnapshot, PixelSummary } from './src/test-hook.js'
import { formatBytes } from './src/upload-picker.js'
import { chromiumAvailable, launchBrowser, type TestBrowser } from './test-browser.js'
import { redDracoGlb, texturedGltf } from './test-gltf-files.js'

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
const SAMPLE = join(REPO_ROOT, 'daemon/samples/figure.obj')
const SAMPLE_FACES = 5866
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts/web')
/** A 1 x 1 white PNG, for a texture the daemon never decodes. */
const WHITE_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4//8/AAX+Av4N70a4AAAAAElFTkSuQmCC', 'base64')
/** The broken OBJ the daemon rejects: face 1 names vertex 9 of 3. */
const BROKEN_OBJ = 'v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 9\n'
/** Upload limit of the test daemon, small enough to test the check before sending. */
const UPLOAD_LIMIT_MB = 1
const JOB_TIMEOUT_MS = 90_000

let pageDir: string
let daemon: TestDaemon
let browser: TestBrowser
let page: Page

function snapshot(target: Page = page): Promise<PageSnapshot> {
  return target.evaluate(() => (window as unknown as { partfieldPage: { snapshot(): PageSnapshot } }).partfieldPage.snapshot())
}

function pixels(target: Page = page): Promise<PixelSummary> {
  return target.evaluate(() => (window as unknown as { partfieldPage: { pixels(): PixelSummary } }).partfieldPage.pixels())
}

/** Fraction of model pixels whose (rounded) colour differs between two frames. */
function changedFraction(before: PixelSummary, after: PixelSummary): number {
  const keys = new Set([...Object.keys(before.colors), ...Object.keys(after.colors)])
  let moved = 0
  for (const key of keys) moved += Math.abs((before.colors[key] ?? 0) - (after.colors[key] ?? 0))
  return moved / 2 / Math.max(before.modelPixels, after.modelPixels)
}

/** Fraction of model pixels that are grey (channels within 24 of each other). */
function greyFraction(summary: PixelSummary): number {
  let grey = 0
  for (const [key, count] of Object.entries(summary.colors)) {
    const [r, g, b] = key.split(',').map(Number)
    if (Math.max(r, g, b) - Math.min(r, g, b) <= 24) grey += count
  }
  return grey / summary.modelPixels
}

async function waitForPhase(phases: string[], target: Page = page): Promise<PageSnapshot> {
  await target.waitForFunction(
    (wanted) => wanted.includes((window as unknown as { partfieldPage: { snapshot(): PageSnapshot } }).partfieldPage.snapshot().phase),
    phases,
    { timeout: JOB_TIMEOUT_MS, polling: 100 },
  )
  return snapshot(target)
}

/** Waits until the page shows a finished job other than `previous`, or an error. */
async function waitForNewJob(previous: string | null): Promise<PageSnapshot> {
  await page.waitForFunction(
    (earlier) => {
      const state = (window as unknown as { partfieldPage: { snapshot(): PageSnapshot } }).partfieldPage.snapshot()
      return state.phase === 'failed' || state.errorText !== '' || (state.phase === 'done' && state.jobId !== earlier)
    },
    previous,
    { timeout: JOB_TIMEOUT_MS, polling: 100 },
  )
  const state = await snapshot()
  expect(state.errorText).toBe('')
  return state
}

async function partListCounts(): Promise<number[]> {
  const texts = await page.locator('#part-list li .part-size').allTextContents()
  return texts.map((text) => Number(text.split(' ')[0].replace(/,/g, '')))
}

/** Returns the id of the focused element, or its tag name when it has none. */
function focusedId(target: Page = page): Promise<string> {
  return target.evaluate(() => {
    const active = document.activeElement as HTMLElement | null
    return active ? active.id || active.tagName.toLowerCase() : ''
  })
}

/** Returns the colour of one screen pixel, read from a screenshot, as drawn on the screen. */
async function screenPixel(x: number, y: number): Promise<[number, number, number]> {
  const png = await page.screenshot({ clip: { x: Math.round(x), y: Math.round(y), width: 1, height: 1 } })
  return page.evaluate(async (base64) => {
    const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${base64}`)).blob())
    const context = new OffscreenCanvas(1, 1).getContext('2d')!
    context.drawImage(bitmap, 0, 0)
    const [r, g, b] = context.getImageData(0, 0, 1, 1).data
    return [r, g, b] as [number, number, number]
  }, png.toString('base64'))
}

/** WCAG 2 contrast ratio of two sRGB colours, from 1 (none) to 21. */
function contrastRatio(a: number[], b: number[]): number {
  const luminance = (rgb: number[]) => {
    const [r, g, bl] = rgb.map((channel) => {
      const c = channel / 255
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
    })
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl
  }
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x)
  return (light + 0.05) / (dark + 0.05)
}

/** Fraction of model pixels that are clearly red. */
function redFraction(summary: PixelSummary): number {
  let red = 0
  for (const [key, count] of Object.entries(summary.colors)) {
    const [r, g, b] = key.split(',').map(Number)
    if (r > 2 * g + 32 && r > 2 * b + 32) red += count
  }
  return red / summary.modelPixels
}

function countLabels(labels: Int32Array): number[] {
  const counts: number[] = []
  for (const label of labels) counts[label] = (counts[label] ?? 0) + 1
  return counts
}

const skip = chromiumAvailable() ? false : 'Chromium is not installed at /usr/bin/chromium'

describe.skipIf(skip)('web page', () => {
  beforeAll(async () => {
    pageDir = await mkdtemp(join(tmpdir(), 'partfield-web-'))
    await buildWebPage(pageDir)
    await mkdir(ARTIFACTS, { recursive: true })
    daemon = await startDaemon({ env: { PARTFIELD_WEB_DIR: pageDir }, args: ['--max-upload-mb', String(UPLOAD_LIMIT_MB)] })
    browser = await launchBrowser()
    page = await browser.context.newPage()
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`))
  })

  afterAll(async () => {
    await browser?.close()
    await daemon?.stop()
    if (pageDir) await rm(pageDir, { recursive: true, force: true })
  })

  it('loads from the daemon and reports it', async () => {
    await page.goto(daemon.url)
    await expect.poll(() => page.locator('#daemon-status').textContent()).toContain('geometric backend')
    expect(await page.locator('#token-form').isHidden()).toBe(true)
    expect(await page.locator('#token-change').isHidden()).toBe(true)
    expect(await page.locator('#segment-button').isDisabled()).toBe(true)
    const webgl = await page.evaluate(() => {
      const gl = document.querySelector('canvas')?.getContext('webgl2')
      return gl ? String(gl.getParameter(gl.VERSION)) : null
    })
    expect(webgl).toContain('WebGL 2')
  })

  it('keeps the empty view out of the Tab order', async () => {
    expect(await page.locator('#viewer-canvas-host canvas').getAttribute('tabindex')).toBe('-1')
  })

  it('offers no PartField without its model', async () => {
    const option = page.locator('#param-backend option[value="partfield"]')
    expect(await option.isDisabled()).toBe(true)
    expect(await option.textContent()).toBe('partfield (model not installed on this daemon)')
    expect(await page.locator('#param-backend option[value="geometric"]').isDisabled()).toBe(false)
  })

  it('labels every control', async () => {
    const unlabelled = await page.evaluate(() => {
      const controls = [...document.querySelectorAll<HTMLElement>('input, select, button, [tabindex="0"]')]
      return controls
        .filter((element) => {
          const labels = (element as HTMLInputElement).labels
          const named = (labels && labels.length > 0) || element.getAttribute('aria-label') || element.textContent?.trim()
          return !named
        })
        .map((element) => element.outerHTML.slice(0, 80))
    })
    expect(unlabelled).toEqual([])
  })

  it('checks a parameter as the user leaves it', async () => {
    const posts: string[] = []
    const onRequest = (request: { method(): string; url(): string }) => {
      if (request.method() === 'POST') posts.push(request.url())
    }
    page.on('request', onRequest)
    await page.locator('#file-input').setInputFiles(SAMPLE)
    const field = page.locator('#param-n_clusters')
    const message = page.locator('#param-n_clusters-error')
    expect(await page.locator('#param-n_clusters-help').textContent()).toContain('2 to 30 on this page; scripts and the HTTP API accept 1 to 256.')

    for (const value of ['1', '31', '2.5', '-3']) {
      await field.fill(value)
      await field.blur()
      expect(await message.textContent(), value).toBe('Number of parts: expected a whole number from 2 to 30, or empty for automatic')
      expect(await field.getAttribute('aria-invalid')).toBe('true')
    }
    await field.fill('')
    await field.focus()
    await page.keyboard.type('e')
    await field.blur()
    expect(await message.isVisible()).toBe(true)
    await field.fill('4')
    expect(await message.isHidden()).toBe(true)

    await page.locator('#param-knn').fill('99')
    await page.locator('#param-knn').blur()
    expect(await page.locator('#param-knn-error').textContent()).toBe('k-nearest edges: expected a whole number from 0 to 32, or empty for the default 0')
    await page.locator('#segment-button').click()
    expect(await page.locator('#param-knn-error').isVisible()).toBe(true)
    expect(await page.locator('#error-box').isHidden()).toBe(true)
    expect(await page.locator('#progress-label').textContent()).toBe('Not sent: correct k-nearest edges first.')
    expect(await focusedId()).toBe('param-knn')
    await page.screenshot({ path: join(ARTIFACTS, 'desktop-invalid-param.png') })

    await page.locator('#param-knn').fill('0')
    await field.fill('')
    page.off('request', onRequest)
    expect(posts).toEqual([])
    expect(await page.locator('.param-error:not([hidden])').count()).toBe(0)
  })

  it('segments the sample mesh with stage progress', async () => {
    await page.evaluate(() => {
      const seen: string[] = []
      ;(window as unknown as { progressTexts: string[] }).progressTexts = seen
      const label = document.getElementById('progress-label')!
      const bar = document.getElementById('progress-bar')!
      // Each entry records whether the bar showed an amount or ran indeterminate with that text.
      const record = () => seen.push(`${label.textContent ?? ''}|${bar.hasAttribute('value') ? 'value' : 'indeterminate'}`)
      new MutationObserver(record).observe(label, { childList: true, characterData: true, subtree: true })
    })
    await page.locator('#file-input').setInputFiles(SAMPLE)
    expect(await page.locator('#file-summary').textContent()).toContain('figure.obj')
    await page.locator('#segment-button').click()

    const done = await waitForPhase(['done', 'failed'])
    expect(done.errorText).toBe('')
    expect(done.phase).toBe('done')
    expect(done.faceCount).toBe(SAMPLE_FACES)
    expect(done.shownParts).toBe(done.serverParts)
    expect(done.sliderValue).toBe(done.serverParts)

    const records = await page.evaluate(() => (window as unknown as { progressTexts: string[] }).progressTexts)
    const progress = records.map((record) => record.split('|')[0])
    expect(progress.some((text) => /Stage \d of 6, features/.test(text))).toBe(true)
    expect(progress.at(-1)).toMatch(/^Done: \d+ parts/)
    expect(progress.filter((text) => text.includes('(0%)'))).toEqual([])
    for (const record of records.filter((entry) => entry.startsWith('Stage '))) {
      expect(record, 'a stage without a percentage runs the bar indeterminate').toMatch(/(\(\d+%\)\|value|…\|indeterminate)$/)
    }
    expect(await focusedId()).toBe('result-heading')
    expect(await page.locator('#viewer-canvas-host canvas').getAttribute('tabindex')).toBe('0')
    expect(await page.locator('#part-list li').count()).toBe(done.shownParts)
    expect((await partListCounts()).reduce((a, b) => a + b, 0)).toBe(SAMPLE_FACES)

    const drawn = await pixels()
    expect(drawn.modelPixels / (drawn.width * drawn.height)).toBeGreaterThan(0.03)
    const button = await page.locator('#segment-button').boundingBox()
    expect(button!.y + button!.height).toBeLessThan(800)
    await page.screenshot({ path: join(ARTIFACTS, 'desktop-1280x800.png') })
  })

  it('requests no favicon from the daemon', () => {
    // Chromium asks for /favicon.ico after the page has loaded, which is long past by now, unless
    // the page names an icon itself. Its request is not among the page's own, so the daemon's log is read.
    const paths = daemon.logs.filter((entry) => entry.msg === 'request').map((entry) => entry.path)
    expect(paths).toContain('/')
    expect(paths).not.toContain('/favicon.ico')
  })

  it('recuts in the page when the slider moves', async () => {
    const before = await snapshot()
    const beforePixels = await pixels()
    const requests: string[] = []
    const onRequest = (request: { url(): string }) => requests.push(request.url())
    page.on('request', onRequest)

    await page.locator('#part-slider').focus()
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight')
    await expect.poll(async () => (await snapshot()).sliderValue).toBe(before.sliderValue + 3)
    page.off('request', onRequest)

    const after = await snapshot()
    expect(after.shownParts).toBe(before.sliderValue + 3)
    expect(after.serverParts).toBe(before.serverParts)
    expect(requests.filter((url) => url.includes('/v1/'))).toEqual([])

    // The page's part sizes must match a cut of the daemon's own tree.
    const response = await fetch(`${daemon.url}/v1/jobs/${after.jobId}/result`)
    const result = parseSegmentResult(await response.json())
    expect(await partListCounts()).toEqual(countLabels(cutTree(result.tree!, after.sliderValue)))

    const afterPixels = await pixels()
    expect(changedFraction(beforePixels, afterPixels)).toBeGreaterThan(0.02)
  })

  it('highlights a part on hover', async () => {
    const plain = await pixels()
    await page.locator('#part-list li').first().hover()
    const highlighted = await pixels()
    expect(changedFraction(plain, highlighted)).toBeGreaterThan(0.05)

    await page.locator('#part-list li').first().dispatchEvent('pointerleave')
    await page.locator('#viewer-canvas-host canvas').hover()
    await expect.poll(() => page.locator('#part-list li.active').count()).toBe(1)
  })

  it('switches to the PCA and original views', async () => {
    await page.mouse.move(0, 0)
    const parts = await pixels()
    await page.getByRole('radio', { name: 'Features (PCA)' }).check()
    expect((await snapshot()).viewMode).toBe('pca')
    const pca = await pixels()
    expect(changedFraction(parts, pca)).toBeGreaterThan(0.3)
    await page.screenshot({ path: join(ARTIFACTS, 'desktop-pca.png') })

    await page.getByRole('radio', { name: 'Original' }).check()
    expect((await snapshot()).viewMode).toBe('original')
    expect(greyFraction(await pixels())).toBeGreaterThan(0.9)
    expect(await page.locator('#viewer-note').textContent()).toContain('other formats show the geometry in grey')

    await page.getByRole('radio', { name: 'Parts' }).check()
    expect(changedFraction(parts, await pixels())).toBeLessThan(0.01)
    expect(await page.locator('#viewer-note').isHidden()).toBe(true)
  })

  it('draws the checked view dot in contrast to its pill', async () => {
    await page.getByRole('radio', { name: 'Parts' }).check()
    const label = await page.locator('.view-switch label:has(#view-parts)').boundingBox()
    const radio = await page.locator('#view-parts').boundingBox()
    const pill = await screenPixel(label!.x + 3, label!.y + label!.height / 2)
    const dot = await screenPixel(radio!.x + radio!.width / 2, radio!.y + radio!.height / 2)
    // WCAG 2.1 success criterion 1.4.11 requires 3:1 for the parts of a control that show its state.
    expect(contrastRatio(pill, dot), `dot ${dot} on pill ${pill}`).toBeGreaterThanOrEqual(3)
  })

  it('downloads a GLB with the slider part count', async () => {
    const current = await snapshot()
    expect(current.shownParts).not.toBe(current.serverParts)
    const counts = await partListCounts()
    // The files on the daemon have another part count, so their sizes would be stale.
    expect(await page.locator('#download-list .file-size').count()).toBe(0)

    const downloading = page.waitForEvent('download', { timeout: JOB_TIMEOUT_MS })
    await page.locator('#download-list button[data-file$=".parts.glb"]').click()
    const download = await downloading
    expect(download.suggestedFilename()).toBe('figure.parts.glb')
    const path = join(pageDir, 'downloaded.glb')
    await download.saveAs(path)

    const document = await new NodeIO().readBinary(new Uint8Array(await readFile(path)))
    const nodes = document.getRoot().listNodes()
    expect(nodes.length).toBe(current.shownParts)
    const nodeFaces = nodes.map((node) => (node.getExtras() as { faceCount: number }).faceCount)
    expect(nodeFaces).toEqual(counts)
    expect((await snapshot()).serverParts).toBe(current.shownParts)
    expect(await page.locator('#downloads-note').textContent()).toContain(`${current.shownParts} parts shown`)
    const glbSize = await page.locator('#download-list button[data-file$=".parts.glb"] .file-size').textContent()
    expect(glbSize).toBe(formatBytes((await readFile(path)).length))
    // The buttons were redrawn with the new sizes; the one clicked keeps the focus.
    expect(await page.evaluate(() => (window.document.activeElement as HTMLElement | null)?.dataset.file)).toBe('figure.parts.glb')
  })

  it('reaches every control by keyboard', async () => {
    await page.locator('body').focus()
    const reached = new Set<string>()
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press('Tab')
      reached.add(await page.evaluate(() => {
        const active = document.activeElement as HTMLElement | null
        if (!active) return ''
        if (active.closest('#part-list')) return 'part-row'
        if (active.closest('#download-list')) return 'download'
        return active.id || active.tagName.toLowerCase()
      }))
    }
    for (const id of ['file-input', 'param-n_clusters', 'param-backend', 'segment-button', 'view-parts', 'part-slider', 'part-row', 'download']) {
      expect(reached, `Tab never reached ${id}`).toContain(id)
    }
    expect(reached).toContain('canvas')
  })

  it('reopens a job on a phone-sized screen', async () => {
    const { jobId, shownParts } = await snapshot()
    const phone = await browser.context.newPage()
    try {
      await phone.setViewportSize({ width: 390, height: 844 })
      await phone.goto(`${daemon.url}/#job=${jobId}`)
      const current = await waitForPhase(['done', 'failed'], phone)
      expect(current.jobId).toBe(jobId)
      expect(current.serverParts).toBe(shownParts)
      expect(await phone.locator('#param-details').evaluate((details) => (details as HTMLDetailsElement).open)).toBe(false)
      // A reopened job takes neither the focus nor the scroll position.
      expect(await focusedId(phone)).toBe('body')
      expect(await phone.evaluate(() => window.scrollY)).toBe(0)

      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
      expect(overflow).toBeLessThanOrEqual(0)
      const canvas = await phone.locator('#viewer-canvas-host canvas').boundingBox()
      expect(canvas!.width).toBeGreaterThan(300)
      expect(canvas!.height).toBeGreaterThan(250)
      const segment = await phone.locator('#segment-button').boundingBox()
      expect(segment!.y + segment!.height).toBeLessThan(844)

      await phone.screenshot({ path: join(ARTIFACTS, 'phone-390x844.png') })
      await phone.screenshot({ path: join(ARTIFACTS, 'phone-390x844-full.png'), fullPage: true })
    } finally {
      await phone.close()
    }
  })

  it('explains a file the daemon cannot read', async () => {
    expect((await snapshot()).jobId).not.toBeNull()
    // Dropped on the drop zone, as a user dragging it from a file manager would.
    await page.locator('#drop-zone').evaluate((zone, text) => {
      const transfer = new DataTransfer()
      transfer.items.add(new File([text], 'broken.obj', { type: 'text/plain' }))
      zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }))
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }))
    }, BROKEN_OBJ)
    expect(await page.locator('#file-summary').textContent()).toContain('broken.obj')
    await page.locator('#segment-button').click()
    await page.locator('#error-box').waitFor({ state: 'visible', timeout: JOB_TIMEOUT_MS })
    const text = await page.locator('#error-box').textContent()
    expect(text).toContain('could not be read as a mesh')
    expect(text).toContain('broken.obj')
    await page.screenshot({ path: join(ARTIFACTS, 'desktop-error.png') })
  })

  it('clears the earlier result when a job fails', async () => {
    const current = await snapshot()
    expect(current.phase).toBe('failed')
    expect(current.jobId).toBeNull()
    expect(await page.locator('#part-list li').count()).toBe(0)
    expect(await page.locator('#download-list button').count()).toBe(0)
    expect(await page.locator('#result-summary').textContent()).toBe('')
    expect(await page.locator('#part-slider').isDisabled()).toBe(true)
    expect(await page.locator('#view-parts').isDisabled()).toBe(true)
    expect(await page.locator('#viewer-placeholder').isVisible()).toBe(true)
    expect((await pixels()).modelPixels).toBe(0)
    expect(await page.locator('#viewer-canvas-host canvas').getAttribute('tabindex')).toBe('-1')
    expect(await focusedId()).toBe('segment-button')
  })

  it('rejects a file over the limit at selection', async () => {
    const posts: string[] = []
    const onRequest = (request: { method(): string; url(): string }) => {
      if (request.method() === 'POST') posts.push(request.url())
    }
    page.on('request', onRequest)
    const big = Buffer.alloc(Math.round(1.5 * UPLOAD_LIMIT_MB * 1024 * 1024), 0x20)
    await page.locator('#file-input').setInputFiles({ name: 'big.obj', mimeType: 'text/plain', buffer: big })
    const text = await page.locator('#error-box').textContent()
    expect(text).toContain(`accepts uploads up to ${UPLOAD_LIMIT_MB.toFixed(1)} MB`)
    expect(text).toContain('--max-upload-mb')
    expect(await page.locator('#progress-label').textContent()).toBe('Cannot segment this selection: see the message below.')
    expect(await page.locator('#segment-button').isDisabled()).toBe(true)
    await page.screenshot({ path: join(ARTIFACTS, 'desktop-selection-error.png') })
    page.off('request', onRequest)
    expect(posts).toEqual([])
  })

  it('rejects a selection without one mesh', async () => {
    const cases = [
      { files: [{ name: 'engine.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(64) }], title: 'engine.bin is not a mesh file.' },
      {
        files: [
          { name: 'a.obj', mimeType: 'text/plain', buffer: Buffer.from(BROKEN_OBJ) },
          { name: 'b.off', mimeType: 'text/plain', buffer: Buffer.from(toOff(twoBoxes(1))) },
        ],
        title: '2 mesh files were selected (a.obj, b.off).',
      },
    ]
    for (const { files, title } of cases) {
      await page.locator('#file-input').setInputFiles(files)
      expect(await page.locator('#error-box .error-title').textContent()).toBe(title)
      expect(await page.locator('#progress-label').textContent()).toBe('Cannot segment this selection: see the message below.')
      expect(await page.locator('#segment-button').isDisabled()).toBe(true)
    }

    await page.locator('#file-input').setInputFiles(SAMPLE)
    expect(await page.locator('#error-box').isHidden()).toBe(true)
    expect(await page.locator('#progress-label').textContent()).toBe('Ready to segment.')
    expect(await page.locator('#segment-button').isEnabled()).toBe(true)
  })

  it('sends a glTF with its .bin and the chosen part count', async () => {
    const { json, bin } = await toGltf(twoBoxes(3), 'boxes.bin')
    await page.locator('#file-input').setInputFiles([
      { name: 'boxes.gltf', mimeType: 'model/gltf+json', buffer: Buffer.from(json) },
      { name: 'boxes.bin', mimeType: 'application/octet-stream', buffer: Buffer.from(bin) },
    ])
    await page.locator('#param-n_clusters').fill('3')
    const previous = (await snapshot()).jobId
    await page.locator('#segment-button').click()
    const current = await waitForNewJob(previous)
    expect(current.serverParts).toBe(3)
    expect(current.faceCount).toBe(2 * twoBoxes(3).faces.length)
    expect(await page.locator('#result-summary').textContent()).not.toContain('chosen automatically')
    await expect.poll(async () => (await snapshot()).originalModel).toBe(true)

    await page.getByRole('radio', { name: 'Original' }).check()
    expect((await pixels()).modelPixels).toBeGreaterThan(1000)
    expect(await page.locator('#viewer-note').isHidden()).toBe(true)
    await page.getByRole('radio', { name: 'Parts' }).check()
    await page.locator('#param-n_clusters').fill('')
  })

  it('reopens a job with its own parameters', async () => {
    const { jobId } = await snapshot()
    expect(jobId).not.toBeNull()
    // A later job that fails leaves other parameters in this browser's storage.
    await page.locator('#file-input').setInputFiles({ name: 'broken.obj', mimeType: 'text/plain', buffer: Buffer.from(BROKEN_OBJ) })
    await page.locator('#param-n_clusters').fill('7')
    await page.locator('#param-knn').fill('5')
    await page.locator('#segment-button').click()
    await page.locator('#error-box').waitFor({ state: 'visible', timeout: JOB_TIMEOUT_MS })
    expect(await page.evaluate(() => localStorage.getItem('partfield-bridge.params'))).toContain('"n_clusters":"7"')

    const reopened = await browser.context.newPage()
    try {
      await reopened.goto(`${daemon.url}/#job=${jobId}`)
      const shown = await waitForPhase(['done', 'failed'], reopened)
      expect(shown.jobId).toBe(jobId)
      expect(await reopened.locator('#param-n_clusters').inputValue()).toBe('3')
      expect(await reopened.locator('#param-knn').inputValue()).toBe('0')
      await reopened.getByRole('radio', { name: 'Original' }).check()
      expect(await reopened.locator('#viewer-note').textContent()).toContain('does not keep after a reload')
    } finally {
      await reopened.close()
    }
    await page.locator('#param-n_clusters').fill('')
    await page.locator('#param-knn').fill('0')
  })

  it('draws a Draco glTF in the original view', async () => {
    const glb = await redDracoGlb()
    await page.locator('#file-input').setInputFiles({ name: 'red-draco.glb', mimeType: 'model/gltf-binary', buffer: Buffer.from(glb) })
    const previous = (await snapshot()).jobId
    await page.locator('#segment-button').click()
    await waitForNewJob(previous)
    await expect.poll(async () => (await snapshot()).originalModel).toBe(true)

    await page.getByRole('radio', { name: 'Original' }).check()
    expect(redFraction(await pixels())).toBeGreaterThan(0.8)
    expect(await page.locator('#viewer-note').isHidden()).toBe(true)
    await page.screenshot({ path: join(ARTIFACTS, 'desktop-original-draco.png') })
    await page.getByRole('radio', { name: 'Parts' }).check()
  })

  it('requests no texture that was not selected', async () => {
    const { json, bin } = await texturedGltf('painted.bin', 'wood.png', new Uint8Array(WHITE_PNG))
    const requested: string[] = []
    const onRequest = (request: { url(): string }) => requested.push(request.url())
    page.on('request', onRequest)
    await page.locator('#file-input').setInputFiles([
      { name: 'painted.gltf', mimeType: 'model/gltf+json', buffer: Buffer.from(json) },
      { name: 'painted.bin', mimeType: 'application/octet-stream', buffer: Buffer.from(bin) },
    ])
    const previous = (await snapshot()).jobId
    await page.locator('#segment-button').click()
    await waitForNewJob(previous)
    await expect.poll(async () => (await snapshot()).originalModel).toBe(true)
    page.off('request', onRequest)
    expect(requested.filter((url) => url.includes('wood.png'))).toEqual([])

    await page.getByRole('radio', { name: 'Original' }).check()
    expect(await page.locator('#viewer-note').textContent()).toBe('wood.png was not selected, so the original view draws it blank.')
    await page.getByRole('radio', { name: 'Parts' }).check()
  })

  it('recuts a k-means result on the daemon', async () => {
    await page.locator('#file-input').setInputFiles({ name: 'boxes.off', mimeType: 'text/plain', buffer: Buffer.from(toOff(twoBoxes(3))) })
    await page.locator('#param-method').selectOption('kmeans')
    await page.locator('#param-n_clusters').fill('3')
    const previous = (await snapshot()).jobId
    await page.locator('#segment-button').click()
    await waitForNewJob(previous)
    expect((await snapshot()).serverParts).toBe(3)

    await page.locator('#part-slider').focus()
    await page.keyboard.press('ArrowRight')
    await expect.poll(async () => (await snapshot()).serverParts, { timeout: JOB_TIMEOUT_MS }).toBe(4)
    expect((await snapshot()).shownParts).toBe(4)
    expect(await page.locator('#part-list li').count()).toBe(4)

    await page.locator('#param-method').selectOption('agglomerative')
    await page.locator('#param-n_clusters').fill('')
  })

  it('cancels a running job', async () => {
    const previousHash = await page.evaluate(() => location.hash)
    await page.locator('#file-input').setInputFiles(SAMPLE)
    await page.locator('#segment-button').click()
    await page.locator('#cancel-button').waitFor({ state: 'visible' })
    // The page clears the address when the job starts and names the new job once it is queued.
    await expect.poll(async () => {
      const hash = await page.evaluate(() => location.hash)
      return hash.startsWith('#job=') && hash !== previousHash
    }).toBe(true)
    const id = (await page.evaluate(() => location.hash)).slice('#job='.length)
    expect((await fetch(`${daemon.url}/v1/jobs/${id}`)).status).toBe(200)
    await page.locator('#cancel-button').click()

    expect(await page.locator('#progress-label').textContent()).toBe('Cancelled')
    expect(await page.locator('#cancel-button').isHidden()).toBe(true)
    expect(await page.locator('#segment-button').isEnabled()).toBe(true)
    expect(await focusedId()).toBe('segment-button')
    expect(await page.evaluate(() => location.hash)).toBe('')
    await expect.poll(async () => (await fetch(`${daemon.url}/v1/jobs/${id}`)).status).toBe(404)
  })

  it('asks for the token and keeps it', async () => {
    const token = 'web-test-token-5b1f'
    const guarded = await startDaemon({ env: { PARTFIELD_WEB_DIR: pageDir, PARTFIELD_TOKEN: token }, args: ['--no-warm-up'] })
    const tokenPage = await browser.context.newPage()
    const status = tokenPage.locator('#daemon-status')
    try {
      await tokenPage.goto(guarded.url)
      await tokenPage.locator('#token-form').waitFor({ state: 'visible' })
      expect(await status.textContent()).toBe('This daemon requires an access token.')
      // The daemon's token came from PARTFIELD_TOKEN, so nothing was printed or written to a file.
      const help = await tokenPage.locator('#token-help').textContent()
      expect(help).toContain('PARTFIELD_TOKEN')
      expect(help).not.toMatch(/printed|token file/)
      expect(await tokenPage.locator('#segment-button').isDisabled()).toBe(true)
      await tokenPage.locator('#file-input').setInputFiles(SAMPLE)
      expect(await tokenPage.locator('#segment-button').isDisabled()).toBe(true)
      expect(await tokenPage.locator('#progress-label').textContent()).toContain('once the daemon accepts the access token')
      await tokenPage.screenshot({ path: join(ARTIFACTS, 'desktop-token-required.png') })

      await tokenPage.getByRole('textbox', { name: 'Access token' }).fill('not-the-token')
      await tokenPage.getByRole('button', { name: 'Save token' }).click()
      await expect.poll(() => status.textContent()).toBe('The access token you entered was not accepted. Check it and save it again.')

      await tokenPage.getByRole('textbox', { name: 'Access token' }).fill(token)
      await tokenPage.getByRole('button', { name: 'Save token' }).click()
      await expect.poll(() => status.textContent()).toContain('geometric backend')
      expect(await tokenPage.evaluate(() => localStorage.getItem('partfield-bridge.token'))).toBe(token)
      expect(await tokenPage.locator('#token-form').isHidden()).toBe(true)
      expect(await tokenPage.locator('#token-change').isVisible()).toBe(true)
      expect(await focusedId(tokenPage)).toBe('token-change')
      expect(await tokenPage.locator('#segment-button').isEnabled()).toBe(true)
      await tokenPage.screenshot({ path: join(ARTIFACTS, 'desktop-token-accepted.png') })

      await tokenPage.reload()
      await expect.poll(() => status.textContent()).toContain('geometric backend')
      expect(await tokenPage.locator('#token-form').isHidden()).toBe(true)
      await tokenPage.getByRole('button', { name: 'Change access token' }).click()
      expect(await tokenPage.locator('#token-form').isVisible()).toBe(true)
      expect(await focusedId(tokenPage)).toBe('token-input')

      await tokenPage.evaluate(() => localStorage.setItem('partfield-bridge.token', 'an-old-token'))
      await tokenPage.reload()
      await expect.poll(() => status.textContent()).toBe('The access token saved in this browser was not accepted. Enter the current one.')
    } finally {
      await tokenPage.close()
      await guarded.stop()
    }
  })

  it('tells when the daemon has stopped', async () => {
    const doomed = await startDaemon({ env: { PARTFIELD_WEB_DIR: pageDir }, args: ['--no-warm-up'] })
    const lonely = await browser.context.newPage()
    try {
      await lonely.goto(doomed.url)
      await expect.poll(() => lonely.locator('#daemon-status').textContent()).toContain('geometric backend')
      await lonely.locator('#file-input').setInputFiles(SAMPLE)
      await doomed.stop()

      await lonely.locator('#segment-button').click()
      await expect.poll(() => lonely.locator('#daemon-status').textContent()).toContain('cannot be reached')
      expect(await lonely.locator('#daemon-status').textContent()).not.toContain('geometric backend')
      expect(await lonely.locator('#error-box').textContent()).toContain('The daemon cannot be reached.')
      await lonely.screenshot({ path: join(ARTIFACTS, 'desktop-daemon-stopped.png') })
    } finally {
      await lonely.close()
      await doomed.stop()
    }
  })
})
