"""Packaged reference tables (service and task classes, municipalities, areas, membership, population)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .._errors import InputError, ReferenceDataError
from ._labels import check_lang, say

if TYPE_CHECKING:
    pass


SERVICE_CLASS_FIRST_YEAR: int = 2021
TASK_CLASS_YEARS: tuple[int, int] = (2015, 2020)
MUNICIPALITY_FIRST_YEAR: int = 2000

SCOPES: tuple[str, ...] = ("municipality", "wellbeing_area", "both")
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
    "figures.csv": (("scope", "group_code", "name_fi", "name_sv", "name_en", "source"), ("year", "municipalities"), (), ()),
    "indicators.csv": (("org_type", "org_code", "indicator", "unit", "source"), ("year",), (), ()),
}
#: Decimal columns (figures computed by a build script), by file.
_DECIMALS: dict[str, tuple[str, ...]] = {
    "figures.csv": ("total_euros", "child_euros", "universal_euros", "targeted_euros", "corrective_euros", "children", "euros_per_child",
                    "preventive_share", "corrective_share", "child_share_of_total", "median_euros_per_child"),
    "indicators.csv": ("value",),
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
    "figures.csv": ("year", "scope", "group_code", "name_fi", "name_sv", "name_en", "municipalities", "total_euros", "child_euros",
                    "universal_euros", "targeted_euros", "corrective_euros", "children", "euros_per_child", "preventive_share",
                    "corrective_share", "child_share_of_total", "median_euros_per_child", "source"),
    "indicators.csv": ("org_type", "org_code", "year", "indicator", "value", "unit", "source"),
}



# --------------------------------------------------------------------------- reading


@cache
def _load(name: str) -> pd.DataFrame:
    """Read and type one packaged table (cached; never hand this object out)."""
    text_cols, int_cols, nullable_cols, bool_cols = _SPECS[name]
    resource = files("lapsibudjetti") / "data" / "reference" / name
    try:
        with resource.open("rb") as fh:
            df = pd.read_csv(fh, dtype=str, keep_default_na=False, encoding="utf-8")
    except FileNotFoundError as exc:
        raise ReferenceDataError(say("ref.missing", name=name, fix=say("ref.rebuild"))) from exc
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ReferenceDataError(say("ref.unreadable", name=name, error=exc, fix=say("ref.rebuild"))) from exc
    expected = _COLUMN_ORDER[name]
    if tuple(df.columns) != expected:
        raise ReferenceDataError(say("ref.columns", name=name, have=", ".join(map(str, df.columns)), expected=", ".join(expected),
                                     fix=say("ref.rebuild")))
    if len(df) == 0:
        raise ReferenceDataError(say("ref.no_rows", name=name, fix=say("ref.rebuild")))
    out = pd.DataFrame(index=pd.RangeIndex(len(df)))
    for col in expected:
        values = df[col].astype(object)
        if col in text_cols:
            out[col] = values.where(values != "", np.nan).astype(object)
        elif col in int_cols or col in nullable_cols:
            ok = values.str.fullmatch(r"-?\d+") | ((values == "") & (col in nullable_cols))
            if not ok.all():
                bad = values[~ok].iloc[0]
                raise ReferenceDataError(say("ref.not_whole", name=name, column=repr(col), value=repr(bad), fix=say("ref.rebuild")))
            if col in nullable_cols:
                out[col] = pd.array([int(v) if v != "" else None for v in values], dtype="Int64")
            else:
                out[col] = values.astype("int64")
        elif col in bool_cols:
            if not values.isin(["true", "false"]).all():
                raise ReferenceDataError(say("ref.not_bool", name=name, column=repr(col), fix=say("ref.rebuild")))
            out[col] = values.eq("true").astype(bool)
        elif col in _DECIMALS.get(name, ()):
            ok = values.str.fullmatch(r"-?\d+(\.\d+)?")
            if not ok.all():
                raise ReferenceDataError(say("ref.not_decimal", name=name, column=repr(col), value=repr(values[~ok].iloc[0]), fix=say("ref.rebuild")))
            out[col] = values.astype(float)
    return out


def _copy(name: str) -> pd.DataFrame:
    return _load(name).copy(deep=True)


def _check_year(year: object, what: str = "year") -> int | None:
    if year is None:
        return None
    if isinstance(year, (bool, np.bool_)) or not isinstance(year, (int, np.integer)):
        raise InputError(say("arg.type", name=what, expected=say("what.year"), got=repr(year)))
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
        raise InputError(say("arg.one_of", name="scope", value=repr(scope), allowed=", ".join(SCOPES) + ", None"))
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


def reference_figures(years: int | Iterable[int] | None = None) -> pd.DataFrame:
    """National and municipality-group child budgets 2015–2019 (real kta_14 data, default rules), to compare with.

    One row per year and named set (``scope``: ``national``, or
    ``municipality_group`` with the group's code and names): the
    municipalities pooled (euros summed, then the shares and euros per child
    of the sums) and ``median_euros_per_child`` over the set's
    municipalities. Built by ``scripts/build_reference_figures.py``; the
    ``source`` column says what each figure rests on (children of
    2015–2018 are estimated from the 2019 age structure).

    Parameters
    ----------
    years
        A year or years to keep (default all).

    Examples
    --------
    >>> f = reference_figures(2019)
    >>> row = f[f["scope"] == "national"].iloc[0]
    >>> int(row["municipalities"]), round(float(row["child_share_of_total"]), 3)
    (310, 0.38)
    """
    out = _copy("figures.csv")
    if years is not None:
        wanted = {int(years)} if isinstance(years, int | np.integer) else {int(y) for y in years}
        out = out[out["year"].isin(wanted)].reset_index(drop=True)
    return out


def indicators() -> pd.DataFrame:
    """Packaged outcome indicators: children placed outside the home 2021–2024 per wellbeing area (THL Sotkanet 3563).

    ``org_type, org_code, year, indicator, value, unit, source``; indicators
    ``placed_children`` (children placed outside the home during the year)
    and ``placed_children_pct`` (the same as % of residents aged 0–17).
    Helsinki, which organises its own social and health services, is area
    ``90`` (as its sote lines are in the ledgers). A year without a figure
    has no row.

    Examples
    --------
    >>> t = indicators()
    >>> int(t.query("org_code == '20' and year == 2024 and indicator == 'placed_children'")["value"].iloc[0])
    197
    """
    return _copy("indicators.csv")


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
        raise InputError(say("arg.one_of", name="kind", value=repr(kind), allowed=", ".join(KINDS)))
    check_lang(lang)
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
        when = say("org.in_year", year=year) if year is not None else ""
        raise InputError(say("ref.unknown_code", kind=say(f"kind.{kind}"), code=repr(code), when=when, lister=_LISTER[kind]))
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
