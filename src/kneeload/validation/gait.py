"""Validation of generated gait cycles (issue 4; DESIGN.md §4.2 and §6 rung 6).

Each check generates cycles for published conditions, runs them through the same pipeline as a
measured trial (:func:`kneeload.gait.simulate.simulate`) and compares the figures with the
published values of ``REFERENCES.md`` §1, §2 and §7. No data folder is read: the checks take
``data_dir`` only to share the signature of the other checks. ``seed_questions`` answers the
questions users bring (does backward walking load the knee less?) and judges nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kneeload.config import GRF_CONTACT_THRESHOLD_N, STANDARD_GRAVITY_M_S2
from kneeload.gait.spec import GaitSpec, Subject
from kneeload.validation import CheckResult, Curve

if TYPE_CHECKING:
    from kneeload.gait.cycle import GaitCycle

#: default subject of the checks without a published one (a typical adult)
TYPICAL_SUBJECT = Subject(mass_kg=70.0, height_m=1.75)
#: Roos, Barton & van Deursen (2012) forward/backward running: 3 m/s, 76 kg, 1.78 m (issue 4)
ROOS_SUBJECT = Subject(mass_kg=76.0, height_m=1.78)
ROOS_SPEED_M_S = 3.0
#: Kuster et al. (1993) downhill walking: 19.3 % grade; 1.3 m/s, 70 kg, 1.75 m (issue 4)
KUSTER_GRADE_PCT = -19.3
KUSTER_SPEED_M_S = 1.3
#: Franz & Kram (2012) Table 1, 1.25 m/s: grade [deg] -> (stride frequency [Hz], stance time [s])
FRANZ_KRAM_SPEED_M_S = 1.25
FRANZ_KRAM_TABLE1: dict[int, tuple[float, float]] = {
    -9: (0.99, 0.60),
    -6: (0.98, 0.62),
    -3: (0.95, 0.64),
    0: (0.93, 0.64),
    3: (0.91, 0.66),
    6: (0.91, 0.65),
    9: (0.92, 0.65),
}
#: Cha, Kim & Kim (2016) backward incline treadmill protocol: 3 km/h at a 10 % grade
CHA_SPEED_M_S = 3.0 / 3.6
CHA_GRADE_PCT = 10.0
#: speed of the backward-walking checks: inside the range both directions' data cover
BACKWARD_SPEED_M_S = 1.0
#: first contact "on the forefoot": centre of pressure in the front half of the sole
FOREFOOT_FROM = 0.5
#: cycles timed by the throughput check (issue 4: 10 000 cycles well under a second)
THROUGHPUT_CYCLES = 10_000

RUNG = "6. Published values, generated gait cycles (issue 4)"


def _spec(
    mode: str,
    direction: str,
    speed_m_s: float,
    grade_pct: float = 0.0,
    subject: Subject = TYPICAL_SUBJECT,
) -> GaitSpec:
    return GaitSpec(mode, direction, speed_m_s, grade_pct, subject)


@lru_cache(maxsize=64)
def _simulated(spec: GaitSpec) -> tuple[pd.DataFrame, dict[str, float]]:
    """One stride of ``spec`` through the whole pipeline and its summary (cached: several checks
    share conditions; callers must not modify the table)."""
    from kneeload.gait.simulate import simulate, summarise

    table = simulate(spec)
    return table, summarise(table, spec)


def _stance(table: pd.DataFrame) -> np.ndarray:
    """Frames of the first whole stride with the right foot on the ground."""
    return ((table["stride"] == 1) & (table["grf_vertical_n"] > GRF_CONTACT_THRESHOLD_N)).to_numpy()


def _stride(table: pd.DataFrame) -> pd.DataFrame:
    """The first whole stride's rows."""
    return table[table["stride"] == 1]


def _stance_peak(table: pd.DataFrame, column: str) -> float:
    return float(table.loc[_stance(table), column].max())


def grf_peaks_bw(table: pd.DataFrame) -> tuple[float, float]:
    """First and second peak of the vertical ground reaction [BW]: maxima over the first and
    second halves of the first stance."""
    stance = np.flatnonzero(_stance(table))
    force = table["grf_vertical_bw"].to_numpy()[stance]
    half = len(stance) // 2
    return float(force[:half].max()), float(force[half:].max())


