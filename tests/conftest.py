"""Shared fixtures. Tests that read ``../shared/data`` skip cleanly when it is absent."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
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


@dataclass(frozen=True)
class InstalledWheel:
    """kneeload built as a wheel and unpacked alone into ``site`` (a non-editable install)."""

    wheel: Path
    site: Path

    def run(self, code: str) -> str:
        """Run ``code`` in an isolated interpreter that imports kneeload from ``site``; stdout."""
        result = subprocess.run(
            [
                sys.executable,
                "-I",
                "-c",
                f"import sys; sys.path.insert(0, {str(self.site)!r}); {code}",
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        return result.stdout


@pytest.fixture(scope="session")
def installed_wheel(tmp_path_factory: pytest.TempPathFactory) -> InstalledWheel:
    """Build the wheel once per session (``pip wheel --no-deps``) and unpack it."""
    folder = tmp_path_factory.mktemp("wheel")
    root = Path(__file__).resolve().parents[1]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(folder),
            str(root),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(folder.glob("kneeload-*.whl"))
    site = folder / "site"
    zipfile.ZipFile(wheel).extractall(site)
    return InstalledWheel(wheel, site)
