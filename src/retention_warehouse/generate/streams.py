"""Independent, reproducible random streams.

Each (seed, chunk, stream) triple gets its own generator, so changing how one table is drawn
never shifts the draws of another, and a chunk's data does not depend on the other chunks.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from ..landing.timestamps import DAY

GLOBAL_CHUNK = 2**31 - 1  # chunk number used for chunk-independent tables (products, spend)
# Appended days use chunk number APPEND_CHUNK + (days since 1970-01-01): a day's draws then depend
# on the day alone, never on how the days were split into appends, and never meet a base chunk.
APPEND_CHUNK = 2**30


class Stream(IntEnum):
    ACQUISITION = 1
    PROCESS_PARAMS = 2
    PURCHASES = 3
    SPEND_PARAMS = 4
    ATTRIBUTES = 5
    EXTRA_ORDERS = 6
    EXPERIMENT = 7
    ORDER_VALUES = 8
    ITEMS = 9
    SURVEYS = 10
    BAD_ROWS = 11
    PRODUCTS = 12
    MARKETING = 13
    ORDER_ATTRIBUTES = 14
    AFFINITY = 15
    SIGNUP = 16
    ARRIVALS = 17  # number of new customers on an appended day


def day_chunk(day_start: int) -> int:
    """Chunk number of the appended day starting at `day_start` (seconds)."""
    return APPEND_CHUNK + int(day_start) // DAY


def rng(seed: int, chunk: int, stream: Stream) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(seed), int(chunk), int(stream)]))
