"""Steps shared by the region and municipality views: inputs, divisions of areas, head counts, frames."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._allocate import Population, head_counts
from .._budget import ChildBudget, child_budget
from .._errors import AllocationError, InputError
from .._schema import amount_cents
from .._util import _as_years, _listing, _name
from ..reference._labels import option, say
from ..reference._registry import Registry
from ._view import _TIERS, MEMBER_COLUMNS, BoundaryView


def _sote_first_year() -> int:
    """First year wellbeing areas report (from the reference data: scope ``wellbeing_area``)."""
    from ..reference._tables import service_classes

    return int(service_classes(scope="wellbeing_area")["valid_from"].min())


def _budget_of(
    obj: ChildBudget | pd.DataFrame | Sequence[pd.DataFrame],
    *,
    registry: Registry | None,
    population: Population | pd.DataFrame | None,
    budget_options: Mapping[str, Any],
    what: str,
) -> ChildBudget:
    """The child budget to build a view on (computed when ledgers are given)."""
    if isinstance(obj, BoundaryView):
        raise InputError(say("view.not_a_view", what=what))
    if isinstance(obj, ChildBudget):
        if budget_options:
            raise InputError(say("view.options_for_ledgers", options=", ".join(sorted(budget_options))))
        return obj
    if isinstance(obj, pd.DataFrame) or (isinstance(obj, Sequence) and not isinstance(obj, str) and obj
                                         and all(isinstance(d, pd.DataFrame) for d in obj)):
        return child_budget(obj, registry=registry, population=population, **budget_options)
    raise InputError(say("view.takes", what=what, kind=type(obj).__name__))


def _population_for(budget: ChildBudget, population: Population | pd.DataFrame | None) -> Population:
    """The population of the view: the given one, else the one the budget was computed with."""
    if population is None and budget.population is not None:
        return budget.population
    if population is None:
        packaged = Population.packaged()
        if budget.population_source != packaged.source:
            raise InputError(say("error.view_population_differs", source=repr(budget.population_source), option=option("population")))
        return packaged
    if isinstance(population, pd.DataFrame):
        return Population.packaged().combine(Population.from_frame(population))
    if isinstance(population, Population):
        return population
    raise InputError(say("arg.type", name="population", expected=say("what.population"), got=type(population).__name__))


def _outside_areas(registry: Registry) -> set[str]:
    """Areas outside the wellbeing-area system (``organiser_type`` ``none``: Åland)."""
    a = registry.areas
    if "organiser_type" not in a:
        return set()
    return set(a.loc[a["organiser_type"].astype(str) == "none", "code"].astype(str))


def _division(registry: Registry, year: int, membership_year: int | None) -> pd.DataFrame:
    """Municipalities of ``year`` with the municipality (``unit``) and area they belong to in the membership year.

    Columns ``code`` (existing in ``year``), ``unit`` (the municipality its
    territory belongs to in the membership year: itself, or the one it
    merged into), ``area`` (None where there is no membership) and
    ``problem`` (why unit or area is missing).
    """
    m_year = year if membership_year is None else int(membership_year)
    v = registry._validity()
    life = v.groupby("code", sort=True).agg(valid_from=("valid_from", "min"), valid_to=("valid_to", "max"))
    vf = life["valid_from"].to_dict()
    vt = life["valid_to"].to_dict()
    codes = [c for c in life.index if vf[c] <= year <= vt[c]]
    mem = registry.membership_in(m_year).set_index("municipality_code")["area_code"].to_dict()
    units: list[str | None] = []
    areas: list[str | None] = []
    problems: list[str] = []
    for c in codes:
        unit, problem, last = None, "", c
        for cur in registry.merger_chain(c):
            if cur not in vf:  # merged into a municipality the registry does not know
                break
            last = cur
            if vf[cur] > m_year:
                problem = say("view.not_yet", org=_name(registry, "municipality", cur), year=m_year)
                break
            if vt[cur] >= m_year:
                unit = cur
                break
        if unit is None and not problem:
            problem = say("view.ended", org=_name(registry, "municipality", last), ended=vt[last], year=m_year)
        area = mem.get(unit) if unit is not None else None
        if unit is not None and area is None:
            problem = registry._absence(unit, m_year)
        units.append(unit)
        areas.append(area)
        problems.append(problem)
    return pd.DataFrame({"code": codes, "unit": units, "area": areas, "problem": problems}, dtype=object)


class _Counts:
    """Target-group and all-ages population per municipality (and per unit of a division), per year."""

    def __init__(self, population: Population, registry: Registry, ages: tuple[int, int], policy: str) -> None:
        self.population = population
        self.registry = registry
        self.ages = ages
        self.policy = policy
        self._cache: dict[int, pd.DataFrame] = {}

    def codes(self, year: int, codes: Sequence[str]) -> pd.DataFrame:
        """``code, children, persons, basis`` for municipalities existing in ``year`` (NaN where unknown)."""
        have = self._cache.get(year)
        todo = sorted(set(codes) - (set(have["code"]) if have is not None else set()))
        if todo:
            orgs = pd.DataFrame({"org_type": "municipality", "org_code": todo, "year": year})
            counted = head_counts(orgs, self.population, self.registry, self.ages, policy=self.policy,  # type: ignore[arg-type]
                                  persons=True)
            new = pd.DataFrame({
                "code": todo,
                "children": counted["children"].to_numpy(dtype=float),
                "persons": counted["persons"].to_numpy(dtype=float),
                "basis": counted["population_basis"].astype(str).to_numpy(),
            })
            have = new if have is None else pd.concat([have, new], ignore_index=True)
            self._cache[year] = have
        if have is None:
            return pd.DataFrame(columns=["code", "children", "persons", "basis"])
        return have[have["code"].isin(set(codes))].reset_index(drop=True)

    def units(self, year: int, division: pd.DataFrame, units: Sequence[str]) -> pd.DataFrame:
        """``unit, children, persons, codes, without_figures, basis`` summed over the codes of each unit.

        A unit is a municipality of the membership year; the codes are the
        municipalities of ``year`` whose territory it holds. A code without
        figures is taken to be included in the unit's other figures (data on
        a later division), which is said in ``without_figures``; a unit none
        of whose codes has figures has NaN.
        """
        units = list(units)
        sub = division.loc[division["unit"].isin(set(units)), ["code", "unit"]]
        counts = self.codes(year, sub["code"].tolist())
        merged = sub.merge(counts, on="code", how="left")
        ok = (merged["children"].notna() & merged["persons"].notna()).to_numpy()
        merged["_ok"] = ok
        g = merged.groupby("unit", sort=False)
        any_ok = g["_ok"].any()
        good = merged[ok].groupby("unit", sort=False)
        out = pd.DataFrame(index=pd.Index(units, name="unit"))
        out["children"] = good["children"].sum().reindex(units)
        out["persons"] = good["persons"].sum().reindex(units)
        out["codes"] = g["code"].agg("|".join).reindex(units).fillna("")
        bad = merged[~ok].groupby("unit", sort=False)["code"].agg("|".join)
        out["without_figures"] = bad.where(any_ok.reindex(bad.index, fill_value=False), "").reindex(units).fillna("")
        out["basis"] = good["basis"].agg(lambda b: "; ".join(sorted(set(b)))).reindex(units).fillna("")
        return out.reset_index()


def _categorical(values: Sequence[object] | np.ndarray) -> pd.Categorical:
    arr = np.asarray(values, dtype=object)
    return pd.Categorical(arr)


def _finish_annotated(frame: pd.DataFrame) -> pd.DataFrame:
    """Column types of a view's annotated lines: text columns categorical, in the budget's order plus the member columns."""
    out = frame.reset_index(drop=True)
    for col in ("org_type", "org_code", "member_type", "member_code", "allocation_key"):
        out[col] = _categorical(out[col].astype(object).to_numpy())
    out["allocation_share"] = out["allocation_share"].astype("float64")
    return out


def _empty_like(annotated: pd.DataFrame) -> pd.DataFrame:
    out = annotated.iloc[0:0].copy()
    for col in MEMBER_COLUMNS:
        out[col] = pd.Series(dtype=object if col != "allocation_share" else "float64")
    return out


def _concat(frames: list[pd.DataFrame], template: pd.DataFrame) -> pd.DataFrame:
    """Concatenate annotated pieces, categorical columns through object (categories may differ)."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return _empty_like(template)
    cat_cols = [c for c in frames[0].columns if isinstance(frames[0][c].dtype, pd.CategoricalDtype)]
    parts = [f.astype({c: object for c in cat_cols if c in f.columns}) for f in frames]
    out = pd.concat(parts, ignore_index=True)
    for c in cat_cols:
        out[c] = _categorical(out[c].to_numpy(dtype=object))
    return out


