"""Locate the bundled ``models/`` and ``scenarios/`` folders, installed or in a checkout.

An installed wheel carries them as ``kneeload/_models`` and ``kneeload/_scenarios`` (hatch
``force-include``, see pyproject.toml); a checkout or editable install finds them at the top of
the repository. Nothing is read at import.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from kneeload.exceptions import InputError, ParameterError

_REPOSITORY_ROOT = Path(__file__).resolve().parents[2]


def _bundled_folder(installed_name: str, checkout_name: str) -> Path:
    installed = Path(str(resources.files("kneeload") / installed_name))
    if installed.is_dir():
        return installed
    checkout = _REPOSITORY_ROOT / checkout_name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"kneeload's {checkout_name}/ folder is missing from the installation")


def models_dir() -> Path:
    """Folder of model parameter files (anthropometry, muscles, gait templates, conditions)."""
    return _bundled_folder("_models", "models")


def scenarios_dir() -> Path:
    """Folder of the bundled scenario files."""
    return _bundled_folder("_scenarios", "scenarios")


def available(kind: str) -> list[str]:
    """Names of the parameter sets of one kind (a subfolder of ``models/``), sorted."""
    return sorted(path.stem for path in (models_dir() / kind).glob("*.toml"))


def read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML file; a syntax error names the file and the line."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise InputError(path, "file", "an existing TOML file") from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(path, "TOML syntax", "valid TOML", str(error)) from None


def load_parameter_set(kind: str, name: str) -> dict[str, Any]:
    """Load ``models/<kind>/<name>.toml``; an unknown name lists the valid ones (PyBaMM style)."""
    path = models_dir() / kind / f"{name}.toml"
    if not path.is_file():
        valid = ", ".join(available(kind)) or "(none)"
        raise ParameterError(
            f"'{name}' is not a valid {kind} parameter set. Parameter set must be one of: {valid}"
        )
    return read_toml(path)
