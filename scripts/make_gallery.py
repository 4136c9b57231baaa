"""Write the sample reports and put their charts (and a look at the report page) into docs/gallery/ and docs/gallery.md.

The gallery is made from the report itself: ``lapsibudjetti.report()`` is run
on each sample and the charts it wrote are copied, scaled to 1333 × 750 px; with
Chromium installed, the top of the report page (``lapsibudjetti.html``) is
shown too.

The gallery shows a reader what lapsibudjetti draws from the bundled sample
data: the SYNTHETIC training sample (fictional municipalities Esimerkkilä and
Mallila and their wellbeing area, 2021–2024, across the si-sote boundary, seen
through the municipality view) in Finnish and English, and the real 2015–2019
net operating costs of Kainuu and Vantaa–Kerava (Statistics Finland, kta_14)
in Finnish. Without the synthetic sample it draws the real one in both.

Usage::

    python scripts/make_gallery.py                  # docs/gallery/*.png and docs/gallery.md
    python scripts/make_gallery.py --sample real    # only the real 2015–2019 data
    python scripts/make_gallery.py --check          # fail if the committed gallery is out of date

The output is reproducible: the same data and library give byte-identical
PNG files (no dates or software versions in them).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # a script: no windows

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import lapsibudjetti as lb  # noqa: E402
from lapsibudjetti._errors import LapsibudjettiWarning  # noqa: E402
from lapsibudjetti.output.charts import _base  # noqa: E402
from lapsibudjetti.reference import format_euros, format_percent  # noqa: E402

LANGS = ("fi", "en")
DPI = 100  # 1333 × 750 px: sharp on screen, small in the repository


@dataclass(frozen=True)
class Source:
    """The result the gallery draws and where it comes from."""

    result: Any  # what the charts show (the municipality view where the report shows it)
    budget: Any  # what the report is given
    price_index: Any
    name: str
    description: str
    focus: str  # the organisation of the si-sote chart
    how: str  # how the result was made, for the page


@dataclass(frozen=True)
class Chart:
    slug: str
    title: str
    draw: Callable[[Any, str], Any]
    sentence: Callable[[Any], str]


def _fmt(value: float) -> str:
    return format_euros(value, "en", scale="auto")


def _pct(value: float) -> str:
    return format_percent(value, "en", decimals=1)


def _span(low: str, high: str) -> str:
    return low if low == high else f"{low}–{high}"


def _shown(result: Any) -> pd.DataFrame:
    """The summary rows the charts draw: actuals where there are any, else budgets."""
    s = _base._plain(result.summary())
    return _base._select_phase(s, None, "gallery")


def _names(result: Any, frame: pd.DataFrame) -> pd.Series:
    return _base._org_names(result, frame, "en")


def load_synthetic() -> Source:
    """The synthetic sample seen from its municipalities: own spend plus their share of the area's.

    From 2023 the wellbeing area pays the children's social and health
    services, so a municipality's own ledger holds only half its children's
    euros; the municipality view adds its population share of the area's.
    """
    from lapsibudjetti.samples._load import load_sample

    sample = load_sample("synthetic")
    budget = sample.child_budget()
    try:
        from lapsibudjetti.consolidate._municipality import municipality_view
    except ImportError:  # the boundary module not installed: the organisations' own ledgers
        return Source(budget, budget, sample.price_index, "synthetic", sample.description, focus="X01", how="`sample.child_budget()`")
    view = municipality_view(budget, "all", population=sample.population)
    how = ('`lb.report(sample.child_budget(), price_index=sample.price_index)`, which shows the municipality views: each '
           "municipality's own spend plus its share of the wellbeing area's (by its share of the area's children), so that "
           "the years before and after the 2023 si-sote reform compare")
    return Source(view, budget, sample.price_index, "synthetic", sample.description, focus="X01", how=how)


def load_real() -> Source:
    from lapsibudjetti.samples._load import load_sample

    sample = load_sample("real")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LapsibudjettiWarning)  # ages of 2019 used for 2015–2018, as documented
        result = sample.child_budget()
    return Source(result, result, None, "real", sample.description, focus="205", how="`lb.report(sample.child_budget())`")


def _tiers_sentence(result: Any) -> str:
    s = _shown(result)
    year = int(s["year"].max())
    s = s[s["year"] == year]
    child = s["child_euros"].sum()
    return (
        f"Child-targeted euros of each organisation in {year} split into universal services, targeted early support "
        f"and corrective services; across the {len(s)} organisations {_pct(s['universal_euros'].sum() / child)} is universal "
        f"and {_pct(s['corrective_euros'].sum() / child)} corrective, of {_fmt(child)} in all."
    )


def _preventive_sentence(result: Any) -> str:
    s = _shown(result).dropna(subset=["preventive_share"])
    first, last = int(s["year"].min()), int(s["year"].max())
    end = s[s["year"] == last].assign(name=lambda f: _names(result, f).to_numpy()).sort_values(["preventive_share", "name"])
    low, high = end.iloc[0], end.iloc[-1]
    spread = (f"ranges from {_pct(low['preventive_share'])} ({low['name']}) to {_pct(high['preventive_share'])} ({high['name']})"
              if len(end) > 1 else f"is {_pct(low['preventive_share'])} ({low['name']})")
    return (
        f"The preventive share (universal + targeted early support, as a share of child-targeted euros) per organisation "
        f"from {first} to {last}; in {last} it {spread}."
    )


def _per_child_sentence(result: Any) -> str:
    s = _shown(result)
    year = int(s["year"].max())
    s = s[(s["year"] == year) & s["euros_per_child"].notna()]
    return (
        f"Child-targeted euros per resident aged 0–17 in {year}, organisations sorted, with the median of the organisations "
        f"({_fmt(float(np.median(s['euros_per_child'])))}) as a dashed line."
    )


def _sisote_sentence(focus: str) -> Callable[[Any], str]:
    def sentence(result: Any) -> str:
        table = _base._plain(result.by("sector"))
        table = _base._select_phase(table[table["org_code"] == focus], None, "gallery")
        name = result.registry.name(str(table["org_type"].iloc[0]), focus, "en")
        child = table.groupby("year")["child_euros"].sum()
        sote = table[table["sector"] == "sote"].groupby("year")["child_euros"].sum().reindex(child.index, fill_value=0.0)
        share = (sote / child).round(3)
        years = [int(y) for y in child.index]
        return (
            f"{name}'s child-targeted euros per year split between education and culture (sivistys) and social and "
            f"health services (sote); the sote side is {_pct(float(share.iloc[0]))} in {years[0]} and "
            f"{_pct(float(share.iloc[-1]))} in {years[-1]}."
        )

    return sentence


def _shared_from(summary: pd.DataFrame) -> int | None:
    """The first year of the last run of years in which all organisations have the same placements ratio."""
    same = summary.groupby("year")["placements_ratio"].agg(lambda v: len(v) > 1 and v.round(4).nunique() == 1)
    first = None
    for year, flag in sorted(same.items()):
        first = (first if first is not None else int(year)) if flag else None
    return first


def _cp_sentence(result: Any) -> str:
    s = _shown(result).dropna(subset=["placements_ratio"])
    first, last = int(s["year"].min()), int(s["year"].max())
    end = s[s["year"] == last]
    ratios = _span(f"{float(end['placements_ratio'].min()):.1f}", f"{float(end['placements_ratio'].max()):.1f}")
    text = (
        f"The child-protection balance {first}–{last}: euros of placements per euro of non-residential child protection "
        f"(left; {ratios} in {last}) and the corrective share of child and family social services (right), the ratio "
        "LAPE set out to turn."
    )
    shared = _shared_from(s)
    if shared is not None:
        text += (f" From {shared} the municipalities' lines coincide: the municipality view shares each of the wellbeing "
                 "area's lines by population, so every member gets the area's ratios; a user key (customers or costs by "
                 "home municipality) would tell them apart.")
    return text


def charts(source: Source) -> list[Chart]:
    return [
        Chart("tiers", "Child-targeted euros by service tier", lambda r, lang: lb.plot_tiers(r, lang=lang), _tiers_sentence),
        Chart("preventive_share", "Preventive share over time", lambda r, lang: lb.plot_preventive_share(r, lang=lang),
              _preventive_sentence),
        Chart("per_child", "Euros per child, with the median", lambda r, lang: lb.plot_per_child(r, lang=lang), _per_child_sentence),
        Chart("sisote_split", "The si-sote split of a municipality's child spend",
              lambda r, lang: lb.plot_sisote_split(r, org_code=source.focus, lang=lang), _sisote_sentence(source.focus)),
        Chart("child_protection_balance", "The child-protection balance",
              lambda r, lang: lb.plot_child_protection_balance(r, lang=lang), _cp_sentence),
    ]


SIZE = (1333, 750)  # the gallery's images: sharp on screen, small in the repository


def _scaled(src: Path, dst: Path) -> Path:
    """The report's 200 dpi chart scaled to the gallery size (deterministic bytes)."""
    from PIL import Image

    with Image.open(src) as im:
        im.convert("RGB").resize(SIZE, Image.Resampling.LANCZOS).save(dst, format="PNG", optimize=True)
    return dst


