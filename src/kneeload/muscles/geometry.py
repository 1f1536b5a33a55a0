"""Musculotendon lengths, moment arms and maximum forces of the leg muscles as functions of angles.

The geometry is a polynomial fit of each muscle's musculotendon length L in the joint angles it
crosses, made by ``scripts/fit_muscle_geometry.py`` from OpenSim's gait10dof18musc model (Delp et
al. 1990 geometry) and stored with its errors in ``models/muscles/``: ``gait10dof18musc`` (the
generic model) and ``gait10dof18musc_subject01`` (OpenSim's subject01_scaled.osim, the model of
OpenSim's static optimisation of subject01). Moment arms follow as derivatives of the length,
r_j = ∂L/∂θ_j (An et al. 1984; Sherman, Seth & Delp 2013; OpenSim's r = −∂L/∂q with its own
coordinate signs), so the identity holds exactly. Step terms reproduce the switches of
OpenSim's conditional path points. Sets scale to a subject per segment
(:func:`scale_muscle_set`); maximum forces scale with the model's own Millard (2013) or the De
Groote et al. (2016) force–length–velocity curves (:func:`max_force_n`).

Conventions (DESIGN.md §3): joints in the order hip, knee, ankle; angles θ [rad] are hip flexion,
knee flexion and ankle dorsiflexion, flexion positive. With r = +∂L/∂θ a muscle's tension produces
a positive moment in kneeload's sense: hip extensor, knee extensor, ankle plantarflexor
(vasti r_knee > 0; hamstrings r_knee < 0, r_hip > 0; soleus r_ankle > 0; tib_ant r_ankle < 0).

Outside the fitted range of each angle the moment arms are held at their boundary values and
the length continues linearly, so the polynomials never extrapolate.

References
----------
Delp SL, Loan JP, Hoy MG, Zajac FE, Topp EL, Rosen JM (1990) IEEE Trans Biomed Eng 37:757-767.
An KN, Takahashi K, Harrigan TP, Chao EY (1984) J Biomech Eng 106:280-282.
Sherman MA, Seth A, Delp SL (2013) What is a moment arm? Proc ASME IDETC, DETC2013-13633.
De Groote F, Kinney AL, Rao AV, Fregly BJ (2016) Ann Biomed Eng 44:2922-2936.
Millard M, Uchida T, Seth A, Delp SL (2013) J Biomech Eng 135:021005.
Zajac FE (1989) Crit Rev Biomed Eng 17:359-411.
Delp SL et al. (2007) OpenSim. IEEE Trans Biomed Eng 54:1940-1950.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import numpy as np
from numba import njit

from kneeload._interp import interp
from kneeload._threads import over_cases
from kneeload.config import BATCH_ERROR_MODEL, FASTMATH_FLAGS, NUMBA_CACHE
from kneeload.data import load_parameter_set, models_dir
from kneeload.exceptions import InputError, ParameterError

#: joints, in the order of the last axis of angles and moment arms
JOINTS: tuple[str, str, str] = ("hip", "knee", "ankle")
#: segments that can be scaled to a subject
SEGMENTS: tuple[str, str, str, str] = ("pelvis", "thigh", "shank", "foot")
#: force–length–velocity curves: the model's own (Millard et al. 2013) or De Groote et al. (2016)
CURVES: tuple[str, str] = ("Millard2012", "DeGroote2016")


@dataclass(frozen=True, eq=False)
class MuscleSet:
    """Muscles of one leg: parameters and length polynomials (arrays are read-only).

    Attributes
    ----------
    name : parameter-set name (a file in ``models/muscles/``)
    muscles : muscle names, the order of every muscle axis (M)
    max_isometric_force_n : maximum isometric force (M,) [N]
    optimal_fiber_length_m : optimal fibre length (M,) [m]
    tendon_slack_length_m : tendon slack length (M,) [m]
    pennation_angle_rad : pennation angle at optimal fibre length (M,) [rad]
    max_contraction_velocity : maximum shortening velocity (M,) [optimal fibre lengths/s]
    crosses : whether muscle m crosses joint j (M, 3)
    exponents : monomial exponents per muscle, term and joint (M, K, 3), zero-padded
    coefficients : monomial coefficients (M, K) [m], zero-padded
    stepped : term k of muscle m counts only beyond the muscle's step angle (M, K)
    step_joint : joint whose angle switches the step terms, −1 for none (M,)
    step_angle_rad : angle beyond which the step terms count (M,) [rad]
    fitted_range_rad : lower and upper fitted angle per joint (3, 2) [rad]
    segment_coefficients : the generic model's coefficients split by segment, L = Σ_b s_b L_b
        (M, 4, K) [m]; they sum to the generic coefficients
    segment_scale : segment length factors of this set relative to the generic model (4,) [-]
    degroote_force_length_b : De Groote et al. (2016) active force–length b1..b4 (4, 3) [-]
    degroote_force_velocity_d : De Groote et al. (2016) force–velocity d1..d4 (4,) [-]
    millard_length_grid : normalised fibre lengths of the tabulated Millard curve (P,) [-]
    millard_force_length : Millard et al. (2013) active force–length multiplier (P,) [-]
    millard_velocity_grid : normalised fibre velocities of the tabulated curve (Q,) [-]
    millard_force_velocity : Millard et al. (2013) force–velocity multiplier (Q,) [-]
    source : the data file's source
    """

    name: str
    muscles: tuple[str, ...]
    max_isometric_force_n: np.ndarray
    optimal_fiber_length_m: np.ndarray
    tendon_slack_length_m: np.ndarray
    pennation_angle_rad: np.ndarray
    max_contraction_velocity: np.ndarray
    crosses: np.ndarray
    exponents: np.ndarray
    coefficients: np.ndarray
    stepped: np.ndarray
    step_joint: np.ndarray
    step_angle_rad: np.ndarray
    fitted_range_rad: np.ndarray
    segment_coefficients: np.ndarray
    segment_scale: np.ndarray
    degroote_force_length_b: np.ndarray
    degroote_force_velocity_d: np.ndarray
    millard_length_grid: np.ndarray
    millard_force_length: np.ndarray
    millard_velocity_grid: np.ndarray
    millard_force_velocity: np.ndarray
    source: str


def _read_only(values: Any, dtype: type = float) -> np.ndarray:
    array: np.ndarray = np.array(values, dtype=dtype)
    array.flags.writeable = False
    return array


def _entry(table: Mapping[str, Any], key: str, where: str) -> Any:
    try:
        return table[key]
    except (KeyError, TypeError):
        raise ParameterError(f"{where}: missing key '{key}'") from None


@dataclass(frozen=True)
class _Terms:
    """One muscle's polynomial terms as read from the data file (crossed joints only)."""

    exponents: np.ndarray  # (K, crossed joints)
    coefficients: np.ndarray  # (K,)
    stepped: np.ndarray  # (K,) True for step terms
    segments: np.ndarray  # (4, K) segment parts of the coefficients
    step_joint: int
    step_angle: float

    @classmethod
    def read(cls, entry: Mapping[str, Any], here: str, n_joints: int) -> _Terms:
        parts = [("Exponents [-]", "Coefficients [m]", "Segment coefficients [m]")]
        step_joint, step_angle = -1, np.inf
        if "Step joint" in entry:
            if entry["Step joint"] not in JOINTS:
                raise ParameterError(f"{here}: 'Step joint' must be one of {list(JOINTS)}")
            step_joint = JOINTS.index(entry["Step joint"])
            step_angle = float(_entry(entry, "Step angle [rad]", here))
            parts.append(
                ("Step exponents [-]", "Step coefficients [m]", "Segment step coefficients [m]")
            )
        exponents, coefficients, segments, stepped = [], [], [], []
        for exps_key, coefs_key, segments_key in parts:
            exps = np.asarray(_entry(entry, exps_key, here), dtype=np.int64)
            coefs = np.asarray(_entry(entry, coefs_key, here), dtype=float)
            split = np.asarray(_entry(entry, segments_key, here), dtype=float)
            if exps.shape != (coefs.size, n_joints) or split.shape != (len(SEGMENTS), coefs.size):
                raise ParameterError(
                    f"{here}: '{exps_key}' must have one row of {n_joints} per coefficient and "
                    f"'{segments_key}' one row per segment ({', '.join(SEGMENTS)})"
                )
            exponents.append(exps)
            coefficients.append(coefs)
            segments.append(split)
            stepped.append(np.full(coefs.size, segments_key.startswith("Segment step")))
        return cls(
            exponents=np.vstack(exponents),
            coefficients=np.concatenate(coefficients),
            stepped=np.concatenate(stepped),
            segments=np.hstack(segments),
            step_joint=step_joint,
            step_angle=step_angle,
        )


