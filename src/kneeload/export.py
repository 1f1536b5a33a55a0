"""Export legs of a trial or generated case to OpenSim files and to a C3D.

kneeload's legs (:class:`~kneeload.trial.LegTrial`, sagittal frame facing +x, possibly a
ground frame tilted by a grade) are written in a level laboratory frame (gravity straight down:
a grade becomes a slope of the floor), so that OpenSim, a gait lab's C3D pipeline or
``kneeload analyze`` read them as a measured trial.

OpenSim set (:func:`write_opensim`):

* ``<name>.osim``: a planar model with the bodies, joints and coordinate names of OpenSim's
  gait10dof18musc (Delp et al. 1990 geometry; Seth's planar reduction): pelvis on a
  ``ground_pelvis`` CustomJoint (tilt, tx, ty), ``hip``, ``knee`` and ``ankle`` PinJoints about
  z; the foot is one body, ``calcn`` (no talus or toes: kneeload's foot is rigid). Segment
  masses, centres of mass, z inertias and joint positions are those of the legs exported (the
  model is "scaled" to them); the knee is a pin (kneeload's planar chain), not Delp's
  translating knee. The rest of the body mass sits on the pelvis at the hip centre (the pelvis
  residuals of OpenSim's inverse dynamics are not meaningful). Only the sagittal inertia (Izz)
  enters planar motion; Ixx and Iyy are set to keep the tensor physical (Izz and 0.3·Izz).
* ``<name>_ik.mot``: coordinates (degrees) for that model, in the gait10dof18musc names.
* ``<name>_grf.mot`` and ``<name>_external_loads.xml``: ground reaction per foot
  (``r_ground_force_v*``, ``r_ground_force_p*``, ``r_ground_torque_*``, left ``l_``), applied to
  ``calcn_r``/``calcn_l``, expressed in ground.
* ``<name>_ik_rajagopal.mot`` (generated cases): the same angles in Rajagopal et al. (2016)
  names and signs (knee positive in flexion, hip adduction from the generator); its pelvis
  translations are kneeload's hip centre, not Rajagopal's pelvis origin.

Markers as an OpenSim ``.trc`` (:func:`write_trc`): the C3D's virtual markers, model frame, mm.

C3D (:func:`write_c3d`, ezc3d; Michaud & Begon 2021): lab frame z up (x forward, y left,
OpenSim's C3D convention inverted), virtual markers in mm (joint centres, segment centres of
mass, heel and toe when known) and one type-2 force platform per foot spanning the walkway
(corners, origin at the surface centre, six analog channels Fx Fy Fz [N], Mx My Mz [N·mm]
about the plate origin, in the plate frame, which is the lab frame).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from kneeload.exceptions import InputError
from kneeload.io.frames import LAB_Z_UP_TO_MODEL
from kneeload.io.results import atomic_path
from kneeload.trial import SIDES

if TYPE_CHECKING:
    from kneeload.gait.cycle import GaitCycle
    from kneeload.io.types import CoordinateData, GroundReactionData
    from kneeload.trial import LegTrial

FloatArray = NDArray[np.float64]

#: lateral position of each leg's joints [m] when the leg has no 3-D knee (half the generated
#: adult's hip spacing; only the frontal plane uses it)
DEFAULT_HIP_Z_M = 0.0875
#: spread of the knee centre in the femur above which the knee is exported as translating [m]
KNEE_TRANSLATION_M = 1e-6
#: most knots of an exported translating knee's splines (Delp 1990's have 7 to 12)
KNEE_KNOTS = 20
#: share of Izz given to the two other principal inertias (they do not enter planar motion)
_OFF_AXIS_INERTIA = 0.3
#: force below which a foot counts as unloaded for the exported centre of pressure [N] (moves
#: a moment by at most this force times the distance moved: < 1e-6 N·m)
_UNLOADED_N = 1e-6


@dataclass(frozen=True)
class _Leg:
    """One leg's rigid geometry and body angles in the level lab frame.

    angle_rad : (F, 3) femur, tibia, calcaneus body angles about z [rad]
    hip_m : (F, 2) hip centre [m]
    knee_in_femur_m, ankle_in_tibia_m : (2,) joint positions in the parent body [m]
    com_m : (3, 2) centre of mass of femur (from hip), tibia (from knee), calcaneus (from
        ankle) in its body frame [m]
    mass_kg, inertia_kg_m2 : (3,) thigh, shank, foot
    z_m : lateral position of the leg's joints [m]
    rigid_residual_m : largest distance between a point of the trial and the rigid model [m]
    knee_spline : knots of the knee angle coordinate [rad] and the knee position in the femur
        (x, y) [m] at them, when the knee translates with its angle (Delp 1990 in OpenSim
        models); None for a fixed knee
    """

    angle_rad: FloatArray
    hip_m: FloatArray
    knee_in_femur_m: FloatArray
    ankle_in_tibia_m: FloatArray
    com_m: FloatArray
    mass_kg: FloatArray
    inertia_kg_m2: FloatArray
    z_m: float
    rigid_residual_m: float
    knee_spline: tuple[FloatArray, FloatArray, FloatArray] | None = None


def _rotation(angle: FloatArray) -> FloatArray:
    """(F, 2, 2) rotation matrices of angles about z [rad]."""
    c, s = np.cos(angle), np.sin(angle)
    return np.stack([np.stack([c, -s], axis=-1), np.stack([s, c], axis=-1)], axis=-2)


def _level_angle_rad(gravity_m_s2: Sequence[float]) -> float:
    """Rotation about z taking the trial's frame to a level lab frame (gravity along -y)."""
    return -0.5 * math.pi - math.atan2(gravity_m_s2[1], gravity_m_s2[0])


