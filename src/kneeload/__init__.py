"""kneeload: knee loads over the gait cycle."""

__version__ = "0.1.0"
