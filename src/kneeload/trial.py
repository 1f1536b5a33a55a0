"""One leg of a gait trial on one time base, ready for planar inverse dynamics.

A :class:`LegTrial` holds, for the analysed leg, the sagittal-plane kinematics of foot, shank
and thigh (x along the direction the subject faces, y up; DESIGN.md §3), their inertia, the
ground reaction on that foot and the 3-D data the frontal plane needs. Builders turn a measured
trial (OpenSim coordinates + model, or markers) into one; the analysis does not care which.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from kneeload.config import GRF_CONTACT_THRESHOLD_N, STANDARD_GRAVITY_M_S2
from kneeload.exceptions import InputError, ModelError
from kneeload.io.frames import ROTATE_180_ABOUT_Y
from kneeload.io.types import CoordinateData, GroundReactionData

if TYPE_CHECKING:
    from kneeload.io.osim import OsimModel

FloatArray = NDArray[np.float64]

SIDES: tuple[str, str] = ("right", "left")


@dataclass(frozen=True)
class LegTrial:
    """Kinematics, inertia and ground reaction of one leg, sagittal frame facing +x.

    Attributes
    ----------
    time_s : (F,) [s]
    side : "right" or "left"
    body_mass_kg : [kg]
    segment_mass_kg : (3,) foot, shank, thigh [kg]
    segment_inertia_kg_m2 : (3,) about each centre of mass, sagittal axis [kg·m²]
    com_m : (F, 3, 2) centres of mass (foot, shank, thigh) [m]
    joint_m : (F, 3, 2) ankle, knee and hip centres [m]
    segment_angle_rad : (F, 3) segment angles, counter-clockwise from +x [rad]
    joint_angle_deg : hip_flexion_deg, knee_flexion_deg, ankle_dorsiflexion_deg, each (F,)
    grf_n : (F, 2) ground reaction on this foot [N]
    cop_m : (F, 2) centre of pressure [m]
    free_moment_nm : (F,) moment about z at the centre of pressure [N·m]
    grf_3d_n, cop_3d_m, knee_3d_m : (F, 3) in the facing frame (x forward, y up, z right), for
        the frontal plane; None when the data are planar only
    knee_translation_m_per_rad : (F, 2) motion of the knee centre per radian of knee extension
        (models whose knee translates with its angle, e.g. Delp 1990 in OpenSim); None if fixed
    cutoff_hz : low-pass cut-off already applied to the kinematics [Hz] (None: unfiltered)
    height_m : the subject's stature [m], given or estimated; None when unknown (it normalises
        the knee adduction moment to %BW·height)
    gravity_m_s2 : (2,) gravity in the trial's frame [m/s²]; (0, -g) on level ground, with a
        component along x in a ground frame tilted by a grade (DESIGN.md §3)
    source : the files the trial came from
    notes : what was estimated or assumed while building the trial
    """

    time_s: FloatArray
    side: str
    body_mass_kg: float
    segment_mass_kg: FloatArray
    segment_inertia_kg_m2: FloatArray
    com_m: FloatArray
    joint_m: FloatArray
    segment_angle_rad: FloatArray
    joint_angle_deg: Mapping[str, FloatArray]
    grf_n: FloatArray
    cop_m: FloatArray
    free_moment_nm: FloatArray
    grf_3d_n: FloatArray | None = None
    cop_3d_m: FloatArray | None = None
    knee_3d_m: FloatArray | None = None
    knee_translation_m_per_rad: FloatArray | None = None
    cutoff_hz: float | None = None
    height_m: float | None = None
    gravity_m_s2: tuple[float, float] = (0.0, -STANDARD_GRAVITY_M_S2)
    source: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)


def check_side(side: str) -> str:
    """``side`` lower-cased, or an InputError naming the allowed values."""
    value = side.lower()
    if value not in SIDES:
        raise InputError("--side", "side", "right or left", side)
    return value


def foot_ground_reaction(
    forces: GroundReactionData, side: str, time_s: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Total ground reaction on one foot, interpolated to ``time_s`` (model frame, 3-D).

    Plates assigned to the foot are summed; the centre of pressure of the sum is the
    vertical-force-weighted mean of the plates' and the moment this shift leaves is added to the
    free moment, so the resultant is unchanged. A plate sample without a centre of pressure
    (NaN: a reader leaves it undefined below the contact threshold, where it is 0/0) has no
    point of application, so its force and free moment count as zero there, not as a force at
    the origin.

    Returns
    -------
    (force_n, cop_m, free_moment_nm) : each (F, 3)
    """
    plates = [i for i, foot in enumerate(forces.foot) if foot == side]
    if not plates:
        raise InputError(
            forces.source, "foot", f"force data assigned to the {side} foot", str(forces.foot)
        )
    start, end = forces.time_s[0], forces.time_s[-1]
    if time_s[-1] < start or time_s[0] > end:
        raise InputError(
            forces.source,
            "time",
            f"forces overlapping the kinematics in time ({time_s[0]:.3f}-{time_s[-1]:.3f} s)",
            f"{start:.3f}-{end:.3f} s",
        )
    applied = np.all(np.isfinite(forces.cop_m[:, plates, :]), axis=-1, keepdims=True)
    force = np.where(applied, forces.force_n[:, plates, :], 0.0)
    cop = np.where(applied, forces.cop_m[:, plates, :], 0.0)
    free = np.where(applied, forces.free_moment_nm[:, plates, :], 0.0)
    weight = np.abs(force[..., 1])
    total_weight = weight.sum(axis=1)
    safe = np.where(total_weight > 0, total_weight, 1.0)
    cop_total = np.where(
        (total_weight > 0)[:, None], np.einsum("fp,fpx->fx", weight, cop) / safe[:, None], cop[:, 0]
    )
    shift = np.cross(cop - cop_total[:, None, :], force)
    force_total = force.sum(axis=1)
    free_total = free.sum(axis=1) + shift.sum(axis=1)

    def at_kinematics(values: FloatArray) -> FloatArray:
        inside = (time_s >= start) & (time_s <= end)
        out = np.zeros((len(time_s), 3))
        for axis in range(3):
            out[inside, axis] = np.interp(time_s[inside], forces.time_s, values[:, axis])
        return out

    force_at_kinematics = at_kinematics(force_total)
    if not np.any(force_at_kinematics[:, 1] > GRF_CONTACT_THRESHOLD_N):
        raise InputError(
            forces.source,
            f"{side} foot vertical force",
            f"a foot contact (> {GRF_CONTACT_THRESHOLD_N:g} N) of the {side} foot",
            f"a maximum of {force_at_kinematics[:, 1].max():.1f} N",
        )
    return force_at_kinematics, at_kinematics(cop_total), at_kinematics(free_total)


