"""How a knee condition changes a generated gait cycle (:mod:`kneeload.conditions`): less knee
flexion around the stance-phase flexion peak, and a varus/valgus knee position in the frontal
plane. Used by :mod:`kneeload.gait.generator`; a healthy profile changes nothing (the arrays are
not touched).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from kneeload.conditions import KNEE_WINDOW_FRACTION
from kneeload.gait.pattern import PATTERN_ANGLES
from kneeload.gait.spec import GaitSpec

FloatArray = NDArray[np.float64]

_KNEE_ROW = PATTERN_ANGLES.index("knee_flexion_deg")


def knee_flexion_window(percent: FloatArray, peak_pct: float) -> FloatArray:
    """Weight (1 − s²)³ of the knee-flexion reduction, s = (u − u_peak)/w periodic over the
    cycle, w = :data:`kneeload.conditions.KNEE_WINDOW_FRACTION`; 1 at the peak, 0 beyond ±w,
    with zero first and second derivatives there (so joint accelerations stay continuous)."""
    u = (np.asarray(percent) - peak_pct) / 100.0
    s = (u + 0.5) % 1.0 - 0.5  # nearest periodic distance, fraction of the cycle
    s = s / KNEE_WINDOW_FRACTION
    return np.where(np.abs(s) < 1.0, (1.0 - s * s) ** 3, 0.0)


def stance_knee_peak_index(knee: FloatArray, stance_fraction: float) -> int:
    """Frame of the largest interior local maximum of knee flexion within stance (forward
    walking: the loading-response peak at ~15 % of the cycle; backward walking, by time
    reversal, the late-stance peak; running: mid-stance); frames 0..n−1 of one stride."""
    n = knee.size
    last = max(int(np.ceil(stance_fraction * n)) - 1, 2)
    inner = np.arange(1, last)
    local = inner[(knee[inner] >= knee[inner - 1]) & (knee[inner] >= knee[inner + 1])]
    if local.size == 0:
        return int(np.argmax(knee[:last]))
    return int(local[np.argmax(knee[local])])


def apply_knee_flexion_reduction(
    curves: FloatArray, stance: FloatArray, n: int, specs: Sequence[GaitSpec]
) -> None:
    """Take each case's ``loading_response_knee_flexion_reduction_deg`` off its knee-flexion
    curve, weighted by :func:`knee_flexion_window` around :func:`stance_knee_peak_index`, in
    place. ``curves`` (C, _CURVES, ≥ n) as the generator's kernel takes them (angles [rad]);
    cases without a reduction are not touched."""
    for c, spec in enumerate(specs):
        reduction = spec.condition_profile().loading_response_knee_flexion_reduction_deg
        if not reduction:
            continue
        knee = curves[c, _KNEE_ROW, :n]
        peak = stance_knee_peak_index(knee, float(stance[c]))
        percent = 100.0 * np.arange(n) / n
        knee -= np.radians(reduction) * knee_flexion_window(percent, 100.0 * peak / n)


def knee_lateral_offsets_m(
    specs: Sequence[GaitSpec], thigh_m: FloatArray, shank_m: FloatArray
) -> FloatArray:
    """Lateral displacement of each case's knee centre for its varus alignment α (valgus < 0)
    with hip and ankle in place, δ = tan(α)·L_t·L_s/(L_t + L_s) [m], (C,): the small-angle
    offset that bends the hip-knee and knee-ankle lines by α (thigh L_t, shank L_s [m])."""
    varus_deg = np.array([spec.condition_profile().varus_alignment_deg for spec in specs])
    return np.tan(np.radians(varus_deg)) * thigh_m * shank_m / (thigh_m + shank_m)
