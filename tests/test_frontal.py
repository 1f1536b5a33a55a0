"""Frontal plane and cumulative load (issue 6): the knee adduction moment from a known lever
arm, its %BW·height normalisation and impulse, the medial/lateral split in BW, the
cumulative-load index, programme totals and the scenario's ``[programme]`` table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kneeload.analysis import lever_arm_kam, percent_body_weight_height
from kneeload.config import STANDARD_GRAVITY_M_S2
from kneeload.contact import tibiofemoral_contact
from kneeload.exceptions import InputError
from kneeload.metrics import Programme, cumulative_load_index, load_metrics, programme_loads
from kneeload.scenario import load_scenario

G = STANDARD_GRAVITY_M_S2
STRIDE_TIME_S = 1.2
STANCE = 0.6  #: stance share of the cycle, from 0 %
FRAMES = 1200  #: frames per stride


def _kam(side: str, lever_m: float, force_n: float) -> float:
    """KAM of a pure vertical force at the floor, 0.5 m below the knee, ``lever_m`` toward the
    body's midline (medial) from it; the facing frame's z points right."""
    medial_z = -lever_m if side == "right" else lever_m
    cop = np.array([[0.1, 0.0, medial_z]])
    knee = np.array([[0.1, 0.5, 0.0]])
    grf = np.array([[0.0, force_n, 0.0]])
    return float(lever_arm_kam(cop, knee, grf, side)[0])


@pytest.mark.parametrize("side", ["right", "left"])
def test_kam_of_a_vertical_force_is_force_times_lever_arm_varus_when_medial(side: str) -> None:
    """A vertical force F passing a distance a medial to the knee gives an external adduction
    (varus) moment F·a; lateral, an abduction moment -F·a; the knee's height does not enter."""
    assert _kam(side, 0.03, 700.0) == pytest.approx(21.0, rel=1e-12)
    assert _kam(side, -0.02, 700.0) == pytest.approx(-14.0, rel=1e-12)


def test_kam_is_zero_without_ground_contact() -> None:
    assert _kam("right", 0.03, 0.0) == 0.0


def test_percent_body_weight_height() -> None:
    """100·M/(m·g·H): 21 N·m for 70 kg and 1.75 m is 1.7483 %BW·Ht; NaN without a stature."""
    value = percent_body_weight_height(np.array([21.0]), 70.0, 1.75)
    assert value[0] == pytest.approx(100 * 21.0 / (70.0 * G * 1.75), rel=1e-12)
    assert np.isnan(percent_body_weight_height(np.array([21.0]), 70.0, None)).all()


def test_generated_trial_carries_kam_in_percent_body_weight_height() -> None:
    from kneeload.analysis import analyze_leg
    from kneeload.gait.generator import generate_cycles
    from kneeload.gait.spec import GaitSpec, Subject

    subject = Subject(80.0, 1.9)
    table = analyze_leg(
        generate_cycles(GaitSpec("walk", "forward", 1.2, 0.0, subject)).leg("right")
    )
    np.testing.assert_allclose(
        table["knee_adduction_moment_pct_bw_ht"],
        100 * table["knee_adduction_moment_nm"] / (80.0 * G * 1.9),
        rtol=1e-12,
    )
    assert table["knee_adduction_moment_pct_bw_ht"].max() > 0  # varus in stance


def test_medial_and_lateral_in_body_weights_and_the_split_balances_the_kam() -> None:
    """medial − lateral = 2·KAM/d and medial + lateral = C while both are loaded (Schipplein &
    Andriacchi 1991); the BW columns divide by m·g."""
    tf = tibiofemoral_contact(10.0, {}, 1400.0, 0.0, 14.0, body_mass_kg=70.0)
    d = tf.intercondylar_distance_m
    assert float(tf.medial_n - tf.lateral_n) == pytest.approx(2 * 14.0 / d)
    assert float(tf.medial_n + tf.lateral_n) == pytest.approx(1400.0)
    columns = tf.columns()
    assert float(columns["tf_medial_bw"]) == pytest.approx(float(tf.medial_n) / (70.0 * G))
    assert float(columns["tf_lateral_bw"]) == pytest.approx(float(tf.lateral_n) / (70.0 * G))


def _table(kam_amplitude_nm: float, peak_scale: np.ndarray | None = None) -> pd.DataFrame:
    """Two whole strides, stance 0-60 %: the vertical force a box, the quantities half sines
    over stance (stride k scaled by ``peak_scale[k]``), 0 in swing."""
    strides = 2
    scale = np.ones(strides) if peak_scale is None else peak_scale
    percent = np.tile(np.linspace(0.0, 100.0, FRAMES + 1)[:-1], strides)
    stride = np.repeat(np.arange(1, strides + 1), FRAMES)
    s = percent / (100.0 * STANCE)
    inside = (s > 0) & (s < 1)
    half_sine = np.where(s <= 1, np.sin(np.pi * np.clip(s, 0.0, 1.0)), 0.0) * scale[stride - 1]
    return pd.DataFrame(
        {
            "time_s": (stride - 1 + percent / 100.0) * STRIDE_TIME_S,
            "stride": stride,
            "percent_cycle": percent,
            "grf_vertical_n": np.where(inside, 1e6, 0.0),
            "knee_moment_nm_kg": half_sine,
            "knee_adduction_moment_nm": kam_amplitude_nm * half_sine,
            "knee_adduction_moment_pct_bw_ht": 2.0 * half_sine,
            "tf_compressive_bw": 2.5 * half_sine,
            "tf_medial_bw": 1.5 * half_sine,
            "pf_force_bw": 0.8 * half_sine,
        }
    )


