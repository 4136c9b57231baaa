"""Charts: every chart renders in Finnish and English, says what and when, and leaves matplotlib as it was."""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # this test module only: no windows

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgb
from PIL import Image

import lapsibudjetti as lb
from lapsibudjetti.output import charts as P
from lapsibudjetti.output.charts import _base
from lapsibudjetti.reference import format_euros, format_percent
from lapsibudjetti._errors import InputError, LapsibudjettiWarning
from lapsibudjetti.reference._labels import set_lang as lb_set_lang

# Real net operating costs (Statistics Finland kta_14, euros) of Kajaani (205),
# Kerava (245) and Sotkamo (765) in 2018 and 2019, for seven task classes.
TASKS = [
    "Perusopetus",
    "Varhaiskasvatus",
    "Lastensuojelun avohuoltopalvelut",
    "Lastensuojelun laitos- ja perhehoito",
    "Muut lasten ja perheiden avopalvelut",
    "Kirjastotoiminta",
    "Erikoissairaanhoito",
]
FIGURES = {
    ("205", 2018): [33517000, 20764000, 3389000, 5995000, 997000, 2021000, 63883000],
    ("205", 2019): [34905000, 22175000, 3116000, 6493000, 963000, 2019000, 64775000],
    ("245", 2018): [29705000, 20745000, 2788000, 6041000, 1902000, 2297000, 39325000],
    ("245", 2019): [31970000, 23196000, 2444000, 7244000, 2468000, 2372000, 42754000],
    ("765", 2018): [10035000, 5691000, 950000, 1623000, 312000, 594000, 17520000],
    ("765", 2019): [10417000, 6124000, 888000, 1660000, 370000, 592000, 18024000],
}

CHARTS = {
    "tiers": (P.plot_tiers, {"stat": "euros"}),
    "tiers_share": (P.plot_tiers, {"stat": "share"}),
    "colours": (P.plot_tiers, {"by": "colour", "stat": "euros"}),
    "preventive_share": (P.plot_preventive_share, {}),
    "per_child": (P.plot_per_child, {}),
    "sisote_one": (P.plot_sisote_split, {"org_code": "205"}),
    "sisote_compare": (P.plot_sisote_split, {}),
    "child_protection": (P.plot_child_protection_balance, {}),
    "placements_only": (P.plot_child_protection_balance, {"measure": "placements_ratio"}),
}
# a word each title must contain in its language
WORDS = {
    "fi": {"tiers": "palvelutasoittain", "tiers_share": "Palvelutasojen", "colours": "liikennevalo", "preventive_share": "Ehkäisevien",
           "per_child": "lasta kohden", "sisote_one": "sivistyksessä", "sisote_compare": "sivistyksen", "child_protection": "Lastensuojelun",
           "placements_only": "sijaishuolto"},
    "en": {"tiers": "service tier", "tiers_share": "Service tiers", "colours": "traffic-light", "preventive_share": "Preventive share",
           "per_child": "per child", "sisote_one": "education and culture", "sisote_compare": "education and culture",
           "child_protection": "Child-protection", "placements_only": "placements"},
}
YEARS = {"tiers": "2019", "tiers_share": "2019", "colours": "2019", "per_child": "2019", "sisote_compare": "2019"}


def _ledger(phase: str = "actual", scale: float = 1.0, years: tuple[int, ...] = (2018, 2019)) -> pd.DataFrame:
    rows = [(org, year, task, amount * scale) for (org, year), amounts in FIGURES.items() if year in years
            for task, amount in zip(TASKS, amounts)]
    frame = pd.DataFrame(rows, columns=["org_code", "year", "task_class", "amount"])
    return lb.make_ledger(frame, org_type="municipality", phase=phase)


def _budget(ledger: pd.DataFrame | list[pd.DataFrame]) -> lb.ChildBudget:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LapsibudjettiWarning)  # nearest-year age structure for 2018
        return lb.child_budget(ledger, population_year="nearest", measure="net operating cost")


