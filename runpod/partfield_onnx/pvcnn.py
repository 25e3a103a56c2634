"""
Point encoder: point-voxel convolutions, then point features scattered into three planes.

Parameter names follow the published checkpoint (`pvcnn.pc_encoder.encoder.<i>...`). The checkpoint
contains four point-voxel blocks (voxel resolutions 32, 16, 16, 8), but PartField builds its planes
from the first block's point features only, so blocks 1 to 3 are loaded and never run.
"""

import torch
from torch import nn
import torch.nn.functional as F

from .normalization import InstanceNorm
from .scatter import scatter_mean_rows
from .triplane_unet import TriplaneUNet

# Extra zero channels the original appends to the 6 input channels (xyz twice).
INPUT_PADDING_CHANNELS = 2
# PartField divides plane coordinates by 1 + padding + 1e-5 (padding 0) and keeps them below 1.
PLANE_COORDINATE_DIVISOR = 1.0 + 10e-6
PLANE_COORDINATE_MAX = 1.0 - 10e-6


class PointMlp(nn.Module):
    """1x1 Conv1d, instance norm over the points, ReLU (the checkpoint's `point_features`)."""

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Conv1d(in_channels, out_channels, 1),
            InstanceNorm(eps=1e-5),
            nn.ReLU(),
        )

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.layers(features)


class PointVoxelBlock(nn.Module):
    """
    One point-voxel convolution: average the point features into a cubic grid, run two 3x3x3
    convolutions there, read the grid back at every point by trilinear interpolation and add a
    per-point MLP of the input features.
    """

    def __init__(self, in_channels: int, out_channels: int, resolution: int):
        super().__init__()
        self.resolution = resolution
        self.voxel_layers = nn.Sequential(
            nn.Conv3d(in_channels, out_channels, 3, padding=1),
            InstanceNorm(eps=1e-4),
            nn.LeakyReLU(0.1),
            nn.Conv3d(out_channels, out_channels, 3, padding=1),
            InstanceNorm(eps=1e-4),
            nn.LeakyReLU(0.1),
        )
        self.point_features = PointMlp(in_channels, out_channels)

    def forward(self, features: torch.Tensor, coords: torch.Tensor, used_channels: int):
        """
        features: [1, C, N]; coords: [1, 3, N] in [-1, 1]. Only the first `used_channels` input
        channels can be non-zero, so the weights of the others are skipped. Returns the fused
        point features points-first, [N, C_out].
        """
        r = self.resolution
        grid = torch.clamp((coords + 1) / 2.0 * r, 0, r - 1)[0]
        voxel = torch.round(grid).long()
        cells = voxel[0] * (r * r) + voxel[1] * r + voxel[2]
        rows = features[0, :used_channels].t()
        voxels = scatter_mean_rows(rows, cells, r ** 3).t().reshape(1, used_channels, r, r, r)

        first = self.voxel_layers[0]
        voxels = F.conv3d(voxels, first.weight[:, :used_channels], first.bias, padding=1)
        for layer in self.voxel_layers[1:]:
            voxels = layer(voxels)

        # Cells first, so each trilinear corner read copies whole rows of channels.
        sampled = devoxelize(voxels[0].reshape(voxels.shape[1], -1).t(), grid, r)
        conv = self.point_features.layers[0]
        pointwise = F.conv1d(features[:, :used_channels], conv.weight[:, :used_channels], conv.bias)
        pointwise = self.point_features.layers[2](self.point_features.layers[1](pointwise))
        return sampled + pointwise[0].t()


def devoxelize(voxels: torch.Tensor, grid: torch.Tensor, r: int) -> torch.Tensor:
    """
    Trilinear read of `voxels` [r**3, C] at continuous grid positions `grid` [3, N] in [0, r - 1];
    returns [N, C].

    Matches the original's `grid_sample` on the 5-D grid with align_corners=False and border
    padding, including its axis order. The grid's last axis is voxel x, but grid_sample reads the sample's
    first coordinate along the last axis, so the x position indexes voxel z and vice versa.
    """
    # Unnormalise as grid_sample does, from the [-1, 1] grid the original builds, so the
    # interpolation weights round the same way.
    grid = ((grid * 2 + 1) / r - 1 + 1) * r
    grid = ((grid - 1) / 2).clamp(0, r - 1)
    lower = torch.floor(grid).clamp(max=r - 2)
    base = lower.long()
    # Sample axis 0 (x) walks the voxel array with stride 1, axis 2 (z) with stride r * r.
    strides = (1, r, r * r)

    out = None
    for corner in range(8):
        offsets = [(corner >> axis) & 1 for axis in range(3)]
        index = sum((base[axis] + offsets[axis]) * strides[axis] for axis in range(3))
        weight = None
        for axis in range(3):
            w = grid[axis] - lower[axis] if offsets[axis] else lower[axis] + 1 - grid[axis]
            weight = w if weight is None else weight * w
        term = torch.index_select(voxels, 0, index) * weight.unsqueeze(1)
        out = term if out is None else out + term
    return out


def plane_features(xyz: torch.Tensor, features: torch.Tensor, resolution: int) -> torch.Tensor:
    """
    Average point features into the xy, yz and xz planes.

    xyz: [N, 3] in about [-0.5, 0.5]; features: [N, C]. Returns [1, 3, C, res, res]; in each plane
    the first named axis runs along the columns and the second along the rows.
    """
    unit = (xyz / PLANE_COORDINATE_DIVISOR + 0.5).clamp(0.0, PLANE_COORDINATE_MAX)
    cell = (unit * resolution).long()
    planes = []
    for column_axis, row_axis in ((0, 1), (1, 2), (0, 2)):
        index = cell[:, column_axis] + resolution * cell[:, row_axis]
        mean = scatter_mean_rows(features, index, resolution * resolution)
        planes.append(mean.t().reshape(features.shape[1], resolution, resolution))
    return torch.stack(planes).unsqueeze(0)


class PointEncoderBlocks(nn.Module):
    """Container that keeps the checkpoint's `pc_encoder.encoder` list under its original name."""

    def __init__(self, blocks: list):
        super().__init__()
        self.encoder = nn.ModuleList(blocks)


class PointTriplaneEncoder(nn.Module):
    """Points [1, N, 3] in normalised coordinates to U-Net-refined planes [1, 3, C, res, res]."""

    def __init__(self, config):
        super().__init__()
        c = config.point_channels
        in_channels = 6 + INPUT_PADDING_CHANNELS
        self.plane_resolution = config.plane_resolution
        self.pc_encoder = PointEncoderBlocks([
            PointVoxelBlock(in_channels, c, 32),
            PointVoxelBlock(c, 128 * c // 256, 16),
            PointVoxelBlock(128 * c // 256, 128 * c // 256, 16),
            PointVoxelBlock(128 * c // 256, c, 8),
        ])
        self.unet_encoder = TriplaneUNet(c, c, config.unet_channels, depth=3)

    def forward(self, points: torch.Tensor) -> torch.Tensor:
        # The original maps [-1, 1] to [0, 1], centres it, feeds xyz as both position and feature
        # and doubles everything. Repeating its float operations in the same order keeps voxel and
        # plane cells identical for points on a cell boundary.
        xyz = (points - (-1.0)) / 2.0 - 0.5
        features = torch.cat([xyz, points], dim=-1).permute(0, 2, 1) * 2
        coords = features[:, :3]

        point_features = self.pc_encoder.encoder[0](features, coords, 6)
        planes = plane_features(xyz[0], point_features, self.plane_resolution)
        return self.unet_encoder(planes)
