"""Throughput of the planar inverse-dynamics kernel (random chains, 101-frame cycles)."""

from __future__ import annotations

import numpy as np

from benchmarks._timing import FRAMES_PER_CYCLE, best_seconds
from kneeload.dynamics.inverse import inverse_dynamics_planar, planar_chain


def _random_batch(n_cycles: int, rng: np.random.Generator):  # type: ignore[no-untyped-def]
    shape = (n_cycles, FRAMES_PER_CYCLE)
    chain = planar_chain(
        rng.uniform(0.5, 10, (n_cycles, 3)),
        rng.uniform(0.001, 0.2, (n_cycles, 3)),
        rng.normal(0, 0.5, (*shape, 3, 2)),
        rng.normal(0, 10, (*shape, 3, 2)),
        rng.normal(0, 50, (*shape, 3)),
        rng.normal(0, 0.5, (*shape, 3, 2)),
    )
    return chain, rng.normal(0, 500, (*shape, 2)), rng.normal(0, 0.5, (*shape, 2))


def bench_inverse_dynamics(n_cycles: int, repeats: int) -> float:
    """Best wall time [s] of the kernel call over ``repeats`` runs (inputs prepared outside)."""
    chain, grf, cop = _random_batch(n_cycles, np.random.default_rng(0))
    return best_seconds(lambda: inverse_dynamics_planar(chain, grf, cop), repeats)
