"""Frame conversions (lab → OpenSim model frame, 180° turn) and force-plate → foot assignment.

Frames (see :mod:`kneeload.io.types`): ``"lab"`` is the file's laboratory frame, ``"model"`` is
OpenSim's (x forward, y up, z right). OpenSim's C3D import (``C3DFileAdapter`` output rotated
by -90° about x, as in OpenSim's "Preparing data" scripts and the Grand Challenge files) maps a
z-up lab to the model frame by

    x_model = x_lab,  y_model = z_lab,  z_model = -y_lab

a proper rotation (det +1), so positions, forces and moments (axial vectors) all transform
the same way. A y-up lab (Fukuchi et al. 2018's treadmill C3D) is already the model frame.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TypeVar, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kneeload import config
from kneeload.exceptions import InputError
from kneeload.io.events import contact_intervals
from kneeload.io.types import GroundReactionData, MarkerData

FloatArray = NDArray[np.float64]
Data = TypeVar("Data", MarkerData, GroundReactionData)

#: rows: model axes; columns: lab axes (z-up lab). v_model = R @ v_lab
LAB_Z_UP_TO_MODEL: FloatArray = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, -1.0, 0.0]])
#: 180° about the model's vertical (y): x → -x, z → -z
ROTATE_180_ABOUT_Y: FloatArray = np.diag([-1.0, 1.0, -1.0])

_FEET = ("right", "left")


def _rotate_markers(data: MarkerData, rotation: FloatArray, frame: str) -> MarkerData:
    return replace(data, positions_m=data.positions_m @ rotation.T, frame=frame)


def _rotate_grf(data: GroundReactionData, rotation: FloatArray, frame: str) -> GroundReactionData:
    return replace(
        data,
        force_n=data.force_n @ rotation.T,
        cop_m=data.cop_m @ rotation.T,
        free_moment_nm=data.free_moment_nm @ rotation.T,
        frame=frame,
    )


def _rotate(data: Data, rotation: FloatArray, frame: str) -> Data:
    """Apply v' = R v to every 3-vector of ``data`` (last axis), returning a new object."""
    if isinstance(data, MarkerData):
        return cast(Data, _rotate_markers(data, rotation, frame))
    return cast(Data, _rotate_grf(data, rotation, frame))


def lab_to_model(data: Data, vertical_axis: str = "z") -> Data:
    """Convert lab-frame markers or ground reactions to OpenSim's model frame (y up).

    Parameters
    ----------
    data : MarkerData or GroundReactionData with ``frame="lab"``
    vertical_axis : the lab's upward axis, ``"z"`` (most labs, Vicon; converted by
        x_model = x_lab, y_model = z_lab, z_model = -y_lab, as OpenSim's C3D import) or
        ``"y"`` (already the model frame: only the label changes). Use
        :attr:`kneeload.io.c3d.C3DTrial.vertical_axis`.

    Returns
    -------
    A new object of the same type with ``frame="model"``: positions [m], forces [N], centres
    of pressure [m] and free moments [N·m] rotated; NaN stay NaN.

    Raises
    ------
    InputError
        ``data`` not in the lab frame, or an unsupported vertical axis.
    """
    if data.frame != "lab":
        raise InputError(data.source, "frame", "lab-frame data", repr(data.frame))
    if vertical_axis == "z":
        return _rotate(data, LAB_Z_UP_TO_MODEL, "model")
    if vertical_axis == "y":
        return replace(data, frame="model")
    raise InputError(
        data.source, "vertical_axis", "'z' or 'y' (the lab's upward axis)", vertical_axis
    )


def model_to_lab(data: Data, vertical_axis: str = "z") -> Data:
    """Inverse of :func:`lab_to_model`: model-frame data back to the lab frame.

    Parameters
    ----------
    data : MarkerData or GroundReactionData with ``frame="model"``
    vertical_axis : the lab's upward axis, ``"z"`` or ``"y"``

    Returns
    -------
    A new object of the same type with ``frame="lab"``.
    """
    if data.frame != "model":
        raise InputError(data.source, "frame", "model-frame data", repr(data.frame))
    if vertical_axis == "z":
        return _rotate(data, LAB_Z_UP_TO_MODEL.T, "lab")
    if vertical_axis == "y":
        return replace(data, frame="lab")
    raise InputError(
        data.source, "vertical_axis", "'z' or 'y' (the lab's upward axis)", vertical_axis
    )


