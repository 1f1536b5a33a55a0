"""Read a C3D file (markers, force platforms, analog channels) with ezc3d, in SI units.

The file is parsed by ezc3d (Michaud & Begon 2021, J Open Source Softw 6:2911); this module
only checks the file, converts units, builds the time bases and packs the typed containers of
:mod:`kneeload.io.types`. Everything stays in the file's laboratory frame (``frame="lab"``);
:func:`kneeload.io.frames.lab_to_model` converts to OpenSim's frame.

Conventions found in ezc3d 1.7 (``ezc3d.c3d(path, extract_forceplat_data=True)``,
``src/modules/ForcePlatforms.cpp``), checked on the files of ``../shared/data``:

* ``force``: the six analog channels of a type 2/4 plate (type 4 through ``CAL_MATRIX``, type 3
  summed from its eight channels) rotated from the plate frame (built from
  ``FORCE_PLATFORM:CORNERS``) to the lab frame. ezc3d flips no sign: the sign is that of the
  file's channels. In every file of ``../shared/data`` (Vicon Nexus, Cortex, Visual3D exports)
  the vertical component is **positive upward, about body weight, in stance**, i.e. the force
  applied by the ground on the body; early-stance horizontal force opposes the walking
  direction (braking), as it must for that convention. It equals OpenSim's
  ``C3DFileAdapter`` forces to printed precision (tests/io/test_c3d.py). A plate whose
  largest vertical force (above 5 × the contact threshold) is downward (a file storing the
  action of the body on the plate) is negated as a whole (force and moments; the centre of
  pressure is unchanged) and reported in :attr:`C3DTrial.force_sign_flipped`.
* ``moment``: about the centre of the plate surface (mean of the corners), lab axes, in
  force unit × ``POINT:UNITS`` (N·mm here).
* ``center_of_pressure``: on the plate surface, lab frame, ``POINT:UNITS``; undefined
  (0/0) when the plate is unloaded, so NaN here where the vertical force is below
  :data:`kneeload.config.GRF_CONTACT_THRESHOLD_N`.
* ``Tz``: the moment about the centre of pressure, lab axes (only its component along the
  plate normal is non-zero): the free moment.
* ``points``: NaN already where the residual is negative (invalid point, C3D spec); the
  residual test is applied again here. Exact zeros are kept: a marker may sit at the lab
  origin (JW's ``Oglobal``).
* header ``first_frame`` is 0-based (Vicon frame number − 1). The time of point frame ``i``
  is ``(first_frame + i) / point_rate``; that of analog sample ``j`` is
  ``first_frame / point_rate + j / analog_rate``.

ezc3d 1.7 does not notice a file cut in its data section (it returns the frames present) and
crashes the interpreter on a file cut inside its parameter section; both are checked here
before and after ezc3d reads (no C3D parsing beyond the 512-byte header's block pointers).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kneeload import config
from kneeload.exceptions import InputError
from kneeload.io.types import GroundReactionData, MarkerData

FloatArray = NDArray[np.float64]

#: metres per unit of length
_LENGTH_TO_M: dict[str, float] = {"mm": 1e-3, "cm": 1e-2, "m": 1.0}
#: newtons per unit of force
_FORCE_TO_N: dict[str, float] = {"N": 1.0, "kN": 1e3}
#: point labels of computed (non-position) quantities that Vicon lists in POINT groups
_NON_MARKER_GROUPS: tuple[str, ...] = (
    "ANGLES",
    "FORCES",
    "MOMENTS",
    "POWERS",
    "SCALARS",
    "REACTIONS",
)
_AXES = "xyz"


@dataclass(frozen=True)
class AnalogData:
    """Analog channels (EMG, raw force channels, sync signals) as stored, scaled by ezc3d.

    Attributes
    ----------
    time_s : (n_samples,) [s], on the C3D time base (accounts for the first frame)
    values : (n_samples, n_channels), in the channel's unit (``units``)
    labels : channel names (``ANALOG:LABELS``), duplicates suffixed ``_2``, ``_3``...
    units : channel units (``ANALOG:UNITS``; "" when absent)
    rate_hz : sampling rate [Hz]
    source : the file read
    """

    time_s: FloatArray
    values: FloatArray
    labels: tuple[str, ...]
    units: tuple[str, ...]
    rate_hz: float
    source: str

    def channel(self, label: str) -> FloatArray:
        """One channel over time, (n_samples,); a clear error if it is absent."""
        if label not in self.labels:
            raise InputError(
                self.source, label, f"an analog channel among {', '.join(self.labels)}"
            )
        return self.values[:, self.labels.index(label)]


@dataclass(frozen=True)
class C3DTrial:
    """Everything kneeload takes from one C3D file, in SI units, lab frame.

    Attributes
    ----------
    markers : marker trajectories [m] at ``point_rate_hz``, NaN where missing
    forces : ground reaction per force platform at ``analog_rate_hz`` (its own time base),
        applied by the ground on the body; ``foot`` is None (see
        :func:`kneeload.io.frames.assign_plates_to_feet`); zero plates if the file has none
    analogs : all analog channels at ``analog_rate_hz``
    point_rate_hz : marker sampling rate [Hz]
    analog_rate_hz : analog sampling rate [Hz] (0 when the file has no analog data)
    first_frame : 0-based index of the first stored frame (header); ``markers.time_s[0] ==
        first_frame / point_rate_hz``
    vertical_axis : "z" or "y", the lab's upward axis (normal of the force platforms, else
        ``POINT:Y_SCREEN``, else "z")
    force_sign_flipped : per plate, True if the file's force had to be negated to be the
        ground's force on the body
    source : the file read
    """

    markers: MarkerData
    forces: GroundReactionData
    analogs: AnalogData
    point_rate_hz: float
    analog_rate_hz: float
    first_frame: int
    vertical_axis: str
    force_sign_flipped: tuple[bool, ...]
    source: str

    @property
    def time_s(self) -> FloatArray:
        """Marker time base [s] (the C3D time base, first frame included)."""
        return self.markers.time_s


def read_c3d(path: str | Path) -> C3DTrial:
    """Read markers, force platforms and analog channels of a C3D file.

    Parameters
    ----------
    path : the ``.c3d`` file

    Returns
    -------
    C3DTrial
        Markers in [m] (``POINT:UNITS`` converted), forces in [N], centre of pressure in [m],
        free moment (``Tz`` about the centre of pressure) in [N·m], all in the lab frame.

    Raises
    ------
    InputError
        Missing, empty, non-C3D or truncated file; unknown units; unsupported force-platform
        type. The message names the file.

    Notes
    -----
    Sign conventions, units and time bases are described in the module docstring.
    Force-platform types 1–4 are supported (ezc3d's own support).
    """
    source = str(path)
    announced_frames = _check_file(Path(path), source)

    import ezc3d  # heavy import kept local: kneeload's package import stays light

    try:
        c3d = ezc3d.c3d(source, extract_forceplat_data=True)
        platforms = list(c3d["data"]["platform"])
    except Exception as exc:
        # the FORCE_PLATFORM group may be absent or unusable: read again without it
        try:
            c3d = ezc3d.c3d(source)
        except Exception as exc2:
            raise InputError(
                source, "file", "a readable C3D file", f"ezc3d error: {exc2}"
            ) from exc2
        n_used = _int_param(c3d, "FORCE_PLATFORM", "USED", default=0)
        if n_used > 0:
            raise InputError(
                source,
                "FORCE_PLATFORM",
                "force-platform parameters ezc3d can use (types 1-4)",
                f"ezc3d error: {exc}",
            ) from exc
        platforms = []

    header = c3d["header"]
    params = c3d["parameters"]
    point_rate = float(header["points"]["frame_rate"])
    first_frame = int(header["points"]["first_frame"])
    points = np.asarray(c3d["data"]["points"], dtype=np.float64)
    analogs = np.asarray(c3d["data"]["analogs"], dtype=np.float64)
    n_frames = points.shape[2]
    if point_rate <= 0:
        raise InputError(source, "POINT:RATE", "a positive frame rate [Hz]", str(point_rate))

    _check_frame_count(announced_frames, n_frames, source)

    markers = _markers(c3d, points, point_rate, first_frame, source)
    analog_data = _analogs(c3d, analogs, point_rate, first_frame, source)
    vertical = _vertical_axis(params, platforms, source)
    forces, flipped = _forces(platforms, analog_data, vertical, source)
    return C3DTrial(
        markers=markers,
        forces=forces,
        analogs=analog_data,
        point_rate_hz=point_rate,
        analog_rate_hz=analog_data.rate_hz,
        first_frame=first_frame,
        vertical_axis=_AXES[vertical],
        force_sign_flipped=flipped,
        source=source,
    )


# --------------------------------------------------------------------------------------------
# file checks (before and after ezc3d)


def _check_file(path: Path, source: str) -> int | None:
    """Reject what would make ezc3d fail obscurely or crash: missing, empty, cut, not a C3D.

    Reads only the 512-byte header's first word (parameter-block pointer and the C3D key 0x50),
    the parameter section's 4-byte preamble (number of parameter blocks, processor type) and
    the header's DATA_START word, and checks that the file holds the blocks they announce
    (C3D.org, "The C3D File Format User Guide", 2008, ch. 3).

    Returns
    -------
    The number of frames the header announces (words 4-5, first and last frame), or None
    when the 16-bit last-frame word is saturated (long files keep the count elsewhere).
    ezc3d rewrites its own header copy to the frames it could read, so the announced count
    must come from the raw bytes.
    """
    if not path.is_file():
        raise InputError(source, "file", "an existing C3D file", "no such file")
    size = path.stat().st_size
    if size == 0:
        raise InputError(source, "file", "a C3D file", "an empty file")
    with path.open("rb") as fh:
        head = fh.read(512)
        if len(head) < 512:
            raise InputError(source, "header", "a 512-byte C3D header", f"{len(head)} bytes")
        param_block, key = head[0], head[1]
        if key != 0x50 or param_block < 2:
            raise InputError(
                source, "header", "a C3D file (key byte 0x50 in the header)", "another file type"
            )
        param_start = (param_block - 1) * 512
        if size < param_start + 4:
            raise InputError(source, "file", "a complete C3D file", f"truncated at {size} bytes")
        fh.seek(param_start)
        preamble = fh.read(4)
    n_param_blocks, processor = preamble[2], preamble[3] - 83
    if processor not in (1, 2, 3):
        raise InputError(
            source, "parameter section", "a C3D processor type 84, 85 or 86", str(preamble[3])
        )
    if size < param_start + 512 * max(n_param_blocks, 1):
        raise InputError(
            source,
            "file",
            f"a complete C3D file ({n_param_blocks} parameter blocks)",
            f"truncated at {size} bytes",
        )
    endian = ">" if processor == 3 else "<"
    (data_start,) = struct.unpack(endian + "H", head[16:18])
    if data_start >= 1 and size < (data_start - 1) * 512:
        raise InputError(
            source,
            "file",
            f"a complete C3D file (data from block {data_start})",
            f"truncated at {size} bytes",
        )
    first, last = struct.unpack(endian + "HH", head[6:10])
    if last == 0xFFFF or last < first:
        return None
    return int(last) - int(first) + 1


def _param(c3d: Any, group: str, name: str) -> Any:
    """Value of a parameter, or None if the group or parameter is absent."""
    params = c3d["parameters"]
    if group not in params or name not in params[group]:
        return None
    return params[group][name]["value"]


def _int_param(c3d: Any, group: str, name: str, default: int) -> int:
    value = _param(c3d, group, name)
    if value is None or len(value) == 0:
        return default
    return int(np.asarray(value).ravel()[0])


def _check_frame_count(announced: int | None, n_read: int, source: str) -> None:
    """ezc3d returns the frames present without complaint; compare with the raw header."""
    if announced is not None and n_read < announced:
        raise InputError(
            source, "data", f"{announced} frames (C3D header)", f"{n_read} (truncated file)"
        )


# --------------------------------------------------------------------------------------------
# markers and analogs


def _labels(c3d: Any, group: str, n: int, prefix: str) -> list[str]:
    """LABELS, LABELS2, ... of a group, padded to n, stripped."""
    labels: list[str] = []
    for name in ["LABELS", *(f"LABELS{i}" for i in range(2, 10))]:
        value = _param(c3d, group, name)
        if value is None:
            break
        labels.extend(str(v).strip() for v in value)
    labels = labels[:n]
    labels.extend(f"{prefix}{i + 1}" for i in range(len(labels), n))
    return labels


def _unique(labels: list[str]) -> tuple[str, ...]:
    """Duplicate labels suffixed ``_2``, ``_3``... in order (e.g. Gait.c3d's two RKNE)."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label}_{seen[label]}")
    return tuple(out)


def _length_scale(unit: str, source: str, field: str) -> float:
    unit = unit.strip()
    if unit not in _LENGTH_TO_M:
        raise InputError(source, field, f"a length unit among {', '.join(_LENGTH_TO_M)}", unit)
    return _LENGTH_TO_M[unit]


def _markers(
    c3d: Any, points: FloatArray, rate: float, first_frame: int, source: str
) -> MarkerData:
    n_points, n_frames = points.shape[1], points.shape[2]
    labels = _labels(c3d, "POINT", n_points, "point")
    units = _param(c3d, "POINT", "UNITS")
    unit = str(units[0]) if units else "mm"
    scale = _length_scale(unit, source, "POINT:UNITS")

    xyz = np.transpose(points[:3], (2, 1, 0)) * scale  # (frames, points, 3)
    residuals = np.asarray(c3d["data"]["meta_points"]["residuals"], dtype=np.float64)
    if residuals.size:
        invalid = residuals[0].T < 0  # (frames, points)
        xyz[invalid] = np.nan

    # drop computed quantities (angles, moments...) that Vicon stores as points
    computed: set[str] = set()
    for group in _NON_MARKER_GROUPS:
        value = _param(c3d, "POINT", group)
        if value:
            computed.update(str(v).strip() for v in value)
    keep = [i for i, label in enumerate(labels) if label not in computed]
    time = (first_frame + np.arange(n_frames, dtype=np.float64)) / rate
    return MarkerData(
        time_s=time,
        positions_m=np.ascontiguousarray(xyz[:, keep, :]),
        labels=_unique([labels[i] for i in keep]),
        rate_hz=rate,
        source=source,
        frame="lab",
    )


def _analogs(
    c3d: Any, analogs: FloatArray, point_rate: float, first_frame: int, source: str
) -> AnalogData:
    n_channels, n_samples = analogs.shape[1], analogs.shape[2]
    rate = float(c3d["header"]["analogs"]["frame_rate"]) if n_channels else 0.0
    labels = _labels(c3d, "ANALOG", n_channels, "channel")
    units_value = _param(c3d, "ANALOG", "UNITS") or []
    units = [str(u).strip() for u in units_value][:n_channels]
    units.extend("" for _ in range(len(units), n_channels))
    time = (
        first_frame / point_rate + np.arange(n_samples, dtype=np.float64) / rate
        if rate > 0
        else np.zeros(0)
    )
    return AnalogData(
        time_s=time,
        values=np.ascontiguousarray(analogs[0].T) if n_channels else np.zeros((n_samples, 0)),
        labels=_unique(labels),
        units=tuple(units),
        rate_hz=rate,
        source=source,
    )


# --------------------------------------------------------------------------------------------
# force platforms


def _vertical_axis(params: Any, platforms: list[Any], source: str) -> int:
    """Index of the lab's upward axis: plate normal, else POINT:Y_SCREEN, else z."""
    normals = set()
    for pf in platforms:
        corners = np.asarray(pf["corners"], dtype=np.float64)  # (3, 4)
        if corners.shape != (3, 4) or not np.all(np.isfinite(corners)):
            continue
        normal = np.cross(corners[:, 0] - corners[:, 1], corners[:, 0] - corners[:, 3])
        if np.linalg.norm(normal) > 0:
            normals.add(int(np.argmax(np.abs(normal))))
    if len(normals) == 1:
        return normals.pop()
    if len(normals) > 1:
        raise InputError(
            source, "FORCE_PLATFORM:CORNERS", "force platforms all normal to one lab axis"
        )
    y_screen = params["POINT"]["Y_SCREEN"]["value"] if "Y_SCREEN" in params["POINT"] else None
    if y_screen:
        text = str(y_screen[0]).strip().upper()
        if text in ("+Y", "Y"):
            return 1
        if text in ("+X", "X"):
            return 0
    return 2


def _forces(
    platforms: list[Any], analogs: AnalogData, vertical: int, source: str
) -> tuple[GroundReactionData, tuple[bool, ...]]:
    n = analogs.time_s.size
    n_plates = len(platforms)
    force = np.zeros((n, n_plates, 3))
    cop = np.full((n, n_plates, 3), np.nan)
    free = np.zeros((n, n_plates, 3))
    flipped: list[bool] = []
    threshold = config.GRF_CONTACT_THRESHOLD_N
    for p, pf in enumerate(platforms):
        f_unit = str(pf["unit_force"]).strip()
        if f_unit not in _FORCE_TO_N:
            raise InputError(source, "FORCE_PLATFORM:UNITS", "N or kN", f_unit)
        pos_unit = str(pf["unit_position"]).strip()
        to_m = _length_scale(pos_unit, source, "POINT:UNITS (force-platform positions)")
        to_n = _FORCE_TO_N[f_unit]
        f = np.asarray(pf["force"], dtype=np.float64).T  # (n_pf, 3)
        if f.shape[0] != n:
            raise InputError(
                source, f"force platform {p + 1}", f"{n} analog samples", str(f.shape[0])
            )
        c = np.asarray(pf["center_of_pressure"], dtype=np.float64).T
        tz = np.asarray(pf["Tz"], dtype=np.float64).T
        f = f * to_n
        fv = f[:, vertical]
        # ground-on-body: the loaded vertical force must point up. Zero offsets of a few tens
        # of newtons of either sign are common (walking2 plate 2: -27 N, Fukuchi: -58 N), so
        # only a plate whose largest |vertical force|, above 5 x threshold, is downward flips.
        flip = bool(fv.size and -np.nanmin(fv) > max(5.0 * threshold, np.nanmax(fv)))
        if flip:
            f, tz, fv = -f, -tz, -fv
        flipped.append(flip)
        loaded = fv > threshold
        force[:, p, :] = f
        cop[loaded, p, :] = c[loaded] * to_m
        free[loaded, p, :] = tz[loaded] * to_n * to_m
    labels = tuple(f"plate{p + 1}" for p in range(n_plates))
    data = GroundReactionData(
        time_s=analogs.time_s.copy(),
        force_n=force,
        cop_m=cop,
        free_moment_nm=free,
        labels=labels,
        foot=tuple(None for _ in range(n_plates)),
        rate_hz=analogs.rate_hz,
        source=source,
        frame="lab",
    )
    return data, tuple(flipped)
