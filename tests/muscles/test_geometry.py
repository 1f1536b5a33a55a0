"""Muscle geometry: the polynomial fit against OpenSim's own numbers, r = ∂L/∂θ, conventions.

References in the data file ``models/muscles/gait10dof18musc.toml``: ``[check]`` holds OpenSim
4.6's lengths and moment arms of gait10dof18musc at gait postures (OpenSim's sign r = −∂L/∂q and
coordinates, knee_angle_r negative in flexion), ``[check_scaled]`` the same for OpenSim's scaled
subject01 model, ``[check.curves]`` OpenSim's curve values off the tabulated grid. They are
OpenSim's output, not ours: the fit never saw the check postures.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from kneeload.data import available, load_parameter_set, models_dir
from kneeload.exceptions import InputError, ParameterError
from kneeload.muscles.geometry import (
    CURVES,
    JOINTS,
    MuscleSet,
    active_force_length_multiplier,
    fiber_length_m,
    force_velocity_multiplier,
    load_muscle_set,
    max_force_n,
    moment_arms_m,
    musculotendon_length_m,
    scale_muscle_set,
)

NAMES = ("hamstrings", "bifemsh", "glut_max", "iliopsoas", "rect_fem", "vasti", "gastroc",
         "soleus", "tib_ant")  # fmt: skip
#: OpenSim coordinate per joint and its sign: q_opensim = sign * θ_kneeload
OPENSIM = (("hip_flexion_r", 1.0), ("knee_angle_r", -1.0), ("ankle_angle_r", 1.0))

#: targets, fixed before comparing
ARM_TOLERANCE_M = 2e-3  # fitted vs OpenSim moment arm at every check posture
LENGTH_TOLERANCE_M = 0.5e-3  # fitted vs OpenSim musculotendon length
SCALED_LENGTH_RELATIVE = 0.01  # scaled generic fit vs OpenSim's scaled subject01 model
SCALED_ARM_TOLERANCE_M = 3e-3
FIBER_LENGTH_TOLERANCE = 0.01  # normalised rigid-tendon fibre length vs OpenSim [-]
MULTIPLIER_TOLERANCE = 0.02  # Millard force-length multiplier at the check postures [-]
CAPACITY_TOLERANCE = 0.02  # max_force_n vs OpenSim's rigid-tendon active force, fraction of F0


@pytest.fixture(scope="module", params=available("muscles"))
def set_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def muscles(set_name: str) -> MuscleSet:
    return load_muscle_set(set_name)


@pytest.fixture(scope="module")
def data(set_name: str) -> dict[str, Any]:
    return load_parameter_set("muscles", set_name)


def test_both_model_files_are_bundled() -> None:
    assert {"gait10dof18musc", "gait10dof18musc_subject01"} <= set(available("muscles"))


def check_postures(table: dict[str, Any]) -> np.ndarray:
    """Check postures in kneeload's angles (P, 3) [rad]."""
    return np.stack([np.asarray(table[f"{q} [rad]"]) * sign for q, sign in OPENSIM], axis=-1)


def opensim_arms(entry: dict[str, Any]) -> np.ndarray:
    """OpenSim's moment arms converted to kneeload's r = ∂L/∂θ (P, 3) [m]."""
    return np.stack(
        [-np.asarray(entry[f"Moment arm about {q} [m]"]) * sign for q, sign in OPENSIM], axis=-1
    )


def test_names_and_order(muscles: MuscleSet) -> None:
    assert muscles.muscles == NAMES
    assert JOINTS == ("hip", "knee", "ankle")


@pytest.mark.parametrize("m", range(len(NAMES)), ids=NAMES)
def test_fit_agrees_with_opensim_at_check_postures(
    muscles: MuscleSet, data: dict[str, Any], m: int
) -> None:
    check = data["check"]
    angles = check_postures(check)
    entry = check[NAMES[m]]
    length_error = musculotendon_length_m(muscles, angles)[:, m] - entry["Musculotendon length [m]"]
    arm_error = moment_arms_m(muscles, angles)[:, m, :] - opensim_arms(entry)
    assert np.max(np.abs(length_error)) <= LENGTH_TOLERANCE_M
    assert np.max(np.abs(arm_error)) <= ARM_TOLERANCE_M


