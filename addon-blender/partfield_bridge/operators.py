"""Operators: Segment Selected, Recut, Separate Parts, Clear, and the daemon connection check.

Daemon requests run on a worker thread while a modal operator drains its messages on a timer,
so the UI stays responsive and Esc cancels. In background mode (``blender -b``) there is no event
loop, so the same requests run synchronously inside ``execute``.
"""

import logging
from dataclasses import dataclass
from functools import partial

import bpy
from bpy.props import BoolProperty, EnumProperty, IntProperty

from . import apply_result, result_store, separate
from .client import ClientSettings, DaemonClient, DaemonError
from .mesh_io import MeshReadError, read_mesh
from .modes import ensure_object_mode
from .part_tree import TreeError
from .preferences import client_settings, online_access_error
from .properties import ADJACENCY_ITEMS, BACKEND_ITEMS, METHOD_ITEMS
from .segment_job import build_request, run_recut, run_segment
from .worker import Task, Worker, run_inline

__all__ = ['CLASSES', 'recut_from_slider']

log = logging.getLogger(__name__)

#: Seconds between drains of the worker's messages while a job runs.
TIMER_INTERVAL = 0.1
#: The slider's top, sent as max_clusters so an automatic part count stays in the slider's range.
MAX_PARTS = 30
#: Maximum wait of the Check Connection button, even when the Timeout preference is longer.
CHECK_TIMEOUT = 10.0

# The worker of the running modal operator, so the panel's Cancel button can reach it.
_running = {'worker': None}


def target_objects(context):
    """Selected mesh objects, plus the active one in Edit Mode (which need not be selected)."""
    objects = [obj for obj in context.selected_objects if obj.type == 'MESH']
    active = context.view_layer.objects.active
    if active is not None and active.type == 'MESH' and active.mode == 'EDIT' and active not in objects:
        objects.insert(0, active)
    return objects


def is_running():
    return _running['worker'] is not None


@dataclass
class PendingJob:
    """A daemon request for one object and how to write its outcome back onto the object."""

    object_name: str
    run: object
    #: apply(obj, outcome) -> short summary for the final report
    apply: object


