"""Reference data: packaged tables, the organisation registry, labels (fi/sv/en) and the number formatter."""

from ._format import format_euros, format_percent
from ._labels import LANGS, measure_text, text
from ._registry import Registry
from ._tables import (
    indicators,
    membership,
    municipalities,
    population_by_age,
    population_total,
    reference_figures,
    service_classes,
    task_classes,
    wellbeing_areas,
)

__all__ = [
    "LANGS",
    "Registry",
    "format_euros",
    "format_percent",
    "indicators",
    "measure_text",
    "membership",
    "municipalities",
    "population_by_age",
    "population_total",
    "reference_figures",
    "service_classes",
    "task_classes",
    "text",
    "wellbeing_areas",
]
