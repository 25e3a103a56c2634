"""Read a Blender mesh object into the arrays the daemon takes.

Labels must land on the user's own faces even when modifiers change the topology (subdivision,
mirror, array). Before evaluating, each face of the base mesh is stamped with its index in a
temporary INT face attribute. Modifiers copy face attributes to the faces they derive, so the
evaluated mesh stores, per face, the base face it came from.
"""

from dataclasses import dataclass

import numpy as np

from .messages import MeshSize, plural

__all__ = ['MeshPayload', 'MeshReadError', 'read_mesh', 'SOURCE_FACE_ATTRIBUTE']

#: Temporary attribute naming each face's base-mesh index; removed again before read_mesh returns.
SOURCE_FACE_ATTRIBUTE = 'partfield_source_face'


class MeshReadError(Exception):
    """Raised when an object cannot be sent; the message names the object and what to do."""


@dataclass
class MeshPayload:
    """One object's triangles and how the daemon's leaves (labelled faces) map to its faces.

    A leaf is what the daemon labels: with ``whole_faces`` one base face (all its triangles and
    their modifier copies), otherwise one triangle.
    """

    object_name: str
    #: float32 (vertex_count, 3), world space, modifiers applied when requested.
    positions: np.ndarray
    #: uint32 (triangle_count, 3) indices into positions.
    triangles: np.ndarray
    #: uint32 per triangle: leaf id sent as ``polygons``, or None to send bare triangles.
    triangle_leaf: np.ndarray
    #: int32 per leaf: the base-mesh face it belongs to.
    leaf_polygon: np.ndarray
    #: float64 per leaf, the weight of its vote: a triangle's area in world units, 1 for a whole face.
    leaf_weight: np.ndarray
    #: Faces of the base mesh, the length of the label array written back.
    polygon_count: int
    #: Triangles of the base mesh without modifiers, to tell whether modifiers add faces.
    base_triangle_count: int = 0

    @property
    def leaf_count(self):
        return len(self.leaf_polygon)

    @property
    def size(self):
        return MeshSize(len(self.triangles), self.polygon_count, len(self.triangles) > self.base_triangle_count)


def read_mesh(context, obj, use_modifiers=True, whole_faces=True):
    """Read ``obj`` (a mesh object, in Object Mode) into a ``MeshPayload``."""
    base = obj.data
    polygon_count = len(base.polygons)
    if polygon_count == 0:
        raise MeshReadError(f'"{obj.name}" has no faces to segment; add faces or select another mesh.')

    if use_modifiers:
        positions, triangles, triangle_polygon = _read_evaluated(context, obj, polygon_count)
    else:
        positions, triangles, triangle_polygon = _read_arrays(base)

    if len(triangles) == 0:
        raise MeshReadError(f'"{obj.name}" has no faces after its modifiers; turn off Use Modifiers or check the stack.')

    positions = _to_world(positions, obj.matrix_world)
    payload = _payload(obj.name, positions, triangles, triangle_polygon, polygon_count, whole_faces)
    payload.base_triangle_count = _triangle_count(base)
    return payload


def _triangle_count(mesh):
    """Triangles of ``mesh`` without computing them: a face of n corners makes n - 2."""
    loop_totals = np.empty(len(mesh.polygons), dtype=np.int64)
    mesh.polygons.foreach_get('loop_total', loop_totals)
    return int(loop_totals.sum() - 2 * len(loop_totals))


def _read_evaluated(context, obj, polygon_count):
    if not any(modifier.show_viewport for modifier in obj.modifiers):
        return _read_deformed(context, obj, polygon_count)

    base = obj.data
    stamp = base.attributes.get(SOURCE_FACE_ATTRIBUTE)
    if stamp is not None:
        base.attributes.remove(stamp)
    stamp = base.attributes.new(SOURCE_FACE_ATTRIBUTE, 'INT', 'FACE')
    stamp.data.foreach_set('value', np.arange(polygon_count, dtype=np.int32))
    base.update()

    try:
        evaluated = obj.evaluated_get(context.evaluated_depsgraph_get())
        mesh = evaluated.to_mesh()
        try:
            positions, triangles, polygon_of_triangle = _read_arrays(mesh)
            evaluated_faces = len(mesh.polygons)
            source = _read_face_ints(mesh, SOURCE_FACE_ATTRIBUTE)
        finally:
            evaluated.to_mesh_clear()
    finally:
        base.attributes.remove(base.attributes[SOURCE_FACE_ATTRIBUTE])
        base.update()

    if source is not None:
        triangle_polygon = source[polygon_of_triangle]
    elif evaluated_faces == polygon_count:
        # The stack dropped the attribute but kept the face count: a deform-only stack, whose
        # faces keep their order.
        triangle_polygon = polygon_of_triangle
    else:
        raise MeshReadError(
            f'The modifiers of "{obj.name}" rebuild its faces ({plural(evaluated_faces, "face")} from {polygon_count:,}), '
            'so labels cannot be mapped back. Apply the modifiers or turn off Use Modifiers.'
        )

    bad = (triangle_polygon < 0) | (triangle_polygon >= polygon_count)
    if bad.any():
        raise MeshReadError(
            f'The modifiers of "{obj.name}" wrote face ids outside 0..{polygon_count - 1} '
            f'(for example {int(triangle_polygon[bad][0])}). Apply the modifiers or turn off Use Modifiers.'
        )
    return positions, triangles, triangle_polygon


