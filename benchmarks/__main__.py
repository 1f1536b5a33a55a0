"""Throughput of kneeload's kernels: ``python -m benchmarks`` (or ``make bench``).

Prints frames/s and gait cycles/s (101 frames per cycle) of the planar inverse-dynamics kernel
for batches of 1 to 100 000 cycles, after one warm-up call (compilation excluded). Not a test:
timings depend on the machine; the README quotes a run on the 2-core reference machine.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from kneeload.dynamics.inverse import inverse_dynamics_planar, planar_chain

FRAMES_PER_CYCLE = 101


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
    inverse_dynamics_planar(chain, grf, cop)  # compile or load from cache
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        inverse_dynamics_planar(chain, grf, cop)
        best = min(best, time.perf_counter() - start)
    return float(best)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-cycles", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    sizes = [n for n in (1, 100, 10_000, 100_000, 1_000_000) if n <= args.max_cycles]
    print(f"{'computation':<28}{'cycles':>10}{'seconds':>12}{'frames/s':>16}{'cycles/s':>14}")
    for n_cycles in sizes:
        seconds = bench_inverse_dynamics(n_cycles, args.repeats)
        frames = n_cycles * FRAMES_PER_CYCLE
        print(
            f"{'inverse dynamics (planar)':<28}{n_cycles:>10}{seconds:>12.5f}"
            f"{frames / seconds:>16,.0f}{n_cycles / seconds:>14,.0f}"
        )


if __name__ == "__main__":
    main()
