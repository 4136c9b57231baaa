"""Rules files: read CSV or XLSX rules (headings in fi, sv or en), write them back for editing.

The workbook written by :func:`write_rules` is made for workshop
participants: headings, help and values in their language, the canonical
column names in row 2 for scripts, dropdowns for colour, tier, sector,
organisation type, category and key, code columns stored as text (Excel keeps
the leading zeros of 091), and sheets that list the categories, the key forms
and what every column means. :func:`load_rules` reads it back, and also a
CSV or workbook with only one heading row in any of the three languages.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ._errors import RuleError
from ._files import atomic_path
from ._rules import RULE_COLUMNS, Rules, _cell, categories, rule_column_aliases
from .reference._labels import basis_text, lang_or_default, say, text, value_label

__all__ = ["load_rules", "write_rules", "KEY_FORMS"]

#: The key forms shown on the keys sheet (each explained by ``rulekey.<kind>`` in the labels).
KEY_FORMS: tuple[tuple[str, str], ...] = (
    ("population", "population"),
    ("population:0-24", "population_ages"),
    ("age:16-18", "age"),
    ("ratio:16-17/16-18", "ratio"),
    ("fixed:40%", "fixed"),
    ("user:NAME", "user"),
    ("weighted:health_care_2014", "weighted"),
)
#: Columns whose codes must stay text (leading zeros, ranges, lists).
_CODE_COLUMNS = ("service_class", "task_class", "account", "cost_centre", "org_code", "rule_id", "category")
#: Columns written as value words in the workbook's language (read back by ``data/values.csv``).
_WORD_COLUMNS = ("colour", "tier", "sector", "org_type")
#: Empty rows below the rules that still carry the dropdowns and the text format.
_SPARE_ROWS = 300


def load_rules(path: str | Path, *, profile: Literal["default", "placements_only", "population_keys"] = "default",
               sheet: str | None = None) -> Rules:
    """Read rules from a CSV (``,`` or ``;``, UTF-8 with or without BOM) or XLSX file.

    Headings may be the canonical names (``colour``) or their Finnish,
    Swedish or English headings (``Väri``, ``Färg``, ``Colour``); values may
    be written in any of the three languages (``Keltainen``, ``gul``). Rows
    in messages are the rows the user sees in the file.

    Examples
    --------
    >>> import tempfile, os
    >>> from lapsibudjetti import default_rules
    >>> d = tempfile.mkdtemp()
    >>> write_rules(default_rules(), os.path.join(d, "rules.csv"))
    >>> len(load_rules(os.path.join(d, "rules.csv"))) == len(default_rules())
    True
    """
    path = Path(path)
    if not path.exists():
        raise RuleError(say("rule.file_not_found", path=path), file=str(path))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        frame = _read_rules_xlsx(path, sheet)
    elif suffix in (".csv", ".txt"):
        from .read._tables import read_text_table, source_rows

        frame = read_text_table(path, what="rules")
        frame["source_row"] = source_rows(frame)
    else:
        raise RuleError(say("rule.file_suffix", suffix=repr(path.suffix)), file=str(path))
    return Rules.from_frame(frame, source=path.name, profile=profile)


def _header_at(rows: list[tuple[Any, ...]]) -> int | None:
    """The heading row: the last of the first 30 rows that names the rule id (canonical row 2 under a language row)."""
    aliases = rule_column_aliases()
    from .read._text import _norm

    found = [k for k, r in enumerate(rows[:30]) if r and "rule_id" in [aliases.get(_norm(_cell(v))) for v in r]]
    if not found:
        return None
    # a language heading row directly above the canonical row: the canonical one is read
    return found[1] if len(found) > 1 and found[1] == found[0] + 1 else found[0]


def _read_rules_xlsx(path: Path, sheet: str | None) -> pd.DataFrame:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise RuleError(say("rule.no_sheet", sheet=repr(sheet), sheets=", ".join(wb.sheetnames)), file=path.name)
        for name in [sheet] if sheet is not None else wb.sheetnames:
            rows = list(wb[name].iter_rows(values_only=True))
            header_at = _header_at(rows)
            if header_at is not None:
                break
        else:
            raise RuleError(say("rule.no_heading", sheets=", ".join(wb.sheetnames), start=say("rule.start")), file=path.name)
    finally:
        wb.close()
    header = [_cell(v) for v in rows[header_at]]
    keep = [k for k, h in enumerate(header) if h]
    data = [[_cell(r[k]) if k < len(r) else "" for k in keep] for r in rows[header_at + 1 :]]
    frame = pd.DataFrame(data, columns=[header[k] for k in keep], dtype=object)
    frame["source_row"] = np.arange(header_at + 2, header_at + 2 + len(frame))
    return frame


def write_rules(rules: Rules, path: str | Path, *, lang: str | None = None) -> None:
    """Write rules to CSV or XLSX for editing and reading back with :func:`load_rules`.

    The CSV has the canonical columns and values (for scripts). The XLSX is
    the workshop workbook: headings, help and value words in ``lang`` (row 1)
    above the canonical column names (row 2), dropdowns for colour, tier,
    sector, organisation type, category and key, code columns kept as text,
    and sheets listing the categories, the key forms and the columns.

    Parameters
    ----------
    rules
        The rules to write, e.g. :func:`lapsibudjetti.default_rules`.
    path
        A ``.csv`` or ``.xlsx`` file; written whole or not at all.
    lang
        ``fi``, ``sv`` or ``en``; default :func:`lapsibudjetti.default_lang`.

    Examples
    --------
    >>> import tempfile, os
    >>> from lapsibudjetti import default_rules
    >>> p = os.path.join(tempfile.mkdtemp(), "saannot.xlsx")
    >>> write_rules(default_rules(), p, lang="fi")
    >>> load_rules(p).table["rule_id"].tolist() == default_rules().table["rule_id"].tolist()
    True
    """
    path = Path(path)
    lang = lang_or_default(lang)
    t = rules.table[list(RULE_COLUMNS)].copy()
    for col in ("valid_from", "valid_to"):
        t[col] = [str(int(v)) if pd.notna(v) else "" for v in t[col]]
    if path.suffix.lower() == ".csv":
        with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(RULE_COLUMNS)
            w.writerows(t.itertuples(index=False, name=None))
        return
    if path.suffix.lower() != ".xlsx":
        raise RuleError(say("rule.write_suffix", suffix=repr(path.suffix)), file=str(path))
    t["basis"] = [basis_text(v, lang) for v in t["basis"]]  # the workshop's language; the CSV keeps the text as it is
    _write_workbook(rules, t, path, lang)


def _categories_table(rules: Rules, lang: str) -> pd.DataFrame:
    """Every packaged category and every category of the rules, with its names and how many rules use it."""
    packaged = categories()[["category", "order", "label_fi", "label_sv", "label_en"]]
    own = rules.table[["category", "label_fi", "label_sv", "label_en"]].drop_duplicates("category")
    extra = own[~own["category"].isin(packaged["category"])].assign(order=10_000)
    out = pd.concat([packaged, extra], ignore_index=True).sort_values(["order", "category"], kind="stable")
    used = rules.table["category"].value_counts()
    out["rules"] = out["category"].map(used).fillna(0).astype("int64")
    return out[["category", f"label_{lang}", *[c for c in ("label_fi", "label_sv", "label_en") if c != f"label_{lang}"], "rules"]]


def _keys_table(rules: Rules, lang: str) -> pd.DataFrame:
    """The key forms with what each means, then the other keys the rules use."""
    used = pd.concat([rules.table["key"], rules.table["key_fallback"]]).replace("", np.nan).dropna().value_counts()
    forms = [(form, text(f"rulekey.{kind}", lang)) for form, kind in KEY_FORMS]
    means = {kind: text(f"rulekey.{kind}", lang) for _, kind in KEY_FORMS}
    seen = {f for f, _ in forms}
    for key in sorted(used.index):
        if key not in seen:
            kind = key.split(":", 1)[0]
            forms.append((key, means.get("population_ages" if kind == "population" and ":" in key else kind, "")))
    return pd.DataFrame({"key": [f for f, _ in forms], "means": [m for _, m in forms],
                         "rules": [int(used.get(f, 0)) for f, _ in forms]})


def _write_workbook(rules: Rules, t: pd.DataFrame, path: Path, lang: str) -> None:
    from ._xlsx import FORMULA_PREFIXES, new_workbook, print_landscape

    shown = t.copy()
    for col in _WORD_COLUMNS:
        shown[col] = [value_label(col, v, lang) if v else "" for v in shown[col]]
    cats = _categories_table(rules, lang)
    keys = _keys_table(rules, lang)
    names = {"rules": text("sheet.rules", lang), "categories": text("sheet.rule_categories", lang),
             "keys": text("sheet.rule_keys", lang), "columns": text("sheet.rule_columns", lang)}
    props = {"title": text("sheet.rules", lang), "subject": "lapsibudjetti rules", "author": "lapsibudjetti"}
    with new_workbook(path, props) as (wb, st):
        head = st.get(bold=True, font_color="#FFFFFF", bg_color="#34495E", text_wrap=True, valign="top")
        canon = st.get(italic=True, font_color="#7F7F7F", font_size=9, bg_color="#F2F2F2")
        as_text = st.get(num_format="@")
        plain, quoted, wrap = st.get(), st.get(quote_prefix=True), st.get(text_wrap=True, valign="top")
        ws = wb.add_worksheet(names["rules"])
        last = len(shown) + 1 + _SPARE_ROWS
        widths = {col: min(60.0, 2.0 + max([len(text(f"rulecol.{col}", lang)) * 0.9, 8.0] + [len(v) for v in shown[col].head(500)]))
                  for col in RULE_COLUMNS}
        for j, col in enumerate(RULE_COLUMNS):
            ws.write_string(0, j, text(f"rulecol.{col}", lang), head)
            ws.write_string(1, j, col, canon)
            ws.set_column(j, j, widths.get(col, 14), as_text if col in _CODE_COLUMNS else None)
        ws.set_row(0, 30)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(2, 0)
        ws.repeat_rows(0, 1)
        for i, rec in enumerate(shown.itertuples(index=False, name=None), start=2):
            for j, (col, v) in enumerate(zip(RULE_COLUMNS, rec)):
                if v == "":
                    continue
                if col in ("valid_from", "valid_to"):
                    ws.write_number(i, j, int(v), plain)
                else:
                    style = as_text if col in _CODE_COLUMNS else plain
                    ws.write_string(i, j, v, quoted if v.startswith(FORMULA_PREFIXES) else style)
        ws.freeze_panes(2, 1)
        ws.autofilter(1, 0, max(2, len(shown) + 1), len(RULE_COLUMNS) - 1)
        _validations(ws, lang, last, names, len(cats), len(keys))

        for key, frame, heads in (
            ("categories", cats, [text("col.category_id", lang), *[text(f"rulecol.{c}", lang) for c in cats.columns[1:4]],
                                  text("col.used_by_rules", lang)]),
            ("keys", keys, [text("col.key_form", lang), text("col.key_means", lang), text("col.used_by_rules", lang)]),
        ):
            sheet = wb.add_worksheet(names[key])
            for j, h in enumerate(heads):
                sheet.write_string(0, j, h, head)
            for i, rec in enumerate(frame.itertuples(index=False, name=None), start=1):
                for j, v in enumerate(rec):
                    if isinstance(v, str):
                        sheet.write_string(i, j, v, wrap if 0 < j < len(heads) - 1 else plain)
                    else:
                        sheet.write_number(i, j, int(v), plain)
            sheet.freeze_panes(1, 0)
            sheet.set_column(0, 0, 30)
            sheet.set_column(1, len(heads) - 2, 36 if key == "categories" else 80, wrap)
            sheet.set_column(len(heads) - 1, len(heads) - 1, 9)
            print_landscape(sheet, repeat_row=0)

        help_ws = wb.add_worksheet(names["columns"])
        for j, h in enumerate([text("col.rule_column", lang), text("col.rule_column_name", lang), text("col.meaning", lang)]):
            help_ws.write_string(0, j, h, head)
        for i, col in enumerate(RULE_COLUMNS, start=1):
            help_ws.write_string(i, 0, text(f"rulecol.{col}", lang), plain)
            help_ws.write_string(i, 1, col, plain)
            help_ws.write_string(i, 2, text(f"rulehelp.{col}", lang), wrap)
        below = len(RULE_COLUMNS) + 2
        for k, key in enumerate(("rules.canonical_row", "rules.value_words", "rules.method")):
            help_ws.merge_range(below + k, 0, below + k, 2, text(key, lang), st.get(italic=True, text_wrap=True, valign="top"))
        help_ws.set_column(0, 0, 26)
        help_ws.set_column(1, 1, 16)
        help_ws.set_column(2, 2, 90)
        help_ws.freeze_panes(1, 0)
        print_landscape(help_ws, repeat_row=0)


def _validations(ws: Any, lang: str, last: int, names: dict[str, str], n_categories: int, n_keys: int) -> None:
    """Dropdowns on the rules sheet (a value not in the list warns but is kept: other languages' words are read too) and help on every column."""
    from ._schema import COLOURS, SECTORS, TIERS

    col_of = {c: j for j, c in enumerate(RULE_COLUMNS)}
    lists: dict[str, Any] = {
        "colour": [value_label("colour", c, lang) for c in COLOURS],
        "tier": [value_label("tier", c, lang) for c in TIERS],
        "sector": [value_label("sector", c, lang) for c in SECTORS],
        "org_type": [value_label("org_type", c, lang) for c in ("municipality", "wellbeing_area", "joint_authority")],
        "profile": ["placements_only", "population_keys"],
        "category": f"='{names['categories']}'!$A$2:$A${n_categories + 1}",
        "key": f"='{names['keys']}'!$A$2:$A${n_keys + 1}",
        "key_fallback": f"='{names['keys']}'!$A$2:$A${n_keys + 1}",
    }
    for col in RULE_COLUMNS:
        j = col_of[col]
        options: dict[str, Any] = {"validate": "any", "input_title": text(f"rulecol.{col}", lang)[:32],
                                   "input_message": text(f"rulehelp.{col}", lang)[:255]}
        if col in lists:
            options.update({"validate": "list", "source": lists[col], "ignore_blank": True, "error_type": "warning",
                            "error_title": text("rules.list_title", lang)[:32], "error_message": text("rules.list_warning", lang)[:255]})
        ws.data_validation(2, j, last, j, options)
