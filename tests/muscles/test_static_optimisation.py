"""Static optimisation: optimum vs scipy, KKT conditions, reserves vs bounded least squares.

The references are independent of the kernel: ``scipy.optimize.minimize`` (SLSQP) for the
optimum, ``scipy.optimize.lsq_linear`` (BVLS) for the capacity residual, and a KKT check whose
multipliers come from a sign-constrained least-squares fit. Tolerances: SLSQP reaches ~1e-8 in
the activations at ftol = 1e-16, so activations are compared at 1e-6 (the issue's figure);
quantities our kernel computes exactly (bounds, reserves, moment balance) at 1e-9 of the scale.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy.optimize import lsq_linear, minimize

from kneeload.exceptions import InputError
from kneeload.muscles.static_optimisation import static_optimisation

Array = NDArray[np.float64]

#: activations within this of a bound count as on the bound in the KKT check [-]
ON_BOUND = 1e-12


def _random_problem(
    rng: np.random.Generator,
    shape: tuple[int, int, int, int],
    overload: float = 1.0,
) -> tuple[Array, Array, Array]:
    """Moment arms [m], maximum forces [N] and moments [N·m] of a random frame batch.

    The moments are ``overload ×`` those of random activations in [0, 1] (a quarter exactly at a
    bound), so ``overload <= 1`` gives frames the muscles can carry.
    """
    arm = rng.uniform(-0.06, 0.06, shape)
    force = rng.uniform(200.0, 3000.0, shape[:3])
    activation = rng.uniform(0.0, 1.0, shape[:3])
    corner = rng.uniform(0.0, 1.0, shape[:3]) < 0.25
    activation[corner] = np.round(activation[corner])
    moment = overload * np.einsum("cfmj,cfm,cfm->cfj", arm, force, activation)
    return arm, force, moment


def _smooth_problem(
    rng: np.random.Generator, n_frames: int, n_muscles: int = 9, n_joints: int = 3
) -> tuple[Array, Array, Array]:
    """One case of smooth moment arms, forces and moments (a gait-like sequence of frames)."""
    phase = np.linspace(0.0, 2.0 * np.pi, n_frames)[:, None, None]
    arm = rng.uniform(-0.06, 0.06, (1, n_muscles, n_joints)) * (
        1.0 + 0.2 * np.sin(phase + rng.uniform(0, 6, (1, n_muscles, n_joints)))
    )
    force = rng.uniform(500.0, 3000.0, n_muscles)
    activation = 0.5 + 0.5 * np.sin(
        phase[:, :, 0] * rng.integers(1, 3, n_muscles) + rng.uniform(0, 6, n_muscles)
    )
    moment = np.einsum("fmj,m,fm->fj", arm, force, activation)
    return arm, force, moment


def _matrix(arm: Array, force: Array) -> Array:
    """J × M matrix of one frame: muscle moment per unit activation [N·m]."""
    return (arm * force[:, None]).T


def _scipy_optimum(matrix: Array, target: Array, exponent: float) -> Array:
    """Reference optimum of Σ aᵖ s.t. matrix a = target, 0 <= a <= 1 (SLSQP).

    The equality constraints are first reduced to an independent set (SVD), which SLSQP needs;
    a square system has one solution, solved for directly. SLSQP starts from a feasible point
    (``lsq_linear``), in variables and constraints scaled to about 1. It may end with
    status 8 ("positive directional derivative in linesearch") or at its iteration limit
    (status 9); then it restarts from its last point, and a feasible point that a restart does
    not move is accepted (about 1 frame in 100 needs a restart).
    """
    n_muscles = matrix.shape[1]
    u, s, _ = np.linalg.svd(matrix, full_matrices=False)
    basis = u[:, s > 1e-10 * s[0]] if s[0] > 0 else u[:, :0]
    reduced, reduced_target = basis.T @ matrix, basis.T @ target
    if basis.shape[1] == n_muscles:
        return np.linalg.solve(reduced, reduced_target)
    start = lsq_linear(reduced, reduced_target, bounds=(0.0, 1.0), method="bvls", tol=1e-15).x
    # SLSQP's tolerances are absolute: solve for z = a / size with unit-scale constraint rows
    size = max(np.abs(start).max(), 1e-6)
    rows = np.abs(reduced).max(axis=1, keepdims=True) * size
    scaled, scaled_target = reduced * size / rows, reduced_target / rows[:, 0]
    z = start / size
    tolerance = 1e-9 * (np.abs(matrix).sum() + np.linalg.norm(target))
    for _ in range(4):
        result = minimize(
            lambda z: np.sum(np.clip(z, 0.0, None) ** exponent),
            z,
            jac=lambda z: exponent * np.clip(z, 0.0, None) ** (exponent - 1.0),
            constraints=[
                {
                    "type": "eq",
                    "fun": lambda z: scaled @ z - scaled_target,
                    "jac": lambda z: scaled,
                }
            ],
            bounds=[(0.0, 1.0 / size)] * n_muscles,
            method="SLSQP",
            options={"ftol": 1e-14, "maxiter": 500},
        )
        moved = np.abs(result.x - z).max() * size
        z = np.clip(result.x, 0.0, 1.0 / size)
        feasible = np.abs(matrix @ (z * size) - target).max() <= tolerance
        if feasible and (result.success or moved < 1e-12):  # done, or stuck at the optimum
            break
    assert result.success or result.status in (8, 9), result.message
    assert np.abs(matrix @ (z * size) - target).max() <= tolerance
    return z * size


def _kkt_residual(matrix: Array, activation: Array, exponent: float) -> float:
    """Smallest stationarity residual over multipliers of the right sign, relative to ‖∇f‖.

    Finds λ (free) and bound multipliers ν (>= 0 at a = 0, <= 0 at a = 1, absent on free
    muscles) minimising ‖∇f(a) − Gᵀλ − ν‖ with ``lsq_linear``; zero at a KKT point.
    """
    n_joints, n_muscles = matrix.shape
    grad = exponent * activation ** (exponent - 1.0)
    lower = activation <= ON_BOUND
    upper = activation >= 1.0 - ON_BOUND
    on_bound = np.flatnonzero(lower | upper)
    columns = np.hstack([matrix.T, np.eye(n_muscles)[:, on_bound]])
    lb = np.concatenate([np.full(n_joints, -np.inf), np.where(lower[on_bound], 0.0, -np.inf)])
    ub = np.concatenate([np.full(n_joints, np.inf), np.where(lower[on_bound], np.inf, 0.0)])
    fit = lsq_linear(columns, grad, bounds=(lb, ub), method="bvls", tol=1e-15)
    return float(np.linalg.norm(columns @ fit.x - grad) / max(1.0, np.linalg.norm(grad)))


def _capacity_residual(matrix: Array, moment: Array) -> Array:
    """Residual of the bounded least-squares fit min ‖G a − M‖, 0 <= a <= 1 (scipy BVLS)."""
    fit = lsq_linear(matrix, moment, bounds=(0.0, 1.0), method="bvls", tol=1e-15)
    return moment - matrix @ fit.x


def _reduced_reference(matrix: Array, moment: Array, exponent: float) -> Array:
    """Optimum of an over-capacity frame from scipy alone, with the degenerate part removed.

    t = G a₁ is the projection of M onto the muscles' capacity set, so every a with G a = t
    maximises nᵀG a (n = M − t): muscles with (Gᵀn)ᵢ > 0 are at 1, < 0 at 0; SLSQP solves the rest.
    """
    residual = _capacity_residual(matrix, moment)
    target = moment - residual
    if np.linalg.norm(residual) <= 1e-9 * (np.abs(matrix).sum() + np.linalg.norm(moment)):
        return _scipy_optimum(matrix, moment, exponent)
    direction = matrix.T @ residual
    threshold = 1e-9 * np.linalg.norm(matrix) * np.linalg.norm(residual)
    activation = np.where(direction > threshold, 1.0, 0.0)
    free = np.abs(direction) <= threshold
    if free.any():
        sub = matrix[:, free]
        rhs = target - matrix[:, ~free] @ activation[~free]
        activation[free] = _scipy_optimum(sub, rhs, exponent)
    return activation


def _assert_matches_scipy(
    arm: Array, force: Array, moment: Array, exponent: float, activation: Array
) -> None:
    for index in np.ndindex(arm.shape[:2]):
        matrix = _matrix(arm[index], force[index])
        reference = _scipy_optimum(matrix, moment[index], exponent)
        ours = activation[index]
        np.testing.assert_allclose(ours, reference, rtol=0, atol=1e-6)
        objective = np.sum(ours**exponent)
        reference_objective = np.sum(np.clip(reference, 0.0, None) ** exponent)
        assert objective <= reference_objective + 1e-9 * (1.0 + reference_objective)
        assert objective == pytest.approx(reference_objective, rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("exponent", [2.0, 3.0, 1.5])
def test_feasible_frames_match_scipy(exponent: float) -> None:
    """200 random feasible frames, 9 muscles × 3 joints: same optimum as SLSQP within 1e-6."""
    rng = np.random.default_rng(11)
    arm, force, moment = _random_problem(rng, (4, 50, 9, 3))
    result = static_optimisation(arm, force, moment, exponent)
    assert result.converged.all()
    assert not result.saturated.any()
    assert (result.reserve_nm == 0.0).all()
    _assert_matches_scipy(arm, force, moment, exponent, result.activation)


@pytest.mark.slow
@pytest.mark.parametrize("exponent", [2.0, 3.0])
def test_thousands_of_feasible_frames_match_scipy(exponent: float) -> None:
    """3 000 random feasible frames of random sizes (1–12 muscles, 1–4 joints) vs SLSQP."""
    rng = np.random.default_rng(12)
    for _ in range(30):
        shape = (2, 50, int(rng.integers(1, 13)), int(rng.integers(1, 5)))
        arm, force, moment = _random_problem(rng, shape)
        result = static_optimisation(arm, force, moment, exponent)
        assert result.converged.all()
        assert (result.reserve_nm == 0.0).all()
        _assert_matches_scipy(arm, force, moment, exponent, result.activation)


@pytest.mark.parametrize("exponent", [2.0, 3.0, 1.5])
@pytest.mark.parametrize("overload", [1.0, 2.5])
def test_kkt_conditions_hold(exponent: float, overload: float) -> None:
    """Bounds, moment balance with the reserves, and stationarity with signed bound multipliers."""
    rng = np.random.default_rng(13)
    arm, force, moment = _random_problem(rng, (3, 40, 9, 3), overload)
    result = static_optimisation(arm, force, moment, exponent)
    assert result.converged.all()
    activation = result.activation
    assert ((activation >= 0.0) & (activation <= 1.0)).all()
    for index in np.ndindex(arm.shape[:2]):
        matrix = _matrix(arm[index], force[index])
        scale = np.abs(matrix).sum() + np.linalg.norm(moment[index])
        balance = matrix @ activation[index] + result.reserve_nm[index] - moment[index]
        assert np.abs(balance).max() <= 1e-9 * scale
        assert _kkt_residual(matrix, activation[index], exponent) <= 1e-8
    np.testing.assert_allclose(result.force_n, activation * force, rtol=1e-15)


def test_reserves_are_the_bounded_least_squares_residual() -> None:
    """Over capacity: reserve = lsq_linear residual and flagged; within capacity: exactly 0."""
    rng = np.random.default_rng(14)
    arm, force, moment = _random_problem(rng, (2, 200, 9, 3))
    moment[:, ::2] *= rng.uniform(1.5, 4.0, (2, 100, 1))  # even frames beyond capacity (mostly)
    result = static_optimisation(arm, force, moment)
    assert result.converged.all()
    for index in np.ndindex(arm.shape[:2]):
        matrix = _matrix(arm[index], force[index])
        residual = _capacity_residual(matrix, moment[index])
        scale = np.abs(matrix).sum() + np.linalg.norm(moment[index])
        if np.linalg.norm(residual) > 1e-8 * scale:
            assert result.saturated[index]
            np.testing.assert_allclose(
                result.reserve_nm[index], residual, rtol=0, atol=1e-9 * scale
            )
        else:
            assert not result.saturated[index]
            assert (result.reserve_nm[index] == 0.0).all()
    assert result.saturated[:, ::2].mean() > 0.5
    assert not result.saturated[:, 1::2].any()


@pytest.mark.parametrize("factor", [1.0, 1.0 - 1e-13, 1.0 + 1e-13, 1.0 + 1e-9])
def test_frames_at_the_capacity_limit(factor: float) -> None:
    """Moments of all-or-nothing activations (often on the capacity boundary), ± rounding."""
    rng = np.random.default_rng(22)
    arm = rng.uniform(-0.06, 0.06, (4, 50, 9, 3))
    force = rng.uniform(200.0, 3000.0, (4, 50, 9))
    corner = (rng.uniform(0.0, 1.0, (4, 50, 9)) < 0.5).astype(float)
    moment = factor * np.einsum("cfmj,cfm,cfm->cfj", arm, force, corner)
    for exponent in (2.0, 3.0):
        result = static_optimisation(arm, force, moment, exponent)
        assert result.converged.all()
        for index in np.ndindex(arm.shape[:2]):
            matrix = _matrix(arm[index], force[index])
            scale = np.abs(matrix).sum() + np.linalg.norm(moment[index])
            residual = _capacity_residual(matrix, moment[index])
            expected = residual if result.saturated[index] else 0.0 * residual
            assert np.abs(result.reserve_nm[index] - expected).max() <= 1e-9 * scale
            balance = matrix @ result.activation[index] + result.reserve_nm[index] - moment[index]
            assert np.abs(balance).max() <= 1e-9 * scale
            assert _kkt_residual(matrix, result.activation[index], exponent) <= 1e-8


@pytest.mark.parametrize("exponent", [2.0, 3.0])
def test_over_capacity_activations_match_scipy(exponent: float) -> None:
    """Over capacity, the activations minimise Σ aᵖ among the best-fitting ones (scipy alone)."""
    rng = np.random.default_rng(15)
    arm, force, moment = _random_problem(rng, (2, 60, 9, 3), overload=3.0)
    result = static_optimisation(arm, force, moment, exponent)
    assert result.saturated.mean() > 0.8
    for index in np.ndindex(arm.shape[:2]):
        matrix = _matrix(arm[index], force[index])
        reference = _reduced_reference(matrix, moment[index], exponent)
        np.testing.assert_allclose(result.activation[index], reference, rtol=0, atol=1e-6)


#: sign pattern of the sagittal moment arms (hip extensor, knee extensor, ankle plantarflexor +)
#: of hamstrings, bifemsh, glut_max, iliopsoas, rect_fem, vasti, gastroc, soleus, tib_ant: most
#: muscles cross one joint, so zero moment arms and degenerate capacity faces are the rule
GAIT10DOF_SIGNS = np.array(
    [
        [1, -1, 0],
        [0, -1, 0],
        [1, 0, 0],
        [-1, 0, 0],
        [-1, 1, 0],
        [0, 1, 0],
        [0, -1, 1],
        [0, 0, 1],
        [0, 0, -1],
    ]
)


@pytest.mark.parametrize("exponent", [2.0, 3.0])
def test_leg_muscle_layout_within_and_beyond_capacity(exponent: float) -> None:
    """The 9-muscle leg layout, smooth moments partly beyond capacity: reserves, optimum and KKT."""
    rng = np.random.default_rng(21)
    phase = np.linspace(0.0, 2.0 * np.pi, 120)
    arm = GAIT10DOF_SIGNS * rng.uniform(0.02, 0.06, (120, 9, 3))
    force = np.array([2594.0, 804.0, 1944.0, 2342.0, 1169.0, 5000.0, 2500.0, 5137.0, 3000.0])
    moment = np.stack([np.sin(phase * k + k) for k in (1, 2, 3)], axis=1) * [150, 200, 400]
    result = static_optimisation(arm, force, moment, exponent)
    assert result.converged.all()
    assert 0.2 < result.saturated.mean() < 0.9
    for frame in range(120):
        matrix = _matrix(arm[frame], force)
        residual = _capacity_residual(matrix, moment[frame])
        if result.saturated[0, frame]:
            np.testing.assert_allclose(result.reserve_nm[0, frame], residual, rtol=0, atol=1e-8)
        else:
            assert (result.reserve_nm[0, frame] == 0.0).all()
            assert np.abs(residual).max() <= 1e-8
        reference = _reduced_reference(matrix, moment[frame], exponent)
        np.testing.assert_allclose(result.activation[0, frame], reference, rtol=0, atol=1e-6)
        assert _kkt_residual(matrix, result.activation[0, frame], exponent) <= 1e-8


def test_warm_start_gives_the_cold_start_optimum() -> None:
    """A smooth sequence solved frame to frame (warm) equals every frame solved alone (cold)."""
    arm, force, moment = _smooth_problem(np.random.default_rng(16), 400)
    for exponent in (2.0, 3.0):
        warm = static_optimisation(arm, force, moment, exponent)
        cold = static_optimisation(arm[:, None], force, moment[:, None], exponent)
        np.testing.assert_allclose(warm.activation[0], cold.activation[:, 0], rtol=0, atol=1e-12)
        np.testing.assert_array_equal(warm.reserve_nm[0], cold.reserve_nm[:, 0])
        np.testing.assert_array_equal(warm.saturated[0], cold.saturated[:, 0])
        assert warm.iterations.mean() < cold.iterations.mean()  # the warm start is used


def test_nan_frames_give_nan_rows_and_leave_the_others() -> None:
    """NaN in a moment arm, a maximum force or a moment: that frame's outputs are NaN only."""
    arm, force, moment = _smooth_problem(np.random.default_rng(17), 60)
    force = np.broadcast_to(force, arm.shape[:2]).copy()
    clean = static_optimisation(arm[:, None], force[:, None], moment[:, None])
    arm[5, 2, 1] = np.nan
    force[9, 4] = np.nan
    moment[12, 0] = np.nan
    moment[13:16] = np.nan
    result = static_optimisation(arm, force, moment)
    gaps = np.zeros(60, dtype=bool)
    gaps[[5, 9, 12, 13, 14, 15]] = True
    assert np.isnan(result.activation[0, gaps]).all()
    assert np.isnan(result.force_n[0, gaps]).all()
    assert np.isnan(result.reserve_nm[0, gaps]).all()
    assert not result.saturated[0, gaps].any()
    assert not result.converged[0, gaps].any()
    assert (result.iterations[0, gaps] == 0).all()
    assert result.converged[0, ~gaps].all()
    np.testing.assert_allclose(
        result.activation[0, ~gaps], clean.activation[~gaps, 0], rtol=0, atol=1e-12
    )
    np.testing.assert_array_equal(result.reserve_nm[0, ~gaps], clean.reserve_nm[~gaps, 0])


