/**
 * The Blender add-on in headless Blender (Debian's 3.4 in CI) against the real daemon: the add-on
 * is installed from the built zip into a temporary user folder, with `import msgpack` blocked.
 * Blender-side scripts record what Blender holds; these tests compare it with what the daemon
 * returns over HTTP.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { PALETTE } from '../../daemon/src/export/palette.js'
import { startDaemon, type TestDaemon } from '../../daemon/src/server/test-daemon.js'
import { decodeMsgpack, encodeMsgpack } from '../../protocol/src/codec.js'
import { cutTree } from '../../protocol/src/part-tree.js'
import { buildAddonZip } from '../scripts/build-zip.js'

const BLENDER = process.env.BLENDER ?? 'blender'
const PYTHON_DIR = fileURLToPath(new URL('./python/', import.meta.url))
const TABLE_OFF = fileURLToPath(new URL('./fixtures/table.off', import.meta.url))
const TOKEN = 'addon-test-token'
/** The token daemon's face limit: below the table fixture's 672 faces, so it rejects the table with 413. */
const SMALL_FACE_LIMIT = 300
const BLENDER_TIMEOUT_MS = 240_000

const hasBlender = spawnSync(BLENDER, ['--version'], { stdio: 'ignore' }).status === 0
if (!hasBlender) console.warn(`skipping the Blender add-on tests: "${BLENDER} --version" failed; install Blender or set BLENDER`)
/** The interactive (modal) test needs a display; xvfb-run provides a virtual one. */
const hasXvfb = hasBlender && spawnSync('xvfb-run', ['--help'], { stdio: 'ignore' }).error === undefined
if (hasBlender && !hasXvfb) console.warn('skipping the interactive Blender test: xvfb-run not found (Debian package xvfb)')

interface BlenderRun {
  code: number | null
  output: string
}

let workDir: string
let zipPath: string

/** Runs Blender headless with a throwaway user folder, so installs never touch the real one. */
function runBlender(script: string, args: string[]): Promise<BlenderRun> {
  const argv = ['-b', '--factory-startup', '--python-exit-code', '1', '--python', join(PYTHON_DIR, script), '--', ...args]
  return run(BLENDER, argv)
}

/** Runs Blender with a window on a virtual display, with Window.event_simulate enabled. */
function runBlenderWindowed(script: string, args: string[]): Promise<BlenderRun> {
  const argv = [
    '-a', '-s', '-screen 0 1024x768x24',
    BLENDER, '--factory-startup', '--enable-event-simulate', '--python', join(PYTHON_DIR, script), '--', ...args,
  ]
  return run('xvfb-run', argv)
}

function run(command: string, argv: string[]): Promise<BlenderRun> {
  const env = {
    ...process.env,
    BLENDER_USER_SCRIPTS: join(workDir, 'user-scripts'),
    BLENDER_USER_CONFIG: join(workDir, 'user-config'),
    BLENDER_USER_DATAFILES: join(workDir, 'user-data'),
    // Blender writes quit.blend and other temporary files here.
    TMPDIR: workDir,
  }
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
    const timer = setTimeout(() => child.kill('SIGKILL'), BLENDER_TIMEOUT_MS)
    child.once('error', reject)
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

beforeAll(async () => {
  if (!hasBlender) return
  workDir = await mkdtemp(join(tmpdir(), 'partfield-addon-'))
  zipPath = buildAddonZip(join(workDir, 'partfield_bridge.zip')).path
})

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true })
})

describe.skipIf(!hasBlender)('add-on python units in Blender', () => {
  it('runs the unittest suite', async () => {
    const run = await runBlender('run_unit_tests.py', [])
    expect(run.code, run.output).toBe(0)
    expect(run.output).toMatch(/^OK$/m)
  })

  it('matches msgpackr, cutTree and the palette', async () => {
    const messages = codecMessages()
    const trees = randomTrees()
    const input = join(workDir, 'interop-in.json')
    const outputPath = join(workDir, 'interop-out.json')
    await writeFile(input, JSON.stringify({
      messages: messages.map((message) => Buffer.from(encodeMsgpack(message)).toString('base64')),
      trees: trees.map((tree) => ({ leafCount: tree.leafCount, merges: Array.from(tree.merges), ks: tree.ks })),
    }))
    const run = await runBlender('interop.py', [input, outputPath])
    expect(run.code, run.output).toBe(0)
    const output = JSON.parse(await readFile(outputPath, 'utf8')) as InteropOutput

    messages.forEach((message, i) => {
      const expected = toJsonShape(decodeMsgpack(encodeMsgpack(message)))
      expect(output.messages[i].value, `decode of message ${i}`).toEqual(expected)
      const reencoded = decodeMsgpack(Buffer.from(output.messages[i].encoded, 'base64'))
      expect(toJsonShape(reencoded), `msgpackr decode of the add-on's encoding of message ${i}`).toEqual(expected)
    })
    trees.forEach((tree, i) => {
      for (const k of tree.ks) {
        expect(output.cuts[i][String(k)], `tree ${i} (${tree.leafCount} leaves) cut at ${k}`).toEqual(Array.from(cutTree(tree, k)))
      }
    })
    expect(output.palette).toEqual(PALETTE.map((rgb) => [...rgb]))
  })
})