def _facing_sign(pelvis_rotation: FloatArray) -> float:
    """+1 when the pelvis's x axis points toward +x of the ground on average, else -1."""
    return 1.0 if float(np.nanmean(pelvis_rotation[:, 0, 0])) >= 0 else -1.0


def _to_facing(vectors: FloatArray, facing: float) -> FloatArray:
    """Rotate 3-D vectors by 180° about the vertical when the subject faces -x.

    The rotation is :data:`kneeload.io.frames.ROTATE_180_ABOUT_Y`, defined once there.
    """
    if facing > 0:
        return vectors
    return np.asarray(vectors @ ROTATE_180_ABOUT_Y.T)


def leg_trial_from_opensim(
    model: object,
    coordinates: CoordinateData,
    forces: GroundReactionData,
    side: str,
    body_mass_kg: float | None = None,
    cutoff_hz: float | None = 6.0,
) -> LegTrial:
    """Build a :class:`LegTrial` from an OpenSim model, its coordinates and ground reactions.

    Parameters
    ----------
    model : :class:`kneeload.io.osim.OsimModel` with femur, tibia, talus, calcn (and toes)
        bodies for the side
    coordinates : IK coordinates (rad, m)
    forces : ground reaction force per foot, OpenSim model frame
    side : "right" or "left"
    body_mass_kg : body mass [kg]; default: the model's mass
    cutoff_hz : zero-lag low-pass of the coordinates before kinematics, as OpenSim's
        InverseDynamicsTool does (``lowpass_cutoff_frequency_for_coordinates``); None: none

    The foot is every body distal to the ankle (talus, calcaneus, toes), treated as one rigid
    segment; its angle is the calcaneus's. Segment inertias are the model's, about z.
    """
    from kneeload.dynamics.model_kinematics import body_poses, joint_center
    from kneeload.io.events import lowpass
    from kneeload.io.osim import OsimModel
    from kneeload.kinematics import unwrap_angle_rad

    if not isinstance(model, OsimModel):
        raise TypeError("model must be an OsimModel (kneeload.io.osim.read_osim)")
    side = check_side(side)
    s = side[0]
    chain_joints = leg_joints(model, s)
    time = coordinates.time_s
    values = coordinates.values
    if cutoff_hz is not None:
        values = lowpass(values, coordinates.rate_hz, cutoff_hz)
    q = {
        name: values[:, i] for i, name in enumerate(coordinates.names) if name in model.coordinates
    }
    poses = body_poses(model, q)
    pelvis = model.joints[chain_joints["hip"]].parent_body
    facing = _facing_sign(poses[pelvis][0])

    def sagittal(points: FloatArray) -> FloatArray:
        return np.ascontiguousarray(_to_facing(points, facing)[:, :2])

    foot_bodies = distal_bodies(model, model.joints[chain_joints["ankle"]].child_body)
    shank = model.joints[chain_joints["knee"]].child_body
    thigh = model.joints[chain_joints["hip"]].child_body
    segments = [foot_bodies, [shank], [thigh]]
    masses, inertias, coms = [], [], []
    for bodies in segments:
        mass, com, inertia = _composite(model, bodies, poses, facing)
        masses.append(mass)
        inertias.append(inertia)
        coms.append(com)
    if not all(m > 0 for m in masses):
        raise ModelError(f"{model.source}: segment masses must be > 0, found {masses}")
    inertia_per_segment = np.array([np.nanmean(i) for i in inertias])  # gaps: NaN frames
    joints_3d = {name: joint_center(model, chain_joints[name], poses) for name in chain_joints}
    angle = {}
    for name, body in (("foot", f"calcn_{s}"), ("shank", shank), ("thigh", thigh)):
        rotation = poses[body if body in poses else foot_bodies[0]][0]
        x_axis = _to_facing(rotation[:, :, 0], facing)
        angle[name] = unwrap_angle_rad(np.arctan2(x_axis[:, 1], x_axis[:, 0]))
    grf, cop, free = (_to_facing(v, facing) for v in foot_ground_reaction(forces, side, time))
    knee_slope = _knee_translation_per_extension(model, q, chain_joints, facing)
    joint_angles = _opensim_joint_angles(coordinates, values, side)
    return LegTrial(
        time_s=time,
        side=side,
        body_mass_kg=float(body_mass_kg if body_mass_kg is not None else model.mass_kg),
        segment_mass_kg=np.array(masses),
        segment_inertia_kg_m2=inertia_per_segment,
        # _composite already returns centres of mass in the facing frame
        com_m=np.ascontiguousarray(np.stack([c[:, :2] for c in coms], axis=1)),
        joint_m=np.stack([sagittal(joints_3d[j]) for j in ("ankle", "knee", "hip")], axis=1),
        segment_angle_rad=np.stack([angle["foot"], angle["shank"], angle["thigh"]], axis=1),
        joint_angle_deg=joint_angles,
        grf_n=np.ascontiguousarray(grf[:, :2]),
        cop_m=np.ascontiguousarray(cop[:, :2]),
        free_moment_nm=np.ascontiguousarray(free[:, 2]),
        grf_3d_n=grf,
        cop_3d_m=cop,
        knee_3d_m=_to_facing(joints_3d["knee"], facing),
        knee_translation_m_per_rad=knee_slope,
        cutoff_hz=cutoff_hz,
        source=f"{coordinates.source} + {forces.source} + {model.source}",
        notes=() if facing > 0 else ("subject faces -x: data rotated 180° about the vertical",),
    )


