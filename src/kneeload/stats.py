"""Curve statistics over the gait cycle (statistical parametric mapping) and effect sizes on peaks.

Curves are compared node by node over 101 points of ``percent_cycle`` (0, 1, ..., 100 %) with
spm1d (Pataky 2012, Comput Methods Biomech Biomed Engin 15:295-301; Pataky, Robinson &
Vanrenterghem 2013, J Biomech 46:2394-2401): a t statistic per node, and one critical threshold
for the whole curve from random field theory, so that the chance of any false positive over the
cycle is ``alpha``. The non-parametric versions (SnPM) take the threshold from the permutation
distribution of the curve's maximum statistic instead and assume no smoothness or normality
(Nichols & Holmes 2002; Pataky, Vanrenterghem & Robinson 2015, J Biomech 48:1277-1285).

What the samples are matters. A generated case is deterministic: the same gait spec gives the
same curve, so repeating one case gives zero variance and no test. SPM makes sense across cases
that vary: a sampled population (``scenarios/population.toml`` draws subjects and speeds), an
uncertainty sweep over unknown model parameters, or measured trials of several people. With
generated cases it then answers "does this factor change the curve more than the sampled spread",
not a question about real patients.

Nodes with zero variance (every case has the same value, e.g. vertical GRF in swing is 0 N for
all, or PF force in mid-stance) leave t undefined and the field's smoothness unknown there: the
parametric test refuses them (as spm1d does) with an InputError naming the percent ranges; pass
``percent_range`` to test a part of the cycle (e.g. stance). The permutation test needs no
smoothness: nodes where the paired differences (or both groups) are constant and equal carry no
evidence either way and are left out of it (spm1d's region of interest; ``tested`` False,
statistic NaN there).

Effect sizes on scalar outcomes such as peaks: Cohen's d (two samples, pooled SD) or d_z
(paired: mean over SD of the differences), Hedges' g with the exact small-sample correction
(Hedges 1981, J Educ Stat 6:107-128), and a 95 % confidence interval from the noncentral t
distribution (Cumming & Finch 2001; Lakens 2013, Front Psychol 4:863).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from kneeload.exceptions import InputError

#: nodes of the gait cycle the curves are resampled to [% cycle]
PERCENT_CYCLE = np.linspace(0.0, 100.0, 101)
#: random permutations of the non-parametric tests when there are more possible (seeded); the
#: permutation p of a cluster is then resolved to 1/5000
DEFAULT_ITERATIONS = 5_000
#: minimum curves per group for a test
MIN_CASES = 3

Test = Literal["ttest2", "ttest_paired"]


@dataclass(frozen=True)
class Cluster:
    """A supra-threshold region of the gait cycle.

    start_pct, end_pct : where the statistic crosses the threshold [% cycle] (interpolated)
    p : cluster-level probability (random field theory or permutation)
    sign : +1 where group a is above group b, -1 where below
    """

    start_pct: float
    end_pct: float
    p: float
    sign: int


@dataclass(frozen=True)
class CurveTest:
    """Result of a curve test: group a minus group b.

    percent_cycle : the nodes [% cycle], ``statistic`` and ``significant`` are given at them
    statistic : t at each node (a - b)
    threshold : critical |t| for the two-tailed test at ``alpha`` over the whole curve
    significant : |t| > threshold at each node (a boolean mask, e.g. to shade a plot)
    tested : False at nodes left out of a permutation test (t = 0 / 0 there; statistic NaN)
    """

    test: str
    nonparametric: bool
    alpha: float
    n_a: int
    n_b: int
    percent_cycle: np.ndarray
    statistic: np.ndarray
    threshold: float
    significant: np.ndarray
    tested: np.ndarray
    clusters: tuple[Cluster, ...]


@dataclass(frozen=True)
class EffectSize:
    """Standardised difference a - b of a scalar outcome (e.g. a peak).

    cohens_d : d_s (two samples, pooled SD) or d_z (paired: SD of the differences)
    hedges_g : d times the exact small-sample correction J(df) (Hedges 1981)
    ci_low, ci_high : 95 % confidence interval of g (noncentral t, scaled by J)
    mean_difference : mean(a) - mean(b), in the outcome's units
    """

    paired: bool
    n_a: int
    n_b: int
    mean_difference: float
    cohens_d: float
    hedges_g: float
    ci_low: float
    ci_high: float


def resample_cycle(percent_cycle: np.ndarray, values: np.ndarray) -> np.ndarray:
    """One stride's values at the 101 nodes of :data:`PERCENT_CYCLE` (linear interpolation; the
    first and last samples are held out to 0 and 100 %)."""
    percent = np.asarray(percent_cycle, dtype=float)
    y = np.asarray(values, dtype=float)
    keep = np.isfinite(percent) & np.isfinite(y)
    if keep.sum() < 2:
        raise InputError("curve", "percent_cycle", "at least 2 finite samples in a stride")
    order = np.argsort(percent[keep])
    return np.interp(PERCENT_CYCLE, percent[keep][order], y[keep][order])


def cycle_curve(table: pd.DataFrame, quantity: str, source: str = "table") -> np.ndarray:
    """Mean over a table's whole strides (``stride`` >= 1) of ``quantity`` at 101 nodes.

    ``table`` is one trial or case as written by ``kneeload analyze`` or ``kneeload simulate``
    (columns ``stride``, ``percent_cycle`` and the quantity).
    """
    for column in ("stride", "percent_cycle", quantity):
        if column not in table.columns:
            raise InputError(source, column, "a column of a kneeload analyze/simulate table")
    whole = table[table["stride"] >= 1]
    if whole.empty:
        raise InputError(source, "stride", "at least one whole stride (stride >= 1)", "none")
    strides = [
        resample_cycle(part["percent_cycle"].to_numpy(), part[quantity].to_numpy())
        for _, part in whole.groupby("stride", sort=True)
    ]
    return np.mean(strides, axis=0)


def curve_matrix(curves: pd.DataFrame, quantity: str, case_ids: Sequence[str]) -> np.ndarray:
    """(cases x 101) matrix of ``quantity`` for ``case_ids`` from a results folder's ``curves``
    table (rows of ``case_id``, ``stride``, ``percent_cycle``), in the given order: whole
    strides resampled and averaged per case as :func:`cycle_curve` does, by the vectorised
    :func:`kneeload.plotting.cycle_curves`."""
    from kneeload.plotting import cycle_curves

    if quantity not in curves.columns:
        raise InputError("curves", quantity, "a column of the curves table")
    table = cycle_curves(curves[curves["case_id"].isin(case_ids)], [quantity])[quantity]
    missing = [c for c in case_ids if c not in table.index]
    if missing:
        raise InputError("curves", "case_id", "curves for every case", f"none for {missing[:3]}")
    return table.loc[list(case_ids)].to_numpy(dtype=float)


def _ranges(percent: np.ndarray, mask: np.ndarray) -> list[tuple[float, float]]:
    """Contiguous runs of ``mask`` as (first, last) percent."""
    edges = np.flatnonzero(np.diff(np.r_[0, mask.astype(np.int8), 0]))
    return [
        (float(percent[a]), float(percent[b - 1]))
        for a, b in zip(edges[::2], edges[1::2], strict=True)
    ]


def _check_groups(a: np.ndarray, b: np.ndarray, paired: bool) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    for name, y in (("a", a), ("b", b)):
        if y.ndim != 2:
            raise InputError(f"group {name}", "curves", "a (cases x nodes) array", f"{y.shape}")
        if y.shape[0] < MIN_CASES:
            raise InputError(
                f"group {name}", "cases", f"at least {MIN_CASES} curves", str(y.shape[0])
            )
        if not np.all(np.isfinite(y)):
            raise InputError(f"group {name}", "curves", "finite values only", "NaN or inf")
    if a.shape[1] != b.shape[1]:
        raise InputError("groups", "nodes", "the same number of nodes", f"{a.shape} vs {b.shape}")
    if paired and a.shape[0] != b.shape[0]:
        raise InputError("groups", "cases", "pairs (as many curves in a as in b)", f"{a.shape}")
    return a, b


def _zero_variance_error(name: str, percent: np.ndarray, flat: np.ndarray, hint: str) -> InputError:
    where = ", ".join(f"{lo:g}-{hi:g}" for lo, hi in _ranges(percent, flat))
    return InputError(
        f"group {name}",
        "variance",
        "curves that differ at every node (identical generated cases have zero variance: "
        f"compare a sampled population or measured trials{hint})",
        f"zero variance at {where} % cycle",
    )


def _untestable_nodes(
    a: np.ndarray, b: np.ndarray, paired: bool, percent: np.ndarray
) -> np.ndarray:
    """Nodes where the t statistic is 0 / 0 (paired differences, or both groups, constant and
    equal): no evidence either way, left out of a permutation test, and so are single testable
    nodes between them. Constant but different values (t infinite) raise InputError."""
    if paired:
        difference = a - b
        flat = np.ptp(difference, axis=0) == 0
        differ = flat & (difference[0] != 0)
    else:
        flat = (np.ptp(a, axis=0) == 0) & (np.ptp(b, axis=0) == 0)
        differ = flat & (a[0] != b[0])
    if differ.any():
        raise _zero_variance_error("a and b", percent, differ, "; constant but different there")
    testable = np.r_[False, ~flat, False].astype(np.int8)
    edges = np.flatnonzero(np.diff(testable))
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        if stop - start < 2:  # spm1d's permutation clusters need 2 contiguous nodes
            flat[start:stop] = True
    if flat.all():
        raise _zero_variance_error("a and b", percent, flat, "")
    return flat


def curve_test(
    a: np.ndarray,
    b: np.ndarray,
    *,
    paired: bool = False,
    nonparametric: bool = False,
    alpha: float = 0.05,
    percent_range: tuple[float, float] | None = None,
    equal_var: bool = True,
    iterations: int = DEFAULT_ITERATIONS,
    seed: int = 0,
) -> CurveTest:
    """Two-tailed SPM t test of curves ``a`` against ``b`` (each cases x 101 nodes of percent
    cycle, e.g. from :func:`curve_matrix`): two-sample (``paired=False``; Student's, pooled
    variance unless ``equal_var=False``) or paired; parametric (random field theory) or
    non-parametric (permutations: all of them when there are at most ``iterations``, else
    ``iterations`` random ones drawn with ``seed``).

    ``percent_range`` (lo, hi) [% cycle] restricts the test to those nodes. Raises InputError
    for fewer than 3 curves per group, non-finite values, too few permutations for ``alpha``, or
    zero variance at a node (parametric; the permutation test leaves such nodes out, see above).
    """
    import spm1d

    if not 0.0 < alpha < 0.5:
        raise InputError("curve_test", "alpha", "a probability in (0, 0.5)", str(alpha))
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.ndim == 2 and a.shape[1] != len(PERCENT_CYCLE):
        raise InputError(
            "group a", "nodes", f"{len(PERCENT_CYCLE)} (0-100 % cycle)", str(a.shape[1])
        )
    percent = PERCENT_CYCLE
    if percent_range is not None:
        lo, hi = percent_range
        keep = (PERCENT_CYCLE >= lo) & (PERCENT_CYCLE <= hi)
        if keep.sum() < 2:
            raise InputError(
                "curve_test", "percent_range", "at least 2 nodes in 0-100", f"{lo}-{hi}"
            )
        a, b, percent = a[:, keep], b[:, keep], PERCENT_CYCLE[keep]
    a, b = _check_groups(a, b, paired)
    name: Test = "ttest_paired" if paired else "ttest2"
    if nonparametric:
        untested = _untestable_nodes(a, b, paired, percent)
        roi = ~untested if untested.any() else None
        spm = (
            spm1d.stats.nonparam.ttest_paired(a, b, roi=roi)
            if paired
            else spm1d.stats.nonparam.ttest2(a, b, roi=roi)
        )
        possible = int(spm.nPermUnique)
        if 1.0 / possible > alpha:
            raise InputError(
                "curve_test",
                "cases",
                f"enough cases for a permutation test at alpha {alpha:g}",
                f"{possible} possible permutations",
            )
        # spm1d permutes with numpy's global generator: seed it, then put its state back
        state = np.random.get_state()  # noqa: NPY002
        np.random.seed(seed)  # noqa: NPY002
        try:
            inference = spm.inference(
                alpha, two_tailed=True, iterations=-1 if possible <= iterations else iterations
            )
        finally:
            np.random.set_state(state)  # noqa: NPY002
    else:
        samples = {"differences a - b": a - b} if paired else {"a": a, "b": b}
        for group, y in samples.items():
            flat = np.ptp(y, axis=0) == 0
            if flat.any():
                hint = (
                    ", test part of the cycle with percent_range, or use the permutation test"
                    " (nonparametric=True; kneeload compare --spm snpm)"
                )
                raise _zero_variance_error(group, percent, flat, hint)
        untested = np.zeros(len(percent), dtype=bool)
        spm = (
            spm1d.stats.ttest_paired(a, b)
            if paired
            else spm1d.stats.ttest2(a, b, equal_var=equal_var)
        )
        inference = spm.inference(alpha, two_tailed=True)
    statistic = np.where(untested, np.nan, np.ma.getdata(inference.z))
    threshold = float(inference.zstar)
    step = percent[1] - percent[0]
    clusters = tuple(
        Cluster(
            start_pct=float(percent[0] + step * c.endpoints[0]),
            end_pct=float(percent[0] + step * c.endpoints[1]),
            p=float(c.P),
            sign=int(np.sign(c.csign)),
        )
        for c in inference.clusters
    )
    return CurveTest(
        test=name,
        nonparametric=nonparametric,
        alpha=alpha,
        n_a=a.shape[0],
        n_b=b.shape[0],
        percent_cycle=percent.copy(),
        statistic=statistic,
        threshold=threshold,
        significant=np.abs(np.nan_to_num(statistic)) > threshold,
        tested=~untested,
        clusters=clusters,
    )


def hedges_correction(df: float) -> float:
    """Exact small-sample correction J(df) = Γ(df/2) / (sqrt(df/2) Γ((df-1)/2)) (Hedges 1981)."""
    from scipy.special import gammaln

    return float(np.exp(gammaln(df / 2) - gammaln((df - 1) / 2)) / np.sqrt(df / 2))


def _noncentral_ci(t: float, df: float, level: float = 0.95) -> tuple[float, float]:
    """Confidence interval of the noncentrality parameter given an observed t (inverting the
    noncentral t distribution; Cumming & Finch 2001)."""
    from scipy.optimize import brentq
    from scipy.stats import nct

    tail = (1.0 - level) / 2.0
    span = 6.0 * np.sqrt(1.0 + t * t / (2.0 * df))  # ~6 standard errors of the ncp

    def limit(p: float) -> float:
        return float(brentq(lambda ncp: nct.cdf(t, df, ncp) - p, t - span, t + span))

    return limit(1.0 - tail), limit(tail)


def effect_size(a: Sequence[float], b: Sequence[float], *, paired: bool = False) -> EffectSize:
    """Cohen's d / d_z, Hedges' g and its 95 % CI for the scalar outcome a - b (e.g. per-case
    peaks such as ``peak_tf_compressive_bw`` of a results folder's summary table).

    Two samples: d_s = (mean a - mean b) / pooled SD, df = n_a + n_b - 2 (Lakens 2013 eq. 1).
    Paired: d_z = mean(a - b) / SD(a - b), df = n - 1 (Lakens 2013 eq. 6).
    """
    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    if paired and x.shape != y.shape:
        raise InputError(
            "effect_size", "pairs", "as many values in a as in b", f"{len(x)}, {len(y)}"
        )
    for name, v in (("a", x), ("b", y)):
        if v.ndim != 1 or len(v) < 2 or not np.all(np.isfinite(v)):
            raise InputError("effect_size", name, "at least 2 finite values", str(v.tolist()))
    if paired:
        diff = x - y
        n = len(diff)
        df = n - 1.0
        sd = float(np.std(diff, ddof=1))
        scale = np.sqrt(n)  # t = d_z * sqrt(n)
    else:
        n_a, n_b = len(x), len(y)
        df = n_a + n_b - 2.0
        sd = float(np.sqrt(((n_a - 1) * x.var(ddof=1) + (n_b - 1) * y.var(ddof=1)) / df))
        scale = np.sqrt(n_a * n_b / (n_a + n_b))
    mean_difference = float(x.mean() - y.mean())
    if sd == 0.0:
        raise InputError(
            "effect_size", "variance", "values that vary (a standardised difference needs an SD)"
        )
    d = mean_difference / sd
    j = hedges_correction(df)
    lo, hi = _noncentral_ci(d * scale, df)
    return EffectSize(
        paired=paired,
        n_a=len(x),
        n_b=len(y),
        mean_difference=mean_difference,
        cohens_d=d,
        hedges_g=j * d,
        ci_low=j * lo / scale,
        ci_high=j * hi / scale,
    )


def pair_cases(
    cases: pd.DataFrame, by: str, group: object, baseline: object
) -> pd.DataFrame | None:
    """Pairs (``case_id_a`` of ``group``, ``case_id_b`` of ``baseline``) that share every other
    parameter of the cases table (e.g. the same sampled subject walking both ways), or None
    when the two groups are not matched one to one."""
    others = [c for c in cases.columns if c not in ("case_id", by)]
    a = cases[cases[by] == group]
    b = cases[cases[by] == baseline]
    if not others or len(a) != len(b):
        return None
    pairs = a.merge(b, on=others, suffixes=("_a", "_b"))
    unique = pairs["case_id_a"].is_unique and pairs["case_id_b"].is_unique
    return pairs if len(pairs) == len(a) and unique else None


def group_tests(
    case_curves: pd.DataFrame,
    cases: pd.DataFrame,
    by: str,
    baseline: object,
    *,
    nonparametric: bool = False,
    alpha: float = 0.05,
) -> dict[object, CurveTest]:
    """SPM test of each value of the case parameter ``by`` against ``baseline``, on one quantity.

    ``case_curves`` is indexed by ``case_id`` with 101 columns (one quantity of
    :func:`kneeload.plotting.cycle_curves`). Paired when every case of a group has exactly one
    baseline case with the same other parameters, else two-sample. With several groups each test
    runs at ``alpha`` / (number of groups) (Bonferroni) so that the family keeps ``alpha``.
    """
    done = cases[cases["case_id"].isin(case_curves.index)]
    groups = [v for v in pd.unique(done[by]) if v != baseline]
    level = alpha / max(len(groups), 1)
    tests: dict[object, CurveTest] = {}
    for group in groups:
        pairs = pair_cases(done, by, group, baseline)
        if pairs is not None:
            a_ids, b_ids = list(pairs["case_id_a"]), list(pairs["case_id_b"])
        else:
            a_ids = list(done.loc[done[by] == group, "case_id"])
            b_ids = list(done.loc[done[by] == baseline, "case_id"])
        tests[group] = curve_test(
            case_curves.loc[a_ids].to_numpy(dtype=float),
            case_curves.loc[b_ids].to_numpy(dtype=float),
            paired=pairs is not None,
            nonparametric=nonparametric,
            alpha=level,
        )
    return tests


def format_test(quantity: str, group: object, result: CurveTest) -> str:
    """One line per test: its kind, n, threshold and significant clusters (start-end %, p)."""
    kind = ("SnPM " if result.nonparametric else "SPM ") + (
        "paired t" if result.test == "ttest_paired" else "two-sample t"
    )
    n = f"n={result.n_a}" if result.test == "ttest_paired" else f"n={result.n_a}/{result.n_b}"
    found = ", ".join(
        f"{c.start_pct:.1f}-{c.end_pct:.1f} % ({'higher' if c.sign > 0 else 'lower'}, p={c.p:.3g})"
        for c in result.clusters
    )
    return (
        f"{quantity} {group}: {kind}, {n}, alpha {result.alpha:.3g}, "
        f"|t| > {result.threshold:.2f}: {found or 'no significant region'}"
    )


def spm_masks(
    results: Mapping[str, pd.DataFrame],
    quantities: Sequence[str],
    by: str,
    baseline: object,
    *,
    nonparametric: bool = False,
    alpha: float = 0.05,
) -> tuple[dict[str, np.ndarray], list[str]]:
    """For ``kneeload compare``: per quantity, where any group differs from the baseline
    (:func:`group_tests` on a results folder's tables), as a mask over the 101 nodes of percent
    cycle, and one report line per test. A quantity that cannot be tested (too few cases, zero
    variance) gets no mask and a line saying why."""
    from kneeload.plotting import cycle_curves

    per_case = cycle_curves(results["curves"], quantities)
    masks: dict[str, np.ndarray] = {}
    lines: list[str] = []
    for quantity in quantities:
        try:
            tests = group_tests(
                per_case[quantity],
                results["cases"],
                by,
                baseline,
                nonparametric=nonparametric,
                alpha=alpha,
            )
        except InputError as error:
            lines.append(f"{quantity}: no SPM test: {error}")
            continue
        masks[quantity] = np.logical_or.reduce([t.significant for t in tests.values()])
        lines += [format_test(quantity, group, test) for group, test in tests.items()]
    return masks, lines
