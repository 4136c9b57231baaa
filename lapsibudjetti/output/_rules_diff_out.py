"""write_rules_comparison: the workbook of a rules comparison (what ``lapsibudjetti rules --diff … --out`` writes)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .._present import display_frame
from .._xlsx import new_workbook, write_sheet
from ..reference._labels import lang_or_default, text
from ._workbook import _number_format

if TYPE_CHECKING:
    from .._rules_diff import RulesComparison

__all__ = ["write_rules_comparison"]

#: Sheets in reading order: where the euros moved first, then the rules, the lines and the check.
_SHEETS = ("by_organisation", "by_category", "by_tier", "rules", "lines", "check")


def write_rules_comparison(diff: RulesComparison, path: str | Path, *, lang: str | None = None) -> Path:
    """Write a rules comparison to an ``.xlsx`` workbook: one sheet per table, headings and values in ``lang``.

    Examples
    --------
    >>> import tempfile, os, lapsibudjetti as lb
    >>> led = lb.make_ledger({"org_code": ["091"], "year": [2021], "service_class": ["3601"], "amount": [1000.0]},
    ...     org_type="municipality", phase="actual")
    >>> cb = lb.child_budget(led)
    >>> d = cb.compare_rules(cb.rules.replace("sc-3601", colour="yellow", key="fixed:40%"))
    >>> write_rules_comparison(d, os.path.join(tempfile.mkdtemp(), "diff.xlsx"), lang="en").name
    'diff.xlsx'
    """
    lang = lang_or_default(lang)
    path = Path(path)
    title = text("diff.title", lang, before=diff.before_source, after=diff.after_source, rules=diff.rules["rule_id"].nunique(),
                 lines=len(diff.lines))
    with new_workbook(path, {"title": title, "author": "lapsibudjetti"}) as (wb, styles):
        for name in _SHEETS:
            frame = getattr(diff, name)
            shown = display_frame(name, frame, lang)
            headers = [text(f"col.{c}", lang, default=str(c)) for c in shown.columns]
            formats = {str(c): f for c in shown.columns if (f := _number_format("reconciliation" if name in ("lines", "check") else name,
                                                                                   str(c))) is not None}
            ws = wb.add_worksheet(text(f"sheet.diff_{name}", lang)[:31])
            notes = [text("diff.reconciled" if diff.ok else "diff.not_reconciled", lang)] if name == "by_organisation" else []
            write_sheet(ws, styles, shown, headers=headers, formats=formats, title=title if name == "by_organisation" else None,
                        notes=notes)
    return path