def test_moment_arm_is_length_derivative(muscles: MuscleSet) -> None:
    """r_j = ∂L/∂θ_j (An et al. 1984): central differences of the length, inside the range."""
    rng = np.random.default_rng(3)
    low, high = muscles.fitted_range_rad[:, 0] + 1e-3, muscles.fitted_range_rad[:, 1] - 1e-3
    angles = rng.uniform(low, high, size=(200, 3))
    arms = moment_arms_m(muscles, angles)
    h = 1e-6
    for j in range(3):
        step = np.zeros(3)
        step[j] = h
        derivative = (
            musculotendon_length_m(muscles, angles + step)
            - musculotendon_length_m(muscles, angles - step)
        ) / (2 * h)
        np.testing.assert_allclose(arms[..., j], derivative, rtol=0, atol=1e-8)


def test_sign_conventions(muscles: MuscleSet, data: dict[str, Any]) -> None:
    """Tension gives hip extensor, knee extensor, ankle plantarflexor moments > 0."""
    r = moment_arms_m(muscles, check_postures(data["check"]))
    index = {name: i for i, name in enumerate(NAMES)}
    hip, knee, ankle = 0, 1, 2
    expected = {  # (muscle, joint): sign
        ("hamstrings", hip): 1, ("hamstrings", knee): -1,
        ("bifemsh", knee): -1,
        ("glut_max", hip): 1,
        ("iliopsoas", hip): -1,
        ("rect_fem", hip): -1, ("rect_fem", knee): 1,
        ("vasti", knee): 1,
        ("gastroc", knee): -1, ("gastroc", ankle): 1,
        ("soleus", ankle): 1,
        ("tib_ant", ankle): -1,
    }  # fmt: skip
    for m, name in enumerate(NAMES):
        for j in range(3):
            sign = expected.get((name, j), 0)
            assert muscles.crosses[m, j] == (sign != 0), (name, j)
            if sign == 0:
                assert np.all(r[:, m, j] == 0.0), (name, j)
            else:
                assert np.all(np.sign(r[:, index[name], j]) == sign), (name, j)


def test_vasti_moment_arm_in_published_range(muscles: MuscleSet) -> None:
    """Patellar-tendon moment arm: peak 4–6 cm (Krevolin, Pandy & Pearce 2004, J Biomech
    37:785); ≈3–5 cm over walking's knee angles (REFERENCES.md §4)."""
    knee = np.radians(np.linspace(0.0, 60.0, 61))
    angles = np.stack([np.zeros_like(knee), knee, np.zeros_like(knee)], axis=-1)
    r = moment_arms_m(muscles, angles)[:, NAMES.index("vasti"), 1]
    assert 0.04 <= r.max() <= 0.06
    assert np.all((r >= 0.03) & (r <= 0.06))


def test_vectorised_over_leading_shape(muscles: MuscleSet) -> None:
    rng = np.random.default_rng(7)
    angles = rng.uniform(-0.3, 1.5, size=(2, 5, 3))
    lengths = musculotendon_length_m(muscles, angles)
    arms = moment_arms_m(muscles, angles)
    forces = max_force_n(muscles, angles, np.ones_like(angles))
    assert lengths.shape == (2, 5, 9) and forces.shape == (2, 5, 9)
    assert arms.shape == (2, 5, 9, 3)
    for c in range(2):
        for f in range(5):
            np.testing.assert_array_equal(arms[c, f], moment_arms_m(muscles, angles[c, f]))
            np.testing.assert_array_equal(
                lengths[c, f], musculotendon_length_m(muscles, angles[c, f])
            )


def test_nan_angles_propagate(muscles: MuscleSet) -> None:
    angles = np.array([[0.1, 0.2, 0.0], [np.nan, 0.2, 0.0]])
    assert np.all(np.isfinite(moment_arms_m(muscles, angles)[0]))
    assert np.all(np.isnan(musculotendon_length_m(muscles, angles)[1]))
    assert np.all(np.isnan(max_force_n(muscles, angles)[1]))


