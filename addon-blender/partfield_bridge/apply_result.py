"""Write part labels into Blender data artists already use, and remove them again.

One label per face of the base mesh (-1 for a face that got none) becomes:
- an INT face attribute ``part`` (geometry nodes and scripts read it),
- vertex groups ``Part_00``, ``Part_01``, ... (a vertex joins the group of every part it touches),
- a corner colour attribute ``PartField`` for the viewport's Attribute colour mode,
- optionally one material per part, remembering the faces' previous material indices. Part
  materials that no mesh uses any more are removed, so Clear and recuts leave no orphans.
Callers switch the object to Object Mode first; edit-mode data would overwrite these writes.
"""

import re

import bpy
import numpy as np

from .palette import part_color, srgb_to_linear

__all__ = [
    'PART_ATTRIBUTE', 'COLOR_ATTRIBUTE', 'group_name', 'is_part_group', 'write_labels', 'read_labels',
    'read_labels_of_mesh', 'clear_labels', 'has_labels',
]

PART_ATTRIBUTE = 'part'
COLOR_ATTRIBUTE = 'PartField'
MATERIAL_PREFIX = 'PartField Part '
#: Face attribute keeping the material indices that per-part materials replaced, for Clear.
MATERIAL_BACKUP_ATTRIBUTE = 'partfield_material_index'

_GROUP_PATTERN = re.compile(r'^Part_\d{2,}$')


def group_name(label):
    return f'Part_{label:02d}'


def is_part_group(name):
    """True for the name of a vertex group ``write_labels`` made (``Part_00``, ``Part_01``, ...)."""
    return bool(_GROUP_PATTERN.match(name))


def write_labels(obj, labels, part_count, make_materials=False):
    """Write ``labels`` (int per face of ``obj.data``) as attribute, groups, colours, materials."""
    mesh = obj.data
    labels = np.asarray(labels, dtype=np.int32)
    if len(labels) != len(mesh.polygons):
        raise ValueError(f'{len(labels)} labels for the {len(mesh.polygons)} faces of "{obj.name}"')

    _write_face_attribute(mesh, labels)
    _write_vertex_groups(obj, mesh, labels, part_count)
    _write_colors(mesh, labels)
    dropped = _restore_materials(mesh)
    if make_materials:
        _write_materials(mesh, labels, part_count)
    _remove_unused_materials(dropped)
    mesh.update()


def read_labels(obj):
    """Return the ``part`` face attribute of an object's mesh as int32, or None when it has none."""
    return read_labels_of_mesh(obj.data)


def read_labels_of_mesh(mesh):
    """Return the ``part`` face attribute of ``mesh`` as int32, or None when it has none."""
    attribute = mesh.attributes.get(PART_ATTRIBUTE)
    if attribute is None or attribute.domain != 'FACE' or attribute.data_type != 'INT':
        return None
    labels = np.empty(len(mesh.polygons), dtype=np.int32)
    attribute.data.foreach_get('value', labels)
    return labels


def has_labels(obj):
    return obj.type == 'MESH' and read_labels(obj) is not None


def clear_labels(obj):
    """Remove everything ``write_labels`` added and restore the faces' previous materials."""
    mesh = obj.data
    attribute = mesh.attributes.get(PART_ATTRIBUTE)
    if attribute is not None:
        mesh.attributes.remove(attribute)
    colors = mesh.color_attributes.get(COLOR_ATTRIBUTE)
    if colors is not None:
        mesh.color_attributes.remove(colors)
    _remove_part_groups(obj)
    _remove_unused_materials(_restore_materials(mesh))
    mesh.update()


def _write_face_attribute(mesh, labels):
    attribute = mesh.attributes.get(PART_ATTRIBUTE)
    if attribute is not None and (attribute.domain != 'FACE' or attribute.data_type != 'INT'):
        mesh.attributes.remove(attribute)
        attribute = None
    if attribute is None:
        attribute = mesh.attributes.new(PART_ATTRIBUTE, 'INT', 'FACE')
    attribute.data.foreach_set('value', labels)


def _remove_part_groups(obj):
    for group in [g for g in obj.vertex_groups if is_part_group(g.name)]:
        obj.vertex_groups.remove(group)