describe.skipIf(!hasBlender)('add-on against the daemon', () => {
  let daemon: TestDaemon
  let tokenDaemon: TestDaemon
  let main: MainReport
  let mainRun: BlenderRun

  beforeAll(async () => {
    ;[daemon, tokenDaemon] = await Promise.all([
      startDaemon(),
      startDaemon({ env: { PARTFIELD_TOKEN: TOKEN }, args: ['--max-faces', String(SMALL_FACE_LIMIT)] }),
    ])
    const reportPath = join(workDir, 'main-report.json')
    const config = join(workDir, 'main-config.json')
    await writeFile(config, JSON.stringify({
      phase: 'main', zip: zipPath, daemonUrl: daemon.url, tokenDaemonUrl: tokenDaemon.url, token: TOKEN,
      offPath: TABLE_OFF, report: reportPath,
    }))
    mainRun = await runBlender('blender_e2e.py', [config])
    main = JSON.parse(await readFile(reportPath, 'utf8')) as MainReport
  }, BLENDER_TIMEOUT_MS + 60_000)

  afterAll(async () => {
    await Promise.all([daemon?.stop(), tokenDaemon?.stop()])
  })

  it('completes without a Python traceback', () => {
    expect(main.fatal, main.fatal).toBeUndefined()
    expect(mainRun.code, mainRun.output).toBe(0)
    expect(mainRun.output).not.toMatch(/Traceback/)
  })

  it('installs from the zip without msgpack', () => {
    const install = main.install
    expect(install.install).toEqual(['FINISHED'])
    expect(install.enable).toEqual(['FINISHED'])
    expect(install.module_file.startsWith(join(workDir, 'user-scripts'))).toBe(true)
    expect(install.msgpack_importable).toBe(false)
    expect(install.operators).toEqual(['segment_selected', 'recut', 'separate_parts', 'clear'])
    expect(install.panel_category).toBe('PartField')
    expect(install.preference_names).toEqual(expect.arrayContaining(['daemon_url', 'token', 'timeout']))
    expect(install.defaults.daemon_url).toBe('http://127.0.0.1:7860')
    expect(install.bl_info.blender).toEqual([3, 4, 0])
  })

  it('has no redo panel for daemon jobs', () => {
    // Adjust Last Operation would re-run a whole daemon job synchronously on every change.
    const options = main.install.bl_options
    for (const name of ['segment_selected', 'recut']) {
      expect(options[name], name).not.toContain('REGISTER')
      expect(options[name], name).toContain('UNDO')
    }
  })

  it('takes the daemon part count range', () => {
    // n_clusters is 1..256 (protocol/PROTOCOL.md); sliders drag over 2..30.
    for (const [name, range] of Object.entries(main.install.part_ranges)) {
      expect(range, name).toEqual({ min: 1, max: 256, soft_min: 2, soft_max: 30 })
    }
    expect(main.steps.segment_many).toEqual({ result: ['FINISHED'] })
    expect(main.table_many.part_count).toBe(40)
    expect(new Set(main.table_many.labels).size).toBe(40)
    expect(main.table_many_slider.part_count).toBe(35)
    expectGroupsMatch(main.table_many_slider, 35)
  })

  it('keeps panel texts within the default sidebar width', () => {
    // At the default width and UI scale the sidebar cut "Points per Face" to "Points per…".
    const texts = main.install.panel_texts
    for (const text of [...texts.labels, ...texts.enum_items]) expect(text.length, text).toBeLessThanOrEqual(9)
    for (const text of texts.checkboxes) expect(text.length, text).toBeLessThanOrEqual(13)
  })

  it('ships an extension manifest Blender 4.2 accepts', () => {
    const manifest = main.manifest
    expect(manifest.schema_version).toBe('1.0.0')
    expect(manifest.id).toBe('partfield_bridge')
    expect(manifest.type).toBe('add-on')
    expect(manifest.blender_version_min).toBe('4.2.0')
    expect(manifest.license.length).toBeGreaterThan(0)
    // Blender's manifest check: terse texts of at most 64 characters, ending without punctuation.
    for (const text of [manifest.tagline, manifest.permissions.network]) {
      expect(text.length).toBeLessThanOrEqual(64)
      expect(text).toMatch(/[A-Za-z0-9)\]}]$/)
    }
  })

  it('sends one request per selected object', () => {
    expect(main.steps.segment_both).toEqual({ result: ['FINISHED'] })
    expect(main.table.job_id).not.toBe('')
    expect(main.lamp.job_id).not.toBe('')
    expect(main.table.job_id).not.toBe(main.lamp.job_id)
  })

  it('writes the daemon labels as face attribute and vertex groups', async () => {
    for (const snapshot of [main.table, main.lamp]) {
      const result = await daemonResult(daemon, snapshot.job_id)
      expect(result.partCount).toBe(4)
      expect(snapshot.labels, snapshot.name).toEqual(result.labels)
      expect(snapshot.part_count).toBe(result.partCount)
      expect(snapshot.has_colors).toBe(true)
      expectGroupsMatch(snapshot, result.partCount)
    }
  })

  it('labels the base faces of a mesh with modifiers', async () => {
    // The lamp has a Subdivision modifier: the daemon saw 4x the faces but labels come back per base face.
    const result = await daemonResult(daemon, main.lamp.job_id)
    expect(result.faceCount).toBe(main.lamp_faces)
    expect(result.triangleCount).toBeGreaterThan(2 * main.lamp_faces)
  })

  it('recuts from the stored tree like the daemon', async () => {
    expect(main.steps.recut_table).toEqual({ result: ['FINISHED'] })
    const byOperator = await daemonRecut(daemon, main.table.job_id, 2)
    expect(main.table_recut.labels).toEqual(byOperator.labels)
    expectGroupsMatch(main.table_recut, 2)

    const bySlider = await daemonRecut(daemon, main.lamp.job_id, 3)
    expect(main.lamp_slider.labels).toEqual(bySlider.labels)
    expect(main.lamp_slider.part_count).toBe(3)
    expectGroupsMatch(main.lamp_slider, 3)
  })

  it('moves a result stored on the object to the mesh', async () => {
    const legacy = main.legacy
    expect(legacy.object_keys).toEqual([])
    expect(legacy.mesh_keys).toEqual(expect.arrayContaining(['_partfield_leaf_polygon', '_partfield_leaf_weight', '_partfield_merges']))
    expect(legacy.job_id).toBe(main.table_many.job_id)
    expect(legacy.part_count).toBe(main.table_many_slider.part_count)
    const recut = await daemonRecut(daemon, legacy.job_id, 3)
    expect(main.legacy_slider.labels).toEqual(recut.labels)
    expectGroupsMatch(main.legacy_slider, 3)
  })

  it('runs INVOKE synchronously in background mode', async () => {
    expect(main.steps.invoke_background).toEqual({ result: ['FINISHED'] })
    const result = await daemonResult(daemon, main.lamp_invoke.job_id)
    expect(main.lamp_invoke.labels).toEqual(result.labels)
    expect(result.partCount).toBe(5)
  })

  it('segments from Edit Mode and undoes back into it', async () => {
    expect(main.steps.segment_edit_mode).toEqual({ result: ['FINISHED'] })
    // It ends in Object Mode, so the undo step covers vertex group names and the stored result too.
    expect(main.lamp_edit.mode).toBe('OBJECT')
    const result = await daemonResult(daemon, main.lamp_edit.job_id)
    expect(main.lamp_edit.labels).toEqual(result.labels)
    expectGroupsMatch(main.lamp_edit, result.partCount)

    const undone = main.lamp_edit_undone
    expect(undone.mode_after_undo).toBe('EDIT')
    // The undo returns to the state before the edit-mode run: the invoke run's 5 parts.
    expect(undone.job_id).toBe(main.lamp_invoke.job_id)
    expect(undone.labels).toEqual(main.lamp_invoke.labels)
    expect(Object.keys(undone.groups)).toEqual(partNames('Part_', 5))
  })

  it('gives each face the label its triangles voted for by area', async () => {
    const snapshot = main.lamp_triangles
    const result = await daemonResult(daemon, snapshot.job_id)
    const { polygon, area } = snapshot.base_triangles
    expect(result.faceCount).toBe(polygon.length)
    expect(polygon.length).toBeGreaterThan(snapshot.labels!.length)
    expect(snapshot.labels).toEqual(voteByArea(result.labels, polygon, area, snapshot.labels!.length))
  })

  it('recuts k-means results on the daemon', async () => {
    expect(main.table_kmeans.has_tree).toBe(false)
    expect(main.steps.recut_kmeans).toEqual({ result: ['FINISHED'] })
    // The daemon's recut replaced the job's result, so its result is the recut.
    const result = await daemonResult(daemon, main.table_kmeans.job_id)
    expect(result.method).toBe('kmeans')
    expect(main.table_kmeans_recut.labels).toEqual(result.labels)
    expect(main.table_kmeans_recut.part_count).toBe(result.partCount)
  })

  it('recuts k-means on the daemon in the preferences', () => {
    // The preferences name the token daemon, which never ran the job: the message names both daemons.
    const error = main.kmeans_other_daemon.error!
    expect(error).toContain(`"Table" was segmented by the daemon at ${daemon.url}`)
    expect(error).toContain(`the daemon at ${tokenDaemon.url} (Daemon URL in the add-on preferences) does not have that job`)
    expect(error).toMatch(/Run Segment Selected again/)
    expect(main.kmeans_other_daemon.labels).toEqual(main.table_kmeans_recut.labels)
  })

  it('adds part materials and Clear restores the user material', () => {
    const segmented = main.sphere_materials
    const parts = segmented.part_count
    expect(segmented.material_names).toEqual(['UserMaterial', ...partNames('PartField Part ', parts)])
    expect(segmented.material_indices).toEqual(segmented.labels!.map((label) => 1 + label))

    // A recut to fewer parts drops the materials no part uses any more.
    expect(main.steps.recut_materials).toEqual({ result: ['FINISHED'] })
    expect(main.sphere_recut.material_names).toEqual(['UserMaterial', ...partNames('PartField Part ', 2)])
    expect(main.sphere_recut.part_materials).toEqual(partNames('PartField Part ', 2))

    const cleared = main.sphere_cleared
    expect(cleared.part_materials).toEqual([])
    expect(cleared.labels).toBeNull()
    expect(cleared.groups).toEqual({})
    expect(cleared.has_colors).toBe(false)
    expect(cleared.material_names).toEqual(['UserMaterial'])
    expect(new Set(cleared.material_indices)).toEqual(new Set([0]))
    expect(cleared.job_id).toBe('')
  })

  it('undoes a segmentation with one undo step', () => {
    expect(main.ico_segmented.labels).not.toBeNull()
    expect(main.ico_undone.labels).toBeNull()
    expect(main.ico_undone.groups).toEqual({})
    expect(main.ico_undone.job_id).toBe('')
  })

  it('separates parts into objects', () => {
    const { labels, parts, original_hidden } = main.separate
    const counts = new Map<number, number>()
    for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1)
    expect(original_hidden).toBe(true)
    expect(parts.length).toBe(counts.size)
    for (const part of parts) {
      expect(part.labels.length, part.name).toBe(1)
      expect(part.faces, part.name).toBe(counts.get(part.labels[0]))
      expect(part.name).toBe(`Table.Part_${String(part.labels[0]).padStart(2, '0')}`)
    }
  })

  it('separates the modified shape without gaps', () => {
    const { parts, shape_faces, status } = main.separate_modifiers
    expect(main.steps.separate_soft_cube).toEqual({ result: ['FINISHED'] })
    expect(parts.length).toBeGreaterThan(1)
    expect(status).toBe(`SoftCube: ${parts.length} objects`)
    // Parts are cut from the Bevel + Subdivision shape and keep no modifiers, so nothing shrinks apart.
    expect(parts.reduce((sum, part) => sum + part.faces, 0)).toBe(shape_faces)
    for (const part of parts) {
      expect(part.modifiers, part.name).toEqual([])
      expect(part.labels.length, part.name).toBe(1)
      expect(part.off_shape_vertices, part.name).toBe(0)
    }

    // Apply Modifiers off: the parts split the cube's 6 faces and keep Bevel and Subdivision.
    const kept = main.separate_modifiers.kept
    expect(main.steps.separate_soft_cube_keep).toEqual({ result: ['FINISHED'] })
    expect(kept.map((part) => part.name)).toEqual(parts.map((part) => part.name))
    expect(kept.reduce((sum, part) => sum + part.faces, 0)).toBe(6)
    for (const part of kept) expect(part.modifiers, part.name).toEqual(['BEVEL', 'SUBSURF'])
  })

  it('shares one result between linked duplicates', () => {
    const { segmented, recut } = main.linked
    expect(main.steps.segment_linked).toEqual({ result: ['FINISHED'] })
    expect(segmented.a.job_id).not.toBe('')
    expect(segmented.b.job_id).toBe(segmented.a.job_id)
    expect(main.steps.recut_linked).toEqual({ result: ['FINISHED'] })
    expect(recut.a.part_count).toBe(2)
    expect(recut.b.part_count).toBe(2)
    expect(recut.b.labels).toEqual(recut.a.labels)
    expect(Object.keys(recut.b.groups)).toEqual(partNames('Part_', 2))
  })

  it('counts one part in the singular', () => {
    const single = main.single_part
    expect(single.segment).toMatch(/^Plane: 1 part(,|$)/)
    expect(single.separate).toBe('Plane: 1 object')
    expect(single.clear).toBe('Cleared parts from 1 mesh')
  })

  it('says why an operator cannot run', () => {
    const polls = main.polls
    expect(polls.segment_nothing).toBe(
      'Operator bpy.ops.partfield.segment_selected.poll() Nothing is selected; select one or more mesh objects')
    expect(polls.segment_no_mesh).toMatch(/poll\(\) The selection has no mesh objects/)
    expect(polls.recut_unsegmented).toMatch(/poll\(\) No segmentation is stored on the selected meshes; run Segment Selected first/)
    expect(polls.separate_unlabelled).toMatch(/poll\(\) The selected meshes have no part labels/)
  })

  it('deletes the daemon job when cancelled', async () => {
    expect(main.cancel.outcome).toBe('cancelled')
    const response = await fetch(`${daemon.url}/v1/jobs/${main.cancel.job_id}`)
    expect(response.status).toBe(404)
  })

  it('respects Blender offline mode for remote daemons only', () => {
    expect(main.offline.remote.error).toMatch(/Blender is set to work offline/)
    expect(main.offline.remote.error).toMatch(/Allow Online Access/)
    expect(main.offline.loopback).toEqual({ result: ['FINISHED'] })
    expect(main.offline.loopback_job).not.toBe('')
  })

  it('reports errors with what to do', () => {
    const errors = reportTexts(main.errors)
    const advice = 'Set the token in Preferences > Add-ons > PartField Bridge; the daemon prints it at start-up.'
    // Blender shows a report on one line, so the advice comes first and the daemon's text is cut short.
    expect(errors.unauthorized).toMatch(new RegExp(`^The PartField daemon at ${tokenDaemon.url} needs a token\\. `))
    expect(errors.wrong_token.startsWith(`The PartField daemon at ${tokenDaemon.url} rejected the token. ${advice}`)).toBe(true)
    expect(errors.wrong_token).toMatch(/\(daemon: 401 invalid access token; .*…\)$/)
    expect(errors.wrong_token.length).toBeLessThan(260)
    expect(errors.server_message).toMatch(/PartField model not found/)
    expect(errors.timeout).toMatch(/did not respond within 1 s/)
    expect(errors.invalid_url).toMatch(/Invalid Daemon URL 'localhost:7860'/)
  })

  it('reports the face limit in triangles', () => {
    const errors = reportTexts(main.errors)
    const limit = `the daemon at ${tokenDaemon.url} accepts (${SMALL_FACE_LIMIT})`
    // Subdivision turns 6 faces into 768 triangles; the daemon's limit counts what it computes on.
    expect(errors.too_many_triangles).toContain(`"SoftCube" has more triangles than ${limit}.`)
    expect(errors.too_many_triangles).toContain('The modifiers turn its 6 faces into 768 triangles.')
    expect(errors.too_many_triangles).toMatch(/Turn off Use Modifiers .* raise --max-faces\.$/)
    expect(errors.too_large).toContain(`"Table" has more triangles than ${limit}.`)
    expect(errors.too_large).toMatch(/Decimate the mesh, or ask the daemon's administrator to raise --max-faces\.$/)
    expect(main.steps.limit_modifiers_off).toEqual({ result: ['FINISHED'] })

    // Meshes over the limit are not uploaded; only the run without the add-on's check reached the daemon.
    const rejected = tokenDaemon.logs.filter((line) => line.path === '/v1/segment' && line.status === 413)
    expect(rejected.length).toBe(1)
    expect(errors.too_large_daemon).toMatch(new RegExp(`^"Table" is over the face limit of the daemon at ${tokenDaemon.url}\\. `))
    expect(errors.too_large_daemon).toMatch(/raise --max-faces\. \(daemon: 413 "?Table.+\)$/)
  })

  it.skipIf(!hasXvfb)('runs modal in a window and cancels on Esc', async () => {
    const reportPath = join(workDir, 'ui-report.json')
    const config = join(workDir, 'ui-config.json')
    await writeFile(config, JSON.stringify({ zip: zipPath, daemonUrl: daemon.url, report: reportPath }))
    const deletesBefore = countDeletes(daemon)
    const run = await runBlenderWindowed('blender_ui.py', [config])
    const report = JSON.parse(await readFile(reportPath, 'utf8')) as UiReport
    console.log('phase seconds', JSON.stringify(report.phase_seconds))
    expect(report.fatal, `${report.fatal}\n${run.output}`).toBeUndefined()
    expect(run.output).not.toMatch(/Traceback/)

    // invoke returns at once and the window keeps handling events while the daemon works
    expect(report.phases.segment_start).toEqual(['RUNNING_MODAL'])
    expect(report.phases.running_after_start).toBe(true)
    // UI timers keep running during a job. The small job may end within one slow redraw of a loaded
    // machine, so the cancelled job, which runs until the daemon stops it, shows it.
    expect(report.ticks.segmenting.count).toBeGreaterThanOrEqual(1)
    expect(report.ticks.cancelling.while_running).toBeGreaterThanOrEqual(2)
    console.log(`modal steps: ${report.modal_steps.count}, longest ${(report.modal_steps.max_seconds * 1000).toFixed(1)} ms; ` +
      `longest gap between UI timer ticks ${report.ticks.segmenting.max_gap.toFixed(2)} s (software OpenGL redraws included)`)
    expect(report.modal_steps.max_seconds).toBeLessThan(0.25)

    console.log('panel draws', JSON.stringify(report.panel_draws))
    // the sidebar panel drew while the job ran and with its result
    expect(report.panel_draws.running).toBeGreaterThan(0)
    expect(report.panel_draws.result).toBeGreaterThan(0)

    const done = report.phases.segment_done
    expect(done.status).toMatch(/^Small: 3 parts/)
    expect(done.labels).toEqual((await daemonResult(daemon, done.job_id)).labels)
    // Adjust Last Operation would re-run the whole job synchronously on every change.
    expect(done.redo_panel).not.toBe('PARTFIELD_OT_segment_selected')
    // Ctrl+Z after the modal run goes back to before it.
    expect(report.phases.undone).toEqual({ result: ['FINISHED'], labels: false, job_id: '' })

    const cancelled = report.phases.cancel_done
    expect(cancelled.esc_sent_at).toBeTruthy()
    expect(cancelled.status).toBe('Cancelled')
    expect(report.ticks.cancelling.messages).toContain('Cancelling; deleting the job on the daemon...')
    // The outcome stays in the status bar a moment, then the status bar is cleared.
    const bar = report.status_bar
    expect(bar).toContain('PartField: Cancelled')
    expect(bar.indexOf('PartField: Cancelled')).toBe(bar.length - 2)
    expect(bar[bar.length - 1]).toBeNull()
    console.log(`Esc to "Cancelled": ${cancelled.seconds_after_esc} s (the daemon stops a running job within about 2 s)`)
    expect(cancelled.labels).toBe(false)
    expect(cancelled.job_id).toBe('')
    expect(countDeletes(daemon) - deletesBefore, 'DELETE requests the daemon logged').toBe(1)
  })

  it('reports a stopped daemon', async () => {
    const url = daemon.url
    await daemon.stop()
    const reportPath = join(workDir, 'stopped-report.json')
    const config = join(workDir, 'stopped-config.json')
    await writeFile(config, JSON.stringify({ phase: 'stopped', zip: zipPath, daemonUrl: url, report: reportPath }))
    const run = await runBlender('blender_e2e.py', [config])
    const report = JSON.parse(await readFile(reportPath, 'utf8')) as StoppedReport

    expect(report.fatal, report.fatal).toBeUndefined()
    expect(run.output).not.toMatch(/Traceback/)
    const expected = `No PartField daemon is running at ${url} (connection refused)`
    expect(report.steps.segment_stopped.error).toContain(expected)
    expect(report.steps.segment_stopped.error).toContain('npm start')
    expect(report.steps.check_stopped.error).toContain(expected)
    expect(report.cube_after.labels).toBeNull()
  })
})

// ---------------------------------------------------------------------------------------------
// daemon side

interface DaemonResult {
  faceCount: number
  triangleCount: number
  partCount: number
  method: string
  labels: number[]
}

async function daemonResult(daemon: TestDaemon, jobId: string): Promise<DaemonResult> {
  const response = await fetch(`${daemon.url}/v1/jobs/${jobId}/result`, { headers: { accept: 'application/json' } })
  expect(response.status, await response.clone().text()).toBe(200)
  return (await response.json()) as DaemonResult
}

async function daemonRecut(daemon: TestDaemon, jobId: string, parts: number): Promise<DaemonResult> {
  const response = await fetch(`${daemon.url}/v1/jobs/${jobId}/recut`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ n_clusters: parts }),
  })
  expect(response.status, await response.clone().text()).toBe(200)
  return (await response.json()) as DaemonResult
}

