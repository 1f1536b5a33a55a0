"""Throughput of kneeload's kernels: ``python -m benchmarks`` (or ``make bench``).

Prints frames/s and gait cycles/s (101 frames per cycle) of the planar inverse-dynamics kernel,
the 3-D distal-chain kernel and static optimisation (9 muscles, 3 joints), each after one
warm-up call (compilation excluded). Not a test: timings depend on the machine; the README
quotes a run on the 2-core reference machine.
"""

from __future__ import annotations

import argparse

from benchmarks._timing import print_header, print_row
from benchmarks.inverse_3d import bench_distal_chain_3d
from benchmarks.inverse_planar import bench_inverse_dynamics
from benchmarks.static_optimisation import bench_static_optimisation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-cycles", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print_header()
    for n in (1, 100, 10_000, 100_000):
        if n <= args.max_cycles:
            print_row("inverse dynamics, planar", n, bench_inverse_dynamics(n, args.repeats))
    for n in (1_000, 10_000, 100_000):
        if n <= args.max_cycles:
            print_row(
                "inverse dynamics, 3-D distal chain", n, bench_distal_chain_3d(n, args.repeats)
            )
    for n in (10, 100, 1_000):
        if n <= args.max_cycles:
            seconds = bench_static_optimisation(n, args.repeats, 2.0)
            print_row("static optimisation, p = 2", n, seconds)


if __name__ == "__main__":
    main()