def joint_power_w(table: pd.DataFrame, joint: str) -> np.ndarray:
    """Joint power over the first stride, moment × angular velocity [W] (Winter, Pluck & Yang
    1989): extensor (plantarflexor) moment × extension (plantarflexion) velocity, > 0 generated.
    """
    stride = _stride(table)
    angle = {
        "hip": "hip_flexion_deg",
        "knee": "knee_flexion_deg",
        "ankle": "ankle_dorsiflexion_deg",
    }
    velocity = -np.gradient(
        np.radians(stride[angle[joint]].to_numpy()), stride["time_s"].to_numpy()
    )
    return stride[f"{joint}_moment_nm"].to_numpy() * velocity


def time_reversed(
    percent: np.ndarray,
    values: np.ndarray,
    stance_fraction: float,
    onto_percent: np.ndarray,
    onto_stance_fraction: float,
) -> np.ndarray:
    """A forward curve played backward in time, phase-matched onto another cycle: its stance
    (0 -> toe-off) is played from toe-off back to 0 over the other cycle's stance, its swing
    from the next contact back to toe-off over the other's swing."""
    toe_off = 100.0 * stance_fraction
    other = 100.0 * onto_stance_fraction
    q = np.asarray(onto_percent, dtype=np.float64)
    source = np.where(
        q <= other,
        toe_off * (1.0 - q / other),
        100.0 - (q - other) / (100.0 - other) * (100.0 - toe_off),
    )
    return np.interp(source, percent, values, period=100.0)


def cop_along_foot(spec: GaitSpec) -> tuple[float, float]:
    """Centre of pressure of the right foot at its first contact and at its last loaded frame,
    along the surface between the heel (0) and the toe (1) [-]. Contact: the frames whose
    vertical force is above the contact threshold, the cycle taken as periodic."""
    from kneeload.gait.generator import generate_cycles

    cycle = generate_cycles(spec)
    frames = np.flatnonzero(cycle.percent_cycle < 100.0)  # the closing frame repeats frame 0
    loaded = cycle.grf_n[frames, 0, 1] > GRF_CONTACT_THRESHOLD_N
    first = frames[int(np.argmax(loaded & ~np.roll(loaded, 1)))]
    last = frames[int(np.argmax(loaded & ~np.roll(loaded, -1)))]

    def along(frame: int) -> float:
        heel, toe = cycle.heel_m[frame, 0, 0], cycle.toe_m[frame, 0, 0]
        return float((cycle.cop_m[frame, 0, 0] - heel) / (toe - heel))

    return along(first), along(last)


def check_forward_walking(data_dir: Path) -> CheckResult:
    """Forward walking at 1.2, 1.35 and 1.5 m/s (70 kg, 1.75 m), level: vertical GRF peaks,
    stance fraction and knee flexion in loading response and swing."""
    figures: dict[str, float] = {}
    ok = True
    for speed in (1.2, 1.35, 1.5):
        table, summary = _simulated(_spec("walk", "forward", speed))
        stride = _stride(table)
        first, second = grf_peaks_bw(table)
        percent = stride["percent_cycle"].to_numpy()
        knee = stride["knee_flexion_deg"].to_numpy()
        stance_pct = 100.0 * summary["stance_fraction"]
        loading = float(knee[percent <= 30.0].max())
        swing = float(knee[percent >= stance_pct].max())
        at = f"at_{speed:g}_m_s"
        figures.update(
            {
                f"grf_first_peak_bw_{at}": first,
                f"grf_second_peak_bw_{at}": second,
                f"stance_percent_{at}": stance_pct,
                f"knee_flexion_loading_response_deg_{at}": loading,
                f"knee_flexion_swing_deg_{at}": swing,
            }
        )
        ok &= 1.1 <= first <= 1.25 and 1.1 <= second <= 1.25
        ok &= 57.0 <= stance_pct <= 63.0 and 15.0 <= loading <= 20.0 and 60.0 <= swing <= 65.0
    return CheckResult(
        name="gait_forward_walking",
        rung=RUNG,
        target="vertical GRF peaks 1.1-1.25 BW (DESIGN.md §4.2); stance 60 ± 3 % of the cycle "
        "(59:41, Beaulieu et al. 2008); knee flexion 15-20° in loading response (peak over "
        "0-30 % of the cycle) and 60-65° in swing (REFERENCES.md §7)",
        figures=figures,
        passed=bool(ok),
        data="generated: walk forward 1.2/1.35/1.5 m/s, level, 70 kg, 1.75 m",
    )


