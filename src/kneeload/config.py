"""Compiler flags, physical constants and numerical thresholds, in one place.

Numba flags follow stumpy's ``config.py``: ``fastmath`` without ``nnan``/``ninf``
(gait data carry NaN gaps) and without ``reassoc`` (keeps reductions reproducible).
"""

from __future__ import annotations

import os
from typing import Literal

#: OpenMP worker threads sleep while they wait instead of spinning (GNU libgomp reads this when
#: numba first loads its OpenMP threading layer, after this module). On a loaded 2-core machine
#: spinning workers made a one-cycle kernel call take ~10 ms instead of ~0.02 ms, with large
#: batches unchanged (benchmarks/results/results.md, issue 7). A value the user set is kept.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

#: fastmath flags for every ``@njit`` kernel.
FASTMATH_FLAGS: set[str] = {
    "nsz",
    "arcp",
    "contract",
    "afn",
}  # numba accepts a set, not a frozenset
#: fastmath of the kernels that reproduce a NumPy function to the bit (np.gradient, np.interp,
#: pairwise sums, np.trapezoid): none, since "contract" would fuse multiply-adds and change bits.
NUMPY_EXACT_FASTMATH: bool = False
#: error model of the serial batch kernels that :func:`kneeload._threads.over_cases` runs: a
#: float division by zero gives inf/NaN as in NumPy (and as in the ``parallel=True`` loops they
#: replaced) instead of raising ZeroDivisionError from inside a kernel.
BATCH_ERROR_MODEL: Literal["numpy"] = "numpy"
#: cache compiled kernels on disk (``cache=True``), so a warm start does not recompile.
NUMBA_CACHE: bool = True

#: standard gravity [m/s^2] (CGPM 1901). Winter (2009) used 9.8; tests that reproduce him say so.
STANDARD_GRAVITY_M_S2: float = 9.80665

#: vertical force above which a foot is in contact [N] (common force-plate practice; DESIGN §4.2).
GRF_CONTACT_THRESHOLD_N: float = 20.0
#: low-pass cut-off for kinematics and forces in walking [Hz] (Winter 2009, §3.4).
DEFAULT_CUTOFF_HZ: float = 6.0
#: order of the zero-lag Butterworth low-pass (applied forward and backward).
BUTTERWORTH_ORDER: int = 4
#: points per time-normalised gait cycle (0, 1, ..., 100 %).
CYCLE_POINTS: int = 101
