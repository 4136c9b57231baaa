"""Build the bundled sample data of lapsibudjetti (``lapsibudjetti/samples/``).

Run from the repository root::

    python scripts/make_samples.py [--check] [--out DIR] [--shared DIR]

It writes

- ``real_2015_2019/``: real net operating costs by task 2015–2019 (Statistics
  Finland kta_14, from ``../shared/data``) of the member municipalities of two
  wellbeing areas, one urban (04 Vantaa and Kerava) and one rural (20 Kainuu),
  with their population by age 2019 and totals 2015–2019 (from the packaged
  reference tables);
- ``synthetic/``: SYNTHETIC account-level ledgers of the fictional
  municipalities Esimerkkilä (X01) and Mallila (X02) and their fictional
  wellbeing area (X1), 2021–2024, budget and actual, as Finnish-style CSV and
  XLSX, with the fictional organisations, a synthetic population by age, a
  user key table and a synthetic price index;
- ``rules_default.xlsx``: the national default rules as an editable workbook;
- ``README.md`` (Finnish and English) and ``.gitattributes``.

Everything is deterministic: one fixed seed, Python's own ``random.Random``
(whose ``random()`` stream is the same on every platform and version), amounts
computed in whole cents, workbooks saved with fixed timestamps and stored
(uncompressed) zip members so that no zlib build can change a byte. Running it
twice gives identical files. ``--check`` builds into a temporary folder and
compares every file byte for byte with ``--out``; it exits with 1 and lists
the differences when anything differs.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import filecmp
import io
import math
import random
import re
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(REPO))

import pandas as pd  # noqa: E402

import lapsibudjetti as lb  # noqa: E402

DEFAULT_OUT = REPO / "lapsibudjetti" / "samples"
DEFAULT_SHARED = REPO.parent / "shared" / "data"
F_KTA = "nettokayttokustannukset_tehtavittain_kunnat_2015_2019__budgetr_statfin_kta14.csv"
F_ACCOUNTS = "tililuettelo_kunta_2021_2023__osta.csv"

SEED = 20240515
#: Timestamp written into every workbook (document properties and zip members).
FIXED_TIME = dt.datetime(2024, 1, 1, 0, 0, 0)

REAL_DIR = "real_2015_2019"
SYN_DIR = "synthetic"
REAL_AREAS = {"04": "urban", "20": "rural"}
REAL_AREA_KINDS = {"04": "kaupunkimainen / urban", "20": "maaseutumainen / rural"}
REAL_YEARS = (2015, 2019)
SYN_YEARS = (2021, 2022, 2023, 2024)
#: Sote classes leave the municipalities on 1.1.2023 (domain.md §2).
REFORM_YEAR = 2023
PHASE_FI = {"budget": "TA", "actual": "TP"}
ORG_TYPE_FI = {"municipality": "kunta", "wellbeing_area": "hyvinvointialue"}
SYNTHETIC_NOTE = "SYNTHETIC: fictional data for training (lapsibudjetti samples), not real figures"
NBSP = "\u00a0"


class BuildError(Exception):
    """The inputs are not what the sample builder expects."""


# --------------------------------------------------------------------------- writing helpers


def _write_text(path: Path, text: str, *, bom: bool = False, newline: str = "\n") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.replace("\n", newline).encode("utf-8")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)


def _csv_text(rows: Iterable[Sequence[object]], *, delimiter: str = ",") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    w.writerows(rows)
    return buf.getvalue()


def _normalise_xlsx(path: Path) -> None:
    """Make an openpyxl workbook byte-deterministic.

    openpyxl stamps the save time into ``docProps/core.xml`` and into every zip
    member; the members are also deflated, whose bytes depend on the zlib
    build. Rewrite the file with one fixed timestamp and stored members.
    """
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path) as z:
        members = [(info.filename, z.read(info.filename)) for info in z.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as z:
        for name, data in members:
            if name == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)",
                    rb"\g<1>" + stamp + rb"\g<3>",
                    data,
                )
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    path.write_bytes(buf.getvalue())


def _fi_amount(cents: int) -> str:
    """``-1234567`` cents → ``-12 345,67`` (no-break space between thousands)."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    return f"{sign}{euros:,}".replace(",", NBSP) + f",{rest:02d}"


# --------------------------------------------------------------------------- real figures


def build_real(shared: Path, out: Path) -> dict[str, object]:
    """Copy the kta_14 rows of the two areas' members and their population."""
    kta = shared / F_KTA
    if not kta.is_file():
        raise BuildError(f"real data not found: {kta}. Pass --shared DIR (the folder with {F_KTA}).")
    members = lb.membership(REAL_YEARS[1])
    codes = sorted(members.loc[members["area_code"].isin(list(REAL_AREAS)), "municipality_code"])
    for year in range(REAL_YEARS[0], REAL_YEARS[1] + 1):
        m = lb.membership(year)
        now = sorted(m.loc[m["area_code"].isin(list(REAL_AREAS)), "municipality_code"])
        if now != codes:
            raise BuildError(f"membership of areas {sorted(REAL_AREAS)} changed in {year}: {now} vs {codes}")
    wanted = {str(int(c)) for c in codes}
    lines = kta.read_text(encoding="utf-8").splitlines()
    if lines[0] != "muni,year,func,amount":
        raise BuildError(f"{kta.name}: unexpected header {lines[0]!r}; expected 'muni,year,func,amount'")
    kept = [lines[0]]
    seen: set[tuple[str, str]] = set()
    for line in lines[1:]:
        muni, year, rest = line.split(",", 2)
        if muni in wanted and REAL_YEARS[0] <= int(year) <= REAL_YEARS[1]:
            kept.append(f"{muni.zfill(3)},{year},{rest}")
            seen.add((muni.zfill(3), year))
    expected = {(c, str(y)) for c in codes for y in range(REAL_YEARS[0], REAL_YEARS[1] + 1)}
    if seen != expected:
        raise BuildError(f"{kta.name}: missing municipality-years {sorted(expected - seen)}")
    folder = out / REAL_DIR
    _write_text(folder / "net_operating_costs_by_task_2015_2019.csv", "\n".join(kept) + "\n")

    age = lb.population_by_age()
    age = age[age["municipality_code"].isin(codes)].sort_values(["municipality_code", "year", "age"])
    if sorted(age["municipality_code"].unique()) != codes:
        raise BuildError("the packaged population by age lacks some of " + ", ".join(codes))
    _write_text(folder / "population_by_age_2019.csv", age.to_csv(index=False, lineterminator="\n"))
    tot = lb.population_total()
    tot = tot[tot["municipality_code"].isin(codes) & tot["year"].between(*REAL_YEARS)]
    tot = tot.sort_values(["municipality_code", "year"])
    if len(tot) != len(expected):
        raise BuildError("the packaged population totals lack some municipality-years of the real sample")
    _write_text(folder / "population_total_2015_2019.csv", tot.to_csv(index=False, lineterminator="\n"))
    return {"codes": codes, "rows": len(kept) - 1}