def _cents_sum(values: pd.Series | np.ndarray) -> int:
    return int(amount_cents(np.asarray(values, dtype="float64")).sum())


def _composition(lines: pd.DataFrame) -> pd.DataFrame:
    """Per view organisation × year × phase × member: euros (exact cents), child euros by tier, lines."""
    cols = ["org_type", "org_code", "year", "phase", "member_type", "member_code"]
    if lines.empty:
        return pd.DataFrame(columns=cols + ["input_euros", "child_euros"] + [f"{t}_euros" for t in _TIERS] + ["lines"])
    f = pd.DataFrame({c: lines[c].astype(object).to_numpy() if c != "year" else lines[c].to_numpy() for c in cols})
    f["cents"] = amount_cents(lines["amount"])
    f["child_euros"] = lines["child_euros"].to_numpy()
    tier = lines["tier"].astype(object).to_numpy()
    for t in _TIERS:
        f[f"{t}_euros"] = np.where(tier == t, f["child_euros"], 0.0)
    f["lines"] = 1
    g = f.groupby(cols, sort=True, dropna=False).sum(numeric_only=True).reset_index()
    g.insert(len(cols), "input_euros", g.pop("cents") / 100.0)
    return g[cols + ["input_euros", "child_euros"] + [f"{t}_euros" for t in _TIERS] + ["lines"]]


