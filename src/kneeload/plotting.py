"""Figures of analysis results and of results folders (mean ± SD curves over the gait cycle by
group). matplotlib is imported only inside these functions, with the Agg backend."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kneeload._checks import closest_name
from kneeload.exceptions import InputError
from kneeload.io.results import atomic_path

#: panels of :func:`plot_trial`: column, axis label
TRIAL_PANELS: tuple[tuple[str, str], ...] = (
    ("knee_flexion_deg", "knee flexion [deg]"),
    ("knee_moment_nm_kg", "knee moment, extensor + [N·m/kg]"),
    ("quadriceps_activation", "quadriceps (vasti) activation [-]"),
    ("tf_compressive_bw", "tibiofemoral compression [BW]"),
    ("pf_stress_mpa", "patellofemoral stress [MPa]"),
    ("grf_vertical_bw", "vertical GRF [BW]"),
)


def plot_trial(table: pd.DataFrame, title: str = "", axes: Any = None) -> Any:
    """Per-stride curves of the main knee quantities against % gait cycle.

    Frames outside whole strides are drawn against time instead when the trial has no whole
    stride; panels whose column the table lacks are left out. Returns the matplotlib Figure.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    panels = [(column, label) for column, label in TRIAL_PANELS if column in table.columns]
    if axes is None:
        rows = (len(panels) + 1) // 2
        figure, axes = plt.subplots(rows, 2, figsize=(10, 3.2 * rows), sharex=True, squeeze=False)
    else:
        figure = axes.flat[0].figure
    strides = sorted(s for s in table["stride"].unique() if s > 0)
    for ax, (column, label) in zip(axes.flat, panels, strict=False):
        if strides:
            for stride in strides:
                rows = table[table["stride"] == stride]
                ax.plot(rows["percent_cycle"], rows[column], label=f"stride {stride}")
            ax.set_xlabel("gait cycle [%]")
        else:
            ax.plot(table["time_s"], table[column])
            ax.set_xlabel("time [s]")
        ax.set_ylabel(label)
        ax.axhline(0.0, color="0.7", linewidth=0.8)
    if strides:
        axes.flat[0].legend(fontsize="small")
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def save_figure(figure: Any, path: str | Path) -> Path:
    """Save a figure (format from the suffix) and close it."""
    import matplotlib.pyplot as plt

    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(p, dpi=120)
    plt.close(figure)
    return p


# --- results folders of ``kneeload run``: mean ± SD curves over the gait cycle by group ---

#: points of the common % gait cycle grid every case is resampled to (0, 1, ..., 100 %)
CYCLE_POINTS = 101
#: the common grid [% gait cycle]
PERCENT_GRID: np.ndarray = np.linspace(0.0, 100.0, CYCLE_POINTS)

#: curve column -> axis label with its unit (BW and N·m/kg: body weight, per kg body mass)
QUANTITY_LABELS: dict[str, str] = {
    "tf_compressive_bw": "tibiofemoral compression [BW]",
    "pf_force_bw": "patellofemoral force [BW]",
    "knee_moment_nm_kg": "knee moment, extensor + [N·m/kg]",
    "quadriceps_activation": "quadriceps activation [-]",
    "grf_vertical_bw": "vertical GRF [BW]",
    "knee_flexion_deg": "knee flexion [deg]",
    "pf_stress_mpa": "patellofemoral stress [MPa]",
    "knee_adduction_moment_nm_kg": "knee adduction moment [N·m/kg]",
    "knee_adduction_moment_pct_bw_ht": "knee adduction moment [%BW·Ht]",
    "tf_medial_bw": "medial tibiofemoral force [BW]",
    "tf_lateral_bw": "lateral tibiofemoral force [BW]",
    "tf_medial_share": "medial share of tibiofemoral force [-]",
    "hip_moment_nm_kg": "hip moment [N·m/kg]",
    "ankle_moment_nm_kg": "ankle moment [N·m/kg]",
}
#: quantities drawn when none are chosen
DEFAULT_QUANTITIES: tuple[str, ...] = (
    "tf_compressive_bw",
    "pf_force_bw",
    "knee_moment_nm_kg",
    "quadriceps_activation",
    "grf_vertical_bw",
    "knee_flexion_deg",
)
#: a parameter with more distinct values than this (e.g. sampled speeds) is not a default grouping
MAX_GROUPS = 8
#: figures of larger results folders are drawn from a random sample of this many cases
MAX_FIGURE_CASES = 5_000
#: most groups one figure or comparison draws (a sampled, continuous parameter has thousands)
MAX_DRAWN_GROUPS = 24
#: columns of the curves table that are not quantities
_CURVE_INDEX = frozenset({"case_id", "time_s", "stride", "percent_cycle"})


