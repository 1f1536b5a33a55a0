"""Regenerate the OpenSim 4.6 static-optimisation reference for OpenSim's subject01 walk.

Needs an OpenSim-enabled Python (kneeload itself never imports ``opensim``)::

    pip install .[opensim]            # or use a separate venv that has opensim 4.6
    python scripts/opensim_references.py --shared ../shared/data --out src/kneeload/validation/references

    # on the development machine OpenSim lives in its own venv:
    /tmp/osimvenv/bin/python scripts/opensim_references.py --shared ../shared/data \
        --out src/kneeload/validation/references

What it runs (``AnalyzeTool`` with one ``StaticOptimization`` analysis, OpenSim's own SO):

- model ``opensim_subject01_walk/gait10dof18musc/subject01_scaled.osim`` (18 Millard muscles);
- coordinates ``gait10dof18musc/subject01_walk_IK.mot``, low-pass 6 Hz as in that folder's
  ``walk_Setup_ID.xml`` (OpenSim's example for this trial); speeds and accelerations come from
  OpenSim's own differentiation of the filtered coordinates;
- external loads ``experimental/subject01_walk_grf_externalloads_gait10dof.xml`` with
  ``experimental/subject01_walk1_grf.mot``. The XML's ``<datafile>`` names
  ``subject01_walk_grf.mot``, which does not exist, so a copy with the datafile pointing at
  ``subject01_walk1_grf.mot`` is written to the work folder (nothing else is changed);
- the whole IK time range, every IK frame (60 Hz), activation exponent 2,
  ``use_muscle_physiology`` true (OpenSim's default), ``use_model_force_set`` true;
- actuators: the shared data hold no reserve/residual actuator file for gait10dof18musc (OpenSim's
  example CMC actuator set is not among them), so this script appends ``CoordinateActuator``s:
  residuals on ``pelvis_tilt``, ``pelvis_tx``, ``pelvis_ty`` and on ``lumbar_extension`` (no
  muscle of the model crosses the lumbar joint) with optimal force 1000 N or N·m, and weak
  reserves with optimal force 1 N·m on ``hip_flexion``, ``knee_angle``, ``ankle_angle`` of both
  legs. All controls are unbounded. Muscles cannot produce the pelvis or lumbar generalised
  forces, so those actuators' optimal force does not change the muscle solution; the 1 N·m
  reserves cost (torque in N·m)² each, so they carry only what the muscles cannot.

Output: ``<out>/opensim46_subject01_static_optimization.csv`` (plain CSV after a block of ``#``
comment lines recording version, inputs, settings, date, timing and the command).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import shlex
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

TRIAL = "opensim_subject01_walk"
MODEL = f"{TRIAL}/gait10dof18musc/subject01_scaled.osim"
IK = f"{TRIAL}/gait10dof18musc/subject01_walk_IK.mot"
GRF = f"{TRIAL}/experimental/subject01_walk1_grf.mot"
LOADS_XML = f"{TRIAL}/experimental/subject01_walk_grf_externalloads_gait10dof.xml"
ID_SETUP = f"{TRIAL}/gait10dof18musc/walk_Setup_ID.xml"

OUT_NAME = "opensim46_subject01_static_optimization.csv"
MUSCLES_R = (
    "hamstrings_r",
    "bifemsh_r",
    "glut_max_r",
    "iliopsoas_r",
    "rect_fem_r",
    "vasti_r",
    "gastroc_r",
    "soleus_r",
    "tib_ant_r",
)
RESIDUALS = ("pelvis_tilt", "pelvis_tx", "pelvis_ty", "lumbar_extension")
RESIDUAL_OPTIMAL_FORCE = 1000.0
RESERVE_COORDS = ("hip_flexion", "knee_angle", "ankle_angle")
RESERVE_OPTIMAL_FORCE = 1.0
HEEL_STRIKE_THRESHOLD_N = 20.0


def read_storage(path: Path) -> tuple[list[str], np.ndarray]:
    """Column labels and data of an OpenSim .mot/.sto file (text, tab separated)."""
    with path.open() as fh:
        for line in fh:
            if line.strip().lower() == "endheader":
                break
        else:
            raise ValueError(f"{path}: no endheader")
        labels = fh.readline().split()
        rows = [list(map(float, ln.split())) for ln in fh if ln.strip()]
    return labels, np.asarray(rows, dtype=float)


def crossings(t: np.ndarray, y: np.ndarray, level: float, rising: bool = True) -> list[float]:
    """Times where y rises (or falls) through level (linear interpolation between samples)."""
    out = []
    if rising:
        idx = np.flatnonzero((y[:-1] < level) & (y[1:] >= level))
    else:
        idx = np.flatnonzero((y[:-1] >= level) & (y[1:] < level))
    for i in idx:
        frac = (level - y[i]) / (y[i + 1] - y[i])
        out.append(float(t[i] + frac * (t[i + 1] - t[i])))
    return out


def write_external_loads(shared: Path, work: Path) -> Path:
    """Copy of the experimental external-loads XML with its datafile fixed (absolute path)."""
    tree = ET.parse(shared / LOADS_XML)
    datafile = tree.getroot().find(".//datafile")
    if datafile is None:
        raise ValueError(f"{LOADS_XML}: no <datafile>")
    datafile.text = str((shared / GRF).resolve())
    out = work / "external_loads.xml"
    tree.write(out, encoding="UTF-8", xml_declaration=True)
    return out


def write_actuators(work: Path) -> Path:
    """ForceSet XML: residuals on pelvis and lumbar, weak reserves on hip/knee/ankle."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8" ?>',
        '<OpenSimDocument Version="40000">',
        '<ForceSet name="subject01_SO_actuators">',
        "<objects>",
    ]
    specs = [(c, f"{c}_residual", RESIDUAL_OPTIMAL_FORCE) for c in RESIDUALS]
    for side in ("r", "l"):
        specs += [
            (f"{c}_{side}", f"{c}_{side}_reserve", RESERVE_OPTIMAL_FORCE) for c in RESERVE_COORDS
        ]
    for coord, name, fopt in specs:
        lines += [
            f'<CoordinateActuator name="{name}">',
            f"<coordinate>{coord}</coordinate>",
            f"<optimal_force>{fopt:g}</optimal_force>",
            "<min_control>-Inf</min_control>",
            "<max_control>Inf</max_control>",
            "</CoordinateActuator>",
        ]
    lines += ["</objects>", "<groups />", "</ForceSet>", "</OpenSimDocument>"]
    out = work / "actuators.xml"
    out.write_text("\n".join(lines) + "\n")
    return out


