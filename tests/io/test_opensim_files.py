"""Readers of OpenSim text files, on the shared gait data and on small synthetic files.

Expected values were read by hand from the files (``head``/``awk``), not from the readers.
Sources: opensim-org/opensim-models (subject01, gait10dof18musc, gait2392), Hamner et al. 2010,
Rajagopal et al. 2016, Fukuchi et al. 2018 (CC BY 4.0), the Grand Challenge (Fregly et al. 2012)
and opensim-core's C3D adapter test files; see ``../shared/data/README.md``.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from kneeload.exceptions import InputError
from kneeload.io.opensim import read_coordinates, read_grf, read_storage, read_trc
from tests.conftest import SHARED_DATA


def _files(*suffixes: str) -> list[str]:
    if not SHARED_DATA.is_dir():
        return ["<no shared data>"]
    found = sorted(str(f.relative_to(SHARED_DATA)) for s in suffixes for f in SHARED_DATA.rglob(s))
    return found or ["<no files>"]


def _shared(shared_data: Path, relative: str) -> Path:
    path = shared_data / relative
    if not path.is_file():
        pytest.skip(f"{relative} not in the shared data")
    return path


# ----------------------------------------------------------------------------- every file reads


@pytest.mark.parametrize("relative", _files("*.mot", "*.sto"))
def test_every_storage_file_reads(shared_data: Path, relative: str) -> None:
    table, header = read_storage(_shared(shared_data, relative))
    assert table.columns[0] == "time"
    assert len(table) > 0
    assert np.all(np.diff(table["time"].to_numpy()) > 0)
    if "nRows" in header:
        assert len(table) == int(header["nRows"])


@pytest.mark.parametrize("relative", _files("*.trc"))
def test_every_trc_file_reads(shared_data: Path, relative: str) -> None:
    markers = read_trc(_shared(shared_data, relative))
    assert markers.positions_m.shape == (markers.time_s.size, len(markers.labels), 3)
    assert markers.frame == "model"
    # all these files are in mm: body markers lie within 5 m of the origin once converted
    assert np.nanmax(np.abs(markers.positions_m)) < 5.0


# --------------------------------------------------------------------------------- storage


def test_storage_header_version1(shared_data: Path) -> None:
    path = _shared(shared_data, "opensim_subject01_walk/gait10dof18musc/subject01_walk_IK.mot")
    table, header = read_storage(path)
    assert header["name"] == "Coordinates"
    assert header["version"] == "1"
    assert header["inDegrees"] == "yes"
    assert "Angles are in degrees." in header["description"]
    assert table.shape == (151, 11)
    assert table["knee_angle_r"].iloc[0] == pytest.approx(-5.12860733)


def test_storage_header_version3_and_moco_paths_kept(shared_data: Path) -> None:
    path = _shared(shared_data, "opensim_rajagopal_walk_run/moco_example3DWalking/coordinates.sto")
    table, header = read_storage(path)
    assert header["version"] == "3"
    assert header["DataType"] == "double"
    assert header["OpenSimVersion"].startswith("4.5")
    assert header["inDegrees"] == "no"
    assert "/jointset/walker_knee_r/knee_angle_r/value" in table.columns
    assert table["time"].iloc[0] == pytest.approx(0.45)


def test_storage_simm_header_blank_line_after_endheader(shared_data: Path) -> None:
    path = _shared(shared_data, "opensim_rajagopal_walk_run/bmc_run_results/grf_run_trimmed.mot")
    table, header = read_storage(path)
    assert header["datacolumns"] == "19"
    assert header["range"] == "0 8.166667e-01"
    assert table.shape == (246, 19)


def test_storage_keeps_duplicate_labels(shared_data: Path) -> None:
    # gait2392's SIMM-era IK file repeats ground_force_vx ... twice (165 labels, 156 unique)
    table, _ = read_storage(
        _shared(shared_data, "opensim_subject01_walk/gait2392/subject01_walk1_ik.mot")
    )
    assert table.shape[1] == 165
    assert list(table.columns).count("ground_force_vx") == 2


# ----------------------------------------------------------------------------- coordinates


def test_coordinates_degrees_to_radians(shared_data: Path) -> None:
    path = _shared(shared_data, "opensim_subject01_walk/gait10dof18musc/subject01_walk_IK.mot")
    coords = read_coordinates(path)
    assert coords.names[:3] == ("pelvis_tilt", "pelvis_tx", "pelvis_ty")
    assert coords.coordinate("knee_angle_r")[0] == pytest.approx(math.radians(-5.12860733))
    assert coords.coordinate("pelvis_tx")[0] == pytest.approx(0.61213494)  # metres, unchanged
    assert coords.coordinate("pelvis_ty")[0] == pytest.approx(1.01790250)
    assert coords.rate_hz == pytest.approx(60.0)


def test_coordinates_translational_override(shared_data: Path) -> None:
    path = _shared(shared_data, "opensim_subject01_walk/gait10dof18musc/subject01_walk_IK.mot")
    coords = read_coordinates(path, translational={"pelvis_tx"})
    assert coords.coordinate("pelvis_tx")[0] == pytest.approx(0.61213494)
    assert coords.coordinate("pelvis_ty")[0] == pytest.approx(math.radians(1.01790250))


def test_coordinates_grand_challenge_translations_and_speeds(shared_data: Path) -> None:
    path = _shared(shared_data, "grand_challenge_knee_loads_JW/ik/IK_ngait_og3_with_fluoro.mot")
    coords = read_coordinates(path)
    assert len(coords.names) == 24  # speeds (*_u) and muscle states (*.activation) dropped
    assert "knee_flexion_u" not in coords.names
    assert not any("." in name for name in coords.names)
    assert coords.time_s[0] == pytest.approx(1.80667)
    assert coords.coordinate("knee_flexion")[0] == pytest.approx(math.radians(-55.27450379))
    assert coords.coordinate("knee_ty")[0] == pytest.approx(0.04116285)  # metres
    assert coords.coordinate("pelvis_tx")[0] == pytest.approx(1.13906709)
    assert coords.rate_hz == pytest.approx(120.0, rel=1e-3)


def test_coordinates_moco_paths_reduced_not_converted(shared_data: Path) -> None:
    path = _shared(shared_data, "opensim_rajagopal_walk_run/moco_example3DWalking/coordinates.sto")
    coords = read_coordinates(path)
    assert "knee_angle_r" in coords.names
    assert "knee_angle_r_beta" in coords.names
    assert not any("/" in name for name in coords.names)
    # inDegrees=no: the radians of the file, as written
    assert coords.coordinate("knee_angle_r")[0] == pytest.approx(0.378135077733834)
    assert coords.coordinate("pelvis_ty")[0] == pytest.approx(0.96796985)


def test_moco_speed_and_other_paths_ignored(tmp_path: Path) -> None:
    path = tmp_path / "states.sto"
    path.write_text(
        "version=3\ninDegrees=no\nendheader\n"
        "time\t/jointset/hip_r/hip_flexion_r/value\t/jointset/hip_r/hip_flexion_r/speed\t"
        "/forceset/soleus_r/activation\n"
        "0\t0.1\t2\t0.5\n0.01\t0.2\t3\t0.6\n"
    )
    coords = read_coordinates(path)
    assert coords.names == ("hip_flexion_r",)
    np.testing.assert_allclose(coords.values[:, 0], [0.1, 0.2])


def test_coordinates_without_indegrees(shared_data: Path) -> None:
    path = _shared(shared_data, "opensim_subject01_walk/gait2392/subject01_walk1_ik.mot")
    with pytest.raises(InputError, match="inDegrees") as info:
        read_coordinates(path)
    assert path.name in str(info.value)
    coords = read_coordinates(path, in_degrees=True, coordinates=["knee_angle_r", "pelvis_tx"])
    assert coords.names == ("knee_angle_r", "pelvis_tx")
    assert coords.values[0, 0] == pytest.approx(math.radians(-19.885529110456648))
    assert coords.time_s[0] == pytest.approx(0.5)


def test_coordinates_in_degrees_disagreeing_with_header(shared_data: Path) -> None:
    path = _shared(shared_data, "opensim_subject01_walk/gait10dof18musc/subject01_walk_IK.mot")
    with pytest.raises(InputError, match="inDegrees"):
        read_coordinates(path, in_degrees=False)


# -------------------------------------------------------------------------------------- trc


def test_trc_mm_to_m(shared_data: Path) -> None:
    markers = read_trc(
        _shared(shared_data, "opensim_subject01_walk/experimental/subject01_walk1.trc")
    )
    assert len(markers.labels) == 41
    assert markers.rate_hz == 60.0
    np.testing.assert_allclose(markers.marker("R.ASIS")[0], [0.61724762, 1.05527502, 0.17078198])
    assert markers.time_s[-1] == pytest.approx(2.5)


def test_trc_empty_fields_are_nan(shared_data: Path) -> None:
    path = "opensim_rajagopal_walk_run/bmc_run_results/motion_capture_run_trimmed.trc"
    markers = read_trc(_shared(shared_data, path))
    assert markers.labels[:4] == ("RACR", "LACR", "C7", "CLAV")
    assert np.all(np.isnan(markers.marker("RASH")[0]))
    np.testing.assert_allclose(markers.marker("RUA1")[0], [-0.10948244, 1.36895178, -0.02147985])


def test_trc_opensim4_offset_names(shared_data: Path) -> None:
    path = "c3d_samples/opensim_core_treadmill/std_walking5_markers.trc"
    markers = read_trc(_shared(shared_data, path))
    assert len(markers.labels) == 40
    assert markers.labels[:2] == ("LTH3", "T10")
    np.testing.assert_allclose(markers.marker("LTH3")[-1], [-2.3368, 0.25318, 0.6152])
    assert np.all(np.isnan(markers.marker("T10")[-1]))


def test_trc_more_names_than_num_markers(shared_data: Path) -> None:
    # Duarte's walk.trc names 55 markers (27 virtual ones without data) under NumMarkers=28
    markers = read_trc(_shared(shared_data, "bmc_ufabc_gait/walk.trc"))
    assert len(markers.labels) == 28
    assert markers.labels[-1] == "L.MT2"
    assert markers.rate_hz == 150.0


def test_trc_space_padded_header(shared_data: Path) -> None:
    path = "opensim_rajagopal_walk_run/experimental/motion_capture_walk.trc"
    markers = read_trc(_shared(shared_data, path))
    assert markers.rate_hz == 100.0
    np.testing.assert_allclose(markers.marker("R.Shoulder")[0], [-0.65263, 1.529542, -0.09452])


@pytest.mark.parametrize(("unit", "scale"), [("mm", 1e-3), ("cm", 1e-2), ("m", 1.0)])
def test_trc_units(tmp_path: Path, unit: str, scale: float) -> None:
    path = tmp_path / f"one_{unit}.trc"
    path.write_text(_trc_text(unit))
    markers = read_trc(path)
    np.testing.assert_allclose(markers.marker("A")[1], np.array([4.0, 5.0, 6.0]) * scale)
    assert np.all(np.isnan(markers.marker("B")[0]))


def _trc_text(unit: str = "mm", rows: str | None = None) -> str:
    body = rows if rows is not None else "1\t0.00\t1\t2\t3\t\t\t\n2\t0.01\t4\t5\t6\t7\t8\t9\n"
    return (
        "PathFileType\t4\t(X/Y/Z)\tone.trc\n"
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\n"
        f"100\t100\t2\t2\t{unit}\n"
        "Frame#\tTime\tA\t\t\tB\t\t\n"
        "\t\tX1\tY1\tZ1\tX2\tY2\tZ2\n"
        "\n" + body
    )


# -------------------------------------------------------------------------------------- grf


def test_grf_subject01_values_and_feet(shared_data: Path) -> None:
    # subject01_walk_grf_externalloads_gait10dof.xml and ..._gait2392.xml: ground_force_v ->
    # calcn_r, 1_ground_force_v -> calcn_l
    grf = read_grf(
        _shared(shared_data, "opensim_subject01_walk/experimental/subject01_walk1_grf.mot")
    )
    assert grf.labels == ("ground_force_v", "1_ground_force_v")
    assert grf.foot == ("right", "left")
    assert grf.frame == "model"
    np.testing.assert_allclose(grf.force_n[0, 0], [101.5119767, 745.4661142, -47.44870554])
    np.testing.assert_allclose(grf.force_n[0, 1], [17.26938127, 20.49185173, -7.46930128])
    np.testing.assert_allclose(grf.cop_m[0, 0], [0.37898285, -0.0075, 0.12774652])
    np.testing.assert_allclose(grf.free_moment_nm[0, 1], [1.5550397, -0.75741936, 6.88030347])
    assert grf.rate_hz == pytest.approx(600.0)


def test_grf_hamner_feet_from_external_loads(shared_data: Path) -> None:
    # External_Loads.xml: ground_force_v -> calcn_r, 1_ground_force_v -> calcn_l
    grf = read_grf(_shared(shared_data, "opensim_hamner_running/subject02_running_grf.mot"))
    assert grf.labels == ("ground_force_v", "1_ground_force_v")
    assert grf.foot == ("right", "left")
    assert grf.rate_hz == pytest.approx(60.0)


@pytest.mark.parametrize(
    "relative",
    [
        "opensim_subject01_walk/experimental/subject01_walk1_grf.mot",
        "opensim_hamner_running/subject02_running_grf.mot",
    ],
)
def test_grf_cop_rule_agrees_with_xml(shared_data: Path, tmp_path: Path, relative: str) -> None:
    copy = tmp_path / Path(relative).name  # no XML beside it: the CoP z rule decides
    shutil.copy(_shared(shared_data, relative), copy)
    assert read_grf(copy).foot == ("right", "left")


def test_grf_explicit_external_loads(shared_data: Path, tmp_path: Path) -> None:
    source = "opensim_subject01_walk/experimental/subject01_walk1_grf.mot"
    xml = "opensim_subject01_walk/experimental/subject01_walk_grf_externalloads_gait10dof.xml"
    copy = tmp_path / "grf.mot"
    shutil.copy(_shared(shared_data, source), copy)
    grf = read_grf(copy, external_loads=_shared(shared_data, xml))
    assert grf.foot == ("right", "left")


def test_grf_rajagopal_walk_r_l_inside(shared_data: Path) -> None:
    # grf_walk.xml: ground_force_r_v -> calcn_r, ground_force_l_v -> calcn_l
    grf = read_grf(_shared(shared_data, "opensim_rajagopal_walk_run/experimental/grf_walk.mot"))
    assert grf.labels == ("ground_force_r_v", "ground_force_l_v")
    assert grf.foot == ("right", "left")
    # unloaded first frame: CoP kept as written (hundreds of metres away, force 0)
    np.testing.assert_allclose(grf.cop_m[0, 0], [346.097838, 0.0, 96.391523])
    np.testing.assert_allclose(grf.force_n[0], 0.0)
    assert grf.rate_hz == pytest.approx(2000.0)


def test_grf_rajagopal_run_capital_prefix(shared_data: Path) -> None:
    # setup/grf_run.xml: R_ground_force_v -> calcn_r, L_ground_force_v -> calcn_l
    grf = read_grf(_shared(shared_data, "opensim_rajagopal_walk_run/experimental/grf_run.mot"))
    assert grf.labels == ("R_ground_force_v", "L_ground_force_v")
    assert grf.foot == ("right", "left")
    np.testing.assert_allclose(grf.force_n[0, 0], [-91.735275, 1194.667969, 54.175838])
    np.testing.assert_allclose(grf.free_moment_nm[0, 0], [0.0, -12.310616, 0.0])
    assert grf.time_s[0] == pytest.approx(0.23)


def test_grf_fukuchi_numbered_plates(shared_data: Path) -> None:
    # WBDS01walkT01_grf.xml names no body. By hand: mean loaded CoP z plate 1 = 1.137 m,
    # plate 2 = 1.282 m (z right -> plate 2 is right); mean mediolateral force +14.5 N and
    # -11.4 N, i.e. both medial under that assignment.
    path = "fukuchi2018_WBDS01/opensim_converted/WBDS01walkT01_grf.mot"
    grf = read_grf(_shared(shared_data, path))
    assert grf.labels == ("ground_force_v1", "ground_force_v2")
    assert grf.foot == ("left", "right")
    np.testing.assert_allclose(grf.force_n[0, :, 1], [361.7106910072163, 278.1888555842274])
    assert grf.rate_hz == 300.0


def test_grf_c3d_adapter_tables(shared_data: Path) -> None:
    # the same trial written with moments at the plate centre and at the CoP: same CoP and
    # free moment once converted (mm -> m, N·mm -> N·m); at t = 3.15 s plate 1 the CoP file has
    # CoP (906.31896310, 458.56632550) mm and free moment 1499.76673 N·mm
    base = "c3d_samples/opensim_core_treadmill/"
    plain = read_grf(_shared(shared_data, base + "std_walking2_grfs.sto"))
    at_cop = read_grf(_shared(shared_data, base + "std_cop_walking2_grfs.sto"))
    assert plain.frame == at_cop.frame == "lab"
    assert plain.labels == ("plate1", "plate2")
    assert plain.foot == (None, None)
    row = int(np.argmin(np.abs(plain.time_s - 3.15)))
    np.testing.assert_allclose(plain.cop_m[row, 0, :2], [0.90631896, 0.45856633], atol=1e-6)
    assert plain.free_moment_nm[row, 0, 2] == pytest.approx(1.49976673, abs=1e-5)
    loaded = plain.force_n[:, :, 2] > 20.0
    np.testing.assert_allclose(plain.cop_m[loaded], at_cop.cop_m[loaded], atol=1e-6)
    np.testing.assert_allclose(
        plain.free_moment_nm[loaded], at_cop.free_moment_nm[loaded], atol=1e-5
    )


def _grf_text(prefixes: tuple[str, str], style: str = "pre", drop: str | None = None) -> str:
    columns: list[str] = []
    for prefix in prefixes:

        def name(kind: str, q: str, ax: str, prefix: str = prefix) -> str:
            if style == "pre":
                return f"{prefix}ground_{kind}_{q}{ax}"
            return f"ground_{kind}_{prefix}{q}{ax}"

        columns += [name("force", "v", ax) for ax in "xyz"]
        columns += [name("force", "p", ax) for ax in "xyz"]
        columns += [name("torque", "", ax) for ax in "xyz"]
    columns = [c for c in columns if c != drop]
    # first plate at z = -0.1 (left), second at z = +0.1 (right), both loaded
    plate = {"v": ["1", "700", "2"], "p": ["0.3", "0", "-0.1"], "": ["0", "1", "0"]}
    other = {"v": ["1", "600", "2"], "p": ["0.5", "0", "0.1"], "": ["0", "2", "0"]}
    lines = []
    for t in ("0", "0.001"):
        values = []
        for k, prefix in enumerate(prefixes):
            source = plate if k == 0 else other
            for q, kind in (("v", "force"), ("p", "force"), ("", "torque")):
                for a, ax in enumerate("xyz"):
                    column = (
                        f"{prefix}ground_{kind}_{q}{ax}"
                        if style == "pre"
                        else f"ground_{kind}_{prefix}{q}{ax}"
                    )
                    if column != drop:
                        values.append(source[q][a])
        lines.append("\t".join([t, *values]))
    header = f"grf\nversion=1\nnRows=2\nnColumns={len(columns) + 1}\ninDegrees=yes\nendheader\n"
    return header + "\t".join(["time", *columns]) + "\n" + "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("prefixes", "style", "feet"),
    [
        (("r_", "l_"), "pre", ("right", "left")),  # r_ground_force_vx
        (("R_", "L_"), "pre", ("right", "left")),
        (("l_", "r_"), "inside", ("left", "right")),  # ground_force_l_vx
        (("1_", "2_"), "pre", ("left", "right")),  # no name, no XML: CoP z decides
        (("", "1_"), "pre", ("left", "right")),
    ],
)
def test_grf_naming_variants_synthetic(
    tmp_path: Path, prefixes: tuple[str, str], style: str, feet: tuple[str, str]
) -> None:
    path = tmp_path / "grf.mot"
    path.write_text(_grf_text(prefixes, style))
    grf = read_grf(path)
    assert grf.foot == feet
    np.testing.assert_allclose(grf.force_n[0, :, 1], [700.0, 600.0])
    assert grf.rate_hz == pytest.approx(1000.0)


def test_grf_xml_beside_file_overrides_cop(tmp_path: Path) -> None:
    path = tmp_path / "trial.mot"
    path.write_text(_grf_text(("", "1_")))  # CoP says plate "" is left
    (tmp_path / "loads.xml").write_text(
        "<OpenSimDocument><ExternalLoads><objects>"
        "<ExternalForce><applied_to_body>calcn_r</applied_to_body>"
        "<force_identifier>ground_force_v</force_identifier></ExternalForce>"
        "<ExternalForce><applied_to_body>calcn_l</applied_to_body>"
        "<force_identifier>1_ground_force_v</force_identifier></ExternalForce>"
        "</objects><datafile>trial.mot</datafile></ExternalLoads></OpenSimDocument>"
    )
    assert read_grf(path).foot == ("right", "left")


# ----------------------------------------------------------------------------- bad inputs


def _assert_names(info: pytest.ExceptionInfo[InputError], path: Path, field: str) -> None:
    message = str(info.value)
    assert path.name in message
    assert field in message
    assert info.value.field.startswith(field) or field in info.value.field


@pytest.mark.parametrize("reader", [read_storage, read_coordinates, read_trc, read_grf])
def test_missing_file(tmp_path: Path, reader: object) -> None:
    path = tmp_path / "absent.mot"
    with pytest.raises(InputError) as info:
        reader(path)  # type: ignore[operator]
    _assert_names(info, path, "file")


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "trial.c3d"
    path.write_bytes(b"\x02P\x00\x00" * 64)
    with pytest.raises(InputError) as info:
        read_storage(path)
    _assert_names(info, path, "file")


def test_not_a_storage_file(tmp_path: Path) -> None:
    path = tmp_path / "table.csv"
    path.write_text("time,a\n0,1\n")
    for reader in (read_storage, read_coordinates, read_grf):
        with pytest.raises(InputError) as info:
            reader(path)
        _assert_names(info, path, "endheader")


def test_not_a_trc_file(tmp_path: Path) -> None:
    path = tmp_path / "ik.trc"
    path.write_text("Coordinates\nendheader\ntime\ta\n0\t1\n")
    with pytest.raises(InputError) as info:
        read_trc(path)
    _assert_names(info, path, "PathFileType")


def test_storage_ragged_last_row(tmp_path: Path) -> None:
    path = tmp_path / "cut.mot"
    path.write_text("x\nversion=1\ninDegrees=no\nendheader\ntime\ta\tb\n0\t1\t2\n0.1\t3\n")
    with pytest.raises(InputError) as info:
        read_storage(path)
    _assert_names(info, path, "data row 2")
    assert "column b" in str(info.value)


def test_storage_fewer_rows_than_nrows(tmp_path: Path) -> None:
    path = tmp_path / "short.sto"
    path.write_text("x\nversion=1\nnRows=3\ninDegrees=no\nendheader\ntime\ta\n0\t1\n0.1\t2\n")
    with pytest.raises(InputError) as info:
        read_storage(path)
    _assert_names(info, path, "nRows")


def test_storage_non_numeric_value(tmp_path: Path) -> None:
    path = tmp_path / "text.sto"
    path.write_text("version=1\nendheader\ntime\tknee\n0\t1\n0.1\tbent\n")
    with pytest.raises(InputError) as info:
        read_storage(path)
    _assert_names(info, path, "column knee")


def test_storage_without_time_column(tmp_path: Path) -> None:
    path = tmp_path / "notime.sto"
    path.write_text("version=1\nendheader\nframe\tknee\n0\t1\n")
    with pytest.raises(InputError) as info:
        read_storage(path)
    _assert_names(info, path, "time")


def test_coordinates_time_not_increasing(tmp_path: Path) -> None:
    path = tmp_path / "back.mot"
    path.write_text(
        "version=1\ninDegrees=yes\nendheader\ntime\tknee_angle_r\n0\t1\n0.2\t2\n0.1\t3\n"
    )
    with pytest.raises(InputError) as info:
        read_coordinates(path)
    _assert_names(info, path, "time")


def test_coordinates_missing_requested(tmp_path: Path) -> None:
    path = tmp_path / "ik.mot"
    path.write_text("version=1\ninDegrees=yes\nendheader\ntime\tknee_angle_r\n0\t1\n")
    with pytest.raises(InputError) as info:
        read_coordinates(path, coordinates=["hip_flexion_r"])
    _assert_names(info, path, "hip_flexion_r")


def test_grf_without_grf_columns(shared_data: Path) -> None:
    path = _shared(shared_data, "opensim_subject01_walk/gait10dof18musc/subject01_walk_IK.mot")
    with pytest.raises(InputError) as info:
        read_grf(path)
    _assert_names(info, path, "ground_force_vx")


def test_grf_plate_missing_a_column(tmp_path: Path) -> None:
    path = tmp_path / "grf.mot"
    path.write_text(_grf_text(("", "1_"), drop="1_ground_torque_y"))
    with pytest.raises(InputError) as info:
        read_grf(path)
    _assert_names(info, path, "1_ground_torque_y")


def test_grf_ragged_last_row(tmp_path: Path) -> None:
    path = tmp_path / "grf.mot"
    text = _grf_text(("r_", "l_")).rstrip("\n")
    path.write_text(text[: text.rfind("\t")] + "\n")  # drop the last value
    with pytest.raises(InputError) as info:
        read_grf(path)
    _assert_names(info, path, "data row 2")
    assert "l_ground_torque_z" in str(info.value)


def test_trc_ragged_last_row(tmp_path: Path) -> None:
    path = tmp_path / "cut.trc"
    path.write_text(_trc_text(rows="1\t0.00\t1\t2\t3\t4\t5\t6\n2\t0.01\t4\t5\n"))
    with pytest.raises(InputError) as info:
        read_trc(path)
    _assert_names(info, path, "data row 2")
    assert "marker A" in str(info.value)


def test_trc_fewer_rows_than_num_frames(tmp_path: Path) -> None:
    path = tmp_path / "short.trc"
    path.write_text(_trc_text(rows="1\t0.00\t1\t2\t3\t4\t5\t6\n"))
    with pytest.raises(InputError) as info:
        read_trc(path)
    _assert_names(info, path, "NumFrames")


def test_trc_unknown_units(tmp_path: Path) -> None:
    path = tmp_path / "inch.trc"
    path.write_text(_trc_text(unit="in"))
    with pytest.raises(InputError) as info:
        read_trc(path)
    _assert_names(info, path, "Units")


def test_marker_absent(tmp_path: Path) -> None:
    path = tmp_path / "one.trc"
    path.write_text(_trc_text())
    with pytest.raises(InputError) as info:
        read_trc(path).marker("C")
    _assert_names(info, path, "C")
