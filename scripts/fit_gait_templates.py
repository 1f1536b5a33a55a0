"""Fit the normative gait templates ``models/gait/walk_forward.toml`` and ``run_forward.toml``.

Usage: ``python scripts/fit_gait_templates.py [SHARED_DATA]`` (default ``../shared/data``).
The output is byte-identical for the same input data.

Sources (``../shared/data``, see its README.md; raw files are never copied into the project):

* walking: Winter (2009) Appendix A (one stride, sagittal: A.4 knee and ankle angles, A.3
  thigh angle for the hip (see :func:`winter`), A.5 ground reaction and CoP, A.1 heel and toe
  markers); OpenSim's subject01 treadmill walk (gait2392 IK:
  pelvis tilt and list, hip flexion and adduction, knee, ankle; GRF of both feet; heel and toe
  markers). Fukuchi 2018 WBDS01 (treadmill, 0.49 m/s, 15 strides) gives slow walking
  (``[slow_walking]``): its timing, and its sagittal hip, knee and ankle angles from its C3D
  markers through kneeload's marker pipeline (marker set ``Fukuchi2018``; its IK sample covers
  no complete stride), the slow end of the templates' speed scaling. Frontal plane (hip
  adduction, pelvic obliquity): subject01's IK and, from skin markers through kneeload's
  marker pipeline (:func:`frontal_from_markers`), Grand Challenge JW og1, og3, og7 (Fregly et
  al. 2012) and Fukuchi WBDS01 (15 strides, stance re-timed to the reference), sources
  weighted equally: subject01 alone put the knee lateral of the hip in loading response,
  where all three sources' markers put it medial.
* running: Hamner, Seth & Delp (2010) subject02 treadmill run (IK, GRF of both feet, markers;
  14 strides); Rajagopal et al. (2016) treadmill run (GRF of both feet and markers, 6 strides;
  its IK sample is a trimmed trial on another time base, so it gives GRF and CoP only).

Method: strides from the vertical GRF of the right foot (20 N, :mod:`kneeload.io.events`);
each stride time-normalised to 101 points (joint angles over the cycle, GRF and CoP over the
stance of the right foot); strides averaged per source, then sources averaged with equal
weight where a quantity exists in several. Compact representations:

* joint angles: Fourier series over the cycle, ``a0 + sum a_k cos(2 pi k p) + b_k sin(...)``;
* GRF per foot (x, y, z in BW, y normal to the ground): sine series over stance
  ``sum c_k sin(k pi s)``, s = 0..1 (zero at contact and at toe-off; swing is zero);
* CoP along the foot (0 heel, 1 toe): cosine series over stance, fitted where the vertical
  force exceeds 10 % BW (the CoP is undefined near zero force).

Order: the smallest that reproduces held-out samples (the odd-indexed points of the averaged
curve, fitted on the even ones) within 0.5 deg (angles), 0.01 BW (GRF) or 0.01 (CoP), capped
at 12; the order and both RMS errors are written to the file.
"""

from __future__ import annotations

import sys
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from kneeload.io.c3d import read_c3d
from kneeload.io.events import contact_intervals, lowpass, strides, time_normalise
from kneeload.io.frames import lab_to_model
from kneeload.io.opensim import read_coordinates, read_grf, read_trc
from kneeload.io.types import MarkerData

FloatArray = NDArray[np.float64]

ROOT = Path(__file__).resolve().parents[1]
N_POINTS = 101
#: leg length as a fraction of stature: greater-trochanter height 0.530 H (Winter 2009, Fig 4.1)
LEG_LENGTH_PER_HEIGHT = 0.530
#: Winter's Appendix A was computed with g = 9.8 (README of the shared data)
WINTER_G = 9.8
WINTER_MASS_KG = 56.7
#: stature of Winter's subject "about 1.62 m" (shared-data README; U)
WINTER_HEIGHT_M = 1.62
TOLERANCE = {"angle": 0.5, "grf": 0.01, "cop": 0.02}
MAX_ORDER = {"angle": 12, "grf": 16, "cop": 6}
COP_MIN_FORCE_BW = 0.10


@dataclass
class SourceStrides:
    """Time-normalised strides of one source (right leg)."""

    name: str
    citation: str
    angles: dict[str, list[FloatArray]] = field(default_factory=dict)  # over the cycle [deg]
    grf: dict[str, list[FloatArray]] = field(default_factory=dict)  # over stance [BW]
    cop: list[FloatArray] = field(default_factory=list)  # over stance [-], NaN at low force
    stride_time_s: list[float] = field(default_factory=list)
    stance_fraction: list[float] = field(default_factory=list)
    speed_m_s: float = 0.0
    leg_length_m: float = 0.0
    #: frontal-plane angles only (no timing, speed or leg length of its own)
    frontal_only: bool = False
    n_strides: int = 0

    def add_angle(self, name: str, curve: FloatArray) -> None:
        self.angles.setdefault(name, []).append(curve)

    def add_grf(self, name: str, curve: FloatArray) -> None:
        self.grf.setdefault(name, []).append(curve)


