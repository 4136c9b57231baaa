"""What a change of the rules moves: the rules that differ and the child euros before and after, reconciling to the cent.

:meth:`lapsibudjetti.ChildBudget.compare_rules` computes the same ledgers,
population and keys again under other rules and hands both results here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._errors import InputError
from .reference._format import format_euros
from .reference._labels import lang_or_default, say, text, value_label

if TYPE_CHECKING:
    from ._budget import ChildBudget
    from ._rules import Rules

__all__ = ["RulesComparison", "rules_comparison", "rule_changes"]

_KEYS = ["org_type", "org_code", "year", "phase"]
#: The tables of a comparison, in the order they are shown.
TABLES = ("rules", "by_category", "by_tier", "by_organisation", "lines", "check")


def _cents(values: pd.Series | np.ndarray) -> np.ndarray:
    return np.round(np.asarray(values, dtype="float64") * 100).astype("int64")


def rule_changes(before: Rules, after: Rules) -> pd.DataFrame:
    """One row per rule added or removed and per changed cell of a rule kept: ``rule_id, change, column, before, after, row``.

    ``row`` is the rule's row in the second rules file (the first for a
    removed rule).

    Examples
    --------
    >>> from lapsibudjetti import default_rules
    >>> r = default_rules()
    >>> rule_changes(r, r.replace("sc-3601", colour="yellow", key="population"))[["rule_id", "column", "before", "after"]].values.tolist()
    [['sc-3601', 'colour', 'green', 'yellow'], ['sc-3601', 'key', '', 'population']]
    """
    from ._rules import RULE_COLUMNS

    def plain(rules: Rules) -> pd.DataFrame:
        t = rules.table[[*RULE_COLUMNS, "source_row"]].copy()
        for col in ("valid_from", "valid_to"):
            t[col] = [str(int(v)) if pd.notna(v) else "" for v in t[col]]
        return t.set_index("rule_id")

    a, b = plain(before), plain(after)
    out: list[tuple[str, str, str, str, str, int]] = []
    for rid in b.index.difference(a.index, sort=False):
        out.append((rid, "added", "", "", "", int(b.at[rid, "source_row"])))
    for rid in a.index.difference(b.index, sort=False):
        out.append((rid, "removed", "", "", "", int(a.at[rid, "source_row"])))
    for rid in b.index.intersection(a.index, sort=False):
        for col in RULE_COLUMNS[1:]:
            x, y = str(a.at[rid, col]), str(b.at[rid, col])
            if x != y:
                out.append((rid, "changed", col, x, y, int(b.at[rid, "source_row"])))
    frame = pd.DataFrame(out, columns=["rule_id", "change", "column", "before", "after", "row"])
    return frame.sort_values(["row", "rule_id"], kind="stable").reset_index(drop=True)


def _side_by_side(before: pd.DataFrame, after: pd.DataFrame, keys: Sequence[str], value: str = "child_euros") -> pd.DataFrame:
    """``before``/``after``/``difference`` of ``value`` per ``keys`` (exact cents; a row missing on one side is 0 there)."""
    a = before.groupby(list(keys), observed=True, dropna=False)[value].sum()
    b = after.groupby(list(keys), observed=True, dropna=False)[value].sum()
    both = pd.concat([a.rename("before"), b.rename("after")], axis=1).fillna(0.0)
    ca, cb = _cents(both["before"]), _cents(both["after"])
    out = both.reset_index()
    out["child_euros_before"] = ca / 100
    out["child_euros_after"] = cb / 100
    out["difference"] = (cb - ca) / 100
    return out.drop(columns=["before", "after"])


@dataclass(frozen=True)
class RulesComparison:
    """The child budget under two sets of rules: what changed in the rules and which euros moved.

    Attributes
    ----------
    rules
        ``rule_id, change, column, before, after, row``: rules added,
        removed or changed (one row per changed cell).
    by_category, by_tier
        Child euros per organisation × year × phase × category (tier) before
        and after, and the difference; only rows that differ.
    by_organisation
        Child euros and the child share of all spending per organisation ×
        year × phase before and after.
    lines
        Every line whose rule, colour, tier, category or child euros changed.
    check
        Per organisation-year-phase: all spending the same before and after,
        and the differences by category and by tier summing to the
        organisation's difference (``ok``), in exact cents.
    """

    rules: pd.DataFrame
    by_category: pd.DataFrame
    by_tier: pd.DataFrame
    by_organisation: pd.DataFrame
    lines: pd.DataFrame
    check: pd.DataFrame
    before_source: str
    after_source: str

    @property
    def ok(self) -> bool:
        """Whether every organisation-year reconciles (it always should; a ``False`` is a bug to report)."""
        return bool(self.check["ok"].all())

    def table(self, name: str = "by_category", *, lang: str | None = None, formatted: bool = True) -> object:
        """One of the tables with headings in ``lang``, styled for a notebook (see :func:`lapsibudjetti._present.styled`)."""
        from ._present import styled

        if name not in TABLES:
            raise InputError(say("arg.one_of", name="table", value=repr(name), allowed=", ".join(TABLES)))
        return styled(getattr(self, name), name=name, lang=lang, formatted=formatted)

    def text(self, lang: str | None = None) -> str:
        """A few lines saying what moved, for a terminal."""
        lang = lang_or_default(lang)
        changed = self.rules["rule_id"].nunique()
        lines = [text("diff.title", lang, before=self.before_source, after=self.after_source, rules=changed,
                      lines=len(self.lines))]
        if len(self.rules):
            lines.append(text("sheet.diff_rules", lang) + ":")
            for r in self.rules.head(8).itertuples(index=False):
                if r.change != "changed":
                    lines.append(f"  {r.rule_id}: {text(f'value.change.{r.change}', lang)} ({text('col.row', lang)} {r.row})")
                    continue
                kind = r.column if r.column in ("colour", "tier", "sector", "org_type") else None
                was, now = ((value_label(kind, v, lang) if kind and v else v) for v in (r.before, r.after))
                lines.append(f"  {r.rule_id}: {text(f'rulecol.{r.column}', lang)} {was or '–'} → {now or '–'}")
            if len(self.rules) > 8:
                lines.append("  " + text("diff.more", lang, n=len(self.rules) - 8, table=text("sheet.diff_rules", lang)))
        for name in ("by_tier", "by_category"):
            moved = getattr(self, name)
            if moved.empty:
                continue
            lines.append(text(f"sheet.diff_{name}", lang) + ":")
            for r in moved.head(12).itertuples(index=False):
                lines.append(f"  {r.org_code} {r.year} {text(f'value.phase.{r.phase}', lang)} {r.label}: "
                             f"{format_euros(r.child_euros_before, lang)} → {format_euros(r.child_euros_after, lang)} "
                             f"({'+' if r.difference >= 0 else ''}{format_euros(r.difference, lang)})")
            if len(moved) > 12:
                lines.append("  " + text("diff.more", lang, n=len(moved) - 12, table=text(f"sheet.diff_{name}", lang)))
        lines.append(text("diff.reconciled" if self.ok else "diff.not_reconciled", lang))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        from ._display import card_html

        lang = lang_or_default(None)
        said = self.text(lang).splitlines()
        rules_part = said[1 : 2 + min(len(self.rules), 8)] if len(self.rules) else []
        table = self.table("by_tier" if self.by_category.empty else "by_category", lang=lang)
        return card_html(said[0], [*rules_part, said[-1]], table.to_html(), ok=self.ok)  # type: ignore[attr-defined]


def rules_comparison(before: ChildBudget, after: ChildBudget) -> RulesComparison:
    """Compare two results of the same lines under different rules (see :meth:`lapsibudjetti.ChildBudget.compare_rules`)."""
    a, b = before.annotated, after.annotated
    if len(a) != len(b) or not (_cents(a["amount"]) == _cents(b["amount"])).all():
        raise InputError(say("rulesdiff.not_same"))
    tables: dict[str, pd.DataFrame] = {}
    lang = lang_or_default(None)
    for dim in ("category", "tier"):
        x, y = before.by(dim, lang=lang), after.by(dim, lang=lang)
        names = pd.concat([x, y])[[dim, "label"]].drop_duplicates(dim)
        tables[dim] = _side_by_side(x, y, [*_KEYS, dim]).merge(names, on=dim, how="left")
    sa, sb = before.summary(), after.summary()
    org = _side_by_side(sa, sb, _KEYS)

    def per_org(summary: pd.DataFrame, col: str) -> np.ndarray:
        sums = summary.groupby(_KEYS, observed=True)[col].sum().reset_index()
        return org[_KEYS].merge(sums, on=_KEYS, how="left")[col].to_numpy()

    org["total_euros"] = per_org(sa, "total_euros")
    with np.errstate(divide="ignore", invalid="ignore"):
        org["child_share_before"] = org["child_euros_before"] / org["total_euros"]
        org["child_share_after"] = org["child_euros_after"] / org["total_euros"]
    check = org[_KEYS].copy()
    check["total_same"] = _cents(org["total_euros"]) == _cents(per_org(sb, "total_euros"))
    diff = pd.Series(_cents(org["difference"]), index=pd.MultiIndex.from_frame(org[_KEYS]))
    for dim in ("category", "tier"):
        per = tables[dim].assign(c=_cents(tables[dim]["difference"])).groupby(_KEYS, observed=True)["c"].sum()
        check[f"{dim}_sum_ok"] = (per.reindex(diff.index).fillna(0).astype("int64").to_numpy() == diff.to_numpy())
    check["unmapped_before"] = per_org(sa, "unmapped_euros")
    check["unmapped_after"] = per_org(sb, "unmapped_euros")
    check["ok"] = check["total_same"] & check["category_sum_ok"] & check["tier_sum_ok"]
    cols = ["rule_id", "colour", "tier", "category", "child_euros"]
    changed = np.zeros(len(a), dtype=bool)
    for col in cols:
        x = a[col].astype(object).where(a[col].notna(), "").to_numpy()
        y = b[col].astype(object).where(b[col].notna(), "").to_numpy()
        changed |= (_cents(x.astype(float)) != _cents(y.astype(float))) if col == "child_euros" else (x != y)
    lines = a.loc[changed, ["source_file", "source_row", *_KEYS, "service_class", "task_class", "account", "cost_centre", "amount"]]
    lines = lines.reset_index(drop=True)
    for col in cols:
        lines[f"{col}_before"] = a.loc[changed, col].to_numpy()
        lines[f"{col}_after"] = b.loc[changed, col].to_numpy()
    moved = {d: t[t["difference"] != 0].reset_index(drop=True) for d, t in tables.items()}
    return RulesComparison(rules=rule_changes(before.rules, after.rules), by_category=moved["category"], by_tier=moved["tier"],
                           by_organisation=org, lines=lines, check=check, before_source=before.rules.source,
                           after_source=after.rules.source)
