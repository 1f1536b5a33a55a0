"""Validation rung 3: van den Bogert's simulated running (ISB test data), exact answers.

The check lives in :mod:`kneeload.validation.dynamics` (shared with ``kneeload validate``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kneeload.validation.dynamics import check_vandenbogert_running

pytestmark = pytest.mark.validation


def test_joint_moments_vs_known_answer(shared_data: Path) -> None:
    """Knee, hip and ankle moments within 2 % RMS of their peaks (issue 2)."""
    result = check_vandenbogert_running(shared_data)
    print(result.figures)
    for joint in ("hip", "knee", "ankle"):
        assert result.figures[f"{joint}_moment_rms_percent_of_peak"] <= 2.0
    assert result.passed
