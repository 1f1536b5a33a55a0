"""3-D distal-chain inverse dynamics: NumPy reference, statics, Euler's equations, planar limit.

The kernel sums Newton–Euler over the bodies below the knee; the reference here is the textbook
recursion body by body from the ground reaction up (Winter 2009, ch. 5, in 3-D), through joint
points the kernel never sees, so agreement checks the summation and the frame algebra.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.spatial.transform import Rotation

from kneeload.dynamics.inverse import inverse_dynamics_planar, planar_chain
from kneeload.dynamics.inverse_3d import distal_chain_loads_3d
from kneeload.exceptions import InputError
from kneeload.kinematics import angular_velocity_acceleration, rotation_vector, time_derivatives

G = np.array([0.0, -9.80665, 0.0])


def _reference_recursion(
    mass, inertia, com, rotation, omega, alpha, acc, joints, grf, cop, free, gravity
):  # type: ignore[no-untyped-def]
    """Naive per-frame recursion; bodies distal -> proximal, ``joints[b]`` the proximal joint of
    body b (the last one is the knee). Returns the load on the last body at its proximal joint."""
    n_frames = com.shape[0]
    force = np.zeros((n_frames, 3))
    moment = np.zeros((n_frames, 3))
    for f in range(n_frames):
        f_d, point_d, m_d = grf[f], cop[f], free[f]
        for b in range(len(mass)):
            i_ground = rotation[f, b] @ inertia[b] @ rotation[f, b].T
            c = com[f, b]
            p = joints[f, b]
            f_p = mass[b] * (acc[f, b] - gravity) - f_d
            m_p = (
                i_ground @ alpha[f, b]
                + np.cross(omega[f, b], i_ground @ omega[f, b])
                - m_d
                - np.cross(point_d - c, f_d)
                - np.cross(p - c, f_p)
            )
            f_d, point_d, m_d = -f_p, p, -m_p
        force[f], moment[f] = f_p, m_p
    return force, moment


def _random_chain(rng: np.random.Generator, n_frames: int, n_bodies: int):  # type: ignore[no-untyped-def]
    mass = rng.uniform(0.1, 5.0, n_bodies)
    half = rng.normal(0, 0.05, (n_bodies, 3, 3))
    inertia = np.einsum("bij,bkj->bik", half, half) + 0.01 * np.eye(3)  # symmetric positive
    rotation = Rotation.random(n_frames * n_bodies, random_state=1).as_matrix()
    return {
        "mass": mass,
        "inertia": inertia,
        "com": rng.normal(0, 0.3, (n_frames, n_bodies, 3)),
        "rotation": rotation.reshape(n_frames, n_bodies, 3, 3),
        "omega": rng.normal(0, 5, (n_frames, n_bodies, 3)),
        "alpha": rng.normal(0, 50, (n_frames, n_bodies, 3)),
        "acc": rng.normal(0, 10, (n_frames, n_bodies, 3)),
        "joints": rng.normal(0, 0.3, (n_frames, n_bodies, 3)),
        "grf": rng.normal(0, 500, (n_frames, 3)),
        "cop": rng.normal(0, 0.3, (n_frames, 3)),
        "free": rng.normal(0, 5, (n_frames, 3)),
    }


def _kernel(chain, gravity=G):  # type: ignore[no-untyped-def]
    return distal_chain_loads_3d(
        chain["mass"],
        chain["inertia"],
        chain["com"],
        chain["rotation"],
        chain["omega"],
        chain["alpha"],
        chain["acc"],
        chain["grf"],
        chain["cop"],
        chain["joints"][..., -1, :],
        free_moment_nm=chain["free"],
        gravity_m_s2=gravity,
    )


def test_kernel_matches_body_by_body_recursion() -> None:
    """Random 4-body chains (shank, talus, calcaneus, toes sized), arbitrary joint points."""
    chain = _random_chain(np.random.default_rng(2), 40, 4)
    loads = _kernel(chain)
    force, moment = _reference_recursion(
        chain["mass"],
        chain["inertia"],
        chain["com"],
        chain["rotation"],
        chain["omega"],
        chain["alpha"],
        chain["acc"],
        chain["joints"],
        chain["grf"],
        chain["cop"],
        chain["free"],
        G,
    )
    np.testing.assert_allclose(loads.force_n, force, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(loads.moment_nm, moment, rtol=1e-12, atol=1e-9)


def test_batch_over_cases_equals_case_by_case() -> None:
    rng = np.random.default_rng(3)
    chains = [_random_chain(rng, 7, 3) for _ in range(5)]
    stacked = {k: np.stack([c[k] for c in chains]) for k in chains[0]}
    gravity = rng.normal(0, 9.8, (5, 3))
    batch = _kernel(stacked, gravity)
    assert batch.force_n.shape == (5, 7, 3)
    for k, chain in enumerate(chains):
        single = _kernel(chain, gravity[k])
        np.testing.assert_array_equal(batch.force_n[k], single.force_n)
        np.testing.assert_array_equal(batch.moment_nm[k], single.moment_nm)


def test_static_chain_analytic() -> None:
    """At rest: F = -Σ m g - F_grf, M = Σ (c - K) × (-m g) - (P - K) × F_grf - M_free."""
    knee = np.array([[0.1, 0.5, 0.05]])
    com = np.array([[[0.12, 0.3, 0.06], [0.2, 0.05, 0.02]]])  # shank, foot
    mass = np.array([3.5, 1.2])
    grf = np.array([[30.0, 700.0, -20.0]])
    cop = np.array([[0.25, 0.0, 0.08]])
    free = np.array([[0.0, 2.0, 0.0]])
    loads = distal_chain_loads_3d(
        mass,
        np.broadcast_to(np.diag([0.05, 0.005, 0.05]), (2, 3, 3)),
        com,
        np.broadcast_to(np.eye(3), (1, 2, 3, 3)),
        np.zeros((1, 2, 3)),
        np.zeros((1, 2, 3)),
        np.zeros((1, 2, 3)),
        grf,
        cop,
        knee,
        free_moment_nm=free,
    )
    weight = mass[:, None] * G
    expected_force = -weight.sum(axis=0) - grf[0]
    expected_moment = (
        np.cross(com[0] - knee[0], -weight).sum(axis=0)
        - np.cross(cop[0] - knee[0], grf[0])
        - free[0]
    )
    np.testing.assert_allclose(loads.force_n[0], expected_force, rtol=1e-14)
    np.testing.assert_allclose(loads.moment_nm[0], expected_moment, rtol=1e-14)
    # by hand, one entry: the weights act 0.02 m (shank) and 0.10 m (foot) in front of the knee,
    # so the thigh must hold them with +(0.02 · 3.5 + 0.10 · 1.2) · 9.80665 N·m about z; the GRF
    # at (0.15, -0.5) m from the knee gives (P - K) × F_grf = 0.15 · 700 + 0.5 · 30 N·m, opposed
    by_hand = (0.02 * 3.5 + 0.10 * 1.2) * 9.80665 - (0.15 * 700.0 + 0.5 * 30.0)
    assert loads.moment_nm[0, 2] == pytest.approx(by_hand, rel=1e-12)


def _torque_free_motion(inertia: np.ndarray, omega0: np.ndarray, time: np.ndarray):  # type: ignore[no-untyped-def]
    """Integrate Euler's equations J ω̇ + ω × J ω = 0 (body axes) with the attitude quaternion."""

    def rhs(_t: float, y: np.ndarray) -> np.ndarray:
        w = y[:3]
        q = y[3:] / np.linalg.norm(y[3:])  # scalar-last (x, y, z, w)
        dw = np.linalg.solve(inertia, -np.cross(w, inertia @ w))
        x, yq, z, s = q
        dq = 0.5 * np.array(
            [
                s * w[0] + yq * w[2] - z * w[1],
                s * w[1] + z * w[0] - x * w[2],
                s * w[2] + x * w[1] - yq * w[0],
                -x * w[0] - yq * w[1] - z * w[2],
            ]
        )
        return np.concatenate([dw, dq])

    solution = solve_ivp(
        rhs,
        (time[0], time[-1]),
        np.concatenate([omega0, [0, 0, 0, 1.0]]),
        t_eval=time,
        rtol=1e-12,
        atol=1e-12,
        method="DOP853",
    )
    rotation = Rotation.from_quat(solution.y[3:].T).as_matrix()
    omega_ground = np.einsum("fij,jf->fi", rotation, solution.y[:3])
    return rotation, omega_ground


