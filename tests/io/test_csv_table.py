"""CSV readers with a declared column map (``kneeload.io.csv_table``).

Round trips on synthetic tables written in non-SI units; Winter (2009) Appendix A read through
the bundled maps against an independent pandas read; the 3-D BMC UFABC stance file checked
against walking physics; every kind of bad input. Sources of the shared data:
``../shared/data/README.md``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kneeload.data import models_dir
from kneeload.exceptions import InputError
from kneeload.io.csv_table import (
    read_column_map,
    read_csv_coordinates,
    read_csv_forces,
    read_csv_markers,
)
from kneeload.io.frames import lab_to_model

MAPS = models_dir() / "column_maps"


def _shared(shared_data: Path, relative: str) -> Path:
    path = shared_data / relative
    if not path.is_file():
        pytest.skip(f"{relative} not in the shared data")
    return path


# ------------------------------------------------------------------------------ (a) round trip

ROUND_TRIP_MAP = """
[meta]
source = "synthetic round-trip table"
units = "mm, N, N*mm, deg, ms"

[table]
delimiter = ";"
header_row = 2
skip_after_header = 1
comment = "#"

[time]
column = "t_ms"
unit = "ms"
rate_hz = 200

[units]
length = "mm"
force = "N"
moment = "N·mm"
angle = "deg"

[frame]
name = "lab"
vertical_axis = "z"

[markers]
RKNE = ["RKNE_X", "RKNE_Y", "RKNE_Z"]
RANK = ["RANK_X", "RANK_Y", "RANK_Z"]

[[plates]]
label = "FP1"
foot = "right"
force = ["F1x", "F1y", "F1z"]
cop = ["P1x", "P1y", "P1z"]
free_moment = [0, 0, "T1z"]

[[plates]]
label = "FP2"
force = ["F2x", "F2y", "F2z"]
cop = ["P2x", "P2y", 0]

[coordinates.angles]
knee_angle_r = "knee_deg"
[coordinates.lengths]
pelvis_tx = "pelvis_tx_mm"
"""


def _write_round_trip(folder: Path, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Random SI data, written as a ';' table in ms/mm/N/N·mm/deg with gaps as blank cells."""
    n = 40
    si = {
        "time": 0.25 + np.arange(n) / 200.0,
        "markers": rng.normal(0.0, 0.5, (n, 2, 3)),
        "force": rng.normal(0.0, 300.0, (n, 2, 3)),
        "cop": rng.normal(0.0, 0.2, (n, 2, 3)),
        "free": rng.normal(0.0, 5.0, n),
        "knee": rng.uniform(0.0, 1.2, n),
        "pelvis": rng.normal(0.0, 1.0, n),
    }
    si["cop"][:, 1, 2] = 0.0  # plate 2 declares CoP z as the constant 0
    si["markers"][[3, 4, 5], 0, :] = np.nan  # RKNE occluded for three frames
    si["markers"][7, 1, 2] = np.nan
    columns: dict[str, np.ndarray] = {"t_ms": si["time"] * 1e3}
    for m, name in enumerate(("RKNE", "RANK")):
        for a, axis in enumerate("XYZ"):
            columns[f"{name}_{axis}"] = si["markers"][:, m, a] * 1e3
    for p in (0, 1):
        for a, axis in enumerate("xyz"):
            columns[f"F{p + 1}{axis}"] = si["force"][:, p, a]
            if not (p == 1 and axis == "z"):
                columns[f"P{p + 1}{axis}"] = si["cop"][:, p, a] * 1e3
    columns["T1z"] = si["free"] * 1e3
    columns["knee_deg"] = np.degrees(si["knee"])
    columns["pelvis_tx_mm"] = si["pelvis"] * 1e3
    columns["notes"] = np.zeros(n)  # an unmapped column, written as text below

    names = list(columns)
    lines = ["# exported by a synthetic lab", ";".join(names), ";".join(["unit"] * len(names))]
    for i in range(n):
        cells = ["" if np.isnan(columns[c][i]) else repr(float(columns[c][i])) for c in names]
        cells[-1] = "ok"
        lines.append(";".join(cells))
        if i == 10:
            lines.append("# a comment inside the data")
    (folder / "trial.csv").write_text("\n".join(lines) + "\n")
    (folder / "map.toml").write_text(ROUND_TRIP_MAP)
    return si


