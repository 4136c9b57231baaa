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

from ._boundary import BoundarySeries, BoundaryView, allocate_cents, compare, municipality_view, region_view, series
from ._budget import ChildBudget, child_budget, combine
from ._errors import (
    AllocationError,
    InputError,
    LapsibudjettiError,
    LapsibudjettiWarning,
    ReconciliationError,
    ReferenceDataError,
    RuleError,
)
from ._export import write_tables, write_workbook
from ._keys import KeyTable, Population, TargetGroup
from ._plot import (
    plot_child_protection_balance,
    plot_per_child,
    plot_preventive_share,
    plot_sisote_split,
    plot_tiers,
    save_chart,
)
from ._reference import (
    membership,
    municipalities,
    population_by_age,
    population_total,
    service_classes,
    task_classes,
    wellbeing_areas,
)
from ._registry import Registry
from ._rules import Rules, categories, default_rules, load_rules, write_rules
from ._samples import Sample, load_sample, sample_path
from ._schema import LEDGER_COLUMNS, make_ledger, validate_ledger

__all__ = [
    "AllocationError",
    "BoundarySeries",
    "BoundaryView",
    "allocate_cents",
    "compare",
    "municipality_view",
    "region_view",
    "series",
    "ChildBudget",
    "InputError",
    "KeyTable",
    "LEDGER_COLUMNS",
    "LapsibudjettiError",
    "LapsibudjettiWarning",
    "Population",
    "ReconciliationError",
    "ReferenceDataError",
    "Registry",
    "RuleError",
    "Rules",
    "Sample",
    "TargetGroup",
    "categories",
    "child_budget",
    "combine",
    "default_rules",
    "load_rules",
    "load_sample",
    "make_ledger",
    "membership",
    "municipalities",
    "plot_child_protection_balance",
    "plot_per_child",
    "plot_preventive_share",
    "plot_sisote_split",
    "plot_tiers",
    "population_by_age",
    "population_total",
    "sample_path",
    "save_chart",
    "service_classes",
    "task_classes",
    "validate_ledger",
    "wellbeing_areas",
    "write_rules",
    "write_tables",
    "write_workbook",
]

try:  # readers land with their own module
    from ._read import read_ledger, read_statistics  # noqa: F401

    __all__ += ["read_ledger", "read_statistics"]
except ImportError:  # pragma: no cover
    pass

__version__ = "0.1.0"
