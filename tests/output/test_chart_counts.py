"""Charts that work at any count of organisations (issue 11): capped bars, crowds in grey, shares when sizes differ, axis breaks."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

import lapsibudjetti as lb
from lapsibudjetti.output.charts import _base


def _budget(n: int, years: tuple[int, ...] = (2018, 2019), spread: float = 1.0) -> lb.ChildBudget:
    codes = sorted(lb.reference.municipalities(2019)["code"])[:n]
    rows: dict[str, list[object]] = {"org_code": [], "year": [], "task_class": [], "amount": []}
    rng = np.random.default_rng(7)
    for i, code in enumerate(codes):
        size = 1e6 * (1 + spread * i / max(1, n - 1))
        for y in years:
            for task, part in (("Perusopetus", 0.8), ("Lastensuojelun laitos- ja perhehoito", 0.2 + 0.1 * rng.random())):
                rows["org_code"].append(code)
                rows["year"].append(y)
                rows["task_class"].append(task)
                rows["amount"].append(round(size * part, 2))
    led = lb.make_ledger(rows, org_type="municipality", phase="actual")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lb.LapsibudjettiWarning)
        return lb.child_budget(led, population_year="nearest")


def _note_text(ax: plt.Axes) -> str:
    return " ".join(t.get_text() for t in ax.figure.findobj(matplotlib.text.Text))


def test_many_bars_are_capped_with_a_note_and_the_median_of_all() -> None:
    cb = _budget(40)
    ax = lb.plot_per_child(cb, lang="en")
    assert len(ax.patches) == _base.MAX_BARS
    text = _note_text(ax)
    assert f"The chart shows {_base.MAX_BARS} of 40 organisations" in text
    assert "median of the 40 organisations" in text
    per = cb.summary().query("year == 2019")["euros_per_child"]
    median_x = [line.get_xdata()[0] for line in ax.lines if len(set(line.get_xdata())) == 1][0]
    assert median_x == pytest.approx(float(np.median(per)))
    plt.close(ax.figure)


def test_many_lines_are_a_grey_crowd_with_their_median() -> None:
    cb = _budget(12)
    ax = lb.plot_preventive_share(cb, lang="en")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["median (12 organisations)", "each of 12 organisations"]
    plt.close(ax.figure)
    ax = lb.plot_preventive_share(cb, lang="en", highlight=[sorted(cb.summary()["org_code"].astype(str))[0]])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(legend) == 2 and legend[1] == "others (11)"
    plt.close(ax.figure)


def test_few_lines_keep_one_legend_entry_each() -> None:
    ax = lb.plot_preventive_share(_budget(3), lang="en")
    assert len(ax.get_legend().get_texts()) == 3
    plt.close(ax.figure)


def test_tiers_switch_to_shares_when_sizes_differ_more_than_20_times() -> None:
    alike, apart = _budget(3, spread=2.0), _budget(3, spread=40.0)
    ax = lb.plot_tiers(alike, lang="en")
    assert "€" in ax.xaxis.get_major_formatter()(2e6, 0)
    plt.close(ax.figure)
    ax = lb.plot_tiers(apart, lang="en")
    assert ax.get_title(loc="left").startswith("Service tiers as shares")
    assert "over 20 times the smallest" in _note_text(ax)
    plt.close(ax.figure)
    ax = lb.plot_tiers(apart, lang="en", stat="euros")  # asked for: kept
    assert not ax.get_title(loc="left").startswith("Service tiers as shares")
    plt.close(ax.figure)


def test_a_share_axis_that_does_not_start_at_zero_is_marked() -> None:
    cb = _budget(3)
    ax = lb.plot_preventive_share(cb, lang="en")
    assert ax.get_ylim()[0] > 0
    marks = [ln for ln in ax.lines if ln.get_transform() == ax.transAxes and not ln.get_clip_on()]
    assert len(marks) == 2
    assert "does not start at zero" in _note_text(ax)
    plt.close(ax.figure)
    ax = lb.plot_preventive_share(cb, lang="en", ylim=(0, 1))
    assert not [ln for ln in ax.lines if ln.get_transform() == ax.transAxes and not ln.get_clip_on()]
    plt.close(ax.figure)


def test_charts_in_an_ax_grid_do_not_overlap() -> None:
    cb = _budget(5)
    fig, axs = plt.subplots(2, 2, figsize=(16, 10), layout="constrained")
    lb.plot_tiers(cb, ax=axs[0, 0], lang="fi")
    lb.plot_per_child(cb, ax=axs[0, 1], lang="fi")
    lb.plot_preventive_share(cb, ax=axs[1, 0], lang="fi")
    lb.plot_child_protection_balance(cb, ax=axs[1, 1], lang="fi")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    titles = [t for a in fig.axes for t in (a.title, a._left_title) if t.get_text() and t.get_color() != "none"]
    boxes = [t.get_window_extent(renderer) for t in titles]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b), "two chart titles overlap in an ax= grid"
    plt.close(fig)
