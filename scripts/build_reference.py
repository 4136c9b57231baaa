"""Build the packaged reference tables of lapsibudjetti from the shared real data.

Run from the repository root::

    python scripts/build_reference.py [--shared ../shared/data] [--out DIR]

It reads the public files described in ``../shared/data/README.md`` and writes
deterministic UTF-8 CSV files (LF line endings, sorted rows, no index) to
``lapsibudjetti/data/reference/`` (or ``--out``). Running it twice on the same
input gives byte-identical files; ``tests/test_reference.py`` checks that the
committed files are what this script produces.

Every consistency check below raises :class:`BuildError` with a message naming
the file and the value at fault: the script never writes a table it could not
verify.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared" / "data"
DEFAULT_OUT = REPO / "lapsibudjetti" / "data" / "reference"
LABELS = Path(__file__).resolve().parent / "labels_sv_en.csv"
TASK_LABELS = Path(__file__).resolve().parent / "task_labels_sv_en.csv"

F_SERVICE = "palveluluokat_kunta_2021_2023__osta.csv"
F_KTA = "nettokayttokustannukset_tehtavittain_kunnat_2015_2019__budgetr_statfin_kta14.csv"
F_KEY25 = "kuntaavain_2025__geofi.csv"
F_KEY26 = "kuntaavain_2026__geofi.csv"
F_BID = "kunnat_ytunnus__osta.csv"
F_M2019 = "kunnat_koodit_nimet_2019_2020__budgetr.csv"
F_POP_AGE = "vaesto_ika_sukupuoli_kunnittain_2019__statfin_11re.csv"
F_POP_TOTAL = "vakiluku_kunnittain_2000_2022__geofi_sotkanet.csv"

SRC_SERVICE = (
    "Valtiokonttori municipal service classification (palveluluokitus), list {years}, "
    "via TuomasBorman/osta src/osta/resources/service_codes.csv @8120e87"
)
SRC_KTA = (
    "Statistics Finland kuntien talous ja toiminta table kta_14 (CC BY 4.0), "
    "via miesoletettu/budgetr data/costs.rda @21ce952"
)
SRC_KEY26 = "Statistics Finland municipality key 2026 (CC BY 4.0) via rOpenGov/geofi data/municipality_key_2026.rda @a2fa3e3"
SRC_BID = "business ID and languages: TuomasBorman/osta src/osta/resources/municipality_codes.csv"
SRC_M2019 = "2019 division: miesoletettu/budgetr data/regions.rda"
SRC_POP_AGE = (
    "Statistics Finland StatFin 11re, population 31.12.2019 by age (CC BY 4.0), "
    "via kausaltech/reina-model data/005_11re_2019.csv"
)
SRC_POP_TOTAL = "THL Sotkanet population (CC BY 4.0) via rOpenGov/geofi data/sotkadata_population.rda"
TRANSLATION = "translation: lapsibudjetti project"

WA_SHARED_CLASSES = ("1101", "5501")
ASSUME_WA_SHARED = ("working assumption: wellbeing areas also report general administration (1101) and support "
                    "services (5501) from 2023, as municipalities do")
ASSUME_WA_SOTE = (
    "working assumption (shared data README): wellbeing areas report from 2023 the "
    "social and health classes 2xxx that municipalities used in 2022"
)
ASSUME_WA_3456 = (
    "working assumption (domain.md section 4): pupil and student welfare kuraattori and "
    "psychologist services moved to the wellbeing areas on 1.1.2023"
)
ASSUME_WA_RESCUE = (
    "working assumption (domain.md section 2): rescue services moved to the wellbeing "
    "areas on 1.1.2023, reported with the classes municipalities used in 2022"
)
ASSUME_OPEN = "assumption: classes of the 2023 municipal list stay valid after 2023"

#: Environmental health (27xx) stayed with the municipalities in 2023 (the 2023
#: municipal list keeps 2701-2706), so it is not part of the wellbeing-area set.
ENVIRONMENTAL_HEALTH = re.compile(r"^27\d\d$")
RESCUE = re.compile(r"^48\d\d$")

TASK_FIRST_YEAR, TASK_LAST_YEAR = 2015, 2020
ASSUME_TASK_2020 = (
    "assumption: the task classification was used up to financial year 2020 "
    "(service classes from 2021); the data cover 2015-2019"
)

TOTAL_TASK = "Käyttötalous yhteensä"
SUB_AGGREGATES = ("Sosiaali- ja terveystoiminta yhteensä", "Opetus- ja kulttuuritoiminta yhteensä")

MUNICIPALITY_FIRST_YEAR = 2000
MEMBERSHIP_FIRST_YEAR = 2015
CHECK_LAST_YEAR = 2026

# Municipalities merged away that the 2019+ name files no longer list. The
# codes appear in the kta_14 file; names, targets and years were confirmed in
# public material found with the project's search tool (cited per row).
_LUPAPISTE = "lupapiste/lupapiste src/sade/municipality.clj @95053d3 (list of mergers 2015-2017)"
MERGED_EARLY: dict[str, dict[str, str]] = {
    "164": {"name_fi": "Jalasjärvi", "name_sv": "Jalasjärvi", "merged_into": "301", "last": "2015",
            "source": f"name, merger into Kurikka 1.1.2016: {_LUPAPISTE}"},
    "174": {"name_fi": "Juankoski", "name_sv": "Juankoski", "merged_into": "297", "last": "2016",
            "source": f"name, merger into Kuopio 1.1.2017: {_LUPAPISTE}; "
                      "kuntalehti.fi/uutiset/paatoksenteko/vn-vahvisti-kuopion-juankosken-liitoksen/"},
    "283": {"name_fi": "Hämeenkoski", "name_sv": "Hämeenkoski", "merged_into": "098", "last": "2015",
            "source": f"name, merger into Hollola 1.1.2016: {_LUPAPISTE}"},
    "319": {"name_fi": "Köyliö", "name_sv": "Kjulo", "merged_into": "783", "last": "2015",
            "source": f"name, merger into Säkylä 1.1.2016: {_LUPAPISTE}; "
                      "Swedish name: fi.wikipedia.org/wiki/Köyliö"},
    "442": {"name_fi": "Luvia", "name_sv": "Luvia", "merged_into": "051", "last": "2016",
            "source": f"name, merger into Eurajoki 1.1.2017: {_LUPAPISTE}"},
    "532": {"name_fi": "Nastola", "name_sv": "Nastola", "merged_into": "398", "last": "2015",
            "source": f"name, merger into Lahti 1.1.2016: {_LUPAPISTE}; "
                      "Swedish name: en.wikipedia.org/wiki/Nastola"},
}
# Mergers of municipalities that the 2019 division file still names.
MERGED_LATER: dict[str, dict[str, str]] = {
    "911": {"merged_into": "541", "last": "2019",
            "source": "merger into Nurmes 1.1.2020: yle.fi/uutiset/3-11139698 (2019-12)"},
    "099": {"merged_into": "214", "last": "2020",
            "source": "merger into Kankaanpää 1.1.2021: sss.fi/2021/01/viisi-kuntaa-vaihtoi-"
                      "vuodenvaihteessa-maakuntaa-etela-savo-menetti-kaksi-kuntaa/"},
    "588": {"merged_into": "507", "last": "2024",
            "source": "merger into Mäntyharju 1.1.2025: shared data README (kunnat_ytunnus__osta.csv)"},
}

# Municipalities that changed region (maakunta) on 1.1.2021: code -> (from, to).
# The build checks these against the 2019 division file and the 2026 key.
_REGION_SOURCE = (
    "region change 1.1.2021: yle.fi/uutiset/3-10942719 (2019-08, Government decision); "
    "sss.fi/2021/01/viisi-kuntaa-vaihtoi-vuodenvaihteessa-maakuntaa-etela-savo-menetti-kaksi-kuntaa/"
)
REGION_CHANGES_2021: dict[str, tuple[str, str]] = {
    "142": ("Kymenlaakso", "Päijät-Häme"),  # Iitti
    "291": ("Keski-Suomi", "Pirkanmaa"),  # Kuhmoinen
    "152": ("Pohjanmaa", "Etelä-Pohjanmaa"),  # Isokyrö
    "090": ("Etelä-Savo", "Pohjois-Karjala"),  # Heinävesi
    "171": ("Etelä-Savo", "Pohjois-Savo"),  # Joroinen
}

LANGUAGE_CODES = {
    "suomi": "fi",
    "ruotsi": "sv",
    "pohjoissaame": "se",
    "inarinsaame": "smn",
    "koltansaame": "sms",
}

CHILD_AGES_TOTAL_2019 = 1_049_057


class BuildError(RuntimeError):
    """The shared data do not support a table as specified."""


# --------------------------------------------------------------------------- helpers


def read_shared(shared: Path, name: str) -> pd.DataFrame:
    path = shared / name
    if not path.is_file():
        raise BuildError(f"{path} not found; pass --shared pointing at the shared data folder")
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def pad3(values: Iterable[str]) -> list[str]:
    out = []
    for v in values:
        v = str(v).strip()
        if not re.fullmatch(r"\d{1,3}", v):
            raise BuildError(f"not a municipality code: {v!r}")
        out.append(v.zfill(3))
    return out


def pad2(v: str) -> str:
    v = str(v).strip()
    if not re.fullmatch(r"\d{1,2}", v):
        raise BuildError(f"not a wellbeing-area code: {v!r}")
    return v.zfill(2)


def to_int(values: pd.Series, what: str) -> pd.Series:
    text = values.astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    bad = ~text.str.fullmatch(r"-?\d+")
    if bad.any():
        raise BuildError(f"{what}: not whole numbers: {sorted(set(text[bad]))[:5]}")
    return text.astype("int64")


def write_csv(df: pd.DataFrame, path: Path, sort_by: list[str]) -> None:
    out = df.copy()
    for col in out.columns:
        out[col] = [("" if (v is None or (isinstance(v, float) and np.isnan(v))) else str(v)) for v in out[col]]
    keys = []
    for col in sort_by:
        # numeric-looking sort keys sort as numbers, the rest as text
        if out[col].str.fullmatch(r"-?\d+").all():
            keys.append(out[col].astype("int64"))
        else:
            keys.append(out[col])
    order = pd.DataFrame({f"k{i}": k.to_numpy() for i, k in enumerate(keys)})
    order["_pos"] = np.arange(len(out))
    order = order.sort_values([f"k{i}" for i in range(len(keys))] + ["_pos"], kind="mergesort")
    out = out.iloc[order["_pos"].to_numpy()]
    if out.duplicated().any():
        raise BuildError(f"{path.name}: duplicate rows")
    path.parent.mkdir(parents=True, exist_ok=True)
    text = out.to_csv(index=False, lineterminator="\n")
    path.write_bytes(text.encode("utf-8"))


def join_sources(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


# --------------------------------------------------------------------------- service classes

_CLOSED = re.compile(r"\s*\(?\s*(?:voimassa|ovimassa)\s+31\.12\.(\d{4})(?:\s+asti)?\s*\)?\s*$")


def build_service_classes(shared: Path) -> pd.DataFrame:
    raw = read_shared(shared, F_SERVICE)
    raw = raw.rename(columns={"number": "code"})
    raw["code"] = raw["code"].str.strip()
    if not raw["code"].str.fullmatch(r"\d{4}").all():
        raise BuildError(f"{F_SERVICE}: codes that are not 4 digits")
    raw["year"] = to_int(raw["year"], f"{F_SERVICE} year")
    raw["name"] = raw["name"].str.strip()
    raw["name_higher"] = raw["name_higher"].str.strip()
    if raw.duplicated(["code", "year"]).any():
        raise BuildError(f"{F_SERVICE}: a code is listed twice in one year")
    years = sorted(raw["year"].unique())
    if years != [2021, 2022, 2023]:
        raise BuildError(f"{F_SERVICE}: expected the lists 2021, 2022, 2023, found {years}")

    # closure marks: "voimassa 31.12.2021 asti" in the name and/or name_higher "Lakkautettu"
    closed_year: dict[tuple[str, int], int] = {}
    names: dict[tuple[str, int], str] = {}
    higher: dict[tuple[str, int], str] = {}
    for r in raw.itertuples(index=False):
        m = _CLOSED.search(r.name)
        name = _CLOSED.sub("", r.name).strip() if m else r.name
        if m or r.name_higher == "Lakkautettu":
            closed_year[(r.code, r.year)] = int(m.group(1)) if m else r.year - 1
        names[(r.code, r.year)] = name
        higher[(r.code, r.year)] = "" if r.name_higher == "Lakkautettu" else r.name_higher

    # parent code: name_higher names the parent class in the same list
    parent: dict[tuple[str, int], str] = {}
    for year in years:
        by_name = {names[(c, y)]: c for (c, y) in names if y == year}
        for (c, y), h in higher.items():
            if y != year:
                continue
            if not h or h == names[(c, y)]:
                parent[(c, y)] = ""
            elif h in by_name:
                parent[(c, y)] = by_name[h]
            else:
                raise BuildError(f"{F_SERVICE}: {year} class {c}: parent {h!r} is not a class of that list")
    # a closed class keeps the parent it had while it was valid
    for (c, y), cy in closed_year.items():
        if (c, cy) in parent:
            parent[(c, y)] = parent[(c, cy)]

    # municipal validity per year
    rows: list[dict[str, object]] = []  # one entry per code, scope and year
    last = max(years)
    for (c, y), name in names.items():
        if (c, y) in closed_year:
            cy = closed_year[(c, y)]
            if (c, cy) not in names:
                raise BuildError(f"{F_SERVICE}: class {c} closed {cy} but not listed in {cy}")
            continue
        rows.append({"code": c, "year": y, "scope": "municipality", "name_fi": name,
                     "parent_code": parent[(c, y)], "source": SRC_SERVICE.format(years=y)})

    valid = {(r["code"], r["year"]) for r in rows}
    # wellbeing-area classes from 2023 (working assumptions, kept in `source`)
    wa_rows = []
    for c, y in sorted(valid):
        if y != 2022 or (c, 2023) in valid:
            continue
        if c.startswith("2") and not ENVIRONMENTAL_HEALTH.match(c):
            why = ASSUME_WA_SOTE
        elif c == "3456":
            why = ASSUME_WA_3456
        elif RESCUE.match(c):
            why = ASSUME_WA_RESCUE
        else:
            continue
        wa_rows.append({"code": c, "year": 2023, "scope": "wellbeing_area", "name_fi": names[(c, 2022)],
                        "parent_code": parent[(c, 2022)],
                        "source": join_sources(SRC_SERVICE.format(years=2022), why)})
    # general administration and support services exist on both sides of the
    # boundary: wellbeing areas run councils, management and shared services too
    for c in WA_SHARED_CLASSES:
        wa_rows.append({"code": c, "year": 2023, "scope": "wellbeing_area", "name_fi": names[(c, 2023)],
                        "parent_code": parent[(c, 2023)],
                        "source": join_sources(SRC_SERVICE.format(years=2023), ASSUME_WA_SHARED)})
    rows.extend(wa_rows)

    # collapse consecutive years with the same name, scope and parent into periods
    frame = pd.DataFrame(rows).sort_values(["code", "scope", "year"], kind="mergesort")
    periods: list[dict[str, object]] = []
    for (code, scope), grp in frame.groupby(["code", "scope"], sort=True):
        current: dict[str, object] | None = None
        for r in grp.itertuples(index=False):
            same = (current is not None and r.name_fi == current["name_fi"]
                    and r.parent_code == current["parent_code"] and r.year == current["valid_to"] + 1)
            if same:
                current["valid_to"] = r.year
                current["years"].append(r.year)
            else:
                current = {"code": code, "scope": scope, "name_fi": r.name_fi, "parent_code": r.parent_code,
                           "valid_from": r.year, "valid_to": r.year, "years": [r.year], "src": r.source}
                periods.append(current)
    out_rows = []
    for p in periods:
        open_ended = p["valid_to"] == last and (p["scope"] == "wellbeing_area" or p["valid_to"] == 2023)
        ys = p["years"]
        listed = ", ".join(str(y) for y in ys) if p["scope"] == "municipality" else "2022"
        src = SRC_SERVICE.format(years=listed)
        extra = str(p["src"]).split("; ", 1)[1] if "; " in str(p["src"]) else ""
        source = join_sources(src, extra, ASSUME_OPEN if (open_ended and p["scope"] == "municipality") else "")
        out_rows.append({
            "code": p["code"], "name_fi": p["name_fi"], "name_sv": "", "name_en": "",
            "valid_from": p["valid_from"], "valid_to": "" if open_ended else p["valid_to"],
            "scope": p["scope"], "parent_code": p["parent_code"], "source": source,
        })
    out = pd.DataFrame(out_rows)

    # hand-written, reviewed translations; applied where the Finnish name is the latest one
    labels = pd.read_csv(LABELS, dtype=str, keep_default_na=False)
    if list(labels.columns) != ["code", "name_sv", "name_en", "basis"]:
        raise BuildError(f"{LABELS.name}: columns must be code,name_sv,name_en,basis")
    if labels["code"].duplicated().any():
        raise BuildError(f"{LABELS.name}: duplicate codes")
    unknown = sorted(set(labels["code"]) - set(out["code"]))
    if unknown:
        raise BuildError(f"{LABELS.name}: codes not in the classification: {unknown}")
    latest = out.sort_values("valid_from").groupby("code")["name_fi"].last()
    lab = labels.set_index("code")
    for i, r in out.iterrows():
        if r["code"] in lab.index and r["name_fi"] == latest[r["code"]]:
            out.at[i, "name_sv"] = lab.at[r["code"], "name_sv"]
            out.at[i, "name_en"] = lab.at[r["code"], "name_en"]
            out.at[i, "source"] = join_sources(r["source"], TRANSLATION)

    # checks against the source lists
    for year in years:
        n_list = int((raw["year"] == year).sum())
        n_closed = sum(1 for (c, y) in closed_year if y == year)
        n_valid = int(((out["scope"] == "municipality") & (out["valid_from"] <= year)
                       & ((out["valid_to"] == "") | (out["valid_to"].astype(str).replace("", "9999").astype(int) >= year))).sum())
        if n_valid != n_list - n_closed:
            raise BuildError(f"service classes {year}: {n_valid} valid, list has {n_list} with {n_closed} closed")
    return out


# --------------------------------------------------------------------------- task classes


def build_task_classes(shared: Path) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    kta = read_shared(shared, F_KTA)
    kta["year"] = to_int(kta["year"], f"{F_KTA} year")
    amount = pd.to_numeric(kta["amount"], errors="raise")
    if not np.all(amount == np.round(amount)):
        raise BuildError(f"{F_KTA}: amounts are not whole euros")
    kta["amount"] = amount.round().astype("int64")
    kta["func"] = kta["func"].str.strip()
    aggregates = {TOTAL_TASK, *SUB_AGGREGATES}
    missing = aggregates - set(kta["func"])
    if missing:
        raise BuildError(f"{F_KTA}: aggregate rows missing: {sorted(missing)}")
    wide = kta.pivot_table(index=["muni", "year"], columns="func", values="amount", aggfunc="sum", fill_value=0)
    tasks = sorted(c for c in wide.columns if c not in aggregates)
    x = wide[tasks].to_numpy(dtype="int64")
    # every non-aggregate task sums exactly to the total in every municipality-year
    if not np.array_equal(x.sum(axis=1), wide[TOTAL_TASK].to_numpy()):
        raise BuildError(f"{F_KTA}: task rows do not sum to {TOTAL_TASK!r}")
    members: dict[str, list[str]] = {}
    for agg in SUB_AGGREGATES:
        y = wide[agg].to_numpy(dtype="int64")
        coef, *_ = np.linalg.lstsq(x.astype("float64"), y.astype("float64"), rcond=None)
        chosen = [t for t, c in zip(tasks, coef) if abs(c - 1.0) < 1e-6]
        other = [t for t, c in zip(tasks, coef) if abs(c) > 1e-6 and abs(c - 1.0) >= 1e-6]
        exact = np.array_equal(wide[chosen].to_numpy(dtype="int64").sum(axis=1), y) if chosen else False
        members[agg] = chosen if (exact and not other) else []
    overlap = set(members[SUB_AGGREGATES[0]]) & set(members[SUB_AGGREGATES[1]])
    if overlap:
        raise BuildError(f"tasks in both sub-aggregates: {sorted(overlap)}")

    years_of = kta.groupby("func")["year"].agg(["min", "max"])
    labels = pd.read_csv(TASK_LABELS, dtype=str, keep_default_na=False).set_index("name_fi")
    unknown = sorted(set(labels.index) - set(years_of.index))
    if unknown:
        raise BuildError(f"{TASK_LABELS.name}: names not in the data: {unknown}")
    n_rows = wide.shape[0]
    rows = []
    for name in sorted(years_of.index):
        first, last = int(years_of.at[name, "min"]), int(years_of.at[name, "max"])
        valid_from = TASK_FIRST_YEAR if first == int(years_of["min"].min()) else first
        valid_to = TASK_LAST_YEAR if last == int(years_of["max"].max()) else last
        is_agg = name in aggregates
        if name == TOTAL_TASK:
            parent = ""
        elif is_agg:
            parent = TOTAL_TASK
        else:
            parent = next((a for a in SUB_AGGREGATES if name in members[a]), "")
        src = [SRC_KTA, f"names as used {first}-{last}"]
        if valid_to == TASK_LAST_YEAR:
            src.append(ASSUME_TASK_2020)
        if parent in SUB_AGGREGATES:
            src.append(f"parent checked: members sum exactly to {parent!r} in all {n_rows} municipality-years")
        sv = en = ""
        if name in labels.index:
            sv, en = labels.at[name, "name_sv"], labels.at[name, "name_en"]
            src.append(TRANSLATION)
        rows.append({"name_fi": name, "name_sv": sv, "name_en": en, "valid_from": valid_from,
                     "valid_to": valid_to, "is_aggregate": "true" if is_agg else "false",
                     "parent": parent, "source": join_sources(*src)})
    return pd.DataFrame(rows), members


# --------------------------------------------------------------------------- municipalities


def _language(text: str) -> str:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    codes = []
    for p in parts:
        if p not in LANGUAGE_CODES:
            raise BuildError(f"{F_BID}: unknown language {p!r}")
        codes.append(LANGUAGE_CODES[p])
    return "|".join(codes)


def build_municipalities(shared: Path) -> pd.DataFrame:
    key26 = read_shared(shared, F_KEY26)
    key25 = read_shared(shared, F_KEY25)
    bid = read_shared(shared, F_BID)
    m19 = read_shared(shared, F_M2019)
    kta = read_shared(shared, F_KTA)
    pop = read_shared(shared, F_POP_TOTAL)

    key26["code"] = pad3(key26["kunta"])
    key25["code"] = pad3(key25["kunta"])
    bid["code"] = pad3(bid["number"])
    m19["code"] = pad3(m19["muni"])
    if set(key25["code"]) != set(key26["code"]):
        raise BuildError("the 2025 and 2026 keys list different municipalities")
    all_codes = (set(key26["code"]) | set(bid["code"]) | set(m19["code"])
                 | set(pad3(kta["muni"])) | set(pad3(pop["municipality_code"])))

    k26 = key26.set_index("code")
    b = bid.set_index("code")
    bid_fix = pd.read_csv(Path(__file__).with_name("business_id_corrections.csv"), dtype=str).set_index("code")
    # an ID the source gives to several (uncorrected) municipalities is withheld from all of them
    uncorrected = bid[~bid["code"].isin(bid_fix.index)]
    shared_bids = set(uncorrected.loc[uncorrected["bid"].duplicated(keep=False), "bid"])
    m = m19.set_index("code")
    rows = []
    for code in sorted(all_codes):
        row: dict[str, object] = {"code": code, "business_id": "", "name_fi": "", "name_sv": "", "name_en": "",
                                  "valid_from": MUNICIPALITY_FIRST_YEAR, "valid_to": "", "merged_into": "",
                                  "language": "", "group_code": "", "group_fi": "", "group_sv": "",
                                  "group_en": "", "source": ""}
        src = []
        if code in k26.index:
            r = k26.loc[code]
            # the key's `name_fi` column writes bilingual names as "Maarianhamina - Mariehamn";
            # municipality_name_fi is the plain Finnish name
            row.update(name_fi=r["municipality_name_fi"], name_sv=r["municipality_name_sv"],
                       name_en=r["municipality_name_en"], group_code=r["kuntaryhmitys_code"],
                       group_fi=r["kuntaryhmitys_name_fi"], group_sv=r["kuntaryhmitys_name_sv"],
                       group_en=r["kuntaryhmitys_name_en"])
            src.append(SRC_KEY26)
        elif code in b.index:
            row.update(name_fi=b.at[code, "name"], name_sv=m.at[code, "muni_name_sv"] if code in m.index else "",
                       name_en=b.at[code, "name"])
            src.append("name: TuomasBorman/osta src/osta/resources/municipality_codes.csv")
            if code in m.index:
                src.append(f"Swedish name: {SRC_M2019}")
        elif code in m.index:
            row.update(name_fi=m.at[code, "muni_name_fi"], name_sv=m.at[code, "muni_name_sv"],
                       name_en=m.at[code, "muni_name_fi"])
            src.append(f"names: {SRC_M2019}")
        elif code in MERGED_EARLY:
            e = MERGED_EARLY[code]
            row.update(name_fi=e["name_fi"], name_sv=e["name_sv"], name_en=e["name_fi"])
            src.append(f"code: {SRC_KTA}")
        else:
            raise BuildError(f"municipality {code}: no name in any file and not in MERGED_EARLY")
        if code in b.index:
            row["language"] = _language(b.at[code, "language"])
            if code in bid_fix.index:
                row["business_id"] = bid_fix.at[code, "business_id"]
                src.append(f"business ID corrected: {bid_fix.at[code, 'source']}")
            elif b.at[code, "bid"] in shared_bids:
                # the source gives this ID to several municipalities: it cannot be
                # right for all of them, and we cannot tell which, so none gets it
                src.append(f"business ID withheld: the osta file gives {b.at[code, 'bid']} to several municipalities")
            else:
                row["business_id"] = b.at[code, "bid"]
            src.append(SRC_BID)
        merged = MERGED_EARLY.get(code) or MERGED_LATER.get(code)
        if merged is not None:
            if code in k26.index:
                raise BuildError(f"municipality {code} is listed as merged but is in the 2026 key")
            if merged["merged_into"] not in k26.index:
                raise BuildError(f"municipality {code} merged into {merged['merged_into']}, which is not in the 2026 key")
            row.update(valid_to=int(merged["last"]), merged_into=merged["merged_into"])
            src.append(merged["source"])
        elif code not in k26.index:
            raise BuildError(f"municipality {code} is not in the 2026 key and no merger is recorded for it")
        row["source"] = join_sources(*src)
        rows.append(row)
    out = pd.DataFrame(rows)
    if out["name_fi"].eq("").any():
        raise BuildError("municipalities without a Finnish name")
    return out


# --------------------------------------------------------------------------- wellbeing areas and membership


def build_wellbeing_areas(shared: Path) -> pd.DataFrame:
    key = read_shared(shared, F_KEY26)
    cols = ["hyvinvointialue_code", "hyvinvointialue_name_fi", "hyvinvointialue_name_sv", "hyvinvointialue_name_en"]
    areas = key[cols].drop_duplicates()
    areas["code"] = [pad2(c) for c in areas["hyvinvointialue_code"]]
    if areas["code"].duplicated().any():
        raise BuildError(f"{F_KEY26}: an area code has two names")
    expected = [f"{i:02d}" for i in range(1, 22)] + ["90", "91"]
    if sorted(areas["code"]) != expected:
        raise BuildError(f"{F_KEY26}: area codes {sorted(areas['code'])}, expected 01-21, 90, 91")
    organiser = {"90": "municipality", "91": "none"}
    return pd.DataFrame({
        "code": areas["code"],
        "name_fi": areas["hyvinvointialue_name_fi"].str.strip(),
        "name_sv": areas["hyvinvointialue_name_sv"].str.strip(),
        "name_en": areas["hyvinvointialue_name_en"].str.strip(),
        "organiser_type": [organiser.get(c, "wellbeing_area") for c in areas["code"]],
        "source": SRC_KEY26,
    })


def build_membership(shared: Path, municipalities: pd.DataFrame) -> pd.DataFrame:
    key26 = read_shared(shared, F_KEY26)
    key25 = read_shared(shared, F_KEY25)
    m19 = read_shared(shared, F_M2019)
    bid = read_shared(shared, F_BID)
    key26["code"] = pad3(key26["kunta"])
    key25["code"] = pad3(key25["kunta"])
    m19["code"] = pad3(m19["muni"])
    bid["code"] = pad3(bid["number"])
    key26["area"] = [pad2(c) for c in key26["hyvinvointialue_code"]]
    key25["area"] = [pad2(c) for c in key25["hyvinvointialue_code"]]
    a25 = key25.set_index("code")["area"]
    a26 = key26.set_index("code")["area"]
    if not a25.sort_index().equals(a26.sort_index()):
        raise BuildError("the 2025 and 2026 keys give different wellbeing areas")

    # region (maakunta) -> area, for the regions that form one area (all but Uusimaa)
    reg = key26.groupby("maakunta_name_fi")["area"].unique()
    region_area = {r: a[0] for r, a in reg.items() if len(a) == 1}
    region_area["Ahvenanmaan maakunta"] = region_area["Ahvenanmaa"]  # spelling of the 2019 file

    def area_of_region(region: str, code: str) -> str:
        if region == "Uusimaa":
            # Uusimaa is split into four areas and Helsinki; no municipality changed
            # region there, so its future area is the one in the key
            return str(a26[code])
        if region not in region_area:
            raise BuildError(f"region {region!r} has no wellbeing area")
        return region_area[region]

    region19 = m19.set_index("code")["province_name_fi"]
    region26 = key26.set_index("code")["maakunta_name_fi"]

    # the region changes between the 2019 division and 2026 must be exactly the known ones
    changed = {c: (region19[c], region26[c]) for c in region19.index.intersection(region26.index)
               if region19[c] != region26[c] and not region19[c].startswith("Ahvenanmaa")}
    if changed != REGION_CHANGES_2021:
        raise BuildError(f"region changes found {changed} differ from the recorded 1.1.2021 changes {REGION_CHANGES_2021}")

    muni = municipalities.set_index("code")
    rows = []
    for code, r in muni.iterrows():
        first = max(MEMBERSHIP_FIRST_YEAR, int(r["valid_from"]))
        last = int(r["valid_to"]) if r["valid_to"] != "" else None
        if last is not None and last < first:
            continue
        if code in a26.index:
            now = str(a26[code])
            if code in REGION_CHANGES_2021:
                before = area_of_region(REGION_CHANGES_2021[code][0], code)
                rows.append((code, before, first, 2020, join_sources(f"region 2015-2020: {SRC_M2019}", _REGION_SOURCE)))
                rows.append((code, now, 2021, None, join_sources(SRC_KEY26, _REGION_SOURCE)))
            else:
                if code in region19.index and area_of_region(region19[code], code) != now:
                    raise BuildError(f"municipality {code}: 2019 region and 2026 area disagree")
                rows.append((code, now, first, None, join_sources(SRC_KEY26, f"same region in {SRC_M2019}")))
        elif code in region19.index:
            area = area_of_region(region19[code], code)
            src = f"region {region19[code]}: {SRC_M2019}"
            if code in set(bid["code"]):
                prov = bid.set_index("code").at[code, "province"]
                if area_of_region(prov, code) != area:
                    raise BuildError(f"municipality {code}: region in 2019 and 2021-2024 files disagree")
                src = join_sources(src, f"region {prov} in 2021-2024: TuomasBorman/osta municipality_codes.csv")
            rows.append((code, area, first, last, src))
        else:
            target = str(r["merged_into"])
            area = str(a26[target]) if target not in region19.index else area_of_region(region19[target], target)
            rows.append((code, area, first, last,
                         f"area of {target} (merged into it; same region): {MERGED_EARLY[code]['source']}"))
    out = pd.DataFrame(rows, columns=["municipality_code", "area_code", "valid_from", "valid_to", "source"])
    out["valid_to"] = out["valid_to"].astype(object).where(out["valid_to"].notna(), "")
    out["valid_to"] = [("" if v == "" else int(v)) for v in out["valid_to"]]

    # every municipality-year that exists has exactly one area
    for year in range(MEMBERSHIP_FIRST_YEAR, CHECK_LAST_YEAR + 1):
        exists = {c for c, r in muni.iterrows()
                  if int(r["valid_from"]) <= year and (r["valid_to"] == "" or int(r["valid_to"]) >= year)}
        hit = out[(out["valid_from"] <= year)
                  & out["valid_to"].map(lambda v, y=year: v == "" or int(v) >= y)]
        counts = hit["municipality_code"].value_counts()
        if set(counts.index) != exists or (counts != 1).any():
            raise BuildError(f"membership {year}: not exactly one area for every existing municipality")
    return out


# --------------------------------------------------------------------------- population


def build_population_age(shared: Path) -> pd.DataFrame:
    pop = read_shared(shared, F_POP_AGE)
    m19 = read_shared(shared, F_M2019)
    m19["code"] = pad3(m19["muni"])
    col_total = [c for c in pop.columns if c.startswith("Yhteensä")]
    if len(col_total) != 1:
        raise BuildError(f"{F_POP_AGE}: no single 'Yhteensä …' column")
    year = int(re.search(r"(\d{4})", col_total[0]).group(1))
    pop = pop[pop["Alue"] != "KOKO MAA"].copy()
    fi = dict(zip(m19["muni_name_fi"].str.strip(), m19["code"]))
    sv = dict(zip(m19["muni_name_sv"].str.strip(), m19["code"]))

    def code_for(name: str) -> str | None:
        name = name.strip()
        candidates = [name] + [p.strip() for p in name.split(" - ")] if " - " in name else [name]
        for c in candidates:
            if c in fi:
                return fi[c]
        for c in candidates:
            if c in sv:
                return sv[c]
        return None

    names = sorted(pop["Alue"].unique())
    mapping = {n: code_for(n) for n in names}
    unmatched = [n for n, c in mapping.items() if c is None]
    if unmatched:
        raise BuildError(f"{F_POP_AGE}: names not found in {F_M2019}: {unmatched}")
    if len(set(mapping.values())) != len(mapping):
        raise BuildError(f"{F_POP_AGE}: two names map to one municipality code")
    pop["municipality_code"] = pop["Alue"].map(mapping)
    pop["persons"] = to_int(pop[col_total[0]], f"{F_POP_AGE} persons")
    totals = pop[pop["Ikä"] == "Yhteensä"].set_index("municipality_code")["persons"]
    ages = pop[pop["Ikä"] != "Yhteensä"].copy()
    ages["age"] = to_int(ages["Ikä"].str.replace(r"\s*-\s*$", "", regex=True), f"{F_POP_AGE} age")
    if ages["age"].max() != 100 or ages.groupby("municipality_code")["age"].nunique().ne(101).any():
        raise BuildError(f"{F_POP_AGE}: expected ages 0 … 100 (100 = 100 or over) for every municipality")
    sums = ages.groupby("municipality_code")["persons"].sum()
    if not sums.sort_index().equals(totals.sort_index()):
        raise BuildError(f"{F_POP_AGE}: ages do not sum to 'Yhteensä'")
    children = int(ages.loc[ages["age"] <= 17, "persons"].sum())
    if children != CHILD_AGES_TOTAL_2019:
        raise BuildError(f"{F_POP_AGE}: 0-17 total {children}, expected {CHILD_AGES_TOTAL_2019}")
    return pd.DataFrame({"municipality_code": ages["municipality_code"], "year": year,
                         "age": ages["age"], "persons": ages["persons"]})


def build_population_total(shared: Path) -> pd.DataFrame:
    pop = read_shared(shared, F_POP_TOTAL)
    out = pd.DataFrame({
        "municipality_code": pad3(pop["municipality_code"]),
        "year": to_int(pop["year"], f"{F_POP_TOTAL} year"),
        "persons": to_int(pop["primary.value"], f"{F_POP_TOTAL} persons"),
    })
    if out.duplicated(["municipality_code", "year"]).any():
        raise BuildError(f"{F_POP_TOTAL}: a municipality-year twice")
    return out


# --------------------------------------------------------------------------- main


def build(shared: Path, out: Path) -> dict[str, object]:
    """Build every table into ``out``; return counts and findings for the log."""
    if not shared.is_dir():
        raise BuildError(f"{shared} not found; pass --shared pointing at the shared data folder")
    sc = build_service_classes(shared)
    tc, members = build_task_classes(shared)
    mu = build_municipalities(shared)
    wa = build_wellbeing_areas(shared)
    ms = build_membership(shared, mu)
    pa = build_population_age(shared)
    pt = build_population_total(shared)
    unknown = set(ms["municipality_code"]) - set(mu["code"])
    if unknown or set(pa["municipality_code"]) - set(mu["code"]) or set(pt["municipality_code"]) - set(mu["code"]):
        raise BuildError("a population or membership code is not in municipalities.csv")
    if set(ms["area_code"]) - set(wa["code"]):
        raise BuildError("membership names an unknown wellbeing area")

    write_csv(sc, out / "service_classes.csv", ["code", "valid_from", "scope"])
    write_csv(tc, out / "task_classes.csv", ["name_fi"])
    write_csv(mu, out / "municipalities.csv", ["code"])
    write_csv(wa, out / "wellbeing_areas.csv", ["code"])
    write_csv(ms, out / "membership.csv", ["municipality_code", "valid_from"])
    write_csv(pa, out / "population_age.csv", ["municipality_code", "year", "age"])
    write_csv(pt, out / "population_total.csv", ["municipality_code", "year"])
    return {
        "service_classes.csv": len(sc), "task_classes.csv": len(tc), "municipalities.csv": len(mu),
        "wellbeing_areas.csv": len(wa), "membership.csv": len(ms), "population_age.csv": len(pa),
        "population_total.csv": len(pt), "task_members": members,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="folder with the shared real data")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the CSV files")
    parser.add_argument("--quiet", action="store_true", help="print nothing on success")
    args = parser.parse_args(argv)
    try:
        info = build(args.shared, args.out)
    except BuildError as exc:
        print(f"build_reference: {exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        members = info.pop("task_members")
        for name, n in info.items():
            print(f"{name}: {n} rows")
        for agg, tasks in members.items():  # type: ignore[union-attr]
            print(f"{agg} = " + (" + ".join(tasks) if tasks else "(no exact subset found)"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