class _DaemonJobOperator:
    """Runs ``PendingJob``s on a worker thread (interactive) or inline (background, scripts)."""

    _worker = None
    _timer = None

    def _run_jobs_inline(self, context, jobs, done=()):
        self._begin(jobs, done)
        run_inline([Task(job.object_name, job.run) for job in jobs], partial(self._on_message, context))
        return self._result()

    def _start_worker(self, context, jobs, done=()):
        self._begin(jobs, done)
        self._worker = Worker([Task(job.object_name, job.run) for job in jobs])
        self._worker.start()
        _running['worker'] = self._worker
        self._timer = context.window_manager.event_timer_add(TIMER_INTERVAL, window=context.window)
        context.window_manager.modal_handler_add(self)
        _set_status(context, True, 0.0, f'Sending {len(jobs)} mesh(es) to the daemon')
        return {'RUNNING_MODAL'}

    def modal(self, context, event):
        try:
            return self._modal_step(context, event)
        except Exception as error:  # noqa: BLE001 - a bug here must not leave the job marked running forever
            log.exception('PartField modal operator failed')
            self._worker.cancel()
            self._stop_timer(context)
            _set_status(context, False, 0.0, f'Internal error: {error!r}')
            self.report({'ERROR'}, f'Internal error in the PartField add-on: {error!r}. See the system console for details.')
            return {'CANCELLED'}

    def _modal_step(self, context, event):
        if event.type == 'ESC' and event.value == 'PRESS':
            self._worker.cancel()
            _set_status(context, True, self._overall, 'Cancelling...')
            # Consumed, so the same Esc does not also cancel something else in the viewport.
            return {'RUNNING_MODAL'}
        if event.type == 'TIMER':
            # Other timers also send TIMER events; draining the queue early is harmless.
            for message in self._worker.drain():
                self._on_message(context, message)
            if self._finished:
                self._stop_timer(context)
                return self._result()
        return {'PASS_THROUGH'}

    def _stop_timer(self, context):
        if self._timer is not None:
            context.window_manager.event_timer_remove(self._timer)
            self._timer = None
        _running['worker'] = None

    def cancel(self, context):
        # Blender calls this when the window closes or a new file loads while the job runs.
        self._worker.cancel()
        self._stop_timer(context)
        _set_status(context, False, 0.0, 'Cancelled')

    def _begin(self, jobs, done):
        self._jobs = {job.object_name: job for job in jobs}
        self._index = {job.object_name: i for i, job in enumerate(jobs)}
        # Summaries of work finished before the jobs started (local recuts).
        self._summaries = list(done)
        self._errors = []
        self._cancelled = []
        self._finished = False
        self._overall = 0.0

    def _on_message(self, context, message):
        if message.kind == 'progress':
            self._on_progress(context, message)
        elif message.kind == 'done':
            self._apply(context, message.key, message.value)
        elif message.kind == 'error':
            self._errors.append(f'{message.key}: {message.value}')
            self.report({'ERROR'}, message.value)
        elif message.kind == 'cancelled':
            self._cancelled.append(message.key)
        elif message.kind == 'finished':
            self._finished = True

    def _on_progress(self, context, message):
        progress = message.value
        share = 1.0 / max(1, len(self._jobs))
        self._overall = (self._index.get(message.key, 0) + progress.progress) * share
        if progress.state == 'queued' and progress.queue_position:
            text = f'{message.key}: queued, position {progress.queue_position}'
        elif progress.state == 'queue full':
            text = f'{message.key}: daemon queue full, retrying'
        else:
            text = f'{message.key}: {progress.stage or progress.state} {progress.progress:.0%}'
        # The Cancel button sets the worker's event without going through this operator.
        cancelling = self._worker is not None and self._worker.cancel_event.is_set()
        _set_status(context, True, self._overall, 'Cancelling...' if cancelling else text)

    def _apply(self, context, object_name, outcome):
        obj = bpy.data.objects.get(object_name)
        if obj is None or obj.type != 'MESH':
            self._errors.append(f'{object_name}: deleted before its result arrived')
            self.report({'WARNING'}, f'"{object_name}" was deleted or renamed before its parts arrived; nothing written.')
            return
        if ensure_object_mode(context):
            self._left_edit_mode = True
        try:
            summary = self._jobs[object_name].apply(obj, outcome)
        except result_store.ResultError as error:
            self._errors.append(f'{object_name}: {error}')
            self.report({'WARNING'}, str(error))
            return
        self._summaries.append(summary)
        for warning in getattr(outcome, 'warnings', []):
            self.report({'WARNING'}, f'{object_name}: {warning}')

    def _result(self):
        context = bpy.context
        if self._summaries:
            _set_status(context, False, 1.0, '; '.join(self._summaries))
            note = ' (now in Object Mode; Ctrl+Z returns to Edit Mode)' if getattr(self, '_left_edit_mode', False) else ''
            self.report({'INFO'}, '; '.join(self._summaries) + note)
        elif self._cancelled:
            _set_status(context, False, 0.0, 'Cancelled')
            self.report({'WARNING'}, 'Cancelled; the daemon job was deleted.')
        else:
            _set_status(context, False, 0.0, self._errors[0] if self._errors else 'Nothing done')
        _tag_redraw(context)
        # FINISHED whenever something was written, so Ctrl+Z has an undo step to go back over.
        return {'FINISHED'} if self._summaries else {'CANCELLED'}


