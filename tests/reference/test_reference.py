"""Tests of the packaged reference data and its loaders (lapsibudjetti._reference)."""

from __future__ import annotations

import doctest
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lapsibudjetti import _validate
from lapsibudjetti._errors import InputError, ReferenceDataError
from lapsibudjetti.reference import _tables as ref
from lapsibudjetti.reference._labels import set_lang

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
PACKAGED = REPO / "lapsibudjetti" / "data" / "reference"
TABLES = (
    "service_classes.csv",
    "task_classes.csv",
    "municipalities.csv",
    "wellbeing_areas.csv",
    "membership.csv",
    "population_age.csv",
    "population_total.csv",
)


def ledger(**cols: object) -> pd.DataFrame:
    """A small canonical-looking ledger; text columns categorical."""
    n = len(next(iter(cols.values())))  # type: ignore[arg-type]
    base: dict[str, object] = {
        "org_type": ["municipality"] * n,
        "org_code": ["091"] * n,
        "year": [2022] * n,
        "service_class": [None] * n,
        "task_class": [None] * n,
        "source_file": ["test.csv"] * n,
        "source_row": list(range(2, n + 2)),
    }
    base.update(cols)
    df = pd.DataFrame(base)
    for c in ("org_type", "org_code", "service_class", "task_class", "source_file"):
        df[c] = df[c].astype(object).astype("category")
    df["year"] = df["year"].astype("int64")
    df["source_row"] = df["source_row"].astype("int64")
    return df


# --------------------------------------------------------------------------- files and loaders


def test_packaged_files_are_utf8_lf_and_sorted() -> None:
    for name in TABLES:
        data = (PACKAGED / name).read_bytes()
        assert b"\r" not in data, name
        data.decode("utf-8")
        assert data.endswith(b"\n")


def test_loaders_return_copies() -> None:
    a = ref.municipalities()
    a.loc[0, "name_fi"] = "changed"
    a["code"] = "x"
    b = ref.municipalities()
    assert len(b) == 317
    assert "changed" not in set(b["name_fi"])


def test_codes_are_strings() -> None:
    m = ref.municipalities()
    assert m["code"].map(lambda c: isinstance(c, str) and len(c) == 3 and c.isdigit()).all()
    assert m["merged_into"].dropna().map(lambda c: isinstance(c, str) and len(c) == 3).all()
    sc = ref.service_classes()
    assert sc["code"].map(lambda c: isinstance(c, str) and len(c) == 4).all()
    wa = ref.wellbeing_areas()
    assert wa["code"].map(lambda c: isinstance(c, str) and len(c) == 2).all()
    ms = ref.membership()
    assert ms["municipality_code"].str.len().eq(3).all() and ms["area_code"].str.len().eq(2).all()
    assert ref.population_by_age()["municipality_code"].str.len().eq(3).all()
    assert ref.population_total()["municipality_code"].str.len().eq(3).all()


@pytest.mark.parametrize(
    ("year", "count"),
    [(2015, 317), (2016, 313), (2017, 311), (2019, 311), (2020, 310)]
    + [(y, 309) for y in range(2021, 2025)]
    + [(2025, 308), (2026, 308)],
)
def test_municipality_counts(year: int, count: int) -> None:
    assert len(ref.municipalities(year)) == count


def test_merged_municipalities() -> None:
    m = ref.municipalities().set_index("code")
    expected = {
        "164": ("Jalasjärvi", 2015, "301"),
        "174": ("Juankoski", 2016, "297"),
        "283": ("Hämeenkoski", 2015, "098"),
        "319": ("Köyliö", 2015, "783"),
        "442": ("Luvia", 2016, "051"),
        "532": ("Nastola", 2015, "398"),
        "911": ("Valtimo", 2019, "541"),
        "099": ("Honkajoki", 2020, "214"),
        "588": ("Pertunmaa", 2024, "507"),
    }
    for code, (name, last, into) in expected.items():
        assert m.at[code, "name_fi"] == name
        assert int(m.at[code, "valid_to"]) == last
        assert m.at[code, "merged_into"] == into
        assert pd.isna(m.at[code, "group_code"])
        assert isinstance(m.at[code, "source"], str) and m.at[code, "source"]
    assert m["valid_to"].notna().sum() == len(expected)


def test_wellbeing_areas() -> None:
    wa = ref.wellbeing_areas()
    assert list(wa["code"]) == [f"{i:02d}" for i in range(1, 22)] + ["90", "91"]
    org = wa.set_index("code")["organiser_type"]
    assert org["90"] == "municipality" and org["91"] == "none"
    assert (org.drop(["90", "91"]) == "wellbeing_area").all()
    assert wa[["name_fi", "name_sv", "name_en"]].notna().all().all()


