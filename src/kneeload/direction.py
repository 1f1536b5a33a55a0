"""Direction of walking of a measured leg, detected from the data: forward or backward.

A :class:`~kneeload.trial.LegTrial` is already expressed in the frame the subject faces (x
forward; the builders find the facing from the pelvis or the markers, e.g. a subject walking
toward −x of the lab is turned by 180° about the vertical). Whether the subject *travels* the
way it faces is a separate question, answered here from three independent signs, never
assumed:

1. **Hip over the stance foot.** During each stance the hip moves forward over the planted
   foot in forward gait and backward over it in backward gait (backward walking is close to
   forward walking reversed in time: Winter, Pluck & Yang 1989, J Mot Behav 21:291; Grasso,
   Bianchi & Lacquaniti 1998, J Neurophysiol 80:1868). The mean velocity of the hip relative to
   the ankle over the stance frames does not depend on the lab (overground or treadmill belt).
2. **Centre-of-pressure progression** along the foot during stance: heel → toe (forward) or
   toe → heel (backward; the time reversal of forward stance, same sources). "Along the foot"
   is the projection of the centre of pressure minus the ankle on the foot-fixed direction
   from the ankle to the foot's centre of mass, so it follows the foot as the heel rises and on
   a treadmill belt.
3. **First contact point:** where the centre of pressure starts within its range along the
   foot over that stance: in the rear third (heel strike), the front third (toe or forefoot
   contact, the rule in backward walking) or between (flat foot).

The direction is forward when the hip progresses forward over the stance foot, backward when
it progresses backward; the other two are reported, and their disagreement is noted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kneeload.config import GRF_CONTACT_THRESHOLD_N
from kneeload.exceptions import InputError
from kneeload.io.events import contact_intervals
from kneeload.trial import LegTrial

FloatArray = NDArray[np.float64]

#: share of each stance, from contact, over which the first contact point is averaged [-]
FIRST_CONTACT_SHARE = 0.05
#: range of the centre of pressure under the foot below which a contact is flat [m]
FLAT_CONTACT_M = 0.02


@dataclass(frozen=True)
class Contact:
    """One foot contact: times [s] and where the foot first touched.

    first_point : "heel", "toe" or "flat": the centre of pressure over the first
        :data:`FIRST_CONTACT_SHARE` of stance in the rear, front or middle third of its range
        along the foot over the stance ("flat" too when the range is below
        :data:`FLAT_CONTACT_M`); None when the contact starts before the record
    cop_from_ankle_m : centre of pressure along the foot from the ankle over the first
        :data:`FIRST_CONTACT_SHARE` of stance [m]
    cop_progression_m : centre-of-pressure travel along the foot from the first to the last
        fifth of stance [m] (> 0 heel → toe)
    """

    on_s: float
    off_s: float
    first_point: str | None
    cop_from_ankle_m: float
    cop_progression_m: float


@dataclass(frozen=True)
class GaitDirection:
    """Direction of travel of a leg trial relative to the way the subject faces.

    direction : "forward" or "backward"
    hip_over_foot_m_s : mean velocity of the hip relative to the ankle over stance frames,
        along the facing direction [m/s] (> 0 forward)
    cop_progression : "heel-to-toe", "toe-to-heel" or "none" (median over contacts)
    first_contact : "heel", "toe", "flat" or None (most common over whole contacts)
    contacts : every contact of the foot (stance from the force, with
        :func:`kneeload.io.events.contact_intervals`' hysteresis)
    stance_fraction : share of the record in stance [-]
    notes : how it was decided, with the figures
    """

    direction: str
    hip_over_foot_m_s: float
    cop_progression: str
    first_contact: str | None
    contacts: tuple[Contact, ...]
    stance_fraction: float
    notes: tuple[str, ...]


def _contact(trial: LegTrial, on: float, off: float) -> Contact:
    time = trial.time_s
    inside = (time >= on) & (time <= off) & (trial.grf_n[:, 1] > GRF_CONTACT_THRESHOLD_N)
    index = np.flatnonzero(inside)
    ankle = trial.joint_m[index, 0]
    forward = trial.com_m[index, 0] - ankle  # foot-fixed, anterior (the foot's mass centre)
    forward /= np.linalg.norm(forward, axis=1)[:, None]
    from_ankle = np.sum((trial.cop_m[index] - ankle) * forward, axis=1)
    n = len(index)
    first = max(1, int(np.ceil(FIRST_CONTACT_SHARE * n)))
    fifth = max(1, n // 5)
    at_contact = float(np.mean(from_ankle[:first]))
    progression = float(np.mean(from_ankle[-fifth:]) - np.mean(from_ankle[:fifth]))
    low, high = float(np.min(from_ankle)), float(np.max(from_ankle))
    point = None
    if on > time[0]:
        share = (at_contact - low) / (high - low) if high - low > FLAT_CONTACT_M else 0.5
        point = "heel" if share < 1 / 3 else "toe" if share > 2 / 3 else "flat"
    return Contact(on, off, point, at_contact, progression)


def detect_direction(trial: LegTrial) -> GaitDirection:
    """Forward or backward gait of one leg, from its kinematics and ground reaction.

    Raises
    ------
    InputError
        No stance of the foot in the record (vertical force never above the contact threshold
        for :func:`kneeload.io.events.contact_intervals`' minimum duration).
    """
    time = trial.time_s
    vertical = trial.grf_n[:, 1]
    intervals = contact_intervals(time, vertical, include_partial=True)
    if not intervals:
        raise InputError(
            trial.source,
            "vertical ground reaction",
            f"a stance of the {trial.side} foot (> {GRF_CONTACT_THRESHOLD_N:g} N)",
            f"a maximum of {np.nanmax(vertical):.1f} N",
        )
    contacts = tuple(_contact(trial, on, off) for on, off in intervals)
    relative = trial.joint_m[:, 2, 0] - trial.joint_m[:, 0, 0]
    velocity = np.gradient(relative, time)
    stance = np.zeros(len(time), dtype=bool)
    for on, off in intervals:
        stance |= (time >= on) & (time <= off)
    stance &= vertical > GRF_CONTACT_THRESHOLD_N
    hip_over_foot = float(np.mean(velocity[stance]))
    direction = "forward" if hip_over_foot > 0 else "backward"
    progression_m = float(np.median([c.cop_progression_m for c in contacts]))
    if abs(progression_m) < FLAT_CONTACT_M:
        progression = "none"
    else:
        progression = "heel-to-toe" if progression_m > 0 else "toe-to-heel"
    points = [c.first_point for c in contacts if c.first_point is not None]
    first = max(set(points), key=points.count) if points else None
    stance_fraction = float(sum(off - on for on, off in intervals) / (time[-1] - time[0]))
    notes = [
        f"direction {direction}: hip moves {hip_over_foot:+.2f} m/s over the stance foot "
        f"(+: the way the subject faces); centre of pressure {progression} "
        f"({progression_m:+.3f} m over stance); first contact {first or 'not in the record'}"
    ]
    expected = "heel-to-toe" if direction == "forward" else "toe-to-heel"
    if progression not in (expected, "none"):
        notes.append(
            f"centre of pressure progresses {progression}, unusual for {direction} gait: check "
            "the foot's centre of pressure and the facing direction"
        )
    return GaitDirection(
        direction=direction,
        hip_over_foot_m_s=hip_over_foot,
        cop_progression=progression,
        first_contact=first,
        contacts=contacts,
        stance_fraction=stance_fraction,
        notes=tuple(notes),
    )
