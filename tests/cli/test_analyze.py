"""``kneeload analyze`` end to end: outputs, and every bad input ends in exit 2 with one line."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kneeload.analysis import FRAME_COLUMNS
from kneeload.cli import main


def _args(files: dict[str, Path], **override: object) -> list[str]:
    inputs = {key: files[key] for key in ("kinematics", "forces", "model")}
    values: dict[str, object] = {**inputs, "mass": 72.6, "side": "right", **override}
    argv = ["analyze"]
    for key, value in values.items():
        if value is not None:
            argv += [f"--{key}", str(value)]
    return argv


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_analyze_writes_table_and_figure(
    subject01: dict[str, Path], tmp_path: Path, suffix: str
) -> None:
    out = tmp_path / f"walk{suffix}"
    figure = tmp_path / "walk.png"
    assert main(_args(subject01, out=out, plot=figure)) == 0
    table = pd.read_csv(out) if suffix == ".csv" else pd.read_parquet(out)
    assert list(table.columns[: len(FRAME_COLUMNS)]) == list(FRAME_COLUMNS)
    assert {"knee_moment_nm_kg", "knee_force_axial_bw", "grf_vertical_bw"} <= set(table.columns)
    # one whole right stride in this trial: contact at ~0.0 s is the record's edge, so strides
    # start at the next contacts; percent_cycle runs 0..100 inside them and is empty outside
    inside = table["stride"] > 0
    assert inside.any()
    assert table.loc[inside, "percent_cycle"].between(0, 100).all()
    assert table.loc[~inside, "percent_cycle"].isna().all()
    # body-weight normalisation at the edge only: the ratio is m·g
    ratio = table["grf_vertical_n"] / table["grf_vertical_bw"]
    np.testing.assert_allclose(ratio[table["grf_vertical_n"] > 1], 72.6 * 9.80665, rtol=1e-5)
    assert figure.stat().st_size > 10_000


def _bad_grf_no_left_contact(subject01: dict[str, Path], tmp_path: Path) -> Path:
    text = subject01["forces"].read_text().splitlines()
    start = next(i for i, line in enumerate(text) if line.startswith("time")) + 1
    header = text[start - 1].split("\t")
    left = [i for i, name in enumerate(header) if name.startswith("1_ground_force_v")]
    rows = []
    for line in text[start:]:
        fields = line.split("\t")
        for i in left:
            fields[i] = "0"
        rows.append("\t".join(fields))
    path = tmp_path / "no_left_contact_grf.mot"
    path.write_text("\n".join(text[:start] + rows) + "\n")
    # the external-loads file beside it says which columns are the left foot
    xml = subject01["forces"].parent / "subject01_walk_grf_externalloads_gait10dof.xml"
    (tmp_path / xml.name).write_text(xml.read_text())
    return path


def _shifted_grf(subject01: dict[str, Path], tmp_path: Path) -> Path:
    text = subject01["forces"].read_text().splitlines()
    start = next(i for i, line in enumerate(text) if line.startswith("time")) + 1
    rows = []
    for line in text[start:]:
        fields = line.split("\t")
        fields[0] = f"{float(fields[0]) + 100.0:.4f}"
        rows.append("\t".join(fields))
    path = tmp_path / "late_grf.mot"
    path.write_text("\n".join(text[:start] + rows) + "\n")
    return path


def _ik_without_knee(subject01: dict[str, Path], tmp_path: Path) -> Path:
    lines = subject01["kinematics"].read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("time"))
    header = lines[start].split("\t")
    drop = header.index("knee_angle_r")
    body = [
        "\t".join(f for i, f in enumerate(line.split("\t")) if i != drop) for line in lines[start:]
    ]
    path = tmp_path / "ik_without_knee.mot"
    path.write_text("\n".join(lines[:start] + body) + "\n")
    return path


def _model_without_shank(subject01: dict[str, Path], tmp_path: Path) -> Path:
    path = tmp_path / "no_shank.osim"
    path.write_text(subject01["model"].read_text().replace("tibia_r", "shin_r"))
    return path


def _truncated_c3d(shared_data: Path, tmp_path: Path) -> Path:
    source = shared_data / "grand_challenge_knee_loads_JW" / "c3d" / "jw_ngait_og3.c3d"
    data = source.read_bytes()
    path = tmp_path / "truncated.c3d"
    path.write_bytes(data[: len(data) // 2])
    return path


def _text_as_c3d(tmp_path: Path) -> Path:
    path = tmp_path / "not_really.c3d"
    path.write_text("this is not a C3D file\n" * 40)
    return path


# case -> (builder of the override, the file or argument named, the field named)
BAD_INPUTS = {
    "mass <= 0": (lambda s, t, d: {"mass": -70}, "--mass", "mass_kg"),
    "side with no contact": (
        lambda s, t, d: {"forces": _bad_grf_no_left_contact(s, t), "side": "left"},
        "no_left_contact_grf.mot",
        "left foot vertical force",
    ),
    "unknown side": (lambda s, t, d: {"side": "middle"}, "--side", "right or left"),
    "no time overlap": (lambda s, t, d: {"forces": _shifted_grf(s, t)}, "late_grf.mot", "time"),
    "mot without the knee": (
        lambda s, t, d: {"kinematics": _ik_without_knee(s, t)},
        "ik_without_knee.mot",
        "knee_angle_r",
    ),
    "osim without a shank": (
        lambda s, t, d: {"model": _model_without_shank(s, t)},
        "no_shank.osim",
        "shank",
    ),
    "truncated C3D": (lambda s, t, d: {"forces": _truncated_c3d(d, t)}, "truncated.c3d", ""),
    "text renamed .c3d": (lambda s, t, d: {"forces": _text_as_c3d(t)}, "not_really.c3d", ""),
    "missing file": (lambda s, t, d: {"kinematics": t / "absent.mot"}, "absent.mot", "kinematics"),
    "wrong output format": (lambda s, t, d: {"out": t / "walk.xlsx"}, "walk.xlsx", "--out"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_exit_2_one_line_nothing_written(
    case: str,
    subject01: dict[str, Path],
    shared_data: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    build, named_file, named_field = BAD_INPUTS[case]
    override = build(subject01, tmp_path, shared_data)
    out = override.pop("out", tmp_path / "result.csv")
    status = main(_args(subject01, out=out, **override))
    captured = capsys.readouterr()
    assert status == 2
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert named_file in lines[0]
    assert named_field in lines[0]
    assert "Traceback" not in captured.err
    assert not Path(str(out)).exists()
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]


def test_console_script_help_is_fast_and_lazy() -> None:
    """``kneeload --help`` must not import numba, pandas or matplotlib (start-up budget 0.5 s)."""
    code = (
        "import sys; from kneeload.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('numba', 'pandas', 'matplotlib', 'scipy') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert re.search(r"HEAVY \[\]", result.stdout), result.stdout
    assert "analyze" in result.stdout