/** Counts DELETE /v1/jobs/{id} requests that returned 200, from the daemon's request log. */
function countDeletes(daemon: TestDaemon): number {
  return daemon.logs.filter((line) => line.method === 'DELETE' && line.status === 200).length
}

// ---------------------------------------------------------------------------------------------
// expectations

/** Checks that each vertex is in the group of every part whose faces use it, and in no other. */
function expectGroupsMatch(snapshot: Snapshot, partCount: number): void {
  const expected: Record<string, number[]> = {}
  for (const name of partNames('Part_', partCount)) expected[name] = []
  snapshot.labels!.forEach((label, face) => {
    for (const vertex of snapshot.polygon_vertices[face]) expected[`Part_${String(label).padStart(2, '0')}`].push(vertex)
  })
  for (const name of Object.keys(expected)) expected[name] = [...new Set(expected[name])].sort((a, b) => a - b)
  const actual = Object.fromEntries(
    Object.entries(snapshot.groups).map(([name, members]) => [name, [...members].sort((a, b) => a - b)]),
  )
  expect(actual, `vertex groups of ${snapshot.name}`).toEqual(expected)
}

/** Strips the "Error: " and line end Blender adds to the report texts of operator errors. */
function reportTexts(errors: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).map(([key, text]) => [key, text.replace(/^Error: /, '').trimEnd()]))
}

