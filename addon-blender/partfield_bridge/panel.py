"""The "PartField" tab of the 3D viewport sidebar."""

import bpy

from . import apply_result

__all__ = ['CLASSES']


class VIEW3D_PT_partfield(bpy.types.Panel):
    bl_label = 'PartField'
    bl_idname = 'VIEW3D_PT_partfield'
    bl_space_type = 'VIEW_3D'
    bl_region_type = 'UI'
    bl_category = 'PartField'

    def draw(self, context):
        layout = self.layout
        settings = context.scene.partfield
        status = context.window_manager.partfield_status

        draw_settings(layout, settings)
        draw_run(layout, status)
        obj = context.active_object
        if obj is not None and obj.type == 'MESH':
            draw_result(layout, obj)


def draw_settings(layout, settings):
    column = layout.column(align=True)
    row = column.row(align=True)
    part_count = row.row(align=True)
    part_count.enabled = not settings.auto_part_count
    part_count.prop(settings, 'part_count')
    row.prop(settings, 'auto_part_count', toggle=True)
    column.prop(settings, 'method', text='')

    column = layout.column()
    column.use_property_split = True
    column.use_property_decorate = False
    column.prop(settings, 'adjacency')
    column.prop(settings, 'points_per_face')
    column.prop(settings, 'backend')
    column.prop(settings, 'use_modifiers')
    column.prop(settings, 'whole_faces')
    column.prop(settings, 'make_materials')


def draw_run(layout, status):
    if status.running:
        row = layout.row(align=True)
        row.prop(status, 'progress', text='', slider=True)
        row.operator('partfield.cancel', text='', icon='CANCEL')
    else:
        layout.operator('partfield.segment_selected', icon='MOD_EXPLODE')
    if status.message:
        layout.label(text=status.message)


def draw_result(layout, obj):
    # The result lives on the mesh, so linked duplicates show the same part count.
    state = obj.data.partfield
    labelled = apply_result.has_labels(obj)
    if not state.job_id and not labelled:
        return

    box = layout.box()
    box.label(text=f'{obj.name}', icon='OBJECT_DATA')
    if state.job_id:
        box.prop(state, 'part_count', text='Parts', slider=True)
        if not state.has_tree:
            # k-means results have no merge tree; the daemon recuts them from stored features.
            box.operator('partfield.recut', text='Recut on Daemon', icon='FILE_REFRESH').part_count = state.part_count
    row = box.row(align=True)
    row.operator('partfield.separate_parts')
    row.operator('partfield.clear', text='', icon='X')


CLASSES = (VIEW3D_PT_partfield,)
