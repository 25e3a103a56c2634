"""Split a labelled object into one object per part.

Each part starts as a full copy of the object (mesh, modifiers, materials, UVs, attributes) and
keeps only its own faces, so nothing the user set up is lost. The original object is hidden, not
deleted, so the parts can be compared with it and Ctrl+Z brings everything back.
"""

import bmesh
import numpy as np

from . import apply_result

__all__ = ['separate_parts']

# Custom properties of a segmented object that describe the whole mesh, not one part.
_RESULT_KEYS = ('_partfield_merges', '_partfield_leaf_polygon', '_partfield_leaf_weight')


def separate_parts(obj):
    """Create one object per part of ``obj`` (in Object Mode); return the new objects."""
    labels = apply_result.read_labels(obj)
    if labels is None:
        raise ValueError(f'"{obj.name}" has no part labels; run Segment Selected first.')

    created = []
    for label in np.unique(labels[labels >= 0]):
        created.append(_make_part(obj, labels, int(label)))

    obj.hide_set(True)
    obj.select_set(False)
    for part in created:
        part.select_set(True)
    return created


def _make_part(obj, labels, label):
    name = f'{obj.name}.{apply_result.group_name(label)}'
    mesh = obj.data.copy()
    mesh.name = name

    bm = bmesh.new()
    try:
        bm.from_mesh(mesh)
        bm.faces.ensure_lookup_table()
        others = [bm.faces[i] for i in np.flatnonzero(labels != label)]
        # FACES removes the faces and any edge or vertex left without a face.
        bmesh.ops.delete(bm, geom=others, context='FACES')
        bm.to_mesh(mesh)
    finally:
        bm.free()

    part = obj.copy()
    part.data = mesh
    part.name = name
    for key in _RESULT_KEYS:
        if key in part:
            del part[key]
    part.partfield.job_id = ''
    part.partfield.has_tree = False
    part.partfield['part_count'] = 0
    for group in [g for g in part.vertex_groups if g.name.startswith('Part_') and g.name != apply_result.group_name(label)]:
        part.vertex_groups.remove(group)

    for collection in obj.users_collection:
        collection.objects.link(part)
    return part
