"""Split a labelled object into one object per part.

With ``apply_modifiers`` (the default), each part is cut from the mesh the modifier stack gives
the original, and the part objects have no modifiers: the parts look exactly like the pieces of
the original shape and meet without gaps. Kept on each part instead, Subdivision and Bevel would
round every part's open border on its own, so the parts would shrink apart. The stack copies
the ``part`` face attribute onto the faces it derives, so each derived face has its part.

Without it, each part is a copy of the object's own mesh (modifiers, materials, UVs, attributes)
that keeps only its faces, and keeps the modifier stack.

The original object is hidden, not deleted, so the parts can be compared with it and Ctrl+Z
brings everything back.
"""

import bmesh
import bpy
import numpy as np

from . import apply_result
from .result_store import RESULT_KEYS

__all__ = ['SeparateError', 'separate_parts']


class SeparateError(Exception):
    """Raised when an object cannot be separated; the message names it and what to do."""


def separate_parts(context, obj, apply_modifiers=True):
    """Create one object per part of ``obj`` (in Object Mode); return the new objects."""
    labels = apply_result.read_labels(obj)
    if labels is None:
        raise SeparateError(f'"{obj.name}" has no part labels; run Segment Selected first.')

    source = obj.data
    temporary = None
    if apply_modifiers and any(modifier.show_viewport for modifier in obj.modifiers):
        temporary = _evaluated_copy(context, obj)
        source = temporary
        labels = apply_result.read_labels_of_mesh(temporary)

    try:
        created = [_make_part(obj, source, labels, int(label), temporary is not None)
                   for label in np.unique(labels[labels >= 0])]
    finally:
        if temporary is not None:
            bpy.data.meshes.remove(temporary)

    obj.hide_set(True)
    obj.select_set(False)
    for part in created:
        part.select_set(True)
    return created


def _evaluated_copy(context, obj):
    """Return a new mesh of ``obj`` as its modifiers shape it, with all attributes and groups."""
    depsgraph = context.evaluated_depsgraph_get()
    mesh = bpy.data.meshes.new_from_object(
        obj.evaluated_get(depsgraph), preserve_all_data_layers=True, depsgraph=depsgraph,
    )
    if apply_result.read_labels_of_mesh(mesh) is None:
        bpy.data.meshes.remove(mesh)
        raise SeparateError(
            f'The modifiers of "{obj.name}" drop the part labels, so its parts cannot be cut from the '
            'modified shape. Turn off Apply Modifiers, or apply the modifiers and segment again.'
        )
    return mesh


def _make_part(obj, source, labels, label, modifiers_applied):
    name = f'{obj.name}.{apply_result.group_name(label)}'
    mesh = source.copy()
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

    # A part is no longer segmented as a whole: drop the stored result that came with the copy.
    for key in RESULT_KEYS:
        if key in mesh:
            del mesh[key]
    mesh.partfield.job_id = ''
    mesh.partfield.has_tree = False
    mesh.partfield['part_count'] = 0

    part = obj.copy()
    part.data = mesh
    part.name = name
    if modifiers_applied:
        part.modifiers.clear()
    own_group = apply_result.group_name(label)
    for group in [g for g in part.vertex_groups if apply_result.is_part_group(g.name) and g.name != own_group]:
        part.vertex_groups.remove(group)

    for collection in obj.users_collection:
        collection.objects.link(part)
    return part
