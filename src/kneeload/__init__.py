"""kneeload: knee loads over the gait cycle.

The public API is imported lazily (``kneeload.analyze`` loads numba and pandas on first use), so
``import kneeload`` and ``kneeload --help`` stay fast.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "analyze"]


def __getattr__(name: str) -> Any:
    if name == "analyze":
        from kneeload.measured import analyze

        return analyze
    raise AttributeError(f"module 'kneeload' has no attribute {name!r}")
