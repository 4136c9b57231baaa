"""Classify every ledger line with exactly one rule, or leave it unmapped.

Vectorised throughout: each matching dimension of the ledger is a
categorical column, so a rule's constraint becomes a boolean table over the
(few) category values. The lines are first reduced to their distinct
combinations of the dimensions any rule constrains (plus the year): a
national ledger of ten million lines has a few hundred thousand. Rules are
grouped by *shape* (the set of dimensions they constrain); within a shape
every combination gets an integer composite key from its category codes,
and one array lookup (dense, or a sorted search when the key space is
large) gives the most specific rule of that shape. The winner across shapes
is the one with the highest specificity; equally specific winners are a
:class:`RuleError` listing the rules and the lines. One gather then takes
each combination's rule back to its lines.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._errors import LapsibudjettiWarning, RuleError
from ._groups import fold_codes
from ._rules import DIMENSIONS, Rules, _Match, default_rules
from .reference._labels import say

__all__ = ["classify", "Classification", "warn_unused_rules"]

_DENSE_LIMIT = 64_000_000  # composite key spaces up to this size may use a dense lookup array
_NO_RULE = -1


@dataclass(frozen=True)
class Classification:
    """Which rule each line got.

    Attributes
    ----------
    rule_index
        int32 array, one per ledger line: the row of ``rules.table`` that
        classified the line, or -1 for unmapped lines.
    reason_code
        int32 array, one per line: index into ``reason_texts`` for unmapped
        lines, -1 for mapped lines.
    reason_texts
        The distinct reasons why lines were left unmapped.
    reason
        For unmapped lines, why (object array, empty string for mapped
        lines); built on first use from ``reason_code`` and ``reason_texts``.
    """

    rule_index: np.ndarray
    reason_code: np.ndarray
    reason_texts: tuple[str, ...] = field(default=())

    @property
    def reason(self) -> np.ndarray:
        lookup = np.array(list(self.reason_texts) + [""], dtype=object)
        return lookup[self.reason_code]  # -1 picks the trailing "" (mapped)


def _raw_codes(col: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Category codes as stored (-1 for missing: add 1 for :func:`_codes`), without a copy."""
    if not isinstance(col.dtype, pd.CategoricalDtype):
        col = col.astype("category")
    return col.cat.codes.to_numpy(), col.cat.categories


def _codes_at(col: pd.Series, idx: np.ndarray) -> tuple[np.ndarray, pd.Index]:
    """:func:`_codes` of the lines at positions ``idx`` only."""
    if not isinstance(col.dtype, pd.CategoricalDtype):
        col = col.astype("category")
    return col.cat.codes.to_numpy()[idx].astype("int64") + 1, col.cat.categories


