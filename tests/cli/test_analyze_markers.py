"""``kneeload analyze`` with marker kinematics (.trc, C3D): outputs and bad inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kneeload.analysis import FRAME_COLUMNS
from kneeload.cli import main


@pytest.fixture(scope="module")
def marker_files(shared_data: Path) -> dict[str, Path]:
    subject01 = shared_data / "opensim_subject01_walk" / "experimental"
    return {
        "trc": subject01 / "subject01_walk1.trc",
        "static": subject01 / "subject01_static.trc",
        "grf": subject01 / "subject01_walk1_grf.mot",
        "c3d": shared_data / "grand_challenge_knee_loads_JW" / "c3d" / "jw_ngait_og3.c3d",
        "helen_hayes": shared_data / "c3d_samples" / "bmc_overground_emg" / "Gait.c3d",
    }


def _trc_args(files: dict[str, Path], **override: object) -> list[str]:
    values: dict[str, object] = {
        "kinematics": files["trc"],
        "forces": files["grf"],
        "marker-set": "OpenSim_subject01",
        "static": files["static"],
        "mass": 72.6,
        "side": "right",
        **override,
    }
    argv = ["analyze"]
    for key, value in values.items():
        if value is not None:
            argv += [f"--{key}", str(value)]
    return argv


def _check_table(path: Path, mass_kg: float) -> pd.DataFrame:
    table = pd.read_csv(path)
    assert list(table.columns[: len(FRAME_COLUMNS)]) == list(FRAME_COLUMNS)
    assert table["knee_adduction_moment_nm"].notna().all()  # 3-D data kept from the markers
    loaded = table["grf_vertical_n"] > 1
    ratio = table.loc[loaded, "grf_vertical_n"] / table.loc[loaded, "grf_vertical_bw"]
    np.testing.assert_allclose(ratio, mass_kg * 9.80665, rtol=1e-5)
    # walking: knee flexion within -15..80° throughout (flexion positive)
    assert table["knee_flexion_deg"].between(-15, 80).all()
    return table


def test_analyze_trc_markers_with_static_trial(
    marker_files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "walk.csv"
    assert main(_trc_args(marker_files, out=out)) == 0
    table = _check_table(out, 72.6)
    assert (table["stride"] > 0).any()
    notes = capsys.readouterr().err
    assert "reconstructed from the static trial" in notes
    assert "Harrington 2007" in notes


def test_analyze_one_c3d_as_kinematics_and_forces(
    marker_files: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "jw.csv"
    argv = [
        "analyze",
        "--kinematics",
        str(marker_files["c3d"]),
        "--forces",
        str(marker_files["c3d"]),
        "--marker-set",
        "GrandChallenge_NIH",
        "--mass",
        "70",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    table = _check_table(out, 70.0)
    # both right plates (2 and 3) reach this foot: two stances, one whole stride between them
    stance = (table["grf_vertical_n"] > 20).to_numpy().astype(int)
    assert np.count_nonzero(np.diff(stance) == 1) == 2
    assert set(table["stride"].unique()) == {0, 1}


def _set_with_unknown_label(tmp_path: Path) -> Path:
    from kneeload.data import models_dir

    text = (models_dir() / "marker_sets" / "OpenSim_subject01.toml").read_text()
    path = tmp_path / "typo_set.toml"
    path.write_text(text.replace('heel = "R.Heel"', 'heel = "R.Heal"'))
    return path


# case -> (override builder, the file or argument named, the field named, what was expected)
BAD_INPUTS = {
    "unknown marker set": (
        lambda f, t: {"marker-set": "NoSuchSet"},
        "--marker-set",
        "marker set",
        "OpenSim_subject01",
    ),
    "label missing in the file": (
        lambda f, t: {"marker-set": _set_with_unknown_label(t)},
        "subject01_walk1.trc",
        "R.Heal",
        "heel marker",
    ),
    "markers without a marker set": (
        lambda f, t: {"marker-set": None},
        "subject01_walk1.trc",
        "--marker-set",
        "GrandChallenge_NIH",
    ),
    "set needing a static trial, none given": (
        lambda f, t: {"static": None},
        "subject01_walk1.trc",
        "R.Knee.Lat",
        "static trial",
    ),
    "lateral-only marker set": (
        lambda f, t: {
            "kinematics": f["helen_hayes"],
            "forces": f["helen_hayes"],
            "marker-set": "HelenHayes",
            "static": None,
        },
        "HelenHayes.toml",
        "knee_medial",
        "medial femoral epicondyle",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_marker_input_exit_2_one_line_nothing_written(
    case: str,
    marker_files: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    build, named_file, named_field, expected = BAD_INPUTS[case]
    out = tmp_path / "result.csv"
    status = main(_trc_args(marker_files, out=out, **build(marker_files, tmp_path)))
    captured = capsys.readouterr()
    assert status == 2
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert named_file in lines[0]
    assert named_field in lines[0]
    assert expected in lines[0]
    assert "Traceback" not in captured.err
    assert not out.exists()
