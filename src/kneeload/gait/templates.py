"""Normative gait patterns for a :class:`~kneeload.gait.spec.GaitSpec` (DESIGN.md §4.2).

:func:`gait_pattern` evaluates the fitted forward templates (``models/gait/walk_forward.toml``,
``run_forward.toml``, fitted by ``scripts/fit_gait_templates.py`` to Winter 2009 Appendix A,
OpenSim subject01, Hamner 2010 and Rajagopal 2016) and applies the relations of
``models/gait/scaling.toml``:

* size and speed (Hof 1996 dimensionless scaling with leg length = 0.530 x stature): walking
  stride frequency and stance time from Franz & Kram (2012) Table 1 and the slow walk of
  Fukuchi et al. (2018), interpolated over speed and grade; running contact length and
  swing time held (Weyand et al. 2000, U), anchored to the running template. Joint-angle
  amplitudes are held over speed (no published regression used); the angle curves are only
  re-timed so that stance lasts the stance fraction.
* ground reaction: the fitted stance shapes, scaled by (reference stance fraction / stance
  fraction) so that the impulse per stride is kept (impulse-momentum), by cos(slope) normal to
  the surface, plus tan(slope) x the normal force along it, so that the stride mean balances
  gravity in the tilted frame (mean normal M g cos, along M g sin).
* backward gait: the time reversal of forward gait (Grasso et al. 1998; Winter, Pluck & Yang
  1989; Thorstensson 1986), including the ankle (see :func:`gait_pattern`); on a grade g it is
  the reversal of forward gait on -g (reversing time reverses the direction of travel).
* grade: joint-angle offsets (McIntosh et al. 2006; Lay et al. 2006; Kuster et al. 1993).

Speeds outside the range the data cover raise :class:`~kneeload.exceptions.InputError`.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np

from kneeload.config import CYCLE_POINTS
from kneeload.data import load_parameter_set
from kneeload.exceptions import InputError
from kneeload.gait.pattern import PATTERN_ANGLES, PATTERN_GRF, FloatArray, GaitPattern
from kneeload.gait.spec import GaitSpec

__all__ = ["gait_pattern", "leg_length_m", "speed_range_m_s"]


@lru_cache(maxsize=8)
def _load(name: str) -> dict[str, Any]:
    return load_parameter_set("gait", name)


def _scaling() -> dict[str, Any]:
    return _load("scaling")


def _template(mode: str) -> dict[str, Any]:
    return _load(f"{mode}_forward")


def leg_length_m(height_m: float) -> float:
    """Leg length (greater-trochanter height) from stature: 0.530 H (Winter 2009, Fig 4.1) [m]."""
    return float(_scaling()["size"]["Leg length per stature [-]"]) * height_m


def _speed_ratio(spec: GaitSpec) -> float:
    """Backward speed / forward speed at equal cadence (Laufer 2005; Sterzing 2016; U)."""
    if spec.direction == "forward":
        return 1.0
    key = "Walk" if spec.mode == "walk" else "Run"
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


def speed_range_m_s(spec: GaitSpec) -> tuple[float, float]:
    """Speeds the normative data cover for this mode, direction and subject [m/s].

    The range of the source data (walking: Fukuchi et al. 2018 slowest walk, 0.49 m/s, to
    Franz & Kram 2012, 1.75 m/s; running: 3-6 m/s, ``scaling.toml``) is scaled to the
    subject's leg length at equal dimensionless speed v / sqrt(g L) (Hof 1996). Backward gait
    at speed v needs forward data at v (stance time) and at v / r (cadence), so its upper end
    is r times the forward one.
    """
    if spec.mode == "walk":
        speeds = _walk_table()[0]
        low, high = float(speeds[0]), float(speeds[-1])
    else:
        low, high = (float(v) for v in _scaling()["run"]["Speed range [m/s]"])
    factor = math.sqrt(leg_length_m(spec.subject.height_m) / _reference_leg_m(spec.mode))
    return low * factor, high * factor * _speed_ratio(spec)


def _bilinear(
    speeds: FloatArray, grades: FloatArray, values: FloatArray, speed: float, grade_deg: float
) -> float:
    by_speed = np.array([np.interp(grade_deg, grades, row) for row in values])
    return float(np.interp(speed, speeds, by_speed))


def _forward_timing(
    mode: str, speed: float, slope_deg: float, leg: float, notes: list[str]
) -> tuple[float, float]:
    """Stride time and stance time [s] of forward gait at ``speed`` on ``slope_deg``."""
    if mode == "walk":
        speeds, grades, frequencies, stance_fractions = _walk_table()
        leg_fk = _reference_leg_m("walk")
        if not (grades[0] <= slope_deg <= grades[-1]):
            notes.append(
                f"slope {slope_deg:+.1f} deg beyond Franz & Kram's {grades[0]:g}..{grades[-1]:g}"
                " deg: stride frequency and stance time held at the table's end"
            )
            slope_deg = min(max(slope_deg, grades[0]), grades[-1])
        v_fk = speed * math.sqrt(leg_fk / leg)  # equal dimensionless speed (Hof 1996)
        frequency = _bilinear(speeds, grades, frequencies, v_fk, slope_deg)
        stride_time = math.sqrt(leg / leg_fk) / frequency
        return stride_time, _bilinear(
            speeds, grades, stance_fractions, v_fk, slope_deg
        ) * stride_time
    ref = _template("run")["reference"]
    leg_ref = float(ref["Leg length [m]"])
    t_ref = float(ref["Stride time [s]"])
    d_ref = float(ref["Stance fraction [-]"])
    contact_length = float(ref["Speed [m/s]"]) * d_ref * t_ref * leg / leg_ref
    swing_time = (1.0 - d_ref) * t_ref * math.sqrt(leg / leg_ref)
    contact_time = contact_length / speed
    return contact_time + swing_time, contact_time


def _timing(spec: GaitSpec, notes: list[str]) -> tuple[float, float]:
    """Stride time [s] and stance fraction [-] of the spec.

    Backward gait on a travel grade g is timed as the forward gait it reverses, on -g. Its
    cadence is that of forward gait at speed / r (Laufer 2005: cadence unchanged at a speed
    r times the forward one), its stance time that of forward gait at the same speed (the
    stance leg sweeps the same contact length at the same speed; U), hence shorter strides,
    a higher stride frequency and a longer stance fraction than forward at the same speed
    (the directions reported by Laufer 2005, Thorstensson 1986 and for running in REFERENCES
    §1).
    """
    low, high = speed_range_m_s(spec)
    if not (low <= spec.speed_m_s <= high):
        raise InputError(
            "--speed",
            "speed_m_s",
            f"{low:.3g} to {high:.3g} m/s for {spec.direction} {spec.mode} at "
            f"{spec.subject.height_m:g} m stature (the range the normative data cover)",
            f"{spec.speed_m_s:g}",
        )
    leg = leg_length_m(spec.subject.height_m)
    slope = math.degrees(spec.grade_angle_rad) * spec.travel_sign
    stride_time, stance_time = _forward_timing(spec.mode, spec.speed_m_s, slope, leg, notes)
    if spec.mode == "walk":
        notes.append(
            "timing: Franz & Kram 2012 Table 1 (V) and Fukuchi 2018 slow walking (V), Hof 1996"
            " dimensionless scaling"
        )
    else:
        notes.append(
            "timing: constant contact length and swing time (Weyand et al. 2000, U), anchored"
            " to the running template; level running timing held on grades (U)"
        )
    if spec.direction == "backward":
        ratio = _speed_ratio(spec)
        stride_time = _forward_timing(spec.mode, spec.speed_m_s / ratio, slope, leg, [])[0]
        notes.append(
            f"backward: cadence of forward gait at speed / {ratio:g} (Laufer 2005), stance"
            " time of forward gait at the same speed (U)"
        )
    return stride_time, stance_time / stride_time


def _series(kind: str, coefficients: list[float], phase: FloatArray) -> FloatArray:
    """Evaluate a fitted series; ``phase`` in cycles (Fourier) or share of stance (0..1)."""
    c = np.asarray(coefficients, dtype=np.float64)
    if kind.startswith("fourier"):
        order = (c.size - 1) // 2
        arg = 2.0 * np.pi * np.outer(phase, np.arange(1, order + 1))
        return c[0] + np.cos(arg) @ c[1 : order + 1] + np.sin(arg) @ c[order + 1 :]
    if kind.startswith("sine"):
        return np.sin(np.pi * np.outer(phase, np.arange(1, c.size + 1))) @ c
    return np.cos(np.pi * np.outer(phase, np.arange(0, c.size))) @ c


def _warp(percent: FloatArray, stance: float, stance_ref: float) -> FloatArray:
    """Percent of the template cycle at which the template is in the same phase (stance or
    swing, the same share of it) as ``percent`` of a cycle with stance fraction ``stance``."""
    in_stance = percent < 100.0 * stance
    return np.where(
        in_stance,
        percent / stance * stance_ref,
        100.0 * stance_ref + (percent - 100.0 * stance) / (1.0 - stance) * (1.0 - stance_ref),
    )


def _raised_cosine(distance: FloatArray, half_width: float) -> FloatArray:
    return np.where(
        np.abs(distance) < half_width, 0.5 * (1.0 + np.cos(np.pi * distance / half_width)), 0.0
    )


def _grade_offsets(percent: FloatArray, stance: float, slope_deg: float) -> dict[str, FloatArray]:
    """Joint-angle offsets of forward gait on a slope [deg] (``scaling.toml`` [grade])."""
    g = _scaling()["grade"]
    largest = float(g["Largest slope [deg]"])
    slope = min(max(slope_deg, -largest), largest)
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
    up, down = max(slope, 0.0), max(-slope, 0.0)
    return {
        "hip_flexion_deg": up * float(g["Uphill hip flexion at contact [deg/deg]"]) * contact,
        "knee_flexion_deg": up * float(g["Uphill knee flexion at contact [deg/deg]"]) * contact
        + down * float(g["Downhill knee flexion in early stance [deg/deg]"]) * early,
        "ankle_dorsiflexion_deg": up
        * float(g["Uphill ankle dorsiflexion at contact [deg/deg]"])
        * contact,
    }


def gait_pattern(spec: GaitSpec, n_points: int = CYCLE_POINTS) -> GaitPattern:
    """The normative pattern of one stride of the right leg for ``spec``.

    Parameters
    ----------
    spec : mode, direction, speed [m/s], grade [%] and subject
    n_points : points over the cycle, 0..100 % (default 101)

    Returns
    -------
    GaitPattern : stride time [s], stride length [m], stance fraction, joint angles [deg],
        ground reaction of the right foot [BW] (ground frame: x facing, y normal) and CoP
        along the foot (0 heel, 1 toe; NaN in swing).

    Backward gait is the time reversal of forward gait, the ankle included: Winter, Pluck &
    Yang (1989) and Lee et al. (2013) report that the backward ankle angle differs from the
    reversed forward one, but the size and shape of the difference were not read (U), so no
    correction is applied; the reversal already puts the ankle in plantarflexion at the
    forefoot contact and dorsiflexes it as the heel is lowered.

    Raises
    ------
    InputError
        ``n_points`` < 2, or a speed outside the range the data cover
        (:func:`speed_range_m_s`): never extrapolated.
    """
    if isinstance(n_points, bool) or not isinstance(n_points, int) or n_points < 2:
        raise InputError("gait_pattern", "n_points", "an integer >= 2", repr(n_points))
    notes: list[str] = []
    stride_time, stance = _timing(spec, notes)
    template = _template(spec.mode)
    stance_ref = float(template["reference"]["Stance fraction [-]"])
    backward = spec.direction == "backward"

    percent = np.linspace(0.0, 100.0, n_points)
    cycle = np.mod(percent, 100.0)
    # phase of the forward gait this frame is the time reversal of (identity when forward)
    forward_percent = np.mod(100.0 * stance - cycle, 100.0) if backward else cycle
    # forward gait on the slope it travels: backward on +g reverses forward on -g
    slope_deg = math.degrees(spec.grade_angle_rad) * (-1.0 if backward else 1.0)
    template_percent = _warp(forward_percent, stance, stance_ref)
    # offsets follow the template's timing, so they are re-timed with the angles
    offsets = _grade_offsets(template_percent, stance_ref, slope_deg)
    template_phase = template_percent / 100.0
    angles: dict[str, FloatArray] = {}
    for name in PATTERN_ANGLES:
        block = template["angles"][name]
        angle = _series(block["series"], block["Coefficients [deg]"], template_phase)
        angles[name] = angle + offsets.get(name, 0.0)

    in_stance = cycle < 100.0 * stance
    share = np.where(in_stance, cycle / (100.0 * stance), 0.0)
    forward_share = 1.0 - share if backward else share
    theta = spec.grade_angle_rad
    scale = stance_ref / stance
    grf: dict[str, FloatArray] = {}
    for name in PATTERN_GRF:
        block = template["grf"][name]
        values = _series(block["series"], block["Coefficients [BW]"], forward_share)
        grf[name] = np.where(in_stance, values * scale, 0.0)
    grf["grf_y_bw"] = grf["grf_y_bw"] * math.cos(theta)
    grf["grf_x_bw"] = grf["grf_x_bw"] + grf["grf_y_bw"] * math.tan(theta) * spec.travel_sign
    block = template["cop_along_foot"]
    cop = _series(block["series"], block["Coefficients [-]"], forward_share)
    cop = np.where(in_stance, cop, np.nan)

    sources = (
        str(template["meta"]["source"]),
        str(_scaling()["meta"]["source"]),
        *notes,
    )
    return GaitPattern(
        percent_cycle=percent,
        stride_time_s=stride_time,
        stride_length_m=spec.speed_m_s * stride_time,
        stance_fraction=stance,
        angles_deg=angles,
        grf_bw=grf,
        cop_along_foot=cop,
        sources=sources,
    )
