"""Packaged reference data: classifications, municipalities, areas, population.

The tables are CSV files under ``lapsibudjetti/data/reference/``, built from
public data by ``scripts/build_reference.py`` and described (columns, sources,
licences, working assumptions) in ``lapsibudjetti/data/README.md``.

Every loader reads its file once (cached) and returns a *copy*, so changing a
returned frame never changes what the next caller gets. Codes are always
strings: municipality codes have three digits (``"091"``), wellbeing-area codes
two (``"01"``, ``"90"``), service classes four (``"3021"``).

Years are covered as follows:

- service classes (palveluluokat): 2021 onwards; the classes of the 2023 list
  (and the wellbeing-area classes) stay valid after 2023;
- task classes (tehtäväluokat): 2015–2020;
- municipalities: 2000 onwards (merged municipalities have ``valid_to``);
- membership of municipalities in wellbeing areas: 2015 onwards;
- population by age: 2019; total population: 2000–2022.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from importlib.resources import files
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._errors import InputError, ReferenceDataError

if TYPE_CHECKING:
    from ._registry import Registry

__all__ = [
    "service_classes",
    "task_classes",
    "municipalities",
    "wellbeing_areas",
    "membership",
    "population_by_age",
    "population_total",
    "label",
    "check_ledger_codes",
    "SERVICE_CLASS_FIRST_YEAR",
    "TASK_CLASS_YEARS",
]

SERVICE_CLASS_FIRST_YEAR: int = 2021
TASK_CLASS_YEARS: tuple[int, int] = (2015, 2020)
MUNICIPALITY_FIRST_YEAR: int = 2000

SCOPES: tuple[str, ...] = ("municipality", "wellbeing_area", "both")
LANGS: tuple[str, ...] = ("fi", "sv", "en")
KINDS: tuple[str, ...] = ("service_class", "task_class", "municipality", "wellbeing_area")
CHECK_COLUMNS: tuple[str, ...] = ("file", "row", "column", "value", "problem")

# file name -> (text columns, integer columns, nullable integer columns, boolean columns)
_SPECS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "service_classes.csv": (
        ("code", "name_fi", "name_sv", "name_en", "scope", "parent_code", "source"),
        ("valid_from",),
        ("valid_to",),
        (),
    ),
    "task_classes.csv": (
        ("name_fi", "name_sv", "name_en", "parent", "source"),
        ("valid_from", "valid_to"),
        (),
        ("is_aggregate",),
    ),
    "municipalities.csv": (
        ("code", "business_id", "name_fi", "name_sv", "name_en", "merged_into", "language",
         "group_code", "group_fi", "group_sv", "group_en", "source"),
        ("valid_from",),
        ("valid_to",),
        (),
    ),
    "wellbeing_areas.csv": (
        ("code", "name_fi", "name_sv", "name_en", "organiser_type", "source"),
        (),
        (),
        (),
    ),
    "membership.csv": (
        ("municipality_code", "area_code", "source"),
        ("valid_from",),
        ("valid_to",),
        (),
    ),
    "population_age.csv": (("municipality_code",), ("year", "age", "persons"), (), ()),
    "population_total.csv": (("municipality_code",), ("year", "persons"), (), ()),
}
_COLUMN_ORDER: dict[str, tuple[str, ...]] = {
    "service_classes.csv": ("code", "name_fi", "name_sv", "name_en", "valid_from", "valid_to", "scope",
                            "parent_code", "source"),
    "task_classes.csv": ("name_fi", "name_sv", "name_en", "valid_from", "valid_to", "is_aggregate", "parent",
                         "source"),
    "municipalities.csv": ("code", "business_id", "name_fi", "name_sv", "name_en", "valid_from", "valid_to",
                           "merged_into", "language", "group_code", "group_fi", "group_sv", "group_en", "source"),
    "wellbeing_areas.csv": ("code", "name_fi", "name_sv", "name_en", "organiser_type", "source"),
    "membership.csv": ("municipality_code", "area_code", "valid_from", "valid_to", "source"),
    "population_age.csv": ("municipality_code", "year", "age", "persons"),
    "population_total.csv": ("municipality_code", "year", "persons"),
}

_REBUILD = "Reinstall lapsibudjetti, or rebuild the tables with `python scripts/build_reference.py`."


# --------------------------------------------------------------------------- reading


@lru_cache(maxsize=None)
def _load(name: str) -> pd.DataFrame:
    """Read and type one packaged table (cached; never hand this object out)."""
    text_cols, int_cols, nullable_cols, bool_cols = _SPECS[name]
    resource = files("lapsibudjetti") / "data" / "reference" / name
    try:
        with resource.open("rb") as fh:
            df = pd.read_csv(fh, dtype=str, keep_default_na=False, encoding="utf-8")
    except FileNotFoundError as exc:
        raise ReferenceDataError(f"the packaged reference file {name} is missing. {_REBUILD}") from exc
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ReferenceDataError(f"the packaged reference file {name} cannot be read ({exc}). {_REBUILD}") from exc
    expected = _COLUMN_ORDER[name]
    if tuple(df.columns) != expected:
        raise ReferenceDataError(
            f"the packaged reference file {name} has columns {', '.join(map(str, df.columns))}; "
            f"expected {', '.join(expected)}. {_REBUILD}"
        )
    if len(df) == 0:
        raise ReferenceDataError(f"the packaged reference file {name} has no rows. {_REBUILD}")
    out = pd.DataFrame(index=pd.RangeIndex(len(df)))
    for col in expected:
        values = df[col].astype(object)
        if col in text_cols:
            out[col] = values.where(values != "", np.nan).astype(object)
        elif col in int_cols or col in nullable_cols:
            ok = values.str.fullmatch(r"-?\d+") | ((values == "") & (col in nullable_cols))
            if not ok.all():
                bad = values[~ok].iloc[0]
                raise ReferenceDataError(
                    f"the packaged reference file {name} is corrupt: column {col!r} has {bad!r}, "
                    f"not a whole number. {_REBUILD}"
                )
            if col in nullable_cols:
                out[col] = pd.array([int(v) if v != "" else None for v in values], dtype="Int64")
            else:
                out[col] = values.astype("int64")
        elif col in bool_cols:
            if not values.isin(["true", "false"]).all():
                raise ReferenceDataError(
                    f"the packaged reference file {name} is corrupt: column {col!r} must be true/false. {_REBUILD}"
                )
            out[col] = values.eq("true").astype(bool)
    return out


def _copy(name: str) -> pd.DataFrame:
    return _load(name).copy(deep=True)


def _check_year(year: object, what: str = "year") -> int | None:
    if year is None:
        return None
    if isinstance(year, (bool, np.bool_)) or not isinstance(year, (int, np.integer)):
        raise InputError(f"{what} must be a whole number such as 2023 or None, got {year!r}")
    return int(year)


def _valid_in(df: pd.DataFrame, year: int) -> pd.Series:
    to = df["valid_to"]
    return (df["valid_from"] <= year) & (to.isna() | (to >= year)).fillna(True).astype(bool)


# --------------------------------------------------------------------------- public loaders


def service_classes(year: int | None = None, *, scope: str | None = None) -> pd.DataFrame:
    """The service classification (palveluluokitus), year-valid.

    One row per class and validity period: a class whose name, parent or
    scope changed has several rows (e.g. the sote classes: municipal in
    2021–2022, wellbeing area from 2023).

    Parameters
    ----------
    year
        Only the rows valid in that year. ``None``: every row.
    scope
        ``"municipality"`` or ``"wellbeing_area"``: the rows that organisation
        type may use (rows with scope ``"both"`` are included); ``"both"``:
        only the rows valid for both. ``None``: all scopes.

    Returns
    -------
    DataFrame
        Columns ``code`` (4-digit str), ``name_fi``, ``name_sv``, ``name_en``
        (sv/en may be missing; use :func:`label` for a fallback to Finnish),
        ``valid_from``, ``valid_to`` (``Int64``; missing = still valid),
        ``scope``, ``parent_code``, ``source``.

    Raises
    ------
    InputError
        For a scope that is not one of ``municipality``, ``wellbeing_area``,
        ``both``, or a year that is not a whole number.

    Examples
    --------
    >>> sc = service_classes(2022, scope="municipality")
    >>> len(sc), sc["code"].is_unique
    (136, True)
    >>> sc.loc[sc["code"] == "3021", ["code", "name_fi", "name_en"]].to_dict("records")
    [{'code': '3021', 'name_fi': 'Päiväkotitoiminta', 'name_en': 'Day-care centre activities'}]
    >>> sorted(service_classes(2023, scope="wellbeing_area")["code"])[:3]
    ['1101', '2120', '2121']
    >>> "2120" in set(service_classes(2023, scope="municipality")["code"])
    False
    """
    year = _check_year(year)
    if scope is not None and scope not in SCOPES:
        raise InputError(f"unknown scope {scope!r}; use one of {', '.join(SCOPES)} (or None for all)")
    df = _copy("service_classes.csv")
    if year is not None:
        df = df[_valid_in(df, year)]
    if scope in ("municipality", "wellbeing_area"):
        df = df[df["scope"].isin([scope, "both"])]
    elif scope == "both":
        df = df[df["scope"] == "both"]
    return df.reset_index(drop=True)


def _valid_rows(name: str, year: int | None) -> pd.DataFrame:
    """A packaged year-valid table, only the rows valid in ``year`` (all when None)."""
    year = _check_year(year)
    df = _copy(name)
    if year is not None:
        df = df[_valid_in(df, year)]
    return df.reset_index(drop=True)


def task_classes(year: int | None = None) -> pd.DataFrame:
    """The task classes (tehtäväluokat) of the 2015–2020 municipal statistics.

    Parameters
    ----------
    year
        Only the classes valid in that year (2015–2020). ``None``: all.

    Returns
    -------
    DataFrame
        Columns ``name_fi`` (the key), ``name_sv``, ``name_en``,
        ``valid_from``, ``valid_to``, ``is_aggregate`` (bool; the three
        ``… yhteensä`` rows, never services), ``parent`` (the sub-aggregate a
        task sums into, where the data show it exactly), ``source``.

    Examples
    --------
    >>> tc = task_classes(2015)
    >>> "Lasten päivähoito" in set(tc["name_fi"]), "Varhaiskasvatus" in set(tc["name_fi"])
    (True, False)
    >>> int(task_classes(2016)["is_aggregate"].sum())
    3
    >>> task_classes().set_index("name_fi").at["Lastensuojelun avohuoltopalvelut", "parent"]
    'Sosiaali- ja terveystoiminta yhteensä'
    """
    return _valid_rows("task_classes.csv", year)


def municipalities(year: int | None = None) -> pd.DataFrame:
    """Municipalities (kunnat), including those merged away since 2015.

    Parameters
    ----------
    year
        Only the municipalities that existed in that year. ``None``: all.

    Returns
    -------
    DataFrame
        Columns ``code`` (3-digit str), ``business_id``, ``name_fi``,
        ``name_sv``, ``name_en``, ``valid_from`` (2000 = in 2000 or earlier),
        ``valid_to`` (last year; missing = exists), ``merged_into``,
        ``language`` (official languages, majority first, ``|``-separated ISO
        codes), ``group_code``/``group_fi``/``group_sv``/``group_en``
        (Statistics Finland's urban / semi-urban / rural grouping of 2026),
        ``source``.

    Examples
    --------
    >>> len(municipalities(2024)), len(municipalities(2025))
    (309, 308)
    >>> m = municipalities().set_index("code")
    >>> m.at["588", "name_fi"], int(m.at["588", "valid_to"]), m.at["588", "merged_into"]
    ('Pertunmaa', 2024, '507')
    >>> m.at["091", "group_en"]
    'Urban municipalities'
    """
    return _valid_rows("municipalities.csv", year)


def wellbeing_areas() -> pd.DataFrame:
    """The 21 wellbeing areas, Helsinki (90) and Åland (91).

    Returns
    -------
    DataFrame
        Columns ``code`` (``"01"`` … ``"21"``, ``"90"``, ``"91"``),
        ``name_fi``, ``name_sv``, ``name_en``, ``organiser_type``
        (``wellbeing_area``; ``municipality`` for Helsinki, which organises
        its social and health services itself; ``none`` for Åland, outside
        the system), ``source``.

    Examples
    --------
    >>> wa = wellbeing_areas()
    >>> len(wa), wa["organiser_type"].value_counts().to_dict()
    (23, {'wellbeing_area': 21, 'municipality': 1, 'none': 1})
    >>> wa.set_index("code").at["19", "name_en"]
    'North Ostrobothnia wellbeing services county'
    """
    return _copy("wellbeing_areas.csv")


def membership(year: int | None = None) -> pd.DataFrame:
    """Which wellbeing area each municipality belongs to, per year (2015 on).

    Before 2023 the area is the future area by the municipality's region
    (maakunta) of that year, so that time series can be built on the 2023
    division. Iitti, Kuhmoinen, Isokyrö, Heinävesi and Joroinen changed
    region on 1.1.2021.

    Parameters
    ----------
    year
        ``None``: the table with ``valid_from``/``valid_to``. A year: one row
        per municipality existing that year, columns ``municipality_code``,
        ``area_code``, ``year``.

    Examples
    --------
    >>> m = membership(2020).set_index("municipality_code")
    >>> m.at["142", "area_code"], membership(2021).set_index("municipality_code").at["142", "area_code"]
    ('10', '09')
    >>> len(membership(2023)), membership(2023).set_index("municipality_code").at["091", "area_code"]
    (309, '90')
    """
    year = _check_year(year)
    df = _copy("membership.csv")
    if year is None:
        return df
    df = df[_valid_in(df, year)]
    out = pd.DataFrame({
        "municipality_code": df["municipality_code"].to_numpy(dtype=object),
        "area_code": df["area_code"].to_numpy(dtype=object),
        "year": np.full(len(df), year, dtype="int64"),
    })
    return out


def population_by_age() -> pd.DataFrame:
    """Population by municipality, year and single year of age (both sexes).

    Age 100 means 100 or over. Currently 31.12.2019 (2020 division: Valtimo
    is counted in Nurmes; Honkajoki is still separate).

    Examples
    --------
    >>> p = population_by_age()
    >>> list(p.columns)
    ['municipality_code', 'year', 'age', 'persons']
    >>> int(p.loc[p["age"] <= 17, "persons"].sum())
    1049057
    """
    return _copy("population_age.csv")


def population_total() -> pd.DataFrame:
    """Total population per municipality and year, 2000–2022 (2021 division).

    Examples
    --------
    >>> p = population_total()
    >>> int(p.loc[(p["municipality_code"] == "091") & (p["year"] == 2019), "persons"].iloc[0])
    653835
    """
    return _copy("population_total.csv")


def label(kind: str, code: str, lang: str = "fi", *, year: int | None = None) -> str:
    """The name of a class, municipality or wellbeing area in Finnish, Swedish or English.

    Falls back to the Finnish name where no translation is packaged.

    Parameters
    ----------
    kind
        ``service_class``, ``task_class`` (the code is the Finnish name),
        ``municipality`` or ``wellbeing_area``.
    code
        The code (``"3021"``, ``"091"``, ``"01"``) or the task-class name.
    lang
        ``fi``, ``sv`` or ``en``.
    year
        For service classes whose name changed: the name valid in that year.
        ``None``: the latest name.

    Raises
    ------
    InputError
        For an unknown kind, language or code.

    Examples
    --------
    >>> label("service_class", "2131", "en")
    'Non-residential child protection (open care)'
    >>> label("service_class", "3352", year=2021)
    'Muu taiteen perusopetus'
    >>> label("municipality", "091", "sv")
    'Helsingfors'
    >>> label("wellbeing_area", "90", "en")
    'City of Helsinki'
    >>> label("service_class", "1102", "en")  # no translation: Finnish
    'Vaalien järjestäminen'
    """
    if kind not in KINDS:
        raise InputError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    if lang not in LANGS:
        raise InputError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    year = _check_year(year)
    code = str(code).strip()
    if kind == "service_class":
        df = _load("service_classes.csv")
        rows = df[df["code"] == code]
        if year is not None:
            rows = rows[_valid_in(rows, year)]
        rows = rows.sort_values("valid_from", kind="mergesort")
    elif kind == "task_class":
        df = _load("task_classes.csv")
        rows = df[df["name_fi"] == code]
        if year is not None:
            rows = rows[_valid_in(rows, year)]
    elif kind == "municipality":
        df = _load("municipalities.csv")
        rows = df[df["code"] == (code.zfill(3) if code.isdigit() else code)]
    else:
        df = _load("wellbeing_areas.csv")
        rows = df[df["code"] == (code.zfill(2) if code.isdigit() else code)]
    if rows.empty:
        when = f" in {year}" if year is not None else ""
        raise InputError(f"unknown {kind.replace('_', ' ')} {code!r}{when}; see lapsibudjetti.{_LISTER[kind]}()")
    row = rows.iloc[-1]
    name = row[f"name_{lang}"]
    if not isinstance(name, str) or not name:
        name = row["name_fi"]
    return str(name)


_LISTER = {
    "service_class": "service_classes",
    "task_class": "task_classes",
    "municipality": "municipalities",
    "wellbeing_area": "wellbeing_areas",
}


# --------------------------------------------------------------------------- ledger checks


def _as_category(values: pd.Series) -> pd.Series:
    """Categorical whose categories are strings (missing stays missing)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        cats = values.cat.categories
        if all(isinstance(c, str) for c in cats):
            return values
    obj = values.astype(object)
    mask = obj.notna()
    obj = obj.where(~mask, obj.map(lambda v: str(v) if v is not None else v))
    return obj.where(mask, None).astype("category")


def _empty_check() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64" if c == "row" else object) for c in CHECK_COLUMNS})


def _periods(rows: pd.DataFrame) -> str:
    parts = []
    for r in rows.itertuples(index=False):
        to = "" if pd.isna(r.valid_to) else str(int(r.valid_to))
        span = f"{int(r.valid_from)}–{to}" if to != str(int(r.valid_from)) else str(int(r.valid_from))
        scope = getattr(r, "scope", None)
        parts.append(f"{span} ({scope})" if scope else span)
    return ", ".join(parts)


def _combos(org_type: pd.Series, year: np.ndarray, other: pd.Series, keep: np.ndarray
            ) -> tuple[pd.DataFrame, np.ndarray]:
    """Unique (org_type, year, value) combinations of the kept lines, and each line's combo id (-1 if not kept)."""
    ot_codes = org_type.cat.codes.to_numpy().astype("int64")
    ov_codes = other.cat.codes.to_numpy().astype("int64")
    y = year.astype("int64")
    y0 = int(y[keep].min()) if keep.any() else 0
    span = int(y[keep].max()) - y0 + 1 if keep.any() else 1
    n_other = max(len(other.cat.categories), 1)
    key = ((ot_codes + 1) * span + (y - y0)) * (n_other + 1) + (ov_codes + 1)
    ids = np.full(len(key), -1, dtype="int64")
    codes, uniques = pd.factorize(key[keep])
    ids[keep] = codes
    uniques = np.asarray(uniques, dtype="int64")
    ov = uniques % (n_other + 1) - 1
    rest = uniques // (n_other + 1)
    yy = rest % span + y0
    ot = rest // span - 1
    ot_cats = np.asarray(org_type.cat.categories, dtype=object)
    ov_cats = np.asarray(other.cat.categories, dtype=object)
    combos = pd.DataFrame({
        "org_type": [ot_cats[i] if i >= 0 else None for i in ot],
        "year": yy.astype("int64"),
        "value": [str(ov_cats[i]) for i in ov],
    })
    return combos, ids


def _service_problems(combos: pd.DataFrame) -> list[str | None]:
    ref = _load("service_classes.csv")
    by_code = {c: g for c, g in ref.groupby("code", sort=False)}
    # each class's (valid_from, valid_to or None, scope) as plain values: thousands of combinations
    # are checked, and a pandas filter per combination cost far more than the check
    periods = {
        c: [(int(f), None if pd.isna(t) else int(t), sc) for f, t, sc in zip(g["valid_from"], g["valid_to"], g["scope"])]
        for c, g in by_code.items()
    }
    first = int(ref["valid_from"].min())
    out: list[str | None] = []
    for r in combos.itertuples(index=False):
        rows = by_code.get(r.value)
        if r.year < first:
            out.append(
                f"service classes are in the reference from {first} on (no {r.year}); "
                f"for {r.year} use task classes (reference {TASK_CLASS_YEARS[0]}–{TASK_CLASS_YEARS[1]})"
            )
            continue
        if rows is None:
            out.append("unknown service class (not in the 2021–2023 classification lists)")
            continue
        if r.org_type == "municipality":
            allowed = ("municipality", "both")
        elif r.org_type == "wellbeing_area":
            allowed = ("wellbeing_area", "both")
        else:  # joint authorities: any scope
            allowed = SCOPES
        year = int(r.year)
        if any(f <= year and (t is None or t >= year) and sc in allowed for f, t, sc in periods[r.value]):
            out.append(None)
        else:
            who = r.org_type.replace("_", " ") if isinstance(r.org_type, str) else "this organisation"
            out.append(f"service class not valid in {r.year} for a {who}; valid {_periods(rows)}")
    return out


def _task_problems(combos: pd.DataFrame) -> list[str | None]:
    ref = _load("task_classes.csv")
    by_name = {n: g for n, g in ref.groupby("name_fi", sort=False)}
    first, last = TASK_CLASS_YEARS
    out: list[str | None] = []
    for r in combos.itertuples(index=False):
        if r.year < first or r.year > last:
            hint = f"; from {SERVICE_CLASS_FIRST_YEAR} on use service classes" if r.year > last else ""
            out.append(f"task classes are in the reference for {first}–{last} only (no {r.year}){hint}")
            continue
        rows = by_name.get(r.value)
        if rows is None:
            out.append("unknown task class (not a tehtäväluokka name of the 2015–2020 statistics)")
        elif _valid_in(rows, int(r.year)).any():
            out.append(None)
        else:
            out.append(f"task class not valid in {r.year}; valid {_periods(rows)}")
    return out


def _municipality_problems(combos: pd.DataFrame) -> list[str | None]:
    ref = _load("municipalities.csv").set_index("code")
    out: list[str | None] = []
    for r in combos.itertuples(index=False):
        if r.value not in ref.index:
            out.append("unknown municipality code")
            continue
        m = ref.loc[r.value]
        if r.year < MUNICIPALITY_FIRST_YEAR:
            out.append(f"municipalities are in the reference from {MUNICIPALITY_FIRST_YEAR} on (no {r.year})")
        elif pd.notna(m["valid_to"]) and r.year > int(m["valid_to"]):
            target = m["merged_into"]
            into = f"; merged into {target} ({ref.at[target, 'name_fi']})" if isinstance(target, str) else ""
            out.append(f"municipality {m['name_fi']} did not exist in {r.year} (last year {int(m['valid_to'])}{into})")
        else:
            out.append(None)
    return out


def _registry_problems(combos: pd.DataFrame, table: pd.DataFrame) -> list[str | None]:
    """Municipalities the packaged reference lacks, checked against a registry's table and years."""
    codes = table["code"].astype(str).to_numpy()
    n = len(table)
    vf = pd.to_numeric(table["valid_from"], errors="coerce").to_numpy(dtype=float, na_value=np.nan) if "valid_from" in table else np.full(n, np.nan)
    vt = pd.to_numeric(table["valid_to"], errors="coerce").to_numpy(dtype=float, na_value=np.nan) if "valid_to" in table else np.full(n, np.nan)
    out: list[str | None] = []
    for r in combos.itertuples(index=False):
        hit = codes == r.value
        valid = hit & (np.isnan(vf) | (vf <= r.year)) & (np.isnan(vt) | (vt >= r.year))
        if valid.any():
            out.append(None)
        else:
            spans = ", ".join(
                f"{'' if np.isnan(a) else int(a)}–{'' if np.isnan(b) else int(b)}" for a, b in zip(vf[hit], vt[hit])
            )
            out.append(f"municipality not in the registry for {r.year} (registry validity {spans})")
    return out


def check_ledger_codes(ledger: pd.DataFrame, *, registry: Registry | None = None) -> pd.DataFrame:
    """Lines whose class or organisation code does not exist in that year.

    Used by :func:`lapsibudjetti._schema.validate_ledger`. Checks, per line
    and year: ``service_class`` against the service classes of the line's
    organisation type (municipality: scope municipality/both; wellbeing
    area: wellbeing_area/both; joint authority: any scope); ``task_class``
    against the 2015–2020 task classes (aggregates are known names); the
    ``org_code`` of municipality lines against the municipalities of that
    year and of wellbeing-area lines against the wellbeing areas. Years the
    reference does not cover give a problem naming the years it does cover.

    The work is done on the unique (organisation type, code, year, value)
    combinations and mapped back, so it scales to millions of lines.

    Parameters
    ----------
    ledger
        A canonical ledger (see ``docs/architecture.md``): categorical text
        columns, ``year`` int64, ``source_file`` and ``source_row``.
    registry
        Organisations beyond the packaged reference (e.g. the fictional
        ones of a training sample, added with
        :meth:`lapsibudjetti.Registry.extend`). Municipality codes the
        packaged reference lacks are accepted when the registry has them
        for the line's year; wellbeing-area codes when the registry has
        the area. Classes are always checked against the packaged lists.

    Returns
    -------
    DataFrame
        Columns ``file, row, column, value, problem``; one row per problem,
        in ledger order. Empty (with those columns) when all is well.

    Examples
    --------
    >>> led = pd.DataFrame({
    ...     "org_type": pd.Categorical(["municipality"] * 3),
    ...     "org_code": pd.Categorical(["091", "091", "999"]),
    ...     "year": [2022, 2022, 2022],
    ...     "service_class": pd.Categorical(["3021", "2605", "3051"]),
    ...     "task_class": pd.Categorical([None, None, None]),
    ...     "source_file": pd.Categorical(["a.csv"] * 3),
    ...     "source_row": [2, 3, 4]})
    >>> bad = check_ledger_codes(led)
    >>> bad[["row", "column", "value"]].to_dict("records")
    [{'row': 3, 'column': 'service_class', 'value': '2605'}, {'row': 4, 'column': 'org_code', 'value': '999'}]
    >>> check_ledger_codes(led.iloc[:1]).empty
    True
    >>> from lapsibudjetti import Registry
    >>> reg = Registry.default().extend(
    ...     municipalities=pd.DataFrame({"code": ["999"], "name_fi": ["Esimerkkilä"], "valid_from": [2021]}))
    >>> check_ledger_codes(led, registry=reg)["value"].tolist()
    ['2605']
    """
    if not isinstance(ledger, pd.DataFrame):
        raise InputError(f"a ledger must be a pandas DataFrame, got {type(ledger).__name__}")
    needed = ("org_type", "org_code", "year")
    missing = [c for c in needed if c not in ledger.columns]
    if missing:
        raise InputError(f"the ledger has no column(s) {', '.join(missing)}; build it with make_ledger()")
    n = len(ledger)
    if n == 0:
        return _empty_check()
    org_type = _as_category(ledger["org_type"].reset_index(drop=True))
    year_raw = pd.to_numeric(ledger["year"].reset_index(drop=True), errors="coerce")
    year_ok = year_raw.notna().to_numpy()
    year = year_raw.fillna(0).to_numpy().astype("int64")
    source_file = ledger["source_file"].reset_index(drop=True) if "source_file" in ledger else None
    rows_ = (ledger["source_row"].to_numpy() if "source_row" in ledger else np.arange(1, n + 1))

    def files_at(idx: np.ndarray) -> np.ndarray:
        if source_file is None:
            return np.full(len(idx), "<memory>", dtype=object)
        return source_file.iloc[idx].astype(object).to_numpy()

    def is_type(name: str) -> np.ndarray:
        cats = list(org_type.cat.categories)
        if name not in cats:
            return np.zeros(n, dtype=bool)
        return org_type.cat.codes.to_numpy() == cats.index(name)

    found: list[pd.DataFrame] = []

    def add(column: str, values: pd.Series, keep: np.ndarray,
            check: Callable[[pd.DataFrame], list[str | None]]) -> None:
        keep = keep & values.notna().to_numpy() & year_ok
        if not keep.any():
            return
        combos, ids = _combos(org_type, year, values, keep)
        problems = np.asarray(check(combos), dtype=object)
        bad_combo = np.array([p is not None for p in problems], dtype=bool)
        if not bad_combo.any():
            return
        line_bad = np.zeros(n, dtype=bool)
        line_bad[keep] = bad_combo[ids[keep]]
        idx = np.flatnonzero(line_bad)
        found.append(pd.DataFrame({
            "_pos": idx,
            "_order": KIND_ORDER[column],
            "file": files_at(idx),
            "row": np.asarray(rows_)[idx],
            "column": column,
            "value": values.iloc[idx].astype(object).to_numpy(),
            "problem": problems[ids[idx]],
        }))

    if "org_code" in ledger:
        code = _as_category(ledger["org_code"].reset_index(drop=True))
        muni = is_type("municipality")
        areas = set(_load("wellbeing_areas.csv")["code"])
        if registry is not None:
            table = registry.municipalities
            own = (~code.isin(set(_load("municipalities.csv")["code"])) & code.isin(set(table["code"].astype(str)))).to_numpy()
            add("org_code", code, muni & own, lambda c: _registry_problems(c, table))
            muni = muni & ~own
            areas |= set(registry.areas["code"].astype(str))
        add("org_code", code, muni, _municipality_problems)
        wa = is_type("wellbeing_area") & code.notna().to_numpy()
        if wa.any():
            bad_wa = wa & ~code.isin(areas).to_numpy()
            if bad_wa.any():
                idx = np.flatnonzero(bad_wa)
                found.append(pd.DataFrame({
                    "_pos": idx, "_order": KIND_ORDER["org_code"], "file": files_at(idx),
                    "row": np.asarray(rows_)[idx], "column": "org_code",
                    "value": code.iloc[idx].astype(object).to_numpy(),
                    "problem": "unknown wellbeing-area code; use 01–21, 90 (Helsinki) or 91 (Åland)",
                }))
    if "service_class" in ledger:
        sc = _as_category(ledger["service_class"].reset_index(drop=True))
        add("service_class", sc, np.ones(n, dtype=bool), _service_problems)
    if "task_class" in ledger:
        tc = _as_category(ledger["task_class"].reset_index(drop=True))
        add("task_class", tc, np.ones(n, dtype=bool), _task_problems)

    if not found:
        return _empty_check()
    out = pd.concat(found, ignore_index=True)
    out = out.sort_values(["_pos", "_order"], kind="mergesort").drop(columns=["_pos", "_order"])
    out["row"] = out["row"].astype("int64")
    for col in ("file", "column", "value", "problem"):
        out[col] = out[col].astype(object)
    return out.reset_index(drop=True)


KIND_ORDER = {"org_code": 0, "service_class": 1, "task_class": 2}
