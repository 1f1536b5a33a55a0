"""Knee conditions: named, parameterised profiles that change the gait and the muscle strategy
(DESIGN.md §4.6; issue 6). A condition never edits an output: kneeload computes the loads of
the gait and muscle strategy the profile describes.

A profile is a TOML file (bundled ones in ``models/conditions/``; a user's own in the same
format is accepted wherever a name is). Every parameter is a table with its value, unit,
source and how sure we are; a parameter left out takes its healthy value::

    [meta]
    name = "medial_oa_severe"
    description = "..."

    [gait.varus_alignment_deg]
    value = 5.0
    unit = "deg"
    source = "..."
    confidence = "low: ..."

Parameters (:data:`PARAMETERS`: table, unit, allowed range, healthy value):

- ``gait.varus_alignment_deg`` [deg]: frontal-plane mechanical-axis (hip-knee-ankle) angle,
  varus +, valgus −, *relative to the healthy model* (the normative gait stands for a healthy
  population and its mean alignment). The knee centre is moved laterally (varus) by
  δ = tan(α)·L_t·L_s/(L_t + L_s) from where the healthy gait puts it, the small-angle offset that
  bends the hip-knee and knee-ankle lines by α with hip and ankle in place (L_t, L_s: thigh and
  shank lengths; :func:`kneeload.gait.condition_effects.knee_lateral_offsets_m`); so the
  frontal-plane lever arm of the ground reaction about the knee, and the
  knee adduction moment, grow (Hunt et al. 2006; Miyazaki et al. 2002).
- ``gait.loading_response_knee_flexion_reduction_deg`` [deg]: less knee flexion at the
  stance-phase flexion peak (forward gait: loading response), tapered by a C² bump
  (1 − s²)³ over ±:data:`KNEE_WINDOW_FRACTION` of the cycle around the peak, so the knee also
  contacts the ground a little straighter (Mündermann et al. 2005; Zeni & Higginson 2009).
- ``gait.self_selected_speed_factor`` [-]: self-selected speed relative to a healthy person's
  (:meth:`Condition.self_selected_speed_m_s`); a generated gait takes the speed it is given.
- ``muscles.quadriceps_strength_scale`` [-]: maximum force of the quadriceps (vasti, rectus
  femoris) relative to the muscle set's (Palmieri-Smith et al. 2010; Alnahdi et al. 2012).
- ``muscles.co_contraction_activation`` [-]: baseline activation of the knee flexors
  (:data:`CO_CONTRACTING_MUSCLES`) in stance (co-contraction; Schmitt & Rudolph 2007; Heiden
  et al. 2009); static optimisation shares the rest of the moments over the remaining capacity
  (:func:`kneeload.knee_loads.knee_loads`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from kneeload._checks import check_keys, closest_name
from kneeload.data import available, models_dir, read_toml
from kneeload.exceptions import InputError

__all__ = [
    "CO_CONTRACTING_MUSCLES",
    "PARAMETERS",
    "Condition",
    "available_conditions",
    "load_condition",
]

_KIND = "conditions"
#: half-width of the knee-flexion reduction window, fraction of the gait cycle (design choice:
#: forward walking's loading response peaks at ~15 % of the cycle, so the taper reaches from
#: late swing to mid-stance and leaves 26 % of the reduction at initial contact)
KNEE_WINDOW_FRACTION = 0.25
#: muscles (gait10dof18musc names) given the co-contraction baseline: the knee flexors that act
#: against the quadriceps in stance (hamstrings, biceps femoris short head, gastrocnemius)
CO_CONTRACTING_MUSCLES: tuple[str, ...] = ("hamstrings", "bifemsh", "gastroc")
#: quadriceps muscles whose maximum force ``quadriceps_strength_scale`` scales
QUADRICEPS_MUSCLES: tuple[str, ...] = ("vasti", "rect_fem")

#: table -> parameter -> (unit, lowest, highest, healthy value); bounds are plausibility limits
PARAMETERS: dict[str, dict[str, tuple[str, float, float, float]]] = {
    "gait": {
        "varus_alignment_deg": ("deg", -15.0, 15.0, 0.0),
        "loading_response_knee_flexion_reduction_deg": ("deg", 0.0, 15.0, 0.0),
        "self_selected_speed_factor": ("-", 0.3, 1.5, 1.0),
    },
    "muscles": {
        "quadriceps_strength_scale": ("-", 0.1, 2.0, 1.0),
        "co_contraction_activation": ("-", 0.0, 0.5, 0.0),
    },
}
_PARAMETER_KEYS = frozenset({"value", "unit", "source", "confidence"})
_TABLES = frozenset({"meta", *PARAMETERS})


@dataclass(frozen=True)
class Condition:
    """A checked knee-condition profile (see the module for the parameters and their units).

    Attributes
    ----------
    name : the profile's ``[meta] name`` (a bundled profile: its file name)
    source : the file it was read from
    description : the profile's ``[meta] description``
    varus_alignment_deg : mechanical-axis varus (+) / valgus (−) relative to healthy [deg]
    loading_response_knee_flexion_reduction_deg : knee flexion taken off the stance peak [deg]
    self_selected_speed_factor : self-selected speed relative to healthy [-]
    quadriceps_strength_scale : quadriceps maximum-force factor [-]
    co_contraction_activation : knee-flexor baseline activation in stance [-]
    """

    name: str
    source: str
    description: str = ""
    varus_alignment_deg: float = 0.0
    loading_response_knee_flexion_reduction_deg: float = 0.0
    self_selected_speed_factor: float = 1.0
    quadriceps_strength_scale: float = 1.0
    co_contraction_activation: float = 0.0

    @property
    def changes_gait(self) -> bool:
        """Whether the profile changes the generated gait cycle."""
        return bool(self.varus_alignment_deg or self.loading_response_knee_flexion_reduction_deg)

    @property
    def changes_muscles(self) -> bool:
        """Whether the profile changes the muscle strategy."""
        return self.quadriceps_strength_scale != 1.0 or self.co_contraction_activation != 0.0

    def self_selected_speed_m_s(self, healthy_speed_m_s: float) -> float:
        """Self-selected speed of a person with this condition whose healthy peers choose
        ``healthy_speed_m_s`` [m/s]."""
        return healthy_speed_m_s * self.self_selected_speed_factor

    def describe(self) -> str:
        """One line for a table's notes: the condition and what it changes."""
        changes = [
            f"{key} {getattr(self, key):g}"
            for table in PARAMETERS.values()
            for key, (_, _, _, healthy) in table.items()
            if getattr(self, key) != healthy
        ]
        return f"knee condition {self.name} ({self.source})" + (
            ": " + ", ".join(changes) if changes else ": healthy values"
        )


