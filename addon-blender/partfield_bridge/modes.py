"""Switch to Object Mode around reads and writes of mesh data.

In Edit Mode the mesh lives in an edit-mesh that overwrites ``obj.data`` when the user leaves the
mode, so reading or writing ``obj.data`` there would use stale data or lose the writes.
"""

from contextlib import contextmanager

import bpy

__all__ = ['object_mode']


@contextmanager
def object_mode(context):
    """Leave Edit (or any other) Mode for the block and return to it afterwards."""
    active = context.view_layer.objects.active
    previous = active.mode if active is not None else 'OBJECT'
    if previous == 'OBJECT':
        yield
        return

    bpy.ops.object.mode_set(mode='OBJECT')
    try:
        yield
    finally:
        # The block may have deleted or hidden the active object; then there is no mode to restore.
        active = context.view_layer.objects.active
        if active is not None and active.visible_get():
            bpy.ops.object.mode_set(mode=previous)
