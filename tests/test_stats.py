"""Curve statistics (SPM over the gait cycle) and effect sizes: analytic cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats
from scipy.ndimage import gaussian_filter1d

from kneeload.exceptions import InputError
from kneeload.stats import (
    PERCENT_CYCLE,
    curve_matrix,
    curve_test,
    cycle_curve,
    effect_size,
    format_test,
    group_tests,
    hedges_correction,
    spm_masks,
)

NODES = len(PERCENT_CYCLE)


def smooth_noise(n: int, seed: int, fwhm_nodes: float = 15.0) -> np.ndarray:
    """(n x 101) smooth Gaussian random curves of unit pointwise SD (Pataky 2012's model of
    biomechanical curves: smoothed Gaussian noise)."""
    rng = np.random.default_rng(seed)
    sigma = fwhm_nodes / np.sqrt(8 * np.log(2))
    y = gaussian_filter1d(rng.normal(size=(n, NODES + 60)), sigma, axis=1)[:, 30:-30]
    return y / y.std()


@pytest.fixture(scope="module")
def groups() -> tuple[np.ndarray, np.ndarray]:
    """Two groups of 10 smooth curves; b is offset by +6 SD over 20-40 % of the cycle."""
    a = 2.0 + smooth_noise(10, seed=1)
    b = 2.0 + smooth_noise(10, seed=2)
    b[:, (PERCENT_CYCLE >= 20) & (PERCENT_CYCLE <= 40)] += 6.0
    return a, b


@pytest.mark.parametrize("nonparametric", [False, True])
def test_identical_groups_have_no_significant_region(nonparametric: bool) -> None:
    a = smooth_noise(8, seed=3)
    result = curve_test(a, a.copy(), nonparametric=nonparametric)
    assert np.all(result.statistic == 0.0)
    assert not result.significant.any()
    assert result.clusters == ()
    # as pairs, identical curves differ by zero everywhere: no variance, no test
    with pytest.raises(InputError, match="zero variance at 0-100 % cycle"):
        curve_test(a, a, paired=True, nonparametric=nonparametric)


@pytest.mark.parametrize("paired", [False, True])
@pytest.mark.parametrize("nonparametric", [False, True])
def test_large_offset_flags_that_region(
    groups: tuple[np.ndarray, np.ndarray], paired: bool, nonparametric: bool
) -> None:
    a, b = groups
    result = curve_test(a, b, paired=paired, nonparametric=nonparametric)
    offset = (PERCENT_CYCLE >= 20) & (PERCENT_CYCLE <= 40)
    np.testing.assert_array_equal(result.significant, offset)
    assert len(result.clusters) == 1
    cluster = result.clusters[0]
    assert 19.0 < cluster.start_pct <= 20.0
    assert 40.0 <= cluster.end_pct < 41.0
    assert cluster.sign == -1  # a - b < 0 there
    assert cluster.p < 0.005  # permutations: p >= 2 / 2^10 for 10 paired curves
    # one threshold for the whole curve: above the single-node two-tailed critical t
    df = result.n_a - 1 if paired else result.n_a + result.n_b - 2
    assert result.threshold > scipy_stats.t.ppf(0.975, df)


def test_node_statistic_equals_scipy(groups: tuple[np.ndarray, np.ndarray]) -> None:
    """At one node, SPM's t is the ordinary t: paired = ttest_rel, two-sample (pooled
    variance) = ttest_ind; the permutation tests use the same statistic."""
    a, b = groups
    paired = curve_test(a, b, paired=True).statistic
    two = curve_test(a, b).statistic
    snpm = curve_test(a, b, nonparametric=True, iterations=200).statistic
    for node in (10, 30, 75):
        assert paired[node] == pytest.approx(scipy_stats.ttest_rel(a[:, node], b[:, node])[0])
        assert two[node] == pytest.approx(scipy_stats.ttest_ind(a[:, node], b[:, node])[0])
    np.testing.assert_allclose(snpm, two, rtol=1e-10)


def test_permutation_test_is_reproducible(groups: tuple[np.ndarray, np.ndarray]) -> None:
    a, b = groups
    state = np.random.get_state()  # noqa: NPY002
    first = curve_test(a[:9], b[:9], nonparametric=True, iterations=2000, seed=7)
    second = curve_test(a[:9], b[:9], nonparametric=True, iterations=2000, seed=7)
    assert first.threshold == second.threshold
    assert np.all(np.random.get_state()[1] == state[1])  # noqa: NPY002  global state untouched


def test_zero_variance_names_the_range_and_percent_range_avoids_it() -> None:
    """Identical generated cases (or vertical GRF in swing, 0 in every case) have no variance."""
    a = 1.0 + smooth_noise(6, seed=4)
    b = 1.5 + smooth_noise(6, seed=5)
    a[:, 60:] = 0.0
    b[:, 60:] = 0.0
    with pytest.raises(InputError, match="zero variance at 60-100 % cycle"):
        curve_test(a, b)
    result = curve_test(a, b, percent_range=(0.0, 59.0))
    assert result.percent_cycle[-1] == 59.0
    assert len(result.statistic) == 60
    # the permutation test leaves the nodes out where both groups are constant and equal
    snpm = curve_test(a, b, nonparametric=True, iterations=1000)
    np.testing.assert_array_equal(snpm.tested, PERCENT_CYCLE < 60)
    assert np.all(np.isnan(snpm.statistic[60:])) and not snpm.significant[60:].any()
    np.testing.assert_allclose(
        snpm.statistic[:60], curve_test(a, b, percent_range=(0, 59)).statistic
    )
    a[:, 100] = smooth_noise(6, seed=8)[:, 100]  # a single testable node is left out too
    island = curve_test(a, b, nonparametric=True, iterations=1000)
    np.testing.assert_array_equal(island.tested, PERCENT_CYCLE < 60)
    b[:, 90:] = 1.0  # constant in both groups but different: t infinite, refused
    with pytest.raises(InputError, match=r"constant but different there.*90-99 % cycle"):
        curve_test(a, b, nonparametric=True)
    same = np.tile(smooth_noise(1, seed=6), (5, 1))  # one generated case repeated
    with pytest.raises(InputError, match="identical generated cases have zero variance"):
        curve_test(same, same + 1.0)


def test_bad_groups_are_input_errors(groups: tuple[np.ndarray, np.ndarray]) -> None:
    a, b = groups
    with pytest.raises(InputError, match="at least 3 curves"):
        curve_test(a[:2], b)
    with pytest.raises(InputError, match="pairs"):
        curve_test(a, b[:8], paired=True)
    with pytest.raises(InputError, match="101"):
        curve_test(a[:, :50], b[:, :50])
    with pytest.raises(InputError, match="permutation test"):  # 2^3 = 8 sign flips: p >= 1/8
        curve_test(a[:3], b[:3], paired=True, nonparametric=True)
    nan = a.copy()
    nan[0, 5] = np.nan
    with pytest.raises(InputError, match="finite"):
        curve_test(nan, b)


def test_cycle_curve_resamples_and_averages_whole_strides() -> None:
    """Irregularly sampled strides of a known curve come back at the 101 nodes; frames outside
    whole strides (stride 0) are ignored."""
    rng = np.random.default_rng(0)
    rows = []
    for stride, shift in ((1, 0.1), (2, -0.1)):
        percent = np.sort(rng.uniform(0, 100, 400))
        percent[[0, -1]] = 0.0, 100.0
        rows.append(
            pd.DataFrame(
                {
                    "stride": stride,
                    "percent_cycle": percent,
                    "q": np.sin(2 * np.pi * percent / 100) + shift,
                }
            )
        )
    rows.append(pd.DataFrame({"stride": [0], "percent_cycle": [np.nan], "q": [99.0]}))
    curve = cycle_curve(pd.concat(rows), "q")
    np.testing.assert_allclose(curve, np.sin(2 * np.pi * PERCENT_CYCLE / 100), atol=2e-3)
    with pytest.raises(InputError, match="whole stride"):
        cycle_curve(rows[-1], "q")
    with pytest.raises(InputError, match="missing_bw"):
        cycle_curve(rows[0], "missing_bw")


def test_effect_sizes_reproduce_lakens_2013_example() -> None:
    """Lakens (2013) Table 1 (movie ratings, n = 10 each): d_s = 1.13, Hedges' g_s = 1.08 and,
    taken as pairs, d_z = 1.50 (checked by hand: means 8.7 and 7.7, pooled SD 0.889, SD of the
    differences 0.667)."""
    movie_1 = [9, 7, 8, 9, 8, 9, 9, 10, 9, 9]
    movie_2 = [9, 6, 7, 8, 7, 9, 8, 8, 8, 7]
    two = effect_size(movie_1, movie_2)
    assert two.mean_difference == pytest.approx(1.0)
    assert two.cohens_d == pytest.approx(1.13, abs=0.005)
    assert two.hedges_g == pytest.approx(1.08, abs=0.005)
    assert two.ci_low < two.hedges_g < two.ci_high
    paired = effect_size(movie_1, movie_2, paired=True)
    assert paired.cohens_d == pytest.approx(1.50, abs=0.005)
    swapped = effect_size(movie_2, movie_1)  # antisymmetry
    assert swapped.hedges_g == pytest.approx(-two.hedges_g)
    assert (swapped.ci_low, swapped.ci_high) == pytest.approx((-two.ci_high, -two.ci_low))


def test_effect_size_ci_matches_large_sample_approximation() -> None:
    """For large n the noncentral-t interval tends to d ± 1.96 SE with
    SE^2 = (n_a + n_b) / (n_a n_b) + d^2 / (2 (n_a + n_b)) (Hedges & Olkin 1985)."""
    rng = np.random.default_rng(11)
    a = rng.normal(0.5, 1.0, 400)
    b = rng.normal(0.0, 1.0, 400)
    result = effect_size(a, b)
    d, n_a, n_b = result.cohens_d, 400, 400
    se = np.sqrt((n_a + n_b) / (n_a * n_b) + d**2 / (2 * (n_a + n_b)))
    j = hedges_correction(n_a + n_b - 2)
    assert result.ci_low == pytest.approx(j * (d - 1.96 * se), abs=0.005)
    assert result.ci_high == pytest.approx(j * (d + 1.96 * se), abs=0.005)


def test_hedges_correction_against_its_approximation() -> None:
    """J(2) = Γ(1) / Γ(1/2) = 1 / sqrt(pi) exactly; J(df) ~ 1 - 3 / (4 df - 1) (Hedges 1981),
    an approximation within 1e-3 from df = 10."""
    assert hedges_correction(2) == pytest.approx(1 / np.sqrt(np.pi), rel=1e-12)
    for df in (10, 18, 50, 200):
        assert hedges_correction(df) == pytest.approx(1 - 3 / (4 * df - 1), abs=1e-3)


def test_effect_size_without_variance_is_an_input_error() -> None:
    with pytest.raises(InputError, match="variance"):
        effect_size([2.0, 2.0, 2.0], [2.0, 2.0, 2.0])
    with pytest.raises(InputError, match="pairs"):
        effect_size([1.0, 2.0, 3.0], [1.0, 2.0], paired=True)


def test_group_tests_pair_cases_by_their_other_parameters(
    groups: tuple[np.ndarray, np.ndarray],
) -> None:
    """Subjects that walk both ways are paired (same mass and speed); with one case missing the
    groups are compared as two samples. Two groups against a baseline share alpha (Bonferroni)."""
    a, b = groups
    n = len(a)
    cases = pd.DataFrame(
        {
            "case_id": [f"f{i}" for i in range(n)] + [f"b{i}" for i in range(n)],
            "direction": ["forward"] * n + ["backward"] * n,
            "mass_kg": np.r_[np.arange(n), np.arange(n)] + 60.0,
        }
    )
    curves = pd.DataFrame(np.vstack([b, a]), index=cases["case_id"], columns=PERCENT_CYCLE)
    (result,) = group_tests(curves, cases, "direction", "forward").values()
    assert result.test == "ttest_paired"
    paired = curve_test(a, b, paired=True)
    np.testing.assert_allclose(result.statistic, paired.statistic)
    assert "backward" in format_test("q_bw", "backward", result)
    (cluster,) = result.clusters  # b is 6 SD above a over 20-40 %
    assert 19 < cluster.start_pct <= 20 and 40 <= cluster.end_pct < 41
    where = f"{cluster.start_pct:.1f}-{cluster.end_pct:.1f} % (lower"
    assert where in format_test("q_bw", "backward", result)
    unpaired = group_tests(curves.drop(index="b0"), cases, "direction", "forward")
    assert unpaired["backward"].test == "ttest2"
    three = pd.concat([cases, cases.tail(n).assign(case_id=lambda t: "x" + t.case_id)])
    three.loc[three.case_id.str.startswith("x"), "direction"] = "sideways"
    curves3 = pd.concat([curves, curves.tail(n).set_axis("x" + curves.index[-n:])])
    tests = group_tests(curves3, three, "direction", "forward")
    assert set(tests) == {"backward", "sideways"}
    assert all(t.alpha == pytest.approx(0.025) for t in tests.values())


def test_spm_masks_for_kneeload_compare(groups: tuple[np.ndarray, np.ndarray]) -> None:
    """From a results folder's long tables: the mask marks 20-40 % for the offset quantity; a
    quantity that is 0 in every case gets no mask and a line saying why."""
    a, b = groups
    n = len(a)
    ids = [f"f{i}" for i in range(n)] + [f"b{i}" for i in range(n)]
    cases = pd.DataFrame(
        {"case_id": ids, "direction": ["forward"] * n + ["backward"] * n, "mass_kg": 60.0}
    )
    cases["mass_kg"] += np.r_[np.arange(n), np.arange(n)]
    values = np.vstack([a, b])
    curves = pd.DataFrame(
        {
            "case_id": np.repeat(ids, NODES),
            "stride": 1,
            "percent_cycle": np.tile(PERCENT_CYCLE, 2 * n),
            "q_bw": values.ravel(),
            "zero_bw": 0.0,
        }
    )
    masks, lines = spm_masks(
        {"cases": cases, "curves": curves}, ["q_bw", "zero_bw"], "direction", "forward"
    )
    np.testing.assert_array_equal(masks["q_bw"], (PERCENT_CYCLE >= 20) & (PERCENT_CYCLE <= 40))
    assert "zero_bw" not in masks
    assert lines[0].startswith("q_bw backward: SPM paired t, n=10")
    assert lines[1].startswith("zero_bw: no SPM test:") and "zero variance at 0-100 %" in lines[1]


def test_curve_matrix_equals_cycle_curve_per_case() -> None:
    """The vectorised matrix of a results folder's curves equals the per-trial resampling, for
    irregular samples, two strides per case and any case order."""
    rng = np.random.default_rng(3)
    parts = []
    for case in range(5):
        for stride in (1, 2):
            percent = np.sort(rng.uniform(0, 100, 57))
            q = np.sin(percent / 10) + stride + case + rng.normal(0, 0.01, 57)
            parts.append(
                pd.DataFrame(
                    {"case_id": f"c{case}", "stride": stride, "percent_cycle": percent, "q": q}
                )
            )
    curves = pd.concat(parts, ignore_index=True)
    ids = ["c3", "c0", "c4"]
    expected = [cycle_curve(curves[curves["case_id"] == c], "q") for c in ids]
    np.testing.assert_allclose(curve_matrix(curves, "q", ids), expected, rtol=1e-12)
    with pytest.raises(InputError, match="curves for every case"):
        curve_matrix(curves, "q", ["c1", "nope"])


def test_permutation_threshold_is_the_max_t_quantile_over_every_sign_flip() -> None:
    """Paired SnPM (Nichols & Holmes 2002): the critical |t| is the 95th percentile of the
    curve's maximum |t| over all sign flips of the differences, computed here by brute force
    over the 2^(n-1) distinct ones (flipping every sign gives the same maximum |t|)."""
    import itertools

    a, b = smooth_noise(7, seed=21), smooth_noise(7, seed=22)
    result = curve_test(a, b, paired=True, nonparametric=True)
    difference = a - b
    maxima = []
    for signs in itertools.product((1.0, -1.0), repeat=len(difference) - 1):
        flipped = difference * np.array((1.0, *signs))[:, None]
        t = flipped.mean(axis=0) / (flipped.std(axis=0, ddof=1) / np.sqrt(len(flipped)))
        maxima.append(np.abs(t).max())
    assert result.threshold == pytest.approx(np.percentile(maxima, 95), rel=1e-12)


@pytest.mark.parametrize("fwhm_nodes", [3.0, 15.0, 60.0])
def test_random_field_threshold_lies_between_one_node_and_bonferroni(fwhm_nodes: float) -> None:
    """The RFT threshold for the whole curve is above the single-node critical t and below the
    Bonferroni one for 101 independent nodes, and falls as the curves get smoother (fewer
    independent resels; Pataky 2012)."""
    thresholds = []
    for fwhm in (fwhm_nodes, 2 * fwhm_nodes):
        a = smooth_noise(8, seed=31, fwhm_nodes=fwhm)
        b = smooth_noise(8, seed=32, fwhm_nodes=fwhm)
        thresholds.append(curve_test(a, b).threshold)
    df = 14
    assert scipy_stats.t.ppf(0.975, df) < thresholds[0] < scipy_stats.t.ppf(1 - 0.025 / NODES, df)
    assert thresholds[1] < thresholds[0]
