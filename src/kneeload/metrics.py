"""Per-stance load metrics of a per-frame table: peaks, impulse, loading rate, cumulative load
(DESIGN.md §4.7).

Stance is the analysed leg's first contact of each whole stride (``stride`` > 0): the first run
of frames with ``grf_vertical_n`` above :data:`kneeload.config.GRF_CONTACT_THRESHOLD_N`, its
ends moved to the threshold crossings (linear interpolation, the quantity interpolated there
too), so the answers do not depend on where frames fall. Each metric is computed per stride and
averaged over the strides; a NaN of the quantity in a stance makes that stride's metrics, and so
the mean, NaN (never zero).

Cumulative load counts the analysed knee's stances only: one per stride, i.e. half the steps of
both legs (steps per km = 2000 / stride length [m]; this knee's stances per km = 1000 / stride
length).

References
----------
Milner, C. E., Ferber, R., Pollard, C. D., Hamill, J., Davis, I. S. (2006). Biomechanical
factors associated with tibial stress fracture in female runners. Med Sci Sports Exerc 38(2),
323-328. doi:10.1249/01.mss.0000183477.75808.92 (vertical average loading rate: the mean slope
between 20 % and 80 % of the impact peak).

Miller, R. H., Edwards, W. B., Brandon, S. C. E., Morton, A. M., Deluzio, K. J. (2014). Why don't
most runners get knee osteoarthritis? A case for per-unit-distance loads. Med Sci Sports Exerc
46(3), 572-579. doi:10.1249/MSS.0000000000000135 (cumulative load per unit distance = impulse per
step × steps per distance).

Cha, H. G., Kim, T. H., Kim, M. K. (2016). Therapeutic efficacy of walking backward and forward on
a slope in normal adults. J Phys Ther Sci 28(6), 1901-1903. doi:10.1589/jpts.28.1901 (20 min a
session, 3 km/h at 10 % grade).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
from numba import njit
from numpy.typing import ArrayLike

from kneeload._interp import interp_at
from kneeload._threads import over_cases
from kneeload.config import (
    BATCH_ERROR_MODEL,
    GRF_CONTACT_THRESHOLD_N,
    NUMBA_CACHE,
    NUMPY_EXACT_FASTMATH,
)
from kneeload.exceptions import InputError

__all__ = [
    "INDEX_EXPONENTS",
    "LOADING_RATE_BOUNDS",
    "METRICS",
    "PEAK_PROMINENCE",
    "PROGRAMME_QUANTITIES",
    "SESSION_MINUTES",
    "Programme",
    "cumulative_load_index",
    "load_metrics",
    "metric_names",
    "programme_loads",
    "stance_peaks",
]

#: session length of the backward incline treadmill protocol of Cha, Kim & Kim 2016 [min]
SESSION_MINUTES = 20.0
#: fractions of the first peak between which the loading rate is the mean slope (Milner 2006)
LOADING_RATE_BOUNDS = (0.2, 0.8)
#: least depth of the trough between two peaks, as a fraction of the stance range of the
#: quantity, for them to count as two (a shallower dip is a ripple of a single-peaked curve)
PEAK_PROMINENCE = 0.05
#: metric name -> unit suffix appended to the quantity's unit (``{}``: the quantity's unit)
METRICS: dict[str, str] = {
    "first_peak": "{}",
    "first_peak_time": "pct_cycle",
    "second_peak": "{}",
    "second_peak_time": "pct_cycle",
    "impulse": "{}_s",
    "loading_rate": "{}_per_s",
    "at_peak_knee_moment": "{}",
    "cumulative": "{}_s_per_km",
    "cumulative_session": "{}_s_per_session",
}
#: unit suffixes a quantity may end in: BW, N·m/kg, %BW·height (KAM), N·m and N
_UNITS = ("bw", "nm_kg", "pct_bw_ht", "nm", "n")


def metric_names(quantity: str) -> list[str]:
    """Output keys of :func:`load_metrics` for ``quantity``, e.g. ``tf_compressive_bw`` ->
    ``tf_compressive_first_peak_bw``, ..., ``tf_compressive_cumulative_bw_s_per_km``."""
    return list(_metric_names(quantity))


@cache
def _metric_names(quantity: str) -> tuple[str, ...]:
    """:func:`metric_names`, once per quantity and process (a sweep asks per case)."""
    for unit in _UNITS:
        if quantity.endswith(f"_{unit}"):
            base = quantity[: -len(unit) - 1]
            names = []
            for metric, suffix in METRICS.items():
                name = metric.removesuffix("_time").removesuffix("_session")
                names.append(f"{base}_{name}_{suffix.format(unit)}")
            return tuple(names)
    raise InputError(
        "quantity", "quantity", f"a column ending in _{' or _'.join(_UNITS)}", quantity
    )


def _column(table: pd.DataFrame, name: str) -> np.ndarray:
    if name not in table.columns:
        raise InputError(table.attrs.get("source", "table"), name, "a column of that name")
    return table[name].to_numpy(dtype=np.float64)


def _stance(time_s: np.ndarray, grf_n: np.ndarray) -> tuple[slice, float, float] | None:
    """Frames of the first contact run of one stride and its start and end times [s] at the
    threshold crossings; None without contact."""
    contact = grf_n > GRF_CONTACT_THRESHOLD_N
    if not contact.any():
        return None
    first = int(np.argmax(contact))
    after = np.flatnonzero(~contact[first:])
    last = first + int(after[0]) - 1 if after.size else len(contact) - 1

    def crossing(inside: int, outside: int) -> float:
        g0, g1 = grf_n[outside], grf_n[inside]
        share = (GRF_CONTACT_THRESHOLD_N - g0) / (g1 - g0)
        return float(time_s[outside] + share * (time_s[inside] - time_s[outside]))

    start = crossing(first, first - 1) if first > 0 else float(time_s[first])
    end = crossing(last, last + 1) if last + 1 < len(contact) else float(time_s[last])
    return slice(first, last + 1), start, end


def _largest_local_max(values: np.ndarray, candidates: np.ndarray) -> int | None:
    """Index of the largest of ``candidates`` (indices of local maxima), or None."""
    return int(candidates[np.argmax(values[candidates])]) if candidates.size else None


def _stride_metrics(
    t: np.ndarray,
    q: np.ndarray,
    pct: np.ndarray,
    moment: np.ndarray,
    found: tuple[slice, float, float] | None,
) -> np.ndarray:
    """Per-stride metrics in the order of :data:`METRICS` without the cumulative ones;
    ``found`` is the stride's :func:`_stance`."""
    out = np.full(7, np.nan)
    if found is None:
        return out
    frames, start, end = found
    ts, qs = t[frames], q[frames]
    if not np.isfinite(qs).all():
        return out
    # the stance curve with its ends at the threshold crossings
    edge_q = np.interp([start, end], t, q)
    tt = np.concatenate(([start], ts, [end]))
    qq = np.concatenate(([edge_q[0]], qs, [edge_q[1]]))
    keep = np.concatenate(([True], np.diff(tt) > 0))  # an end on a frame: no duplicate
    tt, qq = tt[keep], qq[keep]
    out[4] = np.trapezoid(qq, tt)
    # local maxima of the stance frames: above the previous sample, not below the next
    inner = np.arange(1, len(qq) - 1)
    is_max = (qq[inner] > qq[inner - 1]) & (qq[inner] >= qq[inner + 1])
    maxima = inner[is_max]
    middle = 0.5 * (start + end)
    first = _largest_local_max(qq, maxima[tt[maxima] <= middle])
    second = _largest_local_max(qq, maxima[tt[maxima] > middle])
    if first is not None and second is not None:
        trough = qq[first : second + 1].min()
        depth = min(qq[first], qq[second]) - trough
        if depth < PEAK_PROMINENCE * np.ptp(qq):  # a ripple, not a second hump
            second = None
    if first is None or second is None:  # single-peaked: its top is the first peak
        first, second = int(np.argmax(qq)), None
    frame_pct = np.interp(tt, ts, pct[frames])
    out[0], out[1] = qq[first], frame_pct[first]
    if second is not None:
        out[2], out[3] = qq[second], frame_pct[second]
    low, high = (bound * qq[first] for bound in LOADING_RATE_BOUNDS)
    below = np.flatnonzero(qq[: first + 1] <= low)
    if below.size and qq[first] > 0:
        i = int(below[-1])  # last sample at or below 20 % before the peak
        rising_t, rising_q = tt[i : first + 1], qq[i : first + 1]
        j = int(np.argmax(rising_q >= high))
        t_low = np.interp(low, rising_q[:2], rising_t[:2])
        t_high = np.interp(high, rising_q[j - 1 : j + 1], rising_t[j - 1 : j + 1])
        out[5] = (high - low) / (t_high - t_low)
    moments = moment[frames]
    out[6] = qs[int(np.argmax(moments))] if np.isfinite(moments).all() else np.nan
    return out


