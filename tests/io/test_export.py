"""Export to OpenSim and C3D, and back: ``kneeload analyze`` on the exported files gives the
knee loads of the exported leg (issue 8). OpenSim's own inverse dynamics on the exported set
(optional: needs the ``opensim`` package here, or KNEELOAD_OPENSIM_PYTHON naming an interpreter
that has it) agrees with our knee moment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kneeload.analysis import analyze_leg
from kneeload.config import GRF_CONTACT_THRESHOLD_N
from kneeload.export import write_c3d, write_opensim
from kneeload.gait.cycle import GaitCycle
from kneeload.gait.generator import generate_cycles
from kneeload.gait.spec import GaitSpec, Subject
from kneeload.io.c3d import read_c3d
from kneeload.io.opensim import read_storage
from kneeload.io.results import write_table
from kneeload.knee_loads import knee_loads
from kneeload.measured import analyze

MASS_KG = 70.0
#: the issue's round-trip target (relative to each curve's peak)
RELATIVE = 1e-6
LOADS = ("knee_moment_nm", "tf_compressive_n", "pf_force_n")


def _cycle(direction: str, grade_pct: float, strides: int = 1) -> GaitCycle:
    spec = GaitSpec(
        mode="walk",
        direction=direction,
        speed_m_s=1.2 if direction == "forward" else 0.9,
        grade_pct=grade_pct,
        subject=Subject(mass_kg=MASS_KG, height_m=1.75, sex="male"),
    )
    return generate_cycles(spec, strides=strides)


def _ours(cycle: GaitCycle) -> pd.DataFrame:
    return knee_loads(analyze_leg(cycle.leg("right")), MASS_KG)


def _relative_error(ours: pd.DataFrame, back: pd.DataFrame, column: str, rows: np.ndarray) -> float:
    a = ours[column].to_numpy()
    b = back[column].to_numpy()
    return float(np.max(np.abs(a - b)[rows]) / np.max(np.abs(a)))


CASES = [("forward", 5.0), ("backward", -5.0)]


@pytest.mark.parametrize(("direction", "grade_pct"), CASES)
def test_opensim_set_round_trip(direction: str, grade_pct: float, tmp_path: Path) -> None:
    """Export to the OpenSim set, then analyze the IK .mot + GRF .mot + .osim (no filter: the
    generated case is unfiltered): knee moment, TF and PF force within 1e-6 of the peak. On a
    grade the export is levelled (the floor slopes); the loads do not depend on the frame."""
    cycle = _cycle(direction, grade_pct)
    exported = write_opensim({s: cycle.leg(s) for s in ("right", "left")}, tmp_path, "case", cycle)
    assert exported.rigid_residual_m < 1e-12
    back = analyze(
        exported.coordinates, exported.grf, MASS_KG, model=exported.model, cutoff_hz=None
    )
    ours = _ours(cycle)
    rows = np.ones(len(ours), dtype=bool)
    errors = {c: _relative_error(ours, back, c, rows) for c in LOADS}
    print(direction, "OpenSim set round trip, max relative error:", errors)
    assert max(errors.values()) <= RELATIVE
    assert back.attrs["direction"] == direction
    assert back.attrs["first_contact"] == ("heel" if direction == "forward" else "toe")


def _c3d_round_trip(direction: str, grade_pct: float, folder: Path) -> tuple[pd.DataFrame, ...]:
    cycle = _cycle(direction, grade_pct)
    legs = {s: cycle.leg(s) for s in ("right", "left")}
    exported = write_opensim(legs, folder, "case", cycle)
    c3d = write_c3d(legs, folder / "case.c3d", cycle)
    back = analyze(exported.coordinates, c3d, MASS_KG, model=exported.model, cutoff_hz=None)
    return _ours(cycle), back


@pytest.mark.parametrize(("direction", "grade_pct"), CASES)
def test_c3d_round_trip(direction: str, grade_pct: float, tmp_path: Path) -> None:
    """The forces through the C3D's force platforms (with the exported coordinates and model):
    the same loads within 1e-6 of the peak (C3D stores 32-bit floats), on every frame where the
    reader keeps a centre of pressure (vertical force 0 or above the 20 N contact threshold)."""
    ours, back = _c3d_round_trip(direction, grade_pct, tmp_path)
    vertical = ours["grf_vertical_n"].to_numpy()
    rows = (vertical <= 1e-9) | (vertical > GRF_CONTACT_THRESHOLD_N)
    errors = {c: _relative_error(ours, back, c, rows) for c in LOADS}
    print(direction, "C3D round trip, max relative error:", errors)
    assert max(errors.values()) <= RELATIVE


@pytest.mark.xfail(
    strict=True,
    reason="knee moment 0.46, TF 0.21, PF 0.49 of the peak (forward, +5 %) vs 1e-6: io/c3d.py "
    "leaves the centre of pressure undefined below the 20 N contact threshold, so "
    "trial.foot_ground_reaction drops those samples' force; the generated push-off there "
    "still carries 38-80 N of anterior force at 2.5-14 N vertical (Ren 2008 anterior share, "
    "beyond friction), which the C3D path loses (frames 58-60)",
)
def test_c3d_round_trip_every_frame(tmp_path: Path) -> None:
    ours, back = _c3d_round_trip("forward", 5.0, tmp_path)
    rows = np.ones(len(ours), dtype=bool)
    assert max(_relative_error(ours, back, c, rows) for c in LOADS) <= RELATIVE


def test_c3d_holds_markers_and_type2_plates(tmp_path: Path) -> None:
    """Our C3D reader (ezc3d) finds the virtual markers and one type-2 plate per foot, z up;
    the forces and centres of pressure are the exported ones (32-bit floats)."""
    cycle = _cycle("forward", 0.0)
    legs = {s: cycle.leg(s) for s in ("right", "left")}
    trial = read_c3d(write_c3d(legs, tmp_path / "case.c3d", cycle))
    assert trial.vertical_axis == "z"
    assert {"RHJC", "RKJC", "RAJC", "RHEE", "RTOE", "LKJC"} <= set(trial.markers.labels)
    assert trial.forces.force_n.shape[1] == 2
    np.testing.assert_allclose(trial.markers.time_s, cycle.time_s, atol=1e-9)
    knee = trial.markers.marker("RKJC")
    np.testing.assert_allclose(knee[:, 0], cycle.joint_m[:, 0, 1, 0], atol=1e-6)
    np.testing.assert_allclose(knee[:, 2], cycle.joint_m[:, 0, 1, 1], atol=1e-6)
    force = trial.forces.force_n[:, 0]
    np.testing.assert_allclose(force[:, 2], cycle.grf_n[:, 0, 1], atol=1e-3, rtol=1e-6)
    np.testing.assert_allclose(force[:, 0], cycle.grf_n[:, 0, 0], atol=1e-3, rtol=1e-6)
    loaded = cycle.grf_n[:, 0, 1] > GRF_CONTACT_THRESHOLD_N
    cop = trial.forces.cop_m[loaded, 0]
    np.testing.assert_allclose(cop[:, 0], cycle.cop_m[loaded, 0, 0], atol=1e-5)


def test_results_table_to_sto_reads_back_identically(tmp_path: Path) -> None:
    """A results table written as OpenSim .sto (header version 1, inDegrees=yes) is read back
    by our storage reader with every value identical and its attrs in the header."""
    ours = _ours(_cycle("backward", 0.0))
    ours.attrs["direction"] = "backward"
    path = write_table(ours, tmp_path / "loads.sto")
    back, header = read_storage(path)
    assert header["version"] == "1"
    assert header["inDegrees"] == "yes"
    assert header["direction"] == "backward"
    assert list(back.columns) == ["time", *ours.columns[1:]]
    np.testing.assert_array_equal(back.to_numpy(), ours.to_numpy(dtype=float))


def test_cli_export_then_analyze(tmp_path: Path) -> None:
    """``kneeload export ... --to opensim`` then ``kneeload analyze --cutoff 0 --out x.sto``
    gives the knee moment of the generated case."""
    from kneeload.cli import main

    case = ["--mode", "walk", "--direction", "backward", "--speed", "0.9"]
    case += ["--mass", "70", "--height", "1.75", "--grade", "-5"]
    assert main(["export", *case, "--to", "opensim", str(tmp_path), "--name", "bw"]) == 0
    assert main(["export", *case, "--to", "c3d", str(tmp_path / "bw.c3d")]) == 0
    out = tmp_path / "loads.sto"
    args = ["--kinematics", str(tmp_path / "bw_ik.mot"), "--forces", str(tmp_path / "bw_grf.mot")]
    args += ["--model", str(tmp_path / "bw.osim"), "--mass", "70", "--cutoff", "0"]
    assert main(["analyze", *args, "--out", str(out)]) == 0
    back, header = read_storage(out)
    assert header["direction"] == "backward"
    ours = _ours(_cycle("backward", -5.0))
    error = np.abs(back["knee_moment_nm"] - ours["knee_moment_nm"]).max()
    assert error <= RELATIVE * np.abs(ours["knee_moment_nm"]).max()
    assert (tmp_path / "bw_ik_rajagopal.mot").is_file()
    assert read_c3d(tmp_path / "bw.c3d").forces.force_n.shape[1] == 2


def test_cli_export_refuses_an_unknown_format(tmp_path: Path) -> None:
    from kneeload.cli import main

    case = ["--mode", "walk", "--direction", "forward", "--speed", "1.2", "--mass", "70"]
    assert main(["export", *case, "--height", "1.75", "--to", "v3d", str(tmp_path)]) == 2
    assert main(["export", "--mode", "walk", "--to", "opensim", str(tmp_path)]) == 2


# ------------------------------------------------------------------------ OpenSim's own ID

_ID_SCRIPT = """
import sys, opensim as osim
osim.Logger.removeFileSink()
model_path, coordinates, loads, out, t0, t1, cutoff = sys.argv[1:8]
tool = osim.InverseDynamicsTool()
model = osim.Model(model_path)
tool.setModel(model)
tool.setCoordinatesFileName(coordinates)
tool.setExternalLoadsFileName(loads)
tool.setLowpassCutoffFrequency(float(cutoff))
tool.setStartTime(float(t0))
tool.setEndTime(float(t1))
tool.setResultsDir(out)
tool.setOutputGenForceFileName("id.sto")
excluded = osim.ArrayStr()
excluded.append("All")
tool.setExcludedForces(excluded)
assert tool.run()
"""


def _opensim_python() -> str:
    """An interpreter with ``opensim``: this one, or KNEELOAD_OPENSIM_PYTHON; else skip."""
    try:
        import opensim  # noqa: F401

        return sys.executable
    except ImportError:
        pass
    other = os.environ.get("KNEELOAD_OPENSIM_PYTHON")
    if other and Path(other).is_file():
        return other
    pytest.skip("opensim not installed (pip install opensim, or set KNEELOAD_OPENSIM_PYTHON)")


@pytest.mark.parametrize("direction", ["forward", "backward"])
def test_opensim_inverse_dynamics_on_the_export(direction: str, tmp_path: Path) -> None:
    """OpenSim 4's InverseDynamicsTool on the exported set (the ExternalLoads XML, the model,
    the coordinates) against ``kneeload analyze`` on the same files, both with a 6 Hz low-pass
    of the coordinates (OpenSim's usual setting; kneeload's default): knee moment RMS <= 2 N·m
    over the middle of three strides (issue 8). The two differ only in how they differentiate
    the coordinates (OpenSim: splines; kneeload: finite differences of the segments)."""
    python = _opensim_python()
    cycle = _cycle(direction, 0.0, strides=3)
    exported = write_opensim({s: cycle.leg(s) for s in ("right", "left")}, tmp_path, "case", cycle)
    command = [python, "-c", _ID_SCRIPT, str(exported.model), str(exported.coordinates)]
    command += [str(exported.external_loads), str(tmp_path), "0", str(cycle.time_s[-1]), "6"]
    subprocess.run(command, cwd=tmp_path, check=True, capture_output=True, timeout=300)
    theirs, _ = read_storage(tmp_path / "id.sto")
    ours = analyze(exported.coordinates, exported.grf, MASS_KG, model=exported.model)
    middle = cycle.stride == 2
    error = (ours["knee_moment_nm"] - theirs["knee_angle_r_moment"]).to_numpy()[middle]
    rms = float(np.sqrt(np.mean(error**2)))
    print(
        f"{direction}: knee moment vs OpenSim ID RMS {rms:.2f} N·m, max {np.abs(error).max():.2f}"
    )
    assert rms <= 2.0


def test_measured_trial_export_round_trip(subject01: dict[str, Path], tmp_path: Path) -> None:
    """subject01 (gait10dof18musc, Delp's translating knee) exported through ``kneeload
    export``: the model's knee translation becomes a 20-knot spline of the knee angle, so the
    re-analysis gives the trial's knee loads within 0.1 % of the peak (target set for a refit
    spline; generated cases, with a pin knee, are exact)."""
    from kneeload.cli import main
    from kneeload.measured import load_trial

    inputs = ["--kinematics", str(subject01["kinematics"]), "--forces", str(subject01["forces"])]
    inputs += ["--model", str(subject01["model"]), "--mass", "72.6"]
    assert main(["export", *inputs, "--to", "opensim", str(tmp_path), "--name", "s01"]) == 0
    trial = load_trial(subject01["kinematics"], subject01["forces"], 72.6, model=subject01["model"])
    ours = knee_loads(analyze_leg(trial), 72.6)
    back = analyze(
        tmp_path / "s01_ik.mot",
        tmp_path / "s01_grf.mot",
        72.6,
        model=tmp_path / "s01.osim",
        cutoff_hz=None,
    )
    rows = np.ones(len(ours), dtype=bool)
    errors = {c: _relative_error(ours, back, c, rows) for c in LOADS}
    print("subject01 export round trip, max relative error:", errors)
    assert max(errors.values()) <= 1e-3
    assert back.attrs["direction"] == "forward"


def test_rajagopal_coordinates_are_recognised_with_the_same_angles(tmp_path: Path) -> None:
    """The Rajagopal-named coordinates of a generated case are read as that model family
    (knee positive in flexion) and give the same hip, knee and ankle angles as the
    gait10dof18musc ones."""
    from kneeload.io.opensim import read_coordinates
    from kneeload.trial import coordinate_set

    cycle = _cycle("backward", 0.0)
    exported = write_opensim({s: cycle.leg(s) for s in ("right", "left")}, tmp_path, "case", cycle)
    assert exported.coordinates_rajagopal is not None
    angles = {}
    for path in (exported.coordinates, exported.coordinates_rajagopal):
        data = read_coordinates(path)
        family = coordinate_set(data.names, "right", str(path))
        angles[family.family] = family.values(data, data.values)
    assert set(angles) == {"gait10dof18musc", "Rajagopal2016"}
    for role in ("hip_flexion", "knee_flexion", "ankle_dorsiflexion"):
        np.testing.assert_allclose(
            angles["Rajagopal2016"][role], angles["gait10dof18musc"][role], atol=1e-12
        )
    np.testing.assert_allclose(
        np.degrees(angles["Rajagopal2016"]["knee_flexion"]),
        cycle.angles_deg["knee_flexion_deg"][:, 0],
        atol=1e-9,
    )


def test_trc_holds_the_c3d_markers(tmp_path: Path) -> None:
    """The .trc's markers (model frame) are the C3D's (lab frame, z up) turned to y up."""
    from kneeload.export import write_trc
    from kneeload.io.frames import lab_to_model
    from kneeload.io.opensim import read_trc

    cycle = _cycle("backward", 5.0)
    legs = {s: cycle.leg(s) for s in ("right", "left")}
    trc = read_trc(write_trc(legs, tmp_path / "case.trc", cycle))
    c3d = read_c3d(write_c3d(legs, tmp_path / "case.c3d", cycle))
    assert trc.labels == c3d.markers.labels
    np.testing.assert_allclose(trc.time_s, cycle.time_s, atol=1e-12)
    lab = lab_to_model(c3d.markers, vertical_axis="z")
    np.testing.assert_allclose(trc.positions_m, lab.positions_m, atol=1e-6)