def _leg(trial: LegTrial, level_rad: float, default_z_m: float) -> _Leg:
    """Rigid bodies of ``trial`` in the level frame: body angles from the segment angles (thigh
    and shank: the distal → proximal line, body x axis 90° clockwise of it; foot: the shank's
    angle plus the ankle dorsiflexion, its offset to the trial's foot angle averaged)."""
    to_level = _rotation(np.array(level_rad))
    joints = np.einsum("ij,fkj->fki", to_level, trial.joint_m)
    coms = np.einsum("ij,fkj->fki", to_level, trial.com_m)
    seg = trial.segment_angle_rad + level_rad
    femur = seg[:, 2] - 0.5 * math.pi
    tibia = seg[:, 1] - 0.5 * math.pi
    dorsiflexion = np.radians(trial.joint_angle_deg["ankle_dorsiflexion_deg"])
    calcn = seg[:, 0] + np.mean(tibia + dorsiflexion - seg[:, 0])
    angle = np.stack([femur, tibia, calcn], axis=1)
    inverse = np.swapaxes(_rotation(angle), -1, -2)  # (F, 3, 2, 2) ground -> body
    ankle, knee, hip = joints[:, 0], joints[:, 1], joints[:, 2]
    knee_local = np.einsum("fij,fj->fi", inverse[:, 0], knee - hip)
    ankle_local = np.einsum("fij,fj->fi", inverse[:, 1], ankle - knee)
    origins = np.stack([hip, knee, ankle], axis=1)
    com_local = np.einsum("fkij,fkj->fki", inverse, coms[:, ::-1] - origins)
    knee_mean, ankle_mean, com_mean = (
        knee_local.mean(axis=0),
        ankle_local.mean(axis=0),
        com_local.mean(axis=0),
    )
    knee_error = np.linalg.norm(knee_local - knee_mean, axis=1)
    knee_spline = None
    if np.max(knee_error) > KNEE_TRANSLATION_M:
        knee_spline, knee_error = _knee_spline(tibia - femur, knee_local)
    residual = max(
        float(np.max(knee_error)),
        float(np.max(np.linalg.norm(ankle_local - ankle_mean, axis=1))),
        float(np.max(np.linalg.norm(com_local - com_mean, axis=2))),
    )
    z = default_z_m if trial.knee_3d_m is None else float(np.mean(trial.knee_3d_m[:, 2]))
    return _Leg(
        angle_rad=angle,
        hip_m=hip,
        knee_in_femur_m=knee_mean,
        ankle_in_tibia_m=ankle_mean,
        com_m=com_mean,
        mass_kg=trial.segment_mass_kg[::-1].copy(),
        inertia_kg_m2=trial.segment_inertia_kg_m2[::-1].copy(),
        z_m=z,
        rigid_residual_m=residual,
        knee_spline=knee_spline,
    )


def _knee_spline(
    angle_rad: FloatArray, knee_in_femur_m: FloatArray
) -> tuple[tuple[FloatArray, FloatArray, FloatArray], FloatArray]:
    """Knee position in the femur as a function of the knee angle: up to :data:`KNEE_KNOTS`
    knots at the frames nearest to evenly spaced angles over the trial's range (exact points of
    the function); and the distance of each frame from the spline (OpenSim's SimmSpline, as
    the reader evaluates it)."""
    from kneeload.io.osim import CubicSpline

    order = np.argsort(angle_rad)
    targets = np.linspace(angle_rad[order[0]], angle_rad[order[-1]], KNEE_KNOTS)
    picked = np.unique(order[np.searchsorted(angle_rad[order], targets).clip(0, len(order) - 1)])
    picked = picked[np.argsort(angle_rad[picked])]
    keep = np.r_[True, np.diff(angle_rad[picked]) > 1e-4]
    knots = angle_rad[picked][keep]
    values = [knee_in_femur_m[picked][keep, a] for a in range(2)]
    fitted = np.column_stack([CubicSpline.from_points(knots, v).value(angle_rad) for v in values])
    return (knots, values[0], values[1]), np.linalg.norm(fitted - knee_in_femur_m, axis=1)


