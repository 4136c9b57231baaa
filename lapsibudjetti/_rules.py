"""Rules as data: which accounting lines are child-targeted, how and why.

A rule matches lines on any of six dimensions (service class, task class,
account, cost centre, organisation type, organisation code) and on validity
years, and assigns the traffic-light colour (liikennevalo), the tier, the
sector, the category and, for yellow lines, the allocation key. Every rule
states its ``basis``: where it comes from.

The rules are read from CSV or XLSX with the same columns; the national
default set ships with the package (``data/rules/national.csv``).
"""

from __future__ import annotations

import fnmatch
import functools
import io
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Literal

import numpy as np
import pandas as pd

from ._errors import RuleError
from ._rule_codes import pad_org_codes
from ._schema import COLOURS, SECTORS, TIERS

__all__ = [
    "Rules",
    "RULE_COLUMNS",
    "DIMENSIONS",
    "default_rules",
    "categories",
    "parse_key",
    "KeySpec",
]

RULE_COLUMNS: tuple[str, ...] = (
    "rule_id",
    "profile",
    "service_class",
    "task_class",
    "account",
    "cost_centre",
    "org_type",
    "org_code",
    "valid_from",
    "valid_to",
    "colour",
    "tier",
    "sector",
    "category",
    "label_fi",
    "label_sv",
    "label_en",
    "key",
    "key_fallback",
    "basis",
)
#: Matching dimensions in precedence order: when two rules constrain the same
#: number of dimensions, the one narrower in the earlier dimension wins.
DIMENSIONS: tuple[str, ...] = ("org_code", "cost_centre", "account", "service_class", "task_class", "org_type")
REQUIRED_COLUMNS: tuple[str, ...] = ("rule_id", "colour", "sector", "category", "basis")
#: ``population_keys``: the plain population share for the lines the default keys by age-cost weights
#: (comparable with reports made before the weighted keys).
PROFILES = ("default", "placements_only", "population_keys")
_YEAR_MIN, _YEAR_MAX = 1900, 2999
_WIDE = 10**9  # breadth of a wildcard pattern: wider than any code range


# --------------------------------------------------------------------------
# allocation key syntax
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class KeySpec:
    """A parsed allocation key.

    ``kind`` is one of ``population`` (share of the target group among all
    residents, or among ``ages`` if given), ``age`` (share of the target group
    within the served age band ``ages``), ``ratio`` (population aged
    ``ages`` divided by population aged ``denominator``), ``fixed``
    (``value`` in [0, 1]), ``user`` (key ``name`` from a user key table) and
    ``weighted`` (the target group's share of the population weighted by
    the age-cost table ``name``, see :mod:`lapsibudjetti._weights`).

    Examples
    --------
    >>> parse_key("age:16-18")
    KeySpec(kind='age', ages=(16, 18), denominator=None, value=None, name=None, text='age:16-18')
    >>> parse_key("fixed:40%").value
    0.4
    """

    kind: str
    ages: tuple[int, int] | None = None
    denominator: tuple[int, int] | None = None
    value: float | None = None
    name: str | None = None
    text: str = ""


_AGES = re.compile(r"^(\d{1,3})\s*-\s*(\d{1,3})$")


def _parse_ages(text: str) -> tuple[int, int]:
    m = _AGES.match(text.strip())
    if not m:
        raise ValueError(_say("rule.not_ages", text=repr(text)))
    lo, hi = int(m.group(1)), int(m.group(2))
    if lo > hi or hi > 100:
        raise ValueError(_say("rule.ages_order", text=repr(text)))
    return lo, hi