# --------------------------------------------------------------------------- synthetic organisations

MUNICIPALITIES = [
    # code, name_fi, name_sv, name_en, residents 2021
    ("X01", "Esimerkkilä", "Exempelby", "Esimerkkilä", 20_150),
    ("X02", "Mallila", "Modellby", "Mallila", 8_040),
]
AREA = ("X1", "Esimerkin hyvinvointialue", "Exempels välfärdsområde", "Example wellbeing services county")

#: Share of gross expenses per account (expenses > 0) and of revenue per
#: account (entered as negative amounts); revenue is a share of gross expenses.
PROFILES: dict[str, tuple[dict[str, float], dict[str, float]]] = {
    "education": (
        {"4000": 0.50, "4110": 0.11, "4210": 0.03, "4420": 0.05, "4520": 0.05, "4500": 0.03, "4470": 0.05, "4820": 0.18},
        {"3300": 0.03, "3005": 0.01},
    ),
    "ece": (
        {"4000": 0.55, "4110": 0.12, "4210": 0.03, "4520": 0.06, "4500": 0.02, "4470": 0.04, "4820": 0.18},
        {"3295": 0.10},
    ),
    "ece_support": ({"4712": 0.45, "4714": 0.25, "4315": 0.30}, {}),
    "school_day": ({"4000": 0.62, "4110": 0.13, "4520": 0.10, "4500": 0.05, "4820": 0.10}, {"3295": 0.16}),
    "purchased_education": ({"4440": 1.0}, {}),
    "grants": ({"4742": 0.88, "4470": 0.12}, {}),
    "culture": (
        {"4000": 0.45, "4110": 0.10, "4470": 0.10, "4500": 0.05, "4742": 0.10, "4820": 0.20},
        {"3005": 0.06, "3499": 0.02},
    ),
    "social_work": (
        {"4000": 0.62, "4110": 0.14, "4210": 0.03, "4300": 0.11, "4470": 0.04, "4820": 0.06},
        {"3300": 0.02},
    ),
    "purchased_care": ({"4300": 0.92, "4000": 0.06, "4110": 0.02}, {"3005": 0.02}),
    "health_own": (
        {"4000": 0.56, "4110": 0.12, "4210": 0.03, "4600": 0.08, "4470": 0.07, "4342": 0.03, "4820": 0.11},
        {"3295": 0.05},
    ),
    "health_purchased": ({"4430": 1.0}, {}),
    "elderly": ({"4000": 0.55, "4110": 0.12, "4300": 0.15, "4520": 0.05, "4820": 0.13}, {"3295": 0.18}),
    "admin": ({"4000": 0.55, "4110": 0.12, "4342": 0.15, "4470": 0.10, "4820": 0.08}, {"3005": 0.03}),
    "infrastructure": ({"4000": 0.20, "4110": 0.04, "4470": 0.46, "4600": 0.15, "4820": 0.15}, {"3005": 0.05}),
    "rescue_share": ({"4460": 1.0}, {}),
    "transition": ({"4430": 0.8, "4470": 0.2}, {}),
    "uncleared": ({"4470": 0.7, "4500": 0.3}, {}),
}

#: Yearly real trend of a class family (on top of the common cost inflation).
TREND = {
    "placements": 0.06, "child_protection": 0.03, "family": 0.02, "ece": -0.01, "basic": 0.015,
    "specialised": 0.04, "elderly": 0.04, "other": 0.02,
}
#: Actual ÷ budget of a class family: placements overrun, ECE underspends.
ACTUAL_OVER_BUDGET = {
    "placements": 1.10, "child_protection": 1.04, "family": 1.01, "ece": 0.97, "basic": 1.005,
    "specialised": 1.05, "elderly": 1.03, "other": 1.00,
}
#: Common cost inflation from the previous year.
INFLATION = {2021: 0.0, 2022: 0.03, 2023: 0.06, 2024: 0.035}


@dataclass(frozen=True)
class Line:
    """One class of a synthetic ledger: its 2021-level net cost and how it is booked."""

    service_class: str
    net_2021: float
    profile: str
    family: str
    cost_centres: tuple[tuple[str, float], ...]
    years: tuple[int, ...] = SYN_YEARS
    phases: tuple[str, ...] = ("budget", "actual")


def _cc(*pairs: tuple[str, float]) -> tuple[tuple[str, float], ...]:
    return tuple(pairs)


SOTE = (2021, 2022)  # sote classes in the municipal ledgers
AFTER = (2023, 2024)