def _check_legs(legs: Mapping[str, LegTrial]) -> list[str]:
    """Sides present, in SIDES order, after checking they share time, mass and gravity."""
    sides = [s for s in SIDES if s in legs]
    if not sides or set(legs) - set(SIDES):
        raise InputError("export", "legs", "a right and/or a left leg", str(list(legs)))
    first = legs[sides[0]]
    for side in sides[1:]:
        other = legs[side]
        if (
            other.time_s.shape != first.time_s.shape
            or not np.allclose(other.time_s, first.time_s)
            or tuple(other.gravity_m_s2) != tuple(first.gravity_m_s2)
        ):
            raise InputError("export", side, "legs on one time base and one ground frame")
    return sides


def _write_text(path: Path, text: str) -> Path:
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
    return path


def _storage_text(
    name: str, columns: Mapping[str, FloatArray], in_degrees: bool, extra: Sequence[str] = ()
) -> str:
    """An OpenSim storage (header version 1) with ``columns`` (time first), full precision."""
    labels = list(columns)
    data = np.column_stack([np.asarray(columns[k], dtype=np.float64) for k in labels])
    head = [
        name,
        "version=1",
        f"nRows={data.shape[0]}",
        f"nColumns={data.shape[1]}",
        f"inDegrees={'yes' if in_degrees else 'no'}",
        *extra,
        "endheader",
        "\t".join(labels),
    ]
    body = ["\t".join(f"{v:.17g}" for v in row) for row in data]
    return "\n".join(head + body) + "\n"


# ------------------------------------------------------------------------------------ OpenSim


def _frame(name: str, parent: str, translation: Sequence[float]) -> str:
    t = " ".join(f"{v:.17g}" for v in translation)
    return (
        f'<PhysicalOffsetFrame name="{name}"><socket_parent>{parent}</socket_parent>'
        f"<translation>{t}</translation><orientation>0 0 0</orientation></PhysicalOffsetFrame>"
    )


def _coordinate(name: str, low: float, high: float) -> str:
    return (
        f'<Coordinate name="{name}"><default_value>0</default_value>'
        f"<range>{low:.17g} {high:.17g}</range><clamped>false</clamped><locked>false</locked>"
        "</Coordinate>"
    )


def _joint(
    kind: str,
    name: str,
    parent: str,
    child: str,
    at: Sequence[float],
    coordinate: str | None,
    low: float = -math.pi,
    high: float = math.pi,
) -> str:
    coordinates = "" if coordinate is None else _coordinate(coordinate, low, high)
    return (
        f'<{kind} name="{name}"><socket_parent_frame>{parent}_offset</socket_parent_frame>'
        f"<socket_child_frame>{child}_offset</socket_child_frame>"
        f"<coordinates>{coordinates}</coordinates><frames>"
        + _frame(f"{parent}_offset", f"/{'' if parent == 'ground' else 'bodyset/'}{parent}", at)
        + _frame(f"{child}_offset", f"/bodyset/{child}", (0.0, 0.0, 0.0))
        + f"</frames></{kind}>"
    )


def _knee(s: str, leg: _Leg) -> str:
    """Knee joint of one side: a pin at the fixed knee centre, or a CustomJoint whose
    translations are SimmSplines of the knee angle (as gait10dof18musc's knee, Delp 1990)."""
    coordinate = f"knee_angle_{s}"
    if leg.knee_spline is None:
        at = (*leg.knee_in_femur_m, 0.0)
        return _joint("PinJoint", f"knee_{s}", f"femur_{s}", f"tibia_{s}", at, coordinate)
    knots, x, y = leg.knee_spline

    def spline(values: FloatArray) -> str:
        def numbers(v: FloatArray) -> str:
            return " ".join(f"{a:.17g}" for a in v)

        points = f"<x>{numbers(knots)}</x><y>{numbers(values)}</y>"
        return f'<SimmSpline name="function">{points}</SimmSpline>'

    pin = _joint("CustomJoint", f"knee_{s}", f"femur_{s}", f"tibia_{s}", (0, 0, 0), coordinate)
    return pin.replace(
        "</CustomJoint>",
        "<SpatialTransform>"
        + _axis("rotation1", "0 0 1", coordinate)
        + _axis("rotation2", "1 0 0", None)
        + _axis("rotation3", "0 1 0", None)
        + _axis("translation1", "1 0 0", coordinate, spline(x))
        + _axis("translation2", "0 1 0", coordinate, spline(y))
        + _axis("translation3", "0 0 1", None)
        + "</SpatialTransform></CustomJoint>",
    )


