"""Stage 6, measure: the tables of a child budget and one definition of every share and ratio."""

from ._compare import compare

__all__ = ["compare"]
