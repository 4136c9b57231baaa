"""Child budgets of input larger than memory: exact partial results of batches, merged by adding.

A batch of lines is classified and allocated exactly as in memory
(:func:`lapsibudjetti._budget.annotate_lines`). Its mapped lines are then
summed per organisation, year, phase, class, rule and key — in integer
cents, with the child euros and the number of lines — and its unmapped
lines are kept whole. Partial results merge by adding, which is associative
and commutative: any batching, any order and any tree of merges gives the
same cents. The final result is an ordinary :class:`ChildBudget` whose rows
are the summed lines (``line_count`` says how many input lines each adds
up) followed by the unmapped lines.

The child share of a yellow line depends only on its rule, organisation
and year (population figures, key tables), never on the other lines of a
batch, so a batch gives the same shares as the whole input. Checks that
need whole organisation-years (plausibility, missing head counts, own
rules that match nothing) run once, on the merged result; warnings a batch
raises are shown once.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._errors import InputError, ReconciliationError
from ._groups import LineGroups, _cents, group_ids, line_counts
from ._schema import LEDGER_COLUMNS, amount_cents, union_categoricals
from .reference._labels import say

if TYPE_CHECKING:
    from ._steps import Settings

__all__ = ["Partial", "partial_of", "merge", "finish", "stack", "SUM_KEYS"]

#: What a summed line keeps of its lines: everything the tables read, not the account, cost centre or source row.
SUM_KEYS: tuple[str, ...] = ("org_type", "org_code", "business_id", "year", "phase", "service_class", "task_class",
                             "rule_id", "key_used", "child_share")
#: The columns that tell summed lines apart. The others of SUM_KEYS follow from them: the child share and key from the
#: rule, organisation, year (and class, for user keys); colour, tier, sector and category from the rule (added at the end).
GROUPED_BY: tuple[str, ...] = ("org_type", "org_code", "business_id", "year", "phase", "service_class", "task_class", "rule_id")
_RULE_COLUMNS = ("rule_id", "colour", "tier", "sector", "category", "key_used")
_NOT_SUMMED = ("account", "cost_centre", "source_file")


@dataclass(frozen=True)
class Partial:
    """The child budget of some lines, as sums that add up exactly.

    Attributes
    ----------
    summed
        ``SUM_KEYS`` plus ``cents`` (int64), ``child_euros`` and
        ``line_count``: the mapped lines summed.
    unmapped
        The unmapped lines, whole (annotated columns).
    key_shares, notes
        The keys and population notes used (distinct rows).
    warned
        The warnings raised while computing, ``(category, message)``, once each.
    lines
        How many input lines.
    input_cents
        The input lines' amounts added, in cents, before any summing: what
        the result must reconcile to.
    """

    summed: pd.DataFrame
    unmapped: pd.DataFrame
    key_shares: pd.DataFrame
    notes: pd.DataFrame
    warned: tuple[tuple[type[Warning], str], ...]
    lines: int
    input_cents: int = 0


def stack(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Frames with the same columns one under the other; categorical columns with different categories unioned."""
    frames = [f for f in frames if len(f.columns)]
    kept = [f for f in frames if len(f)] or list(frames[:1])
    if len(kept) == 1:
        return kept[0].reset_index(drop=True)
    cols: dict[str, Any] = {}
    for col in kept[0].columns:
        parts = [f[col] for f in kept]
        if any(isinstance(p.dtype, pd.CategoricalDtype) for p in parts):
            cols[col] = union_categoricals([p.astype("category") for p in parts])
        else:
            cols[col] = np.concatenate([p.to_numpy() for p in parts])
    return pd.DataFrame(cols)


