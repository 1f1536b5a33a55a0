"""Throughput of the whole batched pipeline (generate -> inverse dynamics -> static optimisation
-> contact; :func:`kneeload.batch.simulate_batch`), of its stages, and of a sweep chunk's
computation (:func:`kneeload.batch.run_cases`) on population-like cases: walking forward and
backward, one stride of 101 frames, sampled subjects and speeds (``scenarios/population.toml``).

``python -m benchmarks.pipeline [--cpu] [N ...]`` prints a table for the given numbers of cycles
(``--cpu``: this process's CPU time instead of wall time, steadier on a shared machine).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

import pandas as pd

from benchmarks._timing import FRAMES_PER_CYCLE, print_header, print_row
from kneeload.gait.spec import GaitSpec

#: the clock of the timings: wall time, or this process's CPU time (all threads), the steadier
#: figure on a shared machine; set by :func:`main`'s ``--cpu``
CLOCK: Callable[[], float] = time.perf_counter


def median_seconds(call: Callable[[], object], repeats: int) -> float:
    """Median time [s] (:data:`CLOCK`) of ``call()`` over ``repeats`` runs, after one untimed
    warm-up run (numba compilation or cache load excluded)."""
    call()
    times = []
    for _ in range(repeats):
        start = CLOCK()
        call()
        times.append(CLOCK() - start)
    return statistics.median(times)


def population_cases(n_cases: int) -> pd.DataFrame:
    """The first ``n_cases`` cases of ``population.toml``, repeated if it has fewer."""
    from kneeload.scenario import expand, load_scenario

    cases = expand(load_scenario("population"))
    repeats = -(-n_cases // len(cases))
    return pd.concat([cases] * repeats, ignore_index=True).iloc[:n_cases]


def population_specs(n_cycles: int) -> list[GaitSpec]:
    """The gait specs of :func:`population_cases`."""
    from kneeload.gait.spec import Subject

    return [
        GaitSpec(
            mode=row["mode"],
            direction=row["direction"],
            speed_m_s=row["speed_m_s"],
            grade_pct=row["grade_pct"],
            subject=Subject(mass_kg=row["mass_kg"], height_m=row["height_m"], sex=row["sex"]),
            condition=row["condition"],
        )
        for row in population_cases(n_cycles).to_dict("records")
    ]


#: most cycles per simulate_batch call: larger batches run as several calls (memory bounded,
#: as a sweep's chunks)
BATCH_CYCLES = 4096


def _in_batches(n: int, run: Callable[[int], object]) -> Callable[[], None]:
    """A call running ``run(size)`` over batches of at most :data:`BATCH_CYCLES`, n in all."""
    full, rest = divmod(n, BATCH_CYCLES)

    def call() -> None:
        for _ in range(full):
            run(BATCH_CYCLES)
        if rest:
            run(rest)

    return call


def bench_pipeline(n_cycles: int, repeats: int) -> float:
    """Median wall time [s] of :func:`~kneeload.batch.simulate_batch` of ``n_cycles``
    population-like cycles, in batches of at most :data:`BATCH_CYCLES` (specs prepared outside
    the timing; a larger count repeats the first batch's specs)."""
    from kneeload.batch import simulate_batch

    specs = population_specs(min(n_cycles, BATCH_CYCLES))
    return median_seconds(_in_batches(n_cycles, lambda k: simulate_batch(specs[:k])), repeats)


def bench_run_cases(n_cases: int, repeats: int) -> float:
    """Median wall time [s] of :func:`~kneeload.batch.run_cases` (curves and summary tables,
    no writing) of ``n_cases`` population cases, in batches as :func:`bench_pipeline`."""
    from kneeload.batch import run_cases

    cases = population_cases(min(n_cases, BATCH_CYCLES))
    return median_seconds(_in_batches(n_cases, lambda k: run_cases(cases.iloc[:k])), repeats)


def bench_stages(n_cycles: int, repeats: int) -> dict[str, float]:
    """Median wall time [s] of each stage of :func:`~kneeload.batch.simulate_batch` on
    ``n_cycles`` cycles, each stage timed alone on the previous stage's output."""
    from kneeload.analysis import leg_columns
    from kneeload.batch import leg_column_inputs, window_loads
    from kneeload.gait.generator import generate_right_legs
    from kneeload.knee_loads import LoadSharingOptions

    specs = population_specs(n_cycles)
    times = {"generator, right legs (3 strides)": median_seconds(
        lambda: generate_right_legs(specs, strides=3), repeats
    )}  # fmt: skip
    leg = generate_right_legs(specs, strides=3)
    inputs = leg_column_inputs(leg, specs)
    time_s, mass, angles, kam = inputs[0], inputs[1], inputs[8], inputs[13]
    times["inverse dynamics (3 strides)"] = median_seconds(lambda: leg_columns(*inputs), repeats)
    columns = leg_columns(*inputs)
    around = slice(FRAMES_PER_CYCLE - 2, 2 * FRAMES_PER_CYCLE)
    options = LoadSharingOptions()

    times["muscles + SO + contact (103 frames)"] = median_seconds(
        lambda: window_loads(time_s, angles, columns, kam, mass, options, around), repeats
    )
    return times


def main(sizes: list[int], cpu: bool = False) -> None:
    """The table for ``sizes`` cycles, in wall time or (``cpu``) this process's CPU time."""
    global CLOCK
    if cpu:
        CLOCK = time.process_time
        print("CPU time of this process (all threads): per CPU-second figures")
    print("loaded shared machine: medians, compare ratios rather than absolute figures")
    print_header()
    for n in sizes:
        for label, seconds in bench_stages(n, 3).items():
            print_row(label, n, seconds)
        print_row("whole pipeline (simulate_batch)", n, bench_pipeline(n, 3))
        seconds = bench_run_cases(n, 3)
        print_row("run_cases (+ summaries, tables)", n, seconds)
        print(f"{'':<34}{'':>10}{'':>12}{'cases/s':>16}{n / seconds:>14,.0f}")


if __name__ == "__main__":
    cpu = "--cpu" in sys.argv
    sizes = [int(a) for a in sys.argv[1:] if a != "--cpu"] or [100, 1000]
    main(sizes, cpu)