X01_LINES = [
    # sivistys (every year)
    Line("3021", 11_300_000, "ece", "ece", _cc(("K310 Päiväkoti Auringonkukka", 0.40), ("K311 Päiväkoti Mustikka", 0.35), ("K312 Päiväkoti Tähtitaivas", 0.25))),
    Line("3022", 1_150_000, "ece", "ece", _cc(("K315 Perhepäivähoito", 1.0))),
    Line("3023", 2_300_000, "ece_support", "ece", _cc(("K316 Kotihoidon ja yksityisen hoidon tuet", 1.0))),
    Line("3041", 1_700_000, "education", "basic", _cc(("K320 Esiopetus", 1.0))),
    Line("3051", 24_800_000, "education", "basic", _cc(("K330 Keskuskoulu", 0.45), ("K331 Kirkonkylän koulu", 0.30), ("K332 Rantalan koulu", 0.25))),
    Line("3051", 46_000, "uncleared", "other", _cc(("K999 Selvitettävät", 1.0)), phases=("actual",)),
    Line("3052", 520_000, "school_day", "basic", _cc(("K335 Aamu- ja iltapäivätoiminta", 1.0))),
    Line("3101", 3_300_000, "education", "basic", _cc(("K340 Esimerkkilän lukio", 1.0))),
    Line("3151", 450_000, "purchased_education", "other", _cc(("K345 Ammatillisen koulutuksen maksuosuudet", 1.0))),
    Line("3351", 610_000, "grants", "other", _cc(("K350 Musiikkiopisto", 1.0))),
    Line("3501", 1_150_000, "culture", "other", _cc(("K360 Pääkirjasto", 0.8), ("K361 Kirjastoauto", 0.2))),
    Line("3551", 1_600_000, "culture", "other", _cc(("K370 Liikuntapaikat", 0.7), ("K371 Uimahalli", 0.3))),
    Line("3601", 720_000, "social_work", "other", _cc(("K380 Nuorisotalo", 0.6), ("K381 Etsivä nuorisotyö", 0.4))),
    Line("3901", 420_000, "culture", "other", _cc(("K390 Kulttuuripalvelut", 1.0))),
    # not child-targeted (every year)
    Line("1101", 2_100_000, "admin", "other", _cc(("K100 Hallinto", 0.7), ("K101 Valtuusto ja hallitus", 0.3))),
    Line("4601", 2_600_000, "infrastructure", "other", _cc(("K400 Kadut", 0.75), ("K401 Yleiset alueet", 0.25))),
    Line("5501", 1_500_000, "admin", "other", _cc(("K110 Talous- ja henkilöstöpalvelut", 0.6), ("K111 ICT-palvelut", 0.4))),
    # social and health services: the municipality's until 2022
    Line("3456", 680_000, "social_work", "family", _cc(("K240 Koulukuraattorit", 0.55), ("K241 Koulupsykologit", 0.45)), SOTE),
    Line("2121", 1_500_000, "purchased_care", "placements", _cc(("K210 Lastensuojelun sijaishuolto", 1.0)), SOTE),
    Line("2122", 2_900_000, "purchased_care", "placements", _cc(("K210 Lastensuojelun sijaishuolto", 1.0)), SOTE),
    Line("2123", 850_000, "purchased_care", "placements", _cc(("K210 Lastensuojelun sijaishuolto", 1.0)), SOTE),
    Line("2131", 1_950_000, "social_work", "child_protection", _cc(("K211 Lastensuojelun avohuolto", 1.0)), SOTE),
    Line("2181", 620_000, "social_work", "family", _cc(("K220 Lapsiperheiden sosiaalityö", 1.0)), SOTE),
    Line("2182", 700_000, "social_work", "family", _cc(("K221 Perhetyö ja kotipalvelu", 1.0)), SOTE),
    Line("2183", 480_000, "social_work", "family", _cc(("K222 Perheneuvola", 1.0)), SOTE),
    Line("2532", 610_000, "health_own", "family", _cc(("K230 Kouluterveydenhuolto", 1.0)), SOTE),
    Line("2534", 290_000, "health_own", "family", _cc(("K231 Opiskeluterveydenhuolto", 1.0)), SOTE),
    Line("2538", 880_000, "health_own", "family", _cc(("K232 Neuvola", 1.0)), SOTE),
    Line("2536", 6_100_000, "health_own", "other", _cc(("K233 Terveysasema", 0.85), ("K234 Sivuvastaanotto", 0.15)), SOTE),
    Line("2600", 21_500_000, "health_purchased", "specialised", _cc(("K250 Erikoissairaanhoidon maksuosuus", 1.0)), SOTE),
    Line("2606", 780_000, "health_purchased", "specialised", _cc(("K250 Erikoissairaanhoidon maksuosuus", 1.0)), SOTE),
    Line("2201", 3_600_000, "elderly", "elderly", _cc(("K260 Vanhainkoti", 1.0)), SOTE),
    Line("2211", 8_900_000, "elderly", "elderly", _cc(("K261 Palvelutalo", 0.6), ("K262 Tehostettu palveluasuminen", 0.4)), SOTE),
    Line("4801", 1_050_000, "rescue_share", "other", _cc(("K270 Pelastustoimen maksuosuus", 1.0)), SOTE),
    # late invoices of the municipal sote era, booked after the reform (actual 2023 only)
    Line("7220", 140_000, "transition", "other", _cc(("K280 Sote-uudistuksen siirtyvät erät", 1.0)), (2023,), ("actual",)),
]