def render(source: Source, out: Path, langs: tuple[str, ...]) -> tuple[list[Path], str]:
    """Write the report of ``source`` in each of ``langs``; copy its charts (and a look at its page); the page section."""
    import tempfile

    from lapsibudjetti.output import _html

    out.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    drawn: dict[tuple[str, str], Path] = {}
    pages: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for lang in langs:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", LapsibudjettiWarning)  # the report's notes are on its page
                rep = lb.report(source.budget, Path(tmp) / lang, lang=lang, price_index=source.price_index)
            for png in rep.charts:
                if png.suffix == ".png":
                    drawn[(png.stem, lang)] = _scaled(png, out / f"{source.name}_{png.stem}_{lang}.png")
            if _html.browser() is not None:
                shot = _html.screenshot(rep.html, Path(tmp) / f"page_{lang}.png", width=SIZE[0], height=SIZE[1])
                path = out / f"{source.name}_report_page_{lang}.png"
                _scaled(shot, path)
                files.append(path)
                pages.append(f"![The report page ({lang})](gallery/{path.name})")
    sections = []
    if pages:
        sections.append("### The report page\n\nThe top of `lapsibudjetti.html`, the one-file report for council members "
                        "(headline figures, trends, the si-sote split, child protection, comparison, change since last year, "
                        "method, unmapped euros; it prints to A4).\n\n" + "\n\n".join(pages) + "\n")
    for chart in charts(source):
        images = []
        for lang in langs:
            path = drawn.get((chart.slug, lang))
            if path is None:
                continue
            files.append(path)
            images.append(f"![{chart.title} ({lang})](gallery/{path.name})")
        if images:
            sections.append(f"### {chart.title}\n\n{chart.sentence(source.result)}\n\n" + "\n\n".join(images) + "\n")
    head = {"synthetic": "## The sample report (synthetic data, 2021–2024)",
            "real": "## Real data: Kainuu and Vantaa–Kerava, 2015–2019"}[source.name]
    text = f"{head}\n\n{source.description}; from {source.how}.\n\n" + "\n".join(sections)
    return files, text


