"""
Float16 variant of an exported encoder graph.

PyTorch 1.13 cannot trace half-precision convolutions on a CPU, so the conversion works on the
ONNX graph: nodes inside the U-Net and the transformer (found by the module scope PyTorch writes
into node names) compute in float16, everything else stays float32, and Cast nodes join the two.
The point scatter stays float32 because its per-cell sums and counts (up to 100,000 points) would
lose too much precision in float16.
"""

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FLOAT16_SCOPES = ('/pvcnn/unet_encoder/', '/triplane_transformer/')

# Inputs that keep their own type whatever the data type: Resize's roi and scales.
_FIXED_TYPE_INPUTS = {'Resize': {1, 2}}


def _float_tensors(graph) -> set:
    """Names of every float32 tensor in the graph (needs shape inference beforehand)."""
    names = set()
    for info in list(graph.value_info) + list(graph.input) + list(graph.output):
        if info.type.tensor_type.elem_type == TensorProto.FLOAT:
            names.add(info.name)
    for init in graph.initializer:
        if init.data_type == TensorProto.FLOAT:
            names.add(init.name)
    for node in graph.node:
        if node.op_type == 'Constant' and node.attribute[0].t.data_type == TensorProto.FLOAT:
            names.add(node.output[0])
    return names


def _to_float16_attributes(node) -> None:
    for attribute in node.attribute:
        if node.op_type == 'Cast' and attribute.name == 'to' and attribute.i == TensorProto.FLOAT:
            attribute.i = TensorProto.FLOAT16
        if attribute.type == onnx.AttributeProto.TENSOR and attribute.t.data_type == TensorProto.FLOAT:
            values = numpy_helper.to_array(attribute.t).astype(np.float16)
            attribute.t.CopyFrom(numpy_helper.from_array(values, attribute.t.name))


def convert_to_float16(source: str, target: str) -> None:
    """Rewrite the ONNX file `source` as a mixed float16/float32 graph at `target`."""
    model = onnx.shape_inference.infer_shapes(onnx.load(source))
    graph = model.graph
    floats = _float_tensors(graph)
    initializers = {init.name: init for init in graph.initializer}
    fixed_type = {
        node.input[i] for node in graph.node
        for i in _FIXED_TYPE_INPUTS.get(node.op_type, ()) if i < len(node.input)}
    in_half = [
        node.name.startswith(FLOAT16_SCOPES) and not set(node.output) & fixed_type
        for node in graph.node]
    half_tensors = {
        out for node, half in zip(graph.node, in_half) if half for out in node.output if out in floats}

    # A float16 graph output gets a float16 twin and a Cast back to its own name.
    for output in graph.output:
        if output.name in half_tensors:
            twin = output.name + '_float16'
            for node in graph.node:
                node.output[:] = [twin if o == output.name else o for o in node.output]
                node.input[:] = [twin if i == output.name else i for i in node.input]
            half_tensors.add(twin)
            graph.node.append(helper.make_node(
                'Cast', [twin], [output.name], name=output.name + '_to_float32', to=TensorProto.FLOAT))
            in_half.append(False)

    casts = {}
    new_initializers = []

    def cast_input(name: str, to_half: bool) -> str:
        key = (name, to_half)
        if key not in casts:
            if to_half and name in initializers:
                values = numpy_helper.to_array(initializers[name]).astype(np.float16)
                casts[key] = (name + '_float16', None)
                new_initializers.append(numpy_helper.from_array(values, name + '_float16'))
            else:
                cast_name = name + ('_to_float16' if to_half else '_to_float32')
                node = helper.make_node(
                    'Cast', [name], [cast_name], name=cast_name,
                    to=TensorProto.FLOAT16 if to_half else TensorProto.FLOAT)
                casts[key] = (cast_name, node)
        return casts[key][0]

    nodes = []
    for node, half in zip(graph.node, in_half):
        fixed = _FIXED_TYPE_INPUTS.get(node.op_type, set())
        for i, name in enumerate(node.input):
            if not name or i in fixed:
                continue
            if half and name in floats and name not in half_tensors:
                node.input[i] = cast_input(name, to_half=True)
            elif not half and name in half_tensors:
                node.input[i] = cast_input(name, to_half=False)
        if half:
            _to_float16_attributes(node)
        nodes.append(node)

    # Casts go right after their source, so the node list stays topologically sorted.
    ordered = []
    pending = {node.input[0]: node for name, node in casts.values() if node is not None}
    for name in [i.name for i in graph.input] + list(initializers):
        if name in pending:
            ordered.append(pending.pop(name))
    for node in nodes:
        ordered.append(node)
        for out in node.output:
            if out in pending:
                ordered.append(pending.pop(out))

    used = {name for node in ordered for name in node.input}
    kept = [init for init in graph.initializer if init.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept + [init for init in new_initializers if init.name in used])
    del graph.node[:]
    graph.node.extend(ordered)
    del graph.value_info[:]
    onnx.checker.check_model(model)
    onnx.save(model, target)
