"""The child budget: classify, allocate and reconcile a ledger in one call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from ._allocate import KeyTable, Population, TargetGroup, head_counts, resolve_shares
from ._classify import Classification, classify, warn_unused_rules
from ._errors import AllocationError, InputError, ReconciliationError
from ._groups import LineGroups
from ._rules import Rules, default_rules
from ._rules_file import load_rules
from ._schema import LEDGER_COLUMNS, union_categoricals
from ._validate import validate_ledger
from ._weights import AgeWeights, weights_of
from .measure._plausible import check_plausible, warn_missing_children

if TYPE_CHECKING:
    from ._rules_diff import RulesComparison
    from ._scenario import Scenario
from .reference._registry import Registry

__all__ = ["child_budget", "ChildBudget", "combine"]

GROUP = ["org_type", "org_code", "year", "phase"]
# pandas 3 shares column data under copy-on-write; pandas 2 copies unless told not to
_NO_COPY: dict[str, bool] = {"copy": False} if int(pd.__version__.split(".")[0]) < 3 else {}


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("lapsibudjetti")
    except Exception:  # not installed (running from a checkout): the source's own version
        from ._version import __version__

        return f"{__version__} (source checkout)"


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

    line_groups: LineGroups | None = field(default=None, repr=False, compare=False)
    """The lines' organisation × year × phase groups and cent sums, shared by the tables (built when not given)."""

    def __post_init__(self) -> None:
        if self.line_groups is None:  # frozen: the one place the field is filled in
            object.__setattr__(self, "line_groups", LineGroups.of(self.annotated))

    @property
    def groups(self) -> LineGroups:
        """:attr:`line_groups`, never empty (for the tables)."""
        if self.line_groups is None:  # pragma: no cover - __post_init__ fills it
            raise ReconciliationError("internal error: the result has no line groups")
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
            raise InputError("give at least one profile")
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

        if rules is not None and profile is not None:
            raise InputError("give rules= or profile=, not both")
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

        return rules_comparison(self, _again(self, self.annotated[list(LEDGER_COLUMNS)], _rules_of(other, profile)))

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


def _text_index(values: list[str]) -> pd.Index:
    """Categories of text, of the same dtype whether empty or not (so results concatenate)."""
    return pd.Index(values) if values else pd.Index([], dtype=pd.Index([""]).dtype)


def _code_dtype(n_categories: int) -> str:
    return "int8" if n_categories < 2**7 else "int16" if n_categories < 2**15 else "int32"


def _categorical(codes: np.ndarray, categories: list[str]) -> pd.Categorical:
    """A categorical from codes already known to lie in ``-1..len(categories)-1``."""
    dtype = pd.CategoricalDtype(_text_index(categories))
    return pd.Categorical.from_codes(codes, dtype=dtype, validate=False)


def _vocab_categorical(codes: np.ndarray, vocab: list[str], present: np.ndarray) -> pd.Categorical:
    """A categorical of ``vocab[codes]`` (-1: missing) whose categories are the sorted values ``present``.

    ``vocab`` may repeat a text; only the entries marked ``present`` occur in ``codes``.
    """
    cats = sorted({vocab[k] for k in np.flatnonzero(present)})
    pos = {v: i for i, v in enumerate(cats)}
    remap = np.array([pos.get(v, -1) if p else -1 for v, p in zip(vocab, present)] + [-1], dtype=_code_dtype(len(cats)))
    if np.array_equal(remap[:-1], np.arange(len(vocab))):  # already sorted, nothing absent
        return _categorical(codes.astype(remap.dtype), cats)
    return _categorical(remap[codes], cats)


