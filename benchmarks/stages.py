"""Each pipeline stage, ours and its plain NumPy/SciPy reference, as timed calls on one input.

A stage is built for a batch of ``n`` gait cycles (101 frames each) and returns a
:class:`Stage`: a callable ``ours`` and, where one exists, ``reference`` (``tests/reference.py``),
both on the same arrays. Batches above :data:`CHUNK_CYCLES` run as successive calls on one chunk
of that size, as a sweep streams chunks: a 10⁶-cycle batch (10⁸ frames) does not fit in memory
in one call for any stage (inverse dynamics needs ≈ 280 B/frame of inputs and outputs, i.e.
28 GB; static optimisation ≈ 500 B/frame, 50 GB).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from benchmarks._timing import FRAMES_PER_CYCLE
from benchmarks.inverse_planar import _random_batch
from benchmarks.static_optimisation import gait_like_batch

#: largest batch held in memory at once [cycles] (1.01 million frames)
CHUNK_CYCLES = 10_000

Call = Callable[[], object]


@dataclass(frozen=True)
class Stage:
    """Timed calls of one stage on one chunk; ``calls`` chunks make the batch."""

    ours: Call
    reference: Call | None
    calls: int


def _chunk(n_cycles: int) -> tuple[int, int]:
    chunk = min(n_cycles, CHUNK_CYCLES)
    return chunk, -(-n_cycles // chunk)


def inverse_dynamics(n_cycles: int) -> Stage:
    """Planar Newton–Euler (foot, shank, thigh) on random chains; reference: NumPy."""
    from kneeload.config import STANDARD_GRAVITY_M_S2
    from kneeload.dynamics.inverse import inverse_dynamics_planar
    from tests.reference import planar_chain_reference

    chunk, calls = _chunk(n_cycles)
    chain, grf, cop = _random_batch(chunk, np.random.default_rng(0))
    free = np.zeros(grf.shape[:2])
    gravity = np.tile([0.0, -STANDARD_GRAVITY_M_S2], (chunk, 1))

    def reference() -> object:
        return planar_chain_reference(
            chain.mass_kg,
            chain.inertia_kg_m2,
            chain.com_m,
            chain.com_acc_m_s2,
            chain.alpha_rad_s2,
            chain.joint_m,
            grf,
            cop,
            free,
            gravity,
        )

    return Stage(lambda: inverse_dynamics_planar(chain, grf, cop), reference, calls)


def static_optimisation(n_cycles: int, reference_max_cycles: int = 100) -> Stage:
    """9 muscles × 3 joints, p = 2, gait-like moments; reference: SciPy SLSQP frame by frame
    (run only up to ``reference_max_cycles``: about 1 ms per frame)."""
    from kneeload.muscles.static_optimisation import static_optimisation as ours
    from tests.reference import static_optimisation_reference

    chunk, calls = _chunk(n_cycles)
    arm, force, moment = gait_like_batch(chunk, np.random.default_rng(0))
    reference = None
    if n_cycles <= reference_max_cycles:
        reference = lambda: static_optimisation_reference(arm, force, moment, 2.0)  # noqa: E731
    return Stage(lambda: ours(arm, force, moment, 2.0), reference, calls)


def contact_inputs(n_cycles: int, rng: np.random.Generator) -> dict[str, object]:
    """Gait-like knee flexion (5–65°) and random muscle and intersegmental forces [N]."""
    phase = np.linspace(0.0, 2.0 * np.pi, FRAMES_PER_CYCLE)
    shift = rng.uniform(0.0, 0.3, (n_cycles, 1))
    flexion = 35.0 - 30.0 * np.cos(phase + shift)
    shape = (n_cycles, FRAMES_PER_CYCLE)
    names = ("vasti", "rect_fem", "hamstrings", "bifemsh", "gastroc")
    return {
        "knee_flexion_deg": flexion,
        "muscle_force_n": {m: rng.uniform(0.0, 2000.0, shape) for m in names},
        "knee_force_axial_n": rng.normal(700.0, 300.0, shape),
        "knee_force_shear_n": rng.normal(0.0, 200.0, shape),
        "knee_adduction_moment_nm": rng.normal(20.0, 15.0, shape),
    }


def contact(n_cycles: int) -> Stage:
    """Tibiofemoral (with medial/lateral split) and patellofemoral contact; reference: NumPy."""
    from kneeload.contact import patellofemoral_contact, tibiofemoral_contact
    from tests.reference import patellofemoral_reference, tibiofemoral_reference

    chunk, calls = _chunk(n_cycles)
    inputs = contact_inputs(chunk, np.random.default_rng(0))
    forces = inputs["muscle_force_n"]
    assert isinstance(forces, dict)
    flexion = inputs["knee_flexion_deg"]
    assert isinstance(flexion, np.ndarray)
    quadriceps = forces["vasti"] + forces["rect_fem"]

    def ours() -> object:
        return tibiofemoral_contact(**inputs), patellofemoral_contact(flexion, quadriceps)  # type: ignore[arg-type]

    def reference() -> object:
        return tibiofemoral_reference(**inputs), patellofemoral_reference(flexion, quadriceps)  # type: ignore[arg-type]

    return Stage(ours, reference, calls)


def walking_specs(n_cycles: int) -> list[object]:
    """Forward walking at 0.8–1.7 m/s, level, a 75 kg 1.75 m man (cycled through 10 speeds)."""
    from kneeload.gait.spec import GaitSpec, Subject

    subject = Subject(75.0, 1.75)
    speeds = np.linspace(0.8, 1.7, 10)
    return [
        GaitSpec("walk", "forward", float(speeds[i % 10]), 0.0, subject) for i in range(n_cycles)
    ]


def generator(n_cycles: int) -> Stage:
    """``generate_cycle_batch`` of walking cycles (templates, resampling, numba stride kernel,
    GaitCycle objects); no plain reference (the generator is its own model, not a kernel of
    a closed-form computation)."""
    from kneeload.gait.generator import generate_cycle_batch

    chunk, calls = _chunk(n_cycles)
    specs = walking_specs(chunk)
    return Stage(lambda: generate_cycle_batch(specs), None, calls)  # type: ignore[arg-type]


STAGES: dict[str, Callable[[int], Stage]] = {
    "inverse dynamics": inverse_dynamics,
    "static optimisation": static_optimisation,
    "contact": contact,
    "gait generator": generator,
}
