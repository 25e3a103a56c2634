"""
Group and instance normalisation written out as two-pass mean and variance.

onnxruntime's InstanceNormalization kernel (which PyTorch's exporter uses for both) loses about
two digits on float32 data with a non-zero mean: 1e-5 absolute error on unit-variance outputs in
our measurements with onnxruntime-node 1.31, where float32 allows 1e-7. Through the U-Net's eleven
group norms that grew to a 7e-5 relative error in the part features. ReduceMean of the centred
values keeps float32 accuracy.
"""

import torch
from torch import nn


def nested_mean(x: torch.Tensor, dims: tuple) -> torch.Tensor:
    """
    Mean over `dims`, one axis at a time. onnxruntime's ReduceMean adds in float32 one value after
    another, so one reduction over 400,000 values errs by about 1e-5; reducing 128, then 384, then 8
    values keeps the error near float32 precision.
    """
    for dim in sorted(dims, reverse=True):
        x = x.mean(dim=dim, keepdim=True)
    return x


def normalize(x: torch.Tensor, dims: tuple, eps: float) -> torch.Tensor:
    """(x - mean) / sqrt(variance + eps), statistics over `dims` (biased variance, as PyTorch)."""
    centred = x - nested_mean(x, dims)
    variance = nested_mean(centred * centred, dims)
    return centred / torch.sqrt(variance + eps)


class GroupNorm(nn.Module):
    """nn.GroupNorm with the same parameters (`weight`, `bias`), for [B, C, H, W] input."""

    def __init__(self, groups: int, channels: int, eps: float):
        super().__init__()
        self.groups = groups
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        grouped = normalize(x.reshape(b, self.groups, c // self.groups, h, w), (2, 3, 4), self.eps)
        return grouped.reshape(b, c, h, w) * self.weight.reshape(1, c, 1, 1) + self.bias.reshape(1, c, 1, 1)


class InstanceNorm(nn.Module):
    """nn.InstanceNorm1d/3d without affine parameters: statistics over every axis after the channel."""

    def __init__(self, eps: float):
        super().__init__()
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return normalize(x, tuple(range(2, x.dim())), self.eps)
