"""Compare the groups of a results folder against a baseline value of one case parameter
(e.g. backward against forward walking): difference and ratio curves over the gait cycle and a
table of peak ratios with 95 % confidence intervals.

Peaks are the maxima of each case's stride-averaged curve (:func:`kneeload.plotting.cycle_curves`).
Cases of a group are paired with the baseline case that has the same value of every other
parameter; when a stratum has at least two such pairs only the pairs are used, else all cases
are compared unpaired. Ratios are computed on the log scale and transformed back (Bland &
Altman 1996, BMJ 312:1079, "Transformations, means, and confidence intervals"):

- paired: the geometric mean of the per-pair ratios, with a Student t interval of the mean
  log-ratio (n - 1 degrees of freedom);
- unpaired: the ratio of geometric means, with a Welch (1947, Biometrika 34:28-35) t interval
  of the difference of mean logs (Welch-Satterthwaite degrees of freedom).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kneeload.exceptions import InputError
from kneeload.plotting import (
    PERCENT_GRID,
    GroupCurve,
    check_grouping,
    check_names,
    cycle_curves,
    default_quantities,
    format_value,
    group_curves,
    groupable_parameters,
    mask_runs,
    parameters_of,
    quantities_of,
    quantity_label,
)

#: confidence level of the peak-ratio intervals
CONFIDENCE = 0.95
#: the ratio curve is left out (NaN) where |baseline mean| is below this fraction of its maximum
RATIO_FLOOR = 0.05
#: method names in the peak-ratio table
PAIRED = "paired t on log-ratios (Bland & Altman 1996)"
UNPAIRED = "Welch t on log peaks (Welch 1947)"


@dataclass(frozen=True)
class Comparison:
    """Result of :func:`compare_results`.

    ``curves``: quantity, group, percent_cycle, baseline_mean, group_mean, difference, ratio.
    ``peaks``: quantity, group, stratum, pairing, n_group, n_baseline, baseline_peak_mean,
    group_peak_mean, ratio, ci_low, ci_high, method. ``groups``: per quantity, the mean ± SD
    curves of the baseline (first) and each group, for figures.
    """

    by: str
    baseline: Any
    curves: pd.DataFrame
    peaks: pd.DataFrame
    groups: dict[str, list[GroupCurve]]


def ratio_interval(
    group: np.ndarray, baseline: np.ndarray, paired: bool, confidence: float = CONFIDENCE
) -> tuple[float, float, float]:
    """Ratio of ``group`` to ``baseline`` peaks and its confidence interval (low, high).

    Paired: ``group[i]`` belongs with ``baseline[i]``; geometric mean of the ratios with a t
    interval of the mean log-ratio. Unpaired: ratio of geometric means with a Welch t interval.
    NaN where a peak is not positive; the interval is NaN when it has no degrees of freedom.
    """
    from scipy import stats

    g = np.asarray(group, dtype=float)
    b = np.asarray(baseline, dtype=float)
    if len(g) == 0 or len(b) == 0 or np.any(g <= 0) or np.any(b <= 0):
        return math.nan, math.nan, math.nan
    if paired:
        logs = np.log(g) - np.log(b)
        centre = float(logs.mean())
        if len(logs) < 2:
            return math.exp(centre), math.nan, math.nan
        se = float(logs.std(ddof=1)) / math.sqrt(len(logs))
        df = len(logs) - 1.0
    else:
        lg, lb = np.log(g), np.log(b)
        centre = float(lg.mean() - lb.mean())
        if len(lg) < 2 or len(lb) < 2:
            return math.exp(centre), math.nan, math.nan
        vg, vb = lg.var(ddof=1) / len(lg), lb.var(ddof=1) / len(lb)
        se = math.sqrt(vg + vb)
        denominator = vg**2 / (len(lg) - 1) + vb**2 / (len(lb) - 1)
        df = (vg + vb) ** 2 / denominator if denominator > 0 else len(lg) + len(lb) - 2.0
    half = float(stats.t.ppf(0.5 + confidence / 2.0, df)) * se
    return math.exp(centre), math.exp(centre - half), math.exp(centre + half)


def match_value(source: str | Path, cases: pd.DataFrame, by: str, value: str) -> Any:
    """The value of parameter ``by`` in ``cases`` written as ``value`` (``10`` matches 10.0)."""
    present = list(pd.unique(cases[by]))
    for candidate in present:
        if str(candidate) == value:
            return candidate
        if isinstance(candidate, float | int | np.number) and not isinstance(candidate, bool):
            try:
                if float(value) == float(candidate):
                    return candidate
            except ValueError:
                pass
    shown = ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in present)
    raise InputError(source, "--baseline", f"a value of {by} in the results: {shown}", repr(value))


def _strata(cases: pd.DataFrame, by: str) -> list[tuple[str, pd.Series]]:
    """("all", everything), then one stratum per value of each other groupable parameter."""
    strata: list[tuple[str, pd.Series]] = [("all", pd.Series(True, index=cases.index))]
    for parameter in groupable_parameters(cases):
        if parameter == by:
            continue
        for value in sorted(pd.unique(cases[parameter])):
            label = f"{parameter}={value:g}" if isinstance(value, float) else f"{parameter}={value}"
            strata.append((label, cases[parameter] == value))
    return strata


def _peak_rows(
    peaks: pd.DataFrame, cases: pd.DataFrame, by: str, baseline: Any, group: Any, quantity: str
) -> list[dict[str, Any]]:
    """Peak-ratio rows of one group and quantity, one per stratum."""
    others = [p for p in parameters_of(cases) if p != by]
    rows = []
    for label, mask in _strata(cases, by):
        inside = cases[mask]
        base = inside[inside[by] == baseline]
        other = inside[inside[by] == group]
        pairs = other.merge(base, on=others, suffixes=("_g", "_b")) if others else other.iloc[:0]
        paired = len(pairs) >= 2
        if paired:
            g = peaks.loc[pairs["case_id_g"], quantity].to_numpy()
            b = peaks.loc[pairs["case_id_b"], quantity].to_numpy()
        else:
            g = peaks.loc[other["case_id"], quantity].to_numpy()
            b = peaks.loc[base["case_id"], quantity].to_numpy()
        ratio, low, high = ratio_interval(g, b, paired)
        rows.append(
            {
                "quantity": quantity,
                "group": group,
                "stratum": label,
                "pairing": "paired" if paired else "unpaired",
                "n_group": len(g),
                "n_baseline": len(b),
                "baseline_peak_mean": float(b.mean()) if len(b) else math.nan,
                "group_peak_mean": float(g.mean()) if len(g) else math.nan,
                "ratio": ratio,
                "ci_low": low,
                "ci_high": high,
                "method": PAIRED if paired else UNPAIRED,
            }
        )
    return rows


def compare_results(
    results: Mapping[str, pd.DataFrame],
    by: str,
    baseline: str,
    quantities: Sequence[str] = (),
    source: str | Path = "results",
) -> Comparison:
    """Compare every value of the case parameter ``by`` against the ``baseline`` value.

    ``results`` are the tables of :func:`kneeload.sweep.load_results`; quantities default to
    :data:`kneeload.plotting.DEFAULT_QUANTITIES`. Unknown names and an absent baseline value raise
    InputError naming ``source``.
    """
    cases, curves = results["cases"], results["curves"]
    curves = curves[curves["case_id"].isin(cases["case_id"])]  # a subset of the cases
    check_grouping(source, cases, [by])
    if curves.empty:
        raise InputError(source, "curves", "at least one case that did not fail", "none")
    chosen = list(quantities) or default_quantities(curves)
    check_names(source, "--quantity", chosen, quantities_of(curves))
    per_case = cycle_curves(curves, chosen)
    done = cases[cases["case_id"].isin(per_case[chosen[0]].index)].reset_index(drop=True)
    base_value = match_value(source, done, by, baseline)
    others = [v for v in pd.unique(done[by]) if v != base_value]
    if not others:
        raise InputError(
            source,
            "--by",
            "a parameter with values other than the baseline",
            f"{by}={baseline} only",
        )
    curve_rows, peak_rows, groups = [], [], {}
    for quantity in chosen:
        table = per_case[quantity]
        peaks = pd.DataFrame({quantity: table.max(axis=1)})
        grouped = {c.values[0]: c for c in group_curves(table, done, [by])}
        reference = grouped[base_value]
        groups[quantity] = [reference] + [grouped[v] for v in others]
        floor = RATIO_FLOOR * np.nanmax(np.abs(reference.mean))
        for value in others:
            mean = grouped[value].mean
            with np.errstate(invalid="ignore", divide="ignore"):
                ratio = np.where(np.abs(reference.mean) >= floor, mean / reference.mean, np.nan)
            curve_rows.append(
                pd.DataFrame(
                    {
                        "quantity": quantity,
                        "group": value,
                        "percent_cycle": PERCENT_GRID,
                        "baseline_mean": reference.mean,
                        "group_mean": mean,
                        "difference": mean - reference.mean,
                        "ratio": ratio,
                    }
                )
            )
            peak_rows += _peak_rows(peaks, done, by, base_value, value, quantity)
    return Comparison(
        by, base_value, pd.concat(curve_rows, ignore_index=True), pd.DataFrame(peak_rows), groups
    )


def plot_comparison(
    comparison: Comparison, significant: Mapping[str, np.ndarray] | None = None
) -> Any:
    """One row per quantity: mean ± SD of the baseline and each group, the difference and the
    ratio (group mean / baseline mean) against % gait cycle; ``significant`` regions shaded."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    quantities = list(comparison.groups)
    figure, axes = plt.subplots(
        len(quantities), 3, figsize=(14, 2.8 * len(quantities)), sharex=True, squeeze=False
    )
    for row, quantity in zip(axes, quantities, strict=True):
        for ax in row:
            if significant is not None and quantity in significant:
                for start, end in mask_runs(significant[quantity]):
                    ax.axvspan(start, end, color="0.85", zorder=0, linewidth=0)
        for curve in comparison.groups[quantity]:
            (line,) = row[0].plot(
                PERCENT_GRID, curve.mean, label=f"{curve.label} (n={curve.n_cases})"
            )
            if curve.n_cases > 1:
                row[0].fill_between(
                    PERCENT_GRID,
                    curve.mean - curve.sd,
                    curve.mean + curve.sd,
                    color=line.get_color(),
                    alpha=0.2,
                    linewidth=0,
                )
        table = comparison.curves[comparison.curves["quantity"] == quantity]
        for index, (value, part) in enumerate(table.groupby("group", sort=False)):
            colour = f"C{index + 1}"
            row[1].plot(part["percent_cycle"], part["difference"], color=colour, label=str(value))
            row[2].plot(part["percent_cycle"], part["ratio"], color=colour, label=str(value))
        row[0].set_ylabel(quantity_label(quantity), fontsize="small")
        unit = quantity_label(quantity).rpartition("[")[2].rstrip("]")
        row[1].set_ylabel(f"difference [{unit}]", fontsize="small")
        row[2].set_ylabel("ratio to baseline [-]", fontsize="small")
        low, high = row[2].get_ylim()
        row[2].set_ylim(max(low, -2.0), min(high, 4.0))  # near-zero baselines blow ratios up
        row[1].axhline(0.0, color="0.6", linewidth=0.8)
        row[2].axhline(1.0, color="0.6", linewidth=0.8)
    for ax in axes[-1]:
        ax.set_xlabel("% gait cycle")
        ax.set_xlim(0.0, 100.0)
    axes[0][0].legend(fontsize="x-small")
    axes[0][0].set_title("mean ± SD")
    axes[0][1].set_title(f"group − baseline ({comparison.by}={comparison.baseline})")
    axes[0][2].set_title("group mean / baseline mean")
    figure.tight_layout()
    return figure


