"""End-to-end scenario of the add-on inside headless Blender, driven by blender.test.ts.

Usage: blender -b --factory-startup --python-exit-code 1 --python blender_e2e.py -- CONFIG_JSON

The script only drives Blender and writes the resulting Blender state (labels, vertex groups,
reports, job ids) to a JSON report. The test compares that with what the daemon returns over HTTP.
CONFIG_JSON keys: phase ("main" or "stopped"), zip, daemonUrl, report, and for "main" also
tokenDaemonUrl, token, offPath.
"""

import importlib.abc
import json
import socket
import sys
import threading
import traceback

import bpy


class BlockMsgpack(importlib.abc.MetaPathFinder):
    """Makes ``import msgpack`` fail, as in a Blender whose Python has no msgpack package."""

    def find_spec(self, name, path=None, target=None):
        if name == 'msgpack' or name.startswith('msgpack.'):
            raise ImportError('msgpack is blocked in this test')
        return None


def main():
    config = json.loads(open(sys.argv[sys.argv.index('--') + 1]).read())
    sys.meta_path.insert(0, BlockMsgpack())
    report = {'phase': config['phase'], 'steps': {}}
    try:
        install_addon(config, report)
        if config['phase'] == 'main':
            run_main(config, report)
        else:
            run_stopped(config, report)
    except Exception:  # noqa: BLE001 - the test reads the traceback from the report
        report['fatal'] = traceback.format_exc()
    with open(config['report'], 'w') as out:
        json.dump(report, out)


# ---------------------------------------------------------------------------------------------
# setup


def install_addon(config, report):
    result = bpy.ops.preferences.addon_install(filepath=config['zip'], overwrite=True)
    enabled = bpy.ops.preferences.addon_enable(module='partfield_bridge')
    import partfield_bridge

    try:
        import msgpack  # noqa: F401

        msgpack_importable = True
    except ImportError:
        msgpack_importable = False

    import tomllib
    import os

    folder = os.path.dirname(partfield_bridge.__file__)
    with open(os.path.join(folder, 'blender_manifest.toml'), 'rb') as manifest:
        report['manifest'] = tomllib.load(manifest)
    report['install'] = {
        'install': sorted(result), 'enable': sorted(enabled), 'module_file': partfield_bridge.__file__,
        'bl_info': {k: list(v) if isinstance(v, tuple) else v for k, v in partfield_bridge.bl_info.items()},
        'msgpack_importable': msgpack_importable,
        'operators': [name for name in ('segment_selected', 'recut', 'separate_parts', 'clear')
                      if hasattr(bpy.ops.partfield, name)],
        'panel_category': bpy.types.VIEW3D_PT_partfield.bl_category,
        'preference_names': sorted(
            p.identifier for p in bpy.context.preferences.addons['partfield_bridge'].preferences.bl_rna.properties
            if p.identifier != 'rna_type'
        ),
    }
    prefs = bpy.context.preferences.addons['partfield_bridge'].preferences
    report['install']['defaults'] = {'daemon_url': prefs.daemon_url, 'timeout': prefs.timeout}
    report['install']['bl_options'] = {
        name: sorted(getattr(bpy.types, f'PARTFIELD_OT_{name}').bl_options)
        for name in ('segment_selected', 'recut', 'separate_parts', 'clear')
    }
    report['install']['part_ranges'] = {
        'scene': int_range(bpy.types.Scene.bl_rna.properties['partfield'].fixed_type, 'part_count'),
        'mesh': int_range(bpy.types.Mesh.bl_rna.properties['partfield'].fixed_type, 'part_count'),
        'segment_selected': int_range(bpy.ops.partfield.segment_selected.get_rna_type(), 'part_count'),
        'recut': int_range(bpy.ops.partfield.recut.get_rna_type(), 'part_count'),
    }
    report['install']['panel_texts'] = panel_texts()
    prefs.daemon_url = config['daemonUrl']


def int_range(struct, name):
    prop = getattr(struct, 'bl_rna', struct).properties[name]
    return {'min': prop.hard_min, 'max': prop.hard_max, 'soft_min': prop.soft_min, 'soft_max': prop.soft_max}


def panel_texts():
    """Texts the sidebar shows for the settings: labels beside values, checkbox texts, enum items."""
    settings = bpy.types.Scene.bl_rna.properties['partfield'].fixed_type.bl_rna.properties
    labels, checkboxes, items = [], [], []
    for name in ('adjacency', 'points_per_face', 'backend'):
        labels.append(settings[name].name)
        if settings[name].type == 'ENUM':
            items.extend(item.name for item in settings[name].enum_items)
    for name in ('use_modifiers', 'whole_faces', 'make_materials'):
        checkboxes.append(settings[name].name)
    return {'labels': labels, 'checkboxes': checkboxes, 'enum_items': items}


