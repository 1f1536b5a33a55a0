"""Measured backward trials (issue 8): a forward trial reversed in time is a backward trial.

Reversing time turns a forward walker into one travelling backward while facing the same way,
landing on the forefoot (the forward trial's toe-off). Positions are unchanged frame by frame,
velocities change sign and accelerations do not, so every term of the inverse dynamics (m·a,
I·α, the ground reaction, gravity; velocity-squared terms, had we any, are even too) is the
same: the net joint moments of the reversed trial are the forward ones reversed in time, to
rounding, away from the record's ends (one-sided differences there). Muscle forces follow as
long as nothing depends on the sign of a velocity: with force–velocity scaling on, a muscle
shortening in the forward trial lengthens in the reversed one and is stronger eccentrically,
so the muscle and contact forces differ (figures printed; Winter, Pluck & Yang 1989).

Also: a subject walking toward −x (the Grand Challenge trials do) analyses the same as toward
+x (the trial rotated by 180° about the vertical).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kneeload.analysis import analyze_leg
from kneeload.direction import detect_direction
from kneeload.export import write_coordinates_mot, write_grf_mot
from kneeload.io.frames import rotate_180_about_vertical
from kneeload.io.opensim import read_coordinates, read_grf
from kneeload.io.osim import read_osim
from kneeload.io.types import CoordinateData, GroundReactionData
from kneeload.knee_loads import LoadSharingOptions
from kneeload.measured import analyze, load_trial
from kneeload.trial import LegTrial, leg_trial_from_joint_markers
from kneeload.validation.dynamics import winter_tables

MOMENTS = ("hip_moment_nm", "knee_moment_nm", "ankle_moment_nm")
#: frames left out at each end (one-sided finite differences there)
ENDS = 2
#: agreement of reversed moments: rounding of the files and of the arithmetic [relative to peak]
PRECISION = 1e-9


def _reverse_coordinates(data: CoordinateData, total_s: float) -> CoordinateData:
    return dataclasses.replace(
        data, time_s=total_s - data.time_s[::-1], values=data.values[::-1].copy()
    )


def _reverse_forces(data: GroundReactionData, total_s: float) -> GroundReactionData:
    return dataclasses.replace(
        data,
        time_s=total_s - data.time_s[::-1],
        force_n=data.force_n[::-1].copy(),
        cop_m=data.cop_m[::-1].copy(),
        free_moment_nm=data.free_moment_nm[::-1].copy(),
    )


def _max_relative(forward: pd.Series, reversed_: pd.Series) -> float:
    a = forward.to_numpy()[ENDS:-ENDS]
    b = reversed_.to_numpy()[::-1][ENDS:-ENDS]
    return float(np.max(np.abs(a - b)) / np.max(np.abs(a)))


@pytest.fixture(scope="module")
def subject01_reversed(
    subject01: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """subject01's IK and GRF reversed in time, written as OpenSim files."""
    folder = tmp_path_factory.mktemp("reversed")
    model = read_osim(subject01["model"])
    coordinates = read_coordinates(
        subject01["kinematics"], translational=model.translational_coordinates()
    )
    forces = read_grf(subject01["forces"])
    total = float(coordinates.time_s[0] + coordinates.time_s[-1])
    return {
        "kinematics": write_coordinates_mot(
            _reverse_coordinates(coordinates, total), folder / "ik.mot"
        ),
        "forces": write_grf_mot(_reverse_forces(forces, total), folder / "grf.mot"),
        "model": subject01["model"],
    }


def _analyze(files: dict[str, Path], options: LoadSharingOptions | None = None) -> pd.DataFrame:
    return analyze(
        files["kinematics"],
        files["forces"],
        72.6,
        model=files["model"],
        cutoff_hz=None,
        load_sharing=options,
    )


def test_subject01_reversed_is_detected_backward_with_toe_contact(
    subject01: dict[str, Path], subject01_reversed: dict[str, Path]
) -> None:
    forward = detect_direction(load_trial(**_trial_inputs(subject01)))
    backward = detect_direction(load_trial(**_trial_inputs(subject01_reversed)))
    print(forward.notes, backward.notes)
    assert forward.direction == "forward"
    assert forward.first_contact == "heel"
    assert forward.cop_progression == "heel-to-toe"
    assert backward.direction == "backward"
    assert backward.first_contact == "toe"
    assert backward.cop_progression == "toe-to-heel"
    assert backward.hip_over_foot_m_s == pytest.approx(-forward.hip_over_foot_m_s, rel=1e-9)
    assert backward.stance_fraction == pytest.approx(forward.stance_fraction, abs=0.02)


def _trial_inputs(files: dict[str, Path]) -> dict[str, object]:
    return {
        "kinematics": files["kinematics"],
        "forces": files["forces"],
        "mass_kg": 72.6,
        "model": files["model"],
        "cutoff_hz": None,
    }


