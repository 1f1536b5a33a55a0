"""Readers of OpenSim text files: storage tables (``.mot``/``.sto``), markers (``.trc``), GRF.

Every reader raises :class:`~kneeload.exceptions.InputError` naming the file, the field (column,
header key, row) and what was expected, for a missing file, a file that is not of the expected
kind, missing columns and truncated (ragged) tables. Nothing is printed.

Storage headers understood (all found in the shared gait data):

* OpenSim version 1: an optional first line naming the table, ``version=1``, ``nRows=``,
  ``nColumns=``, ``inDegrees=yes|no``, free text, ``endheader``;
* OpenSim/Moco version 2 and 3 (``.sto`` written by OpenSim 4): ``DataRate=``, ``DataType=``,
  ``version=3``, ``OpenSimVersion=``, ... ``endheader``;
* the older SIMM-style header: ``name <text>``, ``datacolumns <n>``, ``datarows <n>``,
  ``range <t0> <t1>``, ``otherdata``, ``# comments``, ``endheader``.

After ``endheader`` (blank lines allowed) comes one line of column labels, the first being
``time``, then the rows; values are separated by tabs or spaces and missing values must be
written (``NaN``). The header's ``nColumns``/``datarows`` are not trusted (files in the shared
data contradict them: Hamner's GRF says 901 rows for 601, the Moco ``coordinates.sto`` says 40
columns for 32); a table shorter than an OpenSim ``nRows=`` is reported as truncated.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from kneeload.config import GRF_CONTACT_THRESHOLD_N
from kneeload.exceptions import InputError
from kneeload.io.types import CoordinateData, FloatArray, GroundReactionData, MarkerData

__all__ = ["read_coordinates", "read_grf", "read_storage", "read_trc"]

#: SIMM-era header keywords written as ``keyword value`` (no ``=``).
_OLD_HEADER_KEYS = frozenset({"name", "datacolumns", "datarows", "range", "otherdata", "units"})
_KEY_VALUE = re.compile(r"^([A-Za-z_][\w.\-]*)\s*=\s*(.*)$")
#: Moco/OpenSim 4 state path of a coordinate value: ``/jointset/<joint>/<coordinate>/value``.
_MOCO_VALUE = re.compile(r"^/jointset/[^/]+/([^/]+)/value$")
#: default translational-coordinate names: ``pelvis_tx``, ``knee_ty``, ``knee_tx_r``, ...
_TRANSLATION_NAME = re.compile(r"(?:^|_)t[xyz](?:_[rl])?$")
#: OpenSim GRF columns: [prefix_]ground_force_[side_]{v,p}{x,y,z}[n], [prefix_]ground_torque_...
_GRF_COLUMN = re.compile(
    r"^(?P<pre>(?:[A-Za-z0-9]+_)?)ground_(?P<kind>force|torque)_(?P<side>(?:[rlRL]_)?)"
    r"(?P<q>[vp]?)(?P<ax>[xyz])(?P<num>\d*)$"
)
#: OpenSim C3DFileAdapter force tables: f<plate>_<1..3>, p<plate>_<1..3>, m<plate>_<1..3>.
_C3D_GRF_COLUMN = re.compile(r"^(?P<q>[fpm])(?P<plate>\d+)_(?P<ax>[123])$")
_SIDE_WORDS = {"r": "right", "l": "left"}
#: the two plates' mean loaded CoP z must differ by this much to tell right from left [m].
_MIN_SIDE_SEPARATION_M = 0.05
_LENGTH_UNITS_TO_M = {"mm": 1e-3, "cm": 1e-2, "m": 1.0}


# --------------------------------------------------------------------------------------- shared


def _read_lines(path: str | Path) -> tuple[Path, list[str]]:
    """Lines of a text file; InputError if it is absent, unreadable or binary."""
    p = Path(path)
    if not p.exists():
        raise InputError(p, "file", "an existing file", "no such file")
    if not p.is_file():
        raise InputError(p, "file", "a regular file", "a directory or special file")
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(p, "file", "a readable file", str(exc)) from exc
    if b"\x00" in raw[:65536]:
        raise InputError(p, "file", "a text file (OpenSim .mot/.sto/.trc)", "binary data")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return p, text.splitlines()


def _to_float_rows(
    p: Path, rows: list[list[str]], line_numbers: list[int], labels: Sequence[str]
) -> FloatArray:
    """Convert equal-length rows of strings ('' = NaN) to floats; InputError at the bad value."""
    try:
        return np.array(rows, dtype=np.float64).reshape(len(rows), len(labels))
    except ValueError:
        pass
    for r, row in enumerate(rows):
        for c, token in enumerate(row):
            try:
                float(token)
            except ValueError:
                raise InputError(
                    p,
                    f"column {labels[c]}",
                    "a number",
                    f"{token!r} in data row {r + 1} (line {line_numbers[r]})",
                ) from None
    raise InputError(p, "data", "numbers")  # pragma: no cover - numpy and float() agree


def _check_increasing(p: Path, time: FloatArray, label: str = "time") -> None:
    """InputError unless time is finite and strictly increasing."""
    if time.size == 0:
        raise InputError(p, label, "at least one data row", "none")
    if not np.all(np.isfinite(time)):
        bad = int(np.flatnonzero(~np.isfinite(time))[0])
        raise InputError(p, label, "finite values [s]", f"{time[bad]} in data row {bad + 1}")
    steps = np.diff(time)
    if np.any(steps <= 0):
        i = int(np.flatnonzero(steps <= 0)[0])
        raise InputError(
            p,
            label,
            "strictly increasing values [s]",
            f"{time[i]:g} then {time[i + 1]:g} in data rows {i + 1} and {i + 2}",
        )


def _rate_hz(header: dict[str, str], key: str, time: FloatArray) -> float:
    """Sampling rate from a header key when positive, else (rows - 1) / duration [Hz].

    The mean rate, not 1 / median step: times written with 4 decimals (subject01's 600 Hz GRF)
    make the median step wrong by 2 %.
    """
    value = header.get(key)
    if value is not None:
        try:
            rate = float(value)
        except ValueError:
            rate = math.nan
        if math.isfinite(rate) and rate > 0:
            return rate
    if time.size < 2:
        return math.nan
    return round(float((time.size - 1) / (time[-1] - time[0])), 6)


# -------------------------------------------------------------------------------------- storage


def _parse_storage(p: Path, lines: list[str]) -> tuple[dict[str, str], list[str], FloatArray]:
    """Header, column labels and float table of an OpenSim storage file."""
    end = next((i for i, line in enumerate(lines) if line.strip().lower() == "endheader"), None)
    if end is None:
        raise InputError(
            p,
            "endheader",
            "an OpenSim storage file (.mot/.sto): header lines ending with a line 'endheader'",
            "no 'endheader' line",
        )
    header: dict[str, str] = {}
    free_text: list[str] = []
    first = True
    for line in lines[:end]:
        text = line.strip()
        if not text:
            continue
        match = _KEY_VALUE.match(text)
        words = text.split(None, 1)
        if match:
            header[match.group(1)] = match.group(2).strip()
        elif words[0].lower() in _OLD_HEADER_KEYS and len(words) == 2:
            header[words[0]] = words[1].strip()
        elif first:
            header["name"] = text
        else:
            free_text.append(text)
        first = False
    if free_text:
        header["description"] = "\n".join(free_text)

    label_index = next((i for i in range(end + 1, len(lines)) if lines[i].strip()), None)
    if label_index is None:
        raise InputError(p, "column labels", "a line of column labels after 'endheader'", "none")
    label_line = lines[label_index]
    if "\t" in label_line:
        labels = [s.strip() for s in label_line.split("\t") if s.strip()]
    else:
        labels = label_line.split()
    if labels[0].lower() != "time":
        raise InputError(p, "time", "a first column named 'time'", repr(labels[0]))
    labels[0] = "time"

    rows: list[list[str]] = []
    numbers: list[int] = []
    for n in range(label_index + 1, len(lines)):
        tokens = lines[n].split()
        if not tokens:
            continue
        if len(tokens) != len(labels):
            where = f"data row {len(rows) + 1} (line {n + 1})"
            if len(tokens) < len(labels):
                raise InputError(
                    p,
                    f"{where}, column {labels[len(tokens)]}",
                    f"{len(labels)} values, one per column",
                    f"{len(tokens)} values: the table is truncated or ragged",
                )
            raise InputError(
                p, where, f"{len(labels)} values, one per column", f"{len(tokens)} values"
            )
        rows.append(tokens)
        numbers.append(n + 1)
    if not rows:
        raise InputError(p, "data", "at least one data row after the column labels", "none")
    expected_rows = header.get("nRows")
    if expected_rows is not None and expected_rows.isdigit() and len(rows) < int(expected_rows):
        raise InputError(
            p,
            "nRows",
            f"{expected_rows} data rows, as the header says",
            f"{len(rows)} rows: the table is truncated",
        )
    return header, labels, _to_float_rows(p, rows, numbers, labels)


def read_storage(path: str | Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """Read any OpenSim storage file (``.mot`` / ``.sto``, header version 1, 2 or 3, or SIMM).

    Parameters
    ----------
    path : file to read.

    Returns
    -------
    table : one column per label, in file order, ``time`` [s] first; values as in the file (no
        unit conversion; angles stay in the unit ``inDegrees`` says). Moco-style path labels
        (``/jointset/hip_r/hip_flexion_r/value``) and duplicated labels are kept as they are.
    header : header key/values as strings: ``key=value`` lines (``version``, ``nRows``,
        ``inDegrees``, ``DataRate``, ``OpenSimVersion``...), SIMM keywords (``name``,
        ``datacolumns``, ``datarows``, ``range``), a first line naming the table as ``name``,
        other free text lines joined in ``description``.

    Raises
    ------
    InputError
        Missing or binary file, no ``endheader``, first column not ``time``, no data, a ragged
        or non-numeric row, or fewer rows than ``nRows``.
    """
    p, lines = _read_lines(path)
    header, labels, data = _parse_storage(p, lines)
    return pd.DataFrame(data, columns=labels), header


# ---------------------------------------------------------------------------------- coordinates


def _in_degrees(p: Path, header: dict[str, str], in_degrees: bool | None) -> bool:
    """Whether rotations are in degrees, from the header and/or the caller."""
    value = header.get("inDegrees")
    if value is None:
        if in_degrees is None:
            raise InputError(
                p,
                "inDegrees",
                "a header line inDegrees=yes or inDegrees=no (or pass in_degrees=True/False)",
                "no inDegrees line",
            )
        return in_degrees
    word = value.strip().lower()
    if word not in {"yes", "no", "true", "false"}:
        raise InputError(p, "inDegrees", "yes or no", repr(value))
    from_header = word in {"yes", "true"}
    if in_degrees is not None and in_degrees != from_header:
        raise InputError(
            p,
            "inDegrees",
            f"in_degrees={in_degrees} to agree with the header",
            f"inDegrees={value}",
        )
    return from_header


def _default_coordinate_columns(labels: Sequence[str]) -> dict[str, int]:
    """Reduced coordinate name -> column index, by the default column rules."""
    plain = set(labels)
    chosen: dict[str, int] = {}
    for j, label in enumerate(labels):
        if j == 0:
            continue
        if label.startswith("/"):
            match = _MOCO_VALUE.match(label)
            if match is None:  # /speed, /forceset/..., activations
                continue
            name = match.group(1)
        else:
            if "." in label:  # marker positions (R.ASIS_tx), muscle states (vasmed.activation)
                continue
            if _GRF_COLUMN.match(label) or _C3D_GRF_COLUMN.match(label):
                continue
            if label.endswith("_u") and label[:-2] in plain:  # generalised speeds
                continue
            name = label
        chosen.setdefault(name, j)
    return chosen


def read_coordinates(
    path: str | Path,
    *,
    translational: Collection[str] | None = None,
    coordinates: Sequence[str] | None = None,
    in_degrees: bool | None = None,
) -> CoordinateData:
    """Read the generalised coordinates of an IK/RRA/CMC/Moco ``.mot`` or ``.sto``.

    Parameters
    ----------
    path : file to read.
    translational : names of the translational coordinates (kept in metres). Default: names
        ending ``_tx``, ``_ty``, ``_tz`` (optionally followed by ``_r``/``_l``), e.g.
        ``pelvis_tx``, ``knee_ty`` (Grand Challenge), ``knee_tx_r``. Pass the model's own list
        when it knows better; names absent from the file are ignored.
    coordinates : reduced names to return, in this order. Default: every coordinate column,
        i.e. Moco paths ``/jointset/<joint>/<name>/value`` reduced to ``<name>`` (``/speed``
        and other paths ignored) and plain labels except those with a dot (markers
        ``R.ASIS_tx``, muscle states ``vasmed.activation``), GRF columns and generalised
        speeds (``<name>_u`` beside ``<name>``, as in the Grand Challenge IK files).
    in_degrees : unit of rotations when the header has no ``inDegrees`` line (SIMM-era files
        such as gait2392's ``subject01_walk1_ik.mot``); must agree with the header otherwise.

    Returns
    -------
    CoordinateData : time [s]; rotations in [rad] (converted from degrees when
        ``inDegrees=yes``), translations in [m]; rate from ``DataRate`` or the mean step [Hz].

    Raises
    ------
    InputError
        As :func:`read_storage`; also no coordinate column, a requested coordinate missing, a
        name given twice, no way to know the angle unit, or time not strictly increasing.
    """
    p, lines = _read_lines(path)
    header, labels, data = _parse_storage(p, lines)
    degrees = _in_degrees(p, header, in_degrees)
    available = _default_coordinate_columns(labels)
    if coordinates is None:
        names = list(available)
        if not names:
            raise InputError(
                p, "coordinates", "at least one coordinate column besides time", "none"
            )
    else:
        names = list(coordinates)
        all_columns = {**{label: j for j, label in enumerate(labels) if j}, **available}
        for name in names:
            if name not in all_columns:
                raise InputError(p, name, "a coordinate column in the file")
        available = all_columns
    duplicated = {label for label in labels if labels.count(label) > 1}
    for name in names:
        if name in duplicated:
            raise InputError(p, name, "a column that appears once", "it appears more than once")
    if len(set(names)) != len(names):
        raise InputError(p, "coordinates", "each coordinate once", ", ".join(names))
    time = data[:, 0].copy()
    _check_increasing(p, time)
    values = data[:, [available[name] for name in names]].copy()
    if degrees:
        if translational is not None:
            given = set(translational)
            rotational = [k for k, name in enumerate(names) if name not in given]
        else:
            rotational = [
                k for k, name in enumerate(names) if _TRANSLATION_NAME.search(name) is None
            ]
        values[:, rotational] = np.deg2rad(values[:, rotational])
    return CoordinateData(
        time_s=time,
        values=values,
        names=tuple(names),
        rate_hz=_rate_hz(header, "DataRate", time),
        source=str(p),
    )


# ------------------------------------------------------------------------------------------ trc


def read_trc(path: str | Path) -> MarkerData:
    """Read an OpenSim ``.trc`` marker file.

    Layout: ``PathFileType`` line; a line of keys (``DataRate CameraRate NumFrames NumMarkers
    Units OrigDataRate ...``) and a line of their values (tabs or spaces); ``Frame# Time
    <marker names>``; the ``X1 Y1 Z1 ...`` row; tab-separated data rows (blank lines skipped).

    Parameters
    ----------
    path : file to read.

    Returns
    -------
    MarkerData : time [s], positions [m] converted from ``Units`` (``mm``, ``cm`` or ``m``),
        NaN where a field is empty or ``NaN``; rate from ``DataRate`` [Hz]; ``frame="model"``
        (the file's axes, OpenSim's y up).

    Notes
    -----
    Marker names are the non-empty fields after ``Time`` (OpenSim 4 writes them offset by a
    tab). When ``NumMarkers`` is smaller than the number of names (Duarte's ``walk.trc`` lists
    27 virtual markers beyond its 28 with no data), the first ``NumMarkers`` are read and the
    extra fields must be empty.

    Raises
    ------
    InputError
        Missing file, no ``PathFileType``/``Frame#`` line, unknown ``Units``, ``NumMarkers``
        larger than the names given, duplicate names, ragged or non-numeric rows, fewer rows
        than ``NumFrames``, time not strictly increasing.
    """
    p, lines = _read_lines(path)
    if not lines or not lines[0].strip().lower().startswith("pathfiletype"):
        raise InputError(
            p, "PathFileType", "an OpenSim .trc file whose first line starts with PathFileType"
        )
    if len(lines) < 5:
        raise InputError(p, "header", "5 header lines (PathFileType, keys, values, names, X1...)")
    keys = lines[1].split()
    values = lines[2].split()
    if len(values) < len(keys):
        raise InputError(p, keys[len(values)], "a value on line 3 under each key of line 2")
    header = dict(zip(keys, values, strict=False))
    units = header.get("Units")
    if units is None or units.lower() not in _LENGTH_UNITS_TO_M:
        raise InputError(p, "Units", "mm, cm or m", "nothing" if units is None else repr(units))
    scale = _LENGTH_UNITS_TO_M[units.lower()]

    name_line = lines[3]
    if not name_line.strip().lower().startswith("frame#"):
        raise InputError(p, "Frame#", "line 4 'Frame#  Time  <marker names>'", name_line[:40])
    fields = name_line.split("\t") if "\t" in name_line else name_line.split()
    names = [s.strip() for s in fields[2:] if s.strip()]
    n_markers = len(names)
    if "NumMarkers" in header:
        try:
            n_markers = int(float(header["NumMarkers"]))
        except ValueError:
            raise InputError(p, "NumMarkers", "an integer", repr(header["NumMarkers"])) from None
        if n_markers > len(names):
            raise InputError(
                p, "NumMarkers", f"{n_markers} marker names on line 4", f"{len(names)}"
            )
        names = names[:n_markers]
    if len(set(names)) != len(names):
        twice = next(name for name in names if names.count(name) > 1)
        raise InputError(p, twice, "unique marker names", "a name given twice")

    width = 2 + 3 * n_markers
    rows: list[list[str]] = []
    numbers: list[int] = []
    for n in range(5, len(lines)):
        line = lines[n]
        if not line.strip():
            continue
        parts = [s.strip() for s in (line.split("\t") if "\t" in line else line.split())]
        where = f"data row {len(rows) + 1} (line {n + 1})"
        if len(parts) < width:
            missing = names[(len(parts) - 2) // 3] if len(parts) >= 2 else "Time"
            raise InputError(
                p,
                f"{where}, marker {missing}",
                f"{width} tab-separated fields (Frame#, Time, X Y Z of {n_markers} markers)",
                f"{len(parts)}: the table is truncated or ragged",
            )
        if any(parts[width:]):
            raise InputError(
                p, where, f"no values beyond the {n_markers} markers of NumMarkers", "more"
            )
        rows.append([s if s else "nan" for s in parts[1:width]])
        numbers.append(n + 1)
    labels = ["Time"] + [f"{name} {axis}" for name in names for axis in "XYZ"]
    if not rows:
        raise InputError(p, "data", "at least one data row", "none")
    data = _to_float_rows(p, rows, numbers, labels)
    frames = header.get("NumFrames", "")
    if frames.isdigit() and len(rows) < int(frames):
        raise InputError(
            p, "NumFrames", f"{frames} data rows", f"{len(rows)}: the table is truncated"
        )
    time = data[:, 0].copy()
    _check_increasing(p, time, "Time")
    positions = data[:, 1:].reshape(len(rows), n_markers, 3) * scale
    return MarkerData(
        time_s=time,
        positions_m=positions,
        labels=tuple(names),
        rate_hz=_rate_hz(header, "DataRate", time),
        source=str(p),
        frame="model",
    )


# ------------------------------------------------------------------------------------------ grf


@dataclass
class _Plate:
    """Column indices of one plate (or foot) in a GRF table."""

    label: str
    identifier: str  # OpenSim ExternalForce force_identifier, e.g. "1_ground_force_v"
    foot: str | None
    column_name: dict[tuple[str, int], str]  # (quantity F/P/M, axis 0..2) -> expected label
    columns: dict[tuple[str, int], int] = field(default_factory=dict)


def _find_plates(p: Path, labels: Sequence[str]) -> tuple[list[_Plate], str]:
    """Plates of a GRF table and its style: "opensim" (model frame) or "c3d" (lab frame)."""
    plates: dict[tuple[str, ...], _Plate] = {}
    styles: set[str] = set()
    for j, label in enumerate(labels):
        match = _GRF_COLUMN.match(label)
        if match:
            pre, kind, side, q, num = (match.group(g) for g in ("pre", "kind", "side", "q", "num"))
            if (kind == "force") != (q in {"v", "p"}):
                continue
            quantity = {"v": "F", "p": "P", "": "M"}[q]
            axis = "xyz".index(match.group("ax"))
            key: tuple[str, ...] = ("opensim", pre, side, num)
            styles.add("opensim")
            if key not in plates:
                named = (side or pre).rstrip("_").lower()
                names = {
                    (qq, a): (
                        f"{pre}ground_torque_{side}{ax}{num}"
                        if qq == "M"
                        else f"{pre}ground_force_{side}{qq_letter}{ax}{num}"
                    )
                    for qq, qq_letter in (("F", "v"), ("P", "p"), ("M", ""))
                    for a, ax in enumerate("xyz")
                }
                plates[key] = _Plate(
                    label=f"{pre}ground_force_{side}v{num}",
                    identifier=f"{pre}ground_force_{side}v",
                    foot=_SIDE_WORDS.get(named),
                    column_name=names,
                )
        else:
            match = _C3D_GRF_COLUMN.match(label)
            if match is None:
                continue
            plate_number = match.group("plate")
            quantity = match.group("q").upper()
            axis = int(match.group("ax")) - 1
            key = ("c3d", plate_number)
            styles.add("c3d")
            if key not in plates:
                names = {
                    (qq, a): f"{qq.lower()}{plate_number}_{a + 1}"
                    for qq in ("F", "P", "M")
                    for a in range(3)
                }
                plates[key] = _Plate(
                    label=f"plate{plate_number}",
                    identifier=f"plate{plate_number}",
                    foot=None,
                    column_name=names,
                )
        plate = plates[key]
        if (quantity, axis) in plate.columns:
            raise InputError(p, label, "each ground-reaction column once", "it appears twice")
        plate.columns[(quantity, axis)] = j
    if not plates:
        raise InputError(
            p,
            "ground_force_vx",
            "ground-reaction columns: ground_force_v{x,y,z}, ground_force_p{x,y,z}, "
            "ground_torque_{x,y,z} (optionally 1_, R_/L_ or r_/l_ before, r_/l_ inside, "
            "or a plate number after), or OpenSim C3D tables f1_1, p1_1, m1_1",
            "columns " + ", ".join(labels[1:8]) + (" ..." if len(labels) > 8 else ""),
        )
    if len(styles) > 1:
        raise InputError(
            p, "columns", "one naming convention (ground_force_* or f1_1/p1_1/m1_1)", "both"
        )
    for plate in plates.values():
        for slot, name in plate.column_name.items():
            if slot not in plate.columns:
                raise InputError(
                    p,
                    name,
                    "the 9 columns of each plate: force x/y/z, point (CoP) x/y/z, torque x/y/z",
                    f"plate {plate.label} without it",
                )
    return list(plates.values()), styles.pop()


def _side_of_body(body: str) -> str | None:
    """ "right"/"left" from an OpenSim body name ending in _r/_l (calcn_r, toes_l, ...)."""
    match = re.search(r"_([rlRL])$", body.strip())
    return _SIDE_WORDS[match.group(1).lower()] if match else None


def _feet_from_xml(files: Sequence[Path], data_name: str) -> dict[str, str]:
    """force_identifier -> foot from ExternalLoads XMLs (those naming ``data_name`` first)."""
    tiers: list[dict[str, set[str]]] = [{}, {}]
    for xml_file in files:
        try:
            root = ET.parse(xml_file).getroot()
        except (ET.ParseError, OSError):
            continue
        datafiles = {re.split(r"[\\/]", (d.text or "").strip())[-1] for d in root.iter("datafile")}
        for force in root.iter("ExternalForce"):
            identifier = (force.findtext("force_identifier") or "").strip()
            foot = _side_of_body(force.findtext("applied_to_body") or "")
            if not identifier or foot is None:
                continue
            source = (force.findtext("data_source_name") or "").strip()
            rank = 0 if data_name in datafiles or source == data_name else 1
            tiers[rank].setdefault(identifier, set()).add(foot)
    feet: dict[str, str] = {}
    for tier in reversed(tiers):  # tier 0 (names this file) overrides tier 1
        for identifier, found in tier.items():
            if len(found) == 1:
                feet[identifier] = next(iter(found))
            else:
                feet.pop(identifier, None)
    return feet


def read_grf(path: str | Path, *, external_loads: str | Path | None = None) -> GroundReactionData:
    """Read a ground-reaction ``.mot``/``.sto``, one entry per plate or foot.

    Column conventions (all in the shared gait data):

    * ``ground_force_v{x,y,z}``, ``ground_force_p{x,y,z}``, ``ground_torque_{x,y,z}`` with a
      ``1_`` (or other) prefix for the second plate (subject01, Hamner);
    * ``ground_force_r_vx`` / ``ground_force_l_vx`` ... ``ground_torque_r_x`` (Rajagopal walk);
    * ``R_ground_force_vx`` / ``L_ground_force_vx`` ... (Rajagopal run; ``r_``/``l_`` too);
    * ``ground_force_vx1``, ``ground_force_vx2`` ... plate number after (Fukuchi);
    * ``f1_1, f1_2, f1_3, p1_*, m1_*``: OpenSim's C3DFileAdapter tables (opensim-core test
      files ``std_*_grfs.sto``): lab frame (z up), forces [N], points [mm], moments [N·mm]
      about the point. The CoP on the horizontal plane through the point and the free moment
      are computed from them (identity for the ``std_cop_*`` files, where the point already is
      the CoP); ``frame="lab"``; NaN where Fz = 0.

    Foot of each plate, in this order: the name when it says it (``r``/``R`` right, ``l``/``L``
    left); else the ExternalLoads XML (``external_loads``, or every ``*.xml`` beside the file,
    those whose ``datafile``/``data_source_name`` is this file taking precedence): the
    ``ExternalForce`` whose ``force_identifier`` is the plate's (``ground_force_v``,
    ``1_ground_force_v``) and whose ``applied_to_body`` ends ``_r``/``_l``; else, for
    model-frame files with exactly two such plates, the mean CoP z over loaded frames
    (Fy > ``GRF_CONTACT_THRESHOLD_N``): z points right in OpenSim, so the larger is the right
    foot, provided the two differ by at least 5 cm; else None.

    Parameters
    ----------
    path : file to read.
    external_loads : an OpenSim ExternalLoads XML to take the foot of each plate from, instead
        of the XMLs beside the file.

    Returns
    -------
    GroundReactionData : force on the body [N], CoP [m], free moment [N·m]; units N, m, N·m
        for ``ground_*`` columns (no file here states other units; a header ``units=mm`` would
        scale points and torques by 1e-3). CoP of unloaded frames is kept as in the file (often
        0 or the plate centre). Rate from ``DataRate`` or the mean time step [Hz].

    Raises
    ------
    InputError
        As :func:`read_storage`; also no GRF columns, a plate lacking one of its 9 columns, a
        column twice, both conventions mixed, an unreadable ``external_loads``, time not
        strictly increasing.
    """
    p, lines = _read_lines(path)
    header, labels, data = _parse_storage(p, lines)
    plates, style = _find_plates(p, labels)
    time = data[:, 0].copy()
    _check_increasing(p, time)

    def stack(quantity: str) -> FloatArray:
        cols = [[plate.columns[(quantity, a)] for a in range(3)] for plate in plates]
        return data[:, np.array(cols)].astype(np.float64)

    force, point, torque = stack("F"), stack("P"), stack("M")
    if style == "c3d":
        point = point * 1e-3
        torque = torque * 1e-3
        fx, fy, fz = force[..., 0], force[..., 1], force[..., 2]
        with np.errstate(divide="ignore", invalid="ignore"):
            dx = np.where(fz != 0, -torque[..., 1] / fz, np.nan)
            dy = np.where(fz != 0, torque[..., 0] / fz, np.nan)
        cop = point + np.stack([dx, dy, np.zeros_like(dx)], axis=-1)
        free = np.zeros_like(torque)
        free[..., 2] = torque[..., 2] - (dx * fy - dy * fx)
        free[np.isnan(dx)] = np.nan
        frame = "lab"
    else:
        units = next((v for k, v in header.items() if k.lower() == "units"), "m").strip()
        if units.lower() not in {"m", "mm", "meters", "metres"}:
            raise InputError(p, "units", "m or mm", repr(units))
        scale = 1e-3 if units.lower() == "mm" else 1.0
        cop, free = point * scale, torque * scale
        frame = "model"

    feet = [plate.foot for plate in plates]
    if style == "opensim" and None in feet:
        if external_loads is not None:
            xml_path = Path(external_loads)
            try:
                ET.parse(xml_path)
            except (ET.ParseError, OSError) as exc:
                raise InputError(
                    xml_path, "ExternalLoads", "a readable OpenSim XML", str(exc)
                ) from exc
            xml_files = [xml_path]
        else:
            xml_files = sorted(p.parent.glob("*.xml"))
        from_xml = _feet_from_xml(xml_files, p.name)
        feet = [
            foot or from_xml.get(plate.identifier) for foot, plate in zip(feet, plates, strict=True)
        ]
    unknown = [i for i, foot in enumerate(feet) if foot is None]
    if frame == "model" and len(unknown) == 2:
        means = []
        for i in unknown:
            loaded = force[:, i, 1] > GRF_CONTACT_THRESHOLD_N
            z = cop[loaded, i, 2]
            z = z[np.isfinite(z)]
            means.append(float(z.mean()) if z.size else math.nan)
        if all(map(math.isfinite, means)) and abs(means[0] - means[1]) >= _MIN_SIDE_SEPARATION_M:
            right = unknown[0] if means[0] > means[1] else unknown[1]
            for i in unknown:
                feet[i] = "right" if i == right else "left"

    return GroundReactionData(
        time_s=time,
        force_n=force,
        cop_m=cop,
        free_moment_nm=free,
        labels=tuple(plate.label for plate in plates),
        foot=tuple(feet),
        rate_hz=_rate_hz(header, "DataRate", time),
        source=str(p),
        frame=frame,
    )
