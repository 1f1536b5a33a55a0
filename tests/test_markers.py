"""Joint centres from markers: analytic postures, the Harrington regression, rigid clusters,
functional axes, the facing frame and the declared marker sets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kneeload.exceptions import InputError
from kneeload.io.frames import ROTATE_180_ABOUT_Y, rotate_180_about_vertical
from kneeload.io.types import GroundReactionData, MarkerData
from kneeload.markers import (
    available_marker_sets,
    cluster_frame,
    facing_rotation,
    functional_joint_centre,
    hip_joint_centre_harrington,
    joint_centres_from_markers,
    leg_trial_from_markers,
    load_marker_set,
    reconstruct_landmark,
)

RATE_HZ = 100.0
PELVIS_WIDTH_M = 0.24
PELVIS_DEPTH_M = 0.16
LENGTHS_M = {"thigh": 0.42, "shank": 0.41, "foot": 0.16}


def _rotation_y(angle_rad: float) -> np.ndarray:
    """Rotation about the vertical (y) by ``angle_rad``, v' = R v."""
    c, s = np.cos(angle_rad), np.sin(angle_rad)
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def _harrington_published_mm(width_mm: float, depth_mm: float, sign: float) -> np.ndarray:
    """Harrington et al. (2007) J Biomech 40:595, the PW/PD regression as printed (mm)."""
    return np.array(
        [-0.24 * depth_mm - 9.9, -0.30 * width_mm - 10.9, sign * (0.33 * width_mm + 7.3)]
    )