def id_setup_lowpass(shared: Path) -> float:
    """The coordinate low-pass cut-off OpenSim's ID example for this trial uses."""
    node = ET.parse(shared / ID_SETUP).getroot().find(".//lowpass_cutoff_frequency_for_coordinates")
    if node is None or node.text is None:
        raise ValueError(f"{ID_SETUP}: no lowpass_cutoff_frequency_for_coordinates")
    return float(node.text)


def run_static_optimization(
    osim, shared: Path, work: Path, t0: float, t1: float, lowpass: float, exponent: float
) -> tuple[Path, float, float]:
    """Write the AnalyzeTool setup, run it from that file; return setup path, wall and CPU s."""
    work.mkdir(parents=True, exist_ok=True)
    tool = osim.AnalyzeTool()
    tool.setName("subject01_walk")
    tool.setModelFilename(str((shared / MODEL).resolve()))
    files = osim.ArrayStr()
    files.append(str(write_actuators(work)))
    tool.setForceSetFiles(files)
    tool.setReplaceForceSet(False)
    tool.setResultsDir(str(work / "results"))
    tool.setCoordinatesFileName(str((shared / IK).resolve()))
    tool.setLowpassCutoffFrequency(lowpass)
    tool.setExternalLoadsFileName(str(write_external_loads(shared, work)))
    tool.setInitialTime(t0)
    tool.setFinalTime(t1)
    tool.setSolveForEquilibrium(False)
    so = osim.StaticOptimization()
    so.setName("StaticOptimization")
    so.setStartTime(t0)
    so.setEndTime(t1)
    so.setStepInterval(1)
    so.setInDegrees(True)
    so.setUseModelForceSet(True)
    so.setActivationExponent(exponent)
    so.setUseMusclePhysiology(True)
    tool.getAnalysisSet().cloneAndAppend(so)
    setup = work / "setup_static_optimization.xml"
    tool.printToXML(str(setup))

    # Run from the setup file, as `opensim-cmd run-tool` or the GUI would.
    runner = osim.AnalyzeTool(str(setup))
    wall0, cpu0 = time.perf_counter(), time.process_time()
    runner.run()
    return setup, time.perf_counter() - wall0, time.process_time() - cpu0