def _read_deformed(context, obj, polygon_count):
    """Read the evaluated mesh of an object without modifiers: shape keys move it, faces stay."""
    evaluated = obj.evaluated_get(context.evaluated_depsgraph_get())
    mesh = evaluated.to_mesh()
    try:
        if len(mesh.polygons) != polygon_count:
            raise MeshReadError(
                f'"{obj.name}" has {plural(len(mesh.polygons), "face")} when evaluated but {polygon_count:,} in its mesh. '
                'Turn off Use Modifiers.'
            )
        return _read_arrays(mesh)
    finally:
        evaluated.to_mesh_clear()


def _read_arrays(mesh):
    """Return positions (V, 3), triangles (T, 3) and the face of each triangle."""
    if hasattr(mesh, 'calc_loop_triangles'):
        # Blender before 4.0 fills loop_triangles on request only; later versions compute them lazily.
        mesh.calc_loop_triangles()

    positions = np.empty(len(mesh.vertices) * 3, dtype=np.float32)
    mesh.vertices.foreach_get('co', positions)
    triangle_count = len(mesh.loop_triangles)
    triangles = np.empty(triangle_count * 3, dtype=np.int32)
    mesh.loop_triangles.foreach_get('vertices', triangles)
    polygon_of_triangle = np.empty(triangle_count, dtype=np.int32)
    mesh.loop_triangles.foreach_get('polygon_index', polygon_of_triangle)
    # Vertex indices are never negative, so the int32 buffer foreach_get fills reads as uint32.
    return positions.reshape(-1, 3), triangles.reshape(-1, 3).view(np.uint32), polygon_of_triangle


def _read_face_ints(mesh, name):
    """Return an INT face attribute as an array, or None when the mesh has no such attribute."""
    attribute = mesh.attributes.get(name)
    if attribute is None or attribute.domain != 'FACE' or attribute.data_type != 'INT':
        return None
    values = np.empty(len(mesh.polygons), dtype=np.int32)
    attribute.data.foreach_get('value', values)
    return values


def _to_world(positions, matrix_world):
    matrix = np.array(matrix_world, dtype=np.float64)
    world = positions.astype(np.float64) @ matrix[:3, :3].T + matrix[:3, 3]
    return world.astype(np.float32)


def _triangle_areas(positions, triangles):
    corners = positions.astype(np.float64)[triangles]
    cross = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    return 0.5 * np.linalg.norm(cross, axis=1)


def _payload(name, positions, triangles, triangle_polygon, polygon_count, whole_faces):
    if not whole_faces:
        # Each triangle is a leaf; a face takes the label covering most of its area.
        areas = _triangle_areas(positions, triangles)
        return MeshPayload(name, positions, triangles, None, triangle_polygon.astype(np.int32), areas, polygon_count)

    # The daemon wants face ids 0..n-1 without gaps, so faces a modifier deleted (Mask,
    # mirror clipping) are skipped in the numbering and get no label.
    triangles_per_polygon = np.bincount(triangle_polygon, minlength=polygon_count)
    present = np.flatnonzero(triangles_per_polygon)
    leaf_of_polygon = np.full(polygon_count, -1, dtype=np.int64)
    leaf_of_polygon[present] = np.arange(len(present))
    triangle_leaf = leaf_of_polygon[triangle_polygon].astype(np.uint32)
    # Each leaf is a whole face, so the area vote has one voter per face and weights do not matter.
    leaf_weight = np.ones(len(present), dtype=np.float64)
    return MeshPayload(name, positions, triangles, triangle_leaf, present.astype(np.int32), leaf_weight, polygon_count)
