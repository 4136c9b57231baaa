"""Classify every ledger line with exactly one rule, or leave it unmapped.

Vectorised throughout: each matching dimension of the ledger is a
categorical column, so a rule's constraint becomes a boolean table over the
(few) category values. Rules are grouped by *shape* (the set of dimensions
they constrain); within a shape every line gets an integer composite key
from its category codes, and one array lookup (dense, or a sorted search
when the key space is large) gives the most specific rule of that shape.
The winner across shapes is the one with the highest specificity; equally
specific winners are a :class:`RuleError` listing the rules and the lines.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._errors import RuleError
from ._rules import DIMENSIONS, Rules

__all__ = ["classify", "Classification"]

_DENSE_LIMIT = 64_000_000  # composite key spaces up to this size use a dense lookup array
_NO_RULE = -1


@dataclass(frozen=True)
class Classification:
    """Which rule each line got.

    Attributes
    ----------
    rule_index
        int32 array, one per ledger line: the row of ``rules.table`` that
        classified the line, or -1 for unmapped lines.
    reason
        For unmapped lines, why (object array, empty string for mapped lines).
    """

    rule_index: np.ndarray
    reason: np.ndarray


def _codes(col: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Category codes shifted by one so that missing values are 0."""
    if not isinstance(col.dtype, pd.CategoricalDtype):
        col = col.astype("category")
    return col.cat.codes.to_numpy().astype("int64") + 1, col.cat.categories


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

    codes: dict[str, np.ndarray] = {}
    cats: dict[str, pd.Index] = {}
    for dim in DIMENSIONS:
        codes[dim], cats[dim] = _codes(ledger[dim])
    year_values, year_codes = np.unique(ledger["year"].to_numpy(dtype="int64"), return_inverse=True)
    year_codes = year_codes.astype("int64")

    vf = t["valid_from"].fillna(-1).to_numpy(dtype="int64")
    vt = t["valid_to"].fillna(10**6).to_numpy(dtype="int64")

    best_rule = np.full(n, _NO_RULE, dtype="int64")
    best_spec = np.full(n, -1, dtype="int64")
    tie_rule = np.full(n, _NO_RULE, dtype="int64")  # a rival with best_spec, if any

    shapes: dict[tuple[str, ...], list[int]] = {}
    for i in range(len(t)):
        m = rules.matches(i)
        shapes.setdefault(tuple(d for d in DIMENSIONS if m[d] is not None), []).append(i)

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
                hit = np.flatnonzero(m[d].matches(cats[d])) + 1  # +1: code 0 is 'missing'
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
        # line keys for this shape
        line_key = np.zeros(n, dtype="int64")
        for d, radix in zip(dims, radices[:-1]):
            line_key = line_key * radix + codes[d]
        line_key = line_key * radices[-1] + year_codes
        if space <= _DENSE_LIMIT:
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

    conflicted = tie_rule != _NO_RULE
    if conflicted.any():
        _raise_conflicts(ledger, rules, best_rule, tie_rule, conflicted)

    reason = np.full(n, "", dtype=object)
    unmapped = best_rule == _NO_RULE
    if unmapped.any():
        reason[unmapped] = _reasons(ledger.loc[unmapped])
    return Classification(rule_index=best_rule.astype("int32"), reason=reason)


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
    pairs = rows.groupby(["rule_a", "rule_b"]).size().reset_index(name="lines")
    listed = "; ".join(f"{r.rule_a!r} and {r.rule_b!r} on {r.lines} line(s)" for r in pairs.head(10).itertuples())
    first = rows.iloc[0]
    raise RuleError(
        f"equally specific rules both match {int(mask.sum())} line(s): {listed}. "
        "Make one of each pair narrower (add an account, cost centre or organisation) or change its years; "
        "err.rows lists the lines.",
        rows=rows,
        file=str(first["source_file"]),
        row=int(first["source_row"]),
    )


def _reasons(unmapped: pd.DataFrame) -> np.ndarray:
    """Explain unmapped lines, computed once per distinct combination."""
    keys = unmapped[["service_class", "task_class", "year"]]
    group = keys.groupby(["service_class", "task_class", "year"], observed=True, dropna=False, sort=False).ngroup()
    first = keys.groupby(group.to_numpy(), sort=True).head(1)
    texts = np.empty(len(first), dtype=object)
    for k, (sc, tc, year) in enumerate(first.astype(object).itertuples(index=False)):
        if pd.notna(sc):
            texts[k] = f"no rule for service class {sc} in {year}"
        elif pd.notna(tc):
            texts[k] = f"no rule for task class {tc!r} in {year}"
        else:
            texts[k] = f"no class on the line in {year}"
    order = group.to_numpy()[keys.index.get_indexer(first.index)]
    lookup = np.empty(len(texts), dtype=object)
    lookup[order] = texts
    return lookup[group.to_numpy()]
