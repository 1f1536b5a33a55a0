"""kneeload.metrics: stance metrics of analytic curves whose answers are known by hand."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from kneeload.exceptions import InputError
from kneeload.metrics import PEAK_PROMINENCE, load_metrics, metric_names

STRIDE_TIME_S = 1.1
STANCE = 0.6  #: stance share of the cycle, from 0 %
FRAMES = 2000  #: frames per stride (0 .. 100 % excluded)


def _table(
    shape: Callable[[np.ndarray], np.ndarray],
    moment: Callable[[np.ndarray], np.ndarray] | None = None,
    strides: int = 2,
) -> pd.DataFrame:
    """Whole strides with stance over 0-60 % of the cycle: the vertical force a box (1e6 N in
    stance, 0 at its ends and in swing, so the threshold crossings sit on the stance ends to
    2e-5 of a frame), the quantity ``shape(s)`` of stance share s in [0, 1], 0 in swing."""
    percent = np.tile(np.linspace(0.0, 100.0, FRAMES + 1)[:-1], strides)
    stride = np.repeat(np.arange(1, strides + 1), FRAMES)
    time_s = (stride - 1 + percent / 100.0) * STRIDE_TIME_S + 0.25
    s = percent / (100.0 * STANCE)
    inside = (s > 0) & (s < 1)
    clipped = np.clip(s, 0.0, 1.0)
    quantity = np.where(s <= 1, shape(clipped), 0.0)
    knee = moment(clipped) if moment is not None else np.sin(np.pi * clipped)
    return pd.DataFrame(
        {
            "time_s": time_s,
            "stride": stride,
            "percent_cycle": percent,
            "grf_vertical_n": np.where(inside, 1e6, 0.0),
            "tf_compressive_bw": quantity,
            "knee_moment_nm_kg": np.where(s <= 1, knee, 0.0),
        }
    )


def _metrics(table: pd.DataFrame, speed_m_s: float = 1.25) -> dict[str, float]:
    return load_metrics(table, "tf_compressive_bw", speed_m_s=speed_m_s)


def test_half_sine_impulse_and_single_peak() -> None:
    amplitude, stance_s = 3.0, STANCE * STRIDE_TIME_S
    m = _metrics(_table(lambda s: amplitude * np.sin(np.pi * s)))
    # integral of A sin(pi t / T) over 0..T = 2 A T / pi; trapezoid error ~ (h/T)^2
    assert m["tf_compressive_impulse_bw_s"] == pytest.approx(
        2 * amplitude * stance_s / np.pi, rel=1e-5
    )
    assert m["tf_compressive_first_peak_bw"] == pytest.approx(amplitude, rel=1e-5)
    assert m["tf_compressive_first_peak_pct_cycle"] == pytest.approx(50 * STANCE, abs=0.1)
    assert np.isnan(m["tf_compressive_second_peak_bw"])
    assert np.isnan(m["tf_compressive_second_peak_pct_cycle"])


@pytest.mark.parametrize("depth", [0.5 * PEAK_PROMINENCE, 4 * PEAK_PROMINENCE])
def test_dip_at_mid_stance_counts_as_two_peaks_only_if_deep(depth: float) -> None:
    """A half-sine with a narrow notch at mid-stance (Gaussian, sd 0.05/sqrt 2 of stance):
    two symmetric local maxima whatever the depth (the notch's curvature, 800 depth, beats
    the sine's, pi^2), but they count as two peaks only if the dip is at least
    PEAK_PROMINENCE of the range; two peaks are equal and symmetric about 30 % of the cycle."""

    def shape(s: np.ndarray) -> np.ndarray:
        return np.sin(np.pi * s) - depth * np.exp(-(((s - 0.5) / 0.05) ** 2))

    m = _metrics(_table(shape))
    first, second = m["tf_compressive_first_peak_bw"], m["tf_compressive_second_peak_bw"]
    if depth < PEAK_PROMINENCE:
        assert np.isnan(second)
        assert np.isnan(m["tf_compressive_second_peak_pct_cycle"])
        assert first < 1.0
    else:
        assert second == pytest.approx(first, rel=1e-12)
        times = m["tf_compressive_first_peak_pct_cycle"], m["tf_compressive_second_peak_pct_cycle"]
        assert times[0] < 30.0 < times[1]
        assert sum(times) == pytest.approx(2 * 30.0)


def test_double_hump_peaks_and_timing() -> None:
    """a1 sin^2(2 pi s) in the first half of stance, a2 sin^2(2 pi s) in the second: maxima
    a1 at s = 1/4 and a2 at s = 3/4, i.e. 15 % and 45 % of the cycle for stance 0-60 %."""
    a1, a2 = 2.4, 2.9

    def shape(s: np.ndarray) -> np.ndarray:
        return np.where(s <= 0.5, a1, a2) * np.sin(2 * np.pi * s) ** 2

    m = _metrics(_table(shape))
    assert m["tf_compressive_first_peak_bw"] == pytest.approx(a1, rel=1e-6)
    assert m["tf_compressive_first_peak_pct_cycle"] == pytest.approx(0.25 * 100 * STANCE)
    assert m["tf_compressive_second_peak_bw"] == pytest.approx(a2, rel=1e-6)
    assert m["tf_compressive_second_peak_pct_cycle"] == pytest.approx(0.75 * 100 * STANCE)


def test_linear_ramp_loading_rate_and_value_at_peak_moment() -> None:
    """A triangle rising at k BW/s to its peak at s = 0.3, then falling to 0: the mean slope
    from 20 % to 80 % of the peak is k. The knee moment peaks at s = 0.5 (sin pi s), where
    the triangle is at peak · 0.5 / 0.7."""
    stance_s, peak = STANCE * STRIDE_TIME_S, 2.5
    k = peak / (0.3 * stance_s)

    def shape(s: np.ndarray) -> np.ndarray:
        return np.where(s <= 0.3, peak * s / 0.3, peak * (1 - s) / 0.7)

    m = _metrics(_table(shape))
    assert m["tf_compressive_loading_rate_bw_per_s"] == pytest.approx(k, rel=1e-4)
    assert m["tf_compressive_first_peak_bw"] == pytest.approx(peak, rel=1e-6)
    assert m["tf_compressive_at_peak_knee_moment_bw"] == pytest.approx(peak * 0.5 / 0.7, rel=1e-6)


def test_cumulative_load_per_km_and_session() -> None:
    """One stance of this knee per stride: per km 1000 / (v T) stances, per 20 min
    1200 / T; the impulse of a unit box over stance is the stance time."""
    speed = 0.8
    m = _metrics(_table(np.ones_like), speed_m_s=speed)
    impulse = STANCE * STRIDE_TIME_S
    assert m["tf_compressive_impulse_bw_s"] == pytest.approx(impulse, rel=1e-4)
    assert m["tf_compressive_cumulative_bw_s_per_km"] == pytest.approx(
        impulse * 1000.0 / (speed * STRIDE_TIME_S), rel=1e-4
    )
    assert m["tf_compressive_cumulative_bw_s_per_session"] == pytest.approx(
        impulse * 20 * 60 / STRIDE_TIME_S, rel=1e-4
    )
    half = load_metrics(
        _table(np.ones_like), "tf_compressive_bw", speed_m_s=speed, session_minutes=10.0
    )
    assert half["tf_compressive_cumulative_bw_s_per_session"] == pytest.approx(
        m["tf_compressive_cumulative_bw_s_per_session"] / 2
    )


def test_several_quantities_and_names() -> None:
    table = _table(lambda s: np.sin(np.pi * s))
    table["pf_force_bw"] = 2 * table["tf_compressive_bw"]
    m = load_metrics(table, ["tf_compressive_bw", "pf_force_bw"], speed_m_s=1.0)
    assert list(m) == metric_names("tf_compressive_bw") + metric_names("pf_force_bw")
    assert m["pf_force_impulse_bw_s"] == pytest.approx(2 * m["tf_compressive_impulse_bw_s"])
    assert "tf_compressive_cumulative_bw_s_per_km" in m
    assert "knee_moment_loading_rate_nm_kg_per_s" in metric_names("knee_moment_nm_kg")


def test_nan_in_stance_gives_nan_not_zero() -> None:
    table = _table(lambda s: np.sin(np.pi * s))
    table.loc[10, "tf_compressive_bw"] = np.nan  # stance of stride 1
    m = _metrics(table)
    assert all(np.isnan(value) for value in m.values())


def test_nan_knee_moment_gives_nan_at_peak_moment_only() -> None:
    table = _table(lambda s: np.sin(np.pi * s))
    table.loc[10, "knee_moment_nm_kg"] = np.nan
    m = _metrics(table)
    assert np.isnan(m["tf_compressive_at_peak_knee_moment_bw"])
    assert np.isfinite(m["tf_compressive_impulse_bw_s"])


def test_no_whole_stride_is_an_input_error() -> None:
    table = _table(lambda s: np.sin(np.pi * s))
    table["stride"] = 0
    with pytest.raises(InputError, match="stride"):
        _metrics(table)


def test_missing_column_and_unitless_quantity_are_input_errors() -> None:
    table = _table(lambda s: np.sin(np.pi * s)).drop(columns="grf_vertical_n")
    with pytest.raises(InputError, match="grf_vertical_n"):
        _metrics(table)
    with pytest.raises(InputError, match="quantity"):
        load_metrics(_table(np.ones_like), "stride", speed_m_s=1.0)
    with pytest.raises(InputError, match="speed_m_s"):
        load_metrics(_table(np.ones_like), "tf_compressive_bw", speed_m_s=0.0)
