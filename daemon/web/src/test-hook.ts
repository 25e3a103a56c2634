/**
 * A read-only summary of the page for end-to-end tests, as `window.partfieldPage`. It reports
 * what the page shows (phase, part counts, view) and a colour histogram of the 3D view's pixels,
 * so a test can check that moving the slider recolours the model.
 */
import type { App } from './app.js'

/** Pixels within this distance of the background colour count as background. */
const BACKGROUND_TOLERANCE = 6

export interface PageSnapshot {
  phase: string
  jobId: string | null
  faceCount: number | null
  /** Parts in the labels displayed now. */
  shownParts: number | null
  /** Parts of the daemon's result and files. */
  serverParts: number | null
  sliderValue: number
  viewMode: string
  /** True when the original view shows the uploaded glTF itself. */
  originalModel: boolean
  errorText: string
}

export interface PixelSummary {
  width: number
  height: number
  /** Pixels that are not background. */
  modelPixels: number
  /** Non-background pixels per colour, channels rounded to multiples of 16, as `r,g,b`. */
  colors: Record<string, number>
}

export function exposeForTests(app: App): void {
  const hook = {
    snapshot(): PageSnapshot {
      const displayed = app.displayed
      let shownParts: number | null = null
      if (displayed) shownParts = displayed.labels.reduce((max, label) => Math.max(max, label + 1), 0)
      return {
        phase: app.phase,
        jobId: displayed?.id ?? null,
        faceCount: displayed?.result.faceCount ?? null,
        shownParts,
        serverParts: displayed?.result.partCount ?? null,
        sliderValue: Number(app.ui.partSlider.value),
        viewMode: app.viewer.mode,
        originalModel: app.viewer.hasOriginalModel,
        errorText: app.ui.errorBox.hidden ? '' : app.ui.errorBox.textContent ?? '',
      }
    },
    pixels(): PixelSummary {
      const { width, height, data } = app.viewer.readPixels()
      const [br, bg, bb] = [data[0], data[1], data[2]]
      const colors: Record<string, number> = {}
      let modelPixels = 0
      for (let i = 0; i < data.length; i += 4) {
        const distance = Math.abs(data[i] - br) + Math.abs(data[i + 1] - bg) + Math.abs(data[i + 2] - bb)
        if (distance <= BACKGROUND_TOLERANCE) continue
        modelPixels++
        const key = `${data[i] >> 4 << 4},${data[i + 1] >> 4 << 4},${data[i + 2] >> 4 << 4}`
        colors[key] = (colors[key] ?? 0) + 1
      }
      return { width, height, modelPixels, colors }
    },
  }
  Object.defineProperty(window, 'partfieldPage', { value: Object.freeze(hook) })
}
