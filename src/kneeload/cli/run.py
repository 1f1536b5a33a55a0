"""Run a sweep scenario (a scenarios/*.toml file or a bundled name such as
forward_vs_backward_walking) into a results folder DIR: scenario.toml, manifest.json,
cases.parquet, curves.parquet/ and summary.parquet/ (Parquet datasets, one part file per chunk of
cases; pandas reads each folder as one table, kneeload.load_results(DIR) reads them all).

The scenario is checked before anything is written. DIR must be new or empty, unless --resume
continues an earlier run in it, skipping its complete chunks. Ctrl-C stops after the chunks
being computed (on Dask it drops them) and says how to resume; nothing partial is left. A case
that fails is recorded in the summary and the manifest with its reason, and the sweep goes on.

Executors: by default chunks run in this process, the numba kernels on every core. --workers N
runs them in N local worker processes (each with cores/N numba threads). --scheduler ADDRESS
sends them as tasks to a running Dask scheduler (kneeload installed on its workers);
--scheduler local starts a Dask LocalCluster (--workers processes, default one per core).
Results are identical whichever way they are computed.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kneeload.sweep import ChunkDone


def add_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", metavar="SCENARIO", help="scenario file or bundled name")
    parser.add_argument("-o", "--out", required=True, metavar="DIR", help="results folder")
    parser.add_argument("--resume", action="store_true", help="continue a run in DIR")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or messages")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="N local worker processes (default: this process, numba on every core); "
        "with --scheduler local, the LocalCluster's worker processes",
    )
    parser.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run chunks on a Dask cluster: a scheduler address (tcp://host:8786) or 'local' "
        "(needs kneeload[cluster])",
    )
    parser.add_argument(
        "--no-figures",
        action="store_true",
        help="skip DIR/figures/*.png (mean ± SD curves) and DIR/report.html, drawn once the "
        "run is complete",
    )
    parser.add_argument(
        "--chunk-size",
        type=int,
        default=None,
        help="cases per chunk (default: about 20 chunks of 8 to 256 cases; on --resume, "
        "that of the run resumed)",
    )


class _Bar:
    """A tqdm progress bar of cases on stderr, shown only on a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None

    def __call__(self, done: ChunkDone) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(
                total=done.n_cases,
                initial=done.cases_done,
                unit="case",
                file=sys.stderr,
                desc="kneeload run",
                dynamic_ncols=True,
            )
        self.bar.update(done.cases_done - self.bar.n)
        self.bar.set_postfix(failed=done.n_failed, refresh=False)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def run(args: argparse.Namespace) -> int:
    from kneeload.sweep import run_scenario

    bar = _Bar(enabled=not args.quiet and sys.stderr.isatty())
    try:
        out = run_scenario(
            args.scenario,
            args.out,
            resume=args.resume,
            progress=bar,
            chunk_size=args.chunk_size,
            workers=args.workers,
            scheduler=args.scheduler,
        )
    except KeyboardInterrupt:
        bar.close()
        if not Path(args.out, "manifest.json").is_file():
            print("kneeload run: interrupted; nothing was written", file=sys.stderr)
            return 130
        again = ["kneeload", "run", args.scenario, "-o", args.out, "--resume"]
        if args.scheduler is not None:
            again += ["--scheduler", args.scheduler]
        if args.workers is not None:
            again += ["--workers", str(args.workers)]
        print(
            f"kneeload run: interrupted; complete chunks are kept in {args.out}. "
            f"To continue: {shlex.join(again)}",
            file=sys.stderr,
        )
        return 130
    finally:
        bar.close()
    figures, report = [], None
    if not args.no_figures:  # drawn once for DIR/figures and the report
        from kneeload.html_report import write_report
        from kneeload.plotting import MAX_FIGURE_CASES, draw_figures, load_curves, write_figures

        try:
            drawn = draw_figures(*load_curves(out, max_cases=MAX_FIGURE_CASES))
            figures = write_figures(out, drawn)
            report = write_report(out, figures=drawn)
        except KeyboardInterrupt:  # the sweep is complete; each figure file is whole or absent
            print(
                f"kneeload run: interrupted while drawing; the results in {out} are complete "
                f"(kneeload plot / kneeload report {out} draw the figures)",
                file=sys.stderr,
            )
            return 130
    if not args.quiet:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        print(
            f"kneeload run: {manifest['cases_done']} cases ({manifest['n_failed']} failed, "
            f"reasons in manifest.json) in {out}"
            + (f"; {len(figures)} figures in {out / 'figures'}" if figures else "")
            + (f"; report {report}" if report else ""),
            file=sys.stderr,
        )
    return 0