def test_round_trip_markers_forces_coordinates_in_si(tmp_path: Path) -> None:
    si = _write_round_trip(tmp_path, np.random.default_rng(20261125))
    cmap = read_column_map(tmp_path / "map.toml")
    csv_path = tmp_path / "trial.csv"

    markers = read_csv_markers(csv_path, cmap)
    assert markers.labels == ("RKNE", "RANK")
    assert markers.frame == "lab" and cmap.vertical_axis == "z"
    np.testing.assert_allclose(markers.time_s, si["time"], rtol=1e-12)
    assert markers.rate_hz == 200.0
    np.testing.assert_allclose(markers.positions_m, si["markers"], rtol=1e-12)  # NaN == NaN
    assert np.isnan(markers.positions_m[3:6, 0]).all()  # blank cells are gaps, not zeros

    forces = read_csv_forces(csv_path, tmp_path / "map.toml")  # a map path works as well
    assert forces.labels == ("FP1", "FP2") and forces.foot == ("right", None)
    np.testing.assert_allclose(forces.force_n, si["force"], rtol=1e-12)
    np.testing.assert_allclose(forces.cop_m, si["cop"], rtol=1e-12)
    np.testing.assert_allclose(forces.free_moment_nm[:, 0, 2], si["free"], rtol=1e-12)
    assert np.all(forces.free_moment_nm[:, 0, :2] == 0) and np.all(forces.free_moment_nm[:, 1] == 0)

    coordinates = read_csv_coordinates(csv_path, cmap)
    assert coordinates.names == ("knee_angle_r", "pelvis_tx")
    np.testing.assert_allclose(coordinates.coordinate("knee_angle_r"), si["knee"], rtol=1e-12)
    np.testing.assert_allclose(coordinates.coordinate("pelvis_tx"), si["pelvis"], rtol=1e-12)

    # the declared frame is what io.frames needs: z-up lab -> model (y up)
    model = lab_to_model(markers, cmap.vertical_axis)
    np.testing.assert_allclose(model.positions_m[..., 1], si["markers"][..., 2], rtol=1e-12)


def test_rate_instead_of_time_column(tmp_path: Path) -> None:
    (tmp_path / "t.tsv").write_text("a\tb\n1\t2\n3\t\n5\t6\n")
    (tmp_path / "m.toml").write_text(
        '[time]\nrate_hz = 100\n[units]\nlength = "m"\n[frame]\nvertical_axis = "y"\n'
        '[table]\ndelimiter = "tab"\n[markers]\np = ["a", "b", 0.5]\n'
    )
    markers = read_csv_markers(tmp_path / "t.tsv", tmp_path / "m.toml")
    np.testing.assert_allclose(markers.time_s, [0.0, 0.01, 0.02])
    assert markers.rate_hz == 100.0
    np.testing.assert_array_equal(
        markers.positions_m[:, 0], [[1, 2, 0.5], [3, np.nan, 0.5], [5, 6, 0.5]]
    )


# ------------------------------------------------------------------- (b) Winter, Appendix A


@pytest.mark.validation
def test_winter_a1_markers_equal_an_independent_pandas_read(shared_data: Path) -> None:
    csv_path = _shared(shared_data, "winter_appendixA/A1_raw_marker_coords_cm.csv")
    markers = read_csv_markers(csv_path, MAPS / "winter_appendixA_markers.toml")
    table = pd.read_csv(csv_path)
    assert len(table) == 106  # data README: 106 frames
    assert markers.labels == ("ribcage", "hip", "knee", "fibula", "ankle", "heel", "met5", "toe")
    np.testing.assert_array_equal(markers.time_s, table["time_s"].to_numpy())
    for name in markers.labels:
        expected = table[[f"{name}_x_cm", f"{name}_y_cm"]].to_numpy() / 100.0
        np.testing.assert_allclose(markers.marker(name)[:, :2], expected, rtol=1e-12)
        assert np.all(markers.marker(name)[:, 2] == 0.0)
    assert markers.rate_hz == pytest.approx(69.9, rel=0.01)  # data README: ~69.9 Hz


