"""The bundled samples: reproducible bytes, valid codes, euros that reconcile, the rules exercise."""

from __future__ import annotations

import csv
import importlib.util
import shutil
import subprocess
import sys
import warnings
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lapsibudjetti as lb
from lapsibudjetti.samples._load import SYNTHETIC_LEDGERS, Sample, load_sample, sample_path
from lapsibudjetti._schema import amount_cents

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "make_samples.py"
SAMPLES = REPO / "lapsibudjetti" / "samples"
SOTE_YEARS = (2021, 2022)
AREA_YEARS = (2023, 2024)


def _make_samples():
    spec = importlib.util.spec_from_file_location("make_samples", SCRIPT)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["make_samples"] = module  # dataclasses look their module up while the class is built
    try:
        spec.loader.exec_module(module)  # type: ignore[union-attr]
    finally:
        del sys.modules["make_samples"]
    return module


def _is_sote(codes: pd.Series) -> np.ndarray:
    """Social and health classes: 2xxx (but not the municipal environmental health 27xx) and 3456."""
    c = codes.astype(str)
    return ((c.str.startswith("2") & ~c.str.startswith("27")) | (c == "3456") | c.str.startswith("48")).to_numpy()


@pytest.fixture(scope="module")
def synthetic() -> Sample:
    return load_sample("synthetic")


@pytest.fixture(scope="module")
def synthetic_budget(synthetic: Sample) -> lb.ChildBudget:
    return synthetic.child_budget()


@pytest.fixture(scope="module")
def real() -> Sample:
    return load_sample("real")


# --------------------------------------------------------------------------- the generator


