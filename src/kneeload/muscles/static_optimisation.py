"""Muscle load sharing by static optimisation: validate, call the numba kernel, label the result.

Per frame the activations ``a`` (M) minimise ``Σ aᵢᵖ`` (p = 2: Anderson & Pandy 2001; Crowninshield
& Brand 1981 for other exponents) subject to the net joint moments and ``0 ≤ aᵢ ≤ 1``, where the
muscle moment at joint j is ``Σᵢ aᵢ · F_max,i · r_ij``.

Reserve actuators carry only what the muscles cannot (a two-phase solve, see
:mod:`kneeload.muscles._kernels`): the reserve is the residual of the bounded least-squares fit
``min ‖G a − M‖²`` over ``0 ≤ a ≤ 1`` when that residual exceeds 1e-10 of the problem's scale
``‖M‖ + Σᵢ ‖Gᵢ‖``, and exactly zero otherwise; the activations then minimise ``Σ aᵢᵖ`` subject to
``G a = M − reserve``. Reserves are reported per joint and must never be added into a contact
force.

Conventions (DESIGN.md §3): joints hip, knee, ankle in that order, net internal moments hip
extensor +, knee extensor +, ankle plantarflexor +; moment arms signed so that tension gives a
positive moment in that convention. Arrays are cases × frames × muscles × joints.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kneeload._threads import over_cases
from kneeload.exceptions import InputError
from kneeload.muscles import _kernels

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]

_SOURCE = "static_optimisation"
#: smallest supported exponent: for 1 < p < 1.5 the curvature p(p−1)aᵖ⁻² of the criterion grows
#: without bound at a → 0; measured on random frames, p = 1.1 left 16 % unconverged and p = 1.2
#: was up to 8e-6 off SLSQP's activations
MIN_EXPONENT = 1.5


@dataclass(frozen=True)
class StaticOptimisationResult:
    """Activations, forces and reserves of static optimisation, batched over cases × frames.

    Attributes
    ----------
    activation : (C, F, M) muscle activations in [0, 1] [-]; NaN rows where an input was NaN
    force_n : (C, F, M) muscle forces = activation × maximum force [N]
    reserve_nm : (C, F, J) reserve moments (hip, knee, ankle order of the inputs) [N·m], exactly
        0 where the muscles can carry the moments; never part of any contact force
    saturated : (C, F) True where reserves were needed (moments beyond muscle capacity)
    iterations : (C, F) active-set iterations (phase 1 + phase 2; 0 on NaN frames)
    converged : (C, F) False where an iteration limit was hit or the frame is a NaN gap
    exponent : the exponent p of the criterion Σ aᵖ
    """

    activation: FloatArray
    force_n: FloatArray
    reserve_nm: FloatArray
    saturated: BoolArray
    iterations: IntArray
    converged: BoolArray
    exponent: float


def _float_array(name: str, value: ArrayLike) -> FloatArray:
    """Coerce to float64 and reject ±inf (NaN marks a gap and is allowed)."""
    array = np.asarray(value, dtype=np.float64)
    if np.isinf(array).any():
        raise InputError(_SOURCE, name, "finite values (NaN allowed for gaps)", "inf")
    return array


def static_optimisation(
    moment_arm_m: ArrayLike,
    max_force_n: ArrayLike,
    joint_moment_nm: ArrayLike,
    exponent: float = 2.0,
) -> StaticOptimisationResult:
    """Muscle activations minimising Σ aᵢᵖ frame by frame, with reserves only beyond capacity.

    Parameters
    ----------
    moment_arm_m : (C, F, M, J) or one case (F, M, J) moment arms [m], signed so that tension
        gives a positive net internal moment (hip extensor, knee extensor, ankle plantarflexor)
    max_force_n : maximum (possibly force–length–velocity scaled) forces [N], >= 0, broadcastable
        to (C, F, M), e.g. (M,) for constant forces
    joint_moment_nm : (C, F, J) or one case (F, J) net internal joint moments [N·m]
    exponent : p >= 1.5 of the criterion Σ aᵢᵖ [-]; default 2 (Anderson & Pandy 2001), 3 in
        Crowninshield & Brand (1981); verified for 1.5 <= p <= 10

    Returns
    -------
    StaticOptimisationResult : always with the case axis (C = 1 for single-case input).

    Notes
    -----
    Phase 1 is BVLS (Stark & Parker 1995); phase 2 is a primal active-set QP (Nocedal & Wright
    2006, Alg. 16.3) for p = 2 and a Newton–SQP with feasible line search (Bertsekas 1999, §2.3)
    otherwise, warm-started from the previous frame's working set. Frames with a NaN input give
    NaN activations, forces and reserves; the other frames are unaffected. A RuntimeWarning names
    the number of finite frames that did not converge.

    References
    ----------
    Anderson FC, Pandy MG (2001) Static and dynamic optimization solutions for gait are practically
    equivalent. J Biomech 34:153–161. doi:10.1016/S0021-9290(00)00155-X
    Crowninshield RD, Brand RA (1981) A physiologically based criterion of muscle force prediction
    in locomotion. J Biomech 14:793–801. doi:10.1016/0021-9290(81)90035-X
    Stark PB, Parker RL (1995) Bounded-variable least-squares: an algorithm and applications.
    Comput Stat 10:129–141.
    Nocedal J, Wright SJ (2006) Numerical Optimization, 2nd ed., ch. 16. Springer.
    Bertsekas DP (1999) Nonlinear Programming, 2nd ed., §2.3. Athena Scientific.
    """
    arm = _float_array("moment_arm_m", moment_arm_m)
    if arm.ndim == 3:
        arm = arm[np.newaxis]
    if arm.ndim != 4 or arm.shape[2] < 1 or arm.shape[3] < 1:
        raise InputError(
            _SOURCE,
            "moment_arm_m",
            "an array (cases, frames, muscles >= 1, joints >= 1)",
            str(arm.shape),
        )
    n_cases, n_frames, n_muscles, n_joints = arm.shape
    moment = _float_array("joint_moment_nm", joint_moment_nm)
    if moment.ndim == 2 and n_cases == 1:
        moment = moment[np.newaxis]
    if moment.shape != (n_cases, n_frames, n_joints):
        raise InputError(
            _SOURCE,
            "joint_moment_nm",
            f"an array of shape {(n_cases, n_frames, n_joints)}",
            str(moment.shape),
        )
    force = _float_array("max_force_n", max_force_n)
    try:
        force = np.broadcast_to(force, (n_cases, n_frames, n_muscles))
    except ValueError:
        raise InputError(
            _SOURCE,
            "max_force_n",
            f"an array broadcastable to {(n_cases, n_frames, n_muscles)}",
            str(force.shape),
        ) from None
    if (force < 0).any():
        raise InputError(_SOURCE, "max_force_n", "maximum forces >= 0 N")
    p = float(exponent)
    if not (np.isfinite(p) and p >= MIN_EXPONENT):
        raise InputError(
            _SOURCE,
            "exponent",
            f"a finite exponent p >= {MIN_EXPONENT} (below it the Newton iteration stalls at "
            "near-zero activations)",
            str(exponent),
        )
    activation = np.empty((n_cases, n_frames, n_muscles))
    reserve = np.empty((n_cases, n_frames, n_joints))
    saturated = np.zeros((n_cases, n_frames), dtype=np.bool_)
    iterations = np.zeros((n_cases, n_frames), dtype=np.int64)
    converged = np.zeros((n_cases, n_frames), dtype=np.bool_)
    # contiguous and writable (copied if not): a read-only input (a full-shape force through
    # broadcast_to, the read-only arrays of kneeload.muscles.geometry) would compile the kernel
    # a second time, ~20 s on an empty cache
    arm, force, moment = (np.require(a, np.float64, ["C", "W"]) for a in (arm, force, moment))
    over_cases(
        _kernels._static_optimisation_batch,
        n_cases,
        arm,
        force,
        moment,
        p,
        activation,
        reserve,
        saturated,
        iterations,
        converged,
    )
    failed = int(np.count_nonzero(~converged & ~np.isnan(reserve[..., 0])))
    if failed:
        warnings.warn(
            f"static optimisation did not converge in {failed} frame(s); see result.converged",
            RuntimeWarning,
            stacklevel=2,
        )
    return StaticOptimisationResult(
        activation=activation,
        force_n=activation * force,
        reserve_nm=reserve,
        saturated=saturated,
        iterations=iterations,
        converged=converged,
        exponent=p,
    )
