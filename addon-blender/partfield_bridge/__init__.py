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

    for _module in (msgpack_codec, client, part_tree, segment_job, worker, palette,  # noqa: F821
                    mesh_io, apply_result, result_store, separate, modes, properties,  # noqa: F821
                    preferences, operators, panel):  # noqa: F821
        importlib.reload(_module)

import bpy

from . import (
    apply_result, client, mesh_io, modes, msgpack_codec, operators, palette, panel, part_tree, preferences,
    properties, result_store, segment_job, separate, worker,
)

CLASSES = preferences.CLASSES + operators.CLASSES + panel.CLASSES


def register():
    properties.register()
    for cls in CLASSES:
        bpy.utils.register_class(cls)


def unregister():
    for cls in reversed(CLASSES):
        bpy.utils.unregister_class(cls)
    properties.unregister()
