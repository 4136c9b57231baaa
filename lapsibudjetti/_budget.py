"""The child budget: classify, allocate and reconcile a ledger in one call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from ._allocate import KeyTable, Population, TargetGroup, head_counts
from ._classify import warn_unused_rules
from ._errors import InputError, ReconciliationError
from ._groups import LineGroups
from ._partial import Partial, finish, stack
from ._rules import Rules, default_rules
from ._rules_file import load_rules
from ._schema import LEDGER_COLUMNS
from ._steps import KnownShares, Settings, _organisation_years, _reconcile, annotate_lines, is_canonical, version
from ._validate import validate_ledger
from ._weights import AgeWeights, weights_of
from .measure._plausible import check_plausible, warn_missing_children
from .reference._labels import default_lang, say

if TYPE_CHECKING:
    from ._rules_diff import RulesComparison
    from ._scenario import Scenario
from .reference._registry import Registry

__all__ = ["child_budget", "ChildBudget", "combine"]

GROUP = ["org_type", "org_code", "year", "phase"]


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
    population
        The population figures used (so that views of this result count
        children from the same figures).
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
    population: Population | None = field(default=None, repr=False, compare=False)
    options: dict[str, str] = field(default_factory=dict)
    keys: KeyTable | None = field(default=None, repr=False, compare=False)
    """The user keys used (so that a result can be computed again under another profile)."""
    weights: dict[str, AgeWeights] = field(default_factory=dict, repr=False, compare=False)
    """The user's age-cost weight tables used, by name."""

    source: object = field(default=None, repr=False, compare=False)
    """The Parquet dataset or Dask frame the lines were computed from (None: lines in memory); its results hold summed lines."""
    line_groups: LineGroups | None = field(default=None, repr=False, compare=False)
    """The lines' organisation × year × phase groups and cent sums, shared by the tables (built when not given)."""
    lang: str = field(default="", repr=False, compare=False)
    """The language its texts (population notes, keys used, unmapped reasons) were written in: the session's when computed."""

    def __post_init__(self) -> None:
        if self.line_groups is None:  # frozen: the one place the field is filled in
            object.__setattr__(self, "line_groups", LineGroups.of(self.annotated))

    @property
    def groups(self) -> LineGroups:
        """:attr:`line_groups`, never empty (for the tables)."""
        if self.line_groups is None:  # pragma: no cover - __post_init__ fills it
            raise ReconciliationError(say("internal.error", detail="the result has no line groups"))
        return self.line_groups

    @property
    def lines(self) -> pd.DataFrame:
        """Classified lines (every mapped line, with its rule and child euros)."""
        return self.annotated.loc[self.groups.mapped].drop(columns=["mapped", "reason"]).reset_index(drop=True)

    @property
    def unmapped(self) -> pd.DataFrame:
        """Lines no rule matched (or whose key was missing), with ``reason``; never dropped."""
        cols = list(LEDGER_COLUMNS) + ["reason"]
        return self.annotated.loc[~self.groups.mapped, cols].reset_index(drop=True)

    # ---------------------------------------------------------------- tables
    @property
    def reconciliation(self) -> pd.DataFrame:
        """Input = classified + unmapped per organisation-year-phase, in exact cents."""
        from .measure._summary import reconciliation

        return reconciliation(self)

    def summary(self, *, lang: str | None = None) -> pd.DataFrame:
        """One row per organisation × year × phase with the headline metrics (domain.md §7).

        With ``lang`` (``fi``/``sv``/``en``) the column headings and the codes
        of phases and organisation types are in that language (for reading);
        without it they are the canonical names (for code).

        Examples
        --------
        >>> import lapsibudjetti as lb
        >>> cb = lb.load_sample("synthetic").child_budget()
        >>> cb.summary(lang="fi").columns[:4].tolist()
        ['Organisaatiotyyppi', 'Koodi', 'Vuosi', 'Vaihe']
        """
        from .measure._summary import summary

        out = summary(self)
        if lang is None:
            return out
        from ._present import styled

        return styled(out, name="summary", lang=lang).data  # type: ignore[no-any-return]

    def by(self, dimension: Literal["category", "tier", "sector", "colour"], *, lang: str | None = None) -> pd.DataFrame:
        """Child euros per organisation × year × phase × ``dimension`` (labels in ``lang``; default: the session's language)."""
        from .measure._summary import by
        from .reference._labels import lang_or_default

        return by(self, dimension, lang=lang_or_default(lang))

    def method(self) -> dict[str, pd.DataFrame]:
        """Rules applied with their basis and line counts, keys, population and settings."""
        from .measure._summary import method

        return method(self)

    def sensitivity(self, profiles: Sequence[str] = ("default", "population_keys")) -> pd.DataFrame:
        """The headline figures (child euros, per child, preventive and corrective share) under each key profile, side by side.

        See :func:`lapsibudjetti.measure._sensitivity.sensitivity`: how much of
        the corrective share is an allocation choice.
        """
        from .measure._sensitivity import sensitivity

        if not profiles:
            raise InputError(say("budget.one_profile"))
        return sensitivity([(p, _under_profile(self, p)) for p in dict.fromkeys(profiles)])

    def outcomes(self, indicators: pd.DataFrame | str | Path | None = None) -> pd.DataFrame:
        """Euros beside outcome indicators of the same organisation-year (default: the packaged children placed outside the home).

        See :func:`lapsibudjetti.measure._outcomes.outcomes`: euros of placements
        and corrective euros per placed child, count indicators per 1 000
        children; a year without a figure is empty and warned about, never zero.
        ``indicators`` is a table or a CSV/XLSX file with ``org_code, year,
        indicator, value`` (and ``unit``, ``source``, ``org_type``).
        """
        from .measure._outcomes import indicator_table, outcomes
        from .reference._tables import indicators as packaged

        table = indicator_table(packaged()) if indicators is None else indicator_table(indicators)
        return outcomes(self.summary(), table)

    def scenario(self, changes: pd.DataFrame | str | Path | None = None, *, rules: Rules | str | Path | None = None,
                 profile: str | None = None) -> Scenario:
        """The child impact of a decision: move or add euros, or change a key or a rule, and compare before and after.

        See :func:`lapsibudjetti._scenario.scenario`. ``changes`` is a table or
        a CSV/XLSX file with ``action`` (``move``/``add``), ``org_code``,
        ``year``, ``phase``, ``from_category``, ``to_category``, ``euros``.
        ``rules`` (a rules object or file, e.g. one with another key or
        colour for a class) or ``profile`` (e.g. ``population_keys``)
        computes the scenario under other rules; both can go together.
        """
        from ._scenario import scenario

        self._lines_needed("scenario()")
        if rules is not None and profile is not None:
            raise InputError(say("budget.rules_or_profile"))
        other = _rules_of(rules, "default") if rules is not None else (_rules_for_profile(self, profile) if profile else self.rules)

        def recompute(extra: pd.DataFrame | None) -> ChildBudget:
            if extra is None and other is self.rules:
                return self
            lines = self.annotated[list(LEDGER_COLUMNS)]
            return _again(self, lines if extra is None else _with_lines(self, lines, extra), other)

        return scenario(self, changes, recompute)

    def compare_rules(self, other: Rules | str | Path, *, profile: str = "default") -> RulesComparison:
        """The same lines under other rules: which rules changed and which child euros moved, by category, tier and organisation.

        ``other`` is a rules object or a rules file (CSV or XLSX, e.g. the
        workbook a workshop edited). The population, keys and settings are
        this result's. The tables reconcile to the cent (``.check``).

        Examples
        --------
        >>> import lapsibudjetti as lb
        >>> led = lb.make_ledger({"org_code": ["091"], "year": [2021], "service_class": ["3601"], "amount": [1000.0]},
        ...     org_type="municipality", phase="actual")
        >>> cb = lb.child_budget(led)
        >>> d = cb.compare_rules(cb.rules.replace("sc-3601", colour="yellow", key="fixed:40%"))
        >>> d.by_category[["category", "child_euros_before", "child_euros_after", "difference"]].values.tolist()
        [['youth_work', 1000.0, 400.0, -600.0]]
        """
        from ._rules_diff import rules_comparison

        self._lines_needed("compare_rules()")
        return rules_comparison(self, _again(self, self.annotated[list(LEDGER_COLUMNS)], _rules_of(other, profile)))

    def _lines_needed(self, what: str) -> None:
        if self.source is not None:
            raise InputError(say("budget.summed", what=what))

    def table(self, name: str = "summary", *, lang: str | None = None, formatted: bool = True) -> Any:
        """A table for reading in a notebook: headings and codes in ``lang``, numbers formatted the way of that language.

        ``name`` is ``summary``, ``by_category``, ``by_tier``, ``by_sector``,
        ``by_colour``, ``reconciliation``, ``unmapped`` or ``missing_population``.
        Returns a pandas ``Styler`` (its ``.data`` keeps the numbers); see
        :func:`lapsibudjetti._present.styled`.

        Examples
        --------
        >>> import lapsibudjetti as lb
        >>> cb = lb.load_sample("synthetic").child_budget()
        >>> cb.table("summary", lang="sv").data.columns[:3].tolist()
        ['Organisationstyp', 'Kod', 'År']
        """
        from ._present import budget_table

        return budget_table(self, name, lang=lang, formatted=formatted)

    def missing_population(self, lang: str | None = None) -> pd.DataFrame:
        """Organisation-years whose target-group population is unknown, by name (in ``lang``; default: the session's language)."""
        from .reference._labels import lang_or_default

        miss = self.children[self.children["children"].isna()].copy()
        miss.insert(2, "name", self.registry.names(miss["org_type"], miss["org_code"], lang_or_default(lang)).to_numpy())
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
    profile: Literal["default", "placements_only", "population_keys"] = "default",
    population: Population | pd.DataFrame | None = None,
    keys: KeyTable | pd.DataFrame | None = None,
    weights: Mapping[str, AgeWeights | pd.DataFrame | str | Path] | None = None,
    target_group: str | tuple[int, int] | TargetGroup = "0-17",
    registry: Registry | None = None,
    population_year: Literal["exact", "nearest"] = "exact",
    on_missing_key: Literal["raise", "unmapped"] = "raise",
    measure: str = "amounts as given in the ledger",
    batch_size: int = 1_000_000,
    lines_to: str | Path | None = None,
    workers: int | None = None,
) -> ChildBudget:
    """Classify, allocate and reconcile a ledger: the child budget.

    Parameters
    ----------
    ledger
        A canonical ledger (from :func:`read_ledger`, :func:`read_statistics`
        or :func:`make_ledger`), or several to be combined (e.g. a
        municipality's and its wellbeing area's). For data larger than
        memory: a Parquet dataset (a directory, e.g. from
        :func:`write_dataset`, or a ``pyarrow.dataset.Dataset``), read in
        batches, or a ``dask.dataframe.DataFrame`` (extra ``[dask]``),
        computed on its cluster; the result then holds the lines summed per
        organisation, year, phase, class, rule and key (``line_count`` says
        how many) and the unmapped lines whole (docs/larger-than-memory.md).
    rules
        A :class:`Rules` object or a path to a rules CSV/XLSX; default: the
        national rules for ``profile``.
    profile
        ``default``, ``placements_only`` (non-residential child protection
        targeted, not corrective) or ``population_keys`` (the health-care
        lines keyed by the plain 0–17 population share instead of the
        age-cost weights: the figures of reports made before them); used when
        ``rules`` is None or a path.
    population
        Residents by age; default: the packaged municipal figures (ages for
        2019, totals 2000–2022). A DataFrame ``org_code, year, age, persons``
        is added on top of the packaged figures.
    keys
        User allocation keys (``key, org_code, year, share``), for rules with
        ``user:NAME`` keys.
    weights
        Age-cost weight tables of your own by name (``age_from, age_to,
        weight``; a DataFrame or a CSV/XLSX path), for rules with
        ``weighted:NAME`` keys; the packaged ``health_care_2014`` (the state's
        health-care base prices by age) needs none.
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
    batch_size
        For a Parquet dataset: lines per batch (memory is bounded by it).
    lines_to
        For a Parquet dataset or a Dask frame: a new directory to write
        every annotated line to (Parquet), as they are computed.
    workers
        For a Parquet dataset: processes reading its files side by side,
        this one and ``workers - 1`` started for the call (memory: one batch
        each). Default: two for datasets of 40 million
        lines or more on a machine with two cores or more, in a notebook or
        the ``lapsibudjetti`` command; else one (a script that asks for more
        must call this inside ``if __name__ == "__main__":``). See
        docs/larger-than-memory.md for when more pay off.

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
    target = TargetGroup.parse(target_group)
    if isinstance(keys, pd.DataFrame):
        keys = KeyTable.from_frame(keys)
    if population_year not in ("exact", "nearest"):
        raise InputError(say("budget.population_year", value=repr(population_year)))
    if on_missing_key not in ("raise", "unmapped"):
        raise InputError(say("budget.on_missing_key", value=repr(on_missing_key)))
    s = Settings(rules=_rules_of(rules, profile), target=target, registry=registry or Registry.default(),
                 population=_population_of(population), keys=keys, weights=weights_of(weights),
                 population_year=population_year, on_missing_key=on_missing_key, measure=measure)
    source = larger_than_memory(ledger, batch_size=batch_size, lines_to=lines_to, workers=workers)
    if source is not None:
        merged: Partial = source.partial(replace(s, shares_known=KnownShares()))
        annotated, children, groups = finish(merged, s, source.name)
        return budget_of(s, annotated, children=children, key_shares=merged.key_shares, notes=merged.notes, line_groups=groups,
                         source=source)
    if lines_to is not None:
        raise InputError(say("budget.lines_to_memory"))
    frame = _one_ledger(ledger)
    out, shares, classified = annotate_lines(frame, s, on_missing_key=on_missing_key)
    warn_unused_rules(s.rules, classified.rule_index, frame["year"].to_numpy())
    line_groups = _reconcile(frame, out)
    children = head_counts(_organisation_years(line_groups), s.population, s.registry, target.ages, policy=population_year)
    check_plausible(line_groups, out["child_euros"].to_numpy(dtype=float), s.population, s.registry, population_year, target.ages)
    warn_missing_children(children, s.registry, population_year)
    return budget_of(s, out, children=children, key_shares=shares.key_shares, notes=shares.notes, line_groups=line_groups)


def budget_of(s: Settings, annotated: pd.DataFrame, *, children: pd.DataFrame, key_shares: pd.DataFrame, notes: pd.DataFrame,
              line_groups: LineGroups | None, source: object = None) -> ChildBudget:
    """The :class:`ChildBudget` of annotated lines computed under ``s``."""
    return ChildBudget(
        annotated=annotated,
        rules=s.rules,
        target_group=s.target,
        children=children,
        key_shares=key_shares.reset_index(drop=True),
        population_notes=notes.reset_index(drop=True),
        registry=s.registry,
        measure=s.measure,
        line_groups=line_groups,  # the tables share the groups and cent sums of the check
        population_source=s.population.source if s.population is not None else "none",
        population=s.population,
        keys=s.keys,
        weights=s.weights,
        source=source,
        lang=default_lang(),
        options={
            "profile": s.rules.profile,
            "rules_source": s.rules.source,
            "target_group": s.target.name,
            "population_year": s.population_year,
            "on_missing_key": s.on_missing_key,
            "keys_source": s.keys.source if s.keys is not None else "none",
            "library_version": version(),
            **({"lines": "summed per organisation, year, phase, class, rule and key (larger-than-memory input); "
                         "unmapped lines kept whole"} if source is not None else {}),
        },
    )


def larger_than_memory(ledger: object, *, batch_size: int, lines_to: str | Path | None, workers: int | None = None) -> Any:
    """The larger-than-memory source ``ledger`` names (a Parquet dataset or a Dask frame), or None for frames in memory."""
    from ._dask import DaskSource
    from ._dataset import ParquetSource, is_dataset

    if isinstance(ledger, ParquetSource | DaskSource):  # a result's own source, computed again (another profile)
        if lines_to is not None:
            raise InputError(say("budget.lines_to_again"))
        return replace(ledger, lines_to=None)  # the first computation's lines stay as written
    if type(ledger).__module__.split(".")[0] in ("dask", "dask_expr"):
        return DaskSource.of(ledger, lines_to=lines_to)
    if is_dataset(ledger):
        return ParquetSource.of(ledger, batch_size=batch_size, lines_to=lines_to, workers=workers)  # type: ignore[arg-type]
    if isinstance(ledger, str | Path):
        raise InputError(say("budget.takes", ledger=ledger))
    return None


_PACKAGED_RULES = "lapsibudjetti/data/rules/national.csv"


def _rules_for_profile(cb: ChildBudget, profile: str) -> Rules:
    """The rules of ``cb`` under ``profile``: the packaged profile, or one's own rules with the plain population keys."""
    from ._rules import PROFILES

    if profile not in PROFILES:
        raise InputError(say("budget.unknown_profile", profile=repr(profile), profiles=", ".join(PROFILES)))
    if cb.rules.source == _PACKAGED_RULES:
        return default_rules(profile)  # type: ignore[arg-type]
    if profile == "population_keys":  # rules of one's own: every age-cost key replaced by the plain population share
        table = cb.rules.table.copy()
        for col in ("key", "key_fallback"):
            if col in table.columns:
                weighted = table[col].astype(str).str.strip().str.lower().str.startswith("weighted:")
                table.loc[weighted, col] = "population"
        return Rules.from_frame(table.drop(columns=[c for c in ("source_row",) if c in table.columns]),
                                source=f"{cb.rules.source} (population keys)")
    if profile == cb.options.get("profile", "default"):
        return cb.rules
    raise InputError(say("budget.profile_variant", profile=repr(profile), source=cb.rules.source))