def main(argv: list[str] | None = None) -> int:
    here = Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--shared",
        type=Path,
        default=here.parent / "shared" / "data",
        help="the shared data folder (default: ../shared/data)",
    )
    ap.add_argument(
        "--out",
        type=Path,
        default=here / "src" / "kneeload" / "validation" / "references",
        help="output folder (default: src/kneeload/validation/references)",
    )
    ap.add_argument(
        "--work",
        type=Path,
        default=None,
        help="keep OpenSim's setup and raw .sto results here (default: temporary)",
    )
    ap.add_argument("--exponent", type=float, default=2.0, help="activation exponent (2)")
    ap.add_argument("--repeat", type=int, default=3, help="timing runs; the median is reported (3)")
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")

    import opensim as osim  # only this script needs it: the optional `opensim` extra

    shared = args.shared.resolve()
    version = osim.GetVersionAndDate()
    if not osim.GetVersion().startswith("4.6"):
        print(
            f"warning: reference was specified for OpenSim 4.6, running {version}", file=sys.stderr
        )
    osim.Logger.setLevelString("warn")
    osim.Logger.removeFileSink()  # no opensim.log next to the shared data or in the checkout

    _, ik = read_storage(shared / IK)
    t0, t1 = float(ik[0, 0]), float(ik[-1, 0])
    lowpass = id_setup_lowpass(shared)

    tmp = None
    if args.work is None:
        tmp = tempfile.TemporaryDirectory(prefix="kneeload_osim_")
        work = Path(tmp.name)
    else:
        work = args.work.resolve()
        work.mkdir(parents=True, exist_ok=True)

    _, wall, cpu = run_static_optimization(osim, shared, work, t0, t1, lowpass, args.exponent)
    # Timing: the reference comes from the first run; further runs of the whole range (into
    # their own folders) and runs over the first two frames only (the fixed cost of loading,
    # filtering and set-up) give the median wall time and the SO-only rate.
    t_2 = float(ik[1, 0])
    walls, cpus, walls2 = [wall], [cpu], []
    for k in range(args.repeat):
        if k > 0:
            _, w, c = run_static_optimization(
                osim, shared, work / f"timing{k}", t0, t1, lowpass, args.exponent
            )
            walls.append(w)
            cpus.append(c)
        _, w2, _ = run_static_optimization(
            osim, shared, work / f"two_frames{k}", t0, t_2, lowpass, args.exponent
        )
        walls2.append(w2)
    wall, cpu, wall2 = (float(np.median(x)) for x in (walls, cpus, walls2))

    res = work / "results"
    f_labels, forces = read_storage(res / "subject01_walk_StaticOptimization_force.sto")
    a_labels, acts = read_storage(res / "subject01_walk_StaticOptimization_activation.sto")
    if not np.allclose(forces[:, 0], acts[:, 0]):
        raise RuntimeError("force and activation files have different time columns")
    n = forces.shape[0]
    # OpenSim records SO at the filtered storage's times, which sit < 1e-5 s off the IK frames
    # (e.g. -5e-7 s, 0.01666616 s): snap them to the IK time stamps.
    if n != ik.shape[0] or np.max(np.abs(forces[:, 0] - ik[:, 0])) > 1e-5:
        raise RuntimeError("SO times do not match the IK frames")
    time_offset = float(np.max(np.abs(forces[:, 0] - ik[:, 0])))
    forces[:, 0] = ik[:, 0]

    def fcol(name: str) -> np.ndarray:
        return forces[:, f_labels.index(name)]

    def acol(name: str) -> np.ndarray:
        return acts[:, a_labels.index(name)]

    header = ["time_s"]
    cols = [forces[:, 0]]
    fmts = ["{:.6f}"]
    for m in MUSCLES_R:
        header.append(f"{m}_force_n")
        cols.append(fcol(m))
        fmts.append("{:.3f}")
    for m in MUSCLES_R:
        header.append(f"{m}_activation")
        cols.append(acol(m))
        fmts.append("{:.6f}")
    for c in RESERVE_COORDS:
        name = f"{c}_r_reserve"
        header.append(f"{name}_nm")
        cols.append(fcol(name))
        fmts.append("{:.4f}")
    table = np.column_stack(cols)

    # right heel strikes and the peak vasti force, for the header (and the report)
    g_labels, grf = read_storage(shared / GRF)
    vy = grf[:, g_labels.index("ground_force_vy")]
    hs = crossings(grf[:, 0], vy, HEEL_STRIKE_THRESHOLD_N)
    to = crossings(grf[:, 0], vy, HEEL_STRIKE_THRESHOLD_N, rising=False)
    t_so = forces[:, 0]
    vasti = fcol("vasti_r")
    i_pk = int(np.argmax(vasti))
    t_pk = float(t_so[i_pk])
    pk_txt = f"peak vasti_r {vasti[i_pk]:.1f} N at t = {t_pk:.4f} s"
    before = [h for h in hs if h <= t_pk]
    after = [h for h in hs if h > t_pk]
    if before and after:
        pct = 100.0 * (t_pk - before[-1]) / (after[0] - before[-1])
        pk_txt += f" = {pct:.1f} % of the right cycle {before[-1]:.4f}-{after[0]:.4f} s"
    elif len(before) >= 2:  # after the last heel strike: use the previous cycle's duration
        cycle = before[-1] - before[-2]
        pct = 100.0 * (t_pk - before[-1]) / cycle
        pk_txt += (
            f" = {pct:.1f} % of the right cycle from {before[-1]:.4f} s"
            f" (cycle duration {cycle:.4f} s taken from the previous cycle)"
        )

    # the peak within the only complete right cycle (between the first two heel strikes)
    if len(hs) >= 2:
        in_cycle = (t_so >= hs[0]) & (t_so < hs[1])
        j = int(np.flatnonzero(in_cycle)[np.argmax(vasti[in_cycle])])
        pk_txt += (
            f"; within the complete right cycle {hs[0]:.4f}-{hs[1]:.4f} s: peak vasti_r"
            f" {vasti[j]:.1f} N at t = {t_so[j]:.4f} s ="
            f" {100.0 * (t_so[j] - hs[0]) / (hs[1] - hs[0]):.1f} % of that cycle"
        )
    reserve_knee = fcol("knee_angle_r_reserve")
    cmd = "python scripts/opensim_references.py --shared ../shared/data --out src/kneeload/validation/references"
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    comments = [
        "OpenSim static optimisation reference for kneeload (issue 3, validation item 2)",
        f"OpenSim version: {version} (Python {platform.python_version()})",
        f"generated: {now} by scripts/opensim_references.py",
        f"regenerate (needs the optional `opensim` extra: pip install .[opensim]): {cmd}",
        "inputs (relative to ../shared/data):",
        f"  model: {MODEL}",
        f"  coordinates: {IK} ({ik.shape[0]} frames, {t0:g}-{t1:g} s)",
        f"  external loads: {LOADS_XML} with datafile {GRF}"
        " (the XML names subject01_walk_grf.mot; the script points it at subject01_walk1_grf.mot)",
        "settings: AnalyzeTool + StaticOptimization, whole IK range, step_interval 1,"
        f" activation_exponent {args.exponent:g}, use_muscle_physiology true,"
        " use_model_force_set true, solve_for_equilibrium_for_auxiliary_states false,"
        " default convergence 1e-4 and max 100 iterations",
        f"  coordinates low-pass {lowpass:g} Hz (as in {ID_SETUP}); speeds/accelerations from"
        " OpenSim's differentiation of the filtered coordinates",
        "  actuators (no reserve file for this model in the shared data): CoordinateActuator"
        f" residuals on {', '.join(RESIDUALS)} (optimal force {RESIDUAL_OPTIMAL_FORCE:g}),"
        " weak reserves on hip_flexion, knee_angle, ankle_angle of both legs"
        f" (optimal force {RESERVE_OPTIMAL_FORCE:g} N·m); all controls unbounded",
        "columns: time_s; <muscle>_force_n (tendon force, N); <muscle>_activation (0-1);"
        " <coordinate>_r_reserve_nm (reserve torque, N·m; never part of a contact force)",
        f"OpenSim AnalyzeTool.run() (loading, filtering, SO) for {n} frames, median of"
        f" {len(walls)} runs: wall {wall:.2f} s,"
        f" CPU {cpu:.2f} s, {n / wall:.1f} frames/s wall on {os.cpu_count()} cores"
        f" ({platform.machine()}); the same run over 2 frames: wall {wall2:.2f} s, so SO alone"
        f" {(n - 2) / (wall - wall2):.1f} frames/s",
        f"time_s: IK frame times (OpenSim's SO times differ from them by <= {time_offset:.1e} s)",
        "right heel strikes (ground_force_vy rising through 20 N): "
        + ", ".join(f"{h:.4f}" for h in hs)
        + " s; right toe-offs (falling through 20 N): "
        + ", ".join(f"{h:.4f}" for h in to)
        + " s",
        f"check: {pk_txt}; max |knee_angle_r_reserve| {np.max(np.abs(reserve_knee)):.3f} N·m",
    ]
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / OUT_NAME
    with out.open("w", newline="") as fh:
        for c in comments:
            fh.write(f"# {c}\n")
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for row in table:
            w.writerow([f.format(v) for f, v in zip(fmts, row, strict=True)])
    print(f"wrote {out} ({n} rows)")
    print("full-run wall times:", ", ".join(f"{x:.2f}" for x in walls), "s;", end=" ")
    print("2-frame runs:", ", ".join(f"{x:.2f}" for x in walls2), "s")
    print(
        f"SO (medians): wall {wall:.2f} s, CPU {cpu:.2f} s, {n / wall:.1f} frames/s;"
        f" 2-frame run wall {wall2:.2f} s; SO alone {(n - 2) / (wall - wall2):.1f} frames/s"
    )
    print(pk_txt)
    print("right heel strikes:", ", ".join(f"{h:.4f}" for h in hs))
    print("right toe-offs:", ", ".join(f"{h:.4f}" for h in to))
    print("invoked as:", shlex.join([sys.executable, *sys.argv]))
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