def test_free_rigid_body_spinning_needs_no_knee_load() -> None:
    """A body tumbling freely (Euler's equations, no torque) in free fall with no ground contact
    needs no load at the knee. Its ω(t) is known from the integration; the kernel gets ω and α
    from the rotation matrices through ``angular_velocity_acceleration``. The residual moment is
    the finite-difference error: O(h²) relative to ω × Jω; at 1 kHz, 1e-4 of it."""
    inertia = np.array([[0.05, 0.004, 0.0], [0.004, 0.02, 0.003], [0.0, 0.003, 0.06]])
    time = np.linspace(0.0, 1.0, 1001)
    rotation, omega_true = _torque_free_motion(inertia, np.array([3.0, 8.0, -2.0]), time)
    omega, alpha = angular_velocity_acceleration(time, rotation)
    inner = slice(2, -2)
    np.testing.assert_allclose(omega[inner], omega_true[inner], atol=1e-4 * 8.0)
    com = np.zeros((time.size, 1, 3))
    loads = distal_chain_loads_3d(
        [2.0],
        inertia[None],
        com,
        rotation[:, None],
        omega[:, None],
        alpha[:, None],
        np.broadcast_to(G, (time.size, 1, 3)),  # free fall
        np.zeros((time.size, 3)),
        np.zeros((time.size, 3)),
        np.zeros((time.size, 3)),
    )
    i_ground = rotation @ inertia @ np.swapaxes(rotation, 1, 2)
    spin_momentum = np.einsum("fij,fj->fi", i_ground, omega_true)
    gyroscopic = np.linalg.norm(np.cross(omega_true, spin_momentum), axis=1)
    assert gyroscopic.max() > 0.5  # the test has teeth: ω × Jω is not small
    np.testing.assert_allclose(loads.force_n, 0.0, atol=1e-12)
    assert np.abs(loads.moment_nm[inner]).max() < 1e-4 * gyroscopic.max()


