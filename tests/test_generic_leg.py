"""IK coordinates without a model: coordinate conventions and the generic, stature-scaled leg.

Analytic cases (a straight leg has the table's segment lengths, a hip flexion puts the knee
where trigonometry says, a trial turned by 180° gives the same facing-frame trial, a stature
round trip, a calibration round trip) and the convention table against the headers of real IK
files.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from kneeload.anthropometry import leg_segment_parameters
from kneeload.data import load_parameter_set
from kneeload.dynamics.model_kinematics import body_poses, joint_center, marker_position
from kneeload.exceptions import InputError, ParameterError
from kneeload.generic_leg import (
    GenericLegCalibration,
    calibrate_generic_leg,
    estimate_height_m,
    generic_leg_model,
    leg_trial_from_coordinates,
    stature_from_leg_lengths,
)
from kneeload.io.frames import rotate_180_about_vertical
from kneeload.io.opensim import read_coordinates
from kneeload.io.types import CoordinateData, GroundReactionData
from kneeload.trial import coordinate_set

HEIGHT_M = 1.75
MASS_KG = 70.0
#: gait2392 names (3-D pelvis and hip), the richest family
GAIT2392 = (
    "pelvis_tilt",
    "pelvis_list",
    "pelvis_rotation",
    "pelvis_tx",
    "pelvis_ty",
    "pelvis_tz",
    "hip_flexion_r",
    "hip_adduction_r",
    "hip_rotation_r",
    "knee_angle_r",
    "ankle_angle_r",
    "subtalar_angle_r",
)


def _coordinates(values: dict[str, np.ndarray], n: int, rate_hz: float = 100.0) -> CoordinateData:
    columns = np.stack([values.get(name, np.zeros(n)) for name in GAIT2392], axis=1)
    return CoordinateData(
        time_s=np.arange(n) / rate_hz,
        values=columns.astype(np.float64),
        names=GAIT2392,
        rate_hz=rate_hz,
        source="synthetic",
    )


def _centres(values: dict[str, np.ndarray], n: int, height_m: float = HEIGHT_M) -> dict:
    """Hip, knee and ankle centres (n, 3) of the generic right leg, ground frame [m]."""
    data = _coordinates(values, n)
    names = coordinate_set(data.names, "right")
    model = generic_leg_model(names, height_m, MASS_KG)
    q = {name: data.coordinate(name) for name in model.coordinates}
    poses = body_poses(model, q)
    return {j: joint_center(model, f"{j}_r", poses) for j in ("hip", "knee", "ankle")}


def _unit(v: list[float]) -> np.ndarray:
    a = np.asarray(v, dtype=np.float64)
    return a / np.linalg.norm(a)


def test_zero_angles_give_a_straight_leg_of_the_table_lengths() -> None:
    """All angles zero: hip at Delp's offset × stature/1.8 m below the pelvis origin, then the
    thigh and shank at their Winter (2009) lengths along Delp's femur and tibia axes."""
    geometry = load_parameter_set("geometry", "Delp1990_gait2392")
    lengths = leg_segment_parameters("Winter2009", MASS_KG, height_m=HEIGHT_M)
    centres = _centres({"pelvis_ty": np.full(3, 1.0)}, 3)
    hip_offset = np.array(geometry["pelvis"]["Hip joint centre in pelvis frame [m]"])
    np.testing.assert_allclose(centres["hip"], [[0, 1.0, 0] + hip_offset * HEIGHT_M / 1.8] * 3)
    thigh = _unit(geometry["femur"]["Knee joint centre in femur frame [m]"])
    np.testing.assert_allclose(
        centres["knee"] - centres["hip"], [lengths["thigh"].length_m * thigh] * 3, atol=1e-12
    )
    np.testing.assert_allclose(
        centres["ankle"] - centres["knee"], [[0, -lengths["shank"].length_m, 0]] * 3, atol=1e-12
    )
    assert lengths["thigh"].length_m == pytest.approx(0.245 * HEIGHT_M)  # Winter Fig. 4.1