def leg_joints(model: OsimModel, s: str) -> dict[str, str]:
    """Hip, knee and ankle joint names of one side: the joints whose children are the thigh
    (femur), shank (tibia) and the first foot body (talus, else calcaneus)."""
    wanted = {
        "hip": (f"femur_{s}",),
        "knee": (f"tibia_{s}",),
        "ankle": (f"talus_{s}", f"calcn_{s}"),
    }
    found = {}
    for joint, bodies in wanted.items():
        body = next((b for b in bodies if b in model.child_joint), None)
        if body is None:
            kind = {"hip": "thigh", "knee": "shank", "ankle": "foot"}[joint]
            raise ModelError(
                f"{model.source}: body '{bodies[0]}': expected a {kind} body "
                f"({' or '.join(bodies)}) attached by a joint, found none"
            )
        found[joint] = model.child_joint[body]
    return found


def distal_bodies(model: OsimModel, root: str) -> list[str]:
    """``root`` and every body below it in the joint tree."""
    bodies = [root]
    for body in bodies:
        bodies.extend(j.child_body for j in model.joints.values() if j.parent_body == body)
    return bodies


def _composite(
    model: OsimModel,
    bodies: list[str],
    poses: Mapping[str, tuple[FloatArray, FloatArray]],
    facing: float,
) -> tuple[float, FloatArray, FloatArray]:
    """Mass [kg], centre of mass (F, 3) [m] and z moment of inertia about it (F,) [kg·m²]."""
    from kneeload.dynamics.model_kinematics import com_position

    masses = np.array([model.bodies[b].mass for b in bodies])
    total = float(masses.sum())
    coms = np.stack([_to_facing(com_position(model, b, poses), facing) for b in bodies])
    com = np.einsum("b,bfx->fx", masses, coms) / (total if total > 0 else 1.0)
    inertia = np.zeros(coms.shape[1])
    for mass, body_com, body in zip(masses, coms, bodies, strict=True):
        rotation = poses[body][0]
        inertia_ground = rotation @ model.bodies[body].inertia @ np.swapaxes(rotation, 1, 2)
        offset = body_com[:, :2] - com[:, :2]
        inertia += inertia_ground[:, 2, 2] + mass * np.sum(offset**2, axis=1)
    return total, com, inertia


