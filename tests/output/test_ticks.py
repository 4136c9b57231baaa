"""Every tick label the charts print equals its tick value at the precision shown (issue 11: 2.5 was printed as 2)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import matplotlib

matplotlib.use("Agg")

import pytest
from hypothesis import given
from hypothesis import strategies as st

import lapsibudjetti as lb
from lapsibudjetti.output import charts as P
from lapsibudjetti.output.charts import _base


def _parse(label: str, lang: str) -> tuple[float, int]:
    """The number a tick label shows and its decimals (``M€`` as millions, ``%`` as a share)."""
    raw = label.replace("\u2212", "-").replace("\u00a0", " ")
    scale = 1e6 if "M" in raw else 0.01 if "%" in raw else 1.0
    digits = re.sub(r"[^0-9,.\-]", "", raw)
    if lang == "en":
        digits = digits.replace(",", "")
    else:
        digits = digits.replace(".", "").replace(",", ".")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    return float(digits) * scale, decimals


FORMATTERS: dict[str, Callable[[str], Any]] = {
    "euro": lambda lang: _base._euro_ticks(lang, million=False),
    "million": lambda lang: _base._euro_ticks(lang, million=True),
    "percent": _base._percent_ticks,
    "number": _base._number_ticks,
}
UNIT = {"euro": 1.0, "million": 1e6, "percent": 0.01, "number": 1.0}


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
@pytest.mark.parametrize("kind", list(FORMATTERS))
@given(start=st.integers(-20, 20), step=st.sampled_from([0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20, 25, 50]),
       count=st.integers(2, 9))
def test_every_tick_label_equals_its_value(kind: str, lang: str, start: int, step: float, count: int) -> None:
    ticks = [(start + i) * step * UNIT[kind] for i in range(count)]
    labels = FORMATTERS[kind](lang).format_ticks(ticks)
    for value, label in zip(ticks, labels):
        shown, decimals = _parse(label, lang)
        assert abs(shown - value) <= 0.5 * 10.0 ** -decimals * UNIT[kind] * (1 + 1e-9), (kind, lang, value, label)
        assert abs(shown - value) <= 1e-9 * max(1.0, abs(value)), f"{label!r} shows {shown}, the tick is at {value} ({kind}, {lang})"


def test_the_issue_examples() -> None:
    assert _base._number_ticks("fi").format_ticks([0, 2.5, 5, 17.5]) == ["0,0", "2,5", "5,0", "17,5"]
    assert _base._percent_ticks("fi").format_ticks([0.0, 0.025, 0.05, 0.075]) == ["0,0\u00a0%", "2,5\u00a0%", "5,0\u00a0%", "7,5\u00a0%"]


@pytest.fixture(scope="module")
def cb() -> lb.ChildBudget:
    return lb.load_sample("synthetic").child_budget()


@pytest.mark.parametrize("lang", ["fi", "en"])
@pytest.mark.parametrize("chart", ["plot_tiers", "plot_per_child", "plot_preventive_share", "plot_sisote_split", "plot_child_protection_balance"])
def test_drawn_charts_print_their_tick_values(cb: lb.ChildBudget, chart: str, lang: str) -> None:
    ax = getattr(P, chart)(cb, lang=lang)
    fig = ax.figure
    fig.canvas.draw()
    checked = 0
    for panel in fig.axes:
        for axis in (panel.xaxis, panel.yaxis):
            fmt = axis.get_major_formatter()
            if not isinstance(fmt, _mpl_step()):
                continue
            for loc, label in zip(axis.get_majorticklocs(), axis.get_ticklabels()):
                if not label.get_text():
                    continue
                shown, _ = _parse(label.get_text(), lang)
                assert abs(shown - loc) <= 1e-6 * max(1.0, abs(loc)), f"{chart}: tick at {loc} labelled {label.get_text()!r}"
                checked += 1
    assert checked > 0, f"{chart} has no formatted value axis"


def _mpl_step() -> type:
    return type(_base._number_ticks("en")).__mro__[1]