def load_metrics(
    table: pd.DataFrame,
    quantity: str | Sequence[str],
    *,
    speed_m_s: float,
    session_minutes: float = SESSION_MINUTES,
) -> dict[str, float]:
    """Peaks, impulse, loading rate and cumulative load of knee-load quantities over the stance
    of the analysed leg, averaged over the table's whole strides.

    Parameters
    ----------
    table : per-frame table with ``time_s`` [s], ``stride`` (0 outside whole strides),
        ``percent_cycle`` [%], ``grf_vertical_n`` [N], ``knee_moment_nm_kg`` [N·m/kg] and the
        quantity, e.g. of :func:`kneeload.gait.simulate.simulate`
    quantity : column name(s) ending in their unit, ``_bw`` or ``_nm_kg``, e.g.
        ``tf_compressive_bw``
    speed_m_s : walking or running speed [m/s], for the stride length
    session_minutes : duration of one session [min]; default 20, Cha, Kim & Kim 2016

    Returns
    -------
    dict, per quantity (``{base}`` its name without the unit ``{u}``, see :func:`metric_names`):
    ``{base}_first_peak_{u}`` and ``{base}_first_peak_pct_cycle``: the largest local maximum
    (a sample above the previous, not below the next) in the first half of stance (up to and
    including mid-stance) and its time [% cycle]; ``{base}_second_peak_{u}`` and
    ``..._pct_cycle``: the same in the second half. A curve with no local maximum in one half,
    or whose trough between the two is shallower than :data:`PEAK_PROMINENCE` of its stance
    range below the lower peak, is single-peaked: its stance maximum is the first peak and the
    second peak and its time are NaN.
    ``{base}_impulse_{u}_s``: time integral over stance (trapezoid rule) [u·s per step];
    ``{base}_loading_rate_{u}_per_s``: mean slope from 20 % to 80 % of the first peak on its
    rising edge, from the last sample at or below 20 % (NaN if stance starts above it), as the
    vertical average loading rate (Milner et al. 2006); ``{base}_at_peak_knee_moment_{u}``: the
    value at the stance frame of the largest ``knee_moment_nm_kg`` (internal extensor);
    ``{base}_cumulative_{u}_s_per_km`` and ``..._per_session``: impulse × this knee's stances
    (one per stride) per km, or in ``session_minutes``.

    Raises
    ------
    InputError
        No whole stride (field ``stride``), a missing column, or a quantity without a unit.
    """
    quantities = [quantity] if isinstance(quantity, str) else list(quantity)
    for q in quantities:
        metric_names(q)  # a quantity without a unit fails before any column is read
    columns = {name: _column(table, name) for name in (*METRIC_INPUTS, *quantities)}
    return metric_values(
        columns,
        quantities,
        speed_m_s=speed_m_s,
        session_minutes=session_minutes,
        source=table.attrs.get("source", "table"),
    )