def prefs():
    return bpy.context.preferences.addons['partfield_bridge'].preferences


def clear_scene():
    for obj in list(bpy.data.objects):
        bpy.data.objects.remove(obj)


def select_only(*objects):
    for obj in bpy.context.view_layer.objects:
        obj.select_set(False)
    for obj in objects:
        obj.hide_set(False)
        obj.select_set(True)
    bpy.context.view_layer.objects.active = objects[0]


def import_off(path, name):
    """Build a mesh object from an OFF file (Blender 3.4 has no OFF importer)."""
    tokens = []
    with open(path) as source:
        for line in source:
            line = line.split('#', 1)[0].strip()
            if line:
                tokens.extend(line.split())
    if tokens[0] != 'OFF':
        raise ValueError(f'{path}: expected OFF header, got {tokens[0]!r}')
    vertex_count, face_count = int(tokens[1]), int(tokens[2])
    at = 4
    vertices = []
    for _ in range(vertex_count):
        vertices.append(tuple(float(t) for t in tokens[at:at + 3]))
        at += 3
    faces = []
    for _ in range(face_count):
        size = int(tokens[at])
        faces.append(tuple(int(t) for t in tokens[at + 1:at + 1 + size]))
        at += 1 + size
    mesh = bpy.data.meshes.new(name)
    mesh.from_pydata(vertices, [], faces)
    mesh.validate()
    obj = bpy.data.objects.new(name, mesh)
    bpy.context.scene.collection.objects.link(obj)
    return obj


def make_quad_mesh(name):
    """A cylinder with n-gon caps joined with a cube and a torus: quads, n-gons, three pieces."""
    bpy.ops.mesh.primitive_cylinder_add(vertices=16, radius=0.5, depth=1.2, end_fill_type='NGON', location=(0, 0, 0))
    base = bpy.context.active_object
    bpy.ops.mesh.primitive_cube_add(size=0.6, location=(0, 0, 0.95))
    bpy.ops.mesh.primitive_torus_add(major_radius=0.6, minor_radius=0.12, major_segments=24, minor_segments=8,
                                     location=(0, 0, 1.4))
    select_only(base, *[o for o in bpy.context.scene.objects if o.name.startswith(('Cube', 'Torus'))])
    bpy.context.view_layer.objects.active = base
    bpy.ops.object.join()
    base.name = name
    base.data.name = name
    return base


# ---------------------------------------------------------------------------------------------
# recording


def face_labels(obj):
    attribute = obj.data.attributes.get('part')
    if attribute is None:
        return None
    return [item.value for item in attribute.data]


def snapshot(obj):
    """What the add-on left on ``obj``: labels, groups, colours, stored result."""
    mesh = obj.data
    groups = {}
    index_to_name = {g.index: g.name for g in obj.vertex_groups}
    for name in index_to_name.values():
        groups[name] = []
    for vertex in mesh.vertices:
        for element in vertex.groups:
            groups[index_to_name[element.group]].append(vertex.index)
    return {
        'name': obj.name,
        'labels': face_labels(obj),
        'polygon_vertices': [list(p.vertices) for p in mesh.polygons],
        'groups': groups,
        'has_colors': mesh.color_attributes.get('PartField') is not None,
        'material_names': [m.name if m else None for m in mesh.materials],
        'material_indices': [p.material_index for p in mesh.polygons],
        'job_id': obj.data.partfield.job_id,
        'part_count': obj.data.partfield.part_count,
        'has_tree': obj.data.partfield.has_tree,
        'mode': obj.mode,
    }


def base_triangles(obj):
    """Loop triangles of the base mesh in the order the add-on sends them, with face and area."""
    mesh = obj.data
    mesh.calc_loop_triangles()
    return {
        'polygon': [t.polygon_index for t in mesh.loop_triangles],
        'area': [t.area for t in mesh.loop_triangles],
    }


def call(step, report, operator, *args, **kwargs):
    """Run an operator with undo; record its result or the error report it raised."""
    try:
        result = operator('EXEC_DEFAULT', True, *args, **kwargs)
        report['steps'][step] = {'result': sorted(result)}
    except RuntimeError as error:
        report['steps'][step] = {'error': str(error)}
    return report['steps'][step]