def check_running(data_dir: Path) -> CheckResult:
    """Forward running at 3, 3.5 and 4 m/s (70 kg, 1.75 m), level: vertical GRF peak and a
    flight phase (each foot on the ground less than half the cycle)."""
    figures: dict[str, float] = {}
    ok = True
    for speed in (3.0, 3.5, 4.0):
        _table, summary = _simulated(_spec("run", "forward", speed))
        peak = summary["peak_grf_vertical_bw"]
        flight = 100.0 * (1.0 - 2.0 * summary["stance_fraction"])
        at = f"at_{speed:g}_m_s"
        figures[f"grf_peak_bw_{at}"] = peak
        figures[f"flight_percent_of_cycle_{at}"] = flight
        ok &= 2.3 <= peak <= 2.8 and flight > 0.0
    return CheckResult(
        name="gait_running",
        rung=RUNG,
        target="vertical GRF peak 2.3-2.8 BW with a flight phase at 3-4 m/s (DESIGN.md §4.2); "
        "flight = 1 - 2 × stance fraction (the left foot is the right half a cycle later)",
        figures=figures,
        passed=bool(ok),
        data="generated: run forward 3/3.5/4 m/s, level, 70 kg, 1.75 m",
    )


def check_backward_walking(data_dir: Path) -> CheckResult:
    """Backward vs forward walking at 1.0 m/s, level (70 kg, 1.75 m): stance, stride, first
    contact, and joint-power polarity against the time-reversed forward cycle."""
    forward = _spec("walk", "forward", BACKWARD_SPEED_M_S)
    backward = _spec("walk", "backward", BACKWARD_SPEED_M_S)
    fw_table, fw = _simulated(forward)
    bw_table, bw = _simulated(backward)
    fw_percent = _stride(fw_table)["percent_cycle"].to_numpy()
    bw_percent = _stride(bw_table)["percent_cycle"].to_numpy()
    figures = {
        "stance_fraction_forward": fw["stance_fraction"],
        "stance_fraction_backward": bw["stance_fraction"],
        "stride_length_forward_m": fw["stride_length_m"],
        "stride_length_backward_m": bw["stride_length_m"],
    }
    for direction, spec in (("forward", forward), ("backward", backward)):
        contact, lift = cop_along_foot(spec)
        figures[f"contact_cop_along_foot_{direction}"] = contact
        figures[f"cop_progression_along_foot_{direction}"] = lift - contact
    curves = []
    for joint in ("knee", "hip", "ankle"):
        reversed_forward = time_reversed(
            fw_percent,
            joint_power_w(fw_table, joint),
            fw["stance_fraction"],
            bw_percent,
            bw["stance_fraction"],
        )
        backward_power = joint_power_w(bw_table, joint)
        figures[f"{joint}_power_correlation_vs_reversed_forward"] = float(
            np.corrcoef(backward_power, reversed_forward)[0, 1]
        )
        curves.append(
            Curve(
                f"{joint} power, backward vs time-reversed forward with its sign flipped",
                bw_percent,
                backward_power,
                -reversed_forward,
                "% cycle (from the toe's contact)",
                "W",
            )
        )
    passed = (
        figures["stance_fraction_backward"] > figures["stance_fraction_forward"]
        and figures["stride_length_backward_m"] < figures["stride_length_forward_m"]
        and figures["contact_cop_along_foot_forward"] < FOREFOOT_FROM
        and figures["contact_cop_along_foot_backward"] >= FOREFOOT_FROM
        and figures["cop_progression_along_foot_forward"] > 0.0
        and figures["cop_progression_along_foot_backward"] < 0.0
        and figures["knee_power_correlation_vs_reversed_forward"] < 0.0
        and figures["hip_power_correlation_vs_reversed_forward"] < 0.0
    )
    return CheckResult(
        name="gait_backward_walking",
        rung=RUNG,
        target="backward: longer stance fraction and shorter stride than forward at the same "
        "speed (Laufer 2005; Thorstensson 1986), first contact on the forefoot (centre of "
        f"pressure at least {FOREFOOT_FROM:g} of the foot length from the heel; forward, on "
        "the heel, less) and the centre of pressure moving toe -> heel (heel -> toe forward) "
        "over stance, knee and hip power of reversed polarity relative to "
        "the time-reversed forward cycle, correlation < 0 (Winter, Pluck & Yang 1989); the "
        "ankle, the exception, is reported",
        figures=figures,
        passed=bool(passed),
        curves=tuple(curves),
        data=f"generated: walk forward and backward {BACKWARD_SPEED_M_S:g} m/s, level, 70 kg, "
        "1.75 m",
    )