def parse_key(text: str) -> KeySpec:
    """Parse an allocation-key cell of the rules file.

    Accepted forms: ``population``, ``population:0-17``, ``age:16-18``,
    ``ratio:16-17/16-18``, ``fixed:0.4`` or ``fixed:40%``, ``user:NAME``,
    ``weighted:NAME``.

    Raises
    ------
    ValueError
        With the accepted forms, when the text is none of them.

    Examples
    --------
    >>> parse_key("population").kind
    'population'
    >>> parse_key("ratio:16-17/16-18").denominator
    (16, 18)
    >>> parse_key("user:upper_secondary_students").name
    'upper_secondary_students'
    """
    raw = str(text).strip()
    kind, _, arg = raw.partition(":")
    kind = kind.strip().lower()
    arg = arg.strip()
    try:
        if kind == "population":
            return KeySpec("population", ages=_parse_ages(arg) if arg else None, text=raw)
        if kind == "age" and arg:
            return KeySpec("age", ages=_parse_ages(arg), text=raw)
        if kind == "ratio" and "/" in arg:
            num, den = arg.split("/", 1)
            return KeySpec("ratio", ages=_parse_ages(num), denominator=_parse_ages(den), text=raw)
        if kind == "fixed" and arg:
            pct = arg.endswith("%")
            value = float(arg.rstrip("%").replace(",", ".")) / (100.0 if pct else 1.0)
            if not 0.0 <= value <= 1.0 or math.isnan(value):
                raise ValueError(_say("rule.fixed_share", text=repr(arg)))
            return KeySpec("fixed", value=value, text=raw)
        if kind == "user" and re.fullmatch(r"[A-Za-z0-9_.\-]+", arg or ""):
            return KeySpec("user", name=arg, text=raw)
        if kind == "weighted" and re.fullmatch(r"[A-Za-z0-9_.\-]+", arg or ""):
            return KeySpec("weighted", name=arg, text=raw)
    except ValueError as exc:
        raise ValueError(_say("rule.key_bad", text=repr(raw), reason=exc, forms=_say("rule.key_forms"))) from None
    raise ValueError(_say("rule.key_unknown", text=repr(raw), forms=_say("rule.key_forms")))


# --------------------------------------------------------------------------
# match specifications
# --------------------------------------------------------------------------
def _split(cell: str) -> list[str]:
    return [p.strip() for p in str(cell).split("|") if p.strip()]


def _parse_intervals(cell: str, digits: str) -> list[tuple[int, int]]:
    """``3021``, ``3021|3022``, ``2120-2123`` → integer intervals."""
    out: list[tuple[int, int]] = []
    for part in _split(cell):
        lo, sep, hi = part.partition("-")
        lo, hi = lo.strip(), (hi.strip() if sep else lo.strip())
        if not (re.fullmatch(digits, lo) and re.fullmatch(digits, hi)):
            raise ValueError(_say("rule.not_code_range", part=repr(part)))
        a, b = int(lo), int(hi)
        if a > b:
            raise ValueError(_say("rule.range_backwards", part=repr(part)))
        out.append((a, b))
    return out


@dataclass(frozen=True)
class _Match:
    """One rule's constraint on one dimension (None = unconstrained)."""

    intervals: tuple[tuple[int, int], ...] | None = None  # codes
    values: tuple[str, ...] | None = None  # exact strings
    patterns: tuple[str, ...] | None = None  # glob patterns

    @property
    def breadth(self) -> int:
        if self.intervals is not None:
            return sum(b - a + 1 for a, b in self.intervals)
        if self.values is not None:
            return len(self.values)
        if self.patterns is not None:
            return sum(_WIDE if any(ch in p for ch in "*?[") else 1 for p in self.patterns)
        return -1

    def matches(self, categories: pd.Index) -> np.ndarray:
        """Boolean array over the categories (unique values) of a ledger column."""
        cats = np.asarray(categories.astype(str), dtype=object)
        if self.intervals is not None:
            nums = pd.to_numeric(pd.Series(cats, dtype=object), errors="coerce").to_numpy(dtype="float64")
            hit = np.zeros(len(cats), dtype=bool)
            for a, b in self.intervals:
                hit |= (nums >= a) & (nums <= b)
            return hit
        if self.values is not None:
            return np.isin(cats, np.asarray(self.values, dtype=object))
        if self.patterns is not None:
            return np.fromiter(
                (any(fnmatch.fnmatchcase(c, p) for p in self.patterns) for c in cats), dtype=bool, count=len(cats)
            )
        return np.ones(len(cats), dtype=bool)


