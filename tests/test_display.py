"""The result object's compact summaries: HTML in a notebook, text in a terminal."""

from __future__ import annotations

import html.parser

import lapsibudjetti as lb


def _budget() -> lb.ChildBudget:
    led = lb.make_ledger(
        {"org_code": ["564"] * 4, "year": [2019] * 4,
         "task_class": ["Perusopetus", "Kirjastotoiminta", "Vesihuolto", "Käyttötalous yhteensä"],
         "amount": [1_000_000.0, 100_000.0, 50_000.0, 1.0]},
        org_type="municipality", phase="actual")
    return lb.child_budget(led, measure="net operating cost")


def test_text_summary_for_terminals() -> None:
    text = repr(_budget())  # the session's language: Finnish unless set_lang() or $LAPSIBUDJETTI_LANG says otherwise
    lines = text.splitlines()
    assert lines[0].startswith("Lapsibudjetti: 4 riviä · 1 organisaatiota · 2019 · 0–17-vuotiaat")
    assert "täsmää sentilleen" in text
    assert "luokittelemattomia rivejä 1 (1\u00a0€)" in text
    assert "nettokäyttökustannukset" in text
    assert len(lines) <= 5  # short: a terminal summary, not a table dump
    lb.set_lang("en")
    text = repr(_budget())
    assert text.startswith("Child budget: 4 lines · 1 organisation(s) · 2019 · ages 0–17")
    assert "reconciled to the cent" in text and "unmapped lines 1 (€1)" in text and "net operating cost" in text


class _Collect(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_summary_for_notebooks() -> None:
    lb.set_lang("en")
    cb = _budget()
    p = _Collect()
    p.feed(cb._repr_html_())
    text = " ".join(p.text)
    assert "reconciled to the cent" in text
    assert "unmapped lines 1 (€1)" in text
    assert "table" in p.tags
    # the top categories, largest first
    assert text.index("Basic education") < text.index("Libraries")
    assert "Not child-targeted" not in text


def test_html_escapes_user_text() -> None:
    cb = _budget()
    evil = lb.child_budget(cb.annotated[list(lb.LEDGER_COLUMNS)], measure="<script>alert(1)</script>")
    assert "<script>" not in evil._repr_html_()


def test_headline_is_one_year_and_phase_not_a_sum_over_them() -> None:
    rows = {"org_code": ["564"] * 3, "year": [2018, 2019, 2019], "task_class": ["Perusopetus"] * 3,
            "amount": [100.0, 200.0, 300.0], "phase": ["actual", "actual", "budget"]}
    led = lb.make_ledger(rows, org_type="municipality")
    text = repr(lb.child_budget(led))
    # one formatter: the amounts and the share in the same style
    assert "2019 tilinpäätös: kaikki menot 200\u00a0€; lapsiin kohdistuvat 200\u00a0€ (100,0\u00a0%)" in text
