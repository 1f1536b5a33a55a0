"""Throughput of the 3-D distal-chain kernel: ``python -m benchmarks.inverse_3d``.

Prints frames/s and gait cycles/s (101 frames per cycle, 3 bodies: shank, calcaneus, toes) of
:func:`kneeload.dynamics.inverse_3d.distal_chain_loads_3d` for batches of 1 000 to 100 000
cycles, after one warm-up call (compilation excluded). Inputs are prepared outside the timing;
the wrapper's checks are inside it. Batches above ``CHUNK_CYCLES`` run as successive calls on
one chunk of that size (as a sweep streams chunks; a 100 000-cycle batch in one call would need
about 5 GB of inputs). Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse

import numpy as np

from benchmarks._timing import FRAMES_PER_CYCLE, best_seconds, print_header, print_row
from kneeload.dynamics.inverse_3d import distal_chain_loads_3d

BODIES = 3
CHUNK_CYCLES = 10_000


def _random_batch(n_cycles: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    per_body = (n_cycles, FRAMES_PER_CYCLE, BODIES, 3)
    per_frame = (n_cycles, FRAMES_PER_CYCLE, 3)
    rotation = np.ascontiguousarray(np.broadcast_to(np.eye(3), (*per_body[:3], 3, 3)))
    return {
        "mass_kg": rng.uniform(0.2, 5.0, (n_cycles, BODIES)),
        "inertia_kg_m2": np.broadcast_to(np.diag([0.05, 0.005, 0.05]), (n_cycles, BODIES, 3, 3)),
        "com_m": rng.normal(0, 0.3, per_body),
        "rotation": rotation,
        "omega_rad_s": rng.normal(0, 5, per_body),
        "alpha_rad_s2": rng.normal(0, 50, per_body),
        "com_acc_m_s2": rng.normal(0, 10, per_body),
        "grf_n": rng.normal(0, 500, per_frame),
        "cop_m": rng.normal(0, 0.3, per_frame),
        "knee_m": rng.normal(0, 0.3, per_frame),
    }


def bench_distal_chain_3d(n_cycles: int, repeats: int) -> float:
    """Best wall time [s] over ``repeats`` runs of ``n_cycles`` cycles (in chunks)."""
    chunk = min(n_cycles, CHUNK_CYCLES)
    calls = -(-n_cycles // chunk)
    batch = _random_batch(chunk, np.random.default_rng(0))

    def run() -> None:
        for _ in range(calls):
            distal_chain_loads_3d(**batch)

    return best_seconds(run, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-cycles", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print_header()
    for n_cycles in (1_000, 10_000, 100_000):
        if n_cycles <= args.max_cycles:
            seconds = bench_distal_chain_3d(n_cycles, args.repeats)
            print_row("distal chain 3-D (3 bodies)", n_cycles, seconds)


if __name__ == "__main__":
    main()
