"""A :class:`~kneeload.trial.LegTrial` from IK coordinates without the subject's ``.osim`` model.

The coordinates of a recognised OpenSim model family (``models/coordinate_sets.toml``: names
and signs of gait10dof18musc, gait2392/Hamner 2010, Rajagopal 2016, Grand Challenge JW) drive
a generic leg built as data (``models/geometry/Delp1990_gait2392.toml``): pelvis → hip centre
(Delp et al. 1990, scaled by stature) → femur (Z-X-Y hip rotations) → knee hinge → tibia →
ankle axis → talus → subtalar axis → foot. Segment lengths, masses, centres of mass and radii
of gyration come from an anthropometric table (Winter 2009 or de Leva 1996) scaled to body mass
and stature. The leg is assembled as an in-memory OpenSim model and goes through the same
forward kinematics and :func:`~kneeload.trial.leg_trial_from_opensim` as a real model, so facing
−x, the 3-D fields and the ground reaction are handled identically.

Without a stature, it is estimated from the trial: the stature at which the generic leg puts
the ankle centre at Winter's (2009, Fig. 4.1) malleolus height, 0.039 of stature, above the
floor (the centre of pressure's height) during foot-flat (20-50 % of each stance). For a
straight vertical leg this is Winter's hip (greater trochanter) height of 0.530 of stature.

With joint centres from the same trial's markers (:func:`calibrate_generic_leg`), the leg is
calibrated instead: the hip centre in the pelvis frame, the knee centre in the femur frame and
the ankle centre in the tibia frame (the joints' locations in their parents, which a scaled
OpenSim model holds per subject) are fitted by linear least squares so that the forward
kinematics of the IK puts the three centres where the markers put them. Segment lengths are
then the fitted hip-knee and knee-ankle distances.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kneeload.anthropometry import leg_segment_parameters
from kneeload.config import STANDARD_GRAVITY_M_S2
from kneeload.data import load_parameter_set
from kneeload.exceptions import InputError, ParameterError
from kneeload.io.osim import (
    GROUND,
    Body,
    Constant,
    Coordinate,
    Joint,
    LinearFunction,
    Marker,
    OffsetFrame,
    OsimFunction,
    OsimModel,
    TransformAxis,
)
from kneeload.io.types import CoordinateData, GroundReactionData
from kneeload.trial import (
    CoordinateSet,
    LegTrial,
    check_side,
    coordinate_set,
    foot_ground_reaction,
    leg_trial_from_opensim,
)

FloatArray = NDArray[np.float64]

#: generic geometry in ``models/geometry/``
GEOMETRY = "Delp1990_gait2392"
#: part of each stance used to estimate stature (foot flat: Perry & Burnfield 2010, loading
#: response to heel rise is about 10-40 % of the gait cycle, 17-65 % of stance)
_FOOT_FLAT_FRACTION: tuple[float, float] = (0.2, 0.5)
#: joint centres a calibration fits, proximal to distal
CALIBRATED_JOINTS: tuple[str, str, str] = ("hip", "knee", "ankle")
#: fewest frames a calibration accepts (as :func:`kneeload.markers.leg_trial_from_markers`'s
#: shortest marker trial); nine unknowns are determined by one frame, more frames average
#: out marker noise and soft-tissue artefact
_MIN_CALIBRATION_FRAMES = 10

_X, _Y, _Z = np.eye(3)
_ZERO = np.zeros(3)
_PELVIS_ROTATIONS = (("pelvis_tilt", _Z), ("pelvis_list", _X), ("pelvis_rotation", _Y))
_PELVIS_TRANSLATIONS = (("pelvis_tx", _X), ("pelvis_ty", _Y), ("pelvis_tz", _Z))
_HIP_ROTATIONS = (("hip_flexion", _Z), ("hip_adduction", _X), ("hip_rotation", _Y))


def _mirror_point(point: FloatArray, side: str) -> FloatArray:
    """Right-side point -> this side's (z negated on the left)."""
    return point * np.array([1.0, 1.0, -1.0]) if side == "left" else point