@cache
def load_muscle_set(name: str = "gait10dof18musc") -> MuscleSet:
    """Load a muscle parameter set from ``models/muscles/<name>.toml``.

    Read once per name and process (the set and its arrays are read-only), so the option check
    and every case of a sweep share one load.

    Parameters
    ----------
    name : parameter-set name; an unknown name raises :class:`ParameterError` listing the valid
        ones.

    Returns
    -------
    MuscleSet : geometry and parameters of the set's model file, unscaled (segment_scale 1).

    References
    ----------
    Delp et al. (1990) IEEE Trans Biomed Eng 37:757 (geometry and parameters, via OpenSim's
    gait10dof18musc); De Groote et al. (2016) Ann Biomed Eng 44:2922 (force–length–velocity).
    """
    data = load_parameter_set("muscles", name)
    where = str(models_dir() / "muscles" / f"{name}.toml")
    meta = _entry(data, "meta", where)
    muscles = tuple(_entry(meta, "muscles", f"{where} [meta]"))
    if tuple(_entry(meta, "joints", f"{where} [meta]")) != JOINTS:
        raise ParameterError(f"{where} [meta]: joints must be {list(JOINTS)}")
    fitted = _entry(data, "fitted_range", where)
    fitted_range = [_entry(fitted, f"{joint} [rad]", f"{where} [fitted_range]") for joint in JOINTS]
    curves = _entry(data, "curves", where)
    degroote = _entry(curves, "DeGroote2016", f"{where} [curves]")
    millard = _entry(curves, "Millard2012", f"{where} [curves]")
    degroote_where = f"{where} [curves.DeGroote2016]"
    millard_where = f"{where} [curves.Millard2012]"

    rows: dict[str, list[Any]] = {key: [] for key in ("F", "lopt", "lts", "alpha", "vmax")}
    crosses = np.zeros((len(muscles), len(JOINTS)), dtype=bool)
    polynomials: list[tuple[list[int], _Terms]] = []
    table = _entry(data, "muscles", where)
    for m, muscle in enumerate(muscles):
        entry = _entry(table, muscle, where)
        here = f"{where} [muscles.{muscle}]"
        rows["F"].append(_entry(entry, "Maximum isometric force [N]", here))
        rows["lopt"].append(_entry(entry, "Optimal fiber length [m]", here))
        rows["lts"].append(_entry(entry, "Tendon slack length [m]", here))
        rows["alpha"].append(_entry(entry, "Pennation angle at optimal [rad]", here))
        rows["vmax"].append(
            _entry(entry, "Maximum contraction velocity [optimal fiber lengths/s]", here)
        )
        joints = _entry(entry, "joints", here)
        unknown = [joint for joint in joints if joint not in JOINTS]
        if unknown:
            raise ParameterError(f"{here}: unknown joints {unknown}; valid: {list(JOINTS)}")
        columns = [JOINTS.index(joint) for joint in joints]
        crosses[m, columns] = True
        polynomials.append((columns, _Terms.read(entry, here, len(columns))))

    size = max(terms.coefficients.size for _, terms in polynomials)
    exponents = np.zeros((len(muscles), size, len(JOINTS)), dtype=np.int64)
    coefficients = np.zeros((len(muscles), size))
    stepped = np.zeros((len(muscles), size), dtype=bool)
    segment_coefficients = np.zeros((len(muscles), len(SEGMENTS), size))
    for m, (columns, terms) in enumerate(polynomials):
        n = terms.coefficients.size
        exponents[m, :n][:, columns] = terms.exponents
        coefficients[m, :n] = terms.coefficients
        stepped[m, :n] = terms.stepped
        segment_coefficients[m, :, :n] = terms.segments
    return MuscleSet(
        name=name,
        muscles=muscles,
        max_isometric_force_n=_read_only(rows["F"]),
        optimal_fiber_length_m=_read_only(rows["lopt"]),
        tendon_slack_length_m=_read_only(rows["lts"]),
        pennation_angle_rad=_read_only(rows["alpha"]),
        max_contraction_velocity=_read_only(rows["vmax"]),
        crosses=_read_only(crosses, bool),
        exponents=_read_only(exponents, np.int64),
        coefficients=_read_only(coefficients),
        stepped=_read_only(stepped, bool),
        step_joint=_read_only([terms.step_joint for _, terms in polynomials], np.int64),
        step_angle_rad=_read_only([terms.step_angle for _, terms in polynomials]),
        fitted_range_rad=_read_only(fitted_range),
        segment_coefficients=_read_only(segment_coefficients),
        segment_scale=_read_only(np.ones(len(SEGMENTS))),
        degroote_force_length_b=_read_only(
            [_entry(degroote, f"Active force-length b{i} [-]", degroote_where) for i in range(1, 5)]
        ),
        degroote_force_velocity_d=_read_only(
            _entry(degroote, "Force-velocity d [-]", degroote_where)
        ),
        millard_length_grid=_read_only(
            _entry(millard, "Normalised fiber length [-]", millard_where)
        ),
        millard_force_length=_read_only(
            _entry(millard, "Active force-length multiplier [-]", millard_where)
        ),
        millard_velocity_grid=_read_only(
            _entry(millard, "Normalised fiber velocity [-]", millard_where)
        ),
        millard_force_velocity=_read_only(
            _entry(millard, "Force-velocity multiplier [-]", millard_where)
        ),
        source=str(meta.get("source", "")),
    )


