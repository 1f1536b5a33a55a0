"""Typed containers the readers return: SI units, time-first arrays, the file they came from.

Frames: ``frame="lab"`` is the file's own laboratory frame (C3D: z up); ``frame="model"`` is
OpenSim's (x forward, y up, z right). :mod:`kneeload.io.frames` converts lab to model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kneeload.exceptions import InputError

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class MarkerData:
    """Marker trajectories.

    Attributes
    ----------
    time_s : (n_frames,) [s]
    positions_m : (n_frames, n_markers, 3) [m]; NaN where a marker is missing
    labels : marker names, in column order
    rate_hz : sampling rate [Hz]
    source : the file read
    frame : "lab" or "model"
    """

    time_s: FloatArray
    positions_m: FloatArray
    labels: tuple[str, ...]
    rate_hz: float
    source: str
    frame: str = "model"

    def marker(self, label: str) -> FloatArray:
        """Trajectory of one marker, (n_frames, 3) [m]; a clear error if it is absent."""
        if label not in self.labels:
            raise InputError(self.source, label, f"a marker among {', '.join(self.labels)}")
        return self.positions_m[:, self.labels.index(label), :]


@dataclass(frozen=True)
class GroundReactionData:
    """Ground reaction force per plate (or per foot), applied by the ground on the body.

    Attributes
    ----------
    time_s : (n_frames,) [s]
    force_n : (n_frames, n_plates, 3) [N]
    cop_m : (n_frames, n_plates, 3) centre of pressure [m]; NaN (or 0) where unloaded
    free_moment_nm : (n_frames, n_plates, 3) moment about the centre of pressure [N·m]
    labels : a name per plate (the column prefix, or "plate1", ...)
    foot : "right", "left" or None (not known yet) per plate
    rate_hz : sampling rate [Hz]
    source : the file read
    frame : "lab" or "model"
    """

    time_s: FloatArray
    force_n: FloatArray
    cop_m: FloatArray
    free_moment_nm: FloatArray
    labels: tuple[str, ...]
    foot: tuple[str | None, ...]
    rate_hz: float
    source: str
    frame: str = "model"


@dataclass(frozen=True)
class CoordinateData:
    """Generalised coordinates of a model over time (an OpenSim IK ``.mot`` / ``.sto``).

    Attributes
    ----------
    time_s : (n_frames,) [s]
    values : (n_frames, n_coordinates): rotations in [rad], translations in [m]
    names : plain coordinate names (``hip_flexion_r``), Moco-style paths reduced to them
    rate_hz : sampling rate [Hz]
    source : the file read
    """

    time_s: FloatArray
    values: FloatArray
    names: tuple[str, ...]
    rate_hz: float
    source: str

    def coordinate(self, name: str) -> FloatArray:
        """One coordinate over time, (n_frames,); a clear error if it is absent."""
        if name not in self.names:
            raise InputError(self.source, name, f"a coordinate among {', '.join(self.names)}")
        return self.values[:, self.names.index(name)]