def _mirror_axis(axis: FloatArray, side: str) -> FloatArray:
    """Right-side rotation axis -> this side's (x and y negated on the left, as gait2392)."""
    return axis * np.array([-1.0, -1.0, 1.0]) if side == "left" else axis


def _custom_joint(
    name: str,
    parent: str,
    child: str,
    location: FloatArray,
    coordinates: CoordinateSet,
    rotations: tuple[tuple[str, FloatArray, float], ...],
    translations: tuple[tuple[str, FloatArray], ...] = (),
) -> Joint:
    """A CustomJoint whose rotations (role, axis, slope) follow the coordinate set's columns.

    A role the file lacks (e.g. pelvis list in gait10dof18musc) stays at zero. The function of
    a role is ``slope · sign · value``: the sign brings the file's value to kneeload's
    convention, the slope is that convention's rotation about the axis.
    """

    def axis(label: str, role: str, direction: FloatArray, slope: float) -> TransformAxis:
        function: OsimFunction = Constant(c=0.0)
        used: tuple[str, ...] = ()
        if role in coordinates.names:
            function = LinearFunction(slope=slope * coordinates.signs[role], intercept=0.0)
            used = (coordinates.names[role],)
        return TransformAxis(name=label, axis=direction, coordinates=used, function=function)

    axes = [
        axis(f"rotation{i}", role, direction, slope)
        for i, (role, direction, slope) in enumerate(rotations, start=1)
    ]
    axes += [
        axis(f"translation{i}", role, direction, 1.0)
        for i, (role, direction) in enumerate(translations, start=1)
    ]
    used = tuple(name for a in axes for name in a.coordinates)
    return Joint(
        name=name,
        type="CustomJoint",
        parent_body=parent,
        child_body=child,
        parent_frame=OffsetFrame(body=parent, translation=location, orientation=_ZERO),
        child_frame=OffsetFrame(body=child, translation=_ZERO, orientation=_ZERO),
        coordinates=used,
        spatial_transform=tuple(axes),
    )


def _vector(table: dict[str, Any], key: str) -> FloatArray:
    return np.asarray(table[key], dtype=np.float64)


@dataclasses.dataclass(frozen=True)
class GenericLegCalibration:
    """Subject-specific joint locations of the generic leg, fitted to marker-based joint centres.

    Each location is the joint centre in its parent body's frame (the generic leg's frames, of
    the calibrated side: x anterior, y superior, z lateral on the right, medial on the left), as
    ``location_in_parent`` of a scaled OpenSim model. From :func:`calibrate_generic_leg`.

    Attributes
    ----------
    side : "right" or "left"
    hip_in_pelvis_m : hip centre in the pelvis frame (3,) [m]
    knee_in_femur_m : knee centre in the femur frame, from the hip centre (3,) [m]
    ankle_in_tibia_m : ankle centre in the tibia frame, from the knee centre (3,) [m]
    residual_rms_mm : joint -> RMS 3-D distance between the calibrated leg's centre and the
        marker-based one over the fitted frames [mm]
    n_frames : frames fitted
    source : where the marker-based centres came from
    """

    side: str
    hip_in_pelvis_m: FloatArray
    knee_in_femur_m: FloatArray
    ankle_in_tibia_m: FloatArray
    residual_rms_mm: dict[str, float]
    n_frames: int
    source: str

    @property
    def thigh_length_m(self) -> float:
        """Hip-centre to knee-centre distance [m]."""
        return float(np.linalg.norm(self.knee_in_femur_m))

    @property
    def shank_length_m(self) -> float:
        """Knee-centre to ankle-centre distance [m]."""
        return float(np.linalg.norm(self.ankle_in_tibia_m))

    def note(self) -> str:
        """What was fitted, the fitted values and the residuals, in words and mm."""

        def mm(v: FloatArray) -> str:
            return "(" + ", ".join(f"{1000 * c:.1f}" for c in v) + ") mm"

        return (
            f"generic leg calibrated to the joint centres of {self.source} by least squares over "
            f"{self.n_frames} frames: hip centre in the pelvis {mm(self.hip_in_pelvis_m)}, knee "
            f"in the femur {mm(self.knee_in_femur_m)} (thigh {self.thigh_length_m:.3f} m), "
            f"ankle in the tibia {mm(self.ankle_in_tibia_m)} (shank "
            f"{self.shank_length_m:.3f} m); residual RMS "
            + ", ".join(f"{j} {self.residual_rms_mm[j]:.1f} mm" for j in CALIBRATED_JOINTS)
        )


