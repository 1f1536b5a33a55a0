"""The validation report: one Markdown page with a summary table and, per check, its target,
measured figures, pass/fail and a figure of our curve over the reference curve."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kneeload.validation import CheckResult


def _figure(result: CheckResult, folder: Path) -> str | None:
    """Draw ``result``'s curves to ``folder/<name>.png``; returns the file name."""
    if not result.curves:
        return None
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from kneeload.plotting import save_figure

    figure, axes = plt.subplots(
        len(result.curves), 1, figsize=(8, 2.8 * len(result.curves)), squeeze=False
    )
    for ax, curve in zip(axes[:, 0], result.curves, strict=True):
        ax.plot(curve.x, curve.reference, color="0.3", linewidth=2.0, label="reference")
        ax.plot(curve.x, curve.ours, color="tab:red", linewidth=1.2, label="kneeload")
        ax.set_title(curve.label, fontsize="medium")
        ax.set_xlabel(curve.x_label)
        ax.set_ylabel(curve.y_label)
        ax.legend(fontsize="small")
    figure.suptitle(f"{result.name}: {'pass' if result.passed else 'FAIL'}")
    figure.tight_layout()
    name = f"{result.name}.png"
    save_figure(figure, folder / name)
    return name


def write_report(results: Sequence[CheckResult], folder: str | Path, data_dir: Path) -> Path:
    """Write ``folder/report.md`` (and one PNG per check); returns the report's path.

    The report is written to a temporary name and renamed, so a stopped run leaves no half
    report.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    passed = sum(r.passed for r in results)
    lines = [
        "# kneeload validation report",
        "",
        f"Data: `{data_dir}`. {passed} of {len(results)} checks meet their targets.",
        "",
        "| check | rung | target | result |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {r.name} | {r.rung} | {r.target} | {'pass' if r.passed else '**FAIL**'} |"
        for r in results
    ]
    for r in results:
        lines += ["", f"## {r.name}: {'pass' if r.passed else 'FAIL'}", "", f"*{r.rung}*", ""]
        lines += [f"- Target: {r.target}", f"- Data: {r.data}"]
        lines += [f"- {key} = {value:.4g}" for key, value in r.figures.items()]
        lines += [f"- Note: {note}" for note in r.notes]
        figure = _figure(r, out)
        if figure is not None:
            lines += ["", f"![{r.name}]({figure})"]
    report = out / "report.md"
    partial = report.with_suffix(".md.partial")
    partial.write_text("\n".join(lines) + "\n", encoding="utf-8")
    partial.replace(report)
    return report