def test_hip_flexion_moves_the_knee_forward_by_trigonometry() -> None:
    """Hip flexion θ about the pelvis's z axis: knee - hip = L (sin θ, -cos θ) (up to Delp's
    0.65° femur-axis offset, applied here the same way); knee flexion φ keeps the knee still and
    swings the shank back by θ - φ from the vertical."""
    theta, phi = np.radians([30.0, 30.0, 60.0]), np.radians([0.0, 45.0, 20.0])
    lengths = leg_segment_parameters("Winter2009", MASS_KG, height_m=HEIGHT_M)
    geometry = load_parameter_set("geometry", "Delp1990_gait2392")
    u = _unit(geometry["femur"]["Knee joint centre in femur frame [m]"])
    # knee_angle_r is negative in flexion (gait2392)
    c = _centres({"pelvis_ty": np.ones(3), "hip_flexion_r": theta, "knee_angle_r": -phi}, 3)
    expected = lengths["thigh"].length_m * np.stack(
        [
            np.cos(theta) * u[0] - np.sin(theta) * u[1],
            np.sin(theta) * u[0] + np.cos(theta) * u[1],
            np.zeros(3),
        ],
        axis=1,
    )
    np.testing.assert_allclose(c["knee"] - c["hip"], expected, atol=1e-12)
    shank = lengths["shank"].length_m
    expected_shank = shank * np.stack(
        [np.sin(theta - phi), -np.cos(theta - phi), np.zeros(3)], axis=1
    )
    np.testing.assert_allclose(c["ankle"] - c["knee"], expected_shank, atol=1e-12)


@pytest.mark.parametrize(
    ("table", "endpoints", "fraction"),
    [
        ("Winter2009", ("ankle", "metatarsophalangeal"), 0.0747),  # Winter 2009, Table 4.1
        ("deLeva1996_male", ("heel", "toe_tip"), 0.14825),  # de Leva 1996, 258.1/1741 mm
    ],
)
def test_foot_is_the_table_length_between_the_table_endpoints(
    table: str, endpoints: tuple[str, str], fraction: float
) -> None:
    """The foot is scaled so that the points each table measures it between are its length
    apart, and the foot's ankle point is the ankle joint centre (one rigid foot)."""
    data = _coordinates({"pelvis_ty": np.ones(2), "ankle_angle_r": np.radians([0.0, 20.0])}, 2)
    model = generic_leg_model(coordinate_set(data.names, "right"), HEIGHT_M, MASS_KG, table)
    poses = body_poses(model, {n: data.coordinate(n) for n in model.coordinates})
    first, second = (marker_position(model, f"{p}_r", poses) for p in endpoints)
    np.testing.assert_allclose(np.linalg.norm(second - first, axis=1), fraction * HEIGHT_M)
    np.testing.assert_allclose(
        marker_position(model, "ankle_r", poses), joint_center(model, "ankle_r", poses), atol=1e-12
    )


