"""One self-contained ``report.html`` of a results folder: the scenario, mean ± SD curves
(figures embedded as base64 PNG), peak values per group, peak ratios against a baseline, run
facts (versions, timings, failures) and a short guide for clinicians. No external assets: it
opens offline in any browser and can be sent as one file.
"""

from __future__ import annotations

import base64
import html
import json
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from kneeload.compare import compare_results
from kneeload.plotting import (
    MAX_FIGURE_CASES,
    default_groupings,
    draw_figures,
    figure_png,
    format_value,
    load_curves,
    write_atomic,
)

#: per-case summary columns tabulated per group: column -> heading with unit
SUMMARY_COLUMNS: dict[str, str] = {
    "peak_tf_compressive_bw": "peak tibiofemoral compression [BW]",
    "peak_pf_force_bw": "peak patellofemoral force [BW]",
    "peak_knee_extensor_moment_nm_kg": "peak knee extensor moment [N·m/kg]",
    "peak_quadriceps_activation": "peak quadriceps activation [-]",
    "peak_grf_vertical_bw": "peak vertical GRF [BW]",
    "tf_compressive_impulse_bw_s": "tibiofemoral impulse per step [BW·s]",
    "tf_compressive_cumulative_bw_s_per_km": "tibiofemoral cumulative load [BW·s/km]",
}

HOW_TO_READ = """
<ul>
<li><b>Units.</b> Forces are in body weights (BW): 3 BW on the knee of a 70 kg person is about
2.1 kN. Moments are in N·m per kg of body mass. Activations run from 0 (silent) to 1 (maximal).</li>
<li><b>Curves.</b> The x axis is the gait cycle, 0&ndash;100 %, from the foot's first contact
(the toe in backward walking) to the next contact of the same foot; stance comes first, swing
after. Each line is the mean of a group of cases, the shaded band &plusmn; 1 standard deviation
across the cases of that group (their speeds, grades, body sizes: not trial-to-trial noise).</li>
<li><b>Peak ratios.</b> A ratio of 1.20 means the group's peak is 20 % higher than the
baseline's. The 95 % interval shows how consistent the ratio is across the swept or sampled cases;
an interval that excludes 1 means the difference holds across them. These are model estimates
from generated gait, not measurements of a patient.</li>
<li><b>Tibiofemoral</b> compression is the load through the knee joint surfaces;
<b>patellofemoral</b> force presses the kneecap onto the femur and rises with knee flexion and
quadriceps force, which is why it matters for anterior knee pain.</li>
</ul>
"""

_STYLE = """
body { font-family: sans-serif; max-width: 72em; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.4; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #bbb; padding: 0.2em 0.5em; text-align: right; }
th { background: #eee; }
img { max-width: 100%; }
pre { background: #f5f5f5; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
.note { color: #555; font-size: 0.9em; }
"""


