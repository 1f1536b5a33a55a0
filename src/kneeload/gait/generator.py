"""Gait cycles generated from a normative pattern, dynamically consistent (DESIGN.md §4.2).

Method (all cases and frames at once, vectorised NumPy over cases × frames of one stride,
periodic; strides are copies advanced by one stride length):

1. **Body.** Foot, shank and thigh lengths, masses and inertias from an anthropometric table
   (:func:`kneeload.anthropometry.leg_segment_parameters`; de Leva 1996 by sex by default,
   Winter 2009 on request) scaled to the subject; sole points, hip spacing, trunk centre of mass
   and step width from ``models/gait/body.toml``. Head-arms-trunk (HAT) mass = body mass minus
   both legs.
2. **Legs by forward kinematics** from the pattern's angles (left = right half a stride later):
   thigh from the true vertical by hip flexion minus anterior pelvic tilt, shank by knee
   flexion, foot perpendicular to the shank at 0° dorsiflexion (sole = foot axis).
3. **Stance foot planted.** Each loaded foot rolls without slipping on its lowest sole point
   (heel or toe; where they swap the foot is flat, so the point on the ground moves by exactly
   one foot length): in single support the hips are placed so that this point stays fixed on
   the surface (y = 0), which leaves the stance foot still to rounding. In double support (and
   across a running flight) the hip position is the blend of the positions each leg implies,
   weighted by a C² quintic smooth step from the trailing to the leading foot, so the hips
   accelerate continuously; the feet then slide by the weight times the two legs' disagreement
   (measured and reported in the notes). Footholds advance by half a stride per step.
4. **Ground reaction.** The pattern's right-foot shapes, the left foot's half a stride later
   (mediolateral component mirrored), are scaled so that their stride mean balances gravity in
   the tilted frame: mean normal force M·g·cos θ and, by tilting every force by the same small
   angle, mean force along the surface M·g·sin θ toward travel uphill. In double support the
   total is split between the feet by the smooth transition assumption of Ren, Jones & Howard
   (2008, J Biomech 41:2750): the trailing foot's force is its value at the leading foot's
   contact times exp(−(2t/T_ds)³) (normal and mediolateral components; renormalised to reach
   exactly 0 at toe-off) or k₁exp(−(2(t − T_ds/3)/T_ds)²) − 2k₂t/T_ds (anterior component,
   k₁ = e^{4/9}, k₂ = k₁e^{−16/9}/2), the leading foot takes the rest. In running the flight
   has no force.
5. **Newton closed by the trunk.** The whole-body centre of mass must satisfy
   M·a_com = ΣGRF + M·g. Its trajectory is the periodic double integral of (ΣGRF/M + g)
   (spectral, exact at the frames) plus the travel speed; the HAT centre of mass is placed
   where it brings the body's centre of mass onto that trajectory (its mean offset from the
   nominal trunk position above the hips is zero; the RMS offset is reported). So the ground
   reaction keeps the measured shapes and the legs keep planted feet, and Newton's law for
   the whole body holds: the stored residual Σ F_ext − (Σ mᵢaᵢ − M g), with periodic spectral
   derivatives of every segment's centre of mass, is rounding. Whole-body angular momentum is
   not balanced (the centre of pressure comes from the pattern).
6. **Centre of pressure** on the surface along the foot's sole projection, heel → toe by the
   pattern's ``cop_along_foot`` (heel → toe forward, toe → heel backward); a pattern whose
   centre of pressure leaves the sole (outside 0..1 while the foot is loaded) is refused.
   Frontal plane: hip joint centres ± half the hip spacing, feet on lines ± half the step
   width, knee displaced medially from the hip by the thigh's frontal inclination (hip
   adduction minus the own-side pelvic rise); the centre of pressure on the foot's midline.
   Free moments are zero.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from kneeload.config import STANDARD_GRAVITY_M_S2
from kneeload.exceptions import InputError
from kneeload.gait.cycle import LEG_ANGLES, GaitCycle
from kneeload.gait.pattern import PATTERN_ANGLES, PATTERN_GRF, GaitPattern
from kneeload.gait.spec import GaitSpec

FloatArray = NDArray[np.float64]

#: share of body weight above which a foot counts as loaded for the centre-of-pressure check
LOADED_FRACTION_BW = 0.01
#: Ren, Jones & Howard 2008 anterior-force transition constants
_REN_K1 = math.exp(4.0 / 9.0)
_REN_K2 = _REN_K1 * math.exp(-16.0 / 9.0) / 2.0


@dataclass(frozen=True)
class _Body:
    """Geometry and inertia of a batch of subjects, each (C,) or (C, 3) [m, kg, kg·m²]."""

    length_m: FloatArray  # foot (table), shank, thigh
    mass_kg: FloatArray
    com_fraction: FloatArray
    inertia_kg_m2: FloatArray
    foot_com_from_heel: bool  # de Leva: foot heel -> toe tip; Winter: ankle -> toe
    foot_length_m: FloatArray
    ankle_height_m: FloatArray
    ankle_from_heel: float
    hip_spacing_m: FloatArray
    hat_above_hip_m: FloatArray
    step_width_m: FloatArray


@lru_cache(maxsize=1)
def _body_table() -> dict[str, dict[str, float]]:
    from kneeload.data import models_dir, read_toml

    data = read_toml(models_dir() / "gait" / "body.toml")
    return {key: value for key, value in data.items() if key != "meta"}


def _body(
    table: str, mass_kg: FloatArray, height_m: FloatArray, running: NDArray[np.bool_]
) -> _Body:
    from kneeload.anthropometry import LEG_SEGMENTS, leg_segment_parameters

    unit = leg_segment_parameters(table, 1.0, height_m=1.0)  # fractions of mass and stature
    frac = {
        key: np.array([getattr(unit[s], key) for s in LEG_SEGMENTS])
        for key in ("mass_kg", "length_m", "com_from_proximal", "inertia_kg_m2")
    }
    body = _body_table()
    leg_length = body["pelvis"]["Leg length [fraction of stature]"] * height_m
    width = np.where(
        running,
        body["step_width"]["Running [fraction of leg length]"],
        body["step_width"]["Walking [fraction of leg length]"],
    )
    return _Body(
        length_m=height_m[:, None] * frac["length_m"],
        mass_kg=mass_kg[:, None] * frac["mass_kg"],
        com_fraction=np.broadcast_to(frac["com_from_proximal"], (len(mass_kg), 3)),
        inertia_kg_m2=(mass_kg * height_m**2)[:, None] * frac["inertia_kg_m2"],
        foot_com_from_heel=table.startswith("deLeva"),
        foot_length_m=body["foot"]["Length heel to toe [fraction of stature]"] * height_m,
        ankle_height_m=body["foot"]["Ankle height above sole [fraction of stature]"] * height_m,
        ankle_from_heel=float(body["foot"]["Ankle from heel [fraction of foot length]"]),
        hip_spacing_m=body["pelvis"]["Hip joint centre spacing [fraction of stature]"] * height_m,
        hat_above_hip_m=body["trunk"]["HAT centre of mass above hips [fraction of stature]"]
        * height_m,
        step_width_m=width * leg_length,
    )


def _smoothstep(u: FloatArray) -> FloatArray:
    """Quintic smooth step 10u³ − 15u⁴ + 6u⁵ on [0, 1] (zero first and second derivative at
    both ends), clipped outside."""
    v = np.clip(u, 0.0, 1.0)
    return np.asarray(v**3 * (10.0 - 15.0 * v + 6.0 * v**2))


def _ren_transition(tau: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Trailing-foot share over double support, τ = t / T_ds in [0, 1] (Ren, Jones & Howard
    2008): (anterior, normal/mediolateral), each 1 at τ = 0 and 0 at τ = 1."""
    t = np.clip(tau, 0.0, 1.0)
    anterior = _REN_K1 * np.exp(-((2.0 * (t - 1.0 / 3.0)) ** 2)) - 2.0 * _REN_K2 * t
    floor = math.exp(-8.0)
    other = (np.exp(-((2.0 * t) ** 3)) - floor) / (1.0 - floor)
    return np.asarray(anterior), np.asarray(other)


