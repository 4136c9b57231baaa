"""municipality_view: a municipality's own spend plus its share of its wellbeing area's."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._allocate import KeyTable, Population
from .._budget import ChildBudget
from .._errors import (
    AllocationError,
    InputError,
    LapsibudjettiWarning,
    ReconciliationError,
)
from .._schema import amount_cents
from .._util import _listing, _name
from ..read._tables import read_text_table
from ..reference._labels import default_lang, option, population_key_text, say
from ..reference._labels import text as _label
from ..reference._registry import Registry
from ._cents import allocate_cents
from ._common import (
    _composition,
    _concat,
    _Counts,
    _division,
    _finish_annotated,
    _missing_population_error,
    _outside_areas,
    _resolve_many,
    _selected_years,
    _sote_first_year,
    _view_inputs,
)
from ._region import _make_view, _UserKey
from ._view import BoundaryView


def _user_key(key: KeyTable | pd.DataFrame | str | Path) -> _UserKey:
    if isinstance(key, str | Path) and not (isinstance(key, str) and key == "population"):
        path = Path(key)
        frame = read_text_table(path, what="key table", numeric=("value", "share", "target", "total"))
        return _user_key_frame(frame, source=path.name)
    if isinstance(key, KeyTable):
        t = key.table
        names = sorted(set(t["key"]))
        if len(names) != 1:
            raise InputError(say("ukey.several", names=", ".join(names)))
        frame = t.rename(columns={"org_code": "municipality_code"})[["municipality_code", "year", "service_class", "share"]]
        return _user_key_frame(frame, source=key.source)
    if isinstance(key, pd.DataFrame):
        return _user_key_frame(key, source=say("key.user_table_source"))
    raise InputError(say("arg.type", name="key", expected=say("what.key"), got=repr(key)))


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
        raise InputError(say("table.needs_columns", what=say("table.key_table"), missing=", ".join(missing), have=", ".join(df.columns)),
                         file=source)
    if len(kinds) > 1:
        raise InputError(say("ukey.kinds", kinds=", ".join(kinds)), file=source)
    if kinds[0] == "target/total":
        target = pd.to_numeric(df["target"], errors="coerce")
        total = pd.to_numeric(df["total"], errors="coerce")
        bad = target.isna() | total.isna() | (total <= 0) | (target < 0)
        if bad.any():
            raise InputError(say("ukey.bad_total", n=int(bad.sum())),
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
            say("ukey.bad_value", n=int(bad.sum()), above=say("ukey.above_one") if kind == "share" else "", what=kind),
            rows=df.loc[bad], file=source)
    codes = df[code_col].astype(str).str.strip()
    codes = codes.where(~codes.str.fullmatch(r"\d{1,2}"), codes.str.zfill(3))
    cls = (df["service_class"].astype(object).where(df["service_class"].notna(), "").astype(str).str.strip()
           .str.replace(r"\.0$", "", regex=True) if "service_class" in df else pd.Series([""] * len(df), index=df.index))
    out = pd.DataFrame({"org_code": codes.to_numpy(dtype=object), "year": year.astype("int64").to_numpy(),
                        "service_class": cls.to_numpy(dtype=object), "weight": weight.to_numpy(dtype=float)})
    dup = out.duplicated(["org_code", "year", "service_class"], keep=False)
    if dup.any():
        raise InputError(say("ukey.twice"),
                         rows=out[dup], file=source)
    return _UserKey(out, kind, source, say("ukey.description", what=say(f"ukey.{kind}"), source=source))  # type: ignore[arg-type]


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
    budget, reg, wanted_years, pop, _policy, counts = _view_inputs(
        budget_or_ledgers, "municipality_view", registry=registry, population=population, years=years, budget_options=budget_options)
    user = None if isinstance(key, str) and key == "population" else _user_key(key)
    a = budget.annotated
    in_years = _selected_years(a, wanted_years)
    if not in_years.any():
        raise InputError(say("view.no_years", years=sorted(wanted_years or []), have=sorted(set(a["year"]))))
    plan = _Plan(a=a, reg=reg, pop=pop, counts=counts, user=user, in_years=in_years,
                 child_key_text=population_key_text(budget.target_group.name) if user is None else user.description)
    plan.choose_targets(municipality_code)
    plan.check_memberships()
    pieces = [plan.own_lines()] + plan.allocate_areas()
    annotated = _finish_annotated(_concat(pieces, a))
    if annotated.empty:
        raise InputError(say("view.no_lines", orgs=", ".join(plan.targets)))
    children = plan.view_children(annotated)
    comp = _composition(annotated)
    comp.insert(comp.columns.get_loc("member_code") + 1, "member_name",
                reg.names(comp["member_type"].astype(str), comp["member_code"].astype(str), default_lang()).to_numpy())
    allocation = pd.DataFrame(plan.alloc_rows, columns=["area_code", "year", "service_class", "lines", "municipality_code", "weight",
                                                        "share", "key", "basis", "population_basis", "line_count"])
    check = pd.DataFrame(plan.check_rows, columns=["area_code", "year", "phase", "area_euros", "allocated_euros", "area_child_euros",
                                                   "allocated_child_euros", "cent_rounding_euros", "members", "ok"])
    if len(check) and not check["ok"].all():  # pragma: no cover - allocate_cents guarantees it
        raise ReconciliationError(say("internal.error", detail="allocated euros do not sum back to the area's"),
                                  rows=check[~check["ok"]])
    plan.warn_no_area_lines()
    keep_orgs = {("municipality", t) for t in plan.targets} | {("wellbeing_area", str(ar)) for ar, _ in plan.area_groups.index}
    return _make_view(
        budget, "municipality", annotated=annotated, children=children, keep_orgs=keep_orgs, registry=reg, population=pop,
        options={"allocation_key": plan.child_key_text}, notes=plan.method_notes(annotated), composition=comp,
        allocation=allocation, allocation_check=check,
    )


@dataclass
class _Plan:
    """The steps of :func:`municipality_view`, sharing the data, the registry and what they found."""

    a: pd.DataFrame
    reg: Registry
    pop: Population
    counts: _Counts
    user: _UserKey | None
    in_years: np.ndarray
    child_key_text: str
    targets: list[str] = field(default_factory=list)
    notes: list[tuple[str, object]] = field(default_factory=list)
    areas_of: dict[tuple[str, int], str] = field(default_factory=dict)
    aland: set[str] = field(default_factory=set)
    alloc_rows: list[dict[str, object]] = field(default_factory=list)
    check_rows: list[dict[str, object]] = field(default_factory=list)
    divisions: dict[int, pd.DataFrame] = field(default_factory=dict)

    def __post_init__(self) -> None:
        a = self.a
        self.org_type = a["org_type"].astype(object).to_numpy()
        self.org_code = a["org_code"].astype(object).to_numpy()
        self.year = a["year"].to_numpy()
        self.is_area = (self.org_type == "wellbeing_area") & self.in_years
        self.is_muni = (self.org_type == "municipality") & self.in_years
        self.outside = _outside_areas(self.reg)
        self.area_groups = (pd.DataFrame({"area": self.org_code[self.is_area], "year": self.year[self.is_area],
                                          "pos": np.flatnonzero(self.is_area)})
                            .groupby(["area", "year"], sort=True)["pos"].apply(np.asarray))

    def division(self, y: int) -> pd.DataFrame:
        if y not in self.divisions:
            self.divisions[y] = _division(self.reg, y, None)
        return self.divisions[y]

    def choose_targets(self, municipality_code: str | Sequence[str]) -> None:
        """The municipalities of the view: as asked, or every one with lines and every member of an area with lines."""
        targets = _resolve_many(self.reg, municipality_code, "municipality", None)
        if targets is None:
            found = set(self.org_code[self.is_muni])
            for (area, y) in self.area_groups.index:
                div = self.division(int(y))
                found |= set(div.loc[div["area"] == area, "unit"].dropna())
            targets = sorted(found)
        self.targets = targets

    def check_memberships(self) -> None:
        """Every chosen municipality in every year where areas have lines (a missing one would shift the shares)."""
        reg, target_set = self.reg, set(self.targets)
        area_years = sorted({int(y) for _, y in self.area_groups.index})
        view_years = sorted(set(self.year[self.in_years].tolist()))
        missing = []
        for y in area_years:
            div = self.division(y).set_index("code")
            for t in sorted(set(self.org_code[self.is_muni & (self.year == y)]) - target_set):
                if t not in div.index or not isinstance(div.at[t, "area"], str):
                    missing.append((t, y, (div.at[t, "problem"] if t in div.index else "") or reg._absence(t, y)))
        for y in view_years:
            div = self.division(y).set_index("code")
            for t in self.targets:
                if t not in div.index or not isinstance(div.at[t, "area"], str):
                    if y in area_years:  # only then does the membership decide anything
                        missing.append((t, y, (div.at[t, "problem"] if t in div.index else "") or reg._absence(t, y)))
                    continue
                self.areas_of[(t, y)] = str(div.at[t, "area"])
                if str(div.at[t, "area"]) in self.outside:
                    self.aland.add(t)
        if missing:
            listed = [say("view.problem_item", org=c, year=y, why=why) for c, y, why in missing]
            raise AllocationError(
                say("view.no_membership", n=len(missing), listed=_listing(listed)),
                rows=pd.DataFrame(missing, columns=["municipality_code", "year", "problem"]))
        if self.aland:
            warnings.warn(
                _label("warn.aland", default_lang(), orgs=", ".join(_name(reg, "municipality", t) for t in sorted(self.aland))),
                LapsibudjettiWarning, stacklevel=3)
            self.notes.append(("Åland", say("view.aland_note", orgs=", ".join(sorted(self.aland)))))

    def own_lines(self) -> pd.DataFrame:
        own = self.a.loc[self.is_muni & np.isin(self.org_code, sorted(self.targets))].copy()
        own["member_type"] = "municipality"
        own["member_code"] = own["org_code"].astype(object)
        own["allocation_share"] = 1.0
        own["allocation_key"] = ""
        return own

    def allocate_areas(self) -> list[pd.DataFrame]:
        """Every area line to all the area's members at once, in whole cents; the chosen members' parts."""
        a, reg = self.a, self.reg
        pieces: list[pd.DataFrame] = []
        missing_pop: list[tuple[str, int, str]] = []
        missing_key: list[tuple[str, int, str, str]] = []
        cents = {"child": amount_cents(a["child_euros"].to_numpy()), "amount": amount_cents(a["amount"].to_numpy())}
        for (area, y), pos in self.area_groups.items():
            units = self._members(area, int(y))
            if not set(self.targets) & set(units):
                continue
            shares, key_text = self._line_shares(area, int(y), pos, units, cents["child"], missing_pop, missing_key)
            if np.isnan(shares).any():
                continue  # the missing key or population is reported below, for every area-year at once
            pieces += self._allocated_parts(area, int(y), pos, units, shares, key_text, cents)
        if missing_key:
            listed = [say("view.key_missing_item", org=_name(reg, "municipality", u), year=y, cls=c, area=ar) for u, y, c, ar in missing_key]
            raise AllocationError(
                say("view.key_missing", n=len(missing_key), listed=_listing(listed)),
                rows=pd.DataFrame(missing_key, columns=["municipality_code", "year", "service_class", "area_code"]))
        if missing_pop:
            raise _missing_population_error(missing_pop, reg, say("view.what_allocation_key"))
        return pieces

    def _members(self, area: str, y: int) -> list[str]:
        if area in self.outside:
            raise InputError(say("view.area_outside", area=_name(self.reg, "wellbeing_area", area)))
        div = self.division(y)
        units = sorted(set(div.loc[div["area"] == area, "unit"].dropna()))
        if not units:
            raise AllocationError(say("view.area_no_members", area=_name(self.reg, "wellbeing_area", area), year=y),
                                  rows=pd.DataFrame({"area_code": [area], "year": [y]}))
        return units

    def _line_shares(self, area: str, y: int, pos: np.ndarray, units: list[str], child_cents: np.ndarray,
                     missing_pop: list[tuple[str, int, str]], missing_key: list[tuple[str, int, str, str]],
                     ) -> tuple[np.ndarray, np.ndarray]:
        """Each area line's shares over the members: by class, child lines by the child key, others by all ages."""
        people = self.counts.units(y, self.division(y), units).set_index("unit")
        sc_all = self.a["service_class"].astype(object).to_numpy()
        cls = np.array([c if isinstance(c, str) else "" for c in sc_all[pos]], dtype=object)
        child_line = child_cents[pos] != 0
        shares = np.full((len(pos), len(units)), np.nan)
        key_text = np.full(len(pos), "", dtype=object)
        for is_child in (True, False):
            for c in sorted(set(cls[child_line == is_child])):
                rows = np.flatnonzero((child_line == is_child) & (cls == c))
                found = self._weights(area, y, c, units, is_child, people, missing_pop, missing_key)
                if found is None:
                    continue
                weights, text, basis = found
                s = np.asarray(weights, dtype=float) / float(np.sum(weights))
                shares[rows] = s
                key_text[rows] = text
                by_population = text != (self.user.description if self.user is not None else None)
                for u, wv, sv in zip(units, weights, s):
                    self.alloc_rows.append({"area_code": area, "year": y, "service_class": c or "",
                                            "lines": "child" if is_child else "other", "municipality_code": u,
                                            "weight": float(wv), "share": float(sv), "key": text, "basis": basis,
                                            "population_basis": people.at[u, "basis"] if by_population else "",
                                            "line_count": len(rows)})
        return shares, key_text

    def _weights(self, area: str, y: int, c: str, units: list[str], is_child: bool, people: pd.DataFrame,
                 missing_pop: list[tuple[str, int, str]], missing_key: list[tuple[str, int, str, str]],
                 ) -> tuple[np.ndarray, str, str] | None:
        """The members' weights for one class of area lines (user key first), or None (recorded as missing)."""
        user, reg = self.user, self.reg
        found: tuple[np.ndarray, str, str] | None = None
        if user is not None:
            w = _user_weights(user, units, y, c)
            if w is not None:
                missing = [u for u, v in zip(units, w) if np.isnan(v)]
                if missing:
                    missing_key.extend((u, y, c or "all classes", area) for u in missing)
                    return None
                found = (w, user.description, user.source)
            elif is_child:
                missing_key.extend((u, y, c or say("view.all_classes"), area) for u in units)
                return None
        if found is None:
            w = people["children" if is_child else "persons"].reindex(units).to_numpy(dtype=float)
            if np.isnan(w).any():
                missing_pop.extend((u, y, say("view.member_child" if is_child else "view.member_other", area=area))
                                   for u, v in zip(units, w) if np.isnan(v))
                return None
            found = (w, self.child_key_text if is_child else say("key.all_ages"), self.pop.source)
        weights, text, _basis = found
        total = float(np.sum(weights))
        if user is not None and text == user.description and user.kind == "share" and abs(total - 1.0) > 1e-6:
            raise AllocationError(
                say("view.shares_not_one", area=_name(reg, "wellbeing_area", area), year=y, cls=c or say("view.all_classes"),
                    total=f"{total:.6f}", units=", ".join(units)),
                rows=pd.DataFrame({"municipality_code": units, "year": y, "service_class": c, "share": weights}))
        if not total > 0:
            raise AllocationError(
                say("view.key_zero", area=_name(reg, "wellbeing_area", area), year=y, cls=c or say("view.all_classes")),
                rows=pd.DataFrame({"municipality_code": units, "year": y, "service_class": c, "weight": weights}))
        return found

    def _allocated_parts(self, area: str, y: int, pos: np.ndarray, units: list[str], shares: np.ndarray,
                         key_text: np.ndarray, cents: dict[str, np.ndarray]) -> list[pd.DataFrame]:
        amount_alloc = allocate_cents(cents["amount"][pos], shares)
        child_alloc = allocate_cents(cents["child"][pos], shares)
        lines = self.a.iloc[pos]
        child_euros = self.a["child_euros"].to_numpy()[pos]
        for ph in sorted(set(lines["phase"].astype(str))):
            m = (lines["phase"].astype(str) == ph).to_numpy()
            area_cents, area_child = cents["amount"][pos][m], cents["child"][pos][m]
            self.check_rows.append({
                "area_code": area, "year": y, "phase": ph,
                "area_euros": int(area_cents.sum()) / 100.0,
                "allocated_euros": int(amount_alloc[m].sum()) / 100.0,
                "area_child_euros": int(area_child.sum()) / 100.0,
                "allocated_child_euros": int(child_alloc[m].sum()) / 100.0,
                "cent_rounding_euros": float(child_euros[m].sum()) - int(area_child.sum()) / 100.0,
                "members": len(units),
                "ok": bool(amount_alloc[m].sum() == area_cents.sum() and child_alloc[m].sum() == area_child.sum()),
            })
        parts = []
        for j, u in enumerate(units):
            if u not in self.targets:
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
            parts.append(part)
        return parts

    def view_children(self, annotated: pd.DataFrame) -> pd.DataFrame:
        """The view's own denominators; an unknown one stays empty (never zero) and is named."""
        child_parts = []
        for y, g in annotated[["org_code", "year"]].astype({"org_code": object}).drop_duplicates().groupby("year", sort=True):
            c = self.counts.units(int(y), self.division(int(y)), sorted(g["org_code"]))
            child_parts.append(pd.DataFrame({"org_type": "municipality", "org_code": c["unit"].to_numpy(dtype=object),
                                             "year": int(y), "children": c["children"].to_numpy(dtype=float),
                                             "population_basis": c["basis"].replace("", "unknown").to_numpy(dtype=object)}))
        children = pd.concat(child_parts, ignore_index=True)
        unknown = children[children["children"].isna()]
        if len(unknown):
            listed = [_label("word.in_year", default_lang(), org=_name(self.reg, "municipality", c), year=y)
                      for c, y in zip(unknown["org_code"], unknown["year"])]
            warnings.warn(
                _label("warn.view_no_population", default_lang(), n=len(listed), orgs=_listing(listed), option=option("population")),
                LapsibudjettiWarning, stacklevel=3)
            self.notes.append(("population missing", _listing(listed)))
        return children

    def warn_no_area_lines(self) -> None:
        first = _sote_first_year()
        no_area = sorted({(t, y) for (t, y), ar in self.areas_of.items() if y >= first and t not in self.aland
                          and (ar, y) not in self.area_groups.index})
        if no_area:
            listed = [_label("word.in_year", default_lang(), org=f"{t} ({self.areas_of[(t, y)]})", year=y) for t, y in no_area]
            warnings.warn(
                _label("warn.view_no_area_lines", default_lang(), orgs=_listing(listed), first=first),
                LapsibudjettiWarning, stacklevel=3)
            self.notes.append(("no area lines", _listing(listed)))

    def method_notes(self, annotated: pd.DataFrame) -> list[tuple[str, object]]:
        names = self.reg.names(pd.Series(["municipality"] * len(self.targets)), pd.Series(self.targets, dtype=object))
        return [("view", say("view.municipality_note")),
                ("municipalities", ", ".join(f"{t} ({n})" for t, n in zip(self.targets, names))),
                ("years", ", ".join(str(y) for y in sorted(set(annotated["year"].tolist())))),
                ("allocation key, child lines", self.child_key_text),
                ("allocation key, other area lines", say("key.all_ages_user" if self.user else "key.all_ages")),
                ("rounding", say("view.rounding_note")),
                ("population", self.pop.source)] + self.notes


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
