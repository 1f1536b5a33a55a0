"""Write result tables atomically: a temporary file beside the target, then a rename.

An interrupted or failed write never leaves a partial file under the target's name.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from kneeload.exceptions import InputError

TABLE_SUFFIXES = (".csv", ".parquet")


def check_table_path(path: str | Path) -> Path:
    """The output path if kneeload can write that format, else an InputError (before any work)."""
    p = Path(path)
    if p.suffix.lower() not in TABLE_SUFFIXES:
        raise InputError(p, "--out", f"a file ending in {' or '.join(TABLE_SUFFIXES)}", p.suffix)
    return p


def write_table(table: pd.DataFrame, path: str | Path) -> Path:
    """Write ``table`` to CSV or Parquet (by suffix), atomically; returns the path."""
    p = check_table_path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
    os.close(handle)
    os.chmod(temporary, 0o644)  # mkstemp creates 0600; results are meant to be shared
    try:
        if p.suffix.lower() == ".csv":
            table.to_csv(temporary, index=False, float_format="%.6g")
        else:
            table.to_parquet(temporary, index=False)
        os.replace(temporary, p)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return p
