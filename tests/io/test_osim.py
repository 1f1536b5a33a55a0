"""Tests of the .osim reader (kneeload.io.osim) and model forward kinematics.

Models and motion data: opensim-org/opensim-models (subject01 walk, gait10dof18musc and
gait2392), Hamner et al. 2010 and Rajagopal et al. 2016, in ``../shared/data`` (see its README).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kneeload.dynamics.model_kinematics import (
    body_poses,
    com_position,
    coordinate_values,
    joint_center,
    marker_position,
    point_in_ground,
)
from kneeload.exceptions import InputError, ModelError
from kneeload.io.osim import (
    CubicSpline,
    GCVSpline,
    LinearFunction,
    MultiplierFunction,
    OsimModel,
    PolynomialFunction,
    read_osim,
    rotation_body_fixed_xyz,
)

SUBJECT01 = "opensim_subject01_walk/gait10dof18musc/subject01_scaled.osim"
MODEL_FILES = [
    "opensim_subject01_walk/gait10dof18musc/gait10dof18musc_generic.osim",
    SUBJECT01,
    "opensim_subject01_walk/gait2392/subject01_simbody_scaled.osim",
    "opensim_subject01_walk/gait2392_joint_reaction_tutorial/subject01_simbody_adjusted_StaticOp.osim",
    "opensim_hamner_running/FullBodyModel_Hamner2010_v2_0.osim",
    "opensim_rajagopal_walk_run/setup/Rajagopal2016_generic.osim",
    "opensim_rajagopal_walk_run/moco_example3DWalking/subject_walk_scaled.osim",
    "opensim_rajagopal_walk_run/bmc_run_results/Rajagopal2015_scaled.osim",
]
#: total masses from ../shared/data/README.md [kg]
README_MASS = {
    SUBJECT01: 72.6,
    "opensim_hamner_running/FullBodyModel_Hamner2010_v2_0.osim": 75.2,
    "opensim_rajagopal_walk_run/setup/Rajagopal2016_generic.osim": 75.3,
    "opensim_rajagopal_walk_run/moco_example3DWalking/subject_walk_scaled.osim": 85.3,
    "opensim_rajagopal_walk_run/bmc_run_results/Rajagopal2015_scaled.osim": 70.0,
}


@pytest.fixture(scope="module")
def subject01(shared_data: Path) -> OsimModel:
    return read_osim(shared_data / SUBJECT01)


def _read_mot(path: Path) -> pd.DataFrame:
    """Minimal OpenSim .mot/.sto reader: skip the header up to ``endheader``."""
    lines = path.read_text().splitlines()
    skip = next(i for i, line in enumerate(lines) if line.strip().lower() == "endheader") + 1
    return pd.read_csv(path, sep=r"\s+", skiprows=skip)


def _ik_coordinates(model: OsimModel, ik: pd.DataFrame) -> dict[str, np.ndarray]:
    """IK columns in SI: degrees -> rad for rotational coordinates, metres kept."""
    trans = set(model.translational_coordinates())
    return {
        c: ik[c].to_numpy(float) if c in trans else np.deg2rad(ik[c].to_numpy(float))
        for c in ik.columns
        if c in model.coordinates
    }


def _read_trc(path: Path) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Minimal .trc reader: time [s], labels, positions (n, n_markers, 3) [m]."""
    lines = path.read_text().splitlines()
    units = lines[2].split("\t")[4].strip()
    labels = [s.strip() for s in lines[3].split("\t")[2:] if s.strip()]
    raw = pd.read_csv(path, sep="\t", skiprows=5, header=None).to_numpy(float)
    raw = raw[~np.isnan(raw[:, 1])]
    xyz = raw[:, 2 : 2 + 3 * len(labels)].reshape(len(raw), len(labels), 3)
    return raw[:, 1], labels, xyz * (1e-3 if units == "mm" else 1.0)


# ------------------------------------------------------------------------- parsing


