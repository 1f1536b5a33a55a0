"""Plain NumPy reference implementations of the numba kernels (stumpy's ``naive.py``).

Written independently of the kernels, vectorised over frames and with 2-D cross products, so that
a disagreement points at one of the two.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def _cross_z(r: NDArray[np.float64], f: NDArray[np.float64]) -> NDArray[np.float64]:
    return r[..., 0] * f[..., 1] - r[..., 1] * f[..., 0]


def planar_chain_reference(
    mass_kg: NDArray[np.float64],
    inertia_kg_m2: NDArray[np.float64],
    com_m: NDArray[np.float64],
    com_acc_m_s2: NDArray[np.float64],
    alpha_rad_s2: NDArray[np.float64],
    joint_m: NDArray[np.float64],
    grf_n: NDArray[np.float64],
    cop_m: NDArray[np.float64],
    free_moment_nm: NDArray[np.float64],
    gravity_m_s2: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Loads on each segment at its proximal joint: force (C, F, S, 2) [N], moment (C, F, S) [N·m].

    Each segment's equilibrium is written about its proximal joint (not its centre of mass, as the
    kernel does): M_p = I α + (C - P) × m(a - g) - (D - P) × F_d - M_d.
    """
    n_seg = mass_kg.shape[1]
    force = np.zeros((*com_m.shape[:2], n_seg, 2))
    moment = np.zeros(com_m.shape[:3])
    f_dist, p_dist, m_dist = grf_n, cop_m, free_moment_nm
    for s in range(n_seg):
        m = mass_kg[:, s, None, None]
        inertial = m * (com_acc_m_s2[:, :, s] - gravity_m_s2[:, None, :])
        force[:, :, s] = inertial - f_dist
        p = joint_m[:, :, s]
        moment[:, :, s] = (
            inertia_kg_m2[:, s, None] * alpha_rad_s2[:, :, s]
            + _cross_z(com_m[:, :, s] - p, inertial)
            - _cross_z(p_dist - p, f_dist)
            - m_dist
        )
        f_dist, p_dist, m_dist = -force[:, :, s], p, -moment[:, :, s]
    return force, moment
