"""Property groups: segmentation settings per scene, the result per object, job status per window."""

import bpy
from bpy.props import BoolProperty, EnumProperty, FloatProperty, IntProperty, StringProperty

__all__ = ['SceneSettings', 'ObjectResult', 'JobStatus', 'register', 'unregister']

METHOD_ITEMS = (
    ('agglomerative', 'Agglomerative', 'Merge neighbouring faces bottom-up; parts stay connected and the part slider recuts instantly'),
    ('kmeans', 'K-Means', 'Cluster features regardless of connectivity; changing the part count asks the daemon again'),
)
ADJACENCY_ITEMS = (
    ('component_mst', 'Component Tree', 'Join separate pieces of the mesh along a spanning tree over their centres'),
    ('face_mst', 'Face Tree', 'Join separate pieces along a spanning tree over their closest faces'),
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


class SceneSettings(bpy.types.PropertyGroup):
    """Settings of the next Segment Selected run (Scene.partfield)."""

    part_count: IntProperty(
        name='Parts', min=2, max=30, default=8,
        description='Number of parts to split each mesh into',
    )
    auto_part_count: BoolProperty(
        name='Auto', default=False,
        description='Let the daemon choose the part count from the merge tree (up to 30)',
    )
    method: EnumProperty(name='Method', items=METHOD_ITEMS, default='agglomerative')
    adjacency: EnumProperty(
        name='Adjacency', items=ADJACENCY_ITEMS, default='component_mst',
        description='How separate pieces of a mesh are joined so clustering sees one connected surface',
    )
    points_per_face: IntProperty(
        name='Points per Face', min=1, max=10000, soft_max=2000, default=1000,
        description='PartField only: points sampled per face; lower it if the daemon runs out of GPU memory',
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
        name='Materials per Part', default=False,
        description='Add one material per part (Clear restores the previous materials)',
    )


class ObjectResult(bpy.types.PropertyGroup):
    """The last segmentation of an object (Object.partfield)."""

    part_count: IntProperty(
        name='Parts', min=1, max=256, soft_min=2, soft_max=30, default=0,
        description='Part count of the result; changing it recuts the stored merge tree without the daemon',
        update=_recut_on_slider,
    )
    job_id: StringProperty(name='Job', description='Id of the daemon job that produced the labels')
    daemon_url: StringProperty(name='Daemon', description='Daemon that stores the job, for recuts on the daemon')
    method: StringProperty(name='Method')
    backend: StringProperty(name='Backend')
    polygon_count: IntProperty(name='Faces', description='Face count when segmented; a different count means the mesh changed')
    leaf_count: IntProperty(name='Leaves', description='Faces or triangles the daemon labelled')
    has_tree: BoolProperty(name='Has Merge Tree')
    make_materials: BoolProperty(name='Materials per Part')


class JobStatus(bpy.types.PropertyGroup):
    """Progress of the running Segment Selected (WindowManager.partfield_status; not saved)."""

    running: BoolProperty(name='Running')
    progress: FloatProperty(name='Progress', min=0.0, max=1.0, subtype='FACTOR')
    message: StringProperty(name='Status')


CLASSES = (SceneSettings, ObjectResult, JobStatus)


def register():
    for cls in CLASSES:
        bpy.utils.register_class(cls)
    bpy.types.Scene.partfield = bpy.props.PointerProperty(type=SceneSettings)
    bpy.types.Object.partfield = bpy.props.PointerProperty(type=ObjectResult)
    bpy.types.WindowManager.partfield_status = bpy.props.PointerProperty(type=JobStatus)


def unregister():
    del bpy.types.WindowManager.partfield_status
    del bpy.types.Object.partfield
    del bpy.types.Scene.partfield
    for cls in reversed(CLASSES):
        bpy.utils.unregister_class(cls)