def _axis(name: str, axis: str, coordinate: str | None, function: str | None = None) -> str:
    if function is not None:
        pass
    elif coordinate is None:
        function = '<Constant name="function"><value>0</value></Constant>'
    else:
        function = (
            '<LinearFunction name="function"><coefficients>1 0</coefficients></LinearFunction>'
        )
    return (
        f'<TransformAxis name="{name}"><coordinates>{coordinate or ""}</coordinates>'
        f"<axis>{axis}</axis>{function}</TransformAxis>"
    )


def _body(name: str, mass: float, com: Sequence[float], izz: float, long_axis: int) -> str:
    inertia = [izz, izz, izz]
    inertia[long_axis] = _OFF_AXIS_INERTIA * izz
    c = " ".join(f"{v:.17g}" for v in com)
    i = " ".join(f"{v:.17g}" for v in inertia)
    return (
        f'<Body name="{name}"><mass>{mass:.17g}</mass><mass_center>{c}</mass_center>'
        f"<inertia>{i} 0 0 0</inertia></Body>"
    )


def _osim_text(name: str, legs: Mapping[str, _Leg], body_mass_kg: float) -> str:
    """The planar gait10dof18musc-style model of :mod:`kneeload.export` as XML."""
    leg_mass = sum(float(leg.mass_kg.sum()) for leg in legs.values())
    pelvis_mass = max(body_mass_kg - leg_mass, 1e-3)
    bodies = [_body("pelvis", pelvis_mass, (0, 0, 0), 0.1 * pelvis_mass * 0.25**2, 1)]
    joints = [
        '<CustomJoint name="ground_pelvis"><socket_parent_frame>ground_offset'
        "</socket_parent_frame><socket_child_frame>pelvis_offset</socket_child_frame>"
        "<coordinates>"
        + _coordinate("pelvis_tilt", -math.pi / 2, math.pi / 2)
        + _coordinate("pelvis_tx", -50, 50)
        + _coordinate("pelvis_ty", -5, 5)
        + "</coordinates><frames>"
        + _frame("ground_offset", "/ground", (0, 0, 0))
        + _frame("pelvis_offset", "/bodyset/pelvis", (0, 0, 0))
        + "</frames><SpatialTransform>"
        + _axis("rotation1", "0 0 1", "pelvis_tilt")
        + _axis("rotation2", "1 0 0", None)
        + _axis("rotation3", "0 1 0", None)
        + _axis("translation1", "1 0 0", "pelvis_tx")
        + _axis("translation2", "0 1 0", "pelvis_ty")
        + _axis("translation3", "0 0 1", None)
        + "</SpatialTransform></CustomJoint>"
    ]
    for side, leg in legs.items():
        s = side[0]
        z = leg.z_m
        com = [(*leg.com_m[k], 0.0) for k in range(3)]
        bodies += [
            _body(f"femur_{s}", leg.mass_kg[0], com[0], leg.inertia_kg_m2[0], 1),
            _body(f"tibia_{s}", leg.mass_kg[1], com[1], leg.inertia_kg_m2[1], 1),
            _body(f"calcn_{s}", leg.mass_kg[2], com[2], leg.inertia_kg_m2[2], 0),
        ]
        joints += [
            _joint("PinJoint", f"hip_{s}", "pelvis", f"femur_{s}", (0, 0, z), f"hip_flexion_{s}"),
            _knee(s, leg),
            _joint(
                "PinJoint",
                f"ankle_{s}",
                f"tibia_{s}",
                f"calcn_{s}",
                (*leg.ankle_in_tibia_m, 0.0),
                f"ankle_angle_{s}",
            ),
        ]
    return (
        '<?xml version="1.0" encoding="UTF-8" ?>\n<OpenSimDocument Version="40000">'
        f'<Model name="{name}"><credits>Written by kneeload: planar leg model with the '
        "gait10dof18musc names (Delp et al. 1990; Seth), segment parameters of the exported "
        "trial.</credits><gravity>0 -9.8066499999999994 0</gravity>"
        "<length_units>meters</length_units><force_units>N</force_units>"
        '<Ground name="ground" /><BodySet name="bodyset"><objects>'
        + "".join(bodies)
        + '</objects></BodySet><JointSet name="jointset"><objects>'
        + "".join(joints)
        + "</objects></JointSet></Model></OpenSimDocument>\n"
    )