def calibrate_generic_leg(
    coordinates: CoordinateData,
    centres_time_s: FloatArray,
    centres_m: Mapping[str, FloatArray],
    side: str,
    source: str = "the markers",
) -> GenericLegCalibration:
    """Fit the generic leg's hip, knee and ankle locations to joint centres of the same trial.

    With the IK's rotations, each centre is linear in the unknown locations: with the pelvis
    origin p and the rotations R_p, R_f, R_t of the pelvis, femur and tibia (which do not
    depend on the locations, the joints' frames being unrotated),

        hip = p + R_p h,   knee = hip + R_f k,   ankle = knee + R_t a,

    so (h, k, a) — hip centre in the pelvis, knee centre in the femur, ankle centre in the
    tibia, nine numbers — is the linear least-squares solution over every frame where the
    coordinates and all three centres exist, all residuals weighted alike. This is the
    joint-centre part of OpenSim's Scale tool done in closed form (joint locations from
    functional or regression centres, Delp et al. 2007); the fitted components along each
    segment give its length, the others the anteroposterior and mediolateral offsets between
    the subject's IK model frames and the generic ones. The joint axes, knee hinge and foot
    stay generic.

    Parameters
    ----------
    coordinates : IK coordinates of a recognised model family (rad, m), model frame (y up)
    centres_time_s : (F,) time of the centres [s], on the coordinates' clock
    centres_m : "hip", "knee", "ankle" -> (F, 3) centres in the model frame [m] (e.g.
        :func:`kneeload.markers.joint_centres_from_markers`; NaN where undefined); linearly
        interpolated to the coordinates' frames
    side : "right" or "left"
    source : the centres' origin, for the notes and errors

    Returns
    -------
    GenericLegCalibration with the fitted locations and the residual RMS per joint [mm].

    Raises
    ------
    InputError
        A centre missing or not (F, 3), or fewer than 10 frames where the coordinates and
        every centre exist.

    References
    ----------
    Delp SL et al. (2007) OpenSim. IEEE TBME 54:1940, doi:10.1109/TBME.2007.901024.
    """
    from kneeload.dynamics.model_kinematics import body_poses

    side = check_side(side)
    s = side[0]
    names = coordinate_set(coordinates.names, side, coordinates.source)
    time = np.asarray(centres_time_s, dtype=np.float64)
    targets = {}
    for joint in CALIBRATED_JOINTS:
        if joint not in centres_m:
            raise InputError(source, joint, "a joint centre per frame", "none")
        centre = np.asarray(centres_m[joint], dtype=np.float64)
        if centre.shape != (len(time), 3):
            raise InputError(
                source, joint, f"positions of shape ({len(time)}, 3)", str(centre.shape)
            )
        targets[joint] = np.stack(
            [
                np.interp(coordinates.time_s, time, centre[:, k], left=np.nan, right=np.nan)
                for k in range(3)
            ],
            axis=1,
        )
    reference_m = load_parameter_set("geometry", GEOMETRY)["meta"]["Reference stature [m]"]
    model = generic_leg_model(names, reference_m, 1.0)
    q = {name: coordinates.coordinate(name) for name in model.coordinates}
    poses = body_poses(model, q, bodies=[f"tibia_{s}"])
    rotations = [poses[body][0] for body in ("pelvis", f"femur_{s}", f"tibia_{s}")]
    origin = poses["pelvis"][1]
    points = np.stack([origin, *targets.values()], axis=1)
    ok = np.all(np.isfinite(points), axis=(1, 2))
    ok &= np.all(np.isfinite(np.concatenate(rotations, axis=2)), axis=(1, 2))
    n_frames = int(ok.sum())
    if n_frames < _MIN_CALIBRATION_FRAMES:
        raise InputError(
            source,
            "joint centres",
            f"at least {_MIN_CALIBRATION_FRAMES} frames where the IK coordinates and the hip, "
            "knee and ankle centres all exist",
            f"{n_frames}",
        )
    zero = np.zeros((n_frames, 3, 3))
    pelvis, femur, tibia = (r[ok] for r in rotations)
    # rows: hip, knee, ankle equations of every frame; columns: h, k, a
    design = np.concatenate(
        [
            np.concatenate([pelvis, zero, zero], axis=2),
            np.concatenate([pelvis, femur, zero], axis=2),
            np.concatenate([pelvis, femur, tibia], axis=2),
        ]
    ).reshape(-1, 9)
    rhs = np.concatenate([targets[j][ok] - origin[ok] for j in CALIBRATED_JOINTS]).reshape(-1)
    solution = np.linalg.lstsq(design, rhs, rcond=None)[0]
    residual = (design @ solution - rhs).reshape(len(CALIBRATED_JOINTS), n_frames, 3)
    return GenericLegCalibration(
        side=side,
        hip_in_pelvis_m=solution[:3],
        knee_in_femur_m=solution[3:6],
        ankle_in_tibia_m=solution[6:],
        residual_rms_mm={
            joint: 1000 * float(np.sqrt(np.mean(np.sum(r**2, axis=1))))
            for joint, r in zip(CALIBRATED_JOINTS, residual, strict=True)
        },
        n_frames=n_frames,
        source=source,
    )


