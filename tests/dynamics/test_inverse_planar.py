"""Planar inverse dynamics: kernel vs NumPy reference, statics, forward-dynamics round trip."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from kneeload.dynamics.inverse import (
    PlanarChain,
    PlanarJointLoads,
    gait_lab_moments,
    inverse_dynamics_planar,
    knee_force_components,
    planar_chain,
)
from kneeload.exceptions import InputError
from tests.reference import planar_chain_reference

G = 9.80665


def _random_inputs(rng: np.random.Generator, n_cases: int, n_frames: int) -> dict[str, np.ndarray]:
    return {
        "mass_kg": rng.uniform(0.5, 10.0, (n_cases, 3)),
        "inertia_kg_m2": rng.uniform(0.001, 0.2, (n_cases, 3)),
        "com_m": rng.normal(0, 0.5, (n_cases, n_frames, 3, 2)),
        "com_acc_m_s2": rng.normal(0, 10, (n_cases, n_frames, 3, 2)),
        "alpha_rad_s2": rng.normal(0, 50, (n_cases, n_frames, 3)),
        "joint_m": rng.normal(0, 0.5, (n_cases, n_frames, 3, 2)),
        "grf_n": rng.normal(0, 500, (n_cases, n_frames, 2)),
        "cop_m": rng.normal(0, 0.5, (n_cases, n_frames, 2)),
        "free_moment_nm": rng.normal(0, 5, (n_cases, n_frames)),
        "gravity_m_s2": np.tile([rng.normal(0, 1), -G], (n_cases, 1)),
    }


@pytest.mark.parametrize(("n_cases", "n_frames"), [(1, 1), (3, 101), (17, 7)])
def test_kernel_matches_numpy_reference(n_cases: int, n_frames: int) -> None:
    inputs = _random_inputs(np.random.default_rng(n_cases * 1000 + n_frames), n_cases, n_frames)
    chain = planar_chain(
        inputs["mass_kg"],
        inputs["inertia_kg_m2"],
        inputs["com_m"],
        inputs["com_acc_m_s2"],
        inputs["alpha_rad_s2"],
        inputs["joint_m"],
    )
    loads = inverse_dynamics_planar(
        chain, inputs["grf_n"], inputs["cop_m"], inputs["free_moment_nm"], inputs["gravity_m_s2"]
    )
    force_ref, moment_ref = planar_chain_reference(**inputs)
    np.testing.assert_allclose(loads.force_n, force_ref, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(loads.moment_nm, moment_ref, rtol=1e-12, atol=1e-9)


def _standing_leg(
    d_cop_m: float, grf_vertical_n: float
) -> tuple[dict[str, float], PlanarChain, PlanarJointLoads]:
    """A vertical leg at rest: ankle at (0, 0.08), knee at (0, 0.5), hip at (0, 0.9)."""
    masses = np.array([1.0, 3.5, 7.0])
    com_x = np.array([0.06, 0.0, 0.0])
    com_y = np.array([0.05, 0.3, 0.7])
    joints = np.array([[0.0, 0.08], [0.0, 0.5], [0.0, 0.9]])
    chain = planar_chain(
        masses,
        [0.004, 0.05, 0.11],
        np.stack([com_x, com_y], axis=-1)[None],
        np.zeros((1, 3, 2)),
        np.zeros((1, 3)),
        joints[None],
    )
    loads = inverse_dynamics_planar(chain, [[0.0, grf_vertical_n]], [[d_cop_m, 0.0]])
    geometry = {"m_foot": masses[0], "m_shank": masses[1], "m_thigh": masses[2], "x_foot": 0.06}
    return geometry, chain, loads


@pytest.mark.parametrize("d_cop_m", [-0.05, 0.0, 0.12])
def test_static_leg_matches_hand_statics(d_cop_m: float) -> None:
    """At rest, moments about each joint balance the GRF and the segment weights."""
    weight_n = 700.0
    geo, chain, loads = _standing_leg(d_cop_m, weight_n)
    moments = gait_lab_moments(loads)
    # sum of moments about the knee on shank + foot = 0, CCW +, x forward:
    # M_knee,on shank + d·F - Σ m g x_com = 0  (the shank's CoM is on the knee's vertical)
    knee_expected = -d_cop_m * weight_n + geo["m_foot"] * G * geo["x_foot"]
    assert moments["knee_moment_nm"][0, 0] == pytest.approx(knee_expected, rel=1e-12)
    # ankle: same lever arms (ankle and knee on one vertical), only the foot's weight below it
    ankle_on_foot = -d_cop_m * weight_n + geo["m_foot"] * G * geo["x_foot"]
    assert moments["ankle_moment_nm"][0, 0] == pytest.approx(-ankle_on_foot, rel=1e-12)
    # vertical force on the shank at the knee: GRF minus the foot and shank weights, compressive
    components = knee_force_components(loads, chain)
    axial = weight_n - (geo["m_foot"] + geo["m_shank"]) * G
    assert components["knee_force_axial_n"][0, 0] == pytest.approx(axial, rel=1e-12)
    assert components["knee_force_shear_n"][0, 0] == pytest.approx(0.0, abs=1e-9)


def test_cop_ahead_of_knee_gives_internal_flexor_moment() -> None:
    """GRF in front of the knee -> external extensor -> internal flexor moment (< 0)."""
    _geo, _chain, loads = _standing_leg(0.15, 700.0)
    assert gait_lab_moments(loads)["knee_moment_nm"][0, 0] < 0
    _geo, _chain, loads = _standing_leg(-0.15, 700.0)
    assert gait_lab_moments(loads)["knee_moment_nm"][0, 0] > 0


@given(
    tilt_deg=st.floats(-20, 20),
    weight_n=st.floats(100, 2000),
)
@settings(max_examples=50, deadline=None)
def test_rigid_leg_on_slope_carries_its_weight(tilt_deg: float, weight_n: float) -> None:
    """On a slope (gravity tilted) the hip force balances the GRF and all segment weights."""
    theta = np.radians(tilt_deg)
    gravity = np.array([-G * np.sin(theta), -G * np.cos(theta)])
    masses = np.array([1.0, 3.5, 7.0])
    chain = planar_chain(
        masses,
        [0.004, 0.05, 0.11],
        np.array([[[0.05, 0.05], [0.0, 0.3], [0.0, 0.7]]]),
        np.zeros((1, 3, 2)),
        np.zeros((1, 3)),
        np.array([[[0.0, 0.08], [0.0, 0.5], [0.0, 0.9]]]),
    )
    grf = weight_n * np.array([np.sin(theta), np.cos(theta)])
    loads = inverse_dynamics_planar(chain, grf[None], [[0.02, 0.0]], gravity_m_s2=gravity)
    # force on the thigh at the hip + GRF + weights = 0 (whole leg in equilibrium)
    total = loads.force_n[0, 0, 2] + grf + masses.sum() * gravity
    np.testing.assert_allclose(total, 0.0, atol=1e-9 * weight_n)


def test_bad_shapes_and_masses_are_named() -> None:
    with pytest.raises(InputError, match="mass_kg"):
        planar_chain(
            [1.0, -1.0, 1.0],
            [0.1] * 3,
            np.zeros((2, 3, 2)),
            np.zeros((2, 3, 2)),
            np.zeros((2, 3)),
            np.zeros((2, 3, 2)),
        )
    chain = planar_chain(
        [1.0] * 3,
        [0.1] * 3,
        np.zeros((2, 3, 2)),
        np.zeros((2, 3, 2)),
        np.zeros((2, 3)),
        np.zeros((2, 3, 2)),
    )
    with pytest.raises(InputError, match="grf_n"):
        inverse_dynamics_planar(chain, np.zeros((3, 2)), np.zeros((2, 2)))


# --- forward-dynamics round trip -------------------------------------------------------------
# A three-segment chain (thigh, shank, foot) hanging from a fixed hip, driven by known joint
# torques and pushed by a known external force on the foot. Equations of motion by Lagrange in
# absolute segment angles; inverse dynamics by Newton–Euler: two independent formulations.

LENGTH = np.array([0.42, 0.43, 0.20])  # thigh, shank, foot [m]
COM = np.array([0.18, 0.19, 0.09])  # from the proximal joint [m]
MASS = np.array([7.0, 3.2, 1.0])
INERTIA = np.array([0.12, 0.05, 0.004])
FOOT_LOAD_POINT = 0.15  # distance of the external force's point of application from the ankle [m]


def _torques(t: float) -> np.ndarray:
    """Known joint torques (hip, knee, ankle) [N·m]: each on the distal segment, CCW +."""
    return np.array([20 * np.sin(3 * t), -15 * np.cos(5 * t) + 5, 8 * np.sin(7 * t + 0.3)])


def _external_force(t: float) -> np.ndarray:
    return np.array([30 * np.sin(2 * t), 80 + 40 * np.cos(4 * t)])


def _unit(theta: np.ndarray) -> np.ndarray:
    return np.stack([np.cos(theta), np.sin(theta)], axis=-1)


def _coefficients() -> np.ndarray:
    """a[k, i]: CoM of segment k (and, as row 3, the load point) = Σ_i a[k, i] u(θ_i)."""
    a = np.zeros((4, 3))
    a[0, 0] = COM[0]
    a[1, 0], a[1, 1] = LENGTH[0], COM[1]
    a[2, 0], a[2, 1], a[2, 2] = LENGTH[0], LENGTH[1], COM[2]
    a[3, 0], a[3, 1], a[3, 2] = LENGTH[0], LENGTH[1], FOOT_LOAD_POINT
    return a


def _accelerations(q: np.ndarray, qd: np.ndarray, t: float) -> np.ndarray:
    a = _coefficients()
    u = _unit(q)
    du = np.stack([-np.sin(q), np.cos(q)], axis=-1)
    jac = a[:, :, None] * du[None, :, :]  # (point, angle, xy)
    mass_matrix = np.diag(INERTIA) + np.einsum("k,kix,kjx->ij", MASS, jac[:3], jac[:3])
    centripetal = -np.einsum("ki,ix->kx", a, u * (qd**2)[:, None])
    tau = _torques(t)
    segment_torque = tau - np.append(tau[1:], 0.0)  # joint torque on distal +, proximal -
    gravity = np.array([0.0, -G])
    generalised = (
        segment_torque
        + np.einsum("k,kix,x->i", MASS, jac[:3], gravity)
        + np.einsum("ix,x->i", jac[3], _external_force(t))
        - np.einsum("k,kix,kx->i", MASS, jac[:3], centripetal[:3])
    )
    return np.linalg.solve(mass_matrix, generalised)


def test_forward_dynamics_round_trip_recovers_torques() -> None:
    def rhs(t: float, y: np.ndarray) -> np.ndarray:
        return np.concatenate([y[3:], _accelerations(y[:3], y[3:], t)])

    times = np.linspace(0, 1.5, 301)
    y0 = np.array([-1.4, -1.7, -0.2, 0.5, -1.0, 2.0])
    sol = solve_ivp(rhs, (0, 1.5), y0, t_eval=times, rtol=1e-10, atol=1e-12)
    q, qd = sol.y[:3].T, sol.y[3:].T
    qdd = np.array([_accelerations(q[i], qd[i], t) for i, t in enumerate(times)])
    a = _coefficients()
    u, du = _unit(q), np.stack([-np.sin(q), np.cos(q)], axis=-1)
    points = np.einsum("ki,fix->fkx", a, u)
    point_acc = np.einsum("ki,fix->fkx", a, du * qdd[..., None] - u * (qd**2)[..., None])
    hip = np.zeros((len(times), 2))
    knee = LENGTH[0] * u[:, 0]
    ankle = knee + LENGTH[1] * u[:, 1]
    # kernel order is distal -> proximal: foot, shank, thigh
    chain = planar_chain(
        MASS[::-1],
        INERTIA[::-1],
        points[:, 2::-1],
        point_acc[:, 2::-1],
        qdd[:, ::-1],
        np.stack([ankle, knee, hip], axis=1),
    )
    force = np.array([_external_force(t) for t in times])
    loads = inverse_dynamics_planar(chain, force, points[:, 3])
    expected = np.array([_torques(t) for t in times])  # hip, knee, ankle on the distal segment
    recovered = loads.moment_nm[0][:, ::-1]
    scale = np.abs(expected).max()
    assert np.max(np.abs(recovered - expected)) < 1e-6 * scale
