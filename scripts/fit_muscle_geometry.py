"""Fit polynomial musculotendon lengths of OpenSim's gait10dof18musc and write parameter files.

Run with the OpenSim 4.6 Python package (the ``opensim`` extra; kneeload never imports OpenSim
at run time)::

    python scripts/fit_muscle_geometry.py \
        [--data ../shared/data/opensim_subject01_walk/gait10dof18musc] [--output models/muscles]

It fits two model files of that folder: ``gait10dof18musc_generic.osim`` (written as
``models/muscles/gait10dof18musc.toml``) and ``subject01_scaled.osim``, the model OpenSim's
static optimisation and CMC of subject01 use (``gait10dof18musc_subject01.toml``). For each
right-leg muscle of a model (Delp et al. 1990 geometry):

1. Sweeps the coordinates the muscle crosses over their gait range (hip flexion −30…+70°,
   knee flexion 0…120°, ankle dorsiflexion −40…+30°; a full grid over both crossed angles for
   the biarticular muscles) and records OpenSim's musculotendon length (``GeometryPath.
   getLength``) and moment arms (``GeometryPath.computeMomentArm``).
2. Fits the length as one polynomial in the crossed angles (kneeload's angles, rad, flexion
   and dorsiflexion positive; OpenSim's ``knee_angle_r`` is the negative of knee flexion) by
   least squares on the lengths *and* on OpenSim's moment arms at once, using the identity
   that a moment arm is the derivative of the path length with respect to the joint angle,
   r = −∂L/∂q in OpenSim's sign (An, Takahashi, Harrigan & Chao 1984, J Biomech Eng 106:280;
   Sherman, Seth & Delp 2013, Proc ASME IDETC, "What is a moment arm?"). kneeload's moment
   arm is r = +∂L/∂θ with θ its flexion angle, which makes tension produce a positive
   (hip extensor, knee extensor, ankle plantarflexor) moment.
3. Chooses the total degree by the error on a held-out validation set of random postures and
   reports the error of the chosen fit on a second, independent set of random test postures.
4. Writes the polynomial (exponents, coefficients), the muscle parameters, the errors and a
   ``[check]`` table of OpenSim's own lengths and moment arms at a few gait postures (and of
   OpenSim's De Groote et al. 2016 force–length–velocity curves), which kneeload's tests use
   as an independent reference.
5. Fits how lengths and moment arms change when OpenSim scales the segments (pelvis, thigh,
   shank, foot), and writes a ``[check_scaled]`` table of OpenSim's values for the model
   scaled with subject01's ScaleTool factors.
"""

from __future__ import annotations

import argparse
import itertools
import math
from pathlib import Path

import numpy as np
import opensim as osim

REPOSITORY = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPOSITORY.parent / "shared/data/opensim_subject01_walk/gait10dof18musc"
DEFAULT_OUTPUT = REPOSITORY / "models/muscles"
#: model file -> parameter-set name. subject01_scaled.osim is the generic model scaled to
#: subject01 by OpenSim's ScaleTool, with some paths and fibre/tendon lengths edited afterwards
#: (it is the model OpenSim's static optimisation and CMC of subject01 use).
MODELS = {
    "gait10dof18musc_generic.osim": (
        "gait10dof18musc",
        "OpenSim's generic gait10dof18musc model (unscaled; body mass 75.16 kg).",
    ),
    "subject01_scaled.osim": (
        "gait10dof18musc_subject01",
        "gait10dof18musc scaled to OpenSim's example subject01 (72.6 kg) by the ScaleTool, with "
        "its muscle paths and fibre and tendon lengths as that file has them (some differ from a "
        "pure scaling: glut_max path, vasti, gastroc and glut_max fibre and tendon lengths); "
        "the model of OpenSim's static optimisation and CMC of subject01_walk1.",
    ),
}

