"""``kneeload analyze`` with the other kinematics and force inputs: IK coordinates without a
model (generic leg) with C3D forces, and delimited tables read through column maps."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kneeload.cli import main
from kneeload.io.opensim import read_storage


def test_ik_without_model_and_c3d_forces_grand_challenge(shared_data: Path, tmp_path: Path) -> None:
    """JW og3 (issue 3's validation input): fluoroscopy IK without its model, plates from the
    C3D assigned to the generic leg's right foot; stances on plates 2 and 3 (data README)."""
    folder = shared_data / "grand_challenge_knee_loads_JW"
    out = tmp_path / "jw.csv"
    status = main(
        [
            "analyze",
            "--kinematics",
            str(folder / "ik" / "IK_ngait_og3_with_fluoro.mot"),
            "--forces",
            str(folder / "c3d" / "jw_ngait_og3.c3d"),
            "--mass",
            "70",
            "--out",
            str(out),
        ]
    )
    assert status == 0
    table = pd.read_csv(out)
    loaded = table["grf_vertical_n"].to_numpy() > 20.0
    onsets = table["time_s"].to_numpy()[1:][loaded[1:] & ~loaded[:-1]]
    # right heel strikes on plate 2 at 2.066 s and plate 3 at 3.197 s (io tests, data README)
    assert onsets == pytest.approx([2.066, 3.197], abs=0.02)
    assert table["stride"].max() == 1
    # a walking knee: flexion peaks in swing at 50-75 deg; extensor moment in loading response
    assert 50 < table["knee_flexion_deg"].max() < 75
    early = table["percent_cycle"].between(5, 20)
    assert table.loc[early, "knee_moment_nm_kg"].max() > 0.2
    assert table["knee_adduction_moment_nm"].notna().all()


def test_ik_without_model_calibrated_to_the_c3d_markers(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """JW og3 with ``--marker-set``: the generic leg is calibrated to the joint centres of the
    forces C3D's markers and the notes say so with the residuals; a marker set with
    coordinates and a model, or with a force file that has no markers, stays an input error."""
    folder = shared_data / "grand_challenge_knee_loads_JW"
    ik = str(folder / "ik" / "IK_ngait_og3_with_fluoro.mot")
    c3d = str(folder / "c3d" / "jw_ngait_og3.c3d")
    out = tmp_path / "jw.csv"
    common = ["analyze", "--kinematics", ik, "--mass", "70", "--marker-set", "GrandChallenge_NIH"]
    assert main([*common, "--forces", c3d, "--out", str(out)]) == 0
    notes = capsys.readouterr().err
    assert "generic leg calibrated to the joint centres of" in notes
    assert "GrandChallenge_NIH" in notes and "residual RMS hip" in notes
    table = pd.read_csv(out)
    assert 50 < table["knee_flexion_deg"].max() < 75
    grf = tmp_path / "grf.mot"
    grf.write_text("placeholder\n")
    assert main([*common, "--forces", str(grf), "--out", str(out)]) == 2
    assert "a C3D of the same trial" in capsys.readouterr().err
    model = tmp_path / "jw.osim"
    model.write_text("<OpenSimDocument/>\n")
    assert main([*common, "--forces", c3d, "--model", str(model), "--out", str(out)]) == 2
    assert "no marker set with coordinates and a model" in capsys.readouterr().err


def _write_tables(ik: pd.DataFrame, subject01: dict[str, Path], tmp_path: Path) -> None:
    """``ik`` as ik.csv (degrees) and subject01's GRF as grf.csv (CoP in mm, ';'), with their
    column maps ik.toml and grf.toml."""
    grf, _ = read_storage(subject01["forces"])
    ik.to_csv(tmp_path / "ik.csv", index=False)
    grf_mm = grf.copy()
    for column in [c for c in grf.columns if "_p" in c]:
        grf_mm[column] = grf[column] * 1000.0
    grf_mm.to_csv(tmp_path / "grf.csv", sep=";", index=False)
    angles = "\n".join(
        f'{c} = "{c}"' for c in ik.columns if c != "time" and not c.endswith(("_tx", "_ty"))
    )
    (tmp_path / "ik.toml").write_text(
        f"""[table]
delimiter = ","
[time]
column = "time"
unit = "s"
[units]
angle = "deg"
length = "m"
[frame]
name = "model"
vertical_axis = "y"
[coordinates.angles]
{angles}
[coordinates.lengths]
pelvis_tx = "pelvis_tx"
pelvis_ty = "pelvis_ty"
"""
    )
    plates = "".join(
        f"""
[[plates]]
label = "{prefix or "plate"}"
foot = "{foot}"
force = ["{prefix}ground_force_vx", "{prefix}ground_force_vy", "{prefix}ground_force_vz"]
cop = ["{prefix}ground_force_px", "{prefix}ground_force_py", "{prefix}ground_force_pz"]
free_moment = ["{prefix}ground_torque_x", "{prefix}ground_torque_y", "{prefix}ground_torque_z"]
"""
        for prefix, foot in (("", "right"), ("1_", "left"))
    )
    (tmp_path / "grf.toml").write_text(
        f"""[table]
delimiter = ";"
[time]
column = "time"
unit = "s"
[units]
length = "mm"
force = "N"
moment = "N·m"
[frame]
name = "model"
vertical_axis = "y"
{plates}"""
    )


def _table_args(tmp_path: Path) -> list[str]:
    """``analyze`` arguments for the tables and maps :func:`_write_tables` wrote."""
    return [
        "--kinematics",
        str(tmp_path / "ik.csv"),
        "--columns",
        str(tmp_path / "ik.toml"),
        "--forces",
        str(tmp_path / "grf.csv"),
        "--force-columns",
        str(tmp_path / "grf.toml"),
    ]


def test_tables_through_column_maps_equal_the_opensim_files(
    subject01: dict[str, Path], tmp_path: Path
) -> None:
    """Round trip: subject01's IK (degrees) and GRF (mm CoP) rewritten as CSV tables with
    column maps give the same moments as the OpenSim files they came from."""
    ik, _ = read_storage(subject01["kinematics"])
    _write_tables(ik, subject01, tmp_path)
    common = ["--mass", "72.6", "--model", str(subject01["model"])]
    assert (
        main(
            [
                "analyze",
                "--kinematics",
                str(subject01["kinematics"]),
                "--forces",
                str(subject01["forces"]),
                "--out",
                str(tmp_path / "a.csv"),
                *common,
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "analyze",
                *_table_args(tmp_path),
                "--out",
                str(tmp_path / "b.csv"),
                *common,
            ]
        )
        == 0
    )
    a, b = pd.read_csv(tmp_path / "a.csv"), pd.read_csv(tmp_path / "b.csv")
    np.testing.assert_allclose(b["knee_moment_nm"], a["knee_moment_nm"], atol=1e-6)
    np.testing.assert_allclose(b["knee_flexion_deg"], a["knee_flexion_deg"], atol=1e-9)


def test_table_without_column_map_exits_2(
    subject01: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "ik.csv").write_text("time,knee_angle_r\n0,0\n")
    out = tmp_path / "out.csv"
    argv = [
        "analyze",
        "--kinematics",
        str(tmp_path / "ik.csv"),
        "--forces",
        str(subject01["forces"]),
        "--mass",
        "70",
        "--out",
        str(out),
    ]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert "ik.csv" in err and "--columns" in err and len(err.splitlines()) == 1
    assert not out.exists()


def test_nan_gap_in_the_kinematics_gives_nan_rows_not_zeros(
    subject01: dict[str, Path], tmp_path: Path
) -> None:
    """A 0.25 s marker/IK dropout in mid-stance (longer than the filter's 0.1 s gap filling)
    stays a gap in every output column, joint moments to contact forces, and the frames well
    away from it are still computed (issue 3: NaN rows, never zeros)."""
    ik, _ = read_storage(subject01["kinematics"])
    gap = ik["time"].between(0.9, 1.15)
    ik.loc[gap, [c for c in ik.columns if c != "time"]] = np.nan
    _write_tables(ik, subject01, tmp_path)
    out = tmp_path / "gap.csv"
    argv = [
        "analyze",
        *_table_args(tmp_path),
        "--mass",
        "72.6",
        "--model",
        str(subject01["model"]),
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    table = pd.read_csv(out)
    in_gap = table["time_s"].between(0.9, 1.15).to_numpy()
    for column in ("knee_moment_nm", "muscle_vasti_force_n", "tf_compressive_n", "pf_force_n"):
        assert table.loc[in_gap, column].isna().all(), column
    far = ~table["time_s"].between(0.8, 1.25).to_numpy()
    assert table.loc[far, "tf_compressive_n"].notna().mean() > 0.9
