"""Across the si-sote boundary: region views, municipality views, series and comparisons.

Since 1.1.2023 a child's services are paid by two organisations: the
municipality (early childhood education, schools, youth work, culture and
sport: *sivistys*) and its wellbeing area (hyvinvointialue: child
protection, family services, clinics, school health care, psychiatry:
*sote*). A child budget of one of them is half the picture. This module
answers the questions asked across that boundary (domain.md §6–§7):

- :func:`region_view` — a wellbeing area together with its member
  municipalities (Helsinki, area 90, with its own social and health
  services); per child over the area's population, the sum of its members';
- :func:`municipality_view` — a municipality's own spend plus its share of
  its wellbeing area's spend, allocated to the cent by the municipality's
  share of the area's children (default) or by a user key;
- :func:`series` — a comparable series across the 2022/2023 switch, with
  each year's source and the break marked, change in nominal and real
  terms, and budget versus actual;
- :func:`compare` — organisations of the same kind ranked against the
  national, regional or peer-group median, with the population used.

Design
------
A view is a :class:`BoundaryView`: a :class:`~lapsibudjetti.ChildBudget`
whose annotated lines are the member organisations' lines **re-keyed** to the
view's organisation, with the organisation they came from kept in
``member_type``/``member_code``. Every table of a child budget
(``summary()``, ``by()``, ``reconciliation``, ``unmapped``, ``method()``)
therefore works on a view unchanged, and exports and charts take a view as
they take any child budget. A region view's organisation type is
``"region"`` (a wellbeing area *plus* its municipalities, named after the
area), kept apart from ``"wellbeing_area"`` (the area's own ledger) so the
two are never confused. Views are results, never ledgers: ``region`` is not
a ledger organisation type.

A municipality view allocates every line of its area's ledger to **all**
member municipalities at once, in integer cents with largest-remainder
rounding, so that the allocated amounts of every line sum back exactly to
the line (checked; ``allocation_check`` in :meth:`BoundaryView.method`).
Child euros are allocated the same way from the line's child euros rounded
to whole cents. Lines with child euros use the chosen key (the target-group
population share, or the user's key); the area's other lines (not
child-targeted, or unmapped) are allocated by the all-ages population share
unless the user key covers their class, so that a municipality view's
``total_euros`` is its own spend plus its share of the area's, comparable
with the years before 2023 when the municipality's ledger held all of it.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ._budget import ChildBudget, child_budget
from ._errors import AllocationError, InputError, LapsibudjettiWarning, ReconciliationError
from ._keys import MAX_AGE, KeyTable, Population
from ._registry import Registry
from ._schema import LEDGER_COLUMNS, amount_cents

__all__ = [
    "BoundaryView",
    "BoundarySeries",
    "region_view",
    "municipality_view",
    "series",
    "compare",
    "allocate_cents",
    "SOURCE_MUNICIPAL",
    "SOURCE_AREA",
]

#: Extra columns of a view's annotated lines.
MEMBER_COLUMNS: tuple[str, ...] = ("member_type", "member_code", "allocation_share", "allocation_key")
SOURCE_MUNICIPAL = "municipal ledger"
SOURCE_AREA = "wellbeing-area ledger"
_TIERS = ("universal", "targeted", "corrective")
_GROUP = ["org_type", "org_code", "year", "phase"]
_MAX_LISTED = 12

#: Pooled (national) value of a metric: sum of numerator columns / sum of the
#: denominator column of ``summary()``.
_POOLED: dict[str, tuple[tuple[str, ...], str]] = {
    "euros_per_child": (("child_euros",), "children"),
    "child_euros": (("child_euros",), ""),
    "preventive_share": (("universal_euros", "targeted_euros"), "child_euros"),
    "corrective_share": (("corrective_euros",), "child_euros"),
    "child_share_of_total": (("child_euros",), "total_euros"),
    "placements_ratio": (("placements_euros",), "nonresidential_euros"),
}
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


def _sote_first_year() -> int:
    """First year wellbeing areas report (from the reference data: scope ``wellbeing_area``)."""
    from ._reference import service_classes

    return int(service_classes(scope="wellbeing_area")["valid_from"].min())


# --------------------------------------------------------------------------- result objects


@dataclass(frozen=True, repr=False)  # the short summary of ChildBudget, not every table
class BoundaryView(ChildBudget):
    """A region or municipality view: a child budget re-keyed to one organisation per view.

    Everything a :class:`~lapsibudjetti.ChildBudget` has (``summary()``,
    ``by()``, ``reconciliation``, ``lines``, ``unmapped``, ``method()``,
    ``registry``, ``measure``, ``target_group``), on lines whose
    ``org_type``/``org_code`` are the view's organisation and whose
    ``member_type``/``member_code`` say where each line came from.

    Attributes
    ----------
    view
        ``"region"`` or ``"municipality"``.
    view_settings
        ``setting, value``: the view, membership year, key, population and
        what was left out.
    composition
        Per view organisation × year × phase × member organisation:
        ``input_euros``, ``child_euros`` (and by tier), ``children`` (the
        member municipality's target-group population; empty for areas),
        ``lines``. For a region view its rows sum exactly (in cents) to the
        region's totals.
    allocation
        Municipality views: the shares used per area × year × class × line
        kind × member municipality, with the key, the weight (children,
        persons, customers or costs), its source (``basis``) and, for
        population keys, how that year's population was obtained
        (``population_basis``: ``exact``, or the year it was estimated from).
    allocation_check
        Municipality views: per area × year × phase, the area's euros and
        child euros (cents) and their sums over **all** member
        municipalities after allocation; ``ok`` is True when they agree to
        the cent.
    """

    view: str = "region"
    view_settings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["setting", "value"]))
    composition: pd.DataFrame = field(default_factory=pd.DataFrame)
    allocation: pd.DataFrame = field(default_factory=pd.DataFrame)
    allocation_check: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def unmapped(self) -> pd.DataFrame:
        """Lines no rule matched, with ``reason`` and the member organisation they came from."""
        cols = list(LEDGER_COLUMNS) + list(MEMBER_COLUMNS) + ["reason"]
        return self.annotated.loc[~self._mapped, cols].reset_index(drop=True)

    def method(self) -> dict[str, pd.DataFrame]:
        """The child budget's method tables plus ``view``, ``composition`` and, for municipality views, ``allocation`` and ``allocation_check``."""
        out = super().method()
        out["view"] = self.view_settings.copy()
        out["composition"] = self.composition.copy()
        if self.view == "municipality":
            out["allocation"] = self.allocation.copy()
            out["allocation_check"] = self.allocation_check.copy()
        return out


@dataclass(frozen=True)
class BoundarySeries:
    """A series across the 2022/2023 switch (the result of :func:`series`).

    Attributes
    ----------
    table
        One row per organisation × year × phase × sector (``sivistys``,
        ``sote``, ``other``, ``unmapped``): ``euros``, ``child_euros``, tier
        euros, ``children``, ``euros_per_child``, ``source`` (which ledger
        the year's child euros of that sector come from), ``classification``
        (task or service classes), ``break`` and ``break_reason`` (the source
        or classification differs from the previous year in the series),
        year-on-year change in nominal terms and, with a price index, in real
        terms.
    totals
        The same per organisation × year × phase over all sectors, with
        ``preventive_share``, ``corrective_share`` and ``sources``.
    budget_vs_actual
        Per organisation × year × sector (``all`` for the total) where an
        actual and a budget (or revised budget) are both given.
    view
        The :class:`BoundaryView` the series was built from.
    price_index
        ``year, index`` as given (empty without one).
    base_year
        The year whose prices real euros are expressed in.
    """

    table: pd.DataFrame
    totals: pd.DataFrame
    budget_vs_actual: pd.DataFrame
    view: BoundaryView
    price_index: pd.DataFrame
    base_year: int | None = None

    def method(self) -> dict[str, pd.DataFrame]:
        """The view's method tables plus ``series`` (price index and base year)."""
        out = self.view.method()
        rows = [("series of", self.view.view), ("base year of real euros", "" if self.base_year is None else str(self.base_year)),
                ("break", "the source (which ledger) or the classification of a sector differs from the previous year in the series")]
        out["series"] = pd.DataFrame(rows, columns=["setting", "value"])
        out["price_index"] = self.price_index.copy()
        return out


# --------------------------------------------------------------------------- helpers


def _as_years(years: int | Sequence[int] | range | None) -> set[int] | None:
    if years is None:
        return None
    if isinstance(years, bool):
        raise InputError(f"years must be a year, a list of years or None, not {years!r}")
    if isinstance(years, int | np.integer):
        return {int(years)}
    try:
        out = {int(y) for y in years}
    except (TypeError, ValueError) as exc:
        raise InputError(f"years must be a year, a list of years or None, not {years!r}") from exc
    if not out:
        raise InputError("years is empty; give at least one year or None for all")
    return out


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
        raise InputError(f"{what} takes a child budget or ledgers, not a view that was already built; pass the original budget")
    if isinstance(obj, ChildBudget):
        if budget_options:
            raise InputError(
                f"{', '.join(sorted(budget_options))} are options of child_budget() for ledgers; this budget was already "
                "computed. Pass the ledgers instead, or compute the budget with those options first")
        return obj
    if isinstance(obj, pd.DataFrame) or (isinstance(obj, Sequence) and not isinstance(obj, str) and obj
                                         and all(isinstance(d, pd.DataFrame) for d in obj)):
        return child_budget(obj, registry=registry, population=population, **budget_options)
    raise InputError(f"{what} takes a ChildBudget or one or more ledgers (DataFrames), not {type(obj).__name__}")


def _population_for(budget: ChildBudget, population: Population | pd.DataFrame | None) -> Population:
    """The population of the view: the given one, else the one the budget was computed with."""
    if population is None and budget.population is not None:
        return budget.population
    if population is None:
        packaged = Population.packaged()
        if budget.population_source != packaged.source:
            raise InputError(
                f"the budget was computed with the population {budget.population_source!r}; pass the same population= "
                "to the view, so that the area's and the municipalities' children are counted from the same figures")
        return packaged
    if isinstance(population, pd.DataFrame):
        return Population.packaged().combine(Population.from_frame(population))
    if isinstance(population, Population):
        return population
    raise InputError(f"population must be a Population or a DataFrame (org_code, year, age, persons), not {type(population).__name__}")


def _outside_areas(registry: Registry) -> set[str]:
    """Areas outside the wellbeing-area system (``organiser_type`` ``none``: Åland)."""
    a = registry.areas
    if "organiser_type" not in a:
        return set()
    return set(a.loc[a["organiser_type"].astype(str) == "none", "code"].astype(str))


def _name(registry: Registry, org_type: str, code: str) -> str:
    return f"{code} ({registry.name(org_type, code)})"


def _listing(items: Sequence[str]) -> str:
    items = list(items)
    more = f" … and {len(items) - _MAX_LISTED} more" if len(items) > _MAX_LISTED else ""
    return "; ".join(items[:_MAX_LISTED]) + more


def _division(registry: Registry, year: int, membership_year: int | None) -> pd.DataFrame:
    """Municipalities of ``year`` with the municipality (``unit``) and area they belong to in the membership year.

    Columns ``code`` (existing in ``year``), ``unit`` (the municipality its
    territory belongs to in the membership year: itself, or the one it
    merged into), ``area`` (None where there is no membership) and
    ``problem`` (why unit or area is missing).
    """
    m_year = year if membership_year is None else int(membership_year)
    v = registry._validity()
    life = v.groupby("code", sort=True).agg(valid_from=("valid_from", "min"), valid_to=("valid_to", "max"),
                                            merged_into=("merged_into", "last"))
    vf = life["valid_from"].to_dict()
    vt = life["valid_to"].to_dict()
    into = life["merged_into"].to_dict()
    codes = [c for c in life.index if vf[c] <= year <= vt[c]]
    mem = registry.membership_in(m_year).set_index("municipality_code")["area_code"].to_dict()
    units: list[str | None] = []
    areas: list[str | None] = []
    problems: list[str] = []
    for c in codes:
        cur, seen, unit, problem = c, set(), None, ""
        while True:
            if vf[cur] > m_year:
                problem = f"{_name(registry, 'municipality', cur)} did not exist yet in {m_year}"
                break
            if vt[cur] >= m_year:
                unit = cur
                break
            nxt = into.get(cur)
            if not isinstance(nxt, str) or not nxt or nxt in seen or nxt not in vf:
                problem = f"{_name(registry, 'municipality', cur)} ended in {vt[cur]} with no known successor in {m_year}"
                break
            seen.add(cur)
            cur = nxt
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
            mat, notes = self.population.age_matrix(orgs, self.registry, policy=self.policy)  # type: ignore[arg-type]
            # a "successor" row is an age structure normalised to one person: a share, not a head count
            no_count = notes["basis"].isin(["successor"]).to_numpy()
            mat = mat.copy()
            mat[no_count] = np.nan
            lo, hi = self.ages
            basis = np.where(notes["detail"].astype(str) != "",
                             notes["basis"].astype(str) + ": " + notes["detail"].astype(str), notes["basis"].astype(str))
            new = pd.DataFrame({
                "code": todo,
                "children": mat[:, lo:min(hi, MAX_AGE) + 1].sum(axis=1),
                "persons": mat.sum(axis=1),
                "basis": basis,
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


def allocate_cents(cents: np.ndarray | Sequence[int], shares: np.ndarray | Sequence[float]) -> np.ndarray:
    """Split whole cents by shares with largest-remainder rounding; every row sums back exactly.

    Parameters
    ----------
    cents
        Integer cents, one per line (negative amounts are fine).
    shares
        Shares of the receivers: one vector (``k``) for every line, or one
        row per line (``n × k``); each row non-negative, summing to 1.

    Returns
    -------
    numpy.ndarray
        ``n × k`` int64 cents; row ``i`` sums to ``cents[i]`` exactly. Each
        receiver gets the floor of its exact part, and the cents left over go
        to the receivers with the largest fractional parts (ties: the larger
        share, then the first receiver). Receivers with a zero share get
        nothing.

    Raises
    ------
    AllocationError
        For shares that are negative, not finite or do not sum to 1.

    Examples
    --------
    >>> allocate_cents([10001, -5], [0.75, 0.25]).tolist()
    [[7501, 2500], [-4, -1]]
    >>> allocate_cents([100], [1 / 3, 1 / 3, 1 / 3]).tolist()
    [[34, 33, 33]]
    """
    c = np.asarray(cents)
    if c.dtype.kind not in "iu":
        if not np.all(np.isfinite(c)) or np.any(c != np.rint(c)):
            raise AllocationError("cents to allocate must be whole numbers")
    c = c.astype("int64").reshape(-1)
    s = np.asarray(shares, dtype="float64")
    if s.ndim == 1:
        s = np.broadcast_to(s, (len(c), len(s)))
    if s.ndim != 2 or s.shape[0] != len(c) or s.shape[1] == 0:
        raise AllocationError(f"shares must be one vector or one row per line; got shape {s.shape} for {len(c)} line(s)")
    if not np.all(np.isfinite(s)) or (s < 0).any():
        raise AllocationError("allocation shares must be finite and non-negative")
    sums = s.sum(axis=1)
    if len(c) and np.abs(sums - 1.0).max() > 1e-9:
        raise AllocationError(f"allocation shares must sum to 1; got sums between {sums.min()!r} and {sums.max()!r}")
    n, k = s.shape
    exact = c[:, None].astype("float64") * s
    base = np.floor(exact).astype("int64")
    frac = exact - base
    rest = c - base.sum(axis=1)
    eligible = s > 0
    col = np.broadcast_to(np.arange(k), (n, k))
    order = np.lexsort((col, -s, -frac), axis=-1)
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.broadcast_to(np.arange(k), (n, k)).copy(), axis=1)
    n_elig = eligible.sum(axis=1)
    normal = (rest >= 0) & (rest <= n_elig)
    out = base + ((rank < rest[:, None]) & normal[:, None]).astype("int64")
    for i in np.flatnonzero(~normal):  # float rounding left more than one cent per receiver: rare, exact fix-up
        seq = order[i][eligible[i][order[i]]]
        r = int(rest[i])
        step = 1 if r > 0 else -1
        seq = seq if r > 0 else seq[::-1]
        j = 0
        while r != 0:
            out[i, seq[j % len(seq)]] += step
            r -= step
            j += 1
    if (out.sum(axis=1) != c).any():  # pragma: no cover - the construction guarantees it
        raise ReconciliationError("internal error: allocated cents do not sum back to the line; please report this")
    return out


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


def _settings(rows: list[tuple[str, object]]) -> pd.DataFrame:
    return pd.DataFrame([(k, "" if v is None else str(v)) for k, v in rows], columns=["setting", "value"])


def _resolve_many(registry: Registry, value: str | Sequence[str], kind: str, year: int | None) -> list[str] | None:
    """Codes of ``kind`` from one value or several; None for ``"all"``."""
    if isinstance(value, str) and value.strip().lower() == "all":
        return None
    values = [value] if isinstance(value, str | int | np.integer) else list(value)
    if not values:
        raise InputError(f"no {kind.replace('_', ' ')} given; give a code, a name or 'all'")
    out = []
    for v in values:
        t, c = registry.resolve(v, year)
        if kind == "wellbeing_area" and t == "municipality":
            raise InputError(
                f"{v!r} is municipality {_name(registry, t, c)}; a region view takes a wellbeing area. "
                "Use municipality_view() for a municipality, or give its area's code")
        if t != kind:
            raise InputError(f"{v!r} is a {t.replace('_', ' ')} ({c}); give a {kind.replace('_', ' ')}")
        out.append(c)
    return sorted(set(out))


def _selected_years(annotated: pd.DataFrame, years: set[int] | None) -> np.ndarray:
    y = annotated["year"].to_numpy()
    return np.ones(len(y), dtype=bool) if years is None else np.isin(y, sorted(years))


def _missing_population_error(missing: list[tuple[str, int, str]], registry: Registry, what: str) -> AllocationError:
    listed = [f"{_name(registry, 'municipality', c)} in {y}" + (f" ({why})" if why else "") for c, y, why in missing]
    merged = [f"{c} merged into {registry.successor(c, y + 1)} on 1.1.{y + 1}" for c, y, _ in missing
              if c in set(registry.municipalities_in(y)) and c not in set(registry.municipalities_in(y + 1))]
    if merged:
        listed.append(f"note: {', '.join(sorted(set(merged)))}; figures on a later municipal division have no row of "
                      "their own for it: pass membership_year= (e.g. 2026) to count it in its successor")
    return AllocationError(
        f"population for {what} is missing for {len(missing)} municipality-year(s): {_listing(listed)}. "
        "Give population= (org_code, year, age, persons) with these municipalities and years, or compute the budget "
        "with population_year='nearest' to use the nearest year's age structure (recorded in the method)",
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
        raise InputError(f"the budget has no lines in the years {sorted(wanted_years or [])}; it has {sorted(set(a['year']))}")
    areas = _resolve_many(reg, area_code, "wellbeing_area", None)
    if areas is not None:
        for area in areas:
            if reg.organiser_type(area) == "none":
                raise InputError(
                    f"{_name(reg, 'wellbeing_area', area)} is outside the wellbeing-area system (Åland organises its "
                    "social and health services itself): there is no region view. Use the child budgets of its "
                    "municipalities")
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
        listed = [f"{c} in {y}: {why}" for c, y, why in missing_membership]
        raise AllocationError(
            f"no wellbeing-area membership for {len(missing_membership)} municipality-year(s) of the data: {_listing(listed)}. "
            "Add it with Registry.extend(membership=...) and pass registry=, or give membership_year= to group "
            "by another year's membership",
            rows=pd.DataFrame(missing_membership, columns=["municipality_code", "year", "problem"]))
    outside = _outside_areas(reg)
    present = {x for x in line_area[in_years] if isinstance(x, str)}
    chosen = sorted(present - outside) if areas is None else areas
    chosen_set = set(chosen)
    keep = in_years & np.isin(line_area.astype(str), sorted(chosen_set)) & np.array([isinstance(x, str) for x in line_area])
    if not keep.any():
        raise InputError(f"no lines of the area(s) {', '.join(chosen) or '(none)'} or their member municipalities in the data")
    excluded = in_years & ~keep
    sub = a.loc[keep].copy()
    sub["member_type"] = sub["org_type"].astype(object)
    sub["member_code"] = sub["org_code"].astype(object)
    sub["org_type"] = "region"
    sub["org_code"] = line_area[keep]
    sub["allocation_share"] = 1.0
    sub["allocation_key"] = ""
    annotated = _finish_annotated(sub)

    # children: the sum over every member municipality (of the membership year's division)
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
            raise AllocationError(f"{_name(reg, 'wellbeing_area', area)} has no member municipalities in "
                                  f"{membership_year or y} in the registry",
                                  rows=pd.DataFrame({"area_code": [area], "year": [y]}))
        u = unit_counts[int(y)].set_index("unit").loc[units].reset_index()
        for r in u.itertuples(index=False):
            if np.isnan(r.children):
                missing_pop.append((r.unit, int(y), f"member of {area}"))
            elif r.without_figures:
                folded.append(f"{r.without_figures} in {r.unit} ({y})")
            comp_people.append({"org_code": area, "year": int(y), "unit_code": r.unit, "codes": r.codes,
                                "children": r.children, "population_basis": r.basis,
                                "without_own_figures": r.without_figures})
        n_members = len(units)
        basis = f"sum of {n_members} member municipalities" + (f" (membership {membership_year})" if membership_year else "")
        child_rows.append({"org_type": "region", "org_code": area, "year": int(y), "children": float(u["children"].sum()),
                           "population_basis": basis})
    if missing_pop:
        raise _missing_population_error(missing_pop, reg, "the region's children")
    if folded:
        warnings.warn(
            "no population figure of their own for " + _listing(sorted(set(folded))) + "; counted as included in the "
            f"municipality they merged into by {membership_year} (the figures are on a later municipal division)",
            LapsibudjettiWarning, stacklevel=2)
    children = pd.DataFrame(child_rows, columns=["org_type", "org_code", "year", "children", "population_basis"])

    # composition: the members' parts, and the region totals must be their sums to the cent
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
                reg.names(comp["member_type"].astype(str), comp["member_code"].astype(str)).to_numpy())
    rec = annotated.groupby(["org_code", "year", "phase"], observed=True, sort=True)["amount"]
    region_cents = {k: _cents_sum(v) for k, v in rec}
    comp_cents = comp.groupby(["org_code", "year", "phase"], sort=True)["input_euros"].apply(
        lambda s: int(np.rint(s.to_numpy() * 100).astype("int64").sum())).to_dict()
    bad = {k: (region_cents[k], comp_cents.get(k)) for k in region_cents if comp_cents.get(k) != region_cents[k]}
    if bad:  # pragma: no cover - composition is built from the same lines
        raise ReconciliationError(f"internal error: region totals differ from the sums over members: {bad}; please report this")

    notes = [("view", "region: a wellbeing area together with its member municipalities"),
             ("areas", ", ".join(_name(reg, "wellbeing_area", x) for x in sorted(set(annotated["org_code"].astype(str))))),
             ("years", ", ".join(str(y) for y in sorted(set(annotated["year"].tolist())))),
             ("membership year", membership_year if membership_year is not None else "each data year"),
             ("children", f"{budget.target_group.name}: sum over the member municipalities of the area"),
             ("population", pop.source)]
    if "90" in chosen_set:
        notes.append(("Helsinki (90)", "organises its social and health services itself: the region is the City of "
                                       "Helsinki's ledger plus any lines given for area 90"))
    if excluded.any():
        ex = pd.DataFrame({"org_type": org_type[excluded], "area": line_area[excluded], "amount": a["amount"].to_numpy()[excluded]})
        ex["what"] = np.where(pd.Series(ex["area"]).isin(outside).to_numpy(), "Åland (outside the wellbeing-area system)",
                              np.where(ex["org_type"] == "joint_authority", "joint authorities (no membership)",
                                       "other areas and their municipalities"))
        for what, g in ex.groupby("what", sort=True):
            notes.append((f"not in this view: {what}", f"{len(g)} line(s), {_cents_sum(g['amount']) / 100:,.2f} €"))
    keep_orgs = set(zip(a.loc[keep, "org_type"].astype(str), a.loc[keep, "org_code"].astype(str)))
    return _make_view(
        budget, "region", annotated=annotated, children=children, keep_orgs=keep_orgs, registry=reg, population=pop,
        options={"membership_year": "each data year" if membership_year is None else str(membership_year)},
        notes=notes, composition=comp,
    )


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
    notes: list[tuple[str, str]],
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


def _user_key(key: KeyTable | pd.DataFrame | str | Path) -> _UserKey:
    if isinstance(key, str | Path) and not (isinstance(key, str) and key == "population"):
        path = Path(key)
        if not path.exists():
            raise InputError(f"key table not found: {path}; give key='population', a DataFrame, a KeyTable or a path",
                             file=str(path))
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            frame = pd.read_excel(path, dtype=str)
        else:
            text = path.read_bytes().decode("utf-8-sig")
            first = text.split("\n", 1)[0]
            sep = ";" if first.count(";") > first.count(",") else ","
            frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
            if sep == ";":
                for col in ("value", "share", "target", "total"):
                    if col in frame:
                        frame[col] = frame[col].str.replace("\u00a0", "").str.replace(" ", "").str.replace(",", ".")
        return _user_key_frame(frame, source=path.name)
    if isinstance(key, KeyTable):
        t = key.table
        names = sorted(set(t["key"]))
        if len(names) != 1:
            raise InputError(f"the key table has several keys ({', '.join(names)}); pass one, e.g. "
                             "KeyTable(kt.table[kt.table.key == 'NAME'])")
        frame = t.rename(columns={"org_code": "municipality_code"})[["municipality_code", "year", "service_class", "share"]]
        return _user_key_frame(frame, source=key.source)
    if isinstance(key, pd.DataFrame):
        return _user_key_frame(key, source="user key table")
    raise InputError(f"key must be 'population', a DataFrame, a KeyTable or a path to a key table, not {key!r}")


def _user_key_frame(frame: pd.DataFrame, *, source: str) -> _UserKey:
    df = frame.copy()
    df.columns = [str(c).strip() for c in df.columns]
    code_col = "municipality_code" if "municipality_code" in df else "org_code" if "org_code" in df else None
    missing = [c for c in ("year",) if c not in df]
    if code_col is None:
        missing.insert(0, "municipality_code (or org_code)")
    kinds = [c for c in ("value", "share") if c in df] + (["target/total"] if {"target", "total"} <= set(df.columns) else [])
    if not kinds:
        missing.append("value (customers or costs by home municipality), share, or target and total")
    if missing:
        raise InputError(f"the allocation key table needs column(s) {', '.join(missing)}; it has {', '.join(df.columns)}",
                         file=source)
    if len(kinds) > 1:
        raise InputError(f"the allocation key table has {', '.join(kinds)}; give only one of value, share or target/total",
                         file=source)
    if kinds[0] == "target/total":
        target = pd.to_numeric(df["target"], errors="coerce")
        total = pd.to_numeric(df["total"], errors="coerce")
        bad = target.isna() | total.isna() | (total <= 0) | (target < 0)
        if bad.any():
            raise InputError(f"{int(bad.sum())} key row(s) have a missing or negative target or a total that is not positive",
                             rows=df.loc[bad], file=source, column="total")
        weight, kind = target / total, "share"
    else:
        weight = pd.to_numeric(df[kinds[0]], errors="coerce")
        kind = kinds[0]
    year = pd.to_numeric(df["year"], errors="coerce")
    bad = weight.isna() | (weight < 0) | ~np.isfinite(weight.fillna(0)) | year.isna()
    if kind == "share":
        bad |= weight > 1
    if bad.any():
        raise InputError(
            f"{int(bad.sum())} key row(s) have a missing, negative{' or above 1' if kind == 'share' else ''} "
            f"{'share' if kind == 'share' else 'value'} or no year; an organisation with no customers is an explicit 0",
            rows=df.loc[bad], file=source)
    codes = df[code_col].astype(str).str.strip()
    codes = codes.where(~codes.str.fullmatch(r"\d{1,2}"), codes.str.zfill(3))
    cls = (df["service_class"].astype(object).where(df["service_class"].notna(), "").astype(str).str.strip()
           .str.replace(r"\.0$", "", regex=True) if "service_class" in df else pd.Series([""] * len(df), index=df.index))
    out = pd.DataFrame({"org_code": codes.to_numpy(dtype=object), "year": year.astype("int64").to_numpy(),
                        "service_class": cls.to_numpy(dtype=object), "weight": weight.to_numpy(dtype=float)})
    dup = out.duplicated(["org_code", "year", "service_class"], keep=False)
    if dup.any():
        raise InputError("the allocation key table has the same municipality, year and class twice; keep one row",
                         rows=out[dup], file=source)
    what = {"value": "customers or costs by home municipality", "share": "shares by home municipality"}[kind]
    return _UserKey(out, kind, source, f"user key ({what}, {source})")  # type: ignore[arg-type]


def municipality_view(
    budget_or_ledgers: ChildBudget | pd.DataFrame | Sequence[pd.DataFrame],
    municipality_code: str | Sequence[str] = "all",
    *,
    years: int | Sequence[int] | range | None = None,
    key: Literal["population"] | KeyTable | pd.DataFrame | str | Path = "population",
    registry: Registry | None = None,
    population: Population | pd.DataFrame | None = None,
    **budget_options: Any,
) -> BoundaryView:
    """A municipality's own spend plus its share of its wellbeing area's spend.

    Every line of each wellbeing area's ledger in the data is allocated to
    **all** the area's member municipalities of that year at once, in whole
    cents with largest-remainder rounding, so that the allocated amounts of
    every line sum back exactly to it (``allocation_check``). The view keeps
    the chosen municipalities' own lines and their allocated parts, re-keyed
    to the municipality; ``member_type``/``member_code`` say which ledger a
    line came from and ``allocation_share`` with which share.

    Parameters
    ----------
    budget_or_ledgers
        A :class:`~lapsibudjetti.ChildBudget` of the municipalities' and
        areas' ledgers, or the ledgers (``budget_options`` then go to
        :func:`~lapsibudjetti.child_budget`).
    municipality_code
        A municipality code (``"564"``), name or business ID, several, or
        ``"all"``: every municipality with lines and every member of an area
        with lines.
    years
        A year or years to keep; default all years of the data.
    key
        How an area line's child euros are shared:

        - ``"population"`` (default): the municipality's share of the area's
          target-group population (0–17 by default) that year;
        - a DataFrame, :class:`~lapsibudjetti.KeyTable` or path with
          ``municipality_code`` (or ``org_code``), ``year``, optional
          ``service_class`` (empty = every class) and either ``value``
          (customers or costs by home municipality: the shares are each
          member's part of the members' sum), ``share`` (must sum to 1 over
          the members) or ``target`` and ``total``. Per (year, class) the
          class rows are used if the table has any, else the all-class
          rows. A member missing from the rows used is an error naming it.

        The area's lines without child euros (not child-targeted, unmapped)
        are shared by the all-ages population unless the user key covers
        their class.
    registry
        Default: the budget's registry.
    population
        Residents by age (see :func:`region_view`).

    Returns
    -------
    BoundaryView
        ``allocation`` records every share with its key and weight;
        ``method()`` includes it.

    Raises
    ------
    AllocationError
        A missing membership, key, or population used by the key, for an
        organisation-year, naming it (never a zero). A municipality-year of
        the view whose own children are unknown keeps its euros, with euros
        per child empty (NaN), a warning naming it and
        ``missing_population()`` listing it, as in a child budget.

    Examples
    --------
    >>> import lapsibudjetti as lb, pandas as pd
    >>> reg = lb.Registry.default().extend(
    ...     municipalities=pd.DataFrame({"code": ["X01", "X02"], "name_fi": ["Alfala", "Betala"]}),
    ...     areas=pd.DataFrame({"code": ["XA"], "name_fi": ["Esimerkin hyvinvointialue"]}),
    ...     membership=pd.DataFrame({"municipality_code": ["X01", "X02"], "area_code": ["XA", "XA"]}))
    >>> pop = pd.DataFrame({"org_code": ["X01", "X01", "X02", "X02"], "year": [2024] * 4,
    ...     "age": [5, 40, 5, 40], "persons": [300, 1700, 100, 900]})
    >>> area = lb.validate_ledger(pd.DataFrame({"org_type": ["wellbeing_area"], "org_code": ["XA"], "year": [2024],
    ...     "phase": ["actual"], "service_class": ["2120"], "amount": [100.01]}), registry=reg)
    >>> cb = lb.child_budget(area, registry=reg, population=pop)
    >>> view = municipality_view(cb, "all", population=pop)
    >>> view.summary()[["org_code", "child_euros", "children"]].to_dict("records")
    [{'org_code': 'X01', 'child_euros': 75.01, 'children': 300.0}, {'org_code': 'X02', 'child_euros': 25.0, 'children': 100.0}]
    """
    budget, reg, wanted_years, pop, policy, counts = _view_inputs(
        budget_or_ledgers, "municipality_view", registry=registry, population=population, years=years, budget_options=budget_options)
    target = budget.target_group
    user = None if isinstance(key, str) and key == "population" else _user_key(key)
    child_key_text = f"{target.name} population share" if user is None else user.description
    a = budget.annotated
    in_years = _selected_years(a, wanted_years)
    if not in_years.any():
        raise InputError(f"the budget has no lines in the years {sorted(wanted_years or [])}; it has {sorted(set(a['year']))}")
    org_type = a["org_type"].astype(object).to_numpy()
    org_code = a["org_code"].astype(object).to_numpy()
    year = a["year"].to_numpy()
    is_area = (org_type == "wellbeing_area") & in_years
    is_muni = (org_type == "municipality") & in_years
    targets = _resolve_many(reg, municipality_code, "municipality", None)
    divisions: dict[int, pd.DataFrame] = {}

    def division(y: int) -> pd.DataFrame:
        if y not in divisions:
            divisions[y] = _division(reg, y, None)
        return divisions[y]

    area_groups = (pd.DataFrame({"area": org_code[is_area], "year": year[is_area], "pos": np.flatnonzero(is_area)})
                   .groupby(["area", "year"], sort=True)["pos"].apply(np.asarray))
    if targets is None:
        found = set(org_code[is_muni])
        for (area, y) in area_groups.index:
            div = division(int(y))
            found |= set(div.loc[div["area"] == area, "unit"].dropna())
        targets = sorted(found)
    target_set = set(targets)

    # memberships: every chosen municipality in every year where areas have lines
    area_years = sorted({int(y) for _, y in area_groups.index})
    view_years = sorted(set(year[in_years].tolist()))
    notes: list[tuple[str, object]] = []
    missing_membership = []
    aland: set[str] = set()
    outside = _outside_areas(reg)
    areas_of: dict[tuple[str, int], str] = {}
    for y in area_years:  # a municipality of the data without membership would silently shift the area's shares
        div = division(y).set_index("code")
        for t in sorted(set(org_code[is_muni & (year == y)]) - target_set):
            if t not in div.index or not isinstance(div.at[t, "area"], str):
                missing_membership.append((t, y, (div.at[t, "problem"] if t in div.index else "") or reg._absence(t, y)))
    for y in view_years:
        div = division(y).set_index("code")
        for t in targets:
            if t not in div.index or not isinstance(div.at[t, "area"], str):
                if y in area_years:  # only then does the membership decide anything
                    missing_membership.append((t, y, (div.at[t, "problem"] if t in div.index else "") or reg._absence(t, y)))
                continue
            areas_of[(t, y)] = str(div.at[t, "area"])
            if str(div.at[t, "area"]) in outside:
                aland.add(t)
    if missing_membership:
        listed = [f"{c} in {y}: {why}" for c, y, why in missing_membership]
        raise AllocationError(
            f"no wellbeing-area membership for {len(missing_membership)} municipality-year(s) with area lines in the data: "
            f"{_listing(listed)}. Add it with Registry.extend(membership=...) and pass registry=",
            rows=pd.DataFrame(missing_membership, columns=["municipality_code", "year", "problem"]))
    if aland:
        warnings.warn(
            f"{', '.join(_name(reg, 'municipality', t) for t in sorted(aland))}: Åland is outside the wellbeing-area "
            "system, so the municipality view has the municipality's own spend only (no area share)",
            LapsibudjettiWarning, stacklevel=2)
        notes.append(("Åland", f"{', '.join(sorted(aland))}: outside the wellbeing-area system; own spend only, no area share"))

    pieces: list[pd.DataFrame] = []
    own = a.loc[is_muni & np.isin(org_code, sorted(target_set))].copy()
    own["member_type"] = "municipality"
    own["member_code"] = own["org_code"].astype(object)
    own["allocation_share"] = 1.0
    own["allocation_key"] = ""
    pieces.append(own)

    alloc_rows: list[dict[str, object]] = []
    check_rows: list[dict[str, object]] = []
    missing_pop: list[tuple[str, int, str]] = []
    missing_key: list[tuple[str, int, str, str]] = []
    child_cents_all = amount_cents(a["child_euros"].to_numpy())
    amount_cents_all = amount_cents(a["amount"].to_numpy())
    sc_all = a["service_class"].astype(object).to_numpy()
    for (area, y), pos in area_groups.items():
        y = int(y)
        if area in outside:
            raise InputError(f"the data have lines for {_name(reg, 'wellbeing_area', area)}, which is outside the "
                             "wellbeing-area system; a municipality view cannot allocate them")
        div = division(y)
        units = sorted(set(div.loc[div["area"] == area, "unit"].dropna()))
        if not units:
            raise AllocationError(f"{_name(reg, 'wellbeing_area', area)} has lines in {y} but no member municipalities "
                                  "in the registry that year; add them with Registry.extend(membership=...)",
                                  rows=pd.DataFrame({"area_code": [area], "year": [y]}))
        if not target_set & set(units):
            continue
        people = counts.units(y, div, units).set_index("unit")
        cls = np.array([c if isinstance(c, str) else "" for c in sc_all[pos]], dtype=object)
        child_line = child_cents_all[pos] != 0
        shares = np.full((len(pos), len(units)), np.nan)
        key_text = np.full(len(pos), "", dtype=object)
        for is_child in (True, False):
            for c in sorted(set(cls[child_line == is_child])):
                rows = np.flatnonzero((child_line == is_child) & (cls == c))
                weights, text, basis = None, "", ""
                if user is not None:
                    w = _user_weights(user, units, y, c)
                    if w is not None:
                        missing = [u for u, v in zip(units, w) if np.isnan(v)]
                        if missing:
                            missing_key.extend((u, y, c or "all classes", area) for u in missing)
                            continue
                        weights, text, basis = w, user.description, user.source
                    elif is_child:
                        missing_key.extend((u, y, c or "all classes", area) for u in units)
                        continue
                if weights is None:
                    col = "children" if is_child else "persons"
                    w = people[col].reindex(units).to_numpy(dtype=float)
                    if np.isnan(w).any():
                        missing_pop.extend((u, y, f"member of {area}, for its {'child' if is_child else 'other'} lines")
                                           for u, v in zip(units, w) if np.isnan(v))
                        continue
                    weights = w
                    text = child_key_text if is_child else "all-ages population share"
                    basis = pop.source
                total = float(np.sum(weights))
                if user is not None and text == user.description and user.kind == "share" and abs(total - 1.0) > 1e-6:
                    raise AllocationError(
                        f"the key shares of {_name(reg, 'wellbeing_area', area)}'s members for {y}, class {c or 'all'} sum "
                        f"to {total:.6f}, not 1; give shares that sum to 1 over {', '.join(units)} or give values instead",
                        rows=pd.DataFrame({"municipality_code": units, "year": y, "service_class": c, "share": weights}))
                if not total > 0:
                    raise AllocationError(
                        f"the key of {_name(reg, 'wellbeing_area', area)} for {y}, class {c or 'all'} is zero for every "
                        "member; nothing to allocate by",
                        rows=pd.DataFrame({"municipality_code": units, "year": y, "service_class": c, "weight": weights}))
                s = np.asarray(weights, dtype=float) / total
                shares[rows] = s
                key_text[rows] = text
                for u, wv, sv in zip(units, weights, s):
                    by_population = text != (user.description if user is not None else None)
                    alloc_rows.append({"area_code": area, "year": y, "service_class": c or "", "lines": "child" if is_child else "other",
                                       "municipality_code": u, "weight": float(wv), "share": float(sv), "key": text,
                                       "basis": basis, "population_basis": people.at[u, "basis"] if by_population else "",
                                       "line_count": len(rows)})
        if np.isnan(shares).any():
            continue  # the missing key or population is reported below, for every area-year at once
        amount_alloc = allocate_cents(amount_cents_all[pos], shares)
        child_alloc = allocate_cents(child_cents_all[pos], shares)
        lines = a.iloc[pos]
        for ph in sorted(set(lines["phase"].astype(str))):
            m = (lines["phase"].astype(str) == ph).to_numpy()
            check_rows.append({
                "area_code": area, "year": y, "phase": ph,
                "area_euros": int(amount_cents_all[pos][m].sum()) / 100.0,
                "allocated_euros": int(amount_alloc[m].sum()) / 100.0,
                "area_child_euros": int(child_cents_all[pos][m].sum()) / 100.0,
                "allocated_child_euros": int(child_alloc[m].sum()) / 100.0,
                "cent_rounding_euros": float(a["child_euros"].to_numpy()[pos][m].sum()) - int(child_cents_all[pos][m].sum()) / 100.0,
                "members": len(units),
                "ok": bool(amount_alloc[m].sum() == amount_cents_all[pos][m].sum()
                           and child_alloc[m].sum() == child_cents_all[pos][m].sum()),
            })
        for j, u in enumerate(units):
            if u not in target_set:
                continue
            part = lines.copy()
            part["member_type"] = "wellbeing_area"
            part["member_code"] = area
            part["org_type"] = "municipality"
            part["org_code"] = u
            part["amount"] = amount_alloc[:, j] / 100.0
            part["child_euros"] = child_alloc[:, j] / 100.0
            part["allocation_share"] = shares[:, j]
            part["allocation_key"] = key_text
            pieces.append(part)
    if missing_key:
        listed = [f"{_name(reg, 'municipality', u)} in {y}, class {c} (area {ar})" for u, y, c, ar in missing_key]
        raise AllocationError(
            f"the allocation key has no row for {len(missing_key)} member-year-class(es) of areas with child lines: "
            f"{_listing(listed)}. Add the rows (a member with no customers is an explicit 0) or an all-classes row",
            rows=pd.DataFrame(missing_key, columns=["municipality_code", "year", "service_class", "area_code"]))
    if missing_pop:
        raise _missing_population_error(missing_pop, reg, "the allocation key")
    annotated = _finish_annotated(_concat(pieces, a))
    if annotated.empty:
        raise InputError(f"no lines for municipality/ies {', '.join(targets)} or their wellbeing areas in the data")
    # the view's own denominators. As in a child budget, an unknown one stays empty (NaN, never zero) and is
    # named; only where the population decides euros (the key above) is it an error.
    child_parts = []
    for y, g in annotated[["org_code", "year"]].astype({"org_code": object}).drop_duplicates().groupby("year", sort=True):
        c = counts.units(int(y), division(int(y)), sorted(g["org_code"]))
        child_parts.append(pd.DataFrame({"org_type": "municipality", "org_code": c["unit"].to_numpy(dtype=object), "year": int(y),
                                         "children": c["children"].to_numpy(dtype=float),
                                         "population_basis": c["basis"].replace("", "unknown").to_numpy(dtype=object)}))
    children = pd.concat(child_parts, ignore_index=True)
    unknown = children[children["children"].isna()]
    if len(unknown):
        listed = [f"{_name(reg, 'municipality', c)} in {y}" for c, y in zip(unknown["org_code"], unknown["year"])]
        warnings.warn(
            f"no population for {len(listed)} municipality-year(s) of the view: {_listing(listed)}; their euros per child "
            "are left empty (see missing_population()). Give population= for them",
            LapsibudjettiWarning, stacklevel=2)
        notes.append(("population missing", _listing(listed)))
    comp = _composition(annotated)
    comp.insert(comp.columns.get_loc("member_code") + 1, "member_name",
                reg.names(comp["member_type"].astype(str), comp["member_code"].astype(str)).to_numpy())
    allocation = pd.DataFrame(alloc_rows, columns=["area_code", "year", "service_class", "lines", "municipality_code", "weight",
                                                   "share", "key", "basis", "population_basis", "line_count"])
    check = pd.DataFrame(check_rows, columns=["area_code", "year", "phase", "area_euros", "allocated_euros", "area_child_euros",
                                              "allocated_child_euros", "cent_rounding_euros", "members", "ok"])
    if len(check) and not check["ok"].all():  # pragma: no cover - allocate_cents guarantees it
        raise ReconciliationError("internal error: allocated euros do not sum back to the area's; please report this",
                                  rows=check[~check["ok"]])
    first = _sote_first_year()
    no_area = sorted({(t, y) for (t, y), ar in areas_of.items() if y >= first and t not in aland
                      and (ar, y) not in area_groups.index})
    if no_area:
        listed = [f"{t} in {y} (area {areas_of[(t, y)]})" for t, y in no_area]
        warnings.warn(
            f"the data have no wellbeing-area lines for {_listing(listed)}: from {first} on the social and health services "
            "are in the area's ledger, so these municipality-years show the municipality's own spend only. Add the area's ledger",
            LapsibudjettiWarning, stacklevel=2)
        notes.append(("no area lines", _listing(listed)))
    notes = [("view", "municipality: own spend plus a share of the wellbeing area's spend"),
             ("municipalities", ", ".join(f"{t} ({n})" for t, n in zip(targets, reg.names(
                 pd.Series(["municipality"] * len(targets)), pd.Series(targets, dtype=object))))),
             ("years", ", ".join(str(y) for y in sorted(set(annotated["year"].tolist())))),
             ("allocation key, child lines", child_key_text),
             ("allocation key, other area lines", "all-ages population share" + (" (or the user key where it covers the class)" if user else "")),
             ("rounding", "largest remainder in whole cents over all member municipalities of the area; child euros of an "
                          "area line rounded to cents first; the parts of every line sum back to it exactly"),
             ("population", pop.source)] + notes
    keep_orgs = {("municipality", t) for t in targets} | {("wellbeing_area", str(ar)) for ar, _ in area_groups.index}
    return _make_view(
        budget, "municipality", annotated=annotated, children=children, keep_orgs=keep_orgs, registry=reg, population=pop,
        options={"allocation_key": child_key_text}, notes=notes, composition=comp,
        allocation=allocation, allocation_check=check,
    )


def _user_weights(user: _UserKey, units: list[str], year: int, cls: str) -> np.ndarray | None:
    """The user's weights for the members of an area (NaN where missing), or None when the table does not cover the class."""
    t = user.table
    t = t[t["year"] == year]
    use = t[t["service_class"] == cls] if cls else t.iloc[0:0]
    if use.empty or not use["org_code"].isin(units).any():
        use = t[t["service_class"] == ""]
    if use.empty or not use["org_code"].isin(units).any():
        return None
    return use.set_index("org_code")["weight"].reindex(units).to_numpy(dtype=float)


# --------------------------------------------------------------------------- series


def _price_index(table: pd.DataFrame | Mapping[int, float] | str | Path) -> pd.Series:
    if isinstance(table, Mapping):
        frame = pd.DataFrame({"year": list(table.keys()), "index": list(table.values())})
        source = "<dict>"
    elif isinstance(table, str | Path):
        path = Path(table)
        if not path.exists():
            raise InputError(f"price index file not found: {path}", file=str(path))
        text = path.read_bytes().decode("utf-8-sig")
        first = text.split("\n", 1)[0]
        sep = ";" if first.count(";") > first.count(",") else ","
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
        if sep == ";" and "index" in frame:
            frame["index"] = frame["index"].str.replace("\u00a0", "").str.replace(" ", "").str.replace(",", ".")
        source = path.name
    elif isinstance(table, pd.DataFrame):
        frame, source = table, "<frame>"
    else:
        raise InputError(f"price_index must be a table year,index (DataFrame, dict or path), not {type(table).__name__}")
    cols = {str(c).strip().lower(): c for c in frame.columns}
    if "year" not in cols or "index" not in cols:
        raise InputError(f"the price index needs columns year and index; it has {', '.join(map(str, frame.columns))}", file=source)
    year = pd.to_numeric(frame[cols["year"]], errors="coerce")
    index = pd.to_numeric(frame[cols["index"]], errors="coerce")
    bad = year.isna() | index.isna() | (index <= 0)
    if bad.any():
        raise InputError(f"{int(bad.sum())} price-index row(s) have no year or an index that is not a positive number",
                         rows=frame.loc[bad], file=source, column="index")
    s = pd.Series(index.to_numpy(dtype=float), index=year.astype("int64").to_numpy())
    if s.index.duplicated().any():
        raise InputError(f"the price index gives year(s) {sorted(set(s.index[s.index.duplicated()]))} twice", file=source)
    return s.sort_index()


def _source_label(member_type: str, member_code: str, key: str) -> str:
    if member_type == "wellbeing_area":
        return f"{SOURCE_AREA} {member_code}" + (f" (allocated by {key})" if key else "")
    if member_type == "municipality":
        return SOURCE_MUNICIPAL
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
    >>> s.table[["year", "sector", "child_euros", "source", "break"]].to_dict("records")
    [{'year': 2019, 'sector': 'sivistys', 'child_euros': 1000.0, 'source': 'municipal ledger', 'break': False}, {'year': 2019, 'sector': 'sote', 'child_euros': 500.0, 'source': 'municipal ledger', 'break': False}]
    """
    if isinstance(budget_or_view, BoundaryView):
        if budget_options:
            raise InputError(f"{', '.join(sorted(budget_options))} are options for ledgers; this view was already built")
        view = budget_or_view
        reg = registry or view.registry
        only = None
        if organisation is not None:
            t, c = reg.resolve(organisation)
            only = c
            if (view.view == "municipality") != (t == "municipality"):
                raise InputError(f"{organisation!r} is a {t.replace('_', ' ')}; this is a {view.view} view")
    else:
        budget = _budget_of(budget_or_view, registry=registry, population=population, budget_options=budget_options,
                            what="series")
        reg = registry or budget.registry
        if organisation is None:
            raise InputError("series() needs the organisation: a municipality or a wellbeing area (code or name)")
        t, c = reg.resolve(organisation)
        if t == "municipality":
            view = municipality_view(budget, c, years=years, key=key, registry=reg, population=population)
        elif t == "wellbeing_area":
            view = region_view(budget, c, years=years, membership_year=membership_year, registry=reg, population=population)
        else:
            raise InputError(f"{organisation!r} is a {t.replace('_', ' ')}; a series is for a municipality or a wellbeing area")
        only = c
    a = view.annotated
    wanted = _as_years(years)
    keep = np.ones(len(a), dtype=bool)
    if wanted is not None:
        keep &= np.isin(a["year"].to_numpy(), sorted(wanted))
    if only is not None:
        keep &= (a["org_code"].astype(str) == only).to_numpy()
    if not keep.any():
        raise InputError(f"the view has no lines for {only or 'its organisations'} in the years asked")
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
        "classification": np.where(a["service_class"].notna().to_numpy(), "service classes", "task classes"),
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
    with np.errstate(invalid="ignore", divide="ignore"):
        table["euros_per_child"] = np.where(table["children"] > 0, table["child_euros"] / table["children"], np.nan)
    table = _mark_breaks(table, ["org_type", "org_code", "phase", "sector"])

    tot_keys = ["org_type", "org_code", "year", "phase"]
    tg = table.groupby(tot_keys, sort=True)
    totals = tg[["euros", "child_euros"] + [f"{t_}_euros" for t_ in _TIERS] + ["lines"]].sum().reset_index()
    totals["children"] = tg["children"].first().to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        ce = totals["child_euros"].to_numpy()
        totals["euros_per_child"] = np.where(totals["children"] > 0, ce / totals["children"], np.nan)
        totals["preventive_share"] = np.where(ce > 0, (totals["universal_euros"] + totals["targeted_euros"]) / ce, np.nan)
        totals["corrective_share"] = np.where(ce > 0, totals["corrective_euros"] / ce, np.nan)
    labelled = table.assign(_s=table["sector"] + ": " + table["source"],
                            _b=table["sector"] + ": " + table["break_reason"])
    totals["sources"] = labelled.groupby(tot_keys, sort=True)["_s"].agg("; ".join).to_numpy()
    totals["break"] = tg["break"].any().to_numpy()
    reasons = labelled[labelled["break_reason"] != ""].groupby(tot_keys, sort=True)["_b"].agg("; ".join)
    totals["break_reason"] = reasons.reindex(pd.MultiIndex.from_frame(totals[tot_keys])).fillna("").to_numpy()

    idx = None
    series_years = sorted(set(table["year"].tolist()))
    if price_index is not None:
        idx = _price_index(price_index)
        need = set(series_years) | {y - 1 for y in series_years if y - 1 in set(series_years)}
        missing = sorted(need - set(idx.index))
        if missing:
            raise InputError(f"the price index has no value for year(s) {', '.join(map(str, missing))} of the series; add them",
                             rows=pd.DataFrame({"year": missing}))
        base_year = series_years[-1] if base_year is None else int(base_year)
        if base_year not in idx.index:
            raise InputError(f"the base year {base_year} is not in the price index (years {idx.index.min()}–{idx.index.max()})")
    elif base_year is not None:
        raise InputError("base_year is for real euros: give price_index= as well")
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
            parts.append(f"source {ps} ({int(py)}) → {s}")
        if c_ch:
            parts.append(f"classification {pc} ({int(py)}) → {c}")
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


# --------------------------------------------------------------------------- compare


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
    lang: str = "fi",
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
    if not isinstance(result, ChildBudget):
        raise InputError(f"compare() takes a ChildBudget or a view, not {type(result).__name__}")
    if lang not in ("fi", "sv", "en"):
        raise InputError(f"lang must be fi, sv or en, not {lang!r}")
    reg = registry or result.registry
    s = result.summary()
    kinds = sorted(set(s["org_type"].astype(str)))
    if org_type is None:
        if len(kinds) > 1:
            raise InputError(f"the result has organisations of several kinds ({', '.join(kinds)}); pass org_type= to compare one kind")
        org_type = kinds[0]
    elif org_type not in kinds:
        raise InputError(f"the result has no organisations of type {org_type!r}; it has {', '.join(kinds)}")
    s = s[s["org_type"].astype(str) == org_type]
    wanted = _as_years(years)
    if wanted is not None:
        s = s[s["year"].isin(sorted(wanted))]
    if phase is not None:
        s = s[s["phase"].astype(str) == phase]
    if s.empty:
        raise InputError("nothing to compare for those years and phase")
    metrics = [metric] if isinstance(metric, str) else list(metric)
    numeric = [c for c in s.columns if pd.api.types.is_numeric_dtype(s[c]) and c != "year"]
    bad = [m for m in metrics if m not in numeric]
    if bad:
        raise InputError(f"unknown metric(s) {', '.join(bad)}; use numeric columns of summary(): {', '.join(numeric)}")
    s = s.reset_index(drop=True)
    s["org_code"] = s["org_code"].astype(str)
    s["name"] = reg.names(s["org_type"].astype(str), s["org_code"], lang).to_numpy()
    basis = result.children.astype({"org_type": object, "org_code": object})
    basis = basis.assign(org_code=basis["org_code"].astype(str))[["org_type", "org_code", "year", "population_basis"]]
    s = s.merge(basis.drop_duplicates(["org_type", "org_code", "year"]), on=["org_type", "org_code", "year"], how="left")

    # the comparison group of each organisation-year
    if isinstance(by, str):
        how = _BY_ALIASES.get(by.strip().lower())
        if how is None:
            raise InputError(f"by must be one of {', '.join(sorted(set(_BY_ALIASES.values())))} or a list of peers, not {by!r}")
        peers: list[str] | None = None
    else:
        how = "peers"
        peers = []
        for p in by:
            t, c = reg.resolve(p)
            if t != org_type and not (org_type == "region" and t == "wellbeing_area"):
                raise InputError(f"peer {p!r} is a {t.replace('_', ' ')}; the comparison is between {org_type.replace('_', ' ')}s")
            peers.append(c)
        if not peers:
            raise InputError("the peer group is empty; give at least one organisation")
    group = np.full(len(s), "national", dtype=object)
    group_name = np.full(len(s), {"fi": "koko maa", "sv": "hela landet", "en": "whole country"}[lang], dtype=object)
    if how in ("municipality group", "area"):
        if org_type != "municipality":
            raise InputError(f"by={by!r} groups municipalities; these are {org_type.replace('_', ' ')}s. Use by='national' or a peer list")
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
                    problems.append((code, int(y), f"no municipality group for {_name(reg, 'municipality', unit)}"))
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
            listed = [f"{c} in {y}: {why}" for c, y, why in problems]
            hint = " Pass membership_year= (e.g. 2026) to group merged municipalities with their successor." if membership_year is None else ""
            raise AllocationError(f"no {how} for {len(problems)} organisation-year(s): {_listing(listed)}.{hint}",
                                  rows=pd.DataFrame(problems, columns=["org_code", "year", "problem"]))
    elif how == "peers":
        group[:] = "peers"
        group_name[:] = {"fi": "vertailuryhmä", "sv": "jämförelsegrupp", "en": "peer group"}[lang]
        for (y, ph), g in s.groupby(["year", "phase"], sort=True):
            absent = sorted(set(peers or []) - set(g["org_code"]))
            if absent:
                raise AllocationError(
                    f"peer(s) {', '.join(_name(reg, org_type if org_type != 'region' else 'wellbeing_area', c) for c in absent)} "
                    f"have no figures in {y} ({ph}) in this result",
                    rows=pd.DataFrame({"org_code": absent, "year": y, "phase": ph}))
    s["group"] = group
    s["group_name"] = group_name
    if how == "peers":
        s["in_peer_group"] = s["org_code"].isin(peers or [])

    rows = []
    for m in metrics:
        part = s[["org_type", "org_code", "name", "year", "phase", "children", "population_basis", "group", "group_name"]
                 + (["in_peer_group"] if how == "peers" else [])].copy()
        part.insert(5, "metric", m)
        part.insert(6, "value", s[m].to_numpy(dtype=float))
        gy = part.groupby(["year", "phase"], sort=False)["value"]
        part["rank"] = gy.rank(ascending=False, method="min").astype("Int64")
        part["n"] = gy.transform("count").astype("int64")
        part["national_median"] = gy.transform("median")
        num, den = _POOLED.get(m, ((), ""))
        if num:
            sums = s.groupby(["year", "phase"], sort=False)[list(num) + ([den] if den else [])].transform("sum")
            top = sums[list(num)].sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                part["national_pooled"] = np.where(sums[den] > 0, top / sums[den], np.nan) if den else top
        else:
            part["national_pooled"] = np.nan
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
        rows.append(part)
    out = pd.concat(rows, ignore_index=True)
    out["measure"] = result.measure
    out["target_group"] = result.target_group.name
    order = ["org_type", "org_code", "name", "year", "phase", "metric", "value", "children", "population_basis", "rank", "n",
             "national_median", "national_pooled", "vs_national_median", "group", "group_name", "group_n", "group_median",
             "vs_group_median", "group_rank"] + (["in_peer_group"] if how == "peers" else []) + ["measure", "target_group"]
    return out[order].sort_values(["metric", "year", "phase", "org_code"], kind="stable").reset_index(drop=True)