def test_degenerate_geometry() -> None:
    """Fewer muscles than joints, dependent joint rows and idle muscles are handled."""
    rng = np.random.default_rng(18)
    arm, force, moment = _random_problem(rng, (1, 30, 9, 3))
    arm[..., 2] = arm[..., 0] - 2.0 * arm[..., 1]  # third joint row depends on the others
    arm[:, :, 4] = 0.0  # a muscle that crosses no joint
    moment = np.einsum("cfmj,cfm,cfm->cfj", arm, force, rng.uniform(0, 1, arm.shape[:3]))
    result = static_optimisation(arm, force, moment)
    assert result.converged.all()
    assert (result.reserve_nm == 0.0).all()
    assert (result.activation[:, :, 4] == 0.0).all()
    _assert_matches_scipy(arm[:, :10], force[:, :10], moment[:, :10], 2.0, result.activation)
    few = static_optimisation(arm[:, :, :2], force[:, :, :2], moment)  # 2 muscles, 3 joints
    assert few.converged.all() and few.saturated.mean() > 0.8
    for index in np.ndindex(few.saturated.shape):
        matrix = _matrix(arm[index][:2], force[index][:2])
        residual = _capacity_residual(matrix, moment[index])
        np.testing.assert_allclose(few.reserve_nm[index], residual, rtol=0, atol=1e-9)
        assert few.saturated[index] == (np.abs(residual).max() > 1e-9)