X02_LINES = [
    Line("3021", 3_200_000, "ece", "ece", _cc(("M310 Päiväkoti Peikkola", 1.0))),
    Line("3022", 950_000, "ece", "ece", _cc(("M315 Perhepäivähoito", 1.0))),
    Line("3023", 600_000, "ece_support", "ece", _cc(("M316 Kotihoidon tuki", 1.0))),
    Line("3041", 600_000, "education", "basic", _cc(("M320 Esiopetus", 1.0))),
    Line("3051", 9_600_000, "education", "basic", _cc(("M330 Mallilan yhtenäiskoulu", 0.7), ("M331 Kyläkoulu", 0.3))),
    Line("3052", 180_000, "school_day", "basic", _cc(("M335 Aamu- ja iltapäivätoiminta", 1.0))),
    Line("3501", 450_000, "culture", "other", _cc(("M360 Kirjasto", 1.0))),
    Line("3551", 550_000, "culture", "other", _cc(("M370 Liikuntapalvelut", 1.0))),
    Line("3601", 300_000, "social_work", "other", _cc(("M380 Nuorisopalvelut", 1.0))),
    Line("3701", 120_000, "culture", "other", _cc(("M390 Kotiseutumuseo", 1.0))),
    Line("1101", 950_000, "admin", "other", _cc(("M100 Hallinto", 1.0))),
    Line("4601", 900_000, "infrastructure", "other", _cc(("M400 Kadut ja tiet", 1.0))),
    Line("5501", 600_000, "admin", "other", _cc(("M110 Tukipalvelut", 1.0))),
    # sote until 2022: bought from a joint municipal authority
    Line("3456", 260_000, "health_purchased", "family", _cc(("M200 Sote-palvelujen ostot", 1.0)), SOTE),
    Line("2122", 1_200_000, "health_purchased", "placements", _cc(("M200 Sote-palvelujen ostot", 1.0)), SOTE),
    Line("2123", 500_000, "health_purchased", "placements", _cc(("M200 Sote-palvelujen ostot", 1.0)), SOTE),
    Line("2131", 700_000, "health_purchased", "child_protection", _cc(("M200 Sote-palvelujen ostot", 1.0)), SOTE),
    Line("2182", 300_000, "health_purchased", "family", _cc(("M200 Sote-palvelujen ostot", 1.0)), SOTE),
    Line("2532", 250_000, "health_purchased", "family", _cc(("M200 Sote-palvelujen ostot", 1.0)), SOTE),
    Line("2534", 100_000, "health_purchased", "family", _cc(("M200 Sote-palvelujen ostot", 1.0)), SOTE),
    Line("2538", 350_000, "health_purchased", "family", _cc(("M200 Sote-palvelujen ostot", 1.0)), SOTE),
    Line("2536", 2_500_000, "health_purchased", "other", _cc(("M200 Sote-palvelujen ostot", 1.0)), SOTE),
    Line("2600", 8_800_000, "health_purchased", "specialised", _cc(("M200 Sote-palvelujen ostot", 1.0)), SOTE),
    Line("2606", 300_000, "health_purchased", "specialised", _cc(("M200 Sote-palvelujen ostot", 1.0)), SOTE),
    Line("2201", 1_800_000, "health_purchased", "elderly", _cc(("M200 Sote-palvelujen ostot", 1.0)), SOTE),
    Line("2211", 4_200_000, "health_purchased", "elderly", _cc(("M200 Sote-palvelujen ostot", 1.0)), SOTE),
    Line("4801", 420_000, "rescue_share", "other", _cc(("M270 Pelastustoimen maksuosuus", 1.0)), SOTE),
]

#: The wellbeing area from 2023: the members' sote at their 2021 level (so the
#: series continues across the reform), booked as the area's own production.
X1_LINES = [
    Line("3456", 940_000, "social_work", "family", _cc(("H240 Kuraattori- ja psykologipalvelut", 1.0)), AFTER),
    Line("2121", 1_500_000, "purchased_care", "placements", _cc(("H210 Lastensuojelun sijaishuolto", 1.0)), AFTER),
    Line("2122", 4_100_000, "purchased_care", "placements", _cc(("H210 Lastensuojelun sijaishuolto", 0.8), ("H212 Vastaanottokoti Majakka", 0.2)), AFTER),
    Line("2123", 1_350_000, "purchased_care", "placements", _cc(("H210 Lastensuojelun sijaishuolto", 1.0)), AFTER),
    Line("2131", 2_650_000, "social_work", "child_protection", _cc(("H211 Lastensuojelun avohuolto", 1.0)), AFTER),
    Line("2181", 760_000, "social_work", "family", _cc(("H220 Perhepalvelut Esimerkkilä", 0.75), ("H221 Perhepalvelut Mallila", 0.25)), AFTER),
    Line("2182", 1_000_000, "social_work", "family", _cc(("H220 Perhepalvelut Esimerkkilä", 0.7), ("H221 Perhepalvelut Mallila", 0.3)), AFTER),
    Line("2183", 560_000, "social_work", "family", _cc(("H222 Perheneuvola", 1.0)), AFTER),
    Line("2532", 860_000, "health_own", "family", _cc(("H230 Koulu- ja opiskeluterveydenhuolto", 1.0)), AFTER),
    Line("2534", 390_000, "health_own", "family", _cc(("H230 Koulu- ja opiskeluterveydenhuolto", 1.0)), AFTER),
    Line("2538", 1_230_000, "health_own", "family", _cc(("H232 Neuvolat", 1.0)), AFTER),
    Line("2536", 8_600_000, "health_own", "other", _cc(("H233 Terveysasema Esimerkkilä", 0.7), ("H234 Terveysasema Mallila", 0.3)), AFTER),
    Line("2600", 30_300_000, "health_own", "specialised", _cc(("H250 Keskussairaala", 1.0)), AFTER),
    Line("2606", 1_080_000, "health_own", "specialised", _cc(("H251 Lasten- ja nuorisopsykiatria", 1.0)), AFTER),
    Line("2201", 5_400_000, "elderly", "elderly", _cc(("H260 Ikääntyneiden laitospalvelut", 1.0)), AFTER),
    Line("2211", 13_100_000, "elderly", "elderly", _cc(("H261 Palveluasuminen Esimerkkilä", 0.65), ("H262 Palveluasuminen Mallila", 0.35)), AFTER),
    Line("4801", 1_470_000, "rescue_share", "other", _cc(("H270 Pelastuslaitos", 1.0)), AFTER),
    Line("2900", 2_400_000, "admin", "other", _cc(("H100 Hyvinvointialueen hallinto", 1.0)), AFTER),
]

LEDGERS = [
    # org_type, org code, name, lines, file stem
    ("municipality", "X01", "Esimerkkilä", X01_LINES, "SYNTHETIC_ledger_X01_esimerkkila"),
    ("municipality", "X02", "Mallila", X02_LINES, "SYNTHETIC_ledger_X02_mallila"),
    ("wellbeing_area", "X1", "Esimerkin hyvinvointialue", X1_LINES, "SYNTHETIC_ledger_X1_esimerkin_hyvinvointialue"),
]
XLSX_WIDTHS = (18.0, 16.0, 8.0, 8.0, 44.0, 44.0, 38.0, 16.0)
HEADERS_FI = ["Organisaatiotyyppi", "{org}", "Vuosi", "Vaihe", "Palveluluokka", "Tili", "Kustannuspaikka", "Euroa"]


def _level(line: Line, year: int) -> float:
    """Net cost level of a class in a year (the actual, before per-line noise)."""
    factor = 1.0
    for y in range(SYN_YEARS[0] + 1, year + 1):
        factor *= (1.0 + INFLATION[y]) * (1.0 + TREND[line.family])
    return line.net_2021 * factor


