"""Writing files safely: a file appears under its final name whole, or not at all.

Every output (workbook, tables, charts, rules) is written to a temporary name
in the same folder and renamed into place (an atomic rename on the same file
system), so an interrupted run — Ctrl-C, SIGTERM, a full disk — never leaves
a truncated file under the name a user or a script opens.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_path", "write_atomic"]


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; renamed to ``path`` when the block ends without error.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "table.csv"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("a;b\\n")
    >>> target.read_text(), sorted(p.name for p in target.parent.iterdir())
    ('a;b\\n', ['table.csv'])
    """
    final = Path(path)
    tmp = final.with_name(f".{final.name}.{os.getpid()}.part")
    try:
        yield tmp
        os.replace(tmp, final)
    finally:  # also on KeyboardInterrupt (SIGINT, and SIGTERM in the CLI): no half file stays behind
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_atomic(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder; returns ``path``."""
    final = Path(path)
    with atomic_path(final) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    return final