def test_steady_spin_about_a_non_principal_axis() -> None:
    """Constant ω about a fixed axis that is not principal needs the torque ω × (I ω) (Euler),
    here with the body's centre of mass at the knee so only Euler's term remains."""
    inertia = np.array([[0.05, 0.01, 0.0], [0.01, 0.02, 0.0], [0.0, 0.0, 0.06]])
    spin = 6.0 * np.array([0.0, 0.6, 0.8])
    time = np.linspace(0.0, 0.5, 201)
    rotation = Rotation.from_rotvec(time[:, None] * spin).as_matrix()
    omega, alpha = angular_velocity_acceleration(time, rotation)
    np.testing.assert_allclose(omega, np.broadcast_to(spin, omega.shape), atol=1e-12)
    np.testing.assert_allclose(alpha, 0.0, atol=1e-9)
    zeros = np.zeros((time.size, 3))
    loads = distal_chain_loads_3d(
        [1.0], inertia[None], zeros[:, None], rotation[:, None], omega[:, None],
        alpha[:, None], np.broadcast_to(G, (time.size, 1, 3)), zeros, zeros, zeros,
    )  # fmt: skip
    i_ground = rotation @ inertia @ np.swapaxes(rotation, 1, 2)
    expected = np.cross(spin, i_ground @ spin)
    np.testing.assert_allclose(loads.moment_nm, expected, rtol=1e-8, atol=1e-10)