@pytest.fixture(scope="module")
def cb() -> lb.ChildBudget:
    return _budget(_ledger())


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _text(ax: plt.Axes, gid: str) -> str:
    """The subtitle or note of a chart, on one line."""
    found = [t.get_text() for t in ax.texts if t.get_gid() == f"lapsibudjetti-{gid}"]
    assert len(found) == 1
    return found[0].replace("\n", " ")


def _png(ax: plt.Axes) -> bytes:
    buf = io.BytesIO()
    ax.figure.savefig(buf, format="png", dpi=50)
    return buf.getvalue()


# ---------------------------------------------------------------- every chart, both languages
@pytest.mark.parametrize("lang", ["fi", "en"])
@pytest.mark.parametrize("chart", list(CHARTS))
def test_chart_renders_on_given_axes_in_language(cb: lb.ChildBudget, chart: str, lang: str) -> None:
    fn, options = CHARTS[chart]
    before_rc = dict(matplotlib.rcParams)
    fig, ax = plt.subplots(figsize=(10, 6))
    figures = plt.get_fignums()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning from matplotlib or the library on good data
        out = fn(cb, ax=ax, lang=lang, **options)
        png = _png(out)
    assert out is ax
    assert plt.get_fignums() == figures, "a chart given an Axes must not create a figure"
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
    title = ax.get_title(loc="left")
    assert title.strip()
    assert YEARS.get(chart, "2018–2019") in title.replace("\n", " ")
    assert WORDS[lang][chart] in title.replace("\n", " ")
    assert dict(matplotlib.rcParams) == before_rc


def test_charts_without_axes_make_one_slide_figure_each_and_leave_the_result_alone(cb: lb.ChildBudget) -> None:
    annotated = cb.annotated.copy()
    summary = cb.summary()
    for chart, (fn, options) in CHARTS.items():
        before = set(plt.get_fignums())
        ax = fn(cb, lang="sv", **options)
        assert len(set(plt.get_fignums()) - before) == 1, chart
        assert tuple(np.round(ax.figure.get_size_inches(), 2)) == (13.33, 7.5)
        assert ax.get_title(loc="left").strip()
        plt.close(ax.figure)
    pd.testing.assert_frame_equal(cb.annotated, annotated)
    pd.testing.assert_frame_equal(cb.summary(), summary)


# ---------------------------------------------------------------- numbers in the language
def test_euro_formatter_finnish_and_english() -> None:
    assert format_euros(1234567.0, "fi") == "1\u00a0234\u00a0567\u00a0€"
    assert format_euros(1234567.0, "sv") == "1\u00a0234\u00a0567\u00a0€"
    assert format_euros(1234567.0, "en") == "€1,234,567"
    assert format_euros(-1234.4, "en") == "\u2212€1,234"
    assert format_euros(-0.4, "fi") == "0\u00a0€"  # no minus zero
    assert format_euros(581_422_900.0, "fi", scale="auto") == "581,4\u00a0M€"
    assert format_euros(999_999.0, "en", scale="auto") == "€999,999"
    assert format_euros(2_500_000.0, "en", scale="million", decimals=2) == "€2.50M"
    assert format_percent(0.7826, "fi") == "78\u00a0%"
    assert format_percent(0.7826, "en", decimals=1) == "78.3%"
    with pytest.raises(InputError, match="lang"):
        format_euros(1.0, "de")


def test_tick_labels_use_language_and_step() -> None:
    f = _base._euro_ticks("fi", million=True)
    assert f.format_ticks([0.0, 5e5, 1e6, 1.5e6]) == ["0,0\u00a0M€", "0,5\u00a0M€", "1,0\u00a0M€", "1,5\u00a0M€"]
    assert _base._euro_ticks("en", million=True).format_ticks([0.0, 1e8, 2e8]) == ["€0M", "€100M", "€200M"]
    assert _base._percent_ticks("fi").format_ticks([0.7, 0.75, 0.8]) == ["70\u00a0%", "75\u00a0%", "80\u00a0%"]
    assert _base._number_ticks("fi").format_ticks([0.0, 0.5, 1.0]) == ["0,0", "0,5", "1,0"]


