"""The notebooks of ``notebooks/`` run from top to bottom without an error (issues 5 and 6).

Each is copied into a temporary folder and executed there with nbclient and the ``python3``
kernel of this interpreter (ipykernel), so nothing is written next to the saved notebooks. The
saved copies must also carry their outputs (they are read on GitHub without running them).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
NAMES = ["01_quickstart", "02_forward_vs_backward", "03_incline", "04_arthritis"]
#: seconds a cell may take on a loaded 2-core machine (each notebook runs in well under a minute)
CELL_TIMEOUT_S = 300


def test_every_notebook_is_listed() -> None:
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_saved_with_outputs(name: str) -> None:
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code and all(cell.get("execution_count") for cell in code), "not executed"
    outputs = [output for cell in code for output in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), "no figure"
    assert all("/work/" not in cell.source for cell in notebook.cells), "absolute path"


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_runs(name: str, tmp_path: Path) -> None:
    copy = tmp_path / f"{name}.ipynb"
    shutil.copyfile(NOTEBOOKS / f"{name}.ipynb", copy)
    notebook = nbformat.read(copy, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [copy.name], "left files behind"
