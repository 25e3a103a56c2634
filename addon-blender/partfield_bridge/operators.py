"""Operators that talk to the daemon: Segment Selected, Recut, Cancel and Check Connection.

Segment Selected and Recut have no redo panel (no 'REGISTER'): Blender's Adjust Last Operation
re-runs an operator synchronously on every change, which here would mean a whole daemon job with
Blender frozen. They still push one undo step when they finish ('UNDO'), so Ctrl+Z works.
"""

import logging
from functools import partial

import bpy
from bpy.props import BoolProperty, EnumProperty, IntProperty

from . import result_store
from .client import ClientSettings, DaemonClient, DaemonError
from .job_operator import CANCELLING, DaemonJobOperator, PendingJob, is_running, running_worker, set_status
from .mesh_io import MeshReadError, read_mesh
from .messages import plural
from .modes import ensure_object_mode
from .part_operators import PARTFIELD_OT_clear, PARTFIELD_OT_separate_parts
from .part_tree import TreeError
from .preferences import client_settings, online_access_error
from .properties import ADJACENCY_ITEMS, BACKEND_ITEMS, METHOD_ITEMS, SLIDER_MAX_PARTS, part_count_property
from .segment_job import build_request, run_recut, run_segment
from .selection import one_object_per_mesh, poll_failed, segmented_objects, selection_problem, target_objects

__all__ = ['CLASSES', 'recut_from_slider']

log = logging.getLogger(__name__)

#: Maximum wait of the Check Connection button, even when the Timeout preference is longer.
CHECK_TIMEOUT = 10.0