def test_generator_reproduces_committed_files_byte_for_byte(shared_data: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--check", "--shared", str(shared_data)],
        capture_output=True, text=True, cwd=REPO, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "up to date" in done.stdout


def test_check_fails_on_any_difference(shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "samples"
    shutil.copytree(SAMPLES, copy)
    keys = copy / "synthetic" / "keys.csv"
    keys.write_bytes(keys.read_bytes().replace(b",X01,2021,", b",X01,2021,1", 1))
    (copy / "stray.csv").write_text("x\n", encoding="utf-8")
    assert _make_samples().main(["--check", "--out", str(copy), "--shared", str(shared_data)]) == 1
    err = capsys.readouterr().err
    assert "differs: synthetic/keys.csv" in err
    assert "not made by the script: stray.csv" in err
    assert "rules_default.xlsx" not in err


def test_workbooks_carry_no_save_time() -> None:
    import zipfile

    for path in [SAMPLES / "rules_default.xlsx", *sorted((SAMPLES / "synthetic").glob("*.xlsx"))]:
        with zipfile.ZipFile(path) as z:
            assert {i.date_time for i in z.infolist()} == {(2024, 1, 1, 0, 0, 0)}, path.name
            assert {i.compress_type for i in z.infolist()} == {zipfile.ZIP_STORED}, path.name
            core = z.read("docProps/core.xml").decode()
        assert core.count("2024-01-01T00:00:00Z") == 2, path.name


# --------------------------------------------------------------------------- files and paths


def test_sample_path_finds_files_and_names_the_missing() -> None:
    assert sample_path().is_dir()
    assert sample_path("synthetic/keys.csv").is_file()
    with pytest.raises(lb.InputError, match="rules_default.xlsx"):
        sample_path("no_such_file.csv")


def test_unknown_sample_name_is_an_error() -> None:
    with pytest.raises(lb.InputError, match="'synthetic', 'real'"):
        load_sample("demo")  # type: ignore[arg-type]


def test_synthetic_csv_is_a_finnish_export_labelled_synthetic() -> None:
    for file in SYNTHETIC_LEDGERS.values():
        data = sample_path(file).read_bytes()
        assert "SYNTHETIC" in file
        assert data.startswith(b"\xef\xbb\xbf")
        first, header = data[3:].decode("utf-8").split("\r\n")[:2]
        assert "SYNTEETTINEN AINEISTO" in first and "SYNTHETIC DATA" in first
        assert header.split(";")[0] == "Organisaatiotyyppi" and header.endswith(";Kustannuspaikka;Euroa")
        assert "\u00a0" in data.decode("utf-8") and b"\n" not in data.replace(b"\r\n", b"")


def test_xlsx_ledgers_hold_the_same_lines_as_the_csv(synthetic: Sample) -> None:
    cols = [c for c in lb.LEDGER_COLUMNS if c not in ("source_file", "source_row")]
    for key, file in SYNTHETIC_LEDGERS.items():
        xlsx = lb.read_ledger(sample_path(file.replace(".csv", ".xlsx")), check_codes=False)
        xlsx = lb.validate_ledger(xlsx, registry=synthetic.registry)
        pd.testing.assert_frame_equal(
            xlsx[cols].astype({c: object for c in cols if c not in ("year", "amount")}),
            synthetic.ledgers[key][cols].astype({c: object for c in cols if c not in ("year", "amount")}),
        )
        # CSV: title line 1, header line 2; XLSX: title row 1, header row 3
        assert (xlsx["source_row"] - synthetic.ledgers[key]["source_row"] == 1).all()


# --------------------------------------------------------------------------- the synthetic sample


def test_fictional_codes_pass_only_with_the_sample_registry(synthetic: Sample) -> None:
    lb.set_lang("en")  # the problem texts asserted below are the English ones
    path = sample_path(SYNTHETIC_LEDGERS["X01"])
    with pytest.raises(lb.InputError, match="unknown municipality code"):
        lb.read_ledger(path)
    raw = lb.read_ledger(path, check_codes=False)
    assert len(lb.validate_ledger(raw, registry=synthetic.registry)) == len(raw)
    # the registry does not switch the checks off: a year before the fictional
    # municipality existed, an unknown code and a wrong class are still errors
    bad = raw.head(3).astype({"org_code": object, "service_class": object})
    bad.loc[0, "year"] = 2020
    bad.loc[1, "org_code"] = "X03"
    bad.loc[2, "service_class"] = "3020"
    with pytest.raises(lb.InputError) as err:
        lb.validate_ledger(bad, registry=synthetic.registry)
    problems = err.value.rows.groupby("row")["problem"].agg(" | ".join).to_dict()
    rows = raw["source_row"].head(3).tolist()
    assert "municipality not in the registry for 2020 (registry validity 2021–)" in problems[rows[0]]
    assert problems[rows[1]] == "unknown municipality code"
    assert "unknown service class" in problems[rows[2]]


def _csv_cents(path: Path) -> dict[tuple[str, int, str], int]:
    """Net cents per organisation, year and phase, parsed from the Finnish CSV without the library."""
    phases = {"TA": "budget", "TP": "actual"}
    text = path.read_bytes().decode("utf-8-sig").split("\r\n", 1)[1]
    out: dict[tuple[str, int, str], int] = {}
    for row in csv.DictReader(text.splitlines(), delimiter=";"):
        euros = Decimal(row["Euroa"].replace("\u00a0", "").replace(",", "."))
        org = row.get("Kunta") or row["Hyvinvointialue"]
        key = (org, int(row["Vuosi"]), phases[row["Vaihe"]])
        out[key] = out.get(key, 0) + int(euros * 100)
    return out


def test_synthetic_child_budget_reconciles_to_the_cent(synthetic_budget: lb.ChildBudget) -> None:
    rec = synthetic_budget.reconciliation
    assert rec["ok"].all() and len(synthetic_budget.unmapped) == 0
    expected: dict[tuple[str, int, str], int] = {}
    for file in SYNTHETIC_LEDGERS.values():
        expected.update(_csv_cents(sample_path(file)))
    got = {
        (r.org_code, int(r.year), r.phase): int(round(r.input_euros * 100))
        for r in rec.itertuples(index=False)
    }
    assert got == expected
    lines = synthetic_budget.lines
    classified = lines.assign(c=amount_cents(lines["amount"])).groupby(["org_code", "year", "phase"], observed=True)["c"].sum()
    assert {(o, int(y), p): int(v) for (o, y, p), v in classified.items()} == expected
    # child euros never exceed the line amounts of child-targeted lines and reconcile by colour
    by_colour = synthetic_budget.by("colour")
    total_child = float(synthetic_budget.summary()["child_euros"].sum())
    assert float(by_colour["child_euros"].sum()) == pytest.approx(total_child, abs=0.01)
    assert total_child == pytest.approx(float(lines["child_euros"].sum()), abs=0.01)


def test_sote_classes_switch_from_municipalities_to_the_area_in_2023(synthetic: Sample, synthetic_budget: lb.ChildBudget) -> None:
    for key, led in synthetic.ledgers.items():
        sote_years = set(led.loc[_is_sote(led["service_class"]), "year"])
        other_years = set(led.loc[~_is_sote(led["service_class"]), "year"])
        if key == "X1":
            assert (led["org_type"] == "wellbeing_area").all()
            assert sote_years == set(AREA_YEARS) and other_years == set()
        else:
            assert (led["org_type"] == "municipality").all()
            assert sote_years == set(SOTE_YEARS), key
            assert other_years == set(SOTE_YEARS) | set(AREA_YEARS)
    sector = synthetic_budget.by("sector")
    actual = sector[(sector["sector"].astype(str) == "sote") & (sector["phase"].astype(str) == "actual")]
    sote = actual.groupby(["org_code", "year"], observed=True)["child_euros"].sum()
    for org in ("X01", "X02"):
        for year in SOTE_YEARS:
            assert sote[(org, year)] > 1_000_000
        for year in AREA_YEARS:
            assert sote.get((org, year), 0.0) == 0.0
    for year in AREA_YEARS:
        assert sote[("X1", year)] > 10_000_000
    # the series continues across the reform: the area's 2023 child sote is
    # within 25 % of the members' 2022 child sote plus a year's cost growth
    before = sote[("X01", 2022)] + sote[("X02", 2022)]
    assert 1.0 < sote[("X1", 2023)] / before < 1.25


def test_synthetic_amounts_are_plausible(synthetic: Sample, synthetic_budget: lb.ChildBudget) -> None:
    x01 = synthetic.ledgers["X01"]
    act21 = x01[(x01["year"] == 2021) & (x01["phase"] == "actual")]
    by_class = act21.groupby("service_class", observed=True)["amount"].sum()
    assert 22e6 < by_class["3051"] < 28e6  # basic education
    assert 13e6 < by_class[["3021", "3022", "3023"]].sum() < 17e6  # early childhood education
    assert 4e6 < by_class[["2121", "2122", "2123"]].sum() < 7e6  # placements
    # expenses on 4xxx accounts are positive, revenues on 3xxx negative
    for led in synthetic.ledgers.values():
        acc = led["account"].astype(str)
        assert (led.loc[acc.str.startswith("4").to_numpy(), "amount"] > 0).all()
        assert (led.loc[acc.str.startswith("3").to_numpy(), "amount"] < 0).all()
    # budgets in whole hundreds of euros; actual within 10 % of budget per organisation-year
    budget = pd.concat([led[led["phase"] == "budget"] for led in synthetic.ledgers.values()])
    assert (amount_cents(budget["amount"]) % 10_000 == 0).all()
    s = synthetic_budget.summary().pivot_table(index=["org_code", "year"], columns="phase", values="total_euros")
    assert ((s["actual"] / s["budget"] - 1).abs() < 0.10).all()
    # the placements ratio of domain.md §8 (about 2.7 nationally)
    ratio = synthetic_budget.summary().dropna(subset=["placements_ratio"])["placements_ratio"]
    assert ratio.between(1.5, 4.0).all()


def test_cost_centre_to_be_cleared_sits_on_a_valid_class(synthetic: Sample) -> None:
    x01 = synthetic.ledgers["X01"]
    k999 = x01[x01["cost_centre"].astype(str).str.startswith("K999")]
    assert len(k999) > 0
    assert set(k999["phase"]) == {"actual"} and set(k999["service_class"].astype(str)) == {"3051"}


def test_user_keys_cover_every_keyed_line(synthetic_budget: lb.ChildBudget) -> None:
    ks = synthetic_budget.key_shares
    user = ks[ks["key_used"].astype(str).str.startswith("user:")]
    assert set(user["service_class"]) == {"3101", "3151", "2534"}
    assert not ks["key_used"].astype(str).str.contains("fallback").any()
    assert ks["child_share"].between(0, 1).all()


def test_synthetic_population_and_registry(synthetic: Sample) -> None:
    tot = synthetic.population.totals.set_index(["org_code", "year"])["persons"]
    for year in (2021, 2022, 2023, 2024):
        assert 19_000 < tot[("X01", year)] < 21_500
        assert 7_300 < tot[("X02", year)] < 8_500
    age = synthetic.population.by_age
    assert sorted(set(age["age"])) == list(range(101))
    children = age[age["age"] <= 17].groupby(["org_code", "year"])["persons"].sum() / tot
    assert children.between(0.14, 0.24).all()
    assert synthetic.registry.members("X1", 2021) == ["X01", "X02"]
    assert synthetic.registry.name("wellbeing_area", "X1") == "Esimerkin hyvinvointialue"
    assert list(synthetic.price_index["year"]) == [2020, 2021, 2022, 2023, 2024]
    assert synthetic.price_index["source"].str.contains("SYNTHETIC").all()


def test_load_sample_hands_out_fresh_read_only_objects() -> None:
    first = load_sample("synthetic")
    with pytest.raises(TypeError):
        first.ledgers["X03"] = first.ledgers["X01"]  # type: ignore[index]
    first.ledgers["X01"].loc[0, "amount"] = 0.0
    second = load_sample("synthetic")
    assert second.ledgers["X01"].loc[0, "amount"] != 0.0


# --------------------------------------------------------------------------- the real sample


def test_real_sample_holds_every_member_of_the_two_areas(real: Sample) -> None:
    codes = set(real.ledgers["kta14"]["org_code"].astype(str))
    members = set(real.registry.members("04", 2019)) | set(real.registry.members("20", 2019))
    assert codes == members and {"092", "245"} <= codes and len(codes) == 10
    assert sorted(set(real.ledgers["kta14"]["year"])) == [2015, 2016, 2017, 2018, 2019]


def test_real_sample_reconciles_to_the_kta14_totals(real: Sample, shared_data: Path) -> None:
    codes = {c.lstrip("0") for c in real.ledgers["kta14"]["org_code"].astype(str)}
    grand: dict[tuple[str, int], int] = {}
    with open(shared_data / "nettokayttokustannukset_tehtavittain_kunnat_2015_2019__budgetr_statfin_kta14.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["muni"] in codes and row["func"] == "Käyttötalous yhteensä":
                grand[(row["muni"].zfill(3), int(row["year"]))] = int(Decimal(row["amount"]) * 100)
    assert len(grand) == 50
    led = real.ledgers["kta14"]
    sums = led.assign(c=amount_cents(led["amount"])).groupby(["org_code", "year"], observed=True)["c"].sum()
    assert {(o, int(y)): int(v) for (o, y), v in sums.items()} == grand
    totals = real.totals[real.totals["task_class"] == "Käyttötalous yhteensä"]
    assert {(r.org_code, int(r.year)): int(round(r.amount * 100)) for r in totals.itertuples()} == grand
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lb.LapsibudjettiWarning)  # ages for 2019 only: nearest year, recorded
        cb = real.child_budget()
    rec = cb.reconciliation
    assert rec["ok"].all() and len(cb.unmapped) == 0
    assert {(r.org_code, int(r.year)): int(round(r.input_euros * 100)) for r in rec.itertuples()} == grand
    basis = cb.method()["population"]["population_basis"].astype(str)
    assert basis.str.startswith("nearest").sum() == 40 and basis.str.startswith("exact").sum() == 10


def test_real_sample_population_matches_the_packaged_reference(real: Sample) -> None:
    codes = sorted(set(real.ledgers["kta14"]["org_code"].astype(str)))
    ref = lb.population_total()
    ref = ref[ref["municipality_code"].isin(codes) & ref["year"].between(2015, 2019)]
    got = real.population.totals.set_index(["org_code", "year"])["persons"]
    assert {(r.municipality_code, r.year): r.persons for r in ref.itertuples()} == got.to_dict()
    age = real.population.by_age
    assert set(age["year"]) == {2019}
    assert age.groupby("org_code")["persons"].sum().to_dict() == got.xs(2019, level="year").to_dict()


def test_real_file_keeps_the_source_rows(shared_data: Path) -> None:
    sample = sample_path("real_2015_2019/net_operating_costs_by_task_2015_2019.csv").read_text(encoding="utf-8").splitlines()
    source = (shared_data / "nettokayttokustannukset_tehtavittain_kunnat_2015_2019__budgetr_statfin_kta14.csv").read_text(encoding="utf-8").splitlines()
    codes = {line.split(",", 1)[0].lstrip("0") for line in sample[1:]}
    expected = [line for line in source[1:] if line.split(",", 1)[0] in codes]
    assert [line.split(",", 1)[1] for line in sample[1:]] == [line.split(",", 1)[1] for line in expected]
    assert all(len(line.split(",", 1)[0]) == 3 for line in sample[1:])


# --------------------------------------------------------------------------- the rules exercise


def test_rules_workbook_is_the_default_rules() -> None:
    loaded = lb.load_rules(sample_path("rules_default.xlsx"))
    default = lb.default_rules()
    cols = ["rule_id", "service_class", "task_class", "colour", "tier", "sector", "category", "key", "key_fallback"]
    pd.testing.assert_frame_equal(loaded.table[cols].reset_index(drop=True), default.table[cols].reset_index(drop=True))


def test_changing_one_rule_in_the_workbook_moves_exactly_its_lines(synthetic: Sample, synthetic_budget: lb.ChildBudget, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    edited = tmp_path / "rules.xlsx"
    shutil.copy(sample_path("rules_default.xlsx"), edited)
    wb = load_workbook(edited)
    ws = wb.worksheets[0]  # "Säännöt": Finnish headings in row 1, the canonical names in row 2
    header = [c.value for c in ws[2]]
    col = {name: i for i, name in enumerate(header)}
    row = next(r for r in ws.iter_rows(min_row=3) if r[col["rule_id"]].value == "sc-3601")
    for name, value in {"colour": "red", "tier": None, "category": "not_child_targeted", "label_fi": "Ei lapsiin kohdistuva",
                        "label_sv": "Inte riktad till barn", "label_en": "Not child-targeted"}.items():
        row[col[name]].value = value
    wb.save(edited)

    changed = synthetic.child_budget(rules=edited)
    assert changed.reconciliation["ok"].all()
    base_lines = synthetic_budget.lines
    covered = base_lines["rule_id"].astype(str) == "sc-3601"
    assert covered.sum() > 0 and set(base_lines.loc[covered, "service_class"].astype(str)) == {"3601"}
    moved = int(amount_cents(base_lines.loc[covered, "child_euros"]).sum())
    assert moved == int(amount_cents(base_lines.loc[covered, "amount"]).sum())  # green: the whole amount

    def child_cents(cb: lb.ChildBudget) -> pd.Series:
        return cb.lines.assign(c=amount_cents(cb.lines["child_euros"])).groupby(["org_code", "year", "phase"], observed=True)["c"].sum()

    diff = child_cents(synthetic_budget) - child_cents(changed)
    assert int(diff.sum()) == moved
    per_org = base_lines.loc[covered].assign(c=amount_cents(base_lines.loc[covered, "amount"]))
    per_org = per_org.groupby(["org_code", "year", "phase"], observed=True)["c"].sum()
    assert diff[diff != 0].to_dict() == per_org.to_dict()
    assert "X1" not in {k[0] for k in diff[diff != 0].index}


# --------------------------------------------------------------------------- packaging


def test_pyproject_finds_every_package_and_ships_every_sample_file() -> None:
    """Packages are found (no hand-kept list, no folder mapping), and every sample file type is package data."""
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert config["packages"] == {"find": {"include": ["lapsibudjetti*"]}}
    assert "package-dir" not in config
    data = set(config["package-data"]["lapsibudjetti"])
    for path in SAMPLES.rglob("*"):
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts and not path.name.startswith("."):
            folder = path.parent.relative_to(REPO / "lapsibudjetti").as_posix()
            assert f"{folder}/*{path.suffix}" in data, path
