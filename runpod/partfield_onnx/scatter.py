"""
Scatter-mean with an ONNX form that onnxruntime computes correctly.

PyTorch 1.13 exports `scatter_add` as ScatterElements with reduction="add" (opset 16 and later).
ScatterND with reduction="add" would need only one index per row, but onnxruntime's CPU kernel
applies its updates from several threads without atomics, so rows that many points share lose
updates; its ScatterElements kernel runs sequentially. The price is one int64 index per updated
value (about 200 MB for 256 channels at 100,000 points) while a scatter runs.
"""

import torch


class _ScatterAdd(torch.autograd.Function):
    # PyTorch 1.13's own scatter_add export rejects an index whose static shape it cannot prove
    # equal to the update's, which an expanded dynamic-length index never is.
    @staticmethod
    def forward(ctx, data: torch.Tensor, index: torch.Tensor, updates: torch.Tensor):
        return data.scatter_add(0, index, updates)

    @staticmethod
    def symbolic(g, data, index, updates):
        return g.op('ScatterElements', data, index, updates, axis_i=0, reduction_s='add')


def scatter_mean_rows(values: torch.Tensor, index: torch.Tensor, row_count: int):
    """
    Average the rows of `values` [N, C] that share a target row `index` [N].

    Returns [row_count, C]; rows that nothing lands on are zero, as torch_scatter's `scatter_mean`
    leaves them.
    """
    channels = values.shape[1]
    # A flat scatter runs about twice as fast in onnxruntime as the same scatter on two axes.
    flat_index = (index.unsqueeze(1) * channels + torch.arange(channels)).reshape(-1)
    sums = _ScatterAdd.apply(values.new_zeros(row_count * channels), flat_index, values.reshape(-1))
    counts = _ScatterAdd.apply(values.new_zeros(row_count), index, torch.ones_like(values[:, 0]))
    return sums.reshape(row_count, channels) / counts.clamp(min=1.0).unsqueeze(1)