def _cop_along(cop: FloatArray, heel: FloatArray, toe: FloatArray) -> FloatArray:
    """Position of the CoP on the heel -> toe segment (horizontal x, z), 0 heel, 1 toe."""
    axis = toe - heel
    return np.sum((cop - heel) * axis, axis=-1) / np.sum(axis * axis, axis=-1)


def _stance_curves(
    time: FloatArray, values: FloatArray, on: float, off: float
) -> tuple[FloatArray, FloatArray]:
    return time_normalise(time, values, on, off, N_POINTS)


# ------------------------------------------------------------------------------------ walking


def winter(data: Path, pelvis_tilt_deg: FloatArray) -> SourceStrides:
    """Winter (2009) Appendix A: heel contact frame 28 -> 97, toe-off at frame 70.

    Hip flexion is taken relative to the pelvis, as in the OpenSim sources, and the generator
    places the thigh at hip flexion minus anterior pelvic tilt from the vertical. Winter's A.4
    hip angle is the thigh relative to his half-HAT segment (greater trochanter -> rib cage
    markers: A.4 hip = A.3 thigh - half-HAT angle to 0.1 deg), and that segment rotates by
    about 16 deg over single support (A.3: 5.5 deg back at frame 36, 10.8 deg forward at
    frame 63), so the A.4 hip angle moves about half as far as the thigh (17.5 vs 33.8 deg)
    and legs built from it carry the hips only about half a single-support stride. Winter has
    no pelvis markers: his hip flexion is his thigh's angle from the vertical (A.3) plus
    ``pelvis_tilt_deg``, the mean anterior pelvic tilt of the sources that measure it (U: his
    pelvis assumed to tilt as theirs), so that hip flexion minus the template's pelvic tilt
    averages the sources' thigh angles.
    """
    folder = data / "winter_appendixA"
    a3 = np.genfromtxt(folder / "A3_segment_kinematics.csv", delimiter=",", names=True)
    a4 = np.genfromtxt(folder / "A4_joint_angular_kinematics.csv", delimiter=",", names=True)
    a5 = np.genfromtxt(folder / "A5_reaction_forces_and_moments.csv", delimiter=",", names=True)
    a1 = np.genfromtxt(folder / "A1_raw_marker_coords_cm.csv", delimiter=",", names=True)
    a2 = np.genfromtxt(folder / "A2_filtered_marker_kinematics.csv", delimiter=",", names=True)
    src = SourceStrides(
        "winter_appendixA", "Winter 2009, Biomechanics and Motor Control, Appendix A"
    )
    t = a4["time_s"]
    hc0, hc1, to = (t[list(a4["frame"]).index(f)] for f in (28, 97, 70))
    for name, column in (
        ("knee_flexion_deg", "knee_theta_deg"),
        ("ankle_dorsiflexion_deg", "ankle_theta_deg"),
    ):
        src.add_angle(name, time_normalise(t, a4[column], hc0, hc1, N_POINTS)[1])
    # A.3 segment angles: counter-clockwise from +x (forward) of the knee -> hip vector, so a
    # thigh flexed from the vertical (knee ahead of the hip) has an angle above 90 deg
    thigh = time_normalise(t, a3["thigh_theta_deg"] - 90.0, hc0, hc1, N_POINTS)[1]
    src.add_angle("hip_flexion_deg", thigh + pelvis_tilt_deg)
    weight = WINTER_MASS_KG * WINTER_G
    src.add_grf("grf_x_bw", _stance_curves(t, a5["foot_ground_Rx_N"] / weight, hc0, to)[1])
    src.add_grf("grf_y_bw", _stance_curves(t, a5["foot_ground_Ry_N"] / weight, hc0, to)[1])
    heel = np.stack([a1["heel_x_cm"], np.zeros_like(t)], axis=1) / 100.0
    toe = np.stack([a1["toe_x_cm"], np.zeros_like(t)], axis=1) / 100.0
    cop = np.stack([a5["cop_x_m"], np.zeros_like(t)], axis=1)
    along = np.where(a5["foot_ground_Ry_N"] / weight > COP_MIN_FORCE_BW, 1.0, np.nan)
    along = along * _cop_along(cop, heel, toe)
    src.cop.append(_stance_curves(t, along, hc0, to)[1])
    src.stride_time_s.append(float(hc1 - hc0))
    src.stance_fraction.append(float((to - hc0) / (hc1 - hc0)))
    window = (t >= hc0) & (t <= hc1)
    src.speed_m_s = float(np.mean(a2["hip_vx_mps"][window]))
    src.leg_length_m = LEG_LENGTH_PER_HEIGHT * WINTER_HEIGHT_M
    return src


