"""Analyse a measured trial from its files: the function behind ``kneeload analyze``.

Reads the kinematics (OpenSim coordinates with their model, or without one on a generic leg,
optionally calibrated to the forces C3D's markers; or markers of a declared marker set) and the
forces, builds a :class:`~kneeload.trial.LegTrial` and returns
:func:`~kneeload.analysis.analyze_leg`'s per-frame table. Every problem with the inputs ends in a
:class:`~kneeload.exceptions.InputError` naming the file, the field and what was expected.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from kneeload.exceptions import InputError
from kneeload.io.types import CoordinateData, GroundReactionData, MarkerData

FloatArray = NDArray[np.float64]

if TYPE_CHECKING:
    from kneeload.generic_leg import GenericLegCalibration
    from kneeload.io.c3d import C3DTrial
    from kneeload.io.osim import OsimModel
    from kneeload.knee_loads import LoadSharingOptions
    from kneeload.trial import LegTrial

Data = TypeVar("Data", MarkerData, GroundReactionData)

TABLE_SUFFIXES = (".csv", ".tsv", ".txt")
KINEMATICS_SUFFIXES = (".mot", ".sto", ".trc", ".c3d", *TABLE_SUFFIXES)
MARKER_SUFFIXES = (".trc", ".c3d")
FORCE_SUFFIXES = (".mot", ".sto", ".c3d", *TABLE_SUFFIXES)


def _existing(path: str | Path, role: str, suffixes: tuple[str, ...]) -> Path:
    p = Path(path)
    if p.suffix.lower() not in suffixes:
        raise InputError(p, role, f"a file ending in {', '.join(suffixes)}", p.suffix or "none")
    if not p.is_file():
        raise InputError(p, role, "an existing file", "no such file")
    return p


def _plates_on_model_feet(
    path: Path, model: OsimModel, coordinates: CoordinateData
) -> GroundReactionData:
    """A C3D's plates in the OpenSim frame, each assigned to the model foot over it."""
    from kneeload.dynamics.model_kinematics import body_poses, com_position
    from kneeload.io.c3d import read_c3d
    from kneeload.io.frames import assign_plates_to_feet

    trial = read_c3d(path)
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
    plates = _to_model_frame(trial.forces, trial.vertical_axis)
    return assign_plates_to_feet(plates, positions, coordinates.time_s)


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


def _read_table_kinematics(
    path: Path, columns: str | Path | None
) -> tuple[MarkerData | None, CoordinateData | None]:
    """Markers (model frame) or coordinates of a delimited table, as its column map declares."""
    from kneeload.io.csv_table import read_column_map, read_csv_coordinates, read_csv_markers

    if columns is None:
        raise InputError(path, "--columns", "a column map (.toml) for a delimited kinematics table")
    column_map = read_column_map(_existing(columns, "columns", (".toml",)))
    if column_map.markers:
        return _to_model_frame(read_csv_markers(path, column_map), column_map.vertical_axis), None
    if column_map.angles:
        return None, read_csv_coordinates(path, column_map)
    raise InputError(
        column_map.source, "markers/coordinates", "[markers] or [coordinates.angles] declared"
    )


def _to_model_frame(data: Data, vertical_axis: str) -> Data:
    """Data in the lab frame turned into the OpenSim model frame (y up); model data unchanged."""
    if data.frame == "model":
        return data
    from kneeload.io.frames import lab_to_model

    return lab_to_model(data, vertical_axis=vertical_axis)


def _read_table_forces(path: Path, columns: str | Path | None) -> GroundReactionData:
    """Ground reactions of a delimited table, model frame, feet as the column map declares."""
    from kneeload.io.csv_table import read_column_map, read_csv_forces

    if columns is None:
        raise InputError(
            path, "--force-columns", "a column map (.toml) for a delimited force table"
        )
    column_map = read_column_map(_existing(columns, "force columns", (".toml",)))
    return _to_model_frame(read_csv_forces(path, column_map), column_map.vertical_axis)