def _walk(n: int = 200, rate_hz: float = 100.0) -> tuple[CoordinateData, GroundReactionData]:
    """A smooth synthetic stride with 3-D pelvis and hip motion and one stance on a plate."""
    t = np.arange(n) / rate_hz
    w = 2 * np.pi * t / (n / rate_hz)
    values = {
        "pelvis_tilt": np.radians(5 + 2 * np.sin(2 * w)),
        "pelvis_list": np.radians(3 * np.sin(w)),
        "pelvis_rotation": np.radians(6 * np.sin(w + 0.3)),
        "pelvis_tx": 1.2 * t,
        "pelvis_ty": 0.95 + 0.02 * np.cos(2 * w),
        "pelvis_tz": 0.02 * np.sin(w),
        "hip_flexion_r": np.radians(10 + 25 * np.cos(w)),
        "hip_adduction_r": np.radians(4 * np.sin(w)),
        "hip_rotation_r": np.radians(3 * np.cos(w)),
        "knee_angle_r": -np.radians(30 - 28 * np.cos(w - 0.5)),
        "ankle_angle_r": np.radians(5 * np.sin(w)),
        "subtalar_angle_r": np.radians(2 * np.sin(w)),
    }
    coordinates = _coordinates(values, n, rate_hz)
    stance = (t > 0.3) & (t < 1.0)
    force = np.zeros((n, 1, 3))
    force[:, 0, 1] = np.where(stance, 700 * np.sin(np.pi * (t - 0.3) / 0.7) ** 2 + 1, 0.0)
    force[:, 0, 0] = np.where(stance, 60 * np.sin(2 * np.pi * (t - 0.3) / 0.7), 0.0)
    force[:, 0, 2] = np.where(stance, 20.0, 0.0)
    cop = np.zeros((n, 1, 3))
    cop[:, 0, 0] = 0.6 + 0.25 * (t - 0.3)
    cop[:, 0, 2] = 0.1
    forces = GroundReactionData(
        time_s=t,
        force_n=force,
        cop_m=cop,
        free_moment_nm=np.zeros((n, 1, 3)),
        labels=("plate",),
        foot=("right",),
        rate_hz=rate_hz,
        source="synthetic plate",
    )
    return coordinates, forces


def test_facing_minus_x_equals_facing_plus_x_rotated() -> None:
    """The same walk turned by 180° about the vertical (pelvis 180° about y; Z-X-Y algebra:
    Ry(π)·Rz(t)Rx(l)Ry(r) = Rz(-t)Rx(-l)Ry(r+π); x, z of translations, forces and CoP negated)
    gives the same trial in the facing frame."""
    coordinates, forces = _walk()
    turned_values = coordinates.values.copy()
    for name, change in (
        ("pelvis_tilt", -1.0),
        ("pelvis_list", -1.0),
        ("pelvis_tx", -1.0),
        ("pelvis_tz", -1.0),
    ):
        turned_values[:, GAIT2392.index(name)] *= change
    turned_values[:, GAIT2392.index("pelvis_rotation")] += np.pi
    turned = CoordinateData(
        coordinates.time_s, turned_values, GAIT2392, coordinates.rate_hz, "turned"
    )
    forward = leg_trial_from_coordinates(coordinates, forces, "right", MASS_KG, HEIGHT_M)
    backward = leg_trial_from_coordinates(
        turned, rotate_180_about_vertical(forces), "right", MASS_KG, HEIGHT_M
    )
    assert any("-x" in note for note in backward.notes)
    assert not any("-x" in note for note in forward.notes)
    for name in (
        "com_m",
        "joint_m",
        "segment_angle_rad",
        "grf_n",
        "cop_m",
        "free_moment_nm",
        "grf_3d_n",
        "cop_3d_m",
        "knee_3d_m",
    ):
        np.testing.assert_allclose(
            getattr(backward, name), getattr(forward, name), atol=1e-9, err_msg=name
        )


def test_segment_inertia_is_the_anthropometric_table() -> None:
    """The planar chain receives exactly the table's masses and sagittal inertias."""
    coordinates, forces = _walk()
    for table in ("Winter2009", "deLeva1996_male"):
        trial = leg_trial_from_coordinates(
            coordinates, forces, "right", MASS_KG, HEIGHT_M, anthropometry=table
        )
        params = leg_segment_parameters(table, MASS_KG, height_m=HEIGHT_M)
        segments = ("foot", "shank", "thigh")
        np.testing.assert_allclose(trial.segment_mass_kg, [params[s].mass_kg for s in segments])
        np.testing.assert_allclose(
            trial.segment_inertia_kg_m2, [params[s].inertia_kg_m2 for s in segments], rtol=1e-9
        )