@dataclass(frozen=True)
class OpenSimTrial:
    """File names and labels of an OpenSim trial in the shared data."""

    name: str
    citation: str
    grf: str
    markers: str
    heel: str
    toe: str
    static: str
    ik: str | None = None
    max_stride_s: float = 1.6
    #: False when the toe marker is not at the toe tip (the CoP then runs past 1)
    cop: bool = True


def _opensim_height_or_leg(static: Path) -> float:
    """Leg length [m]: hip joint centre height (RHJC) if marked, else 0.530 x the height of
    the Top.Head marker (stature, Winter 2009 Fig 4.1 proportions)."""
    markers = read_trc(static)
    if "RHJC" in markers.labels:
        return float(np.nanmean(markers.marker("RHJC")[:, 1]))
    return LEG_LENGTH_PER_HEIGHT * float(np.nanmean(markers.marker("Top.Head")[:, 1]))


#: template angle <- sign x OpenSim coordinate (gait2392; x forward, y up, z right).
#: pelvis_list and hip_adduction_r both rotate about +x (the model's joint axes, 1 0 0): a
#: positive list lowers the right hip (the template's obliquity is right side up +), a positive
#: hip_adduction_r swings the right knee toward -z, medially (the template's sign)
OPENSIM_COORDINATES = (
    ("pelvis_tilt_deg", "pelvis_tilt", -1.0),
    ("pelvis_obliquity_deg", "pelvis_list", -1.0),
    ("hip_flexion_deg", "hip_flexion_r", 1.0),
    ("hip_adduction_deg", "hip_adduction_r", 1.0),
    ("knee_flexion_deg", "knee_angle_r", -1.0),
    ("ankle_dorsiflexion_deg", "ankle_angle_r", 1.0),
)


def opensim_trial(data: Path, trial: OpenSimTrial) -> SourceStrides:
    """Strides of the right foot of an OpenSim treadmill trial (x forward, y up, z right)."""
    grf = read_grf(data / trial.grf)
    markers = read_trc(data / trial.markers)
    right = grf.foot.index("right")
    fy = grf.force_n[:, right, 1]
    every = contact_intervals(grf.time_s, fy, include_partial=True)
    # whole contacts only; a contact cut by the end of the record still marks a stride's end
    contacts = [(on, off) for on, off in every if grf.time_s[0] < on and off < grf.time_s[-1]]
    starts = [on for on, _ in every if grf.time_s[0] < on]
    cycles = strides(starts, max_duration_s=trial.max_stride_s)
    weight = _body_weight(grf.force_n[:, :, 1], grf.time_s, cycles[0][0], cycles[-1][1])
    ik = read_coordinates(data / trial.ik, in_degrees=True) if trial.ik else None
    src = SourceStrides(trial.name, trial.citation)
    t_lo = max(grf.time_s[0], markers.time_s[0], ik.time_s[0] if ik else -np.inf)
    t_hi = min(grf.time_s[-1], markers.time_s[-1], ik.time_s[-1] if ik else np.inf)
    heel_velocity = []
    stance = dict(contacts)
    for start, end in cycles:
        if start not in stance or start < t_lo or end > t_hi:
            continue
        on, off = start, stance[start]
        if ik is not None:
            for name, column, sign in OPENSIM_COORDINATES:
                curve = np.rad2deg(ik.coordinate(column)) * sign
                src.add_angle(name, time_normalise(ik.time_s, curve, start, end, N_POINTS)[1])
        force = grf.force_n[:, right, :] / weight
        for k, name in enumerate(("grf_x_bw", "grf_y_bw", "grf_z_bw")):
            src.add_grf(name, _stance_curves(grf.time_s, force[:, k], on, off)[1])
        if trial.cop:
            heel = _on_time(markers.time_s, markers.marker(trial.heel), grf.time_s)
            toe = _on_time(markers.time_s, markers.marker(trial.toe), grf.time_s)
            cop = grf.cop_m[:, right, :]
            along = _cop_along(cop[:, [0, 2]], heel[:, [0, 2]], toe[:, [0, 2]])
            along = np.where(force[:, 1] > COP_MIN_FORCE_BW, along, np.nan)
            src.cop.append(_stance_curves(grf.time_s, along, on, off)[1])
        src.stride_time_s.append(end - start)
        src.stance_fraction.append((off - on) / (end - start))
        mid = (markers.time_s > on + 0.3 * (off - on)) & (markers.time_s < on + 0.5 * (off - on))
        velocity = np.gradient(markers.marker(trial.heel)[:, 0], markers.time_s)
        heel_velocity.append(float(np.nanmedian(velocity[mid])))
    # treadmill: the belt speed is minus the heel velocity in mid-stance
    src.speed_m_s = -float(np.median(heel_velocity))
    src.leg_length_m = _opensim_height_or_leg(data / trial.static)
    return src


