"""Benchmarks of hotich: `python -m bench --list`, `python -m bench NAME [options]`.

A benchmark is a module of this package defining `DESCRIPTION` (one line), `add_arguments(parser)`
and `run(args) -> dict`. The runner (`bench/__main__.py`) gives `run` a migrated database of its
own and prints what it returns: scalars as "name value" lines, lists of dicts as tables.
The helpers below time calls the same way in every benchmark.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Any


def percentile(samples: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of `samples`; 0.0 for no samples."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def time_ms(fn: Callable[[], Any], *, repeat: int, warmup: int = 1) -> list[float]:
    """Wall time of `repeat` calls of `fn`, in milliseconds, after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def summary_ms(samples: Sequence[float]) -> dict[str, float]:
    """p50 / p95 / max of millisecond samples, rounded for printing."""
    return {
        "p50_ms": round(percentile(samples, 50), 2),
        "p95_ms": round(percentile(samples, 95), 2),
        "max_ms": round(max(samples, default=0.0), 2),
    }