def test_zero_moments_need_no_activation() -> None:
    arm, force, moment = _random_problem(np.random.default_rng(19), (2, 5, 9, 3))
    result = static_optimisation(arm, force, np.zeros_like(moment))
    assert (result.activation == 0.0).all()
    assert (result.reserve_nm == 0.0).all()


def test_single_case_input_and_broadcast_forces() -> None:
    arm, force, moment = _smooth_problem(np.random.default_rng(20), 20)
    single = static_optimisation(arm, force, moment)
    batched = static_optimisation(arm[None], np.broadcast_to(force, (1, 20, 9)), moment[None])
    assert single.activation.shape == (1, 20, 9)
    assert single.reserve_nm.shape == (1, 20, 3)
    assert single.saturated.shape == single.iterations.shape == (1, 20)
    np.testing.assert_array_equal(single.activation, batched.activation)


@settings(max_examples=60, deadline=None)
@given(
    n_muscles=st.integers(1, 12),
    n_joints=st.integers(1, 4),
    n_frames=st.integers(1, 6),
    overload=st.floats(0.0, 3.0),
    exponent=st.sampled_from([2.0, 1.5, 3.0, 4.0, 10.0]),
    seed=st.integers(0, 2**32 - 1),
)
def test_properties_over_the_valid_range(
    n_muscles: int, n_joints: int, n_frames: int, overload: float, exponent: float, seed: int
) -> None:
    """Bounds, balance, reserve = capacity residual (0 within capacity) and KKT, any size."""
    arm, force, moment = _random_problem(
        np.random.default_rng(seed), (2, n_frames, n_muscles, n_joints), overload
    )
    result = static_optimisation(arm, force, moment, exponent)
    assert result.converged.all()
    assert ((result.activation >= 0.0) & (result.activation <= 1.0)).all()
    for index in np.ndindex(arm.shape[:2]):
        matrix = _matrix(arm[index], force[index])
        scale = np.abs(matrix).sum() + np.linalg.norm(moment[index])
        residual = _capacity_residual(matrix, moment[index])
        if result.saturated[index]:
            np.testing.assert_allclose(
                result.reserve_nm[index], residual, rtol=0, atol=1e-9 * scale
            )
        else:
            assert (result.reserve_nm[index] == 0.0).all()
            assert np.linalg.norm(residual) <= 1e-9 * scale
        balance = matrix @ result.activation[index] + result.reserve_nm[index] - moment[index]
        assert np.abs(balance).max() <= 1e-9 * scale
        assert _kkt_residual(matrix, result.activation[index], exponent) <= 1e-8


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"moment_arm_m": np.zeros((2, 9, 3, 1, 1))}, "moment_arm_m"),
        ({"moment_arm_m": np.zeros((2, 3, 0, 3))}, "moment_arm_m"),
        ({"joint_moment_nm": np.zeros((2, 3, 2))}, "joint_moment_nm"),
        ({"joint_moment_nm": np.full((2, 3, 3), np.inf)}, "joint_moment_nm"),
        ({"max_force_n": np.ones(8)}, "max_force_n"),
        ({"max_force_n": -np.ones(9)}, "max_force_n"),
        ({"moment_arm_m": np.full((2, 3, 9, 3), -np.inf)}, "moment_arm_m"),
        ({"exponent": 1.0}, "exponent"),
        ({"exponent": 1.2}, "exponent"),
        ({"exponent": np.nan}, "exponent"),
    ],
)
def test_bad_input_names_the_field(change: dict[str, object], field: str) -> None:
    arguments: dict[str, object] = {
        "moment_arm_m": np.full((2, 3, 9, 3), 0.05),
        "max_force_n": np.full(9, 1000.0),
        "joint_moment_nm": np.zeros((2, 3, 3)),
        "exponent": 2.0,
    }
    arguments.update(change)
    with pytest.raises(InputError) as error:
        static_optimisation(**arguments)  # type: ignore[arg-type]
    assert error.value.field == field
