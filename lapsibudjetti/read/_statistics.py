"""The statistics dialect: Statistics Finland's net operating costs by task (kta_14), aggregates reconciled."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._errors import InputError, LapsibudjettiWarning, ReconciliationError
from .._problems import raise_all
from .._schema import PHASES, amount_cents
from .._validate import _code_problems_anyway, check_ledger_codes
from ..reference._format import format_euros
from ..reference._labels import default_lang, say, text
from ._columns import _categorical_from, _Raw
from ._dialect import Dialect, DialectResult, register_dialect
from ._ledger import _read_raw, _validate, _with_file_columns
from ._text import (
    _AGGREGATE_SUFFIXES,
    _FOUR_DIGITS,
    _GRAND_TOTAL_NAMES,
    _MAX_LISTED,
    _clean_value,
    _norm,
)

# ---------------------------------------------------------------------------
# statistics


def _task_reference() -> pd.DataFrame | None:
    try:
        from ..reference._tables import task_classes
    except ImportError:
        return None
    table = task_classes()
    return table if isinstance(table, pd.DataFrame) else None


def read_statistics(
    source: str | Path | pd.DataFrame,
    *,
    phase: str = "actual",
    return_totals: bool = False,
    check_codes: bool = True,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Read the long statistics format (organisation × year × task × amount) and reconcile it.

    The format is Statistics Finland's net operating costs by task
    (``muni, year, func, amount``; also Finnish headers such as ``Alue,
    Vuosi, Tehtävä, Euroa`` and the ``;``/decimal-comma dialect). Aggregate
    rows (names ending in *yhteensä*, or flagged ``is_aggregate`` in
    :func:`lapsibudjetti._reference.task_classes`) are totals, not
    services: for every organisation-year the other rows must sum to
    *Käyttötalous yhteensä* to the cent, and each sub-aggregate to the tasks
    whose ``parent`` (in ``task_classes()``) it is.

    Parameters
    ----------
    source
        Path (CSV, Excel, Parquet) or DataFrame.
    phase
        Phase of every line (``"actual"``, ``"budget"``, ``"revised_budget"``
        or a synonym such as ``"TP"``).
    return_totals
        Also return the aggregate rows.
    check_codes
        Check task/service classes and municipality codes against the
        packaged reference data.

    Returns
    -------
    pandas.DataFrame or (pandas.DataFrame, pandas.DataFrame)
        The canonical ledger of the service rows (``org_type``
        municipality; ``task_class`` the task name, or ``service_class``
        when the value is a 4-digit code); with ``return_totals=True`` also
        the totals with columns ``org_type, org_code, year, phase,
        task_class, amount``. Municipality codes are zero-padded to three
        digits (the known format of these files, so without a warning).

    Raises
    ------
    ReconciliationError
        Listing the organisation-years whose rows do not sum to their
        totals; ``err.rows`` has ``org_code, year, total`` (the aggregate's
        name), ``total_euros, parts_euros, difference_euros, source_file,
        source_row`` (of the total row) and ``problem``.
    InputError
        As :func:`read_ledger`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "kta.csv"
    >>> _ = path.write_text("muni,year,func,amount\\n"
    ...     "5,2019,Perusopetus,100.0\\n5,2019,Esiopetus,20.0\\n"
    ...     "5,2019,Opetus- ja kulttuuritoiminta yhteensä,120.0\\n"
    ...     "5,2019,Käyttötalous yhteensä,120.0\\n", encoding="utf-8")
    >>> led, totals = read_statistics(path, return_totals=True, check_codes=False)
    >>> led[["org_code", "task_class", "amount", "source_row"]].to_dict("records")
    [{'org_code': '005', 'task_class': 'Perusopetus', 'amount': 100.0, 'source_row': 2},
     {'org_code': '005', 'task_class': 'Esiopetus', 'amount': 20.0, 'source_row': 3}]
    >>> totals[["org_code", "task_class", "amount"]].to_dict("records")[-1]
    {'org_code': '005', 'task_class': 'Käyttötalous yhteensä', 'amount': 120.0}
    """
    if isinstance(source, str | Path) and Path(source).suffix.lower() in (".csv", ".txt", ".tsv", ".xlsx", ".xlsm"):
        from ._dialect import DIALECTS

        for other in DIALECTS.values():  # a published layout with a reader of its own (PxWeb) takes its files
            if other.detect is not None and other.read is not None and other.detect(source):
                return other.read(source, phase=phase, return_totals=return_totals, check_codes=check_codes)  # type: ignore[no-any-return]
    from ._amounts import deferred_amount_problems

    options: dict[str, Any] = {"phase": phase, "check_codes": check_codes}
    with deferred_amount_problems() as earlier:  # cells that are not amounts are listed with every other problem of the file
        raw = _read_raw(source, sheet=None, column_map=None, defaults=STATISTICS.defaults(options), encoding=None, sep=None)
    result = STATISTICS.to_ledger(raw, {**options, "earlier": earlier})
    return (result.ledger, result.tables["totals"]) if return_totals else result.ledger