def test_tick_labels_drawn_in_language(cb: lb.ChildBudget) -> None:
    ax = P.plot_per_child(cb, lang="fi")
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert labels and all(lab.endswith("\u00a0€") for lab in labels)
    ax = P.plot_per_child(cb, lang="en")
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert labels and all(lab.startswith("€") for lab in labels)
    assert any("," in lab for lab in labels)  # thousands separator


# ---------------------------------------------------------------- the charts draw the result's numbers
def test_tier_bars_add_up_to_child_euros(cb: lb.ChildBudget) -> None:
    ax = P.plot_tiers(cb, year=2019, lang="en")
    names = [t.get_text() for t in ax.get_yticklabels()]
    widths: dict[float, float] = {}
    for patch in ax.patches:
        y = round(patch.get_y() + patch.get_height() / 2, 6)
        widths[y] = widths.get(y, 0.0) + patch.get_width()
    s = cb.summary()
    s = s[s["year"] == 2019].set_index("org_code")["child_euros"]
    expected = {"Kajaani": s["205"], "Kerava": s["245"], "Sotkamo": s["765"]}
    drawn = {names[int(y)]: w for y, w in widths.items()}
    assert drawn == pytest.approx(expected, rel=1e-12)
    assert names == sorted(names, key=lambda n: expected[n])  # largest on top (drawn last)
    totals = [t.get_text() for t in ax.texts if t.get_text().startswith("€") and t.get_text().endswith("M")]
    assert format_euros(expected["Kajaani"], "en", scale="auto") in totals


def test_per_child_marks_the_median(cb: lb.ChildBudget) -> None:
    ax = P.plot_per_child(cb, lang="fi")
    s = cb.summary()
    values = s.loc[s["year"] == 2019, "euros_per_child"].to_numpy()
    median = float(np.median(values))
    vertical = [line for line in ax.lines if np.allclose(line.get_xdata(), median)]
    assert len(vertical) == 1
    texts = [t.get_text() for t in ax.texts]
    assert f"mediaani {format_euros(median, 'fi')}" in texts
    bars = [p.get_width() for p in ax.patches]
    assert bars == sorted(bars) and sorted(bars) == pytest.approx(sorted(values))


def test_preventive_share_lines_are_the_summary(cb: lb.ChildBudget) -> None:
    ax = P.plot_preventive_share(cb, lang="en")
    s = cb.summary()
    kajaani = s[s["org_code"] == "205"].sort_values("year")["preventive_share"].to_numpy()
    drawn = [line.get_ydata() for line in ax.lines if len(line.get_xdata()) == 2]
    assert any(np.allclose(d, kajaani) for d in drawn)
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert any(t.endswith("%") for t in ticks)


def test_organisations_keep_their_colour_across_panels(cb: lb.ChildBudget) -> None:
    ax = P.plot_child_protection_balance(cb, lang="fi")
    left, right = ax.figure.axes[:2]

    def colours(panel: plt.Axes) -> list[str]:
        return [line.get_color() for line in panel.get_legend_handles_labels()[0]] if panel.get_legend() is None else [
            h.get_color() for h in panel.get_legend().legend_handles]

    legend = right.get_legend()
    names = [t.get_text() for t in legend.get_texts()]
    assert sorted(names) == ["Kajaani", "Kerava", "Sotkamo"]
    # each organisation's line has the same colour in both panels
    s = cb.summary().sort_values("year")
    for panel, column in ((left, "placements_ratio"), (right, "family_services_corrective_share")):
        for name, handle in zip(names, legend.legend_handles):
            code = {"Kajaani": "205", "Kerava": "245", "Sotkamo": "765"}[name]
            ys = s.loc[s["org_code"] == code, column].to_numpy()
            match = [line for line in panel.lines if len(line.get_ydata()) == 2 and np.allclose(line.get_ydata(), ys)]
            assert match and all(to_rgb(m.get_color()) == to_rgb(handle.get_color()) for m in match), (name, column)