def _segment_params(settings):
    params = {
        # The top of an automatic part count, so it stays in the slider's drag range.
        'max_clusters': SLIDER_MAX_PARTS,
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


class PARTFIELD_OT_segment_selected(DaemonJobOperator, bpy.types.Operator):
    """Send each selected mesh to the PartField daemon and write its parts as vertex groups, a face attribute and colours"""

    bl_idname = 'partfield.segment_selected'
    bl_label = 'Segment Selected'
    bl_options = {'UNDO'}

    # For scripts: a property left unset takes its value from the sidebar (Scene.partfield).
    part_count: part_count_property(default=8)
    auto_part_count: BoolProperty(name='Auto Part Count', default=False)
    method: EnumProperty(name='Method', items=METHOD_ITEMS, default='agglomerative')
    adjacency: EnumProperty(name='Adjacency', items=ADJACENCY_ITEMS, default='component_mst')
    points_per_face: IntProperty(name='Samples', min=1, max=10000, default=1000)
    backend: EnumProperty(name='Backend', items=BACKEND_ITEMS, default='auto')
    use_modifiers: BoolProperty(name='Use Modifiers', default=True)
    whole_faces: BoolProperty(name='Whole Faces', default=True)
    make_materials: BoolProperty(name='Materials', default=False)

    @classmethod
    def poll(cls, context):
        problem = selection_problem(context)
        return poll_failed(cls, problem) if problem else True

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

        targets = target_objects(context)
        # Linked duplicates share one mesh and so one set of labels: segment the mesh once.
        objects = one_object_per_mesh(targets)
        for obj in targets:
            if obj not in objects:
                self.report({'INFO'}, f'"{obj.name}" shares its mesh with another selected object; segmented once.')

        jobs = []
        self._left_edit_mode = bool(ensure_object_mode(context))
        for obj in objects:
            try:
                payload = read_mesh(context, obj, settings['use_modifiers'], settings['whole_faces'])
            except MeshReadError as error:
                self.report({'WARNING'}, str(error))
                continue
            request = build_request(obj.name, payload.positions, payload.triangles, payload.triangle_leaf, params)
            run = partial(_run_segment_job, client, request, payload.leaf_count, payload.size)
            apply = partial(_apply_segment, payload, client.base_url, settings['make_materials'])
            jobs.append(PendingJob(obj.name, run, apply))
        if not jobs:
            self.report({'ERROR'}, 'No selected mesh could be sent; see the warnings above.')
        return jobs


def _run_segment_job(client, request, leaf_count, size, cancel, report):
    return run_segment(client, request, leaf_count, cancel, report, size=size)


def _apply_segment(payload, daemon_url, make_materials, obj, outcome):
    parts = result_store.apply_outcome(obj, payload, outcome, daemon_url, make_materials)
    backend = f', {outcome.backend}' if outcome.backend else ''
    return f'{obj.name}: {plural(parts, "part")}{backend}'


class PARTFIELD_OT_recut(DaemonJobOperator, bpy.types.Operator):
    """Change the part count of segmented meshes: cut the stored merge tree, or ask the daemon for k-means results"""

    bl_idname = 'partfield.recut'
    bl_label = 'Recut'
    bl_options = {'UNDO'}

    part_count: part_count_property(default=8)

    @classmethod
    def poll(cls, context):
        problem = selection_problem(context)
        if problem:
            return poll_failed(cls, problem)
        if not segmented_objects(context):
            return poll_failed(cls, 'No segmentation is stored on the selected meshes; run Segment Selected first')
        return True

    def invoke(self, context, event):
        return self._recut(context, use_worker=not bpy.app.background)

    def execute(self, context):
        return self._recut(context, use_worker=False)

    def _recut(self, context, use_worker):
        summaries = []
        on_daemon = []
        objects = one_object_per_mesh(segmented_objects(context))
        self._left_edit_mode = bool(ensure_object_mode(context))
        for obj in objects:
            if not obj.data.partfield.has_tree:
                on_daemon.append(obj)
                continue
            try:
                parts = result_store.recut_local(obj, self.part_count)
            except (result_store.ResultError, TreeError) as error:
                self.report({'WARNING'}, str(error))
                continue
            summaries.append(f'{obj.name}: {plural(parts, "part")}')

        client = _daemon_client(self, context) if on_daemon else None
        jobs = [self._daemon_job(client, obj) for obj in on_daemon] if client else []
        if jobs and use_worker:
            return self._start_worker(context, jobs, done=summaries)
        if jobs:
            return self._run_jobs_inline(context, jobs, done=summaries)
        if summaries:
            set_status(context, False, 1.0, '; '.join(summaries))
            self.report({'INFO'}, '; '.join(summaries))
            return {'FINISHED'}
        return {'CANCELLED'}

    def _daemon_job(self, client, obj):
        # The daemon in the preferences, like every other request; the job may live elsewhere.
        state = obj.data.partfield
        run = partial(
            _run_recut_job, client, obj.name, state.job_id, state.daemon_url, self.part_count, state.method or None,
            state.leaf_count,
        )
        return PendingJob(obj.name, run, partial(_apply_daemon_recut, client.base_url))


def _run_recut_job(client, name, job_id, job_url, part_count, method, leaf_count, cancel, report):
    try:
        return run_recut(client, job_id, part_count, method, leaf_count)
    except DaemonError as error:
        if error.status != 404 or not job_url or job_url == client.base_url:
            raise
        raise DaemonError(
            f'"{name}" was segmented by the daemon at {job_url}, and the daemon at {client.base_url} '
            '(Daemon URL in the add-on preferences) does not have that job. Run Segment Selected again, '
            f'or set Daemon URL back to {job_url} if that daemon still runs.',
            status=404, code=error.code,
        ) from None


def _apply_daemon_recut(daemon_url, obj, outcome):
    parts = result_store.apply_server_recut(obj, outcome, daemon_url)
    return f'{obj.name}: {plural(parts, "part")}'


def recut_from_slider(context, mesh):
    """Recut ``mesh`` at its slider's part count; called by the slider's update callback."""
    state = mesh.partfield
    status = context.window_manager.partfield_status
    if not state.job_id:
        return
    obj = _object_showing(context, mesh)
    if obj is None:
        return
    if not state.has_tree:
        status.message = f'{obj.name}: k-means result; press Recut on Daemon'
        return
    ensure_object_mode(context)
    try:
        parts = result_store.recut_local(obj, state.part_count)
    except (result_store.ResultError, TreeError) as error:
        status.message = str(error)
        return
    status.message = f'{obj.name}: {plural(parts, "part")}'


def _object_showing(context, mesh):
    """Return the active object when it shows ``mesh``, otherwise any object that does."""
    active = getattr(context, 'active_object', None)
    if active is not None and active.data == mesh:
        return active
    return next((obj for obj in bpy.data.objects if obj.data == mesh), None)


class PARTFIELD_OT_cancel(bpy.types.Operator):
    """Cancel the running segmentation and delete its job on the daemon (same as Esc)"""

    bl_idname = 'partfield.cancel'
    bl_label = 'Cancel'

    @classmethod
    def poll(cls, context):
        return True if is_running() else poll_failed(cls, 'No PartField segmentation is running')

    def execute(self, context):
        # Only sets an event: the worker thread sends the DELETE and reports "Cancelled".
        running_worker().cancel()
        set_status(context, True, context.window_manager.partfield_status.progress, CANCELLING)
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


CLASSES = (
    PARTFIELD_OT_segment_selected,
    PARTFIELD_OT_recut,
    PARTFIELD_OT_separate_parts,
    PARTFIELD_OT_clear,
    PARTFIELD_OT_cancel,
    PARTFIELD_OT_check_connection,
)
