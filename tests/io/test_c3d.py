"""Tests of kneeload.io.c3d.read_c3d against the real C3D files of ../shared/data.

Expected values are facts about the data (body weight, OpenSim's own conversion of the same
files, the Grand Challenge load-cell and EMG files, the events Fukuchi et al. stored in their
C3D), never this reader's own output.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kneeload.exceptions import InputError
from kneeload.io.c3d import C3DTrial, read_c3d
from kneeload.io.events import contact_intervals
from kneeload.io.frames import assign_plates_to_feet, lab_to_model

G = 9.80665
LBF_TO_N = 4.4482216
#: JW's mass: not in the files; "about 70 kg is consistent with the force plates" (data README)
JW_MASS_KG = 70.0
#: Fukuchi et al. 2018 WBDS01: "body mass ≈ 68.9 kg (from mean vertical force)" (data README)
FUKUCHI_MASS_KG = 68.9

pytestmark = pytest.mark.validation


def _jw(shared: Path, trial: str) -> C3DTrial:
    return read_c3d(shared / "grand_challenge_knee_loads_JW" / "c3d" / f"jw_ngait_{trial}.c3d")


def _jw_feet(trial: C3DTrial) -> dict[str, np.ndarray]:
    """Heel → toe polyline per foot (NIH marker set labels: RHeel, RToe, LHeel, LToe)."""
    m = trial.markers
    return {
        "right": np.stack([m.marker("RHeel"), m.marker("RToe")], axis=1),
        "left": np.stack([m.marker("LHeel"), m.marker("LToe")], axis=1),
    }


def _read_sto(path: Path) -> pd.DataFrame:
    """OpenSim storage: skip the header up to ``endheader``."""
    lines = path.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "endheader") + 1
    return pd.read_csv(path, sep=r"\s+", skiprows=start)


# ------------------------------------------------------------------------------------------
# every file


def test_every_c3d_reads_in_si_units(shared_data: Path) -> None:
    files = sorted(shared_data.rglob("*.c3d"))
    assert len(files) >= 10
    for path in files:
        trial = read_c3d(path)
        m, f = trial.markers, trial.forces
        assert m.frame == f.frame == "lab", path
        assert m.positions_m.shape == (m.time_s.size, len(m.labels), 3), path
        assert np.allclose(np.diff(m.time_s), 1 / trial.point_rate_hz), path
        assert m.time_s[0] == pytest.approx(trial.first_frame / trial.point_rate_hz)
        valid = m.positions_m[np.isfinite(m.positions_m)]
        # metres: a lab is a few metres across (in mm the median would be hundreds)
        assert np.median(np.abs(valid)) < 5.0, path
        assert f.force_n.shape == (f.time_s.size, len(f.labels), 3), path
        assert f.time_s.size == trial.analogs.time_s.size, path
        if f.time_s.size:
            assert np.allclose(np.diff(f.time_s), 1 / trial.analog_rate_hz), path
            assert f.time_s[0] == pytest.approx(m.time_s[0])
        assert trial.vertical_axis in ("y", "z")
        assert not any(trial.force_sign_flipped), path
        assert all(foot is None for foot in f.foot)


def test_heel_marker_a_few_cm_high_in_stance(shared_data: Path) -> None:
    trial = _jw(shared_data, "og3")
    heel = trial.markers.marker("RHeel")
    on, off = contact_intervals(trial.forces.time_s, trial.forces.force_n[:, 1, 2])[0]
    stance = (trial.markers.time_s > on) & (trial.markers.time_s < off)
    height = heel[stance, 2]
    assert 0.01 < np.nanmin(height) < 0.08  # m: heel marker on the shoe, foot flat


# ------------------------------------------------------------------------------------------
# force sign and magnitude


@pytest.mark.parametrize("name", ["og1", "og3", "og7"])
def test_jw_vertical_force_is_upward_about_body_weight(shared_data: Path, name: str) -> None:
    trial = _jw(shared_data, name)
    f = trial.forces
    fz = f.force_n[:, :, 2]
    weight = JW_MASS_KG * G
    ons = []
    for p in range(fz.shape[1]):
        (on, _off), *rest = contact_intervals(f.time_s, fz[:, p])
        assert not rest  # one stance per plate
        ons.append(on)
        # the stance peak of a walking vertical GRF is 1.0-1.3 body weights
        assert 0.9 * weight < fz[:, p].max() < 1.4 * weight
    # impulse over one step (heel strike to next heel strike, all contacts on plates):
    # mean total vertical force = body weight (measured 646-655 N, i.e. 66-67 kg)
    a, b = sorted(ons)[1:3]
    window = (f.time_s >= a) & (f.time_s < b)
    mean_total = fz[window].sum(axis=1).mean()
    assert mean_total == pytest.approx(weight, rel=0.10)


def test_jw_horizontal_force_brakes_then_propels(shared_data: Path) -> None:
    """Ground-on-body sign: early stance opposes the walking direction, late stance follows it."""
    trial = _jw(shared_data, "og3")
    m, f = trial.markers, trial.forces
    sacral = m.marker("Sacral")[:, 0]
    direction = np.sign(np.nanmean(np.diff(sacral)))
    assert direction == -1  # JW walks toward -x (data README)
    for p in range(3):
        on, off = contact_intervals(f.time_s, f.force_n[:, p, 2])[0]
        t = (f.time_s - on) / (off - on)
        fx = f.force_n[:, p, 0] * direction  # along the walking direction
        assert fx[(t > 0.02) & (t < 0.2)].mean() < -10.0  # braking [N]
        assert fx[(t > 0.8) & (t < 0.98)].mean() > 10.0  # propulsion [N]


def test_fukuchi_body_mass_from_mean_vertical_force(shared_data: Path) -> None:
    """Treadmill, 30 s: the mean total vertical force is body weight.

    The raw C3D gives 662.6 N = 67.6 kg (plates read -30 to -58 N in swing: zero offset).
    The data README's 68.9 kg comes from the OpenSim conversion, where negative readings were
    clipped to zero: clipping the raw C3D the same way gives 69.0 kg.
    """
    trial = read_c3d(shared_data / "fukuchi2018_WBDS01" / "raw_c3d" / "WBDS01walkT01.c3d")
    assert trial.vertical_axis == "y"  # this lab is y up (plate normal, POINT:Y_SCREEN)
    fy = trial.forces.force_n[:, :, 1]
    assert trial.forces.time_s[-1] - trial.forces.time_s[0] == pytest.approx(30.0, abs=0.01)
    mass_raw = fy.sum(axis=1).mean() / G
    mass_clipped = np.clip(fy, 0.0, None).sum(axis=1).mean() / G
    assert mass_raw == pytest.approx(FUKUCHI_MASS_KG, rel=0.03)
    assert mass_clipped == pytest.approx(FUKUCHI_MASS_KG, abs=0.3)
    mot = _read_sto(
        shared_data / "fukuchi2018_WBDS01" / "opensim_converted" / "WBDS01walkT01_grf.mot"
    )
    mass_mot = (mot["ground_force_vy1"] + mot["ground_force_vy2"]).mean() / G
    assert mass_mot == pytest.approx(FUKUCHI_MASS_KG, abs=0.05)


def test_fukuchi_contacts_match_the_files_own_events(shared_data: Path) -> None:
    """Right-foot contacts we detect start at the authors' RON events (EVENT group)."""
    import ezc3d

    path = shared_data / "fukuchi2018_WBDS01" / "raw_c3d" / "WBDS01walkT01.c3d"
    trial = read_c3d(path)
    markers = lab_to_model(trial.markers, trial.vertical_axis)
    forces = lab_to_model(trial.forces, trial.vertical_axis)
    feet = {
        side: np.stack(
            [markers.marker(f"{s}.MT1"), markers.marker(f"{s}.Heel"), markers.marker(f"{s}.MT5")],
            axis=1,
        )
        for side, s in (("right", "R"), ("left", "L"))
    }
    assigned = assign_plates_to_feet(forces, feet, markers.time_s)
    assert assigned.foot == ("left", "right")  # one belt per foot
    ons = [on for on, _ in contact_intervals(assigned.time_s, assigned.force_n[:, 1, 1])]

    events = ezc3d.c3d(str(path))["parameters"]["EVENT"]
    times = np.asarray(events["TIMES"]["value"])
    labels = events["LABELS"]["value"]
    ron = np.sort([60 * times[0, i] + times[1, i] for i, lab in enumerate(labels) if lab == "RON"])
    # every complete right contact matches one RON event within 1.5 marker frames (10 ms)
    nearest = np.array([np.min(np.abs(ron - t)) for t in ons])
    assert len(ons) >= 15
    assert nearest.max() < 0.010, nearest.max()