def test_stature_round_trip() -> None:
    """A leg of known stature standing with its ankle at Winter's 0.039·H over the floor gives
    that stature back; the estimate is noted in the trial."""
    coordinates, forces = _walk()
    values = coordinates.values.copy()
    values[:, [GAIT2392.index("knee_angle_r"), GAIT2392.index("ankle_angle_r")]] *= 0.5
    probe = CoordinateData(coordinates.time_s, values, GAIT2392, coordinates.rate_hz, "synthetic")
    unit = _centres({n: probe.coordinate(n) for n in GAIT2392 if n != "pelvis_ty"}, 200, 1.0)
    # pelvis_ty such that the ankle sits at 0.039 H above the floor (y = 0) at every frame
    values[:, GAIT2392.index("pelvis_ty")] = (0.039 - unit["ankle"][:, 1]) * HEIGHT_M
    standing = CoordinateData(
        coordinates.time_s, values, GAIT2392, coordinates.rate_hz, "synthetic"
    )
    assert estimate_height_m(standing, forces, "right") == pytest.approx(HEIGHT_M, rel=1e-9)
    trial = leg_trial_from_coordinates(standing, forces, "right", MASS_KG)
    assert any("stature estimated" in note and "1.750 m" in note for note in trial.notes)


IK_FILES = [
    ("opensim_subject01_walk/gait10dof18musc/subject01_walk_IK.mot", "gait10dof18musc", None),
    ("opensim_subject01_walk/gait2392/subject01_walk1_ik.mot", "gait2392", True),
    ("opensim_hamner_running/subject02_running_ik.mot", "gait2392", None),
    ("opensim_rajagopal_walk_run/bmc_run_results/ik_output_run.mot", "Rajagopal2016", None),
    ("opensim_rajagopal_walk_run/moco_example3DWalking/coordinates.sto", "Rajagopal2016", None),
    (
        "fukuchi2018_WBDS01/opensim_converted/WBDS01walkT01_ik_sample_by_SheebaDavis.mot",
        "Rajagopal2016",
        None,
    ),
    ("grand_challenge_knee_loads_JW/ik/IK_ngait_og3_with_fluoro.mot", "GrandChallengeJW", None),
]


@pytest.mark.parametrize(("path", "family", "in_degrees"), IK_FILES)
def test_family_detected_from_real_headers_and_knee_flexes_positive(
    shared_data: Path, path: str, family: str, in_degrees: bool | None
) -> None:
    """Each file's family is recognised from its column names, and with the family's sign the
    knee angle behaves as knee flexion in gait: peaks of 35-130° (walking swing ~60-70°,
    running ~90-130°; Winter 2009; Hamner et al. 2010) and hyperextension of less than 15°
    (a flipped sign would show -35° or less)."""
    coordinates = read_coordinates(shared_data / path, in_degrees=in_degrees)
    names = coordinate_set(coordinates.names, "right", coordinates.source)
    assert names.family == family
    knee = np.degrees(names.values(coordinates, coordinates.values)["knee_flexion"])
    assert knee.min() > -15.0
    assert 35.0 < knee.max() < 130.0


def test_unrecognised_names_and_missing_side_are_input_errors() -> None:
    with pytest.raises(InputError, match="recognised model family"):
        coordinate_set(("time_x", "hip", "knee"), "right", "odd.mot")
    jw = ("pelvis_rz", "pelvis_rx", "pelvis_ry", "hip_flexion", "knee_flexion", "ankle_angle")
    with pytest.raises(InputError, match="side of the GrandChallengeJW model"):
        coordinate_set(jw, "left", "jw.mot")
    with pytest.raises(InputError, match="ankle_angle_r"):
        coordinate_set(("pelvis_tilt", "hip_flexion_r", "knee_angle_r"), "right", "planar.mot")


def test_bad_subject_values_and_unknown_table() -> None:
    coordinates, forces = _walk(n=60)
    with pytest.raises(InputError, match="body_mass_kg"):
        leg_trial_from_coordinates(coordinates, forces, "right", -1.0, HEIGHT_M)
    with pytest.raises(InputError, match="height_m"):
        leg_trial_from_coordinates(coordinates, forces, "right", MASS_KG, 0.0)
    with pytest.raises(ParameterError, match="Winter2009"):
        leg_trial_from_coordinates(
            coordinates, forces, "right", MASS_KG, HEIGHT_M, anthropometry="Dempster"
        )