def _names(shared: Path) -> tuple[dict[tuple[str, int], str], dict[tuple[str, int], str]]:
    """Names of service classes (packaged reference) and accounts (shared chart of accounts) per year."""
    classes: dict[tuple[str, int], str] = {}
    sc = lb.service_classes()
    for year in SYN_YEARS:
        valid = sc[(sc["valid_from"] <= year) & (sc["valid_to"].isna() | (sc["valid_to"] >= year)).fillna(True).astype(bool)]
        for row in valid.itertuples(index=False):
            classes[(row.code, year)] = row.name_fi
    path = shared / F_ACCOUNTS
    if not path.is_file():
        raise BuildError(f"chart of accounts not found: {path}. Pass --shared DIR.")
    acc = pd.read_csv(path, dtype=str, keep_default_na=False)
    accounts: dict[tuple[str, int], str] = {}
    for row in acc.itertuples(index=False):
        if row.cat2 in ("TOIMINTAKULUT", "TOIMINTATUOTOT"):
            accounts[(row.number, int(row.year))] = " ".join(row.name.split())
    # the 2023 chart stays in force in 2024 (as the service classes of 2023 do)
    for (number, year), name in list(accounts.items()):
        if year == 2023:
            accounts[(number, 2024)] = name
    return classes, accounts


def _ledger_rows(
    org_type: str, code: str, lines: list[Line], rng: random.Random,
    classes: dict[tuple[str, int], str], accounts: dict[tuple[str, int], str],
) -> list[tuple[int, str, str, str, str, int]]:
    """``(year, phase, service_class, account, cost_centre, cents)`` of one organisation."""
    scope = "municipality" if org_type == "municipality" else "wellbeing_area"
    valid = {year: set(lb.service_classes(year, scope=scope)["code"]) for year in SYN_YEARS}
    rows = []
    for year in SYN_YEARS:
        for phase in ("budget", "actual"):
            for line in lines:
                if year not in line.years or phase not in line.phases:
                    continue
                if line.service_class not in valid[year]:
                    raise BuildError(f"class {line.service_class} is not a {scope} class in {year}")
                level = _level(line, year)
                if phase == "budget":
                    level /= ACTUAL_OVER_BUDGET[line.family] * (1.0 + 0.04 * (rng.random() - 0.5))
                else:
                    level *= 1.0 + 0.03 * (rng.random() - 0.5)
                expenses, revenue = PROFILES[line.profile]
                gross = level / (1.0 - sum(revenue.values()))
                for cc, weight in line.cost_centres:
                    parts = [(a, s) for a, s in expenses.items()] + [(a, -s) for a, s in revenue.items()]
                    for account, share in parts:
                        if (account, year) not in accounts:
                            raise BuildError(f"account {account} is not in the chart of accounts of {year}")
                        euros = gross * weight * share * (1.0 + 0.10 * (rng.random() - 0.5))
                        if phase == "budget":  # budgets are set in whole hundreds of euros
                            cents = int(round(euros / 100.0)) * 10_000
                        else:
                            cents = int(round(euros * 100.0))
                        if cents == 0:
                            continue
                        rows.append((year, phase, line.service_class, account, cc, cents))
    return rows


def _ledger_title(name: str, years: Sequence[int]) -> str:
    return (
        f"{name} – talousarvio ja tilinpäätös {years[0]}–{years[-1]} "
        "(SYNTEETTINEN AINEISTO / SYNTHETIC DATA, ei todellisia lukuja / not real figures)"
    )


def _write_ledger(
    folder: Path, stem: str, org_type: str, code: str, name: str,
    rows: list[tuple[int, str, str, str, str, int]],
    classes: dict[tuple[str, int], str], accounts: dict[tuple[str, int], str],
) -> None:
    years = sorted({r[0] for r in rows})
    header = [h.format(org="Kunta" if org_type == "municipality" else "Hyvinvointialue") for h in HEADERS_FI]
    cells = [
        [
            ORG_TYPE_FI[org_type], code, str(year), PHASE_FI[phase],
            f"{sc} {classes[(sc, year)]}", f"{acc} {accounts[(acc, year)]}", cc, cents,
        ]
        for year, phase, sc, acc, cc, cents in rows
    ]
    title = _ledger_title(name, years)
    # Finnish-style CSV: UTF-8 with BOM, ';', decimal comma, no-break space
    # between thousands, CRLF, a title line above the header
    text = title + "\n" + _csv_text([header] + [c[:-1] + [_fi_amount(c[-1])] for c in cells], delimiter=";")
    _write_text(folder / f"{stem}.csv", text, bom=True, newline="\r\n")

    # written here rather than with the library's table writer, so that the
    # sample looks like a finance-system export and does not change when the
    # library's own workbook styling does
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Kirjanpito"
    ws.cell(row=1, column=1, value=title).font = Font(bold=True)
    for j, head in enumerate(header, start=1):
        ws.cell(row=3, column=j, value=head).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(j)].width = XLSX_WIDTHS[j - 1]
    for i, c in enumerate(cells, start=4):
        for j, value in enumerate(c[:-1], start=1):
            ws.cell(row=i, column=j, value=int(value) if j == 3 else value)
        ws.cell(row=i, column=len(header), value=c[-1] / 100.0).number_format = "#,##0.00"
    ws.freeze_panes = "A4"
    ws.auto_filter.ref = f"A3:{get_column_letter(len(header))}{3 + len(cells)}"
    wb.properties.creator = "lapsibudjetti scripts/make_samples.py (SYNTHETIC)"
    wb.properties.title = title
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    path = folder / f"{stem}.xlsx"
    wb.save(path)
    _normalise_xlsx(path)


#: Gompertz mortality at age 0 (about 5 % a year at 80).
MORTALITY = 0.00006