def _body_weight(fy: FloatArray, time: FloatArray, t0: float, t1: float) -> float:
    """Body weight [N] = mean total vertical force over whole strides (impulse-momentum: the
    vertical velocity is the same at both ends of a stride)."""
    window = (time >= t0) & (time < t1)
    return float(np.mean(np.sum(fy[window], axis=1)))


def _on_time(t_from: FloatArray, values: FloatArray, t_to: FloatArray) -> FloatArray:
    return np.stack([np.interp(t_to, t_from, values[:, k]) for k in range(3)], axis=1)


WALK_TRIALS = (
    OpenSimTrial(
        "opensim_subject01_walk",
        "OpenSim example subject01 walk (gait2392 IK), opensim-org/opensim-models",
        "opensim_subject01_walk/experimental/subject01_walk1_grf.mot",
        "opensim_subject01_walk/experimental/subject01_walk1.trc",
        "R.Heel",
        "R.Toe.Tip",
        "opensim_subject01_walk/experimental/subject01_static.trc",
        "opensim_subject01_walk/gait2392/subject01_walk1_ik.mot",
    ),
)
RUN_TRIALS = (
    OpenSimTrial(
        "opensim_hamner_running",
        "Hamner, Seth & Delp 2010, J Biomech 43:2709, subject02 (OpenSim example)",
        "opensim_hamner_running/subject02_running_grf.mot",
        "opensim_hamner_running/subject02_running.trc",
        "R.Heel",
        "R.Toe.Tip",
        "opensim_hamner_running/subject02_static.trc",
        "opensim_hamner_running/subject02_running_ik.mot",
        max_stride_s=1.0,
    ),
    OpenSimTrial(
        "opensim_rajagopal_walk_run",
        "Rajagopal et al. 2016, IEEE TBME 63:2068, running trial (GRF and markers)",
        "opensim_rajagopal_walk_run/experimental/grf_run.mot",
        "opensim_rajagopal_walk_run/experimental/motion_capture_run.trc",
        "RCAL",
        "RTOE",
        "opensim_rajagopal_walk_run/experimental/static_run.trc",
        None,
        max_stride_s=1.0,
        cop=False,  # RTOE lies behind the toe tip: the CoP reaches 1.33 of heel -> RTOE
    ),
)


FUKUCHI = "fukuchi2018_WBDS01"


def fukuchi_slow_walking(data: Path) -> dict[str, float]:
    """Timing of Fukuchi et al. (2018) WBDS01's slowest treadmill walk: stride time and stance
    fraction from the right-foot GRF (20 N), belt speed = minus the heel-marker velocity in
    mid-stance, leg length = greater-trochanter marker height in the static trial."""
    folder = data / FUKUCHI
    grf = read_grf(folder / "opensim_converted" / "WBDS01walkT01_grf.mot")
    right = grf.foot.index("right")
    contacts = contact_intervals(grf.time_s, grf.force_n[:, right, 1])
    cycles = strides(contacts)
    stance = dict(contacts)
    stride_time = float(np.mean([end - start for start, end in cycles]))
    stance_time = float(np.mean([stance[start] - start for start, _ in cycles]))
    trial = read_c3d(folder / "raw_c3d" / "WBDS01walkT01.c3d")
    markers = trial.markers
    velocity = np.gradient(markers.marker("R.Heel")[:, 0], markers.time_s)
    belt = []
    for on, off in contacts:
        mid = (markers.time_s > on + 0.3 * (off - on)) & (markers.time_s < on + 0.5 * (off - on))
        belt.append(float(np.nanmedian(velocity[mid])))
    static = read_c3d(folder / "raw_c3d" / "WBDS01static1.c3d")
    up = "xyz".index(static.vertical_axis.lower())
    return {
        "Speed [m/s]": abs(float(np.median(belt))),
        "Stride time [s]": stride_time,
        "Stance fraction [-]": stance_time / stride_time,
        "Leg length [m]": float(np.nanmean(static.markers.marker("R.GTR")[:, up])),
        "Strides [-]": len(cycles),
    }