def _periodic_second_derivative(values: FloatArray, period_s: FloatArray) -> FloatArray:
    """d²/dt² along axis 1 of samples periodic over one period, spectrally [per s²]."""
    n = values.shape[1]
    spectrum = np.fft.rfft(values, axis=1)
    omega = 2.0 * np.pi * np.arange(spectrum.shape[1])
    shape = (1, -1) + (1,) * (values.ndim - 2)
    factor = -((omega.reshape(shape) / period_s.reshape((-1,) + (1,) * (values.ndim - 1))) ** 2)
    return np.fft.irfft(spectrum * factor, n=n, axis=1)


def _periodic_double_integral(values: FloatArray, period_s: FloatArray) -> FloatArray:
    """The zero-mean periodic x with d²x/dt² = values (zero-mean, axis 1), spectrally [m]."""
    n = values.shape[1]
    spectrum = np.fft.rfft(values, axis=1)
    omega = 2.0 * np.pi * np.arange(spectrum.shape[1])
    omega[0] = 1.0
    shape = (1, -1) + (1,) * (values.ndim - 2)
    factor = -((period_s.reshape((-1,) + (1,) * (values.ndim - 1)) / omega.reshape(shape)) ** 2)
    spectrum = spectrum * factor
    spectrum[:, 0] = 0.0
    return np.fft.irfft(spectrum, n=n, axis=1)


