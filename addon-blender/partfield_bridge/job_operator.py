"""The part of Segment Selected and Recut that runs daemon requests and shows their progress.

Daemon requests run on a worker thread while a modal operator drains its messages on a timer,
so the UI stays responsive and Esc cancels. On Esc the worker deletes the job on the daemon, which
may take a few seconds, and the status then reads "Cancelled". In background mode (``blender -b``)
there is no event loop, so the same requests run synchronously inside ``execute``.
"""

import logging
from dataclasses import dataclass
from functools import partial

import bpy

from . import result_store
from .messages import plural
from .modes import ensure_object_mode
from .worker import Task, Worker, run_inline

__all__ = ['CANCELLING', 'PendingJob', 'DaemonJobOperator', 'is_running', 'running_worker', 'set_status', 'tag_redraw']

log = logging.getLogger(__name__)

#: Seconds between drains of the worker's messages while a job runs.
TIMER_INTERVAL = 0.1
#: Seconds the status bar keeps the outcome of a job (done, cancelled, failed).
OUTCOME_SECONDS = 6.0
#: Status from Esc until the worker has deleted the job on the daemon.
CANCELLING = 'Cancelling; deleting the job on the daemon...'

# The worker of the running modal operator, so the panel's Cancel button can reach it.
_running = {'worker': None}
# Counts status bar texts, so a timer only clears the text it set.
_status_bar = {'serial': 0}


def is_running():
    return _running['worker'] is not None


def running_worker():
    return _running['worker']


@dataclass
class PendingJob:
    """A daemon request for one object and how to write its outcome back onto the object."""

    object_name: str
    run: object
    #: apply(obj, outcome) -> short summary for the final report
    apply: object


class DaemonJobOperator:
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
        set_status(context, True, 0.0, f'Sending {plural(len(jobs), "mesh", "meshes")} to the daemon')
        return {'RUNNING_MODAL'}

    def modal(self, context, event):
        try:
            return self._modal_step(context, event)
        except Exception as error:  # noqa: BLE001 - a bug here must not leave the job marked running forever
            log.exception('PartField modal operator failed')
            self._worker.cancel()
            self._stop_timer(context)
            set_status(context, False, 0.0, f'Internal error: {error!r}')
            self.report({'ERROR'}, f'Internal error in the PartField add-on: {error!r}. See the system console for details.')
            return {'CANCELLED'}

    def _modal_step(self, context, event):
        if event.type == 'ESC' and event.value == 'PRESS':
            # Only sets an event: the worker thread sends the DELETE, so Blender does not wait for it.
            self._worker.cancel()
            set_status(context, True, self._overall, CANCELLING)
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
        set_status(context, False, 0.0, 'Cancelled')

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
        set_status(context, True, self._overall, CANCELLING if cancelling else text)

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
            parts = list(self._summaries)
            if self._cancelled:
                parts.append(f'cancelled: {", ".join(self._cancelled)}')
            text = '; '.join(parts)
            set_status(context, False, 1.0, text)
            note = ' (now in Object Mode; Ctrl+Z returns to Edit Mode)' if getattr(self, '_left_edit_mode', False) else ''
            self.report({'INFO'}, text + note)
        elif self._cancelled:
            set_status(context, False, 0.0, 'Cancelled')
            self.report({'INFO'}, 'Cancelled; the daemon job was deleted.')
        else:
            set_status(context, False, 0.0, self._errors[0] if self._errors else 'Nothing done')
        tag_redraw(context)
        # FINISHED whenever something was written, so Ctrl+Z has an undo step to go back over.
        return {'FINISHED'} if self._summaries else {'CANCELLED'}



def set_status(context, running, progress, message):
    """Show a job's state in the sidebar and the status bar; an outcome stays a few seconds."""
    status = context.window_manager.partfield_status
    status.running = running
    status.progress = max(0.0, min(1.0, progress))
    status.message = message
    workspace = getattr(context, 'workspace', None)
    if workspace is not None and not bpy.app.background:
        _status_bar['serial'] += 1
        if running:
            workspace.status_text_set(f'PartField: {message} (Esc to cancel)')
        else:
            # Blender's own report banner needs an active window to show, so the outcome also
            # stays in the status bar for a moment.
            workspace.status_text_set(f'PartField: {message}')
            bpy.app.timers.register(
                partial(_clear_status_bar, context.window, _status_bar['serial']), first_interval=OUTCOME_SECONDS,
            )
    tag_redraw(context)


def _clear_status_bar(window, serial):
    if serial != _status_bar['serial'] or window is None:
        return None
    try:
        # The status text belongs to the context's workspace, and a timer runs without a window.
        with bpy.context.temp_override(window=window):
            window.workspace.status_text_set(None)
    except (ReferenceError, TypeError):
        # The window closed, or a new file replaced it, meanwhile; either way the text is gone.
        pass
    return None


def tag_redraw(context):
    # Only the sidebar shows the status; the viewport redraws by itself when labels change the mesh.
    screen = getattr(context, 'screen', None)
    if screen is None:
        return
    for area in screen.areas:
        if area.type == 'VIEW_3D':
            for region in area.regions:
                if region.type == 'UI':
                    region.tag_redraw()
