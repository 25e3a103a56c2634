"""One segmentation job on the daemon, from request to parsed result, without bpy.

These functions block, so the operator runs them on a worker thread (or directly in background
mode) and passes progress back through the ``on_progress`` callback.
"""

import logging
import time
from dataclasses import dataclass, field

import numpy as np

from .client import DaemonError
from .messages import mesh_too_large, plural, with_daemon_message
from .part_tree import PartTree, TreeError

__all__ = [
    'JobCancelled', 'JobProgress', 'SegmentOutcome', 'build_request', 'check_face_limit', 'run_segment', 'run_recut',
]

log = logging.getLogger(__name__)

#: Seconds between status requests while a job runs.
POLL_INTERVAL = 0.3
#: Maximum seconds to wait for room in a full daemon queue before reporting the 429 error.
MAX_QUEUE_WAIT = 600.0
#: Seconds to wait before resubmitting when a 429 response has no Retry-After header.
DEFAULT_RETRY_AFTER = 2.0


class JobCancelled(Exception):
    """Raised in the worker when the user cancelled; the daemon job has been deleted."""


@dataclass
class JobProgress:
    """Job state and progress, for the status line."""

    job_id: str
    state: str
    stage: str = ''
    #: Fraction of the whole job done, 0..1.
    progress: float = 0.0
    queue_position: int = 0


@dataclass
class SegmentOutcome:
    """A finished job's labels and merge tree, checked against the request."""

    job_id: str
    #: int32 label per leaf (per face or triangle sent), 0..part_count-1.
    labels: np.ndarray
    part_count: int
    method: str
    tree: PartTree = None
    backend: str = ''
    device: str = ''
    warnings: list = field(default_factory=list)
    auto_part_count: bool = False


def build_request(name, positions, triangles, polygons, params):
    """Assemble the POST /v1/segment body: float32 positions, uint32 triangles and face ids."""
    mesh = {
        'positions': np.ascontiguousarray(positions, dtype='<f4'),
        'triangles': np.ascontiguousarray(triangles, dtype='<u4'),
    }
    if polygons is not None:
        mesh['polygons'] = np.ascontiguousarray(polygons, dtype='<u4')
    return {'name': name, 'params': dict(params), 'mesh': mesh}


def run_segment(client, request, leaf_count, cancel, on_progress=None, size=None):
    """Submit ``request``, follow the job until it ends and return its ``SegmentOutcome``.

    ``cancel`` is a ``threading.Event``; once set, the job is deleted on the daemon and
    ``JobCancelled`` is raised. ``leaf_count`` is the number of labels the result must carry.
    ``size`` (a ``MeshSize``) makes a mesh over the daemon's limits fail with its numbers.
    """
    report = on_progress or (lambda progress: None)
    name = str(request.get('name') or 'mesh')
    if size is not None:
        check_face_limit(client, name, size)
    try:
        job = _submit_when_queue_has_room(client, request, cancel, report)
    except DaemonError as error:
        if error.status != 413:
            raise
        text = mesh_too_large(name, size, client.base_url, upload=error.code == 'too-large')
        raise DaemonError(
            with_daemon_message(text, 413, error.daemon_message),
            status=413, code=error.code, reason=error.reason, daemon_message=error.daemon_message,
        ) from None
    job_id = str(job.get('id', ''))
    if not job_id:
        raise DaemonError('The daemon accepted the mesh but returned no job id. Check that Daemon URL points at a PartField bridge daemon.')
    log.info('job %s submitted: %d leaves', job_id, leaf_count)

    try:
        status = job
        while not _finished(status):
            report(_progress_of(job_id, status))
            if cancel.wait(POLL_INTERVAL):
                raise JobCancelled()
            status = client.job_status(job_id)
        report(_progress_of(job_id, status))
        _raise_for_state(job_id, status)
        result = client.job_result(job_id)
    except JobCancelled:
        _delete_quietly(client, job_id)
        raise
    return parse_result(result, job_id, leaf_count)


def check_face_limit(client, name, size):
    """Raise ``DaemonError`` (413) when ``size.triangles`` exceeds the daemon's face limit.

    The limit is compared with triangles, which is what the daemon computes on. The daemon rejects
    a bigger mesh only after the upload, so asking /v1/health first saves sending megabytes for
    nothing. A daemon without that endpoint (404) or without published limits is not checked here.
    """
    try:
        health = client.health()
    except DaemonError as error:
        if error.status == 404:
            return
        raise
    limits = health.get('limits') if isinstance(health, dict) else None
    limit = limits.get('maxFaces') if isinstance(limits, dict) else None
    if not isinstance(limit, int) or size.triangles <= limit:
        return
    log.info('%s: %d triangles over the daemon limit of %d; not sent', name, size.triangles, limit)
    raise DaemonError(mesh_too_large(name, size, client.base_url, limit=limit), status=413, code='too-many-faces')


