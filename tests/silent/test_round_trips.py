"""Issue 14's round-trip properties: amounts and whole ledgers written in any supported way read back to the same cents.

A value is either read back exactly or refused with an :class:`InputError`;
it is never read as another value. ``HYPOTHESIS_PROFILE=dev`` runs more
examples (the closing note of issue 14 gives the figures).
"""

from __future__ import annotations

import csv
import io
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lapsibudjetti as lb
from lapsibudjetti._schema import amount_cents

NBSP, NNBSP, MINUS = "\u00a0", "\u202f", "\u2212"
COLUMNS = ["org_type", "org_code", "year", "phase", "service_class", "cost_centre", "amount"]
ORGS = ["564", "091", "837", "049"]


def finnish(cents: int, group: str, decimals: str, minus: str) -> str:
    """One way a Finnish export or a person writes ``cents``.

    ``group``: the thousands separator ("" for none); ``decimals``:
    "always" (``1 234,50``), "when" (only when there are cents: ``1 234``),
    "point" (a machine export: ``1234.50``, no thousands separator);
    ``minus``: "-", U+2212 or "trailing" (``1 234,50-``, as some ledgers print).
    """
    negative, cents = cents < 0, abs(cents)
    euros, rest = divmod(cents, 100)
    if decimals == "point":
        body = f"{euros}.{rest:02d}"
    else:
        digits = f"{euros:,}".replace(",", group)
        body = f"{digits},{rest:02d}" if decimals == "always" or rest else digits
    if not negative:
        return body
    return body + "-" if minus == "trailing" else minus + body


_style = st.tuples(st.sampled_from(["", " ", NBSP, NNBSP, "."]), st.sampled_from(["always", "when", "point"]),
                   st.sampled_from(["-", MINUS, "trailing"]))
_cents = st.one_of(st.integers(min_value=-10**12, max_value=10**12), st.integers(min_value=-10**6, max_value=10**6),
                   st.integers(min_value=0, max_value=999) .map(lambda e: e * 100 * 1000))  # whole thousands: 1.000, 12 000


def _ledger_rows(amounts: list[str], names: list[str] | None = None) -> list[list[str]]:
    names = names or [f"Kp {i}" for i in range(len(amounts))]
    return [["municipality", ORGS[i % len(ORGS)], str(2021 + i % 3), "actual", "3051", names[i], a] for i, a in enumerate(amounts)]


def _write_csv(path: Path, rows: list[list[str]], *, delimiter: str = ";", encoding: str = "utf-8", newline: str = "\n",
               quote_all: bool = False, blank_every: int = 0) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    for i, row in enumerate(rows):
        writer.writerow(row)
        if blank_every and i % blank_every == blank_every - 1:
            out.write(newline)
    path.write_bytes(out.getvalue().encode(encoding))


def _write_xlsx(path: Path, rows: list[list[object]]) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(COLUMNS)
    for row in rows:
        ws.append(row)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # amounts as text cells, as a hand-typed sheet has them
    wb.save(path)


def _read_cents(path: Path) -> list[int] | None:
    """The cents read back, or None when the reader refused the file."""
    try:
        ledger = lb.read_ledger(path, check_codes=False)
    except lb.InputError:
        return None
    return [int(c) for c in amount_cents(ledger["amount"])]


@given(st.lists(st.tuples(_cents, _style), min_size=1, max_size=25), st.sampled_from(["csv", "xlsx", "frame"]))
def test_every_finnish_format_reads_back_to_the_same_cents_or_is_refused(tmp_path_factory: pytest.TempPathFactory,
                                                                       items: list[tuple[int, tuple[str, str, str]]],
                                                                       container: str) -> None:
    """Each value in its own style (a hand-edited column mixes them): never read as another value."""
    cents = [c for c, _ in items]
    texts = [finnish(c, *style) for c, style in items]
    folder = tmp_path_factory.mktemp("fmt")
    if container == "csv":
        path = folder / "l.csv"
        _write_csv(path, _ledger_rows(texts))
        got = _read_cents(path)
    elif container == "xlsx":
        path = folder / "l.xlsx"
        _write_xlsx(path, _ledger_rows(texts))  # type: ignore[arg-type]
        got = _read_cents(path)
    else:
        frame = pd.DataFrame(_ledger_rows(texts), columns=COLUMNS)
        try:
            got = [int(c) for c in amount_cents(lb.make_ledger(frame, check_codes=False)["amount"])]
        except lb.InputError:
            got = None
    assert got is None or got == cents, list(zip(texts, cents, got or []))


@given(st.lists(_cents, min_size=1, max_size=25), _style, st.sampled_from(["csv", "xlsx"]))
def test_one_unambiguous_style_per_column_is_always_read(tmp_path_factory: pytest.TempPathFactory, cents: list[int],
                                                          style: tuple[str, str, str], container: str) -> None:
    """The other half of the property: a column written the way an export writes it (cents always shown) is read."""
    group, _, minus = style
    decimals = "point" if group == "." else "always"  # '.' groups with a decimal comma would be fine too; keep one mark
    texts = [finnish(c, group if decimals == "always" else "", decimals, minus) for c in cents]
    path = tmp_path_factory.mktemp("col") / f"l.{container}"
    if container == "csv":
        _write_csv(path, _ledger_rows(texts))
    else:
        _write_xlsx(path, _ledger_rows(texts))  # type: ignore[arg-type]
    assert _read_cents(path) == cents, texts