def test_child_protection_both_on_given_axes_adds_a_panel_not_a_figure(cb: lb.ChildBudget) -> None:
    fig, ax = plt.subplots()
    n = plt.get_fignums()
    out = P.plot_child_protection_balance(cb, ax=ax, lang="en")
    assert out is ax and plt.get_fignums() == n
    assert len(fig.axes) == 2
    assert fig.axes[1].get_ylabel().replace("\n", " ").startswith("Corrective share")


# ---------------------------------------------------------------- phases
def test_budget_years_are_named_and_hollow() -> None:
    result = _budget([_ledger(), _ledger("budget", 1.03, years=(2019,)), _ledger("budget", 1.05, years=(2019,)).assign(year=2020)])
    ax = P.plot_preventive_share(result, lang="fi")
    subtitle = _text(ax, "subtitle")
    assert "tilinpäätös 2018–2019" in subtitle and "talousarvio 2020" in subtitle
    hollow = [line for line in ax.lines if line.get_markerfacecolor() in ("white", (1.0, 1.0, 1.0, 1.0))]
    assert hollow and all(list(line.get_xdata()) == [2020] for line in hollow)
    assert "Avoin merkki = talousarvio" in _text(ax, "note")
    # an explicit phase draws only that phase
    ax = P.plot_per_child(result, phase="budget", year=2019, lang="en")
    assert _text(ax, "subtitle").endswith("budget")
    with pytest.raises(InputError, match="vaiheen pitää olla jokin näistä: actual"):
        P.plot_tiers(result, phase="forecast")


# ---------------------------------------------------------------- errors and warnings
def test_bad_arguments_are_errors_that_say_what_to_do(cb: lb.ChildBudget) -> None:
    lb_set_lang("en")  # the English messages are asserted
    with pytest.raises(InputError, match="lang='de' is not allowed; use one of fi, sv, en"):
        P.plot_tiers(cb, lang="de")
    with pytest.raises(InputError, match="no data for year 2030; the result has 2018–2019"):
        P.plot_per_child(cb, year=2030)
    with pytest.raises(InputError, match="999 not in the result"):
        P.plot_preventive_share(cb, orgs=["999"])
    with pytest.raises(InputError, match="measure=.* is not allowed; use one of"):
        P.plot_child_protection_balance(cb, measure="ratio")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="must be a matplotlib Axes"):
        P.plot_tiers(cb, ax="left")  # type: ignore[arg-type]


def test_missing_population_is_warned_and_named() -> None:
    reg = lb.Registry.default().extend(municipalities=pd.DataFrame({"code": ["X77"], "name_fi": ["Kuvitelma"]}))
    led = lb.validate_ledger(pd.DataFrame({"org_type": "municipality", "phase": "actual", "org_code": ["205", "X77"],
                                           "year": [2019, 2019], "task_class": ["Perusopetus"] * 2, "amount": [1e6, 2e6]}),
                             registry=reg)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = lb.child_budget(led, registry=reg, population=lb.Population.packaged())
    with pytest.warns(LapsibudjettiWarning, match="Kuvitelma"):
        ax = P.plot_per_child(result, lang="fi")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Kajaani"]
    assert "Ei väestötietoa: Kuvitelma" in _text(ax, "note")


def test_sisote_split_warns_when_sote_is_missing() -> None:
    led = lb.make_ledger({"org_code": ["205"] * 2, "year": [2019] * 2, "task_class": ["Perusopetus", "Nuorisotoiminta"],
                          "amount": [3e7, 1e6]}, org_type="municipality", phase="actual")
    result = _budget(led)
    with pytest.warns(LapsibudjettiWarning, match="municipality_view"):
        ax = P.plot_sisote_split(result, lang="en")
    assert "Use the municipality view" in _text(ax, "note")