MUSCLES = (
    "hamstrings",
    "bifemsh",
    "glut_max",
    "iliopsoas",
    "rect_fem",
    "vasti",
    "gastroc",
    "soleus",
    "tib_ant",
)
JOINTS = ("hip", "knee", "ankle")
#: OpenSim coordinate and its sign relative to kneeload's angle: q_opensim = sign * θ_kneeload
COORDINATES = {
    "hip": ("hip_flexion_r", 1.0),
    "knee": ("knee_angle_r", -1.0),
    "ankle": ("ankle_angle_r", 1.0),
}
#: gait range of kneeload's angles [deg]
RANGES_DEG = {"hip": (-30.0, 70.0), "knee": (0.0, 120.0), "ankle": (-40.0, 30.0)}
#: test postures for the [check] table: hip flexion, knee flexion, ankle dorsiflexion [deg]
CHECK_POSTURES_DEG = (
    (0.0, 0.0, 0.0),
    (25.0, 5.0, 0.0),  # heel strike
    (15.0, 20.0, 5.0),  # loading response
    (-10.0, 10.0, 12.0),  # terminal stance
    (-5.0, 40.0, -15.0),  # pre-swing / toe-off
    (20.0, 60.0, -5.0),  # initial swing
    (30.0, 30.0, 0.0),  # terminal swing
    (60.0, 100.0, 20.0),  # outside walking, inside the fitted range
)
GRID_POINTS = {1: 121, 2: 41}  # per crossed angle, for one and two crossed joints
VALIDATION_POINTS = 400
TEST_POINTS = 1000
MAX_DEGREE = 9
MAX_STEP_DEGREE = 3
SEED = 20261125
#: kneeload's segments and the OpenSim bodies each one scales
SEGMENT_BODIES = {
    "pelvis": ("pelvis",),
    "thigh": ("femur_r",),
    "shank": ("tibia_r",),
    "foot": ("talus_r", "calcn_r", "toes_r"),
}
SCALE_STEP = 0.01
#: segment factors of the [check_scaled] table: OpenSim's ScaleTool factors of subject01
#: (subject01_scaled.osim body geometry: pelvis, femur, tibia, calcn; its talus had 1.11398)
CHECK_SCALE = {"pelvis": 1.02458, "thigh": 1.14724, "shank": 0.988523, "foot": 1.02708}


def exponents(n_variables: int, degree: int) -> list[tuple[int, ...]]:
    """All monomial exponent tuples of total degree <= ``degree``."""
    return [
        e
        for d in range(degree + 1)
        for e in itertools.product(range(d + 1), repeat=n_variables)
        if sum(e) == d
    ]


def monomials(x: np.ndarray, exps: list[tuple[int, ...]]) -> tuple[np.ndarray, np.ndarray]:
    """Values (N, K) and partial derivatives (N, V, K) of the monomials at x (N, V)."""
    e = np.asarray(exps, dtype=float)  # (K, V)
    values = np.prod(x[:, None, :] ** e[None, :, :], axis=2)
    grads = np.empty((x.shape[0], x.shape[1], len(exps)))
    for v in range(x.shape[1]):
        lowered = e.copy()
        lowered[:, v] = np.maximum(e[:, v] - 1.0, 0.0)
        grads[:, v, :] = e[None, :, v] * np.prod(x[:, None, :] ** lowered[None, :, :], axis=2)
    return values, grads


