"""Plot mean ± SD load curves over the gait cycle of a results folder of ``kneeload run``.

Each case's strides are resampled to 0-100 % of the gait cycle (101 points) and averaged; the
cases are grouped by the --by parameters (e.g. --by direction grade_pct) and each group drawn as
its mean with a ± 1 SD band. Forces in body weights (BW), moments in N·m/kg. Without --by, one
curve over all cases; without --quantity, the main knee quantities. Writes a PNG (default
DIR/figures/by_<parameters>.png) and prints its path.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("results", metavar="DIR", help="results folder of kneeload run")
    parser.add_argument(
        "--by", nargs="+", default=[], metavar="PARAM", help="case parameter(s) to group by"
    )
    parser.add_argument(
        "--quantity",
        nargs="+",
        default=[],
        metavar="Q",
        help="curve column(s), e.g. tf_compressive_bw pf_force_bw knee_moment_nm_kg",
    )
    parser.add_argument("--out", metavar="FILE.png", help="figure file (default under DIR/figures)")


def run(args: argparse.Namespace) -> int:
    from kneeload.exceptions import InputError
    from kneeload.plotting import figure_png, load_curves, plot_results, write_atomic

    if args.out is not None and Path(args.out).suffix.lower() != ".png":
        raise InputError(args.out, "--out", "a file name ending in .png")
    results, quantities, _ = load_curves(args.results, args.quantity)
    figure = plot_results(results, args.by, quantities, source=args.results)
    name = "by_" + "_x_".join(args.by) if args.by else "all_cases"
    out = Path(args.out) if args.out else Path(args.results) / "figures" / f"{name}.png"
    print(write_atomic(figure_png(figure), out))
    return 0
