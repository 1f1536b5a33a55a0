"""kneeload and OpenSim 4.6 on the same trial (OpenSim's subject01 walk, 151 frames).

OpenSim runs in a subprocess of a Python that has ``opensim`` (``$KNEELOAD_OPENSIM_PYTHON``,
default ``/tmp/osimvenv/bin/python``; see :mod:`benchmarks.opensim_runs`); kneeload never
imports it. Ours: :func:`kneeload.measured.analyze` of the same IK coordinates, GRF and scaled
model (reading, 6 Hz filtering, inverse dynamics, static optimisation, contact) after one warm-up
call, and :func:`kneeload.knee_loads.knee_loads` alone on its inverse-dynamics columns (muscle
geometry, static optimisation, contact). Medians of ``repeats`` runs.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

DEFAULT_PYTHON = "/tmp/osimvenv/bin/python"
SHARED = Path(
    os.environ.get(
        "KNEELOAD_SHARED_DATA", Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
    )
)
MASS_KG = 72.6  # the model's mass (data README)


def _median_seconds(call: object, repeats: int) -> float:
    assert callable(call)
    call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def ours(repeats: int) -> dict[str, float]:
    """Median wall times [s] of kneeload on subject01: whole analysis and load sharing alone."""
    from kneeload.knee_loads import knee_loads
    from kneeload.measured import analyze

    folder = SHARED / "opensim_subject01_walk"
    args = (
        folder / "gait10dof18musc" / "subject01_walk_IK.mot",
        folder / "experimental" / "subject01_walk1_grf.mot",
        MASS_KG,
    )
    model = folder / "gait10dof18musc" / "subject01_scaled.osim"
    table = analyze(*args, model=model)
    first_load_column = table.columns.get_loc("muscle_hamstrings_force_n")
    assert isinstance(first_load_column, int)
    dynamics = table.iloc[:, :first_load_column].copy()
    return {
        "frames": float(len(table)),
        "analyze_wall_s": _median_seconds(lambda: analyze(*args, model=model), repeats),
        "load_sharing_wall_s": _median_seconds(lambda: knee_loads(dynamics, MASS_KG), repeats),
    }


def theirs(repeats: int) -> dict[str, object] | str:
    """OpenSim's timings (see :mod:`benchmarks.opensim_runs`), or why they are missing."""
    python = os.environ.get("KNEELOAD_OPENSIM_PYTHON", DEFAULT_PYTHON)
    if not Path(python).exists():
        return f"OpenSim skipped: no Python with opensim at {python} (set KNEELOAD_OPENSIM_PYTHON)"
    if not (SHARED / "opensim_subject01_walk").is_dir():
        return f"OpenSim skipped: subject01 data not found under {SHARED}"
    script = Path(__file__).with_name("opensim_runs.py")
    run = subprocess.run(
        [python, str(script), "--shared", str(SHARED), "--repeats", str(repeats)],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = run.stdout.strip().splitlines()
    if run.returncode != 0 or not lines:
        return f"OpenSim skipped: run failed ({run.stderr.strip().splitlines()[-1:]})"
    result: dict[str, object] = json.loads(lines[-1])
    return result


def compare(repeats: int) -> tuple[list[dict[str, object]], list[str]]:
    """Rows (computation, who, frames, seconds, frames/s, ratio) and notes."""
    osim = theirs(repeats)
    if isinstance(osim, str):
        return [], [osim]
    mine = ours(max(repeats, 5))
    n = float(mine["frames"])
    id_s, id2_s = float(osim["id_wall_s"]), float(osim["id_2_wall_s"])  # type: ignore[arg-type]
    so_s, so2_s = float(osim["so_wall_s"]), float(osim["so_2_wall_s"])  # type: ignore[arg-type]
    so_alone = so_s - so2_s
    analyze_s, sharing_s = mine["analyze_wall_s"], mine["load_sharing_wall_s"]
    id_ours = analyze_s - sharing_s
    rows: list[dict[str, object]] = [
        {"computation": "inverse dynamics (whole run)", "opensim_s": id_s, "ours_s": id_ours},
        {
            "computation": "static optimisation (solver alone)",
            "opensim_s": so_alone,
            "ours_s": sharing_s,
        },
        {"computation": "static optimisation (whole run)", "opensim_s": so_s, "ours_s": analyze_s},
    ]
    for row in rows:
        row["frames"] = n
        row["opensim_frames_s"] = n / float(row["opensim_s"])  # type: ignore[arg-type]
        row["ours_frames_s"] = n / float(row["ours_s"])  # type: ignore[arg-type]
        row["ratio"] = float(row["opensim_s"]) / float(row["ours_s"])  # type: ignore[arg-type]
    notes = [
        f"OpenSim {osim['version']}, subject01 walk, {int(n)} frames, median of {repeats} runs; "
        f"2-frame runs: ID {id2_s:.2f} s, SO {so2_s:.2f} s (fixed cost: loading, filtering)",
        "ours, inverse dynamics: kneeload.measured.analyze minus its load sharing (reading, "
        "filtering, planar and 3-D inverse dynamics); OpenSim: InverseDynamicsTool.run()",
        "ours, SO alone: knee_loads (muscle geometry, force-length-velocity, static optimisation, "
        "contact); OpenSim: AnalyzeTool+StaticOptimization run minus its 2-frame run",
        "ours, SO whole run: kneeload.measured.analyze (reading to contact loads); OpenSim: "
        "AnalyzeTool+StaticOptimization run (reading to muscle forces)",
    ]
    return rows, notes


if __name__ == "__main__":
    table, text = compare(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
    for line in [*map(str, table), *text]:
        print(line)