def test_angular_velocity_of_a_known_rotation() -> None:
    """R(t) = Rz(a(t)) Rx(b(t)): ω = a' e_z + b' Rz(a) e_x and α = dω/dt, both analytic."""
    time = np.linspace(0.0, 1.0, 401)
    a, da, dda = np.sin(2 * time), 2 * np.cos(2 * time), -4 * np.sin(2 * time)
    b, db, ddb = time**2, 2 * time, 2 * np.ones_like(time)
    rz = Rotation.from_euler("z", a[:, None]).as_matrix()
    rotation = rz @ Rotation.from_euler("x", b[:, None]).as_matrix()
    x_turned = rz[:, :, 0]
    omega_true = da[:, None] * np.array([0, 0, 1.0]) + db[:, None] * x_turned
    d_x_turned = da[:, None] * np.stack([-np.sin(a), np.cos(a), 0 * a], axis=1)
    alpha_true = (
        dda[:, None] * np.array([0, 0, 1.0]) + ddb[:, None] * x_turned + db[:, None] * d_x_turned
    )
    omega, alpha = angular_velocity_acceleration(time, rotation)
    h = time[1] - time[0]
    np.testing.assert_allclose(omega, omega_true, atol=10 * h**2 * 8)  # O(h²), |d³/dt³| <= 8
    # α: the two samples at each end are one-sided differences of one-sided ω, left out
    np.testing.assert_allclose(alpha[2:-2], alpha_true[2:-2], atol=50 * h**2 * 16)


def test_rotation_vector_round_trip() -> None:
    vectors = Rotation.random(100, random_state=4).as_rotvec()
    vectors *= 0.999  # below π
    matrices = Rotation.from_rotvec(vectors).as_matrix()
    np.testing.assert_allclose(rotation_vector(matrices), vectors, atol=1e-10)
    np.testing.assert_allclose(rotation_vector(np.eye(3)), 0.0)


def test_planar_motion_embedded_in_3d_equals_the_planar_kernel() -> None:
    """Foot and shank moving in the x-y plane, rotations about z: the 3-D kernel gives the planar
    kernel's knee force and moment (z), and no out-of-plane moment. Angles, centres of mass and
    their derivatives go through the same finite differences in both paths."""
    rng = np.random.default_rng(5)
    n = 60
    time = np.linspace(0, 0.6, n)
    angle = np.stack([np.sin(5 * time + k) + k for k in range(3)], axis=1)  # foot, shank, thigh
    com2 = np.stack(
        [np.stack([np.cos(3 * time + k), 0.2 * np.sin(4 * time)], 1) for k in range(3)], 1
    )
    joints2 = com2 + rng.normal(0, 0.1, (1, 3, 2))
    mass = np.array([1.2, 3.5, 8.0])
    izz = np.array([0.004, 0.048, 0.15])
    grf2 = rng.normal(0, 300, (n, 2))
    cop2 = rng.normal(0, 0.2, (n, 2))
    free_z = rng.normal(0, 2, n)
    _, acc2 = time_derivatives(time, com2)
    _, alpha_z = time_derivatives(time, angle)
    planar = inverse_dynamics_planar(
        planar_chain(mass, izz, com2, acc2, alpha_z, joints2), grf2, cop2, free_z, G[:2]
    )
    rotation = Rotation.from_euler("z", angle[:, :2].reshape(-1, 1)).as_matrix().reshape(n, 2, 3, 3)
    omega, alpha = angular_velocity_acceleration(time, rotation)
    pad = np.zeros((n, 1))
    com3 = np.concatenate([com2[:, :2], np.zeros((n, 2, 1))], axis=2)
    acc3 = np.concatenate([acc2[:, :2], np.zeros((n, 2, 1))], axis=2)
    inertia = np.stack([np.diag([0.01, 0.002, izz[0]]), np.diag([0.05, 0.005, izz[1]])])
    loads = distal_chain_loads_3d(
        mass[:2], inertia, com3, rotation, omega, alpha, acc3,
        np.hstack([grf2, pad]), np.hstack([cop2, pad]),
        np.hstack([joints2[:, 1], pad]),
        free_moment_nm=np.hstack([pad, pad, free_z[:, None]]),
    )  # fmt: skip
    scale = np.abs(planar.moment_nm[0, :, 1]).max()
    np.testing.assert_allclose(loads.force_n[:, :2], planar.force_n[0, :, 1], rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(loads.moment_nm[:, 2], planar.moment_nm[0, :, 1], atol=1e-12 * scale)
    np.testing.assert_allclose(loads.moment_nm[:, :2], 0.0, atol=1e-12 * scale)
    np.testing.assert_allclose(loads.force_n[:, 2], 0.0, atol=1e-12)


def test_nan_gaps_stay_in_their_frames() -> None:
    chain = _random_chain(np.random.default_rng(7), 6, 2)
    chain["grf"][2] = np.nan
    loads = _kernel(chain)
    assert np.isnan(loads.moment_nm[2]).all()
    assert np.isfinite(np.delete(loads.moment_nm, 2, axis=0)).all()


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("mass", lambda c: {**c, "mass": -c["mass"]}),
        ("com", lambda c: {**c, "com": c["com"][..., :2]}),
        ("rotation", lambda c: {**c, "rotation": c["rotation"][:, :, :2]}),
        ("grf", lambda c: {**c, "grf": c["grf"][:, :2]}),
        ("mass_per_case", lambda c: {**c, "mass": c["mass"][None].repeat(2, 0)}),
        ("inertia", lambda c: {**c, "inertia": c["inertia"] + np.triu(np.ones((3, 3)), 1)}),
    ],
)
def test_bad_inputs_raise_input_error(field: str, change) -> None:  # type: ignore[no-untyped-def]
    chain = change(_random_chain(np.random.default_rng(6), 5, 2))
    with pytest.raises(InputError):
        _kernel(chain)


