"""The interactive path of Segment Selected in a real Blender window (under Xvfb), driven by
blender.test.ts: the modal operator with its worker thread, the status shown while it runs, and
Esc sent through Window.event_simulate (needs --enable-event-simulate).

Usage: blender --factory-startup --enable-event-simulate --python blender_ui.py -- CONFIG_JSON
CONFIG_JSON keys: zip, daemonUrl, report.
"""

import json
import sys
import time

import bpy
import numpy as np

#: Seconds between checks of the running operator.
TICK = 0.05
#: Give up (and report) if a phase takes longer than this.
PHASE_TIMEOUT = 60.0
#: Seconds to wait for the sidebar to draw a finished result.
RESULT_DRAW_WAIT = 10.0
#: Consecutive on-time ticks that mark the end of start-up redraws.
WARMUP_STEADY_TICKS = 10
#: Start anyway after this long, for a machine too busy to tick on time.
WARMUP_MAX_SECONDS = 20.0

config = json.loads(open(sys.argv[sys.argv.index('--') + 1]).read())
report = {'ticks': {}, 'phases': {}}
state = {'phase': 'start', 'since': time.monotonic(), 'last_tick': None}


def finish(error=None):
    if error:
        report['fatal'] = error
    with open(config['report'], 'w') as out:
        json.dump(report, out)
    bpy.ops.wm.quit_blender()


def view3d_override():
    window = bpy.context.window_manager.windows[0]
    area = next(a for a in window.screen.areas if a.type == 'VIEW_3D')
    region = next(r for r in area.regions if r.type == 'WINDOW')
    return window, {'window': window, 'screen': window.screen, 'area': area, 'region': region}


def grid_object(name, side):
    """A wavy square grid of side x side quads: enough faces to keep the daemon busy a moment."""
    ys, xs = np.mgrid[0:side + 1, 0:side + 1]
    vertices = np.stack([xs.ravel() / side, ys.ravel() / side, np.sin(xs.ravel() / 7.0) * 0.1], axis=1)
    corner = (ys[:-1, :-1] * (side + 1) + xs[:-1, :-1]).ravel()
    faces = np.stack([corner, corner + 1, corner + side + 2, corner + side + 1], axis=1)
    mesh = bpy.data.meshes.new(name)
    mesh.from_pydata(vertices.tolist(), [], faces.tolist())
    obj = bpy.data.objects.new(name, mesh)
    bpy.context.scene.collection.objects.link(obj)
    return obj


def select_only(obj):
    for other in bpy.context.scene.objects:
        other.select_set(False)
    obj.select_set(True)
    bpy.context.view_layer.objects.active = obj


def start_segment(obj, part_count):
    select_only(obj)
    window, override = view3d_override()
    with bpy.context.temp_override(**override):
        return sorted(bpy.ops.partfield.segment_selected('INVOKE_DEFAULT', part_count=part_count))


def status():
    return bpy.context.window_manager.partfield_status


def enter(phase):
    report.setdefault('phase_seconds', {})[state['phase']] = round(time.monotonic() - state['since'], 2)
    state['phase'] = phase
    state['since'] = time.monotonic()


def record_tick(phase):
    now = time.monotonic()
    ticks = report['ticks'].setdefault(phase, {'count': 0, 'while_running': 0, 'max_gap': 0.0, 'messages': []})
    ticks['while_running'] += int(status().running)
    if state['last_tick'] is not None:
        ticks['max_gap'] = max(ticks['max_gap'], now - state['last_tick'])
    state['last_tick'] = now
    ticks['count'] += 1
    message = status().message
    if message and message not in ticks['messages']:
        ticks['messages'].append(message)


def show_panel_in_sidebar():
    """Open the sidebar and draw the add-on's panel there, counting the draws.

    Blender 3.4 cannot switch sidebar tabs from Python, so copies of the panel go on the tabs a
    factory-startup sidebar may show first.
    """
    from partfield_bridge.panel import VIEW3D_PT_partfield

    draws = report.setdefault('panel_draws', {'count': 0, 'running': 0, 'result': 0})

    def draw(self, context):
        VIEW3D_PT_partfield.draw(self, context)
        draws['count'] += 1
        draws['running'] += int(context.window_manager.partfield_status.running)
        obj = context.active_object
        draws['result'] += int(bool(obj is not None and obj.type == 'MESH' and obj.data.partfield.job_id))

    for tab in ('Item', 'Tool', 'View'):
        idname = f'VIEW3D_PT_partfield_on_{tab.lower()}_tab'
        panel = type(idname, (VIEW3D_PT_partfield,), {'bl_idname': idname, 'bl_category': tab, 'draw': draw})
        bpy.utils.register_class(panel)
    _, override = view3d_override()
    override['area'].spaces.active.show_region_ui = True
    override['area'].tag_redraw()


def time_modal_steps():
    """Record how long each modal step of the operator blocks the main thread."""
    from partfield_bridge import job_operator

    original = job_operator.DaemonJobOperator._modal_step
    steps = report.setdefault('modal_steps', {'count': 0, 'max_seconds': 0.0, 'total_seconds': 0.0})

    def timed(self, context, event):
        start = time.perf_counter()
        try:
            return original(self, context, event)
        finally:
            spent = time.perf_counter() - start
            steps['count'] += 1
            steps['total_seconds'] += spent
            steps['max_seconds'] = max(steps['max_seconds'], spent)

    job_operator.DaemonJobOperator._modal_step = timed