@pytest.mark.parametrize("rel", MODEL_FILES)
def test_all_models_parse(shared_data: Path, rel: str) -> None:
    model = read_osim(shared_data / rel)
    assert model.bodies and model.joints and model.coordinates
    assert "ground" not in model.bodies
    # a tree: every body has exactly one joint to its parent, rooted at ground
    assert set(model.child_joint) == set(model.bodies)
    for body in model.bodies.values():
        assert body.mass >= 0
        assert body.inertia.shape == (3, 3)
        np.testing.assert_allclose(body.inertia, body.inertia.T)
    if rel in README_MASS:
        assert model.mass_kg == pytest.approx(README_MASS[rel], abs=0.05)
    assert {"pelvis_tx", "pelvis_ty"} <= set(model.translational_coordinates())
    # FK at default coordinates runs and gives proper rotations
    poses = body_poses(model, {})
    for r, p in poses.values():
        np.testing.assert_allclose(
            r @ np.swapaxes(r, 1, 2), np.broadcast_to(np.eye(3), r.shape), atol=1e-12
        )
        assert np.all(np.isfinite(p))


def test_subject01_values_read_by_hand(subject01: OsimModel) -> None:
    assert subject01.version == 40000
    pelvis = subject01.bodies["pelvis"]
    assert pelvis.mass == 11.3751712907406
    tibia = subject01.bodies["tibia_r"]
    assert tibia.mass == pytest.approx(3.5810008966987099)
    np.testing.assert_array_equal(tibia.mass_center, [0.0, -0.184557, 0.0])
    np.testing.assert_allclose(
        np.diag(tibia.inertia), [0.047569399999999998, 0.0048135699999999997, 0.048230099999999998]
    )
    assert subject01.mass_kg == pytest.approx(72.6, abs=0.01)
    knee = subject01.joints["knee_r"]
    assert knee.type == "CustomJoint"
    assert (knee.parent_body, knee.child_body) == ("femur_r", "tibia_r")
    assert subject01.child_joint["tibia_r"] == "knee_r"
    ankle = subject01.joints["ankle_r"]
    assert ankle.type == "PinJoint"
    np.testing.assert_allclose(ankle.parent_frame.translation, [0, -0.42506500000000003, 0])
    assert subject01.joints["subtalar_r"].type == "WeldJoint"
    c = subject01.coordinates["pelvis_ty"]
    assert c.motion_type == "translational"
    assert c.default_value == pytest.approx(1.015)
    assert c.range == (-1.0, 2.0)
    assert subject01.coordinates["knee_angle_r"].motion_type == "rotational"
    assert subject01.translational_coordinates() == ("pelvis_tx", "pelvis_ty")
    heel = subject01.markers["R.Heel"]
    assert heel.body == "calcn_r"
    np.testing.assert_allclose(heel.location, [-0.0204819, 0.0172884, -0.00503735])


def test_knee_translation_spline_matches_file_points(subject01: OsimModel) -> None:
    """knee_r translation2: 1.14724 × SimmSpline through the file's points."""
    t2 = subject01.joints["knee_r"].spatial_transform[4]
    assert t2.name == "translation2"
    assert t2.coordinates == ("knee_angle_r",)
    np.testing.assert_array_equal(t2.axis, [0, 1, 0])
    f = t2.function
    assert isinstance(f, MultiplierFunction)
    assert f.scale == 1.14724
    x = np.array([-2.0944, -1.22173, -0.523599, -0.349066, -0.174533, 0.159149, 2.0944])
    y = np.array([-0.4226, -0.4082, -0.399, -0.3976, -0.3966, -0.395264, -0.396])
    np.testing.assert_allclose(f.value(x), 1.14724 * y, rtol=0, atol=1e-12)
    # at knee angle 0 the value lies between the neighbouring knots' values
    v0 = float(f.value(np.array(0.0)))
    assert 1.14724 * -0.3966 < v0 < 1.14724 * -0.395264 + 1e-4
    # the derivative is the slope of the function
    h = 1e-6
    xs = np.linspace(-2.5, 2.5, 41)
    num = (f.value(xs + h) - f.value(xs - h)) / (2 * h)
    np.testing.assert_allclose(f.derivative(xs), num, atol=1e-6)


