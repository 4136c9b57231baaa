"""lapsibudjetti: child-oriented budgeting for Finnish municipalities and wellbeing areas.

Read a ledger, classify every line with the traffic-light rules, allocate
partly child-targeted spend with population or user keys, and get a child
budget whose euros reconcile to the input to the cent.

Examples
--------
>>> import lapsibudjetti as lb
>>> led = lb.make_ledger({"org_code": ["091"], "year": [2022], "service_class": ["3021"],
...     "amount": [1_000_000.0]}, org_type="municipality", phase="actual")
>>> float(lb.child_budget(led).summary()["child_euros"].iloc[0])
1000000.0
"""

from __future__ import annotations

from ._allocate import KeyTable, Population, TargetGroup
from ._budget import ChildBudget, child_budget, combine
from ._dataset import write_dataset
from ._errors import (
    AllocationError,
    InputError,
    LapsibudjettiError,
    LapsibudjettiWarning,
    ReconciliationError,
    ReferenceDataError,
    RuleError,
)
from ._present import styled
from ._rules import Rules, categories, default_rules
from ._rules_file import load_rules, write_rules
from ._schema import LEDGER_COLUMNS
from ._validate import make_ledger, validate_ledger
from ._version import __version__
from .consolidate import (
    BoundarySeries,
    BoundaryView,
    allocate_cents,
    municipality_view,
    region_view,
    series,
)
from .measure import compare
from .measure._income import beside_income
from .output import (
    Report,
    plot_child_protection_balance,
    plot_outcome,
    plot_per_child,
    plot_preventive_share,
    plot_scenario,
    plot_sisote_split,
    plot_tiers,
    report,
    save_chart,
    write_scenario,
    write_tables,
    write_workbook,
)
from .read import read_income_statement, read_ledger, read_pxweb, read_statistics
from .reference import (
    Registry,
    membership,
    municipalities,
    population_by_age,
    population_total,
    service_classes,
    task_classes,
    wellbeing_areas,
)
from .reference._format import format_euros, format_number, format_percent
from .reference._labels import default_lang, set_lang
from .samples import Sample, load_sample, sample_path

__all__ = [
    "__version__",
    "allocate_cents",
    "AllocationError",
    "BoundarySeries",
    "BoundaryView",
    "categories",
    "child_budget",
    "ChildBudget",
    "combine",
    "compare",
    "default_lang",
    "default_rules",
    "format_euros",
    "format_number",
    "format_percent",
    "InputError",
    "KeyTable",
    "LapsibudjettiError",
    "LapsibudjettiWarning",
    "LEDGER_COLUMNS",
    "load_rules",
    "load_sample",
    "make_ledger",
    "membership",
    "municipalities",
    "municipality_view",
    "plot_child_protection_balance",
    "plot_outcome",
    "plot_per_child",
    "plot_preventive_share",
    "plot_scenario",
    "plot_sisote_split",
    "plot_tiers",
    "Population",
    "population_by_age",
    "population_total",
    "read_ledger",
    "read_pxweb",
    "read_income_statement",
    "beside_income",
    "write_dataset",
    "read_statistics",
    "ReconciliationError",
    "ReferenceDataError",
    "region_view",
    "report",
    "Registry",
    "Report",
    "RuleError",
    "Rules",
    "Sample",
    "sample_path",
    "save_chart",
    "series",
    "set_lang",
    "styled",
    "service_classes",
    "TargetGroup",
    "task_classes",
    "validate_ledger",
    "wellbeing_areas",
    "write_rules",
    "write_scenario",
    "write_tables",
    "write_workbook",
]
