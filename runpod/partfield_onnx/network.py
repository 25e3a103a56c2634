"""PartField's part-feature encoder: points to part planes, with the checkpoint's parameter names."""

from dataclasses import dataclass

import torch
from torch import nn

from .pvcnn import PointTriplaneEncoder
from .triplane_transformer import TriplaneTransformer


@dataclass(frozen=True)
class NetworkConfig:
    point_channels: int
    unet_channels: int
    plane_resolution: int
    transformer_dim: int
    transformer_heads: int
    transformer_layers: int
    output_channels: int
    # Output channels before this one are SDF planes, unused for part features.
    part_channel_start: int


# The published checkpoint (model_objaverse.ckpt): 448 part channels after 64 SDF channels.
FULL = NetworkConfig(
    point_channels=256, unet_channels=32, plane_resolution=128, transformer_dim=1024,
    transformer_heads=8, transformer_layers=6, output_channels=512, part_channel_start=64)

# Same structure at a fraction of the width, for fast tests of the export path.
REDUCED = NetworkConfig(
    point_channels=32, unet_channels=32, plane_resolution=32, transformer_dim=64,
    transformer_heads=4, transformer_layers=2, output_channels=48, part_channel_start=8)

# Checkpoint tensors that inference never reads.
UNUSED_PREFIXES = ('sdf_decoder.', 'logit_scale')


class PartFieldEncoder(nn.Module):
    """Points [1, N, 3] in normalised coordinates to part planes [1, 3, C, R, R]."""

    def __init__(self, config: NetworkConfig = FULL):
        super().__init__()
        self.config = config
        self.pvcnn = PointTriplaneEncoder(config)
        self.triplane_transformer = TriplaneTransformer(config)

    def forward(self, points: torch.Tensor) -> torch.Tensor:
        planes = self.pvcnn(points)
        return self.triplane_transformer(planes, self.config.part_channel_start)