def generic_leg_model(
    coordinates: CoordinateSet,
    height_m: float,
    body_mass_kg: float,
    anthropometry: str = "Winter2009",
    geometry: str = GEOMETRY,
    calibration: GenericLegCalibration | None = None,
) -> OsimModel:
    """The generic leg of one side as an in-memory OpenSim model, scaled to one subject.

    Parameters
    ----------
    coordinates : coordinate set of the IK file (:func:`kneeload.trial.coordinate_set`); its
        names become the model's coordinate names, its signs the joint functions' slopes
    height_m : stature [m]
    body_mass_kg : body mass [kg]
    anthropometry : table in ``models/anthropometry/`` (segment lengths as fractions of stature,
        masses, centres of mass, radii of gyration)
    geometry : generic geometry in ``models/geometry/`` (default Delp et al. 1990 / gait2392)
    calibration : joint locations fitted to the trial's markers (:func:`calibrate_generic_leg`);
        they replace the stature-scaled hip, knee and ankle locations, and the thigh and shank
        lengths of the anthropometric table become the fitted ones (masses, centres of mass
        and radii of gyration still from the table); None: stature-scaled generic leg

    Returns
    -------
    OsimModel with bodies pelvis (massless), femur, tibia, talus (massless) and calcn of the
    side; joints ground_pelvis, hip, knee (hinge), ankle and subtalar; markers on the calcaneus
    ``ankle_<s>``, ``metatarsophalangeal_<s>``, ``heel_<s>``, ``toe_tip_<s>`` (s = r or l).
    Segment inertia is isotropic at the table's sagittal value (only the sagittal component is
    used).

    References
    ----------
    Delp SL et al. (1990) IEEE TBME 37:757. Winter DA (2009), Table 4.1 and Fig. 4.1. de Leva P
    (1996) J Biomech 29:1223.
    """
    side = check_side(coordinates.side)
    s = side[0]
    data = load_parameter_set("geometry", geometry)
    lengths = None
    if calibration is not None:
        if calibration.side != side:
            raise InputError(
                calibration.source, "side", f"a calibration of the {side} leg", calibration.side
            )
        lengths = {"thigh": calibration.thigh_length_m, "shank": calibration.shank_length_m}
    params = leg_segment_parameters(
        anthropometry, body_mass_kg, height_m=height_m, lengths_m=lengths
    )
    endpoints = data["foot"]["endpoints"]
    if anthropometry not in endpoints:
        raise ParameterError(
            f"geometry '{geometry}' does not say where the '{anthropometry}' foot is measured; "
            f"tables it knows: {', '.join(endpoints)}"
        )
    if calibration is None:
        scale = height_m / data["meta"]["Reference stature [m]"]
        hip = _mirror_point(
            scale * _vector(data["pelvis"], "Hip joint centre in pelvis frame [m]"), side
        )
        knee_generic = _vector(data["femur"], "Knee joint centre in femur frame [m]")
        knee = params["thigh"].length_m * knee_generic / np.linalg.norm(knee_generic)
        ankle_generic = _vector(data["tibia"], "Ankle joint centre in tibia frame [m]")
        ankle = params["shank"].length_m * ankle_generic / np.linalg.norm(ankle_generic)
    else:
        hip = calibration.hip_in_pelvis_m
        knee = calibration.knee_in_femur_m
        ankle = calibration.ankle_in_tibia_m
    foot = data["foot"]
    points = {
        "ankle": _vector(foot, "Ankle joint centre in calcaneus frame [m]"),
        "metatarsophalangeal": _vector(
            foot, "Metatarsophalangeal joint centre in calcaneus frame [m]"
        ),
        "heel": _vector(foot, "Heel in calcaneus frame [m]"),
        "toe_tip": _vector(foot, "Toe tip in calcaneus frame [m]"),
    }
    proximal, distal = (points[name] for name in endpoints[anthropometry])
    foot_scale = params["foot"].length_m / float(np.linalg.norm(distal - proximal))
    foot_com = foot_scale * (proximal + params["foot"].com_from_proximal * (distal - proximal))
    ankle_in_calcn = _mirror_point(foot_scale * points["ankle"], side)

    def body(name: str, segment: str | None, com: FloatArray) -> Body:
        mass = params[segment].mass_kg if segment else 0.0
        inertia = params[segment].inertia_kg_m2 if segment else 0.0
        return Body(name=name, mass=mass, mass_center=com, inertia=inertia * np.eye(3))

    bodies = {
        "pelvis": body("pelvis", None, _ZERO),
        f"femur_{s}": body(f"femur_{s}", "thigh", params["thigh"].com_from_proximal * knee),
        f"tibia_{s}": body(f"tibia_{s}", "shank", params["shank"].com_from_proximal * ankle),
        f"talus_{s}": body(f"talus_{s}", None, _ZERO),
        f"calcn_{s}": body(f"calcn_{s}", "foot", _mirror_point(foot_com, side)),
    }
    rotations_pelvis = tuple((role, axis, 1.0) for role, axis in _PELVIS_ROTATIONS)
    rotations_hip = tuple((role, _mirror_axis(axis, side), 1.0) for role, axis in _HIP_ROTATIONS)
    ankle_axis = _mirror_axis(_vector(data["tibia"], "Ankle axis in tibia frame [-]"), side)
    subtalar_axis = _mirror_axis(_vector(foot, "Subtalar axis in talus frame [-]"), side)
    joints = [
        _custom_joint(
            "ground_pelvis",
            GROUND,
            "pelvis",
            _ZERO,
            coordinates,
            rotations_pelvis,
            _PELVIS_TRANSLATIONS,
        ),
        _custom_joint(f"hip_{s}", "pelvis", f"femur_{s}", hip, coordinates, rotations_hip),
        # knee flexion rotates the tibia about -z (Delp 1990: knee angle negative in flexion)
        _custom_joint(
            f"knee_{s}",
            f"femur_{s}",
            f"tibia_{s}",
            knee,
            coordinates,
            (("knee_flexion", _Z, -1.0),),
        ),
        _custom_joint(
            f"ankle_{s}",
            f"tibia_{s}",
            f"talus_{s}",
            ankle,
            coordinates,
            (("ankle_dorsiflexion", ankle_axis / np.linalg.norm(ankle_axis), 1.0),),
        ),
        _custom_joint(
            f"subtalar_{s}",
            f"talus_{s}",
            f"calcn_{s}",
            -ankle_in_calcn,
            coordinates,
            (("subtalar", subtalar_axis / np.linalg.norm(subtalar_axis), 1.0),),
        ),
    ]
    translational = {"pelvis_tx", "pelvis_ty", "pelvis_tz"}
    model_coordinates = {
        name: Coordinate(
            name=name,
            joint=joint.name,
            motion_type="translational" if role in translational else "rotational",
            default_value=0.0,
            range=(-np.inf, np.inf),
            clamped=False,
            locked=False,
        )
        for joint in joints
        for role, name in coordinates.names.items()
        if name in joint.coordinates
    }
    return OsimModel(
        source=f"generic leg ({geometry}, {anthropometry}, {height_m:.3f} m, {body_mass_kg:g} kg"
        + (", calibrated)" if calibration is not None else ")"),
        name=f"{geometry}_{side}",
        version=40000,
        gravity=np.array([0.0, -STANDARD_GRAVITY_M_S2, 0.0]),
        bodies=bodies,
        joints={joint.name: joint for joint in joints},
        coordinates=model_coordinates,
        markers={
            f"{name}_{s}": Marker(
                name=f"{name}_{s}",
                body=f"calcn_{s}",
                location=_mirror_point(foot_scale * point, side),
            )
            for name, point in points.items()
        },
        child_joint={joint.child_body: joint.name for joint in joints},
    )


