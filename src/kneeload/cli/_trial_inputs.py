"""The measured-trial inputs shared by ``kneeload analyze`` and ``kneeload export``: the files and
how to read them, as options and as the keyword arguments of :func:`kneeload.measured.analyze`
and :func:`kneeload.measured.load_trial` (body mass and stature stay with each command)."""

from __future__ import annotations

import argparse
from typing import Any


def add_arguments(parser: argparse._ActionsContainer, required: bool) -> None:
    """``--kinematics`` and ``--forces`` (``required`` or not), ``--columns``,
    ``--force-columns``, ``--model``, ``--marker-set``, ``--static``, ``--anthropometry``,
    ``--side``, ``--cutoff``, ``--in-degrees``."""
    parser.add_argument(
        "--kinematics",
        required=required,
        help="IK coordinates (.mot/.sto), markers (.trc/.c3d) or a table (.csv/.tsv/.txt)",
    )
    parser.add_argument(
        "--forces", required=required, help="ground reaction forces (.mot/.sto/.c3d/.csv/.tsv/.txt)"
    )
    parser.add_argument("--columns", help="column map (.toml) of a kinematics table")
    parser.add_argument(
        "--force-columns", help="column map (.toml) of a force table (default: --columns)"
    )
    parser.add_argument("--model", help="OpenSim model (.osim) of the kinematics")
    parser.add_argument(
        "--marker-set",
        help="marker set (a bundled name or a .toml file) of marker kinematics, or, with IK "
        "coordinates and no --model, of the --forces C3D's markers, to calibrate the generic leg",
    )
    parser.add_argument(
        "--static", help="static marker trial (.trc/.c3d) for the marker set's landmarks"
    )
    parser.add_argument(
        "--anthropometry",
        default="Winter2009",
        help="segment table for markers and the generic leg (Winter2009, deLeva1996_male, ...)",
    )
    parser.add_argument("--side", default="right", help="leg of the trial: right or left")
    parser.add_argument(
        "--cutoff", type=float, default=6.0, help="low-pass cut-off [Hz]; 0: no filter"
    )
    parser.add_argument(
        "--in-degrees",
        choices=("yes", "no"),
        help="angles of the kinematics file are degrees (for headers without inDegrees)",
    )


def trial_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments of :func:`kneeload.measured.load_trial` the options give, but the
    body mass."""
    return {
        "model": args.model,
        "height_m": args.height,
        "side": args.side,
        "cutoff_hz": None if args.cutoff == 0 else args.cutoff,
        "in_degrees": None if args.in_degrees is None else args.in_degrees == "yes",
        "marker_set": args.marker_set,
        "static": args.static,
        "columns": args.columns,
        "force_columns": args.force_columns,
        "anthropometry": args.anthropometry,
    }