def check_franz_kram_grade(data_dir: Path) -> CheckResult:
    """Stride frequency and stance time of forward walking at 1.25 m/s from -9° to +9° (70 kg,
    1.75 m) against Franz & Kram (2012) Table 1."""
    grades = sorted(FRANZ_KRAM_TABLE1)
    ours = {
        deg: _simulated(
            _spec("walk", "forward", FRANZ_KRAM_SPEED_M_S, 100.0 * np.tan(np.radians(deg)))
        )[1]
        for deg in grades
    }
    frequency = np.array([1.0 / ours[d]["stride_time_s"] for d in grades])
    stance = np.array([ours[d]["stance_fraction"] * ours[d]["stride_time_s"] for d in grades])
    published = np.array([FRANZ_KRAM_TABLE1[d] for d in grades])
    frequency_error = 100.0 * (frequency / published[:, 0] - 1.0)
    stance_error = 100.0 * (stance / published[:, 1] - 1.0)
    figures = {
        "stride_frequency_max_error_percent": float(np.abs(frequency_error).max()),
        "stance_time_max_error_percent": float(np.abs(stance_error).max()),
    }
    for d, f_error, s_error in zip(grades, frequency_error, stance_error, strict=True):
        figures[f"stride_frequency_error_percent_at_{d:+d}_deg"] = float(f_error)
        figures[f"stance_time_error_percent_at_{d:+d}_deg"] = float(s_error)
    x = np.array(grades, dtype=np.float64)
    return CheckResult(
        name="gait_franz_kram_grade",
        rung=RUNG,
        target="stride frequency and stance time within 5 % of Franz & Kram (2012) Table 1 at "
        "1.25 m/s, -9° to +9°",
        figures=figures,
        passed=bool(
            figures["stride_frequency_max_error_percent"] <= 5.0
            and figures["stance_time_max_error_percent"] <= 5.0
        ),
        curves=(
            Curve("stride frequency", x, frequency, published[:, 0], "grade [deg]", "Hz"),
            Curve("stance time", x, stance, published[:, 1], "grade [deg]", "s"),
        ),
        data="generated: walk forward 1.25 m/s, 70 kg, 1.75 m (the paper's subjects: 5 M, 5 F)",
    )


