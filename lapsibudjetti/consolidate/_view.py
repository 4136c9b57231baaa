"""The result objects across the boundary: BoundaryView (a child budget re-keyed to views) and BoundarySeries."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .._budget import ChildBudget
from .._schema import LEDGER_COLUMNS
from ..reference._labels import say

#: Extra columns of a view's annotated lines.
MEMBER_COLUMNS: tuple[str, ...] = ("member_type", "member_code", "allocation_share", "allocation_key")
_TIERS = ("universal", "targeted", "corrective")
_GROUP = ["org_type", "org_code", "year", "phase"]


# --------------------------------------------------------------------------- result objects


@dataclass(frozen=True, repr=False)  # the short summary of ChildBudget, not every table
class BoundaryView(ChildBudget):
    """A region or municipality view: a child budget re-keyed to one organisation per view.

    Everything a :class:`~lapsibudjetti.ChildBudget` has (``summary()``,
    ``by()``, ``reconciliation``, ``lines``, ``unmapped``, ``method()``,
    ``registry``, ``measure``, ``target_group``), on lines whose
    ``org_type``/``org_code`` are the view's organisation and whose
    ``member_type``/``member_code`` say where each line came from.

    Attributes
    ----------
    view
        ``"region"`` or ``"municipality"``.
    view_settings
        ``setting, value``: the view, membership year, key, population and
        what was left out.
    composition
        Per view organisation × year × phase × member organisation:
        ``input_euros``, ``child_euros`` (and by tier), ``children`` (the
        member municipality's target-group population; empty for areas),
        ``lines``. For a region view its rows sum exactly (in cents) to the
        region's totals.
    allocation
        Municipality views: the shares used per area × year × class × line
        kind × member municipality, with the key, the weight (children,
        persons, customers or costs), its source (``basis``) and, for
        population keys, how that year's population was obtained
        (``population_basis``: ``exact``, or the year it was estimated from).
    allocation_check
        Municipality views: per area × year × phase, the area's euros and
        child euros (cents) and their sums over **all** member
        municipalities after allocation; ``ok`` is True when they agree to
        the cent.
    """

    view: str = "region"
    view_settings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["setting", "value"]))
    composition: pd.DataFrame = field(default_factory=pd.DataFrame)
    allocation: pd.DataFrame = field(default_factory=pd.DataFrame)
    allocation_check: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def unmapped(self) -> pd.DataFrame:
        """Lines no rule matched, with ``reason`` and the member organisation they came from."""
        cols = list(LEDGER_COLUMNS) + list(MEMBER_COLUMNS) + ["reason"]
        return self.annotated.loc[~self.groups.mapped, cols].reset_index(drop=True)

    def method(self) -> dict[str, pd.DataFrame]:
        """The child budget's method tables plus ``view``, ``composition`` and, for municipality views, ``allocation`` and ``allocation_check``."""
        out = super().method()
        out["view"] = self.view_settings.copy()
        out["composition"] = self.composition.copy()
        if self.view == "municipality":
            out["allocation"] = self.allocation.copy()
            out["allocation_check"] = self.allocation_check.copy()
        return out


@dataclass(frozen=True)
class BoundarySeries:
    """A series across the 2022/2023 switch (the result of :func:`series`).

    Attributes
    ----------
    table
        One row per organisation × year × phase × sector (``sivistys``,
        ``sote``, ``other``, ``unmapped``): ``euros``, ``child_euros``, tier
        euros, ``children``, ``euros_per_child``, ``source`` (which ledger
        the year's child euros of that sector come from), ``classification``
        (task or service classes), ``break`` and ``break_reason`` (the source
        or classification differs from the previous year in the series),
        year-on-year change in nominal terms and, with a price index, in real
        terms.
    totals
        The same per organisation × year × phase over all sectors, with
        ``preventive_share``, ``corrective_share`` and ``sources``.
    budget_vs_actual
        Per organisation × year × sector (``all`` for the total) where an
        actual and a budget (or revised budget) are both given.
    view
        The :class:`BoundaryView` the series was built from.
    price_index
        ``year, index`` as given (empty without one).
    base_year
        The year whose prices real euros are expressed in.
    """

    table: pd.DataFrame
    totals: pd.DataFrame
    budget_vs_actual: pd.DataFrame
    view: BoundaryView
    price_index: pd.DataFrame
    base_year: int | None = None

    def _title(self) -> str:
        from .._display import _years
        from ..reference._labels import default_lang, text

        return text("card.series_title", default_lang(), orgs=len(self.totals[["org_type", "org_code"]].drop_duplicates()),
                    years=_years(self.totals["year"].unique().tolist()))

    def __repr__(self) -> str:
        return self._title()

    def _repr_html_(self) -> str:
        from .._display import card_html
        from .._present import styled

        cols = [c for c in ("org_type", "org_code", "year", "phase", "child_euros", "euros_per_child", "preventive_share",
                            "corrective_share", "sources") if c in self.totals.columns]
        return card_html(self._title(), [], styled(self.totals[cols].head(20), name="series").to_html())

    def method(self) -> dict[str, pd.DataFrame]:
        """The view's method tables plus ``series`` (price index and base year)."""
        out = self.view.method()
        rows = [("series of", self.view.view), ("base year of real euros", "" if self.base_year is None else str(self.base_year)),
                ("break", say("series.break_means"))]
        out["series"] = pd.DataFrame(rows, columns=["setting", "value"])
        out["price_index"] = self.price_index.copy()
        return out
