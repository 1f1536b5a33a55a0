"""``kneeload run`` and :mod:`kneeload.sweep`: the results folder, resume after a complete and
after an interrupted run, and refusals that write nothing."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pandas as pd
import pytest

from kneeload.cli import main
from kneeload.exceptions import InputError
from kneeload.sweep import ChunkDone, load_results, run_scenario

#: 2 speeds x 2 directions of level walking: 4 cases
TINY = """
[gait]
mode = "walk"
direction = ["forward", "backward"]
speed_m_s = [1.0, 1.3]
[subject]
mass_kg = 70.0
height_m = 1.75
"""


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One uninterrupted CLI run of the tiny scenario (chunks of 2 cases)."""
    base = tmp_path_factory.mktemp("reference")
    path = base / "tiny.toml"
    path.write_text(TINY, encoding="utf-8")
    out = base / "results"
    assert (
        main(["run", str(path), "-o", str(out), "--quiet", "--chunk-size", "2", "--no-figures"])
        == 0
    )
    return out


def _assert_same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert a.keys() == b.keys()
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True)


def test_folder_holds_the_files_and_load_results_round_trips(reference: Path) -> None:
    names = sorted(str(p.relative_to(reference)) for p in reference.rglob("*") if p.is_file())
    assert names == [
        "cases.parquet",
        "curves.parquet/part-000000.parquet",
        "curves.parquet/part-000001.parquet",
        "manifest.json",
        "scenario.toml",
        "summary.parquet/part-000000.parquet",
        "summary.parquet/part-000001.parquet",
    ]
    assert "speed_m_s = [1.0, 1.3]" in (reference / "scenario.toml").read_text()
    manifest = json.loads((reference / "manifest.json").read_text())
    assert manifest["n_cases"] == manifest["cases_done"] == 4
    assert manifest["complete"] and manifest["failures"] == []
    assert set(manifest["versions"]) == {"kneeload", "numpy", "pandas", "pyarrow", "numba"}
    assert manifest["executor"] == {"kind": "local", "workers": 1}
    results = load_results(reference)
    cases, curves, summary = results["cases"], results["curves"], results["summary"]
    assert len(cases) == 4 and cases["case_id"].is_unique
    assert list(summary["case_id"]) == list(cases["case_id"])
    assert summary["failure"].isna().all()
    assert (summary["peak_tf_compressive_bw"] > 1.0).all()
    assert list(curves.columns[:1]) == ["case_id"]
    assert {"percent_cycle", "tf_compressive_bw", "pf_force_bw"} <= set(curves.columns)
    assert list(curves["case_id"].unique()) == list(cases["case_id"])
    stored = pd.read_parquet(reference / "curves.parquet" / "part-000001.parquet")
    pd.testing.assert_frame_equal(
        stored, curves[curves["case_id"].isin(cases["case_id"][2:])].reset_index(drop=True)
    )
    # the dataset folders read as one table with plain pandas, in case order
    pd.testing.assert_frame_equal(pd.read_parquet(reference / "curves.parquet"), curves)
    pd.testing.assert_frame_equal(pd.read_parquet(reference / "summary.parquet"), summary)


def test_load_results_reads_only_the_tables_columns_and_cases_asked_for(reference: Path) -> None:
    full = load_results(reference)
    wanted = list(full["cases"]["case_id"][[1, 3]])
    part = load_results(
        reference,
        tables=["curves", "summary"],
        columns=["percent_cycle", "tf_compressive_bw", "peak_tf_compressive_bw"],
        cases=wanted,
    )
    assert list(part) == ["curves", "summary"]
    assert list(part["curves"].columns) == ["case_id", "percent_cycle", "tf_compressive_bw"]
    assert list(part["summary"].columns) == ["case_id", "peak_tf_compressive_bw"]
    expected = full["curves"][full["curves"]["case_id"].isin(wanted)]
    pd.testing.assert_frame_equal(
        part["curves"], expected[part["curves"].columns].reset_index(drop=True)
    )
    with pytest.raises(InputError, match="peak_load_kg"):
        load_results(reference, columns=["peak_load_kg"])


def test_resume_after_a_complete_run_recomputes_nothing(reference: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in reference.rglob("*.parquet")}
    tables = load_results(reference)
    assert main(["run", str(reference / "scenario.toml"), "-o", str(reference), "--resume",
                 "--quiet"]) == 0  # fmt: skip
    assert {p: p.stat().st_mtime_ns for p in reference.rglob("*.parquet")} == before
    _assert_same(load_results(reference), tables)


def test_interrupted_then_resumed_equals_uninterrupted(
    scenario: Path, reference: Path, tmp_path: Path
) -> None:
    out = tmp_path / "results"
    seen: list[ChunkDone] = []

    def stop_after_first(done: ChunkDone) -> None:
        seen.append(done)
        if done.chunk is not None:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_scenario(scenario, out, progress=stop_after_first, chunk_size=1)
    assert [d.chunk for d in seen] == [None, 0]
    assert sorted(p.name for p in (out / "summary.parquet").iterdir()) == ["part-000000.parquet"]
    assert not list(out.rglob("*.tmp"))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["cases_done"] == 1 and not manifest["complete"]
    run_scenario(scenario, out, resume=True, progress=seen.append)
    assert [d.chunk for d in seen] == [None, 0, None, 1, 2, 3]
    assert seen[2].cases_done == 1
    _assert_same(load_results(out), load_results(reference))
    assert json.loads((out / "manifest.json").read_text())["complete"]