def rotate_180_about_vertical(data: Data) -> Data:
    """Turn model-frame data by 180° about the vertical (x → -x, z → -z, y unchanged).

    For subjects walking toward -x (e.g. Grand Challenge subject JW), so that they walk toward
    +x as OpenSim's models expect. A rotation (det +1): right-handedness, cross products and
    moments are preserved; applying it twice gives the data back.

    Parameters
    ----------
    data : MarkerData or GroundReactionData with ``frame="model"``

    Returns
    -------
    A new object of the same type, ``frame="model"``.
    """
    if data.frame != "model":
        raise InputError(data.source, "frame", "model-frame data", repr(data.frame))
    return _rotate(data, ROTATE_180_ABOUT_Y, "model")


def _interp_nan(t_new: FloatArray, t: FloatArray, x: FloatArray) -> FloatArray:
    """Linear interpolation of (n, k, 3) positions to ``t_new``; NaN outside valid samples."""
    out = np.full((t_new.size, *x.shape[1:]), np.nan)
    for j in range(x.shape[1]):
        ok = np.all(np.isfinite(x[:, j]), axis=1)
        if ok.sum() < 2:
            continue
        tv, xv = t[ok], x[ok, j]
        inside = (t_new >= tv[0]) & (t_new <= tv[-1])
        for k in range(3):
            out[inside, j, k] = np.interp(t_new[inside], tv, xv[:, k])
    return out


def _distance_to_polyline(points: FloatArray, polyline: FloatArray) -> FloatArray:
    """Distance of (n, d) points to (n, k, d) polylines (k = 1: a point), per row."""
    if polyline.shape[1] == 1:
        return np.asarray(np.linalg.norm(points - polyline[:, 0], axis=1))
    best = np.full(points.shape[0], np.inf)
    for j in range(polyline.shape[1] - 1):
        a, b = polyline[:, j], polyline[:, j + 1]
        ab = b - a
        length2 = np.einsum("ij,ij->i", ab, ab)
        with np.errstate(invalid="ignore", divide="ignore"):
            u = np.clip(np.einsum("ij,ij->i", points - a, ab) / length2, 0.0, 1.0)
        u = np.where(length2 > 0, u, 0.0)
        d = np.linalg.norm(points - (a + u[:, None] * ab), axis=1)
        best = np.fmin(best, d)
    best[~np.isfinite(best)] = np.nan
    return best


