"""Generate gait cycles (forward or backward walking or running at a speed, grade and body size)
and compute the right leg's knee loads, one row per frame: joint angles, net joint moments,
muscle forces (static optimisation), tibiofemoral and patellofemoral contact force and stress.

stride and percent_cycle (0-100) count from the right foot's first contact, the toe in backward
gait. --grade > 0 means travelling uphill. A short summary (stance fraction, cadence, stride
length, peaks in body weights) goes to stderr; the table to --out or, as CSV, to stdout.
"""

from __future__ import annotations

import argparse
import sys

from kneeload.cli import _load_sharing


def add_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mode", required=True, help="walk or run")
    parser.add_argument("--direction", required=True, help="forward or backward")
    parser.add_argument("--speed", type=float, required=True, help="speed of travel [m/s]")
    parser.add_argument(
        "--grade", type=float, default=0.0, help="surface grade [%%], > 0 uphill (default 0)"
    )
    parser.add_argument("--mass", type=float, required=True, help="body mass [kg]")
    parser.add_argument("--height", type=float, required=True, help="stature [m]")
    parser.add_argument("--sex", default="male", help="female or male (default male)")
    parser.add_argument(
        "--strides", type=int, default=1, help="number of strides, 1 to 100 (default 1)"
    )
    _load_sharing.add_arguments(parser)
    parser.add_argument(
        "--out", help="output table (.csv, .parquet or OpenSim .sto); default: CSV on stdout"
    )


def format_summary(summary: dict[str, float]) -> str:
    """The summary of :func:`kneeload.gait.simulate.summarise` as two lines for people."""
    return (
        f"stance {100 * summary['stance_fraction']:.1f} % of the cycle, "
        f"cadence {summary['cadence_steps_min']:.1f} steps/min, "
        f"stride length {summary['stride_length_m']:.2f} m\n"
        f"peaks: vertical GRF {summary['peak_grf_vertical_bw']:.2f} BW, "
        f"tibiofemoral compression {summary['peak_tf_compressive_bw']:.2f} BW, "
        f"patellofemoral force {summary['peak_pf_force_bw']:.2f} BW, "
        f"knee extensor moment {summary['peak_knee_extensor_moment_nm_kg']:.2f} N·m/kg, "
        f"quadriceps activation {summary['peak_quadriceps_activation']:.2f}"
    )


def run(args: argparse.Namespace) -> int:
    from kneeload.gait.simulate import simulate, summarise
    from kneeload.gait.spec import GaitSpec, Subject
    from kneeload.io.results import check_table_path, write_table

    if args.out is not None:
        check_table_path(args.out)
    spec = GaitSpec(
        mode=args.mode,
        direction=args.direction,
        speed_m_s=args.speed,
        grade_pct=args.grade,
        subject=Subject(mass_kg=args.mass, height_m=args.height, sex=args.sex),
        condition=args.condition,
    )
    table = simulate(
        spec,
        strides=args.strides,
        load_sharing=_load_sharing.options(args),
    )
    summary = summarise(table, spec)
    if args.out is None:
        table.to_csv(sys.stdout, index=False, float_format="%.6g")
        sys.stdout.flush()
    else:
        write_table(table, args.out)
    print(format_summary(summary), file=sys.stderr)
    for note in table.attrs.get("notes", []):
        print(f"note: {note}", file=sys.stderr)
    return 0