#: columns besides the quantities that :func:`load_metrics` reads
METRIC_INPUTS: tuple[str, ...] = (
    "stride",
    "percent_cycle",
    "time_s",
    "grf_vertical_n",
    "knee_moment_nm_kg",
)


def metric_values(
    columns: Mapping[str, np.ndarray],
    quantities: Sequence[str],
    *,
    speed_m_s: float,
    session_minutes: float = SESSION_MINUTES,
    source: str = "table",
) -> dict[str, float]:
    """The array core of :func:`load_metrics` for one case: ``columns`` holds
    :data:`METRIC_INPUTS` and the ``quantities``, (F,) float arrays each."""
    if not speed_m_s > 0:
        raise InputError("speed_m_s", "speed_m_s", "a speed > 0 m/s", repr(speed_m_s))
    if not session_minutes > 0:
        raise InputError(
            "session_minutes", "session_minutes", "a duration > 0 min", repr(session_minutes)
        )
    names = {q: metric_names(q) for q in quantities}
    stride = columns["stride"]
    pct = columns["percent_cycle"]
    inside = (stride > 0) & np.isfinite(pct)
    if not inside.any():
        raise InputError(source, "stride", "at least one whole stride")
    time_s, grf = columns["time_s"][inside], columns["grf_vertical_n"][inside]
    moment = columns["knee_moment_nm_kg"][inside]
    stride, pct = stride[inside], pct[inside]
    values = {q: columns[q][inside] for q in quantities}
    phase = stride - 1 + pct / 100.0
    stride_time_s = float(np.polyfit(phase, time_s, 1)[0]) if np.ptp(phase) > 0 else np.nan
    stances_per_km = 1000.0 / (speed_m_s * stride_time_s)
    stances_per_session = 60.0 * session_minutes / stride_time_s
    bounds = np.flatnonzero(np.diff(stride)) + 1
    strides = np.split(np.arange(len(stride)), bounds)
    stances = [_stance(time_s[s], grf[s]) for s in strides]
    result: dict[str, float] = {}
    for q, q_values in values.items():
        per_stride = np.array(
            [
                _stride_metrics(time_s[s], q_values[s], pct[s], moment[s], found)
                for s, found in zip(strides, stances, strict=True)
            ]
        )
        mean = per_stride.mean(axis=0)
        impulse = mean[4]
        ordered = [*mean, impulse * stances_per_km, impulse * stances_per_session]
        # METRICS order: peaks (0-3), impulse, loading rate, at-peak-moment, cumulative
        result.update(zip(names[q], map(float, ordered), strict=True))
    return result