def _ground_for_coordinates(
    forces_path: Path,
    coordinates: CoordinateData,
    side: str,
    osim: OsimModel | None,
    force_columns: str | Path | None,
    c3d: C3DTrial | None = None,
) -> GroundReactionData:
    """Ground reactions for coordinate kinematics; C3D plates are assigned to the feet from the
    model's feet, or from the generic leg's feet when there is no model. ``c3d``: the forces
    C3D when already read."""
    suffix = forces_path.suffix.lower()
    if suffix in TABLE_SUFFIXES:
        return _read_table_forces(forces_path, force_columns)
    if suffix != ".c3d":
        from kneeload.io.opensim import read_grf

        return read_grf(forces_path)
    if osim is not None:
        return _plates_on_model_feet(forces_path, osim, coordinates)
    from kneeload.generic_leg import generic_foot_polyline
    from kneeload.io.c3d import read_c3d
    from kneeload.io.frames import assign_plates_to_feet

    c3d = c3d if c3d is not None else read_c3d(forces_path)
    plates = _to_model_frame(c3d.forces, c3d.vertical_axis)
    feet = {side: generic_foot_polyline(coordinates, side)}
    return assign_plates_to_feet(plates, feet, coordinates.time_s)


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
    columns: str | Path | None = None,
    force_columns: str | Path | None = None,
    anthropometry: str = "Winter2009",
    load_sharing: LoadSharingOptions | None = None,
) -> pd.DataFrame:
    """Joint angles, moments, muscle forces and knee contact loads of one leg of a measured
    trial, one row per frame.

    Parameters
    ----------
    kinematics : OpenSim inverse-kinematics coordinates (``.mot``/``.sto``), markers (``.trc``,
        or ``.c3d``; the same C3D may also be ``forces``), or a delimited table (``.csv``,
        ``.tsv``, ``.txt``) of either, read with the column map ``columns``
    forces : ground reaction forces: OpenSim GRF ``.mot``/``.sto``, a ``.c3d`` with force plates
        (assigned to the feet from the model's feet, the heel and toe markers, or the generic
        leg's feet), or a delimited table read with ``force_columns``
    mass_kg : body mass [kg], > 0
    model : OpenSim ``.osim`` model the coordinates belong to (segment geometry and inertia).
        Without one, coordinates drive a generic Delp (1990) leg scaled to ``height_m``
        (:func:`kneeload.generic_leg.leg_trial_from_coordinates`), or calibrated to the
        markers of the forces C3D when ``marker_set`` is given; not used with markers
    height_m : stature [m] for the generic leg; None: estimated from the trial, or from the
        calibrated leg lengths (said in the notes). Models and markers give their own segment
        lengths.
    side : "right" or "left"
    cutoff_hz : low-pass cut-off for the coordinates or markers [Hz] (6 Hz, Winter 2009);
        None: no filter
    in_degrees : whether the coordinate file's angles are degrees, for files whose header lacks
        ``inDegrees`` (None: take the header's word)
    marker_set : a bundled marker set's name (see
        :func:`kneeload.markers.available_marker_sets`) or a marker-set ``.toml`` file. Required
        with marker kinematics. With IK coordinates and no ``model``, it calibrates the generic
        leg: ``forces`` must then be a C3D of the same trial, whose markers give the hip, knee
        and ankle centres (:func:`kneeload.markers.joint_centres_from_markers`) that the hip,
        knee and ankle locations of the leg are fitted to
        (:func:`kneeload.generic_leg.calibrate_generic_leg`; fitted values and residuals in the
        notes). Not allowed with coordinates and a ``model`` (the model gives the geometry).
    static : static marker trial (``.trc``/``.c3d``) for the landmarks the marker set
        reconstructs from it (e.g. epicondyles absent from walking trials); needs
        ``marker_set``
    columns, force_columns : column maps (``.toml``, :mod:`kneeload.io.csv_table`) of delimited
        kinematics and force tables; ``force_columns`` defaults to ``columns``
    anthropometry : segment table in ``models/anthropometry/`` for markers and the generic leg
    load_sharing : muscle and contact model choices (default
        :class:`kneeload.knee_loads.LoadSharingOptions`)

    Returns
    -------
    DataFrame : columns of :data:`kneeload.analysis.FRAME_COLUMNS` plus BW and N·m/kg versions;
        with an ``.osim`` model also ``knee_moment_3d_nm`` and ``knee_abduction_moment_3d_nm``
        from the model's 3-D distal chain; then the muscle and knee contact columns of
        :func:`kneeload.knee_loads.knee_loads`. ``attrs["notes"]`` says what was estimated,
        ``attrs["direction"]`` ("forward"/"backward") and ``attrs["first_contact"]`` ("heel",
        "toe", "flat") come from the data (:func:`kneeload.direction.detect_direction`), the
        other ``attrs`` name the models used.
    """
    from kneeload.analysis import analyze_leg
    from kneeload.direction import detect_direction
    from kneeload.knee_loads import LoadSharingOptions as Options
    from kneeload.knee_loads import knee_loads

    load_sharing = load_sharing if load_sharing is not None else Options()
    load_sharing.check()
    trial, knee_3d = _load(
        kinematics,
        forces,
        mass_kg,
        model,
        height_m,
        side,
        cutoff_hz,
        in_degrees,
        marker_set,
        static,
        columns,
        force_columns,
        anthropometry,
    )
    gait = detect_direction(trial)
    table = analyze_leg(trial)
    for column, values in knee_3d.items():
        table[column] = values
    table = knee_loads(table, mass_kg, load_sharing)
    if height_m is not None:
        table.attrs["height_m"] = height_m
    table.attrs["direction"] = gait.direction
    table.attrs["first_contact"] = gait.first_contact
    table.attrs["notes"] = [*table.attrs.get("notes", []), *gait.notes]
    return table