def _opensim_coordinates(
    trials: Mapping[str, LegTrial], legs: Mapping[str, _Leg], reference: str
) -> dict[str, FloatArray]:
    """gait10dof18musc coordinates [rad, m] reproducing ``legs``.

    Pelvis tilt = femur angle − hip flexion of the ``reference`` leg (OpenSim's hip flexion is
    the femur's rotation in the pelvis); each leg's hip flexion = its femur − pelvis, knee angle
    = −(femur − tibia) (negative in flexion, Delp 1990), ankle angle = calcaneus − tibia.
    """
    ref = legs[reference]
    pelvis = ref.angle_rad[:, 0] - np.radians(trials[reference].joint_angle_deg["hip_flexion_deg"])
    out = {"pelvis_tilt": pelvis, "pelvis_tx": ref.hip_m[:, 0], "pelvis_ty": ref.hip_m[:, 1]}
    for side, leg in legs.items():
        s = side[0]
        femur, tibia, calcn = leg.angle_rad.T
        out[f"hip_flexion_{s}"] = femur - pelvis
        out[f"knee_angle_{s}"] = tibia - femur
        out[f"ankle_angle_{s}"] = calcn - tibia
    return out


def _grf_columns(trials: Mapping[str, LegTrial], level_rad: float) -> dict[str, FloatArray]:
    """Ground reaction columns per foot in the level lab frame (3-D when the trial has it)."""
    rotation = np.eye(3)
    rotation[:2, :2] = _rotation(np.array(level_rad))
    out: dict[str, FloatArray] = {}
    for side, trial in trials.items():
        n = len(trial.time_s)
        if trial.grf_3d_n is not None and trial.cop_3d_m is not None:
            force, cop = trial.grf_3d_n, trial.cop_3d_m
        else:
            force = np.column_stack([trial.grf_n, np.zeros(n)])
            cop = np.column_stack([trial.cop_m, np.zeros(n)])
        cop = _continuous_cop(trial.time_s, force, cop)
        free = np.zeros((n, 3))
        free[:, 2] = trial.free_moment_nm
        s = side[0]
        for values, kind in ((force, "ground_force_v"), (cop, "ground_force_p")):
            level = values @ rotation.T
            for a, ax in enumerate("xyz"):
                out[f"{s}_{kind}{ax}"] = level[:, a]
        for a, ax in enumerate("xyz"):
            out[f"{s}_ground_torque_{ax}"] = free[:, a]
    return out


def _continuous_cop(time_s: FloatArray, force_n: FloatArray, cop_m: FloatArray) -> FloatArray:
    """The centre of pressure with its unloaded frames (|force| <= :data:`_UNLOADED_N`) filled
    by linear interpolation between the loaded ones (held at the ends).

    Where the force is zero the point is arbitrary; a continuous one keeps OpenSim's
    ExternalForce, which interpolates its data columns with splines, from ringing at contact.
    """
    loaded = np.linalg.norm(force_n, axis=1) > _UNLOADED_N
    if not loaded.any():
        return cop_m
    return np.column_stack(
        [
            np.where(loaded, cop_m[:, a], np.interp(time_s, time_s[loaded], cop_m[loaded, a]))
            for a in range(3)
        ]
    )


def _external_loads_text(grf_file: str, sides: Sequence[str]) -> str:
    forces = "".join(
        f'<ExternalForce name="{side}_foot"><appliesForce>true</appliesForce>'
        f"<applied_to_body>calcn_{side[0]}</applied_to_body>"
        "<force_expressed_in_body>ground</force_expressed_in_body>"
        "<point_expressed_in_body>ground</point_expressed_in_body>"
        f"<force_identifier>{side[0]}_ground_force_v</force_identifier>"
        f"<point_identifier>{side[0]}_ground_force_p</point_identifier>"
        f"<torque_identifier>{side[0]}_ground_torque_</torque_identifier>"
        f"<data_source_name>{grf_file}</data_source_name></ExternalForce>"
        for side in sides
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" ?>\n<OpenSimDocument Version="40000">'
        f'<ExternalLoads name="externalloads"><objects>{forces}</objects><groups />'
        f"<datafile>{grf_file}</datafile>"
        "</ExternalLoads></OpenSimDocument>\n"
    )


@dataclass(frozen=True)
class ExportedSet:
    """Files of an OpenSim export and what the export measured.

    rigid_residual_m : largest distance between a point of the exported legs and the rigid
        model (0 to rounding for generated cases; marker noise for measured ones) [m]
    """

    model: Path
    coordinates: Path
    grf: Path
    external_loads: Path
    coordinates_rajagopal: Path | None
    rigid_residual_m: float


