"""Muscle forces and knee contact loads from a per-frame inverse-dynamics table.

Chain (DESIGN.md §2): joint angles -> muscle geometry (moment arms, maximum forces;
:mod:`kneeload.muscles.geometry`) -> static optimisation (numba QP;
:mod:`kneeload.muscles.static_optimisation`) -> tibiofemoral and patellofemoral contact
(:mod:`kneeload.contact`). Reserve moments are reported per joint and never enter a contact
force (issue 3).
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from kneeload.conditions import (
    CO_CONTRACTING_MUSCLES,
    QUADRICEPS_MUSCLES,
    Condition,
    load_condition,
)
from kneeload.config import GRF_CONTACT_THRESHOLD_N, STANDARD_GRAVITY_M_S2
from kneeload.data import load_parameter_set
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

#: plausibility limits of the model factors of :class:`LoadSharingOptions` (design choice: wide
#: enough for uncertainty sampling, narrow enough to catch a value typed in the wrong unit)
MODEL_SCALE_RANGES: dict[str, tuple[float, float]] = {
    "moment_arm_scale": (0.5, 1.5),
    "max_force_scale": (0.2, 3.0),
    "pf_contact_area_scale": (0.3, 3.0),
    "intercondylar_distance_scale": (0.5, 2.0),
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
    condition : knee condition (a bundled name or a profile .toml file,
        :func:`kneeload.conditions.load_condition`) whose muscle strategy applies: quadriceps
        strength and knee-flexor co-contraction in stance
    moment_arm_scale, max_force_scale : factors on every muscle's moment arms and maximum
        forces (parameters not known for a person, sampled for uncertainty) [-]
    pf_contact_area_scale : factor on the patellofemoral contact area [-]
    intercondylar_distance_scale : factor on the intercondylar distance of the medial/lateral
        split (``models/contact/tibiofemoral.toml``) [-]
    """

    muscle_set: str = "gait10dof18musc"
    segment_scale: Mapping[str, float] | None = None
    exponent: float = 2.0
    force_length_velocity: bool = True
    contact_area_model: str = "Besier2005_male"
    weight_bearing: bool = False
    condition: str = "healthy"
    moment_arm_scale: float = 1.0
    max_force_scale: float = 1.0
    pf_contact_area_scale: float = 1.0
    intercondylar_distance_scale: float = 1.0

    def with_condition(self, condition: str) -> LoadSharingOptions:
        """These options for a generated gait of knee ``condition``: its muscle strategy applies
        too, unless these options already name another condition than healthy (InputError)."""
        if self.condition == condition:
            return self
        if self.condition != "healthy":
            raise InputError(
                "load_sharing",
                "condition",
                f"the gait's condition {condition!r} (or healthy, which takes it)",
                repr(self.condition),
            )
        return dataclasses.replace(self, condition=condition)

    def check(self) -> None:
        """Raise before any work if a choice is invalid: unknown muscle set or contact-area
        model (ParameterError listing the names), exponent below the solver's verified range,
        unknown or bad condition profile, a model scale outside :data:`MODEL_SCALE_RANGES`
        (InputError)."""
        from kneeload.contact import patellofemoral_contact_area_m2
        from kneeload.muscles.geometry import load_muscle_set
        from kneeload.muscles.static_optimisation import MIN_EXPONENT

        if not (np.isfinite(self.exponent) and self.exponent >= MIN_EXPONENT):
            expected = f"a finite exponent p >= {MIN_EXPONENT:g}"
            raise InputError("--exponent", "exponent", expected, str(self.exponent))
        load_muscle_set(self.muscle_set)
        patellofemoral_contact_area_m2(0.0, self.contact_area_model, self.weight_bearing)
        load_condition(self.condition)
        for name, (low, high) in MODEL_SCALE_RANGES.items():
            value = getattr(self, name)
            if not (np.isfinite(value) and low <= value <= high):
                raise InputError(
                    f"--{name.replace('_', '-')}", name, f"{low:g} to {high:g}", str(value)
                )


def _columns(table: pd.DataFrame, names: tuple[str, ...]) -> np.ndarray:
    missing = [n for n in names if n not in table.columns]
    if missing:
        raise InputError(
            table.attrs.get("source", "table"), ", ".join(missing), "inverse-dynamics columns"
        )
    return table[list(names)].to_numpy(dtype=np.float64)


def _max_force_factors(
    muscles: tuple[str, ...], condition: Condition, max_force_scale: float
) -> np.ndarray | None:
    """Per-muscle maximum-force factors (M,) of a condition's quadriceps strength and the
    model's ``max_force_scale``; None when all are 1 (nothing to scale)."""
    factors = np.full(len(muscles), max_force_scale)
    for i, m in enumerate(muscles):
        if m in QUADRICEPS_MUSCLES:
            factors[i] *= condition.quadriceps_strength_scale
    return None if np.all(factors == 1.0) else factors


