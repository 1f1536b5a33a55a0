"""Segment kinematics from joint and marker trajectories: angles, derivatives, centres of mass.

Derivatives are second-order central differences (first-order one-sided at the ends) of signals
that the caller has already low-pass filtered (Winter 2009, §3.4: "filtered finite differences").
Arrays are time-first.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from kneeload.exceptions import InputError

FloatArray = NDArray[np.float64]


def time_derivatives(time_s: FloatArray, values: FloatArray) -> tuple[FloatArray, FloatArray]:
    """First and second time derivatives along axis 0, by central differences.

    Parameters
    ----------
    time_s : (n,) strictly increasing sample times [s], n >= 3
    values : (n, ...) samples of any quantity

    Returns
    -------
    (velocity, acceleration) : same shape as ``values``, per second and per second squared
    """
    time = np.asarray(time_s, dtype=np.float64)
    if time.ndim != 1 or time.size < 3 or not np.all(np.diff(time) > 0):
        raise InputError("kinematics", "time_s", "at least 3 strictly increasing sample times")
    velocity = np.gradient(values, time, axis=0, edge_order=2)
    return velocity, np.gradient(velocity, time, axis=0, edge_order=2)


def segment_angle_rad(proximal_m: FloatArray, distal_m: FloatArray) -> FloatArray:
    """Angle of the line distal -> proximal from +x, counter-clockwise, unwrapped [rad], (n,).

    Any line fixed in a rigid segment has the segment's angular velocity and acceleration.
    """
    vector = np.asarray(proximal_m) - np.asarray(distal_m)
    return unwrap_angle_rad(np.arctan2(vector[:, 1], vector[:, 0]))


def unwrap_angle_rad(angle_rad: FloatArray) -> FloatArray:
    """``numpy.unwrap`` over the finite samples; NaN gaps stay NaN and do not spread (plain
    ``unwrap`` turns every sample after a NaN into NaN)."""
    out = np.array(angle_rad, dtype=np.float64)
    finite = np.isfinite(out)
    out[finite] = np.unwrap(out[finite])
    return out


def point_along(proximal_m: FloatArray, distal_m: FloatArray, fraction: float) -> FloatArray:
    """Point at ``fraction`` of the way from the proximal to the distal end, (n, 2) [m]."""
    proximal = np.asarray(proximal_m)
    return proximal + fraction * (np.asarray(distal_m) - proximal)


def rotation_vector(rotation: FloatArray) -> FloatArray:
    """Rotation vector (axis × angle) of rotation matrices, (..., 3) [rad], angles below π.

    Inverse of Rodrigues' formula: with s = |vee(R - Rᵀ)|/2 = sin θ and c = (tr R - 1)/2 = cos θ,
    θ = atan2(s, c) and the vector is vee(R - Rᵀ)/2 · θ / sin θ (Murray, Li & Sastry 1994,
    A Mathematical Introduction to Robotic Manipulation, §2.2).
    """
    r = np.asarray(rotation, dtype=np.float64)
    vee = 0.5 * np.stack(
        [r[..., 2, 1] - r[..., 1, 2], r[..., 0, 2] - r[..., 2, 0], r[..., 1, 0] - r[..., 0, 1]],
        axis=-1,
    )
    sine = np.linalg.norm(vee, axis=-1)
    cosine = 0.5 * (np.trace(r, axis1=-2, axis2=-1) - 1.0)
    angle = np.arctan2(sine, cosine)
    small = sine < 1e-12
    scale = np.where(small, 1.0, angle / np.where(small, 1.0, sine))
    return np.asarray(vee * scale[..., None], dtype=np.float64)


def angular_velocity_acceleration(
    time_s: FloatArray, rotation: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Angular velocity and acceleration in ground of rotating bodies, from rotation matrices.

    The angular velocity is ω̃ = Ṙ Rᵀ (Murray, Li & Sastry 1994, §2.4). Instead of
    differencing R entrywise, the increments between samples are taken as rotation vectors,
    log(R_{k+1} R_kᵀ) ≈ ω h + α h²/2, and combined with the weights of NumPy's second-order
    central difference (``np.gradient``, uneven spacing allowed, second order at the ends): the
    result is second-order accurate and, for rotation about a fixed axis, equals exactly
    ``np.gradient`` of the rotation angle, i.e. :func:`time_derivatives` of a planar segment
    angle. α is then ``np.gradient`` of ω (ground frame, so α = dω/dt).

    Parameters
    ----------
    time_s : (n,) strictly increasing sample times [s], n >= 3
    rotation : (n, ..., 3, 3) body -> ground rotation matrices; increments between neighbouring
        samples (and across two samples at the ends) must be below π

    Returns
    -------
    (omega_rad_s, alpha_rad_s2) : each (n, ..., 3), in ground [rad/s, rad/s²]
    """
    time = np.asarray(time_s, dtype=np.float64)
    r = np.asarray(rotation, dtype=np.float64)
    if time.ndim != 1 or time.size < 3 or not np.all(np.diff(time) > 0):
        raise InputError("kinematics", "time_s", "at least 3 strictly increasing sample times")
    if r.ndim < 3 or r.shape[0] != time.size or r.shape[-2:] != (3, 3):
        raise InputError(
            "kinematics", "rotation", f"an array of shape ({time.size}, ..., 3, 3)", str(r.shape)
        )
    step = rotation_vector(r[1:] @ np.swapaxes(r[:-1], -1, -2))  # (n-1, ..., 3)
    h = np.diff(time).reshape((-1,) + (1,) * (step.ndim - 1))
    omega = np.empty(r.shape[:-1])
    # interior: [h_l² d_r + h_r² d_l] / (h_l h_r (h_l + h_r)), d = increments right and left
    h_l, h_r = h[:-1], h[1:]
    omega[1:-1] = (h_l**2 * step[1:] + h_r**2 * step[:-1]) / (h_l * h_r * (h_l + h_r))

    # ends, second-order one-sided as np.gradient(edge_order=2): f' = b (f1 - f0) + c (f2 - f0)
    # with b = (h1 + h2) / (h1 h2), c = -h1 / (h2 (h1 + h2)); steps h1, h2 negative at the end
    for index, d1, d2, h1, h2 in (
        (0, step[0], rotation_vector(r[2] @ np.swapaxes(r[0], -1, -2)), h[0], h[1]),
        (-1, -step[-1], rotation_vector(r[-3] @ np.swapaxes(r[-1], -1, -2)), -h[-1], -h[-2]),
    ):
        omega[index] = (h1 + h2) / (h1 * h2) * d1 - h1 / (h2 * (h1 + h2)) * d2
    alpha = np.gradient(omega, time, axis=0, edge_order=2)
    return omega, alpha