def quantity_label(quantity: str) -> str:
    """Axis label of a curve column, with its unit."""
    return QUANTITY_LABELS.get(quantity, quantity)


def parameters_of(cases: pd.DataFrame) -> list[str]:
    """Case parameters of a cases table (its columns but ``case_id``)."""
    return [c for c in cases.columns if c != "case_id"]


def quantities_of(curves: pd.DataFrame) -> list[str]:
    """Numeric per-frame quantities of a curves table, :data:`DEFAULT_QUANTITIES` first."""
    return default_quantities(curves) + [
        c
        for c in curves.columns
        if c not in DEFAULT_QUANTITIES
        if c not in _CURVE_INDEX
        and pd.api.types.is_numeric_dtype(curves[c])
        and not pd.api.types.is_bool_dtype(curves[c])
    ]


def check_names(
    source: str | Path, field: str, names: Sequence[str], allowed: Sequence[str]
) -> None:
    """InputError for the first of ``names`` not in ``allowed``, with a "did you mean"; a long
    list of allowed names is cut to its first 12."""
    for name in names:
        if name not in allowed:
            hint = closest_name(name, allowed)
            found = repr(name) + (f" (did you mean {hint!r}?)" if hint else "")
            shown = ", ".join(allowed[:12])
            if len(allowed) > 12:
                shown += f", ... ({len(allowed)} in all)"
            raise InputError(source, field, f"one of {shown}", found)


def check_grouping(source: str | Path, cases: pd.DataFrame, by: Sequence[str]) -> None:
    """InputError unless ``by`` are case parameters making at most :data:`MAX_DRAWN_GROUPS`
    groups."""
    check_names(source, "--by", by, parameters_of(cases))
    n_groups = len(cases[list(by)].drop_duplicates()) if by else 1
    if n_groups > MAX_DRAWN_GROUPS:
        raise InputError(
            source,
            "--by",
            f"parameters making at most {MAX_DRAWN_GROUPS} groups (a sampled parameter has a "
            "value per case)",
            f"{' × '.join(by)}: {n_groups} groups",
        )


def default_quantities(curves: pd.DataFrame) -> list[str]:
    """The :data:`DEFAULT_QUANTITIES` the curves table has."""
    return [q for q in DEFAULT_QUANTITIES if q in curves.columns]


def groupable_parameters(cases: pd.DataFrame) -> list[str]:
    """Parameters with 2 to :data:`MAX_GROUPS` distinct values, in table order."""
    return [p for p in parameters_of(cases) if 2 <= cases[p].nunique() <= MAX_GROUPS]


