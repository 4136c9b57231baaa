"""The bundled sample data: real 2015–2019 figures and a SYNTHETIC training set.

Two samples ship with the library (built by ``scripts/make_samples.py``,
described in the folder's ``README.md``):

``"real"``
    Statistics Finland's net operating costs by task 2015–2019 (kta_14) of
    the member municipalities of two wellbeing areas, 04 Vantaa and Kerava
    (urban) and 20 Kainuu (rural), with their population by age (2019) and
    totals (2015–2019). Source: Statistics Finland, CC BY 4.0.
``"synthetic"``
    Account-level budgets and actuals 2021–2024 of the **fictional**
    municipalities Esimerkkilä (X01) and Mallila (X02) and their fictional
    wellbeing area (X1), with a synthetic population, user keys and price
    index. For workshops: every code is real and valid, every amount made up.

Both come with ``rules_default.xlsx``, the national default rules as a
workbook to edit in the workshop exercise.

Examples
--------
>>> s = load_sample("synthetic")
>>> sorted(s.ledgers)
['X01', 'X02', 'X1']
>>> cb = s.child_budget()
>>> bool(cb.reconciliation["ok"].all()), len(cb.unmapped)
(True, 0)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import pandas as pd

from .._allocate import KeyTable, Population
from .._budget import ChildBudget, child_budget
from .._errors import InputError, ReferenceDataError
from .._validate import validate_ledger
from ..read._ledger import read_ledger
from ..read._statistics import read_statistics
from ..reference._labels import say
from ..reference._registry import Registry

__all__ = ["Sample", "sample_path", "load_sample", "SAMPLES"]

SampleName = Literal["synthetic", "real"]
SAMPLES: tuple[str, ...] = ("synthetic", "real")

#: Ledger name -> file of the synthetic sample (Finnish-style CSV; the XLSX
#: beside each holds the same lines).
SYNTHETIC_LEDGERS: dict[str, str] = {
    "X01": "synthetic/SYNTHETIC_ledger_X01_esimerkkila.csv",
    "X02": "synthetic/SYNTHETIC_ledger_X02_mallila.csv",
    "X1": "synthetic/SYNTHETIC_ledger_X1_esimerkin_hyvinvointialue.csv",
}
REAL_LEDGER = "real_2015_2019/net_operating_costs_by_task_2015_2019.csv"
RULES = "rules_default.xlsx"



def _root() -> Path:
    """The samples folder: ``lapsibudjetti/samples`` (the package folder, installed or in a checkout)."""
    root = Path(__file__).resolve().parent
    if not (root / RULES).is_file():
        raise ReferenceDataError(say("ref.sample_no_rules", root=root, name=RULES, fix=say("ref.reinstall_samples")))
    return root


def sample_path(name: str | None = None) -> Path:
    """The samples folder, or one file in it.

    Parameters
    ----------
    name
        A path relative to the folder, e.g. ``"rules_default.xlsx"`` or
        ``"synthetic/keys.csv"``. ``None``: the folder itself.

    Raises
    ------
    InputError
        When there is no such file; the message lists the files there are.

    Examples
    --------
    >>> sample_path("rules_default.xlsx").name
    'rules_default.xlsx'
    >>> (sample_path() / "README.md").is_file()
    True
    """
    root = _root()
    if name is None:
        return root
    path = root / name
    if not path.is_file():
        available = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
        raise InputError(say("sample.no_file", name=repr(name), root=root, available=", ".join(available)), file=name)
    return path


@dataclass(frozen=True)
class Sample:
    """One bundled sample, loaded and validated.

    Attributes
    ----------
    name
        ``"synthetic"`` or ``"real"``.
    ledgers
        Ledger name → canonical ledger (read-only mapping). Synthetic: ``X01``
        (Esimerkkilä), ``X02`` (Mallila) and ``X1`` (their wellbeing area);
        real: ``kta14`` (every municipality of the sample).
    registry
        The organisations: the packaged registry, for the synthetic sample
        extended with the fictional ones.
    population
        Residents by age (and totals) of the sample's municipalities.
    keys
        User allocation keys (synthetic) or ``None``.
    price_index
        ``year, index, source`` (synthetic, 2015 = 100) or ``None``.
    rules_path
        The editable rules workbook (the national default rules).
    totals
        Real sample: the aggregate rows of the statistics file
        (``Käyttötalous yhteensä`` …) the task rows reconcile to; else ``None``.
    population_year
        The ``population_year`` setting the sample needs: ``"exact"``
        (synthetic, ages for every year) or ``"nearest"`` (real: ages for
        2019 only).
    synthetic
        Whether the figures are made up.
    description
        One line saying what the sample is and where it comes from.
    """

    name: str
    ledgers: Mapping[str, pd.DataFrame]
    registry: Registry
    population: Population
    keys: KeyTable | None
    price_index: pd.DataFrame | None
    rules_path: Path
    totals: pd.DataFrame | None
    population_year: Literal["exact", "nearest"]
    synthetic: bool
    description: str

    def _card(self) -> tuple[str, list[str]]:
        from .._display import _years
        from ..reference._labels import default_lang, text

        lang = default_lang()
        lines = [text(f"sample.{self.name}", lang)]
        for name, led in self.ledgers.items():
            lines.append(text("card.sample_ledgers", lang, ledgers=name, lines=len(led), years=_years(led["year"].unique().tolist())))
        return text("card.sample_title", lang, name=f"load_sample({self.name!r})"), lines

    def __repr__(self) -> str:
        title, lines = self._card()
        return "\n  ".join([title, *lines])

    def _repr_html_(self) -> str:
        from .._display import card_html

        return card_html(*self._card())

    def child_budget(self, **options: Any) -> ChildBudget:
        """:func:`lapsibudjetti.child_budget` of all the sample's ledgers with its population, keys and registry.

        ``options`` go to :func:`~lapsibudjetti.child_budget` (e.g.
        ``rules=sample.rules_path`` or ``target_group="0-24"``) and override
        the sample's own settings.

        Examples
        --------
        >>> s = load_sample("synthetic")
        >>> cb = s.child_budget(rules=s.rules_path)
        >>> sorted(set(cb.summary()["org_code"]))
        ['X01', 'X02', 'X1']
        """
        settings: dict[str, Any] = {
            "population": self.population,
            "keys": self.keys,
            "registry": self.registry,
            "population_year": self.population_year,
            "measure": "net cost (expenses − revenue)" if self.synthetic else "net operating cost (nettokäyttökustannus)",
        }
        settings.update(options)
        return child_budget(list(self.ledgers.values()), **settings)


def load_sample(name: SampleName) -> Sample:
    """Load a bundled sample: its ledgers, organisations, population and keys.

    Every ledger is read with :func:`lapsibudjetti.read_ledger` (synthetic:
    the Finnish-style CSV files) or :func:`lapsibudjetti.read_statistics`
    (real) and validated against the reference codes; the fictional
    organisations of the synthetic sample are accepted through the sample's
    registry (``validate_ledger(..., registry=...)``), not by switching the
    checks off. Each call reads the files again, so changing what it returns
    never changes the next call's result.

    Parameters
    ----------
    name
        ``"synthetic"`` (fictional municipalities and wellbeing area,
        2021–2024) or ``"real"`` (Statistics Finland, 2015–2019).

    Raises
    ------
    InputError
        For an unknown sample name.

    Examples
    --------
    >>> s = load_sample("synthetic")
    >>> s.synthetic, s.registry.name("municipality", "X01"), s.registry.members("X1", 2024)
    (True, 'Esimerkkilä', ['X01', 'X02'])
    >>> r = load_sample("real")
    >>> sorted(set(r.ledgers["kta14"]["org_code"]))[:3], r.population_year
    (['092', '105', '205'], 'nearest')
    """
    if name == "synthetic":
        return _load_synthetic()
    if name == "real":
        return _load_real()
    raise InputError(say("sample.unknown", name=repr(name), samples=", ".join(repr(s) for s in SAMPLES)))


def _read_table(name: str) -> pd.DataFrame:
    return pd.read_csv(sample_path(name), dtype=str, keep_default_na=False, encoding="utf-8")


def _years(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in ("valid_from", "valid_to"):
        if col in out:
            out[col] = pd.array([int(v) if v != "" else None for v in out[col]], dtype="Int64")
    return out


def _population(by_age: str, totals: str | None, source: str) -> Population:
    age = _read_table(by_age).rename(columns={"municipality_code": "org_code"})
    pop = Population.from_frame(age, source=source)
    if totals is None:
        return pop
    tot = _read_table(totals).rename(columns={"municipality_code": "org_code"})
    frame = pd.DataFrame({
        "org_type": "municipality",
        "org_code": tot["org_code"].astype(object),
        "year": tot["year"].astype("int64"),
        "persons": tot["persons"].astype("int64"),
    })
    return Population(by_age=pop.by_age, totals=frame, source=source)


def _load_synthetic() -> Sample:
    registry = Registry.default().extend(
        municipalities=_years(_read_table("synthetic/organisations_municipalities.csv")),
        areas=_read_table("synthetic/organisations_areas.csv"),
        membership=_years(_read_table("synthetic/organisations_membership.csv")),
        source="lapsibudjetti synthetic sample (fictional organisations)",
    )
    ledgers = {}
    for key, file in SYNTHETIC_LEDGERS.items():
        # the reader knows only the packaged organisations; the codes are then
        # checked with the sample's registry, which knows the fictional ones
        raw = read_ledger(sample_path(file), check_codes=False)
        ledgers[key] = validate_ledger(raw, registry=registry)
    price = _read_table("synthetic/price_index.csv")
    price = price.assign(year=price["year"].astype("int64"), index=price["index"].astype("float64"))
    return Sample(
        name="synthetic",
        ledgers=MappingProxyType(ledgers),
        registry=registry,
        population=_population("synthetic/population_by_age.csv", None, "SYNTHETIC population (lapsibudjetti samples)"),
        keys=KeyTable.read(sample_path("synthetic/keys.csv")),
        price_index=price,
        rules_path=sample_path(RULES),
        totals=None,
        population_year="exact",
        synthetic=True,
        description=(
            "SYNTHETIC: fictional municipalities Esimerkkilä (X01) and Mallila (X02) and their wellbeing area X1, "
            "budget and actual 2021–2024 by account, service class and cost centre"
        ),
    )


def _load_real() -> Sample:
    ledger, totals = read_statistics(sample_path(REAL_LEDGER), return_totals=True)
    return Sample(
        name="real",
        ledgers=MappingProxyType({"kta14": ledger}),
        registry=Registry.default(),
        population=_population(
            "real_2015_2019/population_by_age_2019.csv",
            "real_2015_2019/population_total_2015_2019.csv",
            "Statistics Finland 11re (age, 2019) and THL Sotkanet (totals 2015–2019), CC BY 4.0",
        ),
        keys=None,
        price_index=None,
        rules_path=sample_path(RULES),
        totals=totals,
        population_year="nearest",
        synthetic=False,
        description=(
            "Statistics Finland kta_14 net operating costs by task 2015–2019 of the municipalities of the wellbeing "
            "areas 04 (Vantaa and Kerava) and 20 (Kainuu); Source: Statistics Finland, CC BY 4.0"
        ),
    )