def test_outside_fitted_range_arms_held_and_length_linear(muscles: MuscleSet) -> None:
    upper = muscles.fitted_range_rad[1, 1]
    at = np.array([0.2, upper, 0.1])
    beyond = np.array([0.2, upper + 0.3, 0.1])
    np.testing.assert_array_equal(moment_arms_m(muscles, beyond), moment_arms_m(muscles, at))
    expected = musculotendon_length_m(muscles, at) + 0.3 * moment_arms_m(muscles, at)[:, 1]
    np.testing.assert_allclose(musculotendon_length_m(muscles, beyond), expected, atol=1e-12)


def test_uniform_scale_multiplies_lengths_and_arms(muscles: MuscleSet) -> None:
    scaled = scale_muscle_set(muscles, height_ratio=1.1)
    angles = np.radians([[10.0, 30.0, 5.0], [-20.0, 70.0, -25.0]])
    np.testing.assert_allclose(
        musculotendon_length_m(scaled, angles), 1.1 * musculotendon_length_m(muscles, angles)
    )
    np.testing.assert_allclose(moment_arms_m(scaled, angles), 1.1 * moment_arms_m(muscles, angles))
    np.testing.assert_allclose(scaled.optimal_fiber_length_m, 1.1 * muscles.optimal_fiber_length_m)
    # the normalised fibre length, hence the force capacity, is unchanged
    np.testing.assert_allclose(max_force_n(scaled, angles), max_force_n(muscles, angles))


def test_segment_scaling_reproduces_opensim_scaled_model(
    muscles: MuscleSet, data: dict[str, Any]
) -> None:
    """Fit scaled with subject01's ScaleTool factors vs OpenSim's Model.scale of the model."""
    check = data["check_scaled"]
    factors = {s: check[f"{s} scale factor [-]"] for s in ("pelvis", "thigh", "shank", "foot")}
    scaled = scale_muscle_set(muscles, segment_scale=factors)
    angles = check_postures(check)
    lengths = musculotendon_length_m(scaled, angles)
    arms = moment_arms_m(scaled, angles)
    for m, name in enumerate(NAMES):
        entry = check[name]
        reference = np.asarray(entry["Musculotendon length [m]"])
        assert np.max(np.abs(lengths[:, m] / reference - 1)) <= SCALED_LENGTH_RELATIVE, name
        assert np.max(np.abs(arms[:, m] - opensim_arms(entry))) <= SCALED_ARM_TOLERANCE_M, name
        for key, value in (
            ("Optimal fiber length [m]", scaled.optimal_fiber_length_m[m]),
            ("Tendon slack length [m]", scaled.tendon_slack_length_m[m]),
        ):
            assert abs(value / entry[key] - 1) <= SCALED_LENGTH_RELATIVE, (name, key)


def test_rigid_tendon_fiber_length_and_force_length_vs_opensim(
    muscles: MuscleSet, data: dict[str, Any]
) -> None:
    """OpenSim's Millard2012EquilibriumMuscle with ignore_tendon_compliance at the postures."""
    check = data["check"]
    angles = check_postures(check)
    fiber, cos_alpha = fiber_length_m(muscles, angles)
    capacity = max_force_n(muscles, angles, curve="Millard2012")
    for m, name in enumerate(NAMES):
        entry = check[name]
        normalized = fiber[:, m] / muscles.optimal_fiber_length_m[m]
        reference = np.asarray(entry["Rigid-tendon normalised fiber length [-]"])
        assert np.max(np.abs(normalized - reference)) <= FIBER_LENGTH_TOLERANCE, name
        np.testing.assert_allclose(
            cos_alpha[:, m], entry["Cosine of pennation angle [-]"], atol=1e-3
        )
        multiplier = capacity[:, m] / (muscles.max_isometric_force_n[m] * cos_alpha[:, m])
        opensim = np.asarray(entry["Millard2012 active force-length multiplier [-]"])
        assert np.max(np.abs(multiplier - opensim)) <= MULTIPLIER_TOLERANCE, name


