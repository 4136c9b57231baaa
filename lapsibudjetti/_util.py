"""Small helpers shared across stages: years asked, short listings, organisation names."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._errors import InputError
from .reference._labels import say
from .reference._registry import Registry

_MAX_LISTED = 12



def _as_years(years: int | Sequence[int] | range | None) -> set[int] | None:
    if years is None:
        return None
    if isinstance(years, bool):
        raise InputError(say("years.bad", value=repr(years)))
    if isinstance(years, int | np.integer):
        return {int(years)}
    try:
        out = {int(y) for y in years}
    except (TypeError, ValueError) as exc:
        raise InputError(say("years.bad", value=repr(years))) from exc
    if not out:
        raise InputError(say("years.empty"))
    return out


def _name(registry: Registry, org_type: str, code: str) -> str:
    """``091 (Helsinki)``, the name in the session's language (``091 (Helsingfors)`` in Swedish)."""
    from .reference._labels import default_lang

    return f"{code} ({registry.name(org_type, code, default_lang())})"


def _listing(items: Sequence[str]) -> str:
    items = list(items)
    from .reference._labels import say

    more = say("error.problems_more", n=len(items) - _MAX_LISTED) if len(items) > _MAX_LISTED else ""
    return "; ".join(items[:_MAX_LISTED]) + more
