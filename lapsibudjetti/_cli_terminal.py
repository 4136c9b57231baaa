"""The command line's terminal: a progress bar on stderr and a console that keeps results and notes apart."""

from __future__ import annotations

import sys
from typing import IO

__all__ = ["Progress"]


class Progress:
    """A plain-text progress bar on stderr, drawn only when stderr is a terminal.

    Examples
    --------
    >>> import io
    >>> p = Progress(3, stream=io.StringIO())   # not a terminal: draws nothing
    >>> p.step("reading a.csv"); p.close()
    >>> p.stream.getvalue()
    ''
    """

    def __init__(self, total: int, *, stream: IO[str] | None = None, enabled: bool | None = None, width: int = 24) -> None:
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled and total > 1
        self.total = max(1, total)
        self.done = 0
        self.width = width
        self._shown = 0

    def step(self, label: str) -> None:
        """Count one piece of work as started and redraw."""
        self.done = min(self.total, self.done + 1)
        if not self.enabled:
            return
        filled = int(self.width * self.done / self.total)
        line = f"[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total} {label}"[:100]
        self.stream.write("\r" + line.ljust(self._shown))
        self.stream.flush()
        self._shown = len(line)

    def clear(self) -> None:
        """Remove the bar (before printing other text)."""
        if self.enabled and self._shown:
            self.stream.write("\r" + " " * self._shown + "\r")
            self.stream.flush()
            self._shown = 0

    def close(self) -> None:
        self.clear()


class _Console:
    """stdout for results, stderr for notes and problems, both clear of the progress bar."""

    def __init__(self) -> None:
        self.progress: Progress | None = None

    def out(self, text: str = "") -> None:
        if self.progress:
            self.progress.clear()
        print(text, file=sys.stdout)

    def err(self, text: str) -> None:
        if self.progress:
            self.progress.clear()
        print(text, file=sys.stderr)