INTRO = (
    "# Chart gallery\n\n"
    "What `lapsibudjetti` draws from the bundled sample data. Every chart is a function "
    "`plot_…(result, *, ax=None, lang=\"fi\")` that draws on a new slide-sized figure (or the Axes given) and returns "
    "the Axes; `save_chart(ax, path, size=\"slide\" | \"print\")` writes PNG, SVG or PDF. Titles say what and when, "
    "the subtitle the measure, target group and phase, the note how to read the chart; labels and number formats "
    "come in Finnish, Swedish or English. Colours stay apart in greyscale and for colour-blind readers (tiers light "
    "to dark with hatching; organisations by colour, marker and line style).\n\n"
    "The images are the charts that `lapsibudjetti report` writes (scaled to 1333 × 750 px). Regenerate with "
    "`python scripts/make_gallery.py` (check with `--check`); the same data give the same bytes.\n\n"
)


def _sources(choice: str) -> list[tuple[Source, tuple[str, ...]]]:
    """The samples to draw and in which languages (the real data in Finnish only, to keep the repository small)."""
    if choice == "real":
        return [(load_real(), LANGS)]
    if choice == "synthetic":
        return [(load_synthetic(), LANGS)]
    out: list[tuple[Source, tuple[str, ...]]] = []
    try:
        out.append((load_synthetic(), LANGS))
    except (ImportError, lb.LapsibudjettiError) as exc:
        print(f"synthetic sample not available ({exc}); drawing the real 2015–2019 sample only", file=sys.stderr)
        return [(load_real(), LANGS)]
    out.append((load_real(), ("fi",)))
    return out


def build(choice: str, folder: Path) -> tuple[list[Path], str]:
    files: list[Path] = []
    page = INTRO
    for source, langs in _sources(choice):
        f, text = render(source, folder, langs)
        files += f
        page += text + "\n"
    return files, page.rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", choices=("all", "synthetic", "real"), default="all",
                        help="which bundled sample to draw (all: the synthetic one in fi and en, the real one in fi)")
    parser.add_argument("--out", type=Path, default=REPO / "docs", help="folder of gallery.md (images go to its gallery/)")
    parser.add_argument("--check", action="store_true", help="only check that the committed gallery is up to date")
    args = parser.parse_args(argv)

    if args.check:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            files, page = build(args.sample, Path(tmp) / "gallery")
            stale = [f.name for f in files if not (args.out / "gallery" / f.name).is_file()
                     or (args.out / "gallery" / f.name).read_bytes() != f.read_bytes()]
            md = args.out / "gallery.md"
            if not md.is_file() or md.read_text(encoding="utf-8") != page:
                stale.append("gallery.md")
        if stale:
            print(f"gallery out of date: {', '.join(stale)}; run python scripts/make_gallery.py", file=sys.stderr)
            return 1
        print("gallery up to date")
        return 0

    gallery = args.out / "gallery"
    files, page = build(args.sample, gallery)
    keep = {f.name for f in files}
    for old in gallery.glob("*.png"):
        if old.name not in keep:
            old.unlink()
    (args.out / "gallery.md").write_text(page, encoding="utf-8", newline="\n")
    size = sum(f.stat().st_size for f in files)
    print(f"wrote {len(files)} charts ({size / 1e6:.1f} MB) to {gallery} and {args.out / 'gallery.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
