"""Curves of results folders on the common gait-cycle grid, group mean ± SD, and comparisons
against a baseline: known inputs give known means, SDs and ratios; intervals agree with scipy's
own t tests; a group against itself gives a ratio of exactly 1."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from kneeload.compare import PAIRED, UNPAIRED, compare_results, ratio_interval
from kneeload.exceptions import InputError
from kneeload.plotting import (
    MAX_DRAWN_GROUPS,
    PERCENT_GRID,
    check_grouping,
    cycle_curves,
    group_curves,
    mask_runs,
    plot_groups,
    plot_results,
    sample_cases,
)

#: irregular frame times [% gait cycle] of the synthetic strides: the resampling must interpolate
IRREGULAR = np.concatenate([[0.0], np.sort(np.random.default_rng(0).uniform(0, 100, 60)), [100.0]])


def _frames(case_id: str, stride: int, values: np.ndarray, quantity: str) -> pd.DataFrame:
    return pd.DataFrame(
        {"case_id": case_id, "stride": stride, "percent_cycle": IRREGULAR, quantity: values}
    )


def _results(scale: dict[str, float], masses: dict[str, float] | None = None) -> dict:
    """direction (forward/backward) x speed_m_s (1.0, 1.2, 1.4) cases whose tf_compressive_bw
    curve is speed x (1 + sin) x scale[direction]: the backward/forward ratio is known exactly."""
    rows, frames = [], []
    for direction, speed in itertools.product(("forward", "backward"), (1.0, 1.2, 1.4)):
        case_id = f"{direction}-{speed}"
        mass = (masses or {}).get(direction, 70.0)
        rows.append(
            {"case_id": case_id, "direction": direction, "speed_m_s": speed, "mass_kg": mass}
        )
        curve = speed * (1.5 + np.sin(2 * np.pi * IRREGULAR / 100)) * scale[direction]
        frames.append(_frames(case_id, 1, curve, "tf_compressive_bw"))
    return {
        "cases": pd.DataFrame(rows),
        "curves": pd.concat(frames, ignore_index=True),
        "summary": pd.DataFrame(),
    }


def test_strides_are_interpolated_to_the_grid_and_averaged() -> None:
    # linear in percent, so linear interpolation is exact: stride 1 = 3p, stride 2 = 3p + 2
    curves = pd.concat(
        [
            _frames("a", 1, 3 * IRREGULAR, "q"),
            _frames("a", 2, 3 * IRREGULAR + 2, "q"),
            _frames("a", 0, np.full(IRREGULAR.size, 1e6), "q"),  # not a whole stride: ignored
            _frames("b", 1, -IRREGULAR, "q"),
        ]
    )
    result = cycle_curves(curves.sample(frac=1.0, random_state=1), ["q"])["q"]  # any row order
    assert list(result.columns) == list(PERCENT_GRID) and len(PERCENT_GRID) == 101
    np.testing.assert_allclose(result.loc["a"], 3 * PERCENT_GRID + 1, rtol=0, atol=1e-9)
    np.testing.assert_allclose(result.loc["b"], -PERCENT_GRID, rtol=0, atol=1e-9)


def test_group_mean_and_sample_sd_across_cases() -> None:
    table = pd.DataFrame(
        [[1.0] * 101, [2.0] * 101, [3.0] * 101, [7.0] * 101],
        index=pd.Index(["a", "b", "c", "d"], name="case_id"),
        columns=PERCENT_GRID,
    )
    cases = pd.DataFrame({"case_id": ["d", "c", "b", "a"], "sex": ["f", "m", "m", "m"]})
    female, male = group_curves(table, cases, ["sex"])
    assert (male.label, male.n_cases, female.n_cases) == ("sex=m", 3, 1)
    np.testing.assert_array_equal(male.mean, 2.0)
    np.testing.assert_allclose(male.sd, 1.0)  # sample SD of 1, 2, 3
    assert np.isnan(female.sd).all()  # one case: no spread to show
    (everything,) = group_curves(table, cases, [])
    np.testing.assert_allclose(everything.mean, 13.0 / 4)


def test_ratio_of_a_group_against_itself_is_exactly_one() -> None:
    peaks = np.array([2.1, 2.9, 3.4, 4.0])
    assert ratio_interval(peaks, peaks, paired=True) == (1.0, 1.0, 1.0)
    ratio, low, high = ratio_interval(peaks, peaks, paired=False)
    assert ratio == 1.0 and low < 1.0 < high


def test_paired_interval_is_scipys_t_interval_of_the_log_ratios() -> None:
    baseline = np.array([2.0, 2.5, 3.1, 3.3, 4.2])
    group = baseline * np.array([1.10, 1.25, 1.18, 1.31, 1.05])
    reference = stats.ttest_1samp(np.log(group / baseline), 0.0).confidence_interval(0.95)
    ratio, low, high = ratio_interval(group, baseline, paired=True)
    assert ratio == pytest.approx(np.exp(np.mean(np.log(group / baseline))), rel=1e-12)
    assert (np.log(low), np.log(high)) == pytest.approx((reference.low, reference.high), rel=1e-12)


def test_unpaired_interval_is_scipys_welch_interval_of_the_log_peaks() -> None:
    group = np.array([3.0, 3.6, 4.1, 2.8, 3.9, 4.4])
    baseline = np.array([2.2, 2.9, 2.5, 3.4])
    welch = stats.ttest_ind(np.log(group), np.log(baseline), equal_var=False)
    reference = welch.confidence_interval(0.95)
    ratio, low, high = ratio_interval(group, baseline, paired=False)
    assert np.log(ratio) == pytest.approx(np.log(group).mean() - np.log(baseline).mean())
    assert (np.log(low), np.log(high)) == pytest.approx((reference.low, reference.high), rel=1e-12)


def test_ratio_is_undefined_for_non_positive_peaks_and_one_pair_has_no_interval() -> None:
    assert all(np.isnan(ratio_interval(np.array([1.0, -1.0]), np.array([1.0, 1.0]), True)))
    ratio, low, high = ratio_interval(np.array([3.0]), np.array([2.0]), paired=True)
    assert ratio == pytest.approx(1.5) and np.isnan(low) and np.isnan(high)


def test_known_scaling_gives_exact_paired_peak_and_curve_ratios() -> None:
    comparison = compare_results(
        _results({"forward": 1.0, "backward": 1.5}), "direction", "forward"
    )
    everything = comparison.peaks[comparison.peaks["stratum"] == "all"].iloc[0]
    assert everything["pairing"] == "paired" and everything["method"] == PAIRED
    assert everything["n_group"] == 3
    assert (everything["ratio"], everything["ci_low"], everything["ci_high"]) == pytest.approx(
        (1.5, 1.5, 1.5), rel=1e-12
    )
    # one stratum per speed: one pair each, a ratio but no interval
    per_speed = comparison.peaks[comparison.peaks["stratum"].str.startswith("speed_m_s=")]
    assert len(per_speed) == 3 and per_speed["ci_low"].isna().all()
    np.testing.assert_allclose(per_speed["ratio"], 1.5, rtol=1e-12)
    curves = comparison.curves
    np.testing.assert_allclose(curves["ratio"].dropna(), 1.5, rtol=1e-12)
    np.testing.assert_allclose(curves["difference"], 0.5 * curves["baseline_mean"], atol=1e-12)
    # mean forward curve: mean speed (1.2) x (1.5 + sin), linearly interpolated to the grid
    expected = 1.2 * np.interp(PERCENT_GRID, IRREGULAR, 1.5 + np.sin(2 * np.pi * IRREGULAR / 100))
    np.testing.assert_allclose(curves["baseline_mean"], expected, rtol=1e-12)


def test_identical_groups_compare_to_exactly_one() -> None:
    comparison = compare_results(
        _results({"forward": 1.0, "backward": 1.0}), "direction", "forward"
    )
    assert (comparison.peaks["ratio"] == 1.0).all()
    everything = comparison.peaks[comparison.peaks["stratum"] == "all"].iloc[0]
    assert everything["ci_low"] <= 1.0 <= everything["ci_high"]


def test_a_subset_of_the_cases_compares_only_those_cases() -> None:
    """A filtered cases table with the full curves table compares the chosen cases only: the
    speed-1.0 pair's ratio, not the others'."""
    results = _results({"forward": 1.0, "backward": 1.5})
    results["curves"].loc[results["curves"]["case_id"] == "backward-1.4", "tf_compressive_bw"] *= 3
    subset = {**results, "cases": results["cases"][results["cases"]["speed_m_s"] < 1.3]}
    everything = compare_results(subset, "direction", "forward").peaks
    everything = everything[everything["stratum"] == "all"].iloc[0]
    assert everything["n_group"] == 2
    assert everything["ratio"] == pytest.approx(1.5, rel=1e-12)


def test_cases_without_a_match_are_compared_unpaired() -> None:
    results = _results({"forward": 1.0, "backward": 2.0}, masses={"backward": 80.0})
    comparison = compare_results(results, "direction", "forward")
    everything = comparison.peaks[comparison.peaks["stratum"] == "all"].iloc[0]
    assert everything["pairing"] == "unpaired" and everything["method"] == UNPAIRED
    assert (everything["n_group"], everything["n_baseline"]) == (3, 3)
    assert everything["ratio"] == pytest.approx(2.0, rel=1e-12)
    assert everything["ci_low"] < 2.0 < everything["ci_high"]


def test_numeric_baseline_written_as_text_matches() -> None:
    comparison = compare_results(_results({"forward": 1.0, "backward": 1.0}), "speed_m_s", "1")
    assert comparison.baseline == 1.0
    assert set(comparison.peaks["group"]) == {1.2, 1.4}
    everything = comparison.peaks[comparison.peaks["stratum"] == "all"]
    # peaks scale with speed: 1.2 / 1.0 and 1.4 / 1.0, paired on direction
    assert everything["ratio"].tolist() == pytest.approx([1.2, 1.4], rel=1e-9)


@pytest.mark.parametrize(
    ("by", "baseline", "quantities", "field", "hint"),
    [
        ("directon", "forward", [], "--by", "did you mean 'direction'"),
        ("direction", "sideways", [], "--baseline", "forward"),
        ("direction", "forward", ["tf_compresive_bw"], "--quantity", "did you mean"),
        ("mass_kg", "70", [], "--by", "mass_kg=70"),
    ],
)
def test_bad_names_and_values_are_input_errors(
    by: str, baseline: str, quantities: list[str], field: str, hint: str
) -> None:
    with pytest.raises(InputError) as error:
        compare_results(_results({"forward": 1.0, "backward": 1.0}), by, baseline, quantities)
    assert error.value.field == field and hint in str(error.value)


def test_significant_regions_are_shaded() -> None:
    mask = np.zeros(101, dtype=bool)
    mask[10:21] = True
    mask[60:66] = True
    assert mask_runs(mask) == [(10.0, 20.0), (60.0, 65.0)]
    results = _results({"forward": 1.0, "backward": 1.2})
    figure = plot_results(
        results, ["direction"], ["tf_compressive_bw"], {"tf_compressive_bw": mask}
    )
    (ax,) = [a for a in figure.axes if a.get_visible()]
    spans = [p for p in ax.patches]  # axvspan adds patches; the SD bands are collections
    assert len(spans) == 2
    assert ax.get_xlabel() == "% gait cycle" and "[BW]" in ax.get_ylabel()
    assert len(ax.get_lines()) == 3  # two group means and the zero line


def test_plot_groups_draws_a_mean_line_and_band_per_group() -> None:
    table = pd.DataFrame(
        np.arange(4)[:, None] + np.zeros((4, 101)),
        index=pd.Index(list("abcd"), name="case_id"),
        columns=PERCENT_GRID,
    )
    cases = pd.DataFrame({"case_id": list("abcd"), "sex": ["f", "f", "m", "m"]})
    figure = plot_groups({"tf_compressive_bw": group_curves(table, cases, ["sex"])})
    ax = figure.axes[0]
    assert len(ax.collections) == 2  # one ± SD band per group
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), 0.5)


def test_a_sampled_parameter_is_refused_as_a_grouping() -> None:
    cases = pd.DataFrame(
        {
            "case_id": [f"c{i}" for i in range(2 * MAX_DRAWN_GROUPS)],
            "speed_m_s": np.linspace(0.8, 1.4, 2 * MAX_DRAWN_GROUPS),
            "direction": ["forward", "backward"] * MAX_DRAWN_GROUPS,
        }
    )
    check_grouping("results", cases, ["direction"])
    with pytest.raises(InputError, match=f"speed_m_s: {2 * MAX_DRAWN_GROUPS} groups"):
        check_grouping("results", cases, ["speed_m_s"])


def test_a_sample_of_cases_keeps_each_draw_whole() -> None:
    n = 100  # draws of (speed, mass), each walked forward and backward
    draws = np.random.default_rng(1).uniform(0.8, 1.4, (n, 2))
    cases = pd.DataFrame(
        [
            {"case_id": f"{i}-{d}", "direction": d, "speed_m_s": s, "mass_kg": 60 + 20 * m}
            for i, (s, m) in enumerate(draws)
            for d in ("forward", "backward")
        ]
    )
    picked = sample_cases(cases, 31, seed=3)
    assert len(picked) == 30 and picked == sample_cases(cases, 31, seed=3)
    chosen = cases[cases["case_id"].isin(picked)]
    assert (chosen.groupby("speed_m_s")["direction"].nunique() == 2).all()
    grid = cases.assign(speed_m_s=1.0, mass_kg=70.0, case_id=[f"c{i}" for i in range(2 * n)])
    assert len(set(sample_cases(grid, 31))) == 31  # nothing sampled per draw: plain sample
