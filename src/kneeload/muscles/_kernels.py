"""Numba kernels of static optimisation. Private: contiguous float64 arrays in and out, no checks.

Per frame, with the J × M matrix ``G[j, i] = F_max,i · r_ij`` (stored transposed, ``gt[i, j]``)
and the net joint moments ``b`` (J):

1. **Capacity** (phase 1): bounded least squares ``min ‖G a − b‖²`` over ``0 ≤ a ≤ 1`` by BVLS
   (Stark & Parker 1995; Lawson & Hanson 1974, ch. 23). Its fitted moments ``G a₁`` are unique.
   If ``‖b − G a₁‖ ≤ FEAS_TOL · (‖b‖ + Σᵢ ‖Gᵢ‖)`` the muscles can carry the moments and the
   reserve is exactly zero; otherwise the reserve is the residual ``n = b − G a₁``, and muscles
   with ``±nᵀGᵢ > 0`` are locked at 1 or 0 (G a₁ is the projection of b onto the capacity set, so
   every best fit has them there); this removes the degenerate part of the phase-2 constraints.
2. **Sharing** (phase 2): ``min Σ aᵢᵖ`` subject to ``G a = t`` (``t = G a₁ = b − reserve``) and
   ``0 ≤ a ≤ 1``; unique because the objective is strictly convex for p > 1.

   - p = 2: primal active-set QP (Nocedal & Wright 2006, Alg. 16.3), started from the phase-1
     point, Bland's smallest-index rule for leaving bounds. Each equality-constrained subproblem
     is solved in the range space with a rank-revealing Gram–Schmidt (twice) factorisation of the
     free columns, so dependent joint rows (rank G < J) are handled.
   - p ≠ 2: Newton–SQP with a feasible line search (scaled gradient projection, Bertsekas 1999,
     §2.3): each iterate solves the same bound-and-equality QP with the diagonal Hessian
     ``p(p−1)aᵖ⁻²`` (safeguarded to [CURV_MIN, CURV_MAX] times its value at the largest
     activation, so scale-invariant) and gradient ``p aᵖ⁻¹``, warm-started from the previous
     working set, then an Armijo step along the feasible segment. Supported for p ≥ 1.5 (the
     wrapper checks); below, the unbounded curvature at a → 0 stalls it.
   - t = 0: a = 0 exactly (Newton would only approach it geometrically for p > 2).

Warm start (frame to frame within a case): the previous frame's working set (and, for p ≠ 2, the
quadratic model at its solution) is tried first; if that subproblem is primal feasible (so the
frame is within capacity) the active-set iteration starts there and phase 1 is skipped. The
optimum does not depend on the start (it is unique).

Array layout: cases × frames × muscles × joints; threads over cases only. The helpers are
``register_jitable``: compiled into the one batch kernel rather than each into a cached executable
of its own, which halves the cold-cache compile (39 s → 19 s CPU with the serial batch kernel).
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numba.extending import register_jitable

from kneeload.config import BATCH_ERROR_MODEL, FASTMATH_FLAGS, NUMBA_CACHE

#: working-set state of a muscle: activation free, at its lower bound 0, at its upper bound 1
FREE, LOWER, UPPER = 0, 1, 2

#: a row or column is dependent when its part orthogonal to the others is below this fraction
RANK_TOL = 1e-9
#: relative bounded-least-squares residual below which the muscles carry the moments (reserve 0)
FEAS_TOL = 1e-10
#: BVLS: a bounded variable enters when cos(column, residual) exceeds this (wrong-side gradient)
ANGLE_TOL = 1e-12
#: slack on the bounds 0 ≤ a ≤ 1 accepted from a warm-started subproblem (activation units)
BOUND_TOL = 1e-12
#: an active-set step shorter than this (activation units) is a zero step
STEP_TOL = 1e-11
#: bound multipliers above −MULT_TOL · max |∇f| count as non-negative
MULT_TOL = 1e-10
#: beyond capacity, a muscle whose column has a component along the reserve n beyond
#: ±(LOCK_TOL ‖n‖ + LOCK_ROUNDING · FEAS_TOL · scale) (the second term: rounding of n) is locked
LOCK_TOL = 1e-9
LOCK_ROUNDING = 1e-3
#: Newton–SQP (p ≠ 2): stop when the QP step is below this fraction of the largest activation,
#: after at most OUTER_MAX iterations
OUTER_TOL = 1e-12
OUTER_MAX = 500
#: ... or, when the line search finds no decrease, converged if the predicted decrease −∇fᵀd is
#: below this fraction of Σ aᵖ (the decrease is then lost in the rounding of Σ aᵖ)
DECREASE_TOL = 1e-10
#: safeguards of the Newton curvature p(p−1)aᵖ⁻², relative to its value at the largest activation
CURV_MIN = 1e-6
CURV_MAX = 1e6
#: that reference falls back to p(p−1) outside [CURV_FLOOR, 1 / CURV_FLOOR] (tiny activations)
CURV_FLOOR = 1e-200
#: Armijo sufficient-decrease constant (Nocedal & Wright 2006, §3.1); halving stops when the
#: step would move the activations less than the OUTER_TOL criterion
ARMIJO_C = 1e-4


@register_jitable(fastmath=FASTMATH_FLAGS)
def _row_basis(
    b_mat: np.ndarray,
    w_mat: np.ndarray,
    q_mat: np.ndarray,
    r_mat: np.ndarray,
    norm0: np.ndarray,
    pivot: np.ndarray,
    used: np.ndarray,
) -> int:
    """Rank-revealing Gram–Schmidt (twice) of the rows of ``b_mat`` (J × M); returns the rank.

    Pivot ``k`` is row ``pivot[k]``; ``q_mat[:rank]`` is an orthonormal basis of the row space and
    ``b_mat[pivot[m]] = Σ_{k≤m} r_mat[k, pivot[m]] q_mat[k]`` (Björck 1996, §2.4). A row whose
    part orthogonal to the basis is below RANK_TOL of its norm is dependent.
    """
    n_rows, n_cols = b_mat.shape
    for j in range(n_rows):
        s = 0.0
        for i in range(n_cols):
            w_mat[j, i] = b_mat[j, i]
            s += b_mat[j, i] * b_mat[j, i]
        norm0[j] = np.sqrt(s)
        used[j] = 0
        for k in range(n_rows):
            r_mat[k, j] = 0.0
    rank = 0
    for k in range(n_rows):
        best = -1
        best_rel = RANK_TOL
        for j in range(n_rows):
            if used[j] == 1 or norm0[j] == 0.0:
                continue
            s = 0.0
            for i in range(n_cols):
                s += w_mat[j, i] * w_mat[j, i]
            rel = np.sqrt(s) / norm0[j]
            if rel > best_rel:
                best_rel = rel
                best = j
        if best < 0:
            break
        used[best] = 1
        pivot[k] = best
        for kk in range(k):  # second orthogonalisation against the earlier basis rows
            s = 0.0
            for i in range(n_cols):
                s += q_mat[kk, i] * w_mat[best, i]
            for i in range(n_cols):
                w_mat[best, i] -= s * q_mat[kk, i]
            r_mat[kk, best] += s
        s = 0.0
        for i in range(n_cols):
            s += w_mat[best, i] * w_mat[best, i]
        nrm = np.sqrt(s)
        r_mat[k, best] = nrm
        for i in range(n_cols):
            q_mat[k, i] = w_mat[best, i] / nrm
        for j in range(n_rows):
            if used[j] == 1:
                continue
            s = 0.0
            for i in range(n_cols):
                s += q_mat[k, i] * w_mat[j, i]
            for i in range(n_cols):
                w_mat[j, i] -= s * q_mat[k, i]
            r_mat[k, j] += s
        rank += 1
    return rank


@register_jitable(fastmath=FASTMATH_FLAGS)
def _eqp(
    gt: np.ndarray,
    target: np.ndarray,
    curv: np.ndarray,
    lin: np.ndarray,
    state: np.ndarray,
    y: np.ndarray,
    lam: np.ndarray,
    wjm: np.ndarray,
    wjj: np.ndarray,
    wj: np.ndarray,
    wm: np.ndarray,
    iwj: np.ndarray,
) -> int:
    """Equality-constrained subproblem of the working set ``state``; returns rank(G_free).

    ``min Σ ½ curvᵢ yᵢ² + linᵢ yᵢ`` s.t. ``G y = target``, bounded muscles fixed at their bound.
    Range-space solution in z = curv^½ y: z = −c̃ + Σ_k v_k q_k with the free columns of
    ``G curv^−½`` factorised by :func:`_row_basis` (Nocedal & Wright 2006, §16.2). Writes ``y``
    and the equality multipliers ``lam`` (zero on dependent rows), so ``curv y + lin − Gᵀ lam`` is
    zero on free muscles and is the bound multiplier on the others.
    """
    n_muscles, n_joints = gt.shape
    b_mat = wjm[0]
    q_mat = wjm[2]
    rhs = wj[1]
    u = wj[2]
    v = wj[3]
    scale = wm[0]
    c_tilde = wm[1]
    pivot = iwj[0]
    for j in range(n_joints):
        rhs[j] = target[j]
    for i in range(n_muscles):
        if state[i] == UPPER:
            for j in range(n_joints):
                rhs[j] -= gt[i, j]
        if state[i] == FREE:
            s = 1.0 / np.sqrt(curv[i])
            scale[i] = s
            c_tilde[i] = lin[i] * s
            for j in range(n_joints):
                b_mat[j, i] = gt[i, j] * s
        else:
            scale[i] = 0.0
            c_tilde[i] = 0.0
            for j in range(n_joints):
                b_mat[j, i] = 0.0
    rank = _row_basis(b_mat, wjm[1], q_mat, wjj, wj[0], pivot, iwj[1])
    for m in range(rank):  # coordinates u = Q z fixed by the independent constraints
        j = pivot[m]
        s = rhs[j]
        for k in range(m):
            s -= wjj[k, j] * u[k]
        u[m] = s / wjj[m, j]
    for m in range(rank):
        s = u[m]
        for i in range(n_muscles):
            s += q_mat[m, i] * c_tilde[i]
        v[m] = s
    for i in range(n_muscles):
        if state[i] == FREE:
            z = -c_tilde[i]
            for m in range(rank):
                z += v[m] * q_mat[m, i]
            y[i] = z * scale[i]
        elif state[i] == UPPER:
            y[i] = 1.0
        else:
            y[i] = 0.0
    for j in range(n_joints):
        lam[j] = 0.0
    for m in range(rank - 1, -1, -1):
        s = v[m]
        for mm in range(m + 1, rank):
            s -= wjj[m, pivot[mm]] * lam[pivot[mm]]
        lam[pivot[m]] = s / wjj[m, pivot[m]]
    return rank


@register_jitable(fastmath=FASTMATH_FLAGS)
def _lsq_free(
    gt: np.ndarray,
    state: np.ndarray,
    rhs: np.ndarray,
    z: np.ndarray,
    qc: np.ndarray,
    rc: np.ndarray,
    index: np.ndarray,
) -> bool:
    """Least squares ``min ‖G_free z − rhs‖`` by Gram–Schmidt (twice) QR of the free columns.

    Writes ``z`` on free muscles; returns False when the free columns are dependent (RANK_TOL).
    """
    n_muscles, n_joints = gt.shape
    n = 0
    for i in range(n_muscles):
        if state[i] != FREE:
            continue
        if n == n_joints:
            return False
        s = 0.0
        for j in range(n_joints):
            qc[n, j] = gt[i, j]
            s += gt[i, j] * gt[i, j]
        norm0 = np.sqrt(s)
        for k in range(n):
            rc[k, n] = 0.0
        for _ in range(2):
            for k in range(n):
                s = 0.0
                for j in range(n_joints):
                    s += qc[k, j] * qc[n, j]
                for j in range(n_joints):
                    qc[n, j] -= s * qc[k, j]
                rc[k, n] += s
        s = 0.0
        for j in range(n_joints):
            s += qc[n, j] * qc[n, j]
        nrm = np.sqrt(s)
        if nrm <= RANK_TOL * norm0 or norm0 == 0.0:
            return False
        rc[n, n] = nrm
        for j in range(n_joints):
            qc[n, j] /= nrm
        index[n] = i
        n += 1
    for m in range(n - 1, -1, -1):
        s = 0.0
        for j in range(n_joints):
            s += qc[m, j] * rhs[j]
        for mm in range(m + 1, n):
            s -= rc[m, mm] * z[index[mm]]
        z[index[m]] = s / rc[m, m]
    return True


@register_jitable(fastmath=FASTMATH_FLAGS)
def _bvls(
    gt: np.ndarray,
    b: np.ndarray,
    col_norm: np.ndarray,
    feas_tol: float,
    a: np.ndarray,
    state: np.ndarray,
    res: np.ndarray,
    z: np.ndarray,
    reject: np.ndarray,
    wj: np.ndarray,
    wjj: np.ndarray,
    iwj: np.ndarray,
) -> tuple[int, bool]:
    """Bounded-variable least squares ``min ‖G a − b‖``, ``0 ≤ a ≤ 1`` (Stark & Parker 1995).

    Lawson–Hanson's NNLS (1974, ch. 23) with two bounds, cold-started at a = 0: the most
    wrong-side bounded variable (largest cos(column, residual), above ANGLE_TOL) enters, the free
    least-squares problem is solved, and variables that leave [0, 1] are stepped back to their
    bound. A variable whose entry would not move it inward, or whose column depends on the free
    ones, is skipped until the next step. Stops early once ``‖res‖ ≤ feas_tol``. Writes ``a``,
    ``state`` and ``res = b − G a``; returns (iterations, converged).
    """
    n_muscles, n_joints = gt.shape
    rhs = wj[4]
    for i in range(n_muscles):
        a[i] = 0.0
        state[i] = LOWER
        reject[i] = 0
    for j in range(n_joints):
        res[j] = b[j]
    max_iterations = 10 * (n_muscles + n_joints) + 20
    iterations = 0
    while iterations < max_iterations:
        s = 0.0
        for j in range(n_joints):
            s += res[j] * res[j]
        res_norm = np.sqrt(s)
        if res_norm <= feas_tol:
            return iterations, True
        enter = -1
        best = ANGLE_TOL
        for i in range(n_muscles):
            if state[i] == FREE or reject[i] == 1 or col_norm[i] == 0.0:
                continue
            w = 0.0
            for j in range(n_joints):
                w += gt[i, j] * res[j]
            w = w / col_norm[i] / res_norm
            if state[i] == UPPER:
                w = -w
            if w > best:
                best = w
                enter = i
        if enter < 0:
            return iterations, True
        from_state = state[enter]
        state[enter] = FREE
        first = True
        while iterations < max_iterations:
            iterations += 1
            for j in range(n_joints):
                rhs[j] = b[j]
            for i in range(n_muscles):
                if state[i] == UPPER:
                    for j in range(n_joints):
                        rhs[j] -= gt[i, j]
            independent = _lsq_free(gt, state, rhs, z, wjj, wjj[n_joints:], iwj[0])
            if first:
                inward = z[enter] > a[enter] if from_state == LOWER else z[enter] < a[enter]
                if not (independent and inward):
                    state[enter] = from_state
                    reject[enter] = 1
                    break
                first = False
            elif not independent:
                return iterations, False
            alpha = 1.0
            leave = -1
            for i in range(n_muscles):
                if state[i] != FREE:
                    continue
                if z[i] <= 0.0:
                    step = a[i] / (a[i] - z[i]) if a[i] > z[i] else 0.0
                elif z[i] >= 1.0:
                    step = (1.0 - a[i]) / (z[i] - a[i]) if z[i] > a[i] else 0.0
                else:
                    continue
                if step < alpha or leave < 0:
                    alpha = min(step, alpha)
                    leave = i
            if leave < 0:
                for i in range(n_muscles):
                    if state[i] == FREE:
                        a[i] = z[i]
                for i in range(n_muscles):
                    reject[i] = 0
                break
            for i in range(n_muscles):
                if state[i] == FREE:
                    a[i] += alpha * (z[i] - a[i])
            for i in range(n_muscles):
                if state[i] != FREE:
                    continue
                if z[i] <= 0.0 and (i == leave or a[i] <= BOUND_TOL):
                    state[i] = LOWER
                    a[i] = 0.0
                elif z[i] >= 1.0 and (i == leave or a[i] >= 1.0 - BOUND_TOL):
                    state[i] = UPPER
                    a[i] = 1.0
        for j in range(n_joints):
            s = b[j]
            for i in range(n_muscles):
                s -= gt[i, j] * a[i]
            res[j] = s
    return iterations, False


@register_jitable(fastmath=FASTMATH_FLAGS)
def _free_to_full_rank(
    gt: np.ndarray, state: np.ndarray, locked: np.ndarray, full_rank: int, qc: np.ndarray
) -> None:
    """Free bounded, unlocked muscles (lowest index first, value kept) until rank(G_free) = rank.

    Makes the phase-1 working set linearly independent together with the equality constraints, as
    the primal active-set method requires (Nocedal & Wright 2006, §16.5).
    """
    n_muscles, n_joints = gt.shape
    n = 0
    for sweep in range(2):  # first the free columns, then bounded ones while rank is missing
        for i in range(n_muscles):
            if n >= full_rank and sweep == 1:
                return
            if (state[i] == FREE) != (sweep == 0) or locked[i] == 1:
                continue
            s = 0.0
            for j in range(n_joints):
                qc[n, j] = gt[i, j]
                s += gt[i, j] * gt[i, j]
            norm0 = np.sqrt(s)
            for _ in range(2):
                for k in range(n):
                    s = 0.0
                    for j in range(n_joints):
                        s += qc[k, j] * qc[n, j]
                    for j in range(n_joints):
                        qc[n, j] -= s * qc[k, j]
            s = 0.0
            for j in range(n_joints):
                s += qc[n, j] * qc[n, j]
            nrm = np.sqrt(s)
            if norm0 == 0.0 or nrm <= RANK_TOL * norm0:
                continue
            for j in range(n_joints):
                qc[n, j] /= nrm
            n += 1
            state[i] = FREE
            if n == n_joints:
                return


@register_jitable(fastmath=FASTMATH_FLAGS)
def _active_set_qp(
    gt: np.ndarray,
    target: np.ndarray,
    curv: np.ndarray,
    lin: np.ndarray,
    x: np.ndarray,
    state: np.ndarray,
    locked: np.ndarray,
    y: np.ndarray,
    lam: np.ndarray,
    wjm: np.ndarray,
    wjj: np.ndarray,
    wj: np.ndarray,
    wm: np.ndarray,
    iwj: np.ndarray,
) -> tuple[int, bool]:
    """Primal active-set QP (Nocedal & Wright 2006, Alg. 16.3) from the feasible ``x``, ``state``.

    On entry ``y`` and ``lam`` hold the subproblem (:func:`_eqp`) of this ``state``, ``target``,
    ``curv`` and ``lin``, so the first iteration does not solve it again.

    ``min Σ ½ curvᵢ xᵢ² + linᵢ xᵢ`` s.t. ``G x = target``, ``0 ≤ x ≤ 1``. Blocking bounds are
    added (smallest index on ties); at a zero step the bound with a negative multiplier and the
    smallest index leaves (Bland's rule against cycling); ``locked`` bounds never leave. Overwrites
    ``x`` and ``state`` with the optimum and its working set; returns (iterations, converged).
    """
    n_muscles, n_joints = gt.shape
    max_iterations = 5 * n_muscles + 50
    for iteration in range(max_iterations):
        if iteration > 0:
            _eqp(gt, target, curv, lin, state, y, lam, wjm, wjj, wj, wm, iwj)
        step = 0.0
        for i in range(n_muscles):
            if state[i] == FREE:
                step = max(step, abs(y[i] - x[i]))
        if step <= STEP_TOL:
            mult_tol = 0.0
            for i in range(n_muscles):
                if state[i] == FREE:
                    x[i] = min(max(y[i], 0.0), 1.0)
                mult_tol = max(mult_tol, abs(curv[i] * x[i] + lin[i]))
            mult_tol *= MULT_TOL
            leave = -1
            for i in range(n_muscles):
                if state[i] == FREE or locked[i] == 1:
                    continue
                g = curv[i] * x[i] + lin[i]
                for j in range(n_joints):
                    g -= gt[i, j] * lam[j]
                if (state[i] == LOWER and g < -mult_tol) or (state[i] == UPPER and g > mult_tol):
                    leave = i
                    break
            if leave < 0:
                return iteration + 1, True
            state[leave] = FREE
            continue
        alpha = 1.0
        block = -1
        for i in range(n_muscles):
            if state[i] != FREE:
                continue
            p = y[i] - x[i]
            if y[i] < 0.0 and p < 0.0:
                step_i = x[i] / -p
            elif y[i] > 1.0 and p > 0.0:
                step_i = (1.0 - x[i]) / p
            else:
                continue
            if step_i < alpha:
                alpha = step_i
                block = i
        for i in range(n_muscles):
            if state[i] == FREE:
                x[i] = min(max(x[i] + alpha * (y[i] - x[i]), 0.0), 1.0)
        if block >= 0:
            if y[block] < 0.0:
                x[block] = 0.0
                state[block] = LOWER
            else:
                x[block] = 1.0
                state[block] = UPPER
    return max_iterations, False


@register_jitable(fastmath=FASTMATH_FLAGS)
def _newton_model(
    x: np.ndarray, exponent: float, curv: np.ndarray, lin: np.ndarray, grad: np.ndarray
) -> None:
    """Quadratic model of Σ xᵢᵖ at ``x``: safeguarded curvature, gradient, lin = grad − curv x.

    The curvature p(p−1)xᵢᵖ⁻² is kept within [CURV_MIN, CURV_MAX] times its value at the largest
    activation, so the model (and the iteration) is unchanged when all activations scale.
    """
    base = exponent * (exponent - 1.0)
    largest = 0.0
    for i in range(x.shape[0]):
        largest = max(largest, x[i])
    reference = base * largest ** (exponent - 2.0) if largest > 0.0 else base
    if not (CURV_FLOOR < reference < 1.0 / CURV_FLOOR):  # under- or overflow of tiny activations
        reference = base
    for i in range(x.shape[0]):
        xi = x[i]
        if xi > 0.0:
            h = base * xi ** (exponent - 2.0)
            grad[i] = exponent * xi ** (exponent - 1.0)
        else:
            h = reference * CURV_MAX if exponent < 2.0 else 0.0
            grad[i] = 0.0
        h = min(max(h, reference * CURV_MIN), reference * CURV_MAX)
        curv[i] = h
        lin[i] = grad[i] - h * xi


@register_jitable(fastmath=FASTMATH_FLAGS)
def _objective(x: np.ndarray, exponent: float) -> float:
    """Σ xᵢᵖ over activations in [0, 1]."""
    s = 0.0
    for i in range(x.shape[0]):
        s += x[i] ** exponent
    return s


@register_jitable(fastmath=FASTMATH_FLAGS)
def _newton_sqp(
    gt: np.ndarray,
    target: np.ndarray,
    exponent: float,
    x: np.ndarray,
    state: np.ndarray,
    locked: np.ndarray,
    wqp: np.ndarray,
    lam: np.ndarray,
    wjm: np.ndarray,
    wjj: np.ndarray,
    wj: np.ndarray,
    wm: np.ndarray,
    iwj: np.ndarray,
) -> tuple[int, bool]:
    """``min Σ xᵢᵖ`` (p ≠ 2) s.t. ``G x = target``, ``0 ≤ x ≤ 1`` from the feasible ``x``.

    Newton–SQP with a feasible Armijo line search (scaled gradient projection, Bertsekas 1999,
    §2.3; converges for any safeguarded positive curvature, quadratically where the curvature is
    exact). Returns (QP iterations, converged).
    """
    n_muscles = x.shape[0]
    curv = wqp[0]
    lin = wqp[1]
    grad = wqp[2]
    x_old = wqp[3]
    y = wqp[4]
    iterations = 0
    for _ in range(OUTER_MAX):
        _newton_model(x, exponent, curv, lin, grad)
        for i in range(n_muscles):
            x_old[i] = x[i]
        _eqp(gt, target, curv, lin, state, y, lam, wjm, wjj, wj, wm, iwj)
        its, ok = _active_set_qp(
            gt, target, curv, lin, x, state, locked, y, lam, wjm, wjj, wj, wm, iwj
        )
        iterations += its
        if not ok:
            return iterations, False
        step = 0.0
        slope = 0.0
        for i in range(n_muscles):
            step = max(step, abs(x[i] - x_old[i]))
            slope += grad[i] * (x[i] - x_old[i])
        largest = 0.0
        for i in range(n_muscles):
            largest = max(largest, x[i], x_old[i])
        tol = OUTER_TOL * largest
        if step <= tol or slope >= 0.0:
            return iterations, True
        f_old = _objective(x_old, exponent)
        alpha = 1.0
        while alpha * step > tol:
            for i in range(n_muscles):
                y[i] = x_old[i] + alpha * (x[i] - x_old[i])
            if _objective(y, exponent) <= f_old + ARMIJO_C * alpha * slope:
                break
            alpha *= 0.5
        if alpha * step <= tol:  # no decrease visible in floating point: keep the QP point
            return iterations, -slope <= DECREASE_TOL * f_old
        if alpha < 1.0:
            for i in range(n_muscles):
                x[i] = y[i]
                bound = 1.0 if state[i] == UPPER else 0.0
                if state[i] != FREE and x[i] != bound:
                    state[i] = FREE
    return iterations, False


@register_jitable(fastmath=FASTMATH_FLAGS)
def _unlocked_rank(
    gt: np.ndarray,
    locked: np.ndarray,
    wjm: np.ndarray,
    wjj: np.ndarray,
    wj: np.ndarray,
    iwj: np.ndarray,
) -> int:
    """Numerical rank (RANK_TOL) of the columns of G that are not locked at a bound."""
    n_muscles, n_joints = gt.shape
    b_mat = wjm[0]
    for j in range(n_joints):
        for i in range(n_muscles):
            b_mat[j, i] = 0.0 if locked[i] == 1 else gt[i, j]
    return _row_basis(b_mat, wjm[1], wjm[2], wjj, wj[0], iwj[0], iwj[1])


@register_jitable(fastmath=FASTMATH_FLAGS)
def _solve_frame(
    gt: np.ndarray,
    b: np.ndarray,
    exponent: float,
    warm: bool,
    x: np.ndarray,
    state: np.ndarray,
    locked: np.ndarray,
    reserve: np.ndarray,
    target: np.ndarray,
    col_norm: np.ndarray,
    reject: np.ndarray,
    wqp: np.ndarray,
    lam: np.ndarray,
    wjm: np.ndarray,
    wjj: np.ndarray,
    wj: np.ndarray,
    wm: np.ndarray,
    iwj: np.ndarray,
) -> tuple[int, bool, bool]:
    """One frame: capacity (BVLS) unless the warm start is feasible, then the sharing problem.

    On entry ``x``, ``state`` hold the previous frame's solution and working set when ``warm``.
    Beyond capacity, muscles whose column has a positive (negative) component along the reserve
    ``n = b − t`` are locked at 1 (0): ``t`` maximises ``nᵀ G a`` over the box (projection onto a
    convex set), so every a with ``G a = t`` has them there; the rest is a regular problem.
    Writes the activations ``x``, their working set, ``reserve``; returns (iterations, saturated,
    converged).
    """
    n_muscles, n_joints = gt.shape
    scale = 0.0
    for i in range(n_muscles):
        s = 0.0
        for j in range(n_joints):
            s += gt[i, j] * gt[i, j]
        col_norm[i] = np.sqrt(s)
        scale += col_norm[i]
    s = 0.0
    for j in range(n_joints):
        s += b[j] * b[j]
    feas_tol = FEAS_TOL * (scale + np.sqrt(s))
    for i in range(n_muscles):
        locked[i] = 0
    full_rank = _unlocked_rank(gt, locked, wjm, wjj, wj, iwj)
    curv = wqp[0]
    lin = wqp[1]
    y = wqp[4]
    if exponent == 2.0 or not warm:
        for i in range(n_muscles):
            curv[i] = 2.0
            lin[i] = 0.0
    else:
        _newton_model(x, exponent, curv, lin, wqp[2])
    iterations = 0
    feasible_start = False
    if warm:
        iterations += 1
        rank = _eqp(gt, b, curv, lin, state, y, lam, wjm, wjj, wj, wm, iwj)
        feasible_start = rank == full_rank
        for i in range(n_muscles):
            if y[i] < -BOUND_TOL or y[i] > 1.0 + BOUND_TOL:
                feasible_start = False
        s = 0.0
        for j in range(n_joints):
            r = b[j]
            for i in range(n_muscles):
                r -= gt[i, j] * y[i]
            s += r * r
        if feasible_start and np.sqrt(s) <= feas_tol:
            for i in range(n_muscles):
                x[i] = min(max(y[i], 0.0), 1.0)
            for j in range(n_joints):
                target[j] = b[j]
                reserve[j] = 0.0
        else:
            feasible_start = False
    saturated = False
    converged = True
    if not feasible_start:
        its, converged = _bvls(
            gt, b, col_norm, feas_tol, x, state, reserve, y, reject, wj, wjj, iwj
        )
        iterations += its
        s = 0.0
        for j in range(n_joints):
            s += reserve[j] * reserve[j]
            target[j] = b[j] - reserve[j]
        res_norm = np.sqrt(s)
        saturated = res_norm > feas_tol
        if saturated:
            for i in range(n_muscles):
                s = 0.0
                for j in range(n_joints):
                    s += gt[i, j] * reserve[j]
                if abs(s) > col_norm[i] * (LOCK_TOL * res_norm + LOCK_ROUNDING * feas_tol):
                    locked[i] = 1
                    state[i] = UPPER if s > 0.0 else LOWER
                    x[i] = 1.0 if s > 0.0 else 0.0
            full_rank = _unlocked_rank(gt, locked, wjm, wjj, wj, iwj)
        else:
            for j in range(n_joints):
                reserve[j] = 0.0
        _free_to_full_rank(gt, state, locked, full_rank, wjj)
    zero_target = True
    for j in range(n_joints):
        zero_target = zero_target and target[j] == 0.0
    if zero_target:  # a = 0 is the optimum (Newton would only approach it geometrically)
        for i in range(n_muscles):
            x[i] = 0.0
            state[i] = LOWER
        return iterations, saturated, converged
    if exponent == 2.0:
        if not feasible_start:  # else y, lam hold the warm start's subproblem, the QP's first
            _eqp(gt, target, curv, lin, state, y, lam, wjm, wjj, wj, wm, iwj)
        its, ok = _active_set_qp(
            gt, target, curv, lin, x, state, locked, y, lam, wjm, wjj, wj, wm, iwj
        )
    else:
        its, ok = _newton_sqp(
            gt, target, exponent, x, state, locked, wqp, lam, wjm, wjj, wj, wm, iwj
        )
    iterations += its
    s = 0.0
    for j in range(n_joints):
        r = target[j]
        for i in range(n_muscles):
            r -= gt[i, j] * x[i]
        s += r * r
    converged = converged and ok and np.sqrt(s) <= feas_tol
    return iterations, saturated, converged


@njit(cache=NUMBA_CACHE, fastmath=FASTMATH_FLAGS, nogil=True, error_model=BATCH_ERROR_MODEL)
def _static_optimisation_batch(
    start: int,
    stop: int,
    moment_arm_m: np.ndarray,
    max_force_n: np.ndarray,
    joint_moment_nm: np.ndarray,
    exponent: float,
    activation_out: np.ndarray,
    reserve_out: np.ndarray,
    saturated_out: np.ndarray,
    iterations_out: np.ndarray,
    converged_out: np.ndarray,
) -> None:
    """Static optimisation of cases ``start`` to ``stop − 1`` × frames, warm-started frame to
    frame within a case.

    Shapes: moment_arm_m (C, F, M, J) [m]; max_force_n (C, F, M) [N]; joint_moment_nm (C, F, J)
    [N·m]; exponent p >= 1.5. Writes activation_out (C, F, M) [-], reserve_out (C, F, J) [N·m],
    saturated_out (C, F) bool, iterations_out (C, F) int64, converged_out (C, F) bool. A frame
    with any NaN input gets NaN activations and reserves, iterations 0, not converged, and the
    next frame starts cold. Serial, without the GIL: :func:`kneeload._threads.over_cases` runs
    blocks of cases on threads (each block owns its output rows).
    """
    _, n_frames, n_muscles, n_joints = moment_arm_m.shape
    for c in range(start, stop):
        gt = np.empty((n_muscles, n_joints))
        x = np.zeros(n_muscles)
        state = np.zeros(n_muscles, dtype=np.int64)
        locked = np.zeros(n_muscles, dtype=np.int64)
        reserve = np.empty(n_joints)
        target = np.empty(n_joints)
        col_norm = np.empty(n_muscles)
        reject = np.zeros(n_muscles, dtype=np.int64)
        wqp = np.empty((5, n_muscles))
        lam = np.empty(n_joints)
        wjm = np.empty((3, n_joints, n_muscles))
        wjj = np.empty((2 * n_joints, n_joints))
        wj = np.empty((5, n_joints))
        wm = np.empty((2, n_muscles))
        iwj = np.zeros((2, n_joints), dtype=np.int64)
        for f in range(n_frames):
            gap = False
            for i in range(n_muscles):
                for j in range(n_joints):
                    gt[i, j] = moment_arm_m[c, f, i, j] * max_force_n[c, f, i]
                    gap = gap or np.isnan(gt[i, j])
            for j in range(n_joints):
                gap = gap or np.isnan(joint_moment_nm[c, f, j])
            if gap:
                activation_out[c, f, :] = np.nan
                reserve_out[c, f, :] = np.nan
                saturated_out[c, f] = False
                iterations_out[c, f] = 0
                converged_out[c, f] = False
                continue
            # warm start from the previous frame if it converged (not after a NaN gap)
            warm = f > 0 and converged_out[c, f - 1]
            iterations, saturated, converged = _solve_frame(
                gt,
                joint_moment_nm[c, f],
                exponent,
                warm,
                x,
                state,
                locked,
                reserve,
                target,
                col_norm,
                reject,
                wqp,
                lam,
                wjm,
                wjj,
                wj,
                wm,
                iwj,
            )
            for i in range(n_muscles):  # element loops: a slice copy compiles a shape check
                activation_out[c, f, i] = x[i]
            for j in range(n_joints):
                reserve_out[c, f, j] = reserve[j]
            saturated_out[c, f] = saturated
            iterations_out[c, f] = iterations
            converged_out[c, f] = converged
