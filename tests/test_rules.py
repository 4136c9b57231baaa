from __future__ import annotations

import pandas as pd
import pytest

import lapsibudjetti as lb
from lapsibudjetti._rules import RULE_COLUMNS, parse_key


def _rule(**kw: str) -> dict[str, str]:
    base = {"rule_id": "r", "colour": "green", "tier": "universal", "sector": "sivistys",
            "category": "basic_education", "basis": "test"}
    base.update(kw)
    return base


def test_default_rules_cover_every_task_class_of_the_statistics() -> None:
    rules = lb.default_rules()
    names = set(rules.table["task_class"].str.split("|").explode()) - {""}
    tasks = lb.task_classes()
    services = set(tasks.loc[tasks["is_aggregate"].astype(str).str.lower() != "true", "name_fi"])
    assert services - names == set()


def test_every_default_rule_has_basis_and_labels() -> None:
    t = lb.default_rules().table
    assert (t["basis"] != "").all()
    for lang in ("fi", "sv", "en"):
        assert (t[f"label_{lang}"] != "").all()


def test_placements_only_profile_changes_only_non_residential_child_protection() -> None:
    a = lb.default_rules().table.set_index("rule_id")
    b = lb.default_rules("placements_only").table.set_index("rule_id")
    diff = a.index[(a["tier"] != b["tier"])]
    assert sorted(diff) == ["sc-2131", "tc-lastensuojelun-avohuoltopalvelut"]
    assert set(b.loc[diff, "tier"]) == {"targeted"}


def test_rule_errors_are_collected_with_rows_and_columns() -> None:
    frame = pd.DataFrame([
        _rule(rule_id="a", colour="purple"),
        _rule(rule_id="b", colour="yellow", key=""),
        _rule(rule_id="c", service_class="30x1"),
        _rule(rule_id="d", basis=""),
    ])
    with pytest.raises(lb.RuleError) as info:
        lb.Rules.from_frame(frame, source="my_rules.csv")
    rows = info.value.rows
    assert set(rows["column"]) == {"colour", "key", "service_class", "basis"}
    assert set(rows["row"]) == {2, 3, 4, 5}  # header is row 1
    assert "my_rules.csv" in str(info.value)


def test_equally_specific_overlapping_rules_are_an_error_at_load() -> None:
    frame = pd.DataFrame([_rule(rule_id="a", service_class="3051"),
                          _rule(rule_id="b", service_class="3051", colour="red", tier="")])
    with pytest.raises(lb.RuleError, match="yhtä tarkka kuin sääntö 'b'"):  # Finnish by default
        lb.Rules.from_frame(frame)
    lb.set_lang("en")
    with pytest.raises(lb.RuleError, match="equally specific as rule 'a'"):
        lb.Rules.from_frame(frame)


def test_non_overlapping_years_are_not_a_conflict() -> None:
    frame = pd.DataFrame([_rule(rule_id="a", service_class="3456", valid_to="2022"),
                          _rule(rule_id="b", service_class="3456", valid_from="2023", sector="sote")])
    assert len(lb.Rules.from_frame(frame)) == 2


def test_narrower_rule_wins_over_range() -> None:
    rules = lb.Rules.from_frame(pd.DataFrame([
        _rule(rule_id="wide", service_class="3000-3999", colour="red", tier="", category="not_child_targeted"),
        _rule(rule_id="exact", service_class="3051"),
    ]))
    spec = rules.table.set_index("rule_id")["specificity"]
    assert spec["exact"] > spec["wide"]


@pytest.mark.parametrize("text,kind", [("population", "population"), ("population:0-17", "population"),
                                       ("age:16-18", "age"), ("ratio:16-17/16-18", "ratio"),
                                       ("fixed:35%", "fixed"), ("fixed:0,35", "fixed"), ("user:pupils", "user")])
def test_key_syntax(text: str, kind: str) -> None:
    assert parse_key(text).kind == kind


