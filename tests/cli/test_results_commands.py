"""``kneeload plot``, ``compare`` and ``report`` on a real results folder of ``kneeload run``:
what they write, that the report is one self-contained HTML file, and that bad input ends in
exit 2 with one line and nothing written."""

from __future__ import annotations

import base64
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from kneeload.cli import main
from kneeload.plotting import load_curves, write_figures
from kneeload.sweep import load_results

#: forward and backward level and uphill walking at two speeds: 8 cases, all paired
SCENARIO = """
[meta]
name = "results_view_test"
description = "Forward against backward walking, level and 10 % uphill."
[gait]
mode = "walk"
direction = ["forward", "backward"]
speed_m_s = [1.0, 1.3]
grade_pct = [0.0, 10.0]
[subject]
mass_kg = 70.0
height_m = 1.75
"""

PNG = b"\x89PNG\r\n\x1a\n"
FORWARD = ["--by", "direction", "--baseline", "forward"]


@pytest.fixture(scope="module")
def results_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("results_view")
    scenario = base / "walk.toml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    out = base / "results"
    assert main(["run", str(scenario), "-o", str(out), "--quiet"]) == 0
    return out


@pytest.fixture
def results(results_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the results folder, for tests that write into it."""
    return Path(shutil.copytree(results_dir, tmp_path / "results"))


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


class _Page(HTMLParser):
    """Collects tags and every src/href attribute of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in {"src", "href"}:
                self.links.append((tag, name, value or ""))


def test_write_figures_writes_pngs_per_default_grouping(results: Path) -> None:
    paths = write_figures(results)
    names = {p.name for p in paths}
    assert {"by_direction.png", "by_grade_pct.png", "by_direction_x_grade_pct.png"} <= names
    for path in paths:
        assert path.parent == results / "figures" and path.read_bytes().startswith(PNG)
    assert not list((results / "figures").glob(".*"))  # no temporary file left


def test_only_the_needed_columns_and_at_most_max_cases_are_read(results_dir: Path) -> None:
    tables, quantities, note = load_curves(results_dir, ["pf_force_bw"], max_cases=3)
    curves = tables["curves"]
    assert quantities == ["pf_force_bw"] and len(tables["cases"]) == 8
    assert set(curves.columns) == {"case_id", "stride", "percent_cycle", "pf_force_bw"}
    assert curves["case_id"].nunique() == 3 and "3 of 8 cases" in note
    again, _, _ = load_curves(results_dir, ["pf_force_bw"], max_cases=3)
    pd.testing.assert_frame_equal(again["curves"], curves)  # a fixed seed: the same sample
    _, everything, note = load_curves(results_dir)
    assert everything[0] == "tf_compressive_bw" and note == ""


def test_plot_writes_the_figure_and_prints_its_path(
    results: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "tf.png"
    argv = ["plot", str(results), "--by", "direction", "grade_pct", "--quantity"]
    assert main([*argv, "tf_compressive_bw", "pf_force_bw", "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert out.read_bytes().startswith(PNG)
    assert main(["plot", str(results)]) == 0
    assert (results / "figures" / "all_cases.png").read_bytes().startswith(PNG)


def test_compare_prints_peak_ratios_and_writes_tables(
    results: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["compare", str(results), "--by", "direction", "--baseline", "forward"]
    assert main([*argv, "--quantity", "tf_compressive_bw", "grf_vertical_bw"]) == 0
    printed = capsys.readouterr().out
    assert "tf_compressive_bw" in printed and "backward" in printed and "paired" in printed
    folder = results / "compare" / "direction_vs_forward"
    peaks = pd.read_csv(folder / "peak_ratios.csv")
    assert set(peaks["stratum"]) == {
        "all", "speed_m_s=1", "speed_m_s=1.3", "grade_pct=0", "grade_pct=10"
    }  # fmt: skip
    everything = peaks[peaks["stratum"] == "all"].set_index("quantity")
    assert (everything["n_group"] == 4).all() and (everything["pairing"] == "paired").all()
    # the printed ratio is the geometric mean of the per-pair ratios of the summary's peaks
    tables = load_results(results)
    merged = tables["cases"].merge(tables["summary"], on="case_id")
    keys = ["speed_m_s", "grade_pct"]
    pairs = merged[merged["direction"] == "backward"].merge(
        merged[merged["direction"] == "forward"], on=keys, suffixes=("_b", "_f")
    )
    expected = (pairs["peak_grf_vertical_bw_b"] / pairs["peak_grf_vertical_bw_f"]).prod() ** 0.25
    # summary peaks come from the frames, ours from the resampled stride mean: same to ~1 %
    assert everything.loc["grf_vertical_bw", "ratio"] == pytest.approx(expected, rel=0.01)
    assert (folder / "comparison.png").read_bytes().startswith(PNG)
    curves = pd.read_csv(folder / "ratio_curves.csv")
    assert len(curves) == 2 * 101


def test_report_is_one_self_contained_html_file(
    results: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _files(results)
    report = tmp_path / "sub" / "report.html"
    assert main(["report", str(results), "--out", str(report)]) == 0
    assert capsys.readouterr().out.strip() == str(report)
    assert _files(results) == before and _files(tmp_path / "sub") == {report}
    text = report.read_text(encoding="utf-8")
    page = _Page()
    page.feed(text)
    page.close()
    assert page.tags[:2] == ["html", "head"] and "body" in page.tags and "table" in page.tags
    assert "link" not in page.tags and "script" not in page.tags and "iframe" not in page.tags
    images = [value for tag, name, value in page.links if tag == "img"]
    assert len(images) >= 3
    assert all(v.startswith("data:image/png;base64,") for _, _, v in page.links)
    for image in images:
        assert base64.b64decode(image.split(",", 1)[1]).startswith(PNG)
    for words in ("results_view_test", "[BW]", "How to read", "kneeload", "numpy", "Backward"):
        assert words in text
    assert "speed_m_s = [1.0, 1.3]" in text  # the scenario, verbatim


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["plot", "{dir}", "--by", "directon"], "--by: expected one of"),
        (["plot", "{dir}", "--quantity", "tf_compresive_bw"], "did you mean 'tf_compressive_bw'"),
        (["plot", "{dir}", "--out", "{dir}/figure.pdf"], "--out: expected a file name ending"),
        (["compare", "{dir}", "--by", "directon", "--baseline", "forward"], "did you mean"),
        (["compare", "{dir}", "--by", "direction", "--baseline", "sideways"], "forward, backward"),
        (["compare", "{dir}", "--by", "mass_kg", "--baseline", "70"], "mass_kg=70 only"),
        (["compare", "{dir}", *FORWARD, "--quantity", "x"], "--quantity"),
        (["plot", "{dir}/missing"], "a results folder of kneeload run"),
        (["compare", "{dir}/missing", *FORWARD], "results folder"),
        (["report", "{dir}/missing"], "a results folder of kneeload run"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_one_line_and_writes_nothing(
    results: Path, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _files(results)
    status = main([a.replace("{dir}", str(results)) for a in argv])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and err.startswith(f"kneeload {argv[0]}: error: ")
    assert message in err
    assert _files(results) == before
    if "did you mean" in message:
        assert "did you mean 'direction'" in err or "did you mean 'tf_compressive_bw'" in err
