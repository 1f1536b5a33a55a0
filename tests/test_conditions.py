"""Knee-condition profiles (issue 6): reading and checking the files, and what a condition does
to the physics. A condition changes the gait (varus knee position, loading-response knee
flexion) and the muscle strategy (quadriceps strength, co-contraction); the tests check those
causes through their mechanical consequences, never by reading back an edited output."""

from __future__ import annotations

import math
import tomllib
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kneeload.conditions import (
    CO_CONTRACTING_MUSCLES,
    KNEE_WINDOW_FRACTION,
    PARAMETERS,
    available_conditions,
    load_condition,
)
from kneeload.config import GRF_CONTACT_THRESHOLD_N, STANDARD_GRAVITY_M_S2
from kneeload.data import models_dir
from kneeload.exceptions import InputError
from kneeload.gait.generator import generate_cycles
from kneeload.gait.simulate import simulate
from kneeload.gait.spec import GaitSpec, Subject
from kneeload.knee_loads import JOINT_ANGLE_COLUMNS, LoadSharingOptions, knee_loads
from kneeload.muscles.geometry import load_muscle_set, moment_arms_m
from tests.conftest import InstalledWheel

BUNDLED = ("healthy", "medial_oa_mild", "medial_oa_severe", "lateral_oa", "patellofemoral_pain")
MASS_KG, HEIGHT_M = 70.0, 1.75


def _spec(condition: str = "healthy", direction: str = "forward", speed: float = 1.2) -> GaitSpec:
    return GaitSpec("walk", direction, speed, 0.0, Subject(MASS_KG, HEIGHT_M), condition)


def _profile(folder: Path, name: str, **values: float) -> Path:
    """A user profile file with the given parameters (the others left to their healthy value)."""
    lines = [f'[meta]\nname = "{name}"\n']
    for table, keys in PARAMETERS.items():
        for key, value in values.items():
            if key in keys:
                unit = keys[key][0]
                lines.append(
                    f'[{table}.{key}]\nvalue = {value!r}\nunit = "{unit}"\n'
                    'source = "test"\nconfidence = "test"\n'
                )
    path = folder / f"{name}.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@cache
def _simulated(condition: str, direction: str = "forward") -> pd.DataFrame:
    return simulate(_spec(condition, direction, 1.2 if direction == "forward" else 0.9))


def _kam_pct_bw_ht(table: pd.DataFrame) -> np.ndarray:
    """KAM [%BW·height] = KAM_nm / (m·g·h) × 100."""
    kam = table["knee_adduction_moment_nm"].to_numpy()
    return 100.0 * kam / (MASS_KG * STANDARD_GRAVITY_M_S2 * HEIGHT_M)