def estimate_height_m(
    coordinates: CoordinateData,
    forces: GroundReactionData,
    side: str,
    anthropometry: str = "Winter2009",
    geometry: str = GEOMETRY,
) -> float:
    """Stature [m] at which the generic leg stands on the floor during foot-flat.

    Every length of the generic leg is proportional to stature H, so the ankle centre's height
    is ``pelvis_ty + H·g(t)``, g from the angles alone. Setting it to Winter's (2009, Fig. 4.1)
    malleolus height ``0.039·H`` above the floor (median height of the foot's centre of
    pressure) gives H per frame; the median over 20-50 % of each complete stance of the foot
    is returned.

    Raises
    ------
    InputError
        No complete stance of the foot in the overlap of kinematics and forces.
    """
    from kneeload.config import GRF_CONTACT_THRESHOLD_N
    from kneeload.dynamics.model_kinematics import body_poses, joint_center
    from kneeload.io.events import contact_intervals

    side = check_side(side)
    names = coordinate_set(coordinates.names, side, coordinates.source)
    data = load_parameter_set("geometry", geometry)
    ankle_fraction = data["stature"]["Ankle height fraction of stature [-]"]
    time = coordinates.time_s
    force, cop, _ = foot_ground_reaction(forces, side, time)
    loaded = force[:, 1] > GRF_CONTACT_THRESHOLD_N
    floor = float(np.median(cop[loaded, 1]))
    stance = np.zeros(len(time), dtype=bool)
    first, last = _FOOT_FLAT_FRACTION
    for on, off in contact_intervals(time, force[:, 1]):
        stance |= (time >= on + first * (off - on)) & (time <= on + last * (off - on))
    if not stance.any():
        raise InputError(
            forces.source,
            f"{side} foot vertical force",
            "a complete stance of the foot within the kinematics, to estimate the stature "
            "(or give the height)",
            "none",
        )
    model = generic_leg_model(names, 1.0, 1.0, anthropometry, geometry)
    q = {
        name: coordinates.values[stance, coordinates.names.index(name)]
        for name in model.coordinates
    }
    pelvis_height = names.signs["pelvis_ty"] * q[names.names["pelvis_ty"]]
    for role in ("pelvis_tx", "pelvis_ty", "pelvis_tz"):
        if role in names.names:
            q[names.names[role]] = np.zeros(int(stance.sum()))
    s = side[0]
    poses = body_poses(model, q, bodies=[f"talus_{s}"])
    ankle_per_metre = joint_center(model, f"ankle_{s}", poses)[:, 1]
    return float(np.median((pelvis_height - floor) / (ankle_fraction - ankle_per_metre)))