def _sum_rows(keys: pd.DataFrame, cents: np.ndarray, child: np.ndarray, count: np.ndarray, *, sort: bool = True) -> pd.DataFrame:
    """Rows with equal keys added: cents exactly (integers), child euros and line counts (rows in key order, or unsorted)."""
    if not len(keys):
        out = keys.copy()
        return out.assign(cents=np.zeros(0, "int64"), child_euros=np.zeros(0), line_count=np.zeros(0, "int64"))
    gid, n = group_ids(keys, list(GROUPED_BY), sort=sort)
    first = np.zeros(n, dtype="int64")
    first[gid[::-1]] = np.arange(len(gid) - 1, -1, -1)  # the first row of each group: its keys, types kept
    out = keys.take(first).reset_index(drop=True)
    out["cents"] = _cents(gid, cents, n)
    out["child_euros"] = np.bincount(gid, weights=child, minlength=n)
    out["line_count"] = np.bincount(gid, weights=count, minlength=n).astype("int64")
    return out


def _caught(caught: list[warnings.WarningMessage]) -> tuple[tuple[type[Warning], str], ...]:
    return tuple(dict.fromkeys((w.category, str(w.message)) for w in caught))


def partial_of(frame: pd.DataFrame, s: Settings, *, lines_to: Path | None = None, part: int = 0) -> Partial:
    """The partial result of canonical lines (one batch), their annotated lines written to ``lines_to`` if given."""
    from ._steps import annotate_lines

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out, shares, _cls = annotate_lines(frame, s, on_missing_key=s.on_missing_key)
    if lines_to is not None:
        _write_lines(out, lines_to, part)
    mapped = out["mapped"].to_numpy()
    # only the summed columns of the mapped lines are taken out (not every annotated column of them)
    keys = out[list(SUM_KEYS)] if mapped.all() else out.loc[mapped, list(SUM_KEYS)]
    cents = amount_cents(out["amount"])[mapped]
    # unsorted: a batch's sums are summed again when merged (the last merge puts them in order)
    summed = _sum_rows(keys, cents, out["child_euros"].to_numpy()[mapped], np.ones(len(keys), "int64"), sort=False)
    return Partial(summed=summed, unmapped=out.loc[~mapped].reset_index(drop=True),
                   key_shares=shares.key_shares.drop_duplicates(), notes=shares.notes.drop_duplicates(),
                   warned=_caught(caught), lines=len(out), input_cents=int(amount_cents(frame["amount"]).sum()))


def _write_lines(out: pd.DataFrame, directory: Path, part: int) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(out, preserve_index=False)
    pq.write_table(table, directory / f"lines-{part:06d}.parquet")


def merge(parts: Sequence[Partial], *, sort: bool = True) -> Partial:
    """One partial result from several: sums added (in key order, or unsorted), unmapped lines in order, keys and notes once.

    Merging is associative and commutative up to the order of the unmapped
    lines (which follow the order of ``parts``): any tree of merges gives the
    same cents.
    """
    parts = list(parts)
    if not parts:
        raise InputError(say("partial.nothing"))
    if len(parts) == 1 and not sort:
        return parts[0]
    stacked = stack([p.summed for p in parts])
    summed = _sum_rows(stacked[list(SUM_KEYS)], stacked["cents"].to_numpy(dtype="int64"), stacked["child_euros"].to_numpy(),
                       stacked["line_count"].to_numpy(dtype="int64"), sort=sort)
    return Partial(
        summed=summed,
        unmapped=stack([p.unmapped for p in parts]),
        key_shares=pd.concat([p.key_shares for p in parts if len(p.key_shares)] or [parts[0].key_shares],
                             ignore_index=True).drop_duplicates(),
        notes=pd.concat([p.notes for p in parts if len(p.notes)] or [parts[0].notes], ignore_index=True).drop_duplicates(),
        warned=tuple(dict.fromkeys(w for p in parts for w in p.warned)),
        lines=sum(p.lines for p in parts),
        input_cents=sum(p.input_cents for p in parts),
    )


