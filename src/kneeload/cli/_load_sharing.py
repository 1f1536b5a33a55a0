"""The muscle and contact model options shared by ``kneeload analyze`` and ``kneeload simulate``."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kneeload.knee_loads import LoadSharingOptions


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--condition``, ``--muscle-set``, ``--exponent``, ``--contact-area-model``,
    ``--weight-bearing``."""
    parser.add_argument(
        "--condition",
        default="healthy",
        help="knee condition: a bundled profile (healthy, medial_oa_mild, medial_oa_severe, "
        "lateral_oa, patellofemoral_pain) or a profile .toml file (default healthy)",
    )
    parser.add_argument(
        "--muscle-set", default="gait10dof18musc", help="muscle parameters in models/muscles/"
    )
    parser.add_argument(
        "--exponent", type=float, default=2.0, help="p of the static-optimisation criterion Σ aᵖ"
    )
    parser.add_argument(
        "--contact-area-model",
        default="Besier2005_male",
        help="patellofemoral contact-area model (Besier2005_male, Besier2005_female, HoPowers)",
    )
    parser.add_argument(
        "--weight-bearing",
        action="store_true",
        help="apply Besier et al. (2005)'s weight-bearing increase of the PF contact area",
    )


def options(args: argparse.Namespace) -> LoadSharingOptions:
    """The :class:`~kneeload.knee_loads.LoadSharingOptions` the parsed arguments ask for."""
    from kneeload.knee_loads import LoadSharingOptions

    return LoadSharingOptions(
        muscle_set=args.muscle_set,
        exponent=args.exponent,
        contact_area_model=args.contact_area_model,
        weight_bearing=args.weight_bearing,
        condition=args.condition,
    )
