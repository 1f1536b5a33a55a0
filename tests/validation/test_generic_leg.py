"""Validation of the generic leg (IK coordinates without a model) on measured trials.

(a) Grand Challenge subject JW, og3 (Fregly et al. 2012): knee and ankle centres of the generic
    leg driven by the challenge's own IK, stature estimated from the trial, against centres from
    the C3D markers. The walking trials carry no epicondyle or malleolus markers, so the
    reference centres are functional: the axis between the thigh and shank clusters (knee) and
    between the shank and foot clusters (ankle) by SARA (Ehrig et al. 2007, J Biomech 40:2150),
    at the mediolateral position of the patella / midfoot markers
    (``models/marker_sets/GrandChallenge_NIH.toml``, :mod:`kneeload.markers`).
    Target, set before the comparison: RMS 3-D distance <= 30 mm for each joint. Reasons: skin
    markers and soft-tissue artefact put functional and landmark-based knee centres 1-2 cm from
    the true ones (Ehrig et al. 2006, J Biomech 39:2798; Della Croce et al. 2005, Med Biol Eng
    Comput 43:153), and stature-proportional segment lengths carry about 5 % (2 cm) errors
    (Winter 2009, §4.1; Drillis & Contini 1966).
(c) The same JW trials with the generic leg calibrated to the markers' centres
    (:func:`kneeload.generic_leg.calibrate_generic_leg`: hip centre in the pelvis, knee in the
    femur, ankle in the tibia fitted by least squares). Target, set before the comparison: RMS
    3-D distance <= 15 mm for each of hip, knee and ankle. Reasons: calibration removes the
    geometric offsets, leaving the disagreement between the fluoroscopy-driven IK and the
    skin-marker centres, i.e. soft-tissue artefact of thigh and shank markers in walking, of
    the order of 1-2 cm, largest on the thigh (Leardini et al. 2005, Gait Posture 21:212; Peters
    et al. 2010, Gait Posture 31:1), and the spread of functional knee centres (about 1 cm,
    Ehrig et al. 2006). The same bound, a priori, for a calibration carried from another trial of
    the session (og1, og7) to og3: the geometry is the subject's, not the trial's.
(b) OpenSim subject01 with ``subject01_walk_IK.mot`` and the GRF but no model, stature from the
    trial: knee moment vs OpenSim's ``subject01_walk_ID.sto`` (computed with the scaled model),
    RMS <= 10 N·m over the trial (DESIGN.md §6 rung 2, the raw-marker tolerance).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kneeload.analysis import analyze_leg
from kneeload.dynamics.model_kinematics import body_poses, joint_center
from kneeload.generic_leg import (
    GenericLegCalibration,
    calibrate_generic_leg,
    estimate_height_m,
    generic_foot_polyline,
    generic_leg_model,
    leg_trial_from_coordinates,
)
from kneeload.io.c3d import read_c3d
from kneeload.io.frames import assign_plates_to_feet, lab_to_model
from kneeload.io.opensim import read_coordinates, read_grf, read_storage
from kneeload.io.types import CoordinateData, MarkerData
from kneeload.markers import (
    assign_plates_from_markers,
    joint_centres_from_markers,
    load_marker_set,
)
from kneeload.trial import coordinate_set

pytestmark = pytest.mark.validation

JW_MASS_KG = 70.0  # data README: consistent with the force plates
#: a priori bound on the calibrated leg's joint centres vs the markers' (module docstring, c)
CALIBRATED_CENTRE_RMS_MM = 15.0
JOINTS = ("hip", "knee", "ankle")
SUBJECT01_MASS_KG = 72.6  # data README; the model's mass


def _interp(time_s: np.ndarray, source_time_s: np.ndarray, points: np.ndarray) -> np.ndarray:
    return np.stack([np.interp(time_s, source_time_s, points[:, k]) for k in range(3)], axis=1)


@pytest.mark.xfail(
    strict=True,
    reason="a priori 30 mm bound exceeded: knee 39.7 mm, ankle 41.7 mm RMS with the stature "
    "estimated from the IK (1.79 m). Mostly constant offsets (knee 27 mm posterior and 25 mm "
    "low, ankle 30 mm low): the estimate stands on the floor, while JW's markers are on shoes "
    "(likely soles lift the leg), and JW's model geometry (hip centre in its pelvis) is "
    "unknown. Even at 1.70 m (shoulder markers at 1.39 m = 0.818 of stature, Winter Fig. 4.1) "
    "the knee stays at 31.8 mm (ankle 28.2 mm): not in reach without the subject's geometry "
    "(the leg calibrated to the markers meets 15 mm, test below)",
)
def test_jw_joint_centres_vs_functional_centres_from_markers(shared_data: Path) -> None:
    folder = shared_data / "grand_challenge_knee_loads_JW"
    coordinates = read_coordinates(folder / "ik" / "IK_ngait_og3_with_fluoro.mot")
    c3d = read_c3d(folder / "c3d" / "jw_ngait_og3.c3d")
    markers = lab_to_model(c3d.markers, c3d.vertical_axis)
    marker_set = load_marker_set("GrandChallenge_NIH")
    forces = assign_plates_from_markers(
        lab_to_model(c3d.forces, c3d.vertical_axis), markers, marker_set
    )
    height = estimate_height_m(coordinates, forces, "right")
    names = coordinate_set(coordinates.names, "right", coordinates.source)
    model = generic_leg_model(names, height, JW_MASS_KG)
    poses = body_poses(model, {n: coordinates.coordinate(n) for n in model.coordinates})
    reference = joint_centres_from_markers(markers, marker_set, "right")
    rms = {}
    for joint in ("hip", "knee", "ankle"):
        ours = joint_center(model, f"{joint}_r", poses)
        theirs = _interp(coordinates.time_s, markers.time_s, reference[joint])
        distance = np.linalg.norm(ours - theirs, axis=1)
        assert np.isfinite(distance).mean() > 0.9
        rms[joint] = 1000 * float(np.sqrt(np.nanmean(distance**2)))
    print(
        f"JW og3, stature estimated {height:.3f} m; RMS distance to marker-based centres [mm]: "
        + ", ".join(f"{k} {v:.1f}" for k, v in rms.items())
        + " (hip: Harrington 2007 regression, reported only)"
    )
    assert rms["knee"] <= 30.0
    assert rms["ankle"] <= 30.0


def _jw_trial(folder: Path, trial: str) -> tuple[CoordinateData, MarkerData, dict]:
    """IK coordinates, markers (model frame) and marker-based right-leg centres of one JW trial."""
    coordinates = read_coordinates(folder / "ik" / f"IK_ngait_{trial}_with_fluoro.mot")
    c3d = read_c3d(folder / "c3d" / f"jw_ngait_{trial}.c3d")
    markers = lab_to_model(c3d.markers, c3d.vertical_axis)
    centres = joint_centres_from_markers(markers, load_marker_set("GrandChallenge_NIH"), "right")
    return coordinates, markers, centres


def _centre_rms_mm(
    coordinates: CoordinateData,
    markers: MarkerData,
    centres: dict,
    calibration: GenericLegCalibration,
) -> dict[str, float]:
    """RMS 3-D distance [mm] between the calibrated leg's centres, by its own forward
    kinematics, and the marker-based centres of the trial."""
    names = coordinate_set(coordinates.names, "right", coordinates.source)
    model = generic_leg_model(names, 1.7, JW_MASS_KG, calibration=calibration)
    poses = body_poses(model, {n: coordinates.coordinate(n) for n in model.coordinates})
    rms = {}
    for joint in JOINTS:
        theirs = _interp(coordinates.time_s, markers.time_s, centres[joint])
        distance = np.linalg.norm(joint_center(model, f"{joint}_r", poses) - theirs, axis=1)
        assert np.isfinite(distance).mean() > 0.9
        rms[joint] = 1000 * float(np.sqrt(np.nanmean(distance**2)))
    return rms


def test_jw_calibrated_joint_centres_vs_centres_from_markers(shared_data: Path) -> None:
    """(c) JW og3 calibrated to its own markers: each centre within 15 mm RMS of the markers'."""
    coordinates, markers, centres = _jw_trial(shared_data / "grand_challenge_knee_loads_JW", "og3")
    calibration = calibrate_generic_leg(coordinates, markers.time_s, centres, "right")
    rms = _centre_rms_mm(coordinates, markers, centres, calibration)
    print(
        "JW og3 calibrated, RMS distance to marker-based centres [mm]: "
        + ", ".join(f"{k} {v:.1f}" for k, v in rms.items())
        + f"; {calibration.note()}"
    )
    for joint in JOINTS:
        # the fit's own residual is the same distance (frames where every centre exists)
        assert calibration.residual_rms_mm[joint] == pytest.approx(rms[joint], rel=0.05)
        assert rms[joint] <= CALIBRATED_CENTRE_RMS_MM, joint