def test_simm_spline_semantics() -> None:
    """FMM end conditions reproduce any cubic exactly; linear extrapolation outside."""
    x = np.array([0.0, 0.3, 0.7, 1.2, 2.0])
    cubic = np.poly1d([0.5, -1.0, 0.25, 2.0])
    s = CubicSpline.from_points(x, cubic(x))
    xs = np.linspace(0, 2, 101)
    np.testing.assert_allclose(s.value(xs), cubic(xs), atol=1e-12)
    np.testing.assert_allclose(s.derivative(xs), cubic.deriv()(xs), atol=1e-10)
    slope_end = cubic.deriv()(2.0)
    np.testing.assert_allclose(s.value(np.array([3.0])), cubic(2.0) + slope_end, atol=1e-10)
    np.testing.assert_allclose(s.derivative(np.array([-1.0, 3.0])), [cubic.deriv()(0.0), slope_end])
    two = CubicSpline.from_points([0.0, 1.0], [1.0, 3.0])
    np.testing.assert_allclose(two.value(np.array([-1.0, 0.5, 2.0])), [-1.0, 2.0, 5.0])


def test_other_functions() -> None:
    p = PolynomialFunction(np.array([2.0, 0.0, -1.0]))  # 2x² − 1
    np.testing.assert_allclose(p.value(np.array([0.0, 2.0])), [-1.0, 7.0])
    np.testing.assert_allclose(p.derivative(np.array([0.0, 2.0])), [0.0, 8.0])
    lin = LinearFunction(2.0, 1.0)
    np.testing.assert_allclose(lin.value(np.array([1.0])), [3.0])
    x = np.linspace(0, 1, 6)
    g = GCVSpline(x, x**2, 2)  # natural cubic interpolant passes through its points
    np.testing.assert_allclose(g.value(x), x**2, atol=1e-12)


def test_v3_and_coupler_constraint(shared_data: Path) -> None:
    model = read_osim(
        shared_data / "opensim_rajagopal_walk_run/bmc_run_results/Rajagopal2015_scaled.osim"
    )
    assert model.version == 30000
    knee = model.joints["walker_knee_r"]
    assert knee.parent_body == "femur_r"
    np.testing.assert_allclose(knee.parent_frame.orientation, [-1.64156849, 1.4461808, 1.57079633])
    np.testing.assert_allclose(
        knee.child_frame.translation,
        [-0.00793493763685364, -0.0034672450545705, -0.00145636455310711],
    )
    assert model.bodies["pelvis"].mass == pytest.approx(10.9426974793262)
    con = model.constraints["patellofemoral_knee_angle_r_con"]
    assert (con.independent, con.dependent, con.enforced) == (
        ("knee_angle_r",),
        "knee_angle_r_beta",
        True,
    )
    assert "knee_angle_r_beta" in model.dependent_coordinates()
    q = coordinate_values(model, {"knee_angle_r": np.array([0.1, 0.5, 1.2])})
    np.testing.assert_allclose(q["knee_angle_r_beta"], [0.1, 0.5, 1.2])
    assert model.joints["radius_hand_r"].type == "UniversalJoint"
    assert model.coordinates["wrist_flex_r"].locked


# ------------------------------------------------------------------------- kinematics


def test_zero_pose_tibia_is_femur_plus_knee_translation(subject01: OsimModel) -> None:
    names = list(subject01.coordinates)
    q = {n: np.zeros(1) for n in names}
    poses = body_poses(subject01, q, bodies=["tibia_r"])
    knee = subject01.joints["knee_r"]
    t = np.array([float(ax.function.value(np.array(0.0))) for ax in knee.spatial_transform[3:]])
    # at zero coordinates every frame is aligned with ground (all offsets have zero orientation)
    _, p_femur = poses["femur_r"]
    _, p_tibia = poses["tibia_r"]
    expected = p_femur[0] + knee.parent_frame.translation + t - knee.child_frame.translation
    np.testing.assert_allclose(p_tibia[0], expected, atol=1e-12)
    assert t[1] == pytest.approx(float(knee.spatial_transform[4].function.value(np.array(0.0))))
    np.testing.assert_allclose(
        joint_center(subject01, "knee_r", poses)[0], p_femur[0] + t, atol=1e-12
    )


