"""region_view: a wellbeing area together with its member municipalities."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._allocate import Population
from .._budget import ChildBudget
from .._errors import (
    AllocationError,
    InputError,
    LapsibudjettiWarning,
    ReconciliationError,
)
from .._util import _listing, _name
from ..reference._format import format_euros
from ..reference._labels import default_lang, say, setting_text
from ..reference._registry import Registry
from ._common import (
    _cents_sum,
    _composition,
    _Counts,
    _division,
    _finish_annotated,
    _missing_population_error,
    _outside_areas,
    _resolve_many,
    _selected_years,
    _settings,
    _view_inputs,
)
from ._view import _TIERS, BoundaryView


def region_view(
    budget_or_ledgers: ChildBudget | pd.DataFrame | Sequence[pd.DataFrame],
    area_code: str | Sequence[str] = "all",
    *,
    years: int | Sequence[int] | range | None = None,
    membership_year: int | None = None,
    registry: Registry | None = None,
    population: Population | pd.DataFrame | None = None,
    **budget_options: Any,
) -> BoundaryView:
    """A wellbeing area together with its member municipalities, for one year or a series.

    The view's lines are the area's own lines plus every line of its member
    municipalities (for Helsinki, area 90, the City of Helsinki, which
    organises its social and health services itself), re-keyed to
    ``org_type="region"``, ``org_code=<area>``. Its ``summary()`` gives child
    euros, euros per child over the area's target-group population (the sum
    of its members'), preventive and corrective shares; ``by()`` gives child
    euros by category, tier and sector; ``composition`` the members' parts,
    which sum exactly to the region's totals (checked).

    Parameters
    ----------
    budget_or_ledgers
        A :class:`~lapsibudjetti.ChildBudget` of the municipalities' and
        areas' ledgers, or the ledgers themselves (then ``budget_options``
        are passed to :func:`~lapsibudjetti.child_budget`).
    area_code
        A wellbeing-area code (``"19"``; ``"90"`` Helsinki), name, several,
        or ``"all"`` (default): every area with lines in the data. Åland
        (``"91"``) is outside the wellbeing-area system and has no region
        view; with ``"all"`` its municipalities are left out (said in
        ``view_settings``).
    years
        A year or years to keep; default all years of the data.
    membership_year
        Group the municipalities by their membership of this year instead of
        each data year: ``membership_year=2026`` regroups 2015–2019 data into
        today's 21 areas plus Helsinki. A municipality merged away before
        that year counts in the municipality it merged into (Honkajoki 099 in
        Kankaanpää 214, so in Satakunta).
    registry
        Organisations and memberships; default: the budget's registry.
    population
        Residents by age for the children of each member (a
        :class:`~lapsibudjetti.Population` or a DataFrame added on top of the
        packaged figures). Default: the packaged figures, which must be what
        the budget used.

    Returns
    -------
    BoundaryView

    Raises
    ------
    AllocationError
        A municipality of the data without a membership, or a member without
        a population for a year, naming them (never counted as zero).
    InputError
        For Åland, an unknown area, or a municipality given as an area.

    Examples
    --------
    >>> import lapsibudjetti as lb
    >>> led = lb.make_ledger({"org_code": ["205", "765"], "year": [2019, 2019],
    ...     "task_class": ["Perusopetus", "Lastensuojelun avohuoltopalvelut"], "amount": [1000.0, 500.0]},
    ...     org_type="municipality", phase="actual")
    >>> view = region_view(lb.child_budget(led), "20")
    >>> s = view.summary()
    >>> s[["org_type", "org_code", "year", "child_euros", "preventive_share"]].to_dict("records")
    [{'org_type': 'region', 'org_code': '20', 'year': 2019, 'child_euros': 1500.0, 'preventive_share': 0.6666666666666666}]
    >>> int(s["children"].iloc[0]) == int(view.composition["children"].sum())
    True
    """
    budget, reg, wanted_years, pop, policy, counts = _view_inputs(
        budget_or_ledgers, "region_view", registry=registry, population=population, years=years, budget_options=budget_options)
    a = budget.annotated
    in_years = _selected_years(a, wanted_years)
    if not in_years.any():
        raise InputError(say("view.no_years", years=sorted(wanted_years or []), have=sorted(set(a["year"]))))
    areas = _resolve_many(reg, area_code, "wellbeing_area", None)
    if areas is not None:
        for area in areas:
            if reg.organiser_type(area) == "none":
                raise InputError(say("view.aland_no_region", area=_name(reg, "wellbeing_area", area)))
    line_area, divisions = _line_areas(a, in_years, reg, membership_year)
    outside = _outside_areas(reg)
    present = {x for x in line_area[in_years] if isinstance(x, str)}
    chosen = sorted(present - outside) if areas is None else areas
    chosen_set = set(chosen)
    keep = in_years & np.isin(line_area.astype(str), sorted(chosen_set)) & np.array([isinstance(x, str) for x in line_area])
    if not keep.any():
        raise InputError(say("view.no_area_lines", areas=", ".join(chosen) or "–"))
    excluded = in_years & ~keep
    sub = a.loc[keep].copy()
    sub["member_type"] = sub["org_type"].astype(object)
    sub["member_code"] = sub["org_code"].astype(object)
    sub["org_type"] = "region"
    sub["org_code"] = line_area[keep]
    sub["allocation_share"] = 1.0
    sub["allocation_key"] = ""
    annotated = _finish_annotated(sub)

    children, comp_people = _region_children(annotated, divisions, counts, reg, membership_year)

    comp = _region_composition(annotated, comp_people, counts, reg, membership_year)

    notes = _region_notes(budget, annotated, a, excluded, line_area, outside, chosen_set, membership_year, reg, pop)
    keep_orgs = set(zip(a.loc[keep, "org_type"].astype(str), a.loc[keep, "org_code"].astype(str)))
    return _make_view(
        budget, "region", annotated=annotated, children=children, keep_orgs=keep_orgs, registry=reg, population=pop,
        options={"membership_year": "each data year" if membership_year is None else str(membership_year)},
        notes=notes, composition=comp,
    )


def _line_areas(a: pd.DataFrame, in_years: np.ndarray, reg: Registry, membership_year: int | None
                ) -> tuple[np.ndarray, dict[int, pd.DataFrame]]:
    """Each line's wellbeing area (its own for an area's line, its municipality's for a municipality's) and the divisions."""
    org_type = a["org_type"].astype(object).to_numpy()
    org_code = a["org_code"].astype(object).to_numpy()
    year = a["year"].to_numpy()
    line_area = np.full(len(a), None, dtype=object)
    is_muni = (org_type == "municipality") & in_years
    is_area = (org_type == "wellbeing_area") & in_years
    line_area[is_area] = org_code[is_area]
    divisions: dict[int, pd.DataFrame] = {}
    missing_membership: list[tuple[str, int, str]] = []
    data_years = sorted(set(year[in_years].tolist()))
    for y in data_years:
        div = _division(reg, y, membership_year)
        divisions[y] = div
        sel = is_muni & (year == y)
        if not sel.any():
            continue
        codes = pd.Series(org_code[sel])
        area_by_code = div.set_index("code")["area"]
        mapped = codes.map(area_by_code)
        line_area[np.flatnonzero(sel)] = mapped.to_numpy(dtype=object)
        for c in sorted(set(codes[mapped.isna().to_numpy()])):
            why = div.loc[div["code"] == c, "problem"]
            missing_membership.append((c, y, why.iloc[0] if len(why) else reg._absence(c, y)))
    if missing_membership:
        listed = [say("view.problem_item", org=c, year=y, why=why) for c, y, why in missing_membership]
        raise AllocationError(
            say("view.region_membership", n=len(missing_membership), listed=_listing(listed)),
            rows=pd.DataFrame(missing_membership, columns=["municipality_code", "year", "problem"]))
    return line_area, divisions


def _region_children(annotated: pd.DataFrame, divisions: dict[int, pd.DataFrame], counts: _Counts, reg: Registry,
                     membership_year: int | None) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """The region's children: the sum over every member municipality (of the membership year's division)."""
    child_rows = []
    comp_people = []
    missing_pop: list[tuple[str, int, str]] = []
    folded: list[str] = []
    region_years = annotated[["org_code", "year"]].astype({"org_code": object}).drop_duplicates()
    unit_counts: dict[int, pd.DataFrame] = {}
    for y, g in region_years.groupby("year", sort=True):
        div = divisions[int(y)]
        unit_counts[int(y)] = counts.units(int(y), div, sorted(set(div.loc[div["area"].isin(set(g["org_code"])), "unit"].dropna())))
    for (area, y) in region_years.itertuples(index=False):
        div = divisions[int(y)]
        units = sorted(set(div.loc[div["area"] == area, "unit"].dropna()))
        if not units:
            raise AllocationError(say("view.no_members", area=_name(reg, "wellbeing_area", area), year=membership_year or y),
                                  rows=pd.DataFrame({"area_code": [area], "year": [y]}))
        u = unit_counts[int(y)].set_index("unit").loc[units].reset_index()
        for r in u.itertuples(index=False):
            if np.isnan(r.children):
                missing_pop.append((r.unit, int(y), say("view.member", area=area)))
            elif r.without_figures:
                folded.append(say("view.folded_item", codes=r.without_figures, unit=r.unit, year=y))
            comp_people.append({"org_code": area, "year": int(y), "unit_code": r.unit, "codes": r.codes,
                                "children": r.children, "population_basis": r.basis,
                                "without_own_figures": r.without_figures})
        n_members = len(units)
        basis = say("view.sum_of_members", n=n_members) + (say("view.membership_year", year=membership_year) if membership_year else "")
        child_rows.append({"org_type": "region", "org_code": area, "year": int(y), "children": float(u["children"].sum()),
                           "population_basis": basis})
    if missing_pop:
        raise _missing_population_error(missing_pop, reg, say("view.what_region_children"))
    if folded:
        warnings.warn(
            say("view.folded", orgs=_listing(sorted(set(folded))), year=membership_year),
            LapsibudjettiWarning, stacklevel=3)
    children = pd.DataFrame(child_rows, columns=["org_type", "org_code", "year", "children", "population_basis"])

    return children, comp_people


def _region_composition(annotated: pd.DataFrame, comp_people: list[dict[str, object]], counts: _Counts, reg: Registry,
                        membership_year: int | None) -> pd.DataFrame:
    """The members' parts of the region; the region totals must be their sums to the cent."""
    comp = _composition(annotated)
    people = pd.DataFrame(comp_people)
    muni_people = people.rename(columns={"unit_code": "member_code"})[["org_code", "year", "member_code", "children"]]
    if membership_year is not None:
        # per ledger code: its own children where it has figures (the unit's codes of the data year)
        own = people.assign(member_code=people["codes"].str.split("|")).explode("member_code")
        parts = []
        for y, g in own.groupby("year", sort=True):
            per_code = counts.codes(int(y), g["member_code"].tolist()).set_index("code")["children"]
            parts.append(g.assign(children=g["member_code"].map(per_code).astype(float)))
        muni_people = pd.concat(parts, ignore_index=True)[["org_code", "year", "member_code", "children"]]
    comp = _complete_composition(comp, muni_people, annotated)
    comp.insert(comp.columns.get_loc("member_code") + 1, "member_name",
                reg.names(comp["member_type"].astype(str), comp["member_code"].astype(str), default_lang()).to_numpy())
    rec = annotated.groupby(["org_code", "year", "phase"], observed=True, sort=True)["amount"]
    region_cents = {k: _cents_sum(v) for k, v in rec}
    comp_cents = comp.groupby(["org_code", "year", "phase"], sort=True)["input_euros"].apply(
        lambda s: int(np.rint(s.to_numpy() * 100).astype("int64").sum())).to_dict()
    bad = {k: (region_cents[k], comp_cents.get(k)) for k in region_cents if comp_cents.get(k) != region_cents[k]}
    if bad:  # pragma: no cover - composition is built from the same lines
        raise ReconciliationError(say("internal.error", detail=f"region totals differ from the sums over members: {bad}"))

    return comp


