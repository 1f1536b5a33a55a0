"""A generated gait cycle: both legs and the trunk in the tilted ground frame (DESIGN.md §4.2).

Frame (DESIGN.md §3): x along the surface in the direction the subject faces, y normal to the
surface, z to the subject's right. Arrays are time-first; a ``side`` axis orders the legs
(right, left); a ``segment`` axis orders foot, shank, thigh (the inverse-dynamics order); a
``joint`` axis orders ankle, knee, hip (each segment's proximal joint).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from kneeload.config import STANDARD_GRAVITY_M_S2
from kneeload.trial import LegTrial, check_side

if TYPE_CHECKING:
    from kneeload.gait.spec import GaitSpec

FloatArray = NDArray[np.float64]

#: order of the side axis
CYCLE_SIDES: tuple[str, str] = ("right", "left")
#: joint angles stored per side [deg] (flexion, adduction, dorsiflexion positive)
LEG_ANGLES: tuple[str, ...] = (
    "hip_flexion_deg",
    "hip_adduction_deg",
    "knee_flexion_deg",
    "ankle_dorsiflexion_deg",
)


@dataclass(frozen=True)
class GaitCycle:
    """Kinematics and ground reaction of a generated gait, both legs and the trunk.

    Attributes
    ----------
    time_s : (F,) [s]
    stride : (F,) stride number 1, 2, ... (the last frame closes the last stride)
    percent_cycle : (F,) 0..100 from first contact of the right foot [%]
    spec : the spec generated (None when built from a pattern alone)
    body_mass_kg : [kg]
    segment_mass_kg : (3,) foot, shank, thigh, each leg [kg]
    segment_inertia_kg_m2 : (3,) about each centre of mass, sagittal axis [kg·m²]
    hat_mass_kg : head-arms-trunk mass, body mass minus both legs [kg]
    com_m : (F, 2, 3, 2) centres of mass per side and segment (x, y) [m]
    joint_m : (F, 2, 3, 2) ankle, knee, hip centres per side (x, y) [m]
    joint_z_m : (F, 2, 3) lateral coordinate of the same joint centres [m]
    segment_angle_rad : (F, 2, 3) angle of each segment's distal -> proximal line (foot: toe
        -> ankle), counter-clockwise from +x, unwrapped [rad]
    heel_m, toe_m : (F, 2, 2) heel and toe points of each foot's sole [m]
    hat_com_m : (F, 2) head-arms-trunk centre of mass [m]
    hat_angle_rad : (F,) trunk axis (hips -> shoulders) from +x [rad]
    angles_deg : LEG_ANGLES -> (F, 2) per side; pelvis_tilt_deg, pelvis_obliquity_deg -> (F,)
    grf_n : (F, 2, 3) ground reaction force on each foot [N]
    cop_m : (F, 2, 3) centre of pressure on each foot [m], NaN while the foot is unloaded
    free_moment_nm : (F, 2, 3) free moment at the centre of pressure [N·m]
    gravity_m_s2 : (2,) gravity in the tilted frame [m/s²]
    newton_residual_n : (F, 2) Σ external force − (Σ mᵢ aᵢ − M g) over all segments [N]
    notes : what was generated and assumed, with measured figures
    """

    time_s: FloatArray
    stride: NDArray[np.int64]
    percent_cycle: FloatArray
    spec: GaitSpec | None
    body_mass_kg: float
    segment_mass_kg: FloatArray
    segment_inertia_kg_m2: FloatArray
    hat_mass_kg: float
    com_m: FloatArray
    joint_m: FloatArray
    joint_z_m: FloatArray
    segment_angle_rad: FloatArray
    heel_m: FloatArray
    toe_m: FloatArray
    hat_com_m: FloatArray
    hat_angle_rad: FloatArray
    angles_deg: Mapping[str, FloatArray]
    grf_n: FloatArray
    cop_m: FloatArray
    free_moment_nm: FloatArray
    gravity_m_s2: tuple[float, float]
    newton_residual_n: FloatArray
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def body_com_m(self) -> FloatArray:
        """Whole-body centre of mass (F, 2) [m]: legs and head-arms-trunk."""
        legs = np.einsum("s,fksx->fx", self.segment_mass_kg, self.com_m)
        return np.asarray((legs + self.hat_mass_kg * self.hat_com_m) / self.body_mass_kg)

    @property
    def newton_residual_rms_bw(self) -> float:
        """RMS of the magnitude of :attr:`newton_residual_n` over the frames [BW]."""
        weight = self.body_mass_kg * STANDARD_GRAVITY_M_S2
        return float(np.sqrt(np.mean(np.sum(self.newton_residual_n**2, axis=1))) / weight)

    def leg(self, side: str) -> LegTrial:
        """One leg as a :class:`~kneeload.trial.LegTrial`, as measured trials give it.

        Sagittal fields in the tilted frame with its gravity; ``grf_3d_n``, ``cop_3d_m`` and
        ``knee_3d_m`` (x, y, z) for the knee adduction moment. While the foot is unloaded its
        centre of pressure is put under the ankle (any finite point serves: the force is zero).
        """
        s = CYCLE_SIDES.index(check_side(side))
        ankle_ground = np.stack(
            [self.joint_m[:, s, 0, 0], np.zeros(len(self.time_s)), self.joint_z_m[:, s, 0]],
            axis=1,
        )
        cop = np.where(np.isfinite(self.cop_m[:, s]), self.cop_m[:, s], ankle_ground)
        knee = np.concatenate([self.joint_m[:, s, 1], self.joint_z_m[:, s, 1:2]], axis=1)
        return LegTrial(
            time_s=self.time_s,
            side=CYCLE_SIDES[s],
            body_mass_kg=self.body_mass_kg,
            segment_mass_kg=self.segment_mass_kg.copy(),
            segment_inertia_kg_m2=self.segment_inertia_kg_m2.copy(),
            com_m=np.ascontiguousarray(self.com_m[:, s]),
            joint_m=np.ascontiguousarray(self.joint_m[:, s]),
            segment_angle_rad=np.ascontiguousarray(self.segment_angle_rad[:, s]),
            joint_angle_deg={
                name: np.ascontiguousarray(self.angles_deg[name][:, s])
                for name in ("hip_flexion_deg", "knee_flexion_deg", "ankle_dorsiflexion_deg")
            },
            grf_n=np.ascontiguousarray(self.grf_n[:, s, :2]),
            cop_m=np.ascontiguousarray(cop[:, :2]),
            free_moment_nm=np.ascontiguousarray(self.free_moment_nm[:, s, 2]),
            grf_3d_n=np.ascontiguousarray(self.grf_n[:, s]),
            cop_3d_m=np.ascontiguousarray(cop),
            knee_3d_m=np.ascontiguousarray(knee),
            cutoff_hz=None,
            height_m=self.spec.subject.height_m if self.spec is not None else None,
            gravity_m_s2=self.gravity_m_s2,
            source="generated gait cycle"
            + (
                f" ({self.spec.mode} {self.spec.direction} {self.spec.speed_m_s:g} m/s, "
                f"grade {self.spec.grade_pct:g} %)"
                if self.spec is not None
                else ""
            ),
            notes=self.notes,
        )