def _legs(trials: Mapping[str, LegTrial]) -> tuple[list[str], float, dict[str, _Leg]]:
    sides = _check_legs(trials)
    level = _level_angle_rad(trials[sides[0]].gravity_m_s2)
    default_z = {"right": DEFAULT_HIP_Z_M, "left": -DEFAULT_HIP_Z_M}
    return sides, level, {s: _leg(trials[s], level, default_z[s]) for s in sides}


def write_opensim(
    trials: Mapping[str, LegTrial],
    directory: str | Path,
    name: str = "kneeload",
    cycle: GaitCycle | None = None,
) -> ExportedSet:
    """Write the OpenSim set of the module docstring for one or both legs.

    Parameters
    ----------
    trials : "right"/"left" -> LegTrial, on one time base (e.g. :meth:`GaitCycle.leg`)
    directory : output folder (created)
    name : stem of the files
    cycle : the generated cycle, when there is one: adds the Rajagopal coordinates

    Returns
    -------
    ExportedSet : the paths written and the rigid-model residual
    """
    out = Path(directory)
    sides, level, legs = _legs(trials)
    reference = sides[0]
    trial = trials[reference]
    time = trial.time_s
    coordinates = _opensim_coordinates(trials, legs, reference)
    angles = {
        k: (np.degrees(v) if not k.endswith(("_tx", "_ty")) else v) for k, v in coordinates.items()
    }
    model = _write_text(out / f"{name}.osim", _osim_text(name, legs, trial.body_mass_kg))
    ik = _write_text(
        out / f"{name}_ik.mot",
        _storage_text(f"{name}_ik", {"time": time, **angles}, in_degrees=True),
    )
    grf_name = f"{name}_grf.mot"
    grf = _write_text(
        out / grf_name,
        _storage_text(grf_name, {"time": time, **_grf_columns(trials, level)}, in_degrees=True),
    )
    loads = _write_text(out / f"{name}_external_loads.xml", _external_loads_text(grf_name, sides))
    rajagopal = None
    if cycle is not None:
        rajagopal = _write_text(
            out / f"{name}_ik_rajagopal.mot",
            _storage_text(
                f"{name}_ik_rajagopal",
                {"time": time, **_rajagopal_degrees(angles, cycle, sides)},
                in_degrees=True,
            ),
        )
    return ExportedSet(
        model=model,
        coordinates=ik,
        grf=grf,
        external_loads=loads,
        coordinates_rajagopal=rajagopal,
        rigid_residual_m=max(leg.rigid_residual_m for leg in legs.values()),
    )


def _rajagopal_degrees(
    angles: Mapping[str, FloatArray], cycle: GaitCycle, sides: Sequence[str]
) -> dict[str, FloatArray]:
    """gait10dof18musc angles [deg] renamed and re-signed for Rajagopal et al. (2016): knee
    positive in flexion (``knee_angle_{s}_beta`` the same), hip adduction from the generated
    cycle, the other 3-D coordinates zero (planar pelvis)."""
    n = len(cycle.time_s)
    zero = np.zeros(n)
    out = {
        "pelvis_tilt": angles["pelvis_tilt"],
        "pelvis_list": zero,
        "pelvis_rotation": zero,
        "pelvis_tx": angles["pelvis_tx"],
        "pelvis_ty": angles["pelvis_ty"],
        "pelvis_tz": zero,
    }
    for side in sides:
        s = side[0]
        column = list(SIDES).index(side)
        out |= {
            f"hip_flexion_{s}": angles[f"hip_flexion_{s}"],
            f"hip_adduction_{s}": np.asarray(cycle.angles_deg["hip_adduction_deg"][:, column]),
            f"hip_rotation_{s}": zero,
            f"knee_angle_{s}": -angles[f"knee_angle_{s}"],
            f"knee_angle_{s}_beta": -angles[f"knee_angle_{s}"],
            f"ankle_angle_{s}": angles[f"ankle_angle_{s}"],
            f"subtalar_angle_{s}": zero,
            f"mtp_angle_{s}": zero,
        }
    return out


def write_coordinates_mot(coordinates: CoordinateData, path: str | Path) -> Path:
    """Write coordinates as an OpenSim ``.mot`` (radians and metres, ``inDegrees=no``, full
    precision), e.g. after editing them in memory; atomic."""
    p = Path(path)
    columns = {"time": coordinates.time_s}
    columns |= {name: coordinates.values[:, i] for i, name in enumerate(coordinates.names)}
    return _write_text(p, _storage_text(p.name, columns, in_degrees=False))