def _synthetic_walk(n: int = 200) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Markers of a right leg in the facing frame (x forward, y up, z right) and its truth.

    Hip flexion phi(t) and knee flexion kappa(t) are prescribed; the pelvis is level, so the
    pelvis frame is the facing frame and the hip centre is the published regression.
    """
    t = np.arange(n) / RATE_HZ
    w = 2 * np.pi * 1.0  # one cycle per second
    phi = np.radians(10 + 20 * np.sin(w * t))
    kappa = np.radians(30 + 25 * np.sin(w * t + 1.0))
    beta = np.radians(-15 + 10 * np.cos(w * t))  # foot line angle from +x
    origin = np.stack([0.3 + 1.2 * t, np.full(n, 0.95), np.zeros(n)], axis=1)
    right = np.array([0.0, 0.0, 1.0])
    hip_local = 1e-3 * _harrington_published_mm(1e3 * PELVIS_WIDTH_M, 1e3 * PELVIS_DEPTH_M, 1.0)
    hip = origin + hip_local
    knee = hip + LENGTHS_M["thigh"] * np.stack([np.sin(phi), -np.cos(phi), 0 * t], axis=1)
    shank = phi - kappa
    ankle = knee + LENGTHS_M["shank"] * np.stack([np.sin(shank), -np.cos(shank), 0 * t], axis=1)
    toe = ankle + LENGTHS_M["foot"] * np.stack([np.cos(beta), np.sin(beta), 0 * t], axis=1)
    markers = {
        "R.ASIS": origin + 0.5 * PELVIS_WIDTH_M * right,
        "L.ASIS": origin - 0.5 * PELVIS_WIDTH_M * right,
        "V.Sacral": origin - np.array([PELVIS_DEPTH_M, 0.0, 0.0]),
        "R.Knee.Lat": knee + 0.05 * right,
        "R.Knee.Med": knee - 0.05 * right,
        "R.Ankle.Lat": ankle + 0.035 * right,
        "R.Ankle.Med": ankle - 0.035 * right,
        "R.Heel": ankle + np.array([-0.05, -0.05, 0.0]),
        "R.Toe.Tip": toe,
    }
    truth = {
        "time": t,
        "hip": hip,
        "knee": knee,
        "ankle": ankle,
        "toe": toe,
        "hip_flexion_deg": np.degrees(phi),
        "knee_flexion_deg": np.degrees(kappa),
    }
    return markers, truth


def _marker_data(markers: dict[str, np.ndarray], to_model: np.ndarray) -> MarkerData:
    labels = tuple(markers)
    positions = np.stack([markers[k] @ to_model.T for k in labels], axis=1)
    n = positions.shape[0]
    return MarkerData(
        time_s=np.arange(n) / RATE_HZ,
        positions_m=positions,
        labels=labels,
        rate_hz=RATE_HZ,
        source="synthetic.trc",
    )


def _forces(truth: dict[str, np.ndarray], to_model: np.ndarray) -> GroundReactionData:
    t = truth["time"]
    force = np.stack([60 * np.sin(3 * t), 700 + 50 * np.cos(2 * t), 15 * np.sin(t)], axis=1)
    cop = truth["ankle"] + np.stack([0.05 + 0.1 * t / t[-1], -truth["ankle"][:, 1], 0 * t], 1)
    free = np.stack([0 * t, 2 * np.sin(t), 0 * t], axis=1)
    return GroundReactionData(
        time_s=t,
        force_n=(force @ to_model.T)[:, None, :],
        cop_m=(cop @ to_model.T)[:, None, :],
        free_moment_nm=(free @ to_model.T)[:, None, :],
        labels=("plate1",),
        foot=("right",),
        rate_hz=RATE_HZ,
        source="synthetic_grf.mot",
    )


def test_harrington_regression_reproduces_published_equations() -> None:
    """In any pelvis pose, the hip centre expressed in the pelvis frame is the printed formula."""
    width_mm, depth_mm = 1e3 * PELVIS_WIDTH_M, 1e3 * PELVIS_DEPTH_M
    tilt = np.radians(12.0)
    pose = _rotation_y(np.radians(37.0)) @ np.array(
        [[np.cos(tilt), -np.sin(tilt), 0], [np.sin(tilt), np.cos(tilt), 0], [0, 0, 1]]
    )
    origin = np.array([1.0, 0.9, -0.4])
    local = {
        "asis_right": np.array([0.0, 0.0, width_mm / 2]),
        "asis_left": np.array([0.0, 0.0, -width_mm / 2]),
        "back": np.array([-depth_mm, 0.0, 0.0]),
    }
    points = {k: np.tile(origin + 1e-3 * pose @ v, (5, 1)) for k, v in local.items()}
    for side, sign in (("right", 1.0), ("left", -1.0)):
        hip = hip_joint_centre_harrington(
            points["asis_right"], points["asis_left"], points["back"], side
        )
        in_pelvis_mm = 1e3 * (pose.T @ (hip[0] - origin))
        np.testing.assert_allclose(
            in_pelvis_mm, _harrington_published_mm(width_mm, depth_mm, sign), atol=1e-9
        )


def test_known_posture_gives_known_joint_centres_and_angles() -> None:
    markers, truth = _synthetic_walk()
    trial = leg_trial_from_markers(
        _marker_data(markers, np.eye(3)),
        _forces(truth, np.eye(3)),
        "OpenSim_subject01",
        "right",
        70.0,
        cutoff_hz=None,
    )
    for k, name in enumerate(("ankle", "knee", "hip")):
        np.testing.assert_allclose(trial.joint_m[:, k], truth[name][:, :2], atol=1e-12)
    for name in ("knee_flexion_deg", "hip_flexion_deg"):
        np.testing.assert_allclose(trial.joint_angle_deg[name], truth[name], atol=1e-9)
    assert trial.knee_3d_m is not None
    np.testing.assert_allclose(trial.knee_3d_m, truth["knee"], atol=1e-12)
    assert any("joint-centre distances" in note for note in trial.notes)
    np.testing.assert_allclose(
        np.linalg.norm(trial.joint_m[:, 2] - trial.joint_m[:, 1], axis=1), LENGTHS_M["thigh"]
    )


def test_inertia_uses_the_3d_joint_centre_distances() -> None:
    """Thigh abducted out of the sagittal plane: its projection is shorter, its inertia is not.

    Winter (2009) Table 4.1: thigh mass 0.100 of body mass, radius of gyration 0.323 of length.
    """
    markers, truth = _synthetic_walk()
    lateral = 0.12  # knee and everything below it moved 12 cm to the right (abduction)
    for label in markers:
        if label.startswith(("R.Knee", "R.Ankle", "R.Heel", "R.Toe")):
            markers[label] = markers[label] + np.array([0.0, 0.0, lateral])
    truth["ankle"] = truth["ankle"] + np.array([0.0, 0.0, lateral])
    trial = leg_trial_from_markers(
        _marker_data(markers, np.eye(3)),
        _forces(truth, np.eye(3)),
        "OpenSim_subject01",
        "right",
        70.0,
        cutoff_hz=None,
    )
    thigh_3d = np.hypot(LENGTHS_M["thigh"], lateral)
    np.testing.assert_allclose(
        trial.segment_inertia_kg_m2[2], 0.100 * 70.0 * (0.323 * thigh_3d) ** 2, rtol=1e-12
    )
    np.testing.assert_allclose(
        trial.joint_angle_deg["knee_flexion_deg"], truth["knee_flexion_deg"], atol=1e-9
    )


@pytest.mark.parametrize("heading_deg", [180.0, 30.0, -75.0])
def test_facing_frame_makes_the_sagittal_result_independent_of_the_heading(
    heading_deg: float,
) -> None:
    """The same walk in another direction of the lab gives the same sagittal trial and KAM."""
    from kneeload.analysis import analyze_leg

    markers, truth = _synthetic_walk()
    reference = analyze_leg(
        leg_trial_from_markers(
            _marker_data(markers, np.eye(3)),
            _forces(truth, np.eye(3)),
            "OpenSim_subject01",
            "right",
            70.0,
        )
    )
    turn = _rotation_y(np.radians(heading_deg))
    turned = analyze_leg(
        leg_trial_from_markers(
            _marker_data(markers, turn),
            _forces(truth, turn),
            "OpenSim_subject01",
            "right",
            70.0,
        )
    )
    for column in ("knee_flexion_deg", "knee_moment_nm", "hip_moment_nm", "ankle_moment_nm"):
        np.testing.assert_allclose(turned[column], reference[column], atol=1e-8)
    np.testing.assert_allclose(
        turned["knee_adduction_moment_nm"], reference["knee_adduction_moment_nm"], atol=1e-8
    )


def test_facing_minus_x_is_the_frames_module_180_degree_turn() -> None:
    markers, _ = _synthetic_walk(n=20)
    data = rotate_180_about_vertical(_marker_data(markers, np.eye(3)))
    rotation = facing_rotation(
        data.marker("R.ASIS"), data.marker("L.ASIS"), data.marker("V.Sacral")
    )
    np.testing.assert_allclose(rotation, ROTATE_180_ABOUT_Y, atol=1e-12)


def test_static_cluster_reconstruction_is_exact_for_a_rigid_cluster() -> None:
    rng = np.random.default_rng(1)
    cluster_local = rng.normal(scale=0.05, size=(3, 3))
    landmark_local = np.array([0.02, -0.2, 0.06])
    n = 50
    angles = np.linspace(0, 1.2, n)
    rotations = np.stack([_rotation_y(a) @ _rotation_y(0.3 * a).T @ _rz(a) for a in angles])
    shifts = np.stack([np.array([0.5 * a, 0.9, -0.1 * a]) for a in angles])
    cluster = np.einsum("fij,kj->fki", rotations, cluster_local) + shifts[:, None, :]
    landmark = np.einsum("fij,j->fi", rotations, landmark_local) + shifts
    rebuilt = reconstruct_landmark(cluster[5:], cluster[:5], landmark[:5])
    np.testing.assert_allclose(rebuilt, landmark[5:], atol=1e-12)
    origin, frame = cluster_frame(cluster)
    np.testing.assert_allclose(
        np.einsum("fji,fjk->fik", frame, frame), np.tile(np.eye(3), (n, 1, 1)), atol=1e-12
    )
    np.testing.assert_allclose(origin, cluster.mean(axis=1), atol=1e-15)


def _rz(angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def test_functional_axis_finds_a_hinge() -> None:
    """Shank cluster turning about a known hinge of a moving thigh: SARA recovers its centre."""
    rng = np.random.default_rng(2)
    n = 120
    t = np.linspace(0, 2, n)
    thigh_rotation = np.stack([_rotation_y(0.3 * np.sin(x)) @ _rz(0.4 * np.cos(x)) for x in t])
    thigh_origin = np.stack([t, 0.9 + 0.02 * np.sin(3 * t), 0.05 * t], axis=1)
    hinge_local = np.array([0.01, -0.40, 0.0])  # knee centre in the thigh frame
    axis_local = np.array([0.1, 0.05, 1.0]) / np.linalg.norm([0.1, 0.05, 1.0])
    flexion = 1.0 * (1 - np.cos(2 * np.pi * t)) / 2

    def about_axis(angle: float) -> np.ndarray:
        k = np.array(
            [
                [0, -axis_local[2], axis_local[1]],
                [axis_local[2], 0, -axis_local[0]],
                [-axis_local[1], axis_local[0], 0],
            ]
        )
        return np.eye(3) + np.sin(angle) * k + (1 - np.cos(angle)) * k @ k

    thigh_local = rng.normal(scale=0.06, size=(3, 3)) + np.array([0.0, -0.2, 0.08])
    shank_local = rng.normal(scale=0.06, size=(3, 3)) + np.array([0.0, -0.6, 0.08])
    thigh = np.einsum("fij,kj->fki", thigh_rotation, thigh_local) + thigh_origin[:, None]
    shank_in_thigh = np.stack(
        [hinge_local + (about_axis(a) @ (shank_local - hinge_local).T).T for a in flexion]
    )
    shank = np.einsum("fij,fkj->fki", thigh_rotation, shank_in_thigh) + thigh_origin[:, None]
    reference_local = hinge_local + np.array([0.08, 0.02, 0.0])  # e.g. a patella marker
    reference = np.einsum("fij,j->fi", thigh_rotation, reference_local) + thigh_origin
    centre = functional_joint_centre(thigh, shank, reference)
    # the point of the axis nearest the reference: hinge + ((ref - hinge)·axis) axis
    expected_local = hinge_local + np.dot(reference_local - hinge_local, axis_local) * axis_local
    expected = np.einsum("fij,j->fi", thigh_rotation, expected_local) + thigh_origin
    np.testing.assert_allclose(centre, expected, atol=1e-9)


def test_bundled_marker_sets_load_and_unknown_names_list_them() -> None:
    names = available_marker_sets()
    assert {"OpenSim_subject01", "GrandChallenge_NIH", "Fukuchi2018", "HelenHayes"} <= set(names)
    for name in names:
        marker_set = load_marker_set(name)
        assert marker_set.pelvis and marker_set.legs["right"]
    with pytest.raises(InputError, match="GrandChallenge_NIH"):
        load_marker_set("NoSuchSet")


def test_lateral_only_marker_set_is_refused_with_a_clear_error() -> None:
    markers, _ = _synthetic_walk(n=20)
    renamed = {
        "RASI": markers["R.ASIS"],
        "LASI": markers["L.ASIS"],
        "VSAC": markers["V.Sacral"],
        "RKNE": markers["R.Knee.Lat"],
        "RANK": markers["R.Ankle.Lat"],
        "RHEE": markers["R.Heel"],
        "RTOE": markers["R.Toe.Tip"],
    }
    with pytest.raises(InputError, match=r"knee_medial.*medial femoral epicondyle"):
        joint_centres_from_markers(
            _marker_data(renamed, np.eye(3)), load_marker_set("HelenHayes"), "right"
        )


def test_marker_sets_match_the_files_they_were_written_for(shared_data: Path) -> None:
    """Each label of each bundled set exists in the walking (or static) trial it describes."""
    from kneeload.io.c3d import read_c3d
    from kneeload.io.opensim import read_trc

    files = {
        "OpenSim_subject01": [
            read_trc(shared_data / "opensim_subject01_walk/experimental/subject01_static.trc")
        ],
        "GrandChallenge_NIH": [
            read_c3d(shared_data / "grand_challenge_knee_loads_JW/c3d/jw_ngait_og3.c3d").markers
        ],
        "Fukuchi2018": [
            read_c3d(shared_data / f"fukuchi2018_WBDS01/raw_c3d/WBDS01{name}.c3d").markers
            for name in ("static1", "walkT01")
        ],
        "HelenHayes": [read_c3d(shared_data / "c3d_samples/bmc_overground_emg/Gait.c3d").markers],
    }
    for name, trials in files.items():
        marker_set = load_marker_set(name)
        present = set().union(*(set(trial.labels) for trial in trials))
        for side in ("right", "left"):
            assert marker_set.labels(side) <= present, (name, marker_set.labels(side) - present)


def test_mirrored_left_leg_gives_the_right_legs_results() -> None:
    """Reflect the walk through the sagittal plane (z -> -z) and swap R/L labels: the left leg's
    angles, sagittal moments and knee adduction moment (varus + on both sides) are the right
    leg's. Positions and forces reflect as S v, the free moment (an axial vector) as -S v."""
    from kneeload.analysis import analyze_leg

    markers, truth = _synthetic_walk()
    reflect = np.diag([1.0, 1.0, -1.0])
    swap = {"R.": "L.", "L.": "R."}
    mirrored = {swap.get(k[:2], "") + k[2:] if k[:2] in swap else k: v for k, v in markers.items()}
    forces = _forces(truth, np.eye(3))
    mirrored_forces = GroundReactionData(
        time_s=forces.time_s,
        force_n=forces.force_n @ reflect,
        cop_m=forces.cop_m @ reflect,
        free_moment_nm=-(forces.free_moment_nm @ reflect),
        labels=forces.labels,
        foot=("left",),
        rate_hz=forces.rate_hz,
        source=forces.source,
    )
    right = analyze_leg(
        leg_trial_from_markers(
            _marker_data(markers, np.eye(3)), forces, "OpenSim_subject01", "right", 70.0
        )
    )
    left = analyze_leg(
        leg_trial_from_markers(
            _marker_data(mirrored, reflect), mirrored_forces, "OpenSim_subject01", "left", 70.0
        )
    )
    for column in (
        "knee_flexion_deg",
        "hip_flexion_deg",
        "knee_moment_nm",
        "hip_moment_nm",
        "ankle_moment_nm",
        "knee_adduction_moment_nm",
    ):
        np.testing.assert_allclose(left[column], right[column], atol=1e-8, err_msg=column)
    assert np.abs(right["knee_adduction_moment_nm"]).max() > 1.0  # a non-trivial check
