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
    return np.unwrap(np.arctan2(vector[:, 1], vector[:, 0]))


def point_along(proximal_m: FloatArray, distal_m: FloatArray, fraction: float) -> FloatArray:
    """Point at ``fraction`` of the way from the proximal to the distal end, (n, 2) [m]."""
    proximal = np.asarray(proximal_m)
    return proximal + fraction * (np.asarray(distal_m) - proximal)