def stride_time_batch(stride: np.ndarray, percent: np.ndarray, time_s: np.ndarray) -> np.ndarray:
    """Stride time [s] of C cases sharing ``stride`` and ``percent_cycle`` (F,), times (C, F'):
    the least-squares slope of time against stride phase (the fit of :func:`metric_values`,
    within 1e-15 relative), over the frames of whole strides (F' of them, or F)."""
    inside = (stride > 0) & np.isfinite(percent)
    phase = stride[inside] - 1 + percent[inside] / 100.0
    if np.ptp(phase) <= 0:
        return np.full(time_s.shape[0], np.nan)
    times = time_s if time_s.shape[1] == phase.size else time_s[:, inside]
    # np.polyfit's least squares (columns scaled to unit norm), its solution's weights found
    # once for the shared phase
    lhs = np.vander(phase, 2)
    scale = np.sqrt((lhs * lhs).sum(axis=0))
    weights = np.linalg.pinv(lhs / scale)[0] / scale[0]
    # each case's sum correctly rounded (math.fsum), not a matrix product or a NumPy
    # reduction, whose blocking depends on the number of rows: a case's last bits would
    # depend on which cases share its batch (sweep chunking)
    return np.array([math.fsum(row) for row in times * weights], dtype=np.float64)


def metric_values_batch(
    columns: Mapping[str, np.ndarray],
    quantities: Sequence[str],
    *,
    speed_m_s: np.ndarray,
    session_minutes: float = SESSION_MINUTES,
    source: str = "table",
) -> dict[str, np.ndarray]:
    """:func:`metric_values` of C cases at once: ``columns`` holds ``stride`` and
    ``percent_cycle`` (F,), the same for every case, and the other :data:`METRIC_INPUTS` and
    the ``quantities`` (C, F); ``speed_m_s`` (C,). Each key's (C,) array holds each case's
    value (the arithmetic of :func:`metric_values`, operation by operation, in one compiled
    loop over cases)."""
    speed = np.asarray(speed_m_s, dtype=np.float64)
    if not np.all(speed > 0):
        bad = speed[~(speed > 0)][0]
        raise InputError("speed_m_s", "speed_m_s", "a speed > 0 m/s", repr(float(bad)))
    if not session_minutes > 0:
        raise InputError(
            "session_minutes", "session_minutes", "a duration > 0 min", repr(session_minutes)
        )
    stride = np.asarray(columns["stride"])
    pct = np.asarray(columns["percent_cycle"], dtype=np.float64)
    inside = (stride > 0) & np.isfinite(pct)
    if not inside.any():
        raise InputError(source, "stride", "at least one whole stride")

    def cases(name: str) -> np.ndarray:
        return np.ascontiguousarray(np.asarray(columns[name], dtype=np.float64)[:, inside])

    time_s = cases("time_s")
    stride_time_s = stride_time_batch(stride, pct, time_s)
    stances_per_km = 1000.0 / (speed * stride_time_s)
    stances_per_session = 60.0 * session_minutes / stride_time_s
    kept = stride[inside]
    bounds = np.concatenate(([0], np.flatnonzero(np.diff(kept)) + 1, [kept.size]))
    values = np.stack([cases(q) for q in quantities])
    means = np.empty((len(quantities), time_s.shape[0], 7))
    over_cases(
        _stance_metrics_kernel,
        time_s.shape[0],
        time_s,
        cases("grf_vertical_n"),
        cases("knee_moment_nm_kg"),
        values,
        np.ascontiguousarray(pct[inside]),
        bounds.astype(np.int64),
        means,
    )
    result: dict[str, np.ndarray] = {}
    for k, q in enumerate(quantities):
        impulse = means[k, :, 4]
        ordered = [*means[k].T, impulse * stances_per_km, impulse * stances_per_session]
        result.update(zip(metric_names(q), ordered, strict=True))
    return result