def load_trial(
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
    columns: str | Path | None = None,
    force_columns: str | Path | None = None,
    anthropometry: str = "Winter2009",
) -> LegTrial:
    """The :class:`~kneeload.trial.LegTrial` that :func:`analyze` analyses, from the same
    inputs (e.g. to export it: :mod:`kneeload.export`)."""
    return _load(
        kinematics,
        forces,
        mass_kg,
        model,
        height_m,
        side,
        cutoff_hz,
        in_degrees,
        marker_set,
        static,
        columns,
        force_columns,
        anthropometry,
    )[0]


def _load(
    kinematics: str | Path,
    forces: str | Path,
    mass_kg: float,
    model: str | Path | None,
    height_m: float | None,
    side: str,
    cutoff_hz: float | None,
    in_degrees: bool | None,
    marker_set: str | Path | None,
    static: str | Path | None,
    columns: str | Path | None,
    force_columns: str | Path | None,
    anthropometry: str,
) -> tuple[LegTrial, dict[str, FloatArray]]:
    """LegTrial of the inputs of :func:`analyze` (checked), and its 3-D knee columns."""
    from kneeload.trial import check_side

    side = check_side(side)
    if not np.isfinite(mass_kg) or mass_kg <= 0:
        raise InputError("--mass", "mass_kg", "a body mass > 0 kg", f"{mass_kg:g}")
    if height_m is not None and (not np.isfinite(height_m) or height_m <= 0):
        raise InputError("--height", "height_m", "a stature > 0 m", f"{height_m:g}")
    if cutoff_hz is not None and not cutoff_hz > 0:
        raise InputError("--cutoff", "cutoff_hz", "a cut-off frequency > 0 Hz", f"{cutoff_hz:g}")
    kinematics_path = _existing(kinematics, "kinematics", KINEMATICS_SUFFIXES)
    forces_path = _existing(forces, "forces", FORCE_SUFFIXES)
    force_columns = force_columns if force_columns is not None else columns
    markers: MarkerData | None = None
    coordinates: CoordinateData | None = None
    knee_3d: dict[str, FloatArray] = {}
    c3d = None
    suffix = kinematics_path.suffix.lower()
    if suffix in TABLE_SUFFIXES:
        markers, coordinates = _read_table_kinematics(kinematics_path, columns)
    elif suffix in MARKER_SUFFIXES:
        markers, c3d = _read_markers(kinematics_path)
    if markers is not None:
        if model is not None:
            raise InputError(
                model, "--model", "no model with marker kinematics (markers give the segments)"
            )
        trial = _marker_trial(
            markers,
            c3d,
            kinematics_path,
            forces_path,
            force_columns,
            mass_kg,
            side,
            cutoff_hz,
            marker_set,
            static,
            anthropometry,
        )
    else:
        _check_calibration_inputs(kinematics_path, forces_path, model, marker_set, static)
        trial, knee_3d = _coordinate_trial(
            kinematics_path,
            coordinates,
            forces_path,
            force_columns,
            model,
            mass_kg,
            height_m,
            side,
            cutoff_hz,
            in_degrees,
            anthropometry,
            marker_set,
            static,
        )
    if height_m is not None:  # a given stature normalises the KAM whatever gave the segments
        trial = dataclasses.replace(trial, height_m=height_m)
    return trial, knee_3d