def _segment_params(settings):
    params = {
        'max_clusters': MAX_PARTS,
        'method': settings['method'],
        'adjacency': settings['adjacency'],
        'points_per_face': settings['points_per_face'],
        'backend': settings['backend'],
        # The add-on shows no feature view, so the daemon can skip the PCA stage.
        'pca_components': 0,
    }
    if not settings['auto_part_count']:
        params['n_clusters'] = settings['part_count']
    return params


def _daemon_client(operator, context):
    """Return a ``DaemonClient`` for the preferences, or None after reporting why not."""
    settings = client_settings(context)
    blocked = online_access_error(settings.url)
    if blocked:
        operator.report({'ERROR'}, blocked)
        return None
    try:
        return DaemonClient(settings)
    except DaemonError as error:
        operator.report({'ERROR'}, str(error))
        return None


_SETTING_NAMES = (
    'part_count', 'auto_part_count', 'method', 'adjacency', 'points_per_face', 'backend',
    'use_modifiers', 'whole_faces', 'make_materials',
)


class PARTFIELD_OT_segment_selected(_DaemonJobOperator, bpy.types.Operator):
    """Send each selected mesh to the PartField daemon and write its parts as vertex groups, a face attribute and colours"""

    bl_idname = 'partfield.segment_selected'
    bl_label = 'Segment Selected'
    bl_options = {'REGISTER', 'UNDO'}

    # For scripts: a property left unset takes its value from the sidebar (Scene.partfield).
    part_count: IntProperty(name='Parts', min=2, max=MAX_PARTS, default=8)
    auto_part_count: BoolProperty(name='Auto Part Count', default=False)
    method: EnumProperty(name='Method', items=METHOD_ITEMS, default='agglomerative')
    adjacency: EnumProperty(name='Adjacency', items=ADJACENCY_ITEMS, default='component_mst')
    points_per_face: IntProperty(name='Points per Face', min=1, max=10000, default=1000)
    backend: EnumProperty(name='Backend', items=BACKEND_ITEMS, default='auto')
    use_modifiers: BoolProperty(name='Use Modifiers', default=True)
    whole_faces: BoolProperty(name='Whole Faces', default=True)
    make_materials: BoolProperty(name='Materials per Part', default=False)

    @classmethod
    def poll(cls, context):
        if is_running():
            # poll_message_set exists from Blender 3.0.
            if hasattr(cls, 'poll_message_set'):
                cls.poll_message_set('A segmentation is already running')
            return False
        return bool(target_objects(context))

    def invoke(self, context, event):
        if bpy.app.background:
            return self.execute(context)
        jobs = self._prepare(context)
        if not jobs:
            return {'CANCELLED'}
        return self._start_worker(context, jobs)

    def execute(self, context):
        jobs = self._prepare(context)
        if not jobs:
            return {'CANCELLED'}
        return self._run_jobs_inline(context, jobs)

    def _settings(self, context):
        scene = context.scene.partfield
        return {
            name: getattr(self, name) if self.properties.is_property_set(name) else getattr(scene, name)
            for name in _SETTING_NAMES
        }

    def _prepare(self, context):
        client = _daemon_client(self, context)
        if client is None:
            return []
        settings = self._settings(context)
        params = _segment_params(settings)

        jobs = []
        targets = target_objects(context)
        self._left_edit_mode = bool(ensure_object_mode(context))
        for obj in targets:
            try:
                payload = read_mesh(context, obj, settings['use_modifiers'], settings['whole_faces'])
            except MeshReadError as error:
                self.report({'WARNING'}, str(error))
                continue
            request = build_request(obj.name, payload.positions, payload.triangles, payload.triangle_leaf, params)
            run = partial(_run_segment_job, client, request, payload.leaf_count)
            apply = partial(_apply_segment, payload, client.base_url, settings['make_materials'])
            jobs.append(PendingJob(obj.name, run, apply))
        if not jobs:
            self.report({'ERROR'}, 'No selected mesh could be sent; see the warnings above.')
        return jobs


def _run_segment_job(client, request, leaf_count, cancel, report):
    return run_segment(client, request, leaf_count, cancel, report)