def check_roos_backward_running(data_dir: Path) -> CheckResult:
    """Backward vs forward running at 3 m/s, 76 kg, 1.78 m: peak patellofemoral force and peak
    knee extensor moment ratios (Roos, Barton & van Deursen 2012)."""
    fw_table, fw = _simulated(_spec("run", "forward", ROOS_SPEED_M_S, subject=ROOS_SUBJECT))
    bw_table, bw = _simulated(_spec("run", "backward", ROOS_SPEED_M_S, subject=ROOS_SUBJECT))
    figures = {
        "pf_peak_forward_bw": fw["peak_pf_force_bw"],
        "pf_peak_backward_bw": bw["peak_pf_force_bw"],
        "pf_peak_ratio_backward_forward": bw["peak_pf_force_bw"] / fw["peak_pf_force_bw"],
        "knee_moment_peak_forward_nm": _stance_peak(fw_table, "knee_moment_nm"),
        "knee_moment_peak_backward_nm": _stance_peak(bw_table, "knee_moment_nm"),
    }
    figures["knee_moment_ratio_backward_forward"] = (
        figures["knee_moment_peak_backward_nm"] / figures["knee_moment_peak_forward_nm"]
    )
    return CheckResult(
        name="gait_roos_backward_running",
        rung=RUNG,
        target="backward/forward running at 3 m/s: peak PF force ×0.6-0.9 and peak knee "
        "extensor moment ×0.65-0.95 (Roos et al. 2012: 4.5 -> 3.4 BW, ×0.76; 157 -> 124 N·m, "
        "×0.79)",
        figures=figures,
        passed=bool(
            0.6 <= figures["pf_peak_ratio_backward_forward"] <= 0.9
            and 0.65 <= figures["knee_moment_ratio_backward_forward"] <= 0.95
        ),
        data="generated: run forward and backward 3 m/s, level, 76 kg, 1.78 m",
    )


def check_kuster_downhill(data_dir: Path) -> CheckResult:
    """Downhill (-19.3 %) vs level walking at 1.3 m/s, 70 kg, 1.75 m: stance peaks of the knee
    extensor moment and the patellofemoral force (Kuster et al. 1993)."""
    level, _ = _simulated(_spec("walk", "forward", KUSTER_SPEED_M_S))
    down, _ = _simulated(_spec("walk", "forward", KUSTER_SPEED_M_S, KUSTER_GRADE_PCT))
    mass = TYPICAL_SUBJECT.mass_kg
    figures = {
        "knee_moment_level_nm_kg": _stance_peak(level, "knee_moment_nm_kg"),
        "knee_moment_downhill_nm_kg": _stance_peak(down, "knee_moment_nm_kg"),
        "pf_force_level_n_kg": _stance_peak(level, "pf_force_n") / mass,
        "pf_force_downhill_n_kg": _stance_peak(down, "pf_force_n") / mass,
    }
    figures["knee_moment_ratio_downhill_level"] = (
        figures["knee_moment_downhill_nm_kg"] / figures["knee_moment_level_nm_kg"]
    )
    figures["pf_force_ratio_downhill_level"] = (
        figures["pf_force_downhill_n_kg"] / figures["pf_force_level_n_kg"]
    )
    return CheckResult(
        name="gait_kuster_downhill",
        rung=RUNG,
        target="downhill -19.3 % / level at 1.3 m/s, stance peaks: knee extensor moment ≥ ×1.6 "
        "and PF force ≥ ×2 (Kuster et al. 1993: 1.2 -> 2.6 N·m/kg, ×2.2; PF 14 -> 50 N/kg men, "
        "×3-4)",
        figures=figures,
        passed=bool(
            figures["knee_moment_ratio_downhill_level"] >= 1.6
            and figures["pf_force_ratio_downhill_level"] >= 2.0
        ),
        data="generated: walk forward 1.3 m/s, level and -19.3 %, 70 kg, 1.75 m",
    )


#: conditions of the Newton-residual check: (mode, speed [m/s]) × direction × grade [%]
RESIDUAL_GAITS: tuple[tuple[str, float], ...] = (("walk", 1.0), ("run", 3.0))
RESIDUAL_GRADES_PCT: tuple[float, ...] = (-40.0, -19.3, -10.0, 0.0, 10.0, 19.3, 40.0)


def newton_residual_rms_bw(cycle: GaitCycle) -> float:
    """Whole-body Newton residual of a cycle recomputed from its segments: RMS over the middle
    stride of |Σ GRF - (Σ mᵢaᵢ - M·g)| [BW], accelerations by central differences of the
    centres of mass (the first and last strides absorb the end effects)."""
    time_s = cycle.time_s
    middle = cycle.stride == 2

    def acceleration(position: np.ndarray) -> np.ndarray:
        velocity = np.gradient(position, time_s, axis=0, edge_order=2)
        return np.asarray(np.gradient(velocity, time_s, axis=0, edge_order=2))

    mass_acceleration = np.einsum(
        "k,fskx->fx", cycle.segment_mass_kg, acceleration(cycle.com_m)
    ) + cycle.hat_mass_kg * acceleration(cycle.hat_com_m)
    gravity = np.asarray(cycle.gravity_m_s2)
    ground = cycle.grf_n[:, :, :2].sum(axis=1)
    residual = ground - (mass_acceleration - cycle.body_mass_kg * gravity)
    weight = cycle.body_mass_kg * STANDARD_GRAVITY_M_S2
    return float(np.sqrt(np.mean(np.sum(residual[middle] ** 2, axis=1))) / weight)


