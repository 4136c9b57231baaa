"""Stage 5, consolidate: views across the si-sote boundary (region, municipality) and series over the 2022/2023 switch."""

from ._cents import allocate_cents
from ._municipality import municipality_view
from ._region import region_view
from ._series import series
from ._view import BoundarySeries, BoundaryView

__all__ = ["BoundarySeries", "BoundaryView", "allocate_cents", "municipality_view", "region_view", "series"]