def test_child_protection_of_a_municipality_view_says_the_ratios_are_the_areas() -> None:
    """From 2023 the area's child protection is shared by one population share: the note says why members coincide."""
    sample = lb.load_sample("synthetic")
    view = lb.municipality_view(sample.child_budget())
    ax = P.plot_child_protection_balance(view, lang="en")
    assert "Municipality view: the wellbeing area's child protection and family services in 2023–2024" in _text(ax, "note")
    ratios = view.summary().query("year >= 2023 and phase == 'actual'").groupby("year")["placements_ratio"]
    assert ((ratios.max() - ratios.min()) / ratios.max()).max() < 1e-6  # the area's ratio, up to the cents of allocation
    plain = P.plot_child_protection_balance(sample.child_budget(), lang="en")
    assert "Municipality view" not in _text(plain, "note")


# ---------------------------------------------------------------- colours
def _grey(colour: str) -> float:
    r, g, b = to_rgb(colour)
    return 0.299 * r + 0.587 * g + 0.114 * b


@pytest.mark.parametrize("palette", [_base.TIER_STYLE, _base.SECTOR_STYLE])
def test_palettes_stay_apart_in_greyscale(palette: dict[str, dict[str, str]]) -> None:
    greys = sorted(_grey(v["color"]) for k, v in palette.items() if k != "other")
    assert min(np.diff(greys)) > 0.15
    assert len({v["hatch"] for v in palette.values()}) == len(palette)


def test_rendered_tiers_are_distinct_in_greyscale(cb: lb.ChildBudget) -> None:
    ax = P.plot_tiers(cb, stat="share", lang="fi")
    buf = io.BytesIO()
    ax.figure.savefig(buf, format="png", dpi=60)
    grey = np.asarray(Image.open(buf).convert("L"))
    levels = {round(_grey(v["color"]) * 255) for v in _base.TIER_STYLE.values()}
    hist = np.bincount(grey.ravel(), minlength=256)
    for level in levels:  # each tier's grey covers a visible area of the image
        assert hist[max(0, level - 2) : level + 3].sum() > 200, level


# ---------------------------------------------------------------- saving
def test_save_chart_png_slide_and_print(cb: lb.ChildBudget, tmp_path: Path) -> None:
    fig, ax = plt.subplots(figsize=(6, 4))
    P.plot_tiers(cb, ax=ax, lang="fi")
    before = dict(matplotlib.rcParams)
    slide = P.save_chart(ax, tmp_path / "slide.png", size="slide", dpi=100)
    with Image.open(slide) as im:
        assert im.size == (1333, 750)
    assert tuple(fig.get_size_inches()) == (6.0, 4.0), "the figure's own size is restored"
    printed = P.save_chart(fig, tmp_path / "print.png", size="print")
    with Image.open(printed) as im:
        assert im.size == (1800, 1200)
        assert round(im.info["dpi"][0]) == 300
    assert dict(matplotlib.rcParams) == before
    with pytest.raises(InputError, match=r"\.png, \.svg tai \.pdf"):
        P.save_chart(ax, tmp_path / "chart.gif")
    with pytest.raises(InputError, match="size"):
        P.save_chart(ax, tmp_path / "x.png", size="poster")  # type: ignore[arg-type]


def test_save_chart_svg_is_reproducible(cb: lb.ChildBudget, tmp_path: Path) -> None:
    before = dict(matplotlib.rcParams)
    ax = P.plot_tiers(cb, lang="en")
    a = P.save_chart(ax, tmp_path / "a.svg").read_bytes()
    plt.close("all")
    ax = P.plot_tiers(cb, lang="en")
    b = P.save_chart(ax, tmp_path / "b.svg").read_bytes()
    assert a == b
    assert b"<dc:date>" not in a
    assert dict(matplotlib.rcParams) == before
    p1 = P.save_chart(P.plot_per_child(cb, lang="fi"), tmp_path / "a.png", dpi=40).read_bytes()
    p2 = P.save_chart(P.plot_per_child(cb, lang="fi"), tmp_path / "b.png", dpi=40).read_bytes()
    assert p1 == p2, "the same chart drawn twice gives the same PNG bytes"


