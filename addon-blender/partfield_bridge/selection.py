"""The objects an operator works on, and the reason it cannot run when there are none."""

from . import apply_result
from .job_operator import is_running

__all__ = ['target_objects', 'one_object_per_mesh', 'segmented_objects', 'labelled_objects', 'poll_failed',
           'selection_problem']


def target_objects(context):
    """Selected mesh objects, plus the active one in Edit Mode (which need not be selected)."""
    objects = [obj for obj in context.selected_objects if obj.type == 'MESH']
    active = context.view_layer.objects.active
    if active is not None and active.type == 'MESH' and active.mode == 'EDIT' and active not in objects:
        objects.insert(0, active)
    return objects


def one_object_per_mesh(objects):
    """Return ``objects`` without linked duplicates (objects showing a mesh an earlier one shows)."""
    seen = set()
    unique = []
    for obj in objects:
        if obj.data.name_full not in seen:
            seen.add(obj.data.name_full)
            unique.append(obj)
    return unique


def segmented_objects(context):
    return [obj for obj in target_objects(context) if obj.data.partfield.job_id]


def labelled_objects(context):
    return [obj for obj in target_objects(context) if apply_result.has_labels(obj)]


def poll_failed(cls, message):
    """Return False from ``poll`` with a reason, which Blender shows in the button's tooltip.

    A script calling the operator gets the reason in its RuntimeError:
    "Operator bpy.ops.partfield.recut.poll() <reason>". poll_message_set exists from Blender 3.0.
    """
    if hasattr(cls, 'poll_message_set'):
        cls.poll_message_set(message)
    return False


def selection_problem(context):
    """Return why the selection gives an operator nothing to work on, or None when it has meshes."""
    if is_running():
        return 'A PartField segmentation is running; wait for it or press Esc'
    if target_objects(context):
        return None
    if context.selected_objects:
        return 'The selection has no mesh objects; select one or more meshes'
    return 'Nothing is selected; select one or more mesh objects'
