"""The batched pipeline gives the single-case pipeline's numbers (kneeload.batch)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kneeload.analysis import gradient_per_case
from kneeload.batch import METRIC_QUANTITIES, SUMMARY_COLUMNS_OF_CASE, run_cases, simulate_batch
from kneeload.exceptions import KneeloadError
from kneeload.gait.simulate import simulate, summarise
from kneeload.gait.spec import GaitSpec, Subject
from kneeload.knee_loads import LoadSharingOptions
from kneeload.metrics import load_metrics
from kneeload.scenario import AXES_KEYS, COLUMNS, case_id

RTOL = 1e-9
SUBJECTS = (
    Subject(mass_kg=70.0, height_m=1.75),
    Subject(mass_kg=58.0, height_m=1.62, sex="female"),
)
#: forward/backward, walk/run, level/uphill/downhill, two subjects
SPECS = [
    GaitSpec(mode=mode, direction=direction, speed_m_s=speed, grade_pct=grade, subject=subject)
    for (mode, speed) in (("walk", 1.1), ("run", 3.0))
    for direction in ("forward", "backward")
    for grade in (0.0, 8.0, -8.0)
    for subject in SUBJECTS
    if not (mode == "run" and direction == "backward" and grade != 0.0)
]


def _assert_columns_close(expected: pd.DataFrame, got: pd.DataFrame, where: str) -> None:
    assert list(got.columns) == list(expected.columns), where
    for name in expected.columns:
        assert got[name].dtype == expected[name].dtype, f"{where}: {name}"
        if expected[name].dtype.kind in "fc":
            np.testing.assert_allclose(
                got[name].to_numpy(), expected[name].to_numpy(), rtol=RTOL, atol=0.0,
                equal_nan=True, err_msg=f"{where}: {name}",
            )  # fmt: skip
        else:
            pd.testing.assert_series_equal(got[name], expected[name], obj=f"{where}: {name}")


@pytest.mark.parametrize("edge_order", [1, 2])
def test_gradient_per_case_is_numpy_gradient(edge_order: int) -> None:
    """Uneven and even time steps, one call for all cases: np.gradient's numbers to the bit."""
    rng = np.random.default_rng(5)
    uneven = np.cumsum(rng.uniform(0.005, 0.02, size=(3, 40)), axis=1)
    even = np.arange(40)[None, :] * np.array([[0.01], [0.0125]])
    time_s = np.concatenate([uneven, even, 0.011 * np.arange(40)[None, :]])
    values = rng.normal(size=(time_s.shape[0], 40, 3, 2))
    got = gradient_per_case(time_s, values, edge_order)
    for c in range(time_s.shape[0]):
        expected = np.gradient(values[c], time_s[c], axis=0, edge_order=edge_order)
        np.testing.assert_array_equal(got[c], expected)


@pytest.mark.parametrize("strides", [1, 2])
def test_simulate_batch_equals_simulate_case_by_case(strides: int) -> None:
    """Every column of every case of one batch call equals simulate of that case alone."""
    options = LoadSharingOptions(weight_bearing=True) if strides == 2 else None
    batch = simulate_batch(SPECS, strides=strides, load_sharing=options)
    for i, spec in enumerate(SPECS):
        expected = simulate(spec, strides=strides, load_sharing=options)
        got = pd.DataFrame({name: values[i] for name, values in batch.items()})
        _assert_columns_close(expected, got, f"{spec.mode} {spec.direction} {spec.grade_pct}")


def _row(
    mode: str, direction: str, speed_m_s: float, mass_kg: float, height_m: float, **more: object
) -> dict[str, object]:
    return {
        "mode": mode,
        "direction": direction,
        "speed_m_s": speed_m_s,
        "mass_kg": mass_kg,
        "height_m": height_m,
        **more,
    }


