"""Joint angles, moments and forces of one leg over a trial: the ``kneeload analyze`` computation.

Chain: :class:`~kneeload.trial.LegTrial` -> derivatives -> planar inverse dynamics (numba) ->
gait-lab conventions, frontal-plane lever arm, gait events -> one row per frame.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from numba import njit

from kneeload._threads import over_cases
from kneeload.config import (
    BATCH_ERROR_MODEL,
    NUMBA_CACHE,
    NUMPY_EXACT_FASTMATH,
    STANDARD_GRAVITY_M_S2,
)
from kneeload.dynamics.inverse import (
    gait_lab_moments,
    inverse_dynamics_planar,
    knee_force_components,
    planar_chain,
)
from kneeload.exceptions import InputError
from kneeload.trial import LegTrial

#: columns of the per-frame table, in order; BW and N·m/kg versions follow their SI column
FRAME_COLUMNS: tuple[str, ...] = (
    "time_s",
    "stride",
    "percent_cycle",
    "hip_flexion_deg",
    "knee_flexion_deg",
    "ankle_dorsiflexion_deg",
    "hip_moment_nm",
    "knee_moment_nm",
    "ankle_moment_nm",
    "knee_force_axial_n",
    "knee_force_shear_n",
    "knee_adduction_moment_nm",
    "grf_vertical_n",
)


def percent_body_weight_height(
    moment_nm: np.ndarray, mass_kg: float, height_m: float | None
) -> np.ndarray:
    """A moment as a percentage of body weight × height [%BW·Ht]: 100·M / (m·g·H), the usual
    normalisation of the knee adduction moment (e.g. Miyazaki et al. 2002); NaN without a
    stature."""
    if height_m is None or not height_m > 0:
        return np.full(np.shape(moment_nm), np.nan)
    return 100.0 * np.asarray(moment_nm) / (mass_kg * STANDARD_GRAVITY_M_S2 * height_m)


def knee_adduction_moment(trial: LegTrial) -> np.ndarray | None:
    """External knee adduction moment from the ground reaction's lever arm [N·m], (F,).

    KAM = ((CoP - knee) × GRF) about the anterior (x) axis, sign chosen so that a force passing
    medial to the knee gives a positive (varus) moment: +x component for the right leg (z points
    right, so medial is -z), -x component for the left. The segments' own weight and inertia are
    left out, as in the lever-arm method (Hurwitz et al. 1998; Zhao et al. 2007).
    """
    if trial.grf_3d_n is None or trial.cop_3d_m is None or trial.knee_3d_m is None:
        return None
    return lever_arm_kam(trial.cop_3d_m, trial.knee_3d_m, trial.grf_3d_n, trial.side)


def lever_arm_kam(
    cop_3d_m: np.ndarray, knee_3d_m: np.ndarray, grf_3d_n: np.ndarray, side: str
) -> np.ndarray:
    """:func:`knee_adduction_moment` of arrays (..., 3) in the facing frame [N·m], (...)."""
    moment = np.cross(cop_3d_m - knee_3d_m, grf_3d_n)
    sign = 1.0 if side == "right" else -1.0
    return np.where(grf_3d_n[..., 1] > 0, sign * moment[..., 0], 0.0)


def contact_onsets(time_s: np.ndarray, vertical_force_n: np.ndarray) -> np.ndarray:
    """Times of foot contact [s]: where the vertical force rises through the contact threshold
    (:func:`kneeload.io.events.contact_intervals`); a contact already on at the first sample
    has no onset in the record."""
    from kneeload.io.events import contact_intervals

    intervals = contact_intervals(time_s, vertical_force_n, include_partial=True)
    return np.array([on for on, _off in intervals if on > time_s[0]])


def stride_phase(time_s: np.ndarray, onsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Stride number (1, 2, ...; 0 outside whole strides) and percent of the gait cycle (NaN)."""
    from kneeload.io.events import strides

    stride = np.zeros(len(time_s), dtype=np.int64)
    percent = np.full(len(time_s), np.nan)
    for k, (start, end) in enumerate(strides(onsets), start=1):
        inside = (time_s >= start) & (time_s < end)
        stride[inside] = k
        percent[inside] = 100.0 * (time_s[inside] - start) / (end - start)
    return stride, percent