def test_pin_joint_rotates_child_by_q(subject01: OsimModel) -> None:
    qs = np.linspace(-1.2, 1.2, 7)
    poses = body_poses(subject01, {"ankle_angle_r": qs}, bodies=["talus_r", "tibia_r"])
    r_tib, _ = poses["tibia_r"]
    r_tal, p_tal = poses["talus_r"]
    assert r_tal.shape == (7, 3, 3) and p_tal.shape == (7, 3)
    np.testing.assert_allclose(
        r_tal @ np.swapaxes(r_tal, 1, 2), np.broadcast_to(np.eye(3), (7, 3, 3)), atol=1e-12
    )
    np.testing.assert_allclose(np.linalg.det(r_tal), 1.0, atol=1e-12)
    rel = np.swapaxes(r_tib, 1, 2) @ r_tal  # talus in tibia (the ankle frames are unrotated)
    np.testing.assert_allclose(rel[:, 2, 2], 1.0, atol=1e-12)
    np.testing.assert_allclose(np.arctan2(rel[:, 1, 0], rel[:, 0, 0]), qs, atol=1e-12)
    # a point of the talus rotates by exactly q about the ankle centre
    centre = joint_center(subject01, "ankle_r", poses)
    pt = point_in_ground(poses, "talus_r", [0.05, -0.02, 0.0]) - centre
    pt0 = pt[3]  # q = 0
    angle = np.arctan2(np.linalg.norm(np.cross(pt0, pt), axis=1), pt @ pt0)
    np.testing.assert_allclose(angle, np.abs(qs), atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(pt, axis=1), np.linalg.norm(pt0), atol=1e-12)


def test_custom_joint_rotation_order_matches_simbody() -> None:
    """R_FM = R(θ1, a1)·R(θ2, a2)·R(θ3, a3) (MobilizedBody::FunctionBased)."""
    from kneeload.dynamics.model_kinematics import _axis_rotation

    a = np.array([0.3, -0.7, 1.1])
    r = (
        _axis_rotation(a[:1], np.array([1.0, 0, 0]))
        @ _axis_rotation(a[1:2], np.array([0, 1.0, 0]))
        @ _axis_rotation(a[2:], np.array([0, 0, 1.0]))
    )
    np.testing.assert_allclose(r[0], rotation_body_fixed_xyz(a), atol=1e-14)


def test_com_position(subject01: OsimModel) -> None:
    poses = body_poses(subject01, {}, bodies=["tibia_r"])
    r, p = poses["tibia_r"]
    np.testing.assert_allclose(
        com_position(subject01, "tibia_r", poses), p + r @ subject01.bodies["tibia_r"].mass_center
    )


@pytest.mark.validation
def test_fk_heel_marker_against_trc_gait10dof(shared_data: Path, subject01: OsimModel) -> None:
    """R.Heel from IK coordinates + FK vs the measured marker (subject01_walk1.trc).

    The planar 10-DOF model cannot follow out-of-plane motion, so a few cm remain; measured
    RMS 2.3 cm (max 5.1 cm).
    """
    d = shared_data / "opensim_subject01_walk"
    ik = _read_mot(d / "gait10dof18musc/subject01_walk_IK.mot")
    poses = body_poses(subject01, _ik_coordinates(subject01, ik), bodies=["calcn_r"])
    model_heel = marker_position(subject01, "R.Heel", poses)
    t, labels, xyz = _read_trc(d / "experimental/subject01_walk1.trc")
    k = labels.index("R.Heel")
    tt = ik["time"].to_numpy(float)
    assert tt[0] >= t[0] - 1e-3 and tt[-1] <= t[-1] + 1e-3
    measured = np.stack([np.interp(tt, t, xyz[:, k, i]) for i in range(3)], axis=-1)
    rms = float(np.sqrt(np.mean(np.sum((model_heel - measured) ** 2, axis=1))))
    assert rms < 0.03
    # the pelvis follows pelvis_tx/ty; calcn_r stays near the floor
    np.testing.assert_allclose(poses["pelvis"][1][:, 0], ik["pelvis_tx"].to_numpy(float))
    _, p_calcn = poses["calcn_r"]
    assert np.all((p_calcn[:, 1] > -0.05) & (p_calcn[:, 1] < 0.4))


