"""write_html: the council report as one self-contained HTML page (charts inline as SVG, no network), fi/sv/en.

The page is what a council member reads: a cover with the three headline
figures, the trends, the si-sote split, child protection, the comparison,
the change since last year, the method in plain words and what was left
unmapped. It prints to A4 (a print stylesheet, page breaks between
sections) and to PDF through a headless browser (:func:`print_pdf`).
Every number comes from the report's tables (:func:`export_tables`), every
text from ``data/labels.csv``.
"""

from __future__ import annotations

import html
import math
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .._errors import InputError
from .._files import write_atomic
from .._version import __version__
from ..measure._metrics import METRICS, pooled
from ..reference._format import format_euros, format_number, format_percent, format_years
from ..reference._labels import lang_or_default, say, setting_text, text, value_label

__all__ = ["HTML_NAME", "browser", "print_pdf", "write_html"]

HTML_NAME = "lapsibudjetti.html"
#: Rows of a table on the page; the workbook and the CSV tables have them all.
MAX_ROWS = 25
#: Organisations shown one by one in the years-as-columns table (more: their total only).
MAX_ORG_TABLES = 4
_PHASES = ("actual", "revised_budget", "budget")
#: Settings the page already says in words (the amounts line, the method text).
_PLAIN_SETTINGS = frozenset({"measure", "target group", "shares and ratios", "exported with"})
HEADLINE = ("child_euros", "children", "euros_per_child", "preventive_share", "corrective_share", "child_share_of_total")

_CSS = """
:root { --ink:#1f2d3a; --muted:#5b6b79; --line:#d5dde4; --accent:#1f6f8b; --soft:#eef3f6; }
* { box-sizing: border-box; }
body { font-family: "Source Sans 3", "Segoe UI", "Helvetica Neue", Arial, "Liberation Sans", sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 60rem; padding: 1.5rem 2rem 3rem; line-height: 1.45; font-size: 11pt; }
h1 { font-size: 2rem; margin: 0 0 .3rem; } h2 { font-size: 1.4rem; margin: 0 0 .6rem; border-bottom: 2px solid var(--accent); padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1rem 0 .3rem; }
p { margin: .4rem 0; } .muted { color: var(--muted); font-size: .92em; }
.cover { border-bottom: 1px solid var(--line); padding-bottom: 1rem; margin-bottom: 1rem; }
.cover .meta { color: var(--muted); margin: 0 0 1rem; }
.figures { display: flex; gap: 1rem; flex-wrap: wrap; margin: 1rem 0; }
.figure { flex: 1 1 12rem; background: var(--soft); border-left: 5px solid var(--accent); padding: .7rem 1rem; }
.figure .value { font-size: 1.9rem; font-weight: 700; white-space: nowrap; }
.figure .label { font-weight: 600; } .figure .sub { color: var(--muted); font-size: .9em; }
.view { background: #fff8e5; border-left: 5px solid #d9a400; padding: .5rem .9rem; margin: .8rem 0; }
nav ol { columns: 2; margin: .3rem 0; }
section { margin-top: 2rem; }
figure { margin: .8rem 0; break-inside: avoid; page-break-inside: avoid; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: .9em; margin-top: .2rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; font-size: .92em; break-inside: auto; }
th, td { padding: .25rem .45rem; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: #34495e; color: #fff; font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr { break-inside: avoid; page-break-inside: avoid; }
tr.total td { font-weight: 700; border-top: 2px solid var(--ink); }
.ok { color: #1e7b34; font-weight: 600; } .bad { color: #b3261e; font-weight: 600; }
footer { margin-top: 2rem; color: var(--muted); font-size: .85em; border-top: 1px solid var(--line); padding-top: .5rem; }
@page { size: A4; margin: 14mm 14mm 16mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  section { break-before: page; page-break-before: always; margin-top: 0; }
  section.keep { break-before: auto; page-break-before: auto; margin-top: 1.2rem; }
  h2 { break-after: avoid; page-break-after: avoid; }
  figure svg { max-height: 125mm; }
  a { color: inherit; text-decoration: none; }
}
"""


# --------------------------------------------------------------------------- small helpers


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _t(key: str, lang: str, **values: object) -> str:
    return text(f"html.{key}", lang).format(**values) if values else text(f"html.{key}", lang)


