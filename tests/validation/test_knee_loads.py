"""Validation of muscle forces and knee contact (issue 3): the checks of
:mod:`kneeload.validation.loads`, which also write the ``kneeload validate`` report.

Targets are the issue's; a target not met stays in the test as a strict xfail whose reason
holds the measured figures, so the day it is met the suite says so. The PF rung
(``pf_consistency``) is tested case by case in ``tests/contact/test_contact.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kneeload.validation.loads import (
    check_jw_tibiofemoral_force,
    check_subject01_peak_tibiofemoral,
    check_subject01_vasti_vs_opensim,
)

pytestmark = [pytest.mark.validation, pytest.mark.slow]


def test_subject01_vasti_force_vs_opensim_static_optimisation(shared_data: Path) -> None:
    """Peak timing within 5 % of the cycle, peak within ±30 %, correlation >= 0.8 in stance."""
    result = check_subject01_vasti_vs_opensim(shared_data)
    print(result.figures)
    assert result.figures["vasti_peak_timing_error_percent_cycle"] <= 5.0
    assert abs(result.figures["vasti_peak_error_percent"]) <= 30.0
    assert result.figures["vasti_correlation_stance"] >= 0.8
    assert result.passed


@pytest.mark.xfail(
    strict=True,
    reason="measured with the generic leg calibrated to the C3D's marker-based joint centres "
    "(residual RMS hip 5.9, knee 5.2, ankle 9.2 mm): RMS 376 N (0.55 BW), peak 1620 N vs "
    "implant 1601 N (+1.2 %), r = 0.70; uncalibrated it was RMS 384 N, peak +49 %, r = 0.85. "
    "The peak target is met, the RMS one not: the late-stance flexor moment is now -0.16 "
    "N·m/kg (markers -0.15, generic -0.58), and like the marker path (345 N over the same "
    "1.81-3.66 s window) the force stays under the implant's late-stance peak (~1.0 vs 1.55 kN "
    "at 2.60 s) and over it in loading response",
)
def test_jw_tibiofemoral_force_vs_implant(shared_data: Path) -> None:
    """RMS <= 350 N and peak within 25 % of the implant's total axial force (issue 3)."""
    result = check_jw_tibiofemoral_force(shared_data)
    print(result.figures)
    assert result.figures["tf_rms_n"] <= 350.0
    assert abs(result.figures["tf_peak_error_percent"]) <= 25.0


def test_jw_tibiofemoral_force_from_markers_vs_implant(shared_data: Path) -> None:
    """The same trial through the C3D's markers (functional knee and ankle axes): RMS <= 350 N
    and peak within 25 % of the implant (issue 3's targets)."""
    result = check_jw_tibiofemoral_force(shared_data)
    assert result.figures["markers_tf_rms_n"] <= 350.0
    assert abs(result.figures["markers_tf_peak_error_percent"]) <= 25.0


def test_jw_tibiofemoral_force_follows_the_implant(shared_data: Path) -> None:
    """Whatever the magnitude, the curve must follow the implant's (two stance peaks, low in
    swing): a sign or timing error breaks the correlation, which must stay >= 0.7. The medial
    share at the implant's peak is reported (measured in this knee: 54-63 %, DESIGN.md §4.5)."""
    result = check_jw_tibiofemoral_force(shared_data)
    print(result.figures)
    assert result.figures["tf_correlation"] >= 0.7


@pytest.mark.xfail(
    strict=True,
    reason="measured: 5.02 BW generic muscle set, 4.68 BW set fitted to the scaled model; "
    "OpenSim 4.6 static optimisation gives the same late-stance gastrocnemius (2.0 kN) behind it",
)
def test_subject01_peak_tibiofemoral_force_in_published_range(shared_data: Path) -> None:
    """Peak tibiofemoral compression in level walking 2.2-3.2 BW (Kutzner 2010: 2.61 BW)."""
    assert check_subject01_peak_tibiofemoral(shared_data).passed
