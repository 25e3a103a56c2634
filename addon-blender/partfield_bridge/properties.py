"""Property groups: segmentation settings per scene, the result per mesh, job status per window.

At the sidebar's default width, a label beside a value shows about nine characters and the text of
a checkbox about thirteen (longer ones were cut, as "Points per…"), so names stay within that and
the tooltips give the details.
"""

import bpy
from bpy.props import BoolProperty, EnumProperty, FloatProperty, IntProperty, StringProperty

__all__ = [
    'SceneSettings', 'MeshResult', 'JobStatus', 'MIN_PARTS', 'MAX_PARTS', 'SLIDER_MAX_PARTS', 'register', 'unregister',
]

#: Part counts the daemon accepts (n_clusters 1..256 in protocol/PROTOCOL.md).
MIN_PARTS = 1
MAX_PARTS = 256
#: Top of the slider's drag range and of automatic part counts; typing goes up to MAX_PARTS.
SLIDER_MAX_PARTS = 30

METHOD_ITEMS = (
    ('agglomerative', 'Agglomerative', 'Merge neighbouring faces bottom-up; parts stay connected and the part slider recuts instantly'),
    ('kmeans', 'K-Means', 'Cluster features regardless of connectivity; changing the part count asks the daemon again'),
)
ADJACENCY_ITEMS = (
    ('component_mst', 'Centres', 'Join separate pieces of the mesh along a spanning tree over their centres'),
    ('face_mst', 'Faces', 'Join separate pieces along a spanning tree over their closest faces'),
    ('naive', 'Chain', 'Join separate pieces in a simple chain'),
)
BACKEND_ITEMS = (
    ('auto', 'Auto', 'PartField when the daemon has its model file, otherwise the geometric field'),
    ('partfield', 'PartField', 'The PartField network (needs the model on the daemon; a GPU makes it fast)'),
    ('geometric', 'Geometric', 'The weight-free geometric feature field'),
)


def _recut_on_slider(state, context):
    # Imported here because operators imports this module for its property groups.
    from .operators import recut_from_slider

    recut_from_slider(context, state.id_data)


def part_count_property(**options):
    """Return a part count property: the slider drags over 2..30, and typing allows the daemon's 1..256."""
    return IntProperty(
        name='Parts', min=MIN_PARTS, max=MAX_PARTS, soft_min=2, soft_max=SLIDER_MAX_PARTS, **options,
    )


class SceneSettings(bpy.types.PropertyGroup):
    """Settings of the next Segment Selected run (Scene.partfield)."""

    part_count: part_count_property(
        default=8,
        description='Number of parts to split each mesh into (drag from 2 to 30, or type up to 256)',
    )
    auto_part_count: BoolProperty(
        name='Auto', default=False,
        description=f'Let the daemon choose the part count from the merge tree (up to {SLIDER_MAX_PARTS})',
    )
    method: EnumProperty(name='Method', items=METHOD_ITEMS, default='agglomerative')
    adjacency: EnumProperty(
        name='Adjacency', items=ADJACENCY_ITEMS, default='component_mst',
        description='How separate pieces of a mesh are joined so clustering sees one connected surface',
    )
    points_per_face: IntProperty(
        name='Samples', min=1, max=10000, soft_max=2000, default=1000,
        description='Points per face the PartField backend samples; lower it if the daemon runs out of GPU memory',
    )
    backend: EnumProperty(name='Backend', items=BACKEND_ITEMS, default='auto')
    use_modifiers: BoolProperty(
        name='Use Modifiers', default=True,
        description='Segment the mesh as the modifiers shape it; labels still land on the base mesh faces',
    )
    whole_faces: BoolProperty(
        name='Whole Faces', default=True,
        description=(
            'Send which triangles form each face so the daemon labels whole quads and n-gons; '
            'off sends bare triangles and each face takes the label covering most of its area'
        ),
    )
    make_materials: BoolProperty(
        name='Materials', default=False,
        description='Add one material per part (Clear restores the previous materials)',
    )


class MeshResult(bpy.types.PropertyGroup):
    """The last segmentation of a mesh (Mesh.partfield), shared by the objects that show the mesh."""

    part_count: part_count_property(
        default=0,
        description='Part count of the result; changing it recuts the stored merge tree without the daemon',
        update=_recut_on_slider,
    )
    job_id: StringProperty(name='Job', description='Id of the daemon job that produced the labels')
    daemon_url: StringProperty(
        name='Daemon', description='Daemon that ran the job; named when the daemon in the preferences lacks the job',
    )
    method: StringProperty(name='Method')
    backend: StringProperty(name='Backend')
    polygon_count: IntProperty(name='Faces', description='Face count when segmented; a different count means the mesh changed')
    leaf_count: IntProperty(name='Leaves', description='Faces or triangles the daemon labelled')
    has_tree: BoolProperty(name='Has Merge Tree')
    make_materials: BoolProperty(name='Materials')


class JobStatus(bpy.types.PropertyGroup):
    """Progress of the running Segment Selected (WindowManager.partfield_status; not saved)."""

    running: BoolProperty(name='Running')
    progress: FloatProperty(name='Progress', min=0.0, max=1.0, subtype='FACTOR')
    message: StringProperty(name='Status')


CLASSES = (SceneSettings, MeshResult, JobStatus)


def register():
    for cls in CLASSES:
        bpy.utils.register_class(cls)
    bpy.types.Scene.partfield = bpy.props.PointerProperty(type=SceneSettings)
    bpy.types.Mesh.partfield = bpy.props.PointerProperty(type=MeshResult)
    bpy.types.WindowManager.partfield_status = bpy.props.PointerProperty(type=JobStatus)


def unregister():
    del bpy.types.WindowManager.partfield_status
    del bpy.types.Mesh.partfield
    del bpy.types.Scene.partfield
    for cls in reversed(CLASSES):
        bpy.utils.unregister_class(cls)
