"""Throughput of the whole batched pipeline (generate -> inverse dynamics -> static optimisation
-> contact; :func:`kneeload.batch.simulate_batch`), of its stages, and of a sweep chunk's
computation (:func:`kneeload.batch.run_cases`) on population-like cases: walking forward and
backward, one stride of 101 frames, sampled subjects and speeds (``scenarios/population.toml``).

``python -m benchmarks.pipeline [N ...]`` prints a table for the given numbers of cycles.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from benchmarks._timing import FRAMES_PER_CYCLE, print_header, print_row
from kneeload.gait.spec import GaitSpec


def median_seconds(call: Callable[[], object], repeats: int) -> float:
    """Median wall time [s] of ``call()`` over ``repeats`` runs, after one untimed warm-up run
    (numba compilation or cache load excluded)."""
    call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
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
    from kneeload.analysis import FRAME_COLUMNS, leg_columns, lever_arm_kam
    from kneeload.gait.generator import generate_cycle_batch
    from kneeload.knee_loads import LoadSharingOptions, knee_load_columns

    specs = population_specs(n_cycles)
    times = {"generator (3 strides)": median_seconds(
        lambda: generate_cycle_batch(specs, strides=3), repeats
    )}  # fmt: skip
    legs = [cycle.leg("right") for cycle in generate_cycle_batch(specs, strides=3)]

    def stack(name: str) -> np.ndarray:
        return np.stack([getattr(leg, name) for leg in legs])

    time_s = stack("time_s")
    mass = np.array([leg.body_mass_kg for leg in legs])
    angles = {n: np.stack([leg.joint_angle_deg[n] for leg in legs]) for n in FRAME_COLUMNS[3:6]}
    kam = lever_arm_kam(stack("cop_3d_m"), stack("knee_3d_m"), stack("grf_3d_n"), "right")
    inputs = (
        time_s,
        mass,
        [spec.subject.height_m for spec in specs],
        stack("segment_mass_kg"),
        stack("segment_inertia_kg_m2"),
        stack("com_m"),
        stack("joint_m"),
        stack("segment_angle_rad"),
        angles,
        stack("grf_n"),
        stack("cop_m"),
        stack("free_moment_nm"),
        np.array([leg.gravity_m_s2 for leg in legs]),
        kam,
    )
    times["inverse dynamics (3 strides)"] = median_seconds(lambda: leg_columns(*inputs), repeats)
    columns = leg_columns(*inputs)
    around = slice(FRAMES_PER_CYCLE - 2, 2 * FRAMES_PER_CYCLE)
    options = LoadSharingOptions()

    def loads() -> object:
        return knee_load_columns(
            time_s[:, around],
            np.stack([angles[n][:, around] for n in FRAME_COLUMNS[3:6]], axis=-1),
            np.stack([columns[n][:, around] for n in FRAME_COLUMNS[6:9]], axis=-1),
            columns["knee_force_axial_n"][:, around],
            columns["knee_force_shear_n"][:, around],
            kam[:, around],
            mass,
            options,
            columns["grf_vertical_n"][:, around],
        )

    times["muscles + SO + contact (103 frames)"] = median_seconds(loads, repeats)
    return times


def main(sizes: list[int]) -> None:
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
    main([int(a) for a in sys.argv[1:]] or [100, 1000])
