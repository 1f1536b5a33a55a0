"""Frontal-plane checks (issue 6) of :mod:`kneeload.validation.frontal`, which also write the
``kneeload validate`` report.

Targets are the issue's, with their sources in the checks. A target not met stays here as a
strict xfail whose reason holds the measured figures, so the day it is met the suite says so.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from kneeload.validation import CheckResult
from kneeload.validation import frontal as checks

pytestmark = [pytest.mark.slow]

NO_DATA = Path("unused")  # the generated-gait checks read no data folder


def _run(name: str, data_dir: Path = NO_DATA) -> CheckResult:
    result = checks.CHECKS[name](data_dir)
    print(result.name, dict(result.figures))
    assert result.name == name
    assert all(math.isfinite(v) for v in result.figures.values())
    return result


def test_healthy_walking_first_peak_kam() -> None:
    """First-peak KAM 2.0-3.8 %BW·Ht in healthy forward walking at 1.2 m/s (issue 6).

    Measured 3.07 %BW·Ht (36.8 N·m; second peak 1.87) since the template's frontal pattern
    averages three sources (subject01 IK, JW and Fukuchi markers); 4.54 with subject01 alone,
    whose knee sat lateral of the hip at the peak.
    """
    low, high = checks.KAM_FIRST_PEAK_RANGE_PCT_BW_HT
    assert low <= _run("frontal_healthy_walking").figures["kam_first_peak_pct_bw_ht"] <= high


def test_healthy_walking_medial_share() -> None:
    """Medial share of the stance tibiofemoral impulse 0.55-0.8 (60-80 %, Erhart 2010).

    Measured 0.79 (0.77 at the tibiofemoral peak; lateral lift-off in 19 % of stance) with the
    KAM above, near the top of the range: the rigid balance (medial − lateral = 2·KAM/d,
    d = 40 mm) still lifts the lateral compartment off at the KAM peaks (see the JW check).
    """
    low, high = checks.MEDIAL_SHARE_RANGE
    assert low <= _run("frontal_healthy_walking").figures["medial_share_stance"] <= high


def test_kaai_is_reported_in_both_units() -> None:
    """KAAI in N·m·s and %BW·Ht·s agree through m·g·H (70 kg, 1.75 m)."""
    figures = _run("frontal_healthy_walking").figures
    assert figures["kaai_nm_s"] > 0
    assert figures["kaai_pct_bw_ht_s"] == pytest.approx(
        100 * figures["kaai_nm_s"] / (70.0 * 9.80665 * 1.75), rel=1e-9
    )


def test_severe_medial_oa_has_a_higher_first_peak_kam_than_healthy() -> None:
    """KL 3-4 medial OA: first-peak KAM above healthy at the same speed (Mündermann 2005)."""
    figures = _run("frontal_medial_oa_kam").figures
    assert (
        figures["medial_oa_severe_kam_first_peak_pct_bw_ht"]
        > figures["healthy_kam_first_peak_pct_bw_ht"]
    )
    assert (
        figures["medial_oa_severe_kam_first_peak_pct_bw_ht"]
        > (figures["medial_oa_mild_kam_first_peak_pct_bw_ht"])
    )


@pytest.mark.validation
@pytest.mark.xfail(
    strict=True,
    reason="measured: medial share RMS difference 0.30 over stance (mean 0.82 vs implant 0.65); "
    "at the implant's peaks 0.98/1.00 vs 0.75/0.64 (first stance) and 0.83/0.77 vs 0.76/0.64 "
    "(second): the rigid balance (medial − lateral = 2·KAM/d, d = 40 mm, muscles through the "
    "knee centre) lifts the lateral compartment off; the implant's medial − lateral difference "
    "matches 2·KAM/d_eff with d_eff ≈ 50-100 mm: frontal-plane muscle and soft-tissue support "
    "(Winby et al. 2009) is missing",
)
def test_jw_medial_share_follows_the_implant(shared_data: Path) -> None:
    """Medial share within ±0.1 of the implant's: RMS over stance and at each peak."""
    result = _run("jw_medial_share", shared_data)
    assert result.figures["share_rms_difference"] <= checks.JW_SHARE_TOLERANCE
    assert result.figures["share_worst_peak_difference"] <= checks.JW_SHARE_TOLERANCE


@pytest.mark.validation
def test_jw_medial_share_is_medial_dominant_like_the_implant(shared_data: Path) -> None:
    """Whatever the magnitude, the medial compartment carries more than half the stance load,
    as in the implant (mean share > 0.5 in both)."""
    figures = _run("jw_medial_share", shared_data).figures
    assert figures["share_mean_implant"] > 0.5
    assert figures["share_mean_ours"] > 0.5