def test_every_municipality_year_has_exactly_one_area() -> None:
    areas = set(ref.wellbeing_areas()["code"])
    for year in range(2015, 2027):
        existing = set(ref.municipalities(year)["code"])
        ms = ref.membership(year)
        assert list(ms.columns) == ["municipality_code", "area_code", "year"]
        assert ms["municipality_code"].is_unique, year
        assert set(ms["municipality_code"]) == existing, year
        assert set(ms["area_code"]) <= areas
        assert (ms["year"] == year).all()


def test_region_changes_2021() -> None:
    before = ref.membership(2020).set_index("municipality_code")["area_code"]
    after = ref.membership(2021).set_index("municipality_code")["area_code"]
    common = before.index.intersection(after.index)
    changed = {c: (before[c], after[c]) for c in common if before[c] != after[c]}
    assert changed == {
        "142": ("10", "09"),  # Iitti: Kymenlaakso -> Päijät-Häme
        "291": ("15", "08"),  # Kuhmoinen: Keski-Suomi -> Pirkanmaa
        "152": ("17", "16"),  # Isokyrö: Pohjanmaa -> Etelä-Pohjanmaa
        "090": ("12", "14"),  # Heinävesi: Etelä-Savo -> Pohjois-Karjala
        "171": ("12", "13"),  # Joroinen: Etelä-Savo -> Pohjois-Savo
    }
    assert ref.membership(2023).set_index("municipality_code").at["091", "area_code"] == "90"


def test_service_class_counts_match_source_lists() -> None:
    # 2021 list: 137 classes; 2022 list: 143 of which 7 are marked closed
    # ("voimassa 31.12.2021 asti" / "Lakkautettu"); 2023 list: 75 classes.
    assert len(ref.service_classes(2021, scope="municipality")) == 137
    assert len(ref.service_classes(2022, scope="municipality")) == 143 - 7
    assert len(ref.service_classes(2023, scope="municipality")) == 75
    assert len(ref.service_classes(2030, scope="municipality")) == 75
    assert ref.service_classes(2020).empty
    for year in (2021, 2022, 2023, 2024):
        for scope in ("municipality", "wellbeing_area"):
            assert ref.service_classes(year, scope=scope)["code"].is_unique


def test_service_class_validity() -> None:
    sc = ref.service_classes()
    closed = sc[(sc["code"] == "2605")]
    assert len(closed) == 1 and int(closed["valid_to"].iloc[0]) == 2021
    assert "voimassa" not in closed["name_fi"].iloc[0]
    assert not sc["name_fi"].str.contains("voimassa|ovimassa|Lakkautettu").any()
    wa23 = set(ref.service_classes(2023, scope="wellbeing_area")["code"])
    assert {"2120", "2121", "2122", "2123", "2131", "2538", "2606", "3456"} <= wa23
    assert not {c for c in wa23 if c.startswith("27")}  # environmental health stays municipal
    mu23 = set(ref.service_classes(2023, scope="municipality")["code"])
    assert wa23 & mu23 == {"1101", "5501"}  # administration and support services: both sides (stated assumption)
    assert {"2701", "3021", "3051"} <= mu23
    wa_rows = sc[sc["scope"] == "wellbeing_area"]
    assert wa_rows["valid_to"].isna().all()
    assert wa_rows["source"].str.contains("working assumption").all()


def test_child_relevant_classes_are_translated() -> None:
    codes = (
        ["2120", "2121", "2122", "2123", "2131", "2180", "2181", "2182", "2183", "2185", "2191"]
        + ["2532", "2534", "2535", "2536", "2538", "2545", "2561", "2600", "2603", "2604", "2606", "2607", "2612"]
        + ["3021", "3022", "3023", "3041", "3051", "3052", "3101", "3151", "3152", "3251", "3252", "3253"]
        + ["3351", "3352", "3451", "3452", "3453", "3454", "3455", "3456", "3501", "3502", "3503", "3551"]
        + ["3601", "3701", "3702", "3751", "3851", "3901"]
    )
    sc = ref.service_classes(2022)
    sc = sc[sc["code"].isin(codes)].set_index("code")
    assert set(sc.index) == set(codes)
    assert sc["name_sv"].notna().all() and sc["name_en"].notna().all()
    assert sc["source"].str.contains("translation: lapsibudjetti project").all()


