"""The validation ladder (DESIGN.md §6) as code.

Each check reads published or measured data from a data folder (``../shared/data``), computes
kneeload's figures, compares them with a stated target and returns a :class:`CheckResult`.
``kneeload validate`` writes the results to a report; the tests in ``tests/validation`` assert
the same checks, so the report and the suite cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from kneeload.exceptions import InputError

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Curve:
    """One of our curves over its reference curve, for the report's figure."""

    label: str
    x: FloatArray
    ours: FloatArray
    reference: FloatArray
    x_label: str
    y_label: str


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one validation check.

    Attributes
    ----------
    name : short identifier, e.g. ``winter_table_a5``
    rung : the DESIGN.md §6 rung and data set
    target : the target in words, with its source
    figures : measured figures, units in the names (e.g. ``knee_moment_rms_nm``)
    passed : whether every target of the check is met
    curves : our curves over the reference curves
    data : the files the check read
    """

    name: str
    rung: str
    target: str
    figures: Mapping[str, float]
    passed: bool
    curves: tuple[Curve, ...] = ()
    data: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)


def rms(values: FloatArray) -> float:
    """Root mean square of the finite values."""
    finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    return float(np.sqrt(np.mean(finite**2)))


def data_folder(data_dir: Path, name: str) -> Path:
    """``data_dir/name``, or an InputError saying which data set is missing."""
    folder = Path(data_dir) / name
    if not folder.is_dir():
        raise InputError(data_dir, name, f"the data set folder {name}/", "none")
    return folder


def all_checks() -> dict[str, Callable[[Path], CheckResult]]:
    """Check name -> function(data_dir) of every check, in ladder order."""
    from kneeload.validation import dynamics, frontal, gait, loads

    return {**dynamics.CHECKS, **loads.CHECKS, **gait.CHECKS, **frontal.CHECKS}


def run_checks(
    data_dir: Path,
    names: Iterable[str] | None = None,
    on_result: Callable[[CheckResult], None] | None = None,
) -> list[CheckResult]:
    """Run the named checks (default: all) against ``data_dir``, in ladder order."""
    checks = all_checks()
    wanted = list(checks) if names is None else list(names)
    unknown = [n for n in wanted if n not in checks]
    if unknown:
        raise InputError("--only", "check", f"one of {', '.join(checks)}", ", ".join(unknown))
    results = []
    for name in wanted:
        result = checks[name](Path(data_dir))
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results
