"""A SYNTHETIC national ledger, its rules and its population, for the benchmarks.

Nothing here is real spending: the organisation codes and service classes
are the real ones (packaged reference data), everything else — accounts,
cost centres, amounts, populations — is drawn from a fixed-seed random
generator, so every run builds the same data.

The shape follows the si-sote boundary of domain.md §2: municipalities
report every class up to 2022 and only the non-sote classes from 2023;
the 21 wellbeing areas report the sote classes (2xxx) from 2023; Helsinki
(``091``) keeps its own sote in every year.

Examples
--------
>>> led = build_ledger(1_000)
>>> len(led), list(led.columns) == list(lb.LEDGER_COLUMNS)
(1000, True)
>>> rules = build_rules()
>>> pop = build_population()
>>> cb = lb.child_budget(led, rules=rules, population=pop)
>>> bool(cb.reconciliation["ok"].all())
True
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

import lapsibudjetti as lb
from lapsibudjetti._allocate import MAX_AGE

__all__ = [
    "SEED",
    "YEARS",
    "SOTE_YEAR",
    "organisations",
    "service_class_codes",
    "account_codes",
    "build_ledger",
    "build_rules",
    "build_population",
    "population_object",
]

SEED = 20240601
YEARS = tuple(range(2014, 2025))
SOTE_YEAR = 2023  # sote moved to the wellbeing areas on 1.1.2023
N_ACCOUNTS = 400
N_COST_CENTRES = 5_000
ACCOUNT_LAYER_SHARE = 0.05  # share of class × account pairs with a finer account rule
SOURCE_FILE = "<synthetic ledger>"


@functools.lru_cache(maxsize=1)
def organisations() -> pd.DataFrame:
    """``org_type, org_code``: the 2022 municipalities and wellbeing areas 01–21."""
    munis = sorted(lb.municipalities(2022)["code"].astype(str))
    areas = [f"{k:02d}" for k in range(1, 22)]
    return pd.DataFrame(
        {"org_type": ["municipality"] * len(munis) + ["wellbeing_area"] * len(areas), "org_code": munis + areas}
    )


@functools.lru_cache(maxsize=1)
def service_class_codes() -> tuple[str, ...]:
    """Every distinct service class code of the packaged classification (2021–2023)."""
    return tuple(sorted(set(lb.service_classes()["code"].astype(str))))


@functools.lru_cache(maxsize=1)
def account_codes() -> tuple[str, ...]:
    """400 synthetic 4-digit operating-expense accounts in 4000–4999 (JHS 192 style)."""
    rng = np.random.default_rng(SEED + 1)
    return tuple(str(a) for a in np.sort(rng.choice(np.arange(4000, 5000), N_ACCOUNTS, replace=False)))


def _categorical(codes: np.ndarray, categories: list[str] | tuple[str, ...]) -> pd.Categorical:
    return pd.Categorical.from_codes(codes.astype("int32" if len(categories) > 127 else "int8"),
                                     categories=pd.Index(list(categories), dtype=object))


def build_ledger(n_lines: int, *, seed: int = SEED) -> pd.DataFrame:
    """A synthetic canonical ledger of ``n_lines`` lines (2014–2024, amounts in whole cents).

    The frame has exactly the columns and dtypes of ``lb.LEDGER_COLUMNS`` and
    passes :func:`lapsibudjetti.validate_ledger` with ``check_codes=False``
    (service classes are used for every year, also before 2021: the
    benchmark rules are widened to match, see :func:`build_rules`).
    """
    if n_lines < 1:
        raise ValueError("n_lines must be positive")
    rng = np.random.default_rng(seed)
    orgs = organisations()
    muni_idx = np.flatnonzero(orgs["org_type"].to_numpy() == "municipality")
    area_idx = np.flatnonzero(orgs["org_type"].to_numpy() == "wellbeing_area")
    helsinki = int(np.flatnonzero(orgs["org_code"].to_numpy() == "091")[0])
    classes = np.array(service_class_codes())
    sote = np.char.startswith(classes.astype(str), "2")
    # unequal class sizes, as in real ledgers (a few big services, many small)
    class_w = rng.dirichlet(np.full(len(classes), 0.7))
    org_w = rng.lognormal(0.0, 1.0, len(orgs))  # big and small organisations

    cls = rng.choice(len(classes), n_lines, p=class_w)
    year = rng.choice(np.array(YEARS), n_lines)
    late_sote = sote[cls] & (year >= SOTE_YEAR)
    muni_p = org_w[muni_idx] / org_w[muni_idx].sum()
    area_p = org_w[area_idx] / org_w[area_idx].sum()
    org = muni_idx[rng.choice(len(muni_idx), n_lines, p=muni_p)]
    area_lines = np.flatnonzero(late_sote)
    org[area_lines] = area_idx[rng.choice(len(area_idx), len(area_lines), p=area_p)]
    # Helsinki organises its own sote after 2023 (about its share of the lines)
    keep_hel = rng.random(len(area_lines)) < 0.06
    org[area_lines[keep_hel]] = helsinki

    account = rng.integers(0, N_ACCOUNTS, n_lines)
    cost_centre = rng.integers(0, N_COST_CENTRES, n_lines)
    # amounts: log-normal euros in whole cents, 4 % corrections (negative)
    cents = np.rint(rng.lognormal(8.5, 1.8, n_lines) * 100).astype("int64") + 1
    cents[rng.random(n_lines) < 0.04] *= -1
    phase = (rng.random(n_lines) < 0.3).astype("int8")  # 70 % actual, 30 % budget

    org_types = ["municipality", "wellbeing_area"]
    frame = pd.DataFrame(
        {
            "org_type": _categorical((orgs["org_type"].to_numpy()[org] == "wellbeing_area").astype("int8"), org_types),
            "org_code": _categorical(org, list(orgs["org_code"])),
            "business_id": pd.Categorical.from_codes(np.full(n_lines, -1, dtype="int8"), categories=pd.Index([], dtype=object)),
            "year": year.astype("int64"),
            "phase": _categorical(phase, ["actual", "budget"]),
            "service_class": _categorical(cls, list(classes)),
            "task_class": pd.Categorical.from_codes(np.full(n_lines, -1, dtype="int8"), categories=pd.Index([], dtype=object)),
            "account": _categorical(account, account_codes()),
            "cost_centre": _categorical(cost_centre, [f"KP{k:05d}" for k in range(N_COST_CENTRES)]),
            "amount": cents / 100.0,
            "source_file": _categorical(np.zeros(n_lines, dtype="int8"), [SOURCE_FILE]),
            "source_row": np.arange(2, n_lines + 2, dtype="int64"),  # row 1 is the CSV header
        }
    )
    return frame[list(lb.LEDGER_COLUMNS)]


@functools.lru_cache(maxsize=2)
def build_rules(seed: int = SEED) -> lb.Rules:
    """The benchmark's rules: national 2021+ service-class rules widened to 2014, plus an account layer.

    * every national rule for service classes that starts in 2021 starts in
      2014 instead (the synthetic ledger uses service classes in every year);
      the ``1000-1999`` red catch-all starts in 2017, so the few 1xxx lines
      of 2014–2016 stay **unmapped** and the unmapped path is measured too;
    * a finer layer of rules on (service class, account range) covering
      about 5 % of all class × account pairs: non-overlapping blocks of 10
      accounts, each made red (not child-targeted), green or yellow with a
      population key, and a different category.

    The rules are the ``population_keys`` profile: the DuckDB reference
    models population-share keys, not the age-cost weights of the default
    health-care rules (the same join-and-sum shape, one more vector product).
    """
    base = lb.default_rules("population_keys").table
    sc = base[base["service_class"] != ""].copy()
    sc = sc[sc["valid_from"].fillna(0) >= 2021]
    cols = list(lb._rules.RULE_COLUMNS)
    sc = sc[cols].astype(object)
    vf = sc["valid_from"].astype("Int64")
    sc["valid_from"] = np.where(vf == 2021, 2014, vf).astype(object)
    sc.loc[sc["rule_id"] == "sc-1000-1999-red", "valid_from"] = 2017
    sc["valid_to"] = [("" if pd.isna(v) else int(v)) for v in sc["valid_to"]]
    sc["basis"] = "benchmark: national default rule widened to 2014 (synthetic data)"

    rng = np.random.default_rng(seed + 2)
    classes = service_class_codes()
    accounts = account_codes()
    blocks = N_ACCOUNTS // 10
    n_rules = int(round(ACCOUNT_LAYER_SHARE * len(classes) * N_ACCOUNTS / 10))
    pairs = rng.choice(len(classes) * blocks, n_rules, replace=False)
    cats = lb.categories().set_index("category")
    choices = [
        ("red", "", "other", "not_child_targeted", ""),
        ("green", "universal", "sivistys", "other_education", ""),
        ("green", "targeted", "sote", "family_services", ""),
        ("yellow", "universal", "sivistys", "culture", "population"),
        ("yellow", "universal", "sote", "primary_health_care", "age:16-18"),
    ]
    pick = rng.choice(len(choices), n_rules, p=[0.5, 0.15, 0.1, 0.15, 0.1])
    rows = []
    for k, (pair, c) in enumerate(zip(pairs, pick)):
        ci, bi = divmod(int(pair), blocks)
        colour, tier, sector, category, key = choices[c]
        lo, hi = accounts[bi * 10], accounts[bi * 10 + 9]
        rows.append(
            {
                "rule_id": f"acc-{classes[ci]}-{lo}-{hi}",
                "profile": "",
                "service_class": classes[ci],
                "task_class": "",
                "account": f"{lo}-{hi}",
                "cost_centre": "",
                "org_type": "",
                "org_code": "",
                "valid_from": 2014,
                "valid_to": "",
                "colour": colour,
                "tier": tier,
                "sector": sector,
                "category": category,
                "label_fi": cats.loc[category, "label_fi"],
                "label_sv": cats.loc[category, "label_sv"],
                "label_en": cats.loc[category, "label_en"],
                "key": key,
                "key_fallback": "",
                "basis": "benchmark: synthetic account-level refinement",
            }
        )
    frame = pd.concat([sc, pd.DataFrame(rows, columns=cols)], ignore_index=True)
    frame = frame.astype(object).where(frame.notna(), "")
    return lb.Rules.from_frame(frame, source="benchmarks/synthetic.py")


@functools.lru_cache(maxsize=2)
def build_population(seed: int = SEED) -> pd.DataFrame:
    """Synthetic residents by single year of age for every organisation and year 2014–2024.

    ``org_type, org_code, year, age, persons`` (whole persons, every age
    0–100 positive), so every population key of the benchmark resolves
    exactly (``population_year="exact"``) and no org-year is estimated.
    """
    rng = np.random.default_rng(seed + 3)
    orgs = organisations()
    size = np.rint(rng.lognormal(8.8, 1.2, len(orgs))) + 500
    size[orgs["org_type"].to_numpy() == "wellbeing_area"] *= 15
    ages = np.arange(MAX_AGE + 1)
    shape = np.exp(-((ages - 45) / 38.0) ** 2) + 0.35 * (ages < 20)
    shape /= shape.sum()
    n_org, n_year, n_age = len(orgs), len(YEARS), len(ages)
    growth = 1.0 + 0.01 * rng.standard_normal((n_org, n_year)).cumsum(axis=1)
    noise = rng.uniform(0.85, 1.15, (n_org, n_year, n_age))
    persons = np.maximum(1, np.rint(size[:, None, None] * growth[:, :, None] * shape[None, None, :] * noise)).astype("int64")
    o, y, a = np.meshgrid(np.arange(n_org), np.arange(n_year), ages, indexing="ij")
    return pd.DataFrame(
        {
            "org_type": orgs["org_type"].to_numpy()[o.ravel()],
            "org_code": orgs["org_code"].to_numpy()[o.ravel()],
            "year": np.array(YEARS)[y.ravel()],
            "age": a.ravel(),
            "persons": persons.ravel(),
        }
    )


def population_object(seed: int = SEED) -> lb.Population:
    """A fresh :class:`lapsibudjetti.Population` of :func:`build_population` (no cached lookups)."""
    return lb.Population.from_frame(build_population(seed), source="synthetic population (benchmark)")
