"""3-D inverse dynamics of the chain distal to the knee: validate, call the numba kernel, label.

Conventions (DESIGN.md §3): ground frame of the data (OpenSim: x forward, y up, z right); the
kernel returns the load the thigh applies **on the distal chain at the knee centre** (force [N],
moment about the knee centre [N·m]), the 3-D analogue of the shank's proximal load in
:mod:`kneeload.dynamics.inverse`. Equations in :mod:`kneeload.dynamics._kernels_3d`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kneeload._threads import over_cases
from kneeload.config import STANDARD_GRAVITY_M_S2
from kneeload.dynamics import _kernels_3d
from kneeload.dynamics._batch import as_batch
from kneeload.exceptions import InputError, ModelError
from kneeload.io.osim import OsimModel

FloatArray = NDArray[np.float64]

_SOURCE = "distal_chain_loads_3d"


@dataclass(frozen=True)
class KneeLoads3D:
    """Load of the thigh on the distal chain at the knee centre, in ground.

    force_n (..., F, 3) [N]; moment_nm (..., F, 3) about the knee centre [N·m]. The leading
    case axis is present only when the inputs had one.
    """

    force_n: FloatArray
    moment_nm: FloatArray


def distal_chain_loads_3d(
    mass_kg: ArrayLike,
    inertia_kg_m2: ArrayLike,
    com_m: ArrayLike,
    rotation: ArrayLike,
    omega_rad_s: ArrayLike,
    alpha_rad_s2: ArrayLike,
    com_acc_m_s2: ArrayLike,
    grf_n: ArrayLike,
    cop_m: ArrayLike,
    knee_m: ArrayLike,
    free_moment_nm: ArrayLike | None = None,
    gravity_m_s2: ArrayLike = (0.0, -STANDARD_GRAVITY_M_S2, 0.0),
) -> KneeLoads3D:
    """Newton–Euler of the bodies below the knee: net knee force and moment in 3-D.

    All arrays may omit the leading case axis C (one case); B bodies in any order, F frames.
    NaN (gaps in gait data) propagate to the frames they touch, as in the planar kernel.

    Parameters
    ----------
    mass_kg : (C, B) body masses [kg], > 0
    inertia_kg_m2 : (C, B, 3, 3) inertia tensors about each centre of mass, body axes [kg·m²]
    com_m : (C, F, B, 3) centres of mass in ground [m]
    rotation : (C, F, B, 3, 3) body -> ground rotation matrices
    omega_rad_s : (C, F, B, 3) angular velocities in ground [rad/s]
    alpha_rad_s2 : (C, F, B, 3) angular accelerations in ground [rad/s²]
    com_acc_m_s2 : (C, F, B, 3) centre-of-mass accelerations [m/s²]
    grf_n : (C, F, 3) ground reaction force on the chain [N] (zeros in swing)
    cop_m : (C, F, 3) centre of pressure [m] (any finite value where the force is zero)
    knee_m : (C, F, 3) knee centre [m], the point the moment is taken about
    free_moment_nm : (C, F, 3) free moment of the ground reaction [N·m]; default 0
    gravity_m_s2 : (3,) or (C, 3) gravitational acceleration in ground [m/s²]

    Returns
    -------
    KneeLoads3D : force and moment of the thigh on the chain at the knee centre.

    References
    ----------
    Dumas R, Aissaoui R, de Guise JA (2004) A 3D generic inverse dynamic method using wrench
    notation and quaternion algebra. Comput Methods Biomech Biomed Engin 7:159.
    Winter DA (2009) Biomechanics and Motor Control of Human Movement, 4th ed., ch. 5.
    """
    com = np.asarray(com_m, dtype=np.float64)
    single = com.ndim == 3
    if single:
        com = com[np.newaxis]
    if com.ndim != 4 or com.shape[-1] != 3:
        raise InputError(_SOURCE, "com_m", "an array (cases, frames, bodies, 3)", str(com.shape))
    n_cases, n_frames, n_bodies = com.shape[:3]
    per_body = (n_cases, n_frames, n_bodies, 3)
    per_frame = (n_cases, n_frames, 3)
    mass = as_batch(_SOURCE, "mass_kg", mass_kg, (n_cases, n_bodies))
    inertia = as_batch(_SOURCE, "inertia_kg_m2", inertia_kg_m2, (n_cases, n_bodies, 3, 3))
    if not np.all(mass > 0):
        raise InputError(_SOURCE, "mass_kg", "body masses > 0 kg")
    if not np.allclose(inertia, np.swapaxes(inertia, -1, -2)):
        raise InputError(_SOURCE, "inertia_kg_m2", "symmetric inertia tensors")
    if free_moment_nm is None:
        free = np.zeros(per_frame)
    else:
        free = as_batch(_SOURCE, "free_moment_nm", free_moment_nm, per_frame)
    gravity = np.asarray(gravity_m_s2, dtype=np.float64)
    if gravity.shape == (3,):
        gravity = np.broadcast_to(gravity, (n_cases, 3))
    force = np.empty(per_frame)
    moment = np.empty(per_frame)
    over_cases(
        _kernels_3d._distal_chain_batch,
        n_cases,
        mass,
        inertia,
        as_batch(_SOURCE, "com_m", com, per_body),
        as_batch(_SOURCE, "rotation", rotation, (*per_body, 3)),
        as_batch(_SOURCE, "omega_rad_s", omega_rad_s, per_body),
        as_batch(_SOURCE, "alpha_rad_s2", alpha_rad_s2, per_body),
        as_batch(_SOURCE, "com_acc_m_s2", com_acc_m_s2, per_body),
        as_batch(_SOURCE, "grf_n", grf_n, per_frame),
        as_batch(_SOURCE, "cop_m", cop_m, per_frame),
        free,
        as_batch(_SOURCE, "knee_m", knee_m, per_frame),
        as_batch(_SOURCE, "gravity_m_s2", gravity, (n_cases, 3)),
        force,
        moment,
    )
    if single:
        return KneeLoads3D(force_n=force[0], moment_nm=moment[0])
    return KneeLoads3D(force_n=force, moment_nm=moment)


def knee_joint_jacobian(
    model: OsimModel,
    q: Mapping[str, FloatArray],
    knee_joint: str,
    step: float = 1e-6,
) -> tuple[FloatArray, FloatArray]:
    """Mobility of the knee: d(shank orientation)/dq and d(knee centre)/dq in ground, thigh still.

    Central differences of the forward kinematics in the knee coordinate, as
    ``trial._knee_translation_per_extension`` does in the sagittal plane, here in 3-D and per
    unit coordinate; the rotation part is the rotation vector of R(q + δ) R(q - δ)ᵀ over 2δ. By
    virtual work, the generalised force of the coordinate is ``axis · M_K + centre · F_K`` for a
    load (F_K, M_K about the knee centre) applied across the joint (e.g. Delp 1990's knee, whose
    centre translates with the angle; Sherman, Seth & Delp 2011, Procedia IUTAM 2:241, for
    Simbody's mobilisers).

    Parameters
    ----------
    model : the model
    q : every coordinate of the model over the frames, (F,) each [rad or m]
    knee_joint : name of the knee joint (one coordinate)
    step : finite-difference step of the coordinate [rad]

    Returns
    -------
    (axis_per_coordinate (F, 3) [rad/rad], centre_per_coordinate_m (F, 3) [m/rad])
    """
    from kneeload.dynamics.model_kinematics import body_poses, joint_center
    from kneeload.kinematics import rotation_vector

    joint = model.joints[knee_joint]
    if len(joint.coordinates) != 1:
        raise ModelError(
            f"{model.source}: joint '{knee_joint}': expected a knee with one coordinate, found "
            f"{len(joint.coordinates)}"
        )
    name = joint.coordinates[0]
    moved = []
    for sign in (1.0, -1.0):
        q_step = dict(q)
        q_step[name] = q[name] + sign * step
        poses = body_poses(model, q_step, bodies=[joint.child_body])
        moved.append((poses[joint.child_body][0], joint_center(model, knee_joint, poses)))
    (r_plus, c_plus), (r_minus, c_minus) = moved
    axis = rotation_vector(r_plus @ np.swapaxes(r_minus, 1, 2)) / (2 * step)
    return axis, (c_plus - c_minus) / (2 * step)
