"""Gait events from the vertical ground reaction force, time normalisation and low-pass filtering.

* :func:`contact_intervals` foot contact (on, off) times from a vertical force: threshold
  crossings interpolated linearly between samples, with a time hysteresis (short drops
  bridged, short contacts rejected) so noise around the threshold gives no spurious events.
* :func:`strides` consecutive contacts of one foot → (start, end) of each gait cycle.
* :func:`time_normalise` resample one cycle to 0, 1, ..., 100 % (vectorised over columns).
* :func:`lowpass` zero-lag Butterworth low-pass with Winter's (2009, §3.4) cut-off correction
  for the two passes, and explicit NaN-gap handling.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kneeload import config
from kneeload.exceptions import InputError

FloatArray = NDArray[np.float64]


def contact_intervals(
    time_s: ArrayLike,
    vertical_force_n: ArrayLike,
    threshold_n: float = config.GRF_CONTACT_THRESHOLD_N,
    *,
    min_duration_s: float = 0.05,
    min_gap_s: float = 0.02,
    include_partial: bool = False,
) -> list[tuple[float, float]]:
    """Contact (on, off) times where the vertical force exceeds a threshold.

    Parameters
    ----------
    time_s : (n,) sample times [s], strictly increasing
    vertical_force_n : (n,) vertical ground reaction force [N], positive upward (ground on
        body); NaN counts as no contact
    threshold_n : contact threshold [N] (default :data:`kneeload.config.GRF_CONTACT_THRESHOLD_N`,
        20 N, common force-plate practice)
    min_duration_s : contacts shorter than this are rejected as noise [s]. Walking and
        running stance lasts 0.15-1 s; 0.05 s rejects impacts, cable knocks and noise
        bursts above the threshold.
    min_gap_s : drops below the threshold shorter than this, inside a contact, are bridged
        [s] (time hysteresis: a force oscillating around the threshold at heel strike or
        toe-off gives one contact, not several). Bridging happens before the duration test.
    include_partial : keep contacts that touch the first or last sample (their on or off
        time is then the record's edge, not an event)

    Returns
    -------
    list of (on, off) [s]: on is where the force rises through the threshold, off where it
    falls through it, both interpolated linearly between the samples around the crossing.

    Raises
    ------
    InputError
        Arrays of different lengths, time not increasing, negative durations.
    """
    t = np.asarray(time_s, dtype=np.float64)
    f = np.asarray(vertical_force_n, dtype=np.float64)
    if t.ndim != 1 or f.shape != t.shape:
        raise InputError(
            "contact_intervals",
            "vertical_force_n",
            f"a 1-D array as long as time_s ({t.size})",
            str(f.shape),
        )
    if t.size and np.any(np.diff(t) <= 0):
        raise InputError("contact_intervals", "time_s", "strictly increasing times [s]")
    if min_duration_s < 0 or min_gap_s < 0:
        raise InputError("contact_intervals", "min_duration_s/min_gap_s", "non-negative [s]")
    if t.size == 0:
        return []

    above = np.nan_to_num(f, nan=-np.inf) > threshold_n
    edges = np.diff(above.astype(np.int8))
    rises = np.flatnonzero(edges == 1) + 1  # first sample above
    falls = np.flatnonzero(edges == -1)  # last sample above
    if above[0]:
        rises = np.r_[0, rises]
    if above[-1]:
        falls = np.r_[falls, t.size - 1]

    def crossing(i0: int, i1: int) -> float:
        f0, f1 = f[i0], f[i1]
        if not (np.isfinite(f0) and np.isfinite(f1)) or f1 == f0:
            return float(t[i1] if f1 > threshold_n else t[i0])
        return float(t[i0] + (threshold_n - f0) / (f1 - f0) * (t[i1] - t[i0]))

    raw: list[list[float]] = []
    for r, fa in zip(rises.tolist(), falls.tolist(), strict=True):
        on = float(t[0]) if r == 0 else crossing(r - 1, r)
        off = float(t[-1]) if fa == t.size - 1 else crossing(fa, fa + 1)
        raw.append([on, off, float(r == 0), float(fa == t.size - 1)])

    merged: list[list[float]] = []
    for item in raw:
        if merged and item[0] - merged[-1][1] < min_gap_s:
            merged[-1][1] = item[1]
            merged[-1][3] = item[3]
        else:
            merged.append(item)

    out = []
    for on, off, starts_at_edge, ends_at_edge in merged:
        if (starts_at_edge or ends_at_edge) and not include_partial:
            continue
        if off - on < min_duration_s:
            continue
        out.append((on, off))
    return out


def strides(
    foot_contact_times: Sequence[tuple[float, float]] | Sequence[float] | ArrayLike,
    *,
    max_duration_s: float | None = None,
) -> list[tuple[float, float]]:
    """Gait cycles of one foot: from one initial contact to the next of the same foot.

    Parameters
    ----------
    foot_contact_times : the foot's contacts as (on, off) intervals (from
        :func:`contact_intervals`, several plates merged) or its initial-contact times [s]
    max_duration_s : cycles longer than this are dropped [s] (None keeps all). Overground,
        a contact off the plates is not seen, and two consecutive seen contacts may span
        two strides: e.g. 1.6 s for walking (strides last about 1-1.3 s) rejects them.

    Returns
    -------
    list of (start, end) [s], in time order; n contacts give n - 1 cycles.

    Raises
    ------
    InputError
        Overlapping or unordered contacts, on after off.
    """
    arr = np.asarray(foot_contact_times, dtype=np.float64)
    if arr.size == 0:
        return []
    if arr.ndim == 2 and arr.shape[1] == 2:
        if np.any(arr[:, 1] < arr[:, 0]):
            raise InputError("strides", "foot_contact_times", "(on, off) with on <= off [s]")
        arr = arr[np.argsort(arr[:, 0])]
        if np.any(arr[1:, 0] < arr[:-1, 1]):
            raise InputError(
                "strides",
                "foot_contact_times",
                "non-overlapping contacts of one foot (merge plates first)",
            )
        starts = arr[:, 0]
    elif arr.ndim == 1:
        starts = np.sort(arr)
    else:
        raise InputError(
            "strides",
            "foot_contact_times",
            "(on, off) pairs or initial-contact times",
            str(arr.shape),
        )
    cycles = [(float(a), float(b)) for a, b in itertools.pairwise(starts) if b > a]
    if max_duration_s is not None:
        cycles = [(a, b) for a, b in cycles if b - a <= max_duration_s]
    return cycles


def time_normalise(
    time_s: ArrayLike,
    values: ArrayLike,
    start: float,
    end: float,
    n_points: int = config.CYCLE_POINTS,
    *,
    kind: str = "linear",
) -> tuple[FloatArray, FloatArray]:
    """Resample one cycle ``start``-``end`` to ``n_points`` equally spaced percentages.

    Parameters
    ----------
    time_s : (n,) sample times [s], strictly increasing, covering [start, end]
    values : (n, ...) any trailing shape (e.g. (n, 3) or (n, n_markers, 3))
    start, end : cycle limits [s], start < end
    n_points : number of points (101 gives 0, 1, ..., 100 %)
    kind : "linear" (NaN stays local to its neighbours) or "cubic" (not-a-knot cubic spline
        through the samples of the window and one sample beyond each end; the window must
        then be free of NaN)

    Returns
    -------
    percent_cycle : (n_points,) 0-100 [%]
    values_normalised : (n_points, ...)

    Raises
    ------
    InputError
        Window outside the time range, shapes that do not match, unknown ``kind``, NaN in a
        cubic window.
    """
    t = np.asarray(time_s, dtype=np.float64)
    v = np.asarray(values, dtype=np.float64)
    if t.ndim != 1 or v.shape[:1] != t.shape:
        raise InputError(
            "time_normalise",
            "values",
            f"first dimension as long as time_s ({t.size})",
            str(v.shape),
        )
    if t.size < 2 or np.any(np.diff(t) <= 0):
        raise InputError("time_normalise", "time_s", "at least 2 strictly increasing times [s]")
    if (
        not (end > start)
        or start < t[0] - 1e-9 * max(1.0, abs(t[0]))
        or end > t[-1] + 1e-9 * max(1.0, abs(t[-1]))
    ):
        raise InputError(
            "time_normalise",
            "start/end",
            f"start < end within [{t[0]:.6g}, {t[-1]:.6g}] s",
            f"[{start:.6g}, {end:.6g}]",
        )
    if n_points < 2:
        raise InputError("time_normalise", "n_points", "at least 2", str(n_points))
    percent = np.linspace(0.0, 100.0, n_points)
    tq = np.clip(start + percent / 100.0 * (end - start), t[0], t[-1])
    flat = v.reshape(t.size, -1)

    if kind == "linear":
        i = np.clip(np.searchsorted(t, tq, side="right") - 1, 0, t.size - 2)
        w = ((tq - t[i]) / (t[i + 1] - t[i]))[:, None]
        out = flat[i] * (1.0 - w) + flat[i + 1] * w
        # exact sample hits keep the sample (no NaN from a NaN neighbour with weight 0)
        hit0 = w[:, 0] == 0.0
        out[hit0] = flat[i[hit0]]
        hit1 = w[:, 0] == 1.0
        out[hit1] = flat[i[hit1] + 1]
    elif kind == "cubic":
        from scipy.interpolate import CubicSpline

        lo = max(int(np.searchsorted(t, start, side="right")) - 2, 0)
        hi = min(int(np.searchsorted(t, end, side="left")) + 2, t.size)
        if hi - lo < 4:
            raise InputError("time_normalise", "start/end", "at least 4 samples for a cubic spline")
        window = flat[lo:hi]
        if not np.all(np.isfinite(window)):
            raise InputError(
                "time_normalise", "values", "finite values in the cycle for kind='cubic'", "NaN"
            )
        out = CubicSpline(t[lo:hi], window, axis=0)(tq)
    else:
        raise InputError("time_normalise", "kind", "'linear' or 'cubic'", repr(kind))
    return percent, out.reshape((n_points, *v.shape[1:]))


def butterworth_design_cutoff_hz(cutoff_hz: float, rate_hz: float, order: int) -> float:
    """Per-pass design cut-off so that the zero-lag filter is -3 dB at ``cutoff_hz``.

    A Butterworth of order N (per pass) run forward and backward has gain
    ``1 / (1 + (w'/w'c)^(2N))`` (w' = tan(pi f / fs), the bilinear pre-warped frequency), so
    its -3 dB point falls below the design cut-off. Winter (2009, §3.4.4.3) corrects the
    cut-off by ``C = (2^(1/n_passes) - 1)^(1/(2N))`` (0.802 for two passes of a 2nd order)
    applied to the pre-warped frequency: ``tan(pi f_design / fs) = tan(pi f_c / fs) / C``.

    Parameters
    ----------
    cutoff_hz : wanted -3 dB frequency of the zero-lag filter [Hz]
    rate_hz : sampling rate [Hz]
    order : order of the zero-lag filter (even; each pass has order/2)

    Returns
    -------
    float : the cut-off to give ``scipy.signal.butter`` for each pass [Hz]
    """
    n_pass = order // 2
    correction = (2.0 ** (1.0 / 2.0) - 1.0) ** (1.0 / (2.0 * n_pass))
    warped = np.tan(np.pi * cutoff_hz / rate_hz) / correction
    return float(rate_hz / np.pi * np.arctan(warped))


def lowpass(
    values: ArrayLike,
    rate_hz: float,
    cutoff_hz: float = config.DEFAULT_CUTOFF_HZ,
    order: int = config.BUTTERWORTH_ORDER,
    *,
    max_gap_s: float = 0.1,
) -> FloatArray:
    """Zero-lag Butterworth low-pass along the first axis (Winter 2009, §3.4).

    ``order`` is the order of the **zero-lag (forward + backward) filter**, as in Winter's
    "fourth-order zero-lag Butterworth": each pass is a Butterworth of order ``order / 2``
    (so 4 → two passes of a 2nd order, ``scipy.signal.butter`` + ``sosfiltfilt``), because
    filtfilt squares the magnitude response and doubles the order. The per-pass cut-off is
    raised by Winter's correction (:func:`butterworth_design_cutoff_hz`; 6 Hz at 100 Hz →
    7.43 Hz per pass) so that the combined filter is -3 dB (gain 0.707) at ``cutoff_hz``
    itself; without it the two passes would put the -3 dB point at 0.802 × the cut-off.

    NaN gaps (missing markers) are handled per column:

    * interior gaps up to ``max_gap_s`` long are filled by linear interpolation before
      filtering, and stay filled (filtered) in the output;
    * leading and trailing NaN, and interior gaps longer than ``max_gap_s``, stay NaN; the
      finite runs between them are filtered separately (each with its own edge padding);
    * a finite run too short to filter (fewer samples than ``sosfiltfilt``'s padding needs,
      10 for order 4) becomes NaN rather than being returned unfiltered.

    Parameters
    ----------
    values : (n, ...) samples, any trailing shape
    rate_hz : sampling rate [Hz]
    cutoff_hz : -3 dB frequency of the zero-lag filter [Hz] (default 6 Hz, Winter 2009 for
        walking kinematics)
    order : order of the zero-lag filter, even (default 4)
    max_gap_s : longest interior NaN gap filled by interpolation [s]

    Returns
    -------
    (n, ...) filtered values, same shape

    Raises
    ------
    InputError
        Cut-off not below Nyquist (after the correction), odd or non-positive order.
    """
    from scipy.signal import butter, sosfiltfilt

    v = np.asarray(values, dtype=np.float64)
    if rate_hz <= 0:
        raise InputError("lowpass", "rate_hz", "a positive sampling rate [Hz]", str(rate_hz))
    if order < 2 or order % 2:
        raise InputError("lowpass", "order", "an even order >= 2 (zero-lag filter)", str(order))
    if not 0 < cutoff_hz:
        raise InputError("lowpass", "cutoff_hz", "a positive cut-off [Hz]", str(cutoff_hz))
    design = (
        butterworth_design_cutoff_hz(cutoff_hz, rate_hz, order)
        if cutoff_hz < rate_hz / 2
        else np.inf
    )
    if not design < rate_hz / 2:
        raise InputError(
            "lowpass",
            "cutoff_hz",
            f"a cut-off well below the Nyquist frequency {rate_hz / 2:g} Hz",
            f"{cutoff_hz:g} Hz",
        )
    if v.shape[0] == 0:
        return v.copy()
    sos = butter(order // 2, design, btype="low", fs=rate_hz, output="sos")
    pad = 3 * (2 * len(sos) + 1)  # sosfiltfilt's default padlen
    flat = v.reshape(v.shape[0], -1)
    out = np.full_like(flat, np.nan)

    finite = np.isfinite(flat)
    complete = finite.all(axis=0)
    if complete.any() and flat.shape[0] > pad:
        out[:, complete] = sosfiltfilt(sos, flat[:, complete], axis=0)
    elif complete.any():
        pass  # too short: stays NaN
    max_gap = int(np.floor(max_gap_s * rate_hz + 1e-9))
    n = flat.shape[0]
    idx = np.arange(n)
    for col in np.flatnonzero(~complete):
        x = flat[:, col].copy()
        ok = finite[:, col]
        if not ok.any():
            continue
        first, last = np.flatnonzero(ok)[[0, -1]]
        # fill interior gaps up to max_gap samples
        missing = np.flatnonzero(~ok[first : last + 1]) + first
        fill = np.zeros(n, dtype=bool)
        if missing.size:
            breaks = np.flatnonzero(np.diff(missing) > 1)
            for run in np.split(missing, breaks + 1):
                if run.size <= max_gap:
                    fill[run] = True
        x[fill] = np.interp(idx[fill], idx[ok], x[ok])
        usable = ok | fill
        edges = np.diff(np.r_[0, usable.astype(np.int8), 0])
        for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
            if b - a > pad:
                out[a:b, col] = sosfiltfilt(sos, x[a:b])
    return out.reshape(v.shape)
