"""Merge-tree cuts and label bookkeeping, without bpy.

The daemon returns its agglomerative merge tree in SciPy's linkage convention: leaves are
0..leaf_count-1 and merge ``m`` creates node ``leaf_count + m`` from the two node ids at
``merges[2m]`` and ``merges[2m + 1]``. ``cut_tree`` gives exactly the labels the daemon's own cut
(protocol/src/part-tree.ts, ``cutTree``) gives, so the part slider recuts without a request.
"""

import numpy as np

__all__ = ['PartTree', 'TreeError', 'cut_tree', 'vote_labels']


class TreeError(ValueError):
    """Raised for a merge tree whose node ids do not describe a forest over its leaves."""


class PartTree:
    """A validated merge tree: ``merges`` is an int32 array of shape (merge_count, 2)."""

    __slots__ = ('leaf_count', 'merges')

    def __init__(self, leaf_count, merges):
        merges = np.asarray(merges, dtype=np.int64).reshape(-1, 2)
        _check_tree(leaf_count, merges)
        self.leaf_count = int(leaf_count)
        self.merges = merges

    @property
    def merge_count(self):
        return len(self.merges)

    @property
    def min_parts(self):
        """Minimum part count of a cut: more than 1 when the tree is a forest (a disconnected mesh)."""
        return max(1, self.leaf_count - self.merge_count)


def _check_tree(leaf_count, merges):
    if leaf_count < 0:
        raise TreeError(f'invalid leaf count {leaf_count}; expected 0 or more')
    if len(merges) > max(0, leaf_count - 1):
        raise TreeError(f'{len(merges)} merges for {leaf_count} leaves; expected at most {max(0, leaf_count - 1)}')
    if len(merges) == 0:
        return

    # Merge m may only join leaves and nodes made by earlier merges, and each node joins once.
    limit = leaf_count + np.arange(len(merges), dtype=np.int64)
    bad = np.nonzero((merges.min(axis=1) < 0) | (merges.max(axis=1) >= limit))[0]
    if len(bad):
        m = int(bad[0])
        raise TreeError(
            f'merge {m} joins nodes {merges[m, 0]} and {merges[m, 1]}; '
            f'expected ids from 0 to {leaf_count + m - 1}'
        )
    uses = np.bincount(merges.ravel(), minlength=leaf_count + len(merges))
    twice = np.nonzero(uses > 1)[0]
    if len(twice):
        raise TreeError(f'node {int(twice[0])} is merged {int(uses[twice[0]])} times; expected once')


def cut_tree(tree, k):
    """Cut ``tree`` into ``k`` parts by undoing its last k - 1 merges; return int32 leaf labels.

    Labels are numbered 0..parts-1 in order of each part's lowest leaf, like the daemon's cut. A
    forest cannot go below its component count, so the result may have more than ``k`` parts.
    """
    leaf_count = tree.leaf_count
    parts = max(1, int(k))
    applied = max(0, min(tree.merge_count, leaf_count - parts))

    # parent[node] is the node that merge swallowed it into; roots point at themselves.
    node_count = leaf_count + applied
    parent = np.arange(node_count, dtype=np.int64)
    if applied:
        created = leaf_count + np.arange(applied, dtype=np.int64)
        parent[tree.merges[:applied, 0]] = created
        parent[tree.merges[:applied, 1]] = created

    # Pointer jumping: each pass halves every path, so about log2(depth) passes reach the roots.
    while True:
        jumped = parent[parent]
        if np.array_equal(jumped, parent):
            break
        parent = jumped

    return _number_by_first_leaf(parent[:leaf_count])


def _number_by_first_leaf(roots):
    if len(roots) == 0:
        return np.zeros(0, dtype=np.int32)
    unique_roots, first_leaf, inverse = np.unique(roots, return_index=True, return_inverse=True)
    rank = np.empty(len(unique_roots), dtype=np.int32)
    rank[np.argsort(first_leaf, kind='stable')] = np.arange(len(unique_roots), dtype=np.int32)
    return rank[inverse.reshape(-1)]


def vote_labels(leaf_labels, leaf_polygon, leaf_weight, polygon_count):
    """Give each polygon the label whose leaves cover most of it by weight (area).

    ``leaf_polygon[i]`` is the polygon leaf ``i`` belongs to. A polygon that several leaves share
    (the triangles of a quad or n-gon, or the copies a modifier made of it) takes the label with
    the largest summed weight, the lower label on a tie. Polygons with no labelled leaf get -1.
    """
    leaf_labels = np.asarray(leaf_labels, dtype=np.int64)
    leaf_polygon = np.asarray(leaf_polygon, dtype=np.int64)
    leaf_weight = np.asarray(leaf_weight, dtype=np.float64)
    result = np.full(polygon_count, -1, dtype=np.int32)

    keep = leaf_labels >= 0
    if not keep.any():
        return result
    labels = leaf_labels[keep]
    polygons = leaf_polygon[keep]
    span = int(labels.max()) + 1

    # Sum weights per (polygon, label) pair, then take each polygon's heaviest pair.
    pair_keys, pair_of_leaf = np.unique(polygons * span + labels, return_inverse=True)
    totals = np.bincount(pair_of_leaf.reshape(-1), weights=leaf_weight[keep])
    pair_polygon = pair_keys // span
    order = np.lexsort((-totals, pair_polygon))
    first = np.ones(len(order), dtype=bool)
    first[1:] = pair_polygon[order][1:] != pair_polygon[order][:-1]
    winners = order[first]
    result[pair_polygon[winners]] = (pair_keys[winners] % span).astype(np.int32)
    return result
