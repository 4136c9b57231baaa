"""Issue 12: a statistics file read as a ledger is refused with the right reader named, never summed with its totals."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

import lapsibudjetti as lb
from lapsibudjetti import cli

KTA = lb.sample_path("real_2015_2019/net_operating_costs_by_task_2015_2019.csv")


def test_a_kta14_file_as_a_ledger_names_read_statistics() -> None:
    with pytest.raises(lb.InputError, match=r"kta_14.*read_statistics\(path\) eikä read_ledger"):
        lb.read_ledger(KTA)


def test_total_rows_in_a_ledger_are_refused_naming_them() -> None:
    with pytest.raises(lb.InputError) as err:
        lb.read_ledger(KTA, defaults={"org_type": "municipality", "phase": "actual"})
    rows = err.value.rows
    assert set(rows["value"]) >= {"Käyttötalous yhteensä"} and (rows["file"] == KTA.name).all()
    assert "read_statistics()" in str(err.value)
    assert len(lb.read_statistics(KTA)) > 0  # the right reader takes it


def _cli(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(list(args))
    return code, out.getvalue() + err.getvalue()


def test_the_cli_points_to_its_own_flag(tmp_path: Path) -> None:
    code, said = _cli("report", "--ledger", str(KTA), "--out", str(tmp_path / "r"))
    assert code == 1 and "--statistics eikä --ledger" in said and "column_map=" not in said
    code, said = _cli("report", "--ledger", str(KTA), "--set", "org_type=municipality", "--set", "phase=TP", "--out", str(tmp_path / "r"))
    assert code == 1 and "--statistics" in said and "Käyttötalous yhteensä" in said
    assert not (tmp_path / "r").exists()  # nothing written on refused input


def test_a_ledger_with_an_ordinary_cost_centre_is_read(tmp_path: Path) -> None:
    path = tmp_path / "tp.csv"
    path.write_text("org_type;org_code;year;phase;service_class;cost_centre;amount\n"
                    "kunta;564;2022;TP;3051;K100 Koulu;100,00\n", encoding="utf-8")
    assert len(lb.read_ledger(path)) == 1


def test_a_forgotten_thousand_is_caught() -> None:
    """The packaged real kta_14 sample in 1000 € read as euros: about 11–14 € per child, which no Finnish municipality spends."""
    import warnings

    led = lb.read_statistics(KTA)
    with warnings.catch_warnings():
        warnings.simplefilter("error", lb.LapsibudjettiWarning)
        warnings.filterwarnings("ignore", message=".*lähimmän vuoden.*")  # the nearest-year population note
        lb.child_budget(led, population_year="nearest")  # the real figures: no plausibility warning
    with pytest.warns(lb.LapsibudjettiWarning, match=r"näyttävät epäuskottavilta Suomessa.*Vantaa \(092\) 2015"):
        lb.child_budget(led.assign(amount=led["amount"] / 1000), population_year="nearest")
