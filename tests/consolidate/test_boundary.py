"""Across the si-sote boundary: registry by year, region and municipality views, series, comparisons.

The fictional wellbeing area XA (municipalities X01 Alfala and X02 Betala) in
``tests/consolidate/fixtures/`` has ledgers on both sides of the 2022/2023
switch; every expected figure below is worked out by hand in the comments.
The real 2019 net costs regrouped into today's areas run when ../shared/data
is present; a committed extract (Kainuu) runs always.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lapsibudjetti as lb
from lapsibudjetti.output._collect import export_tables

FIX = Path(__file__).parent / "fixtures"
KTA = "nettokayttokustannukset_tehtavittain_kunnat_2015_2019__budgetr_statfin_kta14.csv"


# ------------------------------------------------------------------ fixtures


def _csv(name: str) -> pd.DataFrame:
    return pd.read_csv(FIX / name, dtype=str, keep_default_na=False)


def fixture_registry(membership: pd.DataFrame | None = None) -> lb.Registry:
    return lb.Registry.default().extend(
        municipalities=_csv("registry_municipalities.csv"),
        areas=_csv("registry_areas.csv"),
        membership=_csv("registry_membership.csv") if membership is None else membership,
        source="test fixture",
    )


REG = fixture_registry()
POP = pd.read_csv(FIX / "population.csv", dtype={"org_code": str})


def fixture_ledgers(registry: lb.Registry = REG) -> tuple[pd.DataFrame, pd.DataFrame]:
    muni = _csv("municipal_ledger.csv").replace("", None)
    area = _csv("area_ledger.csv")
    return (lb.validate_ledger(muni, registry=registry, file="municipal_ledger.csv"),
            lb.validate_ledger(area, registry=registry, file="area_ledger.csv"))


@pytest.fixture(scope="module")
def budget() -> lb.ChildBudget:
    muni, area = fixture_ledgers()
    return lb.child_budget([muni, area], registry=REG, population=POP)


def cents(x: float) -> int:
    return int(round(x * 100))


def area_part(view: lb.BoundaryView, code: str, year: int, phase: str = "actual") -> pd.DataFrame:
    lines = view.lines
    sel = (lines["org_code"] == code) & (lines["year"] == year) & (lines["phase"] == phase) & (lines["member_type"] == "wellbeing_area")
    return lines.loc[sel].set_index("service_class")


# ------------------------------------------------------------------ registry by year


def test_registry_membership_changes_by_year() -> None:
    reg = lb.Registry.default()
    # the five municipalities that changed region on 1.1.2021
    for code, before, after in [("142", "10", "09"), ("291", "15", "08"), ("152", "17", "16"), ("090", "12", "14"), ("171", "12", "13")]:
        assert reg.area_of([code], 2020).tolist() == [before], code
        assert reg.area_of([code], 2021).tolist() == [after], code
    # Pertunmaa into Mäntyharju 2025
    assert reg.area_of(["588"], 2024).tolist() == ["12"]
    with pytest.raises(lb.AllocationError, match=r"588 \(Pertunmaa\), jota ei ollut vuonna 2025: se yhdistyi kuntaan 507 \(Mäntyharju\)"):
        reg.area_of(["588"], 2025)
    assert "588" in reg.members("12", 2024) and "588" not in reg.members("12", 2025)
    assert reg.successor("588", 2025) == "507" and reg.successor("588", 2024) == "588"
    # Valtimo into Nurmes 2020, Honkajoki into Kankaanpää 2021
    assert reg.area_of(["911"], 2019).tolist() == ["14"]
    with pytest.raises(lb.AllocationError, match=r"911 \(Valtimo\), jota ei ollut vuonna 2020: se yhdistyi kuntaan 541 \(Nurmes\)"):
        reg.area_of(["911"], 2020)
    assert reg.successor("911", 2020) == "541"
    assert reg.area_of(["099"], 2020).tolist() == ["06"]
    with pytest.raises(lb.AllocationError, match=r"099 \(Honkajoki\).*214 \(Kankaanpää\)"):
        reg.area_of(["099"], 2021)
    assert reg.successor("099", 2026) == "214" and reg.area_of(["214"], 2026).tolist() == ["06"]
    assert len(reg.municipalities_in(2019)) == 311 and len(reg.municipalities_in(2021)) == 309 and len(reg.municipalities_in(2025)) == 308
    # Helsinki organises its own sote (90); Åland (91) is outside
    assert reg.area_of(["091"], 2024).tolist() == ["90"] and reg.members("90", 2024) == ["091"]
    assert reg.organiser_type("90") == "municipality" and reg.organiser_type("91") == "none"
    assert reg.area_of(["478"], 2024).tolist() == ["91"]


def test_registry_resolves_codes_business_ids_and_names_to_one_organisation() -> None:
    reg = lb.Registry.default()
    assert reg.resolve("564") == ("municipality", "564")
    assert reg.resolve("Uleåborg") == ("municipality", "564")
    assert reg.resolve("0187690-1", 2024) == ("municipality", "564")  # Oulu's business ID
    assert reg.resolve("19") == ("wellbeing_area", "19")
    assert reg.resolve("north ostrobothnia wellbeing services county") == ("wellbeing_area", "19")
    assert reg.resolve("City of Helsinki") == ("wellbeing_area", "90")
    assert reg.resolve("Helsinki") == ("municipality", "091")
    with pytest.raises(lb.InputError, match="monitulkintainen.*'005'.*'05'"):
        reg.resolve("5")
    with pytest.raises(lb.InputError, match="Lähellä olevia nimiä: Helsinki"):
        reg.resolve("Helsinky")
    with pytest.raises(lb.InputError, match="yhdistyi kuntaan 214"):
        reg.resolve("Honkajoki", 2021)
    with pytest.raises(lb.InputError, match="tuntematon Y-tunnus '1234567-8'"):
        reg.resolve("1234567-8")
    # fictional organisations added by the user resolve too, also by business ID
    assert REG.resolve("Betala") == ("municipality", "X02")
    assert REG.resolve("9990001-1") == ("municipality", "X01")
    assert REG.resolve("XA") == ("wellbeing_area", "XA")


def test_ledgers_keyed_by_business_id_work() -> None:
    raw = pd.DataFrame({"business_id": ["0187690-1", "0187690-1"], "year": [2022, 2022], "phase": ["actual"] * 2,
                        "service_class": ["3051", "2120"], "amount": [100.0, 50.0], "source_file": "kuntatalous.csv",
                        "source_row": [2, 3]})
    with pytest.warns(lb.LapsibudjettiWarning, match=r"0187690-1 → municipality 564 \(Oulu\)"):
        led = lb.validate_ledger(raw)
    assert led["org_code"].tolist() == ["564", "564"] and led["org_type"].tolist() == ["municipality"] * 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lb.LapsibudjettiWarning)
        assert lb.child_budget(lb.validate_ledger(raw)).summary()["child_euros"].iloc[0] == 150.0
    bad = raw.assign(business_id=["0187690-1", "7654321-0"])
    with pytest.raises(lb.InputError, match="7654321-0") as info:
        lb.validate_ledger(bad)
    assert info.value.rows[["file", "row", "value"]].to_dict("records") == [{"file": "kuntatalous.csv", "row": 3, "value": "7654321-0"}]
    # a registry of one's own resolves one's own business IDs; an org_type that contradicts the ID is an error
    own = pd.DataFrame({"business_id": ["9990001-1"], "year": [2023], "phase": ["actual"], "service_class": ["3051"], "amount": [1.0]})
    with pytest.warns(lb.LapsibudjettiWarning, match="X01"):
        assert lb.validate_ledger(own, registry=REG)["org_code"].tolist() == ["X01"]
    with pytest.raises(lb.InputError, match="kuuluu organisaatiolle municipality"):
        lb.validate_ledger(own.assign(org_type="wellbeing_area"), registry=REG)


# ------------------------------------------------------------------ municipality view by hand


def test_municipality_view_with_the_population_key_matches_the_hand_computation(budget) -> None:
    lb.set_lang("en")  # the English texts of the view are asserted
    view = lb.municipality_view(budget, "all", population=POP)
    # 2023: X01 has 300 of the area's 400 children (shares 3/4 and 1/4) and 2 000 of its 3 000 residents.
    #   2120 100.01 € = 10001 c: 7500.75 → 7500, 2500.25 → 2500; the spare cent to the larger fraction (X01): 75.01 / 25.00
    #   2131  50.00 €: 37.50 / 12.50
    #   2180  20.03 € = 2003 c: 1502.25 → 1502, 500.75 → 500; spare cent to X02: 15.02 / 5.01
    #   2538  40.00 €: 30.00 / 10.00
    #   2535 3000.00 € yellow, child share 400/3000 → 400.00 child €: 300.00 / 100.00 (amount 2250.00 / 750.00)
    #   2211 9000.00 € red: no child euros; shared by all residents 2/3, 1/3: 6000.00 / 3000.00
    expected = {  # service class: (X01 amount, X01 child, X02 amount, X02 child) in cents
        "2120": (7501, 7501, 2500, 2500), "2131": (3750, 3750, 1250, 1250), "2180": (1502, 1502, 501, 501),
        "2538": (3000, 3000, 1000, 1000), "2535": (225000, 30000, 75000, 10000), "2211": (600000, 0, 300000, 0),
    }
    x01, x02 = area_part(view, "X01", 2023), area_part(view, "X02", 2023)
    for cls, (a1, c1, a2, c2) in expected.items():
        assert (cents(x01.at[cls, "amount"]), cents(x01.at[cls, "child_euros"])) == (a1, c1), cls
        assert (cents(x02.at[cls, "amount"]), cents(x02.at[cls, "child_euros"])) == (a2, c2), cls
    assert x01.at["2211", "allocation_key"] == "all-ages population share"
    assert x01.at["2120", "allocation_key"] == "children 0–17 population share"
    # X01 2023 own: 3051 1000.00 + 3021 500.00 + library 200.00 × 300/2000 = 30.00 → 1530.00 child €; 1101 100.00 red
    s = view.summary().set_index(["org_code", "year", "phase"])
    row = s.loc[("X01", 2023, "actual")]
    assert cents(row["child_euros"]) == 153000 + 7501 + 3750 + 1502 + 3000 + 30000  # 1987.53 €
    assert cents(row["total_euros"]) == 180000 + 7501 + 3750 + 1502 + 3000 + 225000 + 600000  # 10207.53 €
    assert row["children"] == 300 and row["euros_per_child"] == pytest.approx(1987.53 / 300)
    # X02 2023: own 3051 340.00 + library 60.00 × 100/1000 = 6.00 → 346.00; plus 25.00 + 12.50 + 5.01 + 10.00 + 100.00
    assert cents(s.loc[("X02", 2023, "actual"), "child_euros"]) == 34600 + 2500 + 1250 + 501 + 1000 + 10000
    # the parts of every area line sum back to it, and the area's totals to the cent
    check = view.allocation_check.set_index(["year", "phase"])
    assert check["ok"].all()
    assert check.loc[(2023, "actual"), "allocated_child_euros"] == check.loc[(2023, "actual"), "area_child_euros"] == 610.04
    assert check.loc[(2023, "actual"), "allocated_euros"] == 12210.04
    # the method records the key, the weights and the population used
    m = view.method()
    assert {"view", "composition", "allocation", "allocation_check", "rules", "settings"} <= set(m)
    alloc = m["allocation"].set_index(["year", "service_class", "municipality_code"])
    assert alloc.loc[(2023, "2120", "X01"), "weight"] == 300 and alloc.loc[(2023, "2211", "X01"), "weight"] == 2000
    assert alloc.loc[(2023, "2120", "X01"), "share"] == 0.75
    assert "population share" in dict(m["view"].values)["allocation key, child lines"]


def test_municipality_view_with_a_user_key_matches_the_hand_computation(budget) -> None:
    view = lb.municipality_view(budget, ["Alfala", "X02"], key=FIX / "key_customers.csv", population=POP)
    # 2023 key: class 2120 customers X01 1, X02 2 (1/3, 2/3); every other class 60/40.
    #   2120 10001 c: 3333.67 → 3333, 6667.33 → 6667; spare cent to X01 (.67 > .33): 33.34 / 66.67
    #   2131 5000 c: 30.00 / 20.00
    #   2180 2003 c: 1201.8 → 1201, 801.2 → 801; spare cent to X01: 12.02 / 8.01
    #   2538 4000 c: 24.00 / 16.00
    #   2535 child 40000 c: 240.00 / 160.00; amount 300000 c: 1800.00 / 1200.00
    #   2211 (no child euros) is covered by the all-classes rows too: 5400.00 / 3600.00
    expected = {"2120": (3334, 6667), "2131": (3000, 2000), "2180": (1202, 801), "2538": (2400, 1600), "2535": (24000, 16000)}
    x01, x02 = area_part(view, "X01", 2023), area_part(view, "X02", 2023)
    for cls, (c1, c2) in expected.items():
        assert (cents(x01.at[cls, "child_euros"]), cents(x02.at[cls, "child_euros"])) == (c1, c2), cls
    assert (cents(x01.at["2535", "amount"]), cents(x02.at["2535", "amount"])) == (180000, 120000)
    assert (cents(x01.at["2211", "amount"]), cents(x02.at["2211", "amount"])) == (540000, 360000)
    assert x01.at["2120", "allocation_share"] == pytest.approx(1 / 3)
    s = view.summary().set_index(["org_code", "year", "phase"])
    assert cents(s.loc[("X01", 2023, "actual"), "child_euros"]) == 153000 + 3334 + 3000 + 1202 + 2400 + 24000
    assert cents(s.loc[("X02", 2023, "actual"), "child_euros"]) == 34600 + 6667 + 2000 + 801 + 1600 + 16000
    assert view.allocation_check["ok"].all()
    assert view.allocation["key"].str.startswith("oma avain (").all()
    # the same key as a DataFrame with shares, and as a KeyTable with target/total, give the same cents
    frame = _csv("key_customers.csv")
    kt = lb.KeyTable.from_frame(frame.assign(key="customers", org_code=frame["municipality_code"], target=frame["value"],
                                             total=frame.groupby(["year", "service_class"])["value"].transform(
                                                 lambda v: pd.to_numeric(v).sum())))
    other = lb.municipality_view(budget, "all", key=kt, population=POP)
    pd.testing.assert_series_equal(other.lines["child_euros"], view.lines["child_euros"])


def test_region_view_of_the_fixture_area(budget) -> None:
    view = lb.region_view(budget, "Esimerkin hyvinvointialue", population=POP)
    s = view.summary().set_index(["year", "phase"])
    assert set(view.summary()["org_type"]) == {"region"}
    # 2023: X01 1530.00 + X02 346.00 own child euros + the area's 610.04 (100.01 + 50 + 20.03 + 40 + 400)
    assert cents(s.loc[(2023, "actual"), "child_euros"]) == 153000 + 34600 + 61004
    assert s.loc[(2023, "actual"), "children"] == 400  # 300 + 100, the members' sum
    assert s.loc[(2024, "actual"), "children"] == 400  # 290 + 110
    # region totals are the sums over the members, in cents
    comp = view.composition
    for (y, ph), g in comp.groupby(["year", "phase"]):
        assert cents(g["input_euros"].sum()) == cents(s.loc[(y, ph), "total_euros"])
        assert g["child_euros"].sum() == pytest.approx(s.loc[(y, ph), "child_euros"], abs=1e-6)
        assert g["children"].sum() == s.loc[(y, ph), "children"]
    # before 2023 the sote of the region comes from the municipal ledgers
    by_sector = view.by("sector").set_index(["year", "phase", "sector"])
    assert cents(by_sector.loc[(2022, "actual", "sote"), "child_euros"]) == 47850 + 2600  # X01 478.50, X02 26.00
    # the table API of a child budget works on a view
    assert view.by("category", lang="en")["label"].notna().all()
    assert view.reconciliation["ok"].all()
    assert isinstance(view, lb.ChildBudget) and view.registry is REG
    assert "Alueen näkymä" in repr(view) and "Alueen näkymä" in view._repr_html_()  # the card says which view it is


def test_helsinki_and_aland() -> None:
    lb.set_lang("en")  # the English texts of the view are asserted
    led = lb.make_ledger({"org_type": ["municipality", "wellbeing_area", "municipality"], "org_code": ["091", "90", "478"],
                          "year": [2019] * 3, "task_class": ["Perusopetus", "Lastensuojelun laitos- ja perhehoito", "Perusopetus"],
                          "amount": [1000.0, 500.0, 300.0]}, phase="actual")
    cb = lb.child_budget(led)
    # Helsinki is its own sote organiser: its area 90 has one member, so it gets all of it
    view = lb.municipality_view(cb, "Helsinki")
    assert view.summary()["child_euros"].tolist() == [1500.0]
    assert view.allocation.set_index("municipality_code").at["091", "share"] == 1.0
    region = lb.region_view(cb, "90")
    assert region.summary()["child_euros"].tolist() == [1500.0]
    assert "organises its social and health services itself" in dict(region.view_settings.values)["Helsinki (90)"]
    # Åland is outside the system: a municipality view says so, a region view does not exist
    lb.set_lang(None)
    with pytest.warns(lb.LapsibudjettiWarning, match="Ahvenanmaa on hyvinvointialueiden ulkopuolella"):  # Finnish by default
        mh = lb.municipality_view(cb, "478")
    assert mh.summary()["child_euros"].tolist() == [300.0]
    assert "hyvinvointialuejärjestelmän ulkopuolella" in dict(mh.view_settings.values)["Åland"]
    lb.set_lang("en")
    with pytest.raises(lb.InputError, match="outside the wellbeing-area system"):
        lb.region_view(cb, "91")
    everything = lb.region_view(cb, "all")
    assert everything.summary()["org_code"].tolist() == ["90"]
    assert "1 line(s), €300.00" in dict(everything.view_settings.values)["not in this view: Åland (outside the wellbeing-area system)"]
    lb.set_lang("sv")
    settings = dict(lb.region_view(cb, "all").view_settings.values)
    assert "1 rader, 300,00\u00a0€" in settings["inte i denna vy: Åland (utanför välfärdsområdessystemet)"]
    lb.set_lang("en")
    with pytest.raises(lb.InputError, match="municipality 564 .*region view takes a wellbeing area"):
        lb.region_view(cb, "564")


# ------------------------------------------------------------------ missing data are errors naming them


def test_missing_membership_population_or_key_is_an_error_naming_it(budget) -> None:
    # X02 leaves the area's membership after 2023: its 2024 lines have no area
    short = _csv("registry_membership.csv")
    short.loc[short["municipality_code"] == "X02", "valid_to"] = "2023"
    reg = fixture_registry(short)
    muni, area = fixture_ledgers(reg)
    cb = lb.child_budget([muni, area], registry=reg, population=POP)
    with pytest.raises(lb.AllocationError, match=r"X02 \(Betala\), jolla ei ole jäsenyysriviä vuodelle 2024") as info:
        lb.municipality_view(cb, "X01", population=POP)
    assert info.value.rows[["municipality_code", "year"]].to_dict("records") == [{"municipality_code": "X02", "year": 2024}]
    with pytest.raises(lb.AllocationError, match=r"X02 2024"):
        lb.region_view(cb, "XA", population=POP)
    # no population for X02 in 2024
    pop = POP[~((POP["org_code"] == "X02") & (POP["year"] == 2024))]
    cb2 = lb.child_budget([muni, area], registry=REG, population=pop, on_missing_key="unmapped")
    with pytest.raises(lb.AllocationError, match=r"X02 \(Betala\) 2024") as info:
        lb.municipality_view(cb2, "X01", population=pop)
    assert ("X02", 2024) in set(zip(info.value.rows["municipality_code"], info.value.rows["year"]))
    with pytest.raises(lb.AllocationError, match=r"X02 \(Betala\) 2024"):
        lb.region_view(cb2, "XA", population=pop)
    # the user key lacks X02 for class 2120 in 2024 (X01 has a class row, so the class rows apply)
    key = _csv("key_customers.csv")
    key = key[~((key["municipality_code"] == "X02") & (key["year"] == "2024") & (key["service_class"] == "2120"))]
    with pytest.raises(lb.AllocationError, match=r"X02 \(Betala\) 2024, palveluluokka 2120") as info:
        lb.municipality_view(budget, "X01", key=key, population=POP)
    assert info.value.rows.iloc[0].to_dict() == {"municipality_code": "X02", "year": 2024, "service_class": "2120", "area_code": "XA"}
    # shares that do not sum to 1 over the members
    bad = pd.DataFrame({"municipality_code": ["X01", "X02"], "year": [2023, 2023], "share": [0.5, 0.4]})
    with pytest.raises(lb.AllocationError, match="ovat yhteensä 0.900000, eivät 1"):
        lb.municipality_view(budget, "X01", key=bad, population=POP, years=2023)
    # without population= the view counts children from the figures the budget was computed with
    implicit = lb.municipality_view(budget, "X01").summary()
    explicit = lb.municipality_view(budget, "X01", population=POP).summary()
    pd.testing.assert_frame_equal(implicit, explicit)


# ------------------------------------------------------------------ series across the switch


def test_series_2019_2024_across_the_switch(budget) -> None:
    lb.set_lang("en")  # the English texts of the view are asserted
    s = lb.series(budget, "X01", population=POP, price_index=FIX / "price_index.csv")
    t = s.table.set_index(["year", "phase", "sector"])
    assert sorted(set(s.table["year"])) == [2019, 2020, 2021, 2022, 2023, 2024]
    # sote comes from the municipal ledger up to 2022 and from the area's ledger, allocated by key, from 2023
    for y in (2019, 2020, 2021, 2022):
        assert t.loc[(y, "actual", "sote"), "source"] == "municipal ledger"
    assert t.loc[(2023, "actual", "sote"), "source"] == "wellbeing-area ledger XA (allocated by children 0–17 population share)"
    assert t.loc[(2023, "actual", "sivistys"), "source"] == "municipal ledger"
    assert bool(t.loc[(2023, "actual", "sote"), "break"]) and not bool(t.loc[(2023, "actual", "sivistys"), "break"])
    assert "municipal ledger (2022) → wellbeing-area ledger XA" in t.loc[(2023, "actual", "sote"), "break_reason"]
    # the task classes gave way to service classes in 2021: also a break, in every sector
    assert bool(t.loc[(2021, "actual", "sivistys"), "break"]) and "task classes (2020) → service classes" in t.loc[(2021, "actual", "sivistys"), "break_reason"]
    breaks = s.totals.loc[s.totals["phase"] == "actual"].set_index("year")["break"]
    assert breaks.to_dict() == {2019: False, 2020: False, 2021: True, 2022: False, 2023: True, 2024: False}
    # comparable sote: 2022 municipal 74 + 37 + 15 + 30 + 2150 × 300/2000 = 478.50; 2023 allocated 457.53
    assert cents(t.loc[(2022, "actual", "sote"), "child_euros"]) == 47850
    assert cents(t.loc[(2023, "actual", "sote"), "child_euros"]) == 45753
    row = t.loc[(2023, "actual", "sote")]
    assert row["change_euros"] == pytest.approx(457.53 - 478.50)
    assert row["change_pct"] == pytest.approx(457.53 / 478.50 - 1)
    assert row["real_change_pct"] == pytest.approx((457.53 / 116) / (478.50 / 110) - 1)  # index 110 (2022), 116 (2023)
    assert row["real_child_euros"] == pytest.approx(457.53 * 120 / 116)  # in 2024 prices
    assert np.isnan(t.loc[(2019, "actual", "sote"), "change_pct"])  # no 2018 in the series
    # budget versus actual 2024 (X01's own budget and the area's budget, allocated by the same key)
    bva = s.budget_vs_actual.set_index(["year", "sector"])
    # actual 2024: own 1040 + 520 + 210 × 290/2000 = 1590.45; area 79.75 + 37.70 + 15.23 + 29.73 + 299.66 = 462.07
    assert cents(bva.loc[(2024, "all"), "actual_child_euros"]) == 159045 + 46207
    # budget 2024: own 1000 + 500 + 200 × 0.145 = 1529.00; area (100 + 50 + 20 + 40 + 3000 × 400/3000) × 290/400 = 442.25
    assert cents(bva.loc[(2024, "all"), "budget_child_euros"]) == 152900 + 44225
    assert bva.loc[(2024, "all"), "actual_minus_budget"] == pytest.approx(2052.52 - 1971.25)
    # the series carries its view for exports and charts, and the method
    assert isinstance(s.view, lb.BoundaryView) and s.method()["price_index"]["year"].tolist()[0] == 2018
    with pytest.raises(lb.InputError, match="no value for year.*2019"):
        lb.series(budget, "X01", population=POP, price_index={2020: 1.0, 2021: 1.0, 2022: 1.0, 2023: 1.0, 2024: 1.0})


def test_series_of_a_region_and_of_a_view(budget) -> None:
    lb.set_lang("en")  # the English texts of the view are asserted
    s = lb.series(budget, "XA", population=POP)
    t = s.table.set_index(["year", "phase", "sector"])
    assert t.loc[(2022, "actual", "sote"), "source"] == "municipal ledger"
    assert t.loc[(2023, "actual", "sote"), "source"] == "wellbeing-area ledger XA"
    assert bool(t.loc[(2023, "actual", "sote"), "break"])
    view = lb.municipality_view(budget, "all", population=POP)
    only = lb.series(view, "X02")
    assert set(only.table["org_code"]) == {"X02"}
    with pytest.raises(lb.InputError, match="this is a municipality view"):
        lb.series(view, "XA")


# ------------------------------------------------------------------ compare


def test_compare_against_national_group_and_peer_medians(budget) -> None:
    view = lb.municipality_view(budget, "all", population=POP, years=2023)
    c = lb.compare(view, by="municipality group", metric=["euros_per_child", "preventive_share"], registry=REG)
    pc = c[c["metric"] == "euros_per_child"].set_index("org_code")
    # X01 1987.53 / 300 = 6.6251, X02 498.51 / 100 = 4.9851: X01 first of two
    assert pc.loc["X01", "value"] == pytest.approx(6.6251) and pc.loc["X02", "value"] == pytest.approx(4.9851)
    assert pc.loc["X01", "rank"] == 1 and pc.loc["X02", "rank"] == 2 and (pc["n"] == 2).all()
    assert pc.loc["X01", "national_median"] == pytest.approx((6.6251 + 4.9851) / 2)
    assert pc.loc["X01", "national_pooled"] == pytest.approx((1987.53 + 498.51) / 400)
    assert pc.loc["X01", "children"] == 300 and pc.loc["X02", "children"] == 100
    # different municipality groups (urban, rural): each is the median of its own group
    assert pc.loc["X01", "group_name"] == "Kaupunkimaiset kunnat" and pc.loc["X01", "vs_group_median"] == 0
    by_area = lb.compare(view, by="area", registry=REG).set_index("org_code")
    assert (by_area["group"] == "XA").all() and by_area.loc["X02", "group_rank"] == 2
    peers = lb.compare(view, by=["X02"], registry=REG).set_index("org_code")
    assert peers.loc["X01", "group_median"] == pytest.approx(4.9851) and not peers.loc["X01", "in_peer_group"]
    with pytest.raises(lb.InputError, match="tuntemattomat mittarit"):
        lb.compare(view, metric="nonsense")
    with pytest.raises(lb.InputError, match="useanlaisia organisaatioita"):
        lb.compare(budget)
    region = lb.region_view(budget, "XA", population=POP)
    with pytest.raises(lb.InputError, match="ryhmittelee kuntia"):
        lb.compare(region, by="area")


# ------------------------------------------------------------------ properties

MEMBERS = ["X01", "X02", "X03", "X04"]
AREA_CLASSES = ["2120", "2131", "2180", "2538", "2535", "2211", "2606"]


def _random_area(n_members: int) -> tuple[lb.Registry, list[str]]:
    codes = MEMBERS[:n_members]
    reg = lb.Registry.default().extend(
        municipalities=pd.DataFrame({"code": codes, "name_fi": codes}),
        areas=pd.DataFrame({"code": ["XP"], "name_fi": ["Property area"]}),
        membership=pd.DataFrame({"municipality_code": codes, "area_code": "XP"}))
    return reg, codes


@st.composite
def area_cases(draw: st.DrawFn) -> tuple[int, list[tuple[str, int]], list[tuple[int, int]]]:
    n = draw(st.integers(min_value=1, max_value=4))
    lines = draw(st.lists(st.tuples(st.sampled_from(AREA_CLASSES), st.integers(min_value=-10**9, max_value=10**11)),
                          min_size=1, max_size=12))
    people = draw(st.lists(st.tuples(st.integers(min_value=1, max_value=50_000), st.integers(min_value=0, max_value=400_000)),
                           min_size=n, max_size=n))
    return n, lines, people


def _area_budget(n: int, lines: list[tuple[str, int]], people: list[tuple[int, int]], factor: int = 1):
    reg, codes = _random_area(n)
    led = lb.validate_ledger(pd.DataFrame({"org_type": "wellbeing_area", "org_code": "XP", "year": 2024, "phase": "actual",
                                           "service_class": [c for c, _ in lines],
                                           "amount": [a * factor / 100 for _, a in lines]}), registry=reg)
    # a Population of these members only (not on top of the packaged figures): fast and self-contained
    pop = lb.Population.from_frame(pd.DataFrame({"org_code": np.repeat(codes, 2), "year": 2024, "age": [5, 50] * n,
                                                 "persons": [v * factor for pair in people for v in pair]}), source="property test")
    return lb.child_budget(led, registry=reg, population=pop), pop


# each example computes child budgets and views end to end: fewer examples keep the suite fast
VIEW_EXAMPLES = settings(max_examples=min(12, settings().max_examples))


@VIEW_EXAMPLES
@given(area_cases())
def test_allocating_an_area_to_its_municipalities_sums_back_exactly(case) -> None:
    n, lines, people = case
    cb, pop = _area_budget(n, lines, people)
    view = lb.municipality_view(cb, "all", population=pop)
    alloc = view.lines.assign(c=lambda d: np.rint(d["amount"] * 100).astype("int64"),
                              k=lambda d: np.rint(d["child_euros"] * 100).astype("int64"))
    back = alloc.groupby("source_row")[["c", "k"]].sum()
    area = cb.annotated.set_index("source_row")
    assert (back["c"] == np.rint(area["amount"] * 100).astype("int64").reindex(back.index)).all()
    assert (back["k"] == np.rint(area["child_euros"] * 100).astype("int64").reindex(back.index)).all()
    assert len(back) == len(lines)
    total = view.summary()["total_euros"].sum()
    assert round(total * 100) == sum(a for _, a in lines)
    assert view.allocation_check["ok"].all()


@given(st.lists(st.integers(min_value=-10**13, max_value=10**13), min_size=1, max_size=20),
       st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=9).filter(lambda w: sum(w) > 0))
def test_allocate_cents_sums_back_and_stays_within_a_cent(amounts, weights) -> None:
    w = np.asarray(weights, dtype=float)
    shares = w / w.sum()
    out = lb.allocate_cents(amounts, shares)
    assert (out.sum(axis=1) == np.asarray(amounts)).all()
    exact = np.asarray(amounts, dtype=float)[:, None] * shares
    assert (np.abs(out - exact) <= 1 + 1e-6 * np.abs(exact)).all()
    assert (out[:, w == 0] == 0).all()


@VIEW_EXAMPLES
@given(area_cases(), st.integers(min_value=2, max_value=7))
def test_per_child_figures_are_unchanged_when_population_and_euros_scale_together(case, factor) -> None:
    n, lines, people = case
    base_cb, base_pop = _area_budget(n, lines, people)
    big_cb, big_pop = _area_budget(n, lines, people, factor)
    a = lb.region_view(base_cb, "XP", population=base_pop).summary().iloc[0]
    b = lb.region_view(big_cb, "XP", population=big_pop).summary().iloc[0]
    assert b["children"] == a["children"] * factor
    assert b["euros_per_child"] == pytest.approx(a["euros_per_child"], rel=1e-9, abs=1e-9)
    for col in ("preventive_share", "corrective_share", "child_share_of_total"):
        assert b[col] == pytest.approx(a[col], rel=1e-9, abs=1e-12) or (np.isnan(a[col]) and np.isnan(b[col]))
    # municipality views: the same up to the cent rounding of each allocated line
    va = lb.municipality_view(base_cb, "all", population=base_pop).summary().set_index("org_code")
    vb = lb.municipality_view(big_cb, "all", population=big_pop).summary().set_index("org_code")
    bound = 2 * len(lines) * 0.01 / va["children"]
    assert ((vb["euros_per_child"] - va["euros_per_child"]).abs() <= bound + 1e-9).all()


# ------------------------------------------------------------------ real data


def _kta_ledger(path: Path, year: int) -> pd.DataFrame:
    """The kta_14 rows of ``year`` as a ledger (through the library's reader when it is there)."""
    if hasattr(lb, "read_statistics"):
        led = lb.read_statistics(path)
        return led[led["year"] == year].reset_index(drop=True)
    raw = pd.read_csv(path, dtype={"muni": str})
    raw = raw[(raw["year"] == year) & ~raw["func"].str.endswith("yhteensä")]
    return lb.make_ledger({"org_code": raw["muni"].str.zfill(3), "year": raw["year"], "task_class": raw["func"],
                           "amount": raw["amount"], "source_file": path.name}, org_type="municipality", phase="actual")


def test_real_kainuu_2019_region_is_the_sum_of_its_municipalities() -> None:
    raw = pd.read_csv(FIX / "kta14_2019_kainuu.csv", dtype={"muni": str})
    cb = lb.child_budget(_kta_ledger(FIX / "kta14_2019_kainuu.csv", 2019), measure="net operating cost")
    view = lb.region_view(cb, "Kainuun hyvinvointialue")
    s = view.summary().iloc[0]
    # all spend: the published Käyttötalous yhteensä of the eight municipalities, to the cent
    published = raw.loc[raw["func"] == "Käyttötalous yhteensä", "amount"]
    assert len(published) == 8 and cents(s["total_euros"]) == int(np.rint(published * 100).sum())
    # child euros and children: the sums over the municipalities' own budgets
    own = cb.summary()
    assert s["child_euros"] == pytest.approx(own["child_euros"].sum(), rel=1e-12)
    pop = lb.population_by_age()
    kids = pop[pop["municipality_code"].isin(own["org_code"]) & (pop["age"] <= 17) & (pop["year"] == 2019)]["persons"].sum()
    assert s["children"] == kids == own["children"].sum()
    assert s["euros_per_child"] == pytest.approx(own["child_euros"].sum() / kids)
    assert 0.5 < s["preventive_share"] < 1
    assert set(view.composition["member_code"]) == {"105", "205", "290", "578", "620", "697", "765", "777"}


def test_kainuu_fixture_equals_the_shared_file(shared_data: Path) -> None:
    raw = pd.read_csv(shared_data / KTA, dtype=str, keep_default_na=False)
    ours = pd.read_csv(FIX / "kta14_2019_kainuu.csv", dtype=str, keep_default_na=False)
    theirs = raw[(raw["year"] == "2019") & raw["muni"].isin(set(ours["muni"]))]
    pd.testing.assert_frame_equal(ours.reset_index(drop=True), theirs.reset_index(drop=True))


@pytest.mark.realdata
def test_real_2019_regrouped_into_todays_21_areas_and_helsinki(shared_data: Path) -> None:
    cb = lb.child_budget(_kta_ledger(shared_data / KTA, 2019), measure="net operating cost")
    with pytest.warns(lb.LapsibudjettiWarning, match="911 → 541"):  # Valtimo is in Nurmes' figures already
        view = lb.region_view(cb, "all", membership_year=2026)
    table = view.summary()[["org_code", "children", "child_euros", "euros_per_child", "preventive_share", "total_euros"]]
    table.insert(1, "area", view.registry.names(pd.Series(["region"] * len(table)), table["org_code"]).to_numpy())
    print("\n2019 child budget regrouped into today's wellbeing areas (net operating cost, children 0–17):\n"
          + table.round({"euros_per_child": 0, "preventive_share": 3}).to_string(index=False))
    assert table["org_code"].tolist() == [f"{i:02d}" for i in range(1, 22)] + ["90"]
    # independently of the library's regrouping: each municipality's 2026 area (merged ones through merged_into)
    muni = lb.municipalities().set_index("code")
    area26 = lb.membership(2026).set_index("municipality_code")["area_code"]
    own = cb.summary()
    own["unit"] = [c if c in area26.index else muni.at[c, "merged_into"] for c in own["org_code"]]
    own["area"] = own["unit"].map(area26)
    assert own.set_index("org_code").at["099", "area"] == "06" and own.set_index("org_code").at["588", "area"] == "12"
    aland_children = own.loc[own["area"] == "91", "children"].sum()
    own = own[own["area"] != "91"]  # Åland is outside the system
    expected = own.groupby("area").agg(total=("total_euros", "sum"), child=("child_euros", "sum"), children=("children", "sum"))
    got = table.set_index("org_code")
    # area totals equal the sums over their member municipalities: euros to the cent, children exactly
    assert (np.rint(got["total_euros"] * 100).astype("int64") == np.rint(expected["total"] * 100).astype("int64").reindex(got.index)).all()
    assert np.allclose(got["child_euros"], expected["child"].reindex(got.index), rtol=1e-12)
    assert (got["children"] == expected["children"].reindex(got.index)).all()
    assert got["children"].sum() + aland_children == 1_049_057  # every 0–17 resident of 2019 once
    # composition rows sum to each region's total to the cent
    comp = view.composition.groupby("org_code")["input_euros"].apply(lambda v: int(np.rint(v * 100).sum()))
    assert (comp == np.rint(got["total_euros"] * 100).astype("int64")).all()
    # plausible magnitudes (method.md: about 12 500 € per child nationally, preventive share about 80 %)
    assert got["euros_per_child"].between(10_000, 16_000).all()
    assert got["preventive_share"].between(0.7, 0.9).all()
    # the same 2019 data on the 2019 division fail loudly for North Karelia: Valtimo has no 2019 figures of its own
    with pytest.raises(lb.AllocationError, match=r"911 \(Valtimo\) 2019"):
        lb.region_view(cb, "14")
    # and the regions can be ranked against the national median
    ranked = lb.compare(view, by="national")
    assert ranked["n"].eq(22).all() and ranked["rank"].min() == 1


# ------------------------------------------------------------------ the export and chart code take views unchanged


def test_views_and_series_export_and_draw(budget, tmp_path: Path) -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    view = lb.municipality_view(budget, "all", population=POP)
    tables = export_tables(view, lang="en")
    assert {"summary", "by_sector", "reconciliation", "method_allocation", "method_allocation_check", "method_view"} <= set(tables)
    summary = tables["summary"].set_index(["org_code", "year", "phase"])
    assert summary.loc[("X01", 2023, "actual"), "org_name"] == "Alfala"
    assert cents(summary.loc[("X01", 2023, "actual"), "child_euros"]) == 198753
    path = lb.write_workbook(lb.series(view, "X01", price_index=FIX / "price_index.csv"), tmp_path / "x01.xlsx", lang="en")
    assert path.exists() and path.stat().st_size > 0
    region = lb.region_view(budget, "XA", population=POP)
    assert "region" in set(export_tables(region)["summary"]["org_type"])
    fig, ax = plt.subplots()
    try:
        lb.plot_sisote_split(view, org_code="X01", ax=ax, lang="en")
        lb.plot_per_child(region, ax=ax, lang="en")
    finally:
        plt.close(fig)
