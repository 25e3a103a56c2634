"""Keep each mesh's segmentation with the mesh, so the part slider recuts without the daemon.

The labels, vertex groups (whose names Blender 3.0+ stores on the mesh) and colours live on the
mesh data, so the result that describes them does too: ``Mesh.partfield`` stores the job, part
count and method, and custom properties of the mesh store the merge tree and the leaf-to-face map
as bytes (names starting with an underscore, which Blender hides from the Custom Properties
panel). Linked duplicates share all of it, so recutting one updates the slider of every object
that shows the mesh. Being ID data, the result is saved in the .blend file and follows undo like
the labels themselves.
"""

from dataclasses import dataclass

import numpy as np

from . import apply_result
from .messages import plural
from .part_tree import PartTree, cut_tree, vote_labels

__all__ = [
    'StoredResult', 'RESULT_KEYS', 'result_state', 'apply_outcome', 'load_result', 'recut_local',
    'apply_server_recut', 'forget_result', 'migrate_object_result', 'ResultError',
]

_MERGES = '_partfield_merges'
_LEAF_POLYGON = '_partfield_leaf_polygon'
_LEAF_WEIGHT = '_partfield_leaf_weight'
#: Custom properties that describe a whole segmented mesh, not one of its parts.
RESULT_KEYS = (_MERGES, _LEAF_POLYGON, _LEAF_WEIGHT)
#: Fields of the result group, as add-on version 0.1.0 stored them on the object.
_STATE_FIELDS = ('job_id', 'daemon_url', 'method', 'backend', 'polygon_count', 'leaf_count', 'has_tree', 'make_materials')


class ResultError(Exception):
    """Raised when a stored result no longer fits its object; the message tells the user what to do."""


@dataclass
class StoredResult:
    tree: PartTree
    leaf_polygon: np.ndarray
    leaf_weight: np.ndarray
    polygon_count: int


def result_state(obj):
    """Return the ``Mesh.partfield`` result group of a mesh object, or None for other objects."""
    if obj is None or obj.type != 'MESH' or obj.data is None:
        return None
    return obj.data.partfield


def apply_outcome(obj, payload, outcome, daemon_url, make_materials):
    """Write a daemon result onto ``obj`` and store what a local recut needs; return part count."""
    _check_topology(obj, payload.polygon_count)
    labels = vote_labels(outcome.labels, payload.leaf_polygon, payload.leaf_weight, payload.polygon_count)
    part_count = max(outcome.part_count, int(labels.max()) + 1 if len(labels) else 0)
    apply_result.write_labels(obj, labels, part_count, make_materials)

    mesh = obj.data
    mesh[_LEAF_POLYGON] = payload.leaf_polygon.astype('<i4').tobytes()
    mesh[_LEAF_WEIGHT] = payload.leaf_weight.astype('<f4').tobytes()
    if outcome.tree is not None:
        mesh[_MERGES] = outcome.tree.merges.astype('<i4').tobytes()
    elif _MERGES in mesh:
        del mesh[_MERGES]

    state = mesh.partfield
    state.job_id = outcome.job_id
    state.daemon_url = daemon_url
    state.method = outcome.method
    state.backend = outcome.backend
    state.polygon_count = payload.polygon_count
    state.leaf_count = payload.leaf_count
    state.has_tree = outcome.tree is not None
    state.make_materials = make_materials
    # Item assignment skips the slider's update callback, which would recut again.
    state['part_count'] = part_count
    return part_count


def load_result(obj):
    """Return the stored ``StoredResult`` of ``obj``; raise ``ResultError`` when it is missing."""
    mesh = obj.data
    state = mesh.partfield
    if not state.has_tree or _MERGES not in mesh:
        raise ResultError(
            f'"{obj.name}" has no merge tree to recut (k-means results have none). '
            'Recut on the daemon, or run Segment Selected with the Agglomerative method.'
        )
    _check_topology(obj, state.polygon_count)
    leaf_polygon, leaf_weight = _leaves(mesh)
    merges = np.frombuffer(bytes(mesh[_MERGES]), dtype='<i4')
    return StoredResult(PartTree(len(leaf_polygon), merges), leaf_polygon, leaf_weight, state.polygon_count)


def recut_local(obj, part_count):
    """Cut the stored tree of ``obj`` into ``part_count`` parts and rewrite its labels."""
    stored = load_result(obj)
    leaf_labels = cut_tree(stored.tree, part_count)
    labels = vote_labels(leaf_labels, stored.leaf_polygon, stored.leaf_weight, stored.polygon_count)
    parts = int(leaf_labels.max()) + 1 if len(leaf_labels) else 0
    state = obj.data.partfield
    apply_result.write_labels(obj, labels, parts, state.make_materials)
    state['part_count'] = parts
    return parts


def apply_server_recut(obj, outcome, daemon_url):
    """Write the labels of a recut the daemon at ``daemon_url`` computed (k-means) onto ``obj``."""
    mesh = obj.data
    state = mesh.partfield
    _check_topology(obj, state.polygon_count)
    leaf_polygon, leaf_weight = _leaves(mesh)
    labels = vote_labels(outcome.labels, leaf_polygon, leaf_weight, state.polygon_count)
    apply_result.write_labels(obj, labels, outcome.part_count, state.make_materials)
    state['part_count'] = outcome.part_count
    state.daemon_url = daemon_url
    return outcome.part_count


def forget_result(mesh):
    """Remove the stored result of ``mesh`` (its labels are removed by ``apply_result.clear_labels``)."""
    for key in RESULT_KEYS:
        if key in mesh:
            del mesh[key]
    state = mesh.partfield
    state.job_id = ''
    state.has_tree = False
    state.leaf_count = 0
    state.polygon_count = 0
    state['part_count'] = 0


def migrate_object_result(obj):
    """Move a result that add-on version 0.1.0 stored on the object onto its mesh; True if moved.

    That version kept the result on the object, so linked duplicates disagreed about it. The old
    values stay readable as raw ID properties after the object property was unregistered.
    """
    legacy = obj.get('partfield')
    if obj.type != 'MESH' or obj.data is None or legacy is None or not hasattr(legacy, 'get'):
        return False
    mesh = obj.data
    moved = bool(legacy.get('job_id')) and not mesh.partfield.job_id
    if moved:
        state = mesh.partfield
        for name in _STATE_FIELDS:
            if name in legacy:
                setattr(state, name, type(getattr(state, name))(legacy[name]))
        state['part_count'] = int(legacy.get('part_count', 0))
        for key in RESULT_KEYS:
            if key in obj:
                mesh[key] = obj[key]
    for key in RESULT_KEYS:
        if key in obj:
            del obj[key]
    del obj['partfield']
    return moved


def _leaves(mesh):
    if _LEAF_POLYGON not in mesh or _LEAF_WEIGHT not in mesh:
        raise ResultError(f'The stored result of mesh "{mesh.name}" is incomplete; run Segment Selected again.')
    leaf_polygon = np.frombuffer(bytes(mesh[_LEAF_POLYGON]), dtype='<i4')
    leaf_weight = np.frombuffer(bytes(mesh[_LEAF_WEIGHT]), dtype='<f4')
    return leaf_polygon, leaf_weight


def _check_topology(obj, polygon_count):
    faces = len(obj.data.polygons)
    if faces != polygon_count:
        raise ResultError(
            f'"{obj.name}" now has {plural(faces, "face")} but was segmented with {polygon_count:,}; '
            'run Segment Selected again.'
        )