@pytest.mark.validation
def test_fk_markers_3d_gait2392(shared_data: Path) -> None:
    """3-D check of the CustomJoint rotation order: gait2392 IK + FK vs the marker columns of
    the same motion file. Measured R.Heel RMS 5.5 mm (31 mm if the rotation order is reversed).
    """
    d = shared_data / "opensim_subject01_walk/gait2392"
    model = read_osim(d / "subject01_simbody_scaled.osim")
    ik = _read_mot(d / "subject01_walk1_ik.mot")
    poses = body_poses(model, _ik_coordinates(model, ik))
    for marker in ("R.Heel", "L.Heel", "R.Toe.Tip", "R.ASIS"):
        measured = ik[[f"{marker}_tx", f"{marker}_ty", f"{marker}_tz"]].to_numpy(float)
        err = np.linalg.norm(marker_position(model, marker, poses) - measured, axis=1)
        assert np.sqrt(np.mean(err**2)) < 0.012, marker


@pytest.mark.validation
def test_fk_markers_v3_rajagopal(shared_data: Path) -> None:
    """OpenSim 3 file with rotated joint frames (walker knee): shank markers within ~1.5 cm."""
    d = shared_data / "opensim_rajagopal_walk_run/bmc_run_results"
    model = read_osim(d / "Rajagopal2015_scaled.osim")
    ik = _read_mot(d / "ik_output_run.mot")
    poses = body_poses(model, _ik_coordinates(model, ik))
    t, labels, xyz = _read_trc(d / "motion_capture_run_trimmed.trc")
    tt = ik["time"].to_numpy(float)
    for marker in ("RTB1", "RTB3", "LTB3", "RASI"):
        k = labels.index(marker)
        measured = np.stack([np.interp(tt, t, xyz[:, k, i]) for i in range(3)], axis=-1)
        err = np.linalg.norm(marker_position(model, marker, poses) - measured, axis=1)
        assert np.sqrt(np.mean(err**2)) < 0.02, marker


# ------------------------------------------------------------------------- errors


def test_not_xml(tmp_path: Path) -> None:
    f = tmp_path / "bad.osim"
    f.write_text("this is not xml <")
    with pytest.raises(InputError, match=r"bad\.osim: XML"):
        read_osim(f)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing\.osim"):
        read_osim(tmp_path / "missing.osim")


def test_no_bodies(tmp_path: Path) -> None:
    f = tmp_path / "empty.osim"
    f.write_text(
        '<OpenSimDocument Version="40000"><Model name="m"><BodySet name="bodyset">'
        "<objects/></BodySet></Model></OpenSimDocument>"
    )
    with pytest.raises(InputError, match=r"empty\.osim: BodySet"):
        read_osim(f)


def test_missing_mass(tmp_path: Path) -> None:
    f = tmp_path / "nomass.osim"
    f.write_text(
        '<OpenSimDocument Version="40000"><Model name="m"><BodySet name="bodyset"><objects>'
        '<Body name="pelvis"><mass_center>0 0 0</mass_center></Body>'
        "</objects></BodySet></Model></OpenSimDocument>"
    )
    with pytest.raises(InputError, match=r"nomass\.osim: body 'pelvis'/mass") as info:
        read_osim(f)
    assert info.value.field == "body 'pelvis'/mass"


def test_bad_number(tmp_path: Path) -> None:
    f = tmp_path / "badnum.osim"
    f.write_text(
        '<OpenSimDocument Version="40000"><Model name="m"><BodySet name="bodyset"><objects>'
        '<Body name="pelvis"><mass>heavy</mass></Body>'
        "</objects></BodySet></Model></OpenSimDocument>"
    )
    with pytest.raises(InputError, match="mass"):
        read_osim(f)


def test_fk_errors(subject01: OsimModel) -> None:
    with pytest.raises(ModelError, match="body 'patella_r'"):
        body_poses(subject01, {}, bodies=["patella_r"])
    with pytest.raises(InputError, match="not_a_coordinate"):
        body_poses(subject01, {"not_a_coordinate": np.zeros(3)})
    with pytest.raises(InputError, match="same number of frames"):
        body_poses(subject01, {"knee_angle_r": np.zeros(3), "hip_flexion_r": np.zeros(4)})
    with pytest.raises(ModelError, match="joint 'nope'"):
        joint_center(subject01, "nope", body_poses(subject01, {}))