#: angles of the slow walk, and whether only their shape is used (their cycle mean replaced by
#: the reference template's): the marker pipeline's hip angle is the thigh's from the vertical
#: (not from the pelvis) and its foot runs from the ankle centre to the toe marker (not to the
#: fifth metatarsal head as Winter's), so those two differ from the templates' by an offset;
#: the knee angle is defined alike in both
SLOW_ANGLES = {"hip_flexion_deg": True, "knee_flexion_deg": False, "ankle_dorsiflexion_deg": True}


def fukuchi_slow_angles(data: Path, stance_ref: float) -> dict[str, FloatArray]:
    """Mean sagittal angles [deg] of Fukuchi et al. (2018) WBDS01's slowest walk over its whole
    right strides (101 points), from the C3D markers and the static trial
    (:func:`kneeload.measured.analyze`, marker set ``Fukuchi2018``, 6 Hz), each stride's curve
    re-timed so that stance lasts ``stance_ref`` of the cycle (stance and swing each stretched
    linearly), so that it lines up phase by phase with the reference template."""
    from kneeload.measured import analyze

    folder = data / FUKUCHI
    table = analyze(
        folder / "raw_c3d" / "WBDS01walkT01.c3d",
        folder / "opensim_converted" / "WBDS01walkT01_grf.mot",
        68.9,  # shared-data README: body mass from the mean vertical force
        marker_set="Fukuchi2018",
        static=folder / "raw_c3d" / "WBDS01static1.c3d",
    )
    percent = np.linspace(0.0, 100.0, N_POINTS)
    curves: dict[str, list[FloatArray]] = {name: [] for name in SLOW_ANGLES}
    for _, stride in table[table["stride"] > 0].groupby("stride"):
        p = stride["percent_cycle"].to_numpy(dtype=np.float64)
        loaded = stride["grf_vertical_n"].to_numpy(dtype=np.float64) > 20.0
        stance = float(p[np.flatnonzero(~loaded & (p > 10.0))[0]]) / 100.0
        # percent of this stride at the phase of each point of the re-timed cycle
        source = _retimed(percent, stance, stance_ref)
        for name in SLOW_ANGLES:
            curves[name].append(np.interp(source, p, stride[name].to_numpy(dtype=np.float64)))
    return {name: np.mean(np.stack(items), axis=0) for name, items in curves.items()}


@dataclass(frozen=True)
class MarkerTrial:
    """A walking trial read through kneeload's marker pipeline (paths in the shared data)."""

    kinematics: str
    forces: str
    mass_kg: float
    marker_set: str
    static: str | None = None


JW = "grand_challenge_knee_loads_JW"
#: frontal-plane sources from skin markers: name -> (citation, trials, re-time the stance)
FRONTAL_MARKER_SOURCES: dict[str, tuple[str, tuple[MarkerTrial, ...], bool]] = {
    JW: (
        "Fregly et al. 2012, J Orthop Res 30:503, Grand Challenge subject JW, overground walks"
        " og1, og3, og7 (markers and force plates; frontal plane)",
        tuple(
            MarkerTrial(
                f"{JW}/c3d/jw_ngait_og{k}.c3d",
                f"{JW}/c3d/jw_ngait_og{k}.c3d",
                70.0,
                "GrandChallenge_NIH",
            )
            for k in (1, 3, 7)
        ),
        False,
    ),
    FUKUCHI: (
        "Fukuchi, Fukuchi & Duarte 2018, PeerJ 6:e4640, WBDS01 slowest treadmill walk (markers;"
        " frontal plane, stance re-timed to the reference)",
        (
            MarkerTrial(
                f"{FUKUCHI}/raw_c3d/WBDS01walkT01.c3d",
                f"{FUKUCHI}/opensim_converted/WBDS01walkT01_grf.mot",
                68.9,  # shared-data README: body mass from the mean vertical force
                "Fukuchi2018",
                f"{FUKUCHI}/raw_c3d/WBDS01static1.c3d",
            ),
        ),
        True,
    ),
}


def _model_markers(path: Path) -> MarkerData:
    """Markers of a ``.trc`` or ``.c3d`` in OpenSim's model frame (y up) [m]."""
    if path.suffix.lower() == ".c3d":
        trial = read_c3d(path)
        return lab_to_model(trial.markers, vertical_axis=trial.vertical_axis)
    return read_trc(path)


def _retimed(percent: FloatArray, stance: float, stance_ref: float) -> FloatArray:
    """Percent of a stride whose stance lasts ``stance`` at each point ``percent`` of a cycle
    whose stance lasts ``stance_ref`` (stance and swing each stretched linearly)."""
    return np.where(
        percent < 100.0 * stance_ref,
        percent / stance_ref * stance,
        100.0 * stance + (percent - 100.0 * stance_ref) / (1.0 - stance_ref) * (1.0 - stance),
    )