def _knee_translation_per_extension(
    model: OsimModel,
    q: Mapping[str, FloatArray],
    chain_joints: Mapping[str, str],
    facing: float,
) -> FloatArray | None:
    """d(knee centre)/d(shank extension angle), (F, 2) [m/rad], thigh held still.

    The sagittal part of the knee's mobility
    (:func:`kneeload.dynamics.inverse_3d.knee_joint_jacobian`): the centre's velocity over the
    shank's angular velocity about z, both per unit knee coordinate, in the facing frame. The
    generalised force of a knee whose centre translates with its angle (Delp 1990) is the moment
    about the knee plus this vector dotted with the joint force (virtual work).
    """
    from kneeload.dynamics.inverse_3d import knee_joint_jacobian

    knee = model.joints[chain_joints["knee"]]
    if len(knee.coordinates) != 1 or knee.coordinates[0] not in q:
        return None
    axis, centre = knee_joint_jacobian(model, q, knee.name)
    if np.max(np.abs(centre)) < 1e-9:
        return None
    axis_facing = _to_facing(axis, facing)
    centre_facing = _to_facing(centre, facing)
    return np.ascontiguousarray(centre_facing[:, :2] / axis_facing[:, 2:3])


#: roles every recognised coordinate set names (the others may be absent, e.g. planar models)
REQUIRED_ROLES: tuple[str, str, str] = ("hip_flexion", "knee_flexion", "ankle_dorsiflexion")


