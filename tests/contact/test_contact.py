"""Knee contact models: analytic projections, published PF constants and validation rung 3."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from kneeload.contact import (
    contact_area_models,
    effective_quadriceps_moment_arm_m,
    knee_crossing_muscles,
    line_of_action_angle_rad,
    patellofemoral_contact,
    patellofemoral_contact_area_m2,
    pf_consistency_checks,
    pf_force_ratio,
    quadriceps_force_from_knee_moment,
    tibiofemoral_contact,
)
from kneeload.exceptions import InputError, ParameterError

#: van Eijden et al. (1985) Fig. 3 patellar tendon angle [deg] at 0, 40, 50 deg flexion, as
#: digitised in gurchiek/nms-dyn patellarLigamentAngle.m (the published figure's numbers)
VAN_EIJDEN_1985_PTA_DEG = {0.0: 20.6161, 40.0: 11.6114, 50.0: 8.2938}

#: REFERENCES.md §4: ma(θ) [mm], k(θ) [-] and k/ma [N per N·m] at 0/20/30/40/60/90 deg
REFERENCES_PF_TABLE = {
    0.0: (46.0, 0.462, 10.0),
    20.0: (47.0, 0.650, 13.8),
    30.0: (44.9, 0.743, 16.6),
    40.0: (41.5, 0.827, 19.9),
    60.0: (33.3, 0.947, 28.4),
    90.0: (24.2, 0.981, 40.5),
}

#: Besier et al. (2005) abstract: unloaded PF contact areas [mm²] at 0/30/60 deg
BESIER_2005_MM2 = {"Besier2005_male": (210.0, 414.0, 520.0), "Besier2005_female": (269.0, 396.0)}


# --- tibiofemoral -----------------------------------------------------------------------------


def test_no_muscle_force_leaves_the_intersegmental_force() -> None:
    flexion = np.array([0.0, 15.0, 40.0])
    axial = np.array([650.0, -20.0, 900.0])
    shear = np.array([30.0, -40.0, 5.0])
    result = tibiofemoral_contact(flexion, {}, axial, shear)
    np.testing.assert_array_equal(result.compressive_n, axial)
    np.testing.assert_array_equal(result.shear_n, shear)


@pytest.mark.parametrize("flexion", [0.0, 40.0])
def test_quadriceps_force_projects_along_the_patellar_tendon(flexion: float) -> None:
    """A 1000 N vasti force at the published tendon angle φ adds 1000·cos φ of compression and
    pulls the tibia anteriorly by 1000·sin φ (so the femur's shear on the tibia drops by that)."""
    phi = math.radians(VAN_EIJDEN_1985_PTA_DEG[flexion])
    result = tibiofemoral_contact(flexion, {"vasti": 1000.0}, 500.0, 0.0)
    assert result.compressive_n == pytest.approx(500.0 + 1000.0 * math.cos(phi), abs=1e-9)
    assert result.shear_n == pytest.approx(-1000.0 * math.sin(phi), abs=1e-9)


def test_line_of_action_interpolates_between_published_points() -> None:
    expected = 0.5 * (VAN_EIJDEN_1985_PTA_DEG[40.0] + VAN_EIJDEN_1985_PTA_DEG[50.0])
    assert math.degrees(float(line_of_action_angle_rad("rect_fem", 45.0))) == pytest.approx(
        expected, abs=1e-9
    )


def test_hamstrings_at_right_angle_to_the_tibia_add_only_shear() -> None:
    """Where the hamstrings pull at φ = -90° (posterior, perpendicular to the tibia), their
    force adds no compression and pushes the tibia posteriorly; find that angle and check."""
    flexion = np.linspace(80.0, 100.0, 20001)
    phi = line_of_action_angle_rad("hamstrings", flexion)
    at_right_angle = float(flexion[np.argmin(np.abs(phi + math.pi / 2))])
    result = tibiofemoral_contact(at_right_angle, {"hamstrings": 800.0}, 0.0, 0.0)
    assert result.compressive_n == pytest.approx(0.0, abs=0.1)
    assert result.shear_n == pytest.approx(800.0, abs=1e-3)


def test_muscles_add_and_non_knee_muscles_are_left_out() -> None:
    flexion = np.array([10.0, 30.0])
    forces = {"vasti": [900.0, 400.0], "gastroc": [100.0, 700.0], "hamstrings": [50.0, 80.0]}
    combined = tibiofemoral_contact(flexion, {**forces, "soleus": [2000.0, 2000.0]}, 0.0, 0.0)
    separate = [tibiofemoral_contact(flexion, {name: f}, 0.0, 0.0) for name, f in forces.items()]
    np.testing.assert_allclose(
        combined.compressive_n, sum(part.compressive_n for part in separate), rtol=1e-12
    )
    np.testing.assert_allclose(combined.shear_n, sum(part.shear_n for part in separate))


def test_gastrocnemius_compresses_almost_fully() -> None:
    """The gastrocnemius runs nearly along the tibia (Delp 1990 geometry): cos φ > 0.99."""
    result = tibiofemoral_contact(np.linspace(0, 90, 10), {"gastroc": 1000.0}, 0.0, 0.0)
    assert np.all(result.compressive_n > 990.0)


def test_medial_plus_lateral_is_total_and_moment_balances() -> None:
    compressive = np.array([2000.0, 1500.0, 1800.0])
    kam = np.array([0.0, 20.0, -15.0])  # |KAM|/d below C/2: no lift-off
    result = tibiofemoral_contact(0.0, {}, compressive, 0.0, kam, intercondylar_distance_m=0.05)
    np.testing.assert_allclose(result.medial_n + result.lateral_n, compressive)
    # moment about the knee centre: (medial - lateral) · d/2 = KAM
    np.testing.assert_allclose((result.medial_n - result.lateral_n) * 0.025, kam, atol=1e-9)
    assert result.medial_share[0] == 0.5  # zero KAM: even split, derived from the balance
    assert result.medial_share[1] > 0.5 > result.medial_share[2]


def test_lateral_lift_off_keeps_medial_from_the_moment_balance() -> None:
    """With KAM/d > C/2 the lateral compartment unloads; the lateral soft tissues carry the
    tension T and the medial force stays C/2 + KAM/d = C + T (Schipplein & Andriacchi 1991)."""
    result = tibiofemoral_contact(0.0, {}, 1000.0, 0.0, 30.0, intercondylar_distance_m=0.04)
    assert result.lateral_n == 0.0
    assert result.medial_n == pytest.approx(500.0 + 30.0 / 0.04)
    assert result.medial_share == 1.0


def test_without_frontal_plane_data_the_split_is_nan_with_a_reason() -> None:
    result = tibiofemoral_contact([0.0, 10.0], {"vasti": [100.0, 200.0]}, [800.0, 900.0], 0.0)
    assert np.all(np.isnan(result.medial_n)) and np.all(np.isnan(result.medial_share))
    assert "no frontal-plane data" in result.note
    assert np.all(np.isfinite(result.compressive_n))


def test_missing_kam_frames_are_nan_only_there() -> None:
    result = tibiofemoral_contact(0.0, {}, [1000.0, 1000.0], 0.0, [10.0, np.nan])
    assert np.isfinite(result.medial_n[0]) and np.isnan(result.medial_n[1])
    assert "1 frame" in result.note


def test_batched_cases_by_frames_and_body_weight() -> None:
    rng = np.random.default_rng(3)
    flexion = rng.uniform(0, 60, (2, 7))
    forces = {name: rng.uniform(0, 1000, (2, 7)) for name in knee_crossing_muscles()}
    axial = rng.uniform(-100, 900, (2, 7))
    result = tibiofemoral_contact(flexion, forces, axial, 0.0, np.zeros((2, 7)), 70.0)
    assert result.compressive_n.shape == result.medial_share.shape == (2, 7)
    one = tibiofemoral_contact(
        flexion[1, 3], {k: v[1, 3] for k, v in forces.items()}, axial[1, 3], 0.0
    )
    assert result.compressive_n[1, 3] == pytest.approx(float(one.compressive_n))
    assert result.compressive_bw is not None
    np.testing.assert_allclose(result.compressive_bw, result.compressive_n / (70.0 * 9.80665))
    assert set(result.columns()) == {
        "tf_compressive_n",
        "tf_compressive_bw",
        "tf_shear_n",
        "tf_medial_n",
        "tf_lateral_n",
        "tf_medial_bw",
        "tf_lateral_bw",
        "tf_medial_share",
    }


def test_unknown_or_reserve_force_name_is_refused_with_the_allowed_names() -> None:
    with pytest.raises(InputError, match="vasti") as error:
        tibiofemoral_contact(0.0, {"reserve_knee": 50.0}, 0.0, 0.0)
    assert "reserve_knee" in str(error.value)


def test_nan_gaps_propagate_as_nan_never_zero() -> None:
    flexion = np.array([10.0, np.nan, 20.0])
    result = tibiofemoral_contact(flexion, {"vasti": [500.0, 500.0, np.nan]}, 800.0, 0.0, 5.0)
    assert np.isfinite(result.compressive_n[0])
    assert np.isnan(result.compressive_n[1:]).all() and np.isnan(result.medial_n[1:]).all()
    pf = patellofemoral_contact(flexion, quadriceps_force_from_knee_moment(30.0, flexion))
    assert np.isfinite(pf.stress_mpa[0]) and np.isnan(pf.stress_mpa[1])


def test_negative_or_non_numeric_input_is_refused() -> None:
    with pytest.raises(InputError, match="muscles only pull"):
        tibiofemoral_contact(0.0, {"vasti": -1.0}, 0.0, 0.0)
    with pytest.raises(InputError, match="knee_force_axial_n"):
        tibiofemoral_contact(0.0, {}, "a lot", 0.0)


# --- patellofemoral ---------------------------------------------------------------------------


@pytest.mark.parametrize("flexion", sorted(REFERENCES_PF_TABLE))
def test_pf_moment_arm_and_ratio_match_the_published_table(flexion: float) -> None:
    """REFERENCES.md §4 table, rounded to the printed digits."""
    ma_mm, k, k_over_ma = REFERENCES_PF_TABLE[flexion]
    arm = float(effective_quadriceps_moment_arm_m(flexion))
    assert arm * 1000 == pytest.approx(ma_mm, abs=0.05 + 1e-9)
    assert float(pf_force_ratio(flexion)) == pytest.approx(k, abs=0.0005 + 1e-9)
    assert float(pf_force_ratio(flexion)) / arm == pytest.approx(k_over_ma, abs=0.05 + 1e-9)


def test_quadriceps_force_from_moment() -> None:
    moment = np.array([40.0, -15.0, np.nan, 0.0])
    force = quadriceps_force_from_knee_moment(moment, 20.0)
    assert force[0] == pytest.approx(40.0 / 0.04704)  # ma(20°) = 47.04 mm from the polynomial
    assert force[1] == 0.0 and force[3] == 0.0  # flexor moment: no quadriceps force
    assert np.isnan(force[2])


@pytest.mark.parametrize("model", sorted(BESIER_2005_MM2))
def test_besier_areas_at_the_published_angles(model: str) -> None:
    published = BESIER_2005_MM2[model]
    angles = [0.0, 30.0, 60.0][-len(published) :]
    area = patellofemoral_contact_area_m2(angles, model)
    np.testing.assert_allclose(area * 1e6, published, rtol=1e-12)


def test_area_model_changes_stress_by_the_area_ratio() -> None:
    flexion = np.array([10.0, 30.0, 55.0])
    quadriceps = np.array([800.0, 1500.0, 2500.0])
    stress = {
        model: patellofemoral_contact(flexion, quadriceps, model).stress_mpa
        for model in contact_area_models()
    }
    area = {model: patellofemoral_contact_area_m2(flexion, model) for model in stress}
    for model in stress:
        np.testing.assert_allclose(
            stress[model] / stress["Besier2005_male"], area["Besier2005_male"] / area[model]
        )
    # at 30°: Besier male 414 mm² vs HoPowers 0.0781·900 + 0.6763·30 + 151.75 = 242.3 mm²
    assert stress["HoPowers"][1] / stress["Besier2005_male"][1] == pytest.approx(
        414.0 / 242.329, rel=1e-4
    )
    loaded = patellofemoral_contact(flexion, quadriceps, "Besier2005_male", weight_bearing=True)
    np.testing.assert_allclose(loaded.stress_mpa * 1.24, stress["Besier2005_male"])
    assert loaded.contact_area_model == "Besier2005_male+weight_bearing"


def test_pf_force_and_stress_units() -> None:
    """1000 N of quadriceps force at full extension: k(0) = 0.462, area 210 mm² (Besier male)
    -> 462 N and 462 / 210e-6 Pa = 2.2 MPa."""
    result = patellofemoral_contact(0.0, 1000.0)
    assert float(result.force_n) == pytest.approx(462.0)
    assert float(result.stress_mpa) == pytest.approx(2.2)
    assert result.contact_area_model == "Besier2005_male"
    assert set(result.columns()) == {"pf_force_n", "pf_stress_mpa"}


def test_unknown_contact_area_model_lists_the_models() -> None:
    with pytest.raises(ParameterError) as error:
        patellofemoral_contact(30.0, 1000.0, "Besier2005")
    for name in ("Besier2005_male", "Besier2005_female", "HoPowers"):
        assert name in str(error.value)
    with pytest.raises(ParameterError, match="weight-bearing"):
        patellofemoral_contact(30.0, 1000.0, "HoPowers", weight_bearing=True)


# --- validation rung 3: PF model consistency with Kuster (1993) and Roos (2012) ----------------


CHECKS = {check.id: check for check in pf_consistency_checks()}


@pytest.mark.parametrize(
    "check_id",
    [
        "Kuster1993_level_male",
        "Kuster1993_downhill_male",
        "Kuster1993_level_female",
        pytest.param(
            "Kuster1993_downhill_female",
            marks=pytest.mark.xfail(
                reason="measured -26 % (51.8 vs 70 N/kg); target 20 % kept. REFERENCES.md gives "
                "one (pooled) moment for both sexes, so a sex-specific force is not reproducible",
                strict=True,
            ),
        ),
        "Roos2012_forward_backward_ratio",
    ],
)
def test_pf_force_reproduces_published_values_within_20_percent(check_id: str) -> None:
    check = CHECKS[check_id]
    assert abs(check.ours / check.published - 1) <= 0.20, check


def test_kuster_checks_use_the_pipeline() -> None:
    """The consistency rows are k(θ)·M/ma(θ), recomputed here from the published inputs."""
    assert CHECKS["Kuster1993_downhill_male"].ours == pytest.approx(
        2.6 * float(pf_force_ratio(40.0) / effective_quadriceps_moment_arm_m(40.0))
    )


# --- provenance of the Delp 1990 line-of-action tables --------------------------------------


def _path_points(model: Path, muscle: str) -> dict[str, tuple[str, np.ndarray]]:
    root = ET.parse(model).getroot()
    element = next(e for e in root.iter() if e.get("name") == muscle)
    points = {}
    for point in element.iter():
        frame, location = point.find("socket_parent_frame"), point.find("location")
        if point.get("name") and frame is not None and location is not None:
            body = (frame.text or "").rsplit("/", 1)[-1]
            points[point.get("name", "")] = (body, np.array((location.text or "").split(), float))
    return points


@pytest.mark.validation
def test_delp_line_of_action_tables_match_the_model_geometry(shared_data: Path) -> None:
    """Recompute the tabulated angles (rounded to 0.1°) from gait10dof18musc's path points."""
    from kneeload.dynamics.model_kinematics import body_poses
    from kneeload.io.osim import read_osim

    path = shared_data / "opensim_subject01_walk/gait10dof18musc/gait10dof18musc_generic.osim"
    model = read_osim(path)
    flexion = np.arange(0.0, 121.0, 10.0)
    zeros = np.zeros_like(flexion)
    poses = body_poses(
        model,
        {"knee_angle_r": -np.radians(flexion), "hip_flexion_r": zeros, "ankle_angle_r": zeros},
    )

    def angle_deg(tibia_side: tuple[str, np.ndarray], far: tuple[str, np.ndarray]) -> np.ndarray:
        ends = []
        for body, location in (tibia_side, far):
            rotation, origin = poses[body]
            ends.append(origin + rotation @ location)
        in_tibia = np.einsum("nji,nj->ni", poses["tibia_r"][0], ends[1] - ends[0])
        return np.degrees(np.arctan2(in_tibia[:, 0], in_tibia[:, 1]))

    hamstrings = _path_points(path, "hamstrings_r")
    bifemsh = _path_points(path, "bifemsh_r")
    gastroc = _path_points(path, "gastroc_r")
    expected = {
        "hamstrings": angle_deg(hamstrings["bifemlh_r-P2"], hamstrings["bifemlh_r-P1"]),
        "bifemsh": angle_deg(bifemsh["bifemsh_r-P2"], bifemsh["bifemsh_r-P1"]),
        "gastroc": np.where(
            flexion <= 45.0,
            angle_deg(gastroc["med_gas_r-P3"], gastroc["med_gas_r-P2"]),
            angle_deg(gastroc["med_gas_r-P3"], gastroc["med_gas_r-P1"]),
        ),
    }
    for muscle, angles in expected.items():
        table = np.degrees(line_of_action_angle_rad(muscle, flexion))
        np.testing.assert_allclose(table, angles, atol=0.05 + 1e-9, err_msg=muscle)
