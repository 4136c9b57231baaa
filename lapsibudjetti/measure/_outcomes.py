"""outcomes: euros beside outcome indicators (children placed outside the home, school-leaving certificates, visits …).

An indicator table has one row per organisation, year and indicator
(``org_type, org_code, year, indicator, value, unit, source``). Beside the
child budget's euros of the same organisation-year it gives the derived
measures: euros of placements and corrective euros per placed child, and any
count indicator per 1 000 children. A year without an indicator figure is
empty (never zero) and listed.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .._errors import InputError, LapsibudjettiWarning
from ..reference._labels import say

__all__ = ["INDICATOR_COLUMNS", "indicator_table", "outcomes"]

INDICATOR_COLUMNS = ("org_type", "org_code", "year", "indicator", "value", "unit", "source")
#: The indicator whose count divides the placements and corrective euros.
PLACED = "placed_children"
_KEYS = ["org_type", "org_code", "year"]


def indicator_table(indicators: pd.DataFrame | str | Path, *, source: str | None = None) -> pd.DataFrame:
    """An indicator table checked and typed: from a DataFrame or a CSV/XLSX file.

    ``org_code, year, indicator, value`` are needed; ``org_type`` defaults
    to ``municipality`` (``wellbeing_area`` for two-digit codes), ``unit`` and
    ``source`` to empty / the file name. A value that is not a number is an
    error naming the row; an empty value is a missing figure (kept missing).

    Examples
    --------
    >>> t = indicator_table(pd.DataFrame({"org_code": ["20"], "year": [2024], "indicator": ["placed_children"],
    ...                                   "value": [197]}))
    >>> t[["org_type", "org_code", "value"]].values.tolist()
    [['wellbeing_area', '20', 197.0]]
    """
    if isinstance(indicators, str | Path):
        from ..read._tables import read_text_table

        path = Path(indicators)
        frame = read_text_table(path, what="indicator table", numeric=("value",))
        source = source or path.name
    else:
        frame = indicators.copy()
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in ("org_code", "year", "indicator", "value") if c not in frame.columns]
    if missing:
        raise InputError(say("table.needs_columns", what=say("table.indicator_table"), missing=", ".join(missing),
                             have=", ".join(frame.columns)), file=source)
    out = pd.DataFrame(index=frame.index)
    codes = frame["org_code"].astype(str).str.strip()
    if "org_type" in frame.columns:
        out["org_type"] = frame["org_type"].astype(str).str.strip()
    else:
        out["org_type"] = np.where(codes.str.len() == 2, "wellbeing_area", "municipality")
    out["org_code"] = codes
    year = pd.to_numeric(frame["year"], errors="coerce")
    raw = frame["value"]
    value = pd.to_numeric(raw, errors="coerce")
    bad = year.isna() | (value.isna() & raw.notna() & (raw.astype(str).str.strip() != ""))
    if bad.any():
        raise InputError(say("outcomes.bad_rows", n=int(bad.sum())), rows=frame.loc[bad], file=source, column="value")
    out["year"] = year.astype("int64")
    out["indicator"] = frame["indicator"].astype(str).str.strip()
    out["value"] = value.astype(float)
    out["unit"] = frame["unit"].astype(str) if "unit" in frame.columns else ""
    out["source"] = frame["source"].astype(str) if "source" in frame.columns else (source or "user")
    dup = out.duplicated(["org_type", "org_code", "year", "indicator"], keep=False)
    if dup.any():
        raise InputError(say("outcomes.twice"),
                         rows=out[dup], file=source)
    return out.reset_index(drop=True)[list(INDICATOR_COLUMNS)]


def outcomes(summary: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Euros beside each indicator of the same organisation-year (the rows of ``summary`` and ``indicators``).

    Returns one row per organisation × year × phase × indicator for every
    organisation that has the indicator in some year: ``value`` (empty where
    that year has no figure), ``unit``, ``children``, ``child_euros``,
    ``placements_euros``, ``corrective_euros``, and the derived
    ``placements_euros_per_placed_child``, ``corrective_euros_per_placed_child``
    (indicator ``placed_children``) and ``per_1000_children`` (count
    indicators, i.e. a unit not in %). Missing figures are warned about, by
    organisation and year.
    """
    s = summary.copy()
    for c in ("org_type", "org_code", "phase"):
        s[c] = s[c].astype(str)
    ind = indicators.copy()
    have = ind[["org_type", "org_code", "indicator"]].drop_duplicates()
    base = s[_KEYS + ["phase", "children", "child_euros", "placements_euros", "corrective_euros"]]
    rows = base.merge(have, on=["org_type", "org_code"], how="inner")
    out = rows.merge(ind, on=_KEYS + ["indicator"], how="left")
    placed = out["indicator"] == PLACED
    v = out["value"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        ok = placed.to_numpy() & (v > 0)
        out["placements_euros_per_placed_child"] = np.where(ok, out["placements_euros"].to_numpy(dtype=float) / np.where(ok, v, 1), np.nan)
        out["corrective_euros_per_placed_child"] = np.where(ok, out["corrective_euros"].to_numpy(dtype=float) / np.where(ok, v, 1), np.nan)
        count = ~out["unit"].fillna("").astype(str).str.contains("%") & (out["children"].to_numpy(dtype=float) > 0)
        ch = out["children"].to_numpy(dtype=float)
        out["per_1000_children"] = np.where(count, v / np.where(count, ch, 1) * 1000.0, np.nan)
    gaps = out[out["value"].isna()]
    if len(gaps):
        listed = ", ".join(f"{r.org_code} {r.year} ({r.indicator})" for r in gaps.drop_duplicates(_KEYS + ["indicator"]).head(10).itertuples())
        warnings.warn(say("outcomes.gaps", n=len(gaps.drop_duplicates(_KEYS + ["indicator"])), listed=listed + (" …" if len(gaps) > 10 else "")),
                      LapsibudjettiWarning, stacklevel=3)
    cols = [*_KEYS, "phase", "indicator", "value", "unit", "children", "child_euros", "placements_euros", "corrective_euros",
            "placements_euros_per_placed_child", "corrective_euros_per_placed_child", "per_1000_children", "source"]
    return out[cols].sort_values([*_KEYS, "phase", "indicator"], kind="stable").reset_index(drop=True)