@pytest.mark.xfail(
    strict=True,
    reason="a priori 15 mm bound exceeded by one joint per source trial: calibrated on og1, og3's "
    "hip 11.6, knee 13.1, ankle 16.1 mm; on og7, hip 17.0, knee 12.8, ankle 14.2 mm (og3's own "
    "calibration: 5.9, 5.2, 9.3 mm). Thigh (0.386-0.390 m) and shank (0.431-0.435 m) agree "
    "within 5 mm between trials; the fitted hip centre (in the IK's pelvis frame, from each "
    "trial's Harrington centre) differs by up to 14 mm anteroposteriorly between trials",
)
def test_jw_calibration_carried_to_another_trial(shared_data: Path) -> None:
    """(c) A calibration from og1 or og7 applied to og3's IK: each centre within 15 mm RMS of
    og3's marker-based centres (the geometry is the subject's, not the trial's)."""
    folder = shared_data / "grand_challenge_knee_loads_JW"
    target = _jw_trial(folder, "og3")
    failures = []
    for trial in ("og1", "og7"):
        coordinates, markers, centres = _jw_trial(folder, trial)
        calibration = calibrate_generic_leg(coordinates, markers.time_s, centres, "right")
        rms = _centre_rms_mm(*target, calibration)
        print(
            f"JW {trial} calibration on og3 [mm]: "
            + ", ".join(f"{k} {v:.1f}" for k, v in rms.items())
            + f"; thigh {calibration.thigh_length_m:.3f} m, shank "
            f"{calibration.shank_length_m:.3f} m"
        )
        failures += [f"{trial} {j}" for j in JOINTS if rms[j] > CALIBRATED_CENTRE_RMS_MM]
    assert not failures


