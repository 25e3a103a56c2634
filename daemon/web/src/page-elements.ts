/** The page's elements by role, looked up once; a missing one is a build error in index.html. */

export interface PageElements {
  daemonStatus: HTMLElement
  tokenForm: HTMLFormElement
  tokenInput: HTMLInputElement
  tokenHelp: HTMLElement
  tokenChange: HTMLButtonElement
  segmentForm: HTMLFormElement
  dropZone: HTMLElement
  fileInput: HTMLInputElement
  fileSummary: HTMLElement
  paramDetails: HTMLDetailsElement
  paramFields: HTMLElement
  segmentButton: HTMLButtonElement
  cancelButton: HTMLButtonElement
  progressLabel: HTMLElement
  progressBar: HTMLProgressElement
  errorBox: HTMLElement
  viewSwitch: HTMLFieldSetElement
  partsRadio: HTMLInputElement
  pcaRadio: HTMLInputElement
  viewerHost: HTMLElement
  viewerPlaceholder: HTMLElement
  viewerNote: HTMLElement
  resultHeading: HTMLElement
  partSlider: HTMLInputElement
  partSliderHelp: HTMLElement
  partCountOutput: HTMLOutputElement
  resultSummary: HTMLElement
  partList: HTMLUListElement
  downloadsNote: HTMLElement
  downloadList: HTMLUListElement
}

const IDS: Record<keyof PageElements, string> = {
  daemonStatus: 'daemon-status',
  tokenForm: 'token-form',
  tokenInput: 'token-input',
  tokenHelp: 'token-help',
  tokenChange: 'token-change',
  segmentForm: 'segment-form',
  dropZone: 'drop-zone',
  fileInput: 'file-input',
  fileSummary: 'file-summary',
  paramDetails: 'param-details',
  paramFields: 'param-fields',
  segmentButton: 'segment-button',
  cancelButton: 'cancel-button',
  progressLabel: 'progress-label',
  progressBar: 'progress-bar',
  errorBox: 'error-box',
  viewSwitch: 'view-switch',
  partsRadio: 'view-parts',
  pcaRadio: 'view-pca',
  viewerHost: 'viewer-canvas-host',
  viewerPlaceholder: 'viewer-placeholder',
  viewerNote: 'viewer-note',
  resultHeading: 'result-heading',
  partSlider: 'part-slider',
  partSliderHelp: 'part-slider-help',
  partCountOutput: 'part-count-output',
  resultSummary: 'result-summary',
  partList: 'part-list',
  downloadsNote: 'downloads-note',
  downloadList: 'download-list',
}

export function findPageElements(): PageElements {
  const found: Record<string, HTMLElement> = {}
  for (const [key, id] of Object.entries(IDS)) {
    const element = document.getElementById(id)
    if (!element) throw new Error(`the page lacks the element #${id}; index.html and page-elements.ts disagree`)
    found[key] = element
  }
  return found as unknown as PageElements
}