# ---------------------------------------------------------------------------------------------
# main phase


def run_main(config, report):
    clear_scene()
    table = import_off(config['offPath'], 'Table')
    lamp = make_quad_mesh('QuadLamp')
    modifier = lamp.modifiers.new('Subdivision', 'SUBSURF')
    modifier.levels = 1
    report['lamp_faces'] = len(lamp.data.polygons)

    # several objects, one request each, run synchronously in background mode
    select_only(table, lamp)
    call('segment_both', report, bpy.ops.partfield.segment_selected, part_count=4)
    report['table'] = snapshot(table)
    report['lamp'] = snapshot(lamp)

    # recut from the stored tree, by operator and by the slider
    select_only(table)
    call('recut_table', report, bpy.ops.partfield.recut, part_count=2)
    report['table_recut'] = snapshot(table)
    lamp.data.partfield.part_count = 3
    report['lamp_slider'] = snapshot(lamp)

    run_invoke_in_background(report, lamp)
    run_edit_mode(report, lamp)
    # Undo rebuilds the objects, so earlier references are stale from here on.
    run_triangle_vote(report, bpy.data.objects['QuadLamp'])
    run_kmeans(config, report, bpy.data.objects['Table'])
    run_materials_and_clear(report)
    run_undo(report)
    run_many_parts(report)
    run_legacy_result(report)
    run_separate(report)
    run_separate_modifiers(report)
    run_linked_duplicates(report)
    run_single_part(report)
    run_poll_messages(report)
    run_cancel(config, report)
    run_offline(config, report)
    run_errors(config, report)


def run_invoke_in_background(report, lamp):
    select_only(lamp)
    try:
        result = bpy.ops.partfield.segment_selected('INVOKE_DEFAULT', True, part_count=5)
        report['steps']['invoke_background'] = {'result': sorted(result)}
    except RuntimeError as error:
        report['steps']['invoke_background'] = {'error': str(error)}
    report['lamp_invoke'] = snapshot(lamp)


def run_edit_mode(report, lamp):
    select_only(lamp)
    bpy.ops.object.mode_set(mode='EDIT')
    bpy.ops.ed.undo_push(message='edit mode before segmenting')
    call('segment_edit_mode', report, bpy.ops.partfield.segment_selected, part_count=3)
    report['lamp_edit'] = snapshot(lamp)

    bpy.ops.ed.undo()
    lamp = bpy.data.objects['QuadLamp']
    mode_after_undo = lamp.mode
    bpy.ops.object.mode_set(mode='OBJECT')
    report['lamp_edit_undone'] = snapshot(lamp)
    report['lamp_edit_undone']['mode_after_undo'] = mode_after_undo


def run_triangle_vote(report, lamp):
    select_only(lamp)
    call('segment_triangles', report, bpy.ops.partfield.segment_selected,
         part_count=3, whole_faces=False, use_modifiers=False)
    report['lamp_triangles'] = snapshot(lamp)
    report['lamp_triangles']['base_triangles'] = base_triangles(lamp)


def run_kmeans(config, report, table):
    select_only(table)
    call('segment_kmeans', report, bpy.ops.partfield.segment_selected, part_count=4, method='kmeans')
    report['table_kmeans'] = snapshot(table)
    call('recut_kmeans', report, bpy.ops.partfield.recut, part_count=3)
    report['table_kmeans_recut'] = snapshot(table)

    # The preferences now name another daemon, which does not have the job.
    prefs().daemon_url = config['tokenDaemonUrl']
    prefs().token = config['token']
    report['kmeans_other_daemon'] = call('recut_kmeans_other_daemon', report, bpy.ops.partfield.recut, part_count=2)
    report['kmeans_other_daemon']['labels'] = face_labels(table)
    prefs().daemon_url = config['daemonUrl']
    prefs().token = ''


def run_materials_and_clear(report):
    bpy.ops.mesh.primitive_uv_sphere_add(segments=16, ring_count=8, location=(3, 0, 0))
    sphere = bpy.context.active_object
    sphere.name = 'Sphere'
    user_material = bpy.data.materials.new('UserMaterial')
    sphere.data.materials.append(user_material)
    select_only(sphere)
    call('segment_materials', report, bpy.ops.partfield.segment_selected, part_count=3, make_materials=True)
    report['sphere_materials'] = snapshot(sphere)
    call('recut_materials', report, bpy.ops.partfield.recut, part_count=2)
    report['sphere_recut'] = snapshot(sphere)
    report['sphere_recut']['part_materials'] = part_material_names()
    call('clear_sphere', report, bpy.ops.partfield.clear)
    report['sphere_cleared'] = snapshot(sphere)
    report['sphere_cleared']['part_materials'] = part_material_names()