def check_newton_residual(data_dir: Path) -> CheckResult:
    """Whole-body Newton residual of generated cycles, walking and running, both directions,
    grades -40 % to +40 %: the ground reaction must equal Σ mᵢaᵢ - M·g over all segments.
    Recomputed here from the segments' centres of mass (401 frames per stride); the
    generator's own figure is reported beside it."""
    from kneeload.gait.generator import generate_cycles

    ours: dict[str, float] = {}
    generators: list[float] = []
    for mode, speed in RESIDUAL_GAITS:
        for direction in ("forward", "backward"):
            for grade in RESIDUAL_GRADES_PCT:
                cycle = generate_cycles(
                    _spec(mode, direction, speed, grade), strides=3, frames_per_stride=401
                )
                key = f"residual_percent_bw_{mode}_{direction}_{grade:+g}_pct"
                ours[key] = 100.0 * newton_residual_rms_bw(cycle)
                generators.append(100.0 * cycle.newton_residual_rms_bw)
    worst = max(ours.values())
    return CheckResult(
        name="gait_newton_residual",
        rung=RUNG,
        target="whole-body Newton residual RMS ≤ 5 % BW at every grade and in both directions "
        "(issue 4)",
        figures={
            "residual_max_percent_bw": worst,
            "generator_reported_residual_max_percent_bw": max(generators),
            **ours,
        },
        passed=worst <= 5.0 and max(generators) <= 5.0,
        data="generated: walk 1.0 m/s and run 3.0 m/s, forward and backward, "
        f"grades {', '.join(f'{g:g}' for g in RESIDUAL_GRADES_PCT)} %, 70 kg, 1.75 m",
    )


