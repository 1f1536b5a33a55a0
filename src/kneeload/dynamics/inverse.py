"""Planar inverse dynamics of the leg: validate, call the numba kernel, label the result.

Conventions (DESIGN.md §3, written once here and tested in ``tests/dynamics``):

- x points the way the subject faces, y up; angles and moments counter-clockwise positive.
- Segments are ordered distal to proximal: ``SEGMENTS = ("foot", "shank", "thigh")``; their
  proximal joints are ``JOINTS = ("ankle", "knee", "hip")``.
- The kernel returns the load acting **on each segment at its proximal joint** (Winter 2009,
  Appendix A, Table A.5 convention). :func:`gait_lab_moments` turns these into the gait-lab
  convention: knee **extensor** positive, hip **extensor** positive, ankle **plantarflexor**
  positive (net internal moments; Winter 2009, ch. 5).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kneeload._threads import over_cases
from kneeload.config import STANDARD_GRAVITY_M_S2
from kneeload.dynamics import _kernels
from kneeload.dynamics._batch import as_batch
from kneeload.exceptions import InputError

FloatArray = NDArray[np.float64]

SEGMENTS: tuple[str, str, str] = ("foot", "shank", "thigh")
JOINTS: tuple[str, str, str] = ("ankle", "knee", "hip")


@dataclass(frozen=True)
class PlanarChain:
    """Sagittal kinematics and inertia of foot, shank and thigh, batched over cases.

    Attributes
    ----------
    mass_kg : (C, S) segment masses [kg]
    inertia_kg_m2 : (C, S) moments of inertia about the centre of mass, z axis [kg·m²]
    com_m : (C, F, S, 2) centre-of-mass positions [m]
    com_acc_m_s2 : (C, F, S, 2) centre-of-mass accelerations [m/s²]
    alpha_rad_s2 : (C, F, S) segment angular accelerations, counter-clockwise + [rad/s²]
    joint_m : (C, F, S, 2) proximal joint centres (ankle, knee, hip) [m]
    """

    mass_kg: FloatArray
    inertia_kg_m2: FloatArray
    com_m: FloatArray
    com_acc_m_s2: FloatArray
    alpha_rad_s2: FloatArray
    joint_m: FloatArray


@dataclass(frozen=True)
class PlanarJointLoads:
    """Loads on each segment at its proximal joint.

    force_n (C, F, S, 2) [N]; moment_nm (C, F, S) [N·m].
    """

    force_n: FloatArray
    moment_nm: FloatArray


def planar_chain(
    mass_kg: ArrayLike,
    inertia_kg_m2: ArrayLike,
    com_m: ArrayLike,
    com_acc_m_s2: ArrayLike,
    alpha_rad_s2: ArrayLike,
    joint_m: ArrayLike,
) -> PlanarChain:
    """Check and pack segment data; arrays may omit the leading case axis (one case).

    Shapes as in :class:`PlanarChain`. Masses must be positive and inertias non-negative.
    """
    com = np.asarray(com_m, dtype=np.float64)
    if com.ndim == 3:
        com = com[np.newaxis]
    if com.ndim != 4 or com.shape[2:] != (len(SEGMENTS), 2):
        raise InputError(
            "inverse_dynamics", "com_m", "an array (cases, frames, 3, 2)", str(com.shape)
        )
    n_cases, n_frames = com.shape[:2]
    per_case = (n_cases, len(SEGMENTS))
    per_frame = (n_cases, n_frames, len(SEGMENTS))
    chain = PlanarChain(
        mass_kg=as_batch("inverse_dynamics", "mass_kg", mass_kg, per_case),
        inertia_kg_m2=as_batch("inverse_dynamics", "inertia_kg_m2", inertia_kg_m2, per_case),
        com_m=np.ascontiguousarray(com),
        com_acc_m_s2=as_batch("inverse_dynamics", "com_acc_m_s2", com_acc_m_s2, (*per_frame, 2)),
        alpha_rad_s2=as_batch("inverse_dynamics", "alpha_rad_s2", alpha_rad_s2, per_frame),
        joint_m=as_batch("inverse_dynamics", "joint_m", joint_m, (*per_frame, 2)),
    )
    if not np.all(chain.mass_kg > 0):
        raise InputError("inverse_dynamics", "mass_kg", "segment masses > 0 kg")
    if not np.all(chain.inertia_kg_m2 >= 0):
        raise InputError("inverse_dynamics", "inertia_kg_m2", "moments of inertia >= 0 kg·m²")
    return chain


def inverse_dynamics_planar(
    chain: PlanarChain,
    grf_n: ArrayLike,
    cop_m: ArrayLike,
    free_moment_nm: ArrayLike | None = None,
    gravity_m_s2: ArrayLike = (0.0, -STANDARD_GRAVITY_M_S2),
) -> PlanarJointLoads:
    """Newton–Euler from the foot up: joint forces and moments of a planar leg.

    Parameters
    ----------
    chain : segment kinematics and inertia, see :func:`planar_chain`
    grf_n : (C, F, 2) ground reaction force on the foot [N] (zeros in swing)
    cop_m : (C, F, 2) centre of pressure [m] (any finite value where the force is zero)
    free_moment_nm : (C, F) free moment about z at the centre of pressure [N·m]; default 0
    gravity_m_s2 : (2,) or (C, 2) gravitational acceleration in the chain's frame [m/s²];
        on a slope of angle θ in the ground frame, (-g sin θ, -g cos θ)

    Returns
    -------
    PlanarJointLoads : the load on each segment at its proximal joint.

    References
    ----------
    Winter DA (2009) Biomechanics and Motor Control of Human Movement, 4th ed., ch. 5.
    """
    n_cases, n_frames = chain.com_m.shape[:2]
    grf = as_batch("inverse_dynamics", "grf_n", grf_n, (n_cases, n_frames, 2))
    cop = as_batch("inverse_dynamics", "cop_m", cop_m, (n_cases, n_frames, 2))
    if free_moment_nm is None:
        free = np.zeros((n_cases, n_frames))
    else:
        free = as_batch("inverse_dynamics", "free_moment_nm", free_moment_nm, (n_cases, n_frames))
    gravity = np.asarray(gravity_m_s2, dtype=np.float64)
    if gravity.shape == (2,):
        gravity = np.broadcast_to(gravity, (n_cases, 2))
    gravity = as_batch("inverse_dynamics", "gravity_m_s2", gravity, (n_cases, 2))
    force = np.empty((n_cases, n_frames, len(SEGMENTS), 2))
    moment = np.empty((n_cases, n_frames, len(SEGMENTS)))
    over_cases(
        _kernels._planar_chain_batch,
        n_cases,
        chain.mass_kg,
        chain.inertia_kg_m2,
        chain.com_m,
        chain.com_acc_m_s2,
        chain.alpha_rad_s2,
        chain.joint_m,
        grf,
        cop,
        free,
        gravity,
        force,
        moment,
    )
    return PlanarJointLoads(force_n=force, moment_nm=moment)


def gait_lab_moments(loads: PlanarJointLoads) -> dict[str, FloatArray]:
    """Net internal joint moments in the gait-lab convention [N·m], each (C, F).

    ``ankle_moment_nm`` plantarflexor +, ``knee_moment_nm`` extensor +, ``hip_moment_nm``
    extensor + (Winter 2009). With x facing forward, a counter-clockwise moment on the shank at
    the knee extends the knee, on the foot at the ankle dorsiflexes, on the thigh at the hip flexes.
    """
    moment = loads.moment_nm
    return {
        "ankle_moment_nm": -moment[..., 0],
        "knee_moment_nm": moment[..., 1],
        "hip_moment_nm": -moment[..., 2],
    }


def knee_force_components(loads: PlanarJointLoads, chain: PlanarChain) -> dict[str, FloatArray]:
    """Intersegmental knee force on the shank along and normal to its long axis [N], each (C, F).

    ``knee_force_axial_n`` is positive when it pushes the shank distally (compression);
    ``knee_force_shear_n`` is positive when it pushes the shank anteriorly (perpendicular to the
    axis, toward the direction the subject faces when the shank is upright).
    """
    axis = chain.joint_m[..., 1, :] - chain.joint_m[..., 0, :]  # ankle -> knee (proximal)
    axis = axis / np.linalg.norm(axis, axis=-1, keepdims=True)
    anterior = np.stack([axis[..., 1], -axis[..., 0]], axis=-1)
    force = loads.force_n[..., 1, :]
    return {
        "knee_force_axial_n": -np.sum(force * axis, axis=-1),
        "knee_force_shear_n": np.sum(force * anterior, axis=-1),
    }
