"""Forward kinematics of OpenSim models (:mod:`kneeload.io.osim`), vectorised over frames.

Conventions follow OpenSim/Simbody (Delp et al. 2007, IEEE TBME 54:1940; Seth et al. 2018,
PLoS Comput Biol 14:e1006223). A joint connects frame F, fixed to the parent body P, to frame
M, fixed to the child body B; the child pose in ground G is

    X_GB = X_GP · X_PF · X_FM(q) · X_BM⁻¹

where X_PF and X_BM are the joint's parent and child offset frames (translation, then
body-fixed X-Y-Z Euler orientation) and X_FM is the joint's mobilizer transform:

* CustomJoint (Simbody ``MobilizedBody::FunctionBased``):
  ``R_FM = R(θ1, a1)·R(θ2, a2)·R(θ3, a3)`` with θi = rotation_i function of its coordinate and
  ai its unit axis as written in the file, i.e. successive rotations each about the axis
  carried by the previous ones (body-fixed); ``p_FM = Σ t_i·b_i`` with t_i the translation
  functions and b_i the unit translation axes, expressed in F.
* PinJoint: rotation q about the common z axis of F and M.
* UniversalJoint: rotation about x, then about the new y.
* BallJoint, GimbalJoint: body-fixed X-Y-Z rotations by the three coordinates.
* SliderJoint: translation q along x of F. PlanarJoint: rotation about z, translation (x, y) in
  F. FreeJoint: body-fixed X-Y-Z rotations, translation (x, y, z) in F.
* WeldJoint: identity.

Rotations ``R`` map body-frame vectors to ground (``v_G = R @ v_B``); positions are [m].
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kneeload.exceptions import InputError, ModelError
from kneeload.io.osim import GROUND, Joint, OsimModel, rotation_body_fixed_xyz

FloatArray = NDArray[np.float64]
#: (R (n, 3, 3) body -> ground, p (n, 3) body origin in ground [m])
Pose = tuple[FloatArray, FloatArray]


def _axis_rotation(angle: FloatArray, axis: FloatArray) -> FloatArray:
    """Rodrigues rotation matrices (n, 3, 3) by ``angle`` (n,) [rad] about unit ``axis`` (3,)."""
    k = np.array(
        [[0.0, -axis[2], axis[1]], [axis[2], 0.0, -axis[0]], [-axis[1], axis[0], 0.0]],
    )
    s = np.sin(angle)[:, None, None]
    c = np.cos(angle)[:, None, None]
    return np.eye(3) + s * k + (1.0 - c) * (k @ k)


def _unit(v: FloatArray) -> FloatArray | None:
    n = float(np.linalg.norm(v))
    if n < 1e-12:
        return None
    return np.asarray(v / n, dtype=np.float64)


def coordinate_values(
    model: OsimModel, coordinates: Mapping[str, ArrayLike], n_frames: int | None = None
) -> dict[str, FloatArray]:
    """Every coordinate of the model over the frames, in SI units (rad or m).

    Parameters
    ----------
    model : the model
    coordinates : name -> (n_frames,) values [rad or m]; scalars are broadcast
    n_frames : number of frames when ``coordinates`` holds no array (default 1)

    Returns
    -------
    name -> (n_frames,) for all coordinates. Absent coordinates take their default value;
    dependent coordinates of enforced CoordinateCouplerConstraints are computed from their
    constraint (``q_dep = scale_factor·f(q_indep)``), replacing any value given.

    Raises
    ------
    InputError
        For a name that is not a coordinate of the model or arrays of different lengths.
    """
    arrays: dict[str, FloatArray] = {}
    for name, v in coordinates.items():
        if name not in model.coordinates:
            raise InputError(
                "coordinates", name, f"a coordinate of the model {model.source}", "unknown name"
            )
        a = np.asarray(v, dtype=np.float64)
        if a.ndim > 1:
            raise InputError("coordinates", name, "an array of shape (n_frames,)", str(a.shape))
        arrays[name] = a
    lengths = {a.size for a in arrays.values() if a.ndim == 1}
    if len(lengths) > 1:
        raise InputError("coordinates", "arrays", "the same number of frames", str(sorted(lengths)))
    n = lengths.pop() if lengths else (n_frames if n_frames is not None else 1)
    q: dict[str, FloatArray] = {}
    for name, c in model.coordinates.items():
        if name in arrays:
            q[name] = np.broadcast_to(arrays[name], (n,)).astype(np.float64)
        else:
            q[name] = np.full(n, c.default_value)
    couplers = [c for c in model.constraints.values() if c.enforced]
    pending = {c.dependent: c for c in couplers}
    for _ in range(len(couplers) + 1):  # resolve chains of couplers in dependency order
        if not pending:
            break
        for dep, con in list(pending.items()):
            if any(i in pending for i in con.independent):
                continue
            if len(con.independent) != 1:
                raise ModelError(
                    f"{model.source}: constraint '{con.name}': expected one independent "
                    f"coordinate, found {len(con.independent)}"
                )
            q[dep] = con.value(q[con.independent[0]])
            del pending[dep]
    if pending:
        raise ModelError(
            f"{model.source}: constraints: expected acyclic coordinate couplers, found a cycle "
            f"through {sorted(pending)}"
        )
    return q


def joint_transform(model: OsimModel, joint: Joint, q: Mapping[str, FloatArray]) -> Pose:
    """Mobilizer transform X_FM of a joint: rotation (n, 3, 3) M -> F, M origin in F (n, 3) [m].

    ``q`` must hold every coordinate of the joint (see :func:`coordinate_values`).
    """
    n = next(iter(q.values())).size if q else 1
    jt = joint.type
    r = np.broadcast_to(np.eye(3), (n, 3, 3)).copy()
    p = np.zeros((n, 3))
    cq = [q[c] for c in joint.coordinates]
    if jt == "CustomJoint":
        for i, ax in enumerate(joint.spatial_transform):
            x = q[ax.coordinates[0]] if ax.coordinates else np.zeros(n)
            f = np.broadcast_to(ax.function.value(x), (n,))
            u = _unit(ax.axis)
            if u is None:
                if np.any(f != 0.0):
                    raise ModelError(
                        f"{model.source}: joint '{joint.name}': expected a nonzero {ax.name} "
                        "axis for a nonzero transform function, found a zero axis"
                    )
                continue
            if i < 3:
                r = r @ _axis_rotation(f, u)
            else:
                p = p + f[:, None] * u
    elif jt == "PinJoint":
        r = _axis_rotation(cq[0], np.array([0.0, 0.0, 1.0]))
    elif jt == "UniversalJoint":
        r = _axis_rotation(cq[0], np.array([1.0, 0.0, 0.0])) @ _axis_rotation(
            cq[1], np.array([0.0, 1.0, 0.0])
        )
    elif jt in ("BallJoint", "GimbalJoint"):
        r = rotation_body_fixed_xyz(np.stack(cq[:3], axis=-1))
    elif jt == "SliderJoint":
        p[:, 0] = cq[0]
    elif jt == "PlanarJoint":
        r = _axis_rotation(cq[0], np.array([0.0, 0.0, 1.0]))
        p[:, 0] = cq[1]
        p[:, 1] = cq[2]
    elif jt == "FreeJoint":
        r = rotation_body_fixed_xyz(np.stack(cq[:3], axis=-1))
        p = np.stack(cq[3:6], axis=-1)
    elif jt == "WeldJoint":
        pass
    else:
        raise ModelError(
            f"{model.source}: joint '{joint.name}': expected a joint type kneeload can move "
            f"(CustomJoint, PinJoint, WeldJoint, UniversalJoint, BallJoint, GimbalJoint, "
            f"SliderJoint, PlanarJoint, FreeJoint), found {jt}"
        )
    return r, p


def body_poses(
    model: OsimModel,
    coordinates: Mapping[str, ArrayLike],
    bodies: Sequence[str] | None = None,
) -> dict[str, Pose]:
    """Pose in ground of the model's bodies over the frames.

    Parameters
    ----------
    model : the model (:func:`kneeload.io.osim.read_osim`)
    coordinates : coordinate name -> (n_frames,) values, rad for rotational coordinates, m for
        translational ones. Absent coordinates take their default value; dependent (coupled)
        coordinates are computed from their CoordinateCouplerConstraint.
    bodies : bodies wanted (default all); their ancestors are computed as well and returned

    Returns
    -------
    body name -> (R, p): R (n_frames, 3, 3) rotation body -> ground, p (n_frames, 3) body
    origin in ground [m]. Includes ``"ground"`` (identity).

    Raises
    ------
    ModelError
        A requested body is not in the model, a joint is reversed or of an unsupported type.
    InputError
        Bad coordinate names or shapes.
    """
    q = coordinate_values(model, coordinates)
    n = next(iter(q.values())).size if q else 1
    poses: dict[str, Pose] = {
        GROUND: (np.broadcast_to(np.eye(3), (n, 3, 3)).copy(), np.zeros((n, 3)))
    }
    wanted = list(model.bodies) if bodies is None else list(bodies)

    for target in wanted:
        chain: list[str] = []
        b = target
        while b not in poses:
            if b not in model.bodies:
                raise ModelError(
                    f"{model.source}: body '{b}': expected a body of the model, found none"
                )
            jname = model.child_joint.get(b)
            if jname is None:
                raise ModelError(
                    f"{model.source}: body '{b}': expected a joint connecting it to the "
                    "ground, found none"
                )
            chain.append(jname)
            b = model.joints[jname].parent_body
            if len(chain) > len(model.joints):
                raise ModelError(f"{model.source}: body '{target}': expected a tree, found a loop")
        for jname in reversed(chain):
            j = model.joints[jname]
            if j.reverse:
                raise ModelError(
                    f"{model.source}: joint '{j.name}': expected reverse=false, found a "
                    "reversed joint (not supported)"
                )
            r_gp, p_gp = poses[j.parent_body]
            r_fm, p_fm = joint_transform(model, j, q)
            r_pf, p_pf = j.parent_frame.rotation, j.parent_frame.translation
            r_bm, p_bm = j.child_frame.rotation, j.child_frame.translation
            r_gf = r_gp @ r_pf
            r_gm = r_gf @ r_fm
            r_gb = r_gm @ r_bm.T
            # origin of M in ground, then back along the child offset to the body origin
            p_gm = p_gp + r_gp @ p_pf + np.einsum("nij,nj->ni", r_gf, p_fm)
            p_gb = p_gm - r_gb @ p_bm
            poses[j.child_body] = (r_gb, p_gb)
    return poses


def point_in_ground(poses: Mapping[str, Pose], body: str, point: ArrayLike) -> FloatArray:
    """Position in ground (n, 3) [m] of a point fixed in ``body`` at ``point`` (3,) [m]."""
    if body not in poses:
        raise ModelError(f"poses: body '{body}': expected a body with a computed pose, found none")
    r, p = poses[body]
    return np.asarray(p + r @ np.asarray(point, dtype=np.float64), dtype=np.float64)


def com_position(model: OsimModel, body: str, poses: Mapping[str, Pose]) -> FloatArray:
    """Centre of mass of ``body`` in ground (n, 3) [m]."""
    if body not in model.bodies:
        raise ModelError(f"{model.source}: body '{body}': expected a body of the model, found none")
    return point_in_ground(poses, body, model.bodies[body].mass_center)


def joint_center(model: OsimModel, joint_name: str, poses: Mapping[str, Pose]) -> FloatArray:
    """Origin of a joint's child frame M in ground (n, 3) [m] (the joint centre).

    ``poses`` must contain the joint's child body (see :func:`body_poses`).
    """
    j = model.joints.get(joint_name)
    if j is None:
        raise ModelError(
            f"{model.source}: joint '{joint_name}': expected a joint of the model, found none"
        )
    return point_in_ground(poses, j.child_body, j.child_frame.translation)


def marker_position(model: OsimModel, marker: str, poses: Mapping[str, Pose]) -> FloatArray:
    """Position in ground (n, 3) [m] of a model marker."""
    m = model.markers.get(marker)
    if m is None:
        raise ModelError(
            f"{model.source}: marker '{marker}': expected a marker of the model, found none"
        )
    return point_in_ground(poses, m.body, m.location)
