"""``np.interp`` as numba kernels, to the bit: NumPy's arithmetic and special cases
(numpy/_core/src/multiarray/compiled_base.c, ``arr_interp``) for increasing sample points.

Compiled without fastmath: contracting ``slope * (x - xp[j]) + fp[j]`` into a fused
multiply-add would change NumPy's rounding.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from kneeload._threads import over_cases
from kneeload.config import BATCH_ERROR_MODEL, NUMBA_CACHE, NUMPY_EXACT_FASTMATH


@njit(cache=NUMBA_CACHE, fastmath=NUMPY_EXACT_FASTMATH)
def interp_at(x: float, xp: np.ndarray, fp: np.ndarray) -> float:
    """``np.interp(x, xp, fp)`` at one point, ``xp`` increasing (ends: fp[0], fp[-1])."""
    n = xp.size
    if n == 1:
        return fp[0]
    if np.isnan(x):
        return x
    if x > xp[n - 1]:
        return fp[n - 1]
    if x < xp[0]:
        return fp[0]
    # the last j with xp[j] <= x: guessed as if xp were evenly spaced (tables and sample
    # times nearly are), else found by bisection
    j = -1
    span = xp[n - 1] - xp[0]
    if span > 0.0:
        j = min(max(int((x - xp[0]) / span * (n - 1)), 0), n - 2)
        if not (xp[j] <= x and x < xp[j + 1]):
            j = -1
    if j < 0:
        low, high = 0, n
        while low < high:
            mid = low + (high - low) // 2
            if x >= xp[mid]:
                low = mid + 1
            else:
                high = mid
        j = low - 1
    if j == n - 1 or xp[j] == x:
        return fp[j]
    slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j])
    value = slope * (x - xp[j]) + fp[j]
    if np.isnan(value):
        value = slope * (x - xp[j + 1]) + fp[j + 1]
        if np.isnan(value) and fp[j] == fp[j + 1]:
            value = fp[j]
    return value


@njit(cache=NUMBA_CACHE, fastmath=NUMPY_EXACT_FASTMATH, nogil=True, error_model=BATCH_ERROR_MODEL)
def _interp_flat(
    start: int, stop: int, x: np.ndarray, xp: np.ndarray, fp: np.ndarray, out: np.ndarray
) -> None:
    """:func:`interp_at` of points ``start`` to ``stop − 1`` (serial, without the GIL:
    :func:`kneeload._threads.over_cases` runs ranges of points on threads)."""
    for i in range(start, stop):
        out[i] = interp_at(x[i], xp, fp)


def interp(x: np.ndarray, xp: np.ndarray, fp: np.ndarray) -> np.ndarray:
    """``np.interp(x, xp, fp)`` of an array of any shape (float64), ``xp`` increasing, in
    parallel over the points."""
    flat = np.ascontiguousarray(x, dtype=np.float64).reshape(-1)
    out = np.empty_like(flat)
    # writable, as every other caller's: read-only arrays would compile interp_at a second time
    over_cases(
        _interp_flat,
        flat.size,
        flat,
        np.require(xp, np.float64, ["C", "W"]),
        np.require(fp, np.float64, ["C", "W"]),
        out,
    )
    return out.reshape(np.shape(x))
