"""Joint centres and a :class:`~kneeload.trial.LegTrial` from skin markers of a declared set.

A marker set (``models/marker_sets/<name>.toml``) maps anatomical roles to marker labels: the
pelvis (``asis_right``, ``asis_left``, ``back`` = sacrum or the PSIS pair) and, per side, the
femoral epicondyles (``knee_lateral``, ``knee_medial``), malleoli (``ankle_lateral``,
``ankle_medial``), ``heel`` and ``toe`` (forefoot). A role may name a list of labels, whose mean
is taken. Landmarks that walking trials lack are found in one of two declared ways:

* ``[<side>.static_clusters]``: the landmark is reconstructed from a static trial, fixed in the
  frame of three or more cluster markers (calibrated anatomical landmarks, Cappozzo et al. 1995,
  Clin Biomech 10:171);
* ``[<side>.functional.knee|ankle]``: the joint centre is a point of the functional axis between
  two clusters (SARA, Ehrig et al. 2007, J Biomech 40:2150), at the mediolateral position of a
  reference marker.

Joint centres: hip by Harrington et al. (2007, J Biomech 40:595) from pelvis width and depth,
knee = midpoint of the epicondyles, ankle = midpoint of the malleoli. Everything is then
rotated into the facing frame (x forward along the pelvis's horizontal heading, y up, z right,
DESIGN.md §3). All positions are in the OpenSim model frame (y up) on input, metres.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kneeload.exceptions import InputError
from kneeload.io.types import GroundReactionData, MarkerData
from kneeload.trial import LegTrial

FloatArray = NDArray[np.float64]

MARKER_SET_KIND = "marker_sets"
PELVIS_ROLES: tuple[str, str, str] = ("asis_right", "asis_left", "back")
LEG_ROLES: tuple[str, ...] = (
    "knee_lateral",
    "knee_medial",
    "ankle_lateral",
    "ankle_medial",
    "heel",
    "toe",
)
_VERTICAL = np.array([0.0, 1.0, 0.0])

#: Harrington et al. (2007) J Biomech 40:595, Table 3 (regression on pelvis width PW and
#: depth PD, in mm, pelvis frame with origin at the mid-ASIS): x = -0.24 PD - 9.9,
#: y = -0.30 PW - 10.9, z = ±(0.33 PW + 7.3)
_HARRINGTON_MM = {
    "x": (-0.24, "depth", -9.9),
    "y": (-0.30, "width", -10.9),
    "z": (0.33, "width", 7.3),
}


@dataclass(frozen=True)
class FunctionalJoint:
    """A joint centre found as a point of the functional axis between two marker clusters.

    Attributes
    ----------
    proximal, distal : labels of three or more markers on each segment
    mediolateral_reference : label(s) whose (mean) position fixes the point along the axis
    """

    proximal: tuple[str, ...]
    distal: tuple[str, ...]
    mediolateral_reference: tuple[str, ...]


@dataclass(frozen=True)
class MarkerSet:
    """A declared marker set: anatomical role -> marker label(s).

    Attributes
    ----------
    name : the set's name
    source : the file it was read from
    pelvis : role -> labels (``asis_right``, ``asis_left``, ``back``)
    legs : side -> role -> labels (roles of :data:`LEG_ROLES` the set declares)
    static_clusters : side -> role -> cluster labels for reconstruction from a static trial
    functional : side -> "knee"/"ankle" -> :class:`FunctionalJoint`
    """

    name: str
    source: str
    pelvis: dict[str, tuple[str, ...]]
    legs: dict[str, dict[str, tuple[str, ...]]]
    static_clusters: dict[str, dict[str, tuple[str, ...]]]
    functional: dict[str, dict[str, FunctionalJoint]]

    def labels(self, side: str) -> set[str]:
        """Every label the set uses for the pelvis and one side."""
        out = {label for labels in self.pelvis.values() for label in labels}
        out |= {label for labels in self.legs.get(side, {}).values() for label in labels}
        for cluster in self.static_clusters.get(side, {}).values():
            out |= set(cluster)
        for joint in self.functional.get(side, {}).values():
            out |= set(joint.proximal) | set(joint.distal) | set(joint.mediolateral_reference)
        return out


def available_marker_sets() -> list[str]:
    """Names of the bundled marker sets (``models/marker_sets/*.toml``)."""
    from kneeload.data import available

    return available(MARKER_SET_KIND)


def _labels(path: str, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise InputError(path, key, "a marker label or a non-empty list of labels", repr(value))


def load_marker_set(name_or_path: str | Path) -> MarkerSet:
    """Read a marker set by bundled name (e.g. ``"OpenSim_subject01"``) or from a TOML file.

    Raises
    ------
    InputError
        Unknown name (the message lists the bundled sets), missing ``[meta]`` source or
        ``[pelvis]`` roles, malformed labels.
    """
    from kneeload.data import models_dir, read_toml

    text = str(name_or_path)
    if text.lower().endswith(".toml"):
        path = Path(text)
        if not path.is_file():
            raise InputError(path, "--marker-set", "an existing marker-set .toml file", "none")
    else:
        path = models_dir() / MARKER_SET_KIND / f"{text}.toml"
        if not path.is_file():
            raise InputError(
                "--marker-set",
                "marker set",
                f"one of {', '.join(available_marker_sets())} or a .toml file",
                repr(text),
            )
    data = read_toml(path)
    where = str(path)
    if "source" not in data.get("meta", {}):
        raise InputError(where, "[meta].source", "the source of the marker protocol")
    pelvis_table = data.get("pelvis", {})
    pelvis = {}
    for role in PELVIS_ROLES:
        if role not in pelvis_table:
            raise InputError(where, f"[pelvis].{role}", "a marker label (or list of labels)")
        pelvis[role] = _labels(where, f"[pelvis].{role}", pelvis_table[role])
    legs: dict[str, dict[str, tuple[str, ...]]] = {}
    clusters: dict[str, dict[str, tuple[str, ...]]] = {}
    functional: dict[str, dict[str, FunctionalJoint]] = {}
    for side in ("right", "left"):
        table = data.get(side, {})
        legs[side] = {
            role: _labels(where, f"[{side}].{role}", table[role])
            for role in LEG_ROLES
            if role in table
        }
        clusters[side] = {
            role: _labels(where, f"[{side}.static_clusters].{role}", value)
            for role, value in table.get("static_clusters", {}).items()
        }
        functional[side] = {}
        for joint, spec in table.get("functional", {}).items():
            key = f"[{side}.functional.{joint}]"
            if joint not in ("knee", "ankle"):
                raise InputError(where, key, "a functional 'knee' or 'ankle'", joint)
            try:
                functional[side][joint] = FunctionalJoint(
                    proximal=_labels(where, f"{key}.proximal", spec["proximal"]),
                    distal=_labels(where, f"{key}.distal", spec["distal"]),
                    mediolateral_reference=_labels(
                        where, f"{key}.mediolateral_reference", spec["mediolateral_reference"]
                    ),
                )
            except KeyError as missing:
                raise InputError(where, f"{key}.{missing.args[0]}", "marker labels") from None
    return MarkerSet(
        name=str(data["meta"].get("name", path.stem)),
        source=where,
        pelvis=pelvis,
        legs=legs,
        static_clusters=clusters,
        functional=functional,
    )


# ---------------------------------------------------------------------------------- geometry


def _unit(v: FloatArray) -> FloatArray:
    return np.asarray(v / np.linalg.norm(v, axis=-1, keepdims=True))


def pelvis_frame(
    asis_right_m: FloatArray, asis_left_m: FloatArray, back_m: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Pelvis anatomical frame (ISB, Wu et al. 2002, J Biomech 35:543).

    Origin at the mid-ASIS; z toward the right ASIS; x anterior, perpendicular to z in the plane
    of the ASISs and the back point (sacrum or mid-PSIS); y = z × x (superior).

    Returns
    -------
    (origin (F, 3) [m], rotation (F, 3, 3) whose columns are the x, y, z axes)
    """
    origin = 0.5 * (asis_right_m + asis_left_m)
    z = _unit(asis_right_m - asis_left_m)
    forward = origin - back_m
    y = _unit(np.cross(z, forward))
    x = np.cross(y, z)
    return origin, np.stack([x, y, z], axis=-1)


def hip_joint_centre_harrington(
    asis_right_m: FloatArray, asis_left_m: FloatArray, back_m: FloatArray, side: str
) -> FloatArray:
    """Hip joint centre from the pelvis markers, Harrington et al. (2007) regression [m], (F, 3).

    In the pelvis frame of :func:`pelvis_frame` (mm): x = -0.24 PD - 9.9, y = -0.30 PW - 10.9,
    z = ±(0.33 PW + 7.3) (+ right, - left), with PW the inter-ASIS distance and PD the distance
    from the mid-ASIS to the back point (mid-PSIS or sacrum), each the trial's mean.

    References
    ----------
    Harrington ME, Zavatsky AB, Lawson SEM, Yuan Z, Theologis TN (2007) Prediction of the hip
    joint centre in adults, children, and patients with cerebral palsy based on magnetic
    resonance imaging. J Biomech 40:595-602, doi:10.1016/j.jbiomech.2006.02.003.
    """
    origin, rotation = pelvis_frame(asis_right_m, asis_left_m, back_m)
    size_mm = {
        "width": 1e3 * float(np.nanmean(np.linalg.norm(asis_right_m - asis_left_m, axis=1))),
        "depth": 1e3 * float(np.nanmean(np.linalg.norm(origin - back_m, axis=1))),
    }
    local_mm = np.array(
        [slope * size_mm[by] + offset for slope, by, offset in _HARRINGTON_MM.values()]
    )
    local_mm[2] *= 1.0 if side == "right" else -1.0
    return np.asarray(origin + np.einsum("fij,j->fi", rotation, 1e-3 * local_mm))


def facing_rotation(
    asis_right_m: FloatArray, asis_left_m: FloatArray, back_m: FloatArray
) -> FloatArray:
    """Rotation (3, 3) about the vertical from the model frame to the facing frame.

    The facing direction is the trial's mean horizontal pelvis heading (mid-ASIS minus back
    point). Rows are the facing frame's axes in model coordinates: x forward, y up, z = x × y
    (right), so v_facing = R @ v_model. A subject facing -x gives
    :data:`kneeload.io.frames.ROTATE_180_ABOUT_Y`.
    """
    heading = np.nanmean(0.5 * (asis_right_m + asis_left_m) - back_m, axis=0)
    heading[1] = 0.0
    norm = float(np.linalg.norm(heading))
    if not np.isfinite(norm) or norm == 0:
        raise InputError("markers", "pelvis", "pelvis markers with a horizontal heading")
    x = heading / norm
    return np.stack([x, _VERTICAL, np.cross(x, _VERTICAL)])


def cluster_frame(points_m: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Technical frame of a marker cluster (F, k>=3, 3): (origin (F, 3), rotation (F, 3, 3)).

    Origin at the centroid; axes by Gram-Schmidt on the first three markers: e1 along
    p2 - p1, e3 normal to the plane of p1, p2, p3, e2 = e3 × e1 (Cappozzo et al. 1995).
    """
    e1 = _unit(points_m[:, 1] - points_m[:, 0])
    e3 = _unit(np.cross(e1, points_m[:, 2] - points_m[:, 0]))
    e2 = np.cross(e3, e1)
    return points_m.mean(axis=1), np.stack([e1, e2, e3], axis=-1)


def reconstruct_landmark(
    cluster_m: FloatArray, static_cluster_m: FloatArray, static_landmark_m: FloatArray
) -> FloatArray:
    """A landmark seen in a static trial, carried by its cluster into a moving trial, (F, 3).

    The landmark's mean position in the cluster's frame over the static trial is fixed and
    mapped through the cluster frame of every trial frame (Cappozzo et al. 1995).
    """
    origin_s, rotation_s = cluster_frame(static_cluster_m)
    local = np.nanmean(np.einsum("fji,fj->fi", rotation_s, static_landmark_m - origin_s), axis=0)
    origin, rotation = cluster_frame(cluster_m)
    return np.asarray(origin + np.einsum("fij,j->fi", rotation, local))


def functional_joint_centre(
    proximal_m: FloatArray, distal_m: FloatArray, reference_m: FloatArray
) -> FloatArray:
    """Joint centre on the functional axis between two clusters (SARA), (F, 3) [m].

    The axis is the set of points fixed in both segments: R_p a + t_p = R_d b + t_d for all
    frames, solved in least squares for (a, b) over the stacked frames; its direction is the
    right singular vector of the smallest singular value (symmetrical axis of rotation approach,
    Ehrig et al. 2007, J Biomech 40:2150). The point along the axis is the one nearest to the
    reference marker's mean position in the proximal frame; the centre is the mean of its
    positions through both segments.

    Parameters
    ----------
    proximal_m, distal_m : (F, k>=3, 3) cluster markers of the two segments
    reference_m : (F, 3) a marker at the joint's mediolateral middle (e.g. the patella)
    """
    origin_p, rotation_p = cluster_frame(proximal_m)
    origin_d, rotation_d = cluster_frame(distal_m)
    ok = np.all(np.isfinite(origin_p) & np.isfinite(origin_d), axis=1)
    ok &= np.all(np.isfinite(rotation_p) & np.isfinite(rotation_d), axis=(1, 2))
    design = np.concatenate([rotation_p[ok], -rotation_d[ok]], axis=2).reshape(-1, 6)
    rhs = (origin_d[ok] - origin_p[ok]).reshape(-1)
    u, s, vt = np.linalg.svd(design, full_matrices=False)
    # particular solution without the axis direction (the smallest singular value)
    solution = vt[:-1].T @ ((u[:, :-1].T @ rhs) / s[:-1])
    direction = vt[-1]
    a, da = solution[:3], direction[:3]
    b, db = solution[3:], direction[3:]
    reference_local = np.nanmean(
        np.einsum("fji,fj->fi", rotation_p, reference_m - origin_p), axis=0
    )
    step = float(np.dot(reference_local - a, da) / np.dot(da, da))
    a, b = a + step * da, b + step * db
    through_p = origin_p + np.einsum("fij,j->fi", rotation_p, a)
    through_d = origin_d + np.einsum("fij,j->fi", rotation_d, b)
    return np.asarray(0.5 * (through_p + through_d))


# ------------------------------------------------------------------------------ joint centres


def _mean_of(markers: MarkerData, labels: tuple[str, ...]) -> FloatArray:
    return np.asarray(np.mean([markers.marker(label) for label in labels], axis=0))


def _cluster(markers: MarkerData, labels: tuple[str, ...]) -> FloatArray:
    return np.stack([markers.marker(label) for label in labels], axis=1)


def _missing(markers: MarkerData, labels: tuple[str, ...]) -> list[str]:
    return [label for label in labels if label not in markers.labels]


def _landmark(
    markers: MarkerData,
    static: MarkerData | None,
    marker_set: MarkerSet,
    side: str,
    role: str,
    notes: list[str],
) -> FloatArray:
    """A landmark from the trial, else from the static trial through its cluster."""
    labels = marker_set.legs[side].get(role)
    if labels is None:
        raise InputError(marker_set.source, f"[{side}].{role}", "a marker label (or list)")
    if not _missing(markers, labels):
        return _mean_of(markers, labels)
    cluster = marker_set.static_clusters[side].get(role)
    if cluster is None:
        raise InputError(
            markers.source,
            "/".join(_missing(markers, labels)),
            f"the {role.replace('_', ' ')} marker of marker set {marker_set.name}",
            "no such marker",
        )
    if static is None:
        raise InputError(
            markers.source,
            "/".join(_missing(markers, labels)),
            f"the {role.replace('_', ' ')} marker, or a static trial (--static) holding it "
            f"(marker set {marker_set.name} reconstructs it from {', '.join(cluster)})",
            "no such marker and no static trial",
        )
    absent = _missing(static, labels + cluster)
    if absent:
        raise InputError(
            static.source, "/".join(absent), f"static-trial markers of {marker_set.name}", "none"
        )
    notes.append(f"{role} reconstructed from the static trial through {', '.join(cluster)}")
    return reconstruct_landmark(
        _cluster(markers, cluster), _cluster(static, cluster), _mean_of(static, labels)
    )


def _joint(
    markers: MarkerData,
    static: MarkerData | None,
    marker_set: MarkerSet,
    side: str,
    joint: str,
    notes: list[str],
) -> FloatArray:
    """Knee (epicondyle midpoint) or ankle (malleolus midpoint) centre, else functional."""
    names = {"knee": "femoral epicondyle", "ankle": "malleolus"}
    roles = (f"{joint}_lateral", f"{joint}_medial")
    functional = marker_set.functional[side].get(joint)
    declared = [role for role in roles if role in marker_set.legs[side]]
    if len(declared) == 2:
        lateral, medial = (_landmark(markers, static, marker_set, side, r, notes) for r in roles)
        return 0.5 * (lateral + medial)
    if functional is not None:
        absent = _missing(
            markers,
            functional.proximal + functional.distal + functional.mediolateral_reference,
        )
        if absent:
            raise InputError(
                markers.source,
                "/".join(absent),
                f"the {joint} cluster markers of marker set {marker_set.name}",
                "no such marker",
            )
        notes.append(
            f"{joint} centre on the functional axis (SARA, Ehrig 2007) between "
            f"{', '.join(functional.proximal)} and {', '.join(functional.distal)}"
        )
        return functional_joint_centre(
            _cluster(markers, functional.proximal),
            _cluster(markers, functional.distal),
            _mean_of(markers, functional.mediolateral_reference),
        )
    raise InputError(
        marker_set.source,
        f"[{side}].{roles[1]}",
        f"lateral and medial {names[joint]} markers (the {joint} centre is their midpoint) or "
        f"a [{side}.functional.{joint}] axis; a knee/ankle width is not supported",
        "declared: " + (", ".join(declared) or "none"),
    )


def joint_centres_from_markers(
    markers: MarkerData, marker_set: MarkerSet, side: str, static: MarkerData | None = None
) -> dict[str, FloatArray]:
    """Hip, knee and ankle centres and the heel and toe of one side, model frame, (F, 3) [m].

    Also returns the pelvis points ``asis_right``, ``asis_left``, ``back``.

    Parameters
    ----------
    markers : trial markers, model frame (y up) [m]
    marker_set : from :func:`load_marker_set`
    side : "right" or "left"
    static : static trial with the landmarks the set reconstructs through clusters

    Raises
    ------
    InputError
        A marker the set needs is absent (names the file and the marker), or the set declares
        neither medial markers nor a functional axis for the knee or ankle.
    """
    return _joint_centres(markers, marker_set, side, static)[0]


def _joint_centres(
    markers: MarkerData, marker_set: MarkerSet, side: str, static: MarkerData | None
) -> tuple[dict[str, FloatArray], list[str]]:
    from kneeload.trial import check_side

    side = check_side(side)
    if markers.frame != "model":
        raise InputError(
            markers.source, "frame", "markers in the model frame (y up)", markers.frame
        )
    for role, labels in marker_set.pelvis.items():
        absent = _missing(markers, labels)
        if absent:
            raise InputError(
                markers.source,
                "/".join(absent),
                f"the {role} marker of marker set {marker_set.name}",
                "no such marker",
            )
    notes: list[str] = []
    out = {role: _mean_of(markers, labels) for role, labels in marker_set.pelvis.items()}
    out["hip"] = hip_joint_centre_harrington(out["asis_right"], out["asis_left"], out["back"], side)
    out["knee"] = _joint(markers, static, marker_set, side, "knee", notes)
    out["ankle"] = _joint(markers, static, marker_set, side, "ankle", notes)
    for role in ("heel", "toe"):
        out[role] = _landmark(markers, static, marker_set, side, role, notes)
    return out, notes


# ---------------------------------------------------------------------------------- the trial


def assign_plates_from_markers(
    forces: GroundReactionData, markers: MarkerData, marker_set: MarkerSet
) -> GroundReactionData:
    """Assign force plates to feet from each foot's heel -> toe marker line.

    Both in the model frame; see :func:`kneeload.io.frames.assign_plates_to_feet`. Feet whose
    heel or toe markers are absent from the trial are left out.
    """
    from kneeload.io.frames import assign_plates_to_feet

    feet = {}
    for side in ("right", "left"):
        roles = marker_set.legs[side]
        if (
            "heel" in roles
            and "toe" in roles
            and not _missing(markers, roles["heel"] + roles["toe"])
        ):
            feet[side] = np.stack(
                [_mean_of(markers, roles["heel"]), _mean_of(markers, roles["toe"])], axis=1
            )
    if not feet:
        raise InputError(
            markers.source, "heel/toe", f"heel and toe markers of marker set {marker_set.name}"
        )
    return assign_plates_to_feet(forces, feet, markers.time_s)


def _finite_run(points: FloatArray) -> slice:
    """Longest run of frames where every point of (F, k, 3) is finite."""
    ok = np.all(np.isfinite(points), axis=(1, 2))
    best, start, best_slice = 0, None, slice(0, 0)
    for i, value in enumerate([*ok.tolist(), False]):
        if value and start is None:
            start = i
        elif not value and start is not None:
            if i - start > best:
                best, best_slice = i - start, slice(start, i)
            start = None
    return best_slice


def leg_trial_from_markers(
    markers: MarkerData,
    forces: GroundReactionData,
    marker_set: MarkerSet | str | Path,
    side: str,
    body_mass_kg: float,
    anthropometry: str = "Winter2009",
    cutoff_hz: float | None = 6.0,
    static: MarkerData | None = None,
) -> LegTrial:
    """Build a :class:`LegTrial` from skin markers of a declared marker set.

    Parameters
    ----------
    markers : marker trajectories, model frame (y up) [m]
    forces : ground reactions with plates assigned to feet, model frame (see
        :func:`assign_plates_from_markers`)
    marker_set : a :class:`MarkerSet`, a bundled set's name or a ``.toml`` file
    side : "right" or "left"
    body_mass_kg : [kg], > 0
    anthropometry : table in ``models/anthropometry`` for masses, centres of mass and radii
    cutoff_hz : zero-lag low-pass of the markers before anything else [Hz] (Winter 2009:
        6 Hz); None: none
    static : static trial for landmarks the set reconstructs through clusters

    Joint centres (hip Harrington 2007; knee and ankle midpoints or functional axes) are rotated
    into the facing frame (:func:`facing_rotation`) and projected on its sagittal plane; the
    foot runs from the ankle centre to the toe marker. Masses, centres of mass and joint angles
    follow :func:`kneeload.trial.leg_trial_from_joint_markers`; moments of inertia use the mean
    3-D joint-centre distances as segment lengths (I = m (k L)², ``anthropometry`` table); the
    3-D ground reaction, centre of pressure and knee centre are kept for the knee adduction
    moment. Frames where a joint
    centre is undefined (marker gaps) are cut to the longest complete run.
    """
    from kneeload.anthropometry import LEG_SEGMENTS, leg_segment_parameters
    from kneeload.io.events import lowpass
    from kneeload.trial import check_side, foot_ground_reaction, leg_trial_from_joint_markers

    side = check_side(side)
    if not np.isfinite(body_mass_kg) or body_mass_kg <= 0:
        raise InputError("--mass", "mass_kg", "a body mass > 0 kg", f"{body_mass_kg:g}")
    if not isinstance(marker_set, MarkerSet):
        marker_set = load_marker_set(marker_set)
    if forces.frame != "model":
        raise InputError(forces.source, "frame", "forces in the model frame (y up)", forces.frame)
    if cutoff_hz is not None:
        markers = replace(
            markers, positions_m=lowpass(markers.positions_m, markers.rate_hz, cutoff_hz)
        )
    centres, notes = _joint_centres(markers, marker_set, side, static)
    chain = np.stack([centres[k] for k in ("hip", "knee", "ankle", "toe")], axis=1)
    keep = _finite_run(chain)
    n_frames = len(markers.time_s)
    if keep.stop - keep.start < 10:
        raise InputError(
            markers.source,
            f"{side} leg markers",
            "at least 10 consecutive frames with every joint centre defined",
            f"{keep.stop - keep.start} of {n_frames}",
        )
    if keep.stop - keep.start < n_frames:
        notes.append(f"frames {keep.start}-{keep.stop - 1} of {n_frames} kept (marker gaps)")
    time = markers.time_s[keep]
    rotation = facing_rotation(centres["asis_right"], centres["asis_left"], centres["back"])
    facing = {k: np.asarray(v[keep] @ rotation.T) for k, v in centres.items()}
    grf, cop, free = (np.asarray(v @ rotation.T) for v in foot_ground_reaction(forces, side, time))
    trial = leg_trial_from_joint_markers(
        time,
        facing["hip"][:, :2],
        facing["knee"][:, :2],
        facing["ankle"][:, :2],
        facing["toe"][:, :2],
        grf[:, :2],
        cop[:, :2],
        body_mass_kg,
        side=side,
        anthropometry=anthropometry,
        cutoff_hz=None,
        source=f"{markers.source} + {forces.source} (marker set {marker_set.name})",
    )
    ends = {"foot": ("ankle", "toe"), "shank": ("knee", "ankle"), "thigh": ("hip", "knee")}
    lengths = {
        segment: float(np.mean(np.linalg.norm(facing[a] - facing[b], axis=1)))
        for segment, (a, b) in ends.items()
    }
    params = leg_segment_parameters(anthropometry, body_mass_kg, lengths_m=lengths)
    heading = np.degrees(np.arctan2(-rotation[0, 2], rotation[0, 0]))
    notes.insert(
        0,
        "segment lengths from the joint-centre distances of the trial (3-D, for the inertia): "
        + ", ".join(f"{s} {length:.3f} m" for s, length in lengths.items())
        + "; centres of mass on the sagittal projections",
    )
    notes.append(
        f"hip centre from the pelvis markers (Harrington 2007); facing frame heading "
        f"{heading:.1f}° from the model x axis; hip flexion = thigh angle from the vertical"
    )
    return replace(
        trial,
        free_moment_nm=np.ascontiguousarray(free[:, 2]),
        grf_3d_n=grf,
        cop_3d_m=cop,
        knee_3d_m=np.ascontiguousarray(facing["knee"]),
        segment_inertia_kg_m2=np.array([params[s].inertia_kg_m2 for s in LEG_SEGMENTS]),
        cutoff_hz=cutoff_hz,
        notes=tuple(notes),
    )