def _unit(angle: FloatArray) -> FloatArray:
    return np.stack([np.cos(angle), np.sin(angle)], axis=-1)


def _resample(patterns: Sequence[GaitPattern], n: int) -> dict[str, FloatArray]:
    """Angles [rad], GRF [BW] and CoP of each pattern at n frames over [0, 100) %, (C, n, ...)."""
    target = 100.0 * np.arange(n) / n

    def stack(get: object) -> FloatArray:
        return np.stack([get(p) for p in patterns])  # type: ignore[operator]

    percent = [np.asarray(p.percent_cycle, dtype=np.float64) for p in patterns]
    same = all(np.array_equal(percent[0], q) for q in percent[1:])
    angles = stack(lambda p: np.stack([p.angles_deg[a] for a in PATTERN_ANGLES], axis=-1))
    grf = stack(lambda p: np.stack([p.grf_bw[g] for g in PATTERN_GRF], axis=-1))
    cop = stack(lambda p: p.cop_along_foot)[..., None]
    channels = np.concatenate([np.radians(angles), grf, cop], axis=-1)
    if same:
        q = percent[0]
        index = np.clip(np.searchsorted(q, target, side="right") - 1, 0, len(q) - 2)
        weight = ((target - q[index]) / (q[index + 1] - q[index]))[None, :, None]
        out = channels[:, index] * (1.0 - weight) + channels[:, index + 1] * weight
    else:
        out = np.stack(
            [
                np.stack([np.interp(target, q, ch[:, j]) for j in range(ch.shape[1])], axis=-1)
                for q, ch in zip(percent, channels, strict=True)
            ]
        )
    return {"angles": out[..., :6], "grf": out[..., 6:9], "cop": out[..., 9]}


def _check_pattern(pattern: GaitPattern, source: str) -> None:
    if not 0.0 < pattern.stance_fraction < 1.0 or abs(pattern.stance_fraction - 0.5) < 0.01:
        raise InputError(
            source,
            "stance_fraction",
            "a walking stance fraction above 0.51 or a running one below 0.49",
            f"{pattern.stance_fraction:g}",
        )
    if not (pattern.stride_time_s > 0 and pattern.stride_length_m > 0):
        raise InputError(
            source,
            "stride_time_s, stride_length_m",
            "a positive stride time and length",
            f"{pattern.stride_time_s:g} s, {pattern.stride_length_m:g} m",
        )
    missing = [a for a in PATTERN_ANGLES if a not in pattern.angles_deg] + [
        g for g in PATTERN_GRF if g not in pattern.grf_bw
    ]
    if missing:
        raise InputError(source, missing[0], "every pattern angle and GRF component")


