"""``kneeload run`` as users run it: a real Ctrl-C (SIGINT to the process group) in a
subprocess, then ``--resume``; the same results from worker processes and a real Dask
``LocalCluster`` as from the default in-process run; refusals that write nothing."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from kneeload.cli import main
from kneeload.sweep import ChunkDone, load_results, run_scenario

#: 4 speeds x 2 directions of level walking: 8 cases
SCENARIO = """
[gait]
mode = "walk"
direction = ["forward", "backward"]
speed_m_s = [0.9, 1.0, 1.1, 1.2]
[subject]
mass_kg = 70.0
height_m = 1.75
"""
CHUNK = "2"
#: the Ctrl-C test's scenario: 40 cases, so that the run is still far from done when the first
#: chunk file appears and the signal is sent (8 cases in 8 chunks could all finish first)
FORTY = SCENARIO.replace("[subject]", "grade_pct = [-10.0, -5.0, 0.0, 5.0, 10.0]\n[subject]")


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scenario") / "eight.toml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(scenario: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    """The tables of one uninterrupted in-process run (chunks of 2 cases)."""
    out = tmp_path_factory.mktemp("reference") / "results"
    assert main(["run", str(scenario), "-o", str(out), "--quiet", "--chunk-size", CHUNK]) == 0
    return load_results(out)


@pytest.fixture(scope="module")
def forty(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, pd.DataFrame]]:
    """The 40-case scenario and the tables of its uninterrupted in-process run."""
    folder = tmp_path_factory.mktemp("forty")
    path = folder / "forty.toml"
    path.write_text(FORTY, encoding="utf-8")
    out = folder / "results"
    assert main(["run", str(path), "-o", str(out), "--quiet", "--chunk-size", CHUNK]) == 0
    return path, load_results(out)


def _assert_same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert a.keys() == b.keys()
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True)


def _kneeload(*args: str) -> subprocess.Popen[str]:
    """``kneeload ARGS`` in a new session (its own process group, like a terminal's job)."""
    code = "import sys; from kneeload.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


@pytest.mark.parametrize("executor", [[], ["--workers", "2"]], ids=["in-process", "workers"])
def test_ctrl_c_stops_cleanly_says_how_to_resume_and_resume_completes_identically(
    forty: tuple[Path, dict[str, pd.DataFrame]], tmp_path: Path, executor: list[str]
) -> None:
    scenario, reference = forty
    out = tmp_path / "results"
    first = out / "summary.parquet" / "part-000000.parquet"
    process = _kneeload("run", str(scenario), "-o", str(out), "--chunk-size", "1", *executor)
    try:
        deadline = time.monotonic() + 120
        while not first.is_file() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert first.is_file(), process.communicate()[1]
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C on a terminal does
        _, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert f"kneeload run {scenario} -o {out} --resume" in err
    assert not [p for p in out.rglob("*") if p.name.startswith(".") or p.suffix == ".tmp"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert not manifest["complete"] and 1 <= manifest["chunks_done"] < 40
    assert main(["run", str(scenario), "-o", str(out), "--resume", "--quiet"]) == 0
    assert json.loads((out / "manifest.json").read_text())["complete"]
    _assert_same(load_results(out), reference)


def test_worker_processes_give_the_in_process_results(
    scenario: Path, reference: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    out = run_scenario(scenario, tmp_path / "results", chunk_size=int(CHUNK), workers=2)
    _assert_same(load_results(out), reference)
    executor = json.loads((out / "manifest.json").read_text())["executor"]
    assert executor == {"kind": "processes", "workers": 2}


def test_a_dask_local_cluster_gives_the_in_process_results(
    scenario: Path, reference: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    pytest.importorskip("distributed")
    out = tmp_path / "results"
    args = ["run", str(scenario), "-o", str(out), "--quiet", "--chunk-size", CHUNK]
    assert main([*args, "--scheduler", "local", "--workers", "2"]) == 0
    _assert_same(load_results(out), reference)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["executor"]["kind"] == "dask" and manifest["executor"]["workers"] == 2
    assert manifest["versions"]["dask"] and manifest["versions"]["distributed"]


def test_a_dask_scheduler_address_runs_its_chunks_there(
    scenario: Path, reference: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    """--scheduler ADDRESS connects to a running cluster (here one started in the test); a
    Ctrl-C (SIGINT) drops the chunks in flight, and --resume on the cluster completes the run
    with the same results."""
    distributed = pytest.importorskip("distributed")
    out = tmp_path / "results"

    def interrupt(done: ChunkDone) -> None:
        if done.chunk is not None:
            os.kill(os.getpid(), signal.SIGINT)

    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None
    ) as cluster:
        address = cluster.scheduler_address
        with pytest.raises(KeyboardInterrupt):
            run_scenario(scenario, out, chunk_size=1, scheduler=address, progress=interrupt)
        manifest = json.loads((out / "manifest.json").read_text())
        assert 1 <= manifest["chunks_done"] < 8
        assert not [p for p in out.rglob("*") if p.name.startswith(".")]
        run_scenario(scenario, out, resume=True, scheduler=address)
    _assert_same(load_results(out), reference)
    executor = json.loads((out / "manifest.json").read_text())["executor"]
    assert executor["scheduler"] == cluster.scheduler_address and executor["threads"] == 2


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        (["--scheduler", "tcp://127.0.0.1:9"], "--scheduler"),
        (["--workers", "0"], "--workers"),
        (["--scheduler", "tcp://127.0.0.1:9", "--workers", "2"], "--workers"),
    ],
)
def test_bad_executor_options_exit_2_and_write_nothing(
    scenario: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    field: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("kneeload.sweep.DASK_CONNECT_TIMEOUT_S", 1.0)
    out = tmp_path / "results"
    assert main(["run", str(scenario), "-o", str(out), *extra]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and field in err and "Traceback" not in err
    assert not out.exists()


def test_missing_dask_is_a_clear_input_error(
    scenario: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails as if not installed
    out = tmp_path / "results"
    assert main(["run", str(scenario), "-o", str(out), "--scheduler", "local"]) == 2
    err = capsys.readouterr().err
    assert "kneeload[cluster]" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_non_empty_folder_without_resume_exits_2(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results"
    out.mkdir()
    (out / "mine.csv").write_text("a\n1\n")
    assert main(["run", str(scenario), "-o", str(out)]) == 2
    assert "--resume" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["mine.csv"]


def test_a_finished_run_says_where_its_results_are(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results"
    assert main(["run", str(scenario), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "8 cases (0 failed" in err and str(out) in err


@pytest.mark.parametrize(("tty", "quiet"), [(True, False), (False, False), (True, True)])
def test_progress_bar_only_on_a_terminal_and_nothing_with_quiet(
    scenario: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tty: bool,
    quiet: bool,
) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: tty)
    out = tmp_path / "results"
    args = ["run", str(scenario), "-o", str(out), "--chunk-size", "4"]
    assert main([*args, "--quiet"] if quiet else args) == 0
    err = capsys.readouterr().err
    assert ("8/8" in err and "case" in err) == (tty and not quiet)
    assert (err == "") == quiet


def test_ctrl_c_while_drawing_says_the_results_are_complete(
    scenario: Path,
    reference: dict[str, pd.DataFrame],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A Ctrl-C after the last chunk (while the figures are drawn) exits 130 and says the
    results are complete (they are: equal to an uninterrupted run), not "nothing was
    written"."""

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("kneeload.plotting.draw_figures", interrupted)
    out = tmp_path / "results"
    assert main(["run", str(scenario), "-o", str(out), "--chunk-size", CHUNK]) == 130
    err = capsys.readouterr().err
    assert f"interrupted while drawing; the results in {out} are complete" in err
    assert "nothing was written" not in err
    assert json.loads((out / "manifest.json").read_text())["complete"]
    _assert_same(load_results(out), reference)


def test_a_complete_run_draws_its_figures_unless_told_not_to(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """DIR/figures/*.png and DIR/report.html (issue 5's results store) after a complete run,
    drawn once: the report embeds the very PNG files and equals what ``kneeload report`` writes
    for the folder; --no-figures skips both."""
    out = tmp_path / "results"
    assert main(["run", str(scenario), "-o", str(out)]) == 0
    figures = sorted((out / "figures").iterdir())
    assert "by_direction.png" in {p.name for p in figures}
    assert all(p.suffix == ".png" for p in figures)
    err = capsys.readouterr().err
    assert f"{len(figures)} figures in {out / 'figures'}" in err
    assert f"report {out / 'report.html'}" in err
    page = (out / "report.html").read_text(encoding="utf-8")
    for png in figures:
        assert base64.b64encode(png.read_bytes()).decode("ascii") in page
    again = tmp_path / "again.html"
    assert main(["report", str(out), "--out", str(again)]) == 0
    assert again.read_text(encoding="utf-8") == page
    bare = tmp_path / "bare"
    assert main(["run", str(scenario), "-o", str(bare), "--quiet", "--no-figures"]) == 0
    assert not (bare / "figures").exists() and not (bare / "report.html").exists()
