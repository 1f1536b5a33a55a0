"""kneeload: knee loads over the gait cycle.

The public API is imported lazily (``kneeload.analyze`` and ``kneeload.simulate`` load numba and
pandas on first use), so ``import kneeload`` and ``kneeload --help`` stay fast.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = [
    "GaitSpec",
    "Subject",
    "__version__",
    "analyze",
    "load_results",
    "run_scenario",
    "simulate",
]


def __getattr__(name: str) -> Any:
    if name == "analyze":
        from kneeload.measured import analyze

        return analyze
    if name == "simulate":
        from kneeload.gait.simulate import simulate

        return simulate
    if name in ("run_scenario", "load_results"):
        from kneeload import sweep

        return getattr(sweep, name)
    if name in ("GaitSpec", "Subject"):
        from kneeload.gait import spec

        return getattr(spec, name)
    raise AttributeError(f"module 'kneeload' has no attribute {name!r}")
