"""Operators that work on stored parts without the daemon: Separate into Objects and Clear."""

import bpy
from bpy.props import BoolProperty

from . import apply_result, result_store, separate
from .job_operator import set_status
from .messages import plural
from .modes import ensure_object_mode
from .selection import labelled_objects, one_object_per_mesh, poll_failed, selection_problem, target_objects

__all__ = ['PARTFIELD_OT_separate_parts', 'PARTFIELD_OT_clear']


class PARTFIELD_OT_separate_parts(bpy.types.Operator):
    """Make one object per part of each segmented mesh; the original is hidden, not deleted"""

    bl_idname = 'partfield.separate_parts'
    bl_label = 'Separate into Objects'
    bl_options = {'REGISTER', 'UNDO'}

    apply_modifiers: BoolProperty(
        name='Apply Modifiers', default=True,
        description=(
            'Cut the parts from the shape the modifiers give the original, so they meet without gaps, '
            'and leave the parts without modifiers. Off keeps the modifiers on each part, where '
            'Subdivision and Bevel round every cut border'
        ),
    )

    @classmethod
    def poll(cls, context):
        problem = selection_problem(context)
        if problem:
            return poll_failed(cls, problem)
        if not labelled_objects(context):
            return poll_failed(cls, 'The selected meshes have no part labels; run Segment Selected first')
        return True

    def execute(self, context):
        objects = labelled_objects(context)
        ensure_object_mode(context)
        summaries = []
        created = []
        for obj in objects:
            try:
                parts = separate.separate_parts(context, obj, self.apply_modifiers)
            except separate.SeparateError as error:
                self.report({'WARNING'}, str(error))
                continue
            created.extend(parts)
            summaries.append(f'{obj.name}: {plural(len(parts), "object")}')
        if not created:
            return {'CANCELLED'}
        context.view_layer.objects.active = created[0]
        set_status(context, False, 1.0, '; '.join(summaries))
        self.report({'INFO'}, '; '.join(summaries))
        return {'FINISHED'}


class PARTFIELD_OT_clear(bpy.types.Operator):
    """Remove part labels, part vertex groups, part colours and part materials from the selected meshes"""

    bl_idname = 'partfield.clear'
    bl_label = 'Clear Parts'
    bl_options = {'REGISTER', 'UNDO'}

    @classmethod
    def poll(cls, context):
        problem = selection_problem(context)
        return poll_failed(cls, problem) if problem else True

    def execute(self, context):
        cleared = 0
        targets = one_object_per_mesh(target_objects(context))
        ensure_object_mode(context)
        for obj in targets:
            if apply_result.has_labels(obj) or obj.data.partfield.job_id:
                cleared += 1
            apply_result.clear_labels(obj)
            result_store.forget_result(obj.data)
        text = f'Cleared parts from {plural(cleared, "mesh", "meshes")}'
        set_status(context, False, 0.0, text)
        self.report({'INFO'}, text)
        return {'FINISHED'}