def redo_panel_operator():
    """Return the operator Adjust Last Operation (F9) would re-run.

    That is the last operator whose type has both REGISTER and UNDO, as WM_operator_last_redo in
    Blender's source/blender/windowmanager/intern/wm_operators.c finds it.
    """
    for op in reversed(list(bpy.context.window_manager.operators)):
        if {'REGISTER', 'UNDO'} <= set(op.bl_options):
            return op.bl_idname
    return None


def undo_segmentation():
    """Ctrl+Z after the modal segmentation: one step back removes its labels."""
    window, override = view3d_override()
    with bpy.context.temp_override(**override):
        result = sorted(bpy.ops.ed.undo())
    small = bpy.data.objects['Small']
    return {'result': result, 'labels': small.data.attributes.get('part') is not None,
            'job_id': small.data.partfield.job_id}


def tick():
    try:
        return step()
    except Exception as error:  # noqa: BLE001 - the test reads the error from the report
        import traceback

        finish(f'{error!r}\n{traceback.format_exc()}')
        return None


def step():
    phase = state['phase']
    if phase != 'start' and time.monotonic() - state['since'] > PHASE_TIMEOUT:
        finish(f'phase {phase} timed out after {PHASE_TIMEOUT} s; status: {status().message!r}')
        return None

    if phase == 'start':
        bpy.ops.preferences.addon_install(filepath=config['zip'], overwrite=True)
        bpy.ops.preferences.addon_enable(module='partfield_bridge')
        bpy.context.preferences.addons['partfield_bridge'].preferences.daemon_url = config['daemonUrl']
        time_modal_steps()
        record_status_bar()
        show_panel_in_sidebar()
        for obj in list(bpy.data.objects):
            bpy.data.objects.remove(obj)
        grid_object('Small', 30)
        state['steady'] = 0
        enter('warmup')
    elif phase == 'warmup':
        # The first redraws compile shaders (slow with software OpenGL); measure once they are done.
        now = time.monotonic()
        gap = now - state['last_tick'] if state['last_tick'] is not None else 1.0
        state['last_tick'] = now
        state['steady'] = state['steady'] + 1 if gap < 2 * TICK else 0
        if state['steady'] >= WARMUP_STEADY_TICKS or time.monotonic() - state['since'] > WARMUP_MAX_SECONDS:
            # The undo step that Ctrl+Z after the segmentation returns to.
            _, override = view3d_override()
            with bpy.context.temp_override(**override):
                bpy.ops.ed.undo_push(message='before segmenting')
            report['phases']['segment_start'] = start_segment(bpy.data.objects['Small'], 3)
            report['phases']['running_after_start'] = status().running
            state['last_tick'] = None
            enter('segmenting')
    elif phase == 'segmenting':
        record_tick(phase)
        if not status().running:
            small = bpy.data.objects['Small']
            labels = small.data.attributes.get('part')
            report['phases']['segment_done'] = {
                'job_id': small.data.partfield.job_id,
                'labels': [item.value for item in labels.data] if labels else None,
                'status': status().message,
                'redo_panel': redo_panel_operator(),
            }
            enter('showing_result')
    elif phase == 'showing_result':
        # Let the sidebar draw the finished result before the next job starts.
        if report['panel_draws']['result'] > 0 or time.monotonic() - state['since'] > RESULT_DRAW_WAIT:
            report['phases']['undone'] = undo_segmentation()
            # The daemon spends a few seconds on any job, so Esc arrives while this one runs.
            report['phases']['cancel_start'] = start_segment(grid_object('Large', 150), 4)
            state['last_tick'] = None
            enter('cancelling')
    elif phase == 'cancelling':
        record_tick(phase)
        message = status().message
        # Esc once the job is on the daemon (queued or computing), not while it is being sent.
        if status().running and not state.get('esc_sent') and message and not message.startswith('Sending'):
            window, _ = view3d_override()
            window.event_simulate(type='ESC', value='PRESS')
            window.event_simulate(type='ESC', value='RELEASE')
            state['esc_sent'] = message
            state['esc_at'] = time.monotonic()
        if not status().running:
            large = bpy.data.objects['Large']
            report['phases']['cancel_done'] = {
                'esc_sent_at': state.get('esc_sent'),
                'status': status().message,
                'labels': large.data.attributes.get('part') is not None,
                'job_id': large.data.partfield.job_id,
                'seconds_after_esc': round(time.monotonic() - state['esc_at'], 2),
            }
            enter('outcome_shown')
    elif phase == 'outcome_shown':
        # The outcome stays in the status bar for OUTCOME_SECONDS, then the bar is Blender's again.
        if time.monotonic() - state['since'] > OUTCOME_SECONDS + 1.0:
            report['status_bar'] = status_bar_texts
            enter('done')
            finish()
            return None
    return TICK


#: Texts the add-on put in the status bar, in order (None clears it).
status_bar_texts = []
#: Shorter than the add-on's default, so the test waits less for the status bar to clear.
OUTCOME_SECONDS = 1.0


def record_status_bar():
    from partfield_bridge import job_operator

    job_operator.OUTCOME_SECONDS = OUTCOME_SECONDS
    original = bpy.types.WorkSpace.status_text_set

    def recorded(self, text):
        status_bar_texts.append(text)
        return original(self, text)

    bpy.types.WorkSpace.status_text_set = recorded


bpy.app.timers.register(tick, first_interval=0.5)
