"""Normative gait patterns for a :class:`~kneeload.gait.spec.GaitSpec` (DESIGN.md §4.2).

:func:`gait_pattern` evaluates the fitted forward templates (``models/gait/walk_forward.toml``,
``run_forward.toml``, fitted by ``scripts/fit_gait_templates.py`` to Winter 2009 Appendix A,
OpenSim subject01, Hamner 2010 and Rajagopal 2016) and applies the relations of
``models/gait/scaling.toml``:

* size and speed (Hof 1996 dimensionless scaling with leg length = 0.530 x stature): walking
  stride frequency and stance time from Franz & Kram (2012) Table 1 and the slow walk of
  Fukuchi et al. (2018), interpolated over speed and grade; running contact length and
  swing time held (Weyand et al. 2000, U), anchored to the running template. Walking hip,
  knee and ankle angles change with speed: interpolated linearly in dimensionless speed
  between the reference template (1.27 m/s) and the slow walk of Fukuchi et al. 2018 WBDS01
  (0.49 m/s; ``[slow_walking.angles]``), held at the reference above it (amplitudes keep
  growing with speed, Lelas et al. 2003 and the meta-analysis of Fukuchi, Fukuchi & Duarte
  2019, but no regression was read: not extrapolated). Running angles are held over speed.
  The angle curves are re-timed so that stance lasts the stance fraction.
* ground reaction: the fitted stance shapes, scaled by (reference stance fraction / stance
  fraction) so that the impulse per stride is kept (impulse-momentum), by cos(slope) normal to
  the surface, plus tan(slope) x the normal force along it, so that the stride mean balances
  gravity in the tilted frame (mean normal M g cos, along M g sin).
* backward gait: the time reversal of forward gait (Grasso et al. 1998; Winter, Pluck & Yang
  1989; Thorstensson 1986), including the ankle (see :func:`gait_pattern`); on a grade g it is
  the reversal of forward gait on -g (reversing time reverses the direction of travel).
* grade: joint-angle offsets (McIntosh et al. 2006; Lay et al. 2006; Kuster et al. 1993).

Speeds outside the range the data cover raise :class:`~kneeload.exceptions.InputError`.
:func:`gait_patterns` does the same for many specs at once, vectorised over specs (no Python
loop per spec beyond reading its fields and packaging its pattern); :func:`gait_pattern` is
the one-spec case of it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numba import njit
from numpy.typing import NDArray

from kneeload._threads import over_cases
from kneeload.config import BATCH_ERROR_MODEL, CYCLE_POINTS, FASTMATH_FLAGS, NUMBA_CACHE
from kneeload.data import load_parameter_set
from kneeload.exceptions import InputError
from kneeload.gait.pattern import (
    PATTERN_ANGLES,
    PATTERN_CURVES,
    PATTERN_GRF,
    FloatArray,
    GaitPattern,
)
from kneeload.gait.spec import GaitSpec

__all__ = [
    "PATTERN_CURVES",
    "PatternArrays",
    "gait_pattern",
    "gait_patterns",
    "leg_length_m",
    "pattern_arrays",
    "speed_range_m_s",
]

BoolArray = NDArray[np.bool_]


@lru_cache(maxsize=8)
def _load(name: str) -> dict[str, Any]:
    return load_parameter_set("gait", name)


def _scaling() -> dict[str, Any]:
    return _load("scaling")


def _template(mode: str) -> dict[str, Any]:
    return _load(f"{mode}_forward")


def _leg_per_stature() -> float:
    return float(_scaling()["size"]["Leg length per stature [-]"])


def leg_length_m(height_m: float) -> float:
    """Leg length (greater-trochanter height) from stature: 0.530 H (Winter 2009, Fig 4.1) [m]."""
    return _leg_per_stature() * height_m


def _speed_ratio(mode: str) -> float:
    """Backward speed / forward speed at equal cadence (Laufer 2005; Sterzing 2016; U)."""
    key = "Walk" if mode == "walk" else "Run"
    return float(_scaling()["backward"][f"{key} speed ratio at equal cadence [-]"])


def _reference_leg_m(mode: str) -> float:
    """Leg length of the data the speed range refers to [m]."""
    if mode == "walk":
        return leg_length_m(float(_scaling()["walk"]["Subject stature [m]"]))
    return float(_template("run")["reference"]["Leg length [m]"])


def _walk_table() -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Speeds [m/s], grades [deg], stride frequency [Hz] and stance fraction [-] of walking at
    Franz & Kram's stature: their Table 1 (0.75-1.75 m/s; stance fraction = stance time x
    stride frequency), preceded by the slow level walk of Fukuchi et al. 2018
    (``walk_forward.toml`` [slow_walking]) scaled to that stature (Hof 1996), with Franz &
    Kram's grade effect at 0.75 m/s applied to it as ratios (U). Stance fraction, not stance
    time, is interpolated: it falls monotonically with speed at the nodes and so between them.
    """
    table = _scaling()["walk"]
    grades = np.asarray(table["Grades [deg]"], dtype=np.float64)
    speeds = np.asarray(table["Speeds [m/s]"], dtype=np.float64)
    frequency = np.asarray(table["Stride frequency [Hz]"], dtype=np.float64)
    stance = np.asarray(table["Stance time [s]"], dtype=np.float64) * frequency
    slow = _template("walk")["slow_walking"]
    size = math.sqrt(_reference_leg_m("walk") / float(slow["Leg length [m]"]))
    level = int(np.flatnonzero(grades == 0.0)[0])
    slow_frequency = frequency[0] / frequency[0, level] / (float(slow["Stride time [s]"]) * size)
    slow_stance = stance[0] / stance[0, level] * float(slow["Stance fraction [-]"])
    return (
        np.r_[float(slow["Speed [m/s]"]) * size, speeds],
        grades,
        np.vstack([slow_frequency, frequency]),
        np.vstack([slow_stance, stance]),
    )