def _region_notes(budget: ChildBudget, annotated: pd.DataFrame, a: pd.DataFrame, excluded: np.ndarray, line_area: np.ndarray,
                  outside: set[str], chosen_set: set[str], membership_year: int | None, reg: Registry, pop: Population,
                  ) -> list[tuple[str, object]]:
    """The view's method notes, with what the data have outside the view."""
    org_type = a["org_type"].astype(object).to_numpy()
    notes: list[tuple[str, object]]
    notes = [("view", say("view.region_note")),
             ("areas", ", ".join(_name(reg, "wellbeing_area", x) for x in sorted(set(annotated["org_code"].astype(str))))),
             ("years", ", ".join(str(y) for y in sorted(set(annotated["year"].tolist())))),
             ("membership year", membership_year if membership_year is not None else say("view.each_year")),
             ("children", say("view.region_children", target=setting_text("target group", budget.target_group.name, default_lang()))),
             ("population", pop.source)]
    if "90" in chosen_set:
        notes.append(("Helsinki (90)", say("view.helsinki_note")))
    if excluded.any():
        ex = pd.DataFrame({"org_type": org_type[excluded], "area": line_area[excluded], "amount": a["amount"].to_numpy()[excluded]})
        ex["what"] = np.where(pd.Series(ex["area"]).isin(outside).to_numpy(), say("view.outside_aland"),
                              np.where(ex["org_type"] == "joint_authority", say("view.outside_joint"), say("view.outside_other")))
        for what, g in ex.groupby("what", sort=True):
            notes.append((say("view.not_in_view", what=what),
                          say("view.lines_euros", n=len(g), euros=format_euros(_cents_sum(g["amount"]) / 100, default_lang(), decimals=2))))
    return notes


