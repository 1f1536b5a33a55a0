"""Analyse a measured trial from its files: the function behind ``kneeload analyze``.

Reads the kinematics (OpenSim coordinates with their model, or markers of a declared marker set)
and the forces, builds a :class:`~kneeload.trial.LegTrial` and returns
:func:`~kneeload.analysis.analyze_leg`'s per-frame table. Every problem with the inputs ends in a
:class:`~kneeload.exceptions.InputError` naming the file, the field and what was expected.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kneeload.exceptions import InputError
from kneeload.io.types import GroundReactionData, MarkerData

if TYPE_CHECKING:
    from kneeload.io.c3d import C3DTrial

KINEMATICS_SUFFIXES = (".mot", ".sto", ".trc", ".c3d")
MARKER_SUFFIXES = (".trc", ".c3d")
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


def _read_markers(path: Path) -> tuple[MarkerData, C3DTrial | None]:
    """Markers of a ``.trc`` (model frame already) or a ``.c3d`` (lab frame → model frame), and
    the C3D trial itself (None for a ``.trc``) so that its force plates need no second read."""
    if path.suffix.lower() == ".trc":
        from kneeload.io.opensim import read_trc

        return read_trc(path), None
    from kneeload.io.c3d import read_c3d
    from kneeload.io.frames import lab_to_model

    trial = read_c3d(path)
    return lab_to_model(trial.markers, vertical_axis=trial.vertical_axis), trial


def _analyze_markers(
    kinematics_path: Path,
    forces_path: Path,
    mass_kg: float,
    side: str,
    cutoff_hz: float | None,
    marker_set: str | Path,
    static: str | Path | None,
) -> pd.DataFrame:
    from kneeload.analysis import analyze_leg
    from kneeload.markers import (
        assign_plates_from_markers,
        leg_trial_from_markers,
        load_marker_set,
    )

    markers_set = load_marker_set(marker_set)
    markers, c3d = _read_markers(kinematics_path)
    static_markers = (
        None if static is None else _read_markers(_existing(static, "static", MARKER_SUFFIXES))[0]
    )
    if forces_path.suffix.lower() == ".c3d":
        from kneeload.io.c3d import read_c3d
        from kneeload.io.frames import lab_to_model

        if c3d is None or forces_path.resolve() != kinematics_path.resolve():
            c3d = read_c3d(forces_path)
        plates = lab_to_model(c3d.forces, vertical_axis=c3d.vertical_axis)
        ground = assign_plates_from_markers(plates, markers, markers_set)
    else:
        from kneeload.io.opensim import read_grf

        ground = read_grf(forces_path)
    trial = leg_trial_from_markers(
        markers, ground, markers_set, side, mass_kg, cutoff_hz=cutoff_hz, static=static_markers
    )
    return analyze_leg(trial)


def analyze(
    kinematics: str | Path,
    forces: str | Path,
    mass_kg: float,
    model: str | Path | None = None,
    height_m: float | None = None,
    side: str = "right",
    cutoff_hz: float | None = 6.0,
    in_degrees: bool | None = None,
    marker_set: str | Path | None = None,
    static: str | Path | None = None,
) -> pd.DataFrame:
    """Joint angles, moments and knee forces of one leg of a measured trial, one row per frame.

    Parameters
    ----------
    kinematics : OpenSim inverse-kinematics coordinates (``.mot``/``.sto``), or markers
        (``.trc``, or ``.c3d``; the same C3D may also be ``forces``)
    forces : ground reaction forces: OpenSim GRF ``.mot``/``.sto`` or a ``.c3d`` with force plates
        (assigned to the feet from the model's feet, or from the heel and toe markers)
    mass_kg : body mass [kg], > 0
    model : OpenSim ``.osim`` model the coordinates belong to (segment geometry and inertia);
        not used with markers
    height_m : stature [m] (kept for the summary; the model or the markers give the lengths)
    side : "right" or "left"
    cutoff_hz : low-pass cut-off for the coordinates or markers [Hz] (6 Hz, Winter 2009);
        None: no filter
    in_degrees : whether the coordinate file's angles are degrees, for files whose header lacks
        ``inDegrees`` (None: take the header's word)
    marker_set : for marker kinematics (required then): a bundled marker set's name (see
        :func:`kneeload.markers.available_marker_sets`) or a marker-set ``.toml`` file
    static : static marker trial (``.trc``/``.c3d``) for the landmarks the marker set
        reconstructs from it (e.g. epicondyles absent from walking trials)

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
    if kinematics_path.suffix.lower() in MARKER_SUFFIXES:
        if marker_set is None:
            from kneeload.markers import available_marker_sets

            raise InputError(
                kinematics_path,
                "--marker-set",
                "a declared marker set for marker kinematics: one of "
                f"{', '.join(available_marker_sets())} or a .toml file",
            )
        if model is not None:
            raise InputError(
                model, "--model", "no model with marker kinematics (markers give the segments)"
            )
        table = _analyze_markers(
            kinematics_path, forces_path, mass_kg, side, cutoff_hz, marker_set, static
        )
        if height_m is not None:
            table.attrs["height_m"] = height_m
        return table
    if marker_set is not None or static is not None:
        raise InputError(
            kinematics_path,
            "--marker-set/--static",
            "marker kinematics (.trc/.c3d) for a marker set; coordinates need none",
        )
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