def assign_plates_to_feet(
    forces: GroundReactionData,
    foot_positions: Mapping[str, ArrayLike],
    foot_time_s: ArrayLike,
    *,
    threshold_n: float = config.GRF_CONTACT_THRESHOLD_N,
    vertical_axis: int | None = None,
    max_distance_m: float = 0.3,
) -> GroundReactionData:
    """Set which foot loads each force plate, from the centre of pressure and the feet.

    Each contact period of each plate (vertical force above ``threshold_n``, see
    :func:`kneeload.io.events.contact_intervals`, record edges included) goes to the foot whose
    position, interpolated to the force time base, is on average nearest to the centre of
    pressure in the horizontal plane over that period (distance to a point, or to the nearest
    point of a marker polyline). A period whose nearest foot is further
    than ``max_distance_m`` on average is left unassigned.

    * Plate touched by one foot only (overground): ``foot`` is set, data unchanged.
    * Plate touched by both feet in the trial (treadmill, or two steps on one plate): the
      plate is replaced, in place, by one pseudo-plate per foot labelled
      ``"<label>_right"`` / ``"<label>_left"``, each holding the plate's force, centre of
      pressure and free moment during that foot's contact periods only, and zero force, zero
      free moment and NaN centre of pressure elsewhere. A period in which both feet stand on
      the same plate at once (double support on a single-belt treadmill) cannot be split by a
      single plate's resultant: it goes whole to the nearer foot on average.
    * Plate never loaded, or no period assignable: ``foot`` stays None.

    Parameters
    ----------
    forces : ground reactions (lab or model frame)
    foot_positions : ``{"right": ..., "left": ...}`` [m], same frame as ``forces``: either
        (m, 3), one point per foot (a mid-foot marker, the heel-toe midpoint, the foot's origin
        from kinematics), or (m, k, 3), k markers taken as a polyline (e.g. heel → toe, or
        first metatarsal → heel → fifth metatarsal), the distance then being to the nearest
        point of the polyline. A heel marker alone is a poor proxy late in stance, when the
        centre of pressure is under the forefoot. NaN allowed.
    foot_time_s : (m,) times of ``foot_positions`` [s], on the same clock as ``forces.time_s``
    threshold_n : contact threshold on the vertical force [N]
    vertical_axis : index of the upward axis; default 1 (y) for ``frame="model"``, 2 (z) for
        ``frame="lab"`` (pass 1 for a y-up lab)
    max_distance_m : farthest mean horizontal CoP-foot distance for an assignment [m]. A
        heel or toe marker is within about 0.2 m of the CoP throughout stance.

    Returns
    -------
    GroundReactionData with ``foot`` set (and possibly split plates).

    Raises
    ------
    InputError
        Feet other than "right"/"left", positions not (m, 3), time shapes that differ.
    """
    if not foot_positions or any(k not in _FEET for k in foot_positions):
        raise InputError(
            "assign_plates_to_feet",
            "foot_positions",
            "keys 'right' and/or 'left'",
            str(list(foot_positions)),
        )
    tf = np.asarray(foot_time_s, dtype=np.float64)
    feet: dict[str, FloatArray] = {}
    for name, pos in foot_positions.items():
        arr = np.asarray(pos, dtype=np.float64)
        if arr.ndim == 2:
            arr = arr[:, None, :]
        if arr.ndim != 3 or arr.shape[2] != 3 or arr.shape[0] != tf.size or arr.shape[1] < 1:
            raise InputError(
                "assign_plates_to_feet",
                f"foot_positions[{name!r}]",
                f"a ({tf.size}, 3) or ({tf.size}, k, 3) array of positions [m]",
                str(arr.shape),
            )
        feet[name] = _interp_nan(forces.time_s, tf, arr)
    if vertical_axis is None:
        vertical_axis = 1 if forces.frame == "model" else 2
    horizontal = [k for k in range(3) if k != vertical_axis]
    t = forces.time_s

    new_force, new_cop, new_free = [], [], []
    labels: list[str] = []
    foot: list[str | None] = []
    for p, label in enumerate(forces.labels):
        fv = forces.force_n[:, p, vertical_axis]
        periods = contact_intervals(t, fv, threshold_n, include_partial=True)
        owner: list[tuple[float, float, str]] = []
        for on, off in periods:
            mask = (t >= on) & (t <= off) & (fv > threshold_n)
            cop = forces.cop_m[mask][:, p][:, horizontal]
            best, best_d = None, np.inf
            for name, pos in feet.items():
                d = _distance_to_polyline(cop, pos[mask][:, :, horizontal])
                if np.isfinite(d).any():
                    mean_d = float(np.nanmean(d))
                    if mean_d < best_d:
                        best, best_d = name, mean_d
            if best is not None and best_d <= max_distance_m:
                owner.append((on, off, best))
        users = sorted({o[2] for o in owner}, key=_FEET.index)
        if len(users) <= 1:
            new_force.append(forces.force_n[:, p])
            new_cop.append(forces.cop_m[:, p])
            new_free.append(forces.free_moment_nm[:, p])
            labels.append(label)
            foot.append(users[0] if users else None)
            continue
        for name in users:
            mask = np.zeros(t.size, dtype=bool)
            for on, off, who in owner:
                if who == name:
                    mask |= (t >= on) & (t <= off)
            new_force.append(np.where(mask[:, None], forces.force_n[:, p], 0.0))
            new_cop.append(np.where(mask[:, None], forces.cop_m[:, p], np.nan))
            new_free.append(np.where(mask[:, None], forces.free_moment_nm[:, p], 0.0))
            labels.append(f"{label}_{name}")
            foot.append(name)

    def stack(parts: list[FloatArray]) -> FloatArray:
        if not parts:
            return np.zeros((t.size, 0, 3))
        return np.stack(parts, axis=1)

    return replace(
        forces,
        force_n=stack(new_force),
        cop_m=stack(new_cop),
        free_moment_nm=stack(new_free),
        labels=tuple(labels),
        foot=tuple(foot),
    )