def _image(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'


def _table(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, border=0, float_format=lambda v: f"{v:.3g}", na_rep="–")


def _read_text(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _group_summary(results: dict[str, pd.DataFrame], by: tuple[str, ...]) -> pd.DataFrame:
    """Mean (SD) of :data:`SUMMARY_COLUMNS` per group of cases, with the number of cases."""
    summary = results["summary"]
    columns = [c for c in SUMMARY_COLUMNS if c in summary.columns]
    merged = results["cases"].merge(summary[["case_id", *columns]], on="case_id")
    grouped = merged.groupby(list(by), sort=True) if by else merged.groupby(lambda _: "all")
    rows = []
    for key, part in grouped:
        keys = key if isinstance(key, tuple) else (key,)
        row: dict[str, Any] = {p: format_value(v) for p, v in zip(by, keys, strict=True)}
        row["cases"] = len(part)
        for column in columns:
            values = part[column].dropna()
            digits = 0 if values.abs().max() >= 100 else 2
            sd = f" ({values.std(ddof=1):.{digits}f})" if len(values) > 1 else ""
            row[SUMMARY_COLUMNS[column]] = f"{values.mean():.{digits}f}{sd}" if len(values) else "–"
        rows.append(row)
    return pd.DataFrame(rows)


def _direction_comparison(results: dict[str, pd.DataFrame]) -> tuple[str, str] | None:
    """(png, table html) of backward against forward when both directions were run."""
    from kneeload.compare import plot_comparison

    directions = set(results["cases"].get("direction", pd.Series(dtype=str)).unique())
    if not {"forward", "backward"} <= directions:
        return None
    comparison = compare_results(results, "direction", "forward")
    table = comparison.peaks.drop(columns=["method"]).rename(
        columns={"ci_low": "95 % CI low", "ci_high": "95 % CI high"}
    )
    figure = _image(figure_png(plot_comparison(comparison)), "backward against forward")
    methods = ", ".join(sorted(set(comparison.peaks["method"])))
    return figure, _table(table) + f'<p class="note">Intervals: {html.escape(methods)}.</p>'


def render_report(
    results_dir: str | Path, figures: Sequence[tuple[str, str, bytes]] | None = None
) -> str:
    """The report page of a results folder as one HTML string (see :func:`write_report`);
    ``figures``: the folder's :func:`~kneeload.plotting.draw_figures`, drawn here if not given."""
    from kneeload.sweep import load_results

    out = Path(results_dir)
    results, quantities, note = load_curves(out, max_cases=MAX_FIGURE_CASES)
    if figures is None:
        figures = draw_figures(results, quantities, note)
    results["summary"] = load_results(out, ("summary",))["summary"]
    scenario_text = _read_text(out / "scenario.toml")
    manifest_text = _read_text(out / "manifest.json")
    manifest: dict[str, Any] = json.loads(manifest_text) if manifest_text else {}
    meta: dict[str, Any] = {}
    if scenario_text:
        try:
            meta = tomllib.loads(scenario_text).get("meta", {})
        except tomllib.TOMLDecodeError:
            meta = {}
    name = str(meta.get("name", out.name))
    cases, curves = results["cases"], results["curves"]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>kneeload report: {html.escape(name)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>Knee loads: {html.escape(name)}</h1>",
    ]
    if meta.get("description"):
        parts.append(f"<p>{html.escape(str(meta['description']))}</p>")
    n_failed = int(manifest.get("n_failed", 0))
    parts.append(
        f"<p>{len(cases)} cases, {n_failed} failed; "
        f"{html.escape(str(manifest.get('started_utc', 'start time unknown')))}.</p>"
    )
    parts += ["<h2>How to read this report</h2>", HOW_TO_READ]
    if curves.empty:
        parts.append("<p>No case produced curves: see the failures below.</p>")
    else:
        if note:
            parts.append(f'<p class="note">Curves and ratios from {html.escape(note)}.</p>')
        groupings = default_groupings(cases)
        parts.append("<h2>Load curves over the gait cycle</h2>")
        for _, title, png in figures:
            parts += [f"<h3>{html.escape(title)}</h3>", _image(png, title)]
        if not results["summary"].empty:
            by: tuple[str, ...] = ("direction", "grade_pct")
            if by not in groupings:
                by = max(groupings, key=len)
            parts.append("<h2>Peak values per group: mean (SD across cases)</h2>")
            parts.append(_table(_group_summary(results, by)))
        comparison = _direction_comparison(results)
        if comparison is not None:
            parts.append("<h2>Backward against forward walking</h2>")
            parts.append(
                '<p class="note">Peak ratio = backward peak / forward peak of the same speed, '
                "grade and subject (geometric mean over pairs), per stratum.</p>"
            )
            parts += [comparison[1], comparison[0]]
    parts.append("<h2>Run</h2>")
    facts = {
        key: manifest[key]
        for key in ("git_revision", "elapsed_s", "cases_per_s", "n_cases", "n_failed", "complete")
        if key in manifest
    }
    if facts:
        parts.append(_table(pd.DataFrame([facts])))
    if manifest.get("versions"):
        versions = pd.DataFrame(list(manifest["versions"].items()), columns=["package", "version"])
        parts.append(_table(versions))
    if manifest.get("failures"):
        parts += ["<h3>Failed cases</h3>", _table(pd.DataFrame(manifest["failures"]))]
    if scenario_text:
        parts += ["<h2>Scenario</h2>", f"<pre>{html.escape(scenario_text)}</pre>"]
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(
    results_dir: str | Path,
    out: str | Path | None = None,
    figures: Sequence[tuple[str, str, bytes]] | None = None,
) -> Path:
    """Write the report of a results folder to ``out`` (default ``DIR/report.html``),
    atomically; returns its path. ``figures`` as :func:`render_report`."""
    page = render_report(results_dir, figures)
    path = Path(out) if out is not None else Path(results_dir) / "report.html"
    return write_atomic(page.encode("utf-8"), path)