@pytest.mark.validation
def test_winter_a5_ground_reaction_equals_an_independent_pandas_read(shared_data: Path) -> None:
    csv_path = _shared(shared_data, "winter_appendixA/A5_reaction_forces_and_moments.csv")
    forces = read_csv_forces(csv_path, MAPS / "winter_appendixA_forces.toml")
    table = pd.read_csv(csv_path)
    assert forces.foot == ("right",) and forces.frame == "lab"
    np.testing.assert_array_equal(forces.force_n[:, 0, 0], table["foot_ground_Rx_N"].to_numpy())
    np.testing.assert_array_equal(forces.force_n[:, 0, 1], table["foot_ground_Ry_N"].to_numpy())
    np.testing.assert_array_equal(forces.cop_m[:, 0, 0], table["cop_x_m"].to_numpy())
    assert np.all(forces.force_n[:, 0, 2] == 0) and np.all(forces.free_moment_nm == 0)
    assert forces.force_n[:, 0, 1].max() == pytest.approx(612.0, abs=0.5)  # README: peak 612 N


# ------------------------------------------------------------ (c) BMC UFABC 3-D stance (physics)


@pytest.mark.validation
@pytest.mark.parametrize("trial", ["d", "n"])
def test_bmc_stance_vertical_force_and_centre_of_pressure(shared_data: Path, trial: str) -> None:
    """Physics of one walking stance, stated before reading the numbers.

    * y is vertical: during stance Fy is positive and far larger than the horizontal forces.
    * Peak vertical force 1.0-1.3 body weights (walking; DESIGN §4.2: ~1.1-1.25). The file does
      not give the body mass, so body weight comes from the impulse-momentum theorem: over a
      stride the mean vertical ground reaction equals the weight, each foot carrying half in
      symmetric gait, so BW = 2·J / T_stride with J the vertical impulse of this stance. Stance
      is 55-65 % of the cycle in walking (Winter 2009: 60 %), so stance / 0.65 <= T_stride <=
      stance / 0.55; the heel marker narrows this: if it is still swinging forward at the end of
      the file (``_d``), the stride is longer than contact-to-end, and if it has landed again
      (``_n``), shorter.
    * The centre of pressure progresses forward (+x, the walking direction from the markers) by
      a large part of the foot length, and lies under the foot: between the heel and a little
      beyond the metatarsal heads in x, between the 1st and 5th metatarsal markers in z.
    """
    csv_path = _shared(shared_data, f"bmc_ufabc_gait/BiomecII2018_gait_{trial}.txt")
    cmap = read_column_map(MAPS / "bmc_ufabc_BiomecII2018_gait.toml")
    markers = read_csv_markers(csv_path, cmap)
    forces = read_csv_forces(csv_path, cmap)
    np.testing.assert_array_equal(markers.time_s, forces.time_s)
    t = forces.time_s
    force = forces.force_n[:, 0]
    cop = forces.cop_m[:, 0]

    walking = np.sign(markers.marker("FH")[-1, 0] - markers.marker("FH")[0, 0])
    assert walking == 1.0  # the subject walks toward +x

    stance = force[:, 1] > 20.0  # contact threshold (config.GRF_CONTACT_THRESHOLD_N)
    index = np.flatnonzero(stance)
    assert np.all(np.diff(index) == 1)  # one contact
    t_on, t_off = t[index[0]], t[index[-1]]
    peak = force[:, 1].max()
    assert peak > 4 * np.abs(force[:, [0, 2]]).max()

    heel = markers.marker("CA")
    stance_time, to_end = t_off - t_on, t[-1] - t_on
    shortest, longest = stance_time / 0.65, stance_time / 0.55
    if np.gradient(heel[:, 0], t)[-1] > 0.5:  # heel still swinging forward [m/s]
        shortest = max(shortest, to_end)
    else:
        longest = min(longest, to_end)
    impulse = np.trapezoid(np.where(stance, force[:, 1], 0.0), t)
    weight_high, weight_low = 2 * impulse / shortest, 2 * impulse / longest
    assert 1.0 <= peak / weight_high and peak / weight_low <= 1.3

    cop_x = cop[stance, 0]
    assert cop_x[-1] - cop_x[0] > 0.15  # forward, most of a ~0.25 m foot
    assert np.all(cop_x >= heel[stance, 0].min() - 0.02)
    toes = max(markers.marker("FM")[stance, 0].max(), markers.marker("VM")[stance, 0].max())
    assert np.all(cop_x <= toes + 0.08)
    medial, lateral = markers.marker("FM")[stance, 2], markers.marker("VM")[stance, 2]
    assert np.all(cop[stance, 2] >= medial.min() - 0.02)
    assert np.all(cop[stance, 2] <= lateral.max() + 0.02)
    # free moment about the vertical, N·mm -> N·m: a few N·m in walking
    assert 0.5 < np.abs(forces.free_moment_nm[:, 0, 1]).max() < 15.0


