"""Scenario files: loading, checks with file and key path, expansion, stable case ids."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from kneeload import scenario as scenario_module
from kneeload.exceptions import InputError
from kneeload.scenario import (
    AXES_KEYS,
    COLUMNS,
    available_scenarios,
    case_id,
    case_table,
    expand,
    load_scenario,
)
from tests.conftest import InstalledWheel

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ("forward_vs_backward_walking", "population", "incline_sweep", "running")

BASE = """\
[meta]
name = "test"

[sweep]
kind = "grid"

[gait]
mode = "walk"
direction = ["forward", "backward"]
speed_m_s = [0.833, 1.2]
grade_pct = [0.0, 10.0]

[subject]
mass_kg = 70.0
height_m = 1.75
"""


def write(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_bundled_scenarios_are_listed() -> None:
    assert set(BUNDLED) <= set(available_scenarios())


@pytest.mark.parametrize("name", BUNDLED)
def test_every_bundled_scenario_loads_and_expands(name: str) -> None:
    cases = expand(load_scenario(name))
    assert list(cases.columns) == list(COLUMNS)
    assert len(cases) > 0
    assert cases["case_id"].is_unique
    assert cases[list(AXES_KEYS)].notna().all().all()


def test_population_has_ten_thousand_unique_cases_in_both_directions() -> None:
    cases = expand(load_scenario("population"))
    assert len(cases) >= 10_000
    assert cases["case_id"].is_unique
    assert set(cases["direction"]) == {"forward", "backward"}
    # paired: every sampled subject walks both ways at the same speed
    by_subject = cases.groupby(["mass_kg", "height_m", "speed_m_s"])["direction"].nunique()
    assert (by_subject == 2).all()


def test_cha_2016_protocol_is_a_case_of_the_default_scenario() -> None:
    cases = expand(load_scenario("forward_vs_backward_walking"))
    protocol = cases[
        (cases["direction"] == "backward")
        & np.isclose(cases["speed_m_s"], 3.0 / 3.6, atol=1e-3)
        & (cases["grade_pct"] == 10.0)
    ]
    assert len(protocol) == 1
    assert set(cases["grade_pct"]) >= {0.0, 10.0, -10.0}


def test_a_path_and_a_name_give_the_same_cases() -> None:
    by_name = expand(load_scenario("running"))
    by_path = expand(load_scenario(ROOT / "scenarios" / "running.toml"))
    assert by_name.equals(by_path)


def test_grid_is_the_cartesian_product(tmp_path: Path) -> None:
    cases = expand(load_scenario(write(tmp_path, BASE)))
    assert len(cases) == 2 * 2 * 2
    combos = set(zip(cases["direction"], cases["speed_m_s"], cases["grade_pct"], strict=True))
    assert len(combos) == 8
    # scalars and defaults fill every row
    assert set(cases["mass_kg"]) == {70.0}
    assert set(cases["sex"]) == {"male"}
    assert set(cases["strides"]) == {1}


def test_zip_reads_lists_side_by_side(tmp_path: Path) -> None:
    text = BASE.replace('kind = "grid"', 'kind = "zip"').replace(
        "mass_kg = 70.0", "mass_kg = [60.0, 80.0]"
    )
    cases = expand(load_scenario(write(tmp_path, text)))
    assert len(cases) == 2
    assert list(cases["direction"]) == ["forward", "backward"]
    assert list(cases["speed_m_s"]) == [0.833, 1.2]
    assert list(cases["mass_kg"]) == [60.0, 80.0]


def test_case_id_is_stable_across_expansions_and_row_order(tmp_path: Path) -> None:
    path = write(tmp_path, BASE)
    first = expand(load_scenario(path))
    second = expand(load_scenario(path))
    assert list(first["case_id"]) == list(second["case_id"])
    # reversing the lists reorders the rows, not the ids of the cases
    reordered = BASE.replace('["forward", "backward"]', '["backward", "forward"]').replace(
        "[0.833, 1.2]", "[1.2, 0.833]"
    )
    other = expand(load_scenario(write(tmp_path, reordered, "r.toml")))
    assert list(other["case_id"]) != list(first["case_id"])
    key = list(AXES_KEYS)
    merged = first.merge(other, on=key, suffixes=("", "_other"))
    assert len(merged) == len(first)
    assert (merged["case_id"] == merged["case_id_other"]).all()
    # and from the parameters alone, whatever the column order or int/float spelling
    row = {str(k): v for k, v in first.iloc[0][key].to_dict().items()}
    assert case_id(dict(reversed(list(row.items())))) == first["case_id"].iloc[0]
    assert case_id({**row, "mass_kg": 70}) == first["case_id"].iloc[0]
    assert case_id({**row, "mass_kg": 70.5}) != first["case_id"].iloc[0]


#: case ids computed by kneeload before expansion became columnar (commit fb1528c): scenario ->
#: (number of cases, some ids by row, SHA-256 of all ids joined by newlines). An id names a
#: case's results in every folder already written: it must never change.
PINNED_IDS: dict[str, tuple[int, dict[int, str], str]] = {
    "forward_vs_backward_walking": (
        24,
        {
            0: "a12126e4a217b337",
            1: "5ddcfefefcb1a7c5",
            12: "ced406b62beb3a09",
            23: "d80c63dba6efe592",
        },
        "6d8bdfbfc6c7272ba7b9c4e5404eb502e7fceebf28cf59c59d539f2b19344d32",
    ),
    "incline_sweep": (
        44,
        {
            0: "ee97a10bab05f0bb",
            1: "e3b3650c1092fc7d",
            22: "7ae6a75cf1f22473",
            43: "737eb9e73a7f417d",
        },
        "fb89912ed299f4e3c55c239d9066df84b62f278fcfda81979c3a974fbad8795a",
    ),
    "oa_programme": (
        12,
        {
            0: "5ddcfefefcb1a7c5",
            1: "3d0b0eb0d2e642dd",
            6: "5953c7363c10cade",
            11: "c62b89cf1aff309b",
        },
        "b253eae7f8cf26c3fe879e9d3934e9b002e0c48311c239c0c7ace4a9eb4dcb79",
    ),
    "population": (
        12000,
        {
            0: "ee0a621608d6b743",
            1: "2f7ee5ac9b28c32c",
            6000: "efc95e57d8680c1e",
            11999: "ccc9f1f044837374",
        },
        "472ac66df85a36e232da0551b63c46afde3fee5ced712b7efd6226c547d874bb",
    ),
    "running": (
        15,
        {
            0: "78e8ec1c0d8d1cb6",
            1: "6208efc35433ba15",
            7: "c6161c6835430068",
            14: "818c34cb387aa229",
        },
        "5d779edddb3b357c6af4349d3867178445d125fca74d9e59cc1b221f1aebe819",
    ),
    # sampled model factor, listed strides, sex and neutral factor, a scalar bool and exponent
    "mixed": (
        96,
        {
            0: "57e5042cd38d6ab7",
            1: "655abe63a3f1ebe2",
            47: "654d560251f0738e",
            95: "6dd47a7506627c72",
        },
        "63647f631c773eeb0ade5ce1f9ca98f7303c30fda363c4e53b07c208351687e2",
    ),
}
MIXED = """\
[sweep]
kind = "samples"
n = 3
seed = 11
[gait]
mode = "walk"
direction = ["forward", "backward"]
speed_m_s = { distribution = "uniform", low = 0.8, high = 1.2 }
grade_pct = [0, -5]
strides = [1, 3]
[subject]
mass_kg = { distribution = "normal", mean = 75, sd = 5 }
height_m = 1.75
sex = ["male", "female"]
[model]
exponent = 3
weight_bearing = true
max_force_scale = { distribution = "truncated_normal", mean = 1.0, sd = 0.1, low = 0.7, high = 1.3 }
pf_contact_area_scale = [1, 1.2]
"""


@pytest.mark.parametrize("name", list(PINNED_IDS))
def test_case_ids_are_those_of_earlier_versions(name: str, tmp_path: Path) -> None:
    source = write(tmp_path, MIXED) if name == "mixed" else name
    ids = list(expand(load_scenario(source))["case_id"])
    n, some, digest = PINNED_IDS[name]
    assert len(ids) == n
    assert {i: ids[i] for i in some} == some
    assert hashlib.sha256("\n".join(ids).encode()).hexdigest() == digest


def test_case_table_gives_the_rows_of_expand_a_block_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cases = expand(load_scenario("population"))
    monkeypatch.setattr(scenario_module, "BLOCK_ROWS", 1000)  # checked and hashed by 1000
    table = case_table(load_scenario("population"))
    assert len(table) == len(cases)
    pd.testing.assert_frame_equal(pd.concat(table.blocks(777)), cases, check_exact=True)
    pd.testing.assert_frame_equal(table.rows(5000, 5256), cases.iloc[5000:5256])
    assert table.rows(11990, 12010).index[-1] == 11999
    assert table.case_ids(0, 3) == list(cases["case_id"][:3])


SAMPLES = """\
[sweep]
kind = "samples"
n = {n}
seed = {seed}