def _make_view(
    budget: ChildBudget,
    view: str,
    *,
    annotated: pd.DataFrame,
    children: pd.DataFrame,
    keep_orgs: set[tuple[str, str]],
    registry: Registry,
    population: Population,
    options: dict[str, str],
    notes: Sequence[tuple[str, object]],
    composition: pd.DataFrame,
    **extra: Any,
) -> BoundaryView:
    """A view built from a budget: its rules, measure and settings, the view's lines and tables."""
    merged = dict(budget.options)
    merged.update({"view": view, **options})
    return BoundaryView(
        annotated=annotated,
        rules=budget.rules,
        target_group=budget.target_group,
        children=children,
        key_shares=_filter_orgs(budget.key_shares, keep_orgs),
        population_notes=_filter_orgs(budget.population_notes, keep_orgs),
        registry=registry,
        measure=budget.measure,
        population_source=population.source,
        population=population,
        options=merged,
        view=view,
        view_settings=_settings(notes),
        composition=composition,
        **extra,
    )


def _complete_composition(comp: pd.DataFrame, people: pd.DataFrame, annotated: pd.DataFrame) -> pd.DataFrame:
    """Every member municipality in the composition (also those without lines), with its children."""
    phases = annotated[["org_code", "year", "phase"]].astype(object).drop_duplicates()
    phases["year"] = phases["year"].astype("int64")
    people = people.astype({"org_code": object, "member_code": object})
    people["year"] = people["year"].astype("int64")
    frame = people.merge(phases, on=["org_code", "year"], how="inner")
    frame["org_type"] = "region"
    frame["member_type"] = "municipality"
    keys = ["org_type", "org_code", "year", "phase", "member_type", "member_code"]
    comp = comp.astype({"org_code": object, "phase": object, "member_code": object, "member_type": object})
    out = comp.merge(frame[keys + ["children"]], on=keys, how="outer")
    for col in ["input_euros", "child_euros"] + [f"{t}_euros" for t in _TIERS]:
        out[col] = out[col].fillna(0.0)
    out["lines"] = out["lines"].fillna(0).astype("int64")
    out = out.sort_values(keys, kind="stable").reset_index(drop=True)
    return out


def _filter_orgs(frame: pd.DataFrame, orgs: set[tuple[str, str]]) -> pd.DataFrame:
    if frame is None or frame.empty or not {"org_type", "org_code"} <= set(frame.columns):
        return frame.copy() if frame is not None else pd.DataFrame()
    pairs = list(zip(frame["org_type"].astype(str), frame["org_code"].astype(str)))
    return frame.loc[[p in orgs for p in pairs]].reset_index(drop=True)


# --------------------------------------------------------------------------- municipality view


@dataclass(frozen=True)
class _UserKey:
    """A user key normalised to ``org_code, year, service_class ('' = all classes), weight`` and its kind."""

    table: pd.DataFrame
    kind: Literal["value", "share"]
    source: str
    description: str
