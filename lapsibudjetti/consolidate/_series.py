"""series: a comparable series across the 2022/2023 switch, in nominal and real terms, budget vs actual."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._allocate import KeyTable, Population
from .._budget import ChildBudget
from .._errors import InputError
from .._schema import amount_cents
from .._util import _as_years
from ..measure._metrics import add_metrics, metric_values
from ..read._tables import read_text_table
from ..reference._labels import default_lang, say, value_label
from ..reference._registry import Registry
from ._common import _budget_of
from ._municipality import municipality_view
from ._region import region_view
from ._view import _TIERS, BoundarySeries, BoundaryView

# --------------------------------------------------------------------------- series


def _price_index(table: pd.DataFrame | Mapping[int, float] | str | Path) -> pd.Series:
    if isinstance(table, Mapping):
        frame = pd.DataFrame({"year": list(table.keys()), "index": list(table.values())})
        source = "<dict>"
    elif isinstance(table, str | Path):
        path = Path(table)
        frame = read_text_table(path, what="price index", numeric=("index",))
        source = path.name
    elif isinstance(table, pd.DataFrame):
        frame, source = table, "<frame>"
    else:
        raise InputError(say("arg.type", name="price_index", expected=say("what.price_index"), got=type(table).__name__))
    cols = {str(c).strip().lower(): c for c in frame.columns}
    if "year" not in cols or "index" not in cols:
        raise InputError(say("price.needs_columns", have=", ".join(map(str, frame.columns))), file=source)
    year = pd.to_numeric(frame[cols["year"]], errors="coerce")
    index = pd.to_numeric(frame[cols["index"]], errors="coerce")
    bad = year.isna() | index.isna() | (index <= 0)
    if bad.any():
        raise InputError(say("price.bad_rows", n=int(bad.sum())),
                         rows=frame.loc[bad], file=source, column="index")
    s = pd.Series(index.to_numpy(dtype=float), index=year.astype("int64").to_numpy())
    if s.index.duplicated().any():
        raise InputError(say("price.twice", years=sorted(set(s.index[s.index.duplicated()]))), file=source)
    return s.sort_index()


def _source_label(member_type: str, member_code: str, key: str) -> str:
    if member_type == "wellbeing_area":
        source = say("series.source_area", code=member_code)
        return say("series.allocated_by", source=source, by=key) if key else source
    if member_type == "municipality":
        return say("series.source_municipal")
    return str(member_type)


def _yoy(frame: pd.DataFrame, keys: list[str], index: pd.Series | None, base_year: int | None) -> pd.DataFrame:
    """Year-on-year change (previous calendar year only) in nominal and, with an index, real terms."""
    out = frame.copy()
    prev = out[keys + ["year", "child_euros", "euros_per_child"]].copy()
    prev["year"] = prev["year"] + 1
    prev = prev.rename(columns={"child_euros": "_prev", "euros_per_child": "_prev_pc"})
    out = out.merge(prev, on=keys + ["year"], how="left")
    with np.errstate(invalid="ignore", divide="ignore"):
        out["change_euros"] = out["child_euros"] - out["_prev"]
        out["change_pct"] = np.where(out["_prev"] > 0, out["child_euros"] / out["_prev"] - 1.0, np.nan)
        out["per_child_change_pct"] = np.where(out["_prev_pc"] > 0, out["euros_per_child"] / out["_prev_pc"] - 1.0, np.nan)
        if index is not None:
            idx = out["year"].map(index).to_numpy(dtype=float)
            idx_prev = (out["year"] - 1).map(index).to_numpy(dtype=float)
            base = float(index.loc[base_year]) if base_year is not None else np.nan
            out["price_index"] = idx
            out["real_child_euros"] = out["child_euros"] * base / idx
            out["real_euros_per_child"] = out["euros_per_child"] * base / idx
            real_now = out["child_euros"] / idx
            real_prev = out["_prev"] / idx_prev
            out["real_change_pct"] = np.where(real_prev > 0, real_now / real_prev - 1.0, np.nan)
            pc_now = out["euros_per_child"] / idx
            pc_prev = out["_prev_pc"] / idx_prev
            out["real_per_child_change_pct"] = np.where(pc_prev > 0, pc_now / pc_prev - 1.0, np.nan)
    return out.drop(columns=["_prev", "_prev_pc"])


def series(
    budget_or_view: ChildBudget | BoundaryView | pd.DataFrame | Sequence[pd.DataFrame],
    organisation: str | None = None,
    *,
    years: int | Sequence[int] | range | None = None,
    key: Literal["population"] | KeyTable | pd.DataFrame | str | Path = "population",
    price_index: pd.DataFrame | Mapping[int, float] | str | Path | None = None,
    base_year: int | None = None,
    membership_year: int | None = None,
    registry: Registry | None = None,
    population: Population | pd.DataFrame | None = None,
    **budget_options: Any,
) -> BoundarySeries:
    """A comparable series for a municipality or region across the 2022/2023 switch.

    Up to 2022 the social and health classes are in the municipal ledger;
    from 2023 in the wellbeing area's. Given both ledgers, a municipality's
    series takes each year's sote lines from the ledger that had them: its
    own up to 2022, its share of the area's (allocated by ``key``, see
    :func:`municipality_view`) from 2023; a region's takes its members' and
    the area's ledgers (:func:`region_view`). Each row says which ledger
    (``source``) and classification it comes from, and ``break`` marks the
    years where either differs from the previous year in the series.

    Parameters
    ----------
    budget_or_view
        A child budget or ledgers of the municipalities and areas for the
        years, or a :class:`BoundaryView` already built.
    organisation
        A municipality (code, name or business ID) or a wellbeing area (code
        or name). Not needed for a view (then it filters the view's
        organisations).
    years
        Years to keep.
    key
        The municipality view's allocation key (see :func:`municipality_view`).
    price_index
        ``year, index`` (a DataFrame, ``{year: index}`` or a CSV path), e.g.
        the basic-services price index, for real terms. Every year of the
        series must have an index.
    base_year
        The year whose prices real euros are in; default: the last year of
        the series.
    membership_year, registry, population
        As for :func:`region_view`.

    Returns
    -------
    BoundarySeries
        ``table`` per sector, ``totals``, ``budget_vs_actual``; ``view`` for
        exports and charts.

    Examples
    --------
    >>> import lapsibudjetti as lb
    >>> led = lb.make_ledger({"org_code": ["564"] * 2, "year": [2019, 2019],
    ...     "task_class": ["Perusopetus", "Lastensuojelun avohuoltopalvelut"], "amount": [1000.0, 500.0]},
    ...     org_type="municipality", phase="actual")
    >>> s = series(lb.child_budget(led), "Oulu")
    >>> s.table[["year", "sector", "child_euros", "source", "break"]].to_dict("records")  # texts in the session's language
    [{'year': 2019, 'sector': 'sivistys', 'child_euros': 1000.0, 'source': 'kunnan kirjanpito', 'break': False},
     {'year': 2019, 'sector': 'sote', 'child_euros': 500.0, 'source': 'kunnan kirjanpito', 'break': False}]
    """
    view, reg, only = _series_view(budget_or_view, organisation, years=years, key=key, membership_year=membership_year,
                                   registry=registry, population=population, budget_options=budget_options)
    table = _sector_table(view, years, only)

    totals = _series_totals(table)

    idx, base_year = _real_terms(price_index, base_year, sorted(set(table["year"].tolist())))
    table = _yoy(table, ["org_type", "org_code", "phase", "sector"], idx, base_year)
    totals = _yoy(totals, ["org_type", "org_code", "phase"], idx, base_year)
    bva = _budget_vs_actual(table, totals)
    names = reg.names(table["org_type"].astype(str), table["org_code"].astype(str))
    table.insert(2, "name", names.to_numpy())
    totals.insert(2, "name", reg.names(totals["org_type"].astype(str), totals["org_code"].astype(str)).to_numpy())
    for frame in (table, totals):
        frame["measure"] = view.measure
        frame["target_group"] = view.target_group.name
    pi = pd.DataFrame({"year": idx.index.to_numpy(), "index": idx.to_numpy()}) if idx is not None else pd.DataFrame(columns=["year", "index"])
    return BoundarySeries(table=table, totals=totals, budget_vs_actual=bva, view=view, price_index=pi, base_year=base_year)


def _series_view(budget_or_view: Any, organisation: str | None, *, years: Any, key: Any, membership_year: int | None,
                 registry: Registry | None, population: Any, budget_options: dict[str, Any]
                 ) -> tuple[BoundaryView, Registry, str | None]:
    """The view a series is read from (a municipality or region view), its registry and the organisation kept."""
    only: str | None
    if isinstance(budget_or_view, BoundaryView):
        if budget_options:
            raise InputError(say("series.options_built", options=", ".join(sorted(budget_options))))
        view = budget_or_view
        reg = registry or view.registry
        only = None
        if organisation is not None:
            t, c = reg.resolve(organisation)
            only = c
            if (view.view == "municipality") != (t == "municipality"):
                raise InputError(say("series.kind_view", value=repr(organisation), kind=t.replace("_", " "), view=view.view))
    else:
        budget = _budget_of(budget_or_view, registry=registry, population=population, budget_options=budget_options,
                            what="series")
        reg = registry or budget.registry
        if organisation is None:
            raise InputError(say("series.needs_org"))
        t, c = reg.resolve(organisation)
        if t == "municipality":
            view = municipality_view(budget, c, years=years, key=key, registry=reg, population=population)
        elif t == "wellbeing_area":
            view = region_view(budget, c, years=years, membership_year=membership_year, registry=reg, population=population)
        else:
            raise InputError(say("series.wrong_kind", value=repr(organisation), kind=t.replace("_", " ")))
        only = c
    return view, reg, only


def _sector_table(view: BoundaryView, years: Any, only: str | None) -> pd.DataFrame:
    """Euros, child euros by tier, lines, source and classification per organisation × year × phase × sector."""
    a = view.annotated
    wanted = _as_years(years)
    keep = np.ones(len(a), dtype=bool)
    if wanted is not None:
        keep &= np.isin(a["year"].to_numpy(), sorted(wanted))
    if only is not None:
        keep &= (a["org_code"].astype(str) == only).to_numpy()
    if not keep.any():
        raise InputError(say("series.no_lines", org=only or say("series.its_orgs")))
    a = a.loc[keep]
    mapped = a["mapped"].to_numpy()
    f = pd.DataFrame({
        "org_type": a["org_type"].astype(object).to_numpy(),
        "org_code": a["org_code"].astype(object).to_numpy(),
        "year": a["year"].to_numpy(),
        "phase": a["phase"].astype(object).to_numpy(),
        "sector": np.where(mapped, a["sector"].astype(object).to_numpy(), "unmapped"),
        "cents": amount_cents(a["amount"]),
        "child_euros": a["child_euros"].to_numpy(),
        "source": [_source_label(t, c, k) for t, c, k in zip(a["member_type"].astype(object), a["member_code"].astype(object),
                                                             a["allocation_key"].astype(object).fillna(""))],
        "classification": np.where(a["service_class"].notna().to_numpy(), say("series.service_classes"), say("series.task_classes")),
    })
    tier = a["tier"].astype(object).to_numpy()
    for t_ in _TIERS:
        f[f"{t_}_euros"] = np.where(tier == t_, f["child_euros"], 0.0)
    keys = ["org_type", "org_code", "year", "phase", "sector"]

    grouped = f.groupby(keys, sort=True)
    table = grouped[["cents", "child_euros"] + [f"{t_}_euros" for t_ in _TIERS]].sum().reset_index()
    table.insert(len(keys), "euros", table.pop("cents") / 100.0)
    table["lines"] = grouped.size().to_numpy()
    # which ledgers and classifications the sector-year's child euros come from (all its lines when it has none)
    with_child = (f["child_euros"] != 0).to_numpy()
    has_child = pd.Series(with_child).groupby([f[k] for k in keys]).transform("any").to_numpy()
    cand = f.loc[with_child | ~has_child, keys + ["source", "classification"]]
    index = pd.MultiIndex.from_frame(table[keys])
    for col in ("source", "classification"):
        joined = (cand[keys + [col]].drop_duplicates().sort_values(keys + [col], kind="stable")
                  .groupby(keys, sort=True)[col].agg(" + ".join))
        table[col] = joined.reindex(index).to_numpy()
    children = view.children.astype({"org_type": object, "org_code": object})[["org_type", "org_code", "year", "children"]]
    table = table.merge(children, on=["org_type", "org_code", "year"], how="left")
    table["euros_per_child"] = metric_values("euros_per_child", table)
    table = _mark_breaks(table, ["org_type", "org_code", "phase", "sector"])

    return table


def _series_totals(table: pd.DataFrame) -> pd.DataFrame:
    """The sectors added up per organisation × year × phase, with the metrics, sources and breaks."""
    tot_keys = ["org_type", "org_code", "year", "phase"]
    tg = table.groupby(tot_keys, sort=True)
    totals = tg[["euros", "child_euros"] + [f"{t_}_euros" for t_ in _TIERS] + ["lines"]].sum().reset_index()
    totals["children"] = tg["children"].first().to_numpy()
    totals = add_metrics(totals, ["euros_per_child", "preventive_share", "corrective_share"])
    sector = table["sector"].map(lambda v: value_label("sector", v, default_lang()))  # the session's language, as the sources are
    labelled = table.assign(_s=sector + ": " + table["source"], _b=sector + ": " + table["break_reason"])
    totals["sources"] = labelled.groupby(tot_keys, sort=True)["_s"].agg("; ".join).to_numpy()
    totals["break"] = tg["break"].any().to_numpy()
    reasons = labelled[labelled["break_reason"] != ""].groupby(tot_keys, sort=True)["_b"].agg("; ".join)
    totals["break_reason"] = reasons.reindex(pd.MultiIndex.from_frame(totals[tot_keys])).fillna("").to_numpy()

    return totals


def _real_terms(price_index: Any, base_year: int | None, series_years: list[int]) -> tuple[pd.Series | None, int | None]:
    """The price index (checked to cover the series and the base year) and the base year, or (None, None)."""
    idx = None
    if price_index is not None:
        idx = _price_index(price_index)
        need = set(series_years) | {y - 1 for y in series_years if y - 1 in set(series_years)}
        missing = sorted(need - set(idx.index))
        if missing:
            raise InputError(say("price.missing_years", years=", ".join(map(str, missing))),
                             rows=pd.DataFrame({"year": missing}))
        base_year = series_years[-1] if base_year is None else int(base_year)
        if base_year not in idx.index:
            raise InputError(say("price.base_year", year=base_year, first=idx.index.min(), last=idx.index.max()))
    elif base_year is not None:
        raise InputError(say("series.base_needs_index"))
    return idx, base_year


def _mark_breaks(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    out = table.sort_values(keys + ["year"], kind="stable").reset_index(drop=True)
    prev_source = out.groupby(keys, sort=False)["source"].shift(1)
    prev_class = out.groupby(keys, sort=False)["classification"].shift(1)
    prev_year = out.groupby(keys, sort=False)["year"].shift(1)
    src_changed = prev_source.notna() & (prev_source != out["source"])
    cls_changed = prev_class.notna() & (prev_class != out["classification"])
    reasons = []
    for s_ch, c_ch, ps, s, pc, c, py in zip(src_changed, cls_changed, prev_source, out["source"], prev_class,
                                            out["classification"], prev_year):
        parts = []
        if s_ch:
            parts.append(say("series.source_changed", before=ps, year=int(py), after=s))
        if c_ch:
            parts.append(say("series.class_changed", before=pc, year=int(py), after=c))
        reasons.append("; ".join(parts))
    out["break"] = (src_changed | cls_changed).to_numpy()
    out["break_reason"] = reasons
    return out.sort_values(["org_type", "org_code", "year", "phase", "sector"], kind="stable").reset_index(drop=True)


def _budget_vs_actual(table: pd.DataFrame, totals: pd.DataFrame) -> pd.DataFrame:
    cols = ["org_type", "org_code", "year", "sector", "actual_child_euros", "budget_child_euros",
            "revised_budget_child_euros", "actual_minus_budget", "actual_to_budget", "actual_minus_revised_budget",
            "actual_to_revised_budget"]
    both = pd.concat([table[["org_type", "org_code", "year", "phase", "sector", "child_euros"]],
                      totals[["org_type", "org_code", "year", "phase", "child_euros"]].assign(sector="all")], ignore_index=True)
    wide = both.pivot_table(index=["org_type", "org_code", "year", "sector"], columns="phase", values="child_euros",
                            aggfunc="sum").reset_index()
    if "actual" not in wide or not ({"budget", "revised_budget"} & set(wide.columns)):
        return pd.DataFrame(columns=cols)
    for ph in ("budget", "revised_budget"):
        if ph not in wide:
            wide[ph] = np.nan
    wide = wide[wide["actual"].notna() & (wide["budget"].notna() | wide["revised_budget"].notna())].copy()
    out = pd.DataFrame({
        "org_type": wide["org_type"], "org_code": wide["org_code"], "year": wide["year"].astype("int64"), "sector": wide["sector"],
        "actual_child_euros": wide["actual"], "budget_child_euros": wide["budget"],
        "revised_budget_child_euros": wide["revised_budget"],
    })
    with np.errstate(invalid="ignore", divide="ignore"):
        out["actual_minus_budget"] = out["actual_child_euros"] - out["budget_child_euros"]
        out["actual_to_budget"] = np.where(out["budget_child_euros"] > 0, out["actual_child_euros"] / out["budget_child_euros"], np.nan)
        out["actual_minus_revised_budget"] = out["actual_child_euros"] - out["revised_budget_child_euros"]
        out["actual_to_revised_budget"] = np.where(out["revised_budget_child_euros"] > 0,
                                                   out["actual_child_euros"] / out["revised_budget_child_euros"], np.nan)
    order = {"sivistys": 0, "sote": 1, "other": 2, "unmapped": 3, "all": 4}
    out["_o"] = out["sector"].map(order).fillna(9)
    return out.sort_values(["org_type", "org_code", "year", "_o"], kind="stable").drop(columns="_o").reset_index(drop=True)[cols]
