"""
The golden check: our network, filled by the golden weight rule, must reproduce the part features
the original PartField code computed in float32 on CPU for the golden points.

The full expected data (512 queries x 448 features, 3 x 448 channel means) ships outside this
repository. This package carries an excerpt of it (every 32nd query, the first 64 channel means of
each plane), so the check runs anywhere.
"""

import os
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from .weight_rule import golden_points, golden_queries, rule_tensor

# Pass when max |ours - expected| <= RELATIVE_TOLERANCE * max |expected|.
RELATIVE_TOLERANCE = 1e-4

EXCERPT_DIR = os.path.join(os.path.dirname(__file__), 'golden')
EXCERPT_QUERY_STEP = 32
EXCERPT_MEAN_CHANNELS = 64
FULL_FEATURES_FILE = 'features-512x448.f32'
FULL_MEANS_FILE = 'part-plane-channel-means-3x448.f32'
EXCERPT_FEATURES_FILE = 'features-every-32nd-query-16x448.f32'
EXCERPT_MEANS_FILE = 'part-plane-channel-means-first-64-3x64.f32'
PART_CHANNELS = 448


@dataclass
class GoldenData:
    source: str
    query_indices: np.ndarray
    features: np.ndarray
    """Expected features at `query_indices`, [Q, 448]."""
    channel_means: np.ndarray
    """Expected mean over H x W of part-plane channels 0..M-1 of each plane, [3, M]."""


@dataclass
class Comparison:
    name: str
    max_difference: float
    max_expected: float

    @property
    def ratio(self) -> float:
        return self.max_difference / self.max_expected

    @property
    def passed(self) -> bool:
        return self.max_difference <= RELATIVE_TOLERANCE * self.max_expected

    def describe(self) -> str:
        verdict = 'pass' if self.passed else 'FAIL'
        return (f'{self.name}: max |ours - expected| {self.max_difference:.3e}, max |expected| '
                f'{self.max_expected:.4f}, ratio {self.ratio:.2e} (limit {RELATIVE_TOLERANCE:g}): '
                f'{verdict}')


def fill_by_rule(model: torch.nn.Module) -> None:
    """Set every parameter of `model` to its golden-rule value."""
    state = {k: torch.from_numpy(rule_tensor(k, tuple(v.shape))) for k, v in model.state_dict().items()}
    model.load_state_dict(state, strict=True)


def _read_f32(path: str, shape: tuple) -> np.ndarray:
    if not os.path.isfile(path):
        raise FileNotFoundError(f'golden file not found: {path}')
    values = np.fromfile(path, dtype='<f4')
    if values.size != int(np.prod(shape)):
        raise ValueError(f'{path}: {values.size} float32 values; expected {np.prod(shape)} {shape}')
    return values.reshape(shape)


def load_golden(full_dir: str = None) -> GoldenData:
    """Load the full expected data from `full_dir`, or the excerpt shipped with this package."""
    if full_dir:
        return GoldenData(
            source=full_dir,
            query_indices=np.arange(512),
            features=_read_f32(os.path.join(full_dir, FULL_FEATURES_FILE), (512, PART_CHANNELS)),
            channel_means=_read_f32(os.path.join(full_dir, FULL_MEANS_FILE), (3, PART_CHANNELS)))
    return GoldenData(
        source='excerpt ' + EXCERPT_DIR,
        query_indices=np.arange(0, 512, EXCERPT_QUERY_STEP),
        features=_read_f32(os.path.join(EXCERPT_DIR, EXCERPT_FEATURES_FILE), (16, PART_CHANNELS)),
        channel_means=_read_f32(
            os.path.join(EXCERPT_DIR, EXCERPT_MEANS_FILE), (3, EXCERPT_MEAN_CHANNELS)))


def sample_part_features(planes: torch.Tensor, queries: torch.Tensor) -> torch.Tensor:
    """
    Part features at `queries` [Q, 3]: each plane sampled bilinearly (align_corners=True, border
    padding) at (x, y), (y, z) and (x, z), summed. Returns [Q, C].
    """
    total = 0
    for plane, (a, b) in enumerate(((0, 1), (1, 2), (0, 2))):
        grid = torch.stack([queries[:, a], queries[:, b]], dim=-1).reshape(1, 1, -1, 2)
        total = total + F.grid_sample(
            planes[:, plane], grid, mode='bilinear', padding_mode='border', align_corners=True)
    return total[0, :, 0].t()


def compare(planes: torch.Tensor, golden: GoldenData) -> list:
    """Compare part planes [1, 3, 448, H, W] from the golden points with the expected data."""
    queries = torch.from_numpy(golden_queries()[golden.query_indices])
    features = sample_part_features(planes, queries).numpy()
    channels = golden.channel_means.shape[1]
    means = planes[0, :, :channels].mean(dim=(2, 3)).numpy()
    return [
        Comparison(f'features at {len(queries)} queries', float(np.abs(features - golden.features).max()),
                   float(np.abs(golden.features).max())),
        Comparison(f'channel means of 3 x {channels} part-plane channels',
                   float(np.abs(means - golden.channel_means).max()),
                   float(np.abs(golden.channel_means).max())),
    ]


def golden_input() -> torch.Tensor:
    """Return the golden points as network input, shape [1, 20000, 3]."""
    return torch.from_numpy(golden_points()).unsqueeze(0)
