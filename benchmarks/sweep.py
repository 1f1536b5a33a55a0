"""End-to-end sweep throughput and peak memory: ``python -m benchmarks.sweep``.

Runs ``scenarios/population.toml`` resized to N cases (its ``n`` draws x 2 directions) through
:func:`kneeload.run_scenario` with every write, in a fresh subprocess per run, and prints cases/s
(compute and writes, after the subprocess's imports and numba cache load), the CPU seconds of
the run (user + system, all threads and worker processes: on a shared machine, steadier than
wall time) and the subprocess's peak resident memory (``VmHWM``, and ``ru_maxrss`` of worker
processes when ``--workers`` > 1). Memory should not grow with N: the cases are
built a block at a time and results stream to disk chunk by chunk.

``--stub`` replaces the per-chunk computation by a copy of one precomputed case (same columns
and sizes) to measure what the store itself costs (expansion, writes, manifest) at sizes the
physics cannot reach in a benchmark's time; its cases/s is a ceiling, not kneeload's speed.
Not a test: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _scenario(n_cases: int, folder: Path) -> Path:
    """population.toml with ``n`` draws so that draws x 2 directions = ``n_cases``."""
    from kneeload.data import scenarios_dir

    text = (scenarios_dir() / "population.toml").read_text(encoding="utf-8")
    text, count = re.subn(r"(?m)^n = \d+", f"n = {max(1, n_cases // 2)}", text)
    assert count == 1, "population.toml no longer has one 'n = ...' line"
    path = folder / f"population_{n_cases}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _stub_compute() -> None:
    """Make :func:`kneeload.sweep._compute_chunk` copy one precomputed case per row."""
    import numpy as np
    import pandas as pd

    from kneeload import sweep
    from kneeload.scenario import expand, load_scenario

    one = expand(load_scenario("population")).iloc[:1]
    curve, summary = sweep._compute_chunk(one)

    def copy(cases: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        n = len(cases)
        curves = pd.DataFrame({c: np.tile(curve[c].to_numpy(), n) for c in curve.columns})
        curves["case_id"] = np.repeat(cases["case_id"].to_numpy(), len(curve))
        rows = pd.DataFrame({c: np.repeat(summary[c].to_numpy(), n) for c in summary.columns})
        rows["case_id"] = cases["case_id"].to_numpy()
        return curves, rows

    sweep._compute_chunk = copy


def _cpu_s() -> float:
    """User + system CPU seconds of this process and its finished children."""
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )


def _own_peak_kb() -> int:
    """Peak resident memory of this process [KiB]: ``VmHWM`` of /proc/self/status where Linux
    has it (it starts afresh at exec; ``ru_maxrss`` keeps the peak of the process that forked
    this one, e.g. a large ``python -m benchmarks``), else ``ru_maxrss``."""
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(scenario: str, out: str, workers: int, chunk_size: int | None, stub: bool) -> None:
    """One run in this (fresh) process; prints a JSON line of its figures."""
    from kneeload import sweep
    from kneeload.scenario import expand, load_scenario

    if stub:
        _stub_compute()
    else:  # load numba's cache before timing, as a long sweep would amortise it
        sweep._compute_chunk(expand(load_scenario("population")).iloc[:2])
    start, cpu = time.perf_counter(), _cpu_s()
    sweep.run_scenario(scenario, out, chunk_size=chunk_size, workers=workers)
    seconds, cpu = time.perf_counter() - start, _cpu_s() - cpu
    manifest = json.loads((Path(out) / "manifest.json").read_text(encoding="utf-8"))
    peak_kb = max(_own_peak_kb(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    store_mb = sum(p.stat().st_size for p in Path(out).rglob("*") if p.is_file()) / 1e6
    print(
        json.dumps(
            {
                "cases": manifest["cases_done"],
                "failed": manifest["n_failed"],
                "seconds": seconds,
                "cpu_s": cpu,
                "peak_rss_mb": peak_kb / 1024,
                "store_mb": store_mb,
                "chunk_size": manifest["chunk_size"],
            }
        )
    )


def run_once(n_cases: int, workers: int, chunk_size: int | None, stub: bool) -> dict[str, float]:
    """One run of ``n_cases`` in a fresh subprocess; returns its figures."""
    with tempfile.TemporaryDirectory(prefix="kneeload-bench-") as folder:
        scenario = _scenario(n_cases, Path(folder))
        command = [
            sys.executable,
            "-m",
            "benchmarks.sweep",
            "--child",
            str(scenario),
            str(Path(folder) / "results"),
            "--workers",
            str(workers),
        ]
        if chunk_size is not None:
            command += ["--chunk-size", str(chunk_size)]
        if stub:
            command.append("--stub")
        result = subprocess.run(
            command, capture_output=True, text=True, check=True, cwd=Path(__file__).parents[1]
        )
        figures: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--chunk-size", type=int, default=None, help="default: kneeload's")
    parser.add_argument("--repeats", type=int, default=1, help="runs per size (median)")
    parser.add_argument("--stub", action="store_true", help="store cost only (see above)")
    parser.add_argument(
        "--budget-s", type=float, default=1800.0, help="skip sizes predicted to take longer"
    )
    parser.add_argument("--child", nargs=2, metavar=("SCENARIO", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        scenario, out = args.child
        child(scenario, out, args.workers, args.chunk_size, args.stub)
        return
    label = "stub compute (store only)" if args.stub else "population.toml"
    print(f"{label}, workers={args.workers}")
    print(
        f"{'cases':>9}{'chunk':>7}{'seconds':>10}{'cpu s':>9}{'cases/s':>10}{'peak RSS MB':>13}"
        f"{'store MB':>10}"
    )
    rate = None
    for n in args.sizes:
        if rate is not None and n / rate > args.budget_s:
            print(f"{n:>9}  skipped: ~{n / rate:.0f} s at {rate:.1f} cases/s > --budget-s")
            continue
        runs = [run_once(n, args.workers, args.chunk_size, args.stub) for _ in range(args.repeats)]
        seconds = statistics.median(r["seconds"] for r in runs)
        cpu = statistics.median(r["cpu_s"] for r in runs)
        peak = statistics.median(r["peak_rss_mb"] for r in runs)
        rate = runs[0]["cases"] / seconds
        print(
            f"{int(runs[0]['cases']):>9}{int(runs[0]['chunk_size']):>7}{seconds:>10.1f}{cpu:>9.1f}"
            f"{rate:>10.1f}{peak:>13.0f}"
            f"{runs[0]['store_mb']:>10.1f}"
        )


if __name__ == "__main__":
    main()
