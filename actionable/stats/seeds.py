"""Named random streams: each random step gets its own seed from the config's base seed.

A step's stream depends on (base seed, step name) only, so adding or reordering steps never
changes another step's draws.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream_seed(base: int, name: str) -> int:
    """A 32-bit seed for step ``name`` derived from the config's base ``seed``."""
    return int(np.random.SeedSequence([int(base), zlib.crc32(name.encode())]).generate_state(1)[0])
