"""Child-impact scenarios (issue 10): moves conserve euros, a zero change is the base, shares stay in [0, 1] or empty."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lapsibudjetti as lb

SAMPLE = lb.load_sample("synthetic")
BASE = SAMPLE.child_budget()
GREEN = ["child_protection_placements", "family_services", "basic_education", "early_childhood_education"]
ANY = GREEN + ["libraries", "specialised_health_care", "primary_health_care"]
# a small real-coded ledger for the properties (every example computes a child budget again)
_TASKS = {"Lastensuojelun laitos- ja perhehoito": 4e6, "Muut lasten ja perheiden avopalvelut": 1e6, "Perusopetus": 9e6,
          "Varhaiskasvatus": 6e6, "Kirjastotoiminta": 1e6, "Erikoissairaanhoito": 8e6, "Perusterveydenhuollon avohoito": 3e6}
SMALL = lb.child_budget(lb.make_ledger({"org_code": ["564"] * 7 + ["091"] * 7, "year": [2019] * 14,
                                        "task_class": list(_TASKS) * 2, "amount": list(_TASKS.values()) * 2},
                                       org_type="municipality", phase="actual"))


def _cents(cb: lb.ChildBudget, col: str) -> int:
    return round(float(cb.summary()[col].sum()) * 100)


@settings(max_examples=min(10, settings().max_examples))  # each example computes a child budget again
@given(frm=st.sampled_from(GREEN), to=st.sampled_from(GREEN), cents=st.integers(0, 900_000_00), org=st.sampled_from(["564", "091"]))
def test_a_move_between_green_categories_conserves_child_euros_exactly(frm: str, to: str, cents: int, org: str) -> None:
    s = SMALL.scenario(pd.DataFrame({"action": ["move"], "org_code": [org], "year": [2019], "phase": ["actual"],
                                     "from_category": [frm], "to_category": [to], "euros": [cents / 100]}))
    assert _cents(s.after, "child_euros") == _cents(SMALL, "child_euros")
    assert _cents(s.after, "total_euros") == _cents(SMALL, "total_euros")
    assert bool(s.after.reconciliation["ok"].all())


@settings(max_examples=min(10, settings().max_examples))
@given(frm=st.sampled_from(ANY), to=st.sampled_from(ANY), cents=st.integers(0, 20_000_000_00))
def test_any_move_conserves_all_euros_and_keeps_shares_in_range(frm: str, to: str, cents: int) -> None:
    s = SMALL.scenario(pd.DataFrame({"action": ["move"], "org_code": ["564"], "year": [2019], "phase": ["actual"],
                                     "from_category": [frm], "to_category": [to], "euros": [cents / 100]}))
    assert _cents(s.after, "total_euros") == _cents(SMALL, "total_euros")
    for col in ("preventive_share", "corrective_share", "child_share_of_total"):
        v = s.after.summary()[col].to_numpy(dtype=float)
        assert np.all(np.isnan(v) | ((v >= 0) & (v <= 1))), col


def test_a_zero_change_is_the_base() -> None:
    s = SMALL.scenario(pd.DataFrame({"action": ["add"], "org_code": ["564"], "year": [2019], "to_category": ["family_services"],
                                     "euros": [0.0]}))
    pd.testing.assert_frame_equal(s.after.summary(), SMALL.summary())
    assert (s.comparison.filter(like="_difference").fillna(0) == 0).all().all()


def test_moving_a_million_from_placements_to_family_work() -> None:
    """The workshop question: what would moving 1 M€ from placements to family work do?"""
    s = BASE.scenario(pd.DataFrame({"action": ["move"], "org_code": ["X1"], "year": [2024], "phase": ["actual"],
                                    "from_category": ["child_protection_placements"], "to_category": ["family_services"],
                                    "euros": [1_000_000.0]}))
    row = s.comparison.query("org_code == 'X1' and year == 2024 and phase == 'actual'").iloc[0]
    assert row["child_euros_difference"] == pytest.approx(0.0, abs=1e-6)
    assert row["placements_euros_difference"] == pytest.approx(-1_000_000.0)
    c = float(row["child_euros_before"])
    assert row["corrective_share_difference"] == pytest.approx(-1_000_000.0 / c, rel=1e-9)
    lines = s.after.lines
    assert (lines["source_file"].astype(str) == "scenario").sum() == 2  # the change is visible as lines


def test_an_addition_shows_where_the_new_euros_come_in() -> None:
    s = BASE.scenario(pd.DataFrame({"action": ["add"], "org_code": ["X1"], "year": [2024], "phase": ["actual"],
                                    "to_category": ["family_services"], "euros": [250_000.0]}))
    row = s.comparison.query("org_code == 'X1' and year == 2024 and phase == 'actual'").iloc[0]
    assert row["child_euros_difference"] == pytest.approx(250_000.0)
    assert row["total_euros_difference"] == pytest.approx(250_000.0)


def test_bad_changes_name_the_row_and_the_fix(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "muutokset.csv"
    path.write_text("action;org_code;year;to_category;euros\nmove;X01;2021;family_services;100\n", encoding="utf-8")
    with pytest.raises(lb.InputError, match="rivi 2, sarake from_category: siirto tarvitsee luokan"):  # Finnish by default
        BASE.scenario(path)
    lb.set_lang("en")
    with pytest.raises(lb.InputError, match="row 2, column from_category"):
        BASE.scenario(path)
    with pytest.raises(lb.InputError, match="has no 'nothing_like_this' line"):
        BASE.scenario(pd.DataFrame({"action": ["add"], "org_code": ["X01"], "year": [2021], "to_category": ["nothing_like_this"],
                                    "euros": [1.0]}))


def test_the_scenario_command_writes_the_workbook_and_chart(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    from lapsibudjetti import cli

    changes = tmp_path / "muutokset.csv"
    changes.write_text("action;org_code;year;phase;from_category;to_category;euros\n"
                       "move;X1;2024;actual;child_protection_placements;family_services;1000000\n", encoding="utf-8")
    out = tmp_path / "scen"
    assert cli.main(["scenario", str(changes), "--out", str(out), "--lang", "en", "--no-charts"]) == 0
    wb = load_workbook(out / "scenario.xlsx")
    assert wb.sheetnames == ["Before and after", "Changes"]
    rows = list(wb["Before and after"].iter_rows(values_only=True))
    head = rows[3]
    assert head == ("Organisation", "Year", "Phase", "Figure", "before", "after", "difference")
    body = {(r[0], r[3]): r for r in rows[4:]}
    child = body[("Example wellbeing services county", "Child-targeted, €")]
    assert child[1] == 2024 and child[6] == pytest.approx(0.0, abs=1e-6)
    share = body[("Example wellbeing services county", "Corrective share")]
    assert share[6] == pytest.approx(-1_000_000.0 / child[4], rel=1e-9)
    ws = wb["Before and after"]
    cell = next(c for c in ws[5 + list(body).index(("Example wellbeing services county", "Corrective share"))] if c.column == 7)
    assert cell.number_format == "0.0 %"
    assert cli.main(["scenario", str(changes), "--out", str(out), "--no-charts"]) == 1  # never replaced without --force


def test_a_key_or_rule_change_is_a_scenario_too() -> None:
    s = SMALL.scenario(profile="population_keys")
    plain = lb.child_budget(SMALL.annotated[list(lb.LEDGER_COLUMNS)], profile="population_keys").summary()
    assert s.comparison["child_euros_after"].round(6).tolist() == plain.sort_values(["org_code"])["child_euros"].round(6).tolist()
    assert (s.comparison["child_euros_difference"] > 0).all()  # the plain population key gives children more health care
    rules = lb.default_rules().table.drop(columns=["source_row"], errors="ignore")
    rules.loc[rules["rule_id"] == "tc-kirjastotoiminta", ["colour", "tier", "key"]] = ["red", "", ""]
    s = SMALL.scenario(rules=lb.Rules.from_frame(rules))
    libraries = SMALL.lines[SMALL.lines["category"].astype(str) == "libraries"].groupby(SMALL.lines["org_code"].astype(str))["child_euros"].sum()
    got = s.comparison.set_index("org_code")["child_euros_difference"]
    for org, euros in libraries.items():
        assert got[org] == pytest.approx(-euros, abs=1e-6)
    with pytest.raises(lb.InputError, match="ei molempia"):
        SMALL.scenario(rules=lb.default_rules(), profile="population_keys")


def test_a_move_between_tiers() -> None:
    s = SMALL.scenario(pd.DataFrame({"action": ["move"], "org_code": ["564"], "year": [2019], "phase": ["actual"],
                                     "from_category": ["corrective"], "to_category": ["targeted"], "euros": [500_000.0]}))
    row = s.comparison.set_index("org_code").loc["564"]
    # the corrective tier's largest line (specialised care, keyed) lends its codes: all euros stay, the shares move
    assert row["total_euros_difference"] == pytest.approx(0.0, abs=1e-6)
    assert row["corrective_share_difference"] < 0 < row["preventive_share_difference"]
    lines = s.after.lines
    moved = lines[lines["source_file"].astype(str) == "scenario"]
    assert sorted(moved["tier"].astype(str)) == ["corrective", "targeted"]