def cycle_curves(curves: pd.DataFrame, quantities: Sequence[str]) -> dict[str, pd.DataFrame]:
    """Each case's curves on the common grid :data:`PERCENT_GRID`, averaged over its strides.

    Every whole stride (``stride`` > 0) is linearly interpolated at 0, 1, ..., 100 % of the gait
    cycle, then the strides of a case are averaged frame by frame. Returns, per quantity, a
    DataFrame indexed by ``case_id`` with one column per grid point (in the quantity's unit).
    """
    whole = curves["stride"].to_numpy() > 0
    codes, case_ids = pd.factorize(curves["case_id"][whole])
    stride = curves["stride"].to_numpy()[whole]
    percent = curves["percent_cycle"].to_numpy(dtype=float)[whole]
    order = np.lexsort((percent, stride, codes))  # by case, stride, then % cycle
    codes, stride, percent = codes[order], stride[order], percent[order]
    new_group = np.ones(len(order), dtype=bool)
    new_group[1:] = (codes[1:] != codes[:-1]) | (stride[1:] != stride[:-1])
    groups = np.cumsum(new_group) - 1
    n_groups = int(groups[-1]) + 1 if len(groups) else 0
    starts = np.searchsorted(groups, np.arange(n_groups), side="left")
    ends = np.searchsorted(groups, np.arange(n_groups), side="right")
    # one sorted key over all strides: stride g's percent p sits at g * 1000 + p
    key = groups * 1000.0 + percent
    target = (np.arange(n_groups)[:, None] * 1000.0 + PERCENT_GRID[None, :]).ravel()
    first = np.repeat(starts, CYCLE_POINTS)
    last = np.repeat(ends, CYCLE_POINTS) - 1
    hi = np.clip(np.searchsorted(key, target, side="left"), first + 1, np.maximum(last, first + 1))
    usable = np.repeat(ends - starts >= 2, CYCLE_POINTS)  # a stride needs 2 frames
    hi = np.where(usable, hi, first)
    lo = np.where(usable, hi - 1, first)
    grid = np.tile(PERCENT_GRID, n_groups)
    span = percent[hi] - percent[lo]  # weights from the percentages, not the large keys
    weight = np.clip(
        np.divide(grid - percent[lo], span, out=np.zeros_like(span), where=span > 0), 0, 1
    )
    case_codes = codes[starts]
    valid_groups = (ends - starts) >= 2
    counts = np.bincount(case_codes[valid_groups], minlength=len(case_ids)).astype(float)
    out: dict[str, pd.DataFrame] = {}
    for quantity in quantities:
        values = curves[quantity].to_numpy(dtype=float)[whole][order]
        per_stride = (values[lo] + weight * (values[hi] - values[lo])).reshape(
            n_groups, CYCLE_POINTS
        )
        sums = np.zeros((len(case_ids), CYCLE_POINTS))
        np.add.at(sums, case_codes[valid_groups], per_stride[valid_groups])
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = sums / counts[:, None]
        frame = pd.DataFrame(mean, index=pd.Index(case_ids, name="case_id"), columns=PERCENT_GRID)
        out[quantity] = frame[counts > 0]
    return out


@dataclass(frozen=True)
class GroupCurve:
    """Mean ± SD over the cases of one group, on :data:`PERCENT_GRID`.

    ``sd`` is the sample standard deviation across cases (ddof 1), NaN for a single case.
    """

    label: str
    values: tuple[Any, ...]
    n_cases: int
    mean: np.ndarray
    sd: np.ndarray


def group_label(by: Sequence[str], values: Sequence[Any]) -> str:
    """``direction=forward, grade_pct=10`` (numbers without trailing zeros)."""
    return ", ".join(f"{p}={format_value(v)}" for p, v in zip(by, values, strict=True))


def format_value(value: Any) -> str:
    """A parameter value for labels: numbers without trailing zeros (10.0 -> 10)."""
    if isinstance(value, float | np.floating):
        return f"{float(value):g}"
    return str(value)


def group_curves(
    case_curves: pd.DataFrame, cases: pd.DataFrame, by: Sequence[str]
) -> list[GroupCurve]:
    """Mean ± SD curves of the cases grouped by the parameters ``by`` (all cases: ``by`` empty).

    ``case_curves`` is one quantity of :func:`cycle_curves`; cases without curves (failed) are
    left out. Groups come in sorted order of their parameter values.
    """
    keyed = cases.set_index("case_id").loc[case_curves.index]
    result: list[GroupCurve] = []
    if not by:
        partitions: list[tuple[tuple[Any, ...], pd.Index]] = [((), keyed.index)]
    else:
        partitions = [
            (key if isinstance(key, tuple) else (key,), part.index)
            for key, part in keyed.groupby(list(by), sort=True, dropna=False)
        ]
    for values, index in partitions:
        block = case_curves.loc[index].to_numpy(dtype=float)
        n = block.shape[0]
        sd = block.std(axis=0, ddof=1) if n > 1 else np.full(CYCLE_POINTS, np.nan)
        label = group_label(by, values) if by else "all cases"
        result.append(GroupCurve(label, values, n, block.mean(axis=0), sd))
    return result


def mask_runs(mask: np.ndarray) -> list[tuple[float, float]]:
    """(start, end) in % gait cycle of each run of True in a mask over :data:`PERCENT_GRID`."""
    padded = np.concatenate([[False], np.asarray(mask, dtype=bool), [False]])
    edges = np.flatnonzero(np.diff(padded.astype(int)))
    return [
        (float(PERCENT_GRID[a]), float(PERCENT_GRID[min(b - 1, CYCLE_POINTS - 1)]))
        for a, b in zip(edges[::2], edges[1::2], strict=True)
    ]