class OpenSimLeg:
    """Lengths and kneeload-signed moment arms of the right-leg muscles from OpenSim."""

    def __init__(self, model_path: Path) -> None:
        self.model = osim.Model(str(model_path))
        # rigid tendons: OpenSim then reports the fibre length kneeload's max_force_n assumes
        for i in range(self.model.getMuscles().getSize()):
            muscle = osim.Millard2012EquilibriumMuscle.safeDownCast(self.model.getMuscles().get(i))
            muscle.set_ignore_tendon_compliance(True)
        self.state = self.model.initSystem()
        coordinate_set = self.model.getCoordinateSet()
        self.coordinates = [coordinate_set.get(COORDINATES[j][0]) for j in JOINTS]
        self.signs = np.array([COORDINATES[j][1] for j in JOINTS])
        muscle_set = self.model.getMuscles()
        self.muscles = {name: muscle_set.get(f"{name}_r") for name in MUSCLES}

    def set_posture(self, angles_rad: np.ndarray) -> None:
        for coordinate, sign, angle in zip(self.coordinates, self.signs, angles_rad, strict=True):
            coordinate.setValue(self.state, float(sign * angle), False)
        self.model.realizePosition(self.state)

    def opensim_moment_arms(self, name: str) -> np.ndarray:
        path = self.muscles[name].getGeometryPath()
        return np.array([path.computeMomentArm(self.state, c) for c in self.coordinates])

    def sample(self, name: str, angles_rad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Length (N,) [m] and kneeload moment arms r = ∂L/∂θ (N, 3) [m] at postures (N, 3)."""
        path = self.muscles[name].getGeometryPath()
        lengths = np.empty(len(angles_rad))
        arms = np.empty((len(angles_rad), 3))
        for i, angles in enumerate(angles_rad):
            self.set_posture(angles)
            lengths[i] = path.getLength(self.state)
            # OpenSim: r = -dL/dq; kneeload: r = dL/dθ = dL/dq * sign = -r_opensim * sign
            arms[i] = -self.opensim_moment_arms(name) * self.signs
        return lengths, arms


def crossed_joints(leg: OpenSimLeg, name: str, rng: np.random.Generator) -> list[int]:
    """Indices of the joints whose moment arm is not identically zero."""
    _, arms = leg.sample(name, random_postures(rng, 50, [0, 1, 2]))
    return [j for j in range(3) if np.max(np.abs(arms[:, j])) > 1e-6]


def random_postures(rng: np.random.Generator, n: int, joints: list[int]) -> np.ndarray:
    """Uniform random postures (n, 3) [rad] over the gait ranges; other angles 0."""
    angles = np.zeros((n, 3))
    for j in joints:
        low, high = np.radians(RANGES_DEG[JOINTS[j]])
        angles[:, j] = rng.uniform(low, high, n)
    return angles


def grid_postures(joints: list[int]) -> np.ndarray:
    """Full grid (n, 3) [rad] over the crossed joints' gait ranges; other angles 0."""
    points = GRID_POINTS[len(joints)]
    axes = [np.radians(np.linspace(*RANGES_DEG[JOINTS[j]], points)) for j in joints]
    mesh = np.meshgrid(*axes, indexing="ij")
    angles = np.zeros((mesh[0].size, 3))
    for axis, j in zip(mesh, joints, strict=True):
        angles[:, j] = axis.ravel()
    return angles


Step = tuple[int, float] | None  # (index among the crossed joints, kneeload angle [rad])


def design(
    x: np.ndarray, degree: int, step: Step, step_degree: int
) -> tuple[list[tuple[int, ...]], list[tuple[int, ...]], np.ndarray, np.ndarray]:
    """Exponents, step exponents, basis values (N, K) and gradients (N, V, K).

    The step terms are monomials multiplied by H = [θ_step > step angle]: they let the length
    and the moment arm jump where a conditional path point switches (none when step is None).
    """
    exps = exponents(x.shape[1], degree)
    values, grads = monomials(x, exps)
    step_exps: list[tuple[int, ...]] = []
    if step is not None:
        step_exps = exponents(x.shape[1], step_degree)
        step_values, step_grads = monomials(x, step_exps)
        heaviside = (x[:, step[0]] > step[1]).astype(float)
        values = np.hstack([values, step_values * heaviside[:, None]])
        grads = np.concatenate([grads, step_grads * heaviside[:, None, None]], axis=2)
    return exps, step_exps, values, grads


def fit(
    x: np.ndarray, lengths: np.ndarray, arms: np.ndarray, degree: int, step: Step, step_degree: int
) -> tuple[list[tuple[int, ...]], list[tuple[int, ...]], np.ndarray]:
    """Least squares on lengths and moment arms (∂L/∂θ) together."""
    exps, step_exps, values, grads = design(x, degree, step, step_degree)
    a = np.vstack([values, *(grads[:, v, :] for v in range(x.shape[1]))])
    b = np.concatenate([lengths, *(arms[:, v] for v in range(x.shape[1]))])
    coefficients, *_ = np.linalg.lstsq(a, b, rcond=None)
    return exps, step_exps, coefficients


def errors(
    x: np.ndarray,
    lengths: np.ndarray,
    arms: np.ndarray,
    degree: int,
    step: Step,
    step_degree: int,
    coefficients: np.ndarray,
) -> dict[str, float]:
    _, _, values, grads = design(x, degree, step, step_degree)
    length_error = values @ coefficients - lengths
    arm_error = grads @ coefficients - arms
    return {
        "length_rms": float(np.sqrt(np.mean(length_error**2))),
        "length_max": float(np.max(np.abs(length_error))),
        "arm_rms": float(np.sqrt(np.mean(arm_error**2))),
        "arm_max": float(np.max(np.abs(arm_error))),
    }


def conditional_step(leg: OpenSimLeg, name: str, joints: list[int]) -> Step:
    """The switching angle of the muscle's conditional path point inside the fitted range."""
    points = leg.muscles[name].getGeometryPath().getPathPointSet()
    steps = []
    for i in range(points.getSize()):
        point = osim.ConditionalPathPoint.safeDownCast(points.get(i))
        if point is None:
            continue
        coordinate = point.getCoordinate().getName()
        joint = next(j for j in JOINTS if COORDINATES[j][0] == coordinate)
        low, high = np.radians(RANGES_DEG[joint])
        for bound in (point.get_range(0), point.get_range(1)):
            angle = bound * COORDINATES[joint][1]
            if low < angle < high:
                steps.append((joints.index(JOINTS.index(joint)), float(angle)))
    if len(steps) > 1:
        raise SystemExit(f"{name}: more than one conditional switch in range: {steps}")
    return steps[0] if steps else None


def fit_muscle(
    leg: OpenSimLeg,
    legs: dict[str, tuple[OpenSimLeg, OpenSimLeg]],
    name: str,
    rng: np.random.Generator,
) -> dict[str, object]:
    joints = crossed_joints(leg, name, rng)
    step = conditional_step(leg, name, joints)
    train = grid_postures(joints)
    validation = random_postures(rng, VALIDATION_POINTS, joints)
    test = random_postures(rng, TEST_POINTS, joints)
    samples = {
        key: (angles[:, joints], *leg.sample(name, angles))
        for key, angles in (("train", train), ("validation", validation), ("test", test))
    }
    samples = {key: (x, lengths, arms[:, joints]) for key, (x, lengths, arms) in samples.items()}
    best: tuple[float, int, int] | None = None
    for degree in range(1, MAX_DEGREE + 1):
        for step_degree in range(MAX_STEP_DEGREE + 1) if step else (0,):
            *_, coefficients = fit(*samples["train"], degree, step, step_degree)
            e = errors(*samples["validation"], degree, step, step_degree, coefficients)
            score = math.hypot(e["length_rms"], e["arm_rms"])
            if best is None or score < best[0]:
                best = (score, degree, step_degree)
    assert best is not None
    _, degree, step_degree = best
    exps, step_exps, coefficients = fit(*samples["train"], degree, step, step_degree)
    test_errors = errors(*samples["test"], degree, step, step_degree, coefficients)
    split, adjustment = segment_split(
        legs, name, joints, train, degree, step, step_degree, coefficients
    )
    muscle = leg.muscles[name]
    result: dict[str, object] = {
        "joints": [JOINTS[j] for j in joints],
        "degree": degree,
        "exponents": [list(e) for e in exps],
        "coefficients": coefficients[: len(exps)].tolist(),
        "step": None,
        "segments": split[:, : len(exps)].tolist(),
        "segment_adjustment": adjustment,
        "errors": test_errors,
        "max_isometric_force": muscle.getMaxIsometricForce(),
        "optimal_fiber_length": muscle.getOptimalFiberLength(),
        "tendon_slack_length": muscle.getTendonSlackLength(),
        "pennation_angle": muscle.getPennationAngleAtOptimalFiberLength(),
        "max_contraction_velocity": muscle.getMaxContractionVelocity(),
    }
    if step is not None:
        result["step"] = {
            "joint": JOINTS[joints[step[0]]],
            "angle": step[1],
            "exponents": [list(e) for e in step_exps],
            "coefficients": coefficients[len(exps) :].tolist(),
            "segments": split[:, len(exps) :].tolist(),
        }
    return result


def scaled_leg(model_path: Path, factors: dict[str, float]) -> OpenSimLeg:
    """The model scaled by OpenSim (``Model.scale``, as the ScaleTool) with segment factors."""
    leg = OpenSimLeg(model_path)
    scale_set = osim.ScaleSet()
    for segment, bodies in SEGMENT_BODIES.items():
        for body in bodies:
            scale = osim.Scale()
            scale.setSegmentName(body)
            scale.setScaleFactors(osim.Vec3(factors[segment]))
            scale.setApply(True)
            scale_set.cloneAndAppend(scale)
    leg.model.scale(leg.state, scale_set, True, -1.0)
    leg.state = leg.model.initSystem()
    return leg


def segment_legs(model_path: Path) -> dict[str, tuple[OpenSimLeg, OpenSimLeg]]:
    """Per segment, the model with that segment scaled by 1 + ε and by 1 − ε."""
    return {
        segment: tuple(  # type: ignore[misc]
            scaled_leg(
                model_path,
                {b: (1.0 + sign * SCALE_STEP) if b == segment else 1.0 for b in SEGMENT_BODIES},
            )
            for sign in (1.0, -1.0)
        )
        for segment in SEGMENT_BODIES
    }


def segment_split(
    legs: dict[str, tuple[OpenSimLeg, OpenSimLeg]],
    name: str,
    joints: list[int],
    train: np.ndarray,
    degree: int,
    step: Step,
    step_degree: int,
    coefficients: np.ndarray,
) -> tuple[np.ndarray, float]:
    """Split the length polynomial into segment parts, L(θ, s) = Σ_b s_b L_b(θ).

    The musculotendon length is homogeneous of degree 1 in the segment scale factors s (scaling
    every segment by k scales every path by k), so by Euler's theorem L = Σ_b s_b ∂L/∂s_b at
    s = 1. L_b = ∂L/∂s_b is found by central differences of OpenSim's scaled models (±1 %) on
    the training grid and fitted with the same basis as L (moment arms ∂L_b/∂θ included). The
    parts are adjusted to sum exactly to L's coefficients (the residual goes to the segment
    with the largest part); returns the coefficients (S, K) and the adjustment's largest
    length effect on the grid [m].
    """
    parts = []
    for plus, minus in legs.values():
        length_plus, arms_plus = plus.sample(name, train)
        length_minus, arms_minus = minus.sample(name, train)
        derivative = (length_plus - length_minus) / (2 * SCALE_STEP)
        arm_derivative = (arms_plus - arms_minus)[:, joints] / (2 * SCALE_STEP)
        *_, part = fit(train[:, joints], derivative, arm_derivative, degree, step, step_degree)
        parts.append(part)
    split = np.array(parts)
    residual = coefficients - split.sum(axis=0)
    _, _, values, _ = design(train[:, joints], degree, step, step_degree)
    largest = int(np.argmax(np.abs(values @ split.T).max(axis=0)))
    split[largest] += residual
    split[np.abs(split) < 1e-12] = 0.0  # segments that do not move the path
    return split, float(np.max(np.abs(values @ residual)))


def scaled_check(model_path: Path, factors: dict[str, float]) -> dict[str, object]:
    """OpenSim's lengths and moment arms of the model scaled with ``factors``, at check postures."""
    leg = scaled_leg(model_path, factors)
    table = check_table(leg)
    for segment, factor in factors.items():
        table[f"{segment} scale factor [-]"] = factor
    for name in MUSCLES:
        entry = table[name]
        assert isinstance(entry, dict)
        entry["Optimal fiber length [m]"] = leg.muscles[name].getOptimalFiberLength()
        entry["Tendon slack length [m]"] = leg.muscles[name].getTendonSlackLength()
    return table


def check_table(leg: OpenSimLeg) -> dict[str, object]:
    """OpenSim's values at the test postures (OpenSim's sign and coordinates).

    Lengths and moment arms; with rigid tendons (``ignore_tendon_compliance``) the normalised
    fibre length, pennation, force-length multiplier and the active fibre force along the
    tendon at full activation (``calcInextensibleTendonActiveFiberForce``) at rest and at the
    check speeds.
    """
    postures = np.radians(np.array(CHECK_POSTURES_DEG))
    velocities = np.array(CHECK_VELOCITIES)
    table: dict[str, object] = {
        f"{COORDINATES[j][0]} [rad]": (postures[:, i] * COORDINATES[j][1] + 0.0).tolist()
        for i, j in enumerate(JOINTS)
    }
    table.update(
        {
            f"{COORDINATES[j][0]} speed [rad/s]": (velocities[:, i] * COORDINATES[j][1]).tolist()
            for i, j in enumerate(JOINTS)
        }
    )
    for name in MUSCLES:
        muscle = leg.muscles[name]
        path = muscle.getGeometryPath()
        lengths, arms, fibers, cosines, multipliers = [], [], [], [], []
        static, moving = [], []
        for angles, speeds in zip(postures, velocities, strict=True):
            leg.set_posture(angles)
            leg.model.realizeVelocity(leg.state)
            lengths.append(path.getLength(leg.state))
            arms.append(leg.opensim_moment_arms(name))
            fibers.append(muscle.getNormalizedFiberLength(leg.state))
            cosines.append(muscle.getCosPennationAngle(leg.state))
            multipliers.append(muscle.getActiveForceLengthMultiplier(leg.state))
            static.append(muscle.calcInextensibleTendonActiveFiberForce(leg.state, 1.0))
            for coordinate, sign, speed in zip(leg.coordinates, leg.signs, speeds, strict=True):
                coordinate.setSpeedValue(leg.state, float(sign * speed))
            leg.model.realizeVelocity(leg.state)
            moving.append(muscle.calcInextensibleTendonActiveFiberForce(leg.state, 1.0))
            for coordinate in leg.coordinates:
                coordinate.setSpeedValue(leg.state, 0.0)
        entry: dict[str, object] = {"Musculotendon length [m]": lengths}
        for i, j in enumerate(JOINTS):
            entry[f"Moment arm about {COORDINATES[j][0]} [m]"] = [float(a[i]) for a in arms]
        entry["Rigid-tendon normalised fiber length [-]"] = fibers
        entry["Cosine of pennation angle [-]"] = cosines
        entry["Millard2012 active force-length multiplier [-]"] = multipliers
        entry["Inextensible-tendon active fiber force at rest [N]"] = static
        entry["Inextensible-tendon active fiber force at the speeds [N]"] = moving
        table[name] = entry
    return table


#: joint angular velocities at the check postures, kneeload's sign [rad/s] (gait-like magnitudes)
CHECK_VELOCITIES = (
    (0.5, -2.0, 0.5),
    (-1.0, 3.0, -0.5),
    (1.5, -4.0, 1.0),
    (-2.0, 1.0, -3.0),
    (2.0, 5.0, 2.0),
    (-1.0, -5.0, -1.0),
    (0.8, 0.0, 0.0),
    (0.0, -1.5, 4.0),
)
MILLARD_CHECK_LENGTHS = [0.4523, 0.5317, 0.6871, 0.8129, 0.9563, 1.0417, 1.2233, 1.5291]
MILLARD_CHECK_VELOCITIES = [-0.9137, -0.5519, -0.2371, -0.0533, 0.0417, 0.3163, 0.7771]
MILLARD_LENGTHS = np.round(np.arange(0.30, 2.0001, 0.005), 6)
MILLARD_VELOCITIES = np.round(np.arange(-1.0, 1.0001, 0.005), 6)


def millard_curves(leg: OpenSimLeg) -> dict[str, object]:
    """The model's Millard (2013) active force-length and force-velocity curves, tabulated.

    All muscles of gait10dof18musc use the same curve parameters (checked here). The linear
    interpolation error is measured at the midpoints of the table.
    """
    curves = []
    for name in MUSCLES:
        muscle = osim.Millard2012EquilibriumMuscle.safeDownCast(leg.muscles[name])
        curves.append((muscle.getActiveForceLengthCurve(), muscle.getForceVelocityCurve()))
    probe_l = np.linspace(0.3, 2.0, 97)
    probe_v = np.linspace(-1.0, 1.0, 97)
    values = [
        [fl.calcValue(x) for x in probe_l] + [fv.calcValue(v) for v in probe_v] for fl, fv in curves
    ]
    if np.ptp(np.array(values), axis=0).max() > 0.0:
        raise SystemExit("the muscles' curves differ: tabulate them per muscle")
    fl, fv = curves[0]
    fl_table = np.array([fl.calcValue(float(x)) for x in MILLARD_LENGTHS])
    fv_table = np.array([fv.calcValue(float(v)) for v in MILLARD_VELOCITIES])
    mid_l = (MILLARD_LENGTHS[1:] + MILLARD_LENGTHS[:-1]) / 2
    mid_v = (MILLARD_VELOCITIES[1:] + MILLARD_VELOCITIES[:-1]) / 2
    fl_error = np.abs(
        np.interp(mid_l, MILLARD_LENGTHS, fl_table) - [fl.calcValue(x) for x in mid_l]
    )
    fv_error = np.abs(
        np.interp(mid_v, MILLARD_VELOCITIES, fv_table) - [fv.calcValue(v) for v in mid_v]
    )
    return {
        "Normalised fiber length [-]": MILLARD_LENGTHS.tolist(),
        "Active force-length multiplier [-]": fl_table.tolist(),
        "Normalised fiber velocity [-]": MILLARD_VELOCITIES.tolist(),
        "Force-velocity multiplier [-]": fv_table.tolist(),
        "Active force-length interpolation max error [-]": float(fl_error.max()),
        "Force-velocity interpolation max error [-]": float(fv_error.max()),
    }


def curve_check(leg: OpenSimLeg) -> dict[str, list[float]]:
    """OpenSim's curve values off the tables' grid (an independent reference).

    De Groote et al. (2016) from OpenSim's DeGrooteFregly2016Muscle; Millard from the model.
    """
    millard = osim.Millard2012EquilibriumMuscle.safeDownCast(leg.muscles["vasti"])
    muscle = osim.DeGrooteFregly2016Muscle()
    lengths = [0.5, 0.7, 0.9, 1.0, 1.1, 1.3, 1.6]
    velocities = [-1.0, -0.6, -0.2, 0.0, 0.2, 0.6, 1.0]
    return {
        "Normalised fiber length [-]": lengths,
        "Active force-length multiplier [-]": [
            muscle.calcActiveForceLengthMultiplier(x) for x in lengths
        ],
        "Normalised fiber velocity [-]": velocities,
        "Force-velocity multiplier [-]": [
            muscle.calcForceVelocityMultiplier(v) for v in velocities
        ],
        "Millard normalised fiber length [-]": MILLARD_CHECK_LENGTHS,
        "Millard active force-length multiplier [-]": [
            millard.getActiveForceLengthCurve().calcValue(x) for x in MILLARD_CHECK_LENGTHS
        ],
        "Millard normalised fiber velocity [-]": MILLARD_CHECK_VELOCITIES,
        "Millard force-velocity multiplier [-]": [
            millard.getForceVelocityCurve().calcValue(v) for v in MILLARD_CHECK_VELOCITIES
        ],
    }


def toml_value(value: object) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(type(value))


def table_lines(prefix: str, table: dict[str, object]) -> list[str]:
    """TOML lines of a check table: scalars first, then one sub-table per muscle."""
    lines = [f"[{prefix}]"]
    lines += [f'"{k}" = {toml_value(v)}' for k, v in table.items() if not isinstance(v, dict)]
    for key, value in table.items():
        if isinstance(value, dict):
            lines += ["", f"[{prefix}.{key}]"]
            lines += [f'"{k}" = {toml_value(v)}' for k, v in value.items()]
    return lines


def write_toml(
    path: Path,
    model_path: Path,
    description: str,
    fits: dict[str, dict[str, object]],
    check: dict[str, object],
    scaled: dict[str, object],
    millard: dict[str, object],
    curves: dict[str, list[float]],
) -> None:
    lines = [
        f"# Musculotendon geometry and parameters of OpenSim's {model_path.name} (right leg).",
        "# Generated by scripts/fit_muscle_geometry.py; do not edit by hand.",
        "[meta]",
        f"name = {toml_value(path.stem)}",
        "source = "
        + toml_value(
            "Delp SL, Loan JP, Hoy MG, Zajac FE, Topp EL, Rosen JM (1990) An interactive "
            "graphics-based model of the lower extremity to study orthopaedic surgical "
            "procedures. IEEE Trans Biomed Eng 37:757-767; as reduced to 18 muscles in OpenSim's "
            "gait10dof18musc model (Seth, Anderson; opensim-org/opensim-models, CC BY 3.0)."
        ),
        "doi = " + toml_value("10.1109/10.102791"),
        "model_file = " + toml_value(f"opensim_subject01_walk/gait10dof18musc/{model_path.name}"),
        "model = " + toml_value(description),
        "script = " + toml_value("scripts/fit_muscle_geometry.py"),
        "citations = "
        + toml_value(["Delp1990", "An1984", "Sherman2013", "DeGroote2016", "Millard2013"]),
        "muscles = " + toml_value(list(MUSCLES)),
        "joints = " + toml_value(list(JOINTS)),
        "note = "
        + toml_value(
            "Musculotendon length L [m] = sum(coefficient * prod(angle_j ** exponent_j)) over "
            "the muscle's crossed joints in the listed order; angles are kneeload's: hip "
            "flexion, knee flexion, ankle dorsiflexion [rad]. Moment arm r_j = dL/dangle_j "
            "(An et al. 1984; Sherman et al. 2013), positive when tension extends the hip or "
            "knee or plantarflexes the ankle. Fitted by least squares to OpenSim 4.6 lengths "
            "and moment arms on a grid over hip -30..70, knee 0..120, ankle -40..30 deg; "
            "degree chosen on random validation postures; errors on independent random test "
            "postures. Conditional path points (iliopsoas at 45 deg hip flexion, gastroc at "
            "45 deg and rect_fem/vasti near 82 deg knee flexion) make OpenSim's moment arms "
            "jump there (gastroc's length by 0.37 mm). Step terms model this: where the muscle "
            "has them, L adds sum(step coefficient * prod(angle_j ** step exponent_j)) when the "
            "step joint's angle exceeds the step angle."
        ),
        "",
        "[fitted_range]",
        'note = "Outside this range kneeload holds the moment arms at the boundary value and '
        'continues the length linearly (r = dL/dangle still holds)."',
        *(
            f'"{joint} [rad]" = {toml_value([float(v) for v in np.radians(RANGES_DEG[joint])])}'
            for joint in JOINTS
        ),
        "",
        "[scaling]",
        "segments = " + toml_value(list(SEGMENT_BODIES)),
        "source = "
        + toml_value(
            "With segment scale factors s (pelvis, thigh, shank, foot), L(angles, s) = "
            "sum_b s_b L_b(angles): each muscle's 'Segment coefficients [m]' (one row per "
            "segment, same exponents) are the polynomials L_b = dL/ds_b, from central "
            "differences (+-1 %) of OpenSim's Model.scale (the ScaleTool's operation). Exact "
            "for a uniform scale (L is homogeneous of degree 1 in s; Euler's theorem), first "
            "order otherwise; see scripts/fit_muscle_geometry.py. OpenSim bodies per segment: "
            + "; ".join(f"{k}: {', '.join(v)}" for k, v in SEGMENT_BODIES.items())
        ),
        "",
        "[curves.DeGroote2016]",
        "source = "
        + toml_value(
            "De Groote F, Kinney AL, Rao AV, Fregly BJ (2016) Evaluation of direct collocation "
            "optimal control problem formulations for solving the muscle redundancy problem. "
            "Ann Biomed Eng 44:2922-2936 (Eqs. and constants as in OpenSim's "
            "DeGrooteFregly2016Muscle)."
        ),
        "doi = " + toml_value("10.1007/s10439-016-1591-9"),
        'note = "f_L = sum_i b1_i exp(-0.5 (l - b2_i)^2 / (b3_i + b4_i l)^2); '
        "f_V = d1 ln(d2 v + d3 + sqrt((d2 v + d3)^2 + 1)) + d4; l = fiber length / optimal, "
        'v = fiber velocity / (max contraction velocity * optimal fiber length), shortening < 0."',
        '"Active force-length b1 [-]" = [0.8150671134243542, 0.433004984392647, 0.1]',
        '"Active force-length b2 [-]" = [1.055033428970575, 0.71677541339776, 1.0]',
        '"Active force-length b3 [-]" = [0.162384573599574, -0.029947116970696, 0.353553390593274]',
        '"Active force-length b4 [-]" = [0.063303448465465, 0.200356847296188, 0.0]',
        '"Force-velocity d [-]" = [-0.3211346127989808, -8.149, -0.374, 0.8825327733249912]',
        "",
        "[curves.Millard2012]",
        "source = "
        + toml_value(
            "Millard M, Uchida T, Seth A, Delp SL (2013) Flexing computational muscle: modeling "
            f"and simulation of musculotendon dynamics. J Biomech Eng 135:021005. The curves of "
            f"{model_path.name}'s Millard2012EquilibriumMuscle (identical for all muscles), "
            f"tabulated with OpenSim {osim.__version__}; kneeload interpolates linearly."
        ),
        "doi = " + toml_value("10.1115/1.4023390"),
        *(f'"{k}" = {toml_value(v)}' for k, v in millard.items()),
        "",
    ]
    for name in MUSCLES:
        f = fits[name]
        e = f["errors"]
        assert isinstance(e, dict)
        lines += [
            f"[muscles.{name}]",
            f"joints = {toml_value(f['joints'])}",
            f'"Maximum isometric force [N]" = {toml_value(f["max_isometric_force"])}',
            f'"Optimal fiber length [m]" = {toml_value(f["optimal_fiber_length"])}',
            f'"Tendon slack length [m]" = {toml_value(f["tendon_slack_length"])}',
            f'"Pennation angle at optimal [rad]" = {toml_value(f["pennation_angle"])}',
            f'"Maximum contraction velocity [optimal fiber lengths/s]" = '
            f"{toml_value(f['max_contraction_velocity'])}",
            f'"Polynomial degree [-]" = {f["degree"]}',
            f'"Exponents [-]" = {toml_value(f["exponents"])}',
            f'"Coefficients [m]" = {toml_value(f["coefficients"])}',
            f'"Length RMS error [m]" = {toml_value(e["length_rms"])}',
            f'"Length max error [m]" = {toml_value(e["length_max"])}',
            f'"Moment arm RMS error [m]" = {toml_value(e["arm_rms"])}',
            f'"Moment arm max error [m]" = {toml_value(e["arm_max"])}',
            f'"Segment coefficients [m]" = {toml_value(f["segments"])}',
            '"Segment split adjustment max [m]" = ' + toml_value(f["segment_adjustment"]),
        ]
        step = f["step"]
        if isinstance(step, dict):
            lines += [
                f'"Step joint" = {toml_value(step["joint"])}',
                f'"Step angle [rad]" = {toml_value(step["angle"])}',
                f'"Step exponents [-]" = {toml_value(step["exponents"])}',
                f'"Step coefficients [m]" = {toml_value(step["coefficients"])}',
                f'"Segment step coefficients [m]" = {toml_value(step["segments"])}',
            ]
        lines.append("")
    check = {
        "source": f"OpenSim {osim.__version__} GeometryPath.getLength and computeMomentArm on "
        f"{model_path.name}, OpenSim's sign (r = -dL/dq) and coordinates "
        "(knee_angle_r negative in flexion).",
        **check,
    }
    scaled = {
        "source": f"OpenSim {osim.__version__}, {model_path.name} scaled by Model.scale (the "
        "ScaleTool's operation) with the segment factors below (subject01's ScaleTool factors; "
        "talus with the foot's), then as [check].",
        **scaled,
    }
    lines += [*table_lines("check", check), "", *table_lines("check_scaled", scaled)]
    lines += [
        "",
        "[check.curves]",
        "source = " + toml_value(f"OpenSim {osim.__version__} DeGrooteFregly2016Muscle"),
    ]
    lines += [f'"{k}" = {toml_value(v)}' for k, v in curves.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def fit_model(model_path: Path, output: Path, description: str) -> None:
    """Fit one model file and write its parameter file."""
    leg = OpenSimLeg(model_path)
    legs = segment_legs(model_path)
    rng = np.random.default_rng(SEED)
    fits = {}
    for name in MUSCLES:
        fits[name] = result = fit_muscle(leg, legs, name, rng)
        e, joints, adjustment = result["errors"], result["joints"], result["segment_adjustment"]
        assert isinstance(e, dict) and isinstance(joints, list) and isinstance(adjustment, float)
        print(
            f"{name:11s} joints={','.join(joints):16s} degree={result['degree']} "
            f"length RMS {e['length_rms'] * 1e3:.3f} mm max {e['length_max'] * 1e3:.3f} mm; "
            f"moment arm RMS {e['arm_rms'] * 1e3:.3f} mm max {e['arm_max'] * 1e3:.3f} mm; "
            f"segment split adjustment {adjustment * 1e3:.4f} mm"
        )
    output.parent.mkdir(parents=True, exist_ok=True)
    write_toml(
        output,
        model_path,
        description,
        fits,
        check_table(leg),
        scaled_check(model_path, CHECK_SCALE),
        millard_curves(leg),
        curve_check(leg),
    )
    print(f"wrote {output}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="gait10dof18musc folder")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="models/muscles")
    args = parser.parse_args()
    osim.Logger.setLevelString("error")
    osim.Logger.removeFileSink()  # no opensim.log next to the shared data or in the checkout
    for model_file, (name, description) in MODELS.items():
        fit_model(args.data / model_file, args.output / f"{name}.toml", description)


if __name__ == "__main__":
    main()
