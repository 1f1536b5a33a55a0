"""The wheel ships ``models/`` and ``scenarios/``, and an installed kneeload finds them.

STYLE.md's packaging note: both folders sit outside ``src/``; hatch ``force-include`` puts them
in the wheel as ``kneeload/_models`` and ``kneeload/_scenarios``, found with importlib.resources.
"""

from __future__ import annotations

import ast
import zipfile
from pathlib import Path

import pytest

from tests.conftest import InstalledWheel

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_contains_models_and_scenarios(installed_wheel: InstalledWheel) -> None:
    names = set(zipfile.ZipFile(installed_wheel.wheel).namelist())
    for path in (ROOT / "models").rglob("*.toml"):
        assert f"kneeload/_models/{path.relative_to(ROOT / 'models').as_posix()}" in names
    assert any(name.startswith("kneeload/_scenarios/") for name in names)
    # installed (not editable): the unpacked wheel alone on sys.path loads a parameter set
    models_dir, name = installed_wheel.run(
        "import kneeload.data as d; print(d.models_dir()); "
        "print(d.load_parameter_set('anthropometry', 'Winter2009')['meta']['name'])"
    ).split()
    assert Path(models_dir).is_relative_to(installed_wheel.site)
    assert name == "Winter2009"


def test_every_njit_kernel_uses_the_configured_flags() -> None:
    """Every ``@njit`` takes ``fastmath=`` and ``cache=`` from kneeload.config (stumpy's check):
    FASTMATH_FLAGS, or NUMPY_EXACT_FASTMATH for kernels that reproduce NumPy to the bit."""
    for path in (ROOT / "src" / "kneeload").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef):
                continue
            for decorator in node.decorator_list:
                if not (
                    isinstance(decorator, ast.Call) and getattr(decorator.func, "id", "") == "njit"
                ):
                    assert getattr(decorator, "id", "") != "njit", f"{path}:{node.name} bare @njit"
                    continue
                keywords = {k.arg: ast.unparse(k.value) for k in decorator.keywords}
                assert keywords.get("fastmath", "").endswith(
                    ("FASTMATH_FLAGS", "NUMPY_EXACT_FASTMATH")
                ), f"{path}:{node.name}"
                assert keywords.get("cache", "").endswith("NUMBA_CACHE"), f"{path}:{node.name}"
