"""Checks shared by the strict readers of user-written files (column maps, scenarios): unknown
keys with a "did you mean" hint."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kneeload.exceptions import InputError


def closest_name(name: str, candidates: Sequence[str]) -> str | None:
    """The candidate equal to ``name`` but for case, else the closest by spelling, else None."""
    same = [c for c in candidates if c.lower() == name.lower()]
    if same:
        return same[0]
    close = difflib.get_close_matches(name, list(candidates), n=1)
    return close[0] if close else None


def check_keys(source: Path, table: Mapping[str, Any], where: str, allowed: frozenset[str]) -> None:
    """InputError for the first key of ``table`` not in ``allowed``, naming the key path
    (``where.key``), the allowed keys and the closest one ("did you mean")."""
    for key in table:
        if key not in allowed:
            hint = closest_name(key, sorted(allowed))
            found = repr(key) + (f" (did you mean {hint!r}?)" if hint else "")
            raise InputError(
                source,
                f"{where}.{key}" if where else key,
                f"one of {', '.join(sorted(allowed))}",
                found,
            )