@pytest.mark.parametrize("text", ["popul", "age:18-16", "fixed:140%", "ratio:1-2", "user:"])
def test_bad_keys_are_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="kohdistusavain"):  # the session's language: Finnish by default
        parse_key(text)
    lb.set_lang("sv")
    with pytest.raises(ValueError, match="fördelningsnyckel"):
        parse_key(text)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_rules_round_trip(tmp_path, suffix: str) -> None:
    path = tmp_path / f"rules{suffix}"
    lb.write_rules(lb.default_rules(), path)
    back = lb.load_rules(path)
    cols = list(RULE_COLUMNS)
    pd.testing.assert_frame_equal(back.table[cols], lb.default_rules().table[cols])


def test_semicolon_csv_rules_from_finnish_excel(tmp_path) -> None:
    t = lb.default_rules().table[list(RULE_COLUMNS)].astype(str).replace({"<NA>": ""})
    path = tmp_path / "rules.csv"
    path.write_bytes(("\ufeff" + t.to_csv(sep=";", index=False)).encode("utf-8"))
    assert len(lb.load_rules(path)) == len(t)


def test_an_org_code_excel_turned_into_a_number_is_padded_or_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Issue 13: 091 typed in Excel is stored as the number 91; the rule then silently never matched Helsinki."""
    import warnings

    from openpyxl import load_workbook

    path = tmp_path / "saannot.xlsx"
    lb.write_rules(lb.default_rules(), path)
    wb = load_workbook(path)
    ws = wb.worksheets[0]  # the rules sheet, its name in the workbook's language
    head = [c.value for c in ws[2]]  # row 2: the canonical column names
    row = [None] * len(head)
    for col, value in (("rule_id", "hel-basic"), ("task_class", "Perusopetus"), ("org_type", "municipality"), ("org_code", 91),
                       ("valid_from", 2015), ("valid_to", 2020), ("colour", "red"), ("sector", "sivistys"),
                       ("category", "not_child_targeted"), ("basis", "test")):
        row[head.index(col)] = value
    ws.append(row)
    wb.save(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", lb.LapsibudjettiWarning)
        rules = lb.load_rules(path)
    said = [str(w.message) for w in caught if "91 → 091" in str(w.message)]
    assert said and "saannot.xlsx" in said[0] and "91 → 091" in said[0]
    led = lb.make_ledger({"org_code": ["091"], "year": [2019], "task_class": ["Perusopetus"], "amount": [100.0]},
                         org_type="municipality", phase="actual")
    assert lb.child_budget(led, rules=rules).lines["rule_id"].tolist() == ["hel-basic"]  # Helsinki is matched
    ws.cell(row=ws.max_row, column=head.index("org_type") + 1).value = None  # without org_type 91 is ambiguous
    wb.save(path)
    with pytest.raises(lb.RuleError, match="voisi olla hyvinvointialueen koodi"):
        lb.load_rules(path)


def test_value_words_in_any_language_and_case_are_read() -> None:
    """Issue 13: `Red `, `keltainen`, `väestö` are what a workshop participant types."""
    t = lb.default_rules().table.drop(columns=["source_row"], errors="ignore").copy()
    i = t.index[t["rule_id"] == "tc-kirjastotoiminta"][0]
    t.loc[i, ["colour", "tier", "sector", "key"]] = ["Keltainen ", "YLEINEN", " bildning", "väestö"]
    j = t.index[t["rule_id"] == "tc-perusopetus"][0]
    t.loc[j, ["colour", "tier"]] = ["Red ", ""]
    r = lb.Rules.from_frame(t, source="saannot.xlsx").table.set_index("rule_id")
    assert r.loc["tc-kirjastotoiminta", ["colour", "tier", "sector", "key"]].tolist() == ["yellow", "universal", "sivistys", "population"]
    assert r.loc["tc-perusopetus", "colour"] == "red"
    t.loc[j, "colour"] = "punanen"
    with pytest.raises(lb.RuleError, match="ei ole mikään väreistä vihreä, keltainen, punainen"):
        lb.Rules.from_frame(t, source="saannot.xlsx")
