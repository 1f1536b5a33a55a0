"""Whole-process wall times of the command line, and numba compile times on a cold cache.

Cold: ``NUMBA_CACHE_DIR`` pointed at a fresh empty folder, so every kernel the command needs
is compiled (and written to that cache); warm: the same folder again, kernels loaded from it.
Each figure is the median of ``runs`` processes started from this Python's environment.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: the installed console script, next to this Python
KNEELOAD = [str(Path(sys.executable).with_name("kneeload"))]
WALK = [
    "simulate",
    *("--mode", "walk", "--direction", "forward", "--speed", "1.3"),
    *("--mass", "75", "--height", "1.75"),
]
#: first call of each numba stage, by the module that holds its kernels (``benchmarks.stages``)
COMPILE_STAGES = {
    "dynamics/_kernels.py (planar inverse dynamics)": "inverse dynamics",
    "muscles/_kernels.py (static optimisation)": "static optimisation",
    "gait/generator.py (stride kernel)": "gait generator",
}


def _wall(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def _env(cache: str, threads: int | None = None) -> dict[str, str]:
    env = {**os.environ, "NUMBA_CACHE_DIR": cache}
    if threads is not None:
        env["NUMBA_NUM_THREADS"] = str(threads)
    return env


def command_times(runs: int) -> list[dict[str, object]]:
    """Rows (command, cold_s, warm_s) for ``kneeload --help`` and a walking ``simulate``."""
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="kneeload_bench_cli_") as tmp:
        out = str(Path(tmp) / "walk.csv")
        for label, args in (
            ("kneeload --help", ["--help"]),
            ("kneeload simulate (walk 1.3 m/s)", [*WALK, "--out", out]),
        ):
            cold, warm = [], []
            for k in range(runs):
                cache = str(Path(tmp) / f"cache_{label[:12]}_{k}")
                cold.append(_wall([*KNEELOAD, *args], _env(cache)))
                warm.append(_wall([*KNEELOAD, *args], _env(cache)))
            rows.append(
                {
                    "command": label,
                    "cold_s": statistics.median(cold),
                    "warm_s": statistics.median(warm),
                }
            )
    return rows


_FIRST_CALL = """
import sys, time
from benchmarks import stages
stage = stages.STAGES[sys.argv[1]](1)
start = time.perf_counter()
stage.ours()
print(time.perf_counter() - start)
"""


def compile_times(runs: int) -> list[dict[str, object]]:
    """Rows (module, cold_s, warm_s): first call of a 1-cycle stage in a fresh process, with an
    empty cache (compilation) and with the cache it left (loading); their difference is the
    compile time."""
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="kneeload_bench_jit_") as tmp:
        for module, stage in COMPILE_STAGES.items():
            cold, warm = [], []
            for k in range(runs):
                env = _env(str(Path(tmp) / f"{stage[:6]}_{k}"))
                command = [sys.executable, "-c", _FIRST_CALL, stage]
                for times in (cold, warm):
                    run = subprocess.run(
                        command, env=env, check=True, capture_output=True, text=True
                    )
                    times.append(float(run.stdout.split()[-1]))
            rows.append(
                {
                    "module": module,
                    "cold_s": statistics.median(cold),
                    "warm_s": statistics.median(warm),
                }
            )
    return rows


if __name__ == "__main__":
    for row in [*command_times(1), *compile_times(1)]:
        print(row)
