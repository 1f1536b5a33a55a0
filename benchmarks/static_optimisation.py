"""Throughput of static optimisation: ``python -m benchmarks.static_optimisation``.

Prints frames/s and gait cycles/s (101 frames per cycle) of
:func:`kneeload.muscles.static_optimisation.static_optimisation` for M = 9 muscles and J = 3
joints (the gait10dof18musc set of one leg) over batches of 10 to 1 000 cycles (1 010 to 101 000
frames), after one warm-up call (compilation excluded). Inputs are gait-like: each cycle has
smooth random joint-moment curves (a few Fourier harmonics with the amplitudes of Winter's
walking moments) and smooth moment arms around typical sagittal values. OpenSim 4.6 static
optimisation of subject01 runs at about 76 frames/s on the 2-core reference machine; the last
column is our throughput relative to that. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse

import numpy as np

from benchmarks._timing import FRAMES_PER_CYCLE, best_seconds
from kneeload.muscles.static_optimisation import static_optimisation

#: OpenSim 4.6 static optimisation of subject01 on the 2-core reference machine [frames/s]
OPENSIM_FRAMES_PER_S = 76.0

#: typical sagittal moment arms [m] (hip extensor, knee extensor, ankle plantarflexor +) of
#: hamstrings, bifemsh, glut_max, iliopsoas, rect_fem, vasti, gastroc, soleus, tib_ant
#: (orders of magnitude of Delp et al. 1990; benchmark inputs only, not model data)
_MOMENT_ARM_M = np.array(
    [
        [0.065, -0.030, 0.0],
        [0.0, -0.025, 0.0],
        [0.060, 0.0, 0.0],
        [-0.040, 0.0, 0.0],
        [-0.040, 0.045, 0.0],
        [0.0, 0.045, 0.0],
        [0.0, -0.020, 0.050],
        [0.0, 0.0, 0.050],
        [0.0, 0.0, -0.040],
    ]
)
#: maximum isometric forces of gait10dof18musc's right leg [N] (rounded)
_MAX_FORCE_N = np.array([2594.0, 804.0, 1944.0, 2342.0, 1169.0, 5000.0, 2500.0, 5137.0, 3000.0])
#: amplitude of the moment curves [N·m]: hip, knee, ankle (Winter 2009, walking, 70 kg)
_MOMENT_AMPLITUDE_NM = np.array([60.0, 45.0, 90.0])


def gait_like_batch(
    n_cycles: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Smooth random cycles: moment arms (C, 101, 9, 3), forces (9,), moments (C, 101, 3)."""
    phase = np.linspace(0.0, 2.0 * np.pi, FRAMES_PER_CYCLE)
    harmonics = np.arange(1, 5)
    basis = np.concatenate(
        [np.cos(np.outer(phase, harmonics)), np.sin(np.outer(phase, harmonics))], 1
    )
    weights = rng.normal(0.0, 1.0, (n_cycles, basis.shape[1], 3)) / harmonics.repeat(2)[:, None]
    curves = np.einsum("fh,chj->cfj", basis, weights)
    moment = curves / np.abs(curves).max(axis=1, keepdims=True) * _MOMENT_AMPLITUDE_NM
    moment[..., 2] = np.abs(moment[..., 2])  # the ankle moment is mostly plantarflexor
    wobble = np.einsum(
        "fh,chmj->cfmj", basis, rng.normal(0.0, 0.05, (n_cycles, basis.shape[1], 9, 3))
    )
    moment_arm = _MOMENT_ARM_M * (1.0 + wobble)
    return moment_arm, _MAX_FORCE_N, moment


def bench_static_optimisation(n_cycles: int, repeats: int, exponent: float) -> float:
    """Best wall time [s] of ``static_optimisation`` over ``repeats`` runs (inputs prepared)."""
    arm, force, moment = gait_like_batch(n_cycles, np.random.default_rng(0))
    return best_seconds(lambda: static_optimisation(arm, force, moment, exponent), repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-cycles", type=int, default=1_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--exponent", type=float, default=2.0)
    args = parser.parse_args()
    sizes = [n for n in (10, 100, 1_000, 10_000) if n <= args.max_cycles]
    print(
        f"{'static optimisation p=' + format(args.exponent, 'g'):<28}{'frames':>10}"
        f"{'seconds':>12}{'frames/s':>16}{'cycles/s':>14}{'× OpenSim':>12}"
    )
    for n_cycles in sizes:
        seconds = bench_static_optimisation(n_cycles, args.repeats, args.exponent)
        frames = n_cycles * FRAMES_PER_CYCLE
        print(
            f"{'M=9, J=3':<28}{frames:>10}{seconds:>12.5f}{frames / seconds:>16,.0f}"
            f"{n_cycles / seconds:>14,.1f}{frames / seconds / OPENSIM_FRAMES_PER_S:>12,.0f}"
        )


if __name__ == "__main__":
    main()
