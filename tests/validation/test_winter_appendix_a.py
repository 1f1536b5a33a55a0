"""Validation rung 2: Winter (2009) Appendix A, one stride of natural walking (56.7 kg).

The checks themselves live in :mod:`kneeload.validation.dynamics` (the same code writes the
``kneeload validate`` report); these tests assert their targets and a few physical facts more.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kneeload.validation.dynamics import (
    check_winter_raw_markers,
    check_winter_table_a5,
    winter_tables,
)

pytestmark = pytest.mark.validation


def test_knee_moment_and_force_vs_table_a5(shared_data: Path) -> None:
    """Every frame: knee moment within 1 N·m and knee force within 1 N of Winter's Table A.5.

    Tolerance: Table A.5 is printed to 0.1 N and 0.1 N·m from inputs printed to 3-4 digits; the
    data README reports 0.5 N / 0.76 N·m as the best recomputation from these tables.
    """
    result = check_winter_table_a5(shared_data)
    print(result.figures)
    assert result.figures["knee_moment_max_error_nm"] <= 1.0
    assert result.figures["knee_force_max_error_n"] <= 1.0
    assert result.figures["ankle_moment_max_error_nm"] <= 1.0
    # larger lever arms: printed-precision errors accumulate up the chain
    assert result.figures["hip_moment_max_error_nm"] <= 2.0
    assert result.passed


def test_knee_moment_from_raw_markers_through_our_filter(shared_data: Path) -> None:
    """Raw markers (Table A.1, cm) -> our 6 Hz zero-lag filter -> derivatives -> inverse dynamics.

    Target: knee moment RMS <= 10 N·m over stance against Table A.5 (issue 2; DESIGN.md §6).
    Winter filtered the same markers with his own 4th-order zero-lag Butterworth at 6 Hz, so the
    remaining difference is filter edge handling and differentiation.
    """
    result = check_winter_raw_markers(shared_data)
    print(result.figures)
    assert result.figures["knee_moment_rms_stance_nm"] <= 10.0
    assert result.passed


def test_thigh_pushes_shank_down_and_heel_contact_found(shared_data: Path) -> None:
    """Through stance the intersegmental knee force compresses the shank (axial > 0), and heel
    contact (frame 28, data README) is found from the forces. Table A.5 has no force at the
    second contact (frame 97), so the trial holds no whole stride."""
    from kneeload.analysis import analyze_leg, contact_onsets
    from kneeload.trial import leg_trial_from_joint_markers

    tables = winter_tables(shared_data)
    a1, a5 = tables["A1"], tables["A5"]
    grf = a5[["foot_ground_Rx_N", "foot_ground_Ry_N"]].to_numpy()
    cop = np.column_stack([a5["cop_x_m"].to_numpy(), np.zeros(len(a5))])
    markers = [
        a1[[f"{n}_x_cm", f"{n}_y_cm"]].to_numpy() / 100 for n in ("hip", "knee", "ankle", "met5")
    ]
    trial = leg_trial_from_joint_markers(a1["time_s"].to_numpy(), *markers, grf, cop, 56.7)
    table = analyze_leg(trial)
    stance = grf[:, 1] > 100
    assert np.all(table["knee_force_axial_n"].to_numpy()[stance] > 0)
    onsets = contact_onsets(table["time_s"].to_numpy(), grf[:, 1])
    assert onsets == pytest.approx([a1["time_s"].iloc[27]], abs=0.015)
    assert (table["stride"] == 0).all()