def write_grf_mot(forces: GroundReactionData, path: str | Path) -> Path:
    """Write model-frame ground reactions as an OpenSim GRF ``.mot``; atomic.

    Columns ``<p>ground_force_v{x,y,z}``, ``<p>ground_force_p{x,y,z}``, ``<p>ground_torque_{x,y,z}``
    per plate, ``<p>`` = ``r_``/``l_`` for a plate that is the only one of its foot (the
    reader's foot from the name), else ``<k>_`` (plate number; feet then unknown). Unloaded
    centres of pressure (NaN) are written 0.
    """
    p = Path(path)
    if forces.frame != "model":
        raise InputError(forces.source, "frame", "model-frame ground reactions", forces.frame)
    columns: dict[str, FloatArray] = {"time": forces.time_s}
    for k, foot in enumerate(forces.foot):
        unique = foot is not None and forces.foot.count(foot) == 1
        prefix = f"{foot[0]}_" if unique and foot is not None else f"{k + 1}_"
        for values, kind in (
            (forces.force_n[:, k], "ground_force_v"),
            (np.nan_to_num(forces.cop_m[:, k]), "ground_force_p"),
            (forces.free_moment_nm[:, k], "ground_torque_"),
        ):
            for a, ax in enumerate("xyz"):
                columns[f"{prefix}{kind}{ax}"] = values[:, a]
    return _write_text(p, _storage_text(p.name, columns, in_degrees=True))


# ---------------------------------------------------------------------------------------- C3D

#: model frame (x forward, y up, z right) -> C3D lab frame (x forward, y left, z up)
_MODEL_TO_LAB = LAB_Z_UP_TO_MODEL.T
_MM_PER_M = 1000.0
_PLATE_MARGIN_M = 0.5


def _model_points(
    trials: Mapping[str, LegTrial], level_rad: float, cycle: GaitCycle | None
) -> dict[str, FloatArray]:
    """Virtual markers (F, 3) in the level model frame [m]: joint centres, segment centres of
    mass, heel and toe (generated cycles)."""
    rotation = _rotation(np.array(level_rad))
    out: dict[str, FloatArray] = {}
    for side, trial in trials.items():
        s = side[0].upper()
        z = DEFAULT_HIP_Z_M if side == "right" else -DEFAULT_HIP_Z_M
        if trial.knee_3d_m is not None:
            z = float(np.mean(trial.knee_3d_m[:, 2]))
        planar = {
            "AJC": trial.joint_m[:, 0],
            "KJC": trial.joint_m[:, 1],
            "HJC": trial.joint_m[:, 2],
            "FOOT_COM": trial.com_m[:, 0],
            "SHANK_COM": trial.com_m[:, 1],
            "THIGH_COM": trial.com_m[:, 2],
        }
        if cycle is not None:
            column = list(SIDES).index(side)
            planar |= {"HEE": cycle.heel_m[:, column], "TOE": cycle.toe_m[:, column]}
        for label, xy in planar.items():
            level = xy @ rotation.T
            out[f"{s}{label}"] = np.column_stack([level, np.full(len(level), z)])
    return out


def write_trc(
    trials: Mapping[str, LegTrial], path: str | Path, cycle: GaitCycle | None = None
) -> Path:
    """Write the virtual markers of :func:`write_c3d` as an OpenSim ``.trc`` (level model
    frame, y up, mm, full precision); atomic."""
    p = Path(path)
    if p.suffix.lower() != ".trc":
        raise InputError(p, "--to trc", "a file ending in .trc", p.suffix or "none")
    sides, level, _ = _legs(trials)
    time = trials[sides[0]].time_s
    rate = (len(time) - 1) / (time[-1] - time[0])
    points = _model_points({s: trials[s] for s in sides}, level, cycle)
    n, m = len(time), len(points)
    head = [
        f"PathFileType\t4\t(X/Y/Z)\t{p.name}",
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\t"
        "OrigDataStartFrame\tOrigNumFrames",
        f"{rate:.17g}\t{rate:.17g}\t{n}\t{m}\tmm\t{rate:.17g}\t1\t{n}",
        "Frame#\tTime\t" + "\t\t\t".join(points) + "\t\t",
        "\t\t" + "\t".join(f"X{k}\tY{k}\tZ{k}" for k in range(1, m + 1)),
        "",
    ]
    xyz = np.concatenate(list(points.values()), axis=1) * _MM_PER_M
    rows = [
        f"{i + 1}\t{t:.17g}\t" + "\t".join(f"{v:.17g}" for v in row)
        for i, (t, row) in enumerate(zip(time, xyz, strict=True))
    ]
    return _write_text(p, "\n".join(head + rows) + "\n")