#: joint locations of a made-up subject (right side, generic frames) [m]: hip 20 mm anterior of
#: Delp's, knee and ankle with anteroposterior and mediolateral offsets
KNOWN_HIP_M = np.array([-0.050, -0.080, 0.090])
KNOWN_KNEE_M = np.array([-0.012, -0.400, -0.010])
KNOWN_ANKLE_M = np.array([-0.030, -0.420, 0.015])


def _known_calibration(side: str = "right") -> GenericLegCalibration:
    return GenericLegCalibration(
        side=side,
        hip_in_pelvis_m=KNOWN_HIP_M,
        knee_in_femur_m=KNOWN_KNEE_M,
        ankle_in_tibia_m=KNOWN_ANKLE_M,
        residual_rms_mm={"hip": 0.0, "knee": 0.0, "ankle": 0.0},
        n_frames=0,
        source="made up",
    )


def _known_centres(coordinates: CoordinateData) -> dict[str, np.ndarray]:
    """Hip, knee and ankle centres of a leg with the known joint locations, by the model's own
    forward kinematics."""
    names = coordinate_set(coordinates.names, "right")
    model = generic_leg_model(names, HEIGHT_M, MASS_KG, calibration=_known_calibration())
    poses = body_poses(model, {n: coordinates.coordinate(n) for n in model.coordinates})
    return {j: joint_center(model, f"{j}_r", poses) for j in ("hip", "knee", "ankle")}


def test_calibration_recovers_known_joint_locations() -> None:
    """Centres of a leg with known locations give those locations back exactly, with zero
    residual, also from centres on a clock of their own, with a gap."""
    coordinates, _ = _walk()
    centres = _known_centres(coordinates)
    calibration = calibrate_generic_leg(coordinates, coordinates.time_s, centres, "right")
    np.testing.assert_allclose(calibration.hip_in_pelvis_m, KNOWN_HIP_M, atol=1e-12)
    np.testing.assert_allclose(calibration.knee_in_femur_m, KNOWN_KNEE_M, atol=1e-12)
    np.testing.assert_allclose(calibration.ankle_in_tibia_m, KNOWN_ANKLE_M, atol=1e-12)
    assert max(calibration.residual_rms_mm.values()) < 1e-9
    assert calibration.n_frames == 200
    assert calibration.thigh_length_m == pytest.approx(float(np.linalg.norm(KNOWN_KNEE_M)))
    # a clock of their own (twice the rate, the extra samples far off: interpolation must land
    # on the coordinates' instants), a NaN gap of 10 frames and samples past the kinematics
    n = len(coordinates.time_s)
    time = np.append(np.arange(2 * n) / (2 * coordinates.rate_hz), [2.5, 2.6])
    own_clock = {}
    for joint, centre in centres.items():
        resampled = np.full((2 * n + 2, 3), 7.0)
        resampled[: 2 * n : 2] = centre
        resampled[20:40] = np.nan if joint == "knee" else resampled[20:40]
        own_clock[joint] = resampled
    again = calibrate_generic_leg(coordinates, time, own_clock, "right")
    assert again.n_frames == n - 10  # the gap
    np.testing.assert_allclose(again.knee_in_femur_m, KNOWN_KNEE_M, atol=1e-12)
    assert max(again.residual_rms_mm.values()) < 1e-9