def scale_muscle_set(
    muscles: MuscleSet,
    height_ratio: float = 1.0,
    segment_scale: Mapping[str, float] | None = None,
) -> MuscleSet:
    """Scale a muscle set to a subject, as OpenSim's ScaleTool scales the model.

    Each segment (pelvis, thigh, shank, foot) gets a length factor s_b: ``segment_scale[b]`` if
    given, else ``height_ratio`` (subject height / model height). The length becomes
    L(θ, s) = Σ_b s_b L_b(θ), with L_b = ∂L/∂s_b the segment parts fitted by
    ``scripts/fit_muscle_geometry.py`` to OpenSim's scaling: exact for a uniform scale (L is
    homogeneous of degree 1 in s, Euler's theorem), first order in the differences between
    segments otherwise. It stays a polynomial, so r = ∂L/∂θ holds for any scaling. Optimal
    fibre and tendon slack lengths scale with the path length in the default posture (all
    angles 0), as the ScaleTool does (Delp et al. 2007). Factors compose with an earlier
    scaling of the set.

    Parameters
    ----------
    muscles : the muscle set to scale
    height_ratio : uniform length factor [-], > 0
    segment_scale : per-segment length factors [-], > 0, keys among "pelvis", "thigh",
        "shank", "foot"

    Returns
    -------
    MuscleSet : a new, scaled set; maximum isometric forces are unchanged.
    """
    factors = dict.fromkeys(SEGMENTS, height_ratio)
    for key, value in (segment_scale or {}).items():
        if key not in SEGMENTS:
            raise InputError("segment_scale", key, f"a segment among {list(SEGMENTS)}")
        factors[key] = value
    for key, value in factors.items():
        if not (np.isfinite(value) and value > 0):
            raise InputError("segment_scale", key, "a length factor > 0", str(value))
    total = muscles.segment_scale * np.array([factors[key] for key in SEGMENTS])
    scaled = replace(
        muscles,
        coefficients=_read_only(np.einsum("msk,s->mk", muscles.segment_coefficients, total)),
        segment_scale=_read_only(total),
    )
    default = np.zeros(len(JOINTS))
    ratio = musculotendon_length_m(scaled, default) / musculotendon_length_m(muscles, default)
    return replace(
        scaled,
        optimal_fiber_length_m=_read_only(muscles.optimal_fiber_length_m * ratio),
        tendon_slack_length_m=_read_only(muscles.tendon_slack_length_m * ratio),
    )