def test_non_empty_folder_without_resume_is_refused(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert main(["run", str(scenario), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--resume" in err
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_bad_scenario_exits_2_with_one_line_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(TINY.replace("speed_m_s = [1.0, 1.3]", "speed_m_s = [1.0, -1.3]"))
    out = tmp_path / "results"
    assert main(["run", str(bad), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "gait.speed_m_s[1]" in err and "Traceback" not in err
    assert not out.exists()


def test_a_failing_case_is_recorded_and_the_sweep_goes_on(
    scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kneeload import batch

    real = batch.simulate_batch

    def flaky(specs, strides=1, load_sharing=None):  # type: ignore[no-untyped-def]
        if any(s.direction == "backward" and s.speed_m_s == 1.3 for s in specs):
            raise InputError("generator", "speed_m_s", "something it can do")
        return real(specs, strides, load_sharing)

    monkeypatch.setattr(batch, "simulate_batch", flaky)
    out = run_scenario(scenario, tmp_path / "results", chunk_size=3)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"] and manifest["n_failed"] == 1
    (failure,) = manifest["failures"]
    assert "something it can do" in failure["reason"]
    results = load_results(out)
    failed = results["summary"].set_index("case_id").loc[failure["case_id"]]
    assert failed["failure"] == failure["reason"] and pd.isna(failed["peak_pf_force_bw"])
    assert failure["case_id"] not in set(results["curves"]["case_id"])
    assert results["curves"]["case_id"].nunique() == 3


def test_sigint_stops_after_the_current_chunk(scenario: Path, tmp_path: Path) -> None:
    """A SIGINT (Ctrl-C) is deferred to the end of the chunk: the run stops with that chunk
    complete and nothing after it; the previous SIGINT handler is restored."""
    handler = signal.getsignal(signal.SIGINT)
    out = tmp_path / "results"

    def interrupt(done: ChunkDone) -> None:
        if done.chunk is not None:
            os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(KeyboardInterrupt):
        run_scenario(scenario, out, chunk_size=1, progress=interrupt)
    assert sorted(p.name for p in (out / "summary.parquet").iterdir()) == ["part-000000.parquet"]
    assert sorted(p.name for p in (out / "curves.parquet").iterdir()) == ["part-000000.parquet"]
    assert signal.getsignal(signal.SIGINT) is handler


def test_manifest_lists_the_first_failures_and_counts_them_all(
    scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kneeload import batch

    real = batch.simulate_batch

    def backward_fails(specs, strides=1, load_sharing=None):  # type: ignore[no-untyped-def]
        if any(s.direction == "backward" for s in specs):
            raise InputError("generator", "direction", "forward")
        return real(specs, strides, load_sharing)

    monkeypatch.setattr(batch, "simulate_batch", backward_fails)
    monkeypatch.setattr("kneeload.sweep.MAX_LISTED_FAILURES", 1)
    out = run_scenario(scenario, tmp_path / "results", chunk_size=1)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["n_failed"] == 2 and len(manifest["failures"]) == 1
    assert load_results(out, tables=["summary"])["summary"]["failure"].notna().sum() == 2


def test_the_cases_table_is_written_a_block_at_a_time_as_pandas_writes_it(
    scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One block: the bytes of DataFrame.to_parquet; more: one row group each, same table."""
    import pyarrow.parquet as pq

    from kneeload import scenario as scenario_module
    from kneeload.io.results import write_table
    from kneeload.scenario import case_table, expand, load_scenario
    from kneeload.sweep import _same_cases, _write_cases

    expected = expand(load_scenario(scenario))
    write_table(expected, tmp_path / "whole.parquet")
    _write_cases(case_table(load_scenario(scenario)), tmp_path / "one.parquet")
    assert (tmp_path / "one.parquet").read_bytes() == (tmp_path / "whole.parquet").read_bytes()
    monkeypatch.setattr(scenario_module, "BLOCK_ROWS", 3)
    cases = case_table(load_scenario(scenario))
    _write_cases(cases, tmp_path / "blocks.parquet")
    assert pq.ParquetFile(tmp_path / "blocks.parquet").num_row_groups == 2
    stored = pd.read_parquet(tmp_path / "blocks.parquet")
    pd.testing.assert_frame_equal(stored, expected, check_exact=True)
    assert stored.attrs == expected.attrs
    assert _same_cases(cases, tmp_path / "blocks.parquet")
    assert not _same_cases(case_table(load_scenario("running")), tmp_path / "blocks.parquet")


def test_sigint_while_a_chunk_computes_ends_with_that_chunk_written(
    scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunk k is written while chunk k+1 computes: a Ctrl-C then still stops after chunk
    k+1, complete, as without the writer thread."""
    from kneeload import sweep

    real = sweep._compute_chunk
    computed: list[int] = []

    def interrupted_on_the_second(cases: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        computed.append(len(computed))
        if len(computed) == 2:
            os.kill(os.getpid(), signal.SIGINT)
        return real(cases)

    monkeypatch.setattr(sweep, "_compute_chunk", interrupted_on_the_second)
    out = tmp_path / "results"
    with pytest.raises(KeyboardInterrupt):
        run_scenario(scenario, out, chunk_size=1)
    assert computed == [0, 1]
    parts = ["part-000000.parquet", "part-000001.parquet"]
    assert sorted(p.name for p in (out / "summary.parquet").iterdir()) == parts
    assert not list(out.rglob("*.tmp"))
    assert json.loads((out / "manifest.json").read_text())["cases_done"] == 2
