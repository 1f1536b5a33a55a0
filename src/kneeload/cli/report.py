"""Write one self-contained report.html of a results folder of ``kneeload run``: the scenario,
mean ± SD load curves (figures embedded), peak values and ratios, versions, timings and failed
cases, with a short guide to reading it. It opens in any browser, offline. Prints its path
(default DIR/report.html).
"""

from __future__ import annotations

import argparse


def add_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("results", metavar="DIR", help="results folder of kneeload run")
    parser.add_argument("--out", metavar="FILE", help="report file (default DIR/report.html)")


def run(args: argparse.Namespace) -> int:
    from kneeload.html_report import write_report

    print(write_report(args.results, args.out))
    return 0