def _yellow_groups(
    frame: pd.DataFrame, rule_index: np.ndarray, ypos: np.ndarray, user_rule: np.ndarray
) -> tuple[np.ndarray, pd.DataFrame]:
    """Distinct (rule, organisation, year, class) groups of the yellow lines at ``ypos``, in order of appearance.

    The class is kept only for rules with user keys (which may be per
    class), "" otherwise. Returns each yellow line's group and the groups
    (``rule_index, org_type, org_code, year, service_class``).
    """
    ri = rule_index[ypos].astype("int64")
    parts: list[tuple[np.ndarray, np.ndarray]] = [(ri, np.arange(int(ri.max()) + 1))]
    for col in ("org_type", "org_code", "service_class"):
        s = frame[col]
        if not isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object).astype("category")
        c = s.cat.codes.to_numpy()[ypos].astype("int64") + 1
        values = np.concatenate([[None], np.asarray(s.cat.categories, dtype=object)])
        if col == "service_class":
            c = np.where(user_rule[ri], c, 0)
            values[0] = ""
        parts.append((c, values))
    years = frame["year"].to_numpy(dtype="int64")[ypos]
    y0 = int(years.min())
    parts.insert(3, (years - y0, np.arange(y0, int(years.max()) + 1)))
    space = 1
    for _c, v in parts:
        space *= len(v)
    if space >= 2**62:  # too many combinations for one integer key
        cols = ["rule_index", "org_type", "org_code", "year", "service_class"]
        ysub = pd.DataFrame({k: v[c] for k, (c, v) in zip(cols, parts)})
        gid, uniq = pd.MultiIndex.from_frame(ysub).factorize()
        groups = uniq.to_frame(index=False)
        groups.columns = cols
        return gid.astype("int64"), groups
    key = np.zeros(len(ypos), dtype="int64")
    for c, v in parts:
        key = key * len(v) + c
    gid, ukeys = pd.factorize(key)  # order of first appearance
    rem = np.asarray(ukeys, dtype="int64")
    decoded = []
    for _c, v in reversed(parts):
        decoded.append(v[rem % len(v)])
        rem = rem // len(v)
    decoded.reverse()
    groups = pd.DataFrame(
        {
            "rule_index": decoded[0].astype("int64"),
            "org_type": decoded[1].astype(object),
            "org_code": decoded[2].astype(object),
            "year": decoded[3].astype("int64"),
            "service_class": decoded[4].astype(object),
        }
    )
    return gid.astype("int64"), groups


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
    frame = _one_ledger(ledger)
    rules = _rules_of(rules, profile)
    target = TargetGroup.parse(target_group)
    registry = registry or Registry.default()
    pop = _population_of(population)
    if isinstance(keys, pd.DataFrame):
        keys = KeyTable.from_frame(keys)
    user_weights = weights_of(weights)
    if population_year not in ("exact", "nearest"):
        raise InputError(f"population_year must be 'exact' or 'nearest', not {population_year!r}")
    if on_missing_key not in ("raise", "unmapped"):
        raise InputError(f"on_missing_key must be 'raise' or 'unmapped', not {on_missing_key!r}")

    classified = classify(frame, rules)
    warn_unused_rules(rules, classified.rule_index, frame["year"].to_numpy())
    shares = _shares(frame, rules, classified)
    if shares.yellow.any():
        _allocate_yellow(shares, frame, rules, target=target, population=pop, registry=registry, keys=keys,
                         policy=population_year, on_missing_key=on_missing_key, weights=user_weights)
    out = _annotate(frame, rules, shares)
    line_groups = _reconcile(frame, out)
    children = head_counts(_organisation_years(line_groups), pop, registry, target.ages, policy=population_year)
    check_plausible(line_groups, out["child_euros"].to_numpy(dtype=float), pop, registry, population_year, target.ages)
    warn_missing_children(children, registry, population_year)
    return ChildBudget(
        annotated=out,
        rules=rules,
        target_group=target,
        children=children,
        key_shares=shares.key_shares.reset_index(drop=True),
        population_notes=shares.notes.reset_index(drop=True),
        registry=registry,
        measure=measure,
        line_groups=line_groups,  # the tables share the groups and cent sums of the check
        population_source=pop.source if pop is not None else "none",
        population=pop,
        keys=keys if isinstance(keys, KeyTable) else None,
        weights=user_weights,
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


_PACKAGED_RULES = "lapsibudjetti/data/rules/national.csv"


def _rules_for_profile(cb: ChildBudget, profile: str) -> Rules:
    """The rules of ``cb`` under ``profile``: the packaged profile, or one's own rules with the plain population keys."""
    from ._rules import PROFILES

    if profile not in PROFILES:
        raise InputError(f"unknown profile {profile!r}; use one of {', '.join(PROFILES)}")
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
    raise InputError(f"profile {profile!r} is a variant of the packaged rules; these results use {cb.rules.source}. "
                     "Use profiles=('default', 'population_keys') or compute the variant with child_budget(rules=...)")


def _under_profile(cb: ChildBudget, profile: str) -> ChildBudget:
    """The same ledgers, population, keys and settings under another rules profile."""
    own = cb.options.get("profile", "default")
    if profile == own and not (profile == "population_keys" and cb.rules.source != _PACKAGED_RULES):
        return cb
    return _again(cb, cb.annotated[list(LEDGER_COLUMNS)], _rules_for_profile(cb, profile))


def _with_lines(cb: ChildBudget, lines: pd.DataFrame, extra: pd.DataFrame) -> pd.DataFrame:
    """The ledger lines with more lines (a scenario's changes) beside them, validated as one ledger."""
    plain = pd.concat([lines.astype(object), extra[list(LEDGER_COLUMNS)].astype(object)], ignore_index=True)
    for col in LEDGER_COLUMNS:
        if col in ("amount",):
            plain[col] = plain[col].astype(float)
        elif col in ("year", "source_row"):
            plain[col] = plain[col].astype("int64")
    return validate_ledger(plain, registry=cb.registry)


def _again(cb: ChildBudget, ledger: pd.DataFrame, rules: Rules) -> ChildBudget:
    return child_budget(
        ledger, rules=rules, population=cb.population, keys=cb.keys,
        weights=cb.weights, target_group=cb.target_group, registry=cb.registry,
        population_year=cb.options.get("population_year", "exact"),  # type: ignore[arg-type]
        on_missing_key=cb.options.get("on_missing_key", "raise"),  # type: ignore[arg-type]
        measure=cb.measure,
    )


# ---------------------------------------------------------------- the steps of child_budget


def _one_ledger(ledger: pd.DataFrame | Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Step 1: the canonical ledger (validated unless it already is), several concatenated."""
    if isinstance(ledger, pd.DataFrame):
        return ledger if _is_canonical(ledger) else validate_ledger(ledger)
    parts = [d if _is_canonical(d) else validate_ledger(d) for d in ledger]
    if not parts:
        raise InputError("no ledgers given")
    return parts[0] if len(parts) == 1 else _concat_ledgers(parts)


def _rules_of(rules: Rules | str | Path | None, profile: str) -> Rules:
    if rules is None:
        return default_rules(profile)  # type: ignore[arg-type]
    if isinstance(rules, str | Path):
        return load_rules(rules, profile=profile)  # type: ignore[arg-type]
    if not isinstance(rules, Rules):
        raise InputError(f"rules must be a Rules object or a path, got {type(rules).__name__}")
    return rules


def _population_of(population: Population | pd.DataFrame | None) -> Population | None:
    """The packaged figures, the user's on top of them, or the user's Population as given."""
    if population is None:
        return Population.packaged()
    if isinstance(population, pd.DataFrame):
        return Population.packaged().combine(Population.from_frame(population))
    return population


_KEY_SHARE_COLUMNS: tuple[str, ...] = ("rule_id", "org_type", "org_code", "year", "service_class", "child_share", "key_used", "missing")


@dataclass
class _Shares:
    """Step 2's working state: each line's rule, colour, child share, key and (for unmapped lines) reason."""

    rule_index: np.ndarray
    colours: np.ndarray
    line_colour: np.ndarray
    yellow: np.ndarray
    mapped: np.ndarray
    child_share: np.ndarray
    key_code: np.ndarray
    key_vocab: list[str]
    key_present: list[bool]
    reason_code: np.ndarray
    reason_texts: list[str]
    lost_any: bool = False
    key_shares: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(_KEY_SHARE_COLUMNS)))
    notes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["org_type", "org_code", "year", "basis", "detail"]))



def _shares(frame: pd.DataFrame, rules: Rules, cls: Classification) -> _Shares:
    """Step 2: green lines count whole, red lines not at all; yellow lines wait for their key."""
    rule_index = cls.rule_index
    n = len(frame)
    t = rules.table
    # per-rule lookups with a trailing entry for 'no rule': rule_index -1 picks it
    colours, colour_of_rule = np.unique(t["colour"].to_numpy(dtype=object).astype(str), return_inverse=True)
    line_colour = np.append(colour_of_rule, -1).astype("int8")[rule_index]  # codes of the colour column
    green, yellow_code = (int(np.searchsorted(colours, c)) if c in colours else -2 for c in ("green", "yellow"))
    child_share = np.zeros(n)
    child_share[line_colour == green] = 1.0
    yellow = line_colour == yellow_code
    # key_used per line as a code into key_vocab (0: "" for green and red lines, -1 unmapped)
    return _Shares(
        rule_index=rule_index, colours=colours, line_colour=line_colour, yellow=yellow, mapped=rule_index >= 0,
        child_share=child_share, key_code=np.array([0] * len(colours) + [-1], dtype="int32")[line_colour],
        key_vocab=[""], key_present=[bool(np.count_nonzero(yellow) + np.count_nonzero(rule_index < 0) < n)],
        reason_code=cls.reason_code, reason_texts=list(cls.reason_texts),
    )


def _allocate_yellow(shares: _Shares, frame: pd.DataFrame, rules: Rules, *, target: TargetGroup, population: Population | None,
                     registry: Registry, keys: KeyTable | None, policy: str, on_missing_key: str,
                     weights: Mapping[str, AgeWeights] | None = None) -> None:
    """Step 3: the child share of yellow lines, one key resolution per (rule, organisation, year) group."""
    t = rules.table
    user_rule = np.array([(k is not None and k.kind == "user") or (f is not None and f.kind == "user") for k, f in rules._keys])
    ypos = np.flatnonzero(shares.yellow)
    gid, groups = _yellow_groups(frame, shares.rule_index, ypos, user_rule)
    resolved, shares.notes = resolve_shares(
        groups, list(rules._keys), target=target, population=population, registry=registry, keys=keys,
        policy=policy,  # type: ignore[arg-type]
        weights=weights,
    )
    share_g = resolved["child_share"].to_numpy()
    bad_g = np.isnan(share_g)
    if bad_g.any() and on_missing_key == "raise":
        raise _missing_keys_error(resolved, bad_g, gid, t, registry)
    shares.child_share[ypos] = np.nan_to_num(share_g, nan=0.0)[gid]
    used_g, used_vocab = pd.factorize(resolved["key_used"].to_numpy(dtype=object), sort=True)
    shares.key_vocab += [str(v) for v in used_vocab]
    present_g = np.zeros(len(used_vocab), dtype=bool)
    present_g[used_g[~bad_g]] = True
    shares.key_present += present_g.tolist()
    shares.key_code[ypos] = (used_g.astype("int32") + 1)[gid]
    if bad_g.any():
        _unmap_missing_keys(shares, ypos, gid, bad_g, resolved["missing"].to_numpy())
    key_shares = resolved.assign(rule_id=t["rule_id"].to_numpy()[resolved["rule_index"].to_numpy()])
    shares.key_shares = key_shares[list(_KEY_SHARE_COLUMNS)]


def _missing_keys_error(resolved: pd.DataFrame, bad_g: np.ndarray, gid: np.ndarray, t: pd.DataFrame, registry: Registry) -> AllocationError:
    from ._allocate import missing_keys_message

    miss = resolved.loc[bad_g, ["org_type", "org_code", "year", "service_class", "missing"]].copy()
    miss.insert(0, "rule_id", t["rule_id"].to_numpy()[resolved.loc[bad_g, "rule_index"].to_numpy()])
    miss["lines"] = np.bincount(gid, minlength=len(resolved))[bad_g]
    message, per_row = missing_keys_message(miss, registry)
    miss["missing"] = per_row
    return AllocationError(message, rows=miss.reset_index(drop=True))


def _unmap_missing_keys(shares: _Shares, ypos: np.ndarray, gid: np.ndarray, bad_g: np.ndarray, missing_g: np.ndarray) -> None:
    """on_missing_key='unmapped': the lines of groups without a key become unmapped, with the reason."""
    shares.lost_any = True
    lost = ypos[bad_g[gid]]
    shares.mapped[lost] = False
    shares.reason_code = shares.reason_code.copy()
    miss_g, miss_vocab = pd.factorize(np.array(["allocation key missing: " + m for m in missing_g[bad_g]], dtype=object))
    per_group = np.full(len(bad_g), -1, dtype="int32")
    per_group[bad_g] = miss_g.astype("int32") + len(shares.reason_texts)
    shares.reason_texts += [str(v) for v in miss_vocab]
    shares.reason_code[lost] = per_group[gid[bad_g[gid]]]
    shares.child_share[lost] = 0.0
    shares.key_code[lost] = -1
    shares.line_colour[lost] = -1


def _annotate(frame: pd.DataFrame, rules: Rules, shares: _Shares) -> pd.DataFrame:
    """Step 4: the ledger's columns (shared, never changed) and the new ones, without copies."""
    t = rules.table
    # lines that lost their key are unmapped: their rule-derived attributes are missing too
    line_rule = np.where(shares.mapped, shares.rule_index, -1) if shares.lost_any else shares.rule_index

    def attr(col: str, drop_empty: bool = False) -> pd.Categorical:
        values = t[col].to_numpy(dtype=object).astype(str)
        cats, inv = np.unique(values, return_inverse=True)
        if drop_empty and len(cats) and cats[0] == "":  # "" sorts first
            cats, inv = cats[1:], inv - 1
        inv = np.append(inv, -1).astype(_code_dtype(len(cats)))
        return _categorical(inv[line_rule], cats.tolist())

    added: dict[str, object] = {"rule_id": attr("rule_id"), "colour": _categorical(shares.line_colour, shares.colours.tolist())}
    for col in ("tier", "sector", "category"):
        added[col] = attr(col, drop_empty=(col == "tier"))
    added["key_used"] = _vocab_categorical(shares.key_code, shares.key_vocab, np.array(shares.key_present))
    added["child_share"] = shares.child_share  # zero on every unmapped line
    added["child_euros"] = frame["amount"].to_numpy() * shares.child_share
    added["mapped"] = shares.mapped
    # every reason text came from at least one unmapped line
    added["reason"] = _vocab_categorical(shares.reason_code, shares.reason_texts, np.ones(len(shares.reason_texts), dtype=bool))
    out = pd.concat([frame, pd.DataFrame(added, index=frame.index, copy=False)], axis=1, **_NO_COPY)
    out.attrs.update(frame.attrs)
    return out


def _reconcile(frame: pd.DataFrame, out: pd.DataFrame) -> LineGroups:
    """Step 5: input = classified + unmapped to the cent, on independent sums per organisation-year-phase."""
    line_groups = LineGroups.of(out)
    cents = line_groups.cents
    bad = cents["total"] != cents["classified"] + cents["unmapped"]
    if bad.any() or len(out) != len(frame):
        in_total, cl_total, un_total = (int(cents[k].sum()) for k in ("total", "classified", "unmapped"))
        raise ReconciliationError(
            f"internal error: input {in_total} cents != classified {cl_total} + unmapped {un_total} "
            f"in {int(bad.sum())} organisation-year-phase group(s); please report this",
            rows=line_groups.groups.loc[bad].reset_index(drop=True),
        )
    return line_groups


def _organisation_years(line_groups: LineGroups) -> pd.DataFrame:
    """The organisation-years of the lines, in order of first appearance."""
    return (
        line_groups.groups.iloc[pd.unique(line_groups.gid)][["org_type", "org_code", "year"]]
        .drop_duplicates()
        .astype({"org_type": object, "org_code": object})
        .reset_index(drop=True)
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
    def stack(frames: list[pd.DataFrame]) -> pd.DataFrame:
        # empty parts carry no rows but may carry other dtypes: leave them out
        kept = [f for f in frames if len(f)] or frames[:1]
        return pd.concat(kept, ignore_index=True)

    children = stack([b.children for b in budgets]).drop_duplicates(["org_type", "org_code", "year"]).reset_index(drop=True)
    ks = stack([b.key_shares for b in budgets]).drop_duplicates().reset_index(drop=True)
    notes = stack([b.population_notes for b in budgets]).drop_duplicates().reset_index(drop=True)
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
        population=first.population,
        options=dict(first.options),
    )
