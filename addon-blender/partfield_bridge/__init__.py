"""PartField bridge: segment meshes into parts with the PartField bridge daemon.

Installs as a Blender 4.2+ extension (blender_manifest.toml) and as a legacy add-on on older
versions (bl_info below; tested on Blender 3.4).
"""

bl_info = {
    'name': 'PartField Bridge',
    'author': 'partfield-bridge contributors',
    'version': (0, 1, 0),
    'blender': (3, 4, 0),
    'location': 'View3D > Sidebar > PartField',
    'description': 'Segment meshes into parts with the PartField bridge daemon; parts become vertex groups',
    'category': 'Mesh',
}

# Re-running register() after "Reload Scripts" must pick up edited submodules.
if 'operators' in locals():
    import importlib

    for _module in (messages, msgpack_codec, client, part_tree, segment_job, worker, palette,  # noqa: F821
                    mesh_io, apply_result, result_store, separate, modes, properties,  # noqa: F821
                    preferences, job_operator, selection, part_operators, operators, panel):  # noqa: F821
        importlib.reload(_module)

import bpy
from bpy.app.handlers import persistent

from . import (
    apply_result, client, job_operator, mesh_io, messages, modes, msgpack_codec, operators, palette, panel,
    part_operators, part_tree, preferences, properties, result_store, segment_job, selection, separate, worker,
)

CLASSES = preferences.CLASSES + operators.CLASSES + panel.CLASSES


@persistent
def _migrate_results(_file=None):
    """Move results that add-on version 0.1.0 kept on objects onto their meshes, after a file loads."""
    for obj in bpy.data.objects:
        if 'partfield' in obj.keys():
            result_store.migrate_object_result(obj)


def register():
    properties.register()
    for cls in CLASSES:
        bpy.utils.register_class(cls)
    bpy.app.handlers.load_post.append(_migrate_results)
    # bpy.data is off limits while add-ons register at start-up; the open file is migrated just after.
    bpy.app.timers.register(_migrate_results, first_interval=0.0)


def unregister():
    if _migrate_results in bpy.app.handlers.load_post:
        bpy.app.handlers.load_post.remove(_migrate_results)
    for cls in reversed(CLASSES):
        bpy.utils.unregister_class(cls)
    properties.unregister()