def write_c3d(
    trials: Mapping[str, LegTrial], path: str | Path, cycle: GaitCycle | None = None
) -> Path:
    """Write the legs' virtual markers and one force platform per foot to a C3D (ezc3d).

    The point and analog rates are the trial's (one analog sample per frame); the first frame
    is the trial's start time × rate, rounded. Each plate's frame is the lab frame (corners
    ordered so) and its channels hold the force of the ground on the subject (vertical
    positive in stance), as ezc3d and :func:`kneeload.io.c3d.read_c3d` read the labs' files
    of the shared data; a pipeline expecting the subject's action on the plate must negate
    them.

    Parameters
    ----------
    trials : "right"/"left" -> LegTrial on one, uniformly sampled, time base
    path : output ``.c3d``
    cycle : the generated cycle, when there is one (adds heel and toe markers)
    """
    import ezc3d

    p = Path(path)
    if p.suffix.lower() != ".c3d":
        raise InputError(p, "--to c3d", "a file ending in .c3d", p.suffix or "none")
    sides, level, _ = _legs(trials)
    time = trials[sides[0]].time_s
    rate = (len(time) - 1) / (time[-1] - time[0])
    points = _model_points({s: trials[s] for s in sides}, level, cycle)
    labels = list(points)
    xyz = np.stack([points[k] @ _MODEL_TO_LAB.T for k in labels], axis=1) * _MM_PER_M
    grf = _grf_columns({s: trials[s] for s in sides}, level)
    c3d = ezc3d.c3d()
    c3d["parameters"]["POINT"]["RATE"]["value"] = [rate]
    c3d["parameters"]["POINT"]["LABELS"]["value"] = labels
    c3d["parameters"]["POINT"]["UNITS"]["value"] = ["mm"]
    data = np.ones((4, len(labels), len(time)))
    data[:3] = np.transpose(xyz, (2, 1, 0))
    c3d["data"]["points"] = data
    c3d["data"]["meta_points"]["residuals"] = np.zeros((1, len(labels), len(time)))
    c3d["data"]["meta_points"]["camera_masks"] = np.zeros((7, len(labels), len(time)), dtype=bool)
    channels, corners, origins, analog_labels, units = [], [], [], [], []
    analogs: list[FloatArray] = []
    for k, side in enumerate(sides):
        s = side[0]
        force = np.column_stack([grf[f"{s}_ground_force_v{a}"] for a in "xyz"]) @ _MODEL_TO_LAB.T
        cop = np.column_stack([grf[f"{s}_ground_force_p{a}"] for a in "xyz"]) @ _MODEL_TO_LAB.T
        free = np.column_stack([grf[f"{s}_ground_torque_{a}"] for a in "xyz"]) @ _MODEL_TO_LAB.T
        loaded = force[:, 2] > 0
        low = cop[loaded, :2].min(axis=0) - _PLATE_MARGIN_M
        high = cop[loaded, :2].max(axis=0) + _PLATE_MARGIN_M
        centre = np.array([(low[0] + high[0]) / 2, (low[1] + high[1]) / 2, 0.0])
        # moment about the plate's surface centre [N·m]: lever arm of the force + free moment
        moment = np.cross(cop - centre, force) + free
        moment[~loaded] = 0.0
        # corners 1-4: 1-2 along +x, 1-4 along +y, so the plate frame is the lab frame (ezc3d)
        corner = [
            [high[0], high[1], 0.0],
            [low[0], high[1], 0.0],
            [low[0], low[1], 0.0],
            [high[0], low[1], 0.0],
        ]
        corners.append(np.array(corner).T * _MM_PER_M)
        origins.append([0.0, 0.0, 0.0])
        channels.append(list(range(6 * k + 1, 6 * k + 7)))
        n = k + 1
        analog_labels += [f"Fx{n}", f"Fy{n}", f"Fz{n}", f"Mx{n}", f"My{n}", f"Mz{n}"]
        units += ["N", "N", "N", "Nmm", "Nmm", "Nmm"]
        analogs += [force[:, a] for a in range(3)] + [moment[:, a] * _MM_PER_M for a in range(3)]
    c3d["parameters"]["ANALOG"]["RATE"]["value"] = [rate]
    c3d["parameters"]["ANALOG"]["LABELS"]["value"] = analog_labels
    c3d["parameters"]["ANALOG"]["UNITS"]["value"] = units
    c3d["data"]["analogs"] = np.array(analogs)[None, :, :]
    plates = c3d["parameters"]["FORCE_PLATFORM"]
    plates["USED"]["value"] = np.array([len(sides)])
    plates["TYPE"]["value"] = np.array([2] * len(sides))
    plates["CORNERS"]["value"] = np.stack(corners, axis=-1)
    plates["ORIGIN"]["value"] = np.array(origins).T
    plates["CHANNEL"]["value"] = np.array(channels).T
    first = round(float(time[0]) * rate)
    c3d["header"]["points"]["first_frame"] = first
    with atomic_path(p, suffix=".tmp.c3d") as temporary:  # ezc3d appends .c3d to other names
        c3d.write(str(temporary))
    return p
