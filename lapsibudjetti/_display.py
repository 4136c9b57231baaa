"""Compact text and HTML summaries of a child budget for terminals and notebooks."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import numpy as np

from .measure._metrics import pooled
from .reference._format import format_euros, format_percent

if TYPE_CHECKING:
    from ._budget import ChildBudget

__all__ = ["budget_text", "budget_html"]


def _eur(x: float) -> str:
    return format_euros(x, "fi")


def _pct(share: float) -> str:
    return format_percent(share, "fi", decimals=1) if np.isfinite(share) else "–"


_PHASE_PREFERENCE = ("actual", "revised_budget", "budget")


def _facts(cb: ChildBudget) -> dict[str, object]:
    """Headline figures for one year and phase (adding years or budget to actual would double count)."""
    a = cb.annotated
    mapped = a["mapped"].to_numpy()
    rec = cb.reconciliation
    summary = cb.summary()
    phases = set(summary["phase"].astype(str))
    phase = next((p for p in _PHASE_PREFERENCE if p in phases), sorted(phases)[0] if phases else "")
    year = int(summary.loc[summary["phase"].astype(str) == phase, "year"].max()) if len(summary) else 0
    head = summary[(summary["phase"].astype(str) == phase) & (summary["year"] == year)]
    cats = cb.by("category", lang="en")
    cats = cats[(cats["phase"].astype(str) == phase) & (cats["year"] == year)]
    top = cats.groupby("label", sort=False)["child_euros"].sum()
    top = top[top > 0].sort_values(ascending=False).head(5)  # red categories carry no child euros
    orgs = a[["org_type", "org_code"]].drop_duplicates()
    years = sorted(a["year"].unique().tolist())
    return {
        "lines": len(a),
        "unmapped": int((~mapped).sum()),
        "unmapped_euros": float(a.loc[~mapped, "amount"].sum()),
        "organisations": len(orgs),
        "years": f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0]) if years else "–",
        "headline": f"{year} {phase.replace('_', ' ')}",
        "total": float(head["total_euros"].sum()),
        "child": float(head["child_euros"].sum()),
        "share": float(pooled(head, ["child_share_of_total"])["child_share_of_total"].iloc[0]) if len(head) else float("nan"),
        "reconciled": bool(rec["ok"].all()),
        "top": top,
    }


def budget_text(cb: ChildBudget) -> str:
    """A short plain-text summary (what ``repr`` shows in a terminal)."""
    f = _facts(cb)
    lines = [
        f"ChildBudget: {f['lines']:,} lines, {f['organisations']} organisation(s), years {f['years']}, {cb.target_group.name}",
        f"  {f['headline']}: all spend {_eur(f['total'])}; child-targeted {_eur(f['child'])} ({_pct(f['share'])})",  # type: ignore[arg-type]
        f"  reconciliation: {'OK to the cent' if f['reconciled'] else 'FAILED'}; unmapped lines: {f['unmapped']:,} ({_eur(f['unmapped_euros'])})",  # type: ignore[arg-type]
        f"  measure: {cb.measure}; rules: {cb.rules.source} ({cb.rules.profile})",
    ]
    return "\n".join(lines)


def budget_html(cb: ChildBudget) -> str:
    """A compact HTML summary for Jupyter: totals, reconciliation, unmapped, top categories."""
    f = _facts(cb)
    ok = f["reconciled"]
    status = ('<span style="color:#1a7f37">&#10004; reconciled to the cent</span>' if ok
              else '<span style="color:#cf222e">&#10008; reconciliation failed</span>')
    rows = "".join(
        f"<tr><td>{html.escape(str(k))}</td><td style='text-align:right'>{html.escape(_eur(v))}</td></tr>"
        for k, v in f["top"].items()  # type: ignore[attr-defined]
    )
    e = html.escape
    return (
        "<div style='font-family:sans-serif;font-size:13px'>"
        f"<b>ChildBudget</b> · {f['lines']:,} lines · {f['organisations']} organisation(s) · {e(str(f['years']))} · {e(cb.target_group.name)}<br>"
        f"{e(str(f['headline']))}: all spend <b>{e(_eur(f['total']))}</b>; child-targeted <b>{e(_eur(f['child']))}</b> ({_pct(f['share'])})<br>"  # type: ignore[arg-type]
        f"{status}; unmapped lines: <b>{f['unmapped']:,}</b> ({e(_eur(f['unmapped_euros']))})<br>"  # type: ignore[arg-type]
        f"<small>{e(cb.measure)} · rules: {e(cb.rules.source)} ({e(cb.rules.profile)})</small>"
        f"<table style='margin-top:6px'><tr><th style='text-align:left'>top categories {e(str(f['headline']))}</th>"
        f"<th>child €</th></tr>{rows}</table>"
        "</div>"
    )
