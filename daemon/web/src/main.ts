/** Entry point of the web page: finds the elements, wires their events and connects. */
import { App } from './app.js'
import { findPageElements } from './page-elements.js'
import { exposeForTests } from './test-hook.js'
import { watchFileSelection } from './upload-picker.js'
import type { ViewMode } from './viewer.js'

function start(): void {
  const ui = findPageElements()
  const app = new App(ui)
  exposeForTests(app)

  // A phone shows the upload, the button and then the 3D view; the parameters open on request.
  if (window.matchMedia('(max-width: 1000px)').matches) ui.paramDetails.open = false

  ui.tokenInput.value = app.token.value ?? ''
  ui.tokenForm.addEventListener('submit', (event) => {
    event.preventDefault()
    void app.saveToken(ui.tokenInput.value)
  })

  watchFileSelection(ui.dropZone, ui.fileInput, (files) => app.selectFiles(files))
  ui.segmentForm.addEventListener('submit', (event) => {
    event.preventDefault()
    void app.segment()
  })
  ui.cancelButton.addEventListener('click', () => void app.cancel())

  ui.viewSwitch.addEventListener('change', (event) => {
    const target = event.target as HTMLInputElement
    if (target.name === 'view') app.setMode(target.value as ViewMode)
  })
  ui.partSlider.addEventListener('input', () => app.setParts(Number(ui.partSlider.value)))

  void app.connect()
}

start()