# ------------------------------------------------------------------------- (d) bad input

GOOD_CSV = "time,RKNE_x,RKNE_y,RKNE_z\n0.00,1,2,3\n0.01,4,5,6\n0.02,7,8,9\n"
GOOD_MAP = """[time]
column = "time"
[units]
length = "mm"
[frame]
vertical_axis = "z"
[markers]
RKNE = ["RKNE_x", "RKNE_y", "RKNE_z"]
"""


def _files(folder: Path, csv_text: str = GOOD_CSV, map_text: str = GOOD_MAP) -> tuple[Path, Path]:
    (folder / "data.csv").write_text(csv_text)
    (folder / "map.toml").write_text(map_text)
    return folder / "data.csv", folder / "map.toml"


def test_good_files_read(tmp_path: Path) -> None:
    markers = read_csv_markers(*_files(tmp_path))
    np.testing.assert_allclose(markers.marker("RKNE")[1], [0.004, 0.005, 0.006])


CSV_ERRORS = {
    "missing column": (
        GOOD_CSV,
        GOOD_MAP.replace('"RKNE_y"', '"RKNE_Y"'),
        [
            "data.csv: column 'RKNE_Y' (marker RKNE y in the column map map.toml)",
            "a column of that name",
            "did you mean 'RKNE_y'",
            "columns are time, RKNE_x, RKNE_y, RKNE_z",
        ],
    ),
    "non-numeric cell": (
        GOOD_CSV.replace("0.01,4,5", "0.01,4,x5"),
        GOOD_MAP,
        ["data.csv: column 'RKNE_y' (marker RKNE y", "a number", "'x5'", "line 3"],
    ),
    "non-increasing time": (
        GOOD_CSV.replace("0.02,7", "0.01,7"),
        GOOD_MAP,
        ["data.csv: column 'time' (time", "strictly increasing", "lines 3 and 4"],
    ),
    "blank time": (
        GOOD_CSV.replace("0.02,7", ",7"),
        GOOD_MAP,
        ["data.csv: column 'time' (time", "line 4"],
    ),
    "short row": (
        GOOD_CSV.replace("4,5,6", "4,5"),
        GOOD_MAP,
        ["data.csv: line 3", "4 values", "found 3 values"],
    ),
    "duplicated column": (
        GOOD_CSV.replace("RKNE_z", "RKNE_x"),
        GOOD_MAP,
        ["data.csv: column 'RKNE_x'", "appears once"],
    ),
    "no data rows": ("time,RKNE_x,RKNE_y,RKNE_z\n", GOOD_MAP, ["data.csv: data"]),
    "rate disagrees with time": (
        GOOD_CSV,
        GOOD_MAP.replace('column = "time"', 'column = "time"\nrate_hz = 120'),
        ["data.csv: column 'time'", "rate_hz", "within 1 %", "found 100 Hz"],
    ),
}