def _pendulum_moment(t: float) -> np.ndarray:
    """Known moment of the thigh on the body about the fixed knee centre [N·m]."""
    return np.array([2.0 * np.sin(3 * t), np.cos(2 * t), 0.5 * np.sin(5 * t) - 1.0])


def test_forward_dynamics_round_trip_of_a_3d_pendulum() -> None:
    """A shank-like body pivoting about a fixed knee centre (a ball joint at K), driven by a known
    moment M(t) under gravity, is integrated forward with Euler's equations about the fixed point
    (J_K ω̇ + ω × J_K ω = Rᵀ (M + ρ × m g), J_K by the parallel-axis theorem; Goldstein 1980,
    ch. 5). Inverse dynamics must give back M(t) and the joint force m (a - g):
    to the integration tolerance with exact ω, α, a, and to O(h²) from the sampled poses alone.
    """
    mass = 3.5
    inertia = np.array([[0.048, 0.002, 0.001], [0.002, 0.005, 0.0], [0.001, 0.0, 0.047]])
    rho_body = np.array([0.01, -0.18, 0.005])  # centre of mass from the knee, body axes [m]
    inertia_knee = inertia + mass * (rho_body @ rho_body * np.eye(3) - np.outer(rho_body, rho_body))
    knee = np.array([0.2, 0.5, 0.1])

    def rhs(t: float, y: np.ndarray) -> np.ndarray:
        w = y[:3]
        quat = y[3:] / np.linalg.norm(y[3:])
        r = Rotation.from_quat(quat).as_matrix()
        torque = r.T @ (_pendulum_moment(t) + np.cross(r @ rho_body, mass * G))
        dw = np.linalg.solve(inertia_knee, torque - np.cross(w, inertia_knee @ w))
        x, yq, z, s = quat
        dq = 0.5 * np.array(
            [
                s * w[0] + yq * w[2] - z * w[1],
                s * w[1] + z * w[0] - x * w[2],
                s * w[2] + x * w[1] - yq * w[0],
                -x * w[0] - yq * w[1] - z * w[2],
            ]
        )
        return np.concatenate([dw, dq])

    time = np.linspace(0.0, 1.0, 2001)
    start = np.concatenate([[1.0, -2.0, 4.0], Rotation.from_rotvec([0.3, 0.1, -0.2]).as_quat()])
    solution = solve_ivp(
        rhs,
        (0.0, 1.0),
        start,
        t_eval=time,
        rtol=1e-12,
        atol=1e-12,
        method="DOP853",
        dense_output=True,
    )
    rotation = Rotation.from_quat(solution.y[3:].T).as_matrix()
    omega_body = solution.y[:3].T
    omega_dot_body = np.array([rhs(t, y)[:3] for t, y in zip(time, solution.y.T, strict=True)])
    omega = np.einsum("fij,fj->fi", rotation, omega_body)
    alpha = np.einsum("fij,fj->fi", rotation, omega_dot_body)  # dω/dt in ground = R ω̇_body
    rho = np.einsum("fij,j->fi", rotation, rho_body)
    com = knee + rho
    acc = np.cross(alpha, rho) + np.cross(omega, np.cross(omega, rho))
    applied = np.array([_pendulum_moment(t) for t in time])
    zeros = np.zeros((time.size, 3))
    knee_track = np.broadcast_to(knee, (time.size, 3))

    def inverse(w: np.ndarray, a: np.ndarray, c_acc: np.ndarray):  # type: ignore[no-untyped-def]
        return distal_chain_loads_3d(
            [mass], inertia[None], com[:, None], rotation[:, None], w[:, None], a[:, None],
            c_acc[:, None], zeros, zeros, knee_track,
        )  # fmt: skip

    exact = inverse(omega, alpha, acc)
    np.testing.assert_allclose(exact.moment_nm, applied, atol=1e-8)
    np.testing.assert_allclose(exact.force_n, mass * (acc - G), atol=1e-8)

    # from the sampled poses alone: the error must fall as h² (halving h divides it by ~4)
    errors = []
    for n in (1001, 2001):
        grid = np.linspace(0.0, 1.0, n)
        poses = Rotation.from_quat(solution.sol(grid)[3:].T).as_matrix()
        centre = knee + np.einsum("fij,j->fi", poses, rho_body)
        omega_fd, alpha_fd = angular_velocity_acceleration(grid, poses)
        _, acc_fd = time_derivatives(grid, centre)
        none = np.zeros((n, 3))
        sampled = distal_chain_loads_3d(
            [mass], inertia[None], centre[:, None], poses[:, None], omega_fd[:, None],
            alpha_fd[:, None], acc_fd[:, None], none, none, np.broadcast_to(knee, (n, 3)),
        )  # fmt: skip
        expected = np.array([_pendulum_moment(t) for t in grid])
        errors.append(np.abs(sampled.moment_nm - expected)[2:-2].max())  # ends: one-sided
    print(f"pendulum moment error at 1 and 2 kHz: {errors[0]:.2e}, {errors[1]:.2e} N·m")
    assert 3.5 < errors[0] / errors[1] < 4.5


def test_coordinates_without_the_knee_raise_input_error(subject01: dict[str, Path]) -> None:
    """A coordinate file lacking the knee coordinate names it, instead of a KeyError."""
    import dataclasses

    from kneeload.io.opensim import read_coordinates, read_grf
    from kneeload.io.osim import read_osim
    from kneeload.knee_3d import knee_flexion_moment_3d

    model = read_osim(subject01["model"])
    coordinates = read_coordinates(
        subject01["kinematics"], translational=model.translational_coordinates()
    )
    keep = [i for i, n in enumerate(coordinates.names) if n != "knee_angle_r"]
    without_knee = dataclasses.replace(
        coordinates,
        values=coordinates.values[:, keep],
        names=tuple(coordinates.names[i] for i in keep),
    )
    with pytest.raises(InputError, match="knee_angle_r"):
        knee_flexion_moment_3d(model, without_knee, read_grf(subject01["forces"]), "right")
