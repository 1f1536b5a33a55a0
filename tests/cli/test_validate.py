"""``kneeload validate``: the report, its exit status and its bad inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from kneeload import validation
from kneeload.cli import main
from kneeload.validation import CheckResult


def test_report_has_targets_figures_and_figures_files(shared_data: Path, tmp_path: Path) -> None:
    status = main(
        [
            "validate",
            "--data",
            str(shared_data),
            "--out",
            str(tmp_path),
            "--only",
            "winter_table_a5",
            "vandenbogert_running",
        ]
    )
    assert status == 0
    report = (tmp_path / "report.md").read_text()
    assert "2 of 2 checks meet their targets" in report
    assert "knee moment within 1 N·m" in report  # the target is stated
    assert "knee_moment_max_error_nm = " in report  # and the measured figure
    assert (tmp_path / "winter_table_a5.png").stat().st_size > 0
    assert not list(tmp_path.glob("*.partial"))


def test_a_missed_target_gives_exit_1_and_says_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(data_dir: Path) -> CheckResult:
        return CheckResult("always_fails", "test", "never met", {"error": 1.0}, passed=False)

    monkeypatch.setattr(validation, "all_checks", lambda: {"always_fails": failing})
    assert main(["validate", "--data", str(tmp_path), "--out", str(tmp_path / "r")]) == 1
    assert "**FAIL**" in (tmp_path / "r" / "report.md").read_text()


def test_bad_inputs_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", "--data", str(tmp_path / "absent"), "--out", str(tmp_path)]) == 2
    assert "--data" in capsys.readouterr().err
    assert main(["validate", "--data", str(tmp_path), "--only", "no_such_check"]) == 2
    err = capsys.readouterr().err.strip()
    assert "no_such_check" in err and "winter_table_a5" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "report.md").exists()
