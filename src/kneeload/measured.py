"""Analyse a measured trial from its files: the function behind ``kneeload analyze``.

Reads the kinematics and the forces, builds a :class:`~kneeload.trial.LegTrial` and returns
:func:`~kneeload.analysis.analyze_leg`'s per-frame table. Every problem with the inputs ends in a
:class:`~kneeload.exceptions.InputError` naming the file, the field and what was expected.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from kneeload.exceptions import InputError
from kneeload.io.types import GroundReactionData

KINEMATICS_SUFFIXES = (".mot", ".sto")
FORCE_SUFFIXES = (".mot", ".sto", ".c3d")


def _existing(path: str | Path, role: str, suffixes: tuple[str, ...]) -> Path:
    p = Path(path)
    if p.suffix.lower() not in suffixes:
        raise InputError(p, role, f"a file ending in {', '.join(suffixes)}", p.suffix or "none")
    if not p.is_file():
        raise InputError(p, role, "an existing file", "no such file")
    return p


def _read_forces(path: Path, model: object, coordinates: object) -> GroundReactionData:
    """Ground reactions in the OpenSim frame with each plate assigned to a foot."""
    if path.suffix.lower() != ".c3d":
        from kneeload.io.opensim import read_grf

        return read_grf(path)
    from kneeload.dynamics.model_kinematics import body_poses, com_position
    from kneeload.io.c3d import read_c3d
    from kneeload.io.frames import assign_plates_to_feet, lab_to_model
    from kneeload.io.osim import OsimModel
    from kneeload.io.types import CoordinateData

    assert isinstance(model, OsimModel) and isinstance(coordinates, CoordinateData)
    trial = read_c3d(path)
    forces = lab_to_model(trial.forces, vertical_axis=trial.vertical_axis)
    q = {
        n: coordinates.values[:, i]
        for i, n in enumerate(coordinates.names)
        if n in model.coordinates
    }
    feet = [b for b in ("calcn_r", "calcn_l") if b in model.bodies]
    poses = body_poses(model, q, bodies=feet)
    positions = {
        ("right" if b.endswith("_r") else "left"): com_position(model, b, poses) for b in feet
    }
    return assign_plates_to_feet(forces, positions, coordinates.time_s)


def analyze(
    kinematics: str | Path,
    forces: str | Path,
    mass_kg: float,
    model: str | Path | None = None,
    height_m: float | None = None,
    side: str = "right",
    cutoff_hz: float | None = 6.0,
    in_degrees: bool | None = None,
) -> pd.DataFrame:
    """Joint angles, moments and knee forces of one leg of a measured trial, one row per frame.

    Parameters
    ----------
    kinematics : OpenSim inverse-kinematics coordinates (``.mot``/``.sto``)
    forces : ground reaction forces: OpenSim GRF ``.mot``/``.sto`` or a ``.c3d`` with force plates
    mass_kg : body mass [kg], > 0
    model : OpenSim ``.osim`` model the coordinates belong to (segment geometry and inertia)
    height_m : stature [m] (kept for the summary; the model gives the segment lengths)
    side : "right" or "left"
    cutoff_hz : low-pass cut-off for the coordinates [Hz] (6 Hz, Winter 2009); None: no filter
    in_degrees : whether the coordinate file's angles are degrees, for files whose header lacks
        ``inDegrees`` (None: take the header's word)

    Returns
    -------
    DataFrame : columns of :data:`kneeload.analysis.FRAME_COLUMNS` plus BW and N·m/kg versions.
    """
    from kneeload.analysis import analyze_leg
    from kneeload.io.opensim import read_coordinates
    from kneeload.io.osim import read_osim
    from kneeload.trial import check_side, leg_trial_from_opensim

    side = check_side(side)
    if not np.isfinite(mass_kg) or mass_kg <= 0:
        raise InputError("--mass", "mass_kg", "a body mass > 0 kg", f"{mass_kg:g}")
    if height_m is not None and (not np.isfinite(height_m) or height_m <= 0):
        raise InputError("--height", "height_m", "a stature > 0 m", f"{height_m:g}")
    if cutoff_hz is not None and not cutoff_hz > 0:
        raise InputError("--cutoff", "cutoff_hz", "a cut-off frequency > 0 Hz", f"{cutoff_hz:g}")
    kinematics_path = _existing(kinematics, "kinematics", KINEMATICS_SUFFIXES)
    forces_path = _existing(forces, "forces", FORCE_SUFFIXES)
    if model is None:
        raise InputError(
            kinematics_path,
            "--model",
            "an OpenSim .osim model for OpenSim coordinates (segment geometry and inertia)",
        )
    osim = read_osim(_existing(model, "model", (".osim",)))
    coordinates = read_coordinates(
        kinematics_path, translational=osim.translational_coordinates(), in_degrees=in_degrees
    )
    ground = _read_forces(forces_path, osim, coordinates)
    trial = leg_trial_from_opensim(osim, coordinates, ground, side, mass_kg, cutoff_hz)
    table = analyze_leg(trial)
    if height_m is not None:
        table.attrs["height_m"] = height_m
    return table
