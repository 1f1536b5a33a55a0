"""Numba kernels of 3-D inverse dynamics of the chain distal to the knee. Private: no checks.

The bodies below the knee (shank, talus, calcaneus, toes, ...) form a system whose external loads
are gravity, the ground reaction (force F_g at the centre of pressure P plus the free moment
M_free) and the load of the thigh at the knee centre K (force F_K, moment M_K). Newton's and
Euler's equations summed over the system, the internal joint loads cancelling (Winter 2009, ch. 5;
Dumas, Aissaoui & de Guise 2004, Comput Methods Biomech Biomed Engin 7:159, whose wrench
recursion from the ground reaction up gives the same sum), give

    F_K = Σ_b m_b (a_b - g) - F_g
    M_K = Σ_b [ I_b α_b + ω_b × (I_b ω_b) + (c_b - K) × m_b (a_b - g) ] - (P - K) × F_g - M_free

with, for body b, mass m_b, centre of mass c_b and its acceleration a_b, angular velocity ω_b and
acceleration α_b in ground, and inertia about the centre of mass in ground I_b = R_b J_b R_bᵀ
(J_b in body axes, R_b body -> ground). M_K is taken about the knee centre K.

Array layout: cases × frames × bodies; any body order (the sum does not depend on it).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from kneeload.config import BATCH_ERROR_MODEL, FASTMATH_FLAGS, NUMBA_CACHE


@njit(cache=NUMBA_CACHE, fastmath=FASTMATH_FLAGS)
def _distal_chain_frame(
    mass_kg: np.ndarray,
    inertia_kg_m2: np.ndarray,
    com_m: np.ndarray,
    rotation: np.ndarray,
    omega_rad_s: np.ndarray,
    alpha_rad_s2: np.ndarray,
    com_acc_m_s2: np.ndarray,
    grf_n: np.ndarray,
    cop_m: np.ndarray,
    free_moment_nm: np.ndarray,
    knee_m: np.ndarray,
    gravity_m_s2: np.ndarray,
    force_out: np.ndarray,
    moment_out: np.ndarray,
) -> None:
    """One frame: bodies (B, ...) views; writes F_K (3,) [N] and M_K (3,) [N·m] on the chain."""
    rx = cop_m[0] - knee_m[0]
    ry = cop_m[1] - knee_m[1]
    rz = cop_m[2] - knee_m[2]
    gx = grf_n[0]
    gy = grf_n[1]
    gz = grf_n[2]
    fx = -gx
    fy = -gy
    fz = -gz
    mx = -(ry * gz - rz * gy) - free_moment_nm[0]
    my = -(rz * gx - rx * gz) - free_moment_nm[1]
    mz = -(rx * gy - ry * gx) - free_moment_nm[2]
    for b in range(mass_kg.shape[0]):
        m = mass_kg[b]
        px = m * (com_acc_m_s2[b, 0] - gravity_m_s2[0])
        py = m * (com_acc_m_s2[b, 1] - gravity_m_s2[1])
        pz = m * (com_acc_m_s2[b, 2] - gravity_m_s2[2])
        fx += px
        fy += py
        fz += pz
        cx = com_m[b, 0] - knee_m[0]
        cy = com_m[b, 1] - knee_m[1]
        cz = com_m[b, 2] - knee_m[2]
        mx += cy * pz - cz * py
        my += cz * px - cx * pz
        mz += cx * py - cy * px
        # ω and α in body axes (Rᵀ v), then J ω and J α, then back to ground (R v)
        r = rotation[b]
        j = inertia_kg_m2[b]
        ox = omega_rad_s[b, 0]
        oy = omega_rad_s[b, 1]
        oz = omega_rad_s[b, 2]
        ax = alpha_rad_s2[b, 0]
        ay = alpha_rad_s2[b, 1]
        az = alpha_rad_s2[b, 2]
        w0 = r[0, 0] * ox + r[1, 0] * oy + r[2, 0] * oz
        w1 = r[0, 1] * ox + r[1, 1] * oy + r[2, 1] * oz
        w2 = r[0, 2] * ox + r[1, 2] * oy + r[2, 2] * oz
        a0 = r[0, 0] * ax + r[1, 0] * ay + r[2, 0] * az
        a1 = r[0, 1] * ax + r[1, 1] * ay + r[2, 1] * az
        a2 = r[0, 2] * ax + r[1, 2] * ay + r[2, 2] * az
        h0 = j[0, 0] * w0 + j[0, 1] * w1 + j[0, 2] * w2
        h1 = j[1, 0] * w0 + j[1, 1] * w1 + j[1, 2] * w2
        h2 = j[2, 0] * w0 + j[2, 1] * w1 + j[2, 2] * w2
        # Euler's equation in body axes: J α + ω × (J ω)
        e0 = j[0, 0] * a0 + j[0, 1] * a1 + j[0, 2] * a2 + (w1 * h2 - w2 * h1)
        e1 = j[1, 0] * a0 + j[1, 1] * a1 + j[1, 2] * a2 + (w2 * h0 - w0 * h2)
        e2 = j[2, 0] * a0 + j[2, 1] * a1 + j[2, 2] * a2 + (w0 * h1 - w1 * h0)
        mx += r[0, 0] * e0 + r[0, 1] * e1 + r[0, 2] * e2
        my += r[1, 0] * e0 + r[1, 1] * e1 + r[1, 2] * e2
        mz += r[2, 0] * e0 + r[2, 1] * e1 + r[2, 2] * e2
    force_out[0] = fx
    force_out[1] = fy
    force_out[2] = fz
    moment_out[0] = mx
    moment_out[1] = my
    moment_out[2] = mz


@njit(cache=NUMBA_CACHE, fastmath=FASTMATH_FLAGS, nogil=True, error_model=BATCH_ERROR_MODEL)
def _distal_chain_batch(
    start: int,
    stop: int,
    mass_kg: np.ndarray,
    inertia_kg_m2: np.ndarray,
    com_m: np.ndarray,
    rotation: np.ndarray,
    omega_rad_s: np.ndarray,
    alpha_rad_s2: np.ndarray,
    com_acc_m_s2: np.ndarray,
    grf_n: np.ndarray,
    cop_m: np.ndarray,
    free_moment_nm: np.ndarray,
    knee_m: np.ndarray,
    gravity_m_s2: np.ndarray,
    force_out: np.ndarray,
    moment_out: np.ndarray,
) -> None:
    """Knee load on the distal chain for cases × frames.

    Shapes: mass_kg (C, B); inertia_kg_m2 (C, B, 3, 3) in body axes; com_m, omega_rad_s,
    alpha_rad_s2, com_acc_m_s2 (C, F, B, 3); rotation (C, F, B, 3, 3) body -> ground;
    grf_n, cop_m, free_moment_nm, knee_m (C, F, 3); gravity_m_s2 (C, 3); force_out and
    moment_out (C, F, 3): the load of the thigh on the chain at the knee centre [N, N·m].
    Serial over the cases start..stop−1, without the GIL (:func:`kneeload._threads.over_cases`
    runs blocks of cases on threads; each block writes only its own output rows).
    """
    n_frames = com_m.shape[1]
    for c in range(start, stop):
        for f in range(n_frames):
            _distal_chain_frame(
                mass_kg[c],
                inertia_kg_m2[c],
                com_m[c, f],
                rotation[c, f],
                omega_rad_s[c, f],
                alpha_rad_s2[c, f],
                com_acc_m_s2[c, f],
                grf_n[c, f],
                cop_m[c, f],
                free_moment_nm[c, f],
                knee_m[c, f],
                gravity_m_s2[c],
                force_out[c, f],
                moment_out[c, f],
            )