def _co_contraction_baseline(
    muscles: tuple[str, ...],
    condition: Condition,
    grf_vertical_n: np.ndarray | None,
    shape: tuple[int, ...],
) -> np.ndarray | None:
    """Baseline activations (C, F, M) of a condition's co-contraction: ``co_contraction_
    activation`` for :data:`kneeload.conditions.CO_CONTRACTING_MUSCLES` in stance (vertical
    force above the contact threshold), 0 elsewhere; None without co-contraction.

    The solver's activation bounds are fixed at 0 ≤ a ≤ 1, so a lower bound is not imposed;
    instead the baseline a₀ is obligatory and static optimisation shares the remaining moments
    over the remaining capacity (1 − a₀)·F_max, a = a₀ + (1 − a₀)·v. Unlike a lower bound, a
    muscle the optimiser would recruit anyway gets a₀ on top (an estimate of co-contraction,
    as the EMG studies report it: more flexor activity throughout stance)."""
    level = condition.co_contraction_activation
    if level == 0.0:
        return None
    if grf_vertical_n is None:
        raise InputError(
            "knee loads",
            "grf_vertical_n",
            f"the vertical ground reaction, to find stance for {condition.name}'s co-contraction",
        )
    missing = [m for m in CO_CONTRACTING_MUSCLES if m not in muscles]
    if missing:
        raise InputError(
            "muscle set", ", ".join(missing), f"the knee flexors {condition.name} co-contracts"
        )
    baseline = np.zeros(shape)
    stance = np.asarray(grf_vertical_n) > GRF_CONTACT_THRESHOLD_N
    for i, m in enumerate(muscles):
        if m in CO_CONTRACTING_MUSCLES:
            baseline[:, :, i] = np.where(stance, level, 0.0)
    return baseline


def _intercondylar_distance_m(scale: float) -> float | None:
    """The contact model's intercondylar distance times ``scale`` [m]; None (the model's own
    value) when the scale is 1."""
    if scale == 1.0:
        return None
    geometry = load_parameter_set("contact", "tibiofemoral")["geometry"]
    return float(geometry["Intercondylar distance [m]"]) * scale


