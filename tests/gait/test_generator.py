"""Generated gait cycles obey physics: Newton's law for the whole body, gravity balanced over a
stride, planted feet, centre of pressure under the foot, flights without force, left = right
half a stride later, and forces proportional to body mass."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from kneeload.config import STANDARD_GRAVITY_M_S2
from kneeload.exceptions import InputError
from kneeload.gait.cycle import GaitCycle
from kneeload.gait.generator import (
    MIN_TRANSFER_FRACTION,
    generate_cycle_batch,
    generate_cycles,
)
from kneeload.gait.pattern import GaitPattern
from kneeload.gait.spec import GaitSpec, Subject
from kneeload.gait.templates import gait_pattern, speed_range_m_s
from kneeload.kinematics import time_derivatives

SUBJECT = Subject(mass_kg=70.0, height_m=1.75, sex="male")
SPEEDS = {"walk": 1.3, "run": 3.0}
GRADES = (-19.3, 0.0, 10.0)


def _spec(mode: str = "walk", direction: str = "forward", grade: float = 0.0) -> GaitSpec:
    return GaitSpec(mode, direction, SPEEDS[mode], grade, SUBJECT)


def _bump(u: np.ndarray, centre: float, width: float) -> np.ndarray:
    distance = (u - centre + 0.5) % 1.0 - 0.5
    return np.exp(-((distance / width) ** 2))


def synthetic_walk(cop_peak: float = 1.0) -> GaitPattern:
    """A walking pattern from analytic curves (independent of the templates' numbers): stance
    60 %, double-hump normal force, braking then propulsion, CoP heel -> ``cop_peak``."""
    percent = np.linspace(0.0, 100.0, 101)
    u = percent / 100.0
    stance = 0.6
    v = np.clip(u / stance, 0.0, 1.0)
    loaded = u < stance
    angles = {
        "pelvis_tilt_deg": 10.0 + 2.0 * np.cos(4.0 * np.pi * u),
        "pelvis_obliquity_deg": 4.0 * np.sin(2.0 * np.pi * u),
        "hip_flexion_deg": 10.0 + 20.0 * np.cos(2.0 * np.pi * (u - 0.9)),
        "hip_adduction_deg": 4.0 * np.sin(2.0 * np.pi * (u + 0.05)),
        "knee_flexion_deg": 5.0 + 13.0 * _bump(u, 0.15, 0.07) + 58.0 * _bump(u, 0.72, 0.1),
        "ankle_dorsiflexion_deg": 10.0 * _bump(u, 0.4, 0.12) - 18.0 * _bump(u, 0.63, 0.05),
    }
    grf = {
        "grf_x_bw": np.where(loaded, -0.2 * np.sin(2.0 * np.pi * v), 0.0),
        "grf_y_bw": np.where(loaded, np.sin(np.pi * v) + 0.25 * np.sin(3.0 * np.pi * v), 0.0),
        "grf_z_bw": np.where(loaded, -0.05 * np.sin(np.pi * v), 0.0),
    }
    cop = np.where(loaded, cop_peak * v, np.nan)
    return GaitPattern(percent, 1.1, 1.1 * 1.3, stance, angles, grf, cop, ("synthetic",))


def _single_support(cycle: GaitCycle, side: int) -> np.ndarray:
    loaded = cycle.grf_n[..., 1] > 0.0
    return loaded[:, side] & ~loaded[:, 1 - side]


CASES = [(m, d, g) for m in ("walk", "run") for d in ("forward", "backward") for g in GRADES]


@pytest.fixture(scope="module")
def cycles() -> dict[tuple[str, str, float], GaitCycle]:
    """Three strides at 201 frames per stride for every mode, direction and grade (one batch)."""
    specs = [_spec(*case) for case in CASES]
    return dict(
        zip(CASES, generate_cycle_batch(specs, strides=3, frames_per_stride=201), strict=True)
    )


@pytest.mark.parametrize("case", CASES)
def test_newton_whole_body(cycles: dict, case: tuple[str, str, float]) -> None:
    """Σ GRF = Σ mᵢaᵢ − M g, accelerations by finite differences of the segments' centres of
    mass (independent of the generator's spectral ones), middle stride: RMS <= 5 % BW."""
    cycle = cycles[case]
    weight = cycle.body_mass_kg * STANDARD_GRAVITY_M_S2
    _, acc_legs = time_derivatives(cycle.time_s, cycle.com_m)
    _, acc_hat = time_derivatives(cycle.time_s, cycle.hat_com_m)
    inertial = np.einsum("k,fskx->fx", cycle.segment_mass_kg, acc_legs)
    inertial += cycle.hat_mass_kg * acc_hat
    gravity = np.asarray(cycle.gravity_m_s2)
    residual = cycle.grf_n[..., :2].sum(axis=1) - (inertial - cycle.body_mass_kg * gravity)
    middle = cycle.stride == 2
    rms = np.sqrt(np.mean(np.sum(residual[middle] ** 2, axis=1))) / weight
    assert rms <= 0.05, f"finite-difference Newton residual {rms:.4f} BW"
    assert cycle.newton_residual_rms_bw < 1e-6
    mass = 2.0 * cycle.segment_mass_kg.sum() + cycle.hat_mass_kg
    assert mass == pytest.approx(cycle.body_mass_kg, rel=1e-12)


@pytest.mark.parametrize("case", CASES)
def test_stride_mean_grf_balances_gravity(cycles: dict, case: tuple[str, str, float]) -> None:
    """Mean total GRF over a stride: M g sin θ along the surface (toward travel uphill), M g
    cos θ normal to it, θ = atan(grade)."""
    _mode, direction, grade = case
    cycle = cycles[case]
    theta = math.atan(grade / 100.0)
    travel = 1.0 if direction == "forward" else -1.0
    weight = cycle.body_mass_kg * STANDARD_GRAVITY_M_S2
    stride = cycle.stride == 1
    stride[np.flatnonzero(stride)[-1] + 1 :] = False  # frames 0 .. N-1: one whole period
    mean = cycle.grf_n[stride][..., :2].sum(axis=1).mean(axis=0)
    assert mean[0] == pytest.approx(weight * math.sin(theta) * travel, abs=1e-9 * weight)
    assert mean[1] == pytest.approx(weight * math.cos(theta), rel=1e-12)


@pytest.mark.parametrize("case", CASES)
def test_stance_foot_planted_in_single_support(cycles: dict, case: tuple) -> None:
    """In single support the foot rolls on its lowest sole point, which stays on the surface and
    does not move (< 0.01 mm between frames on the same point). Frames within half the
    shortest hip transfer (MIN_TRANSFER_FRACTION / 2 of a stride) of a foot contact or toe-off
    are left out: there a brief double support or flight lets the hips' transfer reach in."""
    cycle = cycles[case]
    n = int(np.sum(cycle.stride == 1))
    loaded = cycle.grf_n[..., 1] > 0.0
    events = np.flatnonzero(np.any(np.diff(loaded.astype(int), axis=0) != 0, axis=1))
    events = np.concatenate([events - n, events, events + n])  # the gait is periodic
    margin = MIN_TRANSFER_FRACTION / 2.0 * n
    frames = np.arange(len(cycle.time_s))
    far = np.min(np.abs(frames[:, None] - events[None, :]), axis=1) > margin
    for side in (0, 1):
        alone = _single_support(cycle, side) & far
        heel, toe = cycle.heel_m[:, side], cycle.toe_m[:, side]
        on_toe = toe[:, 1] < heel[:, 1]
        point = np.where(on_toe[:, None], toe, heel)
        assert np.max(np.abs(point[alone, 1])) < 1e-8
        same = alone[1:] & alone[:-1] & (on_toe[1:] == on_toe[:-1])
        moved = np.linalg.norm(np.diff(point, axis=0), axis=1)[same]
        assert moved.size > 0.2 * n and moved.max() < 1e-5


@pytest.mark.parametrize("case", CASES)
def test_cop_under_the_foot(cycles: dict, case: tuple) -> None:
    """While a foot is loaded its centre of pressure is on the surface, between the heel's and
    the toe's projections, on the foot's line (z of the ankle)."""
    cycle = cycles[case]
    loaded = cycle.grf_n[..., 1] > 0.0
    cop = cycle.cop_m[loaded]
    low = np.minimum(cycle.heel_m[..., 0], cycle.toe_m[..., 0])[loaded]
    high = np.maximum(cycle.heel_m[..., 0], cycle.toe_m[..., 0])[loaded]
    assert np.all(np.isfinite(cop))
    assert np.all((cop[:, 0] >= low - 1e-12) & (cop[:, 0] <= high + 1e-12))
    assert np.all(cop[:, 1] == 0.0)
    np.testing.assert_allclose(cop[:, 2], cycle.joint_z_m[:, :, 0][loaded])
    assert np.all(cycle.grf_n[..., 1] >= -1e-9 * cycle.body_mass_kg)


@pytest.mark.parametrize("direction", ["forward", "backward"])
def test_running_flight_has_no_force(cycles: dict, direction: str) -> None:
    """Running has flight phases (both feet unloaded) with zero ground reaction; walking has
    double support instead."""
    run = cycles[("run", direction, 0.0)]
    flight = ~np.any(run.grf_n[..., 1] > 0.0, axis=1)
    assert flight.sum() > 10
    assert np.all(run.grf_n[flight] == 0.0)
    walk = cycles[("walk", direction, 0.0)]
    assert np.all(np.any(walk.grf_n[..., 1] > 0.0, axis=1)[1:-1])


def test_double_support_transfer_is_smooth(cycles: dict) -> None:
    """Ren, Jones & Howard (2008): over double support the trailing foot's normal force falls
    monotonically to zero while the leading foot's starts from zero (no jump at either end)."""
    cycle = cycles[("walk", "forward", 0.0)]
    weight = cycle.body_mass_kg * STANDARD_GRAVITY_M_S2
    normal = cycle.grf_n[..., 1]
    both = (normal[:, 0] > 0) & (normal[:, 1] > 0)
    start = np.flatnonzero(both & ~np.roll(both, 1))
    for first in start[start > 0]:
        count = int(np.argmin(both[first:]))
        if count == 0:  # double support runs to the end of the record
            continue
        frames = first + np.arange(count)
        trailing = 1 if cycle.grf_n[first - 1, 1, 1] > 0 else 0
        assert np.all(np.diff(normal[frames, trailing]) < 0)
        assert normal[first - 1, 1 - trailing] == pytest.approx(0.0, abs=1e-9 * weight)
        assert normal[frames[-1] + 1, trailing] == pytest.approx(0.0, abs=1e-9 * weight)
        assert normal[frames[-1], trailing] < 0.05 * weight


@pytest.mark.parametrize("mode", ["walk", "run"])
def test_left_is_right_half_a_stride_later(cycles: dict, mode: str) -> None:
    """Left joint angles and GRF are the right ones half a stride later (mediolateral force
    mirrored)."""
    cycle = cycles[(mode, "forward", 0.0)]
    n = int(np.sum(cycle.stride == 1))
    half = n // 2
    right, left = slice(0, n), slice(half, half + n)
    for name in ("hip_flexion_deg", "knee_flexion_deg", "ankle_dorsiflexion_deg"):
        np.testing.assert_allclose(
            cycle.angles_deg[name][left, 1], cycle.angles_deg[name][right, 0], atol=1e-9
        )
    mirror = np.array([1.0, 1.0, -1.0])
    np.testing.assert_allclose(
        cycle.grf_n[left, 1], cycle.grf_n[right, 0] * mirror, atol=1e-9 * cycle.body_mass_kg
    )


def test_leg_through_analyze_leg_knee_extensor_in_early_stance() -> None:
    """The right leg as a LegTrial runs through the measured-trial analysis; forward walking
    has a knee extensor moment in loading response (Winter 2009: ≈0.67 N·m/kg)."""
    from kneeload.analysis import analyze_leg

    cycle = generate_cycles(_spec(), strides=3)
    trial = cycle.leg("right")
    assert trial.gravity_m_s2 == cycle.gravity_m_s2
    table = analyze_leg(trial)
    early = (cycle.stride == 2) & (cycle.percent_cycle > 3.0) & (cycle.percent_cycle < 20.0)
    peak = table["knee_moment_nm_kg"].to_numpy()[early].max()
    assert peak > 0.2, f"peak knee extensor moment in loading response {peak:.2f} N·m/kg"
    assert np.all(np.isfinite(table["knee_adduction_moment_nm"]))


def test_backward_walking_lands_on_the_forefoot(cycles: dict) -> None:
    """Backward gait: at first contact the toe is the lowest sole point and the CoP starts at
    the toe end and moves toward the heel."""
    cycle = cycles[("walk", "backward", 0.0)]
    assert cycle.toe_m[0, 0, 1] < cycle.heel_m[0, 0, 1]
    loaded = np.flatnonzero(cycle.grf_n[: int(np.sum(cycle.stride == 1)), 0, 1] > 0)
    x = cycle.cop_m[loaded, 0, 0]
    assert x[0] > x[-1]


def test_strides_advance_by_the_stride_length(cycles: dict) -> None:
    """Every point advances one stride length per stride in the direction of travel."""
    for direction, sign in (("forward", 1.0), ("backward", -1.0)):
        cycle = cycles[("walk", direction, 0.0)]
        n = int(np.sum(cycle.stride == 1))
        advance = cycle.joint_m[n:, :, :, 0] - cycle.joint_m[:-n, :, :, 0]
        speed = advance / (cycle.time_s[n] - cycle.time_s[0])
        np.testing.assert_allclose(speed, sign * np.mean(speed * sign), rtol=1e-9)
        assert sign * speed.mean() > 0


def test_twice_the_mass_gives_twice_the_forces() -> None:
    """Same spec, subject twice as heavy: every force doubles, the motion is unchanged."""
    heavy = Subject(mass_kg=140.0, height_m=1.75, sex="male")
    light_cycle = generate_cycles(_spec(grade=5.0))
    heavy_cycle = generate_cycles(GaitSpec("walk", "forward", 1.3, 5.0, heavy))
    np.testing.assert_allclose(heavy_cycle.grf_n, 2.0 * light_cycle.grf_n, rtol=1e-10)
    np.testing.assert_allclose(heavy_cycle.joint_m, light_cycle.joint_m, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(heavy_cycle.segment_mass_kg, 2.0 * light_cycle.segment_mass_kg)


def test_synthetic_pattern_newton_and_balance() -> None:
    """A pattern from analytic curves (not the templates) gives the same guarantees."""
    spec = _spec(grade=8.0)
    cycle = generate_cycles(spec, strides=2, frames_per_stride=201, pattern=synthetic_walk())
    assert cycle.newton_residual_rms_bw < 1e-6
    weight = cycle.body_mass_kg * STANDARD_GRAVITY_M_S2
    mean = cycle.grf_n[:200, :, 1].sum(axis=1).mean()
    assert mean == pytest.approx(weight * math.cos(math.atan(0.08)), rel=1e-12)


def test_cop_leaving_the_foot_is_refused() -> None:
    """A pattern whose centre of pressure runs past the toe while loaded is refused."""
    with pytest.raises(InputError, match=r"cop_along_foot.*refused, found 1\.\d+ at"):
        generate_cycles(_spec(), pattern=synthetic_walk(cop_peak=1.2))


@pytest.mark.parametrize(("strides", "frames"), [(0, 101), (1, 100), (1, 11), (2.5, 101)])
def test_bad_strides_or_frames_refused(strides: object, frames: int) -> None:
    with pytest.raises(InputError):
        generate_cycles(_spec(), strides=strides, frames_per_stride=frames)  # type: ignore[arg-type]


def _regridded(pattern: GaitPattern, points: int) -> GaitPattern:
    """``pattern`` on its own grid of ``points`` points (a grid other patterns do not share)."""
    percent = np.linspace(0.0, 100.0, points)

    def on(curve: np.ndarray) -> np.ndarray:
        return np.interp(percent, pattern.percent_cycle, curve)

    return dataclasses.replace(
        pattern,
        percent_cycle=percent,
        angles_deg={name: on(curve) for name, curve in pattern.angles_deg.items()},
        grf_bw={name: on(curve) for name, curve in pattern.grf_bw.items()},
        cop_along_foot=np.where(
            percent < 100.0 * pattern.stance_fraction,
            on(np.nan_to_num(pattern.cop_along_foot, nan=1.0)),
            np.nan,
        ),
    )


def _assert_same_cycle(batch: GaitCycle, alone: GaitCycle) -> None:
    for field in dataclasses.fields(GaitCycle):
        got, expected = getattr(batch, field.name), getattr(alone, field.name)
        if field.name == "angles_deg":
            assert list(got) == list(expected)
            for name in expected:
                np.testing.assert_allclose(got[name], expected[name], rtol=1e-12, atol=1e-12)
        elif isinstance(expected, np.ndarray):
            assert got.shape == expected.shape and got.dtype == expected.dtype, field.name
            np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12, err_msg=field.name)
        else:
            assert got == expected, field.name


@pytest.mark.parametrize(("strides", "frames"), [(1, 101), (2, 51)])
def test_batch_equals_one_spec_at_a_time(strides: int, frames: int) -> None:
    """The batch is only packaging: every cycle equals the one generated for its spec alone
    (to 1e-12), across modes, directions, speeds, grades, subjects and patterns on their own
    grids; every cycle's arrays are its own (views of the batch do not overlap)."""
    subjects = [Subject(52.0, 1.58, "female"), SUBJECT, Subject(96.0, 1.92, "male")]
    specs = []
    for i, (mode, direction, within, grade) in enumerate(
        [
            ("walk", "forward", 0.5, 0.0),
            ("run", "backward", 0.2, -12.0),
            ("walk", "backward", 0.8, 15.0),
            ("run", "forward", 0.9, 6.0),
            ("walk", "forward", 0.6, -19.3),
            ("run", "forward", 0.4, 0.0),
        ]
    ):
        low, high = speed_range_m_s(GaitSpec(mode, direction, 1.0, 0.0, subjects[i % 3]))
        speed = low + within * (high - low)
        specs.append(GaitSpec(mode, direction, speed, grade, subjects[i % 3]))
    patterns: list[GaitPattern | None] = [None] * len(specs)
    patterns[2] = synthetic_walk()
    patterns[4] = _regridded(synthetic_walk(), 151)
    batch_patterns = [
        pattern if pattern is not None else gait_pattern(spec)
        for spec, pattern in zip(specs, patterns, strict=True)
    ]
    batch = generate_cycle_batch(specs, batch_patterns, strides=strides, frames_per_stride=frames)
    assert len(batch) == len(specs)
    for spec, pattern, cycle in zip(specs, patterns, batch, strict=True):
        alone = generate_cycles(spec, strides=strides, frames_per_stride=frames, pattern=pattern)
        _assert_same_cycle(cycle, alone)
    first, second = batch[0], batch[1]
    assert not np.shares_memory(first.com_m, second.com_m)
    assert not np.shares_memory(
        first.angles_deg["knee_flexion_deg"], second.angles_deg["knee_flexion_deg"]
    )
    assert not first.free_moment_nm.flags.writeable


def _assert_identical_cycle(got: GaitCycle, expected: GaitCycle) -> None:
    for field in dataclasses.fields(GaitCycle):
        a, b = getattr(got, field.name), getattr(expected, field.name)
        if field.name == "angles_deg":
            assert list(a) == list(b)
            for name in b:
                np.testing.assert_array_equal(a[name], b[name], err_msg=name)
        elif isinstance(b, np.ndarray):
            assert a.shape == b.shape and a.dtype == b.dtype, field.name
            np.testing.assert_array_equal(a, b, err_msg=field.name)
        else:
            assert a == b, field.name


@pytest.mark.parametrize(("strides", "frames"), [(1, 101), (3, 201)])
def test_default_path_equals_the_pattern_path(strides: int, frames: int) -> None:
    """Without patterns the generator takes the templates' stacked arrays unpackaged (the fast
    path); it gives exactly (bit for bit) what it gives for the same specs' GaitPatterns."""
    from kneeload.gait.templates import gait_patterns
    from kneeload.validation.gait import throughput_specs

    specs = throughput_specs(72)  # walk/run, both directions, speeds, grades, subjects
    fast = generate_cycle_batch(specs, strides=strides, frames_per_stride=frames)
    packaged = generate_cycle_batch(
        specs, gait_patterns(specs), strides=strides, frames_per_stride=frames
    )
    for got, expected in zip(fast, packaged, strict=True):
        _assert_identical_cycle(got, expected)


@pytest.mark.parametrize("strides", [1, 3])
def test_right_legs_are_the_cycles_right_legs_to_the_bit(strides: int) -> None:
    """generate_right_legs (the batched pipeline's route, no cycle packaged) gives exactly the
    fields of each cycle's ``leg("right")``, stacked C-contiguous: walk and run, forward and
    backward, level and sloped, healthy and a knee condition, three subjects."""
    from kneeload.gait.generator import generate_right_legs
    from kneeload.validation.gait import throughput_specs

    specs = [
        *throughput_specs(24),
        GaitSpec("walk", "forward", 1.2, 5.0, SUBJECT, condition="medial_oa_severe"),
        GaitSpec("walk", "backward", 0.8, -8.0, SUBJECT, condition="lateral_oa"),
        GaitSpec("run", "forward", 3.0, 8.0, SUBJECT, condition="patellofemoral_pain"),
    ]
    assert {s.direction for s in specs} == {"forward", "backward"}
    assert {s.mode for s in specs} == {"walk", "run"}
    assert len({s.grade_pct for s in specs}) > 2
    got = generate_right_legs(specs, strides=strides)
    legs = [cycle.leg("right") for cycle in generate_cycle_batch(specs, strides=strides)]

    def assert_stacked(values: np.ndarray, expected: list[np.ndarray], name: str) -> None:
        stacked = np.stack(expected)
        assert values.dtype == stacked.dtype and values.shape == stacked.shape, name
        assert values.flags.c_contiguous, name
        assert values.tobytes() == stacked.tobytes(), name

    assert set(got) == {
        "time_s", "body_mass_kg", "segment_mass_kg", "segment_inertia_kg_m2", "com_m",
        "joint_m", "segment_angle_rad", "joint_angle_deg", "grf_n", "cop_m", "free_moment_nm",
        "grf_3d_n", "cop_3d_m", "knee_3d_m", "gravity_m_s2",
    }  # fmt: skip
    for name, values in got.items():
        if name == "joint_angle_deg":
            assert list(values) == list(legs[0].joint_angle_deg)
            for angle, curve in values.items():
                assert_stacked(curve, [leg.joint_angle_deg[angle] for leg in legs], angle)
        else:
            assert_stacked(
                values, [np.asarray(getattr(leg, name), dtype=np.float64) for leg in legs], name
            )


def test_template_series_equal_their_direct_sums() -> None:
    """The templates' series kernel (harmonics by recurrence, chunks of points in parallel)
    equals the series summed term by term, cos(kx) and sin(kx) each evaluated directly, for
    each kind of series and a point count that is not a multiple of its chunk."""
    from kneeload.gait.templates import _series

    rng = np.random.default_rng(4)
    phase = rng.uniform(-0.2, 1.2, size=(7, 137))  # 959 points
    fourier = rng.normal(size=2 * 13 + 1)
    sine, cosine = rng.normal(size=9), rng.normal(size=6)
    k13, k9, k5 = np.arange(1, 14)[:, None, None], np.arange(1, 10)[:, None, None], np.arange(6)
    x = 2.0 * np.pi * phase
    expected_fourier = fourier[0] + np.sum(
        fourier[1:14, None, None] * np.cos(k13 * x) + fourier[14:, None, None] * np.sin(k13 * x),
        axis=0,
    )
    got = _series([("fourier over the cycle", fourier)] * 2, phase)
    assert got.shape == (2, *phase.shape)
    np.testing.assert_allclose(got[0], expected_fourier, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(got[0], got[1])
    s = np.pi * phase
    expected_sine = np.sum(sine[:, None, None] * np.sin(k9 * s), axis=0)
    expected_cosine = np.sum(cosine[:, None, None] * np.cos(k5[:, None, None] * s), axis=0)
    got = _series([("sine over stance", sine), ("cosine over stance", cosine)], phase)
    np.testing.assert_allclose(got[0], expected_sine, rtol=0, atol=1e-12)
    np.testing.assert_allclose(got[1], expected_cosine, rtol=0, atol=1e-12)