def test_subject01_reversed_moments_equal_forward_reversed(
    subject01: dict[str, Path], subject01_reversed: dict[str, Path]
) -> None:
    """Joint moments (and, without force–velocity scaling, muscle and contact forces) of the
    reversed trial are the forward ones reversed in time."""
    rigid = LoadSharingOptions(force_length_velocity=False)
    forward = _analyze(subject01, rigid)
    backward = _analyze(subject01_reversed, rigid)
    assert backward.attrs["direction"] == "backward"
    columns = (*MOMENTS, "knee_moment_3d_nm", "tf_compressive_n", "pf_force_n")
    errors = {c: _max_relative(forward[c], backward[c]) for c in columns}
    print("subject01 reversed, max relative difference:", errors)
    assert max(errors.values()) <= PRECISION


def test_subject01_reversed_with_force_velocity_differs(
    subject01: dict[str, Path], subject01_reversed: dict[str, Path]
) -> None:
    """With force–velocity scaling (the default) the moments still reverse exactly, but the
    muscle forces do not: concentric becomes eccentric. The figures are printed."""
    forward = _analyze(subject01)
    backward = _analyze(subject01_reversed)
    assert _max_relative(forward["knee_moment_nm"], backward["knee_moment_nm"]) <= PRECISION
    tf = _max_relative(forward["tf_compressive_n"], backward["tf_compressive_n"])
    pf = _max_relative(forward["pf_force_n"], backward["pf_force_n"])
    peak = {c: (forward[c].max(), backward[c].max()) for c in ("tf_compressive_n", "pf_force_n")}
    print(f"force-velocity on: TF differs by {tf:.3f}, PF by {pf:.3f} of the peak; peaks {peak}")
    assert tf > PRECISION


def _winter(reverse: bool, cutoff_hz: float | None) -> LegTrial:
    """Winter's stride (Appendix A, raw markers) as a LegTrial, optionally reversed in time."""
    tables = winter_tables(_shared_data_or_skip())
    a1, a5 = tables["A1"], tables["A5"]
    markers = [
        a1[[f"{n}_x_cm", f"{n}_y_cm"]].to_numpy() / 100 for n in ("hip", "knee", "ankle", "met5")
    ]
    grf = a5[["foot_ground_Rx_N", "foot_ground_Ry_N"]].to_numpy()
    cop = np.column_stack([a5["cop_x_m"].to_numpy(), np.zeros(len(a5))])
    time = a1["time_s"].to_numpy()
    if reverse:
        time = time[0] + time[-1] - time[::-1]
        markers = [m[::-1] for m in markers]
        grf, cop = grf[::-1], cop[::-1]
    return leg_trial_from_joint_markers(time, *markers, grf, cop, 56.7, cutoff_hz=cutoff_hz)


def _shared_data_or_skip() -> Path:
    from tests.conftest import SHARED_DATA

    if not (SHARED_DATA / "winter_appendixA").is_dir():
        pytest.skip("Winter's Appendix A data not found in the shared data folder")
    return SHARED_DATA


def test_winter_reversed_is_backward_with_toe_contact() -> None:
    forward = detect_direction(_winter(False, 6.0))
    backward = detect_direction(_winter(True, 6.0))
    print(forward.notes, backward.notes)
    assert (forward.direction, forward.first_contact) == ("forward", "heel")
    assert (backward.direction, backward.first_contact) == ("backward", "toe")


@pytest.mark.parametrize("cutoff_hz", [None, 6.0])
def test_winter_reversed_moments_equal_forward_reversed(cutoff_hz: float | None) -> None:
    """Unfiltered: equal to rounding. With Winter's 6 Hz zero-lag filter, reversal swaps the
    order of its two passes, and scipy's sosfiltfilt starts each pass from the padded edge's
    steady state, which is not symmetric: the difference decays from the ends with the filter's
    transient, to 1e-6 of the peak within 25 frames (0.36 s; about 1e-7 in the middle)."""
    forward = analyze_leg(_winter(False, cutoff_hz))
    backward = analyze_leg(_winter(True, cutoff_hz))
    ends = ENDS if cutoff_hz is None else 25
    tolerance = PRECISION if cutoff_hz is None else 1e-6
    errors = {}
    for column in MOMENTS:
        a = forward[column].to_numpy()[ends:-ends]
        b = backward[column].to_numpy()[::-1][ends:-ends]
        errors[column] = float(np.max(np.abs(a - b)) / np.max(np.abs(a)))
    print(f"Winter reversed, cut-off {cutoff_hz}: max relative difference {errors}")
    assert max(errors.values()) <= tolerance


def _rotate_coordinates(data: CoordinateData) -> CoordinateData:
    """gait2392 coordinates of the same motion turned 180° about the vertical: the pelvis
    (body-fixed Z-X-Y: tilt, list, rotation) becomes Ry(π)·Rz(t)·Rx(l)·Ry(r) =
    Rz(−t)·Rx(−l)·Ry(r + π), and its x and z translations change sign."""
    values = data.values.copy()
    for name in ("pelvis_tilt", "pelvis_list", "pelvis_tx", "pelvis_tz"):
        values[:, data.names.index(name)] *= -1.0
    values[:, data.names.index("pelvis_rotation")] += np.pi
    return dataclasses.replace(data, values=values)