def gradient_per_case(time_s: np.ndarray, values: np.ndarray, edge_order: int) -> np.ndarray:
    """``np.gradient(values[c], time_s[c], axis=0, edge_order=edge_order)`` for every case c at
    once, with NumPy's own formulas (second-order central differences, first- or second-order
    one-sided at the ends; a case with equal steps takes NumPy's uniform-step branch), so the
    numbers are NumPy's to the bit.

    Parameters
    ----------
    time_s : (C, F) strictly increasing sample times of each case [s], F >= 3
    values : (C, F, ...) samples
    edge_order : 1 or 2
    """
    if time_s.ndim != 2 or time_s.shape[1] < 3 or not np.all(np.diff(time_s, axis=1) > 0):
        raise InputError("kinematics", "time_s", "at least 3 strictly increasing sample times")
    flat = np.ascontiguousarray(values, dtype=np.float64).reshape(*time_s.shape, -1)
    out = np.empty_like(flat)
    times = np.ascontiguousarray(time_s, dtype=np.float64)
    over_cases(_gradient_kernel, times.shape[0], times, flat, edge_order, out)
    return out.reshape(values.shape)


@njit(cache=NUMBA_CACHE, fastmath=NUMPY_EXACT_FASTMATH, nogil=True, error_model=BATCH_ERROR_MODEL)
def _gradient_kernel(
    start: int, stop: int, time_s: np.ndarray, f: np.ndarray, edge_order: int, out: np.ndarray
) -> None:
    """:func:`gradient_per_case` of ``f`` (C, F, K) into ``out`` for cases ``start`` to
    ``stop − 1``, serial without the GIL (:func:`kneeload._threads.over_cases`): the
    expressions of ``np.gradient`` (numpy/lib/_function_base_impl.py), operation by operation.
    No fastmath: contracting a·f0 + b·f1 into a fused multiply-add would change NumPy's bits."""
    _, n_frames, n_values = f.shape
    for case in range(start, stop):
        t = time_s[case]
        h = t[1] - t[0]
        uniform = True
        for i in range(1, n_frames - 1):
            uniform = uniform and (t[i + 1] - t[i]) == h
        for i in range(1, n_frames - 1):
            dx1, dx2 = t[i] - t[i - 1], t[i + 1] - t[i]
            if uniform:
                for k in range(n_values):
                    out[case, i, k] = (f[case, i + 1, k] - f[case, i - 1, k]) / (2.0 * h)
            else:
                a = -(dx2) / (dx1 * (dx1 + dx2))
                b = (dx2 - dx1) / (dx1 * dx2)
                c = dx1 / (dx2 * (dx1 + dx2))
                for k in range(n_values):
                    out[case, i, k] = (
                        a * f[case, i - 1, k] + b * f[case, i, k] + c * f[case, i + 1, k]
                    )
        last = n_frames - 1
        first_dx, last_dx = h, t[last] - t[last - 1]
        if edge_order == 1:
            for k in range(n_values):
                out[case, 0, k] = (f[case, 1, k] - f[case, 0, k]) / first_dx
                out[case, last, k] = (f[case, last, k] - f[case, last - 1, k]) / last_dx
            continue
        if uniform:
            a0, b0, c0 = -1.5 / h, 2.0 / h, -0.5 / h
            a1, b1, c1 = 0.5 / h, -2.0 / h, 1.5 / h
        else:
            dx1, dx2 = t[1] - t[0], t[2] - t[1]
            a0 = -(2.0 * dx1 + dx2) / (dx1 * (dx1 + dx2))
            b0 = (dx1 + dx2) / (dx1 * dx2)
            c0 = -dx1 / (dx2 * (dx1 + dx2))
            dx1, dx2 = t[last - 1] - t[last - 2], t[last] - t[last - 1]
            a1 = (dx2) / (dx1 * (dx1 + dx2))
            b1 = -(dx2 + dx1) / (dx1 * dx2)
            c1 = (2.0 * dx2 + dx1) / (dx2 * (dx1 + dx2))
        for k in range(n_values):
            out[case, 0, k] = a0 * f[case, 0, k] + b0 * f[case, 1, k] + c0 * f[case, 2, k]
            out[case, last, k] = (
                a1 * f[case, last - 2, k] + b1 * f[case, last - 1, k] + c1 * f[case, last, k]
            )


