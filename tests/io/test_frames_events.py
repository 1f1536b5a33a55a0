"""Tests of kneeload.io.frames and kneeload.io.events: known vectors, analytic signals, data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kneeload.exceptions import InputError
from kneeload.io.c3d import read_c3d
from kneeload.io.events import (
    butterworth_design_cutoff_hz,
    contact_intervals,
    lowpass,
    strides,
    time_normalise,
)
from kneeload.io.frames import (
    assign_plates_to_feet,
    lab_to_model,
    model_to_lab,
    rotate_180_about_vertical,
)
from kneeload.io.types import GroundReactionData, MarkerData

E_X, E_Y, E_Z = np.eye(3)


def _markers(positions: np.ndarray, frame: str = "lab") -> MarkerData:
    n = positions.shape[0]
    return MarkerData(
        time_s=np.arange(n) / 100.0,
        positions_m=positions,
        labels=tuple(f"m{i}" for i in range(positions.shape[1])),
        rate_hz=100.0,
        source="synthetic",
        frame=frame,
    )


def _grf(
    force: np.ndarray, cop: np.ndarray, moment: np.ndarray, frame: str = "lab", rate: float = 1000.0
) -> GroundReactionData:
    n, p = force.shape[:2]
    return GroundReactionData(
        time_s=np.arange(n) / rate,
        force_n=force,
        cop_m=cop,
        free_moment_nm=moment,
        labels=tuple(f"plate{i + 1}" for i in range(p)),
        foot=(None,) * p,
        rate_hz=rate,
        source="synthetic",
        frame=frame,
    )


# ------------------------------------------------------------------------------------------
# lab → model


def test_lab_to_model_known_vectors() -> None:
    """OpenSim's C3D import: x_model = x_lab, y_model = z_lab (up), z_model = -y_lab."""
    lab = _markers(np.array([[E_X, E_Y, E_Z, [1.0, 2.0, 3.0]]]))
    model = lab_to_model(lab)
    assert model.frame == "model" and lab.frame == "lab"  # a new object, input untouched
    expected = np.array([E_X, -E_Z, E_Y, [1.0, 3.0, -2.0]])
    np.testing.assert_array_equal(model.positions_m[0], expected)
    back = model_to_lab(model)
    assert back.frame == "lab"
    np.testing.assert_array_equal(back.positions_m, lab.positions_m)


def test_lab_to_model_ground_reactions_and_nan() -> None:
    force = np.array([[[10.0, 20.0, 700.0]]])
    cop = np.array([[[0.1, 0.2, 0.0]]])
    moment = np.array([[[0.0, 0.0, 5.0]]])  # free moment about the lab vertical
    model = lab_to_model(_grf(force, cop, moment))
    np.testing.assert_array_equal(model.force_n[0, 0], [10.0, 700.0, -20.0])
    np.testing.assert_array_equal(model.cop_m[0, 0], [0.1, 0.0, -0.2])
    np.testing.assert_array_equal(model.free_moment_nm[0, 0], [0.0, 5.0, 0.0])  # about y
    with_nan = lab_to_model(_grf(force, np.full_like(cop, np.nan), moment))
    assert np.isnan(with_nan.cop_m).all()
    back = model_to_lab(model)
    np.testing.assert_array_equal(back.force_n, force)


def test_y_up_lab_is_already_the_model_frame() -> None:
    lab = _markers(np.array([[[1.0, 2.0, 3.0]]]))
    model = lab_to_model(lab, vertical_axis="y")
    np.testing.assert_array_equal(model.positions_m, lab.positions_m)
    assert model.frame == "model"


def test_frame_errors_name_the_source() -> None:
    model = _markers(np.zeros((1, 1, 3)), frame="model")
    with pytest.raises(InputError, match="synthetic"):
        lab_to_model(model)
    with pytest.raises(InputError, match="vertical_axis"):
        lab_to_model(_markers(np.zeros((1, 1, 3))), vertical_axis="x")
    with pytest.raises(InputError, match="synthetic"):
        rotate_180_about_vertical(_markers(np.zeros((1, 1, 3))))


def test_rotate_180_preserves_handedness() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(2, 50, 3))
    pts = np.stack([a, b, np.cross(a, b)], axis=1)  # (50, 3 markers, 3)
    turned = rotate_180_about_vertical(_markers(pts, frame="model")).positions_m
    np.testing.assert_allclose(turned[:, 0], a * [-1, 1, -1])
    # the turned cross product is the cross product of the turned vectors (det = +1)
    np.testing.assert_allclose(np.cross(turned[:, 0], turned[:, 1]), turned[:, 2], atol=1e-12)
    twice = rotate_180_about_vertical(rotate_180_about_vertical(_markers(pts, frame="model")))
    np.testing.assert_allclose(twice.positions_m, pts)
    f = np.array([[[50.0, 700.0, -20.0]]])
    g = rotate_180_about_vertical(_grf(f, f / 1000, f / 100, frame="model"))
    np.testing.assert_array_equal(g.force_n[0, 0], [-50.0, 700.0, 20.0])
    np.testing.assert_array_equal(g.free_moment_nm[0, 0], [-0.5, 7.0, 0.2])


