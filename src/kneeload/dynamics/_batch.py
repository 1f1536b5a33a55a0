"""Input coercion shared by the inverse-dynamics wrappers."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kneeload.exceptions import InputError


def as_batch(
    source: str, name: str, value: ArrayLike, shape: tuple[int, ...]
) -> NDArray[np.float64]:
    """C-contiguous float64 of ``shape`` (cases first), adding the case axis when it is
    missing; an InputError naming ``source`` and ``name`` otherwise."""
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == len(shape) - 1:
        array = array[np.newaxis]
    if array.shape != shape:
        raise InputError(source, name, f"an array of shape {shape}", str(array.shape))
    return np.ascontiguousarray(array)