_name = st.text(st.sampled_from(list("abcÄäöÖåÅé -.,;'\"/&()0123456789€")), min_size=1, max_size=24).map(str.strip).filter(bool)


@st.composite
def _dialect(draw: st.DrawFn) -> dict[str, object]:
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    delimiter = draw(st.sampled_from([";", ",", "\t"]))
    decimals = draw(st.sampled_from(["always", "point"]))
    group = draw(st.sampled_from(["", " ", NBSP, "."])) if decimals == "always" else ""
    return {"encoding": encoding, "delimiter": delimiter, "newline": draw(st.sampled_from(["\n", "\r\n"])),
            "quote_all": draw(st.booleans()), "blank_every": draw(st.sampled_from([0, 0, 3])),
            "style": (group, decimals, draw(st.sampled_from(["-", "trailing"] + ([] if encoding == "cp1252" else [MINUS]))))}


@given(st.lists(st.tuples(_cents, _name), min_size=1, max_size=30), _dialect())
def test_a_ledger_in_any_csv_dialect_reads_back_exactly(tmp_path_factory: pytest.TempPathFactory,
                                                         lines: list[tuple[int, str]], dialect: dict[str, object]) -> None:
    """Separator, encoding, line ends, quoting, blank lines and the amount style drawn at random: same cents, same text."""
    cents = [c for c, _ in lines]
    names = [n for _, n in lines]
    style = dialect.pop("style")
    texts = [finnish(c, *style) for c in cents]  # type: ignore[misc]
    path = tmp_path_factory.mktemp("dialect") / "l.csv"
    _write_csv(path, _ledger_rows(texts, names), **dialect)  # type: ignore[arg-type]
    ledger = lb.read_ledger(path, check_codes=False)
    assert [int(c) for c in amount_cents(ledger["amount"])] == cents
    assert ledger["cost_centre"].astype(str).tolist() == names
    assert ledger["org_code"].astype(str).tolist() == [ORGS[i % len(ORGS)] for i in range(len(lines))]


@given(st.lists(_cents, min_size=1, max_size=30), st.sampled_from(["float64", "decimal", "xlsx-number"]))
def test_binary_formats_hold_every_cent(tmp_path_factory: pytest.TempPathFactory, cents: list[int], kind: str) -> None:
    """Parquet (float64 or decimal) and XLSX number cells: the cents come back, or a float that cannot hold them is refused."""
    folder = tmp_path_factory.mktemp("bin")
    rows = _ledger_rows([""] * len(cents))
    if kind == "xlsx-number":
        path = folder / "l.xlsx"
        _write_xlsx(path, [r[:-1] + [c / 100] for r, c in zip(rows, cents)])
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        frame = pd.DataFrame([r[:-1] for r in rows], columns=COLUMNS[:-1])
        table = pa.Table.from_pandas(frame, preserve_index=False)
        amount = (pa.array([c / 100 for c in cents], type=pa.float64()) if kind == "float64"
                  else pa.array([Decimal(c).scaleb(-2) for c in cents], type=pa.decimal128(18, 2)))
        path = folder / "l.parquet"
        pq.write_table(table.append_column("amount", amount), path)
    got = _read_cents(path)
    assert got is None or got == cents
    if max(abs(c) for c in cents) < 2**53 // 100:  # well inside float64's exact cents: must be read
        assert got == cents


def test_a_reader_error_never_aborts_the_interpreter_at_exit(tmp_path: Path) -> None:
    """Issue 14, class 7: after a reader error on a quoted or blank-line CSV the process aborted at exit (134).

    Runs the failing paths in fresh interpreters, two at a time (the load
    the abort needed), and checks each ends with the reader's error.
    """
    import subprocess
    from concurrent.futures import ThreadPoolExecutor

    header = ";".join(COLUMNS)
    good = ["municipality;564;2023;actual;3051;Kp;1,00"]
    files = {
        "quoted.csv": [header] + ['municipality;564;2023;actual;3051;"Kp";1,00'] * 50 + ['municipality;564;2023;actual;3051;"Kp";1,00;x'],
        "blank.csv": [header] + (good + [""]) * 50 + ["municipality;564;2023;actual;3051;Kp;abc"],
        "quote_open.csv": [header] + good * 5 + ['municipality;564;2023;actual;3051;"Kp;1,00'] + good * 5,
        # more than one of Arrow's blocks (4 MiB): the parse runs on Arrow's thread pool and fails in the first block
        "big_quoted.csv": [header] + ['municipality;564;2023;actual;3051;"Kp";1,00;x'] + ['municipality;564;2023;actual;3051;"Kp";1,00'] * 110_000,
    }
    for name, lines in files.items():
        (tmp_path / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    code = "import sys, lapsibudjetti as lb\ntry:\n    lb.read_ledger(sys.argv[1], check_codes=False)\nexcept lb.InputError:\n    sys.exit(7)\n"

    def run(name: str) -> tuple[str, int, str]:
        proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / name)], capture_output=True, text=True, timeout=120)
        return name, proc.returncode, proc.stderr[-300:]

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(run, [name for name in files for _ in range(4)]))
    bad = [r for r in results if r[1] != 7]
    assert not bad, bad
