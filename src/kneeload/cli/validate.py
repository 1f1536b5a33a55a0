"""Run the validation ladder (DESIGN.md §6) against the measured and published data and write a
report: per check, our curve over the reference, the error figures, the target and pass/fail.

Exit status 0 when every check meets its target, 1 when one does not, 2 on bad input.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

DEFAULT_DATA = os.environ.get("KNEELOAD_SHARED_DATA", "../shared/data")


def add_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data", default=DEFAULT_DATA, help=f"data folder (default {DEFAULT_DATA})"
    )
    parser.add_argument("--out", default="validation", help="report folder (default validation)")
    parser.add_argument("--only", nargs="+", metavar="CHECK", help="run only these checks")
    parser.add_argument("--list", action="store_true", help="list the checks and exit")


def run(args: argparse.Namespace) -> int:
    from kneeload.exceptions import InputError
    from kneeload.validation import CheckResult, all_checks, run_checks
    from kneeload.validation.report import write_report

    if args.list:
        for name, check in all_checks().items():
            print(f"{name}: {(check.__doc__ or '').strip().splitlines()[0]}")
        return 0
    data_dir = Path(args.data)
    if not data_dir.is_dir():
        raise InputError(data_dir, "--data", "the shared data folder (see ../shared/data)", "none")

    def progress(result: CheckResult) -> None:
        figures = ", ".join(f"{k} {v:.3g}" for k, v in result.figures.items())
        verdict = "pass" if result.passed else "FAIL"
        print(f"{result.name}: {verdict} ({figures})", file=sys.stderr)

    results = run_checks(data_dir, args.only, on_result=progress)
    report = write_report(results, args.out, data_dir)
    print(report)
    return 0 if all(r.passed for r in results) else 1