def part_material_names():
    return sorted(m.name for m in bpy.data.materials if m.name.startswith('PartField Part '))


def run_undo(report):
    bpy.ops.mesh.primitive_ico_sphere_add(subdivisions=2, location=(-3, 0, 0))
    ico = bpy.context.active_object
    ico.name = 'Ico'
    select_only(ico)
    bpy.ops.ed.undo_push(message='before segmenting')
    call('segment_undo', report, bpy.ops.partfield.segment_selected, part_count=3)
    report['ico_segmented'] = snapshot(bpy.data.objects['Ico'])
    bpy.ops.ed.undo()
    report['ico_undone'] = snapshot(bpy.data.objects['Ico'])


def run_separate(report):
    table = bpy.data.objects['Table']
    select_only(table)
    before = {o.name for o in bpy.data.objects}
    call('separate', report, bpy.ops.partfield.separate_parts)
    created = [bpy.data.objects[name] for name in sorted({o.name for o in bpy.data.objects} - before)]
    report['separate'] = {
        'labels': face_labels(table),
        'original_hidden': table.hide_get(),
        'parts': [{'name': o.name, 'faces': len(o.data.polygons), 'labels': sorted(set(face_labels(o) or []))}
                  for o in created],
    }


def run_many_parts(report):
    """More parts than the slider drags to: the daemon's range goes up to 256."""
    table = bpy.data.objects['Table']
    select_only(table)
    call('segment_many', report, bpy.ops.partfield.segment_selected, part_count=40)
    report['table_many'] = snapshot(table)
    table.data.partfield.part_count = 35
    report['table_many_slider'] = snapshot(table)


def run_legacy_result(report):
    """Add-on version 0.1.0 kept the result on the object; the add-on moves it to the mesh."""
    import partfield_bridge
    from partfield_bridge.result_store import RESULT_KEYS

    table = bpy.data.objects['Table']
    legacy = bpy.data.objects.new('Legacy', table.data.copy())
    bpy.context.scene.collection.objects.link(legacy)
    mesh = legacy.data
    state = mesh.partfield
    legacy['partfield'] = {
        'job_id': state.job_id, 'daemon_url': state.daemon_url, 'method': state.method, 'backend': state.backend,
        'polygon_count': state.polygon_count, 'leaf_count': state.leaf_count, 'has_tree': int(state.has_tree),
        'make_materials': 0, 'part_count': state.part_count,
    }
    for key in RESULT_KEYS:
        legacy[key] = mesh[key]
        del mesh[key]
    mesh.partfield.job_id = ''
    mesh.partfield['part_count'] = 0

    # What the add-on runs after a file loads.
    partfield_bridge._migrate_results()
    report['legacy'] = {'object_keys': sorted(legacy.keys()), 'mesh_keys': sorted(mesh.keys()), **snapshot(legacy)}
    mesh.partfield.part_count = 3
    report['legacy_slider'] = snapshot(legacy)


def run_separate_modifiers(report):
    """Separate a cube whose Bevel and Subdivision modifiers shape it: parts must meet without gaps."""
    bpy.ops.mesh.primitive_cube_add(size=1, location=(6, 0, 0))
    cube = bpy.context.active_object
    cube.name = 'SoftCube'
    bevel = cube.modifiers.new('Bevel', 'BEVEL')
    bevel.width = 0.1
    bevel.segments = 2
    cube.modifiers.new('Subdivision', 'SUBSURF').levels = 2
    select_only(cube)
    call('segment_soft_cube', report, bpy.ops.partfield.segment_selected, part_count=3)

    depsgraph = bpy.context.evaluated_depsgraph_get()
    evaluated = cube.evaluated_get(depsgraph).to_mesh()
    shape = {rounded(v.co) for v in evaluated.vertices}
    shape_faces = len(evaluated.polygons)
    cube.evaluated_get(depsgraph).to_mesh_clear()

    before = {o.name for o in bpy.data.objects}
    call('separate_soft_cube', report, bpy.ops.partfield.separate_parts)
    created = [bpy.data.objects[name] for name in sorted({o.name for o in bpy.data.objects} - before)]
    report['separate_modifiers'] = {
        'shape_faces': shape_faces,
        'status': bpy.context.window_manager.partfield_status.message,
        'parts': [{
            'name': part.name,
            'modifiers': [m.type for m in part.modifiers],
            'faces': len(part.data.polygons),
            'labels': sorted(set(face_labels(part) or [])),
            'off_shape_vertices': sum(rounded(v.co) not in shape for v in part.data.vertices),
        } for part in created],
    }

    # Undone and run again keeping the modifiers: each part is the cube's own faces plus its stack.
    bpy.ops.ed.undo()
    select_only(bpy.data.objects['SoftCube'])
    before = {o.name for o in bpy.data.objects}
    call('separate_soft_cube_keep', report, bpy.ops.partfield.separate_parts, apply_modifiers=False)
    kept = [bpy.data.objects[name] for name in sorted({o.name for o in bpy.data.objects} - before)]
    report['separate_modifiers']['kept'] = [
        {'name': part.name, 'modifiers': [m.type for m in part.modifiers], 'faces': len(part.data.polygons)}
        for part in kept
    ]


