"""Short text and HTML cards of the result objects for terminals and notebooks, in the chosen language.

Every text comes from the labels (``data/labels.csv``) in
:func:`lapsibudjetti.default_lang` and every number from the one formatter
per language (:mod:`lapsibudjetti.reference._format`), so a Finnish card
reads ``184 100 644 € (54,7 %)`` and never mixes styles.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ._groups import line_counts
from .measure._metrics import pooled
from .reference._format import format_euros, format_number, format_percent, format_years
from .reference._labels import lang_or_default, measure_text, text

if TYPE_CHECKING:
    from ._budget import ChildBudget
    from ._rules import Rules

__all__ = ["budget_text", "budget_html", "card_html", "rules_text", "rules_html"]

_PHASE_PREFERENCE = ("actual", "revised_budget", "budget")
_STYLE = "font-family:sans-serif;font-size:13px;line-height:1.45"


def _pct(share: float, lang: str) -> str:
    return format_percent(share, lang, decimals=1) if np.isfinite(share) else "–"


def _years(years: Sequence[int]) -> str:
    return format_years(years, empty="–")


def _facts(cb: ChildBudget, lang: str) -> dict[str, Any]:
    """Headline figures for one year and phase (adding years or budget to actual would double count)."""
    a = cb.annotated
    mapped = a["mapped"].to_numpy()
    summary = cb.summary()
    phases = set(summary["phase"].astype(str))
    phase = next((p for p in _PHASE_PREFERENCE if p in phases), sorted(phases)[0] if phases else "")
    year = int(summary.loc[summary["phase"].astype(str) == phase, "year"].max()) if len(summary) else 0
    head = summary[(summary["phase"].astype(str) == phase) & (summary["year"] == year)]
    cats = cb.by("category", lang=lang)
    cats = cats[(cats["phase"].astype(str) == phase) & (cats["year"] == year)]
    top = cats.groupby("label", sort=False)["child_euros"].sum()
    top = top[top > 0].sort_values(ascending=False).head(5)  # red categories carry no child euros
    return {
        "lines": int(line_counts(a).sum()),
        "unmapped": int((~mapped).sum()),
        "unmapped_euros": float(a.loc[~mapped, "amount"].sum()),
        "organisations": len(a[["org_type", "org_code"]].drop_duplicates()),
        "years": _years(a["year"].unique().tolist()),
        "headline": f"{year} {text(f'value.phase.{phase}', lang, default=phase)}",
        "total": float(head["total_euros"].sum()),
        "child": float(head["child_euros"].sum()),
        "share": float(pooled(head, ["child_share_of_total"])["child_share_of_total"].iloc[0]) if len(head) else float("nan"),
        "reconciled": bool(cb.reconciliation["ok"].all()),
        "top": top,
    }


def _lines(cb: ChildBudget, lang: str) -> tuple[list[str], dict[str, Any]]:
    f = _facts(cb, lang)
    target = text("target.ages", lang, low=cb.target_group.low, high=cb.target_group.high)
    profile = text(f"value.profile.{cb.rules.profile}", lang, default=cb.rules.profile)
    rec = text("card.reconciled_ok" if f["reconciled"] else "card.reconciled_bad", lang)
    unmapped = text("card.unmapped", lang, lines=format_number(f["unmapped"], lang), euros=format_euros(f["unmapped_euros"], lang))
    view = getattr(cb, "view", None)
    shown = [text(f"card.view_{view}", lang)] if view in ("region", "municipality") else []
    return [
        text("card.lines", lang, lines=format_number(f["lines"], lang), orgs=f["organisations"], years=f["years"], target=target),
        text("card.headline", lang, headline=f["headline"], total=format_euros(f["total"], lang), child=format_euros(f["child"], lang),
             share=_pct(f["share"], lang)),
        f"{rec}; {unmapped}",
        *shown,
        text("card.rules", lang, measure=measure_text(cb.measure, lang), source=cb.rules.source, profile=profile),
    ], f


def budget_text(cb: ChildBudget, lang: str | None = None) -> str:
    """A short plain-text summary (what ``repr`` shows in a terminal), in ``lang`` (default: the session's language)."""
    lang = lang_or_default(lang)
    lines, _ = _lines(cb, lang)
    return "\n".join([text("cli.title", lang) + ": " + lines[0]] + ["  " + line for line in lines[1:]])


def card_html(title: str, lines: Sequence[str], table: str = "", *, ok: bool | None = None) -> str:
    """The one HTML card of every result object: a bold title, a few lines and an optional table (already HTML)."""
    e = html.escape
    body = "<br>".join(e(line) for line in lines)
    mark = "" if ok is None else ('<span style="color:#1a7f37">&#10004;</span> ' if ok else '<span style="color:#cf222e">&#10008;</span> ')
    return f"<div style='{_STYLE}'>{mark}<b>{e(title)}</b><br>{body}{table}</div>"


def budget_html(cb: ChildBudget, lang: str | None = None) -> str:
    """The Jupyter card of a child budget: totals, reconciliation, unmapped and the largest categories, in ``lang``."""
    lang = lang_or_default(lang)
    lines, f = _lines(cb, lang)
    e = html.escape
    rows = "".join(f"<tr><td style='text-align:left'>{e(str(k))}</td><td style='text-align:right'>{e(format_euros(v, lang))}</td></tr>"
                   for k, v in f["top"].items())
    table = (f"<table style='margin-top:6px'><tr><th style='text-align:left'>{e(text('card.top', lang, headline=f['headline']))}</th>"
             f"<th style='text-align:right'>{e(text('col.child_euros', lang))}</th></tr>{rows}</table>")
    return card_html(f"{text('cli.title', lang)} · {lines[0]}", lines[1:], table, ok=f["reconciled"])


def rules_text(rules: Rules, lang: str | None = None) -> list[str]:
    """Two lines about a rule set: where it comes from and how many rules of each colour."""
    lang = lang_or_default(lang)
    t = rules.table
    counts = t["colour"].value_counts()
    profile = text(f"value.profile.{rules.profile}", lang, default=rules.profile)
    return [text("card.rules_title", lang, n=len(t), source=rules.source, profile=profile),
            text("card.rules_colours", lang, green=int(counts.get("green", 0)), yellow=int(counts.get("yellow", 0)),
                 red=int(counts.get("red", 0)), categories=t["category"].nunique())]


def rules_html(rules: Rules, lang: str | None = None) -> str:
    """The Jupyter card of a rule set: counts and the first rules (headings and values in ``lang``)."""
    from ._present import styled

    lang = lang_or_default(lang)
    head = rules_text(rules, lang)
    cols = ["rule_id", "service_class", "task_class", "colour", "tier", "sector", "category", f"label_{lang}", "key"]
    table = styled(rules.table[cols].head(10), name="method_rules", lang=lang).to_html()
    return card_html(head[0], head[1:], table)