@dataclass(frozen=True)
class CoordinateSet:
    """Coordinate names and signs of one recognised model family, for one side.

    Attributes
    ----------
    family : key in ``models/coordinate_sets.toml`` (e.g. "gait2392", "GrandChallengeJW")
    side : "right" or "left"
    names : role (``pelvis_tilt``, ``hip_flexion``, ``knee_flexion``, ...) -> column name
    signs : role -> +1 or -1, turning the file's value into kneeload's convention (hip
        flexion, adduction and internal rotation, knee flexion and ankle dorsiflexion positive)
    source : where the family's convention comes from
    """

    family: str
    side: str
    names: Mapping[str, str]
    signs: Mapping[str, float]
    source: str

    def values(self, coordinates: CoordinateData, values: FloatArray) -> dict[str, FloatArray]:
        """Role -> coordinate in kneeload's sign convention (rad or m), for the roles present.

        ``values`` are ``coordinates.values`` or a filtered copy of them (same columns).
        """
        return {
            role: self.signs[role] * values[:, coordinates.names.index(name)]
            for role, name in self.names.items()
        }


def coordinate_set(names: Sequence[str], side: str, source: str = "coordinates") -> CoordinateSet:
    """Recognise the model family of IK coordinate names (``models/coordinate_sets.toml``).

    A family matches when all its ``require`` names are columns (for one side) and none of
    its ``absent`` names is; exactly one must match (gait10dof18musc, gait2392 and Hamner 2010,
    Rajagopal 2016, Grand Challenge JW). Its roles are then resolved for ``side``.

    Parameters
    ----------
    names : coordinate names of the file (:attr:`CoordinateData.names`)
    side : "right" or "left"
    source : the file, for error messages

    Raises
    ------
    InputError
        No family or several match, the family has no such side, or the side lacks hip
        flexion, knee flexion or ankle angle.
    """
    from kneeload.data import models_dir, read_toml

    side = check_side(side)
    table = read_toml(models_dir() / "coordinate_sets.toml")["families"]
    present = set(names)

    def has(pattern: str, s: str) -> bool:
        return pattern.format(s=s) in present

    matches = [
        family
        for family, entry in table.items()
        if any(all(has(n, s) for n in entry["require"]) for s in "rl")
        and not any(has(n, s) for n in entry["absent"] for s in "rl")
    ]
    if len(matches) != 1:
        raise InputError(
            source,
            "coordinate names",
            "the coordinates of exactly one recognised model family ("
            + ", ".join(table)
            + ": see models/coordinate_sets.toml)",
            "matches: " + (", ".join(matches) or "none"),
        )
    family = matches[0]
    entry = table[family]
    if side not in entry["sides"]:
        raise InputError(
            source, "side", f"a side of the {family} model ({', '.join(entry['sides'])})", side
        )
    resolved = {
        role: (pattern.format(s=side[0]), float(sign))
        for role, (pattern, sign) in entry["coordinates"].items()
    }
    missing = [resolved[role][0] for role in REQUIRED_ROLES if resolved[role][0] not in present]
    if missing:
        raise InputError(source, missing[0], f"the {family} coordinate {missing[0]}")
    return CoordinateSet(
        family=family,
        side=side,
        names={role: name for role, (name, _) in resolved.items() if name in present},
        signs={role: sign for role, (name, sign) in resolved.items() if name in present},
        source=entry["source"],
    )


def _opensim_joint_angles(
    coordinates: CoordinateData, values: FloatArray, side: str
) -> dict[str, FloatArray]:
    """Joint angles [deg] from OpenSim coordinates, flexion and dorsiflexion positive.

    Names and signs from the declared coordinate set (:func:`coordinate_set`): e.g. knee angle
    negative in flexion in gait2392/gait10dof18musc (Delp 1990) and the Grand Challenge JW
    model, positive in flexion in Rajagopal 2016.
    """
    conventional = coordinate_set(coordinates.names, side, coordinates.source).values(
        coordinates, values
    )
    return {f"{role}_deg": np.degrees(conventional[role]) for role in REQUIRED_ROLES}