def _statistics_defaults(options: Mapping[str, Any]) -> dict[str, object]:
    phase = options.get("phase", "actual")
    phase_value = _clean_value(str(phase), "phase")
    if phase_value not in PHASES:
        raise InputError(say("arg.one_of", name="phase", value=repr(phase), allowed=", ".join(PHASES) + " (TP, TA, muutettu TA)"))
    return {"org_type": "municipality", "phase": phase_value}


def _statistics_ledger(raw: _Raw, options: Mapping[str, Any]) -> DialectResult:
    """Task names and codes split, municipality codes padded, aggregates reconciled to the cent and left out.

    Every problem is found in one pass: cells that cannot be read, the codes
    of the service rows, and totals that do not reconcile are raised together
    (a reconciliation alone raises :class:`ReconciliationError`).
    """
    check_codes = bool(options.get("check_codes", True))
    frame = _split_class_column(raw.frame)
    frame["org_code"] = _pad_codes(frame["org_code"])
    raw = _Raw(frame, raw.name, raw.headers, raw.meta)
    aggregate_names, parents = _aggregates(frame["task_class"].cat.categories)
    try:
        full = _validate(raw, check_codes=False, earlier=options.get("earlier"))
    except InputError as err:
        codes = _codes_of_service_rows(frame, aggregate_names) if check_codes else None
        if codes is None or codes.empty or not isinstance(err.rows, pd.DataFrame):
            raise
        _raise_together(raw, [err.rows.drop(columns=["fix", "file_column"], errors="ignore"), codes])

    names = full["task_class"]
    is_agg = names.isin(aggregate_names).to_numpy()
    unreconciled = _reconcile(full, is_agg, aggregate_names, parents, raw.name, skip=options.get("skip_reconcile") or set())

    services = full.loc[~is_agg].reset_index(drop=True)
    services = services.assign(
        **{c: services[c].cat.remove_unused_categories() for c in services.columns if isinstance(services[c].dtype, pd.CategoricalDtype)}
    )
    codes = check_ledger_codes(services) if check_codes else None
    if codes is not None and not codes.empty:
        _raise_together(raw, [codes, _as_problems(unreconciled, full.loc[~is_agg])])
    if not unreconciled.empty:
        _raise_unreconciled(unreconciled)
    ledger = _validate(_Raw(services, raw.name, raw.headers, raw.meta), check_codes=False)
    tot = full.loc[is_agg, ["org_type", "org_code", "year", "phase", "task_class", "amount"]].reset_index(drop=True)
    for c in ("org_type", "org_code", "phase", "task_class"):
        tot[c] = tot[c].cat.remove_unused_categories()
    return DialectResult(ledger, {"totals": tot})


def _codes_of_service_rows(frame: pd.DataFrame, aggregates: list[str]) -> pd.DataFrame:
    """The code problems of the rows that are not totals, for a file whose other problems stop validation."""
    keep = ~frame["task_class"].isin(aggregates).to_numpy()
    sub = frame.loc[keep].reset_index(drop=True)
    cols: dict[str, Any] = {
        c: pd.Categorical(sub[c].astype(object)) if c in sub else pd.Categorical([None] * len(sub))
        for c in ("org_type", "org_code", "phase", "service_class", "task_class")
    }
    cols["source_file"] = pd.Categorical(sub["source_file"].astype(object)) if "source_file" in sub else None
    cols["source_row"] = sub["source_row"].to_numpy() if "source_row" in sub else np.flatnonzero(keep) + 1
    if cols["source_file"] is None:
        del cols["source_file"]
    return pd.concat(_code_problems_anyway(cols, sub["year"], None) or [pd.DataFrame()], ignore_index=True)