def _marker_trial(
    markers: MarkerData,
    c3d: C3DTrial | None,
    kinematics_path: Path,
    forces_path: Path,
    force_columns: str | Path | None,
    mass_kg: float,
    side: str,
    cutoff_hz: float | None,
    marker_set: str | Path | None,
    static: str | Path | None,
    anthropometry: str,
) -> LegTrial:
    """LegTrial of marker kinematics with a declared marker set."""
    from kneeload.markers import (
        assign_plates_from_markers,
        available_marker_sets,
        leg_trial_from_markers,
        load_marker_set,
    )

    if marker_set is None:
        raise InputError(
            kinematics_path,
            "--marker-set",
            "a declared marker set for marker kinematics: one of "
            f"{', '.join(available_marker_sets())} or a .toml file",
        )
    markers_set = load_marker_set(marker_set)
    static_markers = (
        None if static is None else _read_markers(_existing(static, "static", MARKER_SUFFIXES))[0]
    )
    suffix = forces_path.suffix.lower()
    if suffix == ".c3d":
        from kneeload.io.c3d import read_c3d

        if c3d is None or forces_path.resolve() != kinematics_path.resolve():
            c3d = read_c3d(forces_path)
        plates = _to_model_frame(c3d.forces, c3d.vertical_axis)
        ground = assign_plates_from_markers(plates, markers, markers_set)
    elif suffix in TABLE_SUFFIXES:
        ground = _read_table_forces(forces_path, force_columns)
    else:
        from kneeload.io.opensim import read_grf

        ground = read_grf(forces_path)
    return leg_trial_from_markers(
        markers,
        ground,
        markers_set,
        side,
        mass_kg,
        anthropometry=anthropometry,
        cutoff_hz=cutoff_hz,
        static=static_markers,
    )


def _check_calibration_inputs(
    kinematics_path: Path,
    forces_path: Path,
    model: str | Path | None,
    marker_set: str | Path | None,
    static: str | Path | None,
) -> None:
    """With coordinates, a marker set (and a static trial) only calibrate the generic leg: no
    model, and the trial's markers in the forces C3D."""
    if marker_set is None and static is None:
        return
    if model is not None:
        raise InputError(
            kinematics_path,
            "--marker-set/--static",
            "no marker set with coordinates and a model (the model gives the geometry; a "
            "marker set calibrates the generic leg when there is no model)",
        )
    if marker_set is None:
        raise InputError(
            static or "--static",
            "--marker-set",
            "a marker set with the static trial (it calibrates the generic leg)",
        )
    if forces_path.suffix.lower() != ".c3d":
        raise InputError(
            forces_path,
            "--forces",
            "a C3D of the same trial, whose markers calibrate the generic leg to the marker set",
            forces_path.suffix,
        )


