"""Validation rung 3: van den Bogert's simulated running (ISB test data), exact answers.

A noise-free forward simulation at 10 kHz with known joint moments (``all.mom``: hip, knee, ankle,
each the moment on the distal segment, counter-clockwise +) and segment parameters from the data
README. The kinematics are differentiated by central differences, unfiltered.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kneeload.dynamics.inverse import gait_lab_moments, inverse_dynamics_planar, planar_chain
from kneeload.kinematics import point_along, segment_angle_rad, time_derivatives

pytestmark = pytest.mark.validation

RATE_HZ = 10_000.0
# data README (isb_vandenbogert_simulated_running): foot, shank, thigh
MASS_KG = [1.00, 2.86, 6.85]
INERTIA_KG_M2 = [0.0200, 0.042996389, 0.145361267]
COM_FROM_PROXIMAL = {"shank": 0.4334975, "thigh": 0.4323725}


def test_knee_moment_vs_known_answer(shared_data: Path) -> None:
    folder = shared_data / "isb_vandenbogert_simulated_running"
    kin = np.loadtxt(folder / "all.kin")
    frc = np.loadtxt(folder / "all.frc")
    true_moment = np.loadtxt(folder / "all.mom")  # hip, knee, ankle
    time = np.arange(len(kin)) / RATE_HZ
    hip, knee, ankle, toe = (kin[:, 2 * i : 2 * i + 2] for i in range(4))
    com = np.stack(
        [
            ankle,  # the foot's centre of mass is at the ankle
            point_along(knee, ankle, COM_FROM_PROXIMAL["shank"]),
            point_along(hip, knee, COM_FROM_PROXIMAL["thigh"]),
        ],
        axis=1,
    )
    angles = np.stack(
        [
            segment_angle_rad(ankle, toe),
            segment_angle_rad(knee, ankle),
            segment_angle_rad(hip, knee),
        ],
        axis=1,
    )
    _, com_acc = time_derivatives(time, com)
    _, alpha = time_derivatives(time, angles)
    chain = planar_chain(
        MASS_KG, INERTIA_KG_M2, com, com_acc, alpha, np.stack([ankle, knee, hip], 1)
    )
    cop = np.column_stack([frc[:, 2], np.zeros(len(frc))])
    loads = inverse_dynamics_planar(chain, frc[:, :2], cop, gravity_m_s2=(0.0, -9.81))
    knee_moment = gait_lab_moments(loads)["knee_moment_nm"][0]
    inner = slice(10, -10)  # central differences lose an order at the ends
    error = knee_moment[inner] - true_moment[inner, 1]
    rms = float(np.sqrt(np.mean(error**2)))
    peak = float(np.abs(true_moment[:, 1]).max())
    print(
        f"van den Bogert running: knee moment RMS error {rms:.4f} N·m "
        f"({100 * rms / peak:.3f} % of peak)"
    )
    assert rms <= 0.02 * peak
    hip_error = -gait_lab_moments(loads)["hip_moment_nm"][0][inner] - true_moment[inner, 0]
    ankle_error = -gait_lab_moments(loads)["ankle_moment_nm"][0][inner] - true_moment[inner, 2]
    assert np.sqrt(np.mean(hip_error**2)) <= 0.02 * np.abs(true_moment[:, 0]).max()
    assert np.sqrt(np.mean(ankle_error**2)) <= 0.02 * np.abs(true_moment[:, 2]).max()