def test_subject01_moments_without_model_vs_opensim_inverse_dynamics(
    subject01: dict[str, Path],
) -> None:
    """Knee moment RMS <= 10 N·m over the trial with the generic leg and an estimated stature;
    hip and ankle reported. OpenSim's generalised forces: knee extensor +, hip and ankle
    flexor/dorsiflexor + (opposite to our gait-lab hip extensor +, ankle plantarflexor +)."""
    coordinates = read_coordinates(subject01["kinematics"])
    forces = read_grf(subject01["forces"])
    trial = leg_trial_from_coordinates(coordinates, forces, "right", SUBJECT01_MASS_KG)
    assert any("stature estimated" in note for note in trial.notes)
    assert any("gait10dof18musc" in note for note in trial.notes)
    ours = analyze_leg(trial)
    theirs, _ = read_storage(subject01["id"])
    np.testing.assert_allclose(ours["time_s"], theirs["time"], atol=1e-5)
    rms = {}
    for column, reference, sign in (
        ("knee_moment_nm", "knee_angle_r_moment", 1.0),
        ("hip_moment_nm", "hip_flexion_r_moment", -1.0),
        ("ankle_moment_nm", "ankle_angle_r_moment", -1.0),
    ):
        error = ours[column].to_numpy() - sign * theirs[reference].to_numpy()
        rms[column] = float(np.sqrt(np.mean(error**2)))
    print(
        "subject01 without model vs OpenSim ID, RMS [N·m]: "
        + ", ".join(f"{k} {v:.2f}" for k, v in rms.items())
        + f"; {trial.notes[1]}"
    )
    assert rms["knee_moment_nm"] <= 10.0


def test_jw_plates_assigned_from_the_generic_foot_as_from_the_markers(shared_data: Path) -> None:
    """Without a model or markers, the generic foot (reference stature) finds the same plates
    under the right foot as the heel/toe markers do (Grand Challenge og3)."""
    folder = shared_data / "grand_challenge_knee_loads_JW"
    coordinates = read_coordinates(folder / "ik" / "IK_ngait_og3_with_fluoro.mot")
    c3d = read_c3d(folder / "c3d" / "jw_ngait_og3.c3d")
    markers = lab_to_model(c3d.markers, c3d.vertical_axis)
    forces = lab_to_model(c3d.forces, c3d.vertical_axis)
    from_markers = assign_plates_from_markers(
        forces, markers, load_marker_set("GrandChallenge_NIH")
    )
    from_generic = assign_plates_to_feet(
        forces, {"right": generic_foot_polyline(coordinates, "right")}, coordinates.time_s
    )
    right = [foot == "right" for foot in from_markers.foot]
    assert any(right)
    assert [foot == "right" for foot in from_generic.foot] == right