function partNames(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`)
}

/** Reference vote: per face, the label with the largest summed triangle area; lower label on a tie. */
function voteByArea(triangleLabels: number[], polygon: number[], area: number[], faceCount: number): number[] {
  const totals = Array.from({ length: faceCount }, () => new Map<number, number>())
  triangleLabels.forEach((label, t) => {
    const sums = totals[polygon[t]]
    sums.set(label, (sums.get(label) ?? 0) + area[t])
  })
  return totals.map((sums) => {
    let best = -1
    let bestArea = -Infinity
    for (const [label, sum] of [...sums].sort((a, b) => a[0] - b[0])) {
      if (sum > bestArea) {
        best = label
        bestArea = sum
      }
    }
    return best
  })
}

// ---------------------------------------------------------------------------------------------
// interop inputs

interface InteropOutput {
  messages: { value: unknown; encoded: string }[]
  cuts: Record<string, number[]>[]
  palette: number[][]
}

function codecMessages(): unknown[] {
  return [
    { small: 1, negative: -1, byte: 200, short: -300, word: 70_000, wide: -70_000, big: 2 ** 40, half: 1.5 },
    { text: 'héllo wörld ✓', empty: '', long: 'x'.repeat(300), longer: 'y'.repeat(70_000), yes: true, no: false, none: null },
    { nested: [1, [2, [3, { deep: [] }]]], list: Array.from({ length: 20 }, (_, i) => i * 1000) },
    Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`key${i}`, i % 2 ? `v${i}` : i])),
    {
      positions: new Float32Array([0, 0.5, -1.25, 3e38, -1e-7]),
      triangles: new Uint32Array([0, 1, 2, 4_000_000_000]),
      labels: new Int32Array([-2_000_000_000, -1, 0, 7]),
      colors: new Uint8Array(300).map((_, i) => i % 256),
    },
    { tree: { leafCount: 3, merges: new Int32Array([0, 1, 3, 2]), costs: new Float32Array([0.25, 1.5]) }, warnings: [] },
  ]
}

/** Converts a decoded message to plain JSON values; binary becomes {$bin: base64}. */
function toJsonShape(value: unknown): unknown {
  if (value instanceof Uint8Array) return { $bin: Buffer.from(value).toString('base64') }
  if (Array.isArray(value)) return value.map(toJsonShape)
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toJsonShape(item)]))
  }
  return value
}

interface RandomTree {
  leafCount: number
  merges: Int32Array
  costs: Float32Array
  ks: number[]
}

/** Random merge trees and forests (several components) with a fixed seed. */
function randomTrees(): RandomTree[] {
  const random = mulberry32(20_240_601)
  const shapes: [number, number][] = [[1, 1], [2, 1], [7, 1], [50, 3], [500, 1], [3000, 5]]
  return shapes.map(([leafCount, components]) => {
    // Each active node remembers its component; merges join two random nodes of one component.
    const active: { node: number; component: number }[] = []
    for (let leaf = 0; leaf < leafCount; leaf++) active.push({ node: leaf, component: leaf % components })
    const merges: number[] = []
    let next = leafCount
    for (;;) {
      const candidates = [...new Set(active.map((a) => a.component))].filter(
        (c) => active.filter((a) => a.component === c).length > 1,
      )
      if (candidates.length === 0) break
      const component = candidates[Math.floor(random() * candidates.length)]
      const members = active.filter((a) => a.component === component)
      const first = members[Math.floor(random() * members.length)]
      const rest = members.filter((m) => m !== first)
      const second = rest[Math.floor(random() * rest.length)]
      merges.push(first.node, second.node)
      active.splice(active.indexOf(first), 1)
      active.splice(active.indexOf(second), 1)
      active.push({ node: next++, component })
    }
    const ks = [...new Set([0, 1, 2, 3, 5, Math.floor(leafCount / 2), leafCount - 1, leafCount, leafCount + 5])]
    return { leafCount, merges: new Int32Array(merges), costs: new Float32Array(merges.length / 2), ks }
  })
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

// ---------------------------------------------------------------------------------------------
// report shapes (written by python/blender_e2e.py)

interface Snapshot {
  name: string
  labels: number[] | null
  polygon_vertices: number[][]
  groups: Record<string, number[]>
  has_colors: boolean
  material_names: (string | null)[]
  material_indices: number[]
  job_id: string
  part_count: number
  has_tree: boolean
  mode: string
}

type Step = { result?: string[]; error?: string }

interface MainReport {
  fatal?: string
  steps: Record<string, Step>
  install: {
    install: string[]
    enable: string[]
    module_file: string
    bl_info: { blender: number[] }
    msgpack_importable: boolean
    operators: string[]
    panel_category: string
    preference_names: string[]
    defaults: { daemon_url: string; timeout: number }
    bl_options: Record<string, string[]>
    part_ranges: Record<string, { min: number; max: number; soft_min: number; soft_max: number }>
    panel_texts: { labels: string[]; checkboxes: string[]; enum_items: string[] }
  }
  manifest: {
    schema_version: string
    id: string
    type: string
    tagline: string
    blender_version_min: string
    license: string[]
    permissions: { network: string }
  }
  lamp_faces: number
  table: Snapshot
  lamp: Snapshot
  table_recut: Snapshot
  lamp_slider: Snapshot
  lamp_invoke: Snapshot
  lamp_edit: Snapshot
  lamp_edit_undone: Snapshot & { mode_after_undo: string }
  lamp_triangles: Snapshot & { base_triangles: { polygon: number[]; area: number[] } }
  table_kmeans: Snapshot
  table_kmeans_recut: Snapshot
  kmeans_other_daemon: Step & { labels: number[] | null }
  table_many: Snapshot
  table_many_slider: Snapshot
  legacy: Snapshot & { object_keys: string[]; mesh_keys: string[] }
  legacy_slider: Snapshot
  sphere_materials: Snapshot
  sphere_recut: Snapshot & { part_materials: string[] }
  sphere_cleared: Snapshot & { part_materials: string[] }
  separate_modifiers: {
    shape_faces: number
    status: string
    parts: { name: string; modifiers: string[]; faces: number; labels: number[]; off_shape_vertices: number }[]
    kept: { name: string; modifiers: string[]; faces: number }[]
  }
  linked: { segmented: { a: Snapshot; b: Snapshot }; recut: { a: Snapshot; b: Snapshot } }
  single_part: { segment: string; separate: string; clear: string }
  polls: Record<string, string | undefined>
  ico_segmented: Snapshot
  ico_undone: Snapshot
  separate: { labels: number[]; original_hidden: boolean; parts: { name: string; faces: number; labels: number[] }[] }
  cancel: { outcome: string; job_id: string }
  errors: Record<string, string>
  offline: { remote: Step; loopback: Step; loopback_job: string }
}

interface UiReport {
  fatal?: string
  phases: {
    segment_start: string[]
    running_after_start: boolean
    segment_done: { job_id: string; labels: number[] | null; status: string; redo_panel: string | null }
    undone: { result: string[]; labels: boolean; job_id: string }
    cancel_done: { esc_sent_at: string | null; status: string; labels: boolean; job_id: string; seconds_after_esc: number }
  }
  ticks: Record<string, { count: number; while_running: number; max_gap: number; messages: string[] }>
  modal_steps: { count: number; max_seconds: number; total_seconds: number }
  phase_seconds: Record<string, number>
  status_bar: (string | null)[]
  panel_draws: { count: number; running: number; result: number }
}

interface StoppedReport {
  fatal?: string
  steps: Record<string, Step>
  cube_after: Snapshot
}