def _apply_segment(payload, daemon_url, make_materials, obj, outcome):
    parts = result_store.apply_outcome(obj, payload, outcome, daemon_url, make_materials)
    backend = f', {outcome.backend}' if outcome.backend else ''
    return f'{obj.name}: {parts} parts{backend}'


class PARTFIELD_OT_recut(_DaemonJobOperator, bpy.types.Operator):
    """Change the part count of segmented meshes: cut the stored merge tree, or ask the daemon for k-means results"""

    bl_idname = 'partfield.recut'
    bl_label = 'Recut'
    bl_options = {'REGISTER', 'UNDO'}

    part_count: IntProperty(name='Parts', min=1, max=256, default=8)

    @classmethod
    def poll(cls, context):
        return not is_running() and any(obj.partfield.job_id for obj in target_objects(context))

    def invoke(self, context, event):
        return self._recut(context, use_worker=not bpy.app.background)

    def execute(self, context):
        return self._recut(context, use_worker=False)

    def _recut(self, context, use_worker):
        summaries = []
        on_daemon = []
        targets = target_objects(context)
        self._left_edit_mode = bool(ensure_object_mode(context))
        for obj in targets:
            state = obj.partfield
            if not state.job_id:
                continue
            if not state.has_tree:
                on_daemon.append(obj)
                continue
            try:
                parts = result_store.recut_local(obj, self.part_count)
            except (result_store.ResultError, TreeError) as error:
                self.report({'WARNING'}, str(error))
                continue
            summaries.append(f'{obj.name}: {parts} parts')

        jobs = [job for job in (self._daemon_job(context, obj) for obj in on_daemon) if job is not None]
        if jobs and use_worker:
            return self._start_worker(context, jobs, done=summaries)
        if jobs:
            return self._run_jobs_inline(context, jobs, done=summaries)
        if summaries:
            self.report({'INFO'}, '; '.join(summaries))
            return {'FINISHED'}
        return {'CANCELLED'}

    def _daemon_job(self, context, obj):
        prefs = client_settings(context)
        url = obj.partfield.daemon_url or prefs.url
        blocked = online_access_error(url)
        if blocked:
            self.report({'ERROR'}, blocked)
            return None
        try:
            client = DaemonClient(ClientSettings(url, prefs.token, prefs.timeout))
        except DaemonError as error:
            self.report({'ERROR'}, str(error))
            return None
        state = obj.partfield
        run = partial(_run_recut_job, client, state.job_id, self.part_count, state.method or None, state.leaf_count)
        return PendingJob(obj.name, run, _apply_daemon_recut)


def _run_recut_job(client, job_id, part_count, method, leaf_count, cancel, report):
    return run_recut(client, job_id, part_count, method, leaf_count)


def _apply_daemon_recut(obj, outcome):
    parts = result_store.apply_server_recut(obj, outcome)
    return f'{obj.name}: {parts} parts'


def recut_from_slider(context, obj):
    """Recut ``obj`` at its slider's part count; called by the slider's update callback."""
    state = obj.partfield
    status = context.window_manager.partfield_status
    if not state.job_id:
        return
    if not state.has_tree:
        status.message = f'{obj.name}: k-means result; press Recut on Daemon to apply {state.part_count} parts'
        return
    ensure_object_mode(context)
    try:
        parts = result_store.recut_local(obj, state.part_count)
    except (result_store.ResultError, TreeError) as error:
        status.message = str(error)
        return
    status.message = f'{obj.name}: {parts} parts'