def _population(rng: random.Random) -> list[tuple[str, int, int, int]]:
    """Synthetic residents by age 2021–2024: Finland's 2019 age profile, tilted, aged forward year by year."""
    national = lb.population_by_age().groupby("age")["persons"].sum().reindex(range(101), fill_value=0)
    shape = [float(v) for v in national.to_numpy()]
    out: list[tuple[str, int, int, int]] = []
    # X01: a town with more families; X02: an ageing rural municipality
    tilts = {
        "X01": lambda a: 1.12 if a <= 17 or 28 <= a <= 45 else (0.85 if a >= 70 else 1.0),
        "X02": lambda a: 0.9 if a <= 17 else (0.7 if 19 <= a <= 35 else (1.25 if a >= 60 else 1.0)),
    }
    births = {"X01": 0.0105, "X02": 0.0078}  # births per resident
    migration = {"X01": 0.004, "X02": -0.006}  # yearly net migration, working ages
    for code, _, _, _, residents in MUNICIPALITIES:
        weights = [s * tilts[code](a) for a, s in enumerate(shape)]
        total_w = sum(weights)
        pop = [residents * w / total_w for w in weights]
        for year in SYN_YEARS:
            if year > SYN_YEARS[0]:
                aged = [0.0] * 101
                for a in range(100, 0, -1):
                    survive = 1.0 - min(0.5, MORTALITY * math.exp(0.085 * (a - 1)))
                    move = migration[code] if 18 <= a <= 45 else migration[code] / 3.0
                    aged[a] = pop[a - 1] * survive * (1.0 + move + 0.02 * (rng.random() - 0.5))
                aged[100] += pop[100] * (1.0 - min(0.5, MORTALITY * math.exp(0.085 * 100)))
                aged[0] = sum(pop) * births[code] * (1.0 + 0.04 * (rng.random() - 0.5))
                pop = aged
            for a in range(101):
                out.append((code, year, a, int(round(pop[a]))))
    return out


def _keys(pop: list[tuple[str, int, int, int]], rng: random.Random) -> list[tuple[str, str, int, int, int]]:
    """User keys: students and customers under 18 and in all, per organisation-year."""
    by = {(c, y, a): p for c, y, a, p in pop}
    out = []
    for year in SYN_YEARS:
        # upper secondary (3101, X01 only) and vocational education (3151, X01 only)
        age16_17 = by[("X01", year, 16)] + by[("X01", year, 17)]
        students = int(round(0.55 * age16_17 * (1.0 + 0.05 * (rng.random() - 0.5))))
        total = int(round(students / 0.70 * (1.0 + 0.04 * (rng.random() - 0.5))))
        out.append(("upper_secondary_students", "X01", year, students, total))
        voc = int(round(0.45 * age16_17 * (1.0 + 0.06 * (rng.random() - 0.5))))
        voc_total = int(round(voc / 0.38 * (1.0 + 0.05 * (rng.random() - 0.5))))
        out.append(("vocational_students", "X01", year, voc, voc_total))
        # student health care (2534): the municipalities until 2022, the area from 2023
        orgs = ["X01", "X02"] if year < REFORM_YEAR else ["X1"]
        for org in orgs:
            members = ["X01", "X02"] if org == "X1" else [org]
            young = sum(by[(m, year, a)] for m in members for a in (16, 17))
            older = sum(by[(m, year, a)] for m in members for a in range(18, 25))
            customers = int(round(0.8 * young * (1.0 + 0.05 * (rng.random() - 0.5))))
            total = customers + int(round(0.35 * older * (1.0 + 0.05 * (rng.random() - 0.5))))
            out.append(("student_health_customers", org, year, customers, total))
    return sorted(out)


#: Synthetic basic-services-price-index-style series (2015 = 100).
PRICE_INDEX = {2020: 104.9, 2021: 107.1, 2022: 112.2, 2023: 118.6, 2024: 122.4}


def build_synthetic(shared: Path, out: Path) -> dict[str, object]:
    """The fictional organisations, their ledgers, population, keys and price index."""
    rng = random.Random(SEED)
    folder = out / SYN_DIR
    classes, accounts = _names(shared)
    totals: list[tuple[str, str, int, str, int]] = []
    line_counts: dict[str, int] = {}
    for org_type, code, name, lines, stem in LEDGERS:
        rows = _ledger_rows(org_type, code, lines, rng, classes, accounts)
        _write_ledger(folder, stem, org_type, code, name, rows, classes, accounts)
        line_counts[code] = len(rows)
        sums: dict[tuple[int, str], int] = {}
        for year, phase, *_, cents in rows:
            sums[(year, phase)] = sums.get((year, phase), 0) + cents
        order = {"budget": 0, "actual": 1}
        totals += [(code, name, y, p, c) for (y, p), c in sorted(sums.items(), key=lambda kv: (kv[0][0], order[kv[0][1]]))]

    source = SYNTHETIC_NOTE
    _write_text(folder / "organisations_municipalities.csv", _csv_text(
        [("code", "name_fi", "name_sv", "name_en", "valid_from", "valid_to", "source")]
        + [(c, fi, sv, en, SYN_YEARS[0], "", source) for c, fi, sv, en, _ in MUNICIPALITIES]))
    _write_text(folder / "organisations_areas.csv", _csv_text(
        [("code", "name_fi", "name_sv", "name_en", "organiser_type", "source"), (*AREA, "wellbeing_area", source)]))
    _write_text(folder / "organisations_membership.csv", _csv_text(
        [("municipality_code", "area_code", "valid_from", "valid_to", "source")]
        + [(c, AREA[0], SYN_YEARS[0], "", source) for c, *_ in MUNICIPALITIES]))
    pop = _population(rng)
    _write_text(folder / "population_by_age.csv", _csv_text([("municipality_code", "year", "age", "persons")] + pop))
    keys = _keys(pop, rng)
    _write_text(folder / "keys.csv", _csv_text([("key", "org_code", "year", "target", "total")] + keys))
    _write_text(folder / "price_index.csv", _csv_text(
        [("year", "index", "source")]
        + [(y, f"{v:.1f}", "SYNTHETIC basic-services-price-index-style series, 2015 = 100; not the official index")
           for y, v in PRICE_INDEX.items()]))
    residents = {(c, y): 0 for c, *_ in MUNICIPALITIES for y in SYN_YEARS}
    children = dict(residents)
    for c, y, a, p in pop:
        residents[(c, y)] += p
        if a <= 17:
            children[(c, y)] += p
    return {"totals": totals, "lines": line_counts, "residents": residents, "children": children, "keys": keys}


# --------------------------------------------------------------------------- rules workbook


def build_rules(out: Path) -> None:
    path = out / "rules_default.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    lb.write_rules(lb.default_rules(), path, lang="fi")  # workshops start in Finnish
    _normalise_xlsx(path)