def _under_profile(cb: ChildBudget, profile: str) -> ChildBudget:
    """The same ledgers, population, keys and settings under another rules profile."""
    own = cb.options.get("profile", "default")
    if profile == own and not (profile == "population_keys" and cb.rules.source != _PACKAGED_RULES):
        return cb
    return _again(cb, None if cb.source is not None else cb.annotated[list(LEDGER_COLUMNS)], _rules_for_profile(cb, profile))


def _with_lines(cb: ChildBudget, lines: pd.DataFrame, extra: pd.DataFrame) -> pd.DataFrame:
    """The ledger lines with more lines (a scenario's changes) beside them, validated as one ledger."""
    plain = pd.concat([lines.astype(object), extra[list(LEDGER_COLUMNS)].astype(object)], ignore_index=True)
    for col in LEDGER_COLUMNS:
        if col in ("amount",):
            plain[col] = plain[col].astype(float)
        elif col in ("year", "source_row"):
            plain[col] = plain[col].astype("int64")
    return validate_ledger(plain, registry=cb.registry)


def _again(cb: ChildBudget, ledger: pd.DataFrame | None, rules: Rules) -> ChildBudget:
    """The same input (``ledger``, or the larger-than-memory source of ``cb``) under ``rules``."""
    return child_budget(
        cb.source if cb.source is not None else ledger, rules=rules, population=cb.population, keys=cb.keys,
        weights=cb.weights, target_group=cb.target_group, registry=cb.registry,
        population_year=cb.options.get("population_year", "exact"),  # type: ignore[arg-type]
        on_missing_key=cb.options.get("on_missing_key", "raise"),  # type: ignore[arg-type]
        measure=cb.measure,
    )