@njit(cache=NUMBA_CACHE, fastmath=NUMPY_EXACT_FASTMATH)
def _trapezoid(y: np.ndarray, x: np.ndarray) -> float:
    """``np.trapezoid(y, x)``: NumPy's terms summed as its pairwise sum (8 accumulators)."""
    n = y.size - 1
    terms = np.empty(max(n, 0))
    for i in range(n):
        terms[i] = (x[i + 1] - x[i]) * (y[i + 1] + y[i]) / 2.0
    return _pairwise_sum(terms, 0, n)


@njit(cache=NUMBA_CACHE, fastmath=NUMPY_EXACT_FASTMATH)
def _pairwise_sum(a: np.ndarray, start: int, n: int) -> float:
    """NumPy's pairwise summation of ``a[start:start + n]`` (loops_utils.h.src): blocks of at
    most 128 summed with 8 accumulators, larger ranges split in two (a multiple of 8 first),
    the halves' sums added; the recursion unrolled onto a stack (a cached recursive numba
    function crashed when loaded from the cache)."""
    if n <= 128:
        return _block_sum(a, start, n)
    ranges = np.empty((64, 3), dtype=np.int64)  # start, size, halves pushed
    sums = np.empty(64)
    ranges[0, 0], ranges[0, 1], ranges[0, 2] = start, n, 0
    depth, stored = 1, 0
    while depth > 0:
        s, m, state = ranges[depth - 1, 0], ranges[depth - 1, 1], ranges[depth - 1, 2]
        half = m // 2 - (m // 2) % 8
        if m <= 128:
            depth -= 1
            sums[stored] = _block_sum(a, s, m)
            stored += 1
        elif state < 2:
            ranges[depth - 1, 2] = state + 1
            first = state == 0
            ranges[depth, 0] = s if first else s + half
            ranges[depth, 1] = half if first else m - half
            ranges[depth, 2] = 0
            depth += 1
        else:
            depth -= 1
            stored -= 1
            sums[stored - 1] = sums[stored - 1] + sums[stored]
    return sums[0]


@njit(cache=NUMBA_CACHE, fastmath=NUMPY_EXACT_FASTMATH)
def _block_sum(a: np.ndarray, start: int, n: int) -> float:
    """NumPy's pairwise sum of at most 128 values ``a[start:start + n]``."""
    if n < 8:
        res = -0.0
        for i in range(start, start + n):
            res += a[i]
        return res
    r = a[start : start + 8].copy()
    i = 8
    while i < n - (n % 8):
        for k in range(8):
            r[k] += a[start + i + k]
        i += 8
    res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    while i < n:
        res += a[start + i]
        i += 1
    return res


@njit(cache=NUMBA_CACHE, fastmath=NUMPY_EXACT_FASTMATH)
def _stance_kernel(time_s: np.ndarray, grf_n: np.ndarray) -> tuple[int, int, float, float]:
    """:func:`_stance` of one stride: first and last frame, start and end time [s]; first
    -1 without contact."""
    n = grf_n.size
    first = -1
    for i in range(n):
        if grf_n[i] > GRF_CONTACT_THRESHOLD_N:
            first = i
            break
    if first < 0:
        return -1, -1, np.nan, np.nan
    last = n - 1
    for i in range(first, n):
        if not grf_n[i] > GRF_CONTACT_THRESHOLD_N:
            last = i - 1
            break
    start = time_s[first]
    if first > 0:
        g0, g1 = grf_n[first - 1], grf_n[first]
        share = (GRF_CONTACT_THRESHOLD_N - g0) / (g1 - g0)
        start = time_s[first - 1] + share * (time_s[first] - time_s[first - 1])
    end = time_s[last]
    if last + 1 < n:
        g0, g1 = grf_n[last + 1], grf_n[last]
        share = (GRF_CONTACT_THRESHOLD_N - g0) / (g1 - g0)
        end = time_s[last + 1] + share * (time_s[last] - time_s[last + 1])
    return first, last, start, end