# --------------------------------------------------------------------------- README


def _readme(real: dict[str, object], syn: dict[str, object]) -> str:
    codes = real["codes"]
    names = {r.code: r.name_fi for r in lb.municipalities().itertuples(index=False)}
    members = lb.membership(REAL_YEARS[1]).set_index("municipality_code")["area_code"]
    area_names = lb.wellbeing_areas().set_index("code")["name_fi"]
    real_rows = "\n".join(
        f"| {area} {area_names[area]} ({REAL_AREA_KINDS[area]}) | "
        + ", ".join(f"{c} {names[c]}" for c in codes if members[c] == area) + " |"
        for area in REAL_AREAS
    )
    total_rows = "\n".join(
        f"| {code} {name} | {year} | {PHASE_FI[phase]} ({phase}) | {_fi_amount(cents)} |"
        for code, name, year, phase, cents in syn["totals"]  # type: ignore[union-attr]
    )
    pop_rows = "\n".join(
        f"| {c} | {y} | {syn['residents'][(c, y)]:,} | {syn['children'][(c, y)]:,} |".replace(",", NBSP)  # type: ignore[index]
        for c, *_ in MUNICIPALITIES for y in SYN_YEARS
    )
    lines = syn["lines"]
    return f"""# Esimerkkiaineistot – sample data

> Tämä kansio on tehty skriptillä `python scripts/make_samples.py` (kiinteä
> siemenluku, tavu tavulta toistettava; `--check` vertaa). Älä muokkaa
> tiedostoja käsin. / Made by `python scripts/make_samples.py` (fixed seed,
> byte-for-byte reproducible; `--check` compares). Do not edit by hand.

Kansio asennetaan kirjaston mukana (`lapsibudjetti.samples`); polku:
`lapsibudjetti.sample_path()`, lataus:
`lapsibudjetti.load_sample("synthetic" | "real")`.
The folder ships with the library; find it with `sample_path()` and load it
with `load_sample("synthetic" | "real")`.

## Suomeksi

### `real_2015_2019/` – TODELLISET luvut

Tilastokeskuksen kuntien talous ja toiminta -tilaston taulukon kta_14
nettokäyttökustannukset tehtävittäin 2015–2019 kahden hyvinvointialueen
kaikista jäsenkunnista: kaupunkimainen ja maaseutumainen alue.

| alue | kunnat |
|---|---|
{real_rows}

| tiedosto | sarakkeet | sisältö |
|---|---|---|
| `net_operating_costs_by_task_2015_2019.csv` | `muni,year,func,amount` | lähdetiedoston rivit sellaisinaan ({real['rows']} riviä, euroa), kuntanumero kolminumeroisena tekstinä (`092`). Mukana myös summarivit (`Käyttötalous yhteensä`, `… yhteensä`), joihin tehtävärivit täsmäävät sentilleen. Vuonna 2015 varhaiskasvatuksen tehtävä on `Lasten päivähoito`, vuodesta 2016 `Varhaiskasvatus`. |
| `population_by_age_2019.csv` | `municipality_code,year,age,persons` | väestö 31.12.2019 yksivuotisikäryhmittäin (100 = 100 tai yli) |
| `population_total_2015_2019.csv` | `municipality_code,year,persons` | väkiluku 2015–2019 |

Lähde: Tilastokeskus (kta_14, 11re) ja THL Sotkanet, CC BY 4.0; koottu
kirjaston viitetaulukoista ja tiedostosta
`../shared/data/nettokayttokustannukset_tehtavittain_kunnat_2015_2019__budgetr_statfin_kta14.csv`.
Huom: lähdetiedostossa Valtimo (911) on yhdistetty Nurmekseen (541) kaikkina
vuosina; se ei koske näitä alueita. Ikärakenne on vain vuodelta 2019, joten
lapsibudjetti 2015–2018 laskee väestöosuudet vuoden 2019 ikärakenteesta
kunkin vuoden väkilukuun skaalattuna (`population_year="nearest"`, varoitus
ja merkintä `method()`-tauluun).

### `synthetic/` – SYNTEETTINEN aineisto

**Kuvitteellinen** kunta Esimerkkilä (X01, noin 20 000 asukasta), sen naapuri
Mallila (X02, noin 8 000) ja niiden Esimerkin hyvinvointialue (X1). Luvut on
arvottu kiinteällä siemenluvulla; ne ovat uskottavan kokoisia mutta eivät
minkään todellisen organisaation. Palveluluokat ja tilit ovat todellisia ja
kunakin vuonna voimassa olevia (palveluluokitus 2021–2023, tililuettelo JHS
192); sote-luokat (2xxx ja 3456) ovat kuntien kirjanpidossa 2021–2022 ja
hyvinvointialueen kirjanpidossa 2023–2024.

| tiedosto | sisältö |
|---|---|
| `SYNTHETIC_ledger_X01_esimerkkila.csv` / `.xlsx` | Esimerkkilän talousarvio (TA) ja tilinpäätös (TP) 2021–2024 tileittäin, palveluluokittain ja kustannuspaikoittain ({lines['X01']} riviä) |
| `SYNTHETIC_ledger_X02_mallila.csv` / `.xlsx` | Mallila 2021–2024; sote-palvelut ostettu kuntayhtymältä 2021–2022 (tili 4430) ({lines['X02']} riviä) |
| `SYNTHETIC_ledger_X1_esimerkin_hyvinvointialue.csv` / `.xlsx` | hyvinvointialue 2023–2024 ({lines['X1']} riviä) |
| `organisations_municipalities.csv`, `organisations_areas.csv`, `organisations_membership.csv` | kuvitteelliset organisaatiot ja jäsenyys (`Registry.extend`) |
| `population_by_age.csv` | `municipality_code,year,age,persons` 2021–2024 (ikärakenne Suomen 2019 rakenteesta muunneltuna) |
| `keys.csv` | `key,org_code,year,target,total`: lukion ja ammatillisen koulutuksen alle 18-vuotiaat opiskelijat / kaikki sekä opiskeluterveydenhuollon alle 18-vuotiaat asiakkaat / kaikki |
| `price_index.csv` | `year,index,source`: peruspalvelujen hintaindeksin kaltainen SYNTEETTINEN sarja (2015 = 100) |

Kirjanpitotiedostot ovat suomalaisen taloushallinnon viennin kaltaisia:
CSV on UTF-8 BOM:lla, erottimena `;`, desimaalipilkku, tuhaterottimena
sitova välilyönti, rivinvaihdot CRLF ja otsikkorivin yläpuolella nimirivi;
XLSX:ssä nimirivi on otsikon yläpuolella. Sarakkeet:
`Organisaatiotyyppi;Kunta|Hyvinvointialue;Vuosi;Vaihe;Palveluluokka;Tili;Kustannuspaikka;Euroa`.
Palveluluokka- ja tilisolut ovat muotoa `3021 Päiväkotitoiminta`, `4000
Maksetut palkat ja palkkiot` (lukija säilyttää koodin). Kulut ovat
positiivisia ja tuotot negatiivisia, joten summa on nettokustannus.
Talousarviot on pyöristetty sataan euroon, tilinpäätökset ovat sentin
tarkkuudella. Kustannuspaikka `K999 Selvitettävät` (Esimerkkilä, perusopetus,
vain TP) on tarkoituksella mukana kustannuspaikkasääntöjen harjoittelua varten.

### `rules_default.xlsx`

Kansalliset oletussäännöt (`lb.write_rules(lb.default_rules(), …)`)
muokattavana työkirjana: vaihda esimerkiksi nuorisopalveluiden (3601) väri
vihreästä punaiseksi ja laske uudelleen – lapsiin kohdistuvat eurot muuttuvat
täsmälleen näiden rivien verran.

## In English

### `real_2015_2019/` – REAL figures

Statistics Finland's net operating costs by task 2015–2019 (table kta_14) of
every member municipality of two wellbeing areas, one urban and one rural
(table above), their population by single year of age on 31.12.2019 and
their population totals 2015–2019. The cost file keeps the source rows as
they are (including the aggregate rows, which the task rows sum to exactly),
with municipality codes as three-digit text. **Source: Statistics Finland,
CC BY 4.0** (kta_14, 11re) and THL Sotkanet (CC BY 4.0). In the source file
Valtimo (911) is folded into Nurmes (541) in every year; that does not
affect these areas. Ages are known for 2019 only, so a child budget for
2015–2018 uses the 2019 age structure scaled to each year's total
(`population_year="nearest"`; warned and recorded in `method()`).

### `synthetic/` – SYNTHETIC data

The **fictional** municipality Esimerkkilä (X01, about 20 000 residents), its
neighbour Mallila (X02, about 8 000) and their wellbeing area Esimerkin
hyvinvointialue (X1): budget (TA) and actual (TP) 2021–2024 by account ×
service class × cost centre, drawn with a fixed seed. The amounts are of a
plausible size but belong to no real organisation. Service classes and
accounts are real codes valid in each year; the sote classes (2xxx and 3456)
are in the municipal ledgers in 2021–2022 and in the area's from 2023.
Expenses are positive and revenues negative, so a sum is a net cost. Budgets
are in whole hundreds of euros, actuals in cents. The cost centre `K999
Selvitettävät` ("to be cleared", Esimerkkilä, basic education, actual only)
is there on purpose, for exercises with cost-centre rules. Files: see the
Finnish table above; the CSV files are Finnish exports (UTF-8 with BOM, `;`,
decimal comma, no-break space between thousands, CRLF, a title line above
the header); the XLSX files have the title above the header.

Totals per organisation-year (sum of all lines, net, euros):

| organisation | year | phase | euros |
|---|---|---|---|
{total_rows}

Synthetic residents (all ages / 0–17):

| municipality | year | residents | 0–17 |
|---|---|---|---|
{pop_rows}

### `rules_default.xlsx`

The national default rules as an editable workbook: the workshop exercise
is to change a rule (e.g. youth work 3601 from green to red) and see the
child euros change by exactly the child euros of the lines it covers.

## How it was made / Näin se tehtiin

    python scripts/make_samples.py            # rebuild (needs ../shared/data)
    python scripts/make_samples.py --check    # compare with the committed files

Seed {SEED}; workbooks carry the fixed timestamp {FIXED_TIME:%Y-%m-%d} and
uncompressed zip members so that the bytes do not depend on the zlib build.
"""