def _first_peak(table: pd.DataFrame) -> float:
    """First-peak KAM: the largest value in the first half of stance [%BW·Ht]."""
    stance = table["grf_vertical_n"].to_numpy() > GRF_CONTACT_THRESHOLD_N
    end = int(np.flatnonzero(~stance[1:] & stance[:-1])[0]) + 1  # first toe-off
    return float(_kam_pct_bw_ht(table)[: end // 2 + 1].max())


# --- the files ---------------------------------------------------------------------------


def test_the_bundled_profiles_are_listed_and_load() -> None:
    assert set(BUNDLED) <= set(available_conditions())
    for name in BUNDLED:
        condition = load_condition(name)
        assert condition.name == name
        assert Path(condition.source).name == f"{name}.toml"


def test_every_bundled_parameter_has_value_unit_source_and_confidence() -> None:
    for name in BUNDLED:
        raw = tomllib.loads((models_dir() / "conditions" / f"{name}.toml").read_text("utf-8"))
        for table, keys in PARAMETERS.items():
            for key in keys:
                entry = raw[table][key]
                assert set(entry) == {"value", "unit", "source", "confidence"}, (name, key)
                assert entry["source"].strip() and entry["confidence"].strip()


def test_healthy_has_every_healthy_value_and_changes_nothing() -> None:
    healthy = load_condition("healthy")
    for keys in PARAMETERS.values():
        for key, (_unit, _low, _high, value) in keys.items():
            assert getattr(healthy, key) == value
    assert not healthy.changes_gait and not healthy.changes_muscles


def test_published_directions_of_the_bundled_profiles() -> None:
    """Medial OA is varus, worse with severity (Mündermann 2005; Miyazaki 2002); lateral OA is
    valgus (Butler 2011); OA stiffens the knee and weakens the quadriceps more when severe
    (Zeni & Higginson 2009; Palmieri-Smith 2010)."""
    mild, severe = load_condition("medial_oa_mild"), load_condition("medial_oa_severe")
    assert 0 < mild.varus_alignment_deg < severe.varus_alignment_deg
    assert load_condition("lateral_oa").varus_alignment_deg < 0
    assert (
        0
        < mild.loading_response_knee_flexion_reduction_deg
        < severe.loading_response_knee_flexion_reduction_deg
    )
    assert 1 > mild.quadriceps_strength_scale > severe.quadriceps_strength_scale
    assert severe.self_selected_speed_factor < 1
    assert severe.self_selected_speed_m_s(1.2) == pytest.approx(1.2 * 0.85)
    assert load_condition("patellofemoral_pain").loading_response_knee_flexion_reduction_deg > 0


def test_a_user_profile_round_trips(tmp_path: Path) -> None:
    path = _profile(
        tmp_path,
        "mine",
        varus_alignment_deg=3.5,
        loading_response_knee_flexion_reduction_deg=2.0,
        self_selected_speed_factor=0.9,
        quadriceps_strength_scale=0.75,
        co_contraction_activation=0.08,
    )
    condition = load_condition(path)
    assert (condition.name, condition.source) == ("mine", str(path.resolve()))
    assert condition.varus_alignment_deg == 3.5
    assert condition.loading_response_knee_flexion_reduction_deg == 2.0
    assert condition.self_selected_speed_factor == 0.9
    assert condition.quadriceps_strength_scale == 0.75
    assert condition.co_contraction_activation == 0.08
    assert load_condition(str(path)) == condition
    assert _spec(str(path)).condition_profile() == condition


_VARUS = "gait.varus_alignment_deg"


def _entry(key: str, value: str, unit: str, extra: str = "") -> str:
    return f"[{key}]\n" + (f"value = {value}\n" if value else "") + f'unit = "{unit}"\n' + extra


@pytest.mark.parametrize(
    ("text", "field", "in_message"),
    [
        (_entry("gait.varus_alignment_degs", "2.0", "deg"), "gait.varus_alignment_degs",
         "did you mean 'varus_alignment_deg'"),
        (_entry(_VARUS, "2.0", "rad"), f"{_VARUS}.unit", "'deg'"),
        (_entry(_VARUS, "40.0", "deg"), f"{_VARUS}.value", "-15 to 15 deg"),
        (_entry(_VARUS, '"2"', "deg"), f"{_VARUS}.value", "a number"),
        (_entry(_VARUS, "", "deg"), f"{_VARUS}.value", "required"),
        (_entry(_VARUS, "1.0", "deg", 'sorce = "x"\n'), f"{_VARUS}.sorce",
         "did you mean 'source'"),
        (_entry("muscle.quadriceps_strength_scale", "0.8", "-"), "muscle",
         "did you mean 'muscles'"),
        (_entry("muscles.co_contraction_activation", "-0.1", "-"),
         "muscles.co_contraction_activation.value", "0 to 0.5"),
        ("[gait\nvarus = 1\n", "TOML syntax", "valid TOML"),
    ],
)  # fmt: skip
def test_a_bad_profile_names_file_and_key(
    tmp_path: Path, text: str, field: str, in_message: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_condition(path)
    assert caught.value.field == field
    assert Path(caught.value.source).name == "bad.toml"
    assert in_message in str(caught.value)


def test_an_unknown_name_or_missing_file_is_refused_with_a_hint(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="did you mean 'medial_oa_severe'"):
        load_condition("medial_oa_sever")
    with pytest.raises(InputError, match="did you mean"):
        _spec("medial_oa")
    with pytest.raises(InputError, match="existing condition profile"):
        load_condition(tmp_path / "absent.toml")
    with pytest.raises(InputError, match="--condition"):
        LoadSharingOptions(condition="nonsense").check()


# --- the gait ----------------------------------------------------------------------------


def test_a_healthy_user_profile_gives_the_healthy_results_to_the_bit(tmp_path: Path) -> None:
    """A profile with every healthy value is the healthy condition: the same cycle and loads,
    bit for bit, in generated gait and through static optimisation."""
    path = _profile(tmp_path, "same", varus_alignment_deg=0.0, co_contraction_activation=0.0)
    mine = simulate(_spec(str(path)))
    healthy = _simulated("healthy")
    pd.testing.assert_frame_equal(mine, healthy, check_exact=True)


def test_varus_moves_the_knee_laterally_and_raises_the_kam_by_the_lever_arm(
    tmp_path: Path,
) -> None:
    """Only the knee's frontal position changes: KAM = ((CoP − knee) × GRF)ₓ grows by exactly
    δ·F_vertical with δ = tan(α)·L_t·L_s/(L_t + L_s) (right leg, lateral = +z)."""
    alpha = 5.0
    path = _profile(tmp_path, "varus_only", varus_alignment_deg=alpha)
    healthy_cycle = generate_cycles(_spec())
    varus_cycle = generate_cycles(_spec(str(path)))
    joints = healthy_cycle.joint_m[0, 0]  # right leg, first frame: ankle, knee, hip (x, y)
    shank = float(np.hypot(*(joints[1] - joints[0])))
    thigh = float(np.hypot(*(joints[2] - joints[1])))
    delta = math.tan(math.radians(alpha)) * thigh * shank / (thigh + shank)
    shift = varus_cycle.joint_z_m - healthy_cycle.joint_z_m
    np.testing.assert_allclose(shift[:, 0, 1], delta, rtol=1e-12)  # right knee lateral (+z)
    np.testing.assert_allclose(shift[:, 1, 1], -delta, rtol=1e-12)  # left knee lateral (−z)
    np.testing.assert_array_equal(shift[:, :, [0, 2]], 0.0)  # ankles and hips stay
    assert 0.015 < delta < 0.022  # ~18 mm for 5° at 1.75 m
    healthy, varus = _simulated("healthy"), simulate(_spec(str(path)))
    rise = varus["knee_adduction_moment_nm"] - healthy["knee_adduction_moment_nm"]
    loaded = healthy["grf_vertical_n"] > 0
    np.testing.assert_allclose(
        rise[loaded], delta * healthy["grf_vertical_n"][loaded], rtol=1e-9, atol=1e-9
    )
    # sagittal plane untouched
    for column in ("knee_flexion_deg", "knee_moment_nm", "tf_compressive_n"):
        np.testing.assert_array_equal(varus[column], healthy[column])


def test_severe_medial_oa_has_a_higher_first_peak_kam_than_healthy() -> None:
    """Mündermann et al. (2005): KL 3-4 first-peak KAM above controls'; here from the varus
    alignment (larger lever arm, Hunt 2006), at 1.2 m/s forward."""
    healthy = _first_peak(_simulated("healthy"))
    mild = _first_peak(_simulated("medial_oa_mild"))
    severe = _first_peak(_simulated("medial_oa_severe"))
    lateral = _first_peak(_simulated("lateral_oa"))
    assert healthy < mild < severe
    assert lateral < healthy  # valgus shortens the lever arm (Butler 2011)


@pytest.mark.parametrize(
    ("condition", "direction"), [(c, d) for c in BUNDLED[1:] for d in ("forward", "backward")]
)
def test_loading_response_knee_flexion_is_reduced_by_the_profile_amount(
    condition: str, direction: str
) -> None:
    """At the stance knee-flexion peak the generated knee is straighter by exactly the
    profile's amount; the reduction tapers to 0 beyond ±KNEE_WINDOW_FRACTION of the cycle."""
    reduction = load_condition(condition).loading_response_knee_flexion_reduction_deg
    spec = _spec(condition, direction, 1.2 if direction == "forward" else 0.9)
    healthy = generate_cycles(_spec("healthy", direction, spec.speed_m_s))
    cycle = generate_cycles(spec)
    knee = healthy.angles_deg["knee_flexion_deg"][:, 0]
    change = cycle.angles_deg["knee_flexion_deg"][:, 0] - knee
    percent = np.asarray(healthy.percent_cycle)
    stance = healthy.grf_n[:, 0, 1] > 0
    peak = int(np.argmin(change))
    assert change[peak] == pytest.approx(-reduction, abs=1e-9)
    assert stance[peak]  # the peak reduced is a stance-phase peak
    assert knee[peak] >= knee[peak - 1] and knee[peak] >= knee[peak + 1]  # ... of flexion
    distance = np.abs((percent - percent[peak] + 50.0) % 100.0 - 50.0)
    assert np.all(change[distance >= 100 * KNEE_WINDOW_FRACTION] == 0.0)
    assert np.all(change <= 0.0)
    if direction == "forward":
        assert percent[peak] < 25.0  # loading response


def test_the_stiff_knee_lowers_the_knee_extensor_moment_and_quadriceps_demand(
    tmp_path: Path,
) -> None:
    """Less flexion in loading response shortens the GRF's sagittal lever arm about the knee:
    lower peak knee extensor moment in early stance (Heiden 2009: lower knee moments in OA;
    the 'quadriceps avoidance' of patellofemoral pain, Powers)."""
    path = _profile(tmp_path, "stiff", loading_response_knee_flexion_reduction_deg=6.0)
    healthy, stiff = _simulated("healthy"), simulate(_spec(str(path)))
    early = healthy["percent_cycle"] < 30.0
    assert stiff["knee_moment_nm"][early].max() < healthy["knee_moment_nm"][early].max()
    assert stiff["pf_force_n"][early].max() < healthy["pf_force_n"][early].max()


# --- the muscle strategy -----------------------------------------------------------------


def _loads(table: pd.DataFrame, **options: object) -> pd.DataFrame:
    return knee_loads(table, MASS_KG, LoadSharingOptions(**options))


def test_weaker_quadriceps_need_more_activation_for_the_same_moment(tmp_path: Path) -> None:
    """Same gait, same knee moment: quadriceps 0.7 × as strong -> higher vasti activation
    (Hunt 2006 / Segal: weak quadriceps in OA)."""
    path = _profile(tmp_path, "weak", quadriceps_strength_scale=0.7)
    base = _simulated("healthy")
    healthy, weak = _loads(base), _loads(base, condition=str(path))
    np.testing.assert_array_equal(weak["knee_moment_nm"], healthy["knee_moment_nm"])
    extending = healthy["knee_moment_nm"] > 5.0
    assert (
        weak["quadriceps_activation"][extending] > healthy["quadriceps_activation"][extending]
    ).all()
    assert weak["quadriceps_activation"].max() > 1.2 * healthy["quadriceps_activation"].max()
    assert weak.attrs["condition"] == "weak"
    assert any("quadriceps maximum force ×0.7" in note for note in weak.attrs["notes"])


def _muscle_moments(table: pd.DataFrame) -> np.ndarray:
    """Σᵢ Fᵢ·rᵢⱼ (F, 3) of the table's muscle forces, with the model's moment arms."""
    muscles = load_muscle_set("gait10dof18musc")
    arms = moment_arms_m(muscles, np.radians(table[list(JOINT_ANGLE_COLUMNS)].to_numpy()))
    forces = table[[f"muscle_{m}_force_n" for m in muscles.muscles]].to_numpy()
    return np.einsum("fm,fmj->fj", forces, arms)


def test_co_contraction_raises_tf_compression_and_still_balances_the_moments(
    tmp_path: Path,
) -> None:
    """Knee-flexor baseline 0.1 in stance (Schmitt & Rudolph 2007; Heiden 2009): the flexors
    are at least 0.1 active in stance, the muscles still produce the net joint moments
    exactly, the extensors balance the flexors' pull, so tibiofemoral compression rises;
    swing, without a baseline, is unchanged."""
    path = _profile(tmp_path, "cocontract", co_contraction_activation=0.1)
    base = _simulated("healthy")
    healthy, co = _loads(base), _loads(base, condition=str(path))
    stance = base["grf_vertical_n"].to_numpy() > GRF_CONTACT_THRESHOLD_N
    for m in CO_CONTRACTING_MUSCLES:
        assert (co[f"muscle_{m}_activation"][stance] >= 0.1 - 1e-12).all()
    net = base[["hip_moment_nm", "knee_moment_nm", "ankle_moment_nm"]].to_numpy()
    reserve = co[["reserve_hip_nm", "reserve_knee_nm", "reserve_ankle_nm"]].to_numpy()
    np.testing.assert_allclose(_muscle_moments(co) + reserve, net, atol=1e-6 * np.abs(net).max())
    assert co["tf_compressive_n"][stance].max() > 1.05 * healthy["tf_compressive_n"][stance].max()
    assert co["tf_compressive_n"][stance].mean() > healthy["tf_compressive_n"][stance].mean()
    np.testing.assert_allclose(
        co["tf_compressive_n"][~stance], healthy["tf_compressive_n"][~stance], rtol=1e-7, atol=1e-6
    )


def test_a_vanishing_co_contraction_tends_to_the_healthy_solution(tmp_path: Path) -> None:
    path = _profile(tmp_path, "tiny", co_contraction_activation=1e-9)
    base = _simulated("healthy")
    healthy, tiny = _loads(base), _loads(base, condition=str(path))
    np.testing.assert_allclose(tiny["tf_compressive_n"], healthy["tf_compressive_n"], rtol=1e-6)


def test_simulate_applies_the_spec_condition_to_the_muscles_too() -> None:
    severe = _simulated("medial_oa_severe")
    assert severe.attrs["condition"] == "medial_oa_severe"
    stance = severe["grf_vertical_n"] > GRF_CONTACT_THRESHOLD_N
    assert (severe["muscle_hamstrings_activation"][stance] >= 0.1 - 1e-12).all()
    with pytest.raises(InputError, match="condition"):
        simulate(_spec("medial_oa_severe"), load_sharing=LoadSharingOptions(condition="lateral_oa"))


# --- model factors (uncertainty) ---------------------------------------------------------


@pytest.mark.parametrize("factor", ["moment_arm_scale", "max_force_scale"])
def test_scaling_moment_arms_or_strengths_scales_activations_inversely(factor: str) -> None:
    """min Σa² s.t. s·G a = M: a' = a/s exactly while no muscle saturates, so forces are
    unchanged by a strength factor and scale 1/s with the moment arms."""
    base = _simulated("healthy")
    one, scaled = _loads(base), _loads(base, **{factor: 1.25})
    columns = [c for c in one.columns if c.startswith("muscle_") and c.endswith("_activation")]
    # frames where no muscle is at its upper bound and no reserve is needed, in both solutions
    free = ~(one["muscle_capacity_exceeded"] | scaled["muscle_capacity_exceeded"])
    free &= one[columns].max(axis=1) < 0.99
    assert free.mean() > 0.8
    np.testing.assert_allclose(
        scaled.loc[free, columns], one.loc[free, columns] / 1.25, rtol=1e-7, atol=1e-10
    )


def test_contact_area_and_intercondylar_factors() -> None:
    """PF stress = force / (s·area); medial − lateral = 2·KAM/(s·d) while both compartments
    are loaded (Schipplein & Andriacchi 1991)."""
    base = _simulated("healthy")
    one = _loads(base)
    area = _loads(base, pf_contact_area_scale=2.0)
    np.testing.assert_array_equal(area["pf_force_n"], one["pf_force_n"])
    np.testing.assert_allclose(area["pf_stress_mpa"], one["pf_stress_mpa"] / 2.0, rtol=1e-12)
    wide = _loads(base, intercondylar_distance_scale=1.5)
    both = (one["tf_lateral_n"] > 0) & (wide["tf_lateral_n"] > 0)
    np.testing.assert_allclose(
        (wide["tf_medial_n"] - wide["tf_lateral_n"])[both],
        (one["tf_medial_n"] - one["tf_lateral_n"])[both] / 1.5,
        rtol=1e-9,
    )


@pytest.mark.parametrize(
    "factor",
    [
        "moment_arm_scale",
        "max_force_scale",
        "pf_contact_area_scale",
        "intercondylar_distance_scale",
    ],
)
def test_a_factor_out_of_range_is_refused(factor: str) -> None:  # fmt: skip
    with pytest.raises(InputError, match=factor):
        LoadSharingOptions(**{factor: 10.0}).check()


# --- scenarios and the command line ------------------------------------------------------


def test_a_scenario_sweeps_conditions_by_name_and_file(tmp_path: Path) -> None:
    from kneeload.scenario import case_id, expand, load_scenario

    _profile(tmp_path, "mine", varus_alignment_deg=3.0)
    scenario = tmp_path / "oa.toml"
    scenario.write_text(
        '[gait]\nmode = "walk"\ndirection = "forward"\nspeed_m_s = 1.2\n'
        'condition = ["healthy", "medial_oa_severe", "mine.toml"]\n'
        "[subject]\nmass_kg = 70\nheight_m = 1.75\n"
        '[model]\nmax_force_scale = {distribution = "normal", mean = 1.0, sd = 0.1}\n'
        '[sweep]\nkind = "samples"\nn = 4\nseed = 1\n',
        encoding="utf-8",
    )
    cases = expand(load_scenario(scenario))
    assert len(cases) == 12
    conditions = set(cases["condition"])
    assert conditions == {"healthy", "medial_oa_severe", str((tmp_path / "mine.toml").resolve())}
    assert cases["max_force_scale"].nunique() == 4
    row = cases.iloc[0].drop("case_id").to_dict()
    row["max_force_scale"] = 1.0
    without = {k: v for k, v in row.items() if k != "max_force_scale"}
    assert case_id(row) == case_id(without)  # neutral factors do not change ids


def test_a_scenario_with_a_bad_condition_names_the_scenario_and_the_profile(
    tmp_path: Path,
) -> None:
    from kneeload.scenario import load_scenario

    (tmp_path / "bad.toml").write_text('[gait.varus]\nvalue = 1\nunit = "deg"\n', "utf-8")
    scenario = tmp_path / "s.toml"
    body = '[gait]\nmode = "walk"\ndirection = "forward"\nspeed_m_s = 1.2\ncondition = "{}"\n'
    body += "[subject]\nmass_kg = 70\nheight_m = 1.75\n"
    scenario.write_text(body.format("bad.toml"), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_scenario(scenario)
    assert caught.value.source == str(scenario)
    assert "gait.condition" in caught.value.field and "bad.toml" in caught.value.field
    assert "gait.varus" in caught.value.field
    scenario.write_text(body.format("medial_oa_sevre"), encoding="utf-8")
    with pytest.raises(InputError, match="did you mean 'medial_oa_severe'"):
        load_scenario(scenario)


def test_cli_simulate_takes_a_condition_name_or_file(tmp_path: Path) -> None:
    from kneeload.cli import main

    path = _profile(tmp_path, "mine", varus_alignment_deg=4.0)
    common = ["simulate", "--mode", "walk", "--direction", "forward", "--speed", "1.2"]
    common += ["--mass", "70", "--height", "1.75"]
    for condition in ("medial_oa_severe", str(path)):
        out = tmp_path / "out.csv"
        assert main([*common, "--condition", condition, "--out", str(out)]) == 0
        table = pd.read_csv(out)
        expected = simulate(_spec(condition))
        np.testing.assert_allclose(
            table["knee_adduction_moment_nm"], expected["knee_adduction_moment_nm"], rtol=1e-5
        )
    assert main([*common, "--condition", "medial_oa_sever"]) == 2


def test_cli_analyze_accepts_a_condition() -> None:
    import argparse

    from kneeload.cli import _load_sharing

    parser = argparse.ArgumentParser()
    _load_sharing.add_arguments(parser)
    options = _load_sharing.options(parser.parse_args(["--condition", "medial_oa_mild"]))
    assert options.condition == "medial_oa_mild"
    assert _load_sharing.options(parser.parse_args([])).condition == "healthy"


def test_a_measured_trial_tagged_with_a_condition_keeps_its_gait(
    subject01: dict[str, Path],
) -> None:
    """analyze --condition: the trial's own kinematics and moments, the condition's muscle
    strategy, and the condition in the table's attrs and notes."""
    from kneeload.measured import analyze

    files = {k: subject01[k] for k in ("kinematics", "forces", "model")}
    healthy = analyze(files["kinematics"], files["forces"], mass_kg=72.6, model=files["model"])
    severe = analyze(
        files["kinematics"],
        files["forces"],
        mass_kg=72.6,
        model=files["model"],
        load_sharing=LoadSharingOptions(condition="medial_oa_severe"),
    )
    np.testing.assert_array_equal(severe["knee_flexion_deg"], healthy["knee_flexion_deg"])
    np.testing.assert_array_equal(severe["knee_moment_nm"], healthy["knee_moment_nm"])
    assert severe.attrs["condition"] == "medial_oa_severe"
    assert healthy.attrs["condition"] == "healthy"
    assert any("medial_oa_severe" in note for note in severe.attrs["notes"])
    stance = severe["grf_vertical_n"] > GRF_CONTACT_THRESHOLD_N
    assert (severe["muscle_hamstrings_activation"][stance] >= 0.1 - 1e-12).all()


def test_an_installed_kneeload_finds_the_bundled_profiles(installed_wheel: InstalledWheel) -> None:
    out = installed_wheel.run(
        "from kneeload.conditions import available_conditions, load_condition; "
        "print(' '.join(available_conditions())); print(load_condition('medial_oa_severe').source)"
    )
    names, source = out.strip().splitlines()
    assert set(BUNDLED) <= set(names.split())
    assert Path(source).is_relative_to(installed_wheel.site)
