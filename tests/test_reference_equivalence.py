"""The kernels the benchmarks time agree with the plain NumPy/SciPy references they are timed
against (``tests/reference.py``), on inputs of the benchmarks' kind.

Closed-form computations (inverse dynamics, contact) agree to 1e-9 relative. Static optimisation
is compared against SciPy's SLSQP, which stops at its own tolerance, so the activations are
compared at a bound derived per frame from SLSQP's answer rather than at a fixed 1e-9: for
p = 2 the criterion f(a) = Σ aᵢ² is 2-strongly convex, so any feasible a satisfies
‖a − a*‖² ≤ f(a) − f(a*) at the optimum a* (first-order optimality, Nocedal & Wright 2006,
Thm 12.1 with strong convexity). SLSQP's point a_s misses the moment constraint by
r = G a_s − t; moving it by δ = ‖G⁺ r‖ onto the constraint changes f by at most
‖∇f(a_s)‖ δ + δ². So ‖a_s − a*‖ ≤ √(f(a_s) − f(a*) + ‖∇f‖ δ + δ²) + δ, evaluated with a* = our
answer. That our answer is a* is checked in closed form: the KKT stationarity residual ≤ 1e-9
and the moment balance to 1e-9 of the frame's scale; what remains of our own distance to a*
(KKT residual / strong convexity, distance to the constraint), the rounding of the two sums
f(a) and 8 ulp of the activations are added. The bounds come out below ~1e-6 (checked,
so that the comparison says something).
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from kneeload.config import STANDARD_GRAVITY_M_S2
from kneeload.contact import patellofemoral_contact, tibiofemoral_contact
from kneeload.dynamics.inverse import inverse_dynamics_planar, planar_chain
from kneeload.muscles.static_optimisation import static_optimisation
from tests.reference import (
    kkt_residual,
    patellofemoral_reference,
    planar_chain_reference,
    static_optimisation_reference,
    tibiofemoral_reference,
)

Array = NDArray[np.float64]
FRAMES = 101

#: signed sagittal moment arms [m] (hip extensor, knee extensor, ankle plantarflexor +) of
#: hamstrings, bifemsh, glut_max, iliopsoas, rect_fem, vasti, gastroc, soleus, tib_ant: orders of
#: magnitude of Delp et al. (1990), test inputs only
MOMENT_ARM_M = np.array(
    [
        [0.065, -0.030, 0.0],
        [0.0, -0.025, 0.0],
        [0.060, 0.0, 0.0],
        [-0.040, 0.0, 0.0],
        [-0.040, 0.045, 0.0],
        [0.0, 0.045, 0.0],
        [0.0, -0.020, 0.050],
        [0.0, 0.0, 0.050],
        [0.0, 0.0, -0.040],
    ]
)
#: maximum isometric forces of gait10dof18musc's right leg [N] (rounded)
MAX_FORCE_N = np.array([2594.0, 804.0, 1944.0, 2342.0, 1169.0, 5000.0, 2500.0, 5137.0, 3000.0])


def test_inverse_dynamics_matches_reference_to_1e9() -> None:
    """Random chains over whole cycles, gravity on a slope, with a free moment."""
    rng = np.random.default_rng(70)
    c = 6
    inputs = {
        "mass_kg": rng.uniform(0.5, 10.0, (c, 3)),
        "inertia_kg_m2": rng.uniform(0.001, 0.2, (c, 3)),
        "com_m": rng.normal(0.0, 0.5, (c, FRAMES, 3, 2)),
        "com_acc_m_s2": rng.normal(0.0, 10.0, (c, FRAMES, 3, 2)),
        "alpha_rad_s2": rng.normal(0.0, 50.0, (c, FRAMES, 3)),
        "joint_m": rng.normal(0.0, 0.5, (c, FRAMES, 3, 2)),
        "grf_n": rng.normal(0.0, 500.0, (c, FRAMES, 2)),
        "cop_m": rng.normal(0.0, 0.5, (c, FRAMES, 2)),
        "free_moment_nm": rng.normal(0.0, 5.0, (c, FRAMES)),
        "gravity_m_s2": np.tile([-0.1 * STANDARD_GRAVITY_M_S2, -STANDARD_GRAVITY_M_S2], (c, 1)),
    }
    chain = planar_chain(
        *(inputs[k] for k in ("mass_kg", "inertia_kg_m2", "com_m", "com_acc_m_s2")),
        inputs["alpha_rad_s2"],
        inputs["joint_m"],
    )
    loads = inverse_dynamics_planar(
        chain, inputs["grf_n"], inputs["cop_m"], inputs["free_moment_nm"], inputs["gravity_m_s2"]
    )
    force, moment = planar_chain_reference(**inputs)
    # relative to each quantity's scale: a component near zero is a difference of large terms
    np.testing.assert_allclose(loads.force_n, force, rtol=1e-9, atol=1e-9 * np.abs(force).max())
    np.testing.assert_allclose(loads.moment_nm, moment, rtol=1e-9, atol=1e-9 * np.abs(moment).max())


def _contact_inputs(rng: np.random.Generator, shape: tuple[int, int]) -> dict[str, object]:
    """Knee flexion over and beyond the tables (−10 to 130°) and random forces [N, N·m]."""
    names = ("vasti", "rect_fem", "hamstrings", "bifemsh", "gastroc")
    return {
        "knee_flexion_deg": rng.uniform(-10.0, 130.0, shape),
        "muscle_force_n": {m: rng.uniform(0.0, 2000.0, shape) for m in names},
        "knee_force_axial_n": rng.normal(700.0, 300.0, shape),
        "knee_force_shear_n": rng.normal(0.0, 200.0, shape),
        "knee_adduction_moment_nm": rng.normal(20.0, 30.0, shape),
    }


def test_contact_matches_reference_to_1e9() -> None:
    """Tibiofemoral (with lift-off of a compartment) and patellofemoral force and stress."""
    inputs = _contact_inputs(np.random.default_rng(71), (5, FRAMES))
    ours = tibiofemoral_contact(**inputs)  # type: ignore[arg-type]
    theirs = tibiofemoral_reference(**inputs)  # type: ignore[arg-type]
    for name in ("compressive_n", "shear_n", "medial_n", "lateral_n"):
        expected = theirs[name]
        np.testing.assert_allclose(
            getattr(ours, name), expected, rtol=1e-9, atol=1e-9 * np.abs(expected).max()
        )
    assert (ours.lateral_n == 0.0).any()  # the lift-off branch was exercised
    forces = inputs["muscle_force_n"]
    assert isinstance(forces, dict)
    flexion = inputs["knee_flexion_deg"]
    assert isinstance(flexion, np.ndarray)
    quadriceps = forces["vasti"] + forces["rect_fem"]
    pf = patellofemoral_contact(flexion, quadriceps)
    pf_ref = patellofemoral_reference(flexion, quadriceps)
    np.testing.assert_allclose(pf.force_n, pf_ref["force_n"], rtol=1e-9)
    np.testing.assert_allclose(pf.stress_mpa, pf_ref["stress_mpa"], rtol=1e-9)


def _gait_like(rng: np.random.Generator, n_cycles: int, frames: int) -> tuple[Array, Array]:
    """Moment arms (C, F, 9, 3) wobbling ±5 % and smooth hip/knee/ankle moments (C, F, 3)."""
    phase = np.linspace(0.0, 2.0 * np.pi, frames)[None, :, None]
    wobble = 0.05 * np.sin(phase[..., None] + rng.uniform(0, 6, (n_cycles, 1, 9, 3)))
    arm = MOMENT_ARM_M * (1.0 + wobble)
    amplitude = np.array([60.0, 45.0, 90.0])  # Winter (2009) walking, 70 kg [N·m]
    moment = amplitude * np.sin(phase * rng.integers(1, 3, (n_cycles, 1, 3)) + rng.uniform(0, 6))
    moment[..., 2] = np.abs(moment[..., 2])
    return arm, moment


def _distance_to_constraint(matrix: Array, a: Array, target: Array) -> float:
    """‖G⁺ (G a − t)‖: how far ``a`` is from the moment constraint [-]."""
    return float(np.linalg.norm(np.linalg.pinv(matrix) @ (matrix @ a - target)))


def _activation_bound(matrix: Array, target: Array, ref: Array, ours: Array) -> float:
    """Bound on ‖a_SLSQP − a_ours‖ from 2-strong convexity of Σ a² (module docstring): SLSQP's
    distance to the optimum a*, plus ours (our KKT residual r gives ‖a − a*‖ ≤ r‖∇f‖/2, plus
    our distance to the constraint), plus rounding of values in [0, 1] (8 ulp)."""
    delta = _distance_to_constraint(matrix, ref, target)
    f_ref, f_ours = float(np.sum(ref**2)), float(np.sum(ours**2))
    # the gap is known to the rounding of two sums of M squares (M ulp each)
    gap = f_ref - f_ours + 2.0 * ref.size * np.finfo(np.float64).eps * max(f_ref, f_ours)
    slsqp = np.sqrt(max(gap + np.linalg.norm(2.0 * ref) * delta + delta**2, 0.0)) + delta
    gradient = max(1.0, float(np.linalg.norm(2.0 * ours)))
    mine = kkt_residual(matrix, ours, 2.0) * gradient / 2.0
    mine += _distance_to_constraint(matrix, ours, target)
    return float(slsqp + mine + 8.0 * np.finfo(np.float64).eps)


@pytest.mark.parametrize("overload", [1.0, 4.0])
def test_static_optimisation_matches_scipy_within_its_convergence(overload: float) -> None:
    """Gait-like frames of the 9-muscle leg, within capacity and (×4 moments) beyond it."""
    rng = np.random.default_rng(72)
    arm, moment = _gait_like(rng, 2, 30)
    moment = overload * moment
    ours = static_optimisation(arm, MAX_FORCE_N, moment, 2.0)
    activation, reserve = static_optimisation_reference(arm, MAX_FORCE_N, moment, 2.0)
    assert ours.converged.all()
    bounds = []
    for index in np.ndindex(arm.shape[:2]):
        matrix = (arm[index] * MAX_FORCE_N[:, None]).T
        scale = np.linalg.norm(moment[index]) + np.linalg.norm(matrix, axis=0).sum()
        # BVLS is finite and exact: the reserves agree to rounding
        assert np.abs(ours.reserve_nm[index] - reserve[index]).max() <= 1e-9 * scale
        target = moment[index] - ours.reserve_nm[index]
        a = ours.activation[index]
        assert np.abs(matrix @ a - target).max() <= 1e-9 * scale
        assert kkt_residual(matrix, a, 2.0) <= 1e-9
        bound = _activation_bound(matrix, target, activation[index], a)
        bounds.append(bound)
        assert np.abs(a - activation[index]).max() <= bound
    if overload > 1.0:  # both branches of the reserve rule were exercised
        assert 0.0 < ours.saturated.mean() < 1.0
    assert max(bounds) <= 1e-6
