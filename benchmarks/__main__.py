"""kneeload's speed, in one run: ``python -m benchmarks`` (or ``make bench``).

Measures, on the same inputs (:mod:`benchmarks.stages`) and after one warm-up call (compilation
excluded), and writes to ``benchmarks/results/`` (``throughput.csv``, ``results.md``,
``throughput.png``):

1. frames/s and gait cycles/s (101 frames per cycle) of inverse dynamics, static optimisation,
   contact, the gait generator and the whole pipeline (``benchmarks.pipeline``, when present),
   for batches of 1, 100, 10 000 and 1 000 000 cycles (``--max-cycles`` caps them; batches above
   10 000 cycles run as repeated calls on one 10 000-cycle chunk), with the peak memory of one
   chunk (``tracemalloc``: inputs, outputs and temporaries NumPy allocates);
2. the plain NumPy/SciPy references of ``tests/reference.py`` on the same inputs, and the ratio
   reference time / our time;
3. OpenSim 4.6 inverse dynamics and static optimisation on subject01 beside ours
   (:mod:`benchmarks.opensim_compare`; skipped with a line when OpenSim is absent);
4. ``kneeload --help`` and a walking ``kneeload simulate``, whole process, cold (empty numba
   cache) and warm, and the compile time of each kernel module (:mod:`benchmarks.cli`);
5. scaling: seconds per cycle across batch sizes, and 1 vs 2 numba threads on large batches;
6. the end-to-end sweep (``benchmarks.sweep``, when present): cases/s and peak memory.

Medians of ``--repeats`` runs (one run for batches of 100 000 cycles and more). Not a test:
timings depend on the machine and its load, which the results header records.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import platform
import statistics
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from benchmarks import stages
from benchmarks._timing import FRAMES_PER_CYCLE

SIZES = (1, 100, 10_000, 1_000_000)
RESULTS = Path(__file__).resolve().parent / "results"
#: references slower than this per batch are not run (SciPy SLSQP: about 1 ms per frame) [s]
REFERENCE_BUDGET_S = 120.0


def _median_seconds(
    call: Callable[[], object], calls: int, repeats: int, warm_up: bool = True
) -> float:
    """Median wall time [s] of ``calls`` successive calls, after one untimed call."""
    if warm_up:
        call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _peak_mib(make: Callable[[int], stages.Stage], n_cycles: int) -> float:
    """Peak traced allocation [MiB] of building one chunk's inputs and one call on it."""
    tracemalloc.start()
    stage = make(min(n_cycles, stages.CHUNK_CYCLES))
    stage.ours()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def _row(stage: str, who: str, n: int, seconds: float, **extra: object) -> dict[str, object]:
    frames = n * FRAMES_PER_CYCLE
    return {
        "stage": stage,
        "implementation": who,
        "cycles": n,
        "frames": frames,
        "seconds": seconds,
        "frames_per_s": frames / seconds,
        "cycles_per_s": n / seconds,
        **extra,
    }


def throughput(
    max_cycles: int, repeats: int, budget_s: float
) -> tuple[list[dict[str, object]], list[str]]:
    """Rows of ours and the references per stage and batch size, and notes on skipped runs."""
    rows: list[dict[str, object]] = []
    notes: list[str] = []
    for name, make in stages.STAGES.items():
        rate = None
        ref_rate = None
        for n in (s for s in SIZES if s <= max_cycles):
            if rate is not None and n / rate > budget_s:
                notes.append(f"{name}, {n} cycles: skipped (~{n / rate:.0f} s > --budget-s)")
                continue
            stage = make(n)
            runs = 1 if n >= 100_000 else repeats
            seconds = _median_seconds(stage.ours, stage.calls, runs)
            rate = n / seconds
            mib = _peak_mib(make, n)
            ratio = None
            if stage.reference is not None:
                if ref_rate is None or n / ref_rate <= REFERENCE_BUDGET_S:
                    slow = ref_rate is not None and n / ref_rate > 1.0
                    ref_s = _median_seconds(
                        stage.reference, stage.calls, 1 if slow else min(runs, 3), not slow
                    )
                    ref_rate = n / ref_s
                    ratio = ref_s / seconds
                    rows.append(_row(name, "reference", n, ref_s))
                else:
                    notes.append(
                        f"{name} reference, {n} cycles: not run (~{n / ref_rate:.0f} s at its "
                        f"rate of {ref_rate * FRAMES_PER_CYCLE:,.0f} frames/s)"
                    )
            chunked = n > stages.CHUNK_CYCLES
            rows.append(
                _row(name, "kneeload", n, seconds, peak_mib=mib, ratio=ratio, chunked=chunked)
            )
            print(_format(rows[-1]), flush=True)
    return rows, notes


#: chunk of the whole pipeline [cycles]: simulate_batch holds ~0.4 MB per cycle (3 strides
#: generated, tables), so 1 000 cycles take ~400 MB
PIPELINE_CHUNK = 1_000