# ------------------------------------------------------------------------------------------
# OpenSim's own conversion of the same files (lab frame, mm, N, N·mm)


@pytest.mark.parametrize("name", ["walking2", "walking5"])
def test_agrees_with_opensim_c3dfileadapter(shared_data: Path, name: str) -> None:
    """OpenSim's test standards ``std_*`` (C3DFileAdapter, downsampled: markers every 10th
    frame, forces every 100th sample) are in the **lab** frame, mm and N·mm. Measured maxima:
    markers 0.05 mm (the .trc's 5 significant digits), forces 0 N, CoP < 1e-8 m, free moment
    < 1e-8 N·m."""
    folder = shared_data / "c3d_samples" / "opensim_core_treadmill"
    trial = read_c3d(folder / f"{name}.c3d")
    m, f = trial.markers, trial.forces

    trc = pd.read_csv(folder / f"std_{name}_markers.trc", sep="\t", skiprows=5, header=None)
    frames = np.round(trc[1].to_numpy() * trial.point_rate_hz).astype(int)
    theirs = trc.iloc[:, 2 : 2 + 3 * len(m.labels)].to_numpy(float).reshape(len(trc), -1, 3)
    ours = m.positions_m[frames] * 1000.0
    assert np.array_equal(np.isnan(theirs), np.isnan(ours))  # same missing markers
    # the .trc prints 5 significant digits: half a unit of the last digit (0.05 mm at 1 m),
    # +1 % for ties of the float32 values (-885.745 printed -885.75)
    ok = np.isfinite(theirs)
    half_digit = 0.5 * 10.0 ** (np.floor(np.log10(np.maximum(np.abs(theirs[ok]), 1e-9))) - 4)
    assert np.all(np.abs(ours[ok] - theirs[ok]) <= 1.01 * half_digit)
    assert np.abs(ours[ok] - theirs[ok]).max() <= 0.0501  # mm

    grf = _read_sto(folder / f"std_{name}_grfs.sto")
    cop = _read_sto(folder / f"std_cop_{name}_grfs.sto")
    samples = np.round(grf["time"].to_numpy() * trial.analog_rate_hz).astype(int)
    for p in range(2):
        k = p + 1
        force = grf[[f"f{k}_1", f"f{k}_2", f"f{k}_3"]].to_numpy()
        assert np.abs(f.force_n[samples, p] - force).max() < 1e-3
        loaded = force[:, 2] > 50.0
        assert loaded.sum() >= 5  # 101 rows, 0.05 s apart: 9-17 in stance
        point = cop[[f"p{k}_1", f"p{k}_2", f"p{k}_3"]].to_numpy() / 1000.0
        assert np.abs(f.cop_m[samples, p][loaded] - point[loaded]).max() < 1e-4
        torque = cop[[f"m{k}_1", f"m{k}_2", f"m{k}_3"]].to_numpy() / 1000.0
        assert np.abs(f.free_moment_nm[samples, p][loaded] - torque[loaded]).max() < 1e-3

        # and after the lab → model conversion, OpenSim's columns map as x, z, -y
        model = lab_to_model(f)
        assert np.abs(model.force_n[samples, p] - force[:, [0, 2, 1]] * [1, 1, -1]).max() < 1e-3
        got = model.cop_m[samples, p][loaded]
        assert np.abs(got - point[loaded][:, [0, 2, 1]] * [1, 1, -1]).max() < 1e-4


