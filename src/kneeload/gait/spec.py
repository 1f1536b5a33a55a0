"""What to generate: the subject and the gait (DESIGN.md §4.2).

Grade convention: ``grade_pct`` > 0 means the subject *travels* uphill, whatever the direction
they face. The ground frame is tilted with the surface (DESIGN.md §3): x along the surface in
the direction the subject faces, y normal to it, z to the right; so gravity has a component
along x, :func:`GaitSpec.gravity_m_s2`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kneeload.conditions import Condition, load_condition
from kneeload.config import STANDARD_GRAVITY_M_S2
from kneeload.exceptions import InputError

MODES: tuple[str, ...] = ("walk", "run")
DIRECTIONS: tuple[str, ...] = ("forward", "backward")
SEXES: tuple[str, ...] = ("male", "female")
#: accepted human ranges (adults): body mass [kg] and stature [m]
MASS_RANGE_KG: tuple[float, float] = (30.0, 200.0)
HEIGHT_RANGE_M: tuple[float, float] = (1.3, 2.2)
#: steepest grade accepted [%] (issue 4)
MAX_GRADE_PCT = 40.0


def _in_range(field: str, value: float, low: float, high: float, unit: str) -> float:
    if not (math.isfinite(value) and low <= value <= high):
        raise InputError(
            f"--{field.split('_')[0]}", field, f"{low:g} to {high:g} {unit}", f"{value:g}"
        )
    return float(value)


def _one_of(field: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise InputError(f"--{field}", field, f"one of {', '.join(allowed)}", value)
    return value


@dataclass(frozen=True)
class Subject:
    """Body mass [kg], stature [m] and sex (selects the de Leva 1996 table; Winter 2009 is
    sex-neutral)."""

    mass_kg: float
    height_m: float
    sex: str = "male"

    def __post_init__(self) -> None:
        _in_range("mass_kg", self.mass_kg, *MASS_RANGE_KG, "kg")
        _in_range("height_m", self.height_m, *HEIGHT_RANGE_M, "m")
        _one_of("sex", self.sex, SEXES)

    @property
    def weight_n(self) -> float:
        """Body weight m·g [N]."""
        return self.mass_kg * STANDARD_GRAVITY_M_S2


@dataclass(frozen=True)
class GaitSpec:
    """A gait to generate.

    Attributes
    ----------
    mode : "walk" or "run"
    direction : "forward" or "backward" (the direction of travel relative to facing)
    speed_m_s : speed of travel along the surface [m/s], > 0; the range the normative data
        cover is checked by the generator
    grade_pct : surface grade [%], > 0 when travelling uphill, |grade| <= 40
    subject : the subject
    condition : knee condition: a bundled profile name (``healthy``, ``medial_oa_severe``, ...;
        :func:`kneeload.conditions.available_conditions`) or a profile .toml file; it changes
        the generated gait (:mod:`kneeload.conditions`)
    """

    mode: str
    direction: str
    speed_m_s: float
    grade_pct: float
    subject: Subject
    condition: str = "healthy"

    def __post_init__(self) -> None:
        _one_of("mode", self.mode, MODES)
        _one_of("direction", self.direction, DIRECTIONS)
        if not (math.isfinite(self.speed_m_s) and self.speed_m_s > 0):
            raise InputError("--speed", "speed_m_s", "a speed > 0 m/s", f"{self.speed_m_s:g}")
        _in_range("grade_pct", self.grade_pct, -MAX_GRADE_PCT, MAX_GRADE_PCT, "%")
        self.condition_profile()  # an unknown name or a bad file raises here

    def condition_profile(self) -> Condition:
        """The checked knee-condition profile of :attr:`condition` (read once per file)."""
        return load_condition(self.condition)

    @property
    def grade_angle_rad(self) -> float:
        """Inclination of the surface θ = atan(grade/100) [rad], > 0 uphill for the traveller."""
        return math.atan(self.grade_pct / 100.0)

    @property
    def travel_sign(self) -> float:
        """+1 when the subject travels toward +x (forward), -1 when toward -x (backward)."""
        return 1.0 if self.direction == "forward" else -1.0

    def gravity_m_s2(self) -> tuple[float, float]:
        """Gravity in the tilted ground frame (x facing, along the surface; y normal) [m/s²].

        Travelling uphill, gravity pulls back along the direction of travel: its x component
        is -g·sin θ·travel_sign, its y component -g·cos θ.
        """
        theta = self.grade_angle_rad
        g = STANDARD_GRAVITY_M_S2
        return (-g * math.sin(theta) * self.travel_sign, -g * math.cos(theta))