def _parse_match(dim: str, cell: str) -> _Match | None:
    if cell == "":
        return None
    if dim == "service_class":
        return _Match(intervals=tuple(_parse_intervals(cell, r"\d{4}")))
    if dim == "account":
        return _Match(intervals=tuple(_parse_intervals(cell, r"\d{3,6}")))
    if dim == "cost_centre":
        return _Match(patterns=tuple(_split(cell)))
    if dim == "org_type":
        vals = tuple(_split(cell))
        bad = [v for v in vals if v not in ("municipality", "wellbeing_area", "joint_authority")]
        if bad:
            raise ValueError(_say("rule.bad_org_type", value=repr(bad[0])))
        return _Match(values=vals)
    return _Match(values=tuple(_split(cell)))


# --------------------------------------------------------------------------
# the Rules object
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Rules:
    """A validated, profile-resolved set of classification rules.

    Build one with :func:`default_rules`, :func:`load_rules` or
    :meth:`Rules.from_frame`; it is immutable.

    Attributes
    ----------
    table
        One row per rule with the columns of ``RULE_COLUMNS`` (strings, years
        as nullable integers) plus ``source_row`` (row in the rules file) and
        ``specificity`` (higher wins).
    source
        Where the rules were read from.
    profile
        The profile applied (``default`` or ``placements_only``).

    Examples
    --------
    >>> rules = default_rules()
    >>> rules.table.loc[rules.table.rule_id == "sc-2131", "tier"].item()
    'corrective'
    >>> default_rules("placements_only").table.loc[lambda t: t.rule_id == "sc-2131", "tier"].item()
    'targeted'
    """

    table: pd.DataFrame
    source: str = "<memory>"
    profile: str = "default"
    _matches: tuple[dict[str, _Match | None], ...] = field(default=(), repr=False, compare=False)
    _keys: tuple[tuple[KeySpec | None, KeySpec | None], ...] = field(default=(), repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.table)

    def __repr__(self) -> str:
        return f"Rules({len(self)} rules from {self.source!r}, profile={self.profile!r})"

    def _repr_html_(self) -> str:
        from ._display import rules_html

        return rules_html(self)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, source: str = "<memory>", profile: str = "default") -> Rules:
        """Validate a frame of rules and resolve the profile.

        Rows whose ``profile`` is empty apply to every profile; a row with
        ``profile == profile`` replaces the row with the same ``rule_id``.
        All problems are collected into one :class:`RuleError`.

        Examples
        --------
        >>> f = pd.DataFrame({"rule_id": ["a"], "service_class": ["3021"], "colour": ["green"],
        ...     "tier": ["universal"], "sector": ["sivistys"], "category": ["ece"], "basis": ["test"]})
        >>> Rules.from_frame(f).table[["rule_id", "colour", "specificity"]].to_dict("records")
        [{'rule_id': 'a', 'colour': 'green', 'specificity': 0}]
        """
        if profile not in PROFILES:
            raise RuleError(_say("arg.one_of", name="profile", value=repr(profile), allowed=", ".join(PROFILES)), file=source)
        return _build(frame, source=source, profile=profile)

    def matches(self, rule_index: int) -> dict[str, _Match | None]:
        """The parsed match constraints of the rule at ``rule_index``."""
        return self._matches[rule_index]

    def keys(self, rule_index: int) -> tuple[KeySpec | None, KeySpec | None]:
        """The parsed (key, fallback) of the rule at ``rule_index``."""
        return self._keys[rule_index]

    def categories(self) -> pd.DataFrame:
        """Category labels (fi/sv/en), order and metric role used by these rules."""
        labels = self.table[["category", "label_fi", "label_sv", "label_en"]].drop_duplicates("category")
        packaged = categories()[["category", "order", "role"]]
        out = labels.merge(packaged, on="category", how="left")
        out["order"] = out["order"].fillna(999).astype("int64")
        out["role"] = out["role"].fillna("")
        return out.sort_values(["order", "category"], kind="stable").reset_index(drop=True)

    def replace(self, rule_id: str, **changes: str | int | None) -> Rules:
        """A new rule set with some cells of one rule changed.

        Examples
        --------
        >>> r = default_rules().replace("sc-3601", colour="red", tier="", category="not_child_targeted",
        ...     label_fi="Ei lapsiin kohdistuva", label_sv="Inte riktad till barn", label_en="Not child-targeted")
        >>> r.table.loc[r.table.rule_id == "sc-3601", "colour"].item()
        'red'
        """
        t = self.table[list(RULE_COLUMNS)].copy()
        hit = t["rule_id"] == rule_id
        if not hit.any():
            raise RuleError(_say("rules.no_rule_id", rule_id=repr(rule_id)), file=self.source)
        for col, value in changes.items():
            if col not in RULE_COLUMNS:
                raise RuleError(_say("arg.one_of", name="column", value=repr(col), allowed=", ".join(RULE_COLUMNS)))
            t[col] = t[col].astype(object)
            t.loc[hit, col] = value
        t["profile"] = ""
        return _build(t, source=self.source, profile=self.profile, source_rows=self.table["source_row"].to_numpy())


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _build(
    frame: pd.DataFrame, *, source: str, profile: str, source_rows: np.ndarray | None = None
) -> Rules:
    frame = _checked_columns(frame, source)
    t = pd.DataFrame({c: [_cell(v) for v in frame[c]] if c in frame else [""] * len(frame) for c in RULE_COLUMNS})
    # header is row 1 of the file: rule rows start at 2
    rows = source_rows if source_rows is not None else (
        frame["source_row"].to_numpy() if "source_row" in frame else np.arange(2, len(frame) + 2)
    )
    t["source_row"] = np.asarray(rows, dtype="int64")
    # drop entirely empty rows (spreadsheets often carry them) - they hold no rule
    empty = (t[list(RULE_COLUMNS)] == "").all(axis=1)
    t = t.loc[~empty].reset_index(drop=True)
    # value words as a workshop participant types them (Keltainen, röd, korjaava, väestö): data/values.csv
    from .read._text import value_word

    for col in ("colour", "tier", "sector", "org_type"):
        t[col] = [value_word(col, v) if v else v for v in t[col]]
    for col in ("key", "key_fallback"):
        t[col] = [_key_word(v) for v in t[col]]
    from .reference._labels import basis_canonical

    t["basis"] = [basis_canonical(v) for v in t["basis"]]  # the packaged phrases as written in a fi/sv workbook: back to one text

    problems: list[tuple[int, str, str, str]] = []

    def bad(i: int, col: str, problem: str) -> None:
        problems.append((int(t.at[i, "source_row"]), col, t.at[i, col] if col in t else "", problem))

    # profiles
    for i, p in enumerate(t["profile"]):
        if p not in ("",) + PROFILES:
            bad(i, "profile", _say("rule.bad_profile", profiles=", ".join(PROFILES)))
    base = t[t["profile"].isin(["", "default"])]
    over = t[t["profile"] == profile] if profile != "default" else t.iloc[0:0]
    dup_base = base["rule_id"].duplicated(keep=False)
    for i in base.index[dup_base]:
        bad(i, "rule_id", _say("rule.duplicate_id"))
    dup_over = over["rule_id"].duplicated(keep=False)
    for i in over.index[dup_over]:
        bad(i, "rule_id", _say("rule.duplicate_id_profile"))
    t = pd.concat([base[~base["rule_id"].isin(over["rule_id"])], over]).sort_values("source_row", kind="stable")
    t = t.reset_index(drop=True)
    t["profile"] = ""

    pad_org_codes(t, bad, source)

    matches: list[dict[str, _Match | None]] = []
    keys: list[tuple[KeySpec | None, KeySpec | None]] = []
    for i in range(len(t)):
        m, k = _check_rule(t.iloc[i], functools.partial(bad, i))
        matches.append(m)
        keys.append(k)

    _fill_labels(t, bad)

    if problems:
        _raise_rule_problems(problems, source)

    t["specificity"] = _specificity(matches)
    for col in ("valid_from", "valid_to"):
        t[col] = pd.array([int(v) if v else pd.NA for v in t[col]], dtype="Int64")
    rules = Rules(table=t, source=source, profile=profile, _matches=tuple(matches), _keys=tuple(keys))
    _check_static_conflicts(rules)
    return rules