def _finite(x: object) -> bool:
    return isinstance(x, int | float | np.integer | np.floating) and math.isfinite(float(x))


def _fmt(col: str, value: object, lang: str) -> str:
    """One cell in the reader's language: euros, shares as percentages, counts; empty as a dash."""
    if not _finite(value):
        return "–"
    x = float(value)  # type: ignore[arg-type]
    kind = METRICS[col].kind if col in METRICS else ""
    if kind == "ratio":
        return format_number(x, lang, decimals=2)
    if kind == "share" or col.endswith(("_share", "_pct")):
        return format_percent(x, lang, decimals=1)
    if col.endswith("_per_child") or col.startswith(("median_euros", "difference_from_median_euros")):
        return format_euros(x, lang)
    if col.endswith("_euros") or col == "euros":
        return format_euros(x, lang, scale="auto")
    if col.endswith("_ratio"):
        return format_number(x, lang, decimals=2)
    return format_number(x, lang)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[bool], *,
           total_last: bool = False, caption: str = "") -> str:
    head = "".join(f'<th class="num" scope="col">{_e(h)}</th>' if n else f'<th scope="col">{_e(h)}</th>' for h, n in zip(headers, numeric))
    body = []
    for i, row in enumerate(rows):
        cls = ' class="total"' if total_last and i == len(rows) - 1 else ""
        cells = "".join(f'<td class="num">{_e(v)}</td>' if n else f"<td>{_e(v)}</td>" for v, n in zip(row, numeric))
        body.append(f"<tr{cls}>{cells}</tr>")
    cap = f"<caption class=\"muted\">{_e(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _svg(markup: str, prefix: str, label: str) -> str:
    """An SVG file's markup for inlining: no XML prolog, ids made unique to the chart, a title for screen readers."""
    body = markup[markup.index("<svg"):]
    seen: dict[str, int] = {}

    def unique(m: re.Match[str]) -> str:  # a chart's own ids can repeat (a note's gid on each panel)
        n = seen[m.group(1)] = seen.get(m.group(1), 0) + 1
        return f'id="{prefix}-{m.group(1)}"' if n == 1 else f'id="{prefix}-{m.group(1)}-{n}"'

    body = re.sub(r'\bid="([^"]+)"', unique, body)
    body = re.sub(r'(xlink:href|href)="#([^"]+)"', lambda m: f'{m.group(1)}="#{prefix}-{m.group(2)}"', body)
    body = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})", body)
    body = re.sub(r'\swidth="[^"]*pt"\s+height="[^"]*pt"', "", body, count=1)  # scale with the page (viewBox stays)
    return body.replace("<svg", f'<svg role="img" aria-label="{_e(label)}"', 1)


def org_list_text(orgs: Sequence[Sequence[str]], lang: str) -> str:
    """The organisations' names (``[code, name]`` pairs) for a title: up to three by name, else how many."""
    names = [n or c for c, n in orgs]
    if len(names) <= 3:
        return text("fmt.list_sep", lang).join(names)
    return _t("orgs_many", lang, n=len(names))


def main_phase(summary: pd.DataFrame) -> str | None:
    """The phase a report headlines: actual, else the revised budget, else the budget."""
    phases = set(summary["phase"].astype(str)) if "phase" in summary else set()
    return next((p for p in _PHASES if p in phases), None)


# --------------------------------------------------------------------------- the parts of the page