@njit(cache=NUMBA_CACHE, fastmath=NUMPY_EXACT_FASTMATH)
def _largest_maxima(qq: np.ndarray, tt: np.ndarray, middle: float) -> tuple[int, int]:
    """:func:`_largest_local_max` of the local maxima in the first (``tt <= middle``) and in
    the second half of stance; -1 where none."""
    first, second = -1, -1
    for i in range(1, qq.size - 1):
        if not (qq[i] > qq[i - 1] and qq[i] >= qq[i + 1]):
            continue
        if tt[i] <= middle:
            if first < 0 or qq[i] > qq[first]:
                first = i
        elif second < 0 or qq[i] > qq[second]:
            second = i
    return first, second


@njit(cache=NUMBA_CACHE, fastmath=NUMPY_EXACT_FASTMATH)
def _stride_metrics_kernel(
    t: np.ndarray,
    q: np.ndarray,
    pct: np.ndarray,
    moment: np.ndarray,
    first_frame: int,
    last_frame: int,
    start: float,
    end: float,
    out: np.ndarray,
) -> None:
    """:func:`_stride_metrics` of one stride into ``out`` (7,), its stance from
    :func:`_stance_kernel`."""
    out[:] = np.nan
    if first_frame < 0:
        return
    ts, qs = t[first_frame : last_frame + 1], q[first_frame : last_frame + 1]
    for v in qs:
        if not np.isfinite(v):
            return
    m = ts.size
    tt = np.empty(m + 2)
    qq = np.empty(m + 2)
    tt[0], qq[0] = start, interp_at(start, t, q)
    size, previous = 1, start
    for i in range(m + 1):  # an end on a frame: no duplicate
        ti = ts[i] if i < m else end
        if ti - previous > 0:
            tt[size] = ti
            qq[size] = qs[i] if i < m else interp_at(end, t, q)
            size += 1
        previous = ti
    tt, qq = tt[:size], qq[:size]
    out[4] = _trapezoid(qq, tt)
    middle = 0.5 * (start + end)
    first, second = _largest_maxima(qq, tt, middle)
    if first >= 0 and second >= 0:
        trough = qq[first : second + 1].min()
        depth = min(qq[first], qq[second]) - trough
        if depth < PEAK_PROMINENCE * (qq.max() - qq.min()):  # a ripple, not a second hump
            second = -1
    if first < 0 or second < 0:  # single-peaked: its top is the first peak
        first, second = int(np.argmax(qq)), -1
    pct_stance = pct[first_frame : last_frame + 1]
    out[0], out[1] = qq[first], interp_at(tt[first], ts, pct_stance)
    if second >= 0:
        out[2], out[3] = qq[second], interp_at(tt[second], ts, pct_stance)
    low, high = LOADING_RATE_BOUNDS[0] * qq[first], LOADING_RATE_BOUNDS[1] * qq[first]
    below = -1
    for i in range(first + 1):
        if qq[i] <= low:
            below = i
    if below >= 0 and qq[first] > 0:
        rising_t, rising_q = tt[below : first + 1], qq[below : first + 1]
        j = 0
        for k in range(rising_q.size):
            if rising_q[k] >= high:
                j = k
                break
        t_low = interp_at(low, rising_q[:2], rising_t[:2])
        t_high = interp_at(high, rising_q[j - 1 : j + 1], rising_t[j - 1 : j + 1])
        out[5] = (high - low) / (t_high - t_low)
    moments = moment[first_frame : last_frame + 1]
    finite = True
    for v in moments:
        finite = finite and np.isfinite(v)
    out[6] = qs[int(np.argmax(moments))] if finite else np.nan


@njit(cache=NUMBA_CACHE, fastmath=NUMPY_EXACT_FASTMATH, nogil=True, error_model=BATCH_ERROR_MODEL)
def _stance_metrics_kernel(
    start: int,
    stop: int,
    time_s: np.ndarray,
    grf_n: np.ndarray,
    moment: np.ndarray,
    values: np.ndarray,
    pct: np.ndarray,
    bounds: np.ndarray,
    out: np.ndarray,
) -> None:
    """Per quantity (Q) and case ``start`` to ``stop − 1`` (of C), the mean over strides
    (frames ``bounds[s]`` to ``bounds[s + 1]``) of :func:`_stride_metrics` into ``out``
    (Q, C, 7); serial, without the GIL (:func:`kneeload._threads.over_cases` runs blocks of
    cases on threads). ``values`` (Q, C, F), the others (C, F) or (F,)."""
    n_q = values.shape[0]
    n_strides = bounds.size - 1
    for c in range(start, stop):
        sums = np.zeros((n_q, 7))
        row = np.empty(7)
        for s in range(n_strides):
            a, b = bounds[s], bounds[s + 1]
            t = time_s[c, a:b]
            first, last, t_on, t_off = _stance_kernel(t, grf_n[c, a:b])
            for k in range(n_q):
                _stride_metrics_kernel(
                    t, values[k, c, a:b], pct[a:b], moment[c, a:b], first, last, t_on, t_off, row
                )
                for i in range(7):
                    sums[k, i] += row[i]
        for k in range(n_q):
            for i in range(7):
                out[k, c, i] = sums[k, i] / n_strides