def leg_trial_from_joint_markers(
    time_s: FloatArray,
    hip_m: FloatArray,
    knee_m: FloatArray,
    ankle_m: FloatArray,
    toe_m: FloatArray,
    grf_n: FloatArray,
    cop_m: FloatArray,
    body_mass_kg: float,
    side: str = "right",
    anthropometry: str = "Winter2009",
    cutoff_hz: float | None = 6.0,
    source: str = "markers",
) -> LegTrial:
    """Build a :class:`LegTrial` from sagittal joint markers (Winter's marker set).

    Parameters
    ----------
    time_s : (F,) [s], uniformly sampled
    hip_m, knee_m, ankle_m, toe_m : (F, 2) greater trochanter, lateral femoral epicondyle,
        lateral malleolus and 5th metatarsal head (or toe) in the facing frame [m]; each
        segment runs between two of them (Winter 2009, Fig. 4.1 and Appendix A)
    grf_n, cop_m : (F, 2) ground reaction on this foot [N] and centre of pressure [m]
    body_mass_kg : [kg]
    side : "right" or "left"
    anthropometry : table in ``models/anthropometry`` for masses, centres of mass and radii
    cutoff_hz : zero-lag low-pass of the markers [Hz] (Winter 2009: 6 Hz); None: none

    Segment lengths are the mean marker distances of the trial (noted in ``notes``). Joint
    angles: knee flexion = thigh angle − shank angle; hip flexion = thigh from the vertical (no
    pelvis); ankle dorsiflexion = foot angle − shank angle − 90° (foot line ankle→toe marker).
    """
    from kneeload.anthropometry import leg_segment_parameters
    from kneeload.io.events import lowpass
    from kneeload.kinematics import point_along, segment_angle_rad

    side = check_side(side)
    time = np.asarray(time_s, dtype=np.float64)
    rate_hz = (len(time) - 1) / (time[-1] - time[0])
    markers = np.stack([hip_m, knee_m, ankle_m, toe_m], axis=1).astype(np.float64)
    if cutoff_hz is not None:
        markers = lowpass(markers, rate_hz, cutoff_hz)
    hip, knee, ankle, toe = (markers[:, i] for i in range(4))
    lengths = {
        "foot": float(np.mean(np.linalg.norm(toe - ankle, axis=1))),
        "shank": float(np.mean(np.linalg.norm(knee - ankle, axis=1))),
        "thigh": float(np.mean(np.linalg.norm(hip - knee, axis=1))),
    }
    params = leg_segment_parameters(anthropometry, body_mass_kg, lengths_m=lengths)
    ends = {"foot": (ankle, toe), "shank": (knee, ankle), "thigh": (hip, knee)}
    com = np.stack(
        [point_along(*ends[s], params[s].com_from_proximal) for s in ("foot", "shank", "thigh")],
        axis=1,
    )
    angle = np.stack([segment_angle_rad(*ends[s]) for s in ("foot", "shank", "thigh")], axis=1)
    foot, shank, thigh = (np.degrees(angle[:, i]) for i in range(3))
    return LegTrial(
        time_s=time,
        side=side,
        body_mass_kg=float(body_mass_kg),
        segment_mass_kg=np.array([params[s].mass_kg for s in ("foot", "shank", "thigh")]),
        segment_inertia_kg_m2=np.array(
            [params[s].inertia_kg_m2 for s in ("foot", "shank", "thigh")]
        ),
        com_m=np.ascontiguousarray(com),
        joint_m=np.ascontiguousarray(np.stack([ankle, knee, hip], axis=1)),
        segment_angle_rad=np.ascontiguousarray(angle),
        joint_angle_deg={
            "hip_flexion_deg": thigh - 90.0,
            "knee_flexion_deg": thigh - shank,
            "ankle_dorsiflexion_deg": foot - shank - 90.0,
        },
        grf_n=np.ascontiguousarray(grf_n, dtype=np.float64),
        cop_m=np.ascontiguousarray(cop_m, dtype=np.float64),
        free_moment_nm=np.zeros(len(time)),
        cutoff_hz=cutoff_hz,
        source=source,
        notes=(
            "segment lengths from the markers: "
            + ", ".join(f"{s} {length:.3f} m" for s, length in lengths.items()),
        ),
    )
