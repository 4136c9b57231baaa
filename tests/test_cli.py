"""The ``lapsibudjetti`` command end to end: sample data, real data, bad input, usage errors."""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

import lapsibudjetti as lb
from lapsibudjetti import cli
from lapsibudjetti.output._report import municipality_views

REPO = Path(__file__).resolve().parents[1]
KTA14 = "nettokayttokustannukset_tehtavittain_kunnat_2015_2019__budgetr_statfin_kta14.csv"

GOOD = (
    "Oulun kaupunki, tilinpäätös 2022\n"
    "Kunta;Vuosi;Vaihe;Palveluluokka;Kustannuspaikka;Euroa\n"
    "564;2022;TP;3021 Päiväkotitoiminta;K310;1 234 567,00\n"
    "564;2022;TP;3051 Perusopetus;K320;2 345 678,50\n"
    "564;2022;TP;3501 Kirjastopalvelut;K330;500 000,00\n"
    "564;2022;TP;2120 Erittelemätön lastensuojelun sijaishuolto;K410;270 000,00\n"
    "564;2022;TP;2131 Lastensuojelun avohuolto;K420;100 000,00\n"
    "564;2021;TP;3051 Perusopetus;K320;2 300 000,00\n"
)
BROKEN = (
    "Kunta;Vuosi;Vaihe;Palveluluokka;Euroa\n"
    "564;2022;TP;3021;1 234,50\n"
    "564;2022;TP;3051;abc\n"
    "564;2022;TP;3051;12x\n"
)


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The command as a user runs it: a new process, stdout and stderr not terminals."""
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "lapsibudjetti", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture()
def good(tmp_path: Path) -> Path:
    path = tmp_path / "tp2022_oulu.csv"
    path.write_text(GOOD, encoding="utf-8")
    return path


@pytest.fixture()
def broken(tmp_path: Path) -> Path:
    path = tmp_path / "broken.csv"
    path.write_text(BROKEN, encoding="utf-8")
    return path


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_report_on_the_bundled_sample(tmp_path: Path) -> None:
    proc = run("report", "--out", "report", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "report"
    assert "huom: ei kirjanpitoja annettu: käytetään mukana tulevaa esimerkkiaineistoa" in proc.stderr
    assert "\r" not in proc.stderr  # no progress bar when stderr is not a terminal
    assert "Traceback" not in proc.stderr
    assert proc.stdout.startswith("Kuntanäkymät: kunnan omat menot + sen osuus hyvinvointialueen menoista")
    assert "Täsmäytys: kaikki 16 organisaatio-vuotta täsmäävät sentilleen." in proc.stdout  # 2 municipality views × 4 years × 2 phases
    assert "Luokittelemattomia rivejä: 0" in proc.stdout
    assert "Perusopetus" in proc.stdout  # the top categories
    assert f"Työkirja:   {Path('report') / 'lapsibudjetti.xlsx'}" in proc.stdout
    wb = load_workbook(out / "lapsibudjetti.xlsx")
    # the council's sheets first (cover, key figures by year, charts), then the tables
    assert wb.sheetnames[:5] == ["Kansilehti", "Vuosittain", "Kuviot", "Yhteenveto", "Palveluryhmittäin"]
    assert len(wb["Kuviot"]._images) == len(cli.CHARTS)  # every chart embedded
    names = {p.name for p in (out / "tables").iterdir()}
    for table in ("summary", "by_category", "by_tier", "by_sector", "comparison", "unmapped", "reconciliation", "method_rules"):
        assert {f"{table}.csv", f"{table}.parquet"} <= names
    # the sample's price index gives the changes in real terms of the municipality views
    assert {"series.csv", "series_by_sector.parquet", "budget_vs_actual.csv", "method_price_index.csv"} <= names
    assert "Lapsiin kohdistuvien eurojen reaalimuutos 2024 (tilinpäätös" in proc.stdout
    assert {"Muutokset", "Muutokset sektoreittain", "Toteuma ja talousarvio", "Hintaindeksi"} <= set(wb.sheetnames)
    charts = sorted(p.name for p in (out / "charts").iterdir())
    assert charts == sorted(f"{stem}.{ext}" for stem, _, _ in cli.CHARTS for ext in ("png", "svg"))
    width, height = _png_size(out / "charts" / "tiers.png")
    assert (width, height) == (int(13.333 * 200), 1500)  # a 16:9 slide at 200 dpi
    assert (out / "charts" / "tiers.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_report_twice_gives_identical_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("a", "b"):
        assert cli.main(["report", "--out", str(tmp_path / name), "--no-charts", "--csv-dialect", "plain"]) == 0
    capsys.readouterr()
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert len(files) > 20
    for rel in files:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


@pytest.mark.realdata
def test_report_on_the_real_statistics(shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["report", "--statistics", str(shared_data / KTA14), "--population-year", "nearest", "--out", str(tmp_path / "tmp")])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Täsmäytys: kaikki 1558 organisaatio-vuotta täsmäävät sentilleen." in out
    assert "nettokäyttökustannukset" in out
    assert "kaaviot näyttävät ne 20 organisaatiota, joilla on eniten lapsiin kohdistuvia euroja vuonna 2019 (316 organisaatiosta)" in err
    assert "--chart-orgs" in err  # the command's own spelling of the option
    summary = pq.read_table(tmp_path / "tmp" / "tables" / "summary.parquet").to_pandas()
    assert len(summary) == 1558 and set(summary["year"]) == set(range(2015, 2020))
    assert set(summary["measure"]) == {"net operating cost"}
    # domain.md §8: placements cost about 2.7 times non-residential child protection nationally
    ratio = summary["placements_euros"].sum() / summary["nonresidential_euros"].sum()
    assert 2.3 < ratio < 3.2
    # the euros of the input are all there: tasks sum to the statistics' totals, nothing unmapped
    assert summary["unmapped_euros"].sum() == 0
    assert 150e9 < summary["total_euros"].sum() < 160e9
    wb = load_workbook(tmp_path / "tmp" / "lapsibudjetti.xlsx", read_only=True)
    assert wb["Yhteenveto"].max_row == 1558 + 5
    wb.close()
    assert len(list((tmp_path / "tmp" / "charts").glob("*.png"))) == 5


def test_validate_lists_every_problem_with_file_row_and_column(tmp_path: Path, broken: Path) -> None:
    second = tmp_path / "second.csv"
    second.write_text("Kunta;Vuosi;Vaihe;Euroa\n564;2022;TP;10,00\n", encoding="utf-8")  # no class column
    proc = run("validate", "--ledger", broken, "--ledger", second, "--set", "org_type=municipality", cwd=tmp_path)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "2 ongelmaa löytyi" in proc.stderr
    err = proc.stderr
    assert "broken.csv, rivi 3, sarake 'Euroa'" in err
    assert "ei luku" in err and "'abc'" in err and "'12x'" in err  # every bad cell, not only the first
    assert "second.csv" in err
    assert proc.stdout == ""  # nothing is written or reported


def test_validate_good_inputs(tmp_path: Path, good: Path) -> None:
    proc = run("validate", "--ledger", good, "--set", "org_type=municipality", "--population-year", "nearest", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("OK: 1 kirjanpitotiedostoa, 6 riviä: ei ongelmia.")
    assert list(tmp_path.iterdir()) == [good]  # validate writes nothing


def test_report_with_bad_input_exits_1_plainly(tmp_path: Path, broken: Path) -> None:
    proc = run("report", "--ledger", broken, "--set", "org_type=municipality", "--out", "r", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.startswith("InputError: broken.csv, rivi 3, sarake 'Euroa':")
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "r").exists()
    debug = run("report", "--ledger", broken, "--set", "org_type=municipality", "--debug", cwd=tmp_path)
    assert debug.returncode == 1 and "Traceback" in debug.stderr


def test_missing_population_is_an_input_problem(tmp_path: Path, good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["report", "--ledger", str(good), "--set", "org_type=municipality", "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("AllocationError: Kohdistusavain puuttuu")
    assert "--population-year nearest" in err and "Oulu (564) 2022" in err


def test_price_index_for_changes_in_real_terms(tmp_path: Path, good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    index = tmp_path / "price_index.csv"
    index.write_text("year;index\n2021;100,0\n2022;105,0\n", encoding="utf-8")
    code = cli.main(["report", "--ledger", str(good), "--set", "org_type=municipality", "--population-year", "nearest",
                     "--price-index", str(index), "--lang", "en", "--out", str(tmp_path / "r"), "--no-charts"])
    out, err = capsys.readouterr()
    assert code == 0, err
    series = pd.read_parquet(tmp_path / "r" / "tables" / "series.parquet")
    row = series[(series["year"] == 2022) & (series["phase"] == "actual")].iloc[0]
    before = series[(series["year"] == 2021) & (series["phase"] == "actual")].iloc[0]
    assert row["real_change_pct"] == pytest.approx(row["child_euros"] / (before["child_euros"] * 1.05) - 1)
    assert "Real change of the child-targeted euros in 2022 (actual): Oulu +" in out  # no wellbeing area in the data
    bad = tmp_path / "bad_index.csv"
    bad.write_text("year;index\n2022;105,0\n", encoding="utf-8")  # 2021 missing
    assert cli.main(["report", "--ledger", str(good), "--set", "org_type=municipality", "--population-year", "nearest",
                     "--price-index", str(bad), "--out", str(tmp_path / "s"), "--no-charts"]) == 1
    assert "hintaindeksistä puuttuu sarjan vuosi tai vuodet 2021" in capsys.readouterr().err


def test_user_population_and_keys(tmp_path: Path, good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    population = tmp_path / "vaesto.csv"
    rows = [f"564;{year};{age};{'1 000' if age < 18 else '3 000'}" for year in (2021, 2022) for age in range(0, 101)]
    population.write_text("org_code;year;age;persons\n" + "\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "r"
    code = cli.main(["report", "--ledger", str(good), "--set", "org_type=municipality", "--population", str(population),
                     "--out", str(out), "--no-charts", "--csv-dialect", "plain"])
    assert code == 0, capsys.readouterr().err
    summary = pd.read_csv(out / "tables" / "summary.csv", dtype={"org_code": str})
    assert summary["children"].tolist() == [18_000.0, 18_000.0]  # exactly the given population: no 'nearest' needed
    keys = pd.read_csv(out / "tables" / "method_keys.csv", dtype={"org_code": str})
    library = keys[keys["rule_id"] == "sc-3501"]  # libraries: the 0-17 share of the population
    assert library["child_share"].tolist() == [pytest.approx(18_000 / (18_000 + 83 * 3_000))]
    bad_keys = tmp_path / "avaimet.csv"
    bad_keys.write_text("key;org_code;year;share\nupper_secondary_students;564;2022;1,5\n", encoding="utf-8")
    assert cli.main(["validate", "--ledger", str(good), "--set", "org_type=municipality", "--keys", str(bad_keys)]) == 1
    err = capsys.readouterr().err
    assert "avaimet.csv" in err and "välin [0, 1] ulkopuolella" in err


def test_report_from_ledgers_in_english(tmp_path: Path, good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["report", "--ledger", str(good), "--set", "org_type=municipality", "--years", "2022", "--lang", "en",
                     "--csv-dialect", "plain", "--population-year", "nearest", "--measure", "gross operating expenses",
                     "--out", str(tmp_path / "r")])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Child budget (gross operating expenses; ages 0–17)" in out
    assert "Reconciliation: all 1 organisation-years reconcile to the cent." in out
    assert "note: chart preventive_share skipped: it shows a change over time and the data have one year only." in err
    wb = load_workbook(tmp_path / "r" / "lapsibudjetti.xlsx")
    assert wb.sheetnames[:3] == ["Cover", "By year", "Charts"] and wb.sheetnames[3] == "Summary"
    assert wb["Summary"]["A2"].value == "Amounts: gross operating expenses. Target group: ages 0–17."
    summary = (tmp_path / "r" / "tables" / "summary.csv").read_text(encoding="utf-8").splitlines()
    assert summary[0].startswith("org_type,org_code,org_name,year,phase,total_euros")
    assert len(summary) == 2 and ",2022,actual,4450245.5," in summary[1]  # 2021 left out by --years
    assert {p.name for p in (tmp_path / "r" / "charts").glob("*.png")} == {"tiers.png", "per_child.png", "sisote_split.png"}
    # a second run into the same folder with two years: the time-series charts appear; then back to one year,
    # and the charts and tables that no longer apply are removed, so the folder is what the run made
    assert cli.main(["report", "--ledger", str(good), "--set", "org_type=municipality", "--population-year", "nearest",
                     "--out", str(tmp_path / "r"), "--csv-dialect", "plain"]) == 0
    assert (tmp_path / "r" / "charts" / "preventive_share.png").exists()
    # a file of the user's own in the tables folder: the report refuses to mix with it, and with --force
    # writes beside it without touching it (it used to delete every CSV it had not written itself)
    mine = tmp_path / "r" / "tables" / "my_notes.csv"
    mine.write_text("my own notes", encoding="utf-8")
    capsys.readouterr()
    one_year = ["report", "--ledger", str(good), "--set", "org_type=municipality", "--years", "2022",
                "--population-year", "nearest", "--out", str(tmp_path / "r")]
    assert cli.main(one_year) == 1
    assert "tables/my_notes.csv" in capsys.readouterr().err
    assert cli.main([*one_year, "--force"]) == 0
    assert "huom: poistettiin 4 aiemman raportin tiedostoa" in capsys.readouterr().err
    assert not (tmp_path / "r" / "charts" / "preventive_share.png").exists()
    assert mine.read_text(encoding="utf-8") == "my own notes"
    assert cli.main(["report", "--ledger", str(good), "--set", "org_type=municipality", "--years", "2030",
                     "--out", str(tmp_path / "s")]) == 1
    assert "vuosilta 2030 ei ole kirjanpidon rivejä; kirjanpidoissa on vuodet 2021–2022" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [[], ["frobnicate"], ["report", "--years", "20x1"], ["report", "--lang", "de"],
                                  ["report", "--set", "org_type"], ["rules"], ["report", "--years", "2024-2021"]])
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(argv) == 2
    assert "usage: lapsibudjetti" in capsys.readouterr().err


def test_usage_error_exit_code_of_the_process(tmp_path: Path) -> None:
    proc = run("report", "--target-group", cwd=tmp_path)
    assert proc.returncode == 2
    assert "expected one argument" in proc.stderr
    version = run("--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.strip() == f"lapsibudjetti {lb.__version__}"
    assert run("validate", cwd=tmp_path).returncode == 2  # nothing to validate


def test_rules_round_trip(tmp_path: Path, good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "rules.xlsx"
    assert cli.main(["rules", "--out", str(path)]) == 0
    assert f"Kirjoitettu {len(lb.default_rules())} sääntöä" in capsys.readouterr().out
    back = lb.load_rules(path)
    pd.testing.assert_frame_equal(back.table[["rule_id", "colour", "tier", "basis"]],
                                  lb.default_rules().table[["rule_id", "colour", "tier", "basis"]])
    # an edited file is used: make basic education yellow with a fixed 50 % key
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    head = [c.value for c in ws[2]]  # row 1 holds the Finnish headings, row 2 the canonical names
    for row in ws.iter_rows(min_row=3):
        if row[head.index("rule_id")].value == "sc-3051":
            row[head.index("colour")].value = "yellow"
            row[head.index("key")].value = "fixed:50%"
            row[head.index("basis")].value = "local decision: half of basic education (test)"
    wb.save(path)
    out = tmp_path / "r"
    assert cli.main(["report", "--ledger", str(good), "--set", "org_type=municipality", "--rules", str(path),
                     "--population-year", "nearest", "--years", "2022", "--out", str(out), "--no-charts"]) == 0
    rules = pd.read_csv(out / "tables" / "method_rules.csv", sep=";", decimal=",", encoding="utf-8-sig", dtype={"lines": int})
    row = rules.set_index("rule_id").loc["sc-3051"]
    assert (row["colour"], row["basis"], row["lines"]) == ("yellow", "local decision: half of basic education (test)", 1)
    assert row["child_euros"] == pytest.approx(2_345_678.5 / 2)
    capsys.readouterr()
    # an existing file is not overwritten by accident
    assert cli.main(["rules", "--out", str(path)]) == 1
    assert "on jo olemassa; siinä voi olla muokkauksiasi" in capsys.readouterr().err
    assert cli.main(["rules", "--out", str(path), "--force", "--profile", "placements_only"]) == 0
    assert lb.load_rules(path, profile="placements_only").table["tier"].tolist() == lb.default_rules("placements_only").table["tier"].tolist()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal(tmp_path: Path, good: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tty = _Terminal()
    bar = cli.Progress(4, stream=tty)
    bar.step("reading a.csv")
    bar.step("reading b.csv")
    bar.close()
    text = tty.getvalue()
    assert "\r[############............] 2/4 reading b.csv" in text
    assert text.endswith("\r")  # cleared
    plain = io.StringIO()
    quiet = cli.Progress(4, stream=plain)
    quiet.step("x")
    assert plain.getvalue() == ""
    # through the command: two files on a terminal draw the bar on stderr, stdout stays clean
    second = tmp_path / "second.csv"
    second.write_text(GOOD.replace("564;", "091;"), encoding="utf-8")
    term = _Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    assert cli.main(["validate", "--ledger", str(good), "--ledger", str(second), "--set", "org_type=municipality",
                     "--population-year", "nearest"]) == 0
    assert "luetaan second.csv" in term.getvalue() and "\r[" in term.getvalue()
    assert "\r" not in out.getvalue() and out.getvalue().startswith("OK: 2 kirjanpitotiedostoa, 12 riviä")


def test_internal_errors_are_named_as_bugs(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def boom(args: object, console: object) -> int:
        raise RuntimeError("kaboom")

    monkeypatch.setitem(cli._COMMANDS, "rules", boom)
    assert cli.main(["rules", "--out", "x.xlsx"]) == cli.EXIT_INTERNAL
    err = capsys.readouterr().err
    assert "sisäinen virhe: RuntimeError: kaboom" in err and "Traceback" not in err
    assert cli.main(["--debug", "rules", "--out", "x.xlsx"]) == cli.EXIT_INTERNAL
    assert "Traceback" in capsys.readouterr().err
    assert cli.main(["rules", "--out", "x.xlsx", "--debug"]) == cli.EXIT_INTERNAL  # --debug after the command too
    assert "Traceback" in capsys.readouterr().err


def test_sisote_split_is_drawn_from_the_municipality_views() -> None:
    from lapsibudjetti.samples._load import load_sample

    sample = load_sample("synthetic")
    result = sample.child_budget()
    view = municipality_views(result, registry=sample.registry, population=sample.population)
    assert view is not None and view.view == "municipality"
    summary = view.summary()
    assert set(summary["org_code"]) == {"X01", "X02"}  # the area's sote euros are shared out to its municipalities
    own = result.summary().set_index(["org_code", "year", "phase"])["child_euros"]
    shared = summary.set_index(["org_code", "year", "phase"])["child_euros"]
    area = own.loc["X1"]
    for (year, phase), euros in area.items():
        assert shared.loc[[("X01", year, phase), ("X02", year, phase)]].sum() == pytest.approx(
            own.loc[[("X01", year, phase), ("X02", year, phase)]].sum() + euros)
    # municipal data only (as up to 2022): the organisations as booked
    led = lb.make_ledger({"org_code": ["564"], "year": [2019], "task_class": ["Perusopetus"], "amount": [1.0]},
                         org_type="municipality", phase="actual")
    assert municipality_views(lb.child_budget(led)) is None
