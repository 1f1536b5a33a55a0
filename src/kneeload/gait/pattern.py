"""The normative pattern of a gait: timing, joint angles and ground-reaction shapes over one
stride of the right leg, before any body is built (DESIGN.md §4.2).

:func:`kneeload.gait.templates.gait_pattern` fills it from the data in ``models/gait/`` for a
:class:`~kneeload.gait.spec.GaitSpec`; :mod:`kneeload.gait.generator` turns it into a
:class:`~kneeload.gait.cycle.GaitCycle`. All arrays are over ``percent_cycle`` (0-100, first
contact of the right foot at 0; in backward gait that contact is the toe); the left leg is the
right leg half a cycle later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

#: joint angles of a pattern, flexion/dorsiflexion/adduction positive [deg] (DESIGN.md §3)
PATTERN_ANGLES: tuple[str, ...] = (
    "pelvis_tilt_deg",  # anterior tilt +
    "pelvis_obliquity_deg",  # right side up +
    "hip_flexion_deg",
    "hip_adduction_deg",
    "knee_flexion_deg",
    "ankle_dorsiflexion_deg",
)
#: ground-reaction components of a pattern, per foot, in body weights, ground frame (x facing
#: along the surface, y normal to it, z right)
PATTERN_GRF: tuple[str, ...] = ("grf_x_bw", "grf_y_bw", "grf_z_bw")
#: every curve of a pattern, in the order stacked arrays of many patterns hold them: angles,
#: ground reaction, centre of pressure along the foot
PATTERN_CURVES: tuple[str, ...] = (*PATTERN_ANGLES, *PATTERN_GRF, "cop_along_foot")


@dataclass(frozen=True)
class GaitPattern:
    """Timing, joint angles and ground-reaction shapes of one stride (right leg).

    Attributes
    ----------
    percent_cycle : (P,) 0..100 [%]
    stride_time_s : duration of one stride [s]
    stride_length_m : distance travelled along the surface in one stride [m]
    stance_fraction : share of the stride the right foot is on the ground [-]
    angles_deg : PATTERN_ANGLES -> (P,) right-leg (and pelvis) angles [deg]
    grf_bw : PATTERN_GRF -> (P,) ground reaction on the right foot [BW], zero in swing; the
        generator rescales it so that, with the left foot's, the stride mean balances gravity
    cop_along_foot : (P,) centre of pressure along the foot, 0 at the heel, 1 at the toe
        (NaN in swing); rises heel -> toe forward, falls toe -> heel backward
    sources : where each part came from (data files, relations used)
    """

    percent_cycle: FloatArray
    stride_time_s: float
    stride_length_m: float
    stance_fraction: float
    angles_deg: Mapping[str, FloatArray]
    grf_bw: Mapping[str, FloatArray]
    cop_along_foot: FloatArray
    sources: tuple[str, ...] = ()

    @property
    def cadence_steps_min(self) -> float:
        """Steps per minute (two steps per stride)."""
        return 120.0 / self.stride_time_s