def run_recut(client, job_id, part_count, method, leaf_count):
    """Ask the daemon to recut a stored job (k-means results have no tree to cut locally)."""
    result = client.recut(job_id, part_count, method)
    return parse_result(result, job_id, leaf_count)


def parse_result(result, job_id, leaf_count):
    """Turn a result map into a ``SegmentOutcome``; raise ``DaemonError`` when it does not fit."""
    if not isinstance(result, dict):
        raise DaemonError(f'The daemon returned a {type(result).__name__} as the result of job {job_id}; expected a map.')
    labels = _typed(result.get('labels'), '<i4', 'labels', job_id)
    if len(labels) != leaf_count:
        raise DaemonError(
            f'The daemon returned {plural(len(labels), "label")} for job {job_id}, but the add-on sent {plural(leaf_count, "face")}. '
            'The daemon may be a different version; update the add-on or the daemon.'
        )

    tree = None
    raw_tree = result.get('tree')
    if isinstance(raw_tree, dict):
        merges = _typed(raw_tree.get('merges'), '<i4', 'tree.merges', job_id)
        try:
            tree = PartTree(int(raw_tree.get('leafCount', leaf_count)), merges)
        except TreeError as error:
            raise DaemonError(f'The daemon returned an invalid merge tree for job {job_id}: {error}') from None
        if tree.leaf_count != leaf_count:
            raise DaemonError(f'The merge tree of job {job_id} has {plural(tree.leaf_count, "leaf", "leaves")} for {plural(leaf_count, "face")}.')

    return SegmentOutcome(
        job_id=job_id,
        labels=labels,
        part_count=int(result.get('partCount') or (int(labels.max()) + 1 if len(labels) else 0)),
        method=str(result.get('method') or ''),
        tree=tree,
        backend=str(result.get('backend') or ''),
        device=str(result.get('device') or ''),
        warnings=[str(w) for w in result.get('warnings') or []],
        auto_part_count=bool(result.get('autoPartCount')),
    )


def _submit_when_queue_has_room(client, request, cancel, report):
    deadline = time.monotonic() + MAX_QUEUE_WAIT
    while True:
        try:
            return client.submit(request)
        except DaemonError as error:
            if error.status != 429 or time.monotonic() > deadline:
                raise
            wait = error.retry_after if error.retry_after is not None else DEFAULT_RETRY_AFTER
            log.info('daemon queue full, resubmitting in %.1f s', wait)
            report(JobProgress(job_id='', state='queue full'))
            if cancel.wait(min(wait, max(0.0, deadline - time.monotonic()))):
                raise JobCancelled() from None


def _finished(status):
    return status.get('state') in ('succeeded', 'failed', 'cancelled')


def _raise_for_state(job_id, status):
    state = status.get('state')
    if state == 'succeeded':
        return
    error = status.get('error') or {}
    message = error.get('message') if isinstance(error, dict) else str(error)
    if state == 'cancelled':
        raise DaemonError(f'Job {job_id} was cancelled on the daemon. Run Segment Selected again.')
    raise DaemonError(f'The PartField daemon could not segment the mesh: {message or "no reason given"}')


def _progress_of(job_id, status):
    return JobProgress(
        job_id=job_id,
        state=str(status.get('state') or ''),
        stage=str(status.get('stage') or ''),
        progress=float(status.get('progress') or 0.0),
        queue_position=int(status.get('queuePosition') or 0),
    )


def _delete_quietly(client, job_id):
    try:
        client.delete_job(job_id)
        log.info('job %s cancelled and deleted on the daemon', job_id)
    except DaemonError as error:
        # The user asked to stop; a daemon that is gone has nothing left to cancel.
        log.warning('could not delete cancelled job %s: %s', job_id, error)


def _typed(value, dtype, name, job_id):
    """Read a typed-array field: MessagePack ``bin`` of little-endian values, or a JSON list."""
    if isinstance(value, (bytes, bytearray)):
        width = np.dtype(dtype).itemsize
        if len(value) % width:
            raise DaemonError(f'Field {name} of job {job_id} has {len(value)} bytes, not a whole number of {width}-byte values.')
        return np.frombuffer(value, dtype=dtype).astype(np.dtype(dtype).newbyteorder('='))
    if isinstance(value, list):
        return np.asarray(value, dtype=np.dtype(dtype).newbyteorder('='))
    raise DaemonError(f'The result of job {job_id} has no usable {name} field.')
