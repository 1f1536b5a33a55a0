"""One patient against a normative band: the band arithmetic, and kneeload compare-patient."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kneeload.cli import main
from kneeload.data import scenarios_dir
from kneeload.exceptions import InputError
from kneeload.norm_band import band_from_curves, excursion_table, excursions, match_cases
from kneeload.stats import PERCENT_CYCLE
from kneeload.sweep import load_results, run_scenario

#: standardised scores with mean 0 and sample SD 1 (ddof 1): a population with known mean/SD
Z = np.array([-1.5, -0.5, 0.0, 0.5, 1.5])
Z = (Z - Z.mean()) / Z.std(ddof=1)


def synthetic_band_curves() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Population curves whose pointwise mean and SD are exactly ``mean`` and ``sd``."""
    mean = 2.0 + np.sin(2 * np.pi * PERCENT_CYCLE / 100)
    sd = 0.1 + 0.05 * np.cos(2 * np.pi * PERCENT_CYCLE / 100)
    return mean + np.outer(Z, sd), mean, sd


@pytest.mark.parametrize("side", [1.0, -1.0])
def test_a_3_sd_offset_over_20_to_40_pct_is_found_exactly(side: float) -> None:
    curves, mean, sd = synthetic_band_curves()
    band = band_from_curves("q_bw", curves)
    np.testing.assert_allclose(band.mean, mean, rtol=1e-12)
    np.testing.assert_allclose(band.sd, sd, rtol=1e-12)
    region = (PERCENT_CYCLE >= 20) & (PERCENT_CYCLE <= 40)
    patient = mean + side * 3.0 * sd * region
    (found,) = excursions(patient, band)
    assert (found.start_pct, found.end_pct) == (20.0, 40.0)
    assert found.side == ("above" if side > 0 else "below")
    assert found.max_z == pytest.approx(3.0 * side)
    assert found.max_beyond_sd == pytest.approx(1.0)
    widest = np.argmax(np.where(region, sd, -np.inf))  # 1 SD beyond the edge, largest SD there
    assert found.at_pct == PERCENT_CYCLE[widest]
    assert found.max_beyond == pytest.approx(sd[widest])
    assert excursions(mean + 1.9 * sd, band) == []  # inside ± 2 SD everywhere


def test_zero_width_band_and_excursion_table() -> None:
    """Where every case has the same value (GRF in swing) any other value is outside, by
    infinitely many SD; rounding-level SD counts as zero."""
    curves, mean, _sd = synthetic_band_curves()
    curves[:, 60:] = 0.0
    curves[0, 60:] = 1e-17  # rounding error
    band = band_from_curves("grf_bw", curves)
    assert np.all(band.sd[60:] == 0.0)
    patient = np.where(PERCENT_CYCLE >= 60, 0.0, mean)
    patient[80] = 0.05
    (found,) = excursions(patient, band)
    assert (found.start_pct, found.end_pct, found.max_z) == (80.0, 80.0, np.inf)
    table = excursion_table([found])
    assert list(table.columns)[:4] == ["quantity", "start_pct", "end_pct", "side"]
    assert len(excursion_table([])) == 0


