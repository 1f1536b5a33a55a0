"""Figures of analysis results. matplotlib is imported only inside these functions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

#: panels of :func:`plot_trial`: column, axis label
TRIAL_PANELS: tuple[tuple[str, str], ...] = (
    ("knee_flexion_deg", "knee flexion [deg]"),
    ("knee_moment_nm_kg", "knee moment, extensor + [N·m/kg]"),
    ("quadriceps_activation", "quadriceps (vasti) activation [-]"),
    ("tf_compressive_bw", "tibiofemoral compression [BW]"),
    ("pf_stress_mpa", "patellofemoral stress [MPa]"),
    ("grf_vertical_bw", "vertical GRF [BW]"),
)


def plot_trial(table: pd.DataFrame, title: str = "", axes: Any = None) -> Any:
    """Per-stride curves of the main knee quantities against % gait cycle.

    Frames outside whole strides are drawn against time instead when the trial has no whole
    stride; panels whose column the table lacks are left out. Returns the matplotlib Figure.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    panels = [(column, label) for column, label in TRIAL_PANELS if column in table.columns]
    if axes is None:
        rows = (len(panels) + 1) // 2
        figure, axes = plt.subplots(rows, 2, figsize=(10, 3.2 * rows), sharex=True, squeeze=False)
    else:
        figure = axes.flat[0].figure
    strides = sorted(s for s in table["stride"].unique() if s > 0)
    for ax, (column, label) in zip(axes.flat, panels, strict=False):
        if strides:
            for stride in strides:
                rows = table[table["stride"] == stride]
                ax.plot(rows["percent_cycle"], rows[column], label=f"stride {stride}")
            ax.set_xlabel("gait cycle [%]")
        else:
            ax.plot(table["time_s"], table[column])
            ax.set_xlabel("time [s]")
        ax.set_ylabel(label)
        ax.axhline(0.0, color="0.7", linewidth=0.8)
    if strides:
        axes.flat[0].legend(fontsize="small")
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def save_figure(figure: Any, path: str | Path) -> Path:
    """Save a figure (format from the suffix) and close it."""
    import matplotlib.pyplot as plt

    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(p, dpi=120)
    plt.close(figure)
    return p
