"""Figures that cannot be right for Finland: a forgotten ×1000 (or a ledger read in the wrong unit) is caught here.

The ranges are data (``data/plausibility.csv``): far wider than anything a
Finnish municipality or wellbeing area spends, so only a unit error or a
ledger of a handful of lines falls outside, and that is said, never silently
kept.
"""

from __future__ import annotations

import functools
import io
import warnings
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .._errors import LapsibudjettiWarning

if TYPE_CHECKING:
    from .._allocate import Population
    from .._groups import LineGroups
    from ..reference._registry import Registry

__all__ = ["check_plausible", "implausible", "warn_implausible", "warn_missing_children"]


@functools.cache
def _ranges() -> dict[str, tuple[float, float]]:
    raw = resources.files("lapsibudjetti").joinpath("data/plausibility.csv").read_text(encoding="utf-8")
    t = pd.read_csv(io.StringIO(raw), dtype={"measure": str})
    return {str(m): (float(lo), float(hi)) for m, lo, hi in zip(t["measure"], t["low"], t["high"])}


def implausible(groups: pd.DataFrame, total_euros: np.ndarray, child_euros: np.ndarray, heads: pd.DataFrame) -> pd.DataFrame:
    """Organisation-years whose euros per child or per resident fall outside the plausible range.

    ``groups`` has ``org_type, org_code, year, phase`` (one row per group of
    ``total_euros``/``child_euros``); ``heads`` has ``org_type, org_code,
    year, children`` and ``persons`` (all ages) where known.

    Examples
    --------
    >>> g = pd.DataFrame({"org_type": ["municipality"] * 2, "org_code": ["564", "091"], "year": [2019] * 2, "phase": ["actual"] * 2})
    >>> heads = pd.DataFrame({"org_type": ["municipality"] * 2, "org_code": ["564", "091"], "year": [2019] * 2,
    ...                       "children": [44133.0, 109750.0], "persons": [205489.0, 653835.0]})
    >>> implausible(g, np.array([1.1e6, 3.9e9]), np.array([5.5e5, 1.2e9]), heads)[["org_code", "euros_per_child"]].round(1).to_dict("records")
    [{'org_code': '564', 'euros_per_child': 12.5}]
    """
    ranges = _ranges()
    keys = ["org_type", "org_code", "year"]
    t = groups[keys].astype({"org_type": str, "org_code": str}).assign(total=total_euros, child=child_euros)
    h = heads[keys + [c for c in ("children", "persons") if c in heads]].astype({"org_type": str, "org_code": str})
    t = t.merge(h.drop_duplicates(keys), on=keys, how="left")
    with np.errstate(divide="ignore", invalid="ignore"):
        t["euros_per_child"] = np.where(t.get("children", np.nan) > 0, t["child"] / t.get("children", np.nan), np.nan)
        t["euros_per_resident"] = np.where(t.get("persons", np.nan) > 0, t["total"] / t.get("persons", np.nan), np.nan)
    bad = np.zeros(len(t), dtype=bool)
    for measure in ("euros_per_child", "euros_per_resident"):
        lo, hi = ranges[measure]
        v = np.abs(t[measure].to_numpy(dtype=float))
        bad |= np.isfinite(v) & (v != 0) & ((v < lo) | (v > hi))
    return t.loc[bad, keys + ["euros_per_child", "euros_per_resident"]].reset_index(drop=True)


def warn_implausible(rows: pd.DataFrame, names: pd.Series) -> None:
    """One warning naming the organisation-years (in the session's language)."""
    if rows.empty:
        return
    from ..reference._format import format_euros
    from ..reference._labels import default_lang, text

    lang = default_lang()
    lo_c, hi_c = _ranges()["euros_per_child"]
    lo_r, hi_r = _ranges()["euros_per_resident"]
    what = "; ".join([text("word.per_child_range", lang, low=format_euros(lo_c, lang), high=format_euros(hi_c, lang)),
                      text("word.per_resident_range", lang, low=format_euros(lo_r, lang), high=format_euros(hi_r, lang))])
    shown = []
    for (r, name) in zip(rows.head(8).itertuples(index=False), names.head(8)):
        per = [format_euros(v, lang, decimals=1) for v in (r.euros_per_child, r.euros_per_resident) if np.isfinite(v)]
        shown.append(f"{text('word.in_year', lang, org=f'{name} ({r.org_code})', year=r.year)}: {' / '.join(per)}")
    more = " …" if len(rows) > 8 else ""
    warnings.warn(text("warn.implausible", lang, n=len(rows), what=what, orgs="; ".join(shown) + more), LapsibudjettiWarning, stacklevel=3)


def check_plausible(line_groups: LineGroups, child_euros: np.ndarray, pop: Population | None, registry: Registry, policy: str,
                    ages: tuple[int, int]) -> None:
    """Warn about organisation-years whose euros per child or per resident cannot be right (a forgotten ×1000)."""
    from .._allocate import head_counts

    if pop is None or len(child_euros) == 0:
        return
    n = len(line_groups.groups)
    child = np.bincount(line_groups.gid, weights=child_euros, minlength=n)
    total = line_groups.cents["total"] / 100.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LapsibudjettiWarning)  # the population notes are the main computation's to give
        heads = head_counts(line_groups.groups[["org_type", "org_code", "year"]].drop_duplicates(), pop, registry, ages,
                            policy=policy, persons=True)  # type: ignore[arg-type]
        rows = implausible(line_groups.groups, total, child, heads)
    warn_implausible(rows, registry.names(rows["org_type"], rows["org_code"]) if len(rows) else pd.Series(dtype=object))


def warn_missing_children(children: pd.DataFrame, registry: Registry, policy: str = "exact") -> None:
    """Euros per child left empty for organisation-years without a head count: said, naming them, never silent."""
    missing = children[children["children"].isna()]
    if missing.empty:
        return
    from ..reference._labels import default_lang, option, text

    lang = default_lang()
    names = registry.names(missing["org_type"].astype(str), missing["org_code"].astype(str), lang).to_numpy()
    listed = [text("word.in_year", lang, org=f"{n} ({c})", year=y) for n, c, y in zip(names, missing["org_code"], missing["year"])]
    shown = ", ".join(listed[:8]) + (" …" if len(listed) > 8 else "")
    key = "warn.no_children_nearest" if policy == "nearest" else "warn.no_children"
    warnings.warn(text(key, lang, n=len(listed), orgs=shown, option=option("population_year", "nearest"),
                       population=option("population")), LapsibudjettiWarning, stacklevel=3)