class _Page:
    def __init__(self, tables: Mapping[str, pd.DataFrame], charts: Mapping[str, str], lang: str, shown: str,
                 amounts: str, notes: Sequence[str]) -> None:
        self.tables, self.charts, self.lang, self.shown, self.amounts, self.notes = tables, charts, lang, shown, amounts, notes
        summary = tables["summary"]
        self.phase = main_phase(summary)
        self.summary = summary[summary["phase"].astype(str) == self.phase] if self.phase else summary
        self.years = sorted(int(y) for y in self.summary["year"].unique()) if len(self.summary) else []
        self.latest = self.years[-1] if self.years else None
        self.orgs = self.summary[["org_code", "org_name"]].drop_duplicates().astype(str).values.tolist() if len(self.summary) else []

    def t(self, key: str, **values: object) -> str:
        return _t(key, self.lang, **values)

    def col(self, name: str) -> str:
        return text(f"col.{name}", self.lang, default=name)

    def org_text(self) -> str:
        return org_list_text(self.orgs, self.lang)

    def years_text(self) -> str:
        return format_years(self.years)

    def total(self, frame: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
        return pooled(frame, list(HEADLINE), by)

    # ---- cover
    def cover(self) -> str:
        phase = value_label("phase", self.phase, self.lang) if self.phase else ""
        parts = [f'<header class="cover"><h1>{_e(self.t("title", orgs=self.org_text()))}</h1>',
                 f'<p class="meta">{_e(self.t("meta", years=self.years_text(), phase=phase))}</p>']
        if self.latest is not None:
            row = self.total(self.summary[self.summary["year"] == self.latest]).iloc[0]
            whose = self.t("headline_of_one", org=self.org_text()) if len(self.orgs) == 1 else self.t("headline_of_all", n=len(self.orgs))
            parts.append(f"<p><strong>{_e(self.t('headline', year=self.latest, phase=phase))}</strong> {_e(whose)}</p>")
            parts.append('<div class="figures">')
            parts.append(self._figure(self.col("child_euros"), _fmt("child_euros", row["child_euros"], self.lang),
                                      self.t("of_all_spending", share=_fmt("child_share_of_total", row["child_share_of_total"], self.lang))))
            parts.append(self._figure(self.col("euros_per_child"), _fmt("euros_per_child", row["euros_per_child"], self.lang),
                                      self.t("children", n=_fmt("children", row["children"], self.lang))))
            parts.append(self._figure(self.col("preventive_share"), _fmt("preventive_share", row["preventive_share"], self.lang),
                                      self.t("corrective", share=_fmt("corrective_share", row["corrective_share"], self.lang))))
            parts.append("</div>")
        parts.append(f'<p class="view">{_e(self.t("view_" + self.shown))}</p>')
        parts.append(f'<p class="muted">{_e(self.amounts)}</p>')
        parts.append(f"<p>{_e(self.t('reading'))}</p></header>")
        return "".join(parts)

    @staticmethod
    def _figure(label: str, value: str, sub: str) -> str:
        return (f'<div class="figure"><div class="label">{_e(label)}</div><div class="value">{_e(value)}</div>'
                f'<div class="sub">{_e(sub)}</div></div>')

    def nav(self, sections: Sequence[tuple[str, str]]) -> str:
        items = "".join(f'<li><a href="#{sid}">{_e(title)}</a></li>' for sid, title in sections)
        return f'<nav aria-label="{_e(self.t("contents"))}"><h3>{_e(self.t("contents"))}</h3><ol>{items}</ol></nav>'

    def chart(self, stem: str) -> str:
        caption = self.t(f"caption_{stem}")
        if stem not in self.charts:
            return f'<p class="muted">{_e(self.t("no_chart", caption=caption))}</p>'
        return f"<figure>{_svg(self.charts[stem], stem, caption)}<figcaption>{_e(caption)}</figcaption></figure>"

    # ---- sections
    def years_table(self, frame: pd.DataFrame) -> str:
        rows_by_year = {int(r["year"]): r for _, r in self.total(frame, ["year"]).iterrows()}
        rows = [[self.col(m)] + [_fmt(m, rows_by_year[y][m], self.lang) if y in rows_by_year else "–" for y in self.years] for m in HEADLINE]
        return _table([""] + [str(y) for y in self.years], rows, [False] + [True] * len(self.years))

    def trends(self) -> str:
        out = [f"<p>{_e(self.t('trends_intro'))}</p>"]
        if len(self.orgs) > 1:
            out.append(f"<h3>{_e(self.t('all_orgs', n=len(self.orgs)))}</h3>")
        out.append(self.years_table(self.summary))
        if 1 < len(self.orgs) <= MAX_ORG_TABLES:
            for code, name in self.orgs:
                out.append(f"<h3>{_e(name or code)}</h3>")
                out.append(self.years_table(self.summary[self.summary["org_code"].astype(str) == code]))
        out.append(self.chart("per_child"))
        out.append(self.chart("preventive_share"))
        return "".join(out)

    def tiers(self) -> str:
        return f"<p>{_e(self.t('tiers_intro'))}</p>" + self.chart("tiers")

    def sisote(self) -> str:
        return f"<p>{_e(self.t('sisote_intro'))}</p>" + self.chart("sisote_split")

    def child_protection(self) -> str:
        return f"<p>{_e(self.t('child_protection_intro'))}</p>" + self.chart("child_protection_balance")

    def comparison(self) -> str:
        comp = self.tables.get("comparison")
        if comp is None or not len(comp) or self.latest is None:
            return f"<p>{_e(self.t('nothing'))}</p>"
        c = comp[(comp["year"] == self.latest) & (comp["phase"].astype(str) == self.phase)]
        c = c.sort_values(["euros_per_child", "org_code"], ascending=[False, True], na_position="last")
        n = len(c)
        med = c["median_euros_per_child"].dropna()
        intro = self.t("comparison_intro", year=self.latest, n=n,
                       median=_fmt("euros_per_child", float(med.iloc[0]), self.lang) if len(med) else "–")
        if n < 2:
            intro = self.t("comparison_one")
        cols = ["euros_per_child", "rank_per_child", "difference_from_median_euros", "preventive_share", "corrective_share"]
        rows = [[str(r["org_name"] or r["org_code"])] + [_fmt(k, r[k], self.lang) for k in cols] for _, r in c.head(MAX_ROWS).iterrows()]
        cap = self.t("capped", shown=MAX_ROWS, n=n) if n > MAX_ROWS else ""
        return (f"<p>{_e(intro)}</p>" + _table([self.col("org_name")] + [self.col(k) for k in cols], rows, [False] + [True] * len(cols))
                + (f'<p class="muted">{_e(cap)}</p>' if cap else "") + self.reference())

    def reference(self) -> str:
        """The national and municipality-group figures of the same year, from the packaged real data."""
        from ..reference._tables import reference_figures

        figures = self.tables.get("reference_figures")
        if figures is None or self.latest is None or self.latest not in set(figures["year"]):
            covered = sorted(set(reference_figures()["year"]))
            return f'<p class="muted">{_e(self.t("reference_none", first=covered[0], last=covered[-1]))}</p>'
        f = figures[figures["year"] == self.latest].sort_values(["scope", "group_code"], ascending=[False, True])
        cols = ["euros_per_child", "median_euros_per_child", "preventive_share", "corrective_share", "child_share_of_total"]
        rows = [[str(r[f"name_{self.lang}"]), format_number(r["municipalities"], self.lang)] + [_fmt(k, r[k], self.lang) for k in cols]
                for _, r in f.iterrows()]
        heads = [self.t("reference_set"), self.t("reference_municipalities")] + [self.col(k) for k in cols]
        return (f"<h3>{_e(self.t('reference_title', year=self.latest))}</h3>" + _table(heads, rows, [False] + [True] * (len(heads) - 1))
                + f'<p class="muted">{_e(self.t("reference_note"))}</p>')

    def changes(self) -> str:
        s = self.tables.get("series")
        real = s is not None and len(s) > 0 and "real_change_pct" in s.columns
        frame: pd.DataFrame = s if (real and s is not None) else self.summary
        if self.latest is None or len(self.years) < 2:
            return f"<p>{_e(self.t('changes_one_year'))}</p>"
        f = frame[frame["phase"].astype(str) == self.phase] if "phase" in frame.columns else frame
        prev = self.years[-2]
        now_rows, before = f[f["year"] == self.latest], f[f["year"] == prev].set_index(f[f["year"] == prev]["org_code"].astype(str))
        cols = ["child_euros", "euros_per_child"]
        heads = [self.col("org_name"), f"{self.col('child_euros')} {self.latest}", self.t("change_nominal"),
                 f"{self.col('euros_per_child')} {self.latest}"]
        if real:
            heads += [self.t("change_real"), self.t("change_real_per_child")]
        rows = []
        order = now_rows.sort_values("org_code") if len(now_rows) <= MAX_ROWS else \
            now_rows.sort_values(["child_euros", "org_code"], ascending=[False, True])  # many: the largest first
        for _, r in order.head(MAX_ROWS).iterrows():
            code = str(r["org_code"])
            old = before["child_euros"].get(code, np.nan) if len(before) else np.nan
            nominal = (float(r["child_euros"]) / float(old) - 1.0) if _finite(old) and float(old) > 0 else np.nan
            row = [str(r.get("org_name") or code), _fmt(cols[0], r["child_euros"], self.lang), _fmt("change_pct", nominal, self.lang),
                   _fmt(cols[1], r["euros_per_child"], self.lang)]
            if real:
                row += [_fmt("real_change_pct", r["real_change_pct"], self.lang), _fmt("real_change_pct", r["real_per_child_change_pct"], self.lang)]
            rows.append(row)
        intro = self.t("changes_real", year=self.latest, prev=prev) if real else self.t("changes_nominal", year=self.latest, prev=prev)
        out = f"<p>{_e(intro)}</p>" + _table(heads, rows, [False] + [True] * (len(heads) - 1))
        if real and "break" in f.columns and bool(f.loc[f["year"] == self.latest, "break"].astype(bool).any()):
            out += f'<p class="muted">{_e(self.t("changes_break"))}</p>'
        if len(now_rows) > MAX_ROWS:
            out += f'<p class="muted">{_e(self.t("capped", shown=MAX_ROWS, n=len(now_rows)))}</p>'
        return out

    def method(self) -> str:
        out = [f"<p>{_e(self.t(k))}</p>" for k in ("method_counted", "method_colours", "method_tiers", "method_keys")]
        if self.shown == "municipality":
            out.append(f"<p>{_e(self.t('method_view'))}</p>")
        out.append(self.sensitivity())
        settings = self.tables.get("method_settings")
        if settings is not None and {"setting", "value"} <= set(settings.columns):
            rows = [[text(f"setting.{s}", self.lang, default=str(s)), setting_text(str(s), v, self.lang)]
                    for s, v in zip(settings["setting"], settings["value"]) if s not in _PLAIN_SETTINGS]
            out.append(f"<h3>{_e(self.t('settings'))}</h3>" + _table([self.col("setting"), self.col("value")], rows, [False, False]))
        rules = self.tables.get("method_rules")
        if rules is not None:
            out.append(f"<p class=\"muted\">{_e(self.t('method_more', rules=len(rules)))}</p>")
        return "".join(out)

    def sensitivity(self) -> str:
        """The headline figures under each key profile, all organisations together, the latest year."""
        t = self.tables.get("sensitivity")
        if t is None or self.latest is None:
            return ""
        rows = t[(t["org_type"].astype(str) == "all") & (t["year"] == self.latest) & (t["phase"].astype(str) == self.phase)]
        if rows.empty:
            return ""
        cols = ["child_euros", "euros_per_child", "preventive_share", "corrective_share", "corrective_keyed_share"]
        body = [[text(f"value.profile.{r['profile']}", self.lang, default=str(r["profile"]))] + [_fmt(c, r[c], self.lang) for c in cols]
                for _, r in rows.iterrows()]
        heads = [self.t("sensitivity_profile")] + [self.col(c) for c in cols]
        return (f"<h3>{_e(self.t('sensitivity_title', year=self.latest))}</h3><p>{_e(self.t('sensitivity_intro'))}</p>"
                + _table(heads, body, [False] + [True] * len(cols)))

    def quality(self) -> str:
        rec = self.tables["reconciliation"]
        bad = rec[~rec["ok"].astype(bool)] if "ok" in rec else rec.iloc[0:0]
        out = []
        if len(bad):
            out.append(f'<p class="bad">{_e(self.t("reconciled_bad", bad=len(bad), n=len(rec)))}</p>')
        else:
            out.append(f'<p class="ok">{_e(self.t("reconciled_ok", n=len(rec)))}</p>')
        un = self.tables["unmapped"]
        total = float(rec["input_euros"].sum()) if "input_euros" in rec else float("nan")
        if not len(un):
            out.append(f"<p>{_e(self.t('unmapped_none'))}</p>")
            return "".join(out)
        euros = float(un["amount"].sum())
        share = euros / total if _finite(total) and total else float("nan")
        said = self.t("unmapped_some", lines=format_number(len(un), self.lang), euros=format_euros(euros, self.lang),
                      share=_fmt("x_share", share, self.lang))
        out.append(f"<p>{_e(said)}</p>")
        top = un.assign(_abs=un["amount"].abs()).sort_values(["_abs", "source_row"], ascending=[False, True]).head(10)
        cols = [c for c in ("org_name", "year", "task_class", "service_class", "account", "amount", "reason") if c in top.columns]
        rows = [[_fmt("euros", r[c], self.lang) if c == "amount" else ("" if pd.isna(r[c]) else str(r[c])) for c in cols] for _, r in top.iterrows()]
        out.append(f"<h3>{_e(self.t('unmapped_largest'))}</h3>" + _table([self.col(c) for c in cols], rows, [c == "amount" for c in cols]))
        return "".join(out)

    def render(self) -> str:
        sections = [("trends", self.trends), ("tiers", self.tiers), ("sisote", self.sisote), ("child_protection", self.child_protection),
                    ("comparison", self.comparison), ("changes", self.changes), ("method", self.method), ("quality", self.quality)]
        titled = [(sid, self.t(f"sec_{sid}")) for sid, _ in sections]
        body = [self.cover(), self.nav(titled)]
        for (sid, make), (_, title) in zip(sections, titled):
            keep = ' class="keep"' if sid in ("sisote", "child_protection", "changes") else ""
            body.append(f'<section id="{sid}"{keep}><h2>{_e(title)}</h2>{make()}</section>')
        if self.notes:
            items = "".join(f"<li>{_e(n)}</li>" for n in self.notes)
            body.append(f'<section class="keep"><h3>{_e(self.t("notes"))}</h3><ul>{items}</ul></section>')
        body.append(f"<footer>{_e(self.t('footer', version=__version__))}</footer>")
        title = self.t("title", orgs=self.org_text())
        return (f'<!DOCTYPE html>\n<html lang="{self.lang}"><head><meta charset="utf-8">'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">'
                f'<meta name="generator" content="lapsibudjetti {_e(__version__)}">'
                f"<title>{_e(title)} {_e(self.years_text())}</title><style>{_CSS}</style></head>"
                f"<body>{''.join(body)}</body></html>\n")


def write_html(
    tables: Mapping[str, pd.DataFrame],
    path: str | Path,
    *,
    lang: str | None = None,
    charts: Mapping[str, str] | None = None,
    shown: str = "booked",
    amounts: str = "",
    notes: Sequence[str] = (),
) -> Path:
    """Write the council report page (one self-contained HTML file).

    Parameters
    ----------
    tables
        The report's tables (:func:`lapsibudjetti.output.export_tables`):
        at least ``summary``, ``comparison``, ``reconciliation`` and
        ``unmapped``; ``series`` adds the changes in real terms.
    path
        The ``.html`` file to write (written whole or not at all).
    lang
        ``fi``, ``sv`` or ``en``.
    charts
        SVG markup by chart stem (``tiers``, ``per_child``,
        ``preventive_share``, ``sisote_split``, ``child_protection_balance``);
        a missing one is named on the page.
    shown
        ``municipality`` (the tables are municipality views) or ``booked``.
    amounts
        The line saying what the amounts are and the target group.
    notes
        What the report noted on the way (charts left out …).

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile, pathlib, lapsibudjetti as lb
    >>> from lapsibudjetti.output._collect import export_tables
    >>> led = lb.make_ledger({"org_code": ["564"], "year": [2019], "task_class": ["Perusopetus"], "amount": [1000.0]},
    ...     org_type="municipality", phase="actual")
    >>> page = write_html(export_tables(lb.child_budget(led), lang="en"), pathlib.Path(tempfile.mkdtemp()) / "r.html", lang="en")
    >>> "Child budget: Oulu" in page.read_text(encoding="utf-8")
    True
    """
    lang = lang_or_default(lang)
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise InputError(say("html.suffix", name=repr(path.name)), file=str(path))
    missing = [t for t in ("summary", "comparison", "reconciliation", "unmapped") if t not in tables]
    if missing:
        raise InputError(say("html.needs_tables", tables=", ".join(missing)))
    page = _Page(tables, dict(charts or {}), lang, shown, amounts, notes).render()
    write_atomic(path, page.encode("utf-8"))
    return path


# --------------------------------------------------------------------------- PDF through a headless browser

_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "msedge")