# ---------------------------------------------------------------- the steps of child_budget


def _one_ledger(ledger: pd.DataFrame | Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Step 1: the canonical ledger (validated unless it already is), several concatenated."""
    if isinstance(ledger, pd.DataFrame):
        return ledger if is_canonical(ledger) else validate_ledger(ledger)
    parts = [d if is_canonical(d) else validate_ledger(d) for d in ledger]
    if not parts:
        raise InputError(say("budget.no_ledgers"))
    return parts[0] if len(parts) == 1 else stack(parts)[list(LEDGER_COLUMNS)]


def _rules_of(rules: Rules | str | Path | None, profile: str) -> Rules:
    if rules is None:
        return default_rules(profile)  # type: ignore[arg-type]
    if isinstance(rules, str | Path):
        return load_rules(rules, profile=profile)  # type: ignore[arg-type]
    if not isinstance(rules, Rules):
        raise InputError(say("arg.type", name="rules", expected=say("what.rules"), got=type(rules).__name__))
    return rules


def _population_of(population: Population | pd.DataFrame | None) -> Population | None:
    """The packaged figures, the user's on top of them, or the user's Population as given."""
    if population is None:
        return Population.packaged()
    if isinstance(population, pd.DataFrame):
        return Population.packaged().combine(Population.from_frame(population))
    return population


def combine(budgets: Sequence[ChildBudget]) -> ChildBudget:
    """One result from several computed on parts of a ledger (same rules and settings).

    Summaries of the combined result equal those of the whole ledger: euros
    add, and ratios are recomputed from the added euros.

    Examples
    --------
    >>> import lapsibudjetti as lb
    >>> led = lb.make_ledger({"org_code": ["091", "091"], "year": [2021, 2021], "service_class": ["3051", "3601"],
    ...     "amount": [100.0, 50.0]}, org_type="municipality", phase="actual")
    >>> both = lb.combine([lb.child_budget(led.iloc[:1]), lb.child_budget(led.iloc[1:])])
    >>> float(both.summary()["child_euros"].sum()) == float(lb.child_budget(led).summary()["child_euros"].sum())
    True
    """
    if not budgets:
        raise InputError(say("budget.nothing_to_combine"))
    first = budgets[0]
    for b in budgets[1:]:
        if b.rules.table["rule_id"].tolist() != first.rules.table["rule_id"].tolist() or b.target_group != first.target_group:
            raise InputError(say("budget.same_rules"))

    def rows(frames: list[pd.DataFrame]) -> pd.DataFrame:
        # empty parts carry no rows but may carry other dtypes: leave them out
        kept = [f for f in frames if len(f)] or frames[:1]
        return pd.concat(kept, ignore_index=True)

    return ChildBudget(
        annotated=stack([b.annotated for b in budgets]),
        rules=first.rules,
        target_group=first.target_group,
        children=rows([b.children for b in budgets]).drop_duplicates(["org_type", "org_code", "year"]).reset_index(drop=True),
        key_shares=rows([b.key_shares for b in budgets]).drop_duplicates().reset_index(drop=True),
        population_notes=rows([b.population_notes for b in budgets]).drop_duplicates().reset_index(drop=True),
        registry=first.registry,
        measure=first.measure,
        population_source=first.population_source,
        population=first.population,
        options=dict(first.options),
        lang=first.lang,
    )