class PARTFIELD_OT_separate_parts(bpy.types.Operator):
    """Make one object per part of each segmented mesh; the original is hidden, not deleted"""

    bl_idname = 'partfield.separate_parts'
    bl_label = 'Separate into Objects'
    bl_options = {'REGISTER', 'UNDO'}

    @classmethod
    def poll(cls, context):
        return not is_running() and any(apply_result.has_labels(obj) for obj in target_objects(context))

    def execute(self, context):
        objects = [obj for obj in target_objects(context) if apply_result.has_labels(obj)]
        ensure_object_mode(context)
        summaries = []
        created = []
        for obj in objects:
            parts = separate.separate_parts(obj)
            created.extend(parts)
            summaries.append(f'{obj.name}: {len(parts)} objects')
        if created:
            context.view_layer.objects.active = created[0]
        self.report({'INFO'}, '; '.join(summaries))
        return {'FINISHED'}


class PARTFIELD_OT_clear(bpy.types.Operator):
    """Remove part labels, part vertex groups, part colours and part materials from the selected meshes"""

    bl_idname = 'partfield.clear'
    bl_label = 'Clear Parts'
    bl_options = {'REGISTER', 'UNDO'}

    @classmethod
    def poll(cls, context):
        return not is_running() and bool(target_objects(context))

    def execute(self, context):
        cleared = 0
        targets = target_objects(context)
        ensure_object_mode(context)
        for obj in targets:
            if apply_result.has_labels(obj) or obj.partfield.job_id:
                cleared += 1
            apply_result.clear_labels(obj)
            result_store.forget_result(obj)
        self.report({'INFO'}, f'Cleared parts from {cleared} object(s)')
        return {'FINISHED'}


class PARTFIELD_OT_cancel(bpy.types.Operator):
    """Cancel the running segmentation and delete its job on the daemon (same as Esc)"""

    bl_idname = 'partfield.cancel'
    bl_label = 'Cancel'

    @classmethod
    def poll(cls, context):
        return is_running()

    def execute(self, context):
        _running['worker'].cancel()
        _set_status(context, True, context.window_manager.partfield_status.progress, 'Cancelling...')
        return {'FINISHED'}


class PARTFIELD_OT_check_connection(bpy.types.Operator):
    """Ask the daemon for its health: version, backend, device and queue"""

    bl_idname = 'partfield.check_connection'
    bl_label = 'Check Connection'

    def execute(self, context):
        settings = client_settings(context)
        blocked = online_access_error(settings.url)
        if blocked:
            self.report({'ERROR'}, blocked)
            return {'CANCELLED'}
        try:
            quick = ClientSettings(settings.url, settings.token, min(settings.timeout, CHECK_TIMEOUT))
            health = DaemonClient(quick).health()
        except DaemonError as error:
            self.report({'ERROR'}, str(error))
            return {'CANCELLED'}
        queue = health.get('queue') or {}
        self.report(
            {'INFO'},
            f"Daemon {health.get('version', '?')} at {settings.url}: backend {health.get('backend', '?')}, "
            f"device {health.get('device') or 'not loaded yet'}, {queue.get('running', 0)} running, "
            f"{queue.get('queued', 0)} queued",
        )
        return {'FINISHED'}


def _set_status(context, running, progress, message):
    status = context.window_manager.partfield_status
    status.running = running
    status.progress = max(0.0, min(1.0, progress))
    status.message = message
    workspace = getattr(context, 'workspace', None)
    if workspace is not None and not bpy.app.background:
        workspace.status_text_set(f'PartField: {message} (Esc to cancel)' if running else None)
    _tag_redraw(context)


def _tag_redraw(context):
    # Only the sidebar shows the status; the viewport redraws by itself when labels change the mesh.
    screen = getattr(context, 'screen', None)
    if screen is None:
        return
    for area in screen.areas:
        if area.type == 'VIEW_3D':
            for region in area.regions:
                if region.type == 'UI':
                    region.tag_redraw()


CLASSES = (
    PARTFIELD_OT_segment_selected,
    PARTFIELD_OT_recut,
    PARTFIELD_OT_separate_parts,
    PARTFIELD_OT_clear,
    PARTFIELD_OT_cancel,
    PARTFIELD_OT_check_connection,
)
