"""Write result tables atomically: a temporary file beside the target, then a rename.

An interrupted or failed write never leaves a partial file under the target's name. Formats by
suffix: CSV, Parquet, and OpenSim storage (``.sto``, header version 1 as OpenSim 4 writes it:
``version=1``, ``nRows``, ``nColumns``, ``inDegrees=yes`` since angles are in degrees, then
``endheader``; ``time_s`` becomes OpenSim's ``time`` column), so curves plot beside OpenSim's.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from kneeload.exceptions import InputError

TABLE_SUFFIXES = (".csv", ".parquet", ".sto")
_HEADER_KEY = re.compile(r"^[A-Za-z_]\w*$")


def check_table_path(path: str | Path) -> Path:
    """The output path if kneeload can write that format, else an InputError (before any work)."""
    p = Path(path)
    if p.suffix.lower() not in TABLE_SUFFIXES:
        raise InputError(p, "--out", f"a file ending in {' or '.join(TABLE_SUFFIXES)}", p.suffix)
    return p


@contextmanager
def atomic_path(path: Path, suffix: str = ".tmp") -> Iterator[Path]:
    """A temporary path beside ``path`` (a dot file, which Parquet readers skip), renamed onto
    it when the block succeeds and removed otherwise, so ``path`` is whole or absent."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    os.close(handle)
    os.chmod(temporary, 0o644)  # mkstemp creates 0600; results are meant to be shared
    try:
        yield Path(temporary)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def write_table(table: pd.DataFrame, path: str | Path) -> Path:
    """Write ``table`` to CSV, Parquet or OpenSim ``.sto`` (by suffix), atomically; returns the
    path."""
    p = check_table_path(path)
    with atomic_path(p) as temporary:
        if p.suffix.lower() == ".csv":
            table.to_csv(temporary, index=False, float_format="%.6g")
        elif p.suffix.lower() == ".sto":
            temporary.write_text(storage_text(table, p.stem), encoding="utf-8")
        else:
            table.to_parquet(temporary, index=False)
    return p


def storage_text(table: pd.DataFrame, name: str) -> str:
    """``table`` as an OpenSim storage file (header version 1, full precision, tab separated).

    The first column must be ``time_s`` (written ``time``); every column numeric. Simple
    ``attrs`` (a name and a one-line string or number: ``side``, ``direction``...) are written
    as ``key=value`` header lines, which OpenSim and :func:`kneeload.io.opensim.read_storage`
    keep.
    """
    if len(table.columns) == 0 or table.columns[0] != "time_s":
        first = str(table.columns[0]) if len(table.columns) else "no columns"
        raise InputError(name, "time_s", "a results table whose first column is time_s", first)
    extra = [
        f"{key}={value}"
        for key, value in table.attrs.items()
        if _HEADER_KEY.match(str(key))
        and isinstance(value, str | int | float)
        and "\n" not in str(value)
        and str(key) not in {"version", "nRows", "nColumns", "inDegrees"}
    ]
    labels = ["time", *map(str, table.columns[1:])]
    values = table.to_numpy(dtype=float)
    head = [
        name,
        "version=1",
        f"nRows={values.shape[0]}",
        f"nColumns={values.shape[1]}",
        "inDegrees=yes",
        *extra,
        "endheader",
        "\t".join(labels),
    ]
    rows = ["\t".join("NaN" if math.isnan(v) else f"{v:.17g}" for v in row) for row in values]
    return "\n".join(head + rows) + "\n"