def frontal_from_markers(
    data: Path, name: str, citation: str, trials: tuple[MarkerTrial, ...], stance_ref: float | None
) -> SourceStrides:
    """Pelvic obliquity and hip adduction [deg] over whole right strides from skin markers.

    Joint centres by :mod:`kneeload.markers` (hip Harrington et al. 2007; knee from the
    epicondyles or the functional axis of the marker set), markers low-passed at 6 Hz (Winter
    2009), in the facing frame (x forward, y up, z right). Pelvic obliquity (right side up +)
    = the angle of the left -> right hip-centre line from the horizontal in the frontal plane;
    hip adduction = the thigh's frontal inclination (hip centre -> knee centre, knee medial +)
    plus that obliquity, the inverse of the generator's knee placement (knee medial of the hip
    by the thigh length's drop x tan(hip adduction - own-side pelvic rise)). Strides and their
    percent of the cycle from kneeload's pipeline (right-foot GRF, 20 N); with ``stance_ref``
    each stride is re-timed so that its stance lasts ``stance_ref`` of the cycle.
    """
    from kneeload.markers import (
        facing_rotation,
        hip_joint_centre_harrington,
        joint_centres_from_markers,
        load_marker_set,
    )
    from kneeload.measured import analyze

    src = SourceStrides(name, citation, frontal_only=True)
    percent = np.linspace(0.0, 100.0, N_POINTS)
    for trial in trials:
        markers = _model_markers(data / trial.kinematics)
        markers = replace(markers, positions_m=lowpass(markers.positions_m, markers.rate_hz, 6.0))
        static = _model_markers(data / trial.static) if trial.static else None
        centres = joint_centres_from_markers(
            markers, load_marker_set(trial.marker_set), "right", static
        )
        pelvis = (centres["asis_right"], centres["asis_left"], centres["back"])
        rotation = facing_rotation(*pelvis)
        right = centres["hip"] @ rotation.T
        left = hip_joint_centre_harrington(*pelvis, "left") @ rotation.T
        knee = centres["knee"] @ rotation.T
        rise = np.degrees(np.arctan2(right[:, 1] - left[:, 1], right[:, 2] - left[:, 2]))
        incline = np.degrees(np.arctan2(right[:, 2] - knee[:, 2], right[:, 1] - knee[:, 1]))
        table = analyze(
            data / trial.kinematics,
            data / trial.forces,
            trial.mass_kg,
            marker_set=trial.marker_set,
            static=None if trial.static is None else data / trial.static,
        )
        for _, stride in table[table["stride"] > 0].groupby("stride"):
            p = stride["percent_cycle"].to_numpy(dtype=np.float64)
            t = stride["time_s"].to_numpy(dtype=np.float64)
            duration = (t[-1] - t[0]) / ((p[-1] - p[0]) / 100.0)
            start = t[0] - p[0] / 100.0 * duration
            source = percent
            if stance_ref is not None:
                loaded = stride["grf_vertical_n"].to_numpy(dtype=np.float64) > 20.0
                stance = float(p[np.flatnonzero(~loaded & (p > 10.0))[0]]) / 100.0
                source = _retimed(percent, stance, stance_ref)
            time = start + source / 100.0 * duration
            obliquity = np.interp(time, markers.time_s, rise)
            src.add_angle("pelvis_obliquity_deg", obliquity)
            src.add_angle("hip_adduction_deg", np.interp(time, markers.time_s, incline) + obliquity)
            src.n_strides += 1
    return src


def load_sources(data: Path, mode: str) -> list[SourceStrides]:
    """The time-normalised strides of every source of a mode ("walk" or "run")."""
    if mode == "walk":
        trials = [opensim_trial(data, trial) for trial in WALK_TRIALS]
        timed = [winter(data, average(trials)["pelvis_tilt_deg"]), *trials]
        stance = float(np.mean([np.mean(s.stance_fraction) for s in timed]))
        frontal = [
            frontal_from_markers(data, name, citation, items, stance if retime else None)
            for name, (citation, items, retime) in FRONTAL_MARKER_SOURCES.items()
        ]
        return [*timed, *frontal]
    return [opensim_trial(data, trial) for trial in RUN_TRIALS]


