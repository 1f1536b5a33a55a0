"""Timing and the one table format shared by the benchmark scripts."""

from __future__ import annotations

import time
from collections.abc import Callable

FRAMES_PER_CYCLE = 101


def best_seconds(call: Callable[[], object], repeats: int) -> float:
    """Best wall time [s] of ``call()`` over ``repeats`` runs, after one untimed warm-up run
    (numba compilation or cache load excluded)."""
    call()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def print_header() -> None:
    print(f"{'computation':<34}{'cycles':>10}{'seconds':>12}{'frames/s':>16}{'cycles/s':>14}")


def print_row(label: str, n_cycles: int, seconds: float) -> None:
    """One row: ``n_cycles`` cycles of 101 frames in ``seconds``."""
    frames = n_cycles * FRAMES_PER_CYCLE
    print(
        f"{label:<34}{n_cycles:>10}{seconds:>12.5f}"
        f"{frames / seconds:>16,.0f}{n_cycles / seconds:>14,.0f}"
    )
