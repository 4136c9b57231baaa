"""compare: organisations ranked against the national, group or peer median, with the pooled figures."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._errors import AllocationError, InputError
from .._util import _as_years, _listing, _name
from ..reference._labels import lang_or_default, say, text
from ..reference._registry import Registry
from ._metrics import METRICS, pooled

if TYPE_CHECKING:
    from .._budget import ChildBudget

_BY_ALIASES: dict[str, str] = {
    "national": "national",
    "country": "national",
    "municipality group": "municipality group",
    "municipality_group": "municipality group",
    "group": "municipality group",
    "kuntaryhmitys": "municipality group",
    "area": "area",
    "wellbeing_area": "area",
    "wellbeing area": "area",
    "region": "area",
}


# --------------------------------------------------------------------------- compare


def _national_pooled(s: pd.DataFrame, metric: str) -> np.ndarray:
    """The metric of the summed euros of every organisation of each year and phase (its one definition)."""
    if metric in METRICS:
        if not set(METRICS[metric].needs) <= set(s.columns):
            return np.full(len(s), np.nan)
    elif not metric.endswith("_euros"):  # a column without a pooled form (a count, an index)
        return np.full(len(s), np.nan)
    table = pooled(s, [metric], by=["year", "phase"])
    keys = s[["year", "phase"]].astype({"phase": object})
    return keys.merge(table.astype({"phase": object}), on=["year", "phase"], how="left")[metric].to_numpy(dtype=float)


def compare(
    result: ChildBudget,
    *,
    by: str | Sequence[str] = "municipality group",
    metric: str | Sequence[str] = "euros_per_child",
    org_type: str | None = None,
    years: int | Sequence[int] | range | None = None,
    phase: str | None = None,
    membership_year: int | None = None,
    registry: Registry | None = None,
    lang: str | None = None,
) -> pd.DataFrame:
    """Rank organisations of the same kind against the national and a group median.

    Parameters
    ----------
    result
        A child budget or a view with several organisations of one kind
        (municipalities, or regions from ``region_view(..., "all")``).
    by
        The group each organisation is compared with besides the whole
        country: ``"municipality group"`` (Statistics Finland's urban /
        semi-urban / rural grouping, kuntaryhmitys, of the packaged
        municipalities), ``"area"`` (the municipalities of the same
        wellbeing area), ``"national"`` (no group), or a list of
        organisations (codes or names) forming a peer group.
    metric
        One or several numeric columns of ``summary()``: ``euros_per_child``
        (default), ``preventive_share``, ``corrective_share``,
        ``child_share_of_total``, ``placements_ratio``, ``child_euros``, …
    org_type
        Which organisations to compare when the result has several kinds.
    years, phase
        Keep these years / this phase only.
    membership_year
        For ``by="area"`` and ``"municipality group"``: group municipalities
        by this year's membership and key (a merged municipality by the
        municipality it merged into).
    registry
        Default: the result's registry.
    lang
        Language of the names (``fi``, ``sv``, ``en``).

    Returns
    -------
    DataFrame
        One row per organisation × year × phase × metric: ``name``,
        ``value``, ``children`` and ``population_basis`` (the population
        behind the figure), ``rank`` (1 = highest) of ``n``,
        ``national_median``, ``national_pooled`` (sum over organisations,
        e.g. all child euros / all children), ``vs_national_median``,
        ``group``, ``group_name``, ``group_n``, ``group_median``,
        ``vs_group_median``, ``group_rank``. Medians are over organisations
        (each counts once), not weighted by population.

    Raises
    ------
    InputError
        For a mixed result without ``org_type``, an unknown metric, or a
        grouping that does not apply (a municipality group for regions).
    AllocationError
        An organisation without a group (no membership, no municipality
        group), naming it.

    Examples
    --------
    >>> import lapsibudjetti as lb
    >>> led = lb.make_ledger({"org_code": ["091", "564", "005"], "year": [2019] * 3,
    ...     "task_class": ["Perusopetus"] * 3, "amount": [6e8, 2e8, 1e7]}, org_type="municipality", phase="actual")
    >>> c = compare(lb.child_budget(led), by="municipality group")
    >>> c[["org_code", "value", "children", "rank", "group_name", "group_rank"]].round(0).to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'org_code': '005', 'value': 4953.0, 'children': 2019.0, 'rank': 2, 'group_name': 'Taajaan asutut kunnat', 'group_rank': 1},
     {'org_code': '091', 'value': 5467.0, 'children': 109750.0, 'rank': 1, 'group_name': 'Kaupunkimaiset kunnat', 'group_rank': 1},
     {'org_code': '564', 'value': 4532.0, 'children': 44133.0, 'rank': 3, 'group_name': 'Kaupunkimaiset kunnat', 'group_rank': 2}]
    """
    if not hasattr(result, "summary"):
        raise InputError(say("arg.type", name="compare(result)", expected=say("what.budget_or_view"), got=type(result).__name__))
    lang = lang_or_default(lang)
    reg = registry or getattr(result, "registry", None) or Registry.default()
    s, org_type, metrics = _summary_to_compare(result, reg, org_type=org_type, years=years, phase=phase, metric=metric, lang=lang)

    how, peers = _grouping(by, reg, org_type)
    group, group_name = _groups(s, how, peers, by=by, org_type=org_type, reg=reg, membership_year=membership_year, lang=lang)
    s["group"] = group
    s["group_name"] = group_name
    if how == "peers":
        s["in_peer_group"] = s["org_code"].isin(peers or [])

    rows = [_metric_rows(s, m, how) for m in metrics]
    out = pd.concat(rows, ignore_index=True)
    # a result with the exporters' protocol only has these in its summary
    out["measure"] = getattr(result, "measure", None) or (s["measure"].iloc[0] if "measure" in s else "")
    target = getattr(result, "target_group", None)
    out["target_group"] = target.name if target is not None else (s["target_group"].iloc[0] if "target_group" in s else "")
    order = ["org_type", "org_code", "name", "year", "phase", "metric", "value", "children", "population_basis", "rank", "n",
             "national_median", "national_pooled", "vs_national_median", "group", "group_name", "group_n", "group_median",
             "vs_group_median", "group_rank"] + (["in_peer_group"] if how == "peers" else []) + ["measure", "target_group"]
    return out[order].sort_values(["metric", "year", "phase", "org_code"], kind="stable").reset_index(drop=True)


def _summary_to_compare(result: ChildBudget, reg: Registry, *, org_type: str | None, years: Any, phase: str | None,
                        metric: str | Sequence[str], lang: str) -> tuple[pd.DataFrame, str, list[str]]:
    """The summary rows of one organisation type, years and phase, with names and population basis; the metrics."""
    s = result.summary()
    kinds = sorted(set(s["org_type"].astype(str)))
    if org_type is None:
        if len(kinds) > 1:
            raise InputError(say("compare.several_kinds", kinds=", ".join(kinds)))
        org_type = kinds[0]
    elif org_type not in kinds:
        raise InputError(say("compare.no_kind", org_type=repr(org_type), kinds=", ".join(kinds)))
    s = s[s["org_type"].astype(str) == org_type]
    wanted = _as_years(years)
    if wanted is not None:
        s = s[s["year"].isin(sorted(wanted))]
    if phase is not None:
        s = s[s["phase"].astype(str) == phase]
    if s.empty:
        raise InputError(say("compare.nothing"))
    metrics = [metric] if isinstance(metric, str) else list(metric)
    numeric = [c for c in s.columns if pd.api.types.is_numeric_dtype(s[c]) and c != "year"]
    bad = [m for m in metrics if m not in numeric]
    if bad:
        raise InputError(say("compare.unknown_metric", bad=", ".join(bad), numeric=", ".join(numeric)))
    s = s.reset_index(drop=True)
    s["org_code"] = s["org_code"].astype(str)
    s["name"] = reg.names(s["org_type"].astype(str), s["org_code"], lang).to_numpy()
    children = getattr(result, "children", None)
    if children is None:  # a result with the exporters' protocol only: no population basis to show
        children = s[["org_type", "org_code", "year"]].assign(population_basis="")
    basis = children.astype({"org_type": object, "org_code": object})
    basis = basis.assign(org_code=basis["org_code"].astype(str))[["org_type", "org_code", "year", "population_basis"]]
    s = s.merge(basis.drop_duplicates(["org_type", "org_code", "year"]), on=["org_type", "org_code", "year"], how="left")

    return s, org_type, metrics


def _grouping(by: str | Sequence[str], reg: Registry, org_type: str) -> tuple[str, list[str] | None]:
    """How organisations are grouped (``national``, ``municipality group``, ``area`` or ``peers``) and the peers."""
    if isinstance(by, str):
        how = _BY_ALIASES.get(by.strip().lower())
        if how is None:
            raise InputError(say("compare.bad_by", allowed=", ".join(sorted(set(_BY_ALIASES.values()))), by=repr(by)))
        peers: list[str] | None = None
    else:
        how = "peers"
        peers = []
        for p in by:
            t, c = reg.resolve(p)
            if t != org_type and not (org_type == "region" and t == "wellbeing_area"):
                raise InputError(say("compare.peer_kind", peer=repr(p), kind=t.replace("_", " "), org_type=org_type.replace("_", " ")))
            peers.append(c)
        if not peers:
            raise InputError(say("compare.no_peers"))
    return how, peers


def _groups(s: pd.DataFrame, how: str, peers: list[str] | None, *, by: Any, org_type: str, reg: Registry,
            membership_year: int | None, lang: str) -> tuple[np.ndarray, np.ndarray]:
    """The comparison group (code and name) of each organisation-year."""
    group = np.full(len(s), "national", dtype=object)
    group_name = np.full(len(s), text("group.national", lang), dtype=object)
    if how in ("municipality group", "area"):
        if org_type != "municipality":
            raise InputError(say("compare.groups_municipalities", by=repr(by), org_type=org_type.replace("_", " ")))
        problems = []
        for i, (code, y) in enumerate(zip(s["org_code"], s["year"])):
            m_year = int(y) if membership_year is None else int(membership_year)
            try:
                unit = reg.successor(code, m_year)
            except InputError as exc:
                problems.append((code, int(y), str(exc)))
                continue
            if how == "municipality group":
                row = reg.municipalities[reg.municipalities["code"].astype(str) == unit]
                g = row["group_code"].dropna() if "group_code" in row else pd.Series(dtype=object)
                if g.empty:
                    problems.append((code, int(y), say("compare.no_group", name=_name(reg, "municipality", unit))))
                    continue
                group[i] = str(g.iloc[-1])
                label = row[f"group_{lang}"].dropna() if f"group_{lang}" in row else pd.Series(dtype=object)
                group_name[i] = str(label.iloc[-1]) if len(label) else str(g.iloc[-1])
            else:
                mem = reg.membership_in(m_year).set_index("municipality_code")["area_code"]
                if unit not in mem.index:
                    problems.append((code, int(y), reg._absence(unit, m_year)))
                    continue
                group[i] = str(mem[unit])
                group_name[i] = reg.name("wellbeing_area", str(mem[unit]), lang)
        if problems:
            listed = [say("view.problem_item", org=c, year=y, why=why) for c, y, why in problems]
            hint = say("compare.membership_hint") if membership_year is None else ""
            raise AllocationError(say("compare.no_grouping", how=how, n=len(problems), listed=_listing(listed), hint=hint),
                                  rows=pd.DataFrame(problems, columns=["org_code", "year", "problem"]))
    elif how == "peers":
        group[:] = "peers"
        group_name[:] = text("group.peers", lang)
        for (y, ph), g in s.groupby(["year", "phase"], sort=True):
            absent = sorted(set(peers or []) - set(g["org_code"]))
            if absent:
                raise AllocationError(
                    say("compare.peers_missing", peers=", ".join(_name(reg, org_type if org_type != "region" else "wellbeing_area", c)
                                                                   for c in absent), year=y, phase=ph),
                    rows=pd.DataFrame({"org_code": absent, "year": y, "phase": ph}))
    return group, group_name


def _metric_rows(s: pd.DataFrame, m: str, how: str) -> pd.DataFrame:
    """One metric's value, rank and medians (national and group) per organisation-year."""
    part = s[["org_type", "org_code", "name", "year", "phase", "children", "population_basis", "group", "group_name"]
             + (["in_peer_group"] if how == "peers" else [])].copy()
    part.insert(5, "metric", m)
    part.insert(6, "value", s[m].to_numpy(dtype=float))
    gy = part.groupby(["year", "phase"], sort=False)["value"]
    part["rank"] = gy.rank(ascending=False, method="min").astype("Int64")
    part["n"] = gy.transform("count").astype("int64")
    part["national_median"] = gy.transform("median")
    part["national_pooled"] = _national_pooled(s, m)
    part["vs_national_median"] = part["value"] - part["national_median"]
    if how == "peers":
        peer_vals = part[part["in_peer_group"]].groupby(["year", "phase"])["value"]
        stats = pd.DataFrame({"group_median": peer_vals.median(), "group_n": peer_vals.count()}).reset_index()
        part = part.merge(stats, on=["year", "phase"], how="left")
        part["group_rank"] = part["value"].where(part["in_peer_group"]).groupby(
            [part["year"], part["phase"]]).rank(ascending=False, method="min").astype("Int64")
    else:
        gg = part.groupby(["year", "phase", "group"], sort=False)["value"]
        part["group_median"] = gg.transform("median")
        part["group_n"] = gg.transform("count").astype("int64")
        part["group_rank"] = gg.rank(ascending=False, method="min").astype("Int64")
    part["vs_group_median"] = part["value"] - part["group_median"]
    return part


