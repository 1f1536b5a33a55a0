"""Scenario files: what a sweep runs, checked before anything runs, expanded into a cases table.

A scenario is a TOML file (DESIGN.md §5; bundled ones in ``scenarios/``, documented in its
README). Tables and keys, every key carrying its unit::

    [meta]                       # free text: name, description, sources
    [gait]
    mode = "walk"                # "walk" | "run"                          (required)
    direction = ["forward", "backward"]                                     (required)
    speed_m_s = [0.833, 1.2]     # > 0, within the normative data's range   (required)
    grade_pct = [0, 10, -10]     # > 0 uphill for the traveller, |grade| <= 40; default 0
    condition = "healthy"        # a bundled profile (models/conditions/) or a profile
                                 # .toml file (relative to this file); default "healthy"
    strides = 1                  # consecutive strides per case, 1-100; default 1
    [subject]
    mass_kg = 70                 # 30-200                                   (required)
    height_m = 1.75              # 1.3-2.2                                  (required)
    sex = "male"                 # "male" | "female"; default "male"
    [model]                      # all optional (kneeload.knee_loads.LoadSharingOptions)
    muscle_set = "gait10dof18musc"
    exponent = 2.0               # >= 1.5
    contact_area_model = "Besier2005_male"
    weight_bearing = false
    moment_arm_scale = 1.0       # factors for parameters not known for a person, sampled for
    max_force_scale = 1.0        # uncertainty (kneeload.knee_loads.MODEL_SCALE_RANGES);
    pf_contact_area_scale = 1.0  # default 1
    intercondylar_distance_scale = 1.0
    [sweep]
    kind = "grid"                # "grid" | "zip" | "samples"; default "grid"
    n = 5000                     # samples only: number of draws (>= 1)
    seed = 2026                  # samples only: seed of numpy's default generator
    [programme]                  # optional: cumulative load over a training programme
    session_minutes = 20         # > 0, up to 1440                          (required)
    sessions_per_week = 5        # whole number 1-21                        (required)
    weeks = 4                    # whole number 1-520                       (required)

Every axis takes a scalar or a non-empty list. ``grid``: Cartesian product of the lists.
``zip``: the lists have one length and are read side by side (scalars repeat). ``samples``:
numeric axes may be a distribution table, ``{distribution = "normal", mean, sd}``,
``{distribution = "uniform", low, high}`` or ``{distribution = "truncated_normal", mean, sd,
low, high}``; ``n`` draws are made with ``seed`` (same seed, same cases), rounded to
:data:`SAMPLE_DECIMALS` decimals, and every draw is crossed with the list axes (a paired
design: each sampled subject walks in every listed direction).

Every mistake raises :class:`~kneeload.exceptions.InputError` naming the file, the key path
(``gait.speed_m_s[2]``) and what is allowed, with the closest key for a misspelt one. The ranges
are those of :class:`~kneeload.gait.spec.GaitSpec` and :class:`~kneeload.gait.spec.Subject`,
which are built for every case.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kneeload._checks import check_keys, closest_name
from kneeload.data import available, read_toml, scenarios_dir
from kneeload.exceptions import InputError
from kneeload.gait import spec as gait_spec
from kneeload.metrics import Programme

__all__ = [
    "AXES",
    "AXES_KEYS",
    "BLOCK_ROWS",
    "COLUMNS",
    "CaseTable",
    "Distribution",
    "Scenario",
    "available_scenarios",
    "case_id",
    "case_table",
    "expand",
    "load_scenario",
]

#: decimals kept of sampled values (0.1 mm, 0.1 g, 0.1 mm/s): ids do not hinge on the last bit
SAMPLE_DECIMALS = 4
#: hexadecimal digits of ``case_id`` (64 bits: a collision among 10⁶ cases has p ≈ 3·10⁻⁸)
CASE_ID_DIGITS = 16
KINDS: tuple[str, ...] = ("grid", "zip", "samples")
DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "normal": ("mean", "sd"),
    "uniform": ("low", "high"),
    "truncated_normal": ("mean", "sd", "low", "high"),
}

#: table -> key -> (type: "float" | "int" | "str" | "bool", default or None when required)
AXES: dict[str, dict[str, tuple[str, Any]]] = {
    "gait": {
        "mode": ("str", None),
        "direction": ("str", None),
        "speed_m_s": ("float", None),
        "grade_pct": ("float", 0.0),
        "condition": ("str", "healthy"),
        "strides": ("int", 1),
    },
    "subject": {
        "mass_kg": ("float", None),
        "height_m": ("float", None),
        "sex": ("str", "male"),
    },
    "model": {
        "muscle_set": ("str", "gait10dof18musc"),
        "exponent": ("float", 2.0),
        "contact_area_model": ("str", "Besier2005_male"),
        "weight_bearing": ("bool", False),
        "moment_arm_scale": ("float", 1.0),
        "max_force_scale": ("float", 1.0),
        "pf_contact_area_scale": ("float", 1.0),
        "intercondylar_distance_scale": ("float", 1.0),
    },
}
#: model factors (kneeload.knee_loads.MODEL_SCALE_RANGES) left out of ``case_id`` at their
#: neutral value 1, so the ids of scenarios written before they existed do not change
_NEUTRAL_SCALES = (
    "moment_arm_scale",
    "max_force_scale",
    "pf_contact_area_scale",
    "intercondylar_distance_scale",
)
_TABLES = frozenset({"meta", "sweep", "programme", *AXES})
#: ``[programme]`` key -> (whole number?, lowest, highest, unit in words)
PROGRAMME_KEYS: dict[str, tuple[bool, float, float, str]] = {
    "session_minutes": (False, 0.0, 1440.0, "a session length > 0 and <= 1440 min"),
    "sessions_per_week": (True, 1, 21, "a whole number of sessions a week from 1 to 21"),
    "weeks": (True, 1, 520, "a whole number of weeks from 1 to 520"),
}
_SWEEP_KEYS = frozenset({"kind", "n", "seed"})
#: column order of the cases table
COLUMNS: tuple[str, ...] = ("case_id", *(key for keys in AXES.values() for key in keys))
#: the parameters of a case (the columns but ``case_id``)
AXES_KEYS: tuple[str, ...] = COLUMNS[1:]


@dataclass(frozen=True)
class Distribution:
    """A distribution to sample one numeric axis from (``kind`` in :data:`DISTRIBUTIONS`),
    in the axis's unit."""

    kind: str
    mean: float = math.nan
    sd: float = math.nan
    low: float = -math.inf
    high: float = math.inf

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws; the truncated normal by inverse transform (exact, one draw per value)."""
        from scipy.special import ndtr, ndtri

        if self.kind == "normal":
            return rng.normal(self.mean, self.sd, n)
        if self.kind == "uniform":
            return rng.uniform(self.low, self.high, n)
        a, b = ndtr((self.low - self.mean) / self.sd), ndtr((self.high - self.mean) / self.sd)
        values = self.mean + self.sd * ndtri(rng.uniform(a, b, n))
        return np.clip(values, self.low, self.high)


Axis = tuple[Any, ...] | Distribution


@dataclass(frozen=True)
class Scenario:
    """A checked scenario file.

    Attributes
    ----------
    source : the file it was read from
    meta : the ``[meta]`` table as written
    kind : "grid", "zip" or "samples"
    axes : axis name (``speed_m_s``, see :data:`AXES_KEYS`) -> its listed values (a 1-tuple
        for a scalar) or a Distribution
    n : number of draws (samples), else None
    seed : seed of the draws (samples), else None
    programme : the ``[programme]`` table (sessions for cumulative load,
        :func:`kneeload.metrics.programme_loads`), else None
    """

    source: str
    meta: Mapping[str, Any]
    kind: str
    axes: Mapping[str, Axis]
    n: int | None = None
    seed: int | None = None
    programme: Programme | None = None


def available_scenarios() -> list[str]:
    """Names of the bundled scenarios (``scenarios/*.toml``), sorted."""
    return sorted(path.stem for path in scenarios_dir().glob("*.toml"))


def _resolve(path_or_name: str | Path) -> Path:
    path = Path(path_or_name)
    if path.suffix == ".toml" or path.exists() or len(path.parts) > 1:
        return path
    bundled = scenarios_dir() / f"{path_or_name}.toml"
    if bundled.is_file():
        return bundled
    names = available_scenarios()
    hint = closest_name(str(path_or_name), names)
    raise InputError(
        str(path_or_name),
        "scenario",
        f"a .toml file or a bundled scenario: {', '.join(names)}",
        repr(str(path_or_name)) + (f" (did you mean {hint!r}?)" if hint else ""),
    )


def _allowed_names(key: str) -> tuple[str, ...] | None:
    """The allowed values of a string axis (None: any non-empty string)."""
    if key == "mode":
        return gait_spec.MODES
    if key == "direction":
        return gait_spec.DIRECTIONS
    if key == "sex":
        return gait_spec.SEXES
    if key == "muscle_set":
        return tuple(available("muscles"))
    if key == "contact_area_model":
        from kneeload.contact import contact_area_models

        return tuple(contact_area_models())
    return None


def _range(key: str) -> tuple[float, float, str]:
    """Allowed closed range of a numeric axis, in words too (from GaitSpec/Subject's limits)."""
    from kneeload.gait.simulate import MAX_STRIDES
    from kneeload.knee_loads import MODEL_SCALE_RANGES
    from kneeload.muscles.static_optimisation import MIN_EXPONENT

    limits = {
        "speed_m_s": (0.0, math.inf, "a speed > 0 m/s"),
        "grade_pct": (
            -gait_spec.MAX_GRADE_PCT,
            gait_spec.MAX_GRADE_PCT,
            f"a grade from {-gait_spec.MAX_GRADE_PCT:g} to {gait_spec.MAX_GRADE_PCT:g} %",
        ),
        "mass_kg": (*gait_spec.MASS_RANGE_KG, "a body mass from {:g} to {:g} kg"),
        "height_m": (*gait_spec.HEIGHT_RANGE_M, "a stature from {:g} to {:g} m"),
        "exponent": (MIN_EXPONENT, math.inf, f"an exponent >= {MIN_EXPONENT:g}"),
        "strides": (1, MAX_STRIDES, f"a whole number of strides from 1 to {MAX_STRIDES}"),
        **{
            name: (low, high, f"a factor from {low:g} to {high:g}")
            for name, (low, high) in MODEL_SCALE_RANGES.items()
        },
    }
    low, high, words = limits[key]
    return low, high, words.format(low, high)


def _value(source: Path, key: str, kind: str, value: Any, where: str) -> Any:
    """One checked scalar of an axis."""
    if key == "condition":
        return _condition(source, value, where)
    if kind == "str":
        allowed = _allowed_names(key)
        if not isinstance(value, str) or not value:
            expected = f"one of {', '.join(allowed)}" if allowed else "a non-empty string"
            raise InputError(source, where, expected, repr(value))
        if allowed is not None and value not in allowed:
            hint = closest_name(value, allowed)
            found = repr(value) + (f" (did you mean {hint!r}?)" if hint else "")
            raise InputError(source, where, f"one of {', '.join(allowed)}", found)
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise InputError(source, where, "true or false", repr(value))
        return value
    low, high, words = _range(key)
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "int" and not (isinstance(value, int) and not isinstance(value, bool)):
        raise InputError(source, where, words, repr(value))
    if not numeric:
        raise InputError(source, where, f"a number: {words}", repr(value))
    bad = not math.isfinite(value) or value < low or value > high
    if key == "speed_m_s":
        bad = bad or value <= 0
    if bad:
        raise InputError(source, where, words, repr(value))
    return value if kind == "int" else float(value)


def _condition(source: Path, value: Any, where: str) -> str:
    """A bundled condition name as written, or a profile file (a relative path from the
    scenario's folder) checked and returned as its absolute path."""
    from kneeload.conditions import available_conditions, load_condition

    names = available_conditions()
    expected = f"one of {', '.join(names)} or a condition profile .toml file"
    if not isinstance(value, str) or not value:
        raise InputError(source, where, expected, repr(value))
    if value in names:
        return value
    path = Path(value)
    if path.suffix == ".toml" or len(path.parts) > 1:
        path = path if path.is_absolute() else source.parent / path
        try:
            load_condition(path)
        except InputError as error:
            raise InputError(
                source, f"{where}: {error.source}: {error.field}", error.expected, error.found
            ) from None
        return str(path.resolve())
    hint = closest_name(value, names)
    raise InputError(
        source, where, expected, repr(value) + (f" (did you mean {hint!r}?)" if hint else "")
    )


def _distribution(source: Path, key: str, table: dict[str, Any], where: str) -> Distribution:
    kind = table.get("distribution")
    if kind not in DISTRIBUTIONS:
        hint = closest_name(kind, list(DISTRIBUTIONS)) if isinstance(kind, str) else None
        found = repr(kind) + (f" (did you mean {hint!r}?)" if hint else "")
        raise InputError(
            source, f"{where}.distribution", f"one of {', '.join(DISTRIBUTIONS)}", found
        )
    needed = DISTRIBUTIONS[kind]
    check_keys(source, table, where, frozenset({"distribution", *needed}))
    numbers: dict[str, float] = {}
    for name in needed:
        if name not in table:
            raise InputError(source, f"{where}.{name}", f"a {kind} distribution needs {needed}")
        value = table[name]
        if name == "sd":
            if not (isinstance(value, int | float) and not isinstance(value, bool) and value > 0):
                raise InputError(source, f"{where}.sd", "a standard deviation > 0", repr(value))
            numbers[name] = float(value)
        else:
            numbers[name] = float(_value(source, key, "float", value, f"{where}.{name}"))
    if "low" in numbers and not numbers["low"] < numbers["high"]:
        raise InputError(
            source,
            f"{where}.high",
            f"a bound above low = {numbers['low']:g}",
            f"{numbers['high']:g}",
        )
    return Distribution(kind, **numbers)


def _axis(source: Path, table: str, key: str, raw: Any, sampled: bool) -> Axis:
    kind, _ = AXES[table][key]
    where = f"{table}.{key}"
    if isinstance(raw, dict):
        if not sampled or kind != "float":
            expected = "a scalar or a list (distributions are for numeric axes of samples sweeps)"
            raise InputError(source, where, expected, "a table")
        return _distribution(source, key, raw, where)
    if isinstance(raw, list):
        if not raw:
            raise InputError(source, where, "a scalar or a non-empty list", "[]")
        values = tuple(_value(source, key, kind, v, f"{where}[{i}]") for i, v in enumerate(raw))
        for i, v in enumerate(values):
            if values.index(v) < i:
                raise InputError(source, f"{where}[{i}]", "distinct values", f"{v!r} repeated")
        return values
    return (_value(source, key, kind, raw, where),)


def _sweep(source: Path, raw: Any) -> tuple[str, int | None, int | None]:
    if not isinstance(raw, dict):
        raise InputError(source, "sweep", "a table [sweep]", type(raw).__name__)
    check_keys(source, raw, "sweep", _SWEEP_KEYS)
    kind = raw.get("kind", "grid")
    if kind not in KINDS:
        hint = closest_name(kind, KINDS) if isinstance(kind, str) else None
        found = repr(kind) + (f" (did you mean {hint!r}?)" if hint else "")
        raise InputError(source, "sweep.kind", f"one of {', '.join(KINDS)}", found)
    if kind != "samples":
        for key in ("n", "seed"):
            if key in raw:
                raise InputError(source, f"sweep.{key}", 'no n or seed unless kind = "samples"')
        return kind, None, None
    numbers = []
    for key, low in (("n", 1), ("seed", 0)):
        if key not in raw:
            raise InputError(source, f"sweep.{key}", f"an integer >= {low} for a samples sweep")
        value = raw[key]
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise InputError(source, f"sweep.{key}", f"an integer >= {low}", repr(value))
        numbers.append(value)
    return kind, numbers[0], numbers[1]


def _programme(source: Path, raw: Any) -> Programme:
    """The checked ``[programme]`` table: every key required, whole numbers where counted."""
    if not isinstance(raw, dict):
        raise InputError(source, "programme", "a table [programme]", type(raw).__name__)
    check_keys(source, raw, "programme", frozenset(PROGRAMME_KEYS))
    values: dict[str, Any] = {}
    for key, (whole, low, high, words) in PROGRAMME_KEYS.items():
        where = f"programme.{key}"
        if key not in raw:
            raise InputError(source, where, f"{words} (required key)", "none")
        value = raw[key]
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if whole and not (isinstance(value, int) and not isinstance(value, bool)):
            raise InputError(source, where, words, repr(value))
        if not number or not math.isfinite(value) or not low <= value <= high or value == 0:
            raise InputError(source, where, words, repr(value))
        values[key] = value if whole else float(value)
    return Programme(**values)


def load_scenario(path_or_name: str | Path) -> Scenario:
    """Read and check a scenario: a bundled name (``forward_vs_backward_walking``) or a path.

    Raises
    ------
    InputError
        Unknown file or name, TOML syntax (with the line), empty file, unknown key (with the
        closest allowed one), missing required key, wrong type, value out of range (zero or
        negative speed, mass, stature; grade beyond ±40 %), unknown mode, direction, sex,
        condition, muscle set or contact-area model, empty list, repeated list values, lists of
        unequal length in a zip sweep, a distribution outside a samples sweep, a samples sweep
        without one; in ``[programme]``, a missing key, a fraction of a session or week, a
        value out of range.
    """
    source = _resolve(path_or_name)
    raw = read_toml(source)
    if not raw:
        raise InputError(source, "file", "a scenario with [gait] and [subject] tables", "nothing")
    check_keys(source, raw, "", _TABLES)
    meta = raw.get("meta", {})
    if not isinstance(meta, dict):
        raise InputError(source, "meta", "a table [meta]", type(meta).__name__)
    kind, n, seed = _sweep(source, raw.get("sweep", {}))
    axes: dict[str, Axis] = {}
    for table, keys in AXES.items():
        values = raw.get(table, {})
        if not isinstance(values, dict):
            raise InputError(source, table, f"a table [{table}]", type(values).__name__)
        check_keys(source, values, table, frozenset(keys))
        for key, (_, default) in keys.items():
            if key in values:
                axes[key] = _axis(source, table, key, values[key], kind == "samples")
            elif default is None:
                raise InputError(source, f"{table}.{key}", "a value (required key)", "none")
            else:
                axes[key] = (default,)
    if kind == "samples" and not any(isinstance(v, Distribution) for v in axes.values()):
        raise InputError(
            source,
            "sweep.kind",
            'a distribution table on a numeric axis for kind = "samples" (or kind = "grid")',
            "none",
        )
    programme = _programme(source, raw["programme"]) if "programme" in raw else None
    scenario = Scenario(str(source), meta, kind, axes, n, seed, programme)
    if kind == "zip":
        lengths = {key: len(v) for key, v in axes.items() if isinstance(v, tuple) and len(v) > 1}
        if len(set(lengths.values())) > 1:
            listed = ", ".join(f"{_path(k)} ({m})" for k, m in lengths.items())
            raise InputError(source, "sweep.kind", "lists of one length in a zip sweep", listed)
    return scenario


def _path(key: str) -> str:
    """``table.key`` of an axis."""
    return next(f"{table}.{key}" for table, keys in AXES.items() if key in keys)


#: rows of the cases built, checked and hashed at a time (memory grows with this, not with the
#: number of cases: ~2 KB a row while hashed); also the row group of a sweep's cases.parquet
BLOCK_ROWS = 16_384
#: the string axes whose values GaitSpec and Subject check (a combination of them is a group
#: of cases whose numbers :func:`_check_block` checks at their extremes)
_SPEC_NAMES = ("mode", "direction", "sex", "condition")
#: the numeric axes GaitSpec and Subject check, each against a closed interval
_SPEC_NUMBERS = ("speed_m_s", "grade_pct", "mass_kg", "height_m")
_DTYPES = {"float": np.float64, "int": np.int64, "bool": np.bool_, "str": object}
_KINDS = {key: kind for keys in AXES.values() for key, (kind, _) in keys.items()}


@dataclass(frozen=True)
class _Layout:
    """Where each case's values come from: case ``i`` is combination ``i % n_combos`` of the
    listed values (grid: :func:`itertools.product`'s order, the last axis fastest; zip: side by
    side) with draw ``i // n_combos`` of the sampled axes (the draws outer)."""

    listed: dict[str, np.ndarray]  #: axis -> its listed values
    sizes: tuple[int, ...]  #: grid: number of values of each listed axis; zip: ()
    draws: dict[str, np.ndarray]  #: sampled axis -> its draws
    n_combos: int
    n: int

    def columns(self, start: int, stop: int) -> dict[str, np.ndarray]:
        """Cases ``start`` to ``stop`` (excluded; at most to the last), one array per axis of
        :data:`AXES_KEYS`."""
        rows = np.arange(start, min(stop, self.n))
        combo, draw = rows % self.n_combos, rows // self.n_combos
        if self.sizes:
            at = np.unravel_index(combo, self.sizes)
        else:
            at = tuple(combo if v.size > 1 else np.zeros_like(combo) for v in self.listed.values())
        columns = {k: v[i] for (k, v), i in zip(self.listed.items(), at, strict=True)}
        columns |= {k: v[draw] for k, v in self.draws.items()}
        return {k: columns[k] for k in AXES_KEYS}


def _layout(scenario: Scenario) -> _Layout:
    """The listed values and the draws (same seed, same draws) of a scenario's cases."""
    draws: dict[str, np.ndarray] = {}
    if scenario.kind == "samples":
        assert scenario.n is not None and scenario.seed is not None
        rng = np.random.default_rng(scenario.seed)
        for k, v in scenario.axes.items():
            if isinstance(v, Distribution):
                draws[k] = np.round(v.sample(rng, scenario.n), SAMPLE_DECIMALS)
    listed: dict[str, np.ndarray] = {
        k: np.array(v, dtype=_DTYPES[_KINDS[k]])
        for k, v in scenario.axes.items()
        if isinstance(v, tuple)
    }
    sizes = tuple(v.size for v in listed.values())
    n_combos = max(sizes) if scenario.kind == "zip" else math.prod(sizes)
    n_draws = scenario.n if draws and scenario.n is not None else 1
    grid = () if scenario.kind == "zip" else sizes
    return _Layout(listed, grid, draws, n_combos, n_combos * n_draws)


def _json_texts(key: str, values: np.ndarray) -> list[str]:
    """``,"key":value`` for each value, the value as :func:`json.dumps` writes it (numbers as
    float except ``strides``)."""
    if values.dtype.kind in "iuf" and key != "strides":
        values = values.astype(np.float64)
    head = "," + json.dumps(key) + ":"
    if values.dtype.kind in "biuf":  # one call for all: no comma inside a number or boolean
        return [head + text for text in json.dumps(values.tolist())[1:-1].split(", ")]
    texts: dict[Any, str] = {}  # strings: few distinct values, each encoded once
    for value in values.tolist():
        if value not in texts:
            texts[value] = head + json.dumps(value)
    return [texts[value] for value in values.tolist()]


#: bytes of SHA-256 kept in a case id (two hexadecimal digits each)
_ID_BYTES = CASE_ID_DIGITS // 2


def _case_numbers(columns: Mapping[str, Any]) -> np.ndarray:
    """:func:`case_id` of each row of ``columns`` (parameter name -> values, equal lengths) as
    the unsigned integer its hexadecimal digits spell."""
    arrays = {k: np.asarray(columns[k]) for k in sorted(columns)}
    parts = []
    for k, values in arrays.items():
        texts = _json_texts(k, values)
        if k in _NEUTRAL_SCALES:
            neutral = (values == 1.0).tolist()
            texts = ["" if skip else t for skip, t in zip(neutral, texts, strict=True)]
        parts.append(texts)
    digests = b"".join(
        hashlib.sha256(f"{{{''.join(p)[1:]}}}".encode()).digest()[:_ID_BYTES]
        for p in zip(*parts, strict=True)
    )
    return np.frombuffer(digests, dtype=f">u{_ID_BYTES}").astype(np.uint64)


def _hex(numbers: np.ndarray) -> list[str]:
    """Case ids of :func:`_case_numbers`."""
    return [f"{number:0{CASE_ID_DIGITS}x}" for number in numbers.tolist()]


def case_id(parameters: Mapping[str, Any]) -> str:
    """Short stable hash of one case's parameters: the first :data:`CASE_ID_DIGITS` hex digits
    of SHA-256 over their JSON (sorted keys, numbers as float except ``strides``; the model
    factors at their neutral value 1 left out)."""
    return _hex(_case_numbers({k: [v] for k, v in parameters.items()}))[0]


def _row(columns: Mapping[str, np.ndarray], index: int) -> dict[str, Any]:
    """Case ``index`` of ``columns`` as Python values."""
    return {k: v[index : index + 1].tolist()[0] for k, v in columns.items()}


def _spec(row: Mapping[str, Any]) -> gait_spec.GaitSpec:
    """The case's GaitSpec (its own checks and its Subject's raise InputError)."""
    subject = gait_spec.Subject(row["mass_kg"], row["height_m"], row["sex"])
    return gait_spec.GaitSpec(
        row["mode"], row["direction"], row["speed_m_s"], row["grade_pct"], subject, row["condition"]
    )


def _check_case(scenario: Scenario, row: Mapping[str, Any], index: int) -> None:
    """Build the case's GaitSpec (its own checks) and check the speed against the data's range."""
    from kneeload.gait.templates import speed_range_m_s

    where = f"case {index} ({', '.join(f'{k}={row[k]}' for k in ('mode', 'direction'))}"
    where += f", speed_m_s={row['speed_m_s']:g}, height_m={row['height_m']:g})"
    try:
        spec = _spec(row)
    except InputError as error:
        raise InputError(
            scenario.source, f"{where}: {_path(error.field)}", error.expected, error.found
        ) from None
    low, high = speed_range_m_s(spec)
    if not low <= row["speed_m_s"] <= high:
        raise InputError(
            scenario.source,
            f"{where}: gait.speed_m_s",
            f"a speed the normative data cover, {low:.3f} to {high:.3f} m/s for this mode, "
            "direction and stature",
            f"{row['speed_m_s']:g}",
        )


def _specs_pass_at_extremes(columns: Mapping[str, np.ndarray]) -> bool:
    """Whether every case passes GaitSpec's and Subject's checks, found from two GaitSpecs per
    combination of :data:`_SPEC_NAMES`: those checks are each of one value, against a set
    (names) or a closed interval (numbers, and finite), so a group's cases pass if its lowest
    and highest numbers do (a NaN makes the extremes NaN and fails)."""
    frame = pd.DataFrame({k: columns[k] for k in (*_SPEC_NAMES, *_SPEC_NUMBERS)})
    groups = frame.groupby(list(_SPEC_NAMES), sort=False, dropna=False)[list(_SPEC_NUMBERS)]
    for extremes in (groups.min(), groups.max()):
        for names, numbers in zip(extremes.index, extremes.to_numpy().tolist(), strict=True):
            try:
                _spec(
                    dict(zip(_SPEC_NAMES, names, strict=True))
                    | dict(zip(_SPEC_NUMBERS, numbers, strict=True))
                )
            except InputError:
                return False
    return True


def _check_block(scenario: Scenario, columns: Mapping[str, np.ndarray], offset: int) -> None:
    """Raise for the first case (in row order; ``offset`` is the index of the first) that
    :func:`_check_case` refuses, if any: without a GaitSpec per case (see
    :func:`_specs_pass_at_extremes`) and with the speed ranges of all cases at once."""
    from kneeload.gait.templates import _speed_ranges

    speed, mode = columns["speed_m_s"], columns["mode"]
    covered = np.zeros(speed.size, dtype=bool)
    for name in dict.fromkeys(mode.tolist()):
        rows = mode == name
        backward = columns["direction"][rows] == "backward"
        low, high = _speed_ranges(name, backward, columns["height_m"][rows])
        covered[rows] = (low <= speed[rows]) & (speed[rows] <= high)
    last = int(np.argmin(covered)) if not covered.all() else speed.size - 1
    if _specs_pass_at_extremes(columns):
        if not covered.all():
            _check_case(scenario, _row(columns, last), offset + last)
        return
    checked: set[tuple[Any, ...]] = set()
    for i in range(last + 1):  # a GaitSpec per distinct case up to the first refused
        row = _row(columns, i)
        key = tuple(row[k] for k in (*_SPEC_NAMES, *_SPEC_NUMBERS))
        if key not in checked:
            _check_case(scenario, row, offset + i)
            checked.add(key)


@dataclass(frozen=True)
class CaseTable:
    """The checked cases of a scenario, built :data:`BLOCK_ROWS` at a time on demand: its
    memory is 8 bytes a case (the ids) and the draws of a samples sweep.

    Attributes
    ----------
    scenario : the scenario
    ids : the case ids, as the unsigned integers their hexadecimal digits spell
    """

    scenario: Scenario
    ids: np.ndarray
    _layout: _Layout

    def __len__(self) -> int:
        return self.ids.size

    def rows(self, start: int, stop: int) -> pd.DataFrame:
        """Cases ``start`` to ``stop`` (excluded) as rows of :func:`expand`'s table (with their
        index)."""
        stop = min(stop, len(self))
        table = pd.DataFrame(
            {"case_id": self.case_ids(start, stop), **self._layout.columns(start, stop)},
            columns=list(COLUMNS),
            index=pd.RangeIndex(start, stop),
        )
        table.attrs["source"] = self.scenario.source
        return table

    def case_ids(self, start: int, stop: int) -> list[str]:
        """The ``case_id`` of cases ``start`` to ``stop`` (excluded)."""
        return _hex(self.ids[start:stop])

    def blocks(self, size: int | None = None) -> Iterator[pd.DataFrame]:
        """The rows, ``size`` (default :data:`BLOCK_ROWS`) at a time."""
        size = BLOCK_ROWS if size is None else size
        for start in range(0, len(self), size):
            yield self.rows(start, start + size)


def case_table(scenario: Scenario) -> CaseTable:
    """The cases of a scenario, checked and identified (see :func:`expand`) a block at a time.

    Raises
    ------
    InputError
        As :func:`expand`.
    """
    layout = _layout(scenario)
    ids = np.empty(layout.n, dtype=np.uint64)
    for start in range(0, layout.n, BLOCK_ROWS):
        columns = layout.columns(start, start + BLOCK_ROWS)
        _check_block(scenario, columns, start)
        ids[start : start + BLOCK_ROWS] = _case_numbers(columns)
    order = np.argsort(ids, kind="stable")
    repeats = order[1:][ids[order[1:]] == ids[order[:-1]]]
    if repeats.size:
        i = int(repeats.min())
        first = int(np.argmax(ids == ids[i]))
        raise InputError(
            scenario.source, "sweep", "distinct cases", f"case {i} repeats case {first}"
        )
    return CaseTable(scenario, ids, layout)


def expand(scenario: Scenario) -> pd.DataFrame:
    """The cases of a scenario, one row each, checked.

    Columns: ``case_id`` then :data:`AXES_KEYS` (``mode``, ``direction``, ``speed_m_s``,
    ``grade_pct``, ``condition``, ``strides``, ``mass_kg``, ``height_m``, ``sex``,
    ``muscle_set``, ``exponent``, ``contact_area_model``, ``weight_bearing``,
    ``moment_arm_scale``, ``max_force_scale``, ``pf_contact_area_scale``,
    ``intercondylar_distance_scale``). ``condition`` is a bundled name or the absolute path of a
    profile file. ``case_id`` is
    :func:`case_id` of the row's parameters: the same on every run, machine and row order.
    For large sweeps :func:`case_table` gives the same rows a block at a time.

    Raises
    ------
    InputError
        A case outside GaitSpec/Subject's ranges or the normative data's speed range (naming
        the case and its key), or two identical cases.
    """
    table = case_table(scenario)
    return table.rows(0, len(table))