def _as_problems(unreconciled: pd.DataFrame, parts: pd.DataFrame) -> pd.DataFrame:
    """Totals that do not reconcile as rows of the one problem table.

    The row is the total row's, or for a missing total the first task row of that organisation-year.
    """
    if unreconciled.empty:
        return pd.DataFrame()
    first = parts.groupby(["org_code", "year"], observed=True)["source_row"].min()
    keys = pd.MultiIndex.from_arrays([unreconciled["org_code"].astype(str), unreconciled["year"].astype("int64")])
    first.index = pd.MultiIndex.from_arrays([first.index.get_level_values(0).astype(str), first.index.get_level_values(1).astype("int64")])
    row = unreconciled["source_row"].to_numpy(dtype=float)
    row = np.where(np.isnan(row), first.reindex(keys).to_numpy(dtype=float), row)
    return pd.DataFrame({
        "file": unreconciled["source_file"].to_numpy(), "row": pd.array(np.nan_to_num(row, nan=-1), dtype="Int64"),
        "column": "amount", "canonical": "totals",
        "value": [None if v != v else v for v in unreconciled["total_euros"]],
        "problem": [_reconcile_text(r) for r in unreconciled.itertuples()],
    })


def _raise_together(raw: _Raw, tables: list[pd.DataFrame]) -> None:
    """One error listing the problems of every kind (file, row, column, value, problem, how to fix), with the file's headers."""
    rows = pd.concat([t for t in tables if not t.empty], ignore_index=True)
    try:
        raise_all(rows)
    except InputError as err:
        raise _with_file_columns(err, raw) from None


def _reconcile_text(r: Any) -> str:
    known = r.total_euros == r.total_euros and r.parts_euros == r.parts_euros  # neither is NaN
    lang = default_lang()
    amounts = say("reconcile.amounts", total=format_euros(r.total_euros, lang, decimals=2),
                  parts=format_euros(r.parts_euros, lang, decimals=2)) if known else ""
    problem = text(f"reconcile.{r.problem}", lang, default=r.problem)  # err.rows keeps the English code of the problem
    return f"{r.org_code} {r.year} {r.total!r}: {problem}{amounts}"


def _raise_unreconciled(rows: pd.DataFrame) -> None:
    listed = "; ".join(_reconcile_text(r) for r in rows.head(_MAX_LISTED).itertuples())
    more = say("error.problems_more", n=len(rows) - _MAX_LISTED) if len(rows) > _MAX_LISTED else ""
    raise ReconciliationError(
        say("reconcile.error", n=len(rows), listed=listed, more=more),
        rows=rows,
        file=str(rows["source_file"].iloc[0]),
    )


def _split_class_column(frame: pd.DataFrame) -> pd.DataFrame:
    """4-digit codes go to ``service_class``, names to ``task_class``."""
    frame = frame.copy()
    sc, tc = frame["service_class"], frame["task_class"]
    combined = tc.astype(object).where(tc.notna(), sc.astype(object))
    cat = combined.astype("category")
    codes = cat.cat.codes.to_numpy().astype(np.int64)
    values: list[str] = [str(v) for v in cat.cat.categories]
    service_vals: list[str | None] = []
    task_vals: list[str | None] = []
    for v in values:
        code = _clean_value(v, "service_class")
        if code is not None and _FOUR_DIGITS.match(code):
            service_vals.append(code)
            task_vals.append(None)
        else:
            service_vals.append(None)
            task_vals.append(v)
    frame["service_class"] = _categorical_from(codes, service_vals)
    frame["task_class"] = _categorical_from(codes, task_vals)
    return frame


def _pad_codes(codes: pd.Series) -> pd.Categorical:
    cats = [str(c) for c in codes.cat.categories]
    padded = [c.zfill(3) if c.isdigit() and len(c) < 3 else c for c in cats]
    return _categorical_from(codes.cat.codes.to_numpy().astype(np.int64), padded)


def _aggregates(names: pd.Index) -> tuple[list[str], dict[str, str]]:
    """Aggregate task names present, and ``task -> parent aggregate`` from the reference."""
    ref = _task_reference()
    ref_agg: set[str] = set()
    parents: dict[str, str] = {}
    if ref is not None and {"name_fi", "is_aggregate"} <= set(ref.columns):
        by_norm = {_norm(n): str(n) for n in names}
        for row in ref.itertuples(index=False):
            key = _norm(row.name_fi)
            if bool(row.is_aggregate):
                ref_agg.add(key)
            parent = getattr(row, "parent", None)
            if key in by_norm and isinstance(parent, str) and parent.strip():
                parents[by_norm[key]] = parent.strip()
    aggregates = [
        str(n) for n in names if _norm(n).endswith(_AGGREGATE_SUFFIXES) or _norm(n) in ref_agg
    ]
    return aggregates, parents