def test_kaai_is_the_stance_integral_of_the_kam() -> None:
    """∫ A sin(πt/T) dt over stance T = 2AT/π, in N·m·s and in %BW·Ht·s."""
    m = load_metrics(
        _table(30.0),
        ["knee_adduction_moment_nm", "knee_adduction_moment_pct_bw_ht"],
        speed_m_s=1.0,
    )
    stance_s = STANCE * STRIDE_TIME_S
    assert m["knee_adduction_moment_impulse_nm_s"] == pytest.approx(
        2 * 30.0 * stance_s / np.pi, rel=1e-5
    )
    assert m["knee_adduction_moment_impulse_pct_bw_ht_s"] == pytest.approx(
        2 * 2.0 * stance_s / np.pi, rel=1e-5
    )
    assert m["knee_adduction_moment_first_peak_pct_bw_ht"] == pytest.approx(2.0, rel=1e-5)


def _results(table: pd.DataFrame, speed_m_s: float = 1.0) -> dict[str, pd.DataFrame]:
    cases = pd.DataFrame({"case_id": ["a"], "speed_m_s": [speed_m_s], "condition": ["healthy"]})
    return {"cases": cases, "curves": table.assign(case_id="a")}


def test_programme_totals_are_steps_times_impulse_and_sessions_times_session() -> None:
    """Steps per session = 60·minutes / stride time (one stance of this knee per stride);
    per session = impulse × steps; per km = impulse × 1000 / stride length; per programme =
    per session × sessions."""
    programme = Programme(session_minutes=30.0, sessions_per_week=3, weeks=6)
    row = programme_loads(_results(_table(30.0)), programme).iloc[0]
    steps = 60.0 * 30.0 / STRIDE_TIME_S
    impulse = 2 * 2.5 * STANCE * STRIDE_TIME_S / np.pi
    assert row["sessions"] == 18
    assert row["steps_per_session"] == pytest.approx(steps, rel=1e-9)
    assert row["tf_compressive_impulse_bw_s"] == pytest.approx(impulse, rel=1e-5)
    assert row["tf_compressive_per_session_bw_s"] == pytest.approx(impulse * steps, rel=1e-5)
    assert row["tf_compressive_per_km_bw_s"] == pytest.approx(
        impulse * 1000.0 / (1.0 * STRIDE_TIME_S), rel=1e-5
    )
    for q in ("tf_compressive", "tf_medial", "pf_force"):
        assert row[f"{q}_per_programme_bw_s"] == pytest.approx(
            18 * row[f"{q}_per_session_bw_s"], rel=1e-12
        )
        assert row[f"{q}_index_k4_per_programme"] == pytest.approx(
            18 * row[f"{q}_index_k4_per_session"], rel=1e-12
        )
    # k = 1: peak × steps; k = 4: peak⁴ × steps
    assert row["tf_medial_index_k1_per_session"] == pytest.approx(1.5 * steps, rel=1e-5)
    assert row["tf_medial_index_k4_per_session"] == pytest.approx(1.5**4 * steps, rel=1e-4)


def test_programme_index_averages_peak_powers_over_strides() -> None:
    """Strides with peaks 1× and 2× the curve: the k = 4 index is the mean of peak⁴, not the
    mean peak to the fourth."""
    row = programme_loads(_results(_table(30.0, np.array([1.0, 2.0])))).iloc[0]
    steps = 60.0 * 20.0 / STRIDE_TIME_S  # default programme: Cha et al. 2016, 20 min
    expected = steps * np.mean((2.5 * np.array([1.0, 2.0])) ** 4)
    assert row["tf_compressive_index_k4_per_session"] == pytest.approx(expected, rel=1e-4)
    assert row["sessions"] == 20


def test_cumulative_load_index_exponent() -> None:
    """k = 1 counts peak × cycles; doubling the peak multiplies the index by 2ᵏ; a higher k
    favours few high loads over many low ones (the ranking flips between k = 1 and k = 4)."""
    assert cumulative_load_index([2.0], 100, 1.0) == pytest.approx(200.0)
    assert cumulative_load_index([1.0, 3.0], 10, 2.0) == pytest.approx(10 * (1 + 9) / 2)
    for k in (1.0, 2.0, 4.0):
        ratio = cumulative_load_index([4.0], 7, k) / cumulative_load_index([2.0], 7, k)
        assert ratio == pytest.approx(2.0**k)
    many_low, few_high = ([2.0], 1000), ([3.0], 400)
    assert cumulative_load_index(*many_low, 1.0) > cumulative_load_index(*few_high, 1.0)
    assert cumulative_load_index(*many_low, 4.0) < cumulative_load_index(*few_high, 4.0)


