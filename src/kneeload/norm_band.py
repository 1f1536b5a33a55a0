"""One patient's curve against a normative band: the mean ± k SD (k = 2 by default) over the gait
cycle of a population of matched healthy cases, and where and by how much the patient leaves it.

The band is pointwise: at each of the 101 nodes of percent cycle, mean and sample SD (ddof 1) of
the population's curves. About 95 % of a normal population lies within ± 2 SD at any one node,
but not over the whole cycle at once, so a short excursion is a flag to look at, not a test
(for group differences use :mod:`kneeload.stats`). A population of generated cases is only as
varied as its sampled parameters (e.g. ``scenarios/population.toml`` samples body size and speed):
its band is the model's spread over those, narrower than a gait lab's.

Where the band has zero width (every case has the same value, e.g. vertical GRF in swing) a
patient value different from the mean is outside, with an excursion of infinitely many SD.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kneeload.exceptions import InputError
from kneeload.stats import PERCENT_CYCLE, curve_matrix

#: minimum population cases for a band
MIN_BAND_CASES = 3
#: differences and SD below this fraction of the curves' largest magnitude are rounding error
ROUNDOFF = 1e-12


@dataclass(frozen=True)
class NormBand:
    """Pointwise mean ± k SD of ``n`` curves of ``quantity`` at :data:`PERCENT_CYCLE`."""

    quantity: str
    mean: np.ndarray
    sd: np.ndarray
    n: int
    k_sd: float = 2.0

    @property
    def lower(self) -> np.ndarray:
        return self.mean - self.k_sd * self.sd

    @property
    def upper(self) -> np.ndarray:
        return self.mean + self.k_sd * self.sd


@dataclass(frozen=True)
class Excursion:
    """A stretch of the cycle where the patient is outside the band.

    start_pct, end_pct : first and last node outside [% cycle]
    side : "above" or "below"
    max_beyond : largest distance beyond the band's edge, in the quantity's units
    max_beyond_sd : the same in population SD at that node (|z| - k)
    max_z : (patient - mean) / SD there
    at_pct : where that is [% cycle]
    """

    quantity: str
    start_pct: float
    end_pct: float
    side: str
    max_beyond: float
    max_beyond_sd: float
    max_z: float
    at_pct: float


def band_from_curves(quantity: str, curves: np.ndarray, k_sd: float = 2.0) -> NormBand:
    """The band of a (cases x 101) matrix of curves."""
    y = np.asarray(curves, dtype=float)
    if y.ndim != 2 or y.shape[1] != len(PERCENT_CYCLE):
        raise InputError("norm", quantity, f"(cases x {len(PERCENT_CYCLE)}) curves", str(y.shape))
    if y.shape[0] < MIN_BAND_CASES:
        raise InputError(
            "norm", "cases", f"at least {MIN_BAND_CASES} matched cases", str(y.shape[0])
        )
    if not k_sd > 0:
        raise InputError("norm", "k_sd", "a positive number of SD", str(k_sd))
    mean = y.mean(axis=0)
    sd = y.std(axis=0, ddof=1)
    sd[sd <= ROUNDOFF * np.abs(y).max(initial=0.0)] = 0.0  # equal values up to rounding
    return NormBand(quantity, mean, sd, y.shape[0], k_sd)


def _parse_value(text: str) -> str | float:
    try:
        return float(text)
    except ValueError:
        return text


def match_cases(cases: pd.DataFrame, match: Mapping[str, str], source: str = "norm") -> list[str]:
    """case_ids of the results ``cases`` table whose columns equal the ``match`` values (numbers
    compared to 1e-9 relative, text exactly)."""
    keep = pd.Series(True, index=cases.index)
    for column, text in match.items():
        if column not in cases.columns:
            raise InputError(source, f"--match {column}", f"one of {sorted(cases.columns)}")
        value = _parse_value(text)
        values = cases[column]
        if isinstance(value, float) and pd.api.types.is_numeric_dtype(values):
            keep &= np.isclose(values.to_numpy(dtype=float), value, rtol=1e-9, atol=0.0)
        else:
            keep &= values.astype(str) == text
        if not keep.any():
            found = sorted(map(str, cases[column].unique()))
            raise InputError(
                source, f"--match {column}={text}", "a value of the cases", ", ".join(found)
            )
    return list(cases.loc[keep, "case_id"])


def band_from_results(
    results: Mapping[str, pd.DataFrame],
    quantity: str,
    match: Mapping[str, str] | None = None,
    k_sd: float = 2.0,
    source: str = "norm",
) -> NormBand:
    """The band of ``quantity`` over the (matched) cases of a results folder, as returned by
    :func:`kneeload.sweep.load_results`; failed cases (no curves) are left out."""
    curves = results["curves"]
    if curves.empty:
        raise InputError(source, "curves", "a results folder with computed cases", "none")
    if quantity not in curves.columns:
        raise InputError(source, "--quantity", "a column of the curves", quantity)
    ids = match_cases(results["cases"], match or {}, source)
    done = set(curves["case_id"])
    ids = [c for c in ids if c in done]
    return band_from_curves(quantity, curve_matrix(curves, quantity, ids), k_sd)


def excursions(patient: np.ndarray, band: NormBand) -> list[Excursion]:
    """The stretches of the cycle where ``patient`` (101 nodes) is outside ``band``."""
    y = np.asarray(patient, dtype=float)
    if y.shape != band.mean.shape:
        raise InputError("patient", band.quantity, f"{band.mean.shape} nodes", str(y.shape))
    tolerance = ROUNDOFF * float(np.max(np.abs([band.lower, band.upper])))
    difference = np.where(np.abs(y - band.mean) <= tolerance, 0.0, y - band.mean)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(band.sd > 0, difference / band.sd, np.sign(difference) * np.inf)
    found = []
    for side, beyond in (("above", y - band.upper), ("below", band.lower - y)):
        outside = beyond > tolerance
        edges = np.flatnonzero(np.diff(np.r_[0, outside.astype(np.int8), 0]))
        for start, stop in zip(edges[::2], edges[1::2], strict=True):
            i = start + int(np.argmax(beyond[start:stop]))
            found.append(
                Excursion(
                    quantity=band.quantity,
                    start_pct=float(PERCENT_CYCLE[start]),
                    end_pct=float(PERCENT_CYCLE[stop - 1]),
                    side=side,
                    max_beyond=float(beyond[i]),
                    max_beyond_sd=float(abs(z[i]) - band.k_sd),
                    max_z=float(z[i]),
                    at_pct=float(PERCENT_CYCLE[i]),
                )
            )
    return sorted(found, key=lambda e: e.start_pct)


def excursion_table(found: Sequence[Excursion]) -> pd.DataFrame:
    """Excursions as a table, one row each (columns as :class:`Excursion`)."""
    columns = list(Excursion.__dataclass_fields__)
    return pd.DataFrame([[getattr(e, c) for c in columns] for e in found], columns=columns)
