"""Export a generated case or a measured trial to OpenSim files or to a C3D.

What to export, one of:
  a generated case, with the options of `kneeload simulate` (--mode --direction --speed
  --grade --mass --height --sex --condition --strides): both legs;
  a case of a results folder: --results DIR --case CASE_ID;
  a measured trial, with the inputs of `kneeload analyze` (--kinematics --forces --mass, and
  --model, --marker-set, ... as there): the analysed leg (--side).
Where to:
  --to opensim DIR: NAME.osim (planar model with gait10dof18musc names, the segment masses,
  inertias and lengths used), NAME_ik.mot (coordinates), NAME_grf.mot with
  NAME_external_loads.xml, and for generated cases NAME_ik_rajagopal.mot (Rajagopal 2016 names);
  --to c3d FILE.c3d: virtual markers (joint centres, segment centres of mass, heel and toe) and
  one force platform per foot;
  --to trc FILE.trc: the same virtual markers as an OpenSim marker file.
Everything is written in a level lab frame (a grade becomes a sloping floor). `kneeload analyze
--kinematics NAME_ik.mot --forces NAME_grf.mot (or FILE.c3d) --model NAME.osim --cutoff 0`
gives back the same knee loads (--cutoff 0: no filter, the generated case is unfiltered).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from kneeload.cli import _trial_inputs
from kneeload.exceptions import InputError

if TYPE_CHECKING:
    from kneeload.gait.cycle import GaitCycle
    from kneeload.trial import LegTrial

FORMATS = ("opensim", "c3d", "trc")


def add_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--to",
        nargs=2,
        required=True,
        metavar=("FORMAT", "PATH"),
        help="opensim DIR, c3d FILE.c3d or trc FILE.trc",
    )
    parser.add_argument("--name", default="kneeload", help="stem of the OpenSim files")
    case = parser.add_argument_group("generated case (as kneeload simulate)")
    case.add_argument("--mode", help="walk or run")
    case.add_argument("--direction", help="forward or backward")
    case.add_argument("--speed", type=float, help="speed of travel [m/s]")
    case.add_argument("--grade", type=float, default=0.0, help="surface grade [%%] (default 0)")
    case.add_argument("--height", type=float, help="stature [m]")
    case.add_argument("--sex", default="male", help="female or male (default male)")
    case.add_argument("--condition", default="healthy", help="knee condition (healthy)")
    case.add_argument("--strides", type=int, default=1, help="number of strides (default 1)")
    results = parser.add_argument_group("case of a results folder (kneeload run)")
    results.add_argument("--results", help="results folder")
    results.add_argument("--case", help="case_id in its cases table")
    trial = parser.add_argument_group("measured trial (as kneeload analyze)")
    _trial_inputs.add_arguments(trial, required=False)
    parser.add_argument("--mass", type=float, help="body mass [kg] (case or trial)")


def _case(args: argparse.Namespace) -> tuple[dict[str, LegTrial], GaitCycle]:
    """Both legs of the generated case the options (or the results folder's case) describe."""
    from kneeload.gait.generator import generate_cycles
    from kneeload.gait.simulate import check_strides
    from kneeload.gait.spec import GaitSpec, Subject

    if args.results is not None:
        from kneeload.sweep import load_results

        if args.case is None:
            raise InputError("--case", "case_id", "a case_id of the results folder's cases")
        cases = load_results(args.results, tables=["cases"], cases=[args.case])["cases"]
        if cases.empty:
            raise InputError(args.results, "--case", "a case_id of its cases table", args.case)
        row = cases.iloc[0]
        spec = GaitSpec(
            mode=row["mode"],
            direction=row["direction"],
            speed_m_s=float(row["speed_m_s"]),
            grade_pct=float(row["grade_pct"]),
            subject=Subject(
                mass_kg=float(row["mass_kg"]), height_m=float(row["height_m"]), sex=row["sex"]
            ),
            condition=row["condition"],
        )
        strides = int(row["strides"])
    else:
        missing = [
            f"--{name}"
            for name in ("mode", "direction", "speed", "mass", "height")
            if getattr(args, name) is None
        ]
        if missing:
            raise InputError(
                "kneeload export",
                missing[0],
                "a generated case (--mode --direction --speed --mass --height), a results "
                "case (--results --case) or a measured trial (--kinematics --forces --mass)",
            )
        spec = GaitSpec(
            mode=args.mode,
            direction=args.direction,
            speed_m_s=args.speed,
            grade_pct=args.grade,
            subject=Subject(mass_kg=args.mass, height_m=args.height, sex=args.sex),
            condition=args.condition,
        )
        strides = args.strides
    cycle = generate_cycles(spec, strides=check_strides(strides))
    return {side: cycle.leg(side) for side in ("right", "left")}, cycle


def _trial(args: argparse.Namespace) -> dict[str, LegTrial]:
    """The analysed leg of the measured trial the options describe."""
    from kneeload.measured import load_trial

    if args.forces is None or args.mass is None:
        raise InputError(
            "kneeload export", "--forces/--mass", "forces and a body mass with --kinematics"
        )
    trial = load_trial(
        args.kinematics, args.forces, mass_kg=args.mass, **_trial_inputs.trial_kwargs(args)
    )
    return {trial.side: trial}


def run(args: argparse.Namespace) -> int:
    from kneeload.export import write_c3d, write_opensim, write_trc

    kind, destination = args.to
    if kind not in FORMATS:
        raise InputError("--to", "FORMAT", " or ".join(FORMATS), kind)
    cycle = None
    if args.kinematics is not None:
        legs = _trial(args)
    else:
        legs, cycle = _case(args)
    if kind in ("c3d", "trc"):
        writer = write_c3d if kind == "c3d" else write_trc
        print(f"wrote {writer(legs, destination, cycle=cycle)}", file=sys.stderr)
        return 0
    written = write_opensim(legs, destination, args.name, cycle=cycle)
    paths = [written.model, written.coordinates, written.grf, written.external_loads]
    if written.coordinates_rajagopal is not None:
        paths.append(written.coordinates_rajagopal)
    for path in paths:
        print(f"wrote {path}", file=sys.stderr)
    print(
        f"note: rigid model residual {1000 * written.rigid_residual_m:.3g} mm (distance of the "
        "trial's joint centres and centres of mass from the exported model's)",
        file=sys.stderr,
    )
    return 0