def _settings(rows: Sequence[tuple[str, object]]) -> pd.DataFrame:
    return pd.DataFrame([(k, "" if v is None else str(v)) for k, v in rows], columns=["setting", "value"])


def _resolve_many(registry: Registry, value: str | Sequence[str], kind: str, year: int | None) -> list[str] | None:
    """Codes of ``kind`` from one value or several; None for ``"all"``."""
    if isinstance(value, str) and value.strip().lower() == "all":
        return None
    values = [value] if isinstance(value, str | int | np.integer) else list(value)
    if not values:
        raise InputError(say("view.none_given", kind=kind.replace("_", " ")))
    out = []
    for v in values:
        t, c = registry.resolve(v, year)
        if kind == "wellbeing_area" and t == "municipality":
            raise InputError(say("view.region_takes_area", value=repr(v), name=_name(registry, t, c)))
        if t != kind:
            raise InputError(say("view.wrong_kind", value=repr(v), kind=t.replace("_", " "), code=c, wanted=kind.replace("_", " ")))
        out.append(c)
    return sorted(set(out))


def _selected_years(annotated: pd.DataFrame, years: set[int] | None) -> np.ndarray:
    y = annotated["year"].to_numpy()
    return np.ones(len(y), dtype=bool) if years is None else np.isin(y, sorted(years))


def _missing_population_error(missing: list[tuple[str, int, str]], registry: Registry, what: str) -> AllocationError:
    missing = list(dict.fromkeys(missing))  # one entry per municipality, year and reason (an area has many lines and classes)
    listed = [say("word.in_year", org=_name(registry, "municipality", c), year=y) + (f" ({why})" if why else "") for c, y, why in missing]
    merged = [say("view.merged_item", code=c, successor=registry.successor(c, y + 1), year=y + 1) for c, y, _ in missing
              if c in set(registry.municipalities_in(y)) and c not in set(registry.municipalities_in(y + 1))]
    if merged:
        listed.append(say("view.merged_note", merged=", ".join(sorted(set(merged))), option=option("membership_year")))
    return AllocationError(
        say("error.view_population_missing", what=what, n=len({(c, y) for c, y, _ in missing}), listed=_listing(listed),
            population=option("population"), nearest=option("population_year", "nearest")),
        rows=pd.DataFrame(missing, columns=["municipality_code", "year", "detail"]))


# --------------------------------------------------------------------------- region view


def _view_inputs(
    budget_or_ledgers: Any,
    what: str,
    *,
    registry: Registry | None,
    population: Population | pd.DataFrame | None,
    years: int | Sequence[int] | range | None,
    budget_options: Mapping[str, Any],
) -> tuple[ChildBudget, Registry, set[int] | None, Population, str, _Counts]:
    """What every view starts from: the budget, registry, years, population, its policy and the head counts."""
    budget = _budget_of(budget_or_ledgers, registry=registry, population=population, budget_options=budget_options, what=what)
    reg = registry or budget.registry
    pop = _population_for(budget, population)
    policy = budget.options.get("population_year", "exact")
    return budget, reg, _as_years(years), pop, policy, _Counts(pop, reg, budget.target_group.ages, policy)