def available_conditions() -> list[str]:
    """Names of the bundled condition profiles (``models/conditions/*.toml``), sorted."""
    return available(_KIND)


def _resolve(name_or_path: str | Path) -> Path:
    text = str(name_or_path)
    path = Path(text)
    if path.suffix == ".toml" or len(path.parts) > 1:
        if not path.is_file():
            raise InputError(text, "condition", "an existing condition profile (.toml) file")
        return path
    bundled = models_dir() / _KIND / f"{text}.toml"
    if text and bundled.is_file():
        return bundled
    names = available_conditions()
    hint = closest_name(text, names)
    raise InputError(
        "--condition",
        "condition",
        f"a bundled condition ({', '.join(names)}) or a profile .toml file",
        repr(text) + (f" (did you mean {hint!r}?)" if hint else ""),
    )


def _parameter(source: Path, table: str, key: str, raw: Any) -> float:
    unit, low, high, _ = PARAMETERS[table][key]
    where = f"{table}.{key}"
    if not isinstance(raw, dict):
        raise InputError(
            source, where, "a table with value, unit, source, confidence", type(raw).__name__
        )
    check_keys(source, raw, where, _PARAMETER_KEYS)
    for needed in ("value", "unit"):
        if needed not in raw:
            raise InputError(source, f"{where}.{needed}", "a value (required key)", "none")
    if raw["unit"] != unit:
        raise InputError(source, f"{where}.unit", repr(unit), repr(raw["unit"]))
    value = raw["value"]
    words = f"a number from {low:g} to {high:g} {unit}"
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise InputError(source, f"{where}.value", words, repr(value))
    if not (math.isfinite(value) and low <= value <= high):
        raise InputError(source, f"{where}.value", words, repr(value))
    return float(value)


@lru_cache(maxsize=64)
def _load(path: Path, mtime_ns: int) -> Condition:
    raw = read_toml(path)
    check_keys(path, raw, "", _TABLES)
    meta = raw.get("meta", {})
    if not isinstance(meta, dict):
        raise InputError(path, "meta", "a table [meta]", type(meta).__name__)
    values: dict[str, float] = {}
    for table, keys in PARAMETERS.items():
        entries = raw.get(table, {})
        if not isinstance(entries, dict):
            raise InputError(path, table, f"a table [{table}]", type(entries).__name__)
        check_keys(path, entries, table, frozenset(keys))
        for key, raw_value in entries.items():
            values[key] = _parameter(path, table, key, raw_value)
    name = meta.get("name", path.stem)
    if not isinstance(name, str) or not name:
        raise InputError(path, "meta.name", "a non-empty string", repr(name))
    description = meta.get("description", "")
    return Condition(name=name, source=str(path), description=str(description).strip(), **values)


def load_condition(name_or_path: str | Path) -> Condition:
    """Read and check a condition profile: a bundled name (``medial_oa_severe``) or a .toml path.

    Read once per file and modification time per process.

    Raises
    ------
    InputError
        Unknown name (with the closest bundled one), missing file, TOML syntax, an unknown
        table or key (with the closest allowed one), a parameter without value or unit, a unit
        other than the parameter's, a value that is not a number or is outside its range.
    """
    if isinstance(name_or_path, str) and name_or_path in _bundled_names():
        return _bundled(name_or_path)
    path = _resolve(name_or_path).resolve()
    return _load(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=1)
def _bundled_names() -> frozenset[str]:
    return frozenset(available_conditions())


@cache
def _bundled(name: str) -> Condition:
    """A bundled profile, read once per process (GaitSpec checks its condition per case)."""
    path = (models_dir() / _KIND / f"{name}.toml").resolve()
    return _load(path, path.stat().st_mtime_ns)