def rounded(co):
    return tuple(round(c, 4) for c in co)


def run_linked_duplicates(report):
    """Two objects showing one mesh: one segmentation, and a recut of one shows on the other."""
    bpy.ops.mesh.primitive_ico_sphere_add(subdivisions=2, location=(0, 6, 0))
    first = bpy.context.active_object
    first.name = 'LinkedA'
    second = first.copy()
    second.name = 'LinkedB'
    second.location = (2, 6, 0)
    bpy.context.scene.collection.objects.link(second)
    select_only(first, second)
    call('segment_linked', report, bpy.ops.partfield.segment_selected, part_count=4)
    segmented = {'a': snapshot(first), 'b': snapshot(second)}
    select_only(first)
    call('recut_linked', report, bpy.ops.partfield.recut, part_count=2)
    report['linked'] = {'segmented': segmented, 'recut': {'a': snapshot(first), 'b': snapshot(second)}}


def run_single_part(report):
    """A one-face plane yields one part: reports count it in the singular."""
    bpy.ops.mesh.primitive_plane_add(size=1, location=(0, -6, 0))
    plane = bpy.context.active_object
    plane.name = 'Plane'
    select_only(plane)
    status = bpy.context.window_manager.partfield_status
    single = {}
    call('segment_plane', report, bpy.ops.partfield.segment_selected, part_count=2)
    single['segment'] = status.message
    call('separate_plane', report, bpy.ops.partfield.separate_parts)
    single['separate'] = status.message
    select_only(plane)
    call('clear_plane', report, bpy.ops.partfield.clear)
    single['clear'] = status.message
    report['single_part'] = single


def run_poll_messages(report):
    """What a script gets when an operator cannot run on the selection."""
    polls = {}
    for obj in bpy.context.view_layer.objects:
        obj.select_set(False)
    polls['segment_nothing'] = call('poll_nothing', report, bpy.ops.partfield.segment_selected).get('error')
    empty = bpy.data.objects.new('Empty', None)
    bpy.context.scene.collection.objects.link(empty)
    select_only(empty)
    polls['segment_no_mesh'] = call('poll_no_mesh', report, bpy.ops.partfield.segment_selected).get('error')
    bpy.ops.mesh.primitive_cube_add(size=1, location=(0, -9, 0))
    fresh = bpy.context.active_object
    select_only(fresh)
    polls['recut_unsegmented'] = call('poll_recut', report, bpy.ops.partfield.recut, part_count=2).get('error')
    polls['separate_unlabelled'] = call('poll_separate', report, bpy.ops.partfield.separate_parts).get('error')
    report['polls'] = polls


def run_cancel(config, report):
    """Cancel a running job through the add-on's job code and record its id for the test."""
    import numpy as np
    from partfield_bridge.client import ClientSettings, DaemonClient
    from partfield_bridge.segment_job import JobCancelled, build_request, run_segment

    # A dense grid keeps the daemon busy long enough to cancel while the job runs.
    side = 120
    ys, xs = np.mgrid[0:side + 1, 0:side + 1]
    positions = np.stack([xs.ravel() / side, ys.ravel() / side, np.sin(xs.ravel() / 9.0) * 0.1], axis=1)
    corner = (ys[:-1, :-1] * (side + 1) + xs[:-1, :-1]).ravel()
    triangles = np.concatenate([
        np.stack([corner, corner + 1, corner + side + 2], axis=1),
        np.stack([corner, corner + side + 2, corner + side + 1], axis=1),
    ])
    client = DaemonClient(ClientSettings(config['daemonUrl'], '', 30.0))
    request = build_request('cancel-me', positions, triangles, None, {'n_clusters': 4, 'pca_components': 0})
    cancel = threading.Event()
    seen = {}

    def on_progress(progress):
        if progress.job_id:
            seen['job_id'] = progress.job_id
            seen['state'] = progress.state
            cancel.set()

    try:
        run_segment(client, request, len(triangles), cancel, on_progress)
        report['cancel'] = {'outcome': 'finished before the cancel', **seen}
    except JobCancelled:
        report['cancel'] = {'outcome': 'cancelled', **seen}


