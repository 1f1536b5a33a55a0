"""Readers of delimited text tables (CSV, TSV) whose columns a user declares in a TOML map.

A column map says where the numbers are and what they mean; the readers return the same typed
objects as the other readers (:class:`~kneeload.io.types.MarkerData`,
:class:`~kneeload.io.types.GroundReactionData`, :class:`~kneeload.io.types.CoordinateData`),
in SI units with their time base. Worked examples are in ``models/column_maps/``. A map::

    [meta]                      # free text: where the data come from, their units
    source = "Winter (2009), Table A.1"

    [table]                     # all optional
    delimiter = ","             # one character, "tab" or "whitespace"; default ","
    header_row = 1              # line number (1 = first line) of the column names; default 1
    skip_after_header = 0       # lines between the names and the data (e.g. a units row)
    comment = "#"               # lines starting with this are skipped

    [time]                      # a time column, or a rate (then t = 0, 1/rate, 2/rate, ...)
    column = "time_s"
    unit = "s"                  # "s" (default) or "ms"
    # rate_hz = 69.9            # with a column too: must agree with its mean step within 1 %

    [units]                     # required for every quantity the map uses
    length = "cm"               # mm, cm, m
    force = "N"                 # N, kN
    moment = "N*mm"             # N*mm, N*m (also written N·mm, N.mm, Nmm, ...)
    angle = "deg"               # deg, rad

    [frame]
    name = "lab"                # "lab" (the file's axes) or "model" (OpenSim: x fwd, y up)
    vertical_axis = "y"         # the upward axis, "y" or "z": for io.frames.lab_to_model

    [markers]                   # name = [x, y, z]: column names, or numbers (constants in
    hip = ["hip_x_cm", "hip_y_cm", 0]   # the declared unit, e.g. z = 0 for planar data)

    [[plates]]                  # one table per force plate (or per foot)
    label = "plate1"
    foot = "right"              # "right" or "left"; omitted: not known
    force = ["Fx", "Fy", "Fz"]  # force of the ground on the body
    cop = ["COPx", "COPy", "COPz"]
    free_moment = [0, "My", 0]  # about the centre of pressure; omitted: zero

    [coordinates.angles]        # coordinate name = column (angle unit)
    knee_angle_r = "knee_deg"
    [coordinates.lengths]       # translational coordinates (length unit)
    pelvis_tx = "pelvis_x"

Blank cells are gaps (NaN), never zeros. Every problem raises
:class:`~kneeload.exceptions.InputError` naming the CSV or the map, the column or key and what
was expected: unknown keys and units, missing or duplicated columns, non-numeric cells, rows of
the wrong length, time that is not finite and strictly increasing.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kneeload._checks import check_keys, closest_name
from kneeload.data import read_toml
from kneeload.exceptions import InputError
from kneeload.io.types import CoordinateData, FloatArray, GroundReactionData, MarkerData

__all__ = [
    "ColumnMap",
    "PlateColumns",
    "read_column_map",
    "read_csv_coordinates",
    "read_csv_forces",
    "read_csv_markers",
]

#: a column name, or a constant in the map's declared unit
Entry = str | float
Vector = tuple[Entry, Entry, Entry]

#: factor to SI of each accepted unit, per quantity; moment units are compared without
#: spaces and separators (N*mm, N·mm, N.mm, N mm, Nmm are the same)
_UNITS: dict[str, dict[str, float]] = {
    "length": {"mm": 1e-3, "cm": 1e-2, "m": 1.0},
    "force": {"n": 1.0, "kn": 1e3},
    "moment": {"nmm": 1e-3, "nm": 1.0, "knm": 1e3},
    "angle": {"deg": math.pi / 180.0, "rad": 1.0},
    "time": {"s": 1.0, "ms": 1e-3},
}
_UNIT_WORDS = {
    "length": "mm, cm or m",
    "force": "N or kN",
    "moment": "N*mm, N*m or kN*m",
    "angle": "deg or rad",
    "time": "s or ms",
}
_KEYS: dict[str, frozenset[str]] = {
    "": frozenset({"meta", "table", "time", "units", "frame", "markers", "plates", "coordinates"}),
    "table": frozenset({"delimiter", "header_row", "skip_after_header", "comment"}),
    "time": frozenset({"column", "unit", "rate_hz"}),
    "units": frozenset({"length", "force", "moment", "angle"}),
    "frame": frozenset({"name", "vertical_axis"}),
    "plates": frozenset({"label", "foot", "force", "cop", "free_moment"}),
    "coordinates": frozenset({"angles", "lengths"}),
}
_AXES = ("x", "y", "z")
_FEET = ("right", "left")
#: a time column and a declared rate must agree this well (relative)
_RATE_TOLERANCE = 0.01


@dataclass(frozen=True)
class PlateColumns:
    """Columns of one force plate: force [force unit], centre of pressure [length unit], free
    moment [moment unit], each (x, y, z) column names or constants, and the foot on it."""

    label: str
    foot: str | None
    force: Vector
    cop: Vector
    free_moment: Vector


@dataclass(frozen=True)
class ColumnMap:
    """A parsed column map (see the module docstring for the file format).

    Attributes
    ----------
    source : the map file
    meta : the ``[meta]`` table as written (data source, units, notes)
    delimiter : one character, or None for runs of whitespace
    header_row : line number of the column names (1 = first line)
    skip_after_header : lines skipped between the names and the data
    comment : prefix of lines to skip, or None
    time_column : name of the time column, or None when the rate gives the time
    time_unit : "s" or "ms"
    rate_hz : declared sampling rate [Hz], or None
    units : quantity ("length", "force", "moment", "angle") -> unit as written
    frame : "lab" or "model"
    vertical_axis : the frame's upward axis, "y" or "z"
    markers : (name, (x, y, z)) in file order
    plates : one entry per plate
    angles : (coordinate name, column) for rotational coordinates
    lengths : (coordinate name, column) for translational coordinates
    """

    source: str
    meta: Mapping[str, Any]
    delimiter: str | None
    header_row: int
    skip_after_header: int
    comment: str | None
    time_column: str | None
    time_unit: str
    rate_hz: float | None
    units: Mapping[str, str]
    frame: str
    vertical_axis: str
    markers: tuple[tuple[str, Vector], ...]
    plates: tuple[PlateColumns, ...]
    angles: tuple[tuple[str, Entry], ...]
    lengths: tuple[tuple[str, Entry], ...]

    def scale(self, quantity: str) -> float:
        """Factor from the declared unit of ``quantity`` to SI; InputError if none is declared."""
        if quantity == "time":
            return _UNITS["time"][_unit_key(self.time_unit)]
        if quantity not in self.units:
            raise InputError(
                self.source, f"units.{quantity}", f"a {quantity} unit ({_UNIT_WORDS[quantity]})"
            )
        return _UNITS[quantity][_unit_key(self.units[quantity])]


# ---------------------------------------------------------------------------------- the map


def _unit_key(unit: str) -> str:
    """Unit as compared: lower case, without spaces and product signs (N·mm -> nmm)."""
    return "".join(c for c in unit.lower() if c not in " *·.⋅")


def _table(source: Path, raw: Mapping[str, Any], key: str) -> dict[str, Any]:
    """``raw[key]`` as a table (empty when absent), checked against the allowed keys."""
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise InputError(source, key, "a table [" + key + "]", type(value).__name__)
    check_keys(source, value, key, _KEYS[key])
    return value


def _string(source: Path, value: Any, field: str, expected: str = "a non-empty string") -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(source, field, expected, repr(value))
    return value.strip()


def _entry(source: Path, value: Any, field: str) -> Entry:
    """A column name or a finite constant."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    raise InputError(source, field, "a column name or a number (a constant)", repr(value))


