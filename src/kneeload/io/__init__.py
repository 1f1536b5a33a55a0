"""Readers of gait-lab files. Each returns a small typed object in SI units with its time base.

Arrays are time-first: the first dimension is always the frame (Kinetics Toolkit's convention).
"""