def _leg_points(
    angles: FloatArray, gravity_angle: FloatArray, body: _Body
) -> dict[str, FloatArray]:
    """Joint centres, sole points and segment directions relative to the hips, (C, N, 2)."""
    tilt, hip, knee, ankle = (angles[..., i] for i in (0, 2, 4, 5))
    thigh_dir = gravity_angle[:, None] + hip - tilt
    shank_dir = thigh_dir - knee
    foot_dir = shank_dir + 0.5 * np.pi + ankle
    length = body.length_m
    knee_p = length[:, None, 2, None] * _unit(thigh_dir)
    ankle_p = knee_p + length[:, None, 1, None] * _unit(shank_dir)
    u = _unit(foot_dir)
    n = np.stack([u[..., 1], -u[..., 0]], axis=-1)  # sole normal, pointing down
    ell = body.foot_length_m[:, None, None]
    below = body.ankle_height_m[:, None, None] * n
    heel = ankle_p - body.ankle_from_heel * ell * u + below
    toe = ankle_p + (1.0 - body.ankle_from_heel) * ell * u + below
    if body.foot_com_from_heel:
        foot_com = heel + body.com_fraction[:, None, 0, None] * (toe - heel)
    else:
        to_toe = toe - ankle_p
        to_toe /= np.linalg.norm(to_toe, axis=-1, keepdims=True)
        foot_com = ankle_p + (body.com_fraction[:, 0] * length[:, 0])[:, None, None] * to_toe
    shank_com = knee_p + body.com_fraction[:, None, 1, None] * (ankle_p - knee_p)
    thigh_com = body.com_fraction[:, None, 2, None] * knee_p
    toe_to_ankle = np.arctan2(
        body.ankle_height_m, -(1.0 - body.ankle_from_heel) * body.foot_length_m
    )
    return {
        "ankle": ankle_p,
        "knee": knee_p,
        "heel": heel,
        "toe": toe,
        "com": np.stack([foot_com, shank_com, thigh_com], axis=2),
        "angle": np.stack(
            [foot_dir + toe_to_ankle[:, None], shank_dir + np.pi, thigh_dir + np.pi], axis=2
        ),
    }