def stature_from_leg_lengths(
    thigh_length_m: float, shank_length_m: float, anthropometry: str = "Winter2009"
) -> float:
    """Stature [m] whose table thigh and shank lengths add up to the given ones.

    H = (L_thigh + L_shank) / (f_thigh + f_shank), with f the table's segment lengths as
    fractions of stature (Winter 2009, Fig. 4.1: 0.245 and 0.246; de Leva 1996, Table 4).
    """
    table = load_parameter_set("anthropometry", anthropometry)["segments"]
    fractions = sum(table[s]["Length fraction of stature [-]"] for s in ("thigh", "shank"))
    return float((thigh_length_m + shank_length_m) / fractions)


def leg_trial_from_coordinates(
    coordinates: CoordinateData,
    forces: GroundReactionData,
    side: str,
    body_mass_kg: float,
    height_m: float | None = None,
    anthropometry: str = "Winter2009",
    cutoff_hz: float | None = 6.0,
    calibration: GenericLegCalibration | None = None,
) -> LegTrial:
    """Build a :class:`LegTrial` from IK coordinates and ground reactions, without a model.

    Parameters
    ----------
    coordinates : IK coordinates of a recognised model family (rad, m; see
        ``models/coordinate_sets.toml``), in the OpenSim model frame (y up)
    forces : ground reactions with each plate assigned to a foot, same frame and clock
    side : "right" or "left"
    body_mass_kg : body mass [kg], > 0
    height_m : stature [m]; None: estimated and said so in ``notes``, from the trial
        (:func:`estimate_height_m`) or, with a calibration, from the fitted thigh and shank
        lengths and the table's fractions of stature (:func:`stature_from_leg_lengths`)
    anthropometry : table in ``models/anthropometry/`` ("Winter2009", "deLeva1996_male",
        "deLeva1996_female")
    cutoff_hz : zero-lag low-pass of the coordinates [Hz] (Winter 2009: 6 Hz); None: none
    calibration : hip, knee and ankle locations fitted to the same trial's marker-based joint
        centres (:func:`calibrate_generic_leg`); what was fitted and the residual RMS per
        joint go into ``notes``. None: the stature-scaled generic leg. Only the foot is still
        scaled by stature.

    Returns
    -------
    LegTrial in the facing frame (a subject walking toward -x is turned by 180° about the
    vertical, :data:`kneeload.io.frames.ROTATE_180_ABOUT_Y`), with the 3-D ground reaction,
    centre of pressure and knee centre for the knee adduction moment. The knee is a hinge:
    knee translations and secondary rotations in the file (e.g. JW's fluoroscopic 6-DOF knee)
    are not used.

    Raises
    ------
    InputError
        Unrecognised coordinate names, a side the model lacks, mass or stature not > 0, no
        force on the foot, (without a stature or a calibration) no complete stance to estimate
        the stature from, or a calibration of the other side.
    ParameterError
        Unknown anthropometric table.
    """
    side = check_side(side)
    if not np.isfinite(body_mass_kg) or body_mass_kg <= 0:
        raise InputError("subject", "body_mass_kg", "a body mass > 0 kg", f"{body_mass_kg:g}")
    if height_m is not None and (not np.isfinite(height_m) or height_m <= 0):
        raise InputError("subject", "height_m", "a stature > 0 m", f"{height_m:g}")
    names = coordinate_set(coordinates.names, side, coordinates.source)
    if calibration is None:
        notes = [
            f"no model: coordinates read as {names.family}; generic leg {GEOMETRY} (Delp 1990) "
            f"with {anthropometry} segment lengths and inertia, knee as a hinge"
        ]
    else:
        notes = [
            f"no model: coordinates read as {names.family}; generic leg {GEOMETRY} (Delp 1990) "
            f"calibrated to the markers, {anthropometry} inertia with the fitted thigh and "
            "shank lengths, knee as a hinge",
            calibration.note(),
        ]
    if height_m is None and calibration is not None:
        height_m = stature_from_leg_lengths(
            calibration.thigh_length_m, calibration.shank_length_m, anthropometry
        )
        notes.append(
            f"stature estimated from the calibrated thigh and shank lengths: {height_m:.3f} m "
            f"({anthropometry} fractions of stature; it scales the foot only)"
        )
    elif height_m is None:
        height_m = estimate_height_m(coordinates, forces, side, anthropometry)
        notes.append(
            f"stature estimated from the trial: {height_m:.3f} m (ankle centre at 0.039 of "
            "stature above the floor during foot-flat, Winter 2009 Fig. 4.1)"
        )
    ignored = sorted(
        set(coordinates.names)
        & {"knee_tx", "knee_ty", "knee_tz", "knee_adduction", "knee_rotation"}
    )
    if ignored:
        notes.append("knee coordinates not used by the hinge: " + ", ".join(ignored))
    model = generic_leg_model(names, height_m, body_mass_kg, anthropometry, calibration=calibration)
    trial = leg_trial_from_opensim(model, coordinates, forces, side, body_mass_kg, cutoff_hz)
    return dataclasses.replace(
        trial,
        height_m=float(height_m),
        source=f"{coordinates.source} + {forces.source} + {model.source}",
        notes=tuple(notes) + trial.notes,
    )


