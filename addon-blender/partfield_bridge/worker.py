"""Run daemon requests off Blender's main thread, without bpy.

bpy may only be used from the main thread, so the worker thread only sends HTTP requests and posts
messages to a queue. A modal operator drains the queue on a timer and writes results to Blender
data. Background mode has no event loop to drain it, so ``run_inline`` runs the same tasks on the
calling thread instead.
"""

import logging
import queue
import threading
from dataclasses import dataclass

from .client import DaemonError
from .segment_job import JobCancelled

__all__ = ['Task', 'Message', 'Worker', 'run_inline']

log = logging.getLogger(__name__)


@dataclass
class Task:
    """One request to run: ``run(cancel_event, report)`` returns a value for the main thread."""

    key: str
    run: object


@dataclass
class Message:
    """Event of a task: ``kind`` is progress, done, error, cancelled, or finished (after all tasks)."""

    kind: str
    key: str = ''
    value: object = None


class Worker:
    """Runs tasks one after another on a daemon thread and posts ``Message``s to a queue."""

    def __init__(self, tasks):
        self.tasks = list(tasks)
        self.cancel_event = threading.Event()
        self.messages = queue.Queue()
        self.thread = threading.Thread(target=self._run_all, name='partfield-worker', daemon=True)

    def start(self):
        self.thread.start()

    def cancel(self):
        self.cancel_event.set()

    def drain(self):
        """Return the messages posted since the last call, oldest first, without waiting for more."""
        drained = []
        while True:
            try:
                drained.append(self.messages.get_nowait())
            except queue.Empty:
                return drained

    def _run_all(self):
        for task in self.tasks:
            if self.cancel_event.is_set():
                self.messages.put(Message('cancelled', task.key))
                continue
            self.messages.put(_run_task(task, self.cancel_event, self.messages.put))
        self.messages.put(Message('finished'))


def run_inline(tasks, on_message, cancel_event=None):
    """Run tasks on the calling thread, passing each ``Message`` to ``on_message`` as it happens."""
    cancel_event = cancel_event or threading.Event()
    for task in tasks:
        on_message(_run_task(task, cancel_event, on_message))
    on_message(Message('finished'))


def _run_task(task, cancel_event, post):
    def report(progress):
        post(Message('progress', task.key, progress))

    try:
        return Message('done', task.key, task.run(cancel_event, report))
    except JobCancelled:
        return Message('cancelled', task.key)
    except DaemonError as error:
        return Message('error', task.key, str(error))
    except Exception as error:  # noqa: BLE001 - the thread boundary: anything left is a bug to report, not to lose
        log.exception('PartField task %s failed', task.key)
        return Message('error', task.key, f'Internal error in the PartField add-on: {error!r}. See the system console for details.')
