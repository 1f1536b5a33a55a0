"""Gait cycles generated from a normative pattern, dynamically consistent (DESIGN.md §4.2).

Method (one numba kernel per periodic stride, in parallel over cases; further strides are
copies advanced by one stride length):

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
   the surface (y = 0), which leaves the stance foot still to rounding. Across each transfer
   (double support, or a running flight) the hip position is the blend of the positions each
   leg implies, weighted by a C² quintic smooth step centred on the transfer and lasting the
   transfer or :data:`MIN_TRANSFER_FRACTION` of the stride, whichever is longer, so the hips
   accelerate continuously; there the feet slide by the two legs' disagreement times the other
   foot's weight (measured and reported in the notes). Footholds advance half a stride a step.
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
   M·a_com = ΣGRF + M·g. Its trajectory is the periodic discrete double integral of
   (ΣGRF/M + g), whose central second difference is exactly that acceleration at every frame,
   plus the travel; the HAT centre of mass is placed
   where it brings the body's centre of mass onto that trajectory (its mean offset from the
   nominal trunk position above the hips is zero; the RMS offset is reported). So the ground
   reaction keeps the measured shapes and the legs keep planted feet, and Newton's law for
   the whole body holds: the stored residual Σ F_ext − (Σ mᵢaᵢ − M g), with periodic central
   second differences of every segment's centre of mass, is rounding (and with NumPy's
   gradient, 0.2 % BW at 201 frames per stride, tests/gait). Whole-body angular momentum is
   not balanced (the centre of pressure comes from the pattern).
6. **Centre of pressure** on the surface along the foot's sole projection, heel → toe by the
   pattern's ``cop_along_foot`` (heel → toe forward, toe → heel backward); a pattern whose
   centre of pressure leaves the sole (outside 0..1 while the foot is loaded) is refused.
   Frontal plane: hip joint centres ± half the hip spacing, feet on lines ± half the step
   width, knee displaced medially from the hip by the thigh's frontal inclination (hip
   adduction minus the own-side pelvic rise); the centre of pressure on the foot's midline.
   Measured (markers and plates of Grand Challenge JW og1/og3/og7, Fukuchi WBDS01, OpenSim
   subject01): the knee lies 8-44 mm medial of the hip at the first KAM peak; the centre of
   pressure lies within 10 mm of the ankle centre's mediolateral position at 15 % of the cycle
   in JW and Fukuchi (subject01: 20 mm lateral) and drifts laterally along the toed-out foot
   (9-17°) later in stance, which is not modelled; the knee-to-centre-of-pressure distance
   that sets the KAM is within the measured range at 15 % and 45 % of the cycle.
   Free moments are zero.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import Any

import numpy as np
from numba import njit
from numpy.typing import NDArray

from kneeload._threads import over_cases
from kneeload.config import BATCH_ERROR_MODEL, FASTMATH_FLAGS, NUMBA_CACHE, STANDARD_GRAVITY_M_S2
from kneeload.exceptions import InputError
from kneeload.gait.condition_effects import apply_knee_flexion_reduction, knee_lateral_offsets_m
from kneeload.gait.cycle import CYCLE_SIDES, LEG_ANGLES, GaitCycle
from kneeload.gait.pattern import PATTERN_ANGLES, PATTERN_GRF, GaitPattern
from kneeload.gait.spec import GaitSpec

FloatArray = NDArray[np.float64]

#: share of body weight above which a foot counts as loaded for the centre-of-pressure check
LOADED_FRACTION_BW = 0.01
#: shortest transfer of the hips from one foot to the other, fraction of the stride (design
#: choice: bounds the hip accelerations when double support or flight are brief; the feet slide
#: for the part of it that reaches into single support)
MIN_TRANSFER_FRACTION = 0.1
#: Ren, Jones & Howard 2008 anterior-force transition constants
_REN_K1 = math.exp(4.0 / 9.0)
_REN_K2 = _REN_K1 * math.exp(-16.0 / 9.0) / 2.0
#: degrees per radian (as numpy.degrees multiplies)
_DEG_PER_RAD = 180.0 / math.pi
#: pattern angle rows of the cycle's LEG_ANGLES
_LEG_ROWS = tuple(PATTERN_ANGLES.index(name) for name in LEG_ANGLES)
#: a pattern's curves as the kernel takes them: PATTERN_ANGLES, PATTERN_GRF, CoP along the foot
_ANGLE_CURVES = itemgetter(*PATTERN_ANGLES)
_GRF_CURVES = itemgetter(*PATTERN_GRF)
_CURVES = len(PATTERN_ANGLES) + len(PATTERN_GRF) + 1


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


@njit(cache=NUMBA_CACHE, fastmath=FASTMATH_FLAGS)
def _wrap(k: int, n: int) -> int:
    """k modulo n for −n <= k < 2n (frames of a periodic stride; cheaper than an integer %)."""
    if k < 0:
        return k + n
    return k - n if k >= n else k


@njit(cache=NUMBA_CACHE, fastmath=FASTMATH_FLAGS)
def _smoothstep(u: float) -> float:
    """Quintic smooth step 10u³ − 15u⁴ + 6u⁵, clipped to [0, 1] (zero first and second
    derivatives at both ends, so the hips accelerate continuously)."""
    v = min(max(u, 0.0), 1.0)
    return v * v * v * (10.0 - 15.0 * v + 6.0 * v * v)


@njit(cache=NUMBA_CACHE, fastmath=FASTMATH_FLAGS)
def _ren_share(tau: float, component: int) -> float:
    """Trailing-foot share of a force component over double support, τ = t / T_ds (Ren, Jones
    & Howard 2008): anterior (component 0) k₁exp(−(2(τ − 1/3))²) − 2k₂τ; normal and
    mediolateral exp(−(2τ)³), renormalised to reach 0 at τ = 1. Both are 1 at τ = 0."""
    t = min(max(tau, 0.0), 1.0)
    if component == 0:
        return _REN_K1 * math.exp(-((2.0 * (t - 1.0 / 3.0)) ** 2)) - 2.0 * _REN_K2 * t
    floor = math.exp(-8.0)
    return (math.exp(-((2.0 * t) ** 3)) - floor) / (1.0 - floor)


@njit(cache=NUMBA_CACHE, fastmath=FASTMATH_FLAGS)
def _stride(
    curves: np.ndarray,
    scalars: np.ndarray,
    geometry: np.ndarray,
    com: np.ndarray,
    joints: np.ndarray,
    joint_z: np.ndarray,
    segment_angle: np.ndarray,
    sole: np.ndarray,
    hat: np.ndarray,
    grf: np.ndarray,
    cop: np.ndarray,
    residual: np.ndarray,
    leg_angles: np.ndarray,
    pelvis: np.ndarray,
    stats: np.ndarray,
) -> None:
    """One periodic stride of one case (see the module docstring); writes the outputs.

    curves (10, ≥ N), frames 0..N−1 used: right-leg (and pelvis) angles [rad] in
    PATTERN_ANGLES order, ground reaction [BW] in PATTERN_GRF order, CoP along the foot;
    scalars: stride time [s], stride length [m], stance fraction, body mass [kg], gravity x,
    y [m/s²], travel sign, g0 [m/s²]; geometry: foot, shank, thigh lengths [m], masses [kg],
    centre-of-mass fractions, foot centre of mass from the heel (1) or the ankle (0), heel-toe
    length, ankle height [m], ankle from heel [-], hip spacing, trunk centre of mass above the
    hips, step width [m]. Outputs over N + 1 frames (the last closes the stride: the first
    a stride further along x), (N + 1, side, ...): com (3 segments, 2), joints (ankle, knee,
    hip; 2), joint_z (3), segment_angle (3), sole (heel, toe; 2), grf (3), cop (3),
    leg_angles (N + 1, LEG_ANGLES, side) [deg]; hat (N + 1, 3: x, y, angle), residual
    (N + 1, 2), pelvis (N + 1, 2: tilt, obliquity) [deg]; stats (6: scale, lean, slide,
    trunk shift RMS and max, lowest normal force [BW]).
    """
    n = com.shape[0] - 1
    half = n // 2
    stride_time, stride_length, stance, mass = scalars[0], scalars[1], scalars[2], scalars[3]
    gx, gy, travel, g0 = scalars[4], scalars[5], scalars[6], scalars[7]
    length = geometry[0:3]
    seg_mass = geometry[3:6]
    com_fraction = geometry[6:9]
    from_heel = geometry[9] > 0.5
    foot_length, ankle_height, ankle_from_heel = geometry[10], geometry[11], geometry[12]
    hip_spacing, hat_above, step_width = geometry[13], geometry[14], geometry[15]
    weight = mass * g0
    n_stance = math.ceil(stance * n - 1e-9)
    walking = stance > 0.5
    step = travel * stride_length
    h = stride_time / n

    # ground reaction: right foot, left half a stride later (mediolateral mirrored)
    right = np.zeros((n, 3))
    for k in range(n_stance):
        for j in range(3):
            right[k, j] = curves[6 + j, k] * weight
    total = np.empty((n, 3))
    for k in range(n):
        kk = _wrap(k - half, n)
        total[k, 0] = right[k, 0] + right[kk, 0]
        total[k, 1] = right[k, 1] + right[kk, 1]
        total[k, 2] = right[k, 2] - right[kk, 2]
    scale = -mass * gy / np.mean(total[:, 1])
    right *= scale
    total *= scale
    lean = (-mass * gx - np.mean(total[:, 0])) / np.mean(total[:, 1])
    for k in range(n):
        right[k, 0] += lean * right[k, 1]
        total[k, 0] += lean * total[k, 1]
    if walking:
        d = stance - 0.5
        for k in range(n):
            u = k / n
            for j in range(3):
                if u < d:
                    right[k, j] = total[k, j] - total[0, j] * _ren_share(u / d, j)
                elif u < 0.5:
                    right[k, j] = total[k, j]
                elif u < stance:
                    right[k, j] = total[half, j] * _ren_share((u - 0.5) / d, j)
                else:
                    right[k, j] = 0.0
    lowest = np.inf
    for k in range(n):
        kk = _wrap(k - half, n)
        for j in range(3):
            grf[k, 0, j] = right[k, j]
            grf[k, 1, j] = right[kk, j] if j < 2 else -right[kk, j]
        lowest = min(lowest, grf[k, 0, 1] / weight, grf[k, 1, 1] / weight)

    # legs by forward kinematics relative to the hips; points: ankle, knee, heel, toe
    down = math.atan2(gy, gx)
    toe_to_ankle = math.atan2(ankle_height, -(1.0 - ankle_from_heel) * foot_length)
    rel = np.empty((n, 2, 4, 2))
    rel_com = np.empty((n, 2, 3, 2))
    mean_tilt = np.mean(curves[0, :n])
    for k in range(n):
        tilt = curves[0, k]
        for side in range(2):
            kk = _wrap(k - side * half, n)
            thigh = down + curves[2, kk] - tilt
            shank = thigh - curves[4, kk]
            foot = shank + 0.5 * math.pi + curves[5, kk]
            kx, ky = length[2] * math.cos(thigh), length[2] * math.sin(thigh)
            ax, ay = kx + length[1] * math.cos(shank), ky + length[1] * math.sin(shank)
            ux, uy = math.cos(foot), math.sin(foot)
            nx, ny = uy, -ux  # sole normal, pointing down
            hx = ax - ankle_from_heel * foot_length * ux + ankle_height * nx
            hy = ay - ankle_from_heel * foot_length * uy + ankle_height * ny
            tx = ax + (1.0 - ankle_from_heel) * foot_length * ux + ankle_height * nx
            ty = ay + (1.0 - ankle_from_heel) * foot_length * uy + ankle_height * ny
            if from_heel:
                fx, fy = hx + com_fraction[0] * (tx - hx), hy + com_fraction[0] * (ty - hy)
            else:
                reach = math.hypot(tx - ax, ty - ay)
                fx = ax + com_fraction[0] * length[0] * (tx - ax) / reach
                fy = ay + com_fraction[0] * length[0] * (ty - ay) / reach
            rel[k, side, 0, 0], rel[k, side, 0, 1] = ax, ay
            rel[k, side, 1, 0], rel[k, side, 1, 1] = kx, ky
            rel[k, side, 2, 0], rel[k, side, 2, 1] = hx, hy
            rel[k, side, 3, 0], rel[k, side, 3, 1] = tx, ty
            rel_com[k, side, 0, 0], rel_com[k, side, 0, 1] = fx, fy
            rel_com[k, side, 1, 0] = kx + com_fraction[1] * (ax - kx)
            rel_com[k, side, 1, 1] = ky + com_fraction[1] * (ay - ky)
            rel_com[k, side, 2, 0] = com_fraction[2] * kx
            rel_com[k, side, 2, 1] = com_fraction[2] * ky
            segment_angle[k, side, 0] = foot + toe_to_ankle
            segment_angle[k, side, 1] = shank + math.pi
            segment_angle[k, side, 2] = thigh + math.pi
        hat[k, 2] = down + math.pi - (tilt - mean_tilt)

    # hips: the held sole point of each foot on the surface, blended across transfers
    hip_from = np.empty((n, 2, 2))
    weights = np.empty((n, 2))
    window = max(abs(stance - 0.5), MIN_TRANSFER_FRACTION)
    for side in range(2):
        k_on = _wrap(side * half, n)
        k_off = _wrap(n_stance - 1 + side * half, n)
        toe_on = rel[k_on, side, 3, 1] < rel[k_on, side, 2, 1]
        toe_off = rel[k_off, side, 3, 1] < rel[k_off, side, 2, 1]
        for k in range(n):
            v = _wrap(k - side * half, n)
            if v < n_stance:
                on_toe = rel[k, side, 3, 1] < rel[k, side, 2, 1]
                hold = 0.0
            elif 2 * v < n + n_stance:  # first half of the time off the ground
                on_toe = toe_off
                hold = 0.0
            else:
                on_toe = toe_on
                hold = step
            if on_toe:  # the toe's foothold is one foot length ahead of the heel's
                hold += foot_length
            if side == 1:
                hold += 0.5 * step - (step if k < half else 0.0)
            point = 3 if on_toe else 2
            hip_from[k, side, 0] = hold - rel[k, side, point, 0]
            hip_from[k, side, 1] = -rel[k, side, point, 1]
            # phase from the middle of the transfer onto this foot (double support or flight)
            psi = v / n - 0.5 * (stance - 0.5) + 0.5
            psi = (psi - math.floor(psi)) - 0.5  # (…) mod 1 − 0.5
            if abs(psi) < 0.25:
                weights[k, side] = _smoothstep(psi / window + 0.5)
            else:
                weights[k, side] = 1.0 - _smoothstep((psi - math.copysign(0.5, psi)) / window + 0.5)
    slide = 0.0
    hip = np.empty((n, 2))
    for k in range(n):
        for x in range(2):
            hip[k, x] = weights[k, 0] * hip_from[k, 0, x] + weights[k, 1] * hip_from[k, 1, x]
        for side in range(2):
            if _wrap(k - side * half, n) < n_stance:
                gap = math.hypot(hip[k, 0] - hip_from[k, side, 0], hip[k, 1] - hip_from[k, side, 1])
                slide = max(slide, gap)

    # absolute kinematics, the trunk's nominal place and the body's centre of mass
    legs = np.zeros((n, 2))
    hat_nominal = np.empty((n, 2))
    for k in range(n):
        for side in range(2):
            for x in range(2):
                joints[k, side, 0, x] = hip[k, x] + rel[k, side, 0, x]
                joints[k, side, 1, x] = hip[k, x] + rel[k, side, 1, x]
                joints[k, side, 2, x] = hip[k, x]
                sole[k, side, 0, x] = hip[k, x] + rel[k, side, 2, x]
                sole[k, side, 1, x] = hip[k, x] + rel[k, side, 3, x]
                for s in range(3):
                    com[k, side, s, x] = hip[k, x] + rel_com[k, side, s, x]
                    legs[k, x] += seg_mass[s] * com[k, side, s, x]
        hat_nominal[k, 0] = hip[k, 0] + hat_above * math.cos(hat[k, 2])
        hat_nominal[k, 1] = hip[k, 1] + hat_above * math.sin(hat[k, 2])
    hat_mass = mass - 2.0 * (seg_mass[0] + seg_mass[1] + seg_mass[2])
    speed = step / stride_time

    # the body's centre of mass: periodic discrete double integral of ΣGRF/M + g, whose
    # central second difference is exactly that acceleration, plus the travel
    for x in range(2):
        g = gx if x == 0 else gy
        acc = np.empty(n)
        for k in range(n):
            acc[k] = total[k, x] / mass + g
        cumulative = np.zeros(n)
        for k in range(1, n):
            cumulative[k] = cumulative[k - 1] + acc[k]
        first = -h * h * np.mean(cumulative)
        position = np.zeros(n)
        for k in range(1, n):
            position[k] = position[k - 1] + first + h * h * cumulative[k - 1]
        offset = 0.0
        for k in range(n):
            drift = speed * k * h if x == 0 else 0.0
            offset += ((legs[k, x] + hat_mass * hat_nominal[k, x]) / mass - drift - position[k]) / n
        for k in range(n):
            drift = speed * k * h if x == 0 else 0.0
            body = position[k] + drift + offset
            hat[k, x] = (mass * body - legs[k, x]) / hat_mass
        # Newton for the whole body: Σ mᵢ aᵢ by periodic central differences of Σ mᵢ (pᵢ − drift)
        for k in range(n):
            before, after = _wrap(k - 1, n), _wrap(k + 1, n)
            moment_before = legs[before, x] + hat_mass * hat[before, x]
            moment_here = legs[k, x] + hat_mass * hat[k, x]
            moment_after = legs[after, x] + hat_mass * hat[after, x]
            if x == 0:  # remove the travel, which has no acceleration
                moment_before -= mass * speed * (k - 1) * h
                moment_here -= mass * speed * k * h
                moment_after -= mass * speed * (k + 1) * h
                if k == 0:  # one stride earlier
                    moment_before -= mass * step
                if k == n - 1:  # one stride later
                    moment_after += mass * step
            inertial = (moment_after - 2.0 * moment_here + moment_before) / (h * h)
            residual[k, x] = grf[k, 0, x] + grf[k, 1, x] - (inertial - mass * g)
    shift_sq = 0.0
    shift_max = 0.0
    for k in range(n):
        shift = math.hypot(hat[k, 0] - hat_nominal[k, 0], hat[k, 1] - hat_nominal[k, 1])
        shift_sq += shift * shift / n
        shift_max = max(shift_max, shift)

    # frontal plane and centre of pressure
    for k in range(n):
        for side in range(2):
            sign = 1.0 if side == 0 else -1.0
            kk = _wrap(k - side * half, n)
            rise = sign * curves[1, k]
            hip_z = sign * 0.5 * hip_spacing
            drop = hip[k, 1] - joints[k, side, 1, 1]
            joint_z[k, side, 2] = hip_z
            # the thigh's frontal inclination, knee medial +: hip adduction (relative to the
            # pelvis) minus the own side's pelvic rise; signs checked against gait2392's joint
            # axes and measured knees in tests/gait/test_frontal_pattern.py
            joint_z[k, side, 1] = hip_z - sign * drop * math.tan(curves[3, kk] - rise)
            joint_z[k, side, 0] = sign * 0.5 * step_width
            if grf[k, side, 1] > 0.0:
                heel_x, toe_x = sole[k, side, 0, 0], sole[k, side, 1, 0]
                cop[k, side, 0] = heel_x + curves[9, kk] * (toe_x - heel_x)
                cop[k, side, 1] = 0.0
                cop[k, side, 2] = joint_z[k, side, 0]
            else:
                cop[k, side, 0] = np.nan
                cop[k, side, 1] = np.nan
                cop[k, side, 2] = np.nan
    stats[0] = scale
    stats[1] = lean
    stats[2] = slide
    stats[3] = math.sqrt(shift_sq)
    stats[4] = shift_max
    stats[5] = lowest

    # the closing frame: the first one, a stride further along x
    for side in range(2):
        for j in range(3):
            joint_z[n, side, j] = joint_z[0, side, j]
            segment_angle[n, side, j] = segment_angle[0, side, j]
            grf[n, side, j] = grf[0, side, j]
            cop[n, side, j] = cop[0, side, j]
            for x in range(2):
                com[n, side, j, x] = com[0, side, j, x]
                joints[n, side, j, x] = joints[0, side, j, x]
            com[n, side, j, 0] += step
            joints[n, side, j, 0] += step
        for p in range(2):
            for x in range(2):
                sole[n, side, p, x] = sole[0, side, p, x]
            sole[n, side, p, 0] += step
        cop[n, side, 0] += step
    for j in range(3):
        hat[n, j] = hat[0, j]
    hat[n, 0] += step
    for x in range(2):
        residual[n, x] = residual[0, x]
    # joint angles [deg], the left leg's the right's half a stride later
    for k in range(n + 1):
        kk = _wrap(k, n)
        pelvis[k, 0] = curves[0, kk] * _DEG_PER_RAD
        pelvis[k, 1] = curves[1, kk] * _DEG_PER_RAD
        for a in range(len(_LEG_ROWS)):
            leg_angles[k, a, 0] = curves[_LEG_ROWS[a], kk] * _DEG_PER_RAD
            leg_angles[k, a, 1] = curves[_LEG_ROWS[a], _wrap(kk - half, n)] * _DEG_PER_RAD


@njit(cache=NUMBA_CACHE, fastmath=FASTMATH_FLAGS, nogil=True, error_model=BATCH_ERROR_MODEL)
def _stride_batch(
    start: int,
    stop: int,
    curves: np.ndarray,
    scalars: np.ndarray,
    geometry: np.ndarray,
    com: np.ndarray,
    joints: np.ndarray,
    joint_z: np.ndarray,
    segment_angle: np.ndarray,
    sole: np.ndarray,
    hat: np.ndarray,
    grf: np.ndarray,
    cop: np.ndarray,
    residual: np.ndarray,
    leg_angles: np.ndarray,
    pelvis: np.ndarray,
    stats: np.ndarray,
) -> None:
    """:func:`_stride` for cases ``start`` to ``stop − 1`` (first axis); serial, without the
    GIL (:func:`kneeload._threads.over_cases` runs blocks of cases on threads)."""
    for c in range(start, stop):
        _stride(
            curves[c],
            scalars[c],
            geometry[c],
            com[c],
            joints[c],
            joint_z[c],
            segment_angle[c],
            sole[c],
            hat[c],
            grf[c],
            cop[c],
            residual[c],
            leg_angles[c],
            pelvis[c],
            stats[c],
        )


def _source(spec: GaitSpec) -> str:
    """Where an error in the pattern of ``spec`` is reported."""
    return f"gait pattern ({spec.mode} {spec.direction} {spec.speed_m_s:g} m/s)"


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


def _gather(patterns: Sequence[GaitPattern]) -> tuple[list[FloatArray], NDArray[np.bool_]]:
    """The curves of every pattern in kernel row order (PATTERN_ANGLES, PATTERN_GRF, CoP
    along the foot), _CURVES a pattern in one flat list, and which patterns lack an angle or
    a GRF component (their curves are left out: such a batch is refused)."""
    rows: list[FloatArray] = []
    missing = np.zeros(len(patterns), dtype=bool)
    for i, pattern in enumerate(patterns):
        try:
            rows.extend(
                (
                    *_ANGLE_CURVES(pattern.angles_deg),
                    *_GRF_CURVES(pattern.grf_bw),
                    pattern.cop_along_foot,
                )
            )
        except KeyError:
            missing[i] = True
    return rows, missing


def _percent_groups(patterns: Sequence[GaitPattern]) -> tuple[list[FloatArray], NDArray[np.intp]]:
    """The distinct ``percent_cycle`` grids of the patterns and the group of each pattern
    (patterns sharing one grid array, as :func:`~kneeload.gait.templates.gait_patterns` gives
    them, are grouped without comparing values)."""
    grids: list[FloatArray] = []
    by_value: dict[bytes, int] = {}
    by_id: dict[int, int] = {}  # the patterns hold their grids, so ids are not reused
    group = np.empty(len(patterns), dtype=np.intp)
    for i, pattern in enumerate(patterns):
        label = by_id.get(id(pattern.percent_cycle))
        if label is None:
            grid = np.asarray(pattern.percent_cycle, dtype=np.float64)
            label = by_value.setdefault(grid.tobytes(), len(grids))
            if label == len(grids):
                grids.append(grid)
            by_id[id(pattern.percent_cycle)] = label
        group[i] = label
    return grids, group


def _resample(
    patterns: Sequence[GaitPattern],
    rows: list[FloatArray],
    stance: FloatArray,
    n: int,
    specs: Sequence[GaitSpec],
) -> FloatArray:
    """Every pattern's curves (``rows``, from :func:`_gather`) at frames 0..n−1 over [0, 100) %,
    stacked (C, _CURVES, ≥ n), columns from n on unused: angles [rad] in PATTERN_ANGLES order,
    GRF [BW] in PATTERN_GRF order, CoP along the foot. One array operation per distinct
    ``percent_cycle`` grid.

    Refuses a centre of pressure outside the sole (0..1) while the foot is loaded (normal force
    above LOADED_FRACTION_BW in stance); where it is undefined and the foot is not loaded it
    is put mid-foot (such frames carry at most LOADED_FRACTION_BW).
    """
    grids, group = _percent_groups(patterns)
    if len(grids) == 1:
        return _on_frames(grids[0], np.array(rows, dtype=np.float64), stance, n, specs)
    out = np.empty((len(patterns), _CURVES, n))
    for label, grid in enumerate(grids):
        members = np.flatnonzero(group == label)
        curves = [rows[_CURVES * int(i) + r] for i in members for r in range(_CURVES)]
        sampled = _on_frames(
            grid,
            np.array(curves, dtype=np.float64),
            stance[members],
            n,
            [specs[int(i)] for i in members],
        )
        out[members] = sampled[:, :, :n]
    return out


def _on_frames(
    percent: FloatArray,
    rows: FloatArray,
    stance: FloatArray,
    n: int,
    specs: Sequence[GaitSpec],
) -> FloatArray:
    """:func:`_resample` for patterns sharing one grid ``percent`` (P,); ``rows`` (C·_CURVES, P)
    in degrees, a fresh array that is converted in place."""
    grid = rows.reshape(len(specs), _CURVES, -1)
    if grid.shape[2] != percent.size:
        raise InputError(
            _source(specs[0]),
            "percent_cycle",
            f"one point per point of the curves ({grid.shape[2]})",
            str(percent.size),
        )
    cop = grid[:, _CURVES - 1]
    loaded = (percent[None, :] < 100.0 * stance[:, None]) & (
        grid[:, len(PATTERN_ANGLES) + 1] > LOADED_FRACTION_BW
    )
    bad = loaded & ~((cop >= 0.0) & (cop <= 1.0))
    if np.any(bad):
        case, point = np.argwhere(bad)[0]
        raise InputError(
            _source(specs[case]),
            "cop_along_foot",
            "a centre of pressure under the foot, 0 (heel) to 1 (toe), while the foot is "
            "loaded: the cycle is refused",
            f"{cop[case, point]:.3g} at {percent[point]:.1f} % of the cycle",
        )
    np.copyto(cop, 0.5, where=~np.isfinite(cop))
    angles = grid[:, : len(PATTERN_ANGLES)]
    np.radians(angles, out=angles)
    target = 100.0 * np.arange(n) / n
    if percent.size == n + 1 and np.allclose(percent[:-1], target):
        return grid  # the pattern's own grid
    index = np.clip(np.searchsorted(percent, target, side="right") - 1, 0, percent.size - 2)
    weight = (target - percent[index]) / (percent[index + 1] - percent[index])
    return grid[:, :, index] * (1.0 - weight) + grid[:, :, index + 1] * weight


def _batch(
    specs: Sequence[GaitSpec],
    curves: FloatArray,
    timing: FloatArray,
    n: int,
    anthropometry: str | None,
) -> dict[str, FloatArray]:
    """Arrays of one periodic stride and its closing frame for every case, (C, n + 1, ...),
    from the resampled ``curves`` (C, _CURVES, ≥ n) and ``timing`` (C, 3: stride time [s],
    stride length [m], stance fraction)."""
    c = len(specs)
    mass = np.array([s.subject.mass_kg for s in specs])
    height = np.array([s.subject.height_m for s in specs])
    gravity = np.array([s.gravity_m_s2() for s in specs])
    travel = np.array([s.travel_sign for s in specs])
    stride_time, stride_length, stance = timing[:, 0], timing[:, 1], timing[:, 2]
    tables = [anthropometry or f"deLeva1996_{s.subject.sex}" for s in specs]
    geometry = np.empty((c, 16))
    inertia = np.empty((c, 3))
    for table in set(tables):
        rows = np.array([t == table for t in tables])
        body = _body(table, mass[rows], height[rows], stance[rows] < 0.5)
        geometry[rows] = np.column_stack(
            [
                body.length_m,
                body.mass_kg,
                body.com_fraction,
                np.full(len(body.mass_kg), 1.0 if body.foot_com_from_heel else 0.0),
                body.foot_length_m,
                body.ankle_height_m,
                np.full(len(body.mass_kg), body.ankle_from_heel),
                body.hip_spacing_m,
                body.hat_above_hip_m,
                body.step_width_m,
            ]
        )
        inertia[rows] = body.inertia_kg_m2
    scalars = np.column_stack(
        [
            stride_time,
            stride_length,
            stance,
            mass,
            gravity,
            travel,
            np.full(c, STANDARD_GRAVITY_M_S2),
        ]
    )
    shapes = {
        "com": (2, 3, 2),
        "joints": (2, 3, 2),
        "joint_z": (2, 3),
        "segment_angle": (2, 3),
        "sole": (2, 2, 2),
        "hat": (3,),
        "grf": (2, 3),
        "cop": (2, 3),
        "residual": (2,),
        "leg_angles": (len(LEG_ANGLES), 2),
        "pelvis": (2,),
    }
    out = {key: np.empty((c, n + 1, *shape)) for key, shape in shapes.items()}
    stats = np.empty((c, 6))
    over_cases(
        _stride_batch,
        c,
        np.ascontiguousarray(curves),
        scalars,
        geometry,
        out["com"],
        out["joints"],
        out["joint_z"],
        out["segment_angle"],
        out["sole"],
        out["hat"],
        out["grf"],
        out["cop"],
        out["residual"],
        out["leg_angles"],
        out["pelvis"],
        stats,
    )
    # a knee condition's varus (valgus) alignment moves the knee laterally (medially)
    offset = knee_lateral_offsets_m(specs, geometry[:, 2], geometry[:, 1])
    if np.any(offset):
        out["joint_z"][..., 1] += offset[:, None, None] * np.array([1.0, -1.0])
    leg_mass = geometry[:, 3:6]
    return {
        **out,
        "mass": mass,
        "gravity": gravity,
        "stride_time": stride_time,
        "step": travel * stride_length,
        "leg_mass": leg_mass,
        "leg_inertia": inertia,
        "hat_mass": mass - 2.0 * leg_mass.sum(axis=1),
        "heel": out["sole"][:, :, :, 0],
        "toe": out["sole"][:, :, :, 1],
        "hat_com": out["hat"][..., :2],
        "hat_angle": out["hat"][..., 2],
        "scale": stats[:, 0],
        "lean": stats[:, 1],
        "slide": stats[:, 2],
        "hat_shift_rms": stats[:, 3],
        "hat_shift_max": stats[:, 4],
        "min_vertical": stats[:, 5],
        "tables": np.array(tables),
    }


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
        :func:`kneeload.gait.templates.gait_patterns` of the specs
    strides : strides per cycle, >= 1 (each a copy advanced by one stride length)
    frames_per_stride : frames per stride including both contacts (odd, >= 21: the left leg is
        the right one half a stride later, on the frame grid)
    anthropometry : table in ``models/anthropometry``; default de Leva 1996 by the subject's
        sex (``deLeva1996_male`` / ``_female``)

    Returns
    -------
    list of :class:`~kneeload.gait.cycle.GaitCycle`, strides × (frames_per_stride − 1) + 1
    frames each. Their arrays are views of arrays stacked over the batch; ``stride``,
    ``percent_cycle`` and the (zero, read-only) ``free_moment_nm`` are shared by all.

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
    sources, out, n = _periodic(specs, patterns, strides, frames_per_stride, anthropometry)
    return _cycles(specs, sources, out, strides, n)


def generate_right_legs(specs: Sequence[GaitSpec], strides: int = 1) -> dict[str, Any]:
    """The fields of ``cycle.leg("right")`` (:meth:`~kneeload.gait.cycle.GaitCycle.leg`) of
    every cycle of ``generate_cycle_batch(specs, strides=strides)``, stacked (C, ...), to the
    bit: ``joint_angle_deg`` a dict of (C, F) arrays, ``body_mass_kg`` (C,), ``gravity_m_s2``
    (C, 2); no cycle, no left leg and no trunk is packaged (the batched pipeline's route,
    :func:`kneeload.batch.simulate_batch`).

    Raises
    ------
    InputError
        As :func:`generate_cycle_batch`.
    """
    _, out, n = _periodic(specs, None, strides, 101, None)
    return _right_legs(out, strides, n)


def _periodic(
    specs: Sequence[GaitSpec],
    patterns: Sequence[GaitPattern] | None,
    strides: int,
    frames_per_stride: int,
    anthropometry: str | None,
) -> tuple[Sequence[tuple[str, ...]], dict[str, FloatArray], int]:
    """The patterns' sources, the arrays of one periodic stride of every case
    (:func:`_batch`) and the frames per stride n, for :func:`generate_cycle_batch`'s
    arguments (checked)."""
    if not (isinstance(strides, int) and strides >= 1):
        raise InputError("--strides", "strides", "a whole number >= 1", str(strides))
    if not (
        isinstance(frames_per_stride, int) and frames_per_stride >= 21 and frames_per_stride % 2
    ):
        raise InputError(
            "generator", "frames_per_stride", "an odd whole number >= 21", str(frames_per_stride)
        )
    n = frames_per_stride - 1
    if patterns is None and specs:
        from kneeload.gait.templates import gait_patterns, pattern_arrays

        arrays = pattern_arrays(specs)  # no per-spec GaitPattern on the default path
        timing = np.column_stack(
            [arrays.stride_time_s, arrays.stride_length_m, arrays.stance_fraction]
        )
        if not np.any(_refused(timing)):
            curves = _on_frames(
                arrays.percent_cycle,
                arrays.curves.reshape(-1, arrays.percent_cycle.size),
                arrays.stance_fraction,
                n,
                specs,
            )
            return arrays.sources, _generated(specs, curves, timing, n, anthropometry), n
        patterns = gait_patterns(specs)  # a refused pattern, reported below
    elif patterns is None:
        patterns = []
    if len(patterns) != len(specs) or not specs:
        raise InputError(
            "generator", "patterns", f"one pattern per spec ({len(specs)})", str(len(patterns))
        )
    timing = np.array(
        [(p.stride_time_s, p.stride_length_m, p.stance_fraction) for p in patterns],
        dtype=np.float64,
    )
    rows, missing = _gather(patterns)
    for i in np.flatnonzero(missing | _refused(timing)).tolist():  # the first raises
        _check_pattern(patterns[i], _source(specs[i]))
    curves = _resample(patterns, rows, timing[:, 2], n, specs)
    sources = [p.sources for p in patterns]
    return sources, _generated(specs, curves, timing, n, anthropometry), n


def _refused(timing: FloatArray) -> NDArray[np.bool_]:
    """Cases whose ``timing`` (C, 3: stride time [s], stride length [m], stance fraction) the
    generator refuses (:func:`_check_pattern` says why)."""
    stride_time, stride_length, stance = timing.T
    return (
        ~((0.0 < stance) & (stance < 1.0))
        | (np.abs(stance - 0.5) < 0.01)
        | ~((stride_time > 0.0) & (stride_length > 0.0))
    )


def _generated(
    specs: Sequence[GaitSpec],
    curves: FloatArray,
    timing: FloatArray,
    n: int,
    anthropometry: str | None,
) -> dict[str, FloatArray]:
    """The periodic strides (:func:`_batch`) from the resampled ``curves``
    (:func:`_resample`) and ``timing``."""
    apply_knee_flexion_reduction(curves, timing[:, 2], n, specs)  # knee conditions (issue 6)
    return _batch(specs, curves, timing, n, anthropometry)


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


def _notes(
    specs: Sequence[GaitSpec],
    sources: Sequence[tuple[str, ...]],
    out: dict[str, FloatArray],
) -> list[tuple[str, ...]]:
    """What was generated and assumed for each case, with its measured figures."""
    joined: dict[tuple[str, ...], str] = {}  # patterns of a mode share most sources
    figures = zip(
        out["tables"].tolist(),
        out["scale"].tolist(),
        out["lean"].tolist(),
        out["slide"].tolist(),
        out["hat_shift_rms"].tolist(),
        out["hat_shift_max"].tolist(),
        out["min_vertical"].tolist(),
        strict=True,
    )
    notes = []
    for spec, pattern_sources, (table, scale, lean, slide, rms, most, lowest) in zip(
        specs, sources, figures, strict=True
    ):
        source = joined.get(pattern_sources)
        if source is None:
            source = joined.setdefault(pattern_sources, "pattern: " + "; ".join(pattern_sources))
        case: tuple[str, ...] = (
            f"segments: {table} scaled to {spec.subject.mass_kg:g} kg, "
            f"{spec.subject.height_m:g} m; sole, hips, trunk, step width: models/gait/body.toml",
            source,
            f"ground reaction scaled by {scale:.3f} so its stride mean balances "
            f"gravity, tilted by {math.degrees(math.atan(lean)):.2f}° along the surface",
            "stance feet roll on their lowest sole point without slipping in single support; "
            f"across double support/flight the feet slide up to {1e3 * slide:.1f} mm",
            "head-arms-trunk centre of mass moved "
            f"{1e3 * rms:.1f} mm RMS (max {1e3 * most:.1f}"
            " mm) from its place above the hips to close Newton's law for the body",
            "free moments zero; whole-body angular momentum not balanced",
        )
        if lowest < -1e-9:
            case += (
                f"double-support split gives a negative normal force ({lowest:.3f} BW) on one foot",
            )
        profile = spec.condition_profile()
        if profile.changes_gait:
            case += (profile.describe(),)
        notes.append(case)
    return notes


def cycle_phase(strides: int, n: int) -> tuple[NDArray[np.int64], FloatArray]:
    """``stride`` (1, 2, ...) and ``percent_cycle`` [%] of the frames of a generated cycle of
    ``strides`` strides of ``n`` frames each plus the closing frame (100 % of the last)."""
    frames = strides * n + 1
    index = np.arange(frames)
    stride = np.minimum(index // n + 1, strides).astype(np.int64)
    percent = np.where(index == frames - 1, 100.0, 100.0 * (index % n) / n)
    return stride, percent


def _tiler(
    out: dict[str, FloatArray], strides: int, n: int
) -> Callable[[FloatArray, bool], FloatArray]:
    """``tiled(values, along_x)``: an array (C, n + 1, ...) of one periodic stride and its
    closing frame (an array of :func:`_batch`'s ``out`` or a view of one) tiled ``strides``
    times plus the closing frame, (C, strides × n + 1, ...); ``along_x``: the last axis holds
    (x, ...) and stride j is j strides further along x. ``values`` itself if strides is 1."""
    j = np.arange(strides * n + 1) // n
    # along x, stride j is j strides further; the closing frame already is one stride further
    advance = out["step"][:, None] * np.minimum(j, strides - 1)[None, :]

    def tiled(values: FloatArray, along_x: bool) -> FloatArray:
        if strides == 1:
            return values
        values = np.concatenate([values[:, :n]] * strides + [values[:, n:]], axis=1)
        if along_x:
            values[..., 0] += advance.reshape(advance.shape + (1,) * (values.ndim - 3))
        return values

    return tiled


def _times(out: dict[str, FloatArray], frames: int, n: int) -> FloatArray:
    """Time of the first ``frames`` frames of every case (C, frames) [s], n frames a stride."""
    return np.arange(frames)[None, :] * (out["stride_time"] / n)[:, None]


def _right_legs(out: dict[str, FloatArray], strides: int, n: int) -> dict[str, Any]:
    """:func:`generate_right_legs` from the periodic strides ``out`` of :func:`_batch`: the
    right leg's arrays alone tiled, C-contiguous (as stacked from the cycles)."""
    tiled = _tiler(out, strides, n)
    s = CYCLE_SIDES.index("right")

    def right(values: FloatArray, along_x: bool = False) -> FloatArray:
        return np.ascontiguousarray(tiled(values, along_x))

    time = _times(out, strides * n + 1, n)
    joint = right(out["joints"][:, :, s], along_x=True)
    joint_z = right(out["joint_z"][:, :, s])
    grf = right(out["grf"][:, :, s])
    cop = right(out["cop"][:, :, s], along_x=True)
    # while the foot is unloaded its centre of pressure is put under the ankle, as leg()
    ankle_ground: tuple[FloatArray | float, ...] = (joint[..., 0, 0], 0.0, joint_z[..., 0])
    for axis, ground in enumerate(ankle_ground):
        np.copyto(cop[..., axis], ground, where=~np.isfinite(cop[..., axis]))
    return {
        "time_s": time,
        "body_mass_kg": np.array(out["mass"], dtype=np.float64),
        "segment_mass_kg": np.ascontiguousarray(out["leg_mass"]),
        "segment_inertia_kg_m2": np.ascontiguousarray(out["leg_inertia"]),
        "com_m": right(out["com"][:, :, s], along_x=True),
        "joint_m": joint,
        "segment_angle_rad": right(out["segment_angle"][:, :, s]),
        "joint_angle_deg": {
            name: right(out["leg_angles"][:, :, LEG_ANGLES.index(name), s])
            for name in ("hip_flexion_deg", "knee_flexion_deg", "ankle_dorsiflexion_deg")
        },
        "grf_n": np.ascontiguousarray(grf[..., :2]),
        "cop_m": np.ascontiguousarray(cop[..., :2]),
        "free_moment_nm": np.zeros(time.shape),  # free moments are zero (module, step 6)
        "grf_3d_n": grf,
        "cop_3d_m": cop,
        "knee_3d_m": np.concatenate([joint[:, :, 1], joint_z[:, :, 1:2]], axis=-1),
        "gravity_m_s2": np.array(out["gravity"], dtype=np.float64),
    }


def _cycles(
    specs: Sequence[GaitSpec],
    sources: Sequence[tuple[str, ...]],
    out: dict[str, FloatArray],
    strides: int,
    n: int,
) -> list[GaitCycle]:
    """Tile the periodic stride ``strides`` times (plus the closing frame) and package: each
    cycle's arrays are views of the stacked ones."""
    frames = strides * n + 1
    stride, percent = cycle_phase(strides, n)
    tiled = _tiler(out, strides, n)
    com = tiled(out["com"], True)
    joints = tiled(out["joints"], True)
    heel, toe = tiled(out["heel"], True), tiled(out["toe"], True)
    hat_com = tiled(out["hat_com"], True)
    cop = tiled(out["cop"], True)
    joint_z = tiled(out["joint_z"], False)
    segment_angle = tiled(out["segment_angle"], False)
    hat_angle = tiled(out["hat_angle"], False)
    leg_angles = tiled(out["leg_angles"], False)
    pelvis = tiled(out["pelvis"], False)
    grf = tiled(out["grf"], False)
    residual = tiled(out["residual"], False)
    time = _times(out, frames, n)
    free_moment = np.zeros((frames, 2, 3))
    free_moment.flags.writeable = False
    names = (*LEG_ANGLES, "pelvis_tilt_deg", "pelvis_obliquity_deg")
    curves = [leg_angles[:, :, a] for a in range(len(LEG_ANGLES))] + [
        pelvis[:, :, 0],
        pelvis[:, :, 1],
    ]
    # iterating the stacked arrays gives each case's views (cheaper than indexing per case)
    cases = zip(
        specs,
        _notes(specs, sources, out),
        out["mass"].tolist(),
        out["hat_mass"].tolist(),
        out["gravity"].tolist(),
        time,
        out["leg_mass"],
        out["leg_inertia"],
        com,
        joints,
        joint_z,
        segment_angle,
        heel,
        toe,
        hat_com,
        hat_angle,
        grf,
        cop,
        residual,
        zip(*curves, strict=True),
        strict=True,
    )
    return [
        GaitCycle(
            time_s=time_s,
            stride=stride,
            percent_cycle=percent,
            spec=spec,
            body_mass_kg=mass,
            segment_mass_kg=leg_mass,
            segment_inertia_kg_m2=leg_inertia,
            hat_mass_kg=hat_mass,
            com_m=com_m,
            joint_m=joint_m,
            joint_z_m=joint_z_m,
            segment_angle_rad=segment_angle_rad,
            heel_m=heel_m,
            toe_m=toe_m,
            hat_com_m=hat_com_m,
            hat_angle_rad=hat_angle_rad,
            angles_deg=dict(zip(names, angles, strict=True)),
            grf_n=grf_n,
            cop_m=cop_m,
            free_moment_nm=free_moment,
            gravity_m_s2=(gravity[0], gravity[1]),
            newton_residual_n=residual_n,
            notes=notes,
        )
        for (
            spec,
            notes,
            mass,
            hat_mass,
            gravity,
            time_s,
            leg_mass,
            leg_inertia,
            com_m,
            joint_m,
            joint_z_m,
            segment_angle_rad,
            heel_m,
            toe_m,
            hat_com_m,
            hat_angle_rad,
            grf_n,
            cop_m,
            residual_n,
            angles,
        ) in cases
    ]