#: frames per block of :func:`_polynomial_kernel` (its powers stay in cache)
_FRAME_BLOCK = 256


@njit(cache=NUMBA_CACHE, fastmath=FASTMATH_FLAGS, nogil=True, error_model=BATCH_ERROR_MODEL)
def _polynomial_kernel(
    start: int,
    stop: int,
    angles: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    max_degree: int,
    muscle_start: np.ndarray,
    coefficient: np.ndarray,
    exponent: np.ndarray,
    stepped: np.ndarray,
    step_joint: np.ndarray,
    step_angle: np.ndarray,
    lengths_out: np.ndarray,
    arms_out: np.ndarray,
) -> None:
    """Lengths (N, M) and gradients (N, M, 3) of the length polynomials at angles (N, 3), in
    blocks ``start`` to ``stop − 1`` of _FRAME_BLOCK frames.

    The nonzero terms of muscle m are ``muscle_start[m]`` to ``muscle_start[m + 1]`` of
    ``coefficient`` (T,), ``exponent`` (T, 3) and ``stepped`` (T,). Angles are clipped to
    [lower, upper]; beyond, the length continues linearly. Stepped terms count only where the
    (clipped) angle of the muscle's step joint exceeds its step angle. Serial, without the GIL
    (:func:`kneeload._threads.over_cases` runs ranges of blocks on threads), each term over a
    block's frames at once (a vectorisable loop); every frame's
    arithmetic is the same in any block: terms summed in order, the gradient of a term
    c·θ0^e0·θ1^e1·θ2^e2 along joint j as (c·e_j·θj^(e_j-1))·(the other powers, in order).
    """
    n_frames = angles.shape[0]
    n_muscles = muscle_start.size - 1
    for block in range(start, stop):
        first = block * _FRAME_BLOCK
        size = min(n_frames, first + _FRAME_BLOCK) - first
        clipped = np.empty((3, size))
        powers = np.empty((3, max_degree + 1, size))
        for j in range(3):
            for b in range(size):
                clipped[j, b] = min(max(angles[first + b, j], lower[j]), upper[j])
                powers[j, 0, b] = 1.0
            for p in range(1, max_degree + 1):
                for b in range(size):
                    powers[j, p, b] = powers[j, p - 1, b] * clipped[j, b]
        length = np.empty(size)
        arm = np.empty((3, size))
        beyond = np.empty(size, dtype=np.bool_)
        for m in range(n_muscles):
            length[:] = 0.0
            arm[:] = 0.0
            sj = step_joint[m]
            for b in range(size):
                beyond[b] = sj >= 0 and clipped[sj, b] > step_angle[m]
            for t in range(muscle_start[m], muscle_start[m + 1]):
                c = coefficient[t]
                e0, e1, e2 = exponent[t, 0], exponent[t, 1], exponent[t, 2]
                p0, p1, p2 = powers[0, e0], powers[1, e1], powers[2, e2]
                always = not stepped[t]
                for b in range(size):
                    if always or beyond[b]:
                        length[b] += c * p0[b] * p1[b] * p2[b]
                if e0 > 0:
                    c0, d0 = c * e0, powers[0, e0 - 1]
                    for b in range(size):
                        if always or beyond[b]:
                            arm[0, b] += c0 * d0[b] * p1[b] * p2[b]
                if e1 > 0:
                    c1, d1 = c * e1, powers[1, e1 - 1]
                    for b in range(size):
                        if always or beyond[b]:
                            arm[1, b] += c1 * d1[b] * p0[b] * p2[b]
                if e2 > 0:
                    c2, d2 = c * e2, powers[2, e2 - 1]
                    for b in range(size):
                        if always or beyond[b]:
                            arm[2, b] += c2 * d2[b] * p0[b] * p1[b]
            for b in range(size):
                value = length[b]
                for j in range(3):
                    arms_out[first + b, m, j] = arm[j, b]
                    value += arm[j, b] * (angles[first + b, j] - clipped[j, b])
                lengths_out[first + b, m] = value


