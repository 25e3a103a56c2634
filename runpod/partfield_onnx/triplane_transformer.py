"""
Triplane transformer: planes [1, 3, C, 128, 128] to feature planes [1, 3, D, 128, 128].

A conv/max-pool downsampler turns each plane into 32 x 32 tokens; the 3 x 1024 tokens plus a learned
position embedding pass through pre-norm transformer blocks; a 4 x 4 stride-4 transposed convolution
brings them back to 128 x 128 and a per-pixel MLP of the input planes is added.
"""

import math

import torch
from torch import nn
import torch.nn.functional as F

LAYER_NORM_EPS = 1e-6
MLP_RATIO = 4


class SelfAttention(nn.Module):
    """Multi-head self-attention without biases, stored as nn.MultiheadAttention stores it."""

    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.head_dim = dim // heads
        self.in_proj_weight = nn.Parameter(torch.empty(3 * dim, dim))
        self.out_proj = nn.Linear(dim, dim, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, length, dim = x.shape
        qkv = F.linear(x, self.in_proj_weight).reshape(b, length, 3, self.heads, self.head_dim)
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)
        q = q / math.sqrt(self.head_dim)
        attention = torch.softmax(q @ k.transpose(-2, -1), dim=-1)
        out = (attention @ v).permute(0, 2, 1, 3).reshape(b, length, dim)
        return self.out_proj(out)


class TransformerBlock(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=LAYER_NORM_EPS)
        self.self_attn = SelfAttention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=LAYER_NORM_EPS)
        # Slots 2 and 4 held dropout layers in training; the checkpoint keeps the numbering.
        self.mlp = nn.Sequential(
            nn.Linear(dim, MLP_RATIO * dim),
            nn.GELU(),
            nn.Identity(),
            nn.Linear(MLP_RATIO * dim, dim),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.self_attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class TransformerStack(nn.Module):
    def __init__(self, dim: int, heads: int, layers: int):
        super().__init__()
        self.layers = nn.ModuleList(TransformerBlock(dim, heads) for _ in range(layers))
        self.norm = nn.LayerNorm(dim, eps=LAYER_NORM_EPS)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            x = layer(x)
        return self.norm(x)


class TriplaneTransformer(nn.Module):
    def __init__(self, config):
        super().__init__()
        c = config.point_channels
        dim = config.transformer_dim
        self.token_resolution = config.plane_resolution // 4
        self.pos_embed = nn.Parameter(torch.empty(1, 3 * self.token_resolution ** 2, dim))
        self.transformer = TransformerStack(dim, config.transformer_heads, config.transformer_layers)
        self.downsampler = nn.Sequential(
            nn.Conv2d(c, dim, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(dim, dim, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.upsampler = nn.ConvTranspose2d(dim, config.output_channels, 4, stride=4)
        self.mlp = nn.Sequential(
            nn.Linear(c, config.output_channels),
            nn.ReLU(),
            nn.Linear(config.output_channels, config.output_channels),
        )

    def forward(self, planes: torch.Tensor, first_channel: int) -> torch.Tensor:
        """
        planes: [1, 3, C, H, W]. Returns output channels `first_channel` onwards, [1, 3, D', H, W];
        the channels before it are never computed.
        """
        _, _, c, h, w = planes.shape
        t = self.token_resolution
        dim = self.pos_embed.shape[2]

        tokens = self.downsampler(planes[0])
        tokens = tokens.permute(0, 2, 3, 1).reshape(1, 3 * t * t, dim) + self.pos_embed
        tokens = self.transformer(tokens)
        tokens = tokens.reshape(3, t, t, dim).permute(0, 3, 1, 2)
        residual = F.conv_transpose2d(
            tokens, self.upsampler.weight[:, first_channel:], self.upsampler.bias[first_channel:],
            stride=4)

        hidden = F.relu(self.mlp[0](planes[0].permute(0, 2, 3, 1)))
        last = self.mlp[2]
        skip = F.linear(hidden, last.weight[first_channel:], last.bias[first_channel:])
        return (skip.permute(0, 3, 1, 2) + residual).unsqueeze(0)