@dataclass(frozen=True)
class Programme:
    """A training programme: sessions of ``session_minutes`` of continuous gait,
    ``sessions_per_week`` times a week for ``weeks`` weeks (default: Cha, Kim & Kim 2016,
    20 min a day, 5 days a week, 4 weeks)."""

    session_minutes: float = SESSION_MINUTES
    sessions_per_week: int = 5
    weeks: int = 4

    def __post_init__(self) -> None:
        if not (math.isfinite(self.session_minutes) and self.session_minutes > 0):
            raise InputError(
                "programme", "session_minutes", "a duration > 0 min", repr(self.session_minutes)
            )
        for name in ("sessions_per_week", "weeks"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InputError("programme", name, "a whole number >= 1", repr(value))

    @property
    def sessions(self) -> int:
        """Sessions in the whole programme."""
        return self.sessions_per_week * self.weeks


def stance_peaks(table: pd.DataFrame, quantity: str) -> np.ndarray:
    """The largest value of ``quantity`` in the stance of each whole stride (the first contact
    run, as in :func:`load_metrics`), one per stride; NaN for a stride without contact or with a
    NaN in its stance."""
    stride = _column(table, "stride")
    inside = (stride > 0) & np.isfinite(_column(table, "percent_cycle"))
    if not inside.any():
        raise InputError(table.attrs.get("source", "table"), "stride", "at least one whole stride")
    time_s, grf = _column(table, "time_s")[inside], _column(table, "grf_vertical_n")[inside]
    values, stride = _column(table, quantity)[inside], stride[inside]
    peaks = []
    for s in np.split(np.arange(len(stride)), np.flatnonzero(np.diff(stride)) + 1):
        found = _stance(time_s[s], grf[s])
        stance = values[s][found[0]] if found is not None else np.array([np.nan])
        peaks.append(float(stance.max()) if np.isfinite(stance).all() else np.nan)
    return np.array(peaks)


def cumulative_load_index(peaks: ArrayLike, cycles: float, exponent: float) -> float:
    """Cumulative-load index Σ peakᵏ over ``cycles`` loading cycles [unit of peak ** k].

    The cycles repeat the given per-cycle ``peaks`` (their mean of peakᵏ times ``cycles``).
    k = 1 counts peak × cycles; k > 1 weighs magnitude over number, as the daily stress
    stimulus ψ = (Σ nᵢ σᵢᵐ)^(1/m) of Carter, Fyhrie & Whalen (1987), whose weighting exponent
    m was estimated from bone-density data by Whalen, Carter & Steele (1988) (magnitude
    matters more than cycle count, m > 1; m = 4 is the value commonly used, status U here).
    ψ is this index to the power 1/k.

    References
    ----------
    Carter DR, Fyhrie DP, Whalen RT (1987) Trabecular bone density and loading history:
    regulation of connective tissue biology by mechanical energy. J Biomech 20(8):785-794.
    Whalen RT, Carter DR, Steele CR (1988) Influence of physical activity on the regulation of
    bone density. J Biomech 21(10):825-837.
    """
    values = np.asarray(peaks, dtype=np.float64)
    if not (math.isfinite(exponent) and exponent > 0):
        raise InputError("exponent", "exponent", "a finite exponent k > 0", repr(exponent))
    if not (math.isfinite(cycles) and cycles >= 0):
        raise InputError("cycles", "cycles", "a number of cycles >= 0", repr(cycles))
    if values.size == 0:
        raise InputError("peaks", "peaks", "at least one peak", "none")
    return float(cycles * np.mean(np.abs(values) ** exponent))


#: quantities of :func:`programme_loads`: tibiofemoral (total and medial) and patellofemoral
PROGRAMME_QUANTITIES: tuple[str, ...] = ("tf_compressive_bw", "tf_medial_bw", "pf_force_bw")
#: exponents k of the cumulative-load index: peak × cycles, and a fatigue-type weighting
#: (Carter et al. 1987; Whalen et al. 1988)
INDEX_EXPONENTS: tuple[float, ...] = (1.0, 4.0)
#: case columns carried into :func:`programme_loads`'s table when the cases table has them
_CASE_COLUMNS = ("mode", "direction", "speed_m_s", "grade_pct", "condition", "mass_kg", "height_m")


def programme_loads(
    results: Mapping[str, pd.DataFrame],
    programme: Programme | None = None,
    quantities: Sequence[str] = PROGRAMME_QUANTITIES,
    exponents: Sequence[float] = INDEX_EXPONENTS,
) -> pd.DataFrame:
    """Cumulative knee loads per step, km, session and programme of each case of a sweep.

    Parameters
    ----------
    results : the tables of :func:`kneeload.sweep.load_results` (``cases``, ``curves``); or any
        mapping with a ``curves`` table (``case_id`` column plus the per-frame columns of
        :func:`load_metrics` and the quantities) and a ``cases`` table (``case_id``,
        ``speed_m_s``)
    programme : sessions and their length (default :class:`Programme`, Cha et al. 2016; a
        scenario's ``[programme]`` table, :attr:`kneeload.scenario.Scenario.programme`)
    quantities : load columns, each ending in its unit (default tibiofemoral compression,
        medial compartment and patellofemoral force in BW)
    exponents : exponents k of the cumulative-load index (:func:`cumulative_load_index`)

    Returns
    -------
    DataFrame, one row per case with curves: ``case_id``, the case's parameters, ``sessions``,
    ``stride_time_s`` and ``steps_per_session`` (this knee's stances, one per stride); per
    quantity ``{base}`` in unit ``{u}``: ``{base}_peak_{u}`` (stance maximum, mean over strides),
    ``{base}_impulse_{u}_s`` (per step), ``{base}_per_km_{u}_s``, ``{base}_per_session_{u}_s``
    and ``{base}_per_programme_{u}_s`` (impulse × steps; Miller et al. 2014), and
    ``{base}_index_k{k}_per_session`` / ``..._per_programme`` (Σ peakᵏ over the steps, in
    ``{u}`` to the power k). Per programme = per session × sessions.
    """
    programme = programme if programme is not None else Programme()
    curves, cases = results["curves"], results["cases"].set_index("case_id")
    rows = []
    for case, table in curves.groupby("case_id", sort=False):
        parameters = dict(cases.loc[str(case)])
        speed = float(parameters["speed_m_s"])
        metrics = load_metrics(
            table, quantities, speed_m_s=speed, session_minutes=programme.session_minutes
        )
        row: dict[str, object] = {"case_id": case}
        row.update({c: parameters[c] for c in _CASE_COLUMNS if c in parameters})
        stride = table["stride"].to_numpy()
        phase = stride - 1 + table["percent_cycle"].to_numpy() / 100.0
        whole = (stride > 0) & np.isfinite(phase)
        stride_time_s = float(np.polyfit(phase[whole], table["time_s"].to_numpy()[whole], 1)[0])
        steps = 60.0 * programme.session_minutes / stride_time_s
        row.update(sessions=programme.sessions, stride_time_s=stride_time_s)
        row["steps_per_session"] = steps
        for q in quantities:
            unit = next(u for u in _UNITS if q.endswith(f"_{u}"))
            base = q[: -len(unit) - 1]
            peaks = stance_peaks(table, q)
            impulse = metrics[f"{base}_impulse_{unit}_s"]
            session = metrics[f"{base}_cumulative_{unit}_s_per_session"]
            row[f"{base}_peak_{unit}"] = float(np.mean(peaks))
            row[f"{base}_impulse_{unit}_s"] = impulse
            row[f"{base}_per_km_{unit}_s"] = metrics[f"{base}_cumulative_{unit}_s_per_km"]
            row[f"{base}_per_session_{unit}_s"] = session
            row[f"{base}_per_programme_{unit}_s"] = session * programme.sessions
            for k in exponents:
                index = cumulative_load_index(peaks, steps, k)
                row[f"{base}_index_k{k:g}_per_session"] = index
                row[f"{base}_index_k{k:g}_per_programme"] = index * programme.sessions
        rows.append(row)
    return pd.DataFrame(rows)
