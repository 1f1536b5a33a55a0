"""Many generated cases at once: the batched pipeline behind a sweep (DESIGN.md §2, §5).

:func:`simulate_batch` gives, for many :class:`~kneeload.gait.spec.GaitSpec` at once, the
numbers :func:`kneeload.gait.simulate.simulate` gives for each: one
:func:`~kneeload.gait.generator.generate_right_legs` call, inverse dynamics over all cases ×
frames (:func:`kneeload.analysis.leg_columns`), static optimisation and contact over all of them
(:func:`kneeload.knee_loads.knee_load_columns`). The physics is those functions', the ones the
single-case path calls; nothing here computes a load.

:func:`run_cases` turns rows of the cases table of :func:`kneeload.scenario.expand` into the
curves and summary tables a sweep writes, the cases sharing model options in one batch; a case
that fails (a bad spec, a pattern the generator refuses) becomes a summary row with its reason.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numba import njit

from kneeload._threads import over_cases
from kneeload.config import (
    BATCH_ERROR_MODEL,
    GRF_CONTACT_THRESHOLD_N,
    NUMBA_CACHE,
    NUMPY_EXACT_FASTMATH,
)
from kneeload.exceptions import InputError, KneeloadError
from kneeload.gait.simulate import _FINE_PERCENT, SUMMARY_KEYS, check_strides
from kneeload.gait.spec import GaitSpec, Subject
from kneeload.knee_loads import MODEL_SCALE_RANGES, LoadSharingOptions
from kneeload.metrics import METRIC_INPUTS, metric_names, metric_values_batch, stride_time_batch

__all__ = ["METRIC_QUANTITIES", "SUMMARY_COLUMNS_OF_CASE", "run_cases", "simulate_batch"]

#: quantities whose :func:`~kneeload.metrics.load_metrics` each summary row carries
METRIC_QUANTITIES = ("tf_compressive_bw", "pf_force_bw", "grf_vertical_bw")
#: the summary row of a case: :data:`~kneeload.gait.simulate.SUMMARY_KEYS`, then the metrics
SUMMARY_COLUMNS_OF_CASE: tuple[str, ...] = (
    *SUMMARY_KEYS,
    *(key for q in METRIC_QUANTITIES for key in metric_names(q)),
)


def leg_column_inputs(leg: Mapping[str, Any], specs: Sequence[GaitSpec]) -> tuple[Any, ...]:
    """The arguments of :func:`kneeload.analysis.leg_columns` for the stacked right legs of
    :func:`~kneeload.gait.generator.generate_right_legs` (the lever-arm knee adduction moment
    included)."""
    from kneeload.analysis import lever_arm_kam

    kam = lever_arm_kam(leg["cop_3d_m"], leg["knee_3d_m"], leg["grf_3d_n"], "right")
    return (
        leg["time_s"],
        leg["body_mass_kg"],
        [spec.subject.height_m for spec in specs],
        leg["segment_mass_kg"],
        leg["segment_inertia_kg_m2"],
        leg["com_m"],
        leg["joint_m"],
        leg["segment_angle_rad"],
        leg["joint_angle_deg"],
        leg["grf_n"],
        leg["cop_m"],
        leg["free_moment_nm"],
        leg["gravity_m_s2"],
        kam,
    )


def window_loads(
    time_s: np.ndarray,
    angles: Mapping[str, np.ndarray],
    columns: Mapping[str, np.ndarray],
    kam: np.ndarray,
    mass: np.ndarray,
    options: LoadSharingOptions,
    around: slice,
) -> tuple[dict[str, np.ndarray], Any]:
    """:func:`kneeload.knee_loads.knee_load_columns` of the frames ``around`` of stacked legs
    (``leg_columns``' output ``columns``, the legs' joint ``angles`` and lever-arm ``kam``)."""
    from kneeload.analysis import FRAME_COLUMNS
    from kneeload.knee_loads import knee_load_columns

    return knee_load_columns(
        time_s[:, around],
        np.stack([angles[name][:, around] for name in FRAME_COLUMNS[3:6]], axis=-1),
        np.stack([columns[name][:, around] for name in FRAME_COLUMNS[6:9]], axis=-1),
        columns["knee_force_axial_n"][:, around],
        columns["knee_force_shear_n"][:, around],
        kam[:, around],
        mass,
        options,
        columns["grf_vertical_n"][:, around],
    )


def simulate_batch(
    specs: Sequence[GaitSpec], strides: int = 1, load_sharing: LoadSharingOptions | None = None
) -> dict[str, np.ndarray]:
    """The columns of :func:`~kneeload.gait.simulate.simulate` for every spec, (C, F) each.

    Parameters
    ----------
    specs : the gaits and subjects, C >= 1
    strides : strides per case, 1 to :data:`~kneeload.gait.simulate.MAX_STRIDES`
    load_sharing : the muscle and contact models of every case (default
        :class:`~kneeload.knee_loads.LoadSharingOptions`)

    Returns
    -------
    dict : column name -> (C, F) array, F = 100 × strides + 1 frames, in the order and with the
    dtypes of simulate's table (``stride`` and ``percent_cycle``, the same for every case, are
    broadcast views). Row c equals ``simulate(specs[c], strides, load_sharing)``.

    Raises
    ------
    InputError, KneeloadError
        As :func:`~kneeload.gait.simulate.simulate` (for the first failing spec).
    """
    from kneeload.analysis import leg_columns
    from kneeload.gait.generator import cycle_phase, generate_right_legs

    strides = check_strides(strides)
    base = load_sharing if load_sharing is not None else LoadSharingOptions()
    conditions = {spec.condition for spec in specs}
    if len(conditions) > 1:
        raise InputError(
            "simulate_batch",
            "specs",
            "specs of one condition (its muscle strategy)",
            str(conditions),
        )
    options = base.with_condition(specs[0].condition)  # the condition's muscle strategy
    options.check()
    # one stride of padding on each side, as simulate: the finite differences are one-sided
    # at a record's ends
    leg = generate_right_legs(specs, strides=strides + 2)
    time_s, mass, angles = leg["time_s"], leg["body_mass_kg"], leg["joint_angle_deg"]
    inputs = leg_column_inputs(leg, specs)
    kam = inputs[-1]
    columns = leg_columns(*inputs)
    n = (time_s.shape[1] - 1) // (strides + 2)
    frames = strides * n + 1
    # as simulate: muscles and contact of the frames kept and one either side
    around = slice(n - 1, n + frames + 1)
    loads, _ = window_loads(time_s, angles, columns, kam, mass, options, around)
    stride, percent = cycle_phase(strides, n)
    shape = (len(specs), frames)
    return {
        "time_s": time_s[:, :frames],
        "stride": np.broadcast_to(stride, shape),
        "percent_cycle": np.broadcast_to(percent, shape),
        **{name: values[:, n : n + frames] for name, values in columns.items()},
        **{name: values[:, 1 : 1 + frames] for name, values in loads.items()},
    }


def summaries(columns: Mapping[str, np.ndarray], speed_m_s: np.ndarray) -> dict[str, np.ndarray]:
    """The summary row of every case of :func:`simulate_batch`'s ``columns``:
    :data:`SUMMARY_COLUMNS_OF_CASE` -> (C,) array, each case's
    :func:`~kneeload.gait.simulate.summary_values` and
    :func:`~kneeload.metrics.metric_values` of :data:`METRIC_QUANTITIES` (the same arithmetic
    over all cases at once; the stride time from one least-squares fit of all cases, within
    1e-15 of each case's own fit). ``speed_m_s`` (C,) [m/s]."""
    stride = np.asarray(columns["stride"][0])
    percent = np.asarray(columns["percent_cycle"][0], dtype=np.float64)
    inside = (stride > 0) & np.isfinite(percent)
    if not inside.any():
        raise InputError("table", "stride", "at least one whole stride")
    time_s = np.asarray(columns["time_s"], dtype=np.float64)[:, inside]
    stride_time_s = stride_time_batch(stride, percent, time_s)
    out: dict[str, np.ndarray] = {
        "stance_fraction": _stance_fraction(
            stride[inside], percent[inside], columns["grf_vertical_n"][:, inside]
        ),
        "cadence_steps_min": 120.0 / stride_time_s,
        "stride_time_s": stride_time_s,
        "stride_length_m": speed_m_s * stride_time_s,
    }
    for key, name in (
        ("peak_grf_vertical_bw", "grf_vertical_bw"),
        ("peak_tf_compressive_bw", "tf_compressive_bw"),
        ("peak_pf_force_bw", "pf_force_bw"),
        ("peak_knee_extensor_moment_nm_kg", "knee_moment_nm_kg"),
        ("peak_quadriceps_activation", "quadriceps_activation"),
    ):  # the largest value, NaN left out (NaN if all are): summary_values' _peak
        out[key] = np.fmax.reduce(columns[name][:, inside], axis=1)
    metrics = metric_values_batch(
        {
            **{name: columns[name] for name in (*METRIC_INPUTS, *METRIC_QUANTITIES)},
            "stride": stride,
            "percent_cycle": percent,
        },
        METRIC_QUANTITIES,
        speed_m_s=speed_m_s,
    )
    return {key: (out | metrics)[key] for key in SUMMARY_COLUMNS_OF_CASE}


def _stance_fraction(stride: np.ndarray, percent: np.ndarray, grf_n: np.ndarray) -> np.ndarray:
    """Stance fraction of every case (C,): the mean over strides of the share of a fine
    percent grid with the force, interpolated periodically as ``np.interp(..., period=100)``,
    above the contact threshold (:func:`~kneeload.gait.simulate.summary_values`).
    ``stride`` and ``percent`` (F,) shared by the cases, ``grf_n`` (C, F) [N]."""
    bounds = np.concatenate(([0], np.flatnonzero(np.diff(stride)) + 1, [stride.size]))
    grid, take = [], []
    for a, b in itertools.pairwise(bounds):
        # np.interp's periodic set-up (sort by phase, one wrapped point at each end)
        xp = percent[a:b] % 100.0
        order = np.argsort(xp)
        grid.append(np.concatenate((xp[order][-1:] - 100.0, xp[order], xp[order][:1] + 100.0)))
        take.append(a + np.concatenate((order[-1:], order, order[:1])))
    starts = np.cumsum([0] + [g.size for g in grid]).astype(np.int64)
    forces = np.ascontiguousarray(np.asarray(grf_n, dtype=np.float64)[:, np.concatenate(take)])
    out = np.empty(forces.shape[0])
    over_cases(
        _stance_fraction_kernel, len(out), np.concatenate(grid), starts, forces, _FINE_PERCENT, out
    )
    return out


@njit(cache=NUMBA_CACHE, fastmath=NUMPY_EXACT_FASTMATH, nogil=True, error_model=BATCH_ERROR_MODEL)
def _stance_fraction_kernel(
    start: int,
    stop: int,
    xp: np.ndarray,
    starts: np.ndarray,
    fp: np.ndarray,
    grid: np.ndarray,
    out: np.ndarray,
) -> None:
    """Per case (rows of ``fp``), the mean over strides (``xp[starts[s]:starts[s + 1]]``,
    increasing) of the share of ``grid`` points where NumPy's linear interpolation
    (compiled_base.c arr_interp: slope × (x - xp[j]) + fp[j], the other end if NaN) exceeds
    the contact threshold. No fastmath: each comparison must see NumPy's rounding.
    Serial over the cases start..stop−1, without the GIL (:func:`kneeload._threads.over_cases`
    runs blocks of cases on threads; each block writes only its own output rows)."""
    n_strides = starts.size - 1
    for c in range(start, stop):
        total = 0.0
        for s in range(n_strides):
            count = 0
            i = 0
            for j in range(starts[s], starts[s + 1] - 1):
                x0, x1, f0, f1 = xp[j], xp[j + 1], fp[c, j], fp[c, j + 1]
                slope = (f1 - f0) / (x1 - x0)
                while i < grid.size and grid[i] < x1:
                    x = grid[i]
                    value = f0 if x == x0 else slope * (x - x0) + f0
                    if np.isnan(value):
                        value = slope * (x - x1) + f1
                        if np.isnan(value) and f0 == f1:
                            value = f0
                    if value > GRF_CONTACT_THRESHOLD_N:
                        count += 1
                    i += 1
            total += count / grid.size
        out[c] = total / n_strides


def _case(row: Mapping[Hashable, Any]) -> tuple[GaitSpec, LoadSharingOptions, int]:
    """The spec, model options and strides of one row of the cases table."""
    spec = GaitSpec(
        mode=row["mode"],
        direction=row["direction"],
        speed_m_s=row["speed_m_s"],
        grade_pct=row["grade_pct"],
        subject=Subject(mass_kg=row["mass_kg"], height_m=row["height_m"], sex=row["sex"]),
        condition=row["condition"],
    )
    scales: dict[str, Any] = {key: float(row[key]) for key in MODEL_SCALE_RANGES if key in row}
    options = LoadSharingOptions(
        muscle_set=row["muscle_set"],
        exponent=row["exponent"],
        contact_area_model=row["contact_area_model"],
        weight_bearing=bool(row["weight_bearing"]),
        **scales,
    )
    return spec, options, check_strides(int(row["strides"]))


#: what one batch gives: the indices of its cases in the chunk with their columns (c, F) each
#: and summaries (c,) each, or with None and the reason (the one case failed)
_Block = tuple[np.ndarray, dict[str, np.ndarray] | None, dict[str, np.ndarray] | str]


def _run_group(
    index: np.ndarray, specs: list[GaitSpec], strides: int, options: LoadSharingOptions
) -> list[_Block]:
    """The cases ``index`` of a chunk, run as one batch: their blocks of columns and summaries.

    A batch that raises is split in halves until the failing cases stand alone, so each
    failure carries the message the case gives on its own and the others go on."""
    try:
        columns = simulate_batch(specs, strides, options)
        return [(index, columns, summaries(columns, np.array([s.speed_m_s for s in specs])))]
    except KneeloadError as error:
        if len(specs) == 1:
            return [(index, None, str(error))]
    half = len(specs) // 2
    return _run_group(index[:half], specs[:half], strides, options) + _run_group(
        index[half:], specs[half:], strides, options
    )


def run_cases(cases: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Curves and summary of rows of the cases table (``case_id`` and
    :data:`kneeload.scenario.AXES_KEYS`), as a sweep writes them.

    Returns
    -------
    (curves, summary) : curves, one row per frame of the cases that ran, ``case_id`` first and
    then :func:`~kneeload.gait.simulate.simulate`'s columns, in case order; summary, one row per
    case in case order: ``case_id``, :data:`SUMMARY_COLUMNS_OF_CASE` and ``failure`` (None, or
    the reason the case failed, its numbers NaN).
    """
    # the rows as dicts of Python scalars, as to_dict("records") gives them, built column by
    # column (a third of to_dict's time on a chunk of 256 cases)
    keys: list[Hashable] = list(cases.columns)
    columns = [cases[key].tolist() for key in keys]
    records = [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]
    blocks: list[_Block] = []
    groups: dict[tuple[Any, ...], list[tuple[int, GaitSpec, LoadSharingOptions]]] = {}
    for i, row in enumerate(records):
        try:
            spec, options, strides = _case(row)
        except KneeloadError as error:
            blocks.append((np.array([i]), None, str(error)))
            continue
        key = (strides, spec.condition, options)
        groups.setdefault(key, []).append((i, spec, options))
    for (strides, *_), members in groups.items():
        index = np.array([i for i, _, _ in members])
        blocks += _run_group(index, [spec for _, spec, _ in members], strides, members[0][2])
    case_ids = np.array([row["case_id"] for row in records], dtype=object)
    return _curves(case_ids, blocks), _summary_table(case_ids, blocks)


def _curves(case_ids: np.ndarray, blocks: list[_Block]) -> pd.DataFrame:
    """One table of the blocks' frames, in case order, ``case_id`` first."""
    ran = [(index, columns) for index, columns, _ in blocks if columns is not None]
    if not ran:
        return pd.DataFrame({"case_id": pd.Series(dtype=str), "percent_cycle": []})
    row_case = np.concatenate(
        [np.repeat(index, columns["time_s"].shape[1]) for index, columns in ran]
    )
    order = np.argsort(row_case, kind="stable")
    in_order = bool(np.all(order == np.arange(order.size)))
    # the ids as strings once per case, then repeated per frame (converting a frame-long
    # object array to strings costs four times as much)
    ids = pd.Series(case_ids).take(row_case if in_order else row_case[order]).array
    data: dict[str, Any] = {"case_id": ids}
    for name in ran[0][1]:
        values = (
            ran[0][1][name].reshape(-1)
            if len(ran) == 1
            else np.concatenate([columns[name].reshape(-1) for _, columns in ran])
        )
        data[name] = values if in_order else values[order]
    return pd.DataFrame(data, copy=False)  # the fresh (or no longer used) arrays, not copies


def _summary_table(case_ids: np.ndarray, blocks: list[_Block]) -> pd.DataFrame:
    """One summary row per case in case order: NaN and the reason for a failed case."""
    data: dict[str, Any] = {"case_id": case_ids}
    for key in SUMMARY_COLUMNS_OF_CASE:
        data[key] = np.full(case_ids.size, np.nan)
    failure = np.full(case_ids.size, None, dtype=object)
    for index, _, rows in blocks:
        if isinstance(rows, str):
            failure[index] = rows
            continue
        for key in SUMMARY_COLUMNS_OF_CASE:
            data[key][index] = rows[key]
    data["failure"] = failure
    return pd.DataFrame(data)