[gait]
mode = "walk"
direction = "forward"
speed_m_s = {{ distribution = "normal", mean = 1.1, sd = 0.08 }}

[subject]
mass_kg = {{ distribution = "uniform", low = 50.0, high = 100.0 }}
height_m = {{ distribution = "truncated_normal", mean = 1.75, sd = 0.08, low = 1.65, high = 1.9 }}
"""


def test_samples_are_reproducible_with_the_seed(tmp_path: Path) -> None:
    one = expand(load_scenario(write(tmp_path, SAMPLES.format(n=200, seed=1), "a.toml")))
    again = expand(load_scenario(write(tmp_path, SAMPLES.format(n=200, seed=1), "b.toml")))
    other = expand(load_scenario(write(tmp_path, SAMPLES.format(n=200, seed=2), "c.toml")))
    assert one.equals(again)
    assert not set(one["case_id"]) & set(other["case_id"])


def test_sample_distributions_have_the_requested_moments(tmp_path: Path) -> None:
    """Sample mean within 4 standard errors (σ/√n) and sample SD within 4 standard errors of
    the SD (σ/√(2(n-1)), normal approximation) of the requested ones: a false alarm has
    probability ~6e-5 per check. Uniform: mean (a+b)/2, SD (b-a)/√12; truncated normal: the
    moments scipy.stats.truncnorm gives."""
    n = 10_000
    cases = expand(load_scenario(write(tmp_path, SAMPLES.format(n=n, seed=7))))
    truncated = stats.truncnorm((1.65 - 1.75) / 0.08, (1.9 - 1.75) / 0.08, loc=1.75, scale=0.08)
    expected = {
        "speed_m_s": (1.1, 0.08),
        "mass_kg": (75.0, 50.0 / math.sqrt(12.0)),
        "height_m": (float(truncated.mean()), float(truncated.std())),
    }
    for column, (mean, sd) in expected.items():
        values = cases[column].to_numpy()
        assert abs(values.mean() - mean) < 4 * sd / math.sqrt(n), column
        assert abs(values.std(ddof=1) - sd) < 4 * sd / math.sqrt(2 * (n - 1)), column
    assert cases["height_m"].between(1.65, 1.9).all()
    assert cases["mass_kg"].between(50.0, 100.0).all()


# ------------------------------------------------------------------------------ bad input

BAD = [
    ("wrong type", ("speed_m_s = [0.833, 1.2]", 'speed_m_s = "fast"'), "gait.speed_m_s", None),
    ("zero speed", ("speed_m_s = [0.833, 1.2]", "speed_m_s = 0"), "gait.speed_m_s", "> 0"),
    ("negative in list", ("[0.833, 1.2]", "[0.833, -1.2]"), "gait.speed_m_s[1]", "> 0"),
    ("negative mass", ("mass_kg = 70.0", "mass_kg = -70.0"), "subject.mass_kg", "30 to 200"),
    ("zero stature", ("height_m = 1.75", "height_m = 0"), "subject.height_m", "1.3 to 2.2"),
    ("grade", ("grade_pct = [0.0, 10.0]", "grade_pct = 55"), "gait.grade_pct", "-40 to 40"),
    ("direction", ('"backward"]', '"backwards"]'), "gait.direction[1]", "'backward'"),
    ("mode", ('mode = "walk"', 'mode = "jog"'), "gait.mode", "walk, run"),
    ("sex", ("height_m = 1.75", 'height_m = 1.75\nsex = "m"'), "subject.sex", "male"),
    ("empty list", ("speed_m_s = [0.833, 1.2]", "speed_m_s = []"), "gait.speed_m_s", "non-empty"),
    ("unknown key", ("speed_m_s =", "sped_m_s ="), "gait.sped_m_s", "'speed_m_s'"),
    ("unknown table", ("[subject]", "[subjects]"), "subjects", "'subject'"),
    ("missing key", ("speed_m_s = [0.833, 1.2]\n", ""), "gait.speed_m_s", "required"),
    (
        "missing table",
        ("[subject]\nmass_kg = 70.0\nheight_m = 1.75\n", ""),
        "subject.mass_kg",
        None,
    ),
    ("sweep kind", ('kind = "grid"', 'kind = "grd"'), "sweep.kind", "'grid'"),
    ("repeated value", ("[0.833, 1.2]", "[1.2, 1.2]"), "gait.speed_m_s[1]", "distinct"),
    (
        "bool",
        ("height_m = 1.75", "height_m = 1.75\n[model]\nweight_bearing = 1"),
        "model.weight_bearing",
        "true or false",
    ),
    (
        "exponent",
        ("height_m = 1.75", "height_m = 1.75\n[model]\nexponent = 1.0"),
        "model.exponent",
        ">= 1.5",
    ),
    (
        "contact model",
        ("height_m = 1.75", 'height_m = 1.75\n[model]\ncontact_area_model = "besier2005_male"'),
        "model.contact_area_model",
        "'Besier2005_male'",
    ),
    ("strides", ('mode = "walk"', 'mode = "walk"\nstrides = 1.5'), "gait.strides", "1 to 100"),
    (
        "distribution in grid",
        ("mass_kg = 70.0", 'mass_kg = { distribution = "normal", mean = 70, sd = 10 }'),
        "subject.mass_kg",
        "samples",
    ),
    ("n outside samples", ('kind = "grid"', 'kind = "grid"\nn = 5'), "sweep.n", "samples"),
]


@pytest.mark.parametrize(("edit", "key", "words"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_each_mistake_names_file_key_and_what_is_allowed(
    tmp_path: Path, edit: tuple[str, str], key: str | None, words: str | None
) -> None:
    old, new = edit
    assert old in BASE
    text = BASE.replace(old, new, 1)
    path = write(tmp_path, text)
    with pytest.raises(InputError) as raised:
        expand(load_scenario(path))
    message = str(raised.value)
    assert message.startswith(f"{path}: "), message
    if key is not None:
        assert f": {key}: expected" in message, message
    if words is not None:
        assert words in message, message


def test_zip_lists_of_unequal_length(tmp_path: Path) -> None:
    text = BASE.replace('kind = "grid"', 'kind = "zip"').replace(
        "mass_kg = 70.0", "mass_kg = [60.0, 70.0, 80.0]"
    )
    path = write(tmp_path, text)
    with pytest.raises(InputError, match=r"sweep\.kind: expected lists of one length") as raised:
        load_scenario(path)
    assert "subject.mass_kg (3)" in str(raised.value)
    assert str(raised.value).startswith(str(path))


@pytest.mark.parametrize(
    ("mean", "sd", "words"),
    [(1.1, 0, "sd"), ("1.1", 0.1, "mean")],
)
def test_bad_distributions(tmp_path: Path, mean: object, sd: object, words: str) -> None:
    text = SAMPLES.format(n=10, seed=1).replace(
        "mean = 1.1, sd = 0.08", f"mean = {mean!r}, sd = {sd}"
    )
    text = text.replace("'", '"')
    path = write(tmp_path, text)
    with pytest.raises(InputError, match=rf"gait\.speed_m_s\.{words}: expected"):
        load_scenario(path)


def test_samples_without_a_distribution(tmp_path: Path) -> None:
    text = BASE.replace('kind = "grid"', 'kind = "samples"\nn = 10\nseed = 1')
    with pytest.raises(InputError, match=r"sweep\.kind: expected a distribution table"):
        load_scenario(write(tmp_path, text))


def test_unknown_distribution_suggests_the_closest(tmp_path: Path) -> None:
    text = SAMPLES.format(n=10, seed=1).replace('"normal"', '"normall"')
    with pytest.raises(InputError, match=r"gait\.speed_m_s\.distribution: .*did you mean 'normal'"):
        load_scenario(write(tmp_path, text))


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, BASE.replace("mass_kg = 70.0", "mass_kg = = 70.0"))
    line = BASE.splitlines().index("mass_kg = 70.0") + 1
    with pytest.raises(InputError, match=rf"TOML syntax.*line {line}\b") as raised:
        load_scenario(path)
    assert str(raised.value).startswith(str(path))


def test_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path, "# nothing here\n")
    with pytest.raises(InputError, match="expected a scenario with"):
        load_scenario(path)


def test_missing_file_and_unknown_name() -> None:
    with pytest.raises(InputError, match="file"):
        load_scenario("no/such/scenario.toml")
    with pytest.raises(InputError, match="did you mean 'running'"):
        load_scenario("runing")


def test_a_case_outside_the_normative_speed_range_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, BASE.replace("[0.833, 1.2]", "[0.833, 1.6]"))
    with pytest.raises(InputError) as raised:
        expand(load_scenario(path))
    message = str(raised.value)
    # backward walking at 1.75 m is covered up to about 1.41 m/s (gait.templates.speed_range_m_s)
    assert "direction=backward" in message
    assert "speed_m_s=1.6" in message
    assert "gait.speed_m_s: expected a speed the normative data cover" in message


def test_a_sampled_value_outside_subject_ranges_is_named(tmp_path: Path) -> None:
    text = SAMPLES.format(n=50, seed=3).replace(
        'mass_kg = { distribution = "uniform", low = 50.0, high = 100.0 }',
        'mass_kg = { distribution = "normal", mean = 35.0, sd = 10.0 }',
    )
    with pytest.raises(InputError, match=r"case \d+ .*: subject\.mass_kg: expected 30 to 200 kg"):
        expand(load_scenario(write(tmp_path, text)))


def test_the_first_case_refused_is_named_whatever_the_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cases are checked a block at a time, a GaitSpec per group at its extremes: the case
    named is still the first refused, in row order (here in the third block of 7)."""
    text = SAMPLES.format(n=50, seed=2).replace(
        'mass_kg = { distribution = "uniform", low = 50.0, high = 100.0 }',
        'mass_kg = { distribution = "normal", mean = 40.0, sd = 5.0 }',
    )
    path = write(tmp_path, text)
    masses = scenario_module._layout(load_scenario(path)).draws["mass_kg"]
    first = int(np.argmax(masses < 30.0))
    assert 14 <= first < 50
    monkeypatch.setattr(scenario_module, "BLOCK_ROWS", 7)
    with pytest.raises(InputError, match=rf"case {first} .*: subject\.mass_kg: expected 30 to"):
        expand(load_scenario(path))


@pytest.mark.slow
def test_an_installed_wheel_finds_and_expands_the_bundled_scenarios(
    installed_wheel: InstalledWheel,
) -> None:
    folder, names, n_running = installed_wheel.run(
        "import kneeload.data as d, kneeload.scenario as s; print(d.scenarios_dir()); "
        "print(','.join(s.available_scenarios())); print(len(s.expand(s.load_scenario('running'))))"
    ).split()
    assert Path(folder).is_relative_to(installed_wheel.site)
    assert set(BUNDLED) <= set(names.split(","))
    assert int(n_running) == len(expand(load_scenario("running")))