def _vector(source: Path, value: Any, field: str) -> Vector:
    if not isinstance(value, list) or len(value) != 3:
        raise InputError(source, field, "a list [x, y, z] of column names or numbers", repr(value))
    x, y, z = (_entry(source, v, f"{field} {axis}") for v, axis in zip(value, _AXES, strict=True))
    return x, y, z


def _positive_int(source: Path, value: Any, field: str, minimum: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise InputError(source, field, f"an integer >= {minimum}", repr(value))
    return value


def _unit(source: Path, value: Any, quantity: str, field: str) -> str:
    unit = _string(source, value, field, f"a {quantity} unit ({_UNIT_WORDS[quantity]})")
    if _unit_key(unit) not in _UNITS[quantity]:
        raise InputError(source, field, f"a {quantity} unit: {_UNIT_WORDS[quantity]}", repr(unit))
    return unit


def _delimiter(source: Path, value: Any) -> str | None:
    if value == "whitespace":
        return None
    if value == "tab":
        return "\t"
    if isinstance(value, str) and len(value) == 1:
        return value
    raise InputError(
        source,
        "table.delimiter",
        'one character (",", ";", "\\t"), "tab" or "whitespace"',
        repr(value),
    )


def _named_entries(source: Path, table: Any, where: str) -> tuple[tuple[str, Entry], ...]:
    if not isinstance(table, dict):
        raise InputError(source, where, f"a table [{where}] of name = column", repr(table))
    return tuple((name, _entry(source, v, f"{where}.{name}")) for name, v in table.items())


def _plate(source: Path, raw: Any, index: int) -> PlateColumns:
    where = f"plates[{index}]"
    if not isinstance(raw, dict):
        raise InputError(source, where, "a table [[plates]]", repr(raw))
    check_keys(source, raw, where, _KEYS["plates"])
    label = _string(source, raw.get("label", f"plate{index + 1}"), f"{where}.label")
    foot = raw.get("foot")
    if foot is not None and foot not in _FEET:
        raise InputError(source, f"{where}.foot", '"right" or "left" (or no foot key)', repr(foot))
    for key in ("force", "cop"):
        if key not in raw:
            raise InputError(source, f"{where}.{key}", "a list [x, y, z] of column names")
    free = raw.get("free_moment", [0.0, 0.0, 0.0])
    return PlateColumns(
        label=label,
        foot=foot,
        force=_vector(source, raw["force"], f"{where}.force"),
        cop=_vector(source, raw["cop"], f"{where}.cop"),
        free_moment=_vector(source, free, f"{where}.free_moment"),
    )


def read_column_map(path: str | Path) -> ColumnMap:
    """Read and check a TOML column map (format in the module docstring).

    Parameters
    ----------
    path : the map file (``.toml``)

    Returns
    -------
    ColumnMap : the declarations, checked; columns are checked against a CSV when it is read.

    Raises
    ------
    InputError
        Missing file, TOML syntax, an unknown key (with the closest allowed one), an unknown unit,
        a bad delimiter or header row, no time column and no rate, a unit missing for a quantity
        the map uses, a marker/plate entry that is not [x, y, z], a foot other than right/left,
        a name declared twice, nothing declared.
    """
    source = Path(path)
    raw = read_toml(source)
    check_keys(source, raw, "", _KEYS[""])
    meta = raw.get("meta", {})
    if not isinstance(meta, dict):
        raise InputError(source, "meta", "a table [meta]", type(meta).__name__)
    table = _table(source, raw, "table")
    time = _table(source, raw, "time")
    units_raw = _table(source, raw, "units")
    frame = _table(source, raw, "frame")
    coordinates = _table(source, raw, "coordinates")

    units = {q: _unit(source, u, q, f"units.{q}") for q, u in units_raw.items()}
    comment = table.get("comment")
    if comment is not None:
        comment = _string(source, comment, "table.comment")

    time_column = time.get("column")
    if time_column is not None:
        time_column = _string(source, time_column, "time.column")
    rate_hz = time.get("rate_hz")
    if rate_hz is not None and (
        not isinstance(rate_hz, int | float) or isinstance(rate_hz, bool) or not rate_hz > 0
    ):
        raise InputError(source, "time.rate_hz", "a sampling rate > 0 [Hz]", repr(rate_hz))
    if time_column is None and rate_hz is None:
        raise InputError(source, "time", "a time column (time.column) or a rate (time.rate_hz)")

    frame_name = frame.get("name", "lab")
    if frame_name not in {"lab", "model"}:
        raise InputError(source, "frame.name", '"lab" or "model"', repr(frame_name))
    vertical = frame.get("vertical_axis")
    if vertical not in {"y", "z"}:
        raise InputError(
            source, "frame.vertical_axis", '"y" or "z" (the upward axis)', repr(vertical)
        )
    if frame_name == "model" and vertical != "y":
        raise InputError(
            source, "frame.vertical_axis", '"y" in the model frame (OpenSim: y up)', repr(vertical)
        )

    markers_raw = raw.get("markers", {})
    if not isinstance(markers_raw, dict):
        raise InputError(
            source, "markers", "a table [markers] of name = [x, y, z]", repr(markers_raw)
        )
    markers = tuple(
        (name, _vector(source, value, f"markers.{name}")) for name, value in markers_raw.items()
    )
    plates_raw = raw.get("plates", [])
    if not isinstance(plates_raw, list):
        raise InputError(source, "plates", "an array of tables [[plates]]", repr(plates_raw))
    plates = tuple(_plate(source, p, i) for i, p in enumerate(plates_raw))
    labels = [p.label for p in plates]
    for label in labels:
        if labels.count(label) > 1:
            raise InputError(source, "plates.label", "a different label per plate", repr(label))
    angles = _named_entries(source, coordinates.get("angles", {}), "coordinates.angles")
    lengths = _named_entries(source, coordinates.get("lengths", {}), "coordinates.lengths")
    repeated = {n for n, _ in angles} & {n for n, _ in lengths}
    if repeated:
        raise InputError(
            source,
            "coordinates",
            "each coordinate once (an angle or a length)",
            ", ".join(sorted(repeated)),
        )
    if not (markers or plates or angles or lengths):
        raise InputError(source, "columns", "[markers], [[plates]] or [coordinates.*] entries")

    needed = []
    if markers or lengths or plates:
        needed.append("length")
    if plates:
        needed.append("force")
    if any(e != 0.0 for p in plates for e in p.free_moment):
        needed.append("moment")
    if angles:
        needed.append("angle")
    for quantity in needed:
        if quantity not in units:
            raise InputError(
                source, f"units.{quantity}", f"a {quantity} unit ({_UNIT_WORDS[quantity]})"
            )

    return ColumnMap(
        source=str(source),
        meta=dict(meta),
        delimiter=_delimiter(source, table.get("delimiter", ",")),
        header_row=_positive_int(source, table.get("header_row", 1), "table.header_row", 1),
        skip_after_header=_positive_int(
            source, table.get("skip_after_header", 0), "table.skip_after_header", 0
        ),
        comment=comment,
        time_column=time_column,
        time_unit=_unit(source, time.get("unit", "s"), "time", "time.unit"),
        rate_hz=None if rate_hz is None else float(rate_hz),
        units=units,
        frame=frame_name,
        vertical_axis=vertical,
        markers=markers,
        plates=plates,
        angles=angles,
        lengths=lengths,
    )


# ---------------------------------------------------------------------------------- the CSV


@dataclass(frozen=True)
class _Table:
    """Cells of a delimited file as strings, with the line number of every data row."""

    path: Path
    cmap: ColumnMap
    columns: tuple[str, ...]
    rows: list[list[str]]
    line_numbers: list[int]

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    def _field(self, name: str, what: str) -> str:
        return f"column '{name}' ({what} in the column map {Path(self.cmap.source).name})"

    def _index(self, name: str, what: str) -> int:
        field = self._field(name, what)
        found = [i for i, c in enumerate(self.columns) if c == name]
        if len(found) > 1:
            raise InputError(
                self.path, field, "a column name that appears once", "it appears twice"
            )
        if not found:
            hint = closest_name(name, self.columns)
            shown = ", ".join(self.columns[:40]) + (", ..." if len(self.columns) > 40 else "")
            raise InputError(
                self.path,
                field,
                "a column of that name",
                "none" + (f" (did you mean {hint!r}?)" if hint else "") + f"; columns are {shown}",
            )
        return found[0]

    def values(self, entry: Entry, what: str, scale: float) -> FloatArray:
        """One column (or a constant) in SI, (n_rows,); blank cells are NaN."""
        if not isinstance(entry, str):
            return np.full(self.n_rows, entry * scale)
        j = self._index(entry, what)
        cells = [row[j].strip() or "nan" for row in self.rows]
        try:
            return np.array(cells, dtype=np.float64) * scale
        except ValueError:
            pass
        for r, cell in enumerate(cells):
            try:
                float(cell)
            except ValueError:
                raise InputError(
                    self.path,
                    self._field(entry, what),
                    "a number or a blank cell",
                    f"{cell!r} in data row {r + 1} (line {self.line_numbers[r]})",
                ) from None
        raise AssertionError("numpy rejected cells that float() accepts")  # pragma: no cover

    def vector(self, entries: Vector, what: str, scale: float) -> FloatArray:
        """(n_rows, 3) from three entries."""
        return np.stack(
            [
                self.values(e, f"{what} {axis}", scale)
                for e, axis in zip(entries, _AXES, strict=True)
            ],
            axis=-1,
        )


def _split(line: str, delimiter: str | None) -> list[str]:
    if delimiter is None:
        return line.split()
    return next(csv.reader([line], delimiter=delimiter))


def _read_table(csv_path: str | Path, cmap: ColumnMap) -> _Table:
    path = Path(csv_path)
    if not path.is_file():
        raise InputError(path, "file", "an existing file", "no such file")
    raw = path.read_bytes()
    if b"\x00" in raw[:65536]:
        raise InputError(path, "file", "a text file (CSV, TSV)", "binary data")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    lines = text.splitlines()

    def skipped(line: str) -> bool:
        stripped = line.strip()
        return not stripped or (cmap.comment is not None and stripped.startswith(cmap.comment))

    if cmap.header_row > len(lines) or skipped(lines[cmap.header_row - 1]):
        raise InputError(
            path,
            f"line {cmap.header_row} (table.header_row in {cmap.source})",
            "the column names",
            "no such line" if cmap.header_row > len(lines) else "a blank or comment line",
        )
    columns = tuple(c.strip() for c in _split(lines[cmap.header_row - 1], cmap.delimiter))
    rows: list[list[str]] = []
    numbers: list[int] = []
    for n in range(cmap.header_row + cmap.skip_after_header, len(lines)):
        if skipped(lines[n]):
            continue
        cells = _split(lines[n], cmap.delimiter)
        if len(cells) != len(columns):
            raise InputError(
                path,
                f"line {n + 1}",
                f"{len(columns)} values, one per column of line {cmap.header_row}",
                f"{len(cells)} values",
            )
        rows.append(cells)
        numbers.append(n + 1)
    if not rows:
        raise InputError(path, "data", "at least one data row after the column names", "none")
    return _Table(path, cmap, columns, rows, numbers)


def _time_and_rate(table: _Table) -> tuple[FloatArray, float]:
    """Time [s] and rate [Hz]: from the time column (finite, strictly increasing) or the rate."""
    cmap = table.cmap
    if cmap.time_column is None:
        assert cmap.rate_hz is not None  # read_column_map requires one of the two
        return np.arange(table.n_rows) / cmap.rate_hz, cmap.rate_hz
    name = cmap.time_column
    time = table.values(name, "time", cmap.scale("time"))
    field = table._field(name, "time")
    bad = np.flatnonzero(~np.isfinite(time))
    if bad.size:
        i = int(bad[0])
        raise InputError(
            table.path,
            field,
            "a time in every row [s]",
            f"a blank or non-finite cell in data row {i + 1} (line {table.line_numbers[i]})",
        )
    steps = np.diff(time)
    if np.any(steps <= 0):
        i = int(np.flatnonzero(steps <= 0)[0])
        raise InputError(
            table.path,
            field,
            "strictly increasing times",
            f"{time[i]:g} then {time[i + 1]:g} s at lines {table.line_numbers[i]} and "
            f"{table.line_numbers[i + 1]}",
        )
    if time.size < 2:
        return time, cmap.rate_hz if cmap.rate_hz is not None else math.nan
    mean_rate = float((time.size - 1) / (time[-1] - time[0]))
    if cmap.rate_hz is None:
        return time, round(mean_rate, 6)
    if abs(mean_rate - cmap.rate_hz) > _RATE_TOLERANCE * cmap.rate_hz:
        raise InputError(
            table.path,
            f"{field} and time.rate_hz in {cmap.source}",
            f"a mean step within 1 % of 1/{cmap.rate_hz:g} Hz",
            f"{mean_rate:.6g} Hz",
        )
    return time, cmap.rate_hz


def _column_map(column_map: ColumnMap | str | Path) -> ColumnMap:
    return column_map if isinstance(column_map, ColumnMap) else read_column_map(column_map)


def _require(cmap: ColumnMap, declared: Sequence[object], section: str) -> None:
    if not declared:
        raise InputError(cmap.source, section, f"{section} entries for this reader", "none")


def read_csv_markers(csv_path: str | Path, column_map: ColumnMap | str | Path) -> MarkerData:
    """Read marker trajectories declared in ``[markers]`` of a column map.

    Parameters
    ----------
    csv_path : the delimited table
    column_map : a :class:`ColumnMap` or the path of its TOML file

    Returns
    -------
    MarkerData : positions [m] in the map's frame (``frame`` and ``vertical_axis`` as declared:
        convert with :func:`kneeload.io.frames.lab_to_model`), NaN for blank cells, time [s].

    Raises
    ------
    InputError
        As :func:`read_column_map`; also no ``[markers]``, a missing or duplicated column, a
        non-numeric cell, a row of the wrong length, time not finite and strictly increasing.
    """
    cmap = _column_map(column_map)
    _require(cmap, cmap.markers, "[markers]")
    table = _read_table(csv_path, cmap)
    time, rate = _time_and_rate(table)
    scale = cmap.scale("length")
    positions = np.stack(
        [table.vector(cols, f"marker {name}", scale) for name, cols in cmap.markers], axis=1
    )
    return MarkerData(
        time_s=time,
        positions_m=positions,
        labels=tuple(name for name, _ in cmap.markers),
        rate_hz=rate,
        source=str(table.path),
        frame=cmap.frame,
    )


def read_csv_forces(csv_path: str | Path, column_map: ColumnMap | str | Path) -> GroundReactionData:
    """Read ground reaction forces declared in ``[[plates]]`` of a column map.

    Parameters
    ----------
    csv_path : the delimited table
    column_map : a :class:`ColumnMap` or the path of its TOML file

    Returns
    -------
    GroundReactionData : force on the body [N], centre of pressure [m] (kept as in the file
        where the plate is unloaded), free moment [N·m] (zero where the map declares none), the
        foot per plate as declared (None if not), in the map's frame; time [s].

    Raises
    ------
    InputError
        As :func:`read_csv_markers`, for ``[[plates]]``.
    """
    cmap = _column_map(column_map)
    _require(cmap, cmap.plates, "[[plates]]")
    table = _read_table(csv_path, cmap)
    time, rate = _time_and_rate(table)

    def stack(quantity: str, name: str, unit: str) -> FloatArray:
        # without a declared unit the map has only zero constants here (read_column_map)
        scale = cmap.scale(unit) if unit in cmap.units else 1.0
        return np.stack(
            [
                table.vector(getattr(p, quantity), f"plate {p.label} {name}", scale)
                for p in cmap.plates
            ],
            axis=1,
        )

    return GroundReactionData(
        time_s=time,
        force_n=stack("force", "force", "force"),
        cop_m=stack("cop", "centre of pressure", "length"),
        free_moment_nm=stack("free_moment", "free moment", "moment"),
        labels=tuple(p.label for p in cmap.plates),
        foot=tuple(p.foot for p in cmap.plates),
        rate_hz=rate,
        source=str(table.path),
        frame=cmap.frame,
    )


def read_csv_coordinates(
    csv_path: str | Path, column_map: ColumnMap | str | Path
) -> CoordinateData:
    """Read generalised coordinates declared in ``[coordinates.angles]`` / ``.lengths``.

    Parameters
    ----------
    csv_path : the delimited table
    column_map : a :class:`ColumnMap` or the path of its TOML file

    Returns
    -------
    CoordinateData : angles [rad] then lengths [m], in map order; time [s].

    Raises
    ------
    InputError
        As :func:`read_csv_markers`, for ``[coordinates]``.
    """
    cmap = _column_map(column_map)
    _require(cmap, cmap.angles + cmap.lengths, "[coordinates]")
    table = _read_table(csv_path, cmap)
    time, rate = _time_and_rate(table)
    columns = [
        table.values(entry, f"coordinate {name}", cmap.scale("angle"))
        for name, entry in cmap.angles
    ] + [
        table.values(entry, f"coordinate {name}", cmap.scale("length"))
        for name, entry in cmap.lengths
    ]
    return CoordinateData(
        time_s=time,
        values=np.stack(columns, axis=1),
        names=tuple(name for name, _ in cmap.angles + cmap.lengths),
        rate_hz=rate,
        source=str(table.path),
    )
