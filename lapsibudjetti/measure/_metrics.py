"""One definition of every share and ratio of a child budget (domain.md §7).

Each metric is computed from euro (or head-count) columns that add up over
organisations, years and sectors, so the same definition gives

- the value of one organisation-year (``summary()``, views, ``series()``),
- the **pooled** value of a group (``compare()``'s national figure, the
  CLI's totals): the metric of the summed columns, not a mean of values.

The rule for negative parts is part of the definition. In net costs a part
can be negative where revenue outweighs costs (a municipality's net
corrective tier of −366 000 €); a share of such parts would leave [0, 1].
So a share is empty (NaN) unless every part is ≥ 0 and the whole is > 0;
what float addition leaves of dust (1e-9 of the whole) is clipped, so every
share is in [0, 1] or empty. The placements ratio is empty unless
placements ≥ 0 and non-residential care > 0. The euros of every part stay in
the tables. Summary, series, compare, the workbook, the charts and the CLI
all take their shares and ratios from here.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"universal_euros": [80.0, 50.0], "targeted_euros": [10.0, -5.0],
...                       "corrective_euros": [10.0, 55.0], "child_euros": [100.0, 100.0]})
>>> metric_values("preventive_share", frame).tolist()
[0.9, nan]
>>> pooled(frame, ["preventive_share"])["preventive_share"].tolist()
[0.675]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._errors import InputError
from ..reference._labels import say

__all__ = ["METRICS", "Metric", "add_metrics", "metric_values", "pooled"]

_Columns = Mapping[str, np.ndarray]


@dataclass(frozen=True)
class Metric:
    """A share, ratio or per-head figure defined on columns that add up.

    Attributes
    ----------
    name
        The column it is written to (``preventive_share``).
    needs
        The columns it is computed from; all of them add over groups.
    kind
        ``share`` (in [0, 1] or empty), ``ratio`` (≥ 0 or empty) or
        ``per_head`` (euros per person).
    compute
        The definition, on arrays of the ``needs`` columns.
    rule
        The definition in words (method sheet, docs).
    """

    name: str
    needs: tuple[str, ...]
    kind: str
    compute: Callable[[_Columns], np.ndarray]
    rule: str


def _dust(of: np.ndarray) -> np.ndarray:
    return 1e-9 * np.maximum(np.abs(of), 1.0)


def _whole(parts: Sequence[np.ndarray], of: np.ndarray) -> np.ndarray:
    """True where every part is ≥ 0 (up to the dust of adding floats) and the whole is > 0."""
    dust = _dust(of)
    return np.logical_and.reduce([p >= -dust for p in parts]) & (of > 0)


def _share(part: np.ndarray, of: np.ndarray, parts: Sequence[np.ndarray]) -> np.ndarray:
    ok = _whole(parts, of)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ok, np.clip(part / np.where(ok, of, 1.0), 0.0, 1.0), np.nan)


def _tiers(c: _Columns) -> list[np.ndarray]:
    return [c["universal_euros"], c["targeted_euros"], c["corrective_euros"]]


def _per_child(c: _Columns) -> np.ndarray:
    children = c["children"]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(children > 0, c["child_euros"] / np.where(children > 0, children, 1.0), np.nan)


def _placements_ratio(c: _Columns) -> np.ndarray:
    placements, nonres = c["placements_euros"], c["nonresidential_euros"]
    ok = _whole([placements], nonres)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ok, np.maximum(placements, 0.0) / np.where(ok, nonres, 1.0), np.nan)


def _family(c: _Columns) -> np.ndarray:
    t, k = c["family_targeted_euros"], c["family_corrective_euros"]
    return _share(k, t + k, [t, k])


_TIERS = ("universal_euros", "targeted_euros", "corrective_euros")

#: Every metric of the library, by column name.
METRICS: dict[str, Metric] = {m.name: m for m in (
    Metric("euros_per_child", ("child_euros", "children"), "per_head", _per_child,
           "child euros / target-group population; empty without a population"),
    Metric("child_share_of_total", ("child_euros", "total_euros"), "share",
           lambda c: _share(c["child_euros"], c["total_euros"], [c["child_euros"], c["total_euros"] - c["child_euros"]]),
           "child euros / all euros; empty unless both the child and the other euros are ≥ 0"),
    Metric("preventive_share", (*_TIERS, "child_euros"), "share",
           lambda c: _share(c["universal_euros"] + c["targeted_euros"], c["child_euros"], _tiers(c)),
           "(universal + targeted) / child euros; empty unless every tier is ≥ 0"),
    Metric("corrective_share", (*_TIERS, "child_euros"), "share",
           lambda c: _share(c["corrective_euros"], c["child_euros"], _tiers(c)),
           "corrective / child euros; empty unless every tier is ≥ 0"),
    Metric("placements_ratio", ("placements_euros", "nonresidential_euros"), "ratio", _placements_ratio,
           "placements / non-residential child protection; empty unless placements ≥ 0 and non-residential > 0"),
    Metric("family_services_corrective_share", ("family_targeted_euros", "family_corrective_euros"), "share", _family,
           "corrective / (targeted + corrective) within child and family social services; empty unless both are ≥ 0"),
)}


def _metric(name: str) -> Metric:
    if name not in METRICS:
        raise InputError(say("metric.unknown", name=repr(name), metrics=", ".join(METRICS)))
    return METRICS[name]


def metric_values(name: str, frame: pd.DataFrame) -> np.ndarray:
    """The values of one metric for each row of ``frame`` (which has the metric's ``needs`` columns)."""
    m = _metric(name)
    missing = [c for c in m.needs if c not in frame.columns]
    if missing:
        raise InputError(say("metric.columns", name=name, missing=", ".join(missing)))
    cols = {c: frame[c].to_numpy(dtype=float) for c in m.needs}
    return m.compute(cols)


def add_metrics(frame: pd.DataFrame, names: Sequence[str] | None = None) -> pd.DataFrame:
    """``frame`` with every metric (or ``names``) whose columns it has, computed per row; a new frame."""
    out = frame.copy()
    for name in names if names is not None else METRICS:
        if names is not None or set(_metric(name).needs) <= set(frame.columns):
            out[name] = metric_values(name, out)
    return out


def pooled(frame: pd.DataFrame, names: Sequence[str], by: Sequence[str] = ()) -> pd.DataFrame:
    """The pooled metrics of groups of rows: each metric of the summed columns (never a mean of values).

    A metric that is not a share or ratio (a plain column such as
    ``child_euros``) is pooled as its sum.
    """
    needs: list[str] = []
    for name in names:
        for c in (_metric(name).needs if name in METRICS else (name,)):
            if c not in needs:
                needs.append(c)
    keys = list(by)
    sums = frame.groupby(keys, sort=True, dropna=False)[needs].sum(min_count=1).reset_index() if keys \
        else frame[needs].sum(min_count=1).to_frame().T
    out = sums[keys].copy() if keys else pd.DataFrame(index=sums.index)
    for name in names:
        out[name] = metric_values(name, sums) if name in METRICS else sums[name].to_numpy(dtype=float)
    return out.reset_index(drop=True)