def pipeline(max_cycles: int, repeats: int, budget_s: float) -> tuple[list[dict[str, object]], str]:
    """Rows of the whole pipeline (:func:`kneeload.batch.simulate_batch` on the population-like
    specs of ``benchmarks.pipeline``), chunked, or why it is absent."""
    try:
        specs_of = importlib.import_module("benchmarks.pipeline").population_specs
        simulate_batch = importlib.import_module("kneeload.batch").simulate_batch
    except (ImportError, AttributeError) as error:
        return [], f"whole pipeline: not measured (benchmarks.pipeline unavailable: {error})"
    rows: list[dict[str, object]] = []
    rate = None
    note = (
        "whole pipeline: kneeload.batch.simulate_batch (generator, inverse dynamics, static "
        "optimisation, contact) on benchmarks.pipeline's population-like specs, in chunks of "
        f"{PIPELINE_CHUNK:,} cycles"
    )
    for n in (s for s in SIZES if s <= max_cycles):
        if rate is not None and n / rate > budget_s:
            return rows, note + f"; {n:,} cycles skipped (~{n / rate:,.0f} s > --budget-s)"
        specs = specs_of(min(n, PIPELINE_CHUNK))
        calls = -(-n // len(specs))
        seconds = _median_seconds(
            lambda specs=specs: simulate_batch(specs), calls, 1 if n >= 10_000 else repeats
        )
        rate = n / seconds
        tracemalloc.start()
        simulate_batch(specs)
        mib = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        rows.append(_row("whole pipeline", "kneeload", n, seconds, peak_mib=mib, chunked=calls > 1))
        print(_format(rows[-1]), flush=True)
    return rows, note


def threads(n_cycles: int, repeats: int) -> list[dict[str, object]]:
    """Seconds with 1 and 2 numba threads on ``n_cycles`` (static optimisation: a tenth)."""
    import numba

    rows = []
    for name in ("inverse dynamics", "static optimisation", "gait generator"):
        n = n_cycles // 10 if name == "static optimisation" else n_cycles
        stage = stages.STAGES[name](n)
        seconds = {}
        for k in (1, 2):
            numba.set_num_threads(min(k, numba.config.NUMBA_NUM_THREADS))
            seconds[k] = _median_seconds(stage.ours, stage.calls, repeats)
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        rows.append({"stage": name, "cycles": n, "one_s": seconds[1], "two_s": seconds[2]})
    return rows


def sweep() -> dict[str, float] | str:
    """One end-to-end sweep of 10 000 population cases (``benchmarks.sweep``), or why not."""
    try:
        run_once = importlib.import_module("benchmarks.sweep").run_once
        figures: dict[str, float] = run_once(10_000, workers=1, chunk_size=None, stub=False)
    except Exception as error:  # a failed sweep is reported; the other figures are kept
        return f"sweep: not measured (benchmarks.sweep failed: {error!r})"
    return figures


def _format(row: dict[str, object]) -> str:
    ratio = row.get("ratio")
    return (
        f"{row['stage']:<22}{row['implementation']:<11}{row['cycles']:>10}"
        f"{row['seconds']:>11.4f}{row['frames_per_s']:>15,.0f}{row['cycles_per_s']:>12,.1f}"
        + (f"{ratio:>9.3g}×" if isinstance(ratio, float) else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-cycles", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--budget-s", type=float, default=900.0, help="skip longer batches")
    parser.add_argument("--note", action="append", default=[], help="a line for the results")
    parser.add_argument("--no-opensim", action="store_true")
    parser.add_argument("--no-cli", action="store_true", help="skip the command-line timings")
    parser.add_argument("--no-sweep", action="store_true")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    from benchmarks import cli, opensim_compare, report

    started = dt.datetime.now(dt.UTC)
    load_before = os.getloadavg()
    rows, notes = throughput(args.max_cycles, args.repeats, args.budget_s)
    notes += args.note
    pipe_rows, pipe_note = pipeline(args.max_cycles, args.repeats, args.budget_s)
    rows += pipe_rows
    notes.append(pipe_note)
    scaling = threads(min(args.max_cycles, stages.CHUNK_CYCLES), args.repeats)
    osim_rows, osim_notes = ([], ["OpenSim: skipped (--no-opensim)"])
    if not args.no_opensim:
        try:
            osim_rows, osim_notes = opensim_compare.compare(3)
        except Exception as error:  # keep the rest of the run
            osim_notes = [f"OpenSim: failed ({error!r})"]
    commands, compiles = ([], [])
    if not args.no_cli:
        commands, compiles = cli.command_times(1), cli.compile_times(1)
    sweep_figures = "sweep: skipped (--no-sweep)" if args.no_sweep else sweep()
    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"load average {load_before[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end; "
        f"{started:%Y-%m-%d %H:%M} UTC"
    )
    report.write(
        args.out,
        machine=machine,
        rows=rows,
        notes=notes,
        scaling=scaling,
        opensim=(osim_rows, osim_notes),
        commands=commands,
        compiles=compiles,
        sweep=sweep_figures,
    )
    print((args.out / "results.md").read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