def _key_word(cell: str) -> str:
    """An allocation key with its kind in any language (``väestö``, ``Ikä:16-18``, ``befolkning:0-17``) in canonical form.

    Examples
    --------
    >>> _key_word(" Väestö "), _key_word("ikä: 16-18"), _key_word("befolkning:0-17"), _key_word("user:pupils")
    ('population', 'age:16-18', 'population:0-17', 'user:pupils')
    """
    from .read._text import value_word

    if not cell:
        return cell
    kind, colon, arg = cell.partition(":")
    word = value_word("key", kind)
    return f"{word}:{arg.strip()}" if colon else word


def _fill_labels(t: pd.DataFrame, bad: Callable[[int, str, str], None]) -> None:
    """Fill empty category labels from the packaged categories; one problem per rule whose labels differ from its category's.

    A category's labels are those most of its rules carry (on a tie, the
    packaged ones), so changing one rule's category without its labels
    reports that one rule, never the untouched rules of the category.
    """
    packaged = categories().set_index("category")
    label_cols = ["label_fi", "label_sv", "label_en"]
    known = t["category"].isin(packaged.index)
    for col in label_cols:
        fill = (t[col] == "") & known
        t.loc[fill, col] = t.loc[fill, "category"].map(packaged[col])
        t.loc[t[col] == "", col] = t.loc[t[col] == "", "category"]
    names = pd.Series(list(zip(*(t[c] for c in label_cols))), index=t.index)
    by_names = {tuple(packaged.loc[c, label_cols]): c for c in packaged.index}
    for cat, rows in names.groupby(t["category"], sort=False):
        if rows.nunique() < 2:
            continue
        counts = rows.value_counts(sort=False)
        top = counts[counts == counts.max()].index
        own = tuple(packaged.loc[cat, label_cols]) if cat in packaged.index else None
        reference: tuple[str, ...] = own if own is not None and own in top else tuple(top[0])
        for i in rows.index[rows != reference]:
            differs = [c for c, a, b in zip(label_cols, rows[i], reference) if a != b]
            other = by_names.get(rows[i])
            hint = _say("rule.names_hint", other=repr(other)) if other is not None and other != cat else ""
            bad(i, differs[0], _say("rule.names_differ", category=repr(cat), reference=" / ".join(reference), here=" / ".join(rows[i]),
                                    hint=hint, columns=", ".join(differs)))


