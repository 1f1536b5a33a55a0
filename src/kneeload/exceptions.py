"""Exceptions of kneeload. Every user-facing error names the file, the field and what was expected.

The CLI turns any :class:`KneeloadError` into one line on stderr and exit status 2.
"""

from __future__ import annotations

from pathlib import Path


class KneeloadError(Exception):
    """Base class of all errors kneeload raises on purpose."""


class InputError(KneeloadError, ValueError):
    """A file or argument is not what kneeload needs.

    Parameters
    ----------
    source : file path or argument name the problem is in
    field : column, key, marker or parameter name
    expected : what was expected, in words (units, range, allowed values)
    found : what was found instead (optional)
    """

    def __init__(
        self, source: str | Path, field: str, expected: str, found: str | None = None
    ) -> None:
        self.source = str(source)
        self.field = field
        self.expected = expected
        self.found = found
        message = f"{self.source}: {field}: expected {expected}"
        if found is not None:
            message += f", found {found}"
        super().__init__(message)


class ParameterError(KneeloadError, ValueError):
    """A named parameter set or model parameter is unknown or out of range."""


class ModelError(KneeloadError, ValueError):
    """A musculoskeletal model lacks what a computation needs (e.g. no shank body)."""
