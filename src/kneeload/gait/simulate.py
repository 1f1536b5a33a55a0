"""Knee loads of a generated gait: the function behind ``kneeload simulate``.

Chain (DESIGN.md §2): :class:`~kneeload.gait.spec.GaitSpec` ->
:func:`~kneeload.gait.generator.generate_cycles` -> the right leg's
:class:`~kneeload.trial.LegTrial` -> :func:`~kneeload.analysis.analyze_leg` ->
:func:`~kneeload.knee_loads.knee_loads`, the same pipeline as a measured trial. The gait cycle's
timing (``stride``, ``percent_cycle``) is the generator's, not re-detected from the forces: 0 % is
the right foot's first contact, the toe in backward gait (DESIGN.md §3).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kneeload.config import GRF_CONTACT_THRESHOLD_N
from kneeload.exceptions import InputError

if TYPE_CHECKING:
    from kneeload.gait.spec import GaitSpec
    from kneeload.knee_loads import LoadSharingOptions

#: most strides one call generates and analyses (a table of ~10 000 rows)
MAX_STRIDES = 100
#: keys of :func:`summarise`, with their units in the names
SUMMARY_KEYS: tuple[str, ...] = (
    "stance_fraction",
    "cadence_steps_min",
    "stride_time_s",
    "stride_length_m",
    "peak_grf_vertical_bw",
    "peak_tf_compressive_bw",
    "peak_pf_force_bw",
    "peak_knee_extensor_moment_nm_kg",
    "peak_quadriceps_activation",
)


def check_strides(strides: int) -> int:
    """``strides`` if it is a whole number from 1 to :data:`MAX_STRIDES`, else an InputError."""
    if isinstance(strides, bool) or not isinstance(strides, int | np.integer):
        raise InputError(
            "--strides", "strides", f"a whole number 1 to {MAX_STRIDES}", repr(strides)
        )
    if not 1 <= strides <= MAX_STRIDES:
        raise InputError("--strides", "strides", f"1 to {MAX_STRIDES}", str(strides))
    return int(strides)


def simulate(
    spec: GaitSpec, strides: int = 1, load_sharing: LoadSharingOptions | None = None
) -> pd.DataFrame:
    """Joint angles, moments, muscle forces and knee contact loads of the right leg over
    generated gait cycles, one row per frame.

    Parameters
    ----------
    spec : the gait and subject to generate
    strides : number of consecutive strides, 1 to :data:`MAX_STRIDES`
    load_sharing : muscle and contact model choices (default
        :class:`kneeload.knee_loads.LoadSharingOptions`); the spec's knee condition applies to
        them (:meth:`~kneeload.knee_loads.LoadSharingOptions.with_condition`)

    Returns
    -------
    DataFrame : the columns of ``kneeload analyze`` (:data:`kneeload.analysis.FRAME_COLUMNS`,
        their BW and N·m/kg versions, then :func:`kneeload.knee_loads.knee_loads`'s), with
        ``stride`` (1, 2, ...) and ``percent_cycle`` (0-100 from the right foot's first
        contact) from the generator. ``attrs["spec"]`` holds the spec as a plain dict,
        ``attrs["notes"]`` what was generated and assumed, ``attrs["newton_residual_rms_bw"]``
        the whole-body Newton residual of the generated cycle.
    """
    from kneeload.knee_loads import LoadSharingOptions as Options

    strides = check_strides(strides)
    load_sharing = load_sharing if load_sharing is not None else Options()
    load_sharing = load_sharing.with_condition(spec.condition)  # the condition's muscle strategy
    load_sharing.check()
    from kneeload.analysis import analyze_leg
    from kneeload.gait.generator import generate_cycles
    from kneeload.knee_loads import knee_loads

    cycle = generate_cycles(spec, strides=strides)
    # one stride of padding on each side: the finite differences of the analysis (segment
    # accelerations, muscle velocities) are one-sided, less accurate, at a record's ends
    padded = generate_cycles(spec, strides=strides + 2)
    n = (len(padded.time_s) - 1) // (strides + 2)
    frames = len(cycle.time_s)
    # muscles and contact of the frames kept and one either side (their joint velocities are
    # central differences there), not of the padding that is cut off
    analysed = analyze_leg(padded.leg("right")).iloc[n - 1 : n + frames + 1]
    table = knee_loads(analysed.reset_index(drop=True), spec.subject.mass_kg, load_sharing)
    table = table.iloc[1 : 1 + frames].reset_index(drop=True)
    table["time_s"] = cycle.time_s
    table["stride"] = np.asarray(cycle.stride, dtype=np.int64)
    table["percent_cycle"] = np.asarray(cycle.percent_cycle, dtype=np.float64)
    residual = float(cycle.newton_residual_rms_bw)
    table.attrs.update(
        spec=dataclasses.asdict(spec),
        height_m=spec.subject.height_m,
        newton_residual_rms_bw=residual,
        notes=[
            *table.attrs.get("notes", []),
            f"generated {spec.mode} {spec.direction} at {spec.speed_m_s:g} m/s, grade "
            f"{spec.grade_pct:g} %; whole-body Newton residual {100 * residual:.2g} % BW RMS",
        ],
    )
    return table


#: the percent grid on which :func:`_contact_fraction` interpolates the force
_FINE_PERCENT = np.linspace(0.0, 100.0, 10_001)[:-1]


def _contact_fraction(percent: np.ndarray, force_n: np.ndarray) -> float:
    """Share of one cycle with the force above the contact threshold, the force interpolated
    linearly (periodically) between frames so the answer does not depend on the frame count."""
    force = np.interp(_FINE_PERCENT, percent, force_n, period=100.0)
    return float(np.mean(force > GRF_CONTACT_THRESHOLD_N))


def summarise(table: pd.DataFrame, spec: GaitSpec) -> dict[str, float]:
    """Timing and peak loads of a :func:`simulate` table, over its whole strides.

    Returns
    -------
    dict with :data:`SUMMARY_KEYS`: stance fraction of the right foot [-] (vertical force above
    :data:`kneeload.config.GRF_CONTACT_THRESHOLD_N`), cadence [steps/min], stride time [s],
    stride length [m] (speed × stride time), peaks of the vertical (surface-normal) ground
    reaction, tibiofemoral compression and patellofemoral force [BW], of the internal knee
    extensor moment [N·m/kg] and of the quadriceps (vasti) activation [-].
    """
    return summary_values(
        {name: table[name].to_numpy() for name in SUMMARY_COLUMNS},
        spec.speed_m_s,
        table.attrs.get("source", "table"),
    )


#: columns of a :func:`simulate` table that :func:`summarise` reads
SUMMARY_COLUMNS: tuple[str, ...] = (
    "stride",
    "percent_cycle",
    "time_s",
    "grf_vertical_n",
    "grf_vertical_bw",
    "tf_compressive_bw",
    "pf_force_bw",
    "knee_moment_nm_kg",
    "quadriceps_activation",
)


def _peak(values: np.ndarray) -> float:
    """Largest value, NaN left out (pandas' ``max``); NaN if all are."""
    finite = values[~np.isnan(values)]
    return float(finite.max()) if finite.size else float("nan")


def summary_values(
    columns: Mapping[str, np.ndarray], speed_m_s: float, source: str = "table"
) -> dict[str, float]:
    """The array core of :func:`summarise`: ``columns`` holds :data:`SUMMARY_COLUMNS` of one
    case, (F,) each; ``speed_m_s`` the gait's speed [m/s]."""
    stride = np.asarray(columns["stride"])
    percent = np.asarray(columns["percent_cycle"], dtype=np.float64)
    inside = (stride > 0) & np.isfinite(percent)
    if not inside.any():
        raise InputError(source, "stride", "at least one whole stride")
    rows = {name: np.asarray(values)[inside] for name, values in columns.items()}
    phase = rows["stride"].astype(np.float64) - 1 + rows["percent_cycle"] / 100.0
    time_s = rows["time_s"].astype(np.float64)
    stride_time_s = float(np.polyfit(phase, time_s, 1)[0])
    stance = [
        _contact_fraction(
            rows["percent_cycle"][rows["stride"] == k],
            rows["grf_vertical_n"][rows["stride"] == k].astype(np.float64),
        )
        for k in np.unique(rows["stride"])
    ]
    return {
        "stance_fraction": float(np.mean(stance)),
        "cadence_steps_min": 120.0 / stride_time_s,
        "stride_time_s": stride_time_s,
        "stride_length_m": speed_m_s * stride_time_s,
        "peak_grf_vertical_bw": _peak(rows["grf_vertical_bw"]),
        "peak_tf_compressive_bw": _peak(rows["tf_compressive_bw"]),
        "peak_pf_force_bw": _peak(rows["pf_force_bw"]),
        "peak_knee_extensor_moment_nm_kg": _peak(rows["knee_moment_nm_kg"]),
        "peak_quadriceps_activation": _peak(rows["quadriceps_activation"]),
    }
