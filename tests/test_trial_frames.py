"""A LegTrial's frame: joint moments do not depend on how the frame is tilted, as long as
gravity is expressed in the same frame (DESIGN.md §3: on a grade the ground frame is tilted)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from kneeload.analysis import analyze_leg
from kneeload.config import STANDARD_GRAVITY_M_S2
from kneeload.trial import leg_trial_from_joint_markers
from kneeload.validation.dynamics import winter_tables


def _rotate(points: np.ndarray, angle_rad: float) -> np.ndarray:
    c, s = np.cos(angle_rad), np.sin(angle_rad)
    return points @ np.array([[c, s], [-s, c]])  # row vectors: R·p with R = [[c, -s], [s, c]]


def test_joint_moments_invariant_under_a_tilted_frame(shared_data: Path) -> None:
    """Winter's stride expressed in a frame tilted by 10° (everything rotated by -10°, gravity
    too) gives the same knee and hip moments, and the same axial knee force."""
    tables = winter_tables(shared_data)
    a1, a5 = tables["A1"], tables["A5"]
    markers = [
        a1[[f"{n}_x_cm", f"{n}_y_cm"]].to_numpy() / 100 for n in ("hip", "knee", "ankle", "met5")
    ]
    grf = a5[["foot_ground_Rx_N", "foot_ground_Ry_N"]].to_numpy()
    cop = np.column_stack([a5["cop_x_m"].to_numpy(), np.zeros(len(a5))])
    time = a1["time_s"].to_numpy()
    level = analyze_leg(leg_trial_from_joint_markers(time, *markers, grf, cop, 56.7))
    theta = np.radians(-10.0)
    tilted_trial = leg_trial_from_joint_markers(
        time, *(_rotate(m, theta) for m in markers), _rotate(grf, theta), _rotate(cop, theta), 56.7
    )
    gravity = _rotate(np.array([[0.0, -STANDARD_GRAVITY_M_S2]]), theta)[0]
    tilted = analyze_leg(dataclasses.replace(tilted_trial, gravity_m_s2=(gravity[0], gravity[1])))
    for column in ("knee_moment_nm", "hip_moment_nm", "ankle_moment_nm", "knee_force_axial_n"):
        np.testing.assert_allclose(tilted[column], level[column], atol=1e-6, err_msg=column)
    untilted = analyze_leg(tilted_trial)  # gravity left vertical in the tilted frame: wrong
    assert np.abs(untilted["knee_force_axial_n"] - level["knee_force_axial_n"]).max() > 1.0