def test_task_classes() -> None:
    tc = ref.task_classes().set_index("name_fi")
    assert len(tc) == 55
    assert tc["is_aggregate"].sum() == 3
    assert (int(tc.at["Lasten päivähoito", "valid_from"]), int(tc.at["Lasten päivähoito", "valid_to"])) == (2015, 2015)
    assert int(tc.at["Varhaiskasvatus", "valid_from"]) == 2016
    assert tc.at["Lastensuojelun laitos- ja perhehoito", "parent"] == "Sosiaali- ja terveystoiminta yhteensä"
    assert tc.at["Perusopetus", "parent"] == "Opetus- ja kulttuuritoiminta yhteensä"
    assert tc.at["Varhaiskasvatus", "parent"] == "Opetus- ja kulttuuritoiminta yhteensä"
    assert pd.isna(tc.at["Yleishallinto", "parent"])
    assert pd.isna(tc.at["Käyttötalous yhteensä", "parent"])
    assert len(ref.task_classes(2015)) == 54 and len(ref.task_classes(2019)) == 54
    assert ref.task_classes(2021).empty


def test_population_by_age() -> None:
    p = ref.population_by_age()
    assert list(p.columns) == ["municipality_code", "year", "age", "persons"]
    assert p["age"].min() == 0 and p["age"].max() == 100
    assert (p.groupby("municipality_code")["age"].nunique() == 101).all()
    assert int(p.loc[p["age"] <= 17, "persons"].sum()) == 1_049_057
    assert set(p["year"]) == {2019}
    assert set(p["municipality_code"]) <= set(ref.municipalities(2019)["code"])


def test_helsinki_population_2019_agrees_with_total_file() -> None:
    by_age = ref.population_by_age()
    total = ref.population_total()
    helsinki_ages = int(by_age.loc[by_age["municipality_code"] == "091", "persons"].sum())
    helsinki_total = int(total.loc[(total["municipality_code"] == "091") & (total["year"] == 2019), "persons"].iloc[0])
    assert helsinki_ages == helsinki_total == 653_835


def test_population_total() -> None:
    p = ref.population_total()
    assert p["year"].min() == 2000 and p["year"].max() == 2022
    assert not p.duplicated(["municipality_code", "year"]).any()
    assert p.groupby("year").size().eq(309).all()


# --------------------------------------------------------------------------- label and arguments


def test_label() -> None:
    assert ref.label("service_class", "3021", "sv") == "Daghemsverksamhet"
    assert ref.label("service_class", "1102", "sv") == "Vaalien järjestäminen"  # fallback to fi
    assert ref.label("task_class", "Varhaiskasvatus", "en") == "Early childhood education and care"
    assert ref.label("municipality", "91", "fi") == "Helsinki"
    assert ref.label("municipality", "478", "sv") == "Mariehamn"
    assert ref.label("wellbeing_area", "1", "fi") == "Itä-Uudenmaan hyvinvointialue"