def _coordinate_trial(
    kinematics_path: Path,
    coordinates: CoordinateData | None,
    forces_path: Path,
    force_columns: str | Path | None,
    model: str | Path | None,
    mass_kg: float,
    height_m: float | None,
    side: str,
    cutoff_hz: float | None,
    in_degrees: bool | None,
    anthropometry: str,
    marker_set: str | Path | None,
    static: str | Path | None,
) -> tuple[LegTrial, dict[str, FloatArray]]:
    """LegTrial of IK coordinates: with their .osim model, or on the generic leg without one,
    calibrated to the forces C3D's markers when a marker set is given.

    With a model, also the knee's 3-D distal-chain loads (:func:`_knee_3d_columns`).
    """
    from kneeload.io.opensim import read_coordinates
    from kneeload.io.osim import read_osim
    from kneeload.trial import leg_trial_from_opensim

    osim = None if model is None else read_osim(_existing(model, "model", (".osim",)))
    if coordinates is None:
        translational = None if osim is None else osim.translational_coordinates()
        coordinates = read_coordinates(
            kinematics_path, translational=translational, in_degrees=in_degrees
        )
    c3d = None
    if marker_set is not None:
        from kneeload.io.c3d import read_c3d

        c3d = read_c3d(forces_path)
    ground = _ground_for_coordinates(forces_path, coordinates, side, osim, force_columns, c3d)
    if osim is not None:
        trial = leg_trial_from_opensim(osim, coordinates, ground, side, mass_kg, cutoff_hz)
        return trial, _knee_3d_columns(osim, coordinates, ground, side, cutoff_hz)
    from kneeload.generic_leg import leg_trial_from_coordinates

    calibration = None
    if c3d is not None and marker_set is not None:
        calibration = _calibration_from_markers(coordinates, c3d, marker_set, static, side)
    trial = leg_trial_from_coordinates(
        coordinates,
        ground,
        side,
        mass_kg,
        height_m,
        anthropometry,
        cutoff_hz,
        calibration=calibration,
    )
    return trial, {}


def _calibration_from_markers(
    coordinates: CoordinateData,
    c3d: C3DTrial,
    marker_set: str | Path,
    static: str | Path | None,
    side: str,
) -> GenericLegCalibration:
    """The generic leg calibrated to the joint centres of the C3D's markers (model frame, the
    C3D's clock, which the IK shares)."""
    from kneeload.generic_leg import calibrate_generic_leg
    from kneeload.markers import joint_centres_from_markers, load_marker_set

    markers = _to_model_frame(c3d.markers, c3d.vertical_axis)
    static_markers = (
        None if static is None else _read_markers(_existing(static, "static", MARKER_SUFFIXES))[0]
    )
    markers_set = load_marker_set(marker_set)
    centres = joint_centres_from_markers(markers, markers_set, side, static=static_markers)
    return calibrate_generic_leg(
        coordinates,
        markers.time_s,
        centres,
        side,
        source=f"{c3d.source} (marker set {markers_set.name})",
    )


def _knee_3d_columns(
    osim: OsimModel,
    coordinates: CoordinateData,
    ground: GroundReactionData,
    side: str,
    cutoff_hz: float | None,
) -> dict[str, FloatArray]:
    """``knee_moment_3d_nm`` (extensor +) about the model's knee axis from its 3-D distal chain,
    and ``knee_abduction_moment_3d_nm`` (internal, balancing an external varus moment).

    :func:`kneeload.knee_3d.knee_flexion_moment_3d` returns the generalised force in
    the sign of the knee coordinate; the declared coordinate convention turns it extensor +.
    """
    from kneeload.knee_3d import knee_flexion_moment_3d
    from kneeload.trial import coordinate_set

    knee = knee_flexion_moment_3d(osim, coordinates, ground, side, cutoff_hz=cutoff_hz)
    flexion_sign = coordinate_set(coordinates.names, side, coordinates.source).signs["knee_flexion"]
    return {
        "knee_moment_3d_nm": -flexion_sign * knee.generalized_force_nm,
        "knee_abduction_moment_3d_nm": knee.abduction_moment_nm,
    }