def _checked_angles(angles_rad: Any, name: str = "angles_rad") -> np.ndarray:
    angles = np.asarray(angles_rad, dtype=float)
    if angles.ndim == 0 or angles.shape[-1] != len(JOINTS):
        raise InputError(
            name,
            "shape",
            "(..., 3): hip flexion, knee flexion, ankle dorsiflexion",
            str(angles.shape),
        )
    return angles


def _evaluate(muscles: MuscleSet, angles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    flat = np.ascontiguousarray(angles.reshape(-1, len(JOINTS)))
    lengths = np.empty((flat.shape[0], len(muscles.muscles)))
    arms = np.empty((flat.shape[0], len(muscles.muscles), len(JOINTS)))
    muscle, term = np.nonzero(muscles.coefficients)  # the nonzero terms, muscle by muscle
    over_cases(
        _polynomial_kernel,
        (flat.shape[0] + _FRAME_BLOCK - 1) // _FRAME_BLOCK,
        flat,
        np.ascontiguousarray(muscles.fitted_range_rad[:, 0]),
        np.ascontiguousarray(muscles.fitted_range_rad[:, 1]),
        int(muscles.exponents.max()),
        np.searchsorted(muscle, np.arange(len(muscles.muscles) + 1)).astype(np.int64),
        np.ascontiguousarray(muscles.coefficients[muscle, term]),
        np.ascontiguousarray(muscles.exponents[muscle, term], dtype=np.int64),
        np.ascontiguousarray(muscles.stepped[muscle, term]),
        muscles.step_joint,
        muscles.step_angle_rad,
        lengths,
        arms,
    )
    shape = angles.shape[:-1]
    return lengths.reshape(*shape, -1), arms.reshape(*shape, len(muscles.muscles), len(JOINTS))


def musculotendon_length_m(muscles: MuscleSet, angles_rad: Any) -> np.ndarray:
    """Musculotendon (origin-to-insertion path) length of every muscle [m].

    Parameters
    ----------
    muscles : muscle set (from :func:`load_muscle_set`, optionally scaled)
    angles_rad : hip flexion, knee flexion, ankle dorsiflexion (..., 3) [rad]

    Returns
    -------
    ndarray : lengths (..., M) [m]; NaN angles give NaN.

    References
    ----------
    Polynomial fit of OpenSim's gait10dof18musc paths (Delp et al. 1990), see
    ``models/muscles/gait10dof18musc.toml``.
    """
    return _evaluate(muscles, _checked_angles(angles_rad))[0]


def moment_arms_m(muscles: MuscleSet, angles_rad: Any) -> np.ndarray:
    """Moment arms r = ∂L/∂θ of every muscle about hip, knee and ankle [m].

    Positive when tension extends the hip or knee or plantarflexes the ankle (kneeload's
    moment convention), zero for joints a muscle does not cross.

    Parameters
    ----------
    muscles : muscle set (from :func:`load_muscle_set`, optionally scaled)
    angles_rad : hip flexion, knee flexion, ankle dorsiflexion (..., 3) [rad]

    Returns
    -------
    ndarray : moment arms (..., M, 3) [m]; NaN angles give NaN.

    References
    ----------
    An et al. (1984) J Biomech Eng 106:280; Sherman, Seth & Delp (2013) ASME IDETC.
    """
    return _evaluate(muscles, _checked_angles(angles_rad))[1]


def _checked_curve(curve: str) -> str:
    if curve not in CURVES:
        raise ParameterError(
            f"'{curve}' is not a valid muscle curve. Curve must be one of: " + ", ".join(CURVES)
        )
    return curve


def active_force_length_multiplier(
    muscles: MuscleSet, normalized_length: Any, curve: str = "Millard2012"
) -> np.ndarray:
    """Active force–length multiplier f_L(l̃) [-], l̃ = fibre length / optimal fibre length.

    "Millard2012": the model's own curve (Millard et al. 2013, J Biomech Eng 135:021005),
    tabulated from OpenSim and interpolated linearly (error in the data file). "DeGroote2016":
    f_L = Σ_i b1_i exp(−½ (l̃ − b2_i)² / (b3_i + b4_i l̃)²) (De Groote et al. 2016, Ann Biomed
    Eng 44:2922), constants as in OpenSim's DeGrooteFregly2016Muscle.
    """
    x = np.asarray(normalized_length, dtype=float)
    if _checked_curve(curve) == "Millard2012":
        return interp(x, muscles.millard_length_grid, muscles.millard_force_length)
    b1, b2, b3, b4 = muscles.degroote_force_length_b
    x = x[..., None]
    return np.sum(b1 * np.exp(-0.5 * (x - b2) ** 2 / (b3 + b4 * x) ** 2), axis=-1)


def force_velocity_multiplier(
    muscles: MuscleSet, normalized_velocity: Any, curve: str = "Millard2012"
) -> np.ndarray:
    """Force–velocity multiplier f_V(ṽ) [-]; f_V(0) = 1, f_V(−1) = 0.

    ṽ = fibre velocity / (maximum contraction velocity × optimal fibre length), shortening
    negative, held at its end values beyond ±1. "Millard2012": the model's own curve, tabulated
    (Millard et al. 2013). "DeGroote2016": f_V = d1 ln(d2 ṽ + d3 + √((d2 ṽ + d3)² + 1)) + d4
    (De Groote et al. 2016).
    """
    v = np.clip(np.asarray(normalized_velocity, dtype=float), -1.0, 1.0)
    if _checked_curve(curve) == "Millard2012":
        return interp(v, muscles.millard_velocity_grid, muscles.millard_force_velocity)
    d1, d2, d3, d4 = muscles.degroote_force_velocity_d
    u = d2 * v + d3
    return d1 * np.log(u + np.sqrt(u**2 + 1.0)) + d4


def fiber_length_m(muscles: MuscleSet, angles_rad: Any) -> tuple[np.ndarray, np.ndarray]:
    """Fibre length [m] and cosine of the pennation angle [-] with a rigid tendon.

    Tendon at slack length and constant-width pennation (Zajac 1989; OpenSim's
    MuscleFixedWidthPennationModel): l = √((L − l_ts)² + (l_opt sin α0)²), cos α = (L − l_ts)/l,
    with L the musculotendon length.

    Parameters
    ----------
    muscles : muscle set
    angles_rad : hip flexion, knee flexion, ankle dorsiflexion (..., 3) [rad]

    Returns
    -------
    tuple : fibre lengths (..., M) [m], cosines of the pennation angles (..., M) [-]
    """
    lengths = musculotendon_length_m(muscles, angles_rad)
    return _fiber(muscles, lengths)


def _fiber(muscles: MuscleSet, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    height = muscles.optimal_fiber_length_m * np.sin(muscles.pennation_angle_rad)
    along = np.maximum(lengths - muscles.tendon_slack_length_m, 0.0)
    fiber = np.sqrt(along**2 + height**2)
    cos_alpha = np.divide(along, fiber, out=np.zeros_like(fiber), where=fiber > 0.0)
    return fiber, cos_alpha


def max_force_n(
    muscles: MuscleSet,
    angles_rad: Any,
    angular_velocity_rad_s: Any = None,
    *,
    force_length: bool = True,
    curve: str = "Millard2012",
    pennation: bool = True,
) -> np.ndarray:
    """Maximum force each muscle can transmit along its tendon at full activation [N].

    With ``force_length`` the maximum isometric force F0 is scaled by the active force–length
    curve and the pennation, F0 f_L(l̃) cos α, with the rigid-tendon fibre length of
    :func:`fiber_length_m`. With angular velocities the force–velocity curve multiplies too,
    with the fibre velocity v = cos α Σ_j r_j ω_j (rigid tendon, constant-width pennation,
    r_j = ∂L/∂θ_j; Zajac 1989). Passive fibre force is not included.

    OpenSim 4.6's static optimisation bounds each muscle by its
    ``calcInextensibleTendonActiveFiberForce(state, 1)``, which (measured against OpenSim in
    ``tests/muscles/test_geometry.py``) is F0 f_L f_V without the cos α; ``pennation=False``
    reproduces it.

    Parameters
    ----------
    muscles : muscle set
    angles_rad : hip flexion, knee flexion, ankle dorsiflexion (..., 3) [rad]
    angular_velocity_rad_s : their time derivatives (..., 3) [rad/s], or None (no f_V)
    force_length : apply force–length and pennation; without it and without velocities the
        result is F0 broadcast to (..., M)
    curve : "Millard2012" (the model's own curves, as OpenSim uses them) or "DeGroote2016"
    pennation : project the fibre force on the tendon (× cos α); only with ``force_length``

    Returns
    -------
    ndarray : maximum forces (..., M) [N]
    """
    _checked_curve(curve)
    angles = _checked_angles(angles_rad)
    shape = (*angles.shape[:-1], len(muscles.muscles))
    if not force_length and angular_velocity_rad_s is None:
        return np.broadcast_to(muscles.max_isometric_force_n, shape).copy()
    lengths, arms = _evaluate(muscles, angles)
    return _max_force(
        muscles, lengths, arms, angular_velocity_rad_s, force_length, curve, pennation
    )


def max_force_and_moment_arms(
    muscles: MuscleSet,
    angles_rad: Any,
    angular_velocity_rad_s: Any = None,
    *,
    force_length: bool = True,
    curve: str = "Millard2012",
    pennation: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`max_force_n` (..., M) [N] and :func:`moment_arms_m` (..., M, 3) [m] from one
    evaluation of the length polynomials (same arguments as :func:`max_force_n`)."""
    _checked_curve(curve)
    angles = _checked_angles(angles_rad)
    lengths, arms = _evaluate(muscles, angles)
    if not force_length and angular_velocity_rad_s is None:
        return np.broadcast_to(muscles.max_isometric_force_n, lengths.shape).copy(), arms
    force = _max_force(
        muscles, lengths, arms, angular_velocity_rad_s, force_length, curve, pennation
    )
    return force, arms


def _max_force(
    muscles: MuscleSet,
    lengths: np.ndarray,
    arms: np.ndarray,
    angular_velocity_rad_s: Any,
    force_length: bool,
    curve: str,
    pennation: bool,
) -> np.ndarray:
    """:func:`max_force_n` from the musculotendon lengths and moment arms."""
    shape = lengths.shape
    fiber, cos_alpha = _fiber(muscles, lengths)
    factor = np.ones(shape)
    if force_length:
        normalized = fiber / muscles.optimal_fiber_length_m
        factor = active_force_length_multiplier(muscles, normalized, curve)
        if pennation:
            factor = factor * cos_alpha
    if angular_velocity_rad_s is not None:
        velocities = _checked_angles(angular_velocity_rad_s, "angular_velocity_rad_s")
        path_velocity = np.einsum("...mj,...j->...m", arms, velocities)
        normalized_velocity = (path_velocity * cos_alpha) / (
            muscles.max_contraction_velocity * muscles.optimal_fiber_length_m
        )
        factor = factor * force_velocity_multiplier(muscles, normalized_velocity, curve)
    return muscles.max_isometric_force_n * factor