def plot_groups(
    groups: Mapping[str, Sequence[GroupCurve]],
    significant: Mapping[str, np.ndarray] | None = None,
    title: str = "",
) -> Any:
    """One panel per quantity: a mean line and a ± 1 SD band per group, against % gait cycle.

    ``significant`` maps a quantity to a boolean mask over :data:`PERCENT_GRID` (e.g. SPM
    supra-threshold clusters); its runs are shaded grey. Returns the matplotlib Figure.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    n = len(groups)
    columns = 1 if n == 1 else 2
    rows = (n + columns - 1) // columns
    figure, axes = plt.subplots(
        rows, columns, figsize=(5.5 * columns, 3.2 * rows), sharex=True, squeeze=False
    )
    for ax, (quantity, curves) in zip(axes.flat, groups.items(), strict=False):
        for regions in (
            mask_runs(significant[quantity]) if significant and quantity in significant else []
        ):
            ax.axvspan(regions[0], regions[1], color="0.85", zorder=0, linewidth=0)
        for curve in curves:
            (line,) = ax.plot(PERCENT_GRID, curve.mean, label=f"{curve.label} (n={curve.n_cases})")
            if curve.n_cases > 1:
                ax.fill_between(
                    PERCENT_GRID,
                    curve.mean - curve.sd,
                    curve.mean + curve.sd,
                    color=line.get_color(),
                    alpha=0.2,
                    linewidth=0,
                )
        ax.set_ylabel(quantity_label(quantity))
        ax.set_xlim(0.0, 100.0)
        ax.axhline(0.0, color="0.7", linewidth=0.8)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("% gait cycle")
    axes.flat[0].legend(fontsize="small")
    figure.suptitle(title + ("\nshaded: significant regions" if significant else ""))
    figure.tight_layout()
    return figure


def plot_results(
    results: Mapping[str, pd.DataFrame],
    by: Sequence[str] = (),
    quantities: Sequence[str] = (),
    significant: Mapping[str, np.ndarray] | None = None,
    source: str | Path = "results",
) -> Any:
    """Mean ± SD curves of a results folder's tables (:func:`kneeload.sweep.load_results`)
    grouped by the case parameters ``by``; quantities default to :data:`DEFAULT_QUANTITIES`.
    Unknown names raise InputError naming ``source``."""
    cases, curves = results["cases"], results["curves"]
    check_grouping(source, cases, by)
    if curves.empty:
        raise InputError(source, "curves", "at least one case that did not fail", "none")
    chosen = list(quantities) or default_quantities(curves)
    check_names(source, "--quantity", chosen, quantities_of(curves))
    per_case = cycle_curves(curves, chosen)
    groups = {q: group_curves(per_case[q], cases, by) for q in chosen}
    title = "mean ± SD by " + " × ".join(by) if by else "mean ± SD over all cases"
    return plot_groups(groups, significant, title)


def figure_png(figure: Any) -> bytes:
    """A figure as PNG bytes (closes it)."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    return buffer.getvalue()


def default_groupings(cases: pd.DataFrame) -> list[tuple[str, ...]]:
    """Groupings drawn for a results folder: each groupable parameter alone, then ``direction``
    crossed with each other one (at most 12 groups); all cases together when nothing varies."""
    single = groupable_parameters(cases)
    groupings: list[tuple[str, ...]] = [(p,) for p in single]
    groupings += [
        ("direction", p)
        for p in single
        if "direction" in single
        and p != "direction"
        and cases[["direction", p]].drop_duplicates().shape[0] <= 12
    ]
    return groupings or [()]