def _summed_annotated(p: Partial, source_name: str, rules: Any) -> pd.DataFrame:
    """The annotated rows of a merged result: the summed lines, then the unmapped lines whole."""
    sm = p.summed
    n = len(sm)
    by_rule = rules.table.drop_duplicates("rule_id").set_index("rule_id")
    rule_id = sm["rule_id"].astype("category")
    rule_cats = pd.Index(np.asarray(rule_id.cat.categories, dtype=object))
    rule_codes = rule_id.cat.codes.to_numpy()  # a summed line always has its rule
    cols: dict[str, Any] = {}
    template = p.unmapped
    for col in list(LEDGER_COLUMNS) + [c for c in template.columns if c not in LEDGER_COLUMNS]:
        if col in sm.columns and col not in ("cents", "line_count"):
            cols[col] = sm[col]
        elif col == "amount":
            cols[col] = sm["cents"].to_numpy(dtype="int64") / 100.0
        elif col in ("colour", "tier", "sector", "category"):  # the rule's, as in memory (no tier: missing): one lookup per rule
            values = by_rule[col].reindex(rule_cats).to_numpy(dtype=object).astype(str)
            cols[col] = pd.Categorical(np.where(values == "", None, values) if col == "tier" else values).take(rule_codes)
        elif col in _NOT_SUMMED:
            cols[col] = pd.Categorical([source_name] * n if col == "source_file" else [None] * n)
        elif col == "source_row":
            cols[col] = np.zeros(n, dtype="int64")  # a summed line has no one row
        elif col == "mapped":
            cols[col] = np.ones(n, dtype=bool)
        elif col == "reason":
            cols[col] = pd.Categorical([None] * n)
        else:  # pragma: no cover - every annotated column is listed above
            raise InputError(say("internal.error", detail=f"no summed value for column {col!r}"))
    summed = pd.DataFrame(cols)
    summed["line_count"] = sm["line_count"].to_numpy(dtype="int64")
    unmapped = template.assign(line_count=np.ones(len(template), dtype="int64"))[summed.columns] if len(template.columns) else summed.iloc[:0]
    out = stack([summed, unmapped]) if len(unmapped) else summed
    for col in out.columns:  # the same types as in memory
        if col in LEDGER_COLUMNS and LEDGER_COLUMNS[col] == "cat" or col in (*_RULE_COLUMNS, "reason"):
            out[col] = out[col].astype("category")
    return out


def finish(p: Partial, s: Settings, source_name: str) -> tuple[pd.DataFrame, pd.DataFrame, LineGroups]:
    """The annotated rows, head counts and line groups of a merged partial result, checked once as a whole."""
    from ._allocate import head_counts
    from ._classify import warn_unused_rules
    from ._steps import _organisation_years
    from .measure._plausible import check_plausible, warn_missing_children

    for category, message in p.warned:
        warnings.warn(message, category, stacklevel=4)
    annotated = _summed_annotated(p, source_name, s.rules)
    groups = LineGroups.of(annotated)
    counted, cents = int(line_counts(annotated).sum()), int(groups.cents["total"].sum())
    if counted != p.lines or cents != p.input_cents:  # pragma: no cover - the sums add every line once
        raise ReconciliationError(say("internal.error", detail=f"{p.lines} lines of {p.input_cents} cents read, {counted} lines of {cents} cents "
                                      "in the result"))
    ids = pd.Index(s.rules.table["rule_id"].astype(str))
    rule_index = ids.get_indexer(annotated["rule_id"].astype(object).where(annotated["mapped"], None).fillna("").astype(str))
    warn_unused_rules(s.rules, rule_index, annotated["year"].to_numpy())
    children = head_counts(_organisation_years(groups), s.population, s.registry, s.target.ages,
                           policy=s.population_year)  # type: ignore[arg-type]
    check_plausible(groups, annotated["child_euros"].to_numpy(dtype=float), s.population, s.registry, s.population_year, s.target.ages)
    warn_missing_children(children, s.registry, s.population_year)
    return annotated, children, groups
