"""Tracing the encoder into an ONNX file with a dynamic point count."""

import collections
import os

import torch

# ScatterElements with reduction="add" needs opset 16; 17 is the newest PyTorch 1.13 writes and
# adds LayerNormalization as one operator.
OPSET = 17
INPUT_NAME = 'points'
OUTPUT_NAME = 'part_planes'


def export_encoder(model: torch.nn.Module, example: torch.Tensor, path: str) -> torch.Tensor:
    """
    Trace `model` on `example` [1, N, 3] and write the ONNX graph to `path`, the point count
    left dynamic. Returns the traced forward's output, so callers need no second forward pass.
    """
    captured = []
    hook = model.register_forward_hook(lambda module, inputs, output: captured.append(output.detach()))
    try:
        with torch.no_grad():
            torch.onnx.export(
                model, (example,), path, opset_version=OPSET, input_names=[INPUT_NAME],
                output_names=[OUTPUT_NAME], dynamic_axes={INPUT_NAME: {1: 'point_count'}},
                do_constant_folding=True)
    finally:
        hook.remove()
    if len(captured) != 1:
        raise RuntimeError(f'expected one traced forward pass, saw {len(captured)}')
    return captured[0]


def describe_graph(path: str) -> str:
    """
    Check the ONNX file and summarise its operators, e.g. 'Conv x12, Gather x8'. Without the onnx
    package (the export itself needs only PyTorch) only the size is reported.
    """
    size = os.path.getsize(path) / 2 ** 20
    try:
        import onnx
    except ImportError:
        return f'{size:.1f} MiB, opset {OPSET} (install the onnx package to check the graph)'
    onnx.checker.check_model(path)
    model = onnx.load(path, load_external_data=False)
    counts = collections.Counter(node.op_type for node in model.graph.node)
    ops = ', '.join(f'{op} x{n}' for op, n in sorted(counts.items()))
    return f'{len(model.graph.node)} nodes, {size:.1f} MiB, opset {OPSET}: {ops}'
