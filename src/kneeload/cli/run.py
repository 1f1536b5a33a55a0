"""Run a sweep scenario (a scenarios/*.toml file or a bundled name such as
forward_vs_backward_walking) into a results folder: scenario.toml, cases.parquet, manifest.json,
curves/ and summary/ (one Parquet file per chunk of cases). Local and serial.

DIR must be new or empty, unless --resume continues an earlier run in it, skipping its complete
chunks. Ctrl-C stops after the current chunk; nothing partial is left. A progress line per chunk
goes to stderr unless --quiet.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kneeload.sweep import ChunkDone


def add_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", metavar="SCENARIO", help="scenario file or bundled name")
    parser.add_argument("-o", "--out", required=True, metavar="DIR", help="results folder")
    parser.add_argument("--resume", action="store_true", help="continue a run in DIR")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    parser.add_argument(
        "--chunk-size",
        type=int,
        default=None,
        help="cases per chunk (default 8; on --resume, that of the run resumed)",
    )


def _report(done: ChunkDone) -> None:
    print(
        f"kneeload run: chunk {done.chunk + 1}/{done.n_chunks}, "
        f"{done.cases_done}/{done.n_cases} cases, {done.n_failed} failed, "
        f"{done.elapsed_s:.1f} s",
        file=sys.stderr,
    )


def run(args: argparse.Namespace) -> int:
    from kneeload.sweep import run_scenario

    progress = None if args.quiet else _report
    try:
        out = run_scenario(
            args.scenario,
            args.out,
            resume=args.resume,
            progress=progress,
            chunk_size=args.chunk_size,
        )
    except KeyboardInterrupt:
        if not Path(args.out, "manifest.json").is_file():
            print("kneeload run: interrupted; nothing was written", file=sys.stderr)
            return 130
        print(
            f"kneeload run: interrupted; complete chunks are kept in {args.out}. To continue: "
            f"kneeload run {args.scenario} -o {args.out} --resume",
            file=sys.stderr,
        )
        return 130
    if not args.quiet:
        print(f"kneeload run: results in {out}", file=sys.stderr)
    return 0