def test_calibration_is_least_squares_under_noise() -> None:
    """Independent noise of 5 mm per axis on the centres: the fit stays within 2 mm of the known
    locations and each residual RMS is the noise's 3-D RMS (5·√3 = 8.7 mm) less the share the
    nine fitted numbers absorb (a few per cent over 3 × 200 points)."""
    coordinates, _ = _walk()
    rng = np.random.default_rng(7)
    centres = {
        j: c + rng.normal(0.0, 0.005, c.shape) for j, c in _known_centres(coordinates).items()
    }
    calibration = calibrate_generic_leg(coordinates, coordinates.time_s, centres, "right")
    for fitted, known in (
        (calibration.hip_in_pelvis_m, KNOWN_HIP_M),
        (calibration.knee_in_femur_m, KNOWN_KNEE_M),
        (calibration.ankle_in_tibia_m, KNOWN_ANKLE_M),
    ):
        assert np.linalg.norm(fitted - known) < 0.002
    for rms in calibration.residual_rms_mm.values():
        assert 7.5 < rms < 9.5


def test_calibrated_trial_has_the_fitted_lengths_and_says_so() -> None:
    """The calibrated leg's hip, knee and ankle are the fitted ones, its inertia is the table's
    with the fitted thigh and shank lengths, the stature (foot only) comes from those lengths,
    and the notes say what was fitted and the residuals."""
    coordinates, forces = _walk()
    calibration = calibrate_generic_leg(
        coordinates, coordinates.time_s, _known_centres(coordinates), "right", "synthetic"
    )
    trial = leg_trial_from_coordinates(
        coordinates, forces, "right", MASS_KG, calibration=calibration, cutoff_hz=None
    )
    lengths = {"thigh": calibration.thigh_length_m, "shank": calibration.shank_length_m}
    height = stature_from_leg_lengths(lengths["thigh"], lengths["shank"])
    params = leg_segment_parameters("Winter2009", MASS_KG, height_m=height, lengths_m=lengths)
    np.testing.assert_allclose(
        trial.segment_inertia_kg_m2,
        [params[s].inertia_kg_m2 for s in ("foot", "shank", "thigh")],
        rtol=1e-9,
    )
    sagittal_knee_to_ankle = np.linalg.norm(trial.joint_m[:, 1] - trial.joint_m[:, 0], axis=1)
    assert sagittal_knee_to_ankle.max() <= lengths["shank"] + 1e-12
    assert sagittal_knee_to_ankle.max() > 0.99 * lengths["shank"]
    assert any("calibrated to the joint centres of synthetic" in n for n in trial.notes)
    assert any("residual RMS hip 0.0 mm, knee 0.0 mm, ankle 0.0 mm" in n for n in trial.notes)
    assert any(f"{height:.3f} m" in n for n in trial.notes)


def test_stature_from_leg_lengths_inverts_the_table() -> None:
    """Table lengths of a 1.75 m subject (Winter 2009: 0.245 and 0.246 of stature) give 1.75 m."""
    params = leg_segment_parameters("Winter2009", MASS_KG, height_m=HEIGHT_M)
    height = stature_from_leg_lengths(params["thigh"].length_m, params["shank"].length_m)
    assert height == pytest.approx(HEIGHT_M, rel=1e-12)


def test_calibration_input_errors() -> None:
    """Missing or misshapen centres, too few frames in common, or a calibration of the other
    side are input errors naming the field."""
    coordinates, _ = _walk(n=60)
    centres = _known_centres(coordinates)
    time = coordinates.time_s
    with pytest.raises(InputError, match="knee: expected a joint centre per frame"):
        calibrate_generic_leg(coordinates, time, {"hip": centres["hip"]}, "right")
    with pytest.raises(InputError, match=r"knee: expected positions of shape \(60, 3\)"):
        calibrate_generic_leg(coordinates, time, {**centres, "knee": centres["knee"][:5]}, "right")
    with pytest.raises(InputError, match="at least 10 frames"):
        calibrate_generic_leg(coordinates, time + 10.0, centres, "right")
    names = coordinate_set(coordinates.names, "right")
    left = dataclasses.replace(_known_calibration(), side="left")
    with pytest.raises(InputError, match="a calibration of the right leg"):
        generic_leg_model(names, HEIGHT_M, MASS_KG, calibration=left)
