"""Muscles: geometry (moment arms, lengths) and load sharing by static optimisation."""