def browser() -> str | None:
    """The path of a Chromium-family browser on this machine (for PDF and screenshots), or ``None``."""
    for name in _BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def _browser_command(exe: str, profile: str, *args: str) -> list[str]:
    return [exe, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--disable-extensions",
            f"--user-data-dir={profile}", "--run-all-compositor-stages-before-draw", *args]


def _run_browser(cmd: list[str], out: Path, timeout: float) -> tuple[int, str]:
    """Run headless Chromium until it exits, or until ``out`` is written and stays the same size for a second.

    Headless Chromium sometimes writes its file and then does not exit (seen once in CI: a screenshot that waited
    120 s): a finished file is taken and the browser stopped. A browser that writes nothing in half the time is
    stopped and started once more. Returns the exit code (0 when the file was taken) and the browser's messages.
    """
    import time

    for _attempt in range(2):
        with tempfile.TemporaryFile(mode="w+") as errors:
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errors, text=True)
            start, seen, steady = time.monotonic(), -1, 0.0
            code: int | None = None
            while True:
                try:
                    code = proc.wait(timeout=0.2)
                    break
                except subprocess.TimeoutExpired:
                    pass
                size = out.stat().st_size if out.exists() else -1
                if size > 0 and size == seen:
                    steady += 0.2
                    if steady >= 1.0:  # written and left alone: done, whatever the browser does next
                        proc.kill()
                        proc.wait()
                        code = 0
                        break
                else:
                    seen, steady = size, 0.0
                if time.monotonic() - start > timeout / 2:
                    proc.kill()
                    proc.wait()
                    code = None
                    break
            errors.seek(0)
            detail = errors.read()
        if code is not None:
            return code, detail
        out.unlink(missing_ok=True)
    raise subprocess.TimeoutExpired(cmd, timeout)


