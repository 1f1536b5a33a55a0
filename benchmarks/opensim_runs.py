"""OpenSim 4.6 InverseDynamicsTool and StaticOptimization on subject01, timed; prints JSON.

Runs under a Python that has ``opensim`` (the optional ``bench`` extra, or a separate venv):
``python benchmarks/opensim_runs.py --shared ../shared/data --repeats 3``. kneeload never
imports ``opensim``; :mod:`benchmarks.__main__` runs this file in a subprocess.

Inputs are those of ``scripts/opensim_references.py`` (its functions are reused): the scaled
gait10dof18musc model, ``subject01_walk_IK.mot`` (151 frames, 60 Hz) low-passed at 6 Hz, the
experimental GRF. Inverse dynamics: the whole IK range, muscles excluded (as
``walk_Setup_ID.xml``). Static optimisation: ``AnalyzeTool`` + ``StaticOptimization``, p = 2,
every frame. Each tool runs from a setup file, into a temporary folder (never into the shared
data), ``repeats`` times; the median wall time is reported, and a 2-frame run of each gives
the fixed cost (model loading, filtering), so the per-frame rate of the solver alone is
(151 − 2) / (t_all − t_2 frames).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "scripts"))

import opensim_references as ref  # noqa: E402


def run_inverse_dynamics(osim, shared: Path, work: Path, t0: float, t1: float) -> float:  # type: ignore[no-untyped-def]
    """Wall time [s] of one InverseDynamicsTool run from a setup file."""
    work.mkdir(parents=True, exist_ok=True)
    tool = osim.InverseDynamicsTool()
    tool.setName("subject01_walk")
    tool.setModelFileName(str((shared / ref.MODEL).resolve()))
    tool.setCoordinatesFileName(str((shared / ref.IK).resolve()))
    tool.setLowpassCutoffFrequency(ref.id_setup_lowpass(shared))
    tool.setExternalLoadsFileName(str(ref.write_external_loads(shared, work)))
    tool.setStartTime(t0)
    tool.setEndTime(t1)
    excluded = osim.ArrayStr()
    excluded.append("Muscles")
    tool.setExcludedForces(excluded)
    tool.setResultsDir(str(work))
    tool.setOutputGenForceFileName("id.sto")
    setup = work / "setup_id.xml"
    tool.printToXML(str(setup))
    runner = osim.InverseDynamicsTool(str(setup))
    start = time.perf_counter()
    runner.run()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, required=True)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    import opensim as osim

    osim.Logger.setLevelString("error")
    osim.Logger.removeFileSink()
    shared = args.shared.resolve()
    _, ik = ref.read_storage(shared / ref.IK)
    t0, t1, t2 = float(ik[0, 0]), float(ik[-1, 0]), float(ik[1, 0])
    lowpass = ref.id_setup_lowpass(shared)
    out: dict[str, object] = {"version": osim.GetVersion(), "frames": int(ik.shape[0])}
    with tempfile.TemporaryDirectory(prefix="kneeload_bench_osim_") as tmp:
        work = Path(tmp)
        runs: dict[str, list[float]] = {k: [] for k in ("id", "id_2", "so", "so_2")}
        for k in range(args.repeats):
            runs["id"].append(run_inverse_dynamics(osim, shared, work / f"id{k}", t0, t1))
            runs["id_2"].append(run_inverse_dynamics(osim, shared, work / f"id2_{k}", t0, t2))
            for key, end in (("so", t1), ("so_2", t2)):
                _, wall, _ = ref.run_static_optimization(
                    osim, shared, work / f"{key}{k}", t0, end, lowpass, 2.0
                )
                runs[key].append(wall)
    out.update({f"{k}_wall_s": statistics.median(v) for k, v in runs.items()})
    out["runs"] = runs
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