def throughput_specs(count: int) -> list[GaitSpec]:
    """``count`` different cases, as a sweep has them: walking and running, both directions,
    speeds across each one's data range, grades -20 % to +20 %, 50-100 kg, 1.55-1.95 m."""
    from kneeload.gait.templates import speed_range_m_s

    specs = []
    for i in range(count):
        subject = Subject(50.0 + 50.0 * (i % 11) / 10, 1.55 + 0.4 * (i % 13) / 12)
        mode, direction = ("walk", "run")[i % 2], ("forward", "backward")[(i // 2) % 2]
        low, high = speed_range_m_s(GaitSpec(mode, direction, 1.0, 0.0, subject))
        speed = low + (high - low) * (0.05 + 0.9 * (i % 17) / 16)
        specs.append(GaitSpec(mode, direction, speed, -20.0 + 40.0 * (i % 9) / 8, subject))
    return specs


def check_generator_throughput(data_dir: Path) -> CheckResult:
    """Cycles generated per second: 10 000 different cases in one batch call, one stride of
    101 frames each; the best of three timings after a warm-up call (the machine may be
    shared)."""
    from kneeload.gait.generator import generate_cycle_batch

    specs = throughput_specs(THROUGHPUT_CYCLES)
    generate_cycle_batch(specs[:8])
    elapsed = min(_timed(lambda: generate_cycle_batch(specs)) for _ in range(3))
    return CheckResult(
        name="gait_generator_throughput",
        rung="7. Performance (DESIGN.md §7)",
        target=f"{THROUGHPUT_CYCLES} cycles in under 1 s (issue 4: well under a second)",
        figures={
            "cycles_per_s": THROUGHPUT_CYCLES / elapsed,
            f"seconds_for_{THROUGHPUT_CYCLES}_cycles": elapsed,
        },
        passed=elapsed < 1.0,
        data=f"generated: {THROUGHPUT_CYCLES} cases, walk and run, forward and backward, speeds "
        "across the data, grades -20 to +20 %, 50-100 kg, 1.55-1.95 m",
    )


def _timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


#: conditions of the seed questions: name -> grade [%], all at Cha et al. (2016)'s 3 km/h
SEED_CONDITIONS: dict[str, float] = {
    "level": 0.0,
    "uphill": CHA_GRADE_PCT,
    "downhill": -CHA_GRADE_PCT,
}


def check_seed_questions(data_dir: Path) -> CheckResult:
    """At matched speed and grade, does backward walking lower peak tibiofemoral and
    patellofemoral load, raise quadriceps activation, lengthen stance and land on the forefoot?
    Level, uphill and downhill at Cha, Kim & Kim (2016)'s 3 km/h and 10 % grade."""
    figures: dict[str, float] = {}
    notes = []
    for condition, grade in SEED_CONDITIONS.items():
        forward = _spec("walk", "forward", CHA_SPEED_M_S, grade)
        backward = _spec("walk", "backward", CHA_SPEED_M_S, grade)
        fw = _simulated(forward)[1]
        bw = _simulated(backward)[1]
        ratios = {
            "tf_peak": bw["peak_tf_compressive_bw"] / fw["peak_tf_compressive_bw"],
            "pf_peak": bw["peak_pf_force_bw"] / fw["peak_pf_force_bw"],
            "quadriceps_activation_peak": bw["peak_quadriceps_activation"]
            / fw["peak_quadriceps_activation"],
            "stance_fraction": bw["stance_fraction"] / fw["stance_fraction"],
        }
        for name, value in ratios.items():
            figures[f"{condition}_{name}_ratio_backward_forward"] = value
        figures[f"{condition}_tf_peak_forward_bw"] = fw["peak_tf_compressive_bw"]
        figures[f"{condition}_pf_peak_forward_bw"] = fw["peak_pf_force_bw"]
        contact = cop_along_foot(backward)[0]
        figures[f"{condition}_backward_contact_cop_along_foot"] = contact
        notes.append(
            f"{condition} ({grade:+g} %, {CHA_SPEED_M_S:.3g} m/s), backward vs forward: peak "
            f"TF ×{ratios['tf_peak']:.2f} ({_word(ratios['tf_peak'], 'lower', 'higher')}), "
            f"peak PF ×{ratios['pf_peak']:.2f} ({_word(ratios['pf_peak'], 'lower', 'higher')}), "
            f"peak quadriceps activation ×{ratios['quadriceps_activation_peak']:.2f} "
            f"({_word(ratios['quadriceps_activation_peak'], 'lower', 'higher')}), stance "
            f"fraction ×{ratios['stance_fraction']:.2f} "
            f"({_word(ratios['stance_fraction'], 'shorter', 'longer')}), first contact "
            f"{'on the forefoot' if contact >= FOREFOOT_FROM else 'not on the forefoot'} "
            f"(centre of pressure at {contact:.2f} of the foot length from the heel)"
        )
    return CheckResult(
        name="seed_questions",
        rung="The seed questions (issue 4): backward vs forward walking at matched speed and grade",
        target="none: the figures answer the questions (backward/forward ratios; first contact "
        f"on the forefoot = centre of pressure >= {FOREFOOT_FROM:g} of the foot from the heel) "
        "at Cha, Kim & Kim (2016)'s 3 km/h, level and ±10 %; passed means the answer was "
        "computed",
        figures=figures,
        passed=True,
        notes=tuple(notes),
        data="generated: walk forward and backward 0.833 m/s, grades 0, +10, -10 %, 70 kg, 1.75 m",
    )


def _word(ratio: float, below: str, above: str) -> str:
    return below if ratio < 1.0 else above


CHECKS: dict[str, Callable[[Path], CheckResult]] = {
    "gait_forward_walking": check_forward_walking,
    "gait_running": check_running,
    "gait_backward_walking": check_backward_walking,
    "gait_franz_kram_grade": check_franz_kram_grade,
    "gait_roos_backward_running": check_roos_backward_running,
    "gait_kuster_downhill": check_kuster_downhill,
    "gait_newton_residual": check_newton_residual,
    "gait_generator_throughput": check_generator_throughput,
    "seed_questions": check_seed_questions,
}