def print_pdf(page: str | Path, pdf: str | Path, *, timeout: float = 120.0) -> Path:
    """Print an HTML page to an A4 PDF with headless Chromium (the page's print stylesheet applies).

    Raises
    ------
    InputError
        No Chromium-family browser is installed (install ``chromium``), or
        it failed; the message says which.
    """
    exe = browser()
    if exe is None:
        raise InputError(say("html.pdf_browser"))
    page, pdf = Path(page).resolve(), Path(pdf)
    with tempfile.TemporaryDirectory(prefix="lapsibudjetti-browser-") as profile:
        tmp = pdf.with_name(f".{pdf.name}.part")
        cmd = _browser_command(exe, profile, "--no-pdf-header-footer", f"--print-to-pdf={tmp}", page.as_uri())
        try:
            code, detail = _run_browser(cmd, tmp, timeout)
        except subprocess.TimeoutExpired:
            tmp.unlink(missing_ok=True)
            raise InputError(say("html.timeout", exe=exe, page=page.name, seconds=f"{timeout:.0f}")) from None
        if code != 0 or not tmp.exists() or tmp.stat().st_size == 0:
            tmp.unlink(missing_ok=True)
            raise InputError(say("html.pdf_failed", exe=exe, page=page.name, code=code, detail=detail.strip()[-400:]))
        tmp.replace(pdf)
    return pdf


def screenshot(page: str | Path, png: str | Path, *, width: int = 1200, height: int = 1600, timeout: float = 120.0) -> Path:
    """A PNG screenshot of an HTML page with headless Chromium (for tests and the gallery)."""
    exe = browser()
    if exe is None:
        raise InputError(say("html.shot_browser"))
    page, png = Path(page).resolve(), Path(png).resolve()
    with tempfile.TemporaryDirectory(prefix="lapsibudjetti-browser-") as profile:
        cmd = _browser_command(exe, profile, "--hide-scrollbars", f"--window-size={width},{height}", f"--screenshot={png}", page.as_uri())
        try:
            code, detail = _run_browser(cmd, png, timeout)
        except subprocess.TimeoutExpired:
            raise InputError(say("html.timeout", exe=exe, page=page.name, seconds=f"{timeout:.0f}")) from None
        if code != 0 or not png.exists():
            raise InputError(say("html.shot_failed", exe=exe, page=page.name, code=code, detail=detail.strip()[-400:]))
    return png

