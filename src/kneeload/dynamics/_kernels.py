"""Numba kernels of inverse dynamics. Private: contiguous float64 arrays in, arrays out, no checks.

Planar Newton–Euler from the foot up (Winter 2009, ch. 5; Vaughan, Davis & O'Connor 1992, ch. 5).
For segment ``s`` with mass m, moment of inertia I about its centre of mass C, angular
acceleration α, centre-of-mass acceleration a, a distal load (force F_d at point D, couple M_d)
and the unknown proximal load (force F_p at the proximal joint P, couple M_p):

    F_p = m (a - g) - F_d
    M_p = I α - M_d - (D - C) × F_d - (P - C) × F_p          (z components, counter-clockwise +)

The distal load of the foot is the ground reaction (force at the centre of pressure plus the free
moment); the distal load of every other segment is the reaction of the segment below it.

Array layout: cases × frames × segments, segments ordered distal to proximal (foot, shank, thigh).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from kneeload.config import BATCH_ERROR_MODEL, FASTMATH_FLAGS, NUMBA_CACHE


@njit(cache=NUMBA_CACHE, fastmath=FASTMATH_FLAGS)
def _planar_chain_frame(
    mass_kg: np.ndarray,
    inertia_kg_m2: np.ndarray,
    com_m: np.ndarray,
    com_acc_m_s2: np.ndarray,
    alpha_rad_s2: np.ndarray,
    joint_m: np.ndarray,
    grf_n: np.ndarray,
    cop_m: np.ndarray,
    free_moment_nm: float,
    gravity_m_s2: np.ndarray,
    force_out: np.ndarray,
    moment_out: np.ndarray,
) -> None:
    """One frame of the planar chain; arrays are (segments, ...) views; writes the outputs."""
    fdx = grf_n[0]
    fdy = grf_n[1]
    dx = cop_m[0]
    dy = cop_m[1]
    mdz = free_moment_nm
    for s in range(mass_kg.shape[0]):
        m = mass_kg[s]
        cx = com_m[s, 0]
        cy = com_m[s, 1]
        fpx = m * (com_acc_m_s2[s, 0] - gravity_m_s2[0]) - fdx
        fpy = m * (com_acc_m_s2[s, 1] - gravity_m_s2[1]) - fdy
        px = joint_m[s, 0]
        py = joint_m[s, 1]
        mpz = (
            inertia_kg_m2[s] * alpha_rad_s2[s]
            - mdz
            - ((dx - cx) * fdy - (dy - cy) * fdx)
            - ((px - cx) * fpy - (py - cy) * fpx)
        )
        force_out[s, 0] = fpx
        force_out[s, 1] = fpy
        moment_out[s] = mpz
        # the next segment up carries the reaction of this one at the joint between them
        fdx = -fpx
        fdy = -fpy
        dx = px
        dy = py
        mdz = -mpz


@njit(cache=NUMBA_CACHE, fastmath=FASTMATH_FLAGS, nogil=True, error_model=BATCH_ERROR_MODEL)
def _planar_chain_batch(
    start: int,
    stop: int,
    mass_kg: np.ndarray,
    inertia_kg_m2: np.ndarray,
    com_m: np.ndarray,
    com_acc_m_s2: np.ndarray,
    alpha_rad_s2: np.ndarray,
    joint_m: np.ndarray,
    grf_n: np.ndarray,
    cop_m: np.ndarray,
    free_moment_nm: np.ndarray,
    gravity_m_s2: np.ndarray,
    force_out: np.ndarray,
    moment_out: np.ndarray,
) -> None:
    """Planar inverse dynamics of cases × frames.

    Shapes: mass_kg, inertia_kg_m2 (C, S); com_m, com_acc_m_s2, joint_m (C, F, S, 2);
    alpha_rad_s2 (C, F, S); grf_n, cop_m (C, F, 2); free_moment_nm (C, F); gravity_m_s2 (C, 2);
    force_out (C, F, S, 2) and moment_out (C, F, S): the load on each segment at its proximal
    joint [N, N·m]. Serial over the cases start..stop−1, without the GIL
    (:func:`kneeload._threads.over_cases` runs blocks of cases on threads; each block writes
    only its own output rows).
    """
    n_frames = com_m.shape[1]
    for c in range(start, stop):
        for f in range(n_frames):
            _planar_chain_frame(
                mass_kg[c],
                inertia_kg_m2[c],
                com_m[c, f],
                com_acc_m_s2[c, f],
                alpha_rad_s2[c, f],
                joint_m[c, f],
                grf_n[c, f],
                cop_m[c, f],
                free_moment_nm[c, f],
                gravity_m_s2[c],
                force_out[c, f],
                moment_out[c, f],
            )