def test_max_force_matches_opensim_rigid_tendon_force(
    muscles: MuscleSet, data: dict[str, Any]
) -> None:
    """OpenSim's calcInextensibleTendonActiveFiberForce(activation 1) at rest and moving.

    The force OpenSim's static optimisation bounds each muscle with; the speeds exercise the
    fibre-velocity model v = cos α Σ_j r_j ω_j and the Millard force–velocity curve. OpenSim 4.6
    leaves the pennation out (F0 f_L f_V): ``pennation=False`` must reproduce it, and the
    default (force along the tendon) must equal it times OpenSim's own cos α.
    """
    check = data["check"]
    angles = check_postures(check)
    speeds = np.stack(
        [np.asarray(check[f"{q} speed [rad/s]"]) * sign for q, sign in OPENSIM], axis=-1
    )
    for m, name in enumerate(NAMES):
        entry = check[name]
        limit = CAPACITY_TOLERANCE * muscles.max_isometric_force_n[m]
        cos_alpha = np.asarray(entry["Cosine of pennation angle [-]"])
        for velocities, key in (
            (None, "Inextensible-tendon active fiber force at rest [N]"),
            (speeds, "Inextensible-tendon active fiber force at the speeds [N]"),
        ):
            reference = np.asarray(entry[key])
            opensim_like = max_force_n(muscles, angles, velocities, pennation=False)[:, m]
            along_tendon = max_force_n(muscles, angles, velocities)[:, m]
            assert np.max(np.abs(opensim_like - reference)) <= limit, (name, key)
            assert np.max(np.abs(along_tendon - reference * cos_alpha)) <= limit, (name, key)


def test_curves_match_opensim(muscles: MuscleSet, data: dict[str, Any]) -> None:
    curves = data["check"]["curves"]
    np.testing.assert_allclose(
        active_force_length_multiplier(
            muscles, curves["Normalised fiber length [-]"], "DeGroote2016"
        ),
        curves["Active force-length multiplier [-]"],
        atol=1e-12,
    )
    np.testing.assert_allclose(
        force_velocity_multiplier(muscles, curves["Normalised fiber velocity [-]"], "DeGroote2016"),
        curves["Force-velocity multiplier [-]"],
        atol=1e-12,
    )
    # tabulated Millard curves, linearly interpolated, at points off the table's grid
    table = data["curves"]["Millard2012"]
    for x_key, y_key, error_key, function in (
        ("Millard normalised fiber length [-]", "Millard active force-length multiplier [-]",
         "Active force-length interpolation max error [-]", active_force_length_multiplier),
        ("Millard normalised fiber velocity [-]", "Millard force-velocity multiplier [-]",
         "Force-velocity interpolation max error [-]", force_velocity_multiplier),
    ):  # fmt: skip
        assert table[error_key] <= 1e-3
        np.testing.assert_allclose(
            function(muscles, curves[x_key], "Millard2012"), curves[y_key], atol=1e-3
        )


@pytest.mark.parametrize("curve", CURVES)
def test_max_force_scaling(muscles: MuscleSet, curve: str) -> None:
    angles = np.radians([[20.0, 40.0, 0.0]])
    isometric = max_force_n(muscles, angles, force_length=False)
    np.testing.assert_array_equal(isometric[0], muscles.max_isometric_force_n)
    static = max_force_n(muscles, angles, curve=curve)
    still = max_force_n(muscles, angles, np.zeros((1, 3)), curve=curve)
    np.testing.assert_allclose(still, static, rtol=1e-12)
    assert np.all(static <= muscles.max_isometric_force_n)
    # knee extending (flexion velocity < 0): the vasti shorten and lose force, hamstrings lengthen
    velocity = np.array([[0.0, -3.0, 0.0]])
    moving = max_force_n(muscles, angles, velocity, curve=curve)
    assert moving[0, NAMES.index("vasti")] < static[0, NAMES.index("vasti")]
    assert moving[0, NAMES.index("bifemsh")] > static[0, NAMES.index("bifemsh")]
    soleus = NAMES.index("soleus")
    assert moving[0, soleus] == pytest.approx(static[0, soleus])


