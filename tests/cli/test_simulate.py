"""``kneeload simulate`` end to end; every out-of-range input ends in exit 2 with one line that
names the option and the allowed range, and no output file."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kneeload.cli import main

#: a valid command: forward walking at 1.3 m/s on level ground, 70 kg, 1.75 m
GOOD: dict[str, object] = {
    "mode": "walk",
    "direction": "forward",
    "speed": 1.3,
    "grade": 0.0,
    "mass": 70.0,
    "height": 1.75,
}


def _args(**override: object) -> list[str]:
    argv = ["simulate"]
    for key, value in {**GOOD, **override}.items():
        if value is True:
            argv.append(f"--{key.replace('_', '-')}")
        elif value is not None:
            argv += [f"--{key.replace('_', '-')}", str(value)]
    return argv


def _needs_generator() -> None:
    pytest.importorskip("kneeload.gait.generator", reason="the cycle generator has not landed")
    pytest.importorskip("kneeload.gait.templates", reason="the gait templates have not landed")


@pytest.mark.parametrize(
    ("override", "option", "allowed"),
    [
        ({"mode": "jog"}, "--mode", "walk, run"),
        ({"direction": "sideways"}, "--direction", "forward, backward"),
        ({"speed": 0.0}, "--speed", "> 0 m/s"),
        ({"speed": -1.0}, "--speed", "> 0 m/s"),
        ({"speed": "nan"}, "--speed", "> 0 m/s"),
        ({"grade": 41.0}, "--grade", "-40 to 40 %"),
        ({"grade": -45.0}, "--grade", "-40 to 40 %"),
        ({"mass": 20.0}, "--mass", "30 to 200 kg"),
        ({"mass": 250.0}, "--mass", "30 to 200 kg"),
        ({"height": 1.0}, "--height", "1.3 to 2.2 m"),
        ({"height": 2.5}, "--height", "1.3 to 2.2 m"),
        ({"sex": "other"}, "--sex", "male, female"),
        ({"condition": "medial_oa"}, "--condition", "healthy"),
        ({"strides": 0}, "--strides", "1 to 100"),
        ({"strides": 101}, "--strides", "1 to 100"),
        ({"exponent": 1.0}, "--exponent", ">= 1.5"),
        ({"muscle_set": "no_such_set"}, "no_such_set", "gait10dof18musc"),
        ({"contact_area_model": "no_such_area"}, "no_such_area", "Besier2005_male"),
    ],
)
def test_out_of_range_input_exits_2_with_one_line_and_no_file(
    override: dict[str, object],
    option: str,
    allowed: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "cycle.csv"
    assert main(_args(out=out, **override)) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("kneeload simulate: error:"), lines[0]
    assert option in lines[0] and allowed in lines[0], lines[0]
    assert captured.out == ""
    assert not list(tmp_path.iterdir())


def test_unwritable_format_is_refused_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_args(out=tmp_path / "cycle.xlsx")) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "--out" in lines[0] and ".csv or .parquet" in lines[0]
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("mode", "speed"), [("walk", 4.0), ("walk", 0.05), ("run", 12.0), ("run", 0.5)]
)
def test_speed_beyond_the_normative_data_is_refused(
    mode: str, speed: float, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Never silently extrapolated (issue 4): refused with the range the data cover."""
    _needs_generator()
    assert main(_args(mode=mode, speed=speed, out=tmp_path / "cycle.csv")) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "--speed" in lines[0] and "m/s" in lines[0], lines
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_simulate_writes_table_and_summary(
    suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _needs_generator()
    out = tmp_path / f"cycle{suffix}"
    assert main(_args(strides=2, out=out)) == 0
    err = capsys.readouterr().err
    assert "stance" in err and "cadence" in err and "BW" in err
    table = pd.read_csv(out) if suffix == ".csv" else pd.read_parquet(out)
    from kneeload.analysis import FRAME_COLUMNS

    assert list(table.columns[: len(FRAME_COLUMNS)]) == list(FRAME_COLUMNS)
    for column in (
        "knee_flexion_deg",
        "knee_moment_nm",
        "tf_compressive_n",
        "pf_force_n",
        "pf_stress_mpa",
        "quadriceps_force_n",
        "quadriceps_activation",
    ):
        assert column in table.columns
    assert set(table["stride"]) == {1, 2}
    assert table["percent_cycle"].between(0, 100).all()
    assert np.all(np.diff(table["time_s"]) > 0)
    # body weight at the edge only: the ratio of the N and BW columns is m·g
    loaded = table["grf_vertical_n"] > 1.0
    ratio = table.loc[loaded, "grf_vertical_n"] / table.loc[loaded, "grf_vertical_bw"]
    np.testing.assert_allclose(ratio, 70.0 * 9.80665, rtol=1e-5)


def test_simulate_csv_on_stdout_matches_the_python_api(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The CLI is a thin shell: stdout holds kneeload.gait.simulate.simulate's table."""
    _needs_generator()
    from kneeload.gait.simulate import simulate
    from kneeload.gait.spec import GaitSpec, Subject

    assert main(_args(direction="backward", speed=1.0, grade=-10.0)) == 0
    printed = pd.read_csv(io.StringIO(capsys.readouterr().out))
    spec = GaitSpec("walk", "backward", 1.0, -10.0, Subject(70.0, 1.75))
    table = simulate(spec)
    assert list(printed.columns) == list(table.columns)
    np.testing.assert_allclose(
        printed["tf_compressive_n"], table["tf_compressive_n"], rtol=1e-5, atol=1e-3
    )


def test_a_reader_that_stops_early_is_not_an_error() -> None:
    """``kneeload simulate ... | head`` closes the pipe: no traceback, exit 0."""
    _needs_generator()
    import subprocess
    import sys

    code = "import sys; from kneeload.cli import main; sys.exit(main(sys.argv[1:]))"
    process = subprocess.Popen(
        [sys.executable, "-c", code, *_args(strides=3)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(100)
    process.stdout.close()
    with process.stderr:
        error = process.stderr.read().decode()
    assert process.wait(timeout=120) == 0, error
    assert "Traceback" not in error