@pytest.mark.parametrize("case", list(CSV_ERRORS))
def test_bad_csv_names_the_file_and_column(tmp_path: Path, case: str) -> None:
    csv_text, map_text, parts = CSV_ERRORS[case]
    csv_path, map_path = _files(tmp_path, csv_text, map_text)
    with pytest.raises(InputError) as error:
        read_csv_markers(csv_path, map_path)
    message = str(error.value)
    assert error.value.source == str(csv_path)
    for part in parts:
        assert part in message, f"{part!r} not in {message!r}"


MAP_ERRORS = {
    "unknown length unit": (
        GOOD_MAP.replace('"mm"', '"inch"'),
        ["map.toml: units.length", "mm, cm or m", "'inch'"],
    ),
    "unknown moment unit": (
        GOOD_MAP.replace('length = "mm"', 'length = "mm"\nmoment = "kgf*m"'),
        ["map.toml: units.moment", "N*mm, N*m"],
    ),
    "unknown key": (
        GOOD_MAP.replace("[frame]", "[frame]\nvertical = 'z'"),
        ["map.toml: frame.vertical", "vertical_axis"],
    ),
    "unknown section": (GOOD_MAP + "[marker]\n", ["map.toml: marker", "did you mean 'markers'"]),
    "no time": (GOOD_MAP.replace('column = "time"', ""), ["map.toml: time", "rate_hz"]),
    "no unit for a used quantity": (
        GOOD_MAP.replace('length = "mm"', 'force = "N"'),
        ["map.toml: units.length"],
    ),
    "marker not x, y, z": (
        GOOD_MAP.replace('"RKNE_z"]', "]"),
        ["map.toml: markers.RKNE", "[x, y, z]"],
    ),
    "vertical axis": (
        GOOD_MAP.replace('"z"', '"up"'),
        ["map.toml: frame.vertical_axis", '"y" or "z"'],
    ),
    "bad foot": (
        GOOD_MAP + '[[plates]]\nforce = ["a", "b", "c"]\ncop = ["d", "e", "f"]\nfoot = "R"\n',
        ["map.toml: plates[0].foot", "right"],
    ),
    "TOML syntax": (GOOD_MAP + "[markers\n", ["map.toml: TOML syntax"]),
}


@pytest.mark.parametrize("case", list(MAP_ERRORS))
def test_bad_map_names_the_map_and_key(tmp_path: Path, case: str) -> None:
    map_text, parts = MAP_ERRORS[case]
    csv_path, map_path = _files(tmp_path, GOOD_CSV, map_text)
    with pytest.raises(InputError) as error:
        read_csv_markers(csv_path, map_path)
    message = str(error.value)
    assert error.value.source == str(map_path)
    for part in parts:
        assert part in message, f"{part!r} not in {message!r}"


def test_reader_needs_its_section_in_the_map(tmp_path: Path) -> None:
    csv_path, map_path = _files(tmp_path)
    with pytest.raises(InputError, match=r"map\.toml: \[\[plates\]\]"):
        read_csv_forces(csv_path, map_path)
    with pytest.raises(InputError, match=r"map\.toml: \[coordinates\]"):
        read_csv_coordinates(csv_path, map_path)


def test_missing_files(tmp_path: Path) -> None:
    csv_path, map_path = _files(tmp_path)
    with pytest.raises(InputError, match=r"absent\.toml: file"):
        read_csv_markers(csv_path, tmp_path / "absent.toml")
    with pytest.raises(InputError, match=r"absent\.csv: file"):
        read_csv_markers(tmp_path / "absent.csv", map_path)


@pytest.mark.parametrize(
    "name", ["winter_appendixA_markers", "winter_appendixA_forces", "bmc_ufabc_BiomecII2018_gait"]
)
def test_bundled_maps_name_their_source_and_units(name: str) -> None:
    cmap = read_column_map(MAPS / f"{name}.toml")
    assert cmap.meta["source"] and cmap.meta["units"] and cmap.meta["data"]