def test_bad_set_name_lists_valid_names() -> None:
    with pytest.raises(ParameterError, match="gait10dof18musc"):
        load_muscle_set("gait2392_made_up")


def test_incomplete_data_file_names_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    import copy

    import kneeload.muscles.geometry as geometry

    data = copy.deepcopy(load_parameter_set("muscles", "gait10dof18musc"))
    del data["muscles"]["vasti"]["Coefficients [m]"]
    monkeypatch.setattr(geometry, "load_parameter_set", lambda kind, name: data)
    geometry.load_muscle_set.cache_clear()  # sets are read once per process
    with pytest.raises(ParameterError, match=r"muscles\.vasti.*Coefficients \[m\]"):
        geometry.load_muscle_set("gait10dof18musc")


def test_bad_inputs(muscles: MuscleSet) -> None:
    with pytest.raises(InputError, match="angles_rad"):
        moment_arms_m(muscles, np.zeros((4, 2)))
    with pytest.raises(InputError, match="angular_velocity_rad_s"):
        max_force_n(muscles, np.zeros((4, 3)), np.zeros((4, 2)))
    with pytest.raises(ParameterError, match="Millard2012"):
        max_force_n(muscles, np.zeros(3), curve="Hill1938")
    with pytest.raises(InputError, match="thigh"):
        scale_muscle_set(muscles, segment_scale={"thigh": -1.0})
    with pytest.raises(InputError, match="knee"):
        scale_muscle_set(muscles, segment_scale={"knee": 1.1})


UNIT = re.compile(r" \[[^\]]+\]$")


def _numbers_without_units(table: dict[str, Any], path: str) -> list[str]:
    missing = []
    for key, value in table.items():
        if isinstance(value, dict):
            missing += _numbers_without_units(value, f"{path}.{key}")
            continue
        flat = np.asarray(value, dtype=object).ravel() if isinstance(value, list) else [value]
        numeric = any(isinstance(v, int | float) and not isinstance(v, bool) for v in flat)
        if numeric and not UNIT.search(key):
            missing.append(f"{path}.{key}")
    return missing


@pytest.mark.parametrize("name", available("muscles"))
def test_data_file_units_and_source(name: str) -> None:
    data = load_parameter_set("muscles", name)
    assert _numbers_without_units(data, name) == []
    meta = data["meta"]
    assert "Delp" in meta["source"] and meta["doi"]
    assert tuple(meta["muscles"]) == NAMES
    for table in data["curves"].values():
        assert table["source"] and table["doi"]
    script = models_dir().parent / meta["script"]
    if models_dir().name == "models":  # a checkout: the cited fitting script is there
        assert script.is_file()


def test_against_opensim_at_random_postures(muscles: MuscleSet, data: dict[str, Any]) -> None:
    """Re-runs OpenSim (only where the ``opensim`` extra is installed) at random postures."""
    osim = pytest.importorskip("opensim")
    from pathlib import Path

    path = Path(__file__).resolve().parents[3] / "shared/data" / data["meta"]["model_file"]
    if not path.is_file():
        pytest.skip(f"{path} not found")
    model = osim.Model(str(path))
    state = model.initSystem()
    coordinates = [model.getCoordinateSet().get(q) for q, _ in OPENSIM]
    rng = np.random.default_rng(11)
    angles = rng.uniform(muscles.fitted_range_rad[:, 0], muscles.fitted_range_rad[:, 1], (25, 3))
    arms = moment_arms_m(muscles, angles)
    for i, posture in enumerate(angles):
        for coordinate, (_, sign), angle in zip(coordinates, OPENSIM, posture, strict=True):
            coordinate.setValue(state, float(sign * angle), False)
        model.realizePosition(state)
        for m, name in enumerate(NAMES):
            path_m = model.getMuscles().get(f"{name}_r").getGeometryPath()
            for j, (coordinate, (_, sign)) in enumerate(zip(coordinates, OPENSIM, strict=True)):
                reference = -path_m.computeMomentArm(state, coordinate) * sign
                assert abs(arms[i, m, j] - reference) <= ARM_TOLERANCE_M