# ---------------------------------------------------------------- the real data
@pytest.mark.realdata
def test_all_charts_on_real_kainuu_and_vantaa_kerava(shared_data: Path, tmp_path: Path) -> None:
    ledger = lb.read_statistics(shared_data / "nettokayttokustannukset_tehtavittain_kunnat_2015_2019__budgetr_statfin_kta14.csv")
    codes = lb.Registry.default().members("20", 2019) + ["092", "245"]
    ledger = ledger[ledger["org_code"].isin(codes)]
    result = _budget(ledger)
    s = result.summary()
    assert len(set(s["org_code"])) == len(codes) == 10
    for i, (name, (fn, options)) in enumerate(CHARTS.items()):
        lang = ("fi", "en")[i % 2]  # both languages are rendered for every chart on the small ledger above
        fig, ax = plt.subplots(figsize=(9, 5), layout="constrained")
        fn(result, ax=ax, lang=lang, **options)
        path = P.save_chart(ax, tmp_path / f"{name}_{lang}.png", dpi=40)
        assert path.stat().st_size > 5_000
        title = ax.get_title(loc="left").replace("\n", " ")
        assert ("2019" in title) and WORDS[lang][name] in title
        plt.close(fig)
    # Vantaa's child euros are far over 20 times Ristijärvi's: by default the tiers are drawn as shares
    ax = P.plot_tiers(result, lang="en")
    assert ax.get_title(loc="left").startswith("Service tiers as shares")
    plt.close(ax.figure)
    # the labels of the per-child chart are the summary's figures
    ax = P.plot_per_child(result, lang="fi")
    vantaa = float(s.loc[(s["org_code"] == "092") & (s["year"] == 2019), "euros_per_child"].iloc[0])
    assert format_euros(vantaa, "fi") in [t.get_text() for t in ax.texts]


def test_importing_the_library_does_not_import_matplotlib() -> None:
    import subprocess
    import sys

    code = "import sys, lapsibudjetti; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path(__file__).parents[2])
    assert out.stdout.strip() == "False"


def test_gallery_page_and_images_match() -> None:
    docs = Path(__file__).resolve().parents[2] / "docs"
    page = (docs / "gallery.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(gallery/([^)]+\.png)\)", page))
    on_disk = {p.name for p in (docs / "gallery").glob("*.png")}
    assert linked and linked == on_disk
    for name in on_disk:  # the committed charts are slide-sized PNGs
        with Image.open(docs / "gallery" / name) as im:
            assert im.size == (1333, 750)


def test_negative_child_euros_stack_below_zero() -> None:
    # fee-financed services: revenue above cost gives negative net costs
    led = lb.make_ledger({"org_code": ["205"] * 3, "year": [2019] * 3,
                          "task_class": ["Nuorisotoiminta", "Muut lasten ja perheiden avopalvelut", "Lastensuojelun avohuoltopalvelut"],
                          "amount": [-2e6, -1e6, 4e6]}, org_type="municipality", phase="actual")
    result = _budget(led)
    ax = P.plot_tiers(result, lang="en")
    lo, hi = ax.get_xlim()
    assert lo <= -3e6 and hi >= 4e6  # universal and targeted to the left of zero, corrective to the right
    assert sorted(p.get_width() for p in ax.patches) == [-2e6, -1e6, 4e6]
    _png(ax)
    ax = P.plot_sisote_split(result, lang="en")
    lo, hi = ax.get_ylim()
    assert lo <= -2e6 and hi >= 3e6
    _png(ax)