# ------------------------------------------------------------------------------------------
# Grand Challenge: time base, right-foot stances, implant force


def test_jw_time_base_matches_load_cell_and_emg_files(shared_data: Path) -> None:
    """The C3D starts at frame 217 (1.808 s). The challenge's load-cell, EMG and IK files start
    at 1.80667 s, i.e. 1/600 s (0.2 frame) earlier, sample for sample the same data: their
    GRFz column is plate 1's vertical force at lag 0 and their EMG is the C3D's at lag 0."""
    folder = shared_data / "grand_challenge_knee_loads_JW"
    trial = _jw(shared_data, "og3")
    assert trial.first_frame == 217
    assert trial.time_s[0] == pytest.approx(217 / 120)
    knee = pd.read_csv(folder / "eknee_forces" / "jw_ngait_og3_knee_forces.csv", index_col=False)
    assert len(knee) == trial.time_s.size
    offset = knee["Time(sec)"].to_numpy() - trial.time_s
    assert np.all(np.abs(offset) < 0.5 / 120)  # within half a frame (measured -1/600 s)
    plate1 = trial.forces.force_n[::10, 0, 2]  # 1200 → 120 Hz, sample-aligned
    assert np.corrcoef(plate1, knee["GRFz"])[0, 1] > 0.999

    emg = pd.read_csv(folder / "emg" / "jw_ngait_og3_emg.csv", index_col=False)
    assert len(emg) == trial.analogs.time_s.size
    assert trial.analogs.rate_hz == 1200.0
    for channel in ("vasmed", "semimem"):
        r = np.corrcoef(trial.analogs.channel(channel), emg[channel])[0, 1]
        assert r > 0.95, channel


