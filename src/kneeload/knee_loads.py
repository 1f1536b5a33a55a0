"""Muscle forces and knee contact loads from a per-frame inverse-dynamics table.

Chain (DESIGN.md §2): joint angles -> muscle geometry (moment arms, maximum forces;
:mod:`kneeload.muscles.geometry`) -> static optimisation (numba QP;
:mod:`kneeload.muscles.static_optimisation`) -> tibiofemoral and patellofemoral contact
(:mod:`kneeload.contact`). Reserve moments are reported per joint and never enter a contact
force (issue 3).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kneeload.config import STANDARD_GRAVITY_M_S2
from kneeload.exceptions import InputError

#: joints of the load sharing, in the muscle geometry's order, with their table columns
JOINT_ANGLE_COLUMNS: tuple[str, ...] = (
    "hip_flexion_deg",
    "knee_flexion_deg",
    "ankle_dorsiflexion_deg",
)
JOINT_MOMENT_COLUMNS: tuple[str, ...] = ("hip_moment_nm", "knee_moment_nm", "ankle_moment_nm")
#: muscle groups of the output, by gait10dof18musc muscle names
MUSCLE_GROUPS: dict[str, tuple[str, ...]] = {
    "quadriceps": ("vasti", "rect_fem"),
    "hamstrings": ("hamstrings", "bifemsh"),
    "gastrocnemius": ("gastroc",),
}


@dataclass(frozen=True)
class LoadSharingOptions:
    """Choices of the muscle and contact models.

    Attributes
    ----------
    muscle_set : parameter set in ``models/muscles/`` (default gait10dof18musc, Delp 1990)
    segment_scale : length factors of the subject's segments relative to the muscle set's
        model ("pelvis", "thigh", "shank", "foot"; see
        :func:`kneeload.muscles.geometry.scale_muscle_set`)
    exponent : p of the criterion Σ aᵖ (Anderson & Pandy 2001: 2)
    force_length_velocity : scale maximum forces by force–length and force–velocity
    contact_area_model : patellofemoral contact-area model (see
        :func:`kneeload.contact.contact_area_models`)
    weight_bearing : apply Besier et al. (2005)'s weight-bearing increase of the PF area
    """

    muscle_set: str = "gait10dof18musc"
    segment_scale: Mapping[str, float] | None = None
    exponent: float = 2.0
    force_length_velocity: bool = True
    contact_area_model: str = "Besier2005_male"
    weight_bearing: bool = False

    def check(self) -> None:
        """Raise before any work if a choice is invalid: unknown muscle set or contact-area
        model (ParameterError listing the names), exponent below the solver's verified range
        (InputError)."""
        from kneeload.contact import patellofemoral_contact_area_m2
        from kneeload.muscles.geometry import load_muscle_set
        from kneeload.muscles.static_optimisation import MIN_EXPONENT

        if not (np.isfinite(self.exponent) and self.exponent >= MIN_EXPONENT):
            expected = f"a finite exponent p >= {MIN_EXPONENT:g}"
            raise InputError("--exponent", "exponent", expected, str(self.exponent))
        load_muscle_set(self.muscle_set)
        patellofemoral_contact_area_m2(0.0, self.contact_area_model, self.weight_bearing)


def _columns(table: pd.DataFrame, names: tuple[str, ...]) -> np.ndarray:
    missing = [n for n in names if n not in table.columns]
    if missing:
        raise InputError(
            table.attrs.get("source", "table"), ", ".join(missing), "inverse-dynamics columns"
        )
    return table[list(names)].to_numpy(dtype=np.float64)


def knee_loads(
    table: pd.DataFrame, body_mass_kg: float, options: LoadSharingOptions | None = None
) -> pd.DataFrame:
    """``table`` (one row per frame, :func:`kneeload.analysis.analyze_leg`) with muscle and
    knee contact columns appended.

    Columns added: ``muscle_<name>_force_n`` and ``muscle_<name>_activation`` per muscle;
    ``quadriceps_force_n`` (vasti + rectus femoris), ``quadriceps_activation`` (the vasti's, the
    quadriceps' prime movers), ``quadriceps_activation_weighted`` (force-weighted over the
    group), ``hamstrings_force_n`` (with the biceps femoris short head),
    ``gastrocnemius_force_n``; ``reserve_{hip,knee,ankle}_nm`` and ``muscle_capacity_exceeded``;
    ``tf_compressive_n``/``_bw``, ``tf_shear_n``, ``tf_medial_n``, ``tf_lateral_n``,
    ``tf_medial_share``; ``pf_force_n``/``_bw``, ``pf_stress_mpa``. NaN frames stay NaN.
    ``attrs`` name the models used (``muscle_set``, ``contact_area_model``) and say how the
    medial/lateral split was obtained (``tf_split_note``).
    """
    from kneeload.contact import patellofemoral_contact, tibiofemoral_contact
    from kneeload.muscles.geometry import (
        load_muscle_set,
        max_force_n,
        moment_arms_m,
        scale_muscle_set,
    )
    from kneeload.muscles.static_optimisation import static_optimisation

    options = options if options is not None else LoadSharingOptions()
    angles_rad = np.radians(_columns(table, JOINT_ANGLE_COLUMNS))
    moments_nm = _columns(table, JOINT_MOMENT_COLUMNS)
    muscles = load_muscle_set(options.muscle_set)
    if options.segment_scale is not None:
        muscles = scale_muscle_set(muscles, segment_scale=options.segment_scale)
    velocity = None
    if options.force_length_velocity:
        time_s = table["time_s"].to_numpy(dtype=np.float64)
        velocity = np.gradient(angles_rad, time_s, axis=0)
    capacity = max_force_n(
        muscles, angles_rad, velocity, force_length=options.force_length_velocity
    )
    arms = moment_arms_m(muscles, angles_rad)
    solution = static_optimisation(arms[None], capacity[None], moments_nm[None], options.exponent)
    force = {m: solution.force_n[0, :, i] for i, m in enumerate(muscles.muscles)}
    activation = {m: solution.activation[0, :, i] for i, m in enumerate(muscles.muscles)}
    out = table.copy()
    for m in muscles.muscles:
        out[f"muscle_{m}_force_n"] = force[m]
        out[f"muscle_{m}_activation"] = activation[m]
    for group, members in MUSCLE_GROUPS.items():
        out[f"{group}_force_n"] = sum(force[m] for m in members)
    quadriceps = MUSCLE_GROUPS["quadriceps"]
    out["quadriceps_activation"] = activation["vasti"]
    with np.errstate(invalid="ignore", divide="ignore"):
        weighted = sum(force[m] * activation[m] for m in quadriceps) / out["quadriceps_force_n"]
    out["quadriceps_activation_weighted"] = np.where(
        out["quadriceps_force_n"] > 0, weighted, activation["vasti"]
    )
    for j, joint in enumerate(("hip", "knee", "ankle")):
        out[f"reserve_{joint}_nm"] = solution.reserve_nm[0, :, j]
    out["muscle_capacity_exceeded"] = solution.saturated[0]
    kam = table["knee_adduction_moment_nm"].to_numpy(dtype=np.float64)
    knee_flexion = table["knee_flexion_deg"].to_numpy(dtype=np.float64)
    tf = tibiofemoral_contact(
        knee_flexion,
        force,
        table["knee_force_axial_n"].to_numpy(dtype=np.float64),
        table["knee_force_shear_n"].to_numpy(dtype=np.float64),
        knee_adduction_moment_nm=None if np.isnan(kam).all() else kam,
        body_mass_kg=body_mass_kg,
    )
    for column, values in tf.columns().items():
        out[column] = values
    pf = patellofemoral_contact(
        knee_flexion,
        out["quadriceps_force_n"].to_numpy(),
        contact_area_model=options.contact_area_model,
        weight_bearing=options.weight_bearing,
    )
    for column, values in pf.columns().items():
        out[column] = values
    out["pf_force_bw"] = out["pf_force_n"] / (body_mass_kg * STANDARD_GRAVITY_M_S2)
    out.attrs.update(
        muscle_set=muscles.name,
        static_optimisation_exponent=options.exponent,
        contact_area_model=pf.contact_area_model,
        tf_split_note=tf.note,
    )
    return out
