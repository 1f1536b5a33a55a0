"""Shared fixtures. Tests that read ``../shared/data`` skip cleanly when it is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

#: measured and reference data beside the project (never copied into it); see its README.md
SHARED_DATA = Path(
    os.environ.get(
        "KNEELOAD_SHARED_DATA", Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
    )
).resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path of ``../shared/data``; skips the test when the folder is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data folder not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def subject01(shared_data: Path) -> dict[str, Path]:
    """OpenSim's subject01 walk: IK coordinates, GRF, scaled gait10dof18musc and OpenSim's ID."""
    folder = shared_data / "opensim_subject01_walk"
    return {
        "kinematics": folder / "gait10dof18musc" / "subject01_walk_IK.mot",
        "forces": folder / "experimental" / "subject01_walk1_grf.mot",
        "model": folder / "gait10dof18musc" / "subject01_scaled.osim",
        "id": folder / "gait10dof18musc" / "subject01_walk_ID.sto",
    }
