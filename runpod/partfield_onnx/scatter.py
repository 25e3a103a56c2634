"""
Scatter-add and gather with a known ONNX form.

PyTorch 1.13 exports `index_put_(accumulate=True)` as a ScatterND without reduction, which keeps
only one of several updates aimed at the same row, and `scatter_add` needs its index expanded to
the full update shape (200 MB of int64 for 256 channels at 100,000 points). So the row scatter-add
is a custom function: eager PyTorch runs `index_add`, the exporter writes ScatterND with
`reduction="add"` (ONNX opset 16 and later), whose indices are one int64 per point.
"""

import torch


class _ScatterAddRows(torch.autograd.Function):
    @staticmethod
    def forward(ctx, rows: torch.Tensor, index_column: torch.Tensor, updates: torch.Tensor):
        return rows.index_add(0, index_column[:, 0], updates)

    @staticmethod
    def symbolic(g, rows, index_column, updates):
        return g.op('ScatterND', rows, index_column, updates, reduction_s='add')


def scatter_add_rows(rows: torch.Tensor, index: torch.Tensor, updates: torch.Tensor):
    """Return a copy of `rows` [R, C] with `updates[i]` added to row `index[i]` for every i."""
    return _ScatterAddRows.apply(rows, index.unsqueeze(1), updates)


def scatter_mean_rows(values: torch.Tensor, index: torch.Tensor, row_count: int):
    """
    Average the rows of `values` [N, C] that share a target row.

    Returns [row_count, C]; rows that nothing lands on are zero, as torch_scatter's `scatter_mean`
    leaves them.
    """
    channels = values.shape[1]
    sums = scatter_add_rows(values.new_zeros(row_count, channels), index, values)
    ones = torch.ones_like(values[:, :1])
    counts = scatter_add_rows(values.new_zeros(row_count, 1), index, ones)
    return sums / counts.clamp(min=1.0)