@pytest.mark.validation
def test_lab_to_model_matches_grand_challenge_ik(shared_data: Path) -> None:
    """The challenge's IK ground is the C3D lab after OpenSim's rotation (data README): the
    pelvis-marker centroid, converted, follows pelvis_tx/ty/tz up to a constant offset
    (measured spread 1-3 mm per axis; offset 73 mm along x, 2 mm in y and z)."""
    folder = shared_data / "grand_challenge_knee_loads_JW"
    trial = read_c3d(folder / "c3d" / "jw_ngait_og3.c3d")
    model = lab_to_model(trial.markers, trial.vertical_axis)
    pelvis = np.mean([model.marker(n) for n in ("RAsis", "LAsis", "RPsis", "LPsis")], axis=0)
    ik = pd.read_csv(folder / "ik" / "IK_ngait_og3_with_fluoro.mot", sep=r"\s+", skiprows=6)
    frames = np.round((ik["time"].to_numpy() - model.time_s[0]) * trial.point_rate_hz).astype(int)
    assert frames.min() >= 0  # IK times sit on the C3D frames (within 0.2 frame)
    diff = pelvis[frames] - ik[["pelvis_tx", "pelvis_ty", "pelvis_tz"]].to_numpy()
    assert np.all(np.nanstd(diff, axis=0) < 0.01)  # [m] constant offset only
    assert np.all(np.abs(np.nanmean(diff, axis=0)) < 0.15)  # pelvis origin near its markers
    # a wrong sign or axis would move with the 2 m walk: check one
    wrong = (
        pelvis[frames][:, [0, 2, 1]] * [1, 1, -1]
        - ik[["pelvis_tx", "pelvis_ty", "pelvis_tz"]].to_numpy()
    )
    assert np.nanstd(wrong, axis=0).max() > 0.01 or np.abs(np.nanmean(wrong, axis=0)).max() > 0.5


# ------------------------------------------------------------------------------------------
# plates → feet


def _two_step_trial(
    rate: float = 1000.0,
) -> tuple[GroundReactionData, dict[str, np.ndarray], np.ndarray]:
    """Right foot on plate 1 (x = 0.3) 0.2-0.8 s, left foot on plate 2 (x = 0.9) 0.7-1.3 s."""
    t = np.arange(0.0, 1.5, 1 / rate)
    n = t.size
    force = np.zeros((n, 2, 3))
    cop = np.full((n, 2, 3), np.nan)
    for p, (on, x, y) in enumerate([(0.2, 0.3, 0.1), (0.7, 0.9, -0.1)]):
        stance = (t >= on) & (t <= on + 0.6)
        force[stance, p, 2] = 700.0 * np.sin(np.pi * (t[stance] - on) / 0.6)
        cop[stance, p] = [x, y, 0.0]
    grf = _grf(force, cop, np.zeros((n, 2, 3)))
    tm = np.arange(0.0, 1.5, 0.01)
    right = np.tile([0.3, 0.1, 0.05], (tm.size, 1))
    left = np.tile([0.9, -0.1, 0.05], (tm.size, 1))
    right[tm > 0.85] = [1.5, 0.1, 0.3]  # swinging away after its stance
    left[tm < 0.65] = [-0.3, -0.1, 0.3]
    return grf, {"right": right, "left": left}, tm


def test_assign_plates_to_feet_overground() -> None:
    grf, feet, tm = _two_step_trial()
    out = assign_plates_to_feet(grf, feet, tm)
    assert out.foot == ("right", "left")
    np.testing.assert_array_equal(out.force_n, grf.force_n)
    assert grf.foot == (None, None)  # input untouched