def generic_foot_polyline(
    coordinates: CoordinateData,
    side: str,
    height_m: float | None = None,
    anthropometry: str = "Winter2009",
) -> FloatArray:
    """Heel and metatarsophalangeal joint of the generic foot over the trial, (F, 2, 3) [m].

    Model (ground) frame, for assigning force plates to the foot before the stature is known
    (:func:`kneeload.io.frames.assign_plates_to_feet` takes it as a heel -> forefoot polyline).

    Parameters
    ----------
    coordinates : IK coordinates of a recognised model family
    side : "right" or "left"
    height_m : stature [m]; None: the generic model's reference stature (1.8 m, Delp 1990), enough
        for plate assignment (decimetre tolerance)
    anthropometry : table in ``models/anthropometry/`` for the segment lengths
    """
    from kneeload.dynamics.model_kinematics import body_poses, marker_position

    side = check_side(side)
    names = coordinate_set(coordinates.names, side, coordinates.source)
    if height_m is None:
        height_m = load_parameter_set("geometry", GEOMETRY)["meta"]["Reference stature [m]"]
    model = generic_leg_model(names, height_m, 1.0, anthropometry)
    s = side[0]
    q = {n: coordinates.coordinate(n) for n in model.coordinates}
    poses = body_poses(model, q, [f"calcn_{s}"])
    return np.stack(
        [marker_position(model, f"{m}_{s}", poses) for m in ("heel", "metatarsophalangeal")],
        axis=1,
    )