@pytest.mark.parametrize(
    ("peaks", "cycles", "exponent", "field"),
    [([2.0], 10, 0.0, "exponent"), ([2.0], -1, 1.0, "cycles"), ([], 10, 1.0, "peaks")],
)
def test_cumulative_load_index_refuses_bad_input(
    peaks: list[float], cycles: float, exponent: float, field: str
) -> None:
    with pytest.raises(InputError, match=field):
        cumulative_load_index(peaks, cycles, exponent)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"session_minutes": 0.0}, "session_minutes"),
        ({"sessions_per_week": 0}, "sessions_per_week"),
        ({"weeks": 2.5}, "weeks"),
        ({"weeks": True}, "weeks"),
    ],
)
def test_programme_refuses_bad_values(kwargs: dict[str, float], field: str) -> None:
    with pytest.raises(InputError, match=field):
        Programme(**kwargs)  # type: ignore[arg-type]


def test_oa_programme_scenario_is_the_cha_protocol() -> None:
    from kneeload.scenario import expand

    scenario = load_scenario("oa_programme")
    assert scenario.programme == Programme(20.0, 5, 4)
    assert scenario.programme.sessions == 20
    cases = expand(scenario)
    assert len(cases) == 12
    assert set(cases["condition"]) == {"healthy", "medial_oa_mild", "medial_oa_severe"}
    assert (cases["speed_m_s"] == 0.833).all()
    assert set(zip(cases["direction"], cases["grade_pct"], strict=True)) >= {
        ("backward", 10.0),
        ("forward", 10.0),
        ("forward", 0.0),
    }


def test_scenario_without_programme_has_none() -> None:
    assert load_scenario("forward_vs_backward_walking").programme is None


BASE = """
[gait]
mode = "walk"
direction = "forward"
speed_m_s = 1.0
[subject]
mass_kg = 70
height_m = 1.75
"""


@pytest.mark.parametrize(
    ("programme", "where", "message"),
    [
        (
            "session_minute = 20\nsessions_per_week = 5\nweeks = 4",
            "programme.session_minute",
            "did you mean 'session_minutes'",
        ),
        ("session_minutes = 20\nweeks = 4", "programme.sessions_per_week", "required"),
        (
            "session_minutes = 20\nsessions_per_week = 2.5\nweeks = 4",
            "programme.sessions_per_week",
            "whole number",
        ),
        (
            "session_minutes = 0\nsessions_per_week = 5\nweeks = 4",
            "programme.session_minutes",
            "> 0",
        ),
        (
            "session_minutes = 2000\nsessions_per_week = 5\nweeks = 4",
            "programme.session_minutes",
            "1440",
        ),
        (
            "session_minutes = 20\nsessions_per_week = 5\nweeks = true",
            "programme.weeks",
            "whole number",
        ),
        (
            "session_minutes = '20'\nsessions_per_week = 5\nweeks = 4",
            "programme.session_minutes",
            "> 0",
        ),
    ],
)
def test_programme_table_errors_name_the_key(
    tmp_path: Path, programme: str, where: str, message: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(BASE + "[programme]\n" + programme + "\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_scenario(path)
    text = str(error.value)
    assert str(path) in text and where in text and message in text


def test_programme_must_be_a_table(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("programme = 3\n" + BASE, encoding="utf-8")
    with pytest.raises(InputError, match=r"\[programme\]"):
        load_scenario(path)


def test_misspelt_programme_table_is_refused_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(BASE + "[programm]\nweeks = 4\n", encoding="utf-8")
    with pytest.raises(InputError, match="did you mean 'programme'"):
        load_scenario(path)


@pytest.mark.validation
def test_measured_trial_kam_percent_needs_a_stature(subject01: dict[str, Path]) -> None:
    """With an .osim model the segments do not give the stature: without --height the %BW·Ht
    column is NaN and the notes say so; with it, KAM·100/(m·g·H)."""
    from kneeload.measured import analyze

    args = (subject01["kinematics"], subject01["forces"], 72.6)
    without = analyze(*args, model=subject01["model"])
    assert without["knee_adduction_moment_pct_bw_ht"].isna().all()
    assert any("stature unknown" in note for note in without.attrs["notes"])
    given = analyze(*args, model=subject01["model"], height_m=1.8)
    np.testing.assert_allclose(
        given["knee_adduction_moment_pct_bw_ht"],
        100 * given["knee_adduction_moment_nm"] / (72.6 * G * 1.8),
        rtol=1e-12,
    )