def test_band_input_errors() -> None:
    curves, _mean, _sd = synthetic_band_curves()
    with pytest.raises(InputError, match="at least 3 matched cases"):
        band_from_curves("q", curves[:2])
    with pytest.raises(InputError, match="101"):
        band_from_curves("q", curves[:, :50])
    cases = pd.DataFrame({"case_id": ["a", "b", "c"], "direction": ["forward"] * 3})
    cases["speed_m_s"] = [1.0, 1.2, 1.0]
    assert match_cases(cases, {"direction": "forward", "speed_m_s": "1"}) == ["a", "c"]
    with pytest.raises(InputError, match="found forward"):
        match_cases(cases, {"direction": "backward"})
    with pytest.raises(InputError, match="--match mode"):
        match_cases(cases, {"mode": "walk"})


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled population scenario with 4 draws (x 2 directions), run into a folder."""
    folder = tmp_path_factory.mktemp("population")
    text = (scenarios_dir() / "population.toml").read_text()
    lines = ["n = 4" if line.startswith("n = ") else line for line in text.splitlines()]
    scenario = folder / "population4.toml"
    scenario.write_text("\n".join(lines) + "\n")
    return run_scenario(scenario, folder / "results")


def test_a_member_of_the_population_is_inside_its_band(
    population: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Samuelson's inequality: a member of n curves is within (n - 1) / sqrt(n) SD of their
    mean, 1.5 SD for n = 4 < 2 SD: one of the population's own cases never leaves the band."""
    results = load_results(population)
    forward = results["cases"].query("direction == 'forward'")
    assert len(forward) == 4
    member = results["curves"][results["curves"]["case_id"] == forward["case_id"].iloc[0]]
    trial = tmp_path / "member.csv"
    member.drop(columns="case_id").to_csv(trial, index=False)
    out = tmp_path / "figs" / "member"
    argv = [str(trial), "--norm", str(population), "--match", "direction=forward", "mode=walk"]
    assert main(["compare-patient", *argv, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    for quantity in ("tf_compressive_bw", "pf_force_bw", "grf_vertical_bw"):
        assert f"{quantity}: band mean ± 2 SD of 4 cases: inside the band" in printed
    assert len(pd.read_csv(out.with_name("member.csv"))) == 0
    assert out.with_name("member.png").stat().st_size > 0


def test_a_scaled_patient_leaves_the_band(
    population: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A member's tibiofemoral curve times 1.5 (a simulated table is read like a measured one)
    is above the band where the load is large, and the CSV says where."""
    results = load_results(population)
    case = results["cases"].query("direction == 'backward'").case_id.iloc[0]
    member = results["curves"][results["curves"]["case_id"] == case].drop(columns="case_id")
    member["tf_compressive_bw"] *= 1.5
    trial = tmp_path / "scaled.parquet"
    member.to_parquet(trial)
    out = tmp_path / "scaled"
    argv = ["--norm", str(population), "--match", "direction=backward"]
    code = main(["compare-patient", str(trial), *argv, "--quantity", "tf_compressive_bw"])
    assert code == 0
    assert main(["compare-patient", str(trial), *argv, "--out", str(out)]) == 0
    assert "outside over" in capsys.readouterr().out
    table = pd.read_csv(tmp_path / "scaled.csv")
    tf = table[table["quantity"] == "tf_compressive_bw"]
    assert len(tf) >= 1 and set(tf["side"]) == {"above"}
    peak = member["tf_compressive_bw"].idxmax()
    at_peak = member.loc[peak, "percent_cycle"]
    assert any((tf["start_pct"] <= at_peak) & (tf["end_pct"] >= at_peak))
    assert set(table["quantity"]) == {"tf_compressive_bw"}  # pf and GRF unchanged: inside


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.csv"], "TRIAL: expected an existing file"),
        (["trial.txt"], "TRIAL: expected a .csv or .parquet"),
        (["trial.csv", "--match", "direction"], "--match: direction: expected COLUMN=VALUE"),
        (["trial.csv", "--match", "direction=sideways"], "--match direction=sideways"),
        (["trial.csv", "--match", "colour=red"], "--match colour"),
        (["trial.csv", "--quantity", "knee_flexion_deg"], "knee_flexion_deg"),
        (["trial.csv", "--norm-is-not-a-folder"], None),
    ],
)
def test_bad_input_exits_2_with_one_line(
    population: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str | None,
) -> None:
    results = load_results(population)
    curves = results["curves"]
    member = curves[curves["case_id"] == curves["case_id"].iloc[0]].drop(columns="case_id")
    member.drop(columns="knee_flexion_deg").to_csv(tmp_path / "trial.csv", index=False)
    (tmp_path / "trial.txt").write_text("x")
    args = [str(tmp_path / a) if a.startswith(("trial", "missing")) else a for a in args]
    if message is None:  # the folder is not a results folder
        code = main(["compare-patient", args[0], "--norm", str(tmp_path)])
        message = "expected a results folder"
    else:
        code = main(["compare-patient", *args, "--norm", str(population)])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert err.startswith("kneeload compare-patient: error:")
    assert message in err


def test_a_measured_trial_against_the_generated_band(
    subject01: dict[str, Path],
    population: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """OpenSim's subject01 walk, analysed by kneeload.analyze, goes through compare-patient; its
    one whole stride is the patient curve (a generated band is narrow: it leaves it)."""
    from kneeload import analyze

    table = analyze(
        subject01["kinematics"], subject01["forces"], mass_kg=72.6, model=subject01["model"]
    )
    trial = tmp_path / "subject01_walk.parquet"
    table.to_parquet(trial)
    argv = [
        "compare-patient",
        str(trial),
        "--norm",
        str(population),
        "--match",
        "direction=forward",
    ]
    assert main([*argv, "--quantity", "tf_compressive_bw", "--out", str(tmp_path / "s01")]) == 0
    assert "tf_compressive_bw: band mean ± 2 SD of 4 cases" in capsys.readouterr().out
    found = pd.read_csv(tmp_path / "s01.csv")
    assert (found["end_pct"] >= found["start_pct"]).all()
    assert found["max_beyond"].gt(0).all() and found["max_beyond_sd"].ge(0).all()


@pytest.mark.parametrize("spm", ["t", "snpm"])
def test_compare_spm_prints_the_tests_and_shades_the_figure(
    population: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], spm: str
) -> None:
    """kneeload compare --spm: backward against forward walking of the same 4 sampled subjects
    is a paired test; a quantity with zero-variance nodes (vertical GRF in swing) gets no
    parametric test and a line saying why; 4 pairs have 2^4 = 16 sign flips, too few for a
    permutation test at alpha 0.05, which is said too."""
    out = tmp_path / "cmp"
    argv = ["compare", str(population), "--by", "direction", "--baseline", "forward"]
    quantities = ["--quantity", "tf_compressive_bw", "grf_vertical_bw"]
    assert main([*argv, *quantities, "--spm", spm, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    if spm == "t":
        assert "tf_compressive_bw backward: SPM paired t, n=4" in printed
        assert "grf_vertical_bw: no SPM test:" in printed and "zero variance" in printed
    else:
        assert "tf_compressive_bw: no SPM test:" in printed and "16 possible" in printed
    assert (out / "comparison.png").stat().st_size > 0
