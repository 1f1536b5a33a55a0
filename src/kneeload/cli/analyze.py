"""Analyse a measured trial, one row per frame: joint angles, net joint moments, muscle forces
(static optimisation), tibiofemoral and patellofemoral contact force and stress.

Kinematics: OpenSim inverse-kinematics coordinates (.mot/.sto) with their .osim model (without
one, a generic Delp 1990 leg scaled to --height, or to a stature estimated from the trial; with a
--marker-set and a C3D as --forces, the generic leg's hip, knee and ankle locations are instead
calibrated to the joint centres of that C3D's markers), markers (.trc, or .c3d) with a declared
--marker-set (and --static when the set needs a static trial), or a delimited table
(.csv/.tsv/.txt) of either with a --columns map.
Forces: an OpenSim GRF .mot/.sto, a C3D with force plates (may be the kinematics C3D itself), or
a delimited table with a --force-columns map.
Moments are net internal, knee and hip extensor positive, ankle plantarflexor positive; forces
in N and body weights.
"""

from __future__ import annotations

import argparse
import sys

from kneeload.cli import _load_sharing, _trial_inputs


def add_parser(parser: argparse.ArgumentParser) -> None:
    _trial_inputs.add_arguments(parser, required=True)
    parser.add_argument("--mass", type=float, required=True, help="body mass [kg]")
    parser.add_argument(
        "--height", type=float, help="stature [m] for the generic leg (default: from the trial)"
    )
    _load_sharing.add_arguments(parser)
    parser.add_argument(
        "--out", help="output table (.csv, .parquet or OpenSim .sto); default: CSV on stdout"
    )
    parser.add_argument("--plot", help="figure of the knee curves (.png, .pdf, .svg)")


def run(args: argparse.Namespace) -> int:
    from kneeload.io.results import check_table_path, write_table
    from kneeload.measured import analyze

    if args.out is not None:
        check_table_path(args.out)
    table = analyze(
        args.kinematics,
        args.forces,
        mass_kg=args.mass,
        **_trial_inputs.trial_kwargs(args),
        load_sharing=_load_sharing.options(args),
    )
    if args.out is None:
        table.to_csv(sys.stdout, index=False, float_format="%.6g")
    else:
        write_table(table, args.out)
    if args.plot is not None:
        from kneeload.plotting import plot_trial, save_figure

        save_figure(
            plot_trial(table, title=f"{args.kinematics} ({table.attrs['side']})"), args.plot
        )
    for note in table.attrs.get("notes", []):
        print(f"note: {note}", file=sys.stderr)
    return 0