def leg_columns(
    time_s: np.ndarray,
    body_mass_kg: np.ndarray,
    height_m: Sequence[float | None],
    segment_mass_kg: np.ndarray,
    segment_inertia_kg_m2: np.ndarray,
    com_m: np.ndarray,
    joint_m: np.ndarray,
    segment_angle_rad: np.ndarray,
    joint_angle_deg: Mapping[str, np.ndarray],
    grf_n: np.ndarray,
    cop_m: np.ndarray,
    free_moment_nm: np.ndarray,
    gravity_m_s2: np.ndarray,
    knee_adduction_moment_nm: np.ndarray,
    knee_translation_m_per_rad: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """The array core of :func:`analyze_leg` for C cases of F frames at once: every column of
    its table but ``time_s``, ``stride`` and ``percent_cycle``, in order, each (C, F).

    Shapes are :class:`~kneeload.trial.LegTrial`'s with a leading case axis (``body_mass_kg``
    (C,), ``height_m`` C statures or None, ``gravity_m_s2`` (C, 2)). Segment accelerations are
    second-order central differences of the positions and angles (Winter 2009, §3.4), then
    planar Newton–Euler (:func:`~kneeload.dynamics.inverse.inverse_dynamics_planar`).
    """
    if np.any(body_mass_kg <= 0):
        bad = body_mass_kg[body_mass_kg <= 0][0]
        raise InputError("--mass", "mass_kg", "a body mass > 0 kg", str(bad))
    com_acc = gradient_per_case(time_s, gradient_per_case(time_s, com_m, 2), 2)
    alpha = gradient_per_case(time_s, gradient_per_case(time_s, segment_angle_rad, 2), 2)
    chain = planar_chain(segment_mass_kg, segment_inertia_kg_m2, com_m, com_acc, alpha, joint_m)
    loads = inverse_dynamics_planar(chain, grf_n, cop_m, free_moment_nm, gravity_m_s2=gravity_m_s2)
    moments = gait_lab_moments(loads)
    if knee_translation_m_per_rad is not None:
        # generalised force of a translating knee: moment + joint force · d(centre)/d(angle)
        force_on_shank = loads.force_n[:, :, 1, :]
        moments["knee_moment_nm"] = moments["knee_moment_nm"] + np.sum(
            force_on_shank * knee_translation_m_per_rad, axis=-1
        )
    columns: dict[str, np.ndarray] = {
        **{name: np.asarray(joint_angle_deg[name]) for name in FRAME_COLUMNS[3:6]},
        **{name: moments[name] for name in FRAME_COLUMNS[6:9]},
        **knee_force_components(loads, chain),
        "knee_adduction_moment_nm": knee_adduction_moment_nm,
        "grf_vertical_n": grf_n[..., 1],
    }
    mass = body_mass_kg[:, None]
    weight_n = mass * STANDARD_GRAVITY_M_S2
    for name in ("hip_moment_nm", "knee_moment_nm", "ankle_moment_nm", "knee_adduction_moment_nm"):
        columns[name.replace("_nm", "_nm_kg")] = columns[name] / mass
    for name in ("knee_force_axial_n", "knee_force_shear_n", "grf_vertical_n"):
        columns[name.replace("_n", "_bw")] = columns[name] / weight_n
    columns["knee_adduction_moment_pct_bw_ht"] = np.stack(
        [
            percent_body_weight_height(kam, mass_kg, height)
            for kam, mass_kg, height in zip(
                knee_adduction_moment_nm, body_mass_kg.tolist(), height_m, strict=True
            )
        ]
    )
    return columns


def analyze_leg(trial: LegTrial) -> pd.DataFrame:
    """Per-frame joint angles, net internal moments, knee forces and ground reaction of one leg.

    Moments: knee extensor +, hip extensor +, ankle plantarflexor + (net internal; Winter
    2009). Knee forces: intersegmental, on the shank, along (compression +) and normal
    (anterior +) to its long axis. ``knee_adduction_moment_nm``: external, varus + (lever arm),
    and ``knee_adduction_moment_pct_bw_ht`` the same in %BW·height (NaN, with a note, when the
    trial's stature is unknown). ``*_bw`` divides by body weight m·g, ``*_nm_kg`` by body mass.
    """
    vertical = trial.grf_n[:, 1]
    kam = knee_adduction_moment(trial)
    columns = leg_columns(
        trial.time_s[None],
        np.array([trial.body_mass_kg], dtype=np.float64),
        [trial.height_m],
        trial.segment_mass_kg[None],
        trial.segment_inertia_kg_m2[None],
        trial.com_m[None],
        trial.joint_m[None],
        trial.segment_angle_rad[None],
        {name: np.asarray(trial.joint_angle_deg[name])[None] for name in FRAME_COLUMNS[3:6]},
        trial.grf_n[None],
        trial.cop_m[None],
        np.asarray(trial.free_moment_nm)[None],
        np.array([trial.gravity_m_s2], dtype=np.float64),
        kam[None] if kam is not None else np.full((1, len(trial.time_s)), np.nan),
        None
        if trial.knee_translation_m_per_rad is None
        else trial.knee_translation_m_per_rad[None],
    )
    stride, percent = stride_phase(trial.time_s, contact_onsets(trial.time_s, vertical))
    table = pd.DataFrame(
        {
            "time_s": trial.time_s,
            "stride": stride,
            "percent_cycle": percent,
            **{name: values[0] for name, values in columns.items()},
        }
    )
    notes = list(trial.notes)
    if trial.height_m is None and kam is not None:
        notes.append("stature unknown (give --height): knee_adduction_moment_pct_bw_ht is NaN")
    table.attrs["source"] = trial.source
    table.attrs["side"] = trial.side
    table.attrs["notes"] = notes
    return table