def knee_load_columns(
    time_s: np.ndarray,
    joint_angle_deg: np.ndarray,
    joint_moment_nm: np.ndarray,
    knee_force_axial_n: np.ndarray,
    knee_force_shear_n: np.ndarray,
    knee_adduction_moment_nm: np.ndarray | None,
    body_mass_kg: np.ndarray,
    options: LoadSharingOptions,
    grf_vertical_n: np.ndarray | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The array core of :func:`knee_loads` for C cases of F frames at once.

    Parameters
    ----------
    time_s : (C, F) [s]
    joint_angle_deg : (C, F, 3) hip flexion, knee flexion, ankle dorsiflexion [deg]
    joint_moment_nm : (C, F, 3) net internal hip, knee, ankle moments [N·m]
    knee_force_axial_n, knee_force_shear_n : (C, F) intersegmental knee force [N]
    knee_adduction_moment_nm : (C, F) external KAM [N·m], or None (no frontal plane)
    body_mass_kg : (C,) [kg]
    options : the muscle and contact models (one set for all cases)
    grf_vertical_n : (C, F) vertical ground reaction [N]: stance for a condition's
        co-contraction (above :data:`kneeload.config.GRF_CONTACT_THRESHOLD_N`)

    Returns
    -------
    (columns, attrs) : the columns :func:`knee_loads` appends, in order, each (C, F), and its
    ``attrs``.
    """
    from kneeload.analysis import gradient_per_case
    from kneeload.contact import patellofemoral_contact, tibiofemoral_contact
    from kneeload.muscles.geometry import (
        load_muscle_set,
        max_force_and_moment_arms,
        scale_muscle_set,
    )
    from kneeload.muscles.static_optimisation import static_optimisation

    if np.any(~(body_mass_kg > 0)):
        bad = body_mass_kg[~(body_mass_kg > 0)][0]
        raise InputError("body_mass_kg", "mass", "a body mass > 0 kg", str(bad))
    angles_rad = np.radians(joint_angle_deg)
    muscles = load_muscle_set(options.muscle_set)
    if options.segment_scale is not None:
        muscles = scale_muscle_set(muscles, segment_scale=options.segment_scale)
    velocity = None
    if options.force_length_velocity:
        velocity = gradient_per_case(time_s, angles_rad, 1)
    capacity, arms = max_force_and_moment_arms(
        muscles, angles_rad, velocity, force_length=options.force_length_velocity
    )
    condition = load_condition(options.condition)
    factors = _max_force_factors(muscles.muscles, condition, options.max_force_scale)
    if factors is not None:
        capacity = capacity * factors
    if options.moment_arm_scale != 1.0:
        arms = arms * options.moment_arm_scale
    baseline = _co_contraction_baseline(muscles.muscles, condition, grf_vertical_n, capacity.shape)
    if baseline is None:
        solution = static_optimisation(arms, capacity, joint_moment_nm, options.exponent)
        all_activation, all_force = solution.activation, solution.force_n
    else:
        # co-contraction: the baseline activations' moments are held; the optimiser shares the
        # rest over the remaining capacity, a = a₀ + (1 − a₀)·v (see kneeload.conditions)
        held = np.einsum("cfm,cfmj->cfj", baseline * capacity, arms)
        solution = static_optimisation(
            arms, capacity * (1.0 - baseline), joint_moment_nm - held, options.exponent
        )
        all_activation = baseline + (1.0 - baseline) * solution.activation
        all_force = all_activation * capacity
    force = {m: all_force[:, :, i] for i, m in enumerate(muscles.muscles)}
    activation = {m: all_activation[:, :, i] for i, m in enumerate(muscles.muscles)}
    out: dict[str, Any] = {}
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
        out[f"reserve_{joint}_nm"] = solution.reserve_nm[:, :, j]
    out["muscle_capacity_exceeded"] = solution.saturated
    knee_flexion = joint_angle_deg[..., 1]
    weight_n = body_mass_kg[:, None] * STANDARD_GRAVITY_M_S2
    tf = tibiofemoral_contact(
        knee_flexion,
        force,
        knee_force_axial_n,
        knee_force_shear_n,
        knee_adduction_moment_nm=knee_adduction_moment_nm,
        intercondylar_distance_m=_intercondylar_distance_m(options.intercondylar_distance_scale),
    )
    # tibiofemoral_contact takes one scalar mass; each case's body weight (C, 1) goes in here
    tf = dataclasses.replace(tf, compressive_bw=tf.compressive_n / weight_n, body_weight_n=weight_n)
    out.update(tf.columns())
    pf = patellofemoral_contact(
        knee_flexion,
        out["quadriceps_force_n"],
        contact_area_model=options.contact_area_model,
        weight_bearing=options.weight_bearing,
    )
    if options.pf_contact_area_scale != 1.0:  # a person's area: stress = force / (scale · area)
        area = pf.contact_area_m2 * options.pf_contact_area_scale
        pf = dataclasses.replace(pf, contact_area_m2=area, stress_mpa=pf.force_n / area * 1e-6)
    out.update(pf.columns())
    out["pf_force_bw"] = out["pf_force_n"] / weight_n
    attrs = {
        "muscle_set": muscles.name,
        "static_optimisation_exponent": options.exponent,
        "contact_area_model": pf.contact_area_model,
        "tf_split_note": tf.note,
        "condition": condition.name,
    }
    if condition.changes_muscles:
        attrs["condition_note"] = (
            f"muscle strategy of {condition.name}: quadriceps maximum force "
            f"×{condition.quadriceps_strength_scale:g}, knee-flexor baseline activation "
            f"{condition.co_contraction_activation:g} in stance"
        )
    return out, attrs


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
    ``tf_compressive_n``/``_bw``, ``tf_shear_n``, ``tf_medial_n``/``_bw``, ``tf_lateral_n``/``_bw``,
    ``tf_medial_share``; ``pf_force_n``/``_bw``, ``pf_stress_mpa``. NaN frames stay NaN.
    ``attrs`` name the models used (``muscle_set``, ``contact_area_model``) and say how the
    medial/lateral split was obtained (``tf_split_note``).
    """
    options = options if options is not None else LoadSharingOptions()
    angles_deg = _columns(table, JOINT_ANGLE_COLUMNS)
    moments_nm = _columns(table, JOINT_MOMENT_COLUMNS)
    kam = table["knee_adduction_moment_nm"].to_numpy(dtype=np.float64)
    columns, attrs = knee_load_columns(
        table["time_s"].to_numpy(dtype=np.float64)[None],
        angles_deg[None],
        moments_nm[None],
        table["knee_force_axial_n"].to_numpy(dtype=np.float64)[None],
        table["knee_force_shear_n"].to_numpy(dtype=np.float64)[None],
        None if np.isnan(kam).all() else kam[None],
        np.array([body_mass_kg], dtype=np.float64),
        options,
        table["grf_vertical_n"].to_numpy(dtype=np.float64)[None]
        if "grf_vertical_n" in table.columns
        else None,
    )
    added = pd.DataFrame({name: values[0] for name, values in columns.items()}, table.index)
    out = pd.concat([table.drop(columns=[c for c in columns if c in table.columns]), added], axis=1)
    out.attrs = copy.deepcopy(table.attrs)
    out.attrs.update(attrs)
    if "condition_note" in attrs:
        out.attrs["notes"] = [*table.attrs.get("notes", []), attrs["condition_note"]]
    return out
