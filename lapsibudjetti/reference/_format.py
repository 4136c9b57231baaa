"""The one number formatter (fi/sv/en): euros, percentages and plain numbers.

Finnish and Swedish write ``1 234 567 €`` and ``58 %`` (no-break spaces,
decimal comma); English ``€1,234,567`` and ``58%``. The pieces (separators,
the euro and percent patterns) are labels in ``data/labels.csv`` (``fmt.*``).
Tables, the workbook, charts, the HTML card and the CLI all format through
these functions.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Literal

from .._errors import InputError
from ._labels import lang_or_default, say, text

__all__ = ["format_euros", "format_number", "format_percent"]

_MINUS = "\u2212"


def _digits(value: float, decimals: int, lang: str) -> str:
    """``abs(value)`` with the language's thousands and decimal separators (``–`` when not finite)."""
    if not math.isfinite(value):
        return "–"
    value = round(value, decimals)
    if value == 0:
        value = 0.0  # no "−0"
    body = f"{abs(value):,.{decimals}f}"
    return body.replace(",", "\0").replace(".", text("fmt.decimal", lang)).replace("\0", text("fmt.thousands", lang))


def _signed(body: str, shown: float) -> str:
    return (_MINUS + body) if shown < 0 else body


def format_years(years: Iterable[int], *, empty: str = "") -> str:
    """Years as readers write them: ``2021–2024`` for a run, ``2019, 2021`` otherwise, ``empty`` for none.

    The one year-range formatter of cards, charts, the report and the CLI.

    Examples
    --------
    >>> format_years([2024, 2021, 2022, 2023]), format_years([2019, 2021]), format_years([2019]), format_years([], empty="–")
    ('2021–2024', '2019, 2021', '2019', '–')
    """
    ys = sorted({int(y) for y in years})
    if not ys:
        return empty
    if len(ys) > 1 and ys == list(range(ys[0], ys[-1] + 1)):
        return f"{ys[0]}–{ys[-1]}"
    return ", ".join(str(y) for y in ys)


def format_number(value: float, lang: str | None = None, *, decimals: int = 0) -> str:
    """A plain number in ``lang`` (ratios, counts).

    Examples
    --------
    >>> format_number(2.7041, "fi", decimals=2)
    '2,70'
    >>> format_number(-1234.5, "en", decimals=1)
    '−1,234.5'
    """
    lang = lang_or_default(lang)
    return _signed(_digits(value, decimals, lang), round(value, decimals) if math.isfinite(value) else 0.0)


def format_euros(
    value: float,
    lang: str | None = None,
    *,
    scale: Literal["unit", "million", "auto"] = "unit",
    decimals: int | None = None,
) -> str:
    """Euros as a reader in ``lang`` writes them.

    Parameters
    ----------
    value
        Euros.
    lang
        ``fi``, ``sv`` or ``en``; default: the session's language (:func:`lapsibudjetti.set_lang`).
    scale
        ``unit`` (whole euros), ``million`` (``1,2 M€``) or ``auto``
        (millions from one million up).
    decimals
        Decimals to show; default 0 for euros and 1 for millions.

    Examples
    --------
    >>> format_euros(1234567.0, "fi")
    '1\\xa0234\\xa0567\\xa0€'
    >>> format_euros(1234567.0, "en")
    '€1,234,567'
    >>> format_euros(-1234567.0, "sv", scale="auto")
    '−1,2\\xa0M€'
    >>> format_euros(581_422_900.0, "en", scale="auto")
    '€581.4M'
    """
    lang = lang_or_default(lang)
    if scale not in ("unit", "million", "auto"):
        raise InputError(say("arg.one_of", name="scale", value=repr(scale), allowed="'unit', 'million', 'auto'"))
    finite = math.isfinite(value)
    million = scale == "million" or (scale == "auto" and finite and abs(value) >= 1e6)
    unit = 1e6 if million else 1.0
    d = (1 if million else 0) if decimals is None else decimals
    body = text("fmt.meuro" if million else "fmt.euro", lang, n=_digits(value / unit, d, lang))
    return _signed(body, round(value / unit, d) if finite else 0.0)


def format_percent(share: float, lang: str | None = None, *, decimals: int = 0) -> str:
    """A share (0.78) as a percentage in ``lang``.

    Examples
    --------
    >>> format_percent(0.7826, "fi")
    '78\\xa0%'
    >>> format_percent(0.7826, "en", decimals=1)
    '78.3%'
    """
    lang = lang_or_default(lang)
    body = text("fmt.percent", lang, n=_digits(share * 100.0, decimals, lang))
    return _signed(body, round(share * 100.0, decimals) if math.isfinite(share) else 0.0)
