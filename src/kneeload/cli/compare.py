"""Compare the groups of a results folder against a baseline value of one case parameter, e.g.
``kneeload compare DIR --by direction --baseline forward``.

Writes, into --out (default DIR/compare/<by>_vs_<baseline>): ratio_curves.csv (group mean,
baseline mean, difference and ratio per % gait cycle), peak_ratios.csv and comparison.png, and
prints the peak-ratio table. A case is paired with the baseline case that has the same value of
every other parameter; ratios are geometric means with 95 % t intervals on the log scale (paired
when a stratum has at least two pairs, else Welch). Strata: all cases, then each value of each
other swept parameter. --spm t (or snpm, its permutation version) tests each group's curves
against the baseline's over the gait cycle (kneeload.stats; paired when matched one to one,
alpha 0.05 shared by the groups), prints the significant regions and shades them on the figure.
"""

from __future__ import annotations

import argparse


def add_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("results", metavar="DIR", help="results folder of kneeload run")
    parser.add_argument(
        "--by", required=True, metavar="PARAM", help="case parameter, e.g. direction"
    )
    parser.add_argument(
        "--baseline", required=True, metavar="VALUE", help="its baseline value, e.g. forward"
    )
    parser.add_argument(
        "--quantity", nargs="+", default=[], metavar="Q", help="curve column(s) to compare"
    )
    parser.add_argument("--out", metavar="DIR", help="output folder")
    parser.add_argument(
        "--spm", choices=("t", "snpm"), help="shade significant regions (SPM t test or SnPM)"
    )


def run(args: argparse.Namespace) -> int:
    from kneeload.compare import compare_results, default_output, format_peaks, write_comparison
    from kneeload.plotting import load_curves

    results, quantities, _ = load_curves(args.results, args.quantity)
    comparison = compare_results(results, args.by, args.baseline, quantities, source=args.results)
    out = args.out or default_output(args.results, comparison)
    significant = None
    if args.spm:
        from kneeload.stats import spm_masks

        significant, lines = spm_masks(
            results,
            list(comparison.groups),
            comparison.by,
            comparison.baseline,
            nonparametric=args.spm == "snpm",
        )
        print("\n".join(lines))
    write_comparison(comparison, out, significant)
    print(format_peaks(comparison.peaks))
    print(f"tables and figure in {out}")
    return 0
