"""The child-protection balance: placements / non-residential care, and the family-services corrective share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, cast

import pandas as pd

from ..._errors import InputError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
from ...reference._labels import check_lang as check_lang
from ...reference._labels import is_population_key, lang_or_default
from ...reference._labels import text as label_text
from ._base import (
    _INK,
    _MUTED,
    ResultLike,
    _axes,
    _axis_break,
    _filter_orgs,
    _finish,
    _Fit,
    _frame_axes,
    _highlight_set,
    _note,
    _number_ticks,
    _percent_ticks,
    _plain,
    _select_phase,
    _starts_above_zero,
    _subtitle,
    _title_pad,
    _titles,
    _wrap,
    _years_text,
)
from ._trends import _sentences, _series, _share_limits


def plot_child_protection_balance(
    result: ResultLike,
    *,
    measure: Literal["both", "placements_ratio", "family_services_corrective_share"] = "both",
    ax: Axes | None = None,
    lang: str | None = None,
    phase: str | None = None,
    orgs: Sequence[str] | None = None,
    highlight: str | Sequence[str] | None = None,
    figsize: tuple[float, float] | None = None,
    fontsize: float | None = None,
) -> Axes:
    """The child-protection balance over the years, per organisation.

    Two measures (domain.md §7), the ratio LAPE wanted to turn:
    placements ÷ non-residential child protection
    (``summary()["placements_ratio"]``) and corrective ÷ (targeted +
    corrective) within child and family social services
    (``family_services_corrective_share``). With ``measure="both"`` the axes
    is split into two panels side by side: the given Axes takes the left
    half of its place and is returned; the right panel is added to the same
    figure in the other half.

    Parameters
    ----------
    result
        A :class:`~lapsibudjetti.ChildBudget` or a view with ``summary()``.
    measure
        ``both`` (default), ``placements_ratio`` or
        ``family_services_corrective_share``.
    ax, lang, phase, orgs, figsize, fontsize
        As in :func:`plot_tiers`.
    highlight
        Organisation code(s) to draw strongly, the others in grey.

    Returns
    -------
    matplotlib.axes.Axes
        The (left) panel.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import lapsibudjetti as lb
    >>> led = lb.make_ledger({"org_code": ["564"] * 4, "year": [2018, 2018, 2019, 2019],
    ...     "task_class": ["Lastensuojelun avohuoltopalvelut", "Lastensuojelun laitos- ja perhehoito"] * 2,
    ...     "amount": [1e7, 2.7e7, 1.1e7, 2.6e7]}, org_type="municipality", phase="actual")
    >>> ax = plot_child_protection_balance(lb.child_budget(led), lang="en", measure="placements_ratio")
    >>> ax.get_title(loc="left")
    'Child-protection placements relative to non-residential care, 2018–2019'
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    what = "plot_child_protection_balance"
    lang = lang_or_default(lang)
    allowed = ("both", "placements_ratio", "family_services_corrective_share")
    if measure not in allowed:
        raise InputError(f"{what}: " + label_text("arg.one_of", lang, name="measure", value=repr(measure), allowed=", ".join(allowed)))
    summary = _plain(result.summary())
    frame = _select_phase(_filter_orgs(summary, orgs, what), phase, what)
    hl = _highlight_set(highlight, frame, what)
    fit = _Fit()
    if measure == "both":
        left, style = _axes(ax, figsize, fontsize)
        spec = left.get_subplotspec()
        if spec is not None:
            # the Axes' grid cell is split in two: layout engines then place both panels
            cells = spec.subgridspec(1, 2, wspace=0.08)
            left.set_subplotspec(cells[0])
            right = left.figure.add_subplot(cells[1])
        else:  # an Axes placed by hand (fig.add_axes): split its rectangle
            from mpl_toolkits.axes_grid1 import make_axes_locatable

            right = make_axes_locatable(left).append_axes("right", size="100%", pad=1.2)
        panels = [(left, "placements_ratio"), (right, "family_services_corrective_share")]
        fit.span = [right]
    else:
        left, style = _axes(ax, figsize, fontsize)
        panels = [(left, measure)]
    notes: list[str] = []
    for i, (panel, column) in enumerate(panels):
        _frame_axes(panel, style, "y")
        notes += _series(result, panel, style, frame, column, lang, hl, legend=(i == len(panels) - 1), order_by=panels[0][1])
        if column == "placements_ratio":
            panel.yaxis.set_major_formatter(_number_ticks(lang))
            vals = frame[column].dropna()
            panel.set_ylim(0, max(float(vals.max()) * 1.1 if len(vals) else 1.0, 1.2))
            panel.axhline(1.0, color=_MUTED, linewidth=1.0, linestyle=(0, (1, 2)), zorder=1)
            panel.set_ylabel(_wrap(label_text("axis.placements_ratio", lang), 34), fontsize=style.label, color=_INK)
        else:
            panel.yaxis.set_major_formatter(_percent_ticks(lang))
            panel.set_ylim(*_share_limits(frame[column]))
            if _starts_above_zero(panel):
                _axis_break(panel)
                notes.append(label_text("note.axis_break", lang))
            panel.set_ylabel(_wrap(label_text("axis.family_corrective", lang), 34), fontsize=style.label, color=_INK)
    key = {"both": "title.cp", "placements_ratio": "title.cp_placements", "family_services_corrective_share": "title.cp_family"}[measure]
    heads = _titles(left, style, fit, label_text(key, lang, years=_years_text(frame["year"])), _subtitle(result, summary, frame, lang))
    keys = {"both": ["note.placements_ratio", "note.parity", "note.family_corrective"],
            "placements_ratio": ["note.placements_ratio", "note.parity"],
            "family_services_corrective_share": ["note.family_corrective"]}[measure]
    shared = _shared_child_protection_note(result, frame, lang)
    note = _note(left, style, fit, _sentences(*[label_text(k, lang) for k in keys], *dict.fromkeys(notes), *shared))
    if measure == "both":
        # The title and note run over both panels: kept out of the layout of
        # the left one (which they would squeeze), their height is held by
        # invisible twins on the right panel.
        right = panels[1][0]
        for artist in [*heads, note]:
            artist.set_in_layout(False)
        twin_title = right.set_title("X", loc="left", fontsize=style.title, fontweight="bold", color="none", pad=_title_pad(style))
        twin_note = _note(right, style, None, "X", color="none")
        fit.twins += [(heads[0], twin_title), (note, twin_note)]
    _finish(left, fit)
    return left


def _shared_child_protection_note(result: ResultLike, frame: pd.DataFrame, lang: str) -> list[str]:
    """For a municipality view whose area child protection is shared by one population key: say what that means.

    Amounts shared out by the same share keep their ratios, so a member
    without such services of its own shows the area's ratio and share; the
    chart should not invite reading differences into them.
    """
    if getattr(result, "view", None) != "municipality":
        return []
    from ..._rules import categories

    lines = cast(Any, result).lines  # a view's lines (a ChildBudget); ResultLike asks only for tables
    roles = categories().set_index("category")["role"]
    role = lines["category"].astype(object).map(roles)
    measured = role.isin(["placements", "nonresidential", "family_social"]).to_numpy()
    shared = measured & (lines["member_type"].astype(object) == "wellbeing_area").to_numpy()
    shared &= lines["year"].isin(set(frame["year"])).to_numpy()
    keys = set(lines.loc[shared, "allocation_key"].astype(str))
    if len(keys) != 1 or not is_population_key(next(iter(keys))):
        return []
    return [label_text("note.cp_shared_by_population", lang, years=_years_text(lines.loc[shared, "year"]))]
