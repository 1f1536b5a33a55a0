"""Knee loads of a 3-D OpenSim model from the bodies below its knee.

The model's shank and every body distal to it (talus, calcaneus, toes), each with its own mass,
centre of mass and inertia tensor, go through the 3-D Newton–Euler kernel
(:func:`kneeload.dynamics.inverse_3d.distal_chain_loads_3d`); the knee's generalised force is
the load projected on the joint's mobility (virtual work,
:func:`kneeload.dynamics.inverse_3d.knee_joint_jacobian`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kneeload.dynamics.inverse_3d import distal_chain_loads_3d, knee_joint_jacobian
from kneeload.dynamics.model_kinematics import body_poses, com_position, joint_center
from kneeload.exceptions import InputError
from kneeload.io.events import lowpass
from kneeload.io.osim import OsimModel
from kneeload.io.types import CoordinateData, GroundReactionData
from kneeload.kinematics import angular_velocity_acceleration, time_derivatives
from kneeload.trial import check_side, distal_bodies, foot_ground_reaction, leg_joints

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class KneeMoment3D:
    """Knee loads of one leg from a 3-D model, one value per frame of the coordinates.

    Attributes
    ----------
    time_s : (F,) [s]
    side : "right" or "left"
    coordinate : name of the knee coordinate (e.g. ``knee_angle_r``)
    generalized_force_nm : (F,) knee generalised force in the sign of the coordinate [N·m]
        (OpenSim's ``<coordinate>_moment``; gait2392/gait10dof18musc: extensor +, Rajagopal
        2016: flexor +)
    abduction_moment_nm : (F,) net internal moment about the shank's anteroposterior axis,
        positive when it is abducting (valgus), i.e. when it balances an external adduction
        (varus) moment [N·m]
    force_n, moment_nm : (F, 3) load of the thigh on the distal chain at the knee centre in
        ground [N, N·m]
    knee_m : (F, 3) knee centre (the knee joint's child frame origin) in ground [m]
    axis_per_coordinate : (F, 3) shank angular velocity relative to the thigh per unit
        coordinate rate, in ground (the flexion axis, for a pin knee) [rad per rad]
    centre_per_coordinate_m : (F, 3) knee-centre velocity relative to the thigh per unit
        coordinate rate, in ground [m per rad]
    bodies : the bodies of the distal chain
    """

    time_s: FloatArray
    side: str
    coordinate: str
    generalized_force_nm: FloatArray
    abduction_moment_nm: FloatArray
    force_n: FloatArray
    moment_nm: FloatArray
    knee_m: FloatArray
    axis_per_coordinate: FloatArray
    centre_per_coordinate_m: FloatArray
    bodies: tuple[str, ...]


def knee_flexion_moment_3d(
    model: OsimModel,
    coordinates: CoordinateData,
    forces: GroundReactionData,
    side: str,
    cutoff_hz: float | None = 6.0,
) -> KneeMoment3D:
    """Knee generalised force and frontal-plane moment from the model's bodies below the knee.

    Parameters
    ----------
    model : OpenSim model (:func:`kneeload.io.osim.read_osim`) with a ``tibia_r``/``tibia_l``
        shank body whose joint to the thigh has one coordinate
    coordinates : IK coordinates (rad, m) of the model
    forces : ground reactions with plates assigned to feet, model frame
        (:func:`kneeload.trial.foot_ground_reaction` sums the foot's plates)
    side : "right" or "left"
    cutoff_hz : zero-lag low-pass of the coordinates [Hz] before kinematics, as OpenSim's
        InverseDynamicsTool (``lowpass_cutoff_frequency_for_coordinates``); None: none

    Returns
    -------
    KneeMoment3D : generalised force (sign of the model's coordinate), internal abduction moment
        about the shank's anteroposterior (x) axis, and the 3-D knee load.

    The chain is the shank and every body below it in the joint tree, each with its own mass,
    centre of mass and inertia tensor; gravity is the model's. Body angular velocities and
    accelerations come from :func:`kneeload.kinematics.angular_velocity_acceleration`,
    centre-of-mass accelerations from :func:`kneeload.kinematics.time_derivatives`.
    """

    side = check_side(side)
    knee_joint = leg_joints(model, side[0])["knee"]
    for name in model.joints[knee_joint].coordinates:
        if name not in coordinates.names:
            raise InputError(coordinates.source, name, f"the knee coordinate {name} of the model")
    time = coordinates.time_s
    values = coordinates.values
    if cutoff_hz is not None:
        values = lowpass(values, coordinates.rate_hz, cutoff_hz)
    q = {
        name: values[:, i] for i, name in enumerate(coordinates.names) if name in model.coordinates
    }
    shank = model.joints[knee_joint].child_body
    bodies = distal_bodies(model, shank)
    poses = body_poses(model, q, bodies=bodies)
    rotation = np.stack([poses[b][0] for b in bodies], axis=1)  # (F, B, 3, 3)
    com = np.stack([com_position(model, b, poses) for b in bodies], axis=1)  # (F, B, 3)
    omega, alpha = angular_velocity_acceleration(time, rotation)
    _, com_acc = time_derivatives(time, com)
    knee = joint_center(model, knee_joint, poses)
    grf, cop, free = foot_ground_reaction(forces, side, time)
    loads = distal_chain_loads_3d(
        np.array([model.bodies[b].mass for b in bodies]),
        np.stack([model.bodies[b].inertia for b in bodies]),
        com,
        rotation,
        omega,
        alpha,
        com_acc,
        grf,
        cop,
        knee,
        free_moment_nm=free,
        gravity_m_s2=model.gravity,
    )
    axis, centre = knee_joint_jacobian(model, q, knee_joint)
    generalized = np.sum(axis * loads.moment_nm, axis=1) + np.sum(centre * loads.force_n, axis=1)
    anterior = poses[shank][0][:, :, 0]
    sign = 1.0 if side == "right" else -1.0  # lateral is +z on the right, -z on the left
    return KneeMoment3D(
        time_s=time,
        side=side,
        coordinate=model.joints[knee_joint].coordinates[0],
        generalized_force_nm=generalized,
        abduction_moment_nm=-sign * np.sum(anterior * loads.moment_nm, axis=1),
        force_n=loads.force_n,
        moment_nm=loads.moment_nm,
        knee_m=knee,
        axis_per_coordinate=axis,
        centre_per_coordinate_m=centre,
        bodies=tuple(bodies),
    )
