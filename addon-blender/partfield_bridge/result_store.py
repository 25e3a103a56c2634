"""Keep each object's segmentation with the object, so the part slider recuts without the daemon.

The merge tree and the leaf-to-face map are stored as bytes in custom properties (names starting
with an underscore, which Blender hides from the Custom Properties panel). Being ID data, they are
saved in the .blend file and follow undo like the labels themselves.
"""

from dataclasses import dataclass

import numpy as np

from . import apply_result
from .part_tree import PartTree, cut_tree, vote_labels

__all__ = ['StoredResult', 'apply_outcome', 'load_result', 'recut_local', 'forget_result', 'ResultError']

_MERGES = '_partfield_merges'
_LEAF_POLYGON = '_partfield_leaf_polygon'
_LEAF_WEIGHT = '_partfield_leaf_weight'


class ResultError(Exception):
    """Raised when a stored result no longer fits its object; the message tells the user what to do."""


@dataclass
class StoredResult:
    tree: PartTree
    leaf_polygon: np.ndarray
    leaf_weight: np.ndarray
    polygon_count: int


def apply_outcome(obj, payload, outcome, daemon_url, make_materials):
    """Write a daemon result onto ``obj`` and store what a local recut needs; return part count."""
    _check_topology(obj, payload.polygon_count)
    labels = vote_labels(outcome.labels, payload.leaf_polygon, payload.leaf_weight, payload.polygon_count)
    part_count = max(outcome.part_count, int(labels.max()) + 1 if len(labels) else 0)
    apply_result.write_labels(obj, labels, part_count, make_materials)

    obj[_LEAF_POLYGON] = payload.leaf_polygon.astype('<i4').tobytes()
    obj[_LEAF_WEIGHT] = payload.leaf_weight.astype('<f4').tobytes()
    if outcome.tree is not None:
        obj[_MERGES] = outcome.tree.merges.astype('<i4').tobytes()
    elif _MERGES in obj:
        del obj[_MERGES]

    state = obj.partfield
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
    state = obj.partfield
    if not state.has_tree or _MERGES not in obj:
        raise ResultError(
            f'"{obj.name}" has no merge tree to recut (k-means results have none). '
            'Recut on the daemon, or run Segment Selected with the Agglomerative method.'
        )
    _check_topology(obj, state.polygon_count)
    leaf_polygon = np.frombuffer(bytes(obj[_LEAF_POLYGON]), dtype='<i4')
    leaf_weight = np.frombuffer(bytes(obj[_LEAF_WEIGHT]), dtype='<f4')
    merges = np.frombuffer(bytes(obj[_MERGES]), dtype='<i4')
    return StoredResult(PartTree(len(leaf_polygon), merges), leaf_polygon, leaf_weight, state.polygon_count)


def recut_local(obj, part_count):
    """Cut the stored tree of ``obj`` into ``part_count`` parts and rewrite its labels."""
    stored = load_result(obj)
    leaf_labels = cut_tree(stored.tree, part_count)
    labels = vote_labels(leaf_labels, stored.leaf_polygon, stored.leaf_weight, stored.polygon_count)
    parts = int(leaf_labels.max()) + 1 if len(leaf_labels) else 0
    apply_result.write_labels(obj, labels, parts, obj.partfield.make_materials)
    obj.partfield['part_count'] = parts
    return parts


def apply_server_recut(obj, outcome):
    """Write the labels of a recut the daemon computed (k-means) onto ``obj``."""
    state = obj.partfield
    _check_topology(obj, state.polygon_count)
    leaf_polygon = np.frombuffer(bytes(obj[_LEAF_POLYGON]), dtype='<i4')
    leaf_weight = np.frombuffer(bytes(obj[_LEAF_WEIGHT]), dtype='<f4')
    labels = vote_labels(outcome.labels, leaf_polygon, leaf_weight, state.polygon_count)
    apply_result.write_labels(obj, labels, outcome.part_count, state.make_materials)
    state['part_count'] = outcome.part_count
    return outcome.part_count


def forget_result(obj):
    for key in (_MERGES, _LEAF_POLYGON, _LEAF_WEIGHT):
        if key in obj:
            del obj[key]
    state = obj.partfield
    state.job_id = ''
    state.has_tree = False
    state.leaf_count = 0
    state.polygon_count = 0
    state['part_count'] = 0


def _check_topology(obj, polygon_count):
    faces = len(obj.data.polygons)
    if faces != polygon_count:
        raise ResultError(
            f'"{obj.name}" now has {faces} faces but was segmented with {polygon_count}; '
            'run Segment Selected again.'
        )
