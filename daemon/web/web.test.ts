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
import { chromiumAvailable, launchBrowser, type TestBrowser } from './test-browser.js'

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
const SAMPLE = join(REPO_ROOT, 'daemon/samples/figure.obj')
const SAMPLE_FACES = 5866
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts/web')
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
    expect(await page.locator('#segment-button').isDisabled()).toBe(true)
    const webgl = await page.evaluate(() => {
      const gl = document.querySelector('canvas')?.getContext('webgl2')
      return gl ? String(gl.getParameter(gl.VERSION)) : null
    })
    expect(webgl).toContain('WebGL 2')
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

  it('segments the sample mesh with stage progress', async () => {
    await page.evaluate(() => {
      const seen: string[] = []
      ;(window as unknown as { progressTexts: string[] }).progressTexts = seen
      const label = document.getElementById('progress-label')!
      new MutationObserver(() => seen.push(label.textContent ?? '')).observe(label, { childList: true, characterData: true, subtree: true })
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

    const progress = await page.evaluate(() => (window as unknown as { progressTexts: string[] }).progressTexts)
    expect(progress.some((text) => /Stage \d of 6, features/.test(text))).toBe(true)
    expect(progress.at(-1)).toMatch(/^Done: \d+ parts/)
    expect(await page.locator('#part-list li').count()).toBe(done.shownParts)
    expect((await partListCounts()).reduce((a, b) => a + b, 0)).toBe(SAMPLE_FACES)

    const drawn = await pixels()
    expect(drawn.modelPixels / (drawn.width * drawn.height)).toBeGreaterThan(0.03)
    const button = await page.locator('#segment-button').boundingBox()
    expect(button!.y + button!.height).toBeLessThan(800)
    await page.screenshot({ path: join(ARTIFACTS, 'desktop-1280x800.png') })
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

    await page.getByRole('radio', { name: 'Parts' }).check()
    expect(changedFraction(parts, await pixels())).toBeLessThan(0.01)
  })

  it('downloads a GLB with the slider part count', async () => {
    const current = await snapshot()
    expect(current.shownParts).not.toBe(current.serverParts)
    const counts = await partListCounts()

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
    // Dropped on the drop zone, as a user dragging it from a file manager would.
    await page.locator('#drop-zone').evaluate((zone) => {
      const transfer = new DataTransfer()
      transfer.items.add(new File(['v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 9\n'], 'broken.obj', { type: 'text/plain' }))
      zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }))
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }))
    })
    expect(await page.locator('#file-summary').textContent()).toContain('broken.obj')
    await page.locator('#segment-button').click()
    await page.locator('#error-box').waitFor({ state: 'visible', timeout: JOB_TIMEOUT_MS })
    const text = await page.locator('#error-box').textContent()
    expect(text).toContain('could not be read as a mesh')
    expect(text).toContain('broken.obj')
    await page.screenshot({ path: join(ARTIFACTS, 'desktop-error.png') })
  })

  it('rejects a file over the limit before sending', async () => {
    const posts: string[] = []
    const onRequest = (request: { method(): string; url(): string }) => {
      if (request.method() === 'POST') posts.push(request.url())
    }
    page.on('request', onRequest)
    const big = Buffer.alloc(Math.round(1.5 * UPLOAD_LIMIT_MB * 1024 * 1024), 0x20)
    await page.locator('#file-input').setInputFiles({ name: 'big.obj', mimeType: 'text/plain', buffer: big })
    await page.locator('#segment-button').click()
    const text = await page.locator('#error-box').textContent()
    expect(text).toContain(`accepts uploads up to ${UPLOAD_LIMIT_MB.toFixed(1)} MB`)
    expect(text).toContain('--max-upload-mb')
    page.off('request', onRequest)
    expect(posts).toEqual([])
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
    await page.getByRole('radio', { name: 'Parts' }).check()
    await page.locator('#param-n_clusters').fill('')
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
    await expect.poll(() => page.evaluate(() => location.hash)).not.toBe(previousHash)
    const id = (await page.evaluate(() => location.hash)).slice('#job='.length)
    expect((await fetch(`${daemon.url}/v1/jobs/${id}`)).status).toBe(200)
    await page.locator('#cancel-button').click()

    expect(await page.locator('#progress-label').textContent()).toBe('Cancelled')
    expect(await page.locator('#cancel-button').isHidden()).toBe(true)
    expect(await page.locator('#segment-button').isEnabled()).toBe(true)
    await expect.poll(async () => (await fetch(`${daemon.url}/v1/jobs/${id}`)).status).toBe(404)
  })

  it('asks for the token and keeps it', async () => {
    const token = 'web-test-token-5b1f'
    const guarded = await startDaemon({ env: { PARTFIELD_WEB_DIR: pageDir, PARTFIELD_TOKEN: token }, args: ['--no-warm-up'] })
    const tokenPage = await browser.context.newPage()
    try {
      await tokenPage.goto(guarded.url)
      await tokenPage.locator('#token-form').waitFor({ state: 'visible' })
      expect(await tokenPage.locator('#daemon-status').textContent()).toContain('requires an access token')

      await tokenPage.getByLabel('Access token').fill(token)
      await tokenPage.getByRole('button', { name: 'Save token' }).click()
      await expect.poll(() => tokenPage.locator('#daemon-status').textContent()).toContain('geometric backend')
      expect(await tokenPage.evaluate(() => localStorage.getItem('partfield-bridge.token'))).toBe(token)

      await tokenPage.reload()
      await expect.poll(() => tokenPage.locator('#daemon-status').textContent()).toContain('geometric backend')
      expect(await tokenPage.locator('#token-form').isVisible()).toBe(true)
    } finally {
      await tokenPage.close()
      await guarded.stop()
    }
  })
})