def _year_codes(years: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Distinct years (or the whole span of a short range), raw per-line codes and their offset.

    ``raw + offset`` is each line's position in the returned years.
    """
    if len(years) == 0:
        return np.zeros(0, dtype="int64"), np.zeros(0, dtype="int64"), 0
    lo, hi = int(years.min()), int(years.max())
    if hi - lo < 10_000:  # a span of years: offsets, no sort of the lines
        return np.arange(lo, hi + 1, dtype="int64"), years, -lo
    values, inverse = np.unique(years, return_inverse=True)
    return values.astype("int64"), inverse.astype("int64"), 0


def classify(ledger: pd.DataFrame, rules: Rules) -> Classification:
    """Give every line of a canonical ledger its rule.

    Parameters
    ----------
    ledger
        A canonical ledger (see :func:`lapsibudjetti.validate_ledger`).
    rules
        The rules to apply.

    Returns
    -------
    Classification
        The rule index per line (-1 for unmapped) and the reason for each
        unmapped line.

    Raises
    ------
    RuleError
        When two equally specific rules both match some lines; ``err.rows``
        lists the lines with both rule ids.

    Examples
    --------
    >>> from lapsibudjetti import make_ledger, default_rules
    >>> led = make_ledger({"org_code": ["091", "091"], "year": [2022, 2022],
    ...     "service_class": ["3051", "2201"], "amount": [10.0, 5.0]},
    ...     org_type="municipality", phase="actual")
    >>> rules = default_rules()
    >>> c = classify(led, rules)
    >>> rules.table.rule_id.to_numpy()[c.rule_index].tolist()
    ['sc-3051', 'sc-2000-2999-red']
    """
    n = len(ledger)
    t = rules.table
    spec = t["specificity"].to_numpy(dtype="int64")

    shapes: dict[tuple[str, ...], list[int]] = {}
    for i in range(len(t)):
        m = rules.matches(i)
        shapes.setdefault(tuple(d for d in DIMENSIONS if m[d] is not None), []).append(i)
    used = [d for d in DIMENSIONS if any(d in shape for shape in shapes)]

    raw: dict[str, np.ndarray] = {}
    cats: dict[str, pd.Index] = {}
    for dim in used:
        raw[dim], cats[dim] = _raw_codes(ledger[dim])
    year_values, year_raw, year_offset = _year_codes(ledger["year"].to_numpy(dtype="int64"))

    # the distinct combinations of what the rules look at: classify those, then the lines
    parts = [(raw[d], 1, len(cats[d]) + 1) for d in used] + [(year_raw, year_offset, max(len(year_values), 1))]
    line_combo, _m, combo = fold_codes(parts, n)  # each line's combination, and each combination's codes
    del parts, raw, year_raw
    combo_codes = dict(zip(used, combo[:-1]))
    combo_year = combo[-1]
    best_u, tie_u = _resolve(rules, shapes, spec, combo_codes, combo_year, cats, year_values)

    rule_index = best_u.astype("int32")[line_combo] if n else np.zeros(0, dtype="int32")
    conflicted_u = tie_u != _NO_RULE
    if conflicted_u.any():
        mask = conflicted_u[line_combo]
        _raise_conflicts(ledger, rules, rule_index.astype("int64"), tie_u[line_combo], mask)
    del line_combo

    reason_code = np.full(n, -1, dtype="int32")
    texts: tuple[str, ...] = ()
    if (best_u == _NO_RULE).any():
        idx = np.flatnonzero(rule_index < 0)
        texts, which = _reasons(ledger, idx)
        reason_code[idx] = which
    return Classification(rule_index=rule_index, reason_code=reason_code, reason_texts=texts)


def _hits(match: _Match, dim: str, cats: dict[str, pd.Index], numbers: dict[str, np.ndarray]) -> np.ndarray:
    """``match.matches(cats[dim])``, with the categories of a code dimension made numeric once, not once per rule."""
    if match.intervals is None:
        return match.matches(cats[dim])
    if dim not in numbers:  # as in _Match.matches
        text = pd.Series(np.asarray(cats[dim].astype(str), dtype=object), dtype=object)
        numbers[dim] = pd.to_numeric(text, errors="coerce").to_numpy(dtype="float64")
    nums = numbers[dim]
    hit = np.zeros(len(nums), dtype=bool)
    for a, b in match.intervals:
        hit |= (nums >= a) & (nums <= b)
    return hit


def _resolve(
    rules: Rules,
    shapes: dict[tuple[str, ...], list[int]],
    spec: np.ndarray,
    codes: dict[str, np.ndarray],
    year_codes: np.ndarray,
    cats: dict[str, pd.Index],
    year_values: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Most specific rule (and an equally specific rival, if any) for each combination."""
    t = rules.table
    n = len(year_codes)
    vf = t["valid_from"].fillna(-1).to_numpy(dtype="int64")
    vt = t["valid_to"].fillna(10**6).to_numpy(dtype="int64")

    best_rule = np.full(n, _NO_RULE, dtype="int64")
    best_spec = np.full(n, -1, dtype="int64")
    tie_rule = np.full(n, _NO_RULE, dtype="int64")  # a rival with best_spec, if any

    numbers: dict[str, np.ndarray] = {}
    for shape, members in shapes.items():
        dims = list(shape)
        # radices: each dimension has len(categories)+1 codes (0 = missing); years
        radices = [len(cats[d]) + 1 for d in dims] + [len(year_values)]
        space = int(np.prod(radices, dtype=object))
        # expand each rule to its composite keys
        key_parts: list[np.ndarray] = []
        rule_parts: list[np.ndarray] = []
        for i in members:
            m = rules.matches(i)
            per_dim = []
            for d in dims:
                match = m[d]
                if match is None:  # pragma: no cover - the shape lists only constrained dimensions
                    raise RuleError(say("internal.error", detail=f"rule {i} has no constraint on {d}"))
                hit = np.flatnonzero(_hits(match, d, cats, numbers)) + 1  # +1: code 0 is 'missing'
                per_dim.append(hit)
            years = np.flatnonzero((year_values >= vf[i]) & (year_values <= vt[i]))
            per_dim.append(years)
            if any(len(p) == 0 for p in per_dim):
                continue
            keys = _combine(per_dim, radices)
            key_parts.append(keys)
            rule_parts.append(np.full(len(keys), i, dtype="int64"))
        if not key_parts:
            continue
        keys = np.concatenate(key_parts)
        owner = np.concatenate(rule_parts)
        # winner per key: highest specificity; remember an equal rival
        order = np.lexsort((-spec[owner], keys))
        keys, owner = keys[order], owner[order]
        first = np.ones(len(keys), dtype=bool)
        first[1:] = keys[1:] != keys[:-1]
        win_keys, win_rule = keys[first], owner[first]
        rival = np.full(len(win_keys), _NO_RULE, dtype="int64")
        second = np.flatnonzero(~first)
        if len(second):
            # the second entry of each key group sits right after the first
            is_second = np.zeros(len(keys), dtype=bool)
            is_second[1:] = first[:-1] & ~first[1:]
            sec_idx = np.flatnonzero(is_second)
            same = spec[owner[sec_idx]] == spec[owner[sec_idx - 1]]
            group_of = np.cumsum(first) - 1
            rival[group_of[sec_idx[same]]] = owner[sec_idx[same]]
        # combination keys for this shape
        line_key = np.zeros(n, dtype="int64")
        for d, radix in zip(dims, radices[:-1]):
            line_key = line_key * radix + codes[d]
        line_key = line_key * radices[-1] + year_codes
        if space <= min(_DENSE_LIMIT, 4 * n + (1 << 16)):
            lut = np.full(space, _NO_RULE, dtype="int32" if len(t) < 2**31 else "int64")
            lut[win_keys] = win_rule
            cand = lut[line_key].astype("int64")
            if (rival != _NO_RULE).any():
                rlut = np.full(space, _NO_RULE, dtype="int32")
                rlut[win_keys] = rival
                cand_rival = rlut[line_key].astype("int64")
            else:
                cand_rival = None
        else:
            pos = np.searchsorted(win_keys, line_key)
            pos_c = np.minimum(pos, len(win_keys) - 1)
            found = win_keys[pos_c] == line_key
            cand = np.where(found, win_rule[pos_c], _NO_RULE)
            cand_rival = np.where(found, rival[pos_c], _NO_RULE) if (rival != _NO_RULE).any() else None
        has = cand != _NO_RULE
        cand_spec = np.where(has, spec[np.maximum(cand, 0)], -1)
        better = cand_spec > best_spec
        equal = has & (cand_spec == best_spec)
        best_rule = np.where(better, cand, best_rule)
        tie_rule = np.where(better, cand_rival if cand_rival is not None else _NO_RULE, tie_rule)
        tie_rule = np.where(equal & (tie_rule == _NO_RULE), cand, tie_rule)
        best_spec = np.maximum(best_spec, cand_spec)
    return best_rule, tie_rule


def _combine(per_dim: list[np.ndarray], radices: list[int]) -> np.ndarray:
    """All composite keys of the Cartesian product of per-dimension codes."""
    keys = np.zeros(1, dtype="int64")
    for values, radix in zip(per_dim, radices):
        keys = (keys[:, None] * radix + values[None, :].astype("int64")).ravel()
    return keys


def _raise_conflicts(
    ledger: pd.DataFrame, rules: Rules, best: np.ndarray, rival: np.ndarray, mask: np.ndarray
) -> None:
    t = rules.table
    sub = ledger.loc[mask, ["source_file", "source_row", "org_code", "year", "service_class", "task_class", "account", "cost_centre"]]
    rows = sub.astype(object).reset_index(drop=True)
    ids = t["rule_id"].to_numpy()
    rows["rule_a"] = ids[best[mask]]
    rows["rule_b"] = ids[rival[mask]]
    rule_row = dict(zip(ids, t["source_row"].astype("int64")))
    pairs = rows.groupby(["rule_a", "rule_b"]).size().reset_index(name="lines")
    from .reference._labels import say

    listed = "; ".join(say("rules.rival_pair", a=repr(r.rule_a), row_a=rule_row[r.rule_a], b=repr(r.rule_b), row_b=rule_row[r.rule_b], lines=r.lines)
                       for r in pairs.head(10).itertuples())
    first = rows.iloc[0]
    raise RuleError(
        say("rules.equal_rivals", n=int(mask.sum()), listed=listed, file=first["source_file"], row=int(first["source_row"])),
        rows=rows,
        file=rules.source,
        row=int(rule_row[first["rule_a"]]),
        column="cost_centre" if (t.loc[t["rule_id"] == first["rule_a"], "cost_centre"] != "").any() else None,
    )


def _reasons(ledger: pd.DataFrame, idx: np.ndarray) -> tuple[tuple[str, ...], np.ndarray]:
    """Explain the unmapped lines at positions ``idx``: the distinct texts and each line's text index.

    Computed once per distinct (service class, task class, year).
    """
    sc, sc_cats = _codes_at(ledger["service_class"], idx)
    tc, tc_cats = _codes_at(ledger["task_class"], idx)
    years = ledger["year"].to_numpy(dtype="int64")[idx]
    y0 = int(years.min())
    key = (sc * (len(tc_cats) + 1) + tc) * (int(years.max()) - y0 + 1) + (years - y0)
    which, uniq = pd.factorize(key)
    first = np.zeros(len(uniq), dtype="int64")
    first[which[::-1]] = np.arange(len(which))[::-1]  # first line of each combination
    sc_values = np.concatenate([[None], np.asarray(sc_cats, dtype=object)])
    tc_values = np.concatenate([[None], np.asarray(tc_cats, dtype=object)])
    texts = []
    for k in first:
        s_, t_, year = sc_values[sc[k]], tc_values[tc[k]], int(years[k])
        if s_ is not None:
            texts.append(say("unmapped.no_rule_service", code=s_, year=year))
        elif t_ is not None:
            texts.append(say("unmapped.no_rule_task", name=repr(t_), year=year))
        else:
            texts.append(say("unmapped.no_class", year=year))
    return tuple(texts), which.astype("int32")


def warn_unused_rules(rules: Rules, rule_index: np.ndarray, years: np.ndarray) -> None:
    """Warn about rules of one's own that match no line in the years they are valid for (a typo'd code, a wrong year).

    A rule is one's own when no packaged rule (of any profile) matches the
    same classes, accounts, cost centres, organisations and years; the
    packaged rules are lists, so most of them never match one organisation's
    ledger, and they are not listed.
    """
    from .reference._labels import default_lang, text

    profiles = ("default", "placements_only", "population_keys")
    packaged = [default_rules(p) for p in profiles]  # type: ignore[arg-type]
    if rules.source == packaged[0].source or len(years) == 0:
        return
    # what a rule matches is its own when no packaged rule matches the same (a recoloured national rule is not)
    cols = [*DIMENSIONS, "valid_from", "valid_to"]
    mine = rules.table[cols].astype(str)
    theirs = pd.concat([r.table[cols] for r in packaged]).astype(str)
    same = mine.merge(theirs.drop_duplicates(), how="left", on=cols, indicator=True)["_merge"].eq("both").to_numpy()
    used = np.zeros(len(rules), dtype=bool)
    hit = rule_index[rule_index >= 0]
    used[np.unique(hit)] = True
    lo, hi = int(years.min()), int(years.max())
    vf = rules.table["valid_from"].fillna(-1).to_numpy(dtype="int64")
    vt = rules.table["valid_to"].fillna(10**6).to_numpy(dtype="int64")
    in_years = (vf <= hi) & (vt >= lo)
    unused = np.flatnonzero(~same & ~used & in_years)
    if len(unused):
        t = rules.table
        listed = ", ".join(f"{t.at[i, 'rule_id']} ({int(t.at[i, 'source_row'])})" for i in unused[:10]) + (" …" if len(unused) > 10 else "")
        warnings.warn(f"{rules.source}: " + text("warn.unused_rules", default_lang(), n=len(unused), rules=listed),
                      LapsibudjettiWarning, stacklevel=3)