def test_assign_plates_to_feet_treadmill_split() -> None:
    """One plate touched alternately by both feet → one pseudo-plate per foot."""
    grf, feet, tm = _two_step_trial()
    merged = grf.force_n.sum(axis=1, keepdims=True)
    cop = np.where(grf.force_n[:, :1, 2:] > 0, grf.cop_m[:, :1], grf.cop_m[:, 1:])
    one = _grf(merged, cop, np.zeros_like(merged))
    out = assign_plates_to_feet(one, feet, tm)
    # double support 0.7-0.8 s merges both feet into one contact: only valid with no overlap
    assert out.labels == ("plate1",) and out.foot == ("right",)

    # without double support (running, or a split-belt treadmill that mixes feet)
    t = one.time_s
    gap = (t > 0.68) & (t < 0.82)
    force = np.where(gap[:, None, None], 0.0, merged)
    out = assign_plates_to_feet(_grf(force, cop, np.zeros_like(force)), feet, tm)
    assert out.labels == ("plate1_right", "plate1_left")
    assert out.foot == ("right", "left")
    right, left = out.force_n[:, 0, 2], out.force_n[:, 1, 2]
    loaded = force[:, 0, 2] > 20.0  # samples below the threshold belong to no contact
    np.testing.assert_array_equal((right + left)[loaded], force[loaded, 0, 2])
    assert np.all(force[~loaded, 0, 2] - (right + left)[~loaded] <= 20.0)
    assert right[t > 0.85].max() == 0.0 and left[t < 0.65].max() == 0.0
    assert np.isnan(out.cop_m[t > 0.85, 0]).all()


def test_assign_plates_rejects_bad_feet() -> None:
    grf, feet, tm = _two_step_trial()
    with pytest.raises(InputError, match="foot_positions"):
        assign_plates_to_feet(grf, {"middle": feet["right"]}, tm)
    with pytest.raises(InputError, match="foot_positions"):
        assign_plates_to_feet(grf, {"right": feet["right"][:, :2]}, tm)


# ------------------------------------------------------------------------------------------
# contact intervals, strides


def _half_sine(t: np.ndarray, on: float, duration: float, amplitude: float) -> np.ndarray:
    phase = (t - on) / duration
    return np.where((phase >= 0) & (phase <= 1), amplitude * np.sin(np.pi * phase), 0.0)


def test_contact_intervals_at_analytic_threshold_crossings() -> None:
    t = np.arange(0.0, 3.0, 0.001)
    force = _half_sine(t, 0.5037, 0.65, 750.0) + _half_sine(t, 1.6021, 0.62, 700.0)
    got = contact_intervals(t, force, 20.0)
    expected = []
    for on, dur, amp in [(0.5037, 0.65, 750.0), (1.6021, 0.62, 700.0)]:
        lead = dur / np.pi * np.arcsin(20.0 / amp)
        expected.append((on + lead, on + dur - lead))
    np.testing.assert_allclose(np.array(got), np.array(expected), atol=1e-6)


def test_contact_intervals_reject_noise() -> None:
    t = np.arange(0.0, 2.0, 0.001)
    force = _half_sine(t, 0.5, 0.6, 700.0)
    force[(t > 1.5) & (t < 1.51)] = 60.0  # 10 ms knock above the threshold: not a contact
    dip = (t > 0.5 + 0.3) & (t < 0.5 + 0.305)
    force[dip] = 10.0  # 5 ms drop-out inside the stance: bridged
    force[t > 1.9] = np.nan  # NaN: no contact
    got = contact_intervals(t, force, 20.0)
    assert len(got) == 1
    assert got[0][0] == pytest.approx(0.5, abs=0.01) and got[0][1] == pytest.approx(1.1, abs=0.01)


def test_contact_intervals_partial_contacts() -> None:
    t = np.arange(0.0, 1.0, 0.001)
    force = _half_sine(t, -0.3, 0.6, 700.0) + _half_sine(t, 0.6, 0.6, 700.0)
    assert contact_intervals(t, force) == []
    both = contact_intervals(t, force, include_partial=True)
    assert len(both) == 2 and both[0][0] == 0.0 and both[1][1] == pytest.approx(t[-1])


def test_contact_intervals_errors() -> None:
    with pytest.raises(InputError, match="vertical_force_n"):
        contact_intervals(np.arange(3.0), np.zeros(4))
    with pytest.raises(InputError, match="time_s"):
        contact_intervals(np.array([0.0, 0.0, 1.0]), np.zeros(3))


def test_strides() -> None:
    contacts = [(1.0, 1.65), (2.1, 2.75), (3.2, 3.85), (5.5, 6.1)]
    assert strides(contacts) == [(1.0, 2.1), (2.1, 3.2), (3.2, 5.5)]
    assert strides(contacts, max_duration_s=1.6) == [(1.0, 2.1), (2.1, 3.2)]
    assert strides([3.2, 1.0, 2.1]) == [(1.0, 2.1), (2.1, 3.2)]
    assert strides([]) == []
    with pytest.raises(InputError, match="foot_contact_times"):
        strides([(1.0, 2.5), (2.0, 3.0)])


# ------------------------------------------------------------------------------------------
# time normalisation