def format_peaks(peaks: pd.DataFrame) -> str:
    """The peak-ratio table as aligned text, one row per quantity, group and stratum."""
    lines = [f"{'quantity':<24} {'group':<10} {'stratum':<22} {'n':>7}  {'ratio':>6}  95 % CI"]
    for row in peaks.to_dict("records"):
        paired = row["pairing"] == "paired"
        n = f"{row['n_group']}" if paired else f"{row['n_group']}/{row['n_baseline']}"
        low, high = float(row["ci_low"]), float(row["ci_high"])
        ci = f"{low:.3f}–{high:.3f}" if math.isfinite(low) else "n/a"
        lines.append(
            f"{row['quantity']:<24} {format_value(row['group']):<10} {row['stratum']:<22} "
            f"{n:>7}  {float(row['ratio']):6.3f}  {ci}  {row['pairing']}"
        )
    return "\n".join(lines)


def default_output(results_dir: str | Path, comparison: Comparison) -> Path:
    """``DIR/compare/<by>_vs_<baseline>``."""
    value = comparison.baseline
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return Path(results_dir) / "compare" / f"{comparison.by}_vs_{text}"


def write_comparison(
    comparison: Comparison,
    out_dir: str | Path,
    significant: Mapping[str, np.ndarray] | None = None,
) -> list[Path]:
    """Write ``peak_ratios.csv``, ``ratio_curves.csv`` and ``comparison.png`` into ``out_dir``,
    each atomically. Returns the paths."""
    from kneeload.io.results import write_table
    from kneeload.plotting import figure_png, write_atomic

    out = Path(out_dir)
    return [
        write_table(comparison.peaks, out / "peak_ratios.csv"),
        write_table(comparison.curves, out / "ratio_curves.csv"),
        write_atomic(figure_png(plot_comparison(comparison, significant)), out / "comparison.png"),
    ]