@pytest.mark.parametrize(
    ("call", "allowed"),
    [
        (lambda: ref.label("service_class", "3021", "de"), "fi, sv, en"),
        (lambda: ref.label("colour", "3021"), "service_class"),
        (lambda: ref.service_classes(2022, scope="county"), "municipality, wellbeing_area, both"),
        (lambda: ref.label("service_class", "0000"), "service_classes"),
        (lambda: ref.municipalities("2022"), "kokonaisluku"),  # type: ignore[arg-type]
    ],
)
def test_bad_arguments_raise_value_errors(call, allowed: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as info:
        call()
    assert isinstance(info.value, ValueError)
    assert allowed in str(info.value)


def test_missing_and_corrupt_files_raise(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "data" / "reference").mkdir(parents=True)
    (tmp_path / "data" / "reference" / "wellbeing_areas.csv").write_text("code,name\n01,x\n", encoding="utf-8")
    (tmp_path / "data" / "reference" / "task_classes.csv").write_text(
        "name_fi,name_sv,name_en,valid_from,valid_to,is_aggregate,parent,source\nA,,,20x5,2020,false,,s\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(ref, "files", lambda package: tmp_path)
    ref._load.cache_clear()
    try:
        with pytest.raises(ReferenceDataError, match="puuttuu"):
            ref.municipalities()
        with pytest.raises(ReferenceDataError, match="sarakkeet"):
            ref.wellbeing_areas()
        with pytest.raises(ReferenceDataError, match="on rikki"):
            ref.task_classes()
    finally:
        monkeypatch.undo()
        ref._load.cache_clear()
    assert len(ref.wellbeing_areas()) == 23


# --------------------------------------------------------------------------- check_ledger_codes


def test_check_ledger_codes_good_lines_give_empty_frame() -> None:
    led = ledger(
        org_type=["municipality", "municipality", "wellbeing_area", "municipality", "municipality"],
        org_code=["091", "564", "19", "164", "091"],
        year=[2022, 2023, 2023, 2015, 2017],
        service_class=["3021", "3051", "2131", None, None],
        task_class=[None, None, None, "Lasten päivähoito", "Käyttötalous yhteensä"],
    )
    out = _validate.check_ledger_codes(led)
    assert out.empty
    assert list(out.columns) == ["file", "row", "column", "value", "problem"]


def test_check_ledger_codes_finds_problems() -> None:
    set_lang("en")  # the problem texts asserted below are the English ones
    led = ledger(
        org_type=["municipality"] * 6 + ["wellbeing_area"] * 3,
        org_code=["091", "091", "999", "164", "091", "091", "01", "42", "02"],
        year=[2022, 2022, 2022, 2017, 2023, 2022, 2023, 2023, 2023],
        service_class=["9999", "2605", "3021", "3021", "2120", None, "3021", "2131", None],
        task_class=[None, None, None, None, None, "Varhaiskasvatus", None, None, "Perusopetus"],
    )
    out = _validate.check_ledger_codes(led)
    got = {(int(r.row), r.column, r.value): r.problem for r in out.itertuples()}
    assert set(got) == {
        (2, "service_class", "9999"),  # unknown code
        (3, "service_class", "2605"),  # closed 31.12.2021, used in 2022
        (4, "org_code", "999"),  # unknown municipality
        (5, "org_code", "164"),  # Jalasjärvi merged into Kurikka 2016
        (5, "service_class", "3021"),  # and service classes start in 2021
        (6, "service_class", "2120"),  # child protection left the municipalities in 2023
        (7, "task_class", "Varhaiskasvatus"),  # task classes end in 2020
        (8, "service_class", "3021"),  # early childhood education is not a wellbeing-area class
        (9, "org_code", "42"),  # no such wellbeing area
        (10, "task_class", "Perusopetus"),
    }
    assert "unknown service class" in got[(2, "service_class", "9999")]
    assert "not valid in 2022" in got[(3, "service_class", "2605")]
    assert "unknown municipality" in got[(4, "org_code", "999")]
    assert "Kurikka" in got[(5, "org_code", "164")]
    assert "2015–2020" in got[(7, "task_class", "Varhaiskasvatus")]
    assert out["file"].eq("test.csv").all()
    assert list(out["row"]) == sorted(out["row"])


def test_check_ledger_codes_years_outside_reference() -> None:
    led = ledger(year=[2019, 2012], service_class=["3021", None], task_class=[None, "Perusopetus"])
    out = _validate.check_ledger_codes(led)
    assert list(out["column"]) == ["service_class", "task_class"]
    assert "vuodesta 2021 alkaen" in out["problem"].iloc[0]
    assert "2015–2020" in out["problem"].iloc[1]


def test_check_ledger_codes_maps_back_every_line() -> None:
    n = 20_000
    rng = np.random.default_rng(1)
    classes = rng.choice(["3021", "2605", "3051"], n)
    led = ledger(year=[2022] * n, service_class=list(classes))
    out = _validate.check_ledger_codes(led)
    assert len(out) == int((classes == "2605").sum())
    assert set(out["row"] - 2) == set(np.flatnonzero(classes == "2605"))


def test_check_ledger_codes_accepts_plain_object_columns() -> None:
    led = pd.DataFrame({"org_type": ["municipality"], "org_code": ["091"], "year": [2022],
                        "service_class": ["2605"], "task_class": [None]})
    out = _validate.check_ledger_codes(led)
    assert list(out["row"]) == [1] and out["file"].iloc[0] == "<memory>"


# --------------------------------------------------------------------------- doctests and rebuild


def test_doctests() -> None:
    result = doctest.testmod(ref, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_build_script_reproduces_committed_files(tmp_path: Path) -> None:
    if not SHARED.is_dir():
        pytest.skip(f"SKIPPED: ../shared/data not found (looked for {SHARED}); cannot rebuild the reference tables")
    out = tmp_path / "reference"
    proc = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "build_reference.py"), "--shared", str(SHARED), "--out", str(out),
         "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    for name in TABLES:
        assert (out / name).read_bytes() == (PACKAGED / name).read_bytes(), f"{name} differs from a fresh build"


def test_business_ids_are_unique_and_known_errors_corrected() -> None:
    m = ref.municipalities()
    ids = m["business_id"].dropna()
    assert not ids.duplicated().any()  # an ID the source gives to several municipalities is withheld
    by_code = m.set_index("code")["business_id"]
    assert by_code["091"] == "0201256-6"  # Helsingin kaupunki (the source file gives Heinävesi's ID)
    assert by_code["853"] == "0204819-8"  # Turun kaupunki
    assert pd.isna(by_code["753"])  # Sipoo: the source shares Simo's ID, so neither gets one