@pytest.mark.parametrize("name", ["og1", "og3", "og7"])
def test_jw_right_foot_on_plates_2_and_3(shared_data: Path, name: str) -> None:
    """Measured (og3): right 2.066-2.797 s (plate 2) and 3.197-3.945 s (plate 3), left
    2.643-3.358 s (plate 1)."""
    trial = _jw(shared_data, name)
    forces = assign_plates_to_feet(trial.forces, _jw_feet(trial), trial.markers.time_s)
    assert forces.foot == ("left", "right", "right")
    right = [contact_intervals(forces.time_s, forces.force_n[:, p, 2]) for p in (1, 2)]
    assert all(len(c) == 1 for c in right)
    (on1, off1), (on2, off2) = right[0][0], right[1][0]
    assert 0.6 < off1 - on1 < 0.85 and 0.6 < off2 - on2 < 0.85  # walking stance [s]
    assert 0.95 < on2 - on1 < 1.35  # one right stride [s]
    (lon, loff), *_ = contact_intervals(forces.time_s, forces.force_n[:, 0, 2])
    assert on1 < lon < off1  # left heel strike during right stance: double support
    assert on2 < loff < off2  # left toe-off after the next right heel strike


def test_jw_implant_force_peaks_in_right_stance(shared_data: Path) -> None:
    """Total axial force (PM+AM+AL+PL) × 4.4482216 N (data README) on the C3D time base.

    Its main stance bout (the span above 500 N that holds the 1.6 kN peak, 2.13-2.73 s) lies
    in the first right contact, and it is above 500 N at mid-stance of both right contacts.
    Not every span above 500 N is in stance: the implant also reads 0.9-1.0 kN for ~0.1 s
    just before each right heel strike (late swing, 1.95-2.05 s and 3.11-3.20 s).
    """
    trial = _jw(shared_data, "og3")
    forces = assign_plates_to_feet(trial.forces, _jw_feet(trial), trial.markers.time_s)
    right = [
        c
        for p, foot in enumerate(forces.foot)
        if foot == "right"
        for c in contact_intervals(forces.time_s, forces.force_n[:, p, 2])
    ]
    knee = pd.read_csv(
        shared_data
        / "grand_challenge_knee_loads_JW"
        / "eknee_forces"
        / "jw_ngait_og3_knee_forces.csv",
        index_col=False,
    )
    t = knee["Time(sec)"].to_numpy()
    total = knee[["PM", "AM", "AL", "PL"]].sum(axis=1).to_numpy() * LBF_TO_N
    assert total.max() == pytest.approx(1600, rel=0.05)  # "about 1.6 kN" (README)
    peak = int(np.argmax(total))
    high = total > 500.0
    a = peak
    while a > 0 and high[a - 1]:
        a -= 1
    b = peak
    while b < t.size - 1 and high[b + 1]:
        b += 1
    frame = 1 / 120
    assert any(on - frame <= t[a] and t[b] <= off + frame for on, off in right), (t[a], t[b])
    for on, off in right:
        assert np.interp((on + off) / 2, t, total) > 500.0


