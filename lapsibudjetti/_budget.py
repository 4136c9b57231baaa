"""The child budget: classify, allocate and reconcile a ledger in one call."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from ._classify import classify
from ._errors import AllocationError, InputError, ReconciliationError
from ._keys import KeyTable, Population, TargetGroup, resolve_shares
from ._registry import Registry
from ._rules import Rules, default_rules, load_rules
from ._schema import LEDGER_COLUMNS, amount_cents, union_categoricals, validate_ledger

__all__ = ["child_budget", "ChildBudget", "combine"]

GROUP = ["org_type", "org_code", "year", "phase"]


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("lapsibudjetti")
    except Exception:  # not installed (running from a checkout)
        return "0+unknown"


def _is_canonical(df: pd.DataFrame) -> bool:
    if list(df.columns) != list(LEDGER_COLUMNS):
        return False
    kinds = LEDGER_COLUMNS
    for col, kind in kinds.items():
        dt = df[col].dtype
        if kind == "cat" and not isinstance(dt, pd.CategoricalDtype):
            return False
        if kind == "int" and dt != np.dtype("int64"):
            return False
        if kind == "float" and dt != np.dtype("float64"):
            return False
    return True


def _concat_ledgers(ledgers: Sequence[pd.DataFrame]) -> pd.DataFrame:
    cols = {}
    for col, kind in LEDGER_COLUMNS.items():
        parts = [d[col] for d in ledgers]
        if kind == "cat":
            cols[col] = pd.Series(union_categoricals([p.astype("category") for p in parts]))
        else:
            cols[col] = pd.Series(np.concatenate([p.to_numpy() for p in parts]))
    return pd.DataFrame(cols)


@dataclass(frozen=True)
class ChildBudget:
    """The result of :func:`child_budget`. Immutable; every table is a new frame.

    Attributes
    ----------
    annotated
        Every input line with ``rule_id, colour, tier, sector, category,
        key_used, child_share, child_euros`` and ``mapped`` (False for
        unmapped lines, whose ``reason`` says why).
    rules
        The rules applied.
    target_group
        Whose euros were counted (children 0–17 by default).
    children
        ``org_type, org_code, year, children, population_basis``: the
        target-group population of each organisation-year (NaN when unknown).
    key_shares
        The child share of every yellow (rule, organisation, year) group and
        the key used.
    population_notes
        How the population of each organisation-year was obtained.
    registry
        The organisations used for names and memberships.
    measure
        What the amounts are (e.g. net operating cost).
    """

    annotated: pd.DataFrame
    rules: Rules
    target_group: TargetGroup
    children: pd.DataFrame
    key_shares: pd.DataFrame
    population_notes: pd.DataFrame
    registry: Registry
    measure: str = "amounts as given in the ledger"
    population_source: str = ""
    options: dict[str, str] = field(default_factory=dict)

    # ---------------------------------------------------------------- lines
    @functools.cached_property
    def _mapped(self) -> np.ndarray:
        return self.annotated["mapped"].to_numpy()

    @property
    def lines(self) -> pd.DataFrame:
        """Classified lines (every mapped line, with its rule and child euros)."""
        return self.annotated.loc[self._mapped].drop(columns=["mapped", "reason"]).reset_index(drop=True)

    @property
    def unmapped(self) -> pd.DataFrame:
        """Lines no rule matched (or whose key was missing), with ``reason``; never dropped."""
        cols = list(LEDGER_COLUMNS) + ["reason"]
        return self.annotated.loc[~self._mapped, cols].reset_index(drop=True)

    # ---------------------------------------------------------------- tables
    @property
    def reconciliation(self) -> pd.DataFrame:
        """Input = classified + unmapped per organisation-year-phase, in exact cents."""
        from ._measure import reconciliation

        return reconciliation(self)

    def summary(self) -> pd.DataFrame:
        """One row per organisation × year × phase with the headline metrics (domain.md §7)."""
        from ._measure import summary

        return summary(self)

    def by(self, dimension: Literal["category", "tier", "sector", "colour"], *, lang: str = "fi") -> pd.DataFrame:
        """Child euros per organisation × year × phase × ``dimension``."""
        from ._measure import by

        return by(self, dimension, lang=lang)

    def method(self) -> dict[str, pd.DataFrame]:
        """Rules applied with their basis and line counts, keys, population and settings."""
        from ._measure import method

        return method(self)

    def missing_population(self, lang: str = "fi") -> pd.DataFrame:
        """Organisation-years whose target-group population is unknown, by name."""
        miss = self.children[self.children["children"].isna()].copy()
        miss.insert(2, "name", self.registry.names(miss["org_type"], miss["org_code"], lang).to_numpy())
        return miss.reset_index(drop=True)

    def _repr_html_(self) -> str:
        from ._display import budget_html

        return budget_html(self)

    def __repr__(self) -> str:
        from ._display import budget_text

        return budget_text(self)


def child_budget(
    ledger: pd.DataFrame | Sequence[pd.DataFrame],
    *,
    rules: Rules | str | Path | None = None,
    profile: Literal["default", "placements_only"] = "default",
    population: Population | pd.DataFrame | None = None,
    keys: KeyTable | pd.DataFrame | None = None,
    target_group: str | tuple[int, int] | TargetGroup = "0-17",
    registry: Registry | None = None,
    population_year: Literal["exact", "nearest"] = "exact",
    on_missing_key: Literal["raise", "unmapped"] = "raise",
    measure: str = "amounts as given in the ledger",
) -> ChildBudget:
    """Classify, allocate and reconcile a ledger: the child budget.

    Parameters
    ----------
    ledger
        A canonical ledger (from :func:`read_ledger`, :func:`read_statistics`
        or :func:`make_ledger`), or several to be combined (e.g. a
        municipality's and its wellbeing area's).
    rules
        A :class:`Rules` object or a path to a rules CSV/XLSX; default: the
        national rules for ``profile``.
    profile
        ``default`` or ``placements_only`` (used when ``rules`` is None or a path).
    population
        Residents by age; default: the packaged municipal figures (ages for
        2019, totals 2000–2022). A DataFrame ``org_code, year, age, persons``
        is added on top of the packaged figures.
    keys
        User allocation keys (``key, org_code, year, share``), for rules with
        ``user:NAME`` keys.
    target_group
        ``"0-17"`` (children, default), ``"0-24"`` (aftercare) or ``"0-28"``
        (Youth Act): changes the population keys and the per-person figures.
    registry
        Organisations and memberships; default: the packaged registry.
    population_year
        ``exact`` (default): population by age must exist for the line's
        year. ``nearest``: use the nearest year's age structure, scaled to the
        year's total population, with a warning; recorded in ``method()``.
    on_missing_key
        ``raise`` (default): an :class:`AllocationError` listing every
        missing key. ``unmapped``: such lines go to ``unmapped`` with the
        reason, so the rest can still be studied.
    measure
        What the amounts are, shown on every table (e.g. ``"net operating cost"``).

    Returns
    -------
    ChildBudget

    Examples
    --------
    >>> from lapsibudjetti import make_ledger
    >>> led = make_ledger({"org_code": ["564"] * 3, "year": [2019] * 3,
    ...     "task_class": ["Perusopetus", "Kirjastotoiminta", "Vesihuolto"],
    ...     "amount": [1000.0, 100.0, 50.0]}, org_type="municipality", phase="actual")
    >>> cb = child_budget(led)
    >>> cb.lines[["task_class", "colour", "child_euros"]].round(2).values.tolist()
    [['Perusopetus', 'green', 1000.0], ['Kirjastotoiminta', 'yellow', 21.48], ['Vesihuolto', 'red', 0.0]]

    The library's share is Oulu's 0–17 residents over all residents in 2019
    (44 133 / 205 489 = 21.48 %).
    >>> bool(cb.reconciliation["ok"].all())
    True
    """
    if isinstance(ledger, pd.DataFrame):
        frame = ledger if _is_canonical(ledger) else validate_ledger(ledger)
    else:
        parts = [d if _is_canonical(d) else validate_ledger(d) for d in ledger]
        if not parts:
            raise InputError("no ledgers given")
        frame = parts[0] if len(parts) == 1 else _concat_ledgers(parts)
    if rules is None:
        rules = default_rules(profile)
    elif isinstance(rules, str | Path):
        rules = load_rules(rules, profile=profile)
    elif not isinstance(rules, Rules):
        raise InputError(f"rules must be a Rules object or a path, got {type(rules).__name__}")
    target = TargetGroup.parse(target_group)
    registry = registry or Registry.default()
    if population is None:
        pop: Population | None = Population.packaged()
    elif isinstance(population, pd.DataFrame):
        pop = Population.packaged().combine(Population.from_frame(population))
    else:
        pop = population
    if isinstance(keys, pd.DataFrame):
        keys = KeyTable.from_frame(keys)
    if population_year not in ("exact", "nearest"):
        raise InputError(f"population_year must be 'exact' or 'nearest', not {population_year!r}")
    if on_missing_key not in ("raise", "unmapped"):
        raise InputError(f"on_missing_key must be 'raise' or 'unmapped', not {on_missing_key!r}")

    cls = classify(frame, rules)
    rule_index = cls.rule_index.astype("int64")
    mapped = rule_index >= 0
    t = rules.table
    colour_of = t["colour"].to_numpy()
    safe_idx = np.where(mapped, rule_index, 0)

    # ---- child shares
    child_share = np.zeros(len(frame))
    colour_line = np.where(mapped, colour_of[safe_idx], "")
    child_share[colour_line == "green"] = 1.0
    key_used = np.full(len(frame), "", dtype=object)
    reason = cls.reason.copy()
    yellow = colour_line == "yellow"
    key_shares = pd.DataFrame(columns=["rule_id", "org_type", "org_code", "year", "service_class", "child_share", "key_used", "missing"])
    notes = pd.DataFrame(columns=["org_type", "org_code", "year", "basis", "detail"])
    if yellow.any():
        user_rule = np.array([(k is not None and k.kind == "user") or (f is not None and f.kind == "user") for k, f in rules._keys])
        ysub = pd.DataFrame(
            {
                "rule_index": rule_index[yellow],
                "org_type": frame["org_type"].to_numpy()[yellow],
                "org_code": frame["org_code"].to_numpy()[yellow],
                "year": frame["year"].to_numpy()[yellow],
                # classes matter only for user keys, which may be per class
                "service_class": np.where(user_rule[rule_index[yellow]], frame["service_class"].astype(object).to_numpy()[yellow], None),
            }
        )
        ysub["service_class"] = ysub["service_class"].where(ysub["service_class"].notna(), "")
        gid, uniq = pd.MultiIndex.from_frame(ysub.astype({"org_type": object, "org_code": object})).factorize()
        groups = uniq.to_frame(index=False)
        groups.columns = ["rule_index", "org_type", "org_code", "year", "service_class"]
        resolved, notes = resolve_shares(
            groups, list(rules._keys), target=target, population=pop, registry=registry, keys=keys, policy=population_year
        )
        share_g = resolved["child_share"].to_numpy()
        missing_g = resolved["missing"].to_numpy()
        bad_g = np.isnan(share_g)
        if bad_g.any() and on_missing_key == "raise":
            miss = resolved.loc[bad_g, ["org_type", "org_code", "year", "service_class", "missing"]].copy()
            miss.insert(0, "rule_id", t["rule_id"].to_numpy()[resolved.loc[bad_g, "rule_index"].to_numpy()])
            miss["lines"] = np.bincount(gid, minlength=len(resolved))[bad_g]
            what = sorted(set(miss["missing"]))
            hint = ""
            if any("population by age" in w for w in what):
                hint = (" Population by age is packaged for 2019 only: pass population_year='nearest' to use the nearest "
                        "year's age structure scaled to each year's total, or give your own population table.")
            raise AllocationError(
                f"allocation keys are missing for {int(bad_g.sum())} (rule, organisation, year) group(s) of yellow lines: "
                f"{'; '.join(what[:8])}{' …' if len(what) > 8 else ''}.{hint} "
                "Or pass on_missing_key='unmapped' to report those lines as unmapped.",
                rows=miss.reset_index(drop=True),
            )
        line_share = share_g[gid]
        ypos = np.flatnonzero(yellow)
        child_share[ypos] = np.nan_to_num(line_share, nan=0.0)
        key_used[ypos] = resolved["key_used"].to_numpy()[gid]
        if bad_g.any():
            lost = ypos[bad_g[gid]]
            mapped = mapped.copy()
            mapped[lost] = False
            reason[lost] = np.array(["allocation key missing: " + m for m in missing_g[gid][bad_g[gid]]], dtype=object)
            child_share[lost] = 0.0
            key_used[lost] = ""
        key_shares = resolved.assign(rule_id=t["rule_id"].to_numpy()[resolved["rule_index"].to_numpy()])
        key_shares = key_shares[["rule_id", "org_type", "org_code", "year", "service_class", "child_share", "key_used", "missing"]]

    # ---- annotate (a shallow copy: the input frame is never changed)
    out = frame.copy(deep=False)

    def attr(col: str) -> pd.Categorical:
        values = t[col].to_numpy(dtype=object)
        cats, inv = np.unique(values.astype(str), return_inverse=True)
        codes = np.where(mapped, inv[safe_idx], -1)
        return pd.Categorical.from_codes(codes, categories=cats)

    out["rule_id"] = attr("rule_id")
    for col in ("colour", "tier", "sector", "category"):
        out[col] = attr(col)
    out["tier"] = out["tier"].cat.remove_categories([c for c in out["tier"].cat.categories if c == ""])
    out["key_used"] = pd.Categorical(np.where(mapped, key_used, None))
    out["child_share"] = np.where(mapped, child_share, 0.0)
    out["child_euros"] = frame["amount"].to_numpy() * out["child_share"].to_numpy()
    out["mapped"] = mapped
    out["reason"] = pd.Categorical(np.where(mapped, None, reason))

    # ---- reconciliation must hold to the cent (checked on independent sums)
    input_cents = amount_cents(frame["amount"])
    in_total = int(input_cents.sum())
    cl_total = int(input_cents[mapped].sum())
    un_total = int(input_cents[~mapped].sum())
    if in_total != cl_total + un_total or len(out) != len(frame):
        raise ReconciliationError(
            f"internal error: input {in_total} cents != classified {cl_total} + unmapped {un_total}; please report this"
        )

    # ---- target-group population per organisation-year
    orgs = frame[["org_type", "org_code", "year"]].drop_duplicates().astype({"org_type": object, "org_code": object}).reset_index(drop=True)
    if pop is not None and len(orgs):
        mat, pnotes = pop.age_matrix(orgs, registry, policy=population_year)
        lo, hi = target.ages
        children = mat[:, lo : hi + 1].sum(axis=1)
        # a borrowed age structure gives shares, not a head count
        children[(pnotes["basis"] == "successor").to_numpy()] = np.nan
        basis = pnotes["basis"].where(pnotes["detail"] == "", pnotes["basis"] + ": " + pnotes["detail"]).to_numpy()
    else:
        children = np.full(len(orgs), np.nan)
        basis = np.full(len(orgs), "no population given", dtype=object)
    children_df = orgs.assign(children=children, population_basis=basis)

    return ChildBudget(
        annotated=out,
        rules=rules,
        target_group=target,
        children=children_df,
        key_shares=key_shares.reset_index(drop=True),
        population_notes=notes.reset_index(drop=True),
        registry=registry,
        measure=measure,
        population_source=pop.source if pop is not None else "none",
        options={
            "profile": rules.profile,
            "rules_source": rules.source,
            "target_group": target.name,
            "population_year": population_year,
            "on_missing_key": on_missing_key,
            "keys_source": keys.source if isinstance(keys, KeyTable) else "none",
            "library_version": _version(),
        },
    )


def combine(budgets: Sequence[ChildBudget]) -> ChildBudget:
    """One result from several computed on parts of a ledger (same rules and settings).

    Summaries of the combined result equal those of the whole ledger: euros
    add, and ratios are recomputed from the added euros.
    """
    if not budgets:
        raise InputError("nothing to combine")
    first = budgets[0]
    for b in budgets[1:]:
        if b.rules.table["rule_id"].tolist() != first.rules.table["rule_id"].tolist() or b.target_group != first.target_group:
            raise InputError("only results computed with the same rules and target group can be combined")
    cols = {}
    for col in first.annotated.columns:
        parts = [b.annotated[col] for b in budgets]
        if isinstance(parts[0].dtype, pd.CategoricalDtype):
            cols[col] = pd.Series(union_categoricals(parts))
        else:
            cols[col] = pd.Series(np.concatenate([p.to_numpy() for p in parts]))
    annotated = pd.DataFrame(cols)
    children = pd.concat([b.children for b in budgets]).drop_duplicates(["org_type", "org_code", "year"]).reset_index(drop=True)
    ks = pd.concat([b.key_shares for b in budgets]).drop_duplicates().reset_index(drop=True)
    notes = pd.concat([b.population_notes for b in budgets]).drop_duplicates().reset_index(drop=True)
    return ChildBudget(
        annotated=annotated,
        rules=first.rules,
        target_group=first.target_group,
        children=children,
        key_shares=ks,
        population_notes=notes,
        registry=first.registry,
        measure=first.measure,
        population_source=first.population_source,
        options=dict(first.options),
    )
