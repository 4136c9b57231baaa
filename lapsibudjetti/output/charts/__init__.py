"""Charts, one module per chart family; every function draws on ``ax=`` (or a new figure) and returns the axes."""

from ._base import SLIDE_SIZE
from ._child_protection import plot_child_protection_balance
from ._outcomes import plot_outcome
from ._save import save_chart
from ._sisote import plot_sisote_split
from ._tiers import plot_tiers
from ._trends import plot_per_child, plot_preventive_share

__all__ = [
    "SLIDE_SIZE",
    "plot_child_protection_balance",
    "plot_outcome",
    "plot_per_child",
    "plot_preventive_share",
    "plot_sisote_split",
    "plot_tiers",
    "save_chart",
]
