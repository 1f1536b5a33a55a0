"""Write one benchmark run to ``benchmarks/results/``: CSV, Markdown and a plot.

Files are written to a temporary name and renamed, so a run that fails leaves the previous
results whole.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

FIELDS = (
    "stage",
    "implementation",
    "cycles",
    "frames",
    "seconds",
    "frames_per_s",
    "cycles_per_s",
    "ratio",
    "peak_mib",
    "chunked",
)


def _replace(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _csv(rows: list[dict[str, object]]) -> str:
    lines: list[str] = []

    class _Sink:
        def write(self, s: str) -> None:
            lines.append(s)

    writer = csv.DictWriter(_Sink(), FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _plain(row.get(k)) for k in FIELDS})
    return "".join(lines)


def _plain(value: object) -> object:
    if isinstance(value, float):
        return f"{value:.6g}"
    return "" if value is None else value


def _throughput_md(rows: list[dict[str, object]]) -> list[str]:
    lines = [
        "| stage | cycles | kneeload s | frames/s | cycles/s | reference s | ratio | peak MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    refs = {(r["stage"], r["cycles"]): r for r in rows if r["implementation"] == "reference"}
    for r in rows:
        if r["implementation"] != "kneeload":
            continue
        ref = refs.get((r["stage"], r["cycles"]))
        ratio = r.get("ratio")
        mib = r.get("peak_mib")
        lines.append(
            f"| {r['stage']} | {r['cycles']:,}{' (chunked)' if r.get('chunked') else ''} "
            f"| {r['seconds']:.4g} | {r['frames_per_s']:,.0f} | {r['cycles_per_s']:,.1f} "
            f"| {'' if ref is None else format(ref['seconds'], '.4g')} "
            f"| {'' if not isinstance(ratio, float) else format(ratio, '.3g') + '×'} "
            f"| {'' if not isinstance(mib, float) else format(mib, ',.1f')} |"
        )
    return lines


def _linearity(rows: list[dict[str, object]]) -> list[str]:
    """Seconds per cycle at the largest batch relative to 100 cycles, per stage."""
    out = []
    for stage in dict.fromkeys(str(r["stage"]) for r in rows):
        mine = [r for r in rows if r["stage"] == stage and r["implementation"] == "kneeload"]
        base = [r for r in mine if r["cycles"] == 100]
        big = max(mine, key=lambda r: int(r["cycles"]))  # type: ignore[call-overload]
        if base and int(big["cycles"]) > 100:  # type: ignore[call-overload]
            per_base = float(base[0]["seconds"]) / 100  # type: ignore[arg-type]
            per_big = float(big["seconds"]) / int(big["cycles"])  # type: ignore[arg-type,call-overload]
            out.append(
                f"- {stage}: {per_big * 1e3:.4g} ms/cycle at {int(big['cycles']):,} cycles vs "  # type: ignore[call-overload]
                f"{per_base * 1e3:.4g} ms/cycle at 100 ({per_big / per_base:.2f}×)"
            )
    return out


def _plot(path: Path, rows: list[dict[str, object]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(11, 4.2))
    for stage in dict.fromkeys(str(r["stage"]) for r in rows):
        for who, style in (("kneeload", "-o"), ("reference", "--x")):
            pts = [r for r in rows if r["stage"] == stage and r["implementation"] == who]
            if pts:
                ax_t.loglog(
                    [r["cycles"] for r in pts],
                    [r["seconds"] for r in pts],
                    style,
                    label=f"{stage} ({'NumPy/SciPy' if who == 'reference' else who})",
                )
        mem = [
            r
            for r in rows
            if r["stage"] == stage and r["implementation"] == "kneeload" and r.get("peak_mib")
        ]
        if mem:
            ax_m.loglog([r["cycles"] for r in mem], [r["peak_mib"] for r in mem], "-o", label=stage)
    ax_t.set(xlabel="batch size [gait cycles of 101 frames]", ylabel="wall time [s]")
    ax_t.set_title("time against batch size")
    ax_m.set(xlabel="batch size [gait cycles of 101 frames]", ylabel="peak traced memory [MiB]")
    ax_m.set_title("memory (batches > 10 000 cycles run in 10 000-cycle chunks)", fontsize=9)
    ax_t.legend(fontsize=7)
    ax_m.legend(fontsize=7)
    for ax in (ax_t, ax_m):
        ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    tmp = path.with_name(path.stem + ".tmp.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    os.replace(tmp, path)


def write(
    folder: Path,
    *,
    machine: str,
    rows: list[dict[str, object]],
    notes: list[str],
    scaling: list[dict[str, object]],
    opensim: tuple[list[dict[str, object]], list[str]],
    commands: list[dict[str, object]],
    compiles: list[dict[str, object]],
    sweep: dict[str, float] | str,
) -> None:
    """Write ``throughput.csv``, ``results.md`` and ``throughput.png`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    _replace(folder / "throughput.csv", _csv(rows))
    md = [
        "# kneeload benchmarks (`python -m benchmarks`)",
        "",
        f"Machine: {machine}.",
        "",
        "## Throughput (101 frames per gait cycle; ratio = NumPy/SciPy reference time / ours)",
        "",
        *_throughput_md(rows),
        "",
        "Inputs: `benchmarks/stages.py` (the same arrays for kneeload and the reference, "
        "`tests/reference.py`). Medians; batches of 100 000 cycles and more: one run. "
        "Peak MiB: `tracemalloc` peak of one chunk (≤ 10 000 cycles): inputs, outputs, "
        "temporaries; flat above 10 000 cycles because larger batches stream that chunk.",
        "",
        *[f"- {n}" for n in notes],
        "",
        "## Scaling",
        "",
        "Time per cycle, largest batch vs 100 cycles (1.00× = linear in cases):",
        "",
        *_linearity(rows),
        "",
        "| stage | cycles | 1 thread s | 2 threads s | speed-up |",
        "|---|---:|---:|---:|---:|",
        *[
            f"| {s['stage']} | {s['cycles']:,} | {s['one_s']:.4g} | {s['two_s']:.4g} "
            f"| {float(s['one_s']) / float(s['two_s']):.2f}× |"  # type: ignore[arg-type]
            for s in scaling
        ],
        "",
        "## OpenSim 4.6 on the same trial (subject01 walk)",
        "",
    ]
    osim_rows, osim_notes = opensim
    if osim_rows:
        md += [
            "| computation | OpenSim s | OpenSim frames/s | kneeload s | kneeload frames/s "
            "| ratio |",
            "|---|---:|---:|---:|---:|---:|",
            *[
                f"| {r['computation']} | {r['opensim_s']:.3g} | {r['opensim_frames_s']:,.0f} "
                f"| {r['ours_s']:.3g} | {r['ours_frames_s']:,.0f} | {r['ratio']:,.0f}× |"
                for r in osim_rows
            ],
            "",
        ]
        kernels = {
            r["stage"]: r
            for r in rows
            if r["implementation"] == "kneeload" and r["cycles"] == 10_000
        }
        solver = next((r for r in osim_rows if "solver alone" in str(r["computation"])), None)
        if solver and "static optimisation" in kernels:
            ours = float(kernels["static optimisation"]["frames_per_s"])  # type: ignore[arg-type]
            theirs = float(solver["opensim_frames_s"])  # type: ignore[arg-type]
            md.append(
                f"- Throughput: our static-optimisation kernel at 10 000 cycles, {ours:,.0f} "
                f"frames/s, is {ours / theirs:,.0f}× OpenSim's solver alone ({theirs:,.0f} "
                "frames/s; same 9 right-leg muscles per frame, our inputs gait-like)."
            )
        whole = next((r for r in osim_rows if "inverse dynamics" in str(r["computation"])), None)
        if whole and "inverse dynamics" in kernels:
            ours = float(kernels["inverse dynamics"]["frames_per_s"])  # type: ignore[arg-type]
            theirs = float(whole["opensim_frames_s"])  # type: ignore[arg-type]
            md.append(
                f"- Throughput: our inverse-dynamics kernel at 10 000 cycles, {ours:,.0f} "
                f"frames/s, is {ours / theirs:,.0f}× OpenSim's InverseDynamicsTool run "
                f"({theirs:,.0f} frames/s including its loading)."
            )
    md += [f"- {n}" for n in osim_notes]
    md += ["", "## Command line (whole process, one run each; cold = empty numba cache)", ""]
    if commands:
        md += [
            "| command | cold s | warm s |",
            "|---|---:|---:|",
            *[f"| {c['command']} | {c['cold_s']:.2f} | {c['warm_s']:.2f} |" for c in commands],
            "",
            "Compile time of each kernel module: first call of a 1-cycle stage in a fresh "
            "process, empty cache (cold) vs the cache it left (warm):",
            "",
            "| module | cold first call s | warm first call s | compile s |",
            "|---|---:|---:|---:|",
            *[
                f"| {c['module']} | {c['cold_s']:.2f} | {c['warm_s']:.2f} "
                f"| {float(c['cold_s']) - float(c['warm_s']):.1f} |"  # type: ignore[arg-type]
                for c in compiles
            ],
        ]
    else:
        md.append("- skipped (--no-cli)")
    md += ["", "## Sweep end to end (population.toml, with writes)", ""]
    if isinstance(sweep, str):
        md.append(f"- {sweep}")
    else:
        md.append(
            f"- {sweep.get('cases', 0):,.0f} cases in {sweep.get('seconds', float('nan')):.1f} s: "
            f"{sweep.get('cases', 0) / sweep.get('seconds', float('nan')):,.1f} cases/s, "
            f"peak RSS {sweep.get('peak_rss_mb', float('nan')):,.0f} MB "
            "(`benchmarks/sweep.py`, one worker)"
        )
    _replace(folder / "results.md", "\n".join(md) + "\n")
    _plot(folder / "throughput.png", rows)
