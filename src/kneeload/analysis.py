"""Joint angles, moments and forces of one leg over a trial: the ``kneeload analyze`` computation.

Chain: :class:`~kneeload.trial.LegTrial` -> derivatives -> planar inverse dynamics (numba) ->
gait-lab conventions, frontal-plane lever arm, gait events -> one row per frame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kneeload.config import STANDARD_GRAVITY_M_S2
from kneeload.dynamics.inverse import (
    gait_lab_moments,
    inverse_dynamics_planar,
    knee_force_components,
    planar_chain,
)
from kneeload.exceptions import InputError
from kneeload.kinematics import time_derivatives
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


def knee_adduction_moment(trial: LegTrial) -> np.ndarray | None:
    """External knee adduction moment from the ground reaction's lever arm [N·m], (F,).

    KAM = ((CoP - knee) × GRF) about the anterior (x) axis, sign chosen so that a force passing
    medial to the knee gives a positive (varus) moment: +x component for the right leg (z points
    right, so medial is -z), -x component for the left. The segments' own weight and inertia are
    left out, as in the lever-arm method (Hurwitz et al. 1998; Zhao et al. 2007).
    """
    if trial.grf_3d_n is None or trial.cop_3d_m is None or trial.knee_3d_m is None:
        return None
    moment = np.cross(trial.cop_3d_m - trial.knee_3d_m, trial.grf_3d_n)
    sign = 1.0 if trial.side == "right" else -1.0
    return np.where(trial.grf_3d_n[:, 1] > 0, sign * moment[:, 0], 0.0)


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


def analyze_leg(trial: LegTrial) -> pd.DataFrame:
    """Per-frame joint angles, net internal moments, knee forces and ground reaction of one leg.

    Moments: knee extensor +, hip extensor +, ankle plantarflexor + (net internal; Winter
    2009). Knee forces: intersegmental, on the shank, along (compression +) and normal
    (anterior +) to its long axis. ``knee_adduction_moment_nm``: external, varus + (lever arm).
    ``*_bw`` divides by body weight m·g, ``*_nm_kg`` by body mass.
    """
    if trial.body_mass_kg <= 0:
        raise InputError("--mass", "mass_kg", "a body mass > 0 kg", str(trial.body_mass_kg))
    vertical = trial.grf_n[:, 1]
    _, com_acc = time_derivatives(trial.time_s, trial.com_m)
    _, alpha = time_derivatives(trial.time_s, trial.segment_angle_rad)
    chain = planar_chain(
        trial.segment_mass_kg,
        trial.segment_inertia_kg_m2,
        trial.com_m,
        com_acc,
        alpha,
        trial.joint_m,
    )
    loads = inverse_dynamics_planar(
        chain, trial.grf_n, trial.cop_m, trial.free_moment_nm, gravity_m_s2=trial.gravity_m_s2
    )
    moments = {name: values[0] for name, values in gait_lab_moments(loads).items()}
    if trial.knee_translation_m_per_rad is not None:
        # generalised force of a translating knee: moment + joint force · d(centre)/d(angle)
        force_on_shank = loads.force_n[0, :, 1, :]
        moments["knee_moment_nm"] = moments["knee_moment_nm"] + np.sum(
            force_on_shank * trial.knee_translation_m_per_rad, axis=1
        )
    forces = {name: values[0] for name, values in knee_force_components(loads, chain).items()}
    kam = knee_adduction_moment(trial)
    stride, percent = stride_phase(trial.time_s, contact_onsets(trial.time_s, vertical))
    weight_n = trial.body_mass_kg * STANDARD_GRAVITY_M_S2
    table = pd.DataFrame(
        {
            "time_s": trial.time_s,
            "stride": stride,
            "percent_cycle": percent,
            **{name: np.asarray(trial.joint_angle_deg[name]) for name in FRAME_COLUMNS[3:6]},
            **moments,
            **forces,
            "knee_adduction_moment_nm": kam if kam is not None else np.nan,
            "grf_vertical_n": vertical,
        }
    )[list(FRAME_COLUMNS)]
    for name in ("hip_moment_nm", "knee_moment_nm", "ankle_moment_nm", "knee_adduction_moment_nm"):
        table[name.replace("_nm", "_nm_kg")] = table[name] / trial.body_mass_kg
    for name in ("knee_force_axial_n", "knee_force_shear_n", "grf_vertical_n"):
        table[name.replace("_n", "_bw")] = table[name] / weight_n
    table.attrs["source"] = trial.source
    table.attrs["side"] = trial.side
    table.attrs["notes"] = list(trial.notes)
    return table