# ------------------------------------------------------------------------------------------
# analog channels


def test_analog_channels_for_emg(shared_data: Path) -> None:
    trial = _jw(shared_data, "og3")
    a = trial.analogs
    assert a.values.shape == (a.time_s.size, len(a.labels))
    for label in ("vasmed", "vaslat", "rf", "semimem", "bifeml", "medgas", "latgas"):
        assert a.units[a.labels.index(label)] == "V"
        assert np.isfinite(a.channel(label)).all()
    with pytest.raises(InputError, match="nosuchchannel"):
        a.channel("nosuchchannel")


def test_gait_c3d_duplicate_labels_are_made_unique(shared_data: Path) -> None:
    trial = read_c3d(shared_data / "c3d_samples" / "bmc_overground_emg" / "Gait.c3d")
    labels = trial.markers.labels
    assert len(set(labels)) == len(labels)
    assert "RKNE" in labels and "RKNE_2" in labels
    # forces through the calibration matrix (type 4): a walking stance peak, not ±70 N
    fz = trial.forces.force_n[:, :, 2]
    assert 600 < fz.max() < 1200


# ------------------------------------------------------------------------------------------
# bad input


def _real_c3d(shared: Path) -> Path:
    return shared / "c3d_samples" / "opensim_core_treadmill" / "walking2.c3d"


@pytest.mark.parametrize("fraction", [0.5, 0.9])
def test_truncated_file(shared_data: Path, tmp_path: Path, fraction: float) -> None:
    data = _real_c3d(shared_data).read_bytes()
    path = tmp_path / "cut_walking2.c3d"
    path.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(InputError, match=r"cut_walking2\.c3d") as info:
        read_c3d(path)
    assert "frames" in str(info.value)


@pytest.mark.parametrize("n_bytes", [10, 600, 1000, 4000])
def test_file_cut_in_its_header_or_parameters(
    shared_data: Path, tmp_path: Path, n_bytes: int
) -> None:
    """ezc3d 1.7 crashes the interpreter (SIGSEGV) on 1000 bytes of walking2.c3d."""
    path = tmp_path / "stub.c3d"
    path.write_bytes(_real_c3d(shared_data).read_bytes()[:n_bytes])
    with pytest.raises(InputError, match=r"stub\.c3d"):
        read_c3d(path)


@pytest.mark.parametrize("text", ["hello, not a c3d\n", "time,force\n" + "0.0,1.0\n" * 200])
def test_text_file_renamed_c3d(tmp_path: Path, text: str) -> None:
    path = tmp_path / "notes.c3d"
    path.write_text(text)
    with pytest.raises(InputError, match=r"notes\.c3d"):
        read_c3d(path)


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"absent\.c3d"):
        read_c3d(tmp_path / "absent.c3d")
    empty = tmp_path / "empty.c3d"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match=r"empty\.c3d"):
        read_c3d(empty)
