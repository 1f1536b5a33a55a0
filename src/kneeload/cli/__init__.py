"""Command-line interface: a thin shell over the public API, one module per subcommand.

Each subcommand module defines ``add_parser(subparsers)`` and ``run(args) -> int`` and uses its
docstring as help (MNE-Python's pattern). Modules are imported only when their subcommand runs,
so ``kneeload --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

#: subcommand name -> module under kneeload.cli (imported lazily)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "analyze": ("kneeload.cli.analyze", "Analyse a measured trial: joint angles, moments, forces."),
    "validate": ("kneeload.cli.validate", "Run the validation ladder and write a report."),
    "simulate": ("kneeload.cli.simulate", "Generate gait cycles and compute their knee loads."),
    "run": ("kneeload.cli.run", "Run a sweep scenario into a results folder."),
    "plot": ("kneeload.cli.plot", "Plot mean ± SD load curves of a results folder."),
    "compare": ("kneeload.cli.compare", "Compare groups of a results folder against a baseline."),
    "report": ("kneeload.cli.report", "Write a self-contained report.html of a results folder."),
    "compare-patient": (
        "kneeload.cli.compare_patient",
        "Compare one trial or case against a normative band.",
    ),
    "export": ("kneeload.cli.export", "Export a case or trial to OpenSim files or a C3D."),
}


def _build_parser() -> argparse.ArgumentParser:
    from kneeload import __version__

    parser = argparse.ArgumentParser(
        prog="kneeload",
        description="Knee loads over the gait cycle: inverse dynamics, muscles and knee contact.",
    )
    parser.add_argument("--version", action="version", version=f"kneeload {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_module, summary) in SUBCOMMANDS.items():
        subparsers.add_parser(name, help=summary, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``kneeload``; returns the exit status (0 ok, 2 bad input or usage)."""
    from kneeload.exceptions import KneeloadError

    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = _build_parser()
    if not args_list or args_list[0] not in SUBCOMMANDS:
        parser.parse_args(args_list or ["--help"])  # prints help/usage and exits
        return 2
    name = args_list[0]
    module = importlib.import_module(SUBCOMMANDS[name][0])
    sub = argparse.ArgumentParser(prog=f"kneeload {name}", description=module.__doc__)
    module.add_parser(sub)
    args = sub.parse_args(args_list[1:])
    try:
        return int(module.run(args))
    except KneeloadError as error:
        print(f"kneeload {name}: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader stopped early (e.g. ``| head``): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print(f"kneeload {name}: interrupted; nothing was written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
