"""Organisation codes in a rules file that a spreadsheet turned into numbers (091 → 91)."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import pandas as pd

from ._errors import LapsibudjettiWarning

__all__ = ["pad_org_codes"]

#: Digits of an organisation code by type: municipalities 3 (091), wellbeing areas 2 (01, 90, 91).
_CODE_DIGITS = {"municipality": 3, "wellbeing_area": 2}


def _row_word(row: int) -> str:
    from .reference._labels import default_lang, text

    return text("word.row", default_lang(), row=row)


def pad_org_codes(t: pd.DataFrame, bad: Callable[[int, str, str], None], source: str) -> None:
    """Organisation codes that lost their leading zeros (Excel stores 091 as 91): padded with a warning, or refused when ambiguous.

    With the rule's ``org_type`` the width is known (3 for a municipality, 2
    for a wellbeing area). Without it, a 1- or 2-digit code could be either
    (91 is Helsinki 091 or Åland's area 91): that is an error saying how to write it.
    """
    padded: list[str] = []
    for i in t.index[t["org_code"] != ""]:
        types = [x.strip() for x in t.at[i, "org_type"].split("|") if x.strip()]
        codes = [c.strip() for c in t.at[i, "org_code"].split("|")]
        out = []
        for code in codes:
            if not code.isdigit() or len(code) >= 3:
                out.append(code)
                continue
            widths = {_CODE_DIGITS[x] for x in types if x in _CODE_DIGITS}
            if len(widths) != 1:
                from .reference._labels import say

                bad(i, "org_code", say("rule.org_code_ambiguous", code=repr(code)))
                out.append(code)
                continue
            new = code.zfill(widths.pop())
            if new != code:
                padded.append(f"{_row_word(int(t.at[i, 'source_row']))}: {code} → {new}")
            out.append(new)
        t.at[i, "org_code"] = "|".join(out)
    if padded:
        from .reference._labels import default_lang, text

        shown = "; ".join(padded[:10]) + (" …" if len(padded) > 10 else "")
        warnings.warn(f"{source}: " + text("warn.padded_codes", default_lang(), rows=shown), LapsibudjettiWarning, stacklevel=4)

