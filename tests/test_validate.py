"""Validation of the canonical ledger: located errors carrying the rows, warned repairs, never a silent change."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import lapsibudjetti as lb


def test_bad_cells_raise_with_file_row_and_column() -> None:
    frame = pd.DataFrame({"org_type": ["municipality"], "org_code": ["564"], "year": [2022], "phase": ["actual"],
                          "service_class": ["30X1"], "amount": [1.0]})
    with pytest.raises(lb.InputError) as err:
        lb.validate_ledger(frame)
    rows = err.value.rows
    assert {"file", "row", "column", "value", "problem"} <= set(rows.columns)
    assert rows["column"].tolist() == ["service_class"] and rows["value"].astype(str).tolist() == ["30X1"]


def test_fractions_of_a_cent_are_refused() -> None:
    lb.set_lang("en")  # the problem texts asserted below are the English ones
    with pytest.raises(lb.InputError, match="cent"):
        lb.make_ledger({"org_code": ["564"], "year": [2022], "service_class": ["3051"], "amount": [1.005]},
                       org_type="municipality", phase="actual")


def test_a_padded_code_warns() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        led = lb.make_ledger({"org_code": ["91"], "year": [2022], "service_class": ["3051"], "amount": [1.0]},
                             org_type="municipality", phase="actual")
    assert led["org_code"].astype(str).tolist() == ["091"]
    assert any(issubclass(w.category, lb.LapsibudjettiWarning) for w in caught)


def test_validated_ledger_has_the_canonical_columns_in_order() -> None:
    led = lb.make_ledger({"org_code": ["564"], "year": [2022], "service_class": ["3051"], "amount": [1.0]},
                         org_type="municipality", phase="actual")
    assert list(led.columns) == list(lb.LEDGER_COLUMNS)