#: The comparison sheet's metrics: (metric, ranked in the sheet).
_SHEET_METRICS: tuple[tuple[str, bool], ...] = (
    ("child_euros", False), ("euros_per_child", True), ("preventive_share", True),
    ("corrective_share", False), ("placements_ratio", False),
)


def comparison_table(result: ChildBudget) -> pd.DataFrame:
    """The workbook's comparison: :func:`compare` against the median of the organisations in ``result``, one row each.

    One row per organisation × year × phase, for every organisation type in
    the result separately: euros per child with its rank among the
    organisations of the same type, year and phase, their median and the
    difference from it, and the preventive share with its rank. The figures
    are :func:`compare`'s (one definition); this only lays them out wide.

    Examples
    --------
    >>> import lapsibudjetti as lb
    >>> led = lb.make_ledger({"org_code": ["091", "564"], "year": [2019] * 2,
    ...     "task_class": ["Perusopetus"] * 2, "amount": [6e8, 2e8]}, org_type="municipality", phase="actual")
    >>> t = comparison_table(lb.child_budget(led))
    >>> t[["org_code", "rank_per_child", "organisations"]].to_dict("records")
    [{'org_code': '091', 'rank_per_child': 1, 'organisations': 2}, {'org_code': '564', 'rank_per_child': 2, 'organisations': 2}]
    """
    keys = ["org_type", "org_code", "year", "phase"]
    parts = []
    for kind in sorted(set(result.summary()["org_type"].astype(str))):
        long = compare(result, by="national", metric=[m for m, _ in _SHEET_METRICS], org_type=kind)
        long["phase"] = long["phase"].astype(str)
        wide = long[long["metric"] == "euros_per_child"][keys + ["children"]].reset_index(drop=True)
        for metric, ranked in _SHEET_METRICS:
            m = long[long["metric"] == metric].set_index(keys)
            at = pd.MultiIndex.from_frame(wide[keys])
            wide[metric] = m["value"].reindex(at).to_numpy()
            if metric == "euros_per_child":
                wide["rank_per_child"] = m["rank"].reindex(at).to_numpy()
                wide["organisations"] = m["n"].reindex(at).to_numpy()
                wide["median_euros_per_child"] = m["national_median"].reindex(at).to_numpy()
                wide["difference_from_median_euros"] = m["vs_national_median"].reindex(at).to_numpy()
                median = wide["median_euros_per_child"].to_numpy(dtype=float)
                with np.errstate(invalid="ignore", divide="ignore"):
                    wide["difference_from_median_share"] = np.where(
                        median > 0, wide["euros_per_child"].to_numpy(dtype=float) / median - 1.0, np.nan)
            elif ranked:
                wide["rank_preventive_share"] = m["rank"].reindex(at).to_numpy()
        parts.append(wide)
    out = pd.concat(parts, ignore_index=True)
    out["rank_per_child"] = out["rank_per_child"].astype("Int64")
    out["rank_preventive_share"] = out["rank_preventive_share"].astype("Int64")
    out["organisations"] = out["organisations"].astype("int64")
    order = ["org_type", "org_code", "year", "phase", "children", "child_euros", "euros_per_child", "rank_per_child",
             "organisations", "median_euros_per_child", "difference_from_median_euros", "difference_from_median_share",
             "preventive_share", "rank_preventive_share", "corrective_share", "placements_ratio"]
    return out[order].sort_values(["year", "phase", "org_type", "rank_per_child", "org_code"], kind="stable").reset_index(drop=True)