def test_walking_toward_minus_x_analyses_the_same(shared_data: Path, tmp_path: Path) -> None:
    """subject01 (gait2392, a 3-D pelvis) turned by 180° about the vertical, coordinates and
    ground reactions: the same joint moments and knee loads, direction forward."""
    folder = shared_data / "opensim_subject01_walk"
    files = {
        "kinematics": folder / "gait2392" / "subject01_walk1_ik.mot",
        "forces": folder / "experimental" / "subject01_walk1_grf.mot",
        "model": folder / "gait2392" / "subject01_simbody_scaled.osim",
    }
    model = read_osim(files["model"])
    coordinates = read_coordinates(
        files["kinematics"], translational=model.translational_coordinates(), in_degrees=True
    )
    forces = read_grf(files["forces"])
    turned = {
        "kinematics": write_coordinates_mot(_rotate_coordinates(coordinates), tmp_path / "ik.mot"),
        "forces": write_grf_mot(rotate_180_about_vertical(forces), tmp_path / "grf.mot"),
        "model": files["model"],
    }
    plus = analyze(**_trial_inputs(files), in_degrees=True)  # type: ignore[arg-type]
    minus = analyze(**_trial_inputs(turned))  # type: ignore[arg-type]
    assert any("faces -x" in note for note in minus.attrs["notes"])
    assert minus.attrs["direction"] == plus.attrs["direction"] == "forward"
    columns = (*MOMENTS, "knee_adduction_moment_nm", "tf_compressive_n", "pf_force_n")
    for column in columns:
        a, b = plus[column].to_numpy(), minus[column].to_numpy()
        error = float(np.nanmax(np.abs(a - b)) / np.nanmax(np.abs(a)))
        print(f"-x vs +x {column}: max relative difference {error:.2e}")
        assert error <= PRECISION, column


def test_generated_backward_case_detected() -> None:
    """The generator's backward walking (facing +x, travelling −x, toe first) is detected as
    backward, its forward walking as forward with heel contact."""
    from kneeload.gait.generator import generate_cycles
    from kneeload.gait.spec import GaitSpec, Subject

    subject = Subject(mass_kg=70.0, height_m=1.75)
    found = {}
    for direction, speed in (("forward", 1.3), ("backward", 0.9)):
        spec = GaitSpec("walk", direction, speed, 0.0, subject)
        found[direction] = detect_direction(generate_cycles(spec, strides=2).leg("right"))
    assert (found["forward"].direction, found["forward"].first_contact) == ("forward", "heel")
    assert (found["backward"].direction, found["backward"].first_contact) == ("backward", "toe")
    assert len(found["backward"].contacts) >= 2


@pytest.mark.parametrize(("direction", "speed_m_s"), [("forward", 1.3), ("backward", 0.9)])
def test_treadmill_frame_keeps_direction_and_moments(direction: str, speed_m_s: float) -> None:
    """The same generated gait seen from a frame moving with the subject (a treadmill: the
    hip stays put, the stance foot rides backward on the belt) is the same direction, and a
    frame in uniform motion changes no acceleration, so no joint moment (Galilean invariance)."""
    from kneeload.gait.generator import generate_cycles
    from kneeload.gait.spec import GaitSpec, Subject

    spec = GaitSpec("walk", direction, speed_m_s, 0.0, Subject(mass_kg=70.0, height_m=1.75))
    overground = generate_cycles(spec, strides=2).leg("right")
    travel = np.polyfit(overground.time_s, overground.joint_m[:, 2, 0], 1)[0]
    shift = np.column_stack([-travel * overground.time_s, np.zeros(len(overground.time_s))])
    treadmill = dataclasses.replace(
        overground,
        com_m=overground.com_m + shift[:, None, :],
        joint_m=overground.joint_m + shift[:, None, :],
        cop_m=overground.cop_m + shift,
    )
    assert abs(np.polyfit(treadmill.time_s, treadmill.joint_m[:, 2, 0], 1)[0]) < 1e-9
    assert detect_direction(treadmill).direction == direction
    assert detect_direction(treadmill).first_contact == detect_direction(overground).first_contact
    a, b = analyze_leg(overground), analyze_leg(treadmill)
    for column in MOMENTS:
        error = np.max(np.abs(a[column] - b[column])) / np.max(np.abs(a[column]))
        assert error <= PRECISION, column


def test_grand_challenge_walks_toward_minus_x_forward(shared_data: Path) -> None:
    """JW og3 (Grand Challenge; the subject walks toward −x of the lab): faces −x, travels
    forward, lands on the heel (right heel strikes on plates 2 and 3, data README)."""
    folder = shared_data / "grand_challenge_knee_loads_JW"
    table = analyze(
        folder / "ik" / "IK_ngait_og3_with_fluoro.mot", folder / "c3d" / "jw_ngait_og3.c3d", 70.0
    )
    assert any("faces -x" in note for note in table.attrs["notes"])
    assert table.attrs["direction"] == "forward"
    assert table.attrs["first_contact"] == "heel"
