"""
The 3D-aware triplane U-Net that refines the scattered planes.

The three planes travel "rolled": stacked along the image height into one [B, C, 3H, W] image, so
the 3x3 convolutions and group norms see all three at once (a convolution window can straddle two
planes, as in the original). Between those convolutions a 1x1 "3D-aware" convolution lets every
plane see the other two averaged along the axis it does not share with them.
"""

import torch
from torch import nn
import torch.nn.functional as F

from .normalization import GroupNorm

GROUP_NORM_EPS = 1e-6
MAX_GROUPS = 32


def group_norm(channels: int) -> GroupNorm:
    return GroupNorm(min(channels, MAX_GROUPS), channels, eps=GROUP_NORM_EPS)


def swish(x: torch.Tensor) -> torch.Tensor:
    return x * torch.sigmoid(x)


def roll(planes: torch.Tensor) -> torch.Tensor:
    """[B, 3, C, H, W] to [B, C, 3H, W]."""
    b, _, c, h, w = planes.shape
    return planes.permute(0, 2, 1, 3, 4).reshape(b, c, 3 * h, w)


def unroll(image: torch.Tensor) -> torch.Tensor:
    """[B, C, 3H, W] to [B, 3, C, H, W]."""
    b, c, h3, w = image.shape
    return image.reshape(b, c, 3, h3 // 3, w).permute(0, 2, 1, 3, 4)


class CrossPlaneConv(nn.Module):
    """
    1x1 convolution of each plane concatenated with the other two planes pooled onto it.

    With planes xy, yz and the transposed xz (zx), plane i's columns match the rows of plane i+1
    and its rows match the columns of plane i+2 (indices mod 3). So plane i+1 is averaged over its
    columns, plane i+2 over its rows, and both are broadcast over plane i.
    """

    def __init__(self, channels: int):
        super().__init__()
        self.plane_convs = nn.ModuleList([nn.Conv2d(3 * channels, channels, 1) for _ in range(3)])

    def forward(self, planes: torch.Tensor) -> torch.Tensor:
        inputs = [planes[:, 0], planes[:, 1], planes[:, 2].transpose(2, 3)]
        outputs = []
        for i in range(3):
            own = inputs[i]
            next_plane = inputs[(i + 1) % 3]
            after_next = inputs[(i + 2) % 3]
            next_pooled = next_plane.mean(dim=3, keepdim=True).transpose(2, 3).expand_as(own)
            after_pooled = after_next.mean(dim=2, keepdim=True).transpose(2, 3).expand_as(own)
            outputs.append(self.plane_convs[i](torch.cat([own, next_pooled, after_pooled], dim=1)))
        outputs[2] = outputs[2].transpose(2, 3)
        return torch.stack(outputs, dim=1)


class ResidualBlock(nn.Module):
    """Norm, swish, 3x3 conv; norm, swish, cross-plane 1x1 conv; norm, swish, 3x3 conv; plus skip."""

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.norm1 = group_norm(in_channels)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.norm_mid = group_norm(out_channels)
        self.conv_3daware = CrossPlaneConv(out_channels)
        self.norm2 = group_norm(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1)
        self.nin_shortcut = None
        if in_channels != out_channels:
            self.nin_shortcut = nn.Conv2d(in_channels, out_channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.conv1(swish(self.norm1(x)))
        h = swish(self.norm_mid(h))
        h = roll(self.conv_3daware(unroll(h)))
        h = self.conv2(swish(self.norm2(h)))
        if self.nin_shortcut is not None:
            x = self.nin_shortcut(x)
        return x + h


class DownStage(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, downsample: bool):
        super().__init__()
        self.block = ResidualBlock(in_channels, out_channels)
        self.downsample = downsample

    def forward(self, x: torch.Tensor):
        skip = self.block(x)
        # Plane heights are even, so 2x2 windows of the rolled image never straddle two planes.
        out = F.avg_pool2d(skip, 2) if self.downsample else skip
        return out, skip


class UpStage(nn.Module):
    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.norm1 = group_norm(in_channels + out_channels)
        self.block = ResidualBlock(in_channels + out_channels, out_channels)

    def forward(self, skip: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        x = F.interpolate(x, scale_factor=2.0, mode='nearest')
        return self.block(self.norm1(torch.cat([x, skip], dim=1)))


class TriplaneUNet(nn.Module):
    """Planes [B, 3, C_in, H, W] to [B, 3, C_out, H, W]; `depth` stages, `start` channels doubling."""

    def __init__(self, in_channels: int, out_channels: int, start: int, depth: int):
        super().__init__()
        widths = [start * 2 ** i for i in range(depth)]
        ins = [in_channels] + widths[:-1]
        self.down_convs = nn.ModuleList(
            DownStage(ins[i], widths[i], downsample=i < depth - 1) for i in range(depth))
        self.up_convs = nn.ModuleList(
            UpStage(widths[-1 - i], widths[-2 - i]) for i in range(depth - 1))
        self.norm_out = group_norm(widths[0])
        self.conv_final = nn.Conv2d(widths[0], out_channels, 1)

    def forward(self, planes: torch.Tensor) -> torch.Tensor:
        x = roll(planes)
        skips = []
        for stage in self.down_convs:
            x, skip = stage(x)
            skips.append(skip)
        for i, stage in enumerate(self.up_convs):
            x = stage(skips[-2 - i], x)
        x = self.conv_final(swish(self.norm_out(x)))
        return unroll(x)
