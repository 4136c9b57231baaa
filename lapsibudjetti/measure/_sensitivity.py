"""sensitivity: the headline figures of a child budget under each key profile, side by side.

How much of the corrective share is an allocation choice? The same ledger is
computed again under each profile (the default age-cost weights for health
care, the plain ``population_keys``, the ``placements_only`` tiers) and the
headline figures are put side by side, with the part of the corrective
euros that comes from keyed (yellow) lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .._errors import InputError
from ..reference._labels import say
from ._metrics import pooled

if TYPE_CHECKING:
    from .._budget import ChildBudget

__all__ = ["PROFILE_NOTES", "sensitivity"]

#: What each profile does (English; the table says it in the session's language: labels ``profile_note.<profile>``).
PROFILE_NOTES: dict[str, str] = {
    "default": "health care keyed by the 0–17 population weighted by the health-care base prices by age (VNA 1278/2013)",
    "population_keys": "health care keyed by the plain 0–17 population share (as before the age-cost weights)",
    "placements_only": "non-residential child protection counted as targeted early support, placements as corrective",
}
_FIGURES = ("child_euros", "children", "euros_per_child", "preventive_share", "corrective_share")
_GROUP = ["org_type", "org_code", "year", "phase"]


def _keyed_corrective(cb: ChildBudget) -> pd.DataFrame:
    lines = cb.lines
    mask = (lines["tier"].astype(str) == "corrective") & (lines["colour"].astype(str) == "yellow")
    keyed = lines.loc[mask, _GROUP + ["child_euros"]]
    for c in ("org_type", "org_code", "phase"):
        keyed[c] = keyed[c].astype(str)
    return keyed.groupby(_GROUP, observed=True, sort=False)["child_euros"].sum().rename("corrective_keyed_euros").reset_index()


def sensitivity(results: Sequence[tuple[str, ChildBudget]]) -> pd.DataFrame:
    """The headline figures of the same ledgers under each key profile, per organisation-year and all together.

    Called by :meth:`ChildBudget.sensitivity`, which computes the ledgers
    again under each profile.

    Parameters
    ----------
    results
        ``(profile, child budget)`` pairs, in the order to show.

    Returns
    -------
    DataFrame
        ``profile, profile_note, org_type, org_code, year, phase,
        child_euros, children, euros_per_child, preventive_share,
        corrective_share, corrective_euros, corrective_keyed_euros,
        corrective_keyed_share`` (the part of the corrective euros from
        keyed, yellow lines); ``org_type`` ``all`` rows pool every
        organisation of the year and phase (without a per-child figure when
        municipalities and wellbeing areas, whose children are the same, are
        both there).

    Examples
    --------
    >>> import lapsibudjetti as lb
    >>> led = lb.make_ledger({"org_code": ["564", "564"], "year": [2019, 2019],
    ...     "task_class": ["Perusopetus", "Erikoissairaanhoito"], "amount": [1000.0, 1000.0]},
    ...     org_type="municipality", phase="actual")
    >>> t = lb.child_budget(led).sensitivity()
    >>> t[t["org_type"] == "municipality"][["profile", "child_euros"]].round(2).values.tolist()
    [['default', 1147.34], ['population_keys', 1214.77]]
    """
    if not results:
        raise InputError(say("sens.no_profile"))
    frames = []
    for profile, result in results:
        s = result.summary()
        s = s.assign(org_type=s["org_type"].astype(str), org_code=s["org_code"].astype(str), phase=s["phase"].astype(str))
        rows = s[_GROUP + list(_FIGURES) + ["universal_euros", "targeted_euros", "corrective_euros"]]
        total = pooled(rows, [*_FIGURES, "corrective_euros"], ["year", "phase"]).assign(org_type="all", org_code="")
        if len(set(rows["org_type"]) & {"municipality", "wellbeing_area"}) == 2:
            # an area's children are its members' children: counted twice, so no per-child figure for all together
            total[["children", "euros_per_child"]] = np.nan
        both = pd.concat([rows[_GROUP + list(_FIGURES) + ["corrective_euros"]], total[_GROUP + list(_FIGURES) + ["corrective_euros"]]],
                         ignore_index=True)
        keyed = _keyed_corrective(result)
        keyed_all = keyed.groupby(["year", "phase"], sort=False)["corrective_keyed_euros"].sum().reset_index().assign(org_type="all", org_code="")
        both = both.merge(pd.concat([keyed, keyed_all], ignore_index=True), on=_GROUP, how="left")
        both["corrective_keyed_euros"] = both["corrective_keyed_euros"].fillna(0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            c = both["corrective_euros"].to_numpy(dtype=float)
            both["corrective_keyed_share"] = np.where(c > 0, both["corrective_keyed_euros"].to_numpy(dtype=float) / np.where(c > 0, c, 1), np.nan)
        both.insert(0, "profile_note", say(f"profile_note.{profile}") if profile in PROFILE_NOTES else "")
        both.insert(0, "profile", profile)
        frames.append(both)
    out = pd.concat(frames, ignore_index=True)
    order = {p: i for i, (p, _) in enumerate(results)}
    out["_all"] = out["org_type"] == "all"
    out = out.sort_values(["_all", "org_type", "org_code", "year", "phase", "profile"], key=lambda s: s.map(order) if s.name == "profile" else s,
                          kind="stable").drop(columns="_all")
    return out.reset_index(drop=True)