def run_offline(config, report):
    """Blender 4.2+ can forbid online access; Blender 3.4 has no such switch, so fake it."""
    import types
    from partfield_bridge import preferences as addon_preferences

    bpy.ops.mesh.primitive_cube_add(size=1, location=(0, -3, 0))
    cube = bpy.context.active_object
    cube.name = 'OfflineCube'
    select_only(cube)
    real_bpy = addon_preferences.bpy
    addon_preferences.bpy = types.SimpleNamespace(app=types.SimpleNamespace(online_access=False))
    try:
        # 0.0.0.0 counts as another computer, but a request that slipped through stays on this one.
        prefs().daemon_url = 'http://0.0.0.0:9'
        remote = call('offline_remote', report, bpy.ops.partfield.segment_selected, part_count=2)
        prefs().daemon_url = config['daemonUrl']
        loopback = call('offline_loopback', report, bpy.ops.partfield.segment_selected, part_count=2)
    finally:
        addon_preferences.bpy = real_bpy
    report['offline'] = {'remote': remote, 'loopback': loopback, 'loopback_job': cube.data.partfield.job_id}


def run_errors(config, report):
    errors = {}
    bpy.ops.mesh.primitive_cube_add(size=1, location=(0, 3, 0))
    cube = bpy.context.active_object
    table = bpy.data.objects['Table']

    def attempt(key, obj, check_limit_first=True, **kwargs):
        from partfield_bridge import segment_job

        select_only(obj)
        check = segment_job.check_face_limit
        if not check_limit_first:
            # Without the add-on's own check, the daemon's 413 response reaches the user.
            segment_job.check_face_limit = lambda *args: None
        try:
            step = call(f'error_{key}', report, bpy.ops.partfield.segment_selected, part_count=2, **kwargs)
        finally:
            segment_job.check_face_limit = check
        errors[key] = step.get('error') or f'no error: {step}'

    prefs().daemon_url = config['tokenDaemonUrl']
    prefs().token = ''
    attempt('unauthorized', cube)
    prefs().token = 'wrong-token'
    attempt('wrong_token', cube)
    prefs().token = config['token']
    table.hide_set(False)
    attempt('too_large', table)
    attempt('too_large_daemon', table, check_limit_first=False)
    soft = bpy.data.objects['SoftCube']
    soft.modifiers['Bevel'].show_viewport = False
    soft.modifiers['Subdivision'].levels = 3
    attempt('too_many_triangles', soft)
    select_only(soft)
    call('limit_modifiers_off', report, bpy.ops.partfield.segment_selected, part_count=2, use_modifiers=False)
    attempt('server_message', cube, backend='partfield')

    hung = hung_server()
    prefs().daemon_url = f'http://127.0.0.1:{hung}'
    prefs().token = ''
    prefs().timeout = 1.0
    attempt('timeout', cube)
    prefs().timeout = 30.0
    prefs().daemon_url = 'localhost:7860'
    attempt('invalid_url', cube)
    report['errors'] = errors


def hung_server():
    """Listen on a free loopback port and accept connections without ever sending a response."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(('127.0.0.1', 0))
    listener.listen(8)
    accepted = []

    def accept():
        while True:
            connection, _ = listener.accept()
            accepted.append(connection)

    threading.Thread(target=accept, daemon=True).start()
    return listener.getsockname()[1]


# ---------------------------------------------------------------------------------------------
# daemon stopped


def run_stopped(config, report):
    clear_scene()
    bpy.ops.mesh.primitive_cube_add(size=1)
    cube = bpy.context.active_object
    select_only(cube)
    call('segment_stopped', report, bpy.ops.partfield.segment_selected, part_count=2)
    try:
        bpy.ops.partfield.check_connection()
        report['steps']['check_stopped'] = {'result': 'FINISHED'}
    except RuntimeError as error:
        report['steps']['check_stopped'] = {'error': str(error)}
    report['cube_after'] = snapshot(cube)


main()
