#!/usr/bin/env python3
"""
Export PartField's part-feature encoder to ONNX.

    python3 export_onnx.py --checkpoint model_objaverse.ckpt --out partfield.onnx
    python3 export_onnx.py --golden --out /tmp/partfield-golden.onnx

The ONNX model maps points [1, N, 3] float32 (normalised surface samples: bounding-box centre at
the origin, longest side 1.8; N dynamic, 100,000 in the daemon) to part planes
[1, 3, 448, 128, 128]. The network is our own implementation with the checkpoint's parameter
names, so the published Lightning checkpoint loads unchanged (strict). Needs PyTorch >= 1.13 and
numpy; --fp16 and the graph check also use the onnx package.

--golden fills the weights by the golden rule instead of loading a checkpoint, checks the part
features at the golden queries against the original code's output, and exports only if they match.
"""

import argparse
import importlib.util
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

from partfield_onnx import golden  # noqa: E402
from partfield_onnx.checkpoint import CheckpointError, load_checkpoint  # noqa: E402
from partfield_onnx.network import FULL, REDUCED, PartFieldEncoder  # noqa: E402
from partfield_onnx.onnx_export import describe_graph, export_encoder  # noqa: E402

# The reduced-width test model is traced on this many golden points and checked on all of them,
# so a shape fixed at trace time would show.
REDUCED_TRACE_POINTS = 2_000


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description='Export the PartField part-feature encoder (points -> part planes) to ONNX.')
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument('--checkpoint', metavar='PATH',
                        help='PartField Lightning checkpoint, such as model_objaverse.ckpt '
                             '(unpickled: load only files you trust)')
    source.add_argument('--golden', action='store_true',
                        help='fill the weights by the golden rule, check the features against '
                             'the golden data, export only on a match')
    source.add_argument('--reduced', action='store_true',
                        help='export a reduced-width network with golden-rule weights (for tests)')
    parser.add_argument('--out', metavar='PATH', default='partfield.onnx',
                        help='ONNX file to write (default: partfield.onnx); replaced only when the '
                             'export succeeds')
    parser.add_argument('--fp16', action='store_true',
                        help='store weights and run the U-Net and transformer in float16 for GPUs '
                             '(the point scatter, input and output stay float32); on a CPU the '
                             'float16 model runs slower than the float32 one')
    parser.add_argument('--golden-dir', metavar='DIR',
                        help='folder with the full golden files (features-512x448.f32, '
                             'part-plane-channel-means-3x448.f32); default: the excerpt shipped '
                             'in partfield_onnx/golden')
    parser.add_argument('--reference', metavar='PATH',
                        help='with --golden or --reduced: also write the PyTorch output on all '
                             '20,000 golden points as raw little-endian float32')
    args = parser.parse_args(argv)
    if args.fp16 and importlib.util.find_spec('onnx') is None:
        parser.error('--fp16 needs the onnx package (Debian python3-onnx, or pip install onnx)')
    if args.reference and args.checkpoint:
        parser.error('--reference needs --golden or --reduced')
    if args.golden_dir and not args.golden:
        parser.error('--golden-dir needs --golden')
    return args


def build_model(args) -> PartFieldEncoder:
    model = PartFieldEncoder(REDUCED if args.reduced else FULL).eval()
    if args.checkpoint:
        load_checkpoint(model, args.checkpoint)
        print(f'loaded {args.checkpoint}')
    else:
        golden.fill_by_rule(model)
    return model


def run_export(args) -> int:
    out_dir = os.path.dirname(os.path.abspath(args.out))
    if not os.path.isdir(out_dir):
        print(f'error: output folder not found: {out_dir}', file=sys.stderr)
        return 2
    torch.set_num_threads(max(1, len(os.sched_getaffinity(0))))

    started = time.time()
    model = build_model(args)
    points = golden.golden_input()
    example = points[:, :REDUCED_TRACE_POINTS] if args.reduced else points
    print(f'network ready in {time.time() - started:.1f} s, {torch.get_num_threads()} threads')

    partial = args.out + '.partial'
    started = time.time()
    planes = export_encoder(model, example, partial)
    print(f'traced and exported {example.shape[1]} points -> {tuple(planes.shape)} in '
          f'{time.time() - started:.1f} s')

    try:
        if args.golden:
            comparisons = golden.compare(planes, golden.load_golden(args.golden_dir))
            for comparison in comparisons:
                print(comparison.describe())
            if not all(c.passed for c in comparisons):
                print('golden check failed; no ONNX file written', file=sys.stderr)
                return 1
        if args.reference:
            write_reference(model, points, planes if not args.reduced else None, args.reference)
        if args.fp16:
            # Imported here: only the float16 conversion needs the onnx package.
            from partfield_onnx.float16 import convert_to_float16
            convert_to_float16(partial, partial)
        print(describe_graph(partial))
        os.replace(partial, args.out)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    print(f'wrote {args.out}')
    return 0


def write_reference(model, points, traced_output, path: str) -> None:
    if traced_output is None:
        with torch.no_grad():
            traced_output = model(points)
    traced_output.numpy().astype('<f4').tofile(path)
    print(f'wrote the PyTorch output {tuple(traced_output.shape)} on {points.shape[1]} points to {path}')


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        return run_export(args)
    except CheckpointError as error:
        print(f'error: {error}', file=sys.stderr)
        return 2


if __name__ == '__main__':
    sys.exit(main())
