"""Leave Edit Mode before reading or writing mesh data.

In Edit Mode the mesh lives in an edit-mesh that overwrites ``obj.data`` when the user leaves the
mode, so reading or writing ``obj.data`` there would use stale data or lose the writes.

Operators that write parts stay in Object Mode afterwards. An operator that ends in Edit Mode gets
an edit-mesh undo step, which restores the mesh but not the object's vertex group names or the
stored result. An Object Mode step restores all of them, and Ctrl+Z then returns to Edit Mode.
"""

import bpy

__all__ = ['ensure_object_mode']


def ensure_object_mode(context):
    """Switch to Object Mode; return the mode that was left, or None if already in Object Mode."""
    active = context.view_layer.objects.active
    if active is None or active.mode == 'OBJECT':
        return None
    previous = active.mode
    bpy.ops.object.mode_set(mode='OBJECT')
    return previous
