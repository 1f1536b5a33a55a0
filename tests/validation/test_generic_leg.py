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
    estimate_height_m,
    generic_foot_polyline,
    generic_leg_model,
    leg_trial_from_coordinates,
)
from kneeload.io.c3d import read_c3d
from kneeload.io.frames import assign_plates_to_feet, lab_to_model
from kneeload.io.opensim import read_coordinates, read_grf, read_storage
from kneeload.markers import (
    assign_plates_from_markers,
    joint_centres_from_markers,
    load_marker_set,
)
from kneeload.trial import coordinate_set

pytestmark = pytest.mark.validation

JW_MASS_KG = 70.0  # data README: consistent with the force plates
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
    "the knee stays at 31.8 mm (ankle 28.2 mm): not in reach without the subject's model",
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