def load_curves(
    results_dir: str | Path,
    quantities: Sequence[str] = (),
    max_cases: int | None = None,
    seed: int = 0,
) -> tuple[dict[str, pd.DataFrame], list[str], str]:
    """The cases of a results folder and the curves of only the quantities needed (default
    :data:`DEFAULT_QUANTITIES`), read through :func:`kneeload.sweep.load_results`.

    Quantity names are checked first (InputError with a "did you mean"). With ``max_cases``, a
    folder with more cases is represented by a random sample of that many (``seed``), which keeps
    memory bounded for sweeps of 10⁵-10⁶ cases. Returns the tables (``cases``, ``curves``), the
    quantities and a note saying what was sampled ("" when nothing was).
    """
    from kneeload.sweep import load_results

    out = Path(results_dir)
    cases = load_results(out, ("cases",))["cases"]
    summary = load_results(out, ("summary",))["summary"]
    done = cases["case_id"]
    if "failure" in summary.columns:
        done = summary.loc[summary["failure"].isna(), "case_id"]
    first = load_results(out, ("curves",), cases=list(done.iloc[:1]))["curves"]
    if first.empty:  # every case failed: no curves, and nothing to check names against
        return {"cases": cases, "curves": first}, list(quantities), ""
    chosen = list(quantities) or default_quantities(first)
    check_names(out, "--quantity", chosen, quantities_of(first))
    picked, note = None, ""
    if max_cases is not None and len(done) > max_cases:
        picked = sample_cases(cases[cases["case_id"].isin(done)], max_cases, seed)
        note = f"a random sample of {len(picked)} of {len(done)} cases, seed {seed}"
    columns = ["stride", "percent_cycle", *chosen]
    curves = load_results(out, ("curves",), columns=columns, cases=picked)["curves"]
    return {"cases": cases, "curves": curves}, chosen, note


def sample_cases(cases: pd.DataFrame, max_cases: int, seed: int = 0) -> list[str]:
    """About ``max_cases`` case ids drawn at random (``seed``), keeping together the cases that
    share their sampled parameters (those with more than :data:`MAX_GROUPS` values, e.g. one
    subject's speed, mass and height walked in both directions), so comparisons stay paired."""
    sampled = [p for p in parameters_of(cases) if cases[p].nunique() > MAX_GROUPS]
    rng = np.random.default_rng(seed)
    if not sampled:
        return list(cases["case_id"].iloc[np.sort(rng.permutation(len(cases))[:max_cases])])
    draw = cases.groupby(sampled, sort=False, dropna=False).ngroup().to_numpy()
    sizes = np.bincount(draw)
    order = rng.permutation(len(sizes))
    kept = order[: max(1, int(np.searchsorted(np.cumsum(sizes[order]), max_cases, "right")))]
    return list(cases["case_id"][np.isin(draw, kept)])


def draw_figures(
    results: Mapping[str, pd.DataFrame], quantities: Sequence[str], note: str = ""
) -> list[tuple[str, str, bytes]]:
    """(file stem, title, PNG) of the mean ± SD curves of each default grouping of a results
    folder's tables as :func:`load_curves` returns them (``note``: what was sampled, added to the
    titles); [] when no case has curves. Drawn once and shared by ``DIR/figures`` and the report."""
    if results["curves"].empty:
        return []
    per_case = cycle_curves(results["curves"], quantities)
    drawn = []
    for by in default_groupings(results["cases"]):
        groups = {q: group_curves(per_case[q], results["cases"], by) for q in quantities}
        title = "mean ± SD by " + " × ".join(by) if by else "mean ± SD over all cases"
        title += f" ({note})" if note else ""
        name = "by_" + "_x_".join(by) if by else "all_cases"
        drawn.append((name, title, figure_png(plot_groups(groups, None, title))))
    return drawn


def write_figures(
    results_dir: str | Path, figures: Sequence[tuple[str, str, bytes]] | None = None
) -> list[Path]:
    """Write ``DIR/figures/<stem>.png`` (each to a temporary name, then renamed) of
    :func:`draw_figures` (drawn from the folder, at most :data:`MAX_FIGURE_CASES` sampled cases,
    unless given). Returns the paths."""
    out = Path(results_dir)
    if figures is None:
        figures = draw_figures(*load_curves(out, max_cases=MAX_FIGURE_CASES))
    return [write_atomic(png, out / "figures" / f"{name}.png") for name, _, png in figures]


def write_atomic(data: bytes, path: Path) -> Path:
    """Write bytes (a PNG, a page) to ``path`` atomically: a temporary name in the same folder,
    then a rename."""
    with atomic_path(path) as temporary:
        temporary.write_bytes(data)
    return path