def _speed_ranges(
    mode: str, backward: BoolArray, height_m: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Lowest and highest speed [m/s] the data cover, per case (see :func:`speed_range_m_s`)."""
    if mode == "walk":
        speeds = _walk_table()[0]
        low, high = float(speeds[0]), float(speeds[-1])
    else:
        low, high = (float(v) for v in _scaling()["run"]["Speed range [m/s]"])
    factor = np.sqrt(_leg_per_stature() * height_m / _reference_leg_m(mode))
    return low * factor, high * factor * np.where(backward, _speed_ratio(mode), 1.0)


def speed_range_m_s(spec: GaitSpec) -> tuple[float, float]:
    """Speeds the normative data cover for this mode, direction and subject [m/s].

    The range of the source data (walking: Fukuchi et al. 2018 slowest walk, 0.49 m/s, to
    Franz & Kram 2012, 1.75 m/s; running: 3-6 m/s, ``scaling.toml``) is scaled to the
    subject's leg length at equal dimensionless speed v / sqrt(g L) (Hof 1996). Backward gait
    at speed v needs forward data at v (stance time) and at v / r (cadence), so its upper end
    is r times the forward one.
    """
    low, high = _speed_ranges(
        spec.mode, np.array([spec.direction == "backward"]), np.array([spec.subject.height_m])
    )
    return float(low[0]), float(high[0])


def _bilinear(
    speeds: FloatArray,
    grades: FloatArray,
    values: FloatArray,
    speed: FloatArray,
    grade_deg: FloatArray,
) -> FloatArray:
    """``values`` (speeds x grades) interpolated linearly in grade, then in speed, per case
    (both held at the table's ends, as :func:`numpy.interp`)."""
    by_speed = np.array([np.interp(grade_deg, grades, row) for row in values])
    v = np.clip(speed, speeds[0], speeds[-1])
    i = np.clip(np.searchsorted(speeds, v, side="right") - 1, 0, speeds.size - 2)
    w = (v - speeds[i]) / (speeds[i + 1] - speeds[i])
    case = np.arange(v.size)
    return by_speed[i, case] * (1.0 - w) + by_speed[i + 1, case] * w


def _forward_timing(
    mode: str, speed: FloatArray, slope_deg: FloatArray, leg: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Stride time and stance time [s] of forward gait at ``speed`` on ``slope_deg``, per case.

    Walking slopes beyond Franz & Kram's table are held at its ends (the caller notes it)."""
    if mode == "walk":
        speeds, grades, frequencies, stance_fractions = _walk_table()
        leg_fk = _reference_leg_m("walk")
        slope = np.clip(slope_deg, grades[0], grades[-1])
        v_fk = speed * np.sqrt(leg_fk / leg)  # equal dimensionless speed (Hof 1996)
        frequency = _bilinear(speeds, grades, frequencies, v_fk, slope)
        stride_time = np.sqrt(leg / leg_fk) / frequency
        return stride_time, _bilinear(speeds, grades, stance_fractions, v_fk, slope) * stride_time
    ref = _template("run")["reference"]
    leg_ref = float(ref["Leg length [m]"])
    t_ref = float(ref["Stride time [s]"])
    d_ref = float(ref["Stance fraction [-]"])
    contact_length = float(ref["Speed [m/s]"]) * d_ref * t_ref * leg / leg_ref
    swing_time = (1.0 - d_ref) * t_ref * np.sqrt(leg / leg_ref)
    contact_time = contact_length / speed
    return contact_time + swing_time, contact_time


def _timing(
    mode: str, backward: BoolArray, speed: FloatArray, slope_deg: FloatArray, leg: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Stride time [s] and stance fraction [-] per case; ``slope_deg`` is the slope of the
    forward gait each case is timed as (minus the travel slope when backward).

    Backward gait on a travel grade g is timed as the forward gait it reverses, on -g. Its
    cadence is that of forward gait at speed / r (Laufer 2005: cadence unchanged at a speed
    r times the forward one), its stance time that of forward gait at the same speed (the
    stance leg sweeps the same contact length at the same speed; U), hence shorter strides,
    a higher stride frequency and a longer stance fraction than forward at the same speed
    (the directions reported by Laufer 2005, Thorstensson 1986 and for running in REFERENCES
    §1).
    """
    stride_time, stance_time = _forward_timing(mode, speed, slope_deg, leg)
    if np.any(backward):
        stride_time[backward] = _forward_timing(
            mode, speed[backward] / _speed_ratio(mode), slope_deg[backward], leg[backward]
        )[0]
    return stride_time, stance_time / stride_time


@lru_cache(maxsize=4)
def _timing_notes(mode: str, backward: bool) -> tuple[str, ...]:
    """What the timing of a case rests on (the pattern's ``sources``)."""
    notes: tuple[str, ...]
    if mode == "walk":
        notes = (
            "timing: Franz & Kram 2012 Table 1 (V) and Fukuchi 2018 slow walking (V), Hof 1996"
            " dimensionless scaling",
            "hip, knee and ankle angles: interpolated in dimensionless speed between Fukuchi"
            " 2018's slow walk and the reference template, held above the reference speed",
        )
    else:
        notes = (
            "timing: constant contact length and swing time (Weyand et al. 2000, U), anchored"
            " to the running template; level running timing held on grades (U)",
        )
    if backward:
        notes += (
            f"backward: cadence of forward gait at speed / {_speed_ratio(mode):g} (Laufer 2005),"
            " stance time of forward gait at the same speed (U)",
        )
    return notes


def _series(blocks: Sequence[tuple[str, Sequence[float]]], phase: FloatArray) -> FloatArray:
    """Evaluate fitted series (kind, coefficients) at ``phase``, (len(blocks), *phase.shape).

    ``phase`` in cycles for "fourier over the cycle" (a0 + sum a_k cos 2 pi k p + b_k sin ...),
    in share of stance (0..1) for "sine over stance" (sum c_k sin k pi s, k >= 1) and "cosine
    over stance" (sum c_k cos k pi s, k >= 0): the forms ``scripts/fit_gait_templates.py``
    fits. Fourier series cannot be mixed with the others (their phases differ); the blocks
    share one set of harmonics, evaluated by :func:`_series_points`.
    """
    flat = np.ascontiguousarray(phase, dtype=np.float64).reshape(-1)
    fourier = {kind.startswith("fourier") for kind, _ in blocks}
    if len(fourier) != 1:
        raise InputError(
            "models/gait", "series", "one kind of phase: over the cycle or over stance"
        )
    weights: list[FloatArray] = []
    constant = np.zeros(len(blocks))
    for j, (kind, coefficients) in enumerate(blocks):
        c = np.asarray(coefficients, dtype=np.float64)
        if kind.startswith("fourier"):  # [cos 1x, sin 1x, cos 2x, sin 2x, ...]
            k = (c.size - 1) // 2
            constant[j] = c[0]
            weights.append(np.column_stack([c[1 : k + 1], c[k + 1 :]]).reshape(-1))
        elif kind.startswith("sine"):
            weights.append(np.column_stack([np.zeros(c.size), c]).reshape(-1))
        else:
            constant[j] = c[0]
            weights.append(np.column_stack([c[1:], np.zeros(c.size - 1)]).reshape(-1))
    order = max(max(w.size for w in weights) // 2, 1)
    matrix = np.zeros((order, 2, len(blocks)))
    for j, w in enumerate(weights):
        matrix.reshape(2 * order, -1)[: w.size, j] = w
    half_turns = 2.0 if fourier.pop() else 1.0
    values = np.empty((len(blocks), flat.size))
    chunks = (flat.size + _SERIES_CHUNK - 1) // _SERIES_CHUNK
    over_cases(_series_points, chunks, np.pi * half_turns, flat, matrix, constant, values)
    return values.reshape(len(blocks), *np.shape(phase))


#: points :func:`_series_points` evaluates together (its harmonics fit in the L1 cache)
_SERIES_CHUNK = 256


@njit(cache=NUMBA_CACHE, fastmath=FASTMATH_FLAGS, nogil=True, error_model=BATCH_ERROR_MODEL)
def _series_points(
    start: int,
    stop: int,
    turn: float,
    phase: np.ndarray,
    matrix: np.ndarray,
    constant: np.ndarray,
    out: np.ndarray,
) -> None:
    """out[b, i] = constant[b] + sum_k matrix[k-1, 0, b] cos(k x) + matrix[k-1, 1, b] sin(k x),
    x = turn · phase[i], over chunks ``start`` to ``stop − 1`` of _SERIES_CHUNK points (serial,
    without the GIL: :func:`kneeload._threads.over_cases` runs ranges of chunks on threads).
    The harmonics come from one cosine and sine per point by the angle-addition recurrence
    (exp(ikx) = exp(i(k-1)x) exp(ix); |exp(ix)| = 1 keeps it stable), over a chunk at a time
    so that the loops vectorise."""
    order, blocks = matrix.shape[0], matrix.shape[2]
    count = phase.size
    for chunk in range(start, stop):
        offset = chunk * _SERIES_CHUNK
        m = min(_SERIES_CHUNK, count - offset)
        c1 = np.empty(m)
        s1 = np.empty(m)
        for j in range(m):
            x = turn * phase[offset + j]
            c1[j] = math.cos(x)
            s1[j] = math.sin(x)
        ck = c1.copy()
        sk = s1.copy()
        total = np.zeros((blocks, m))
        for k in range(order):
            for b in range(blocks):
                a, bb = matrix[k, 0, b], matrix[k, 1, b]
                row = total[b]
                for j in range(m):
                    row[j] += a * ck[j] + bb * sk[j]
            for j in range(m):
                ck[j], sk[j] = ck[j] * c1[j] - sk[j] * s1[j], ck[j] * s1[j] + sk[j] * c1[j]
        for b in range(blocks):
            for j in range(m):
                out[b, offset + j] = total[b, j] + constant[b]


def _warp(percent: FloatArray, stance: FloatArray, stance_ref: float) -> FloatArray:
    """Percent of the template cycle at which the template is in the same phase (stance or
    swing, the same share of it) as ``percent`` of a cycle with stance fraction ``stance``
    (broadcast: (C, 1) against (C, P))."""
    in_stance = percent < 100.0 * stance
    return np.where(
        in_stance,
        percent / stance * stance_ref,
        100.0 * stance_ref + (percent - 100.0 * stance) / (1.0 - stance) * (1.0 - stance_ref),
    )


def _raised_cosine(distance: FloatArray, half_width: float) -> FloatArray:
    """0.5 (1 + cos(pi distance / half_width)) within the half width, else 0 (the cosine is
    evaluated only within it)."""
    window = np.zeros(np.shape(distance))
    near = np.abs(distance) < half_width
    window[near] = 0.5 * (1.0 + np.cos(np.pi * distance[near] / half_width))
    return window


def _grade_offsets(
    percent: FloatArray, stance: float, slope_deg: FloatArray
) -> dict[str, FloatArray]:
    """Joint-angle offsets of forward gait on a slope [deg] (``scaling.toml`` [grade]);
    ``slope_deg`` (C, 1) against ``percent`` (C, P)."""
    g = _scaling()["grade"]
    largest = float(g["Largest slope [deg]"])
    slope = np.clip(slope_deg, -largest, largest)
    to_contact = np.minimum(percent, 100.0 - percent)
    contact = _raised_cosine(to_contact, float(g["Contact window half-width [% cycle]"]))
    share = percent / (100.0 * stance)
    early = np.where(
        share < 1.0,
        _raised_cosine(
            share - float(g["Early stance window centre [share of stance]"]),
            float(g["Early stance window half-width [share of stance]"]),
        ),
        0.0,
    )
    up, down = np.maximum(slope, 0.0), np.maximum(-slope, 0.0)
    return {
        "hip_flexion_deg": up * float(g["Uphill hip flexion at contact [deg/deg]"]) * contact,
        "knee_flexion_deg": up * float(g["Uphill knee flexion at contact [deg/deg]"]) * contact
        + down * float(g["Downhill knee flexion in early stance [deg/deg]"]) * early,
        "ankle_dorsiflexion_deg": up
        * float(g["Uphill ankle dorsiflexion at contact [deg/deg]"])
        * contact,
    }


def _slow_share(speed: FloatArray, leg: FloatArray) -> FloatArray:
    """Weight of the slow walk's angles per walking case [-]: 1 at the dimensionless speed
    v / sqrt(g L) (Hof 1996) of Fukuchi's slow walk, 0 at the reference template's and above,
    linear between."""
    template = _template("walk")
    slow, ref = template["slow_walking"], template["reference"]
    slow_hat = float(slow["Speed [m/s]"]) / math.sqrt(float(slow["Leg length [m]"]))
    ref_hat = float(ref["Speed [m/s]"]) / math.sqrt(float(ref["Leg length [m]"]))
    return np.clip((ref_hat - speed / np.sqrt(leg)) / (ref_hat - slow_hat), 0.0, 1.0)


def _mode_arrays(
    mode: str,
    backward: BoolArray,
    stance: FloatArray,
    theta: FloatArray,
    percent: FloatArray,
    slow_share: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Angles [deg] (C, 6, P), ground reaction [BW] (C, 3, P) and CoP (C, P) of the cases of
    one mode, given their stance fractions, surface inclinations [rad] and weights of the slow
    walk's angles (:func:`_slow_share`; zeros for running)."""
    template = _template(mode)
    stance_ref = float(template["reference"]["Stance fraction [-]"])
    d = stance[:, None]
    back = backward[:, None]
    cycle = np.mod(percent, 100.0)[None, :]
    # phase of the forward gait each frame is the time reversal of (identity when forward)
    forward_percent = np.where(back, np.mod(100.0 * d - cycle, 100.0), cycle)
    # forward gait on the slope it travels: backward on +g reverses forward on -g
    slope_deg = np.degrees(theta) * np.where(backward, -1.0, 1.0)
    template_percent = _warp(forward_percent, d, stance_ref)
    # offsets follow the template's timing, so they are re-timed with the angles
    offsets = _grade_offsets(template_percent, stance_ref, slope_deg[:, None])
    angles = _series(
        [
            (template["angles"][n]["series"], template["angles"][n]["Coefficients [deg]"])
            for n in PATTERN_ANGLES
        ],
        template_percent / 100.0,
    ).transpose(1, 0, 2)
    slow_angles = template.get("slow_walking", {}).get("angles", {})
    if slow_angles and np.any(slow_share > 0.0):
        names = [n for n in PATTERN_ANGLES if n in slow_angles]
        slow = _series(
            [(slow_angles[n]["series"], slow_angles[n]["Coefficients [deg]"]) for n in names],
            template_percent / 100.0,
        ).transpose(1, 0, 2)
        rows = [PATTERN_ANGLES.index(n) for n in names]
        angles[:, rows] += slow_share[:, None, None] * (slow - angles[:, rows])
    for i, name in enumerate(PATTERN_ANGLES):
        if name in offsets:
            angles[:, i] += offsets[name]

    in_stance = cycle < 100.0 * d
    case, point = np.nonzero(in_stance)  # the stance series are evaluated in stance only
    share = cycle[0, point] / (100.0 * stance[case])
    cop_block = template["cop_along_foot"]
    values = _series(
        [
            (template["grf"][n]["series"], template["grf"][n]["Coefficients [BW]"])
            for n in PATTERN_GRF
        ]
        + [(cop_block["series"], cop_block["Coefficients [-]"])],
        np.where(backward[case], 1.0 - share, share),
    )
    forces = values[:-1] * (stance_ref / stance[case])
    x, y = PATTERN_GRF.index("grf_x_bw"), PATTERN_GRF.index("grf_y_bw")
    forces[y] *= np.cos(theta[case])
    forces[x] += forces[y] * (np.tan(theta) * np.where(backward, -1.0, 1.0))[case]
    grf = np.zeros((stance.size, len(PATTERN_GRF), percent.size))
    grf[case, :, point] = forces.T
    cop = np.full((stance.size, percent.size), np.nan)
    cop[case, point] = values[-1]
    return angles, grf, cop


@dataclass(frozen=True)
class PatternArrays:
    """The patterns of many specs as stacked arrays, before packaging (C cases, P points).

    Attributes
    ----------
    percent_cycle : (P,) 0..100 [%], read-only
    stride_time_s, stride_length_m, stance_fraction : (C,) [s], [m], [-]
    curves : (C, len(PATTERN_CURVES), P) in PATTERN_CURVES order: angles [deg], ground reaction
        of the right foot [BW], CoP along the foot (NaN in swing)
    sources : (C,) what each pattern rests on (:attr:`GaitPattern.sources`)
    """

    percent_cycle: FloatArray
    stride_time_s: FloatArray
    stride_length_m: FloatArray
    stance_fraction: FloatArray
    curves: FloatArray
    sources: list[tuple[str, ...]]


def pattern_arrays(specs: Sequence[GaitSpec], n_points: int = CYCLE_POINTS) -> PatternArrays:
    """What :func:`gait_patterns` packages, as stacked arrays (see it for the method and the
    errors); :func:`kneeload.gait.generator.generate_cycle_batch` takes them unpackaged."""
    if isinstance(n_points, bool) or not isinstance(n_points, int) or n_points < 2:
        raise InputError("gait_pattern", "n_points", "an integer >= 2", repr(n_points))
    count = len(specs)
    run = np.array([s.mode == "run" for s in specs], dtype=bool)
    backward = np.array([s.direction == "backward" for s in specs], dtype=bool)
    speed = np.array([s.speed_m_s for s in specs], dtype=np.float64)
    theta = np.array([s.grade_angle_rad for s in specs], dtype=np.float64)
    height = np.array([s.subject.height_m for s in specs], dtype=np.float64)
    percent = np.linspace(0.0, 100.0, n_points)
    percent.flags.writeable = False

    stride_time = np.empty(count)
    stance = np.empty(count)
    curves = np.empty((count, len(PATTERN_CURVES), n_points))
    slope = np.degrees(theta) * np.where(backward, -1.0, 1.0)
    beyond = np.zeros(count, dtype=bool)
    groups = [(m, np.flatnonzero(run == (m == "run"))) for m in ("walk", "run")]
    low, high = np.empty(count), np.empty(count)
    for mode, rows in groups:
        low[rows], high[rows] = _speed_ranges(mode, backward[rows], height[rows])
    bad = np.flatnonzero(~((low <= speed) & (speed <= high)))
    if bad.size:
        first = int(bad[0])
        spec = specs[first]
        raise InputError(
            "--speed",
            "speed_m_s",
            f"{low[first]:.3g} to {high[first]:.3g} m/s for {spec.direction} {spec.mode} "
            f"at {spec.subject.height_m:g} m stature (the range the normative data cover)",
            f"{spec.speed_m_s:g}",
        )
    grades = _walk_table()[1]
    for mode, rows in groups:
        if rows.size == 0:
            continue
        leg = _leg_per_stature() * height[rows]
        stride_time[rows], stance[rows] = _timing(
            mode, backward[rows], speed[rows], slope[rows], leg
        )
        if mode == "walk":
            beyond[rows] = (slope[rows] < grades[0]) | (slope[rows] > grades[-1])
        share = _slow_share(speed[rows], leg) if mode == "walk" else np.zeros(rows.size)
        angles, grf, cop = _mode_arrays(
            mode, backward[rows], stance[rows], theta[rows], percent, share
        )
        curves[rows, : len(PATTERN_ANGLES)] = angles
        curves[rows, len(PATTERN_ANGLES) : -1] = grf
        curves[rows, -1] = cop

    common = {
        mode: (str(_template(mode)["meta"]["source"]), str(_scaling()["meta"]["source"]))
        for mode in ("walk", "run")
    }
    sources = []
    for i, spec in enumerate(specs):
        notes = _timing_notes(spec.mode, bool(backward[i]))
        if beyond[i]:
            notes = (
                f"slope {slope[i]:+.1f} deg beyond Franz & Kram's {grades[0]:g}..{grades[-1]:g}"
                " deg: stride frequency and stance time held at the table's end",
                *notes,
            )
        sources.append((*common[spec.mode], *notes))
    return PatternArrays(
        percent_cycle=percent,
        stride_time_s=stride_time,
        stride_length_m=speed * stride_time,
        stance_fraction=stance,
        curves=curves,
        sources=sources,
    )


def gait_patterns(specs: Sequence[GaitSpec], n_points: int = CYCLE_POINTS) -> list[GaitPattern]:
    """The normative pattern of one stride of the right leg for each of ``specs``.

    Parameters
    ----------
    specs : modes, directions, speeds [m/s], grades [%] and subjects
    n_points : points over the cycle, 0..100 % (default 101)

    Returns
    -------
    list of GaitPattern, one per spec, in order: stride time [s], stride length [m], stance
        fraction, joint angles [deg], ground reaction of the right foot [BW] (ground frame: x
        facing, y normal) and CoP along the foot (0 heel, 1 toe; NaN in swing). The patterns
        share one read-only ``percent_cycle`` array; their curves are views of one stacked
        array (:func:`pattern_arrays`).

    Backward gait is the time reversal of forward gait, the ankle included: Winter, Pluck &
    Yang (1989) and Lee et al. (2013) report that the backward ankle angle differs from the
    reversed forward one, but the size and shape of the difference were not read (U), so no
    correction is applied; the reversal already puts the ankle in plantarflexion at the
    forefoot contact and dorsiflexes it as the heel is lowered.

    Timing, angles, ground reaction and CoP are evaluated as arrays over all specs of a mode
    (series by repeated complex multiplication, one matrix product per kind of series).

    Raises
    ------
    InputError
        ``n_points`` < 2, or a speed outside the range the data cover
        (:func:`speed_range_m_s`; the first such spec): never extrapolated.
    """
    arrays = pattern_arrays(specs, n_points)
    n_angles = len(PATTERN_ANGLES)
    return [
        GaitPattern(
            percent_cycle=arrays.percent_cycle,
            stride_time_s=stride_time,
            stride_length_m=stride_length,
            stance_fraction=stance,
            angles_deg=dict(zip(PATTERN_ANGLES, curves[:n_angles], strict=True)),
            grf_bw=dict(zip(PATTERN_GRF, curves[n_angles:-1], strict=True)),
            cop_along_foot=curves[-1],
            sources=sources,
        )
        for stride_time, stride_length, stance, curves, sources in zip(
            arrays.stride_time_s.tolist(),
            arrays.stride_length_m.tolist(),
            arrays.stance_fraction.tolist(),
            arrays.curves,
            arrays.sources,
            strict=True,
        )
    ]


def gait_pattern(spec: GaitSpec, n_points: int = CYCLE_POINTS) -> GaitPattern:
    """The normative pattern of one stride of the right leg for ``spec``: the one-spec case of
    :func:`gait_patterns` (see it for the parameters, the method and the errors)."""
    return gait_patterns([spec], n_points)[0]
