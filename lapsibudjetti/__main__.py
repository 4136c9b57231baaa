"""``python -m lapsibudjetti``: the same as the ``lapsibudjetti`` command."""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":  # pragma: no branch
    raise SystemExit(main())
