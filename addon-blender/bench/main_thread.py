"""Time what the add-on does on Blender's main thread and print the figures.

Usage: blender -b --factory-startup --python addon-blender/bench/main_thread.py -- ADDON_DIR [REPEATS]

ADDON_DIR is the folder that contains the ``partfield_bridge`` package, so two versions of the
add-on can be compared on one machine. Each figure is the median of REPEATS runs (default 7), as
wall time and as CPU time of the main thread. CPU time varies less on a busy machine, but misses
work Blender hands to its own threads, such as parts of the evaluation. Reading includes Blender's
evaluation of the modifier stack, which the add-on cannot avoid: "evaluate only" times that part
alone, so the difference is the add-on's own work.
"""

import statistics
import sys
import time

import bpy
import numpy as np


def main():
    args = sys.argv[sys.argv.index('--') + 1:]
    sys.path.insert(0, args[0])
    repeats = int(args[1]) if len(args) > 1 else 7
    from partfield_bridge import apply_result, mesh_io

    for obj in list(bpy.data.objects):
        bpy.data.objects.remove(obj)
    bpy.ops.mesh.primitive_monkey_add()
    suzanne = bpy.context.active_object
    subdivision = suzanne.modifiers.new('Subdivision', 'SUBSURF')

    for level in (3, 4):
        subdivision.levels = level
        bpy.context.evaluated_depsgraph_get()
        triangles = len(mesh_io.read_mesh(bpy.context, suzanne, True, True).triangles)
        evaluate = median_ms(repeats, lambda: evaluate_again(suzanne))
        print(f'Suzanne, Subdivision {level} ({triangles:,} triangles): evaluate only {evaluate}')
        for whole_faces in (True, False):
            read = median_ms(repeats, lambda: mesh_io.read_mesh(bpy.context, suzanne, True, whole_faces))
            print(f'  read_mesh, whole_faces={whole_faces}: {read}')

    subdivision.levels = 4
    bpy.ops.object.modifier_apply(modifier='Subdivision')
    faces = len(suzanne.data.polygons)
    labels = (np.arange(faces) * 7 // faces).astype(np.int32)
    write = median_ms(repeats, lambda: apply_result.write_labels(suzanne, labels, 7, False))
    print(f'write_labels, {faces:,} faces, 7 parts: {write}')


def evaluate_again(obj):
    """Tag the mesh as changed and evaluate the scene, as reading it with the face stamp does."""
    obj.data.update()
    bpy.context.evaluated_depsgraph_get()


def median_ms(repeats, run):
    """Return the median wall and main-thread CPU time of ``run`` as text, in milliseconds."""
    wall = []
    cpu = []
    for _ in range(repeats):
        start_wall = time.perf_counter()
        start_cpu = time.thread_time()
        run()
        cpu.append(time.thread_time() - start_cpu)
        wall.append(time.perf_counter() - start_wall)
    return f'{statistics.median(wall) * 1000:.0f} ms wall, {statistics.median(cpu) * 1000:.0f} ms CPU'


main()
