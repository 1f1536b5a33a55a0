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


# --- static optimisation: SciPy per frame ----------------------------------------------------


def _reduced_rows(
    matrix: NDArray[np.float64], target: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """An independent set of equality rows (SVD, singular values > 1e-10 of the largest)."""
    u, s, _ = np.linalg.svd(matrix, full_matrices=False)
    basis = u[:, s > 1e-10 * s[0]] if s.size and s[0] > 0 else u[:, :0]
    return basis.T @ matrix, basis.T @ target


def static_optimisation_frame_reference(
    matrix: NDArray[np.float64], moment_nm: NDArray[np.float64], exponent: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """One frame with SciPy alone: activations (M,) and reserves (J,) [N·m].

    ``matrix`` (J, M) is the muscle moment per unit activation, G = (r · F_max)ᵀ [N·m].
    Phase 1, capacity: the reserve is the residual of ``lsq_linear`` (BVLS, Stark & Parker 1995)
    of min ‖G a − M‖ over 0 ≤ a ≤ 1 when it exceeds 1e-10 of ‖M‖ + Σ‖Gᵢ‖, else 0 (the kernel's
    rule, ``kneeload.muscles.static_optimisation``). Phase 2, sharing: min Σ aᵖ subject to
    G a = M − reserve, 0 ≤ a ≤ 1 with ``scipy.optimize.minimize`` (SLSQP, Kraft 1988), started
    from the phase-1 point, in variables scaled to about 1, restarted from its last point when it
    stops on a line-search failure (status 8) or its iteration limit (status 9).
    """
    from scipy.optimize import lsq_linear, minimize

    n_muscles = matrix.shape[1]
    fit = lsq_linear(matrix, moment_nm, bounds=(0.0, 1.0), method="bvls", tol=1e-15)
    residual = moment_nm - matrix @ fit.x
    scale = np.linalg.norm(moment_nm) + np.linalg.norm(matrix, axis=0).sum()
    reserve = residual if np.linalg.norm(residual) > 1e-10 * scale else np.zeros_like(residual)
    reduced, target = _reduced_rows(matrix, moment_nm - reserve)
    if reduced.shape[0] == n_muscles:  # square: one feasible point
        return np.clip(np.linalg.solve(reduced, target), 0.0, 1.0), reserve
    if reduced.shape[0] == 0:
        return np.zeros(n_muscles), reserve
    size = max(np.abs(fit.x).max(), 1e-6)
    rows = np.abs(reduced).max(axis=1, keepdims=True) * size
    scaled, scaled_target = reduced * size / rows, target / rows[:, 0]
    z = fit.x / size
    for _ in range(4):
        result = minimize(
            lambda z: np.sum(np.clip(z, 0.0, None) ** exponent),
            z,
            jac=lambda z: exponent * np.clip(z, 0.0, None) ** (exponent - 1.0),
            constraints=[
                {"type": "eq", "fun": lambda z: scaled @ z - scaled_target, "jac": lambda z: scaled}
            ],
            bounds=[(0.0, 1.0 / size)] * n_muscles,
            method="SLSQP",
            options={"ftol": 1e-14, "maxiter": 500},
        )
        moved = np.abs(result.x - z).max()
        z = np.clip(result.x, 0.0, 1.0 / size)
        if result.success or moved * size < 1e-12:
            break
    return z * size, reserve


def static_optimisation_reference(
    moment_arm_m: NDArray[np.float64],
    max_force_n: NDArray[np.float64],
    joint_moment_nm: NDArray[np.float64],
    exponent: float = 2.0,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Activations (C, F, M) and reserves (C, F, J) [N·m] frame by frame with SciPy.

    Shapes as :func:`kneeload.muscles.static_optimisation.static_optimisation` (forces
    broadcastable to (C, F, M)); see :func:`static_optimisation_frame_reference`.
    """
    n_cases, n_frames, n_muscles, n_joints = moment_arm_m.shape
    force = np.broadcast_to(max_force_n, (n_cases, n_frames, n_muscles))
    activation = np.empty((n_cases, n_frames, n_muscles))
    reserve = np.empty((n_cases, n_frames, n_joints))
    for c, f in np.ndindex(n_cases, n_frames):
        matrix = (moment_arm_m[c, f] * force[c, f, :, None]).T
        activation[c, f], reserve[c, f] = static_optimisation_frame_reference(
            matrix, joint_moment_nm[c, f], exponent
        )
    return activation, reserve


def kkt_residual(
    matrix: NDArray[np.float64],
    activation: NDArray[np.float64],
    exponent: float,
    on_bound: float = 1e-12,
) -> float:
    """Stationarity residual of min Σ aᵖ s.t. G a = t, 0 ≤ a ≤ 1 at ``activation``, relative.

    The smallest ‖∇f(a) − Gᵀλ − ν‖ / max(1, ‖∇f(a)‖) over multipliers of the right sign (λ
    free; ν ≥ 0 on muscles at 0, ≤ 0 at 1, none on free muscles), by ``lsq_linear``; zero at a
    KKT point (Nocedal & Wright 2006, Thm 12.1).
    """
    from scipy.optimize import lsq_linear

    n_joints, n_muscles = matrix.shape
    grad = exponent * np.clip(activation, 0.0, None) ** (exponent - 1.0)
    lower = activation <= on_bound
    upper = activation >= 1.0 - on_bound
    bound = np.flatnonzero(lower | upper)
    columns = np.hstack([matrix.T, np.eye(n_muscles)[:, bound]])
    lb = np.concatenate([np.full(n_joints, -np.inf), np.where(lower[bound], 0.0, -np.inf)])
    ub = np.concatenate([np.full(n_joints, np.inf), np.where(lower[bound], np.inf, 0.0)])
    fit = lsq_linear(columns, grad, bounds=(lb, ub), method="bvls", tol=1e-15)
    return float(np.linalg.norm(columns @ fit.x - grad) / max(1.0, np.linalg.norm(grad)))


# --- contact: plain NumPy --------------------------------------------------------------------


def _piecewise_linear(
    x: NDArray[np.float64], xs: list[float], ys: list[float]
) -> NDArray[np.float64]:
    """Linear interpolation in a table, end values held (written out, not ``np.interp``)."""
    xp, yp = np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)
    xc = np.clip(x, xp[0], xp[-1])
    i = np.clip(np.searchsorted(xp, xc, side="right") - 1, 0, xp.size - 2)
    w = (xc - xp[i]) / (xp[i + 1] - xp[i])
    return yp[i] + w * (yp[i + 1] - yp[i])


def _horner(coefficients: list[float], x: NDArray[np.float64]) -> NDArray[np.float64]:
    out = np.zeros_like(x)
    for c in coefficients:
        out = out * x + c
    return out


def tibiofemoral_reference(
    knee_flexion_deg: NDArray[np.float64],
    muscle_force_n: dict[str, NDArray[np.float64]],
    knee_force_axial_n: NDArray[np.float64],
    knee_force_shear_n: NDArray[np.float64],
    knee_adduction_moment_nm: NDArray[np.float64],
) -> dict[str, NDArray[np.float64]]:
    """Tibiofemoral compressive, shear, medial and lateral force [N], plain NumPy.

    Constants from ``models/contact/`` (lines of action: van Eijden et al. 1985, Delp 1990;
    intercondylar distance d). Compression = axial + Σ F cos φ, shear = shear − Σ F sin φ
    (Winter 2009, §5.1.5); medial = max(C/2 + KAM/d, 0), lateral = max(C/2 − KAM/d, 0)
    (Schipplein & Andriacchi 1991).
    """
    from kneeload.data import load_parameter_set

    lines = load_parameter_set("contact", "lines_of_action")
    distance = load_parameter_set("contact", "tibiofemoral")["geometry"][
        "Intercondylar distance [m]"
    ]
    compressive = np.array(knee_force_axial_n, dtype=np.float64, copy=True)
    shear = np.array(knee_force_shear_n, dtype=np.float64, copy=True)
    for muscle, table_name in lines["muscles"].items():
        if muscle in muscle_force_n:
            table = lines[table_name]
            phi = np.deg2rad(
                _piecewise_linear(
                    knee_flexion_deg, table["Knee flexion [deg]"], table["Angle [deg]"]
                )
            )
            compressive += muscle_force_n[muscle] * np.cos(phi)
            shear -= muscle_force_n[muscle] * np.sin(phi)
    lever = knee_adduction_moment_nm / distance
    return {
        "compressive_n": compressive,
        "shear_n": shear,
        "medial_n": np.maximum(0.5 * compressive + lever, 0.0),
        "lateral_n": np.maximum(0.5 * compressive - lever, 0.0),
    }


def patellofemoral_reference(
    knee_flexion_deg: NDArray[np.float64], quadriceps_force_n: NDArray[np.float64]
) -> dict[str, NDArray[np.float64]]:
    """Patellofemoral force [N] and stress [MPa], Besier et al. (2005) male area, plain NumPy.

    F_PF = k(θ) F_quad with k the van Eijden (1986) ratio (θ clamped to 0–90°, Horner's rule);
    stress = F_PF / A(θ), A linear in the Besier (2005) table, end values held.
    """
    from kneeload.data import load_parameter_set

    pf = load_parameter_set("contact", "patellofemoral")
    area = load_parameter_set("contact/contact_area", "Besier2005_male")["area"]
    ratio = pf["pf_force_ratio"]
    lo, hi = pf["validity"]["Knee flexion range [deg]"]
    theta = np.clip(knee_flexion_deg, lo, hi)
    k = _horner(ratio["Numerator coefficients, highest power first [1/deg^n]"], theta) / _horner(
        ratio["Denominator coefficients, highest power first [1/deg^n]"], theta
    )
    force = k * quadriceps_force_n
    area_m2 = 1e-6 * _piecewise_linear(
        knee_flexion_deg, area["Knee flexion [deg]"], area["Contact area [mm2]"]
    )
    return {"force_n": force, "stress_mpa": 1e-6 * force / area_m2}
