/**
 * Dims every part except one in the shader, from a per-corner `part` attribute and one uniform,
 * so highlighting a part on hover costs no buffer upload however large the mesh is.
 */
import type { Material } from 'three'

/** The highlighted part, or -1 for none; shared by reference with the compiled shader. */
export interface HighlightUniform {
  value: number
}

/** How far dimmed parts move towards the grey below, 0..1. */
const DIM_AMOUNT = 0.78
const DIM_TARGET = 'vec3(0.82)'

export function addPartHighlight(material: Material, highlight: HighlightUniform): void {
  material.onBeforeCompile = (shader) => {
    shader.uniforms.highlightPart = highlight
    shader.vertexShader = shader.vertexShader
      .replace('#include <common>', '#include <common>\nattribute float part;\nuniform float highlightPart;\nvarying float vDimmed;')
      .replace(
        '#include <color_vertex>',
        '#include <color_vertex>\nvDimmed = (highlightPart >= 0.0 && abs(part - highlightPart) > 0.5) ? 1.0 : 0.0;',
      )
    shader.fragmentShader = shader.fragmentShader
      .replace('#include <common>', '#include <common>\nvarying float vDimmed;')
      .replace(
        '#include <color_fragment>',
        `#include <color_fragment>\ndiffuseColor.rgb = mix(diffuseColor.rgb, ${DIM_TARGET}, vDimmed * ${DIM_AMOUNT.toFixed(2)});`,
      )
  }
}