@pytest.mark.parametrize("kind", ["linear", "cubic"])
def test_time_normalise_linear_function_is_exact(kind: str) -> None:
    t = np.arange(0.0, 2.0, 0.01)
    values = np.stack([3.0 * t + 2.0, -t], axis=1)[:, None, :]  # (n, 1, 2)
    start, end = 0.4137, 1.5521
    pct, out = time_normalise(t, values, start, end, kind=kind)
    np.testing.assert_allclose(pct, np.arange(101.0))
    tq = start + pct / 100 * (end - start)
    assert out.shape == (101, 1, 2)
    np.testing.assert_allclose(out[:, 0, 0], 3.0 * tq + 2.0, atol=1e-12)
    np.testing.assert_allclose(out[:, 0, 1], -tq, atol=1e-12)


def test_time_normalise_nan_and_errors() -> None:
    t = np.arange(0.0, 1.0, 0.1)
    v = t.copy()
    v[5] = np.nan
    _, lin = time_normalise(t, v, 0.0, 0.9, n_points=10)
    assert np.isnan(lin[5]) and np.isfinite(lin[[0, 3, 7, 9]]).all()
    with pytest.raises(InputError, match="cubic"):
        time_normalise(t, v, 0.0, 0.9, kind="cubic")
    with pytest.raises(InputError, match="start/end"):
        time_normalise(t, t, 0.5, 1.5)
    with pytest.raises(InputError, match="kind"):
        time_normalise(t, t, 0.0, 0.5, kind="quadratic")


# ------------------------------------------------------------------------------------------
# Butterworth low-pass


def _amplitude(x: np.ndarray) -> float:
    return float((x.max() - x.min()) / 2)


@pytest.mark.parametrize("rate", [100.0, 1000.0])
def test_lowpass_passes_1hz_and_stops_30hz(rate: float) -> None:
    t = np.arange(0.0, 10.0, 1 / rate)
    middle = (t > 2.0) & (t < 8.0)  # away from the edges
    slow = lowpass(np.sin(2 * np.pi * 1.0 * t), rate, 6.0)
    fast = lowpass(np.sin(2 * np.pi * 30.0 * t), rate, 6.0)
    assert abs(_amplitude(slow[middle]) - 1.0) < 0.01
    assert _amplitude(fast[middle]) < 0.01


def test_lowpass_is_zero_lag_and_minus_3db_at_cutoff() -> None:
    """Winter (2009) §3.4: with the cut-off corrected for the two passes the zero-lag filter
    has gain 1/sqrt(2) at the cut-off itself, and no phase shift."""
    rate = 200.0
    t = np.arange(0.0, 20.0, 1 / rate)
    middle = (t > 5.0) & (t < 15.0)
    x = np.sin(2 * np.pi * 6.0 * t)
    y = lowpass(x, rate, 6.0, 4)
    assert _amplitude(y[middle]) == pytest.approx(1 / np.sqrt(2), rel=0.01)
    w = 2 * np.pi * 6.0 * t[middle]
    phase = np.arctan2(y[middle] @ np.cos(w), y[middle] @ np.sin(w))  # 0 for sin(w)
    assert abs(phase) < 1e-3  # [rad]
    # 6 Hz at 100 Hz: each 2nd-order pass designed at about 7.4 Hz (Winter's 0.802 factor)
    assert butterworth_design_cutoff_hz(6.0, 100.0, 4) == pytest.approx(7.43, abs=0.01)


def test_lowpass_nan_gaps() -> None:
    rate = 100.0
    t = np.arange(0.0, 5.0, 1 / rate)
    x = np.stack([np.sin(2 * np.pi * t), np.cos(2 * np.pi * t)], axis=1)
    x[:20, 0] = np.nan  # leading: stays NaN
    x[200:205, 0] = np.nan  # 50 ms: filled
    x[300:340, 0] = np.nan  # 400 ms: stays NaN, each side filtered alone
    y = lowpass(x, rate, 6.0, max_gap_s=0.1)
    assert y.shape == x.shape
    assert np.isnan(y[:20, 0]).all() and np.isfinite(y[20:300, 0]).all()
    assert np.isnan(y[300:340, 0]).all() and np.isfinite(y[340:, 0]).all()
    np.testing.assert_allclose(y[200:205, 0], np.sin(2 * np.pi * t[200:205]), atol=0.01)
    np.testing.assert_allclose(y[50:450, 1], np.cos(2 * np.pi * t[50:450]), atol=0.01)


def test_lowpass_errors() -> None:
    with pytest.raises(InputError, match="cutoff_hz"):
        lowpass(np.zeros(100), 100.0, 50.0)
    with pytest.raises(InputError, match="order"):
        lowpass(np.zeros(100), 100.0, 6.0, 3)