# --------------------------------------------------------------------------- driver


GITATTRIBUTES = "# generated by scripts/make_samples.py: keep the bytes (CRLF, BOM) as they are\n* -text\n"


def build(out: Path, shared: Path = DEFAULT_SHARED) -> list[Path]:
    """Write every sample file under ``out``; return their paths relative to ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    real = build_real(shared, out)
    syn = build_synthetic(shared, out)
    build_rules(out)
    _write_text(out / "README.md", _readme(real, syn))
    _write_text(out / ".gitattributes", GITATTRIBUTES)
    return sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())


def check(out: Path, shared: Path = DEFAULT_SHARED) -> list[str]:
    """Differences between a fresh build and the files in ``out`` (empty: identical)."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = build(Path(tmp), shared)
        # the folder is also the package's samples module: its code is not sample data
        have = sorted(p.relative_to(out) for p in out.rglob("*")
                      if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts) if out.is_dir() else []
        problems = [f"missing: {p}" for p in fresh if p not in have]
        problems += [f"not made by the script: {p}" for p in have if p not in fresh]
        problems += [
            f"differs: {p}" for p in fresh
            if p in have and not filecmp.cmp(Path(tmp) / p, out / p, shallow=False)
        ]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="rebuild into a temporary folder and compare byte for byte")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the samples folder (default lapsibudjetti/samples)")
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="folder with the shared real data")
    args = parser.parse_args(argv)
    try:
        if args.check:
            problems = check(args.out, args.shared)
            for p in problems:
                print(f"make_samples --check: {p}", file=sys.stderr)
            if problems:
                print("make_samples --check: run `python scripts/make_samples.py` and commit the result", file=sys.stderr)
                return 1
            print(f"make_samples --check: {args.out} is up to date")
            return 0
        files = build(args.out, args.shared)
    except BuildError as exc:
        print(f"make_samples: {exc}", file=sys.stderr)
        return 2
    for f in files:
        print(f"{f}  {(args.out / f).stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