def _cases(rows: list[dict[str, object]]) -> pd.DataFrame:
    defaults: dict[str, object] = {
        "grade_pct": 0.0,
        "condition": "healthy",
        "strides": 1,
        "sex": "male",
        "muscle_set": "gait10dof18musc",
        "exponent": 2.0,
        "contact_area_model": "Besier2005_male",
        "weight_bearing": False,
        "moment_arm_scale": 1.0,
        "max_force_scale": 1.0,
        "pf_contact_area_scale": 1.0,
        "intercondylar_distance_scale": 1.0,
    }
    full = [{k: row.get(k, defaults.get(k)) for k in AXES_KEYS} for row in rows]
    return pd.DataFrame([{"case_id": case_id(row), **row} for row in full], columns=list(COLUMNS))


def _per_case(cases: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The single-case path: simulate, summarise and load_metrics one case at a time."""
    curves, rows = [], []
    for row in cases.to_dict("records"):
        try:
            spec = GaitSpec(
                mode=row["mode"],
                direction=row["direction"],
                speed_m_s=row["speed_m_s"],
                grade_pct=row["grade_pct"],
                subject=Subject(mass_kg=row["mass_kg"], height_m=row["height_m"], sex=row["sex"]),
                condition=row["condition"],
            )
            options = LoadSharingOptions(
                muscle_set=row["muscle_set"],
                exponent=row["exponent"],
                contact_area_model=row["contact_area_model"],
                weight_bearing=bool(row["weight_bearing"]),
                moment_arm_scale=row["moment_arm_scale"],
                max_force_scale=row["max_force_scale"],
                pf_contact_area_scale=row["pf_contact_area_scale"],
                intercondylar_distance_scale=row["intercondylar_distance_scale"],
            )
            table = simulate(spec, strides=int(row["strides"]), load_sharing=options)
            summary = {
                **summarise(table, spec),
                **load_metrics(table, METRIC_QUANTITIES, speed_m_s=spec.speed_m_s),
            }
        except KneeloadError as error:
            nan = dict.fromkeys(SUMMARY_COLUMNS_OF_CASE, float("nan"))
            rows.append({"case_id": row["case_id"], **nan, "failure": str(error)})
            continue
        table.attrs = {}
        table.insert(0, "case_id", row["case_id"])
        curves.append(table)
        rows.append({"case_id": row["case_id"], **summary, "failure": None})
    summary_table = pd.DataFrame(rows, columns=["case_id", *SUMMARY_COLUMNS_OF_CASE, "failure"])
    return pd.concat(curves, ignore_index=True), summary_table


def test_run_cases_equals_the_per_case_path_with_failures_isolated() -> None:
    """A mixed chunk: two model-option groups, strides 1 and 2, a bad subject (the spec
    fails), a speed outside the gait data (generation fails) in the middle of a batch, and the
    others go on; curves frame for frame and summaries as the per-case path, in case order."""
    cases = _cases(
        [
            _row("walk", "forward", 1.2, 80.0, 1.8),
            _row("walk", "backward", 0.9, 65.0, 1.7, grade_pct=10.0),
            _row("walk", "forward", 1.0, 900.0, 1.7),
            _row("walk", "forward", 9.0, 70.0, 1.75),
            _row("run", "forward", 3.2, 72.0, 1.78, contact_area_model="HoPowers"),
            _row("walk", "forward", 1.3, 90.0, 1.85, grade_pct=-10.0),
            _row("walk", "backward", 0.8, 60.0, 1.6, strides=2, sex="female"),
            _row("walk", "forward", 1.1, 70.0, 1.75, max_force_scale=0.8, weight_bearing=True),
        ]
    )
    curves, summary = run_cases(cases)
    expected_curves, expected_summary = _per_case(cases)
    failed = summary["failure"].notna().to_numpy()
    np.testing.assert_array_equal(failed, [False, False, True, True, False, False, False, False])
    assert "mass_kg" in summary["failure"][2] and "speed" in summary["failure"][3]
    pd.testing.assert_series_equal(summary["failure"], expected_summary["failure"])
    _assert_columns_close(expected_summary, summary, "summary")
    _assert_columns_close(expected_curves, curves, "curves")


def test_run_cases_all_failing_gives_empty_curves() -> None:
    cases = _cases([_row("walk", "forward", 9.0, 70.0, 1.75)])
    curves, summary = run_cases(cases)
    assert len(curves) == 0 and list(curves.columns[:1]) == ["case_id"]
    assert summary["failure"].notna().all() and np.isnan(summary["stride_time_s"]).all()


def test_summary_columns_are_the_sweeps() -> None:
    from kneeload import sweep

    assert SUMMARY_COLUMNS_OF_CASE == sweep._SUMMARY_COLUMNS
    assert METRIC_QUANTITIES == sweep.METRIC_QUANTITIES


@pytest.mark.parametrize("strides", [1, 3])
def test_summaries_equal_summary_and_metric_values_case_by_case(strides: int) -> None:
    """The batched summary row of every case is summary_values and metric_values of that case
    alone: every value but the stride time and what scales with it to the bit, those within
    1e-12 (one least-squares fit of all cases against np.polyfit per case)."""
    from kneeload.batch import summaries
    from kneeload.gait.simulate import SUMMARY_COLUMNS, summary_values
    from kneeload.metrics import METRIC_INPUTS, metric_values

    batch = simulate_batch(SPECS, strides=strides)
    speed = np.array([spec.speed_m_s for spec in SPECS])
    got = summaries(batch, speed)
    assert list(got) == list(SUMMARY_COLUMNS_OF_CASE)
    scaled = ("cadence", "stride_time", "stride_length", "cumulative")
    for i, spec in enumerate(SPECS):
        case = {name: values[i] for name, values in batch.items()}
        expected = {
            **summary_values({name: case[name] for name in SUMMARY_COLUMNS}, spec.speed_m_s),
            **metric_values(
                {name: case[name] for name in (*METRIC_INPUTS, *METRIC_QUANTITIES)},
                METRIC_QUANTITIES,
                speed_m_s=spec.speed_m_s,
            ),
        }
        for key, value in expected.items():
            if any(word in key for word in scaled):
                np.testing.assert_allclose(got[key][i], value, rtol=1e-12, err_msg=key)
            else:
                np.testing.assert_array_equal(got[key][i], value, err_msg=key)


def test_pairwise_sum_is_numpys() -> None:
    """The compiled sum of the batched metrics is np.add.reduce's to the bit (trapezoid)."""
    from kneeload.metrics import _pairwise_sum

    rng = np.random.default_rng(3)
    for n in [*range(0, 140), 257, 1000, 4097]:
        values = rng.normal(size=n) * 10.0 ** rng.uniform(-5, 5, size=n)
        assert _pairwise_sum(values, 0, n) == np.add.reduce(values), n


def test_interp_is_numpys() -> None:
    """The compiled np.interp of the muscle curves and stance metrics is NumPy's to the bit:
    even and uneven sample points, points on them, beyond both ends, NaN."""
    from kneeload._interp import interp

    rng = np.random.default_rng(11)
    for xp in (np.linspace(0.3, 2.0, 341), np.cumsum(rng.uniform(0.001, 0.1, size=60))):
        fp = rng.normal(size=xp.size)
        x = np.concatenate(
            [rng.uniform(xp[0] - 0.2, xp[-1] + 0.2, size=5000), xp, [np.nan, -np.inf, np.inf]]
        )
        np.testing.assert_array_equal(interp(x, xp, fp), np.interp(x, xp, fp))


def test_a_case_gives_the_same_bits_whatever_shares_its_batch() -> None:
    """Sweep chunks group cases differently (chunk size, resume): a case's curves and summary
    must not depend on which other cases share its batch, to the bit."""
    cases = _cases(
        [
            _row("walk", "forward", 1.0, 70.0, 1.75),
            _row("walk", "backward", 1.0, 70.0, 1.75),
            _row("walk", "forward", 1.3, 82.0, 1.82),
            _row("walk", "backward", 1.3, 60.0, 1.65),
        ]
    )
    curves, summary = run_cases(cases)
    for i in range(len(cases)):
        one_curves, one_summary = run_cases(cases.iloc[i : i + 1])
        pd.testing.assert_frame_equal(
            one_summary, summary.iloc[i : i + 1].reset_index(drop=True), check_exact=True
        )
        mine = curves[curves["case_id"] == cases["case_id"].iloc[i]].reset_index(drop=True)
        pd.testing.assert_frame_equal(one_curves, mine, check_exact=True)