def _reconcile(
    full: pd.DataFrame, is_agg: np.ndarray, aggregates: list[str], parents: dict[str, str], name: str,
    skip: set[tuple[str, int]] | frozenset[tuple[str, int]] = frozenset(),
) -> pd.DataFrame:
    """The totals that do not equal the sum of their parts to the cent (``skip``: organisation-years with a missing cell).

    Columns ``org_code, year, total, total_euros, parts_euros, difference_euros, source_file, source_row, problem``;
    empty when every total reconciles.
    """
    if skip:
        pairs = list(zip(full["org_code"].astype(str), full["year"].astype("int64")))
        keep = np.array([p not in skip for p in pairs], dtype=bool)
        full, is_agg = full.loc[keep], is_agg[keep]
    cents = amount_cents(full["amount"])
    keys = ["org_code", "year"]
    grand = {_norm(g) for g in _GRAND_TOTAL_NAMES}
    grand_names = [a for a in aggregates if _norm(a) in grand]
    if not grand_names:
        warnings.warn(
            f"{name}: " + say("warn.no_grand_total", total=_GRAND_TOTAL_NAMES[0]),
            LapsibudjettiWarning,
            stacklevel=3,
        )
    task_obj = full["task_class"].astype(object)
    task = task_obj.where(task_obj.notna(), full["service_class"].astype(object))
    base = pd.DataFrame(
        {
            "org_code": full["org_code"].astype(object),
            "year": full["year"],
            "task": task,
            "cents": cents,
            "row": full["source_row"],
        }
    )
    parts = base.loc[~is_agg]
    totals = base.loc[is_agg]
    problems: list[pd.DataFrame] = []

    # which aggregate each service row belongs to (following the parent chain)
    def ancestors(t: str) -> set[str]:
        seen: set[str] = set()
        while t in parents and parents[t] not in seen:
            t = parents[t]
            seen.add(t)
        return seen

    checks: list[tuple[str, np.ndarray]] = []
    for g in grand_names:
        checks.append((g, np.ones(len(parts), dtype=bool)))
    task_names = parts["task"].to_numpy(dtype=object)
    uniq = pd.unique(task_names)
    anc = {t: {_norm(a) for a in ancestors(t)} for t in uniq}
    for a in aggregates:
        if a in grand_names:
            continue
        key = _norm(a)
        members = {t for t in uniq if key in anc[t]}
        if members:
            checks.append((a, np.isin(task_names, list(members))))

    for agg, member in checks:
        got = totals.loc[totals["task"] == agg]
        dup = got.duplicated(keys, keep=False)
        dup_keys = pd.MultiIndex.from_frame(got.loc[dup, keys]) if dup.any() else None
        if dup.any():
            d = got.loc[dup]
            problems.append(
                pd.DataFrame(
                    {
                        "org_code": d["org_code"], "year": d["year"], "total": agg,
                        "total_euros": d["cents"] / 100, "parts_euros": np.nan, "difference_euros": np.nan,
                        "source_file": name, "source_row": d["row"], "problem": "total given more than once",
                    }
                )
            )
            got = got.loc[~dup]
        sums = parts.loc[member].groupby(keys, sort=False)["cents"].sum()
        tot = got.set_index(keys)
        joined = tot.join(sums.rename("parts"), how="outer")
        if agg in grand_names:
            # every organisation-year with task rows needs its grand total
            orgs_years = parts.groupby(keys, sort=False).size().index
            joined = joined.reindex(joined.index.union(orgs_years))
        parts_c = joined["parts"].fillna(0).astype(np.int64)
        has_total = joined["cents"].notna()
        total_c = joined["cents"].fillna(0).astype(np.int64)
        bad = (~has_total) | (parts_c != total_c)
        if dup_keys is not None:  # already reported as duplicated
            bad &= ~joined.index.isin(dup_keys)
        if bad.any():
            b = joined.loc[bad]
            problems.append(
                pd.DataFrame(
                    {
                        "org_code": b.index.get_level_values(0),
                        "year": b.index.get_level_values(1),
                        "total": agg,
                        "total_euros": np.where(b["cents"].notna(), b["cents"] / 100, np.nan),
                        "parts_euros": parts_c[bad].to_numpy() / 100,
                        "difference_euros": (parts_c[bad] - total_c[bad]).to_numpy() / 100,
                        "source_file": name,
                        "source_row": b["row"].to_numpy(),
                        "problem": np.where(b["cents"].notna(), "parts do not sum to the total", "total row missing"),
                    }
                )
            )
    if not problems:
        return pd.DataFrame()
    rows = pd.concat(problems, ignore_index=True).sort_values(["org_code", "year", "total"], kind="stable")
    return rows.reset_index(drop=True)


#: Statistics Finland's net operating costs by task (kta_14 and its copies).
STATISTICS = register_dialect(Dialect(
    "statistics", "Statistics Finland's net operating costs by task (organisation × year × task × amount), aggregates reconciled",
    _statistics_defaults, _statistics_ledger))