def average(sources: list[SourceStrides]) -> dict[str, FloatArray]:
    """Mean curve per quantity: strides averaged per source, then sources with equal weight."""
    curves: dict[str, list[FloatArray]] = {}
    warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN CoP columns at low force stay NaN
    for src in sources:
        for name, items in (*src.angles.items(), *src.grf.items(), ("cop_along_foot", src.cop)):
            if items:
                curves.setdefault(name, []).append(np.nanmean(np.stack(items), axis=0))
    return {name: np.nanmean(np.stack(items), axis=0) for name, items in curves.items()}


# ----------------------------------------------------------------------------------- series


def fourier_basis(phase: FloatArray, order: int) -> FloatArray:
    """[1, cos 2 pi k p, sin 2 pi k p] for k = 1..order; phase in cycles (0..1)."""
    k = np.arange(1, order + 1)
    arg = 2.0 * np.pi * np.outer(phase, k)
    return np.concatenate([np.ones((phase.size, 1)), np.cos(arg), np.sin(arg)], axis=1)


def sine_basis(phase: FloatArray, order: int) -> FloatArray:
    """sin(k pi s) for k = 1..order; s = 0..1 over stance."""
    return np.sin(np.pi * np.outer(phase, np.arange(1, order + 1)))


def cosine_basis(phase: FloatArray, order: int) -> FloatArray:
    """cos(k pi s) for k = 0..order; s = 0..1 over stance."""
    return np.cos(np.pi * np.outer(phase, np.arange(0, order + 1)))


BASES = {"fourier": fourier_basis, "sine": sine_basis, "cosine": cosine_basis}


SERIES = {"angle": "fourier", "grf": "sine", "cop": "cosine"}


def fit_series(curve: FloatArray, quantity: str) -> dict[str, object]:
    """Least-squares series of the smallest order that reproduces held-out samples within the
    quantity's tolerance (``TOLERANCE``; capped at ``MAX_ORDER``)."""
    kind = SERIES[quantity]
    phase = np.linspace(0.0, 1.0, curve.size)
    if kind == "fourier":  # periodic: 100 % is 0 %
        phase, curve = phase[:-1], curve[:-1]
    ok = np.isfinite(curve)
    basis = BASES[kind]
    train = ok & (np.arange(curve.size) % 2 == 0)
    test = ok & ~train
    fine = np.linspace(0.0, 1.0, 1001)
    candidates = []
    for order in range(1, MAX_ORDER[quantity] + 1):
        coef = np.linalg.lstsq(basis(phase[train], order), curve[train], rcond=None)[0]
        held_out = float(np.sqrt(np.mean((basis(phase[test], order) @ coef - curve[test]) ** 2)))
        # the CoP must progress monotonically along the foot (DESIGN.md §4.2)
        if quantity == "cop" and np.any(np.diff(basis(fine, order) @ coef) < 0):
            continue
        candidates.append((order, held_out))
        if held_out <= TOLERANCE[quantity]:
            break
    chosen, held_out = min(candidates, key=lambda item: (item[1] > TOLERANCE[quantity], item[1]))
    coef = np.linalg.lstsq(basis(phase[ok], chosen), curve[ok], rcond=None)[0]
    rms = float(np.sqrt(np.mean((basis(phase[ok], chosen) @ coef - curve[ok]) ** 2)))
    return {"order": chosen, "coefficients": coef, "rms": rms, "held_out_rms": held_out}


# ------------------------------------------------------------------------------------ output


def _number(x: float) -> str:
    return f"{x:.6g}"


def _array(values: FloatArray) -> str:
    return "[" + ", ".join(_number(float(v)) for v in values) + "]"


