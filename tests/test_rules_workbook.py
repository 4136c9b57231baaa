"""Issue 13: the rules workbook a workshop participant edits in Excel, read back forgivingly and never silently, and the rules diff."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

import lapsibudjetti as lb
from lapsibudjetti._rules import RULE_COLUMNS
from lapsibudjetti.reference._labels import LANGS, text, value_label
from lapsibudjetti.read._text import value_word

#: Columns that must carry a dropdown (data validation of type list).
DROPDOWNS = ("colour", "tier", "sector", "category", "key", "key_fallback", "org_type")


def _sheet(path: Path):  # type: ignore[no-untyped-def]
    wb = load_workbook(path)
    return wb, wb.worksheets[0]


@pytest.mark.parametrize("lang", LANGS)
def test_the_workbook_speaks_the_language_and_has_dropdowns(tmp_path: Path, lang: str) -> None:
    path = tmp_path / "rules.xlsx"
    lb.write_rules(lb.default_rules(), path, lang=lang)
    wb, ws = _sheet(path)
    assert ws.title == text("sheet.rules", lang)
    assert [c.value for c in ws[1]] == [text(f"rulecol.{c}", lang) for c in RULE_COLUMNS]  # headings in the language
    assert [c.value for c in ws[2]] == list(RULE_COLUMNS)  # the canonical names for scripts
    assert [s.title for s in wb.worksheets[1:]] == [text(f"sheet.rule_{k}", lang) for k in ("categories", "keys", "columns")]
    lists = {}
    for dv in ws.data_validations.dataValidation:
        if dv.type == "list":
            col = RULE_COLUMNS[min(c.min_col for c in dv.sqref.ranges) - 1]
            lists[col] = dv.formula1
    assert set(DROPDOWNS) <= set(lists), sorted(lists)
    assert value_label("colour", "yellow", lang) in lists["colour"]
    assert lists["category"].startswith(f"'{text('sheet.rule_categories', lang)}'!")
    head = list(RULE_COLUMNS)
    first = [c.value for c in ws[3]]
    assert first[head.index("colour")] == value_label("colour", "green", lang)  # values in the language ...
    assert value_word("colour", first[head.index("colour")]) == "green"  # ... that the loader reads back
    from openpyxl.utils import get_column_letter

    for col in ("service_class", "org_code", "account", "cost_centre"):  # codes stay text, also typed later: Excel keeps 091
        assert ws.column_dimensions[get_column_letter(head.index(col) + 1)].number_format == "@"
    assert ws.cell(row=3, column=head.index("service_class") + 1).number_format == "@"
    basis = {r[head.index("basis")].value for r in ws.iter_rows(min_row=3) if r[head.index("basis")].value}
    assert not [b for b in basis if "domain.md" in b]
    assert any("lapsibudjetti/data/method.md" in b for b in basis)  # cites the shipped method document
    assert lb.load_rules(path).table[list(RULE_COLUMNS)].equals(lb.default_rules().table[list(RULE_COLUMNS)])


def test_every_value_word_written_reads_back() -> None:
    from lapsibudjetti._schema import COLOURS, SECTORS, TIERS

    for kind, codes in (("colour", COLOURS), ("tier", TIERS), ("sector", SECTORS),
                        ("org_type", ("municipality", "wellbeing_area", "joint_authority"))):
        for lang in LANGS:
            for code in codes:
                assert value_word(kind, f" {value_label(kind, code, lang).upper()} ") == code, (kind, lang, code)


def test_the_shipped_method_document_is_the_docs_one() -> None:
    repo = Path(__file__).resolve().parents[1]
    packaged = repo / "lapsibudjetti" / "data" / "method.md"
    assert packaged.read_bytes() == (repo / "docs" / "method.md").read_bytes(), "cp docs/method.md lapsibudjetti/data/method.md"
    assert "### 2.1 The default national rules" in packaged.read_text(encoding="utf-8")


def test_a_participants_round_trip(tmp_path: Path) -> None:
    """Write in Finnish; type `Keltainen `, `väestö` and the org code as the number 91; load; the diff shows the moved euros."""
    path = tmp_path / "saannot.xlsx"
    lb.write_rules(lb.default_rules(), path, lang="fi")
    wb, ws = _sheet(path)
    head = [c.value for c in ws[2]]
    youth = next(r for r in ws.iter_rows(min_row=3) if r[head.index("rule_id")].value == "sc-3601")
    new = [c.value for c in youth]  # the participant copies the youth-work row and makes it Helsinki's own
    for col, value in (("rule_id", "hki-nuoriso"), ("org_type", "kunta"), ("org_code", 91), ("colour", "Keltainen "),
                       ("tier", "Yleiset palvelut"), ("key", "väestö"), ("basis", "työpaja: Helsingin nuorisotyö väestöosuudella")):
        new[head.index(col)] = value
    ws.append(new)
    row = ws.max_row
    wb.save(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", lb.LapsibudjettiWarning)
        rules = lb.load_rules(path)
    padded = [str(w.message) for w in caught if "091" in str(w.message)]  # in Finnish: the language of the session
    assert padded and "saannot.xlsx" in padded[0] and f"rivi {row}: 91 → 091" in padded[0] and "etunollia" in padded[0]
    mine = rules.table.set_index("rule_id").loc["hki-nuoriso"]
    assert (mine["colour"], mine["tier"], mine["key"], mine["org_code"]) == ("yellow", "universal", "population", "091")

    led = lb.make_ledger({"org_code": ["091", "049"], "year": [2021, 2021], "service_class": ["3601", "3601"],
                          "amount": [1_000_000.0, 500_000.0]}, org_type="municipality", phase="actual")
    cb = lb.child_budget(led, population_year="nearest")
    after = lb.child_budget(led, rules=rules, population_year="nearest")
    assert after.lines.set_index("org_code").loc["091", "rule_id"] == "hki-nuoriso"  # the change takes effect on Helsinki
    assert after.lines.set_index("org_code").loc["049", "rule_id"] == "sc-3601"  # and nowhere else
    diff = cb.compare_rules(path)
    assert diff.rules[["rule_id", "change"]].values.tolist() == [["hki-nuoriso", "added"]]
    moved = diff.by_category.set_index("org_code")
    assert list(moved.index) == ["091"] and moved.loc["091", "category"] == "youth_work"
    share = float(after.key_shares["child_share"].iloc[0])
    assert moved.loc["091", "child_euros_after"] == pytest.approx(round(1_000_000 * share, 2))
    assert moved.loc["091", "difference"] == pytest.approx(moved.loc["091", "child_euros_after"] - 1_000_000)
    assert diff.ok and diff.check["ok"].all()
    assert diff.lines["rule_id_after"].tolist() == ["hki-nuoriso"]
    assert "091" in diff.text("fi") and "Täsmäytys" in diff.text("fi")


def test_a_changed_category_without_its_names_is_one_error_for_that_row(tmp_path: Path) -> None:
    """The issue measured 102 problems (3 for each of 34 untouched rows) for one edited row."""
    path = tmp_path / "rules.csv"
    lb.write_rules(lb.default_rules(), path)
    t = pd.read_csv(path, dtype=str, keep_default_na=False)
    i = t.index[t["rule_id"] == "sc-3051"][0]  # basic education → early childhood education, names left as they were
    t.loc[i, "category"] = "early_childhood_education"
    t.to_csv(path, index=False)
    with pytest.raises(lb.RuleError) as err:
        lb.load_rules(path)
    rows = err.value.rows
    assert len(rows) == 1 and int(rows["row"].iloc[0]) == i + 2
    assert "luokan 'basic_education' nimet" in str(err.value) and "rules.csv" in str(err.value)  # Finnish by default


def test_rows_are_the_lines_the_user_sees(tmp_path: Path) -> None:
    """A blank line and a cell with a line break used to shift the rows in messages by one."""
    path = tmp_path / "rules.csv"
    lines = [",".join(RULE_COLUMNS)]
    rule = dict.fromkeys(RULE_COLUMNS, "")
    rule.update(rule_id="a", service_class="3051", colour="green", tier="universal", sector="sivistys", category="basic_education")
    lines.append(",".join(rule.values()) + '"line one\nline two"')  # basis with a line break: lines 2-3
    lines.append("")  # a blank line: 4
    rule.update(rule_id="b", service_class="3041", colour="purple", category="pre_primary_education")
    lines.append(",".join(rule.values()) + "x")  # line 5
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(lb.RuleError) as err:
        lb.load_rules(path)
    assert err.value.rows[["row", "column"]].values.tolist() == [[5, "colour"]]


def test_a_conflict_found_on_the_lines_names_the_rules_file(tmp_path: Path) -> None:
    path = tmp_path / "omat.csv"
    lb.write_rules(lb.default_rules(), path)
    t = pd.read_csv(path, dtype=str, keep_default_na=False)
    extra = t[t["rule_id"] == "sc-3601"].copy()
    two = pd.concat([extra.assign(rule_id="cc-a", cost_centre="NUO*"), extra.assign(rule_id="cc-b", cost_centre="*1")])
    pd.concat([t, two]).to_csv(path, index=False)
    led = lb.make_ledger({"org_code": ["091"], "year": [2021], "service_class": ["3601"], "cost_centre": ["NUO1"],
                          "amount": [10.0]}, org_type="municipality", phase="actual")
    with pytest.raises(lb.RuleError) as err:
        lb.child_budget(led, rules=path)
    assert err.value.file == "omat.csv" and "cc-a" in str(err.value)


def test_headings_in_any_language_are_read(tmp_path: Path) -> None:
    path = tmp_path / "regler.csv"
    t = lb.default_rules().table[list(RULE_COLUMNS)].copy()
    t.columns = [text(f"rulecol.{c}", "sv") for c in RULE_COLUMNS]
    t.to_csv(path, index=False, sep=";")
    assert len(lb.load_rules(path)) == len(lb.default_rules())


def test_a_rule_of_ones_own_that_matches_no_line_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "omat.csv"
    lb.write_rules(lb.default_rules(), path)
    t = pd.read_csv(path, dtype=str, keep_default_na=False)
    mine = t[t["rule_id"] == "sc-3601"].assign(rule_id="vantaa-nuoriso", org_type="municipality", org_code="092")
    pd.concat([t, mine]).to_csv(path, index=False)
    led = lb.make_ledger({"org_code": ["091"], "year": [2021], "service_class": ["3601"], "amount": [10.0]},
                         org_type="municipality", phase="actual")
    with pytest.warns(lb.LapsibudjettiWarning, match=r"omat.csv: 1 omaa sääntöä ei vastaa yhtäkään.*vantaa-nuoriso \(88\)"):
        lb.child_budget(led, rules=path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", lb.LapsibudjettiWarning)
        lb.child_budget(led)  # the packaged rules are lists: most never match one ledger, and that is no news
    assert not [w for w in caught if "ei vastaa yhtäkään" in str(w.message)]