@functools.lru_cache(maxsize=1)
def rule_column_aliases() -> dict[str, str]:
    """Folded header → rules column: the canonical names and their fi/sv/en headings (``rulecol.*`` in the labels).

    Examples
    --------
    >>> a = rule_column_aliases()
    >>> a["vari"], a["organisationenskod"], a["colour"]
    ('colour', 'org_code', 'colour')
    """
    from .read._text import _norm
    from .reference._labels import LANGS, text

    out: dict[str, str] = {}
    for col in RULE_COLUMNS:
        out[_norm(col)] = col
        for lang in LANGS:
            out.setdefault(_norm(text(f"rulecol.{col}", lang)), col)
    return out


def _checked_columns(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """The rules frame with stripped headers: the required columns there, no unknown ones, some rows."""
    if not isinstance(frame, pd.DataFrame):
        raise RuleError(_say("arg.type", name="rules", expected=_say("what.dataframe"), got=type(frame).__name__), file=source)
    aliases = rule_column_aliases()
    from .read._text import _norm

    cols = [aliases.get(_norm(c), str(c).strip()) for c in frame.columns]
    frame = frame.set_axis(cols, axis=1)
    missing = [c for c in REQUIRED_COLUMNS if c not in cols]
    if missing:
        raise RuleError(
            _say("rule.file_missing_columns", columns=", ".join(missing), expected=", ".join(RULE_COLUMNS), start=_say("rule.start")),
            file=source,
            column=missing[0],
        )
    unknown = [c for c in cols if c not in RULE_COLUMNS and c not in ("source_row", "specificity")]
    if unknown:
        raise RuleError(
            _say("rule.file_unknown_columns", columns=", ".join(unknown), expected=", ".join(RULE_COLUMNS)),
            file=source,
            column=unknown[0],
        )
    if len(frame) == 0:
        raise RuleError(_say("rule.file_no_rules"), file=source)
    return frame


def _check_rule(row: pd.Series, bad: Callable[[str, str], None]) -> tuple[dict[str, _Match | None], tuple[KeySpec | None, KeySpec | None]]:
    """One rule's matching constraints and keys, every problem of the row reported through ``bad(column, problem)``."""
    m: dict[str, _Match | None] = {}
    for dim in DIMENSIONS:
        try:
            m[dim] = _parse_match(dim, row[dim])
        except ValueError as exc:
            bad(dim, str(exc))
            m[dim] = None
    if m["service_class"] is None and m["task_class"] is None and all(m[d] is None for d in DIMENSIONS):
        bad("service_class", _say("rule.nothing_specific"))
    for col in ("valid_from", "valid_to"):
        v = row[col]
        if v and not (re.fullmatch(r"\d{4}", v) and _YEAR_MIN <= int(v) <= _YEAR_MAX):
            bad(col, _say("rule.not_year"))
    years = (row["valid_from"], row["valid_to"])
    if all(re.fullmatch(r"\d{4}", v) for v in years) and int(years[0]) > int(years[1]):
        bad("valid_to", _say("rule.years_order"))
    colour, tier = row["colour"], row["tier"]
    if colour not in COLOURS:
        bad("colour", _say("rule.bad_colour", values=_words("colour", COLOURS)))
    if colour in ("green", "yellow") and tier not in TIERS:
        bad("tier", _say("rule.needs_tier", colour=_words("colour", (colour,)), values=_words("tier", TIERS)))
    if colour == "red" and tier:
        bad("tier", _say("rule.red_no_tier"))
    if row["sector"] not in SECTORS:
        bad("sector", _say("rule.bad_sector", values=_words("sector", SECTORS)))
    if not re.fullmatch(r"[a-z0-9_]+", row["category"] or ""):
        bad("category", _say("rule.bad_category"))
    if not row["basis"]:
        bad("basis", _say("rule.needs_basis"))
    if not row["rule_id"]:
        bad("rule_id", _say("rule.needs_id"))
    parsed: list[KeySpec | None] = []
    for col in ("key", "key_fallback"):
        if row[col]:
            try:
                parsed.append(parse_key(row[col]))
            except ValueError as exc:
                bad(col, str(exc))
                parsed.append(None)
        else:
            parsed.append(None)
    if colour == "yellow" and not row["key"]:
        bad("key", _say("rule.needs_key"))
    if colour in ("green", "red") and (row["key"] or row["key_fallback"]):
        bad("key", _say("rule.no_key", colour=_words("colour", (colour,)), share="100" if colour == "green" else "0"))
    if row["key_fallback"] and not row["key"]:
        bad("key_fallback", _say("rule.fallback_needs_key"))
    return m, (parsed[0], parsed[1])


def _say(key: str, **values: object) -> str:
    """A rules message in the session's language (``rule.*`` in the labels)."""
    from .reference._labels import say

    return say(key, **values)


def _words(kind: str, codes: Iterable[str]) -> str:
    """Codes as the value words of the session's language (``vihreä, keltainen, punainen``)."""
    from .reference._labels import default_lang, value_label

    return ", ".join(value_label(kind, c, default_lang()) for c in codes)


def _raise_rule_problems(problems: list[tuple[int, str, str, str]], source: str) -> None:
    rows = pd.DataFrame(problems, columns=["row", "column", "value", "problem"]).sort_values(["row", "column"])
    rows.insert(0, "file", source)
    listed = "; ".join(_say("rule.problem_at", row=r.row, column=repr(r.column), problem=r.problem, value=repr(r.value))
                       for r in rows.head(20).itertuples())
    more = _say("rule.more", n=len(rows) - 20) if len(rows) > 20 else ""
    first = rows.iloc[0]
    raise RuleError(
        _say("rule.problems", n=len(rows), listed=listed, more=more),
        rows=rows.reset_index(drop=True),
        file=source,
        row=int(first["row"]),
        column=str(first["column"]),
    )


def _breadth(match: _Match | None) -> int:
    """How many values a constraint admits (an unconstrained dimension is as wide as it gets)."""
    return match.breadth if match is not None else 10**15


def _specificity(matches: list[dict[str, _Match | None]]) -> np.ndarray:
    """Dense rank of (number of constrained dimensions, narrower per dimension)."""
    n = len(matches)
    if n == 0:
        return np.zeros(0, dtype="int64")
    ndims = np.array([sum(m[d] is not None for d in DIMENSIONS) for m in matches], dtype="int64")
    # an unconstrained dimension is as wide as it gets
    breadth = {d: np.array([_breadth(m[d]) for m in matches], dtype="int64") for d in DIMENSIONS}
    # lexsort: last key is primary
    keys = [-breadth[d] for d in reversed(DIMENSIONS)] + [ndims]
    order = np.lexsort(keys)
    stacked = np.stack([ndims] + [-breadth[d] for d in DIMENSIONS], axis=1)[order]
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = (stacked[1:] != stacked[:-1]).any(axis=1)
    rank_sorted = np.cumsum(new_group) - 1
    rank = np.empty(n, dtype="int64")
    rank[order] = rank_sorted
    return rank


def _check_static_conflicts(rules: Rules) -> None:
    """Raise for equally specific rules whose constraints overlap for some year.

    Exact for codes, ranges and lists; cost-centre patterns are compared as
    text here (two different patterns may still both match a line: that is
    caught when the rules are applied).
    """
    t = rules.table
    spec = t["specificity"].to_numpy()
    vf = t["valid_from"].fillna(-1).to_numpy(dtype="int64")
    vt = t["valid_to"].fillna(10**6).to_numpy(dtype="int64")
    conflicts: list[tuple[int, int]] = []
    for s in np.unique(spec):
        idx = np.flatnonzero(spec == s)
        if len(idx) < 2 or len(idx) > 3000:
            continue  # larger groups are checked when applied, on the lines themselves
        for dim_set in {tuple(d for d in DIMENSIONS if rules.matches(int(i))[d] is not None) for i in idx}:
            members = [int(i) for i in idx if tuple(d for d in DIMENSIONS if rules.matches(int(i))[d] is not None) == dim_set]
            if len(members) < 2:
                continue
            members_a = np.array(members)
            overlap = (vf[members_a][:, None] <= vt[members_a][None, :]) & (vf[members_a][None, :] <= vt[members_a][:, None])
            for d in dim_set:
                overlap &= _overlap_matrix([rules.matches(i)[d] for i in members])
            first_rule, second_rule = np.nonzero(np.triu(overlap, k=1))
            conflicts.extend((int(members_a[x]), int(members_a[y])) for x, y in zip(first_rule, second_rule))
    if conflicts:
        recs = []
        for a, b in conflicts:
            for i, j in ((a, b), (b, a)):
                recs.append((int(t.at[i, "source_row"]), "rule_id", t.at[i, "rule_id"],
                             _say("rule.conflict", other=repr(t.at[j, "rule_id"]), row=int(t.at[j, "source_row"]))))
        _raise_rule_problems(recs, rules.source)


def _overlap_matrix(ms: list[_Match | None]) -> np.ndarray:
    """Pairwise 'can both match one value' for one dimension."""
    n = len(ms)
    first = ms[0]
    if first is not None and first.intervals is not None:
        # expand to atoms: (rule, lo, hi)
        owner, lo, hi = [], [], []
        for k, m in enumerate(ms):
            for a, b in (m.intervals or ()) if m is not None else ():
                owner.append(k)
                lo.append(a)
                hi.append(b)
        o, l_, h_ = np.array(owner), np.array(lo), np.array(hi)
        atom = (l_[:, None] <= h_[None, :]) & (l_[None, :] <= h_[:, None])
        out = np.zeros((n, n), dtype=bool)
        ai, bi = np.nonzero(atom)
        out[o[ai], o[bi]] = True
        return out
    sets = [set((m.values or ()) + (m.patterns or ())) for m in ms if m is not None]
    out = np.zeros((n, n), dtype=bool)
    for x in range(n):
        for y in range(x + 1, n):
            out[x, y] = out[y, x] = bool(sets[x] & sets[y])
    return out


# --------------------------------------------------------------------------
# loading and writing
# --------------------------------------------------------------------------
def _packaged(name: str) -> str:
    return (files("lapsibudjetti") / "data" / "rules" / name).read_text(encoding="utf-8")


def categories() -> pd.DataFrame:
    """The packaged categories: id, display order, fi/sv/en labels and metric role.

    ``role`` marks the categories that child-protection metrics use:
    ``placements``, ``nonresidential`` and ``family_social`` (other child
    and family social services).

    Examples
    --------
    >>> categories().set_index("category").loc["child_protection_placements", "role"]
    'placements'
    """
    return _categories().copy()


@functools.lru_cache(maxsize=1)
def _categories() -> pd.DataFrame:
    df = pd.read_csv(io.StringIO(_packaged("categories.csv")), dtype=str, keep_default_na=False)
    df["order"] = df["order"].astype("int64")
    return df


def default_rules(profile: Literal["default", "placements_only", "population_keys"] = "default") -> Rules:
    """The national default rules of method §2.1 (lapsibudjetti/data/method.md), for 2015–2020 task classes and 2021+ service classes.

    Parameters
    ----------
    profile
        ``default``, ``placements_only`` where non-residential child
        protection (2131 / *Lastensuojelun avohuoltopalvelut*) counts as
        targeted early support and only placements as corrective, or
        ``population_keys`` where primary, specialised and emergency health
        care keep the plain 0–17 population share instead of the default
        age-cost weights (``weighted:health_care_2014``), as reports did
        before them.

    Examples
    --------
    >>> len(default_rules()) > 50
    True
    """
    return _default_rules(profile)


@functools.lru_cache(maxsize=4)
def _default_rules(profile: str) -> Rules:
    # Rules are immutable, so one parsed copy per profile serves every caller.
    text = _packaged("national.csv")
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    return Rules.from_frame(frame, source="lapsibudjetti/data/rules/national.csv", profile=profile)


def rules_from_iterable(rows: Iterable[dict[str, object]], **kw: str) -> Rules:
    """Convenience: rules from a list of dicts (used in tests and notebooks).

    Examples
    --------
    >>> r = rules_from_iterable([{"rule_id": "x", "service_class": "3051", "colour": "green",
    ...     "tier": "universal", "sector": "sivistys", "category": "basic_education", "basis": "t"}])
    >>> r.table.label_en.item()
    'Basic education'
    """
    return Rules.from_frame(pd.DataFrame(list(rows)), **kw)