def template_toml(mode: str, sources: list[SourceStrides], data: Path) -> str:
    """The TOML text of a forward template (deterministic)."""
    mean = average(sources)
    timed = [s for s in sources if not s.frontal_only]
    speed = float(np.mean([s.speed_m_s for s in timed]))
    stride_time = float(np.mean([np.mean(s.stride_time_s) for s in timed]))
    stance = float(np.mean([np.mean(s.stance_fraction) for s in timed]))
    leg = float(np.mean([s.leg_length_m for s in timed]))
    n_strides = {s.name: s.n_strides or len(s.stride_time_s) for s in sources}
    lines = [
        f"# Normative forward {'walking' if mode == 'walk' else 'running'} template (right leg).",
        "# Generated by scripts/fit_gait_templates.py from ../shared/data: do not edit.",
        "",
        "[meta]",
        f'source = "{"; ".join(s.citation for s in sources)}"',
        f'data = "{", ".join(f"{k} ({v} strides)" for k, v in n_strides.items())}"',
        'method = "strides from the right-foot vertical GRF (20 N), time-normalised, averaged'
        " per source then across sources; Fourier series over the cycle (angles), sine series"
        " over stance (GRF), cosine series over stance (CoP, where Fy > 10 % BW); order = the"
        ' smallest reproducing held-out samples within 0.5 deg / 0.01 BW / 0.01"',
        'status = "V (fitted to the measured data named; speeds measured from the heel marker'
        " in mid-stance on the treadmill, Winter from the hip marker; leg length 0.530 x stature"
        ' (Winter 2009 Fig 4.1) or the hip joint centre height)"',
        "",
        "[reference]",
        f'"Speed [m/s]" = {_number(speed)}',
        f'"Stride time [s]" = {_number(stride_time)}',
        f'"Stride length [m]" = {_number(speed * stride_time)}',
        f'"Stance fraction [-]" = {_number(stance)}',
        f'"Leg length [m]" = {_number(leg)}',
        "",
    ]
    for src in timed:
        lines += [
            f"[reference.sources.{src.name}]",
            f'"Speed [m/s]" = {_number(src.speed_m_s)}',
            f'"Stride time [s]" = {_number(float(np.mean(src.stride_time_s)))}',
            f'"Stance fraction [-]" = {_number(float(np.mean(src.stance_fraction)))}',
            f'"Leg length [m]" = {_number(src.leg_length_m)}',
            f'"Strides [-]" = {len(src.stride_time_s)}',
            "",
        ]
    if mode == "walk":
        slow = fukuchi_slow_walking(data)
        lines += [
            "[slow_walking]",
            "# timing of slow level treadmill walking (extends the speed range below Franz &"
            " Kram's 0.75 m/s)",
            'source = "Fukuchi, Fukuchi & Duarte 2018, PeerJ 6:e4640, subject WBDS01, slowest'
            ' speed (shared data fukuchi2018_WBDS01)"',
            'status = "V (measured: GRF events, heel-marker belt speed, trochanter height)"',
            *(
                f'"{key}" = {value if isinstance(value, int) else _number(value)}'
                for key, value in slow.items()
            ),
            "",
        ]
    if mode == "walk":
        slow_angles = fukuchi_slow_angles(data, stance)
        for name, shape_only in SLOW_ANGLES.items():
            curve = slow_angles[name]
            if shape_only:
                curve = curve - np.mean(curve[:-1]) + np.mean(mean[name][:-1])
            fit = fit_series(curve, "angle")
            lines += _series_block(
                f"slow_walking.angles.{name}",
                fit,
                "fourier over the cycle",
                "deg",
                [FUKUCHI + (" (shape; cycle mean of the reference)" if shape_only else "")],
            )
    angle_names = [n for n in PATTERN_ORDER if n in mean]
    for name in angle_names:
        fit = fit_series(mean[name], "angle")
        used = [s.name for s in sources if name in s.angles]
        lines += _series_block(f"angles.{name}", fit, "fourier over the cycle", "deg", used)
    for name in ("grf_x_bw", "grf_y_bw", "grf_z_bw"):
        if name in mean:
            fit = fit_series(mean[name], "grf")
            used = [s.name for s in sources if name in s.grf]
            lines += _series_block(f"grf.{name}", fit, "sine over stance", "BW", used)
    fit = fit_series(mean["cop_along_foot"], "cop")
    lines += _series_block(
        "cop_along_foot", fit, "cosine over stance", "-", [s.name for s in sources if s.cop]
    )
    return "\n".join(lines).rstrip() + "\n"


PATTERN_ORDER = (
    "pelvis_tilt_deg",
    "pelvis_obliquity_deg",
    "hip_flexion_deg",
    "hip_adduction_deg",
    "knee_flexion_deg",
    "ankle_dorsiflexion_deg",
)


def _series_block(
    table: str, fit: dict[str, object], kind: str, unit: str, used: list[str]
) -> list[str]:
    coef = np.asarray(fit["coefficients"])
    return [
        f"[{table}]",
        f'series = "{kind}"',
        f"sources = [{', '.join(f'{chr(34)}{u}{chr(34)}' for u in used)}]",
        f'"Order [-]" = {fit["order"]}',
        f'"Coefficients [{unit}]" = {_array(coef)}',
        f'"Fit RMS [{unit}]" = {_number(float(fit["rms"]))}',  # type: ignore[arg-type]
        f'"Held-out RMS [{unit}]" = {_number(float(fit["held_out_rms"]))}',  # type: ignore[arg-type]
        "",
    ]


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    data = Path(args[0]) if args else ROOT.parent / "shared" / "data"
    out = ROOT / "models" / "gait"
    out.mkdir(parents=True, exist_ok=True)
    for mode, name in (("walk", "walk_forward"), ("run", "run_forward")):
        text = template_toml(mode, load_sources(data, mode), data)
        (out / f"{name}.toml").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
