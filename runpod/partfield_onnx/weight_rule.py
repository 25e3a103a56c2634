"""
Deterministic pseudo-random tensors for the golden check.

The golden data was produced by the original PartField code with every tensor filled by this rule,
so our network, filled the same way, must reproduce it without the real checkpoint:

- seed = zlib CRC-32 of the key (UTF-8);
- for element i: x = i * 2654435761 + seed, then twice x ^= x >> 16 and x *= 0x45d9f3b, then once
  more x ^= x >> 16, all in unsigned 32-bit arithmetic;
- u = x / 2**32 * 2 - 1 in float64, rounded to float32;
- value: u / sqrt(n / shape[0]) for tensors of 2 or more dimensions, 1 + 0.1 u for 1-D tensors whose
  key ends in `.weight`, 0.1 u otherwise.
"""

import math
import zlib

import numpy as np

_MULTIPLIER = np.uint32(2654435761)
_MIX = np.uint32(0x45D9F3B)
_SHIFT = np.uint32(16)
_CHUNK = 1 << 22


def hashed_uniform(key: str, count: int) -> np.ndarray:
    """Return `count` float32 values in [-1, 1) derived from `key` by the golden hash."""
    seed = np.uint32(zlib.crc32(key.encode('utf-8')))
    out = np.empty(count, dtype=np.float32)

    # Chunks keep the uint32 temporaries small for the 3-million-element tensors.
    for start in range(0, count, _CHUNK):
        stop = min(count, start + _CHUNK)
        x = np.arange(start, stop, dtype=np.uint32)
        with np.errstate(over='ignore'):
            x = x * _MULTIPLIER + seed
            for _ in range(2):
                x ^= x >> _SHIFT
                x *= _MIX
        x ^= x >> _SHIFT
        out[start:stop] = (x.astype(np.float64) / 2.0 ** 32 * 2.0 - 1.0).astype(np.float32)
    return out


def rule_tensor(key: str, shape: tuple) -> np.ndarray:
    """Return the golden value of the state-dict tensor `key` with `shape`, as float32."""
    count = int(np.prod(shape)) if len(shape) else 1
    u = hashed_uniform(key, count)
    if len(shape) >= 2:
        values = u / np.float32(math.sqrt(count / shape[0]))
    elif key.endswith('.weight'):
        values = np.float32(1) + np.float32(0.1) * u
    else:
        values = np.float32(0.1) * u
    return values.astype(np.float32).reshape(shape)


def golden_points() -> np.ndarray:
    """Return the 20,000 golden input points, [20000, 3] float32."""
    return (hashed_uniform('golden/points', 60_000) * np.float32(0.9)).reshape(-1, 3)


def golden_queries() -> np.ndarray:
    """Return the 512 golden query points, [512, 3] float32."""
    return (hashed_uniform('golden/queries', 1_536) * np.float32(0.95)).reshape(-1, 3)
