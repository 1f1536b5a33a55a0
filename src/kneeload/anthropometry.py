"""Segment masses, centre-of-mass locations and moments of inertia from an anthropometric table.

Tables live in ``models/anthropometry/`` (Winter 2009; de Leva 1996, male and female), each with
its source. Every quantity is a fraction: of body mass, of segment length (centre of mass from
the proximal end, radius of gyration about the centre of mass), or of stature (segment length).
"""

from __future__ import annotations

from dataclasses import dataclass

from kneeload.data import load_parameter_set
from kneeload.exceptions import InputError, ParameterError

#: segments of the leg, distal to proximal (the inverse-dynamics order)
LEG_SEGMENTS: tuple[str, str, str] = ("foot", "shank", "thigh")


@dataclass(frozen=True)
class SegmentParameters:
    """Inertial parameters of one segment.

    Attributes
    ----------
    mass_kg : segment mass [kg]
    length_m : segment length between its defining endpoints [m]
    com_from_proximal : centre of mass from the proximal end, fraction of length [-]
    inertia_kg_m2 : moment of inertia about the centre of mass, sagittal axis [kg·m²]
    """

    mass_kg: float
    length_m: float
    com_from_proximal: float
    inertia_kg_m2: float


def leg_segment_parameters(
    table: str,
    mass_kg: float,
    height_m: float | None = None,
    lengths_m: dict[str, float] | None = None,
) -> dict[str, SegmentParameters]:
    """Foot, shank and thigh parameters scaled to one subject.

    Parameters
    ----------
    table : name of a file in ``models/anthropometry/`` (e.g. "Winter2009", "deLeva1996_male")
    mass_kg : body mass [kg], > 0
    height_m : stature [m]; gives each segment's length when ``lengths_m`` lacks it
    lengths_m : measured segment lengths [m] (from markers or a model), override the table

    Returns
    -------
    dict : segment name -> :class:`SegmentParameters`; I = m (k·L)², k the radius of gyration.

    References
    ----------
    Winter DA (2009), Table 4.1. de Leva P (1996) J Biomech 29:1223, Table 4.
    """
    if not mass_kg > 0:
        raise InputError("subject", "mass_kg", "a body mass > 0 kg", str(mass_kg))
    if height_m is not None and not height_m > 0:
        raise InputError("subject", "height_m", "a stature > 0 m", str(height_m))
    data = load_parameter_set("anthropometry", table)
    lengths = lengths_m or {}
    result = {}
    for name in LEG_SEGMENTS:
        row = data["segments"][name]
        if name in lengths:
            length = float(lengths[name])
        elif height_m is not None:
            length = row["Length fraction of stature [-]"] * height_m
        else:
            raise ParameterError(
                f"segment '{name}': give the subject's height or a measured length to scale it"
            )
        mass = row["Mass fraction [-]"] * mass_kg
        radius = row["Radius of gyration about centre of mass [-]"] * length
        result[name] = SegmentParameters(
            mass_kg=mass,
            length_m=length,
            com_from_proximal=row["Centre of mass from proximal [-]"],
            inertia_kg_m2=mass * radius**2,
        )
    return result