def _foot_support(
    heel: FloatArray, toe: FloatArray, stance_frames: NDArray[np.int64], step_m: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Point of one foot held on the ground and its position along the surface, in the foot's
    own phase (stance from frame 0): (vector hip -> point (C, N, 2), foothold x (C, N)).

    In stance the lowest sole point (heel or toe); after toe-off the last one, before the next
    contact the first one (those matter only across a running flight). Footholds of the heel in
    this stance are at 0, the toe one foot length ahead; the next contact ``step_m`` further.
    """
    n = heel.shape[1]
    k = np.arange(n)[None, :]
    lowest_toe = toe[..., 1] < heel[..., 1]
    in_stance = k < stance_frames[:, None]
    after = ~in_stance & (k < n // 2 + stance_frames[:, None])
    before = ~in_stance & ~after
    toe_at_off = np.take_along_axis(lowest_toe, (stance_frames - 1)[:, None], axis=1)
    is_toe = np.where(in_stance, lowest_toe, np.where(after, toe_at_off, lowest_toe[:, :1]))
    point = np.where(is_toe[..., None], toe, heel)
    length = np.linalg.norm(toe - heel, axis=-1)[:, :1]
    foothold = length * is_toe + np.where(before, step_m[:, None], 0.0)
    return point, foothold


def _batch(
    specs: Sequence[GaitSpec],
    patterns: Sequence[GaitPattern],
    frames_per_stride: int,
    anthropometry: str | None,
) -> dict[str, FloatArray]:
    """Arrays of one periodic stride for every case, (C, N, ...), N = frames_per_stride − 1."""
    n = frames_per_stride - 1
    half = n // 2
    c = len(specs)
    mass = np.array([s.subject.mass_kg for s in specs])
    height = np.array([s.subject.height_m for s in specs])
    gravity = np.array([s.gravity_m_s2() for s in specs])
    travel = np.array([s.travel_sign for s in specs])
    stride_time = np.array([p.stride_time_s for p in patterns])
    stride_length = np.array([p.stride_length_m for p in patterns])
    stance = np.array([p.stance_fraction for p in patterns])
    walking = stance > 0.5
    tables = [anthropometry or f"deLeva1996_{s.subject.sex}" for s in specs]
    bodies = {t: _body(t, mass, height, ~walking) for t in set(tables)}
    if len(bodies) == 1:
        body = next(iter(bodies.values()))
    else:  # mixed sexes: pick each case's rows
        ref = bodies[tables[0]]
        pick = {
            name: np.stack([getattr(bodies[t], name)[i] for i, t in enumerate(tables)])
            for name in ("length_m", "mass_kg", "com_fraction", "inertia_kg_m2")
        }
        body = _Body(**{**ref.__dict__, **pick})
        if len({t.startswith("deLeva") for t in tables}) > 1:
            raise InputError("anthropometry", "table", "one foot convention per batch", "mixed")

    sampled = _resample(patterns, n)
    u = np.arange(n)[None, :] / n
    stance_frames = np.ceil(stance * n - 1e-9).astype(np.int64)
    in_stance = np.arange(n)[None, :] < stance_frames[:, None]

    # ground reaction: right foot, left half a stride later (mediolateral mirrored)
    weight = mass * STANDARD_GRAVITY_M_S2
    right = sampled["grf"] * weight[:, None, None] * in_stance[..., None]
    mirror = np.array([1.0, 1.0, -1.0])
    total = right + np.roll(right, half, axis=1) * mirror
    target = -mass[:, None] * gravity  # stride mean of the total force, (C, 2)
    scale = target[:, 1] / total[..., 1].mean(axis=1)
    right *= scale[:, None, None]
    total *= scale[:, None, None]
    lean = (target[:, 0] - total[..., 0].mean(axis=1)) / total[..., 1].mean(axis=1)
    right[..., 0] += lean[:, None] * right[..., 1]
    total[..., 0] += lean[:, None] * total[..., 1]
    d = np.where(walking, stance - 0.5, 1.0)[:, None]
    ant1, oth1 = _ren_transition(u / d)
    ant2, oth2 = _ren_transition((u - 0.5) / d)
    share1 = np.stack([ant1, oth1, oth1], axis=-1)
    share2 = np.stack([ant2, oth2, oth2], axis=-1)
    split = np.where(
        (u < d)[..., None],
        total - total[:, :1] * share1,
        np.where(
            (u < 0.5)[..., None],
            total,
            np.where((u < stance[:, None])[..., None], total[:, half : half + 1] * share2, 0.0),
        ),
    )
    right = np.where(walking[:, None, None], split, right)
    left = np.roll(right, half, axis=1) * mirror
    grf = np.stack([right, left], axis=2)  # (C, N, 2, 3)

    # legs by forward kinematics, relative to the hips
    angles_r = sampled["angles"]
    angles_l = np.roll(angles_r, half, axis=1)
    angles_l[..., 0] = angles_r[..., 0]  # the pelvis is shared
    angles_l[..., 1] = -angles_r[..., 1]  # own side up
    down = np.arctan2(gravity[:, 1], gravity[:, 0])
    legs = [_leg_points(a, down, body) for a in (angles_r, angles_l)]

    # hips: each stance foot's lowest sole point held on the surface, blended across transfers
    if_walk = np.where(u < 0.5, _smoothstep(u / d), 1.0 - _smoothstep((u - 0.5) / d))
    f = np.where(walking, 1.0, 0.5 - stance)[:, None]
    s_ = stance[:, None]
    if_run = np.where(u < 0.5, 1.0 - _smoothstep((u - s_) / f), _smoothstep((u - 0.5 - s_) / f))
    w_right = np.where(walking[:, None], if_walk, if_run)
    weights = np.stack([w_right, np.roll(w_right, half, axis=1)], axis=2)  # (C, N, 2)
    step = travel * stride_length
    point_r, hold_r = _foot_support(legs[0]["heel"], legs[0]["toe"], stance_frames, step)
    point_l, hold_l = _foot_support(
        np.roll(legs[1]["heel"], -half, axis=1),
        np.roll(legs[1]["toe"], -half, axis=1),
        stance_frames,
        step,
    )
    point_l = np.roll(point_l, half, axis=1)
    hold_l = np.roll(hold_l, half, axis=1) + (0.5 * step)[:, None] - step[:, None] * (u < 0.5)
    points = np.stack([point_r, point_l], axis=2)
    holds = np.stack([hold_r, hold_l], axis=2)
    hip_from = np.stack([holds, np.zeros_like(holds)], axis=-1) - points  # (C, N, 2, 2)
    hip = np.einsum("cns,cnsx->cnx", weights, hip_from)
    slide = np.where(
        np.stack([in_stance, np.roll(in_stance, half, axis=1)], axis=2),
        np.linalg.norm(hip[:, :, None] - hip_from, axis=-1) * (1.0 - weights),
        0.0,
    )

    # absolute leg kinematics, (C, N, side, ...)
    def absolute(key: str) -> FloatArray:
        return np.stack([leg[key] for leg in legs], axis=2) + hip[:, :, None]

    com = np.stack([leg["com"] for leg in legs], axis=2) + hip[:, :, None, None]
    joints = np.stack(
        [
            absolute("ankle"),
            absolute("knee"),
            np.broadcast_to(hip[:, :, None], com[..., 0, :].shape),
        ],
        axis=3,
    )
    segment_angle = np.stack([leg["angle"] for leg in legs], axis=2)
    heel, toe = absolute("heel"), absolute("toe")

    # trunk: nominal above the hips, moved so the body's centre of mass obeys Newton
    leg_mass = body.mass_kg  # (C, 3) per leg
    hat_mass = mass - 2.0 * leg_mass.sum(axis=1)
    tilt = angles_r[..., 0]
    hat_angle = down[:, None] + np.pi - (tilt - tilt.mean(axis=1, keepdims=True))
    hat_nominal = hip + body.hat_above_hip_m[:, None, None] * _unit(hat_angle)
    legs_moment = np.einsum("ck,cnskx->cnx", leg_mass, com)
    time = u * stride_time[:, None]
    progression = np.stack([travel * stride_length / stride_time, np.zeros(c)], axis=-1)
    drift = time[..., None] * progression[:, None, :]
    com_nominal = (legs_moment + hat_mass[:, None, None] * hat_nominal) / mass[:, None, None]
    wobble = _periodic_double_integral(
        total[..., :2] / mass[:, None, None] + gravity[:, None, :], stride_time
    )
    offset = (com_nominal - drift - wobble).mean(axis=1, keepdims=True)
    com_body = wobble + drift + offset
    hat_com = (mass[:, None, None] * com_body - legs_moment) / hat_mass[:, None, None]
    hat_shift = np.linalg.norm(hat_com - hat_nominal, axis=-1)

    # Newton's law for the whole body, periodic spectral derivatives of every centre of mass
    acc_legs = _periodic_second_derivative(com - drift[:, :, None, None], stride_time)
    acc_hat = _periodic_second_derivative(hat_com - drift, stride_time)
    inertial = np.einsum("ck,cnskx->cnx", leg_mass, acc_legs) + hat_mass[:, None, None] * acc_hat
    residual = grf[..., :2].sum(axis=2) - (inertial - mass[:, None, None] * gravity[:, None, :])

    # frontal plane and centre of pressure
    side = np.array([1.0, -1.0])
    rise = np.stack([angles_r[..., 1], angles_l[..., 1]], axis=2)
    adduction = np.stack([angles_r[..., 3], angles_l[..., 3]], axis=2)
    hip_z = side * body.hip_spacing_m[:, None, None] / 2.0
    knee_z = hip_z - side * (hip[:, :, None, 1] - joints[..., 1, 1]) * np.tan(adduction - rise)
    ankle_z = np.broadcast_to(side * body.step_width_m[:, None, None] / 2.0, knee_z.shape)
    joint_z = np.stack([ankle_z, knee_z, np.broadcast_to(hip_z, knee_z.shape)], axis=-1)
    along = np.stack([sampled["cop"], np.roll(sampled["cop"], half, axis=1)], axis=2)
    cop_x = heel[..., 0] + along * (toe[..., 0] - heel[..., 0])
    loaded = grf[..., 1] > 0.0
    cop = np.where(
        loaded[..., None], np.stack([cop_x, np.zeros_like(cop_x), ankle_z], axis=-1), np.nan
    )
    angles = np.concatenate(
        [np.degrees(angles_r)[..., None, :], np.degrees(angles_l)[..., None, :]], axis=2
    )
    return {
        "mass": mass,
        "gravity": gravity,
        "stride_time": stride_time,
        "step": step,
        "leg_mass": leg_mass,
        "leg_inertia": body.inertia_kg_m2,
        "hat_mass": hat_mass,
        "com": com,
        "joints": joints,
        "joint_z": joint_z,
        "segment_angle": segment_angle,
        "heel": heel,
        "toe": toe,
        "hat_com": hat_com,
        "hat_angle": hat_angle,
        "angles": angles,
        "grf": grf,
        "cop": cop,
        "residual": residual,
        "scale": scale,
        "lean": lean,
        "slide": slide.max(axis=(1, 2)),
        "hat_shift_rms": np.sqrt(np.mean(hat_shift**2, axis=1)),
        "hat_shift_max": hat_shift.max(axis=1),
        "min_vertical": grf[..., 1].min(axis=(1, 2)) / weight,
        "tables": np.array(tables),
    }


def _check_cop(pattern: GaitPattern, source: str) -> None:
    """Refuse a pattern whose centre of pressure leaves the sole while the foot is loaded."""
    percent = np.asarray(pattern.percent_cycle, dtype=np.float64)
    cop = np.asarray(pattern.cop_along_foot, dtype=np.float64)
    vertical = np.asarray(pattern.grf_bw["grf_y_bw"], dtype=np.float64)
    loaded = (percent < 100.0 * pattern.stance_fraction) & (vertical > LOADED_FRACTION_BW)
    bad = loaded & ~((cop >= 0.0) & (cop <= 1.0))
    if np.any(bad):
        first = int(np.argmax(bad))
        raise InputError(
            source,
            "cop_along_foot",
            "a centre of pressure under the foot, 0 (heel) to 1 (toe), while the foot is "
            "loaded: the cycle is refused",
            f"{cop[first]:.3g} at {percent[first]:.1f} % of the cycle",
        )


def _filled_cop(pattern: GaitPattern) -> GaitPattern:
    """The pattern with its centre of pressure defined everywhere (held at the nearest loaded
    value where it is NaN; those frames carry no force)."""
    cop = np.asarray(pattern.cop_along_foot, dtype=np.float64)
    finite = np.isfinite(cop)
    if finite.all():
        return pattern
    percent = np.asarray(pattern.percent_cycle, dtype=np.float64)
    filled = np.interp(percent, percent[finite], cop[finite]) if finite.any() else 0.5 + 0 * cop
    return GaitPattern(
        percent_cycle=pattern.percent_cycle,
        stride_time_s=pattern.stride_time_s,
        stride_length_m=pattern.stride_length_m,
        stance_fraction=pattern.stance_fraction,
        angles_deg=pattern.angles_deg,
        grf_bw=pattern.grf_bw,
        cop_along_foot=filled,
        sources=pattern.sources,
    )


def generate_cycle_batch(
    specs: Sequence[GaitSpec],
    patterns: Sequence[GaitPattern] | None = None,
    strides: int = 1,
    frames_per_stride: int = 101,
    anthropometry: str | None = None,
) -> list[GaitCycle]:
    """Gait cycles for many specs at once (vectorised over cases × frames), see the module.

    Parameters
    ----------
    specs : the gaits and subjects
    patterns : one normative pattern per spec; default
        :func:`kneeload.gait.templates.gait_pattern` of each spec
    strides : strides per cycle, >= 1 (each a copy advanced by one stride length)
    frames_per_stride : frames per stride including both contacts (odd, >= 21: the left leg is
        the right one half a stride later, on the frame grid)
    anthropometry : table in ``models/anthropometry``; default de Leva 1996 by the subject's
        sex (``deLeva1996_male`` / ``_female``)

    Returns
    -------
    list of :class:`~kneeload.gait.cycle.GaitCycle`, strides × (frames_per_stride − 1) + 1
    frames each.

    Raises
    ------
    InputError
        Bad strides or frames, a pattern without the needed curves, a stance fraction within
        0.01 of 0.5, or a centre of pressure that leaves the foot while it is loaded.

    References
    ----------
    Ren L, Jones RK, Howard D (2008) Whole body inverse dynamics over a complete gait cycle
    based only on measured kinematics. J Biomech 41:2750-2759. de Leva P (1996) J Biomech
    29:1223. Winter DA (2009) Biomechanics and Motor Control of Human Movement, 4th ed.
    """
    if not (isinstance(strides, int) and strides >= 1):
        raise InputError("--strides", "strides", "a whole number >= 1", str(strides))
    if not (
        isinstance(frames_per_stride, int) and frames_per_stride >= 21 and frames_per_stride % 2
    ):
        raise InputError(
            "generator", "frames_per_stride", "an odd whole number >= 21", str(frames_per_stride)
        )
    if patterns is None:
        from kneeload.gait.templates import gait_pattern

        patterns = [gait_pattern(spec) for spec in specs]
    if len(patterns) != len(specs) or not specs:
        raise InputError(
            "generator", "patterns", f"one pattern per spec ({len(specs)})", str(len(patterns))
        )
    checked = []
    for spec, pattern in zip(specs, patterns, strict=True):
        source = f"gait pattern ({spec.mode} {spec.direction} {spec.speed_m_s:g} m/s)"
        _check_pattern(pattern, source)
        _check_cop(pattern, source)
        checked.append(_filled_cop(pattern))
    out = _batch(specs, checked, frames_per_stride, anthropometry)
    return _cycles(specs, checked, out, strides, frames_per_stride - 1)


def generate_cycles(
    spec: GaitSpec,
    strides: int = 1,
    frames_per_stride: int = 101,
    pattern: GaitPattern | None = None,
    anthropometry: str | None = None,
) -> GaitCycle:
    """One generated gait cycle of ``strides`` strides for ``spec`` (see
    :func:`generate_cycle_batch` and the module for the method)."""
    return generate_cycle_batch(
        [spec],
        None if pattern is None else [pattern],
        strides=strides,
        frames_per_stride=frames_per_stride,
        anthropometry=anthropometry,
    )[0]


def _cycles(
    specs: Sequence[GaitSpec],
    patterns: Sequence[GaitPattern],
    out: dict[str, FloatArray],
    strides: int,
    n: int,
) -> list[GaitCycle]:
    """Tile the periodic stride ``strides`` times (plus the closing frame) and package."""
    frames = strides * n + 1
    index = np.arange(frames)
    k = index % n
    j = index // n
    stride = np.minimum(j + 1, strides).astype(np.int64)
    percent = np.where(index == frames - 1, 100.0, 100.0 * k / n)
    advance = out["step"][:, None] * j[None, :]  # (C, F) along x

    def tiled(key: str, along_x: bool) -> FloatArray:
        values = out[key][:, k]
        if along_x:
            shift = np.zeros(values.shape[-1])
            shift[0] = 1.0
            values = values + advance.reshape(advance.shape + (1,) * (values.ndim - 2)) * shift
        return np.ascontiguousarray(values)

    com = tiled("com", True)
    joints = tiled("joints", True)
    heel, toe = tiled("heel", True), tiled("toe", True)
    hat_com = tiled("hat_com", True)
    cop = tiled("cop", True)
    joint_z = tiled("joint_z", False)
    segment_angle = tiled("segment_angle", False)
    hat_angle = tiled("hat_angle", False)
    angles = tiled("angles", False)
    grf = tiled("grf", False)
    residual = tiled("residual", False)
    time = index[None, :] * (out["stride_time"] / n)[:, None]
    cycles = []
    for i, (spec, pattern) in enumerate(zip(specs, patterns, strict=True)):
        notes: tuple[str, ...] = (
            f"segments: {out['tables'][i]} scaled to {spec.subject.mass_kg:g} kg, "
            f"{spec.subject.height_m:g} m; sole, hips, trunk, step width: models/gait/body.toml",
            "pattern: " + "; ".join(pattern.sources),
            f"ground reaction scaled by {out['scale'][i]:.3f} so its stride mean balances "
            f"gravity, tilted by {math.degrees(math.atan(out['lean'][i])):.2f}° along the surface",
            "stance feet roll on their lowest sole point without slipping in single support; "
            f"across double support/flight the feet slide up to {1e3 * out['slide'][i]:.1f} mm",
            "head-arms-trunk centre of mass moved "
            f"{1e3 * out['hat_shift_rms'][i]:.1f} mm RMS (max {1e3 * out['hat_shift_max'][i]:.1f}"
            " mm) from its place above the hips to close Newton's law for the body",
            "free moments zero; whole-body angular momentum not balanced",
        )
        if out["min_vertical"][i] < -1e-9:
            notes += (
                f"double-support split gives a negative normal force "
                f"({out['min_vertical'][i]:.3f} BW) on one foot",
            )
        angle_map = {name: angles[i, :, :, PATTERN_ANGLES.index(name)] for name in LEG_ANGLES}
        angle_map["pelvis_tilt_deg"] = angles[i, :, 0, 0]
        angle_map["pelvis_obliquity_deg"] = angles[i, :, 0, 1]
        cycles.append(
            GaitCycle(
                time_s=time[i],
                stride=stride,
                percent_cycle=percent,
                spec=spec,
                body_mass_kg=float(out["mass"][i]),
                segment_mass_kg=out["leg_mass"][i],
                segment_inertia_kg_m2=out["leg_inertia"][i],
                hat_mass_kg=float(out["hat_mass"][i]),
                com_m=com[i],
                joint_m=joints[i],
                joint_z_m=joint_z[i],
                segment_angle_rad=segment_angle[i],
                heel_m=heel[i],
                toe_m=toe[i],
                hat_com_m=hat_com[i],
                hat_angle_rad=hat_angle[i],
                angles_deg=angle_map,
                grf_n=grf[i],
                cop_m=cop[i],
                free_moment_nm=np.zeros_like(grf[i]),
                gravity_m_s2=(float(out["gravity"][i, 0]), float(out["gravity"][i, 1])),
                newton_residual_n=residual[i],
                notes=notes,
            )
        )
    return cycles