def _write_vertex_groups(obj, mesh, labels, part_count):
    _remove_part_groups(obj)

    # One (vertex, part) pair per corner of a labelled face, deduplicated.
    loop_totals = np.empty(len(mesh.polygons), dtype=np.int64)
    mesh.polygons.foreach_get('loop_total', loop_totals)
    loop_vertices = np.empty(len(mesh.loops), dtype=np.int64)
    mesh.loops.foreach_get('vertex_index', loop_vertices)
    loop_labels = np.repeat(labels.astype(np.int64), loop_totals)
    labelled = loop_labels >= 0
    span = max(part_count, 1)
    pairs = np.unique(loop_vertices[labelled] * span + loop_labels[labelled])
    pair_vertex = pairs // span
    pair_label = pairs % span

    order = np.argsort(pair_label, kind='stable')
    bounds = np.searchsorted(pair_label[order], np.arange(part_count + 1))
    for label in range(part_count):
        group = obj.vertex_groups.new(name=group_name(label))
        members = pair_vertex[order[bounds[label]:bounds[label + 1]]]
        if len(members):
            group.add(members.tolist(), 1.0, 'REPLACE')


def _write_colors(mesh, labels):
    colors = mesh.color_attributes.get(COLOR_ATTRIBUTE)
    if colors is not None:
        mesh.color_attributes.remove(colors)
    colors = mesh.color_attributes.new(COLOR_ATTRIBUTE, 'BYTE_COLOR', 'CORNER')

    # Byte colours are stored as sRGB but read and written through the API as linear floats.
    span = int(labels.max()) + 2 if len(labels) else 1
    table = np.array([_linear_rgba(label) for label in range(-1, span - 1)], dtype=np.float32)
    loop_totals = np.empty(len(mesh.polygons), dtype=np.int64)
    mesh.polygons.foreach_get('loop_total', loop_totals)
    loop_colors = table[np.repeat(labels.astype(np.int64) + 1, loop_totals)]
    colors.data.foreach_set('color', loop_colors.ravel())

    if hasattr(mesh.color_attributes, 'active_color'):
        mesh.color_attributes.active_color = colors


def _linear_rgba(label):
    return [srgb_to_linear(c) for c in part_color(label)] + [1.0]


def _write_materials(mesh, labels, part_count):
    indices = np.empty(len(mesh.polygons), dtype=np.int32)
    mesh.polygons.foreach_get('material_index', indices)
    backup = mesh.attributes.new(MATERIAL_BACKUP_ATTRIBUTE, 'INT', 'FACE')
    backup.data.foreach_set('value', indices)

    first_slot = len(mesh.materials)
    for label in range(part_count):
        mesh.materials.append(_part_material(label))
    indices = np.where(labels >= 0, first_slot + labels, indices).astype(np.int32)
    mesh.polygons.foreach_set('material_index', indices)


def _restore_materials(mesh):
    """Drop part materials from the slots and put back the indices saved before they were added.

    Returns the part materials dropped, for ``_remove_unused_materials``.
    """
    dropped = []
    for index in reversed(range(len(mesh.materials))):
        material = mesh.materials[index]
        if material is not None and material.name.startswith(MATERIAL_PREFIX):
            mesh.materials.pop(index=index)
            dropped.append(material)

    backup = mesh.attributes.get(MATERIAL_BACKUP_ATTRIBUTE)
    if backup is not None:
        indices = np.empty(len(mesh.polygons), dtype=np.int32)
        backup.data.foreach_get('value', indices)
        mesh.polygons.foreach_set('material_index', indices)
        mesh.attributes.remove(backup)
    return dropped


def _remove_unused_materials(materials):
    """Delete part materials no mesh uses, so they do not pile up as orphan data-blocks."""
    for material in {m.name: m for m in materials}.values():
        # A fake user or another segmented mesh counts as a user, and keeps the material.
        if material.users == 0:
            bpy.data.materials.remove(material)


def _part_material(label):
    name = f'{MATERIAL_PREFIX}{label:02d}'
    material = bpy.data.materials.get(name) or bpy.data.materials.new(name)
    rgba = _linear_rgba(label)
    material.diffuse_color = rgba
    material.use_nodes = True
    shader = material.node_tree.nodes.get('Principled BSDF')
    if shader is not None:
        shader.inputs['Base Color'].default_value = rgba
    return material
