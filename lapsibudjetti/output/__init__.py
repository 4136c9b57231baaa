"""Stage 7, output: tables (CSV/Parquet), the workbook, the charts and the annual report."""

from ._report import Report, report
from ._rules_diff_out import write_rules_comparison
from ._scenario_out import plot_scenario, write_scenario
from ._tables import write_tables
from ._workbook import write_workbook
from .charts import (
    plot_child_protection_balance,
    plot_outcome,
    plot_per_child,
    plot_preventive_share,
    plot_sisote_split,
    plot_tiers,
    save_chart,
)

__all__ = [
    "write_rules_comparison",
    "Report",
    "report",
    "plot_child_protection_balance",
    "plot_outcome",
    "plot_per_child",
    "plot_preventive_share",
    "plot_scenario",
    "plot_sisote_split",
    "plot_tiers",
    "save_chart",
    "write_scenario",
    "write_tables",
    "write_workbook",
]
