"""Allocation keys: the child share of yellow (partly child-targeted) lines.

A key turns an organisation-year into a share in [0, 1]: the target group's
share of the residents (``population``), of an age band served by the
service (``age:16-18``), a ratio of two age bands, a fixed percentage, or a
figure from the user's own key table (customers, pupils or visits by age).
A key that is missing for an organisation-year is an error naming it, never
a silent zero.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from ._errors import AllocationError, InputError, LapsibudjettiWarning
from ._rules import KeySpec
from ._weights import AgeWeights, age_weights
from .reference._labels import default_lang, key_text, say
from .reference._registry import Registry

__all__ = ["MAX_AGE", "KeyTable", "Population", "TargetGroup", "head_counts"]

MAX_AGE = 100  # the oldest single-year age band: 100 means "100 or over"


@dataclass(frozen=True)
class TargetGroup:
    """Whose euros we count: children 0–17 by default.

    Examples
    --------
    >>> TargetGroup.parse("0-24")
    TargetGroup(low=0, high=24, name='children and young people 0–24')
    >>> TargetGroup.parse("children").high
    17
    """

    low: int = 0
    high: int = 17
    name: str = "children 0–17"

    PRESETS = {
        "children": (0, 17, "children 0–17"),
        "0-17": (0, 17, "children 0–17"),
        "0-24": (0, 24, "children and young people 0–24"),
        "aftercare": (0, 24, "children and young people 0–24"),
        "0-28": (0, 28, "young people 0–28 (Youth Act)"),
        "youth_act": (0, 28, "young people 0–28 (Youth Act)"),
    }

    @classmethod
    def parse(cls, value: str | tuple[int, int] | TargetGroup) -> TargetGroup:
        """From ``"0-17"``, ``"0-24"``, ``"0-28"``, a preset name or ``(low, high)``."""
        if isinstance(value, TargetGroup):
            return value
        if isinstance(value, tuple):
            lo, hi = value
            return cls(int(lo), int(hi), f"ages {lo}–{hi}")
        key = str(value).strip().lower().replace("–", "-").replace(" ", "")
        if key in cls.PRESETS:
            lo, hi, name = cls.PRESETS[key]
            return cls(lo, hi, name)
        m = re.fullmatch(r"(\d{1,2})-(\d{1,3})", key)
        if m and int(m.group(1)) <= int(m.group(2)) <= MAX_AGE:
            return cls(int(m.group(1)), int(m.group(2)), f"ages {m.group(1)}–{m.group(2)}")
        raise InputError(say("target.unknown", value=repr(value)))

    @property
    def ages(self) -> tuple[int, int]:
        return (self.low, self.high)


def _successor(registry: Registry, code: str) -> str | None:
    """The municipality a merged-away municipality became part of (following chains), or None."""
    chain = registry.merger_chain(code)
    return chain[-1] if len(chain) > 1 else None


def _band(matrix: np.ndarray, ages: tuple[int, int]) -> np.ndarray:
    lo, hi = ages
    return matrix[:, lo : min(hi, MAX_AGE) + 1].sum(axis=1)


@dataclass(frozen=True)
class Population:
    """Residents by single year of age per organisation and year.

    Attributes
    ----------
    by_age
        ``org_type, org_code, year, age (0..100), persons``.
    totals
        ``org_type, org_code, year, persons``: all ages, used to scale an age
        structure to another year under ``population_year="nearest"``.
    source
        Where the figures come from.

    Examples
    --------
    >>> pop = Population.packaged()
    >>> pop.source.startswith("Statistics Finland")
    True
    """

    by_age: pd.DataFrame
    totals: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["org_type", "org_code", "year", "persons"]))
    source: str = "user"

    @classmethod
    def packaged(cls) -> Population:
        """Municipal population by age 31.12.2019 and totals 2000–2022 (Statistics Finland, THL Sotkanet; CC BY 4.0)."""
        return _packaged_population()

    @classmethod
    def _load_packaged(cls) -> Population:
        """Municipal population by age 31.12.2019 and totals 2000–2022 (Statistics Finland, THL Sotkanet; CC BY 4.0)."""
        from .reference import _tables as ref

        a = ref.population_by_age().rename(columns={"municipality_code": "org_code"})
        a.insert(0, "org_type", "municipality")
        t = ref.population_total().rename(columns={"municipality_code": "org_code"})
        t.insert(0, "org_type", "municipality")
        return cls(
            by_age=a[["org_type", "org_code", "year", "age", "persons"]],
            totals=t[["org_type", "org_code", "year", "persons"]],
            source="Statistics Finland 11re (age, 2019) and THL Sotkanet (totals 2000–2022), CC BY 4.0",
        )

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, source: str = "user", org_type: str = "municipality") -> Population:
        """User population: ``org_code, year, age, persons`` (``org_type`` optional).

        ``age`` is a whole number 0–100 (``100`` for 100 and over); text
        like ``"100 -"`` or ``"100+"`` is accepted.

        Examples
        --------
        >>> p = Population.from_frame(pd.DataFrame({"org_code": ["X01"] * 2, "year": [2024] * 2,
        ...     "age": [5, 40], "persons": [10, 30]}))
        >>> int(p.by_age.persons.sum())
        40
        """
        need = ["org_code", "year", "age", "persons"]
        missing = [c for c in need if c not in frame]
        if missing:
            raise InputError(say("table.needs_columns", what=say("table.population"), missing=", ".join(missing),
                                 have=", ".join(map(str, frame.columns))), file=source)
        df = frame.copy()
        if "org_type" not in df:
            df["org_type"] = org_type
        age_text = df["age"].astype(str).str.replace(r"[\s+-]+$", "", regex=True)
        age = pd.to_numeric(age_text, errors="coerce")
        persons = pd.to_numeric(df["persons"], errors="coerce")
        bad = age.isna() | (age < 0) | (age > MAX_AGE) | persons.isna() | (persons < 0)
        if bad.any():
            raise InputError(
                say("population.bad_rows", n=int(bad.sum()), where=say("rows.first_in_err")),
                rows=df.loc[bad].head(50),
                file=source,
            )
        out = pd.DataFrame(
            {
                "org_type": df["org_type"].astype(str).to_numpy(),
                "org_code": df["org_code"].astype(str).to_numpy(),
                "year": pd.to_numeric(df["year"]).astype("int64").to_numpy(),
                "age": age.astype("int64").to_numpy(),
                "persons": persons.to_numpy(),
            }
        )
        out = out.groupby(["org_type", "org_code", "year", "age"], as_index=False)["persons"].sum()
        totals = out.groupby(["org_type", "org_code", "year"], as_index=False)["persons"].sum()
        return cls(by_age=out, totals=totals, source=source)

    def combine(self, other: Population) -> Population:
        """Both tables; rows of ``other`` replace this one's for the same organisation-year."""
        keys = ["org_type", "org_code", "year"]
        mine = self.by_age.merge(other.by_age[keys].drop_duplicates(), on=keys, how="left", indicator=True)
        mine = mine[mine["_merge"] == "left_only"].drop(columns="_merge")
        tot = self.totals.merge(other.totals[keys].drop_duplicates(), on=keys, how="left", indicator=True)
        tot = tot[tot["_merge"] == "left_only"].drop(columns="_merge")
        return Population(
            by_age=pd.concat([mine, other.by_age], ignore_index=True),
            totals=pd.concat([tot, other.totals], ignore_index=True),
            source=f"{self.source}; {other.source}",
        )

    # ------------------------------------------------------------------
    def age_matrix(
        self,
        orgs: pd.DataFrame,
        registry: Registry,
        *,
        policy: Literal["exact", "nearest"] = "exact",
    ) -> tuple[np.ndarray, pd.DataFrame]:
        """Persons by age (columns 0..100) for each row of ``orgs`` (``org_type, org_code, year``).

        Wellbeing areas without figures of their own get the sum over their
        member municipalities of that year. Returns the matrix (NaN rows
        where nothing is available) and a notes frame per row: ``basis``
        (``exact``, ``members``, ``nearest``) and ``detail``.
        """
        n = len(orgs)
        mat = np.full((n, MAX_AGE + 1), np.nan)
        years_by_org, at, ages, total_of = self._lookups

        def one(t: str, c: str, y: int) -> tuple[np.ndarray | None, str, str]:
            if (t, c, y) in at:
                return ages[at[(t, c, y)]].copy(), "exact", ""
            if policy == "nearest" and (t, c) in years_by_org:
                ys = np.asarray(years_by_org[(t, c)])
                near = int(ys[np.argmin(np.abs(ys - y) * 2 + (ys > y))])  # ties: the earlier year
                vec = ages[at[(t, c, near)]].copy()
                if (t, c, y) in total_of and vec.sum() > 0:
                    vec = vec * total_of[(t, c, y)] / vec.sum()
                    return vec, "nearest", say("pop.scaled", near=near, year=y)
                return vec, "nearest", say("pop.borrowed", near=near)
            if policy == "nearest" and t == "municipality":
                # merged away before the age figures: the successor's age structure,
                # normalised to one person, so shares work but no head count is claimed
                succ = _successor(registry, c)
                if succ is not None and ("municipality", succ) in years_by_org:
                    vec, _, d = one("municipality", succ, y)
                    if vec is not None and vec.sum() > 0:
                        return vec / vec.sum(), "successor", say("pop.successor", succ=succ, code=c, how=d or say("pop.same_year"))
            return None, "", ""

        # exact hits first, the loop below handles the rest
        wanted = list(zip(orgs["org_type"].astype(str), orgs["org_code"].astype(str), orgs["year"].astype("int64").tolist()))
        hit = np.fromiter((at.get(w, -1) for w in wanted), dtype="int64", count=n)
        if (hit >= 0).any():
            mat[hit >= 0] = ages[hit[hit >= 0]]
        bases, details = ["exact" if h >= 0 else "" for h in hit], [""] * n
        estimated = np.zeros(n, dtype=bool)  # borrowed from another year or municipality, in any language of the detail
        for k, (t, c, y) in enumerate(wanted):
            if hit[k] >= 0:
                continue
            vec, basis, detail = one(t, c, y)
            if vec is None and t == "wellbeing_area":
                try:
                    members = registry.members(c, y)
                except AllocationError:
                    members = []
                parts: list[np.ndarray] = []
                sub: list[str] = []
                for m in members:
                    v, b, d = one("municipality", m, y)
                    if v is None or b == "successor":
                        parts = []
                        detail = say("pop.member_missing", member=m, year=y)
                        break
                    parts.append(v)
                    if b == "nearest":
                        sub.append(f"{m}: {d}")
                if parts:
                    vec = np.sum(parts, axis=0)
                    basis = "members"
                    detail = say("view.sum_of_members", n=len(parts)) + (f" ({'; '.join(sub[:3])}{' …' if len(sub) > 3 else ''})" if sub else "")
                    estimated[k] = bool(sub)
            if vec is not None:
                mat[k] = vec
            bases[k], details[k] = basis, detail
            estimated[k] |= basis in ("nearest", "successor")
        return mat, pd.DataFrame({"basis": bases, "detail": details, "estimated": estimated}, index=orgs.index)

    @functools.cached_property
    def _lookups(self) -> tuple[dict[tuple[str, str], list[int]], dict[tuple[str, str, int], int], np.ndarray, dict[tuple[str, str, int], float]]:
        """The years of each organisation, each organisation-year's row of :meth:`_wide` and its ages, and totals by
        organisation-year: dict lookups (not a MultiIndex ``.loc`` for each of thousands of organisation-years), made once
        per population, not once per :meth:`age_matrix` call (a dataset read in batches calls it once a batch)."""
        lookup = self._wide()
        tot = self.totals.set_index(["org_type", "org_code", "year"])["persons"] if len(self.totals) else pd.Series(dtype=float)
        years_by_org: dict[tuple[str, str], list[int]] = {}
        for (t, c, y) in lookup.index:
            years_by_org.setdefault((t, c), []).append(y)
        at = {key: k for k, key in enumerate(lookup.index)}
        return years_by_org, at, lookup.to_numpy(dtype=float), dict(zip(tot.index, tot.to_numpy(dtype=float)))

    @functools.cached_property
    def _wide_cache(self) -> pd.DataFrame:
        return self._build_wide()

    def _wide(self) -> pd.DataFrame:
        return self._wide_cache

    def _build_wide(self) -> pd.DataFrame:
        if self.by_age.empty:
            return pd.DataFrame(columns=range(MAX_AGE + 1))
        w = self.by_age.pivot_table(index=["org_type", "org_code", "year"], columns="age", values="persons", aggfunc="sum", fill_value=0)
        return w.reindex(columns=range(MAX_AGE + 1), fill_value=0)

    def persons(self, orgs: pd.DataFrame, ages: tuple[int, int], registry: Registry, *, policy: Literal["exact", "nearest"] = "exact") -> np.ndarray:
        """Persons aged ``ages`` for each row of ``orgs`` (NaN where unknown).

        A municipality whose figures are a borrowed age structure (``nearest``
        policy, merged away before the age figures) has shares but no head
        count: NaN here.
        """
        mat, notes = self.age_matrix(orgs, registry, policy=policy)
        out = _band(mat, ages)
        out[(notes["basis"] == "successor").to_numpy()] = np.nan
        return out


@functools.lru_cache(maxsize=1)
def _packaged_population() -> Population:
    return Population._load_packaged()


@dataclass(frozen=True)
class KeyTable:
    """User allocation keys: ``key, org_code, year, share`` (+ optional ``org_type``, ``service_class``).

    Instead of ``share`` the table may give ``target`` and ``total`` (e.g.
    customers aged 0–17 and all customers); the share is their ratio.
    A row with an empty ``service_class`` applies to every class.

    Examples
    --------
    >>> kt = KeyTable.from_frame(pd.DataFrame({"key": ["upper_secondary_students"],
    ...     "org_code": ["091"], "year": [2022], "target": [6000], "total": [9000]}))
    >>> round(float(kt.table.share.iloc[0]), 4)
    0.6667
    """

    table: pd.DataFrame
    source: str = "user"

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, source: str = "user") -> KeyTable:
        df = frame.copy()
        df.columns = [str(c).strip() for c in df.columns]
        need = ["key", "org_code", "year"]
        missing = [c for c in need if c not in df]
        if "share" not in df and not {"target", "total"} <= set(df.columns):
            missing.append("share (or target and total)")
        if missing:
            raise InputError(say("table.needs_columns", what=say("table.key_table"), missing=", ".join(missing), have=", ".join(df.columns)),
                             file=source)
        if "share" in df:
            share = pd.to_numeric(df["share"], errors="coerce")
        else:
            target = pd.to_numeric(df["target"], errors="coerce")
            total = pd.to_numeric(df["total"], errors="coerce")
            bad_total = total.isna() | (total <= 0) | target.isna() | (target < 0)
            if bad_total.any():
                raise InputError(
                    say("keys.bad_total", n=int(bad_total.sum())),
                    rows=df.loc[bad_total], file=source, column="total")
            share = target / total
        bad = share.isna() | (share < 0) | (share > 1)
        if bad.any():
            raise InputError(
                say("keys.bad_share", n=int(bad.sum())),
                rows=df.loc[bad], file=source, column="share")
        out = pd.DataFrame(
            {
                "key": df["key"].astype(str).str.strip().to_numpy(),
                "org_type": (df["org_type"].astype(str) if "org_type" in df else pd.Series([""] * len(df))).to_numpy(),
                "org_code": df["org_code"].astype(str).str.strip().to_numpy(),
                "year": pd.to_numeric(df["year"]).astype("int64").to_numpy(),
                "service_class": (df["service_class"].astype(object).where(df["service_class"].notna(), "").astype(str)
                                  if "service_class" in df else pd.Series([""] * len(df))).to_numpy(),
                "share": share.to_numpy(dtype=float),
            }
        )
        out["service_class"] = out["service_class"].str.replace(r"\.0$", "", regex=True)
        dup = out.duplicated(["key", "org_type", "org_code", "year", "service_class"], keep=False)
        if dup.any():
            raise InputError(say("keys.twice"), rows=out[dup], file=source)
        return cls(out, source=source)

    @classmethod
    def read(cls, path: str | Path) -> KeyTable:
        """Read a key table from CSV (``,`` or ``;``, decimal comma accepted) or XLSX."""
        from .read._tables import read_text_table

        path = Path(path)
        df = read_text_table(path, what="key table", numeric=("share", "target", "total"))
        return cls.from_frame(df, source=path.name)

    def lookup(self, key: str, org_type: str, org_code: str, year: int, service_class: str | None) -> float | None:
        t = self.table
        hit = t[(t["key"] == key) & (t["org_code"] == str(org_code)) & (t["year"] == int(year))
                & ((t["org_type"] == "") | (t["org_type"] == org_type))]
        if service_class:
            exact = hit[hit["service_class"] == str(service_class)]
            if len(exact):
                return float(exact["share"].iloc[0])
        generic = hit[hit["service_class"] == ""]
        if len(generic):
            return float(generic["share"].iloc[0])
        return None


def resolve_shares(
    groups: pd.DataFrame,
    specs: list[tuple[KeySpec | None, KeySpec | None]],
    *,
    target: TargetGroup,
    population: Population | None,
    registry: Registry,
    keys: KeyTable | None,
    policy: Literal["exact", "nearest"],
    weights: Mapping[str, AgeWeights] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Child share for each distinct (rule, organisation, year, class) group of yellow lines.

    ``groups`` has ``rule_index, org_type, org_code, year, service_class``.
    Returns ``groups`` plus ``child_share`` (NaN where missing), ``key_used``
    and ``missing`` (what was missing, empty when fine), and the population
    notes per organisation-year (``org_type, org_code, year, basis, detail``).
    Vectorised per distinct key: the loops run over keys, not lines.
    """
    out = groups.reset_index(drop=True).copy()
    n = len(out)
    orgs = out[["org_type", "org_code", "year"]].drop_duplicates().reset_index(drop=True)
    if population is not None and len(orgs):
        mat, notes = population.age_matrix(orgs, registry, policy=policy)
    else:
        mat = np.full((len(orgs), MAX_AGE + 1), np.nan)
        notes = pd.DataFrame({"basis": [""] * len(orgs), "detail": [""] * len(orgs), "estimated": np.zeros(len(orgs), dtype=bool)})
    notes = pd.concat([orgs, notes.reset_index(drop=True)], axis=1)
    org_idx = out.merge(orgs.reset_index(), on=["org_type", "org_code", "year"], how="left")["index"].to_numpy()
    cum = np.concatenate([np.zeros((len(orgs), 1)), np.cumsum(mat, axis=1)], axis=1)

    def band(ages: tuple[int, int]) -> np.ndarray:
        lo, hi = ages[0], min(ages[1], MAX_AGE)
        return cum[:, hi + 1] - cum[:, lo]

    def pop_ratio(num: tuple[int, int], den: tuple[int, int]) -> np.ndarray:
        lo, hi = max(num[0], den[0]), min(num[1], den[1])
        d = band(den)
        top = band((lo, hi)) if lo <= hi else np.zeros(len(orgs))
        with np.errstate(invalid="ignore", divide="ignore"):
            r = np.where(d > 0, top / d, np.nan)
        return r

    def missing_for(what: str, rows: np.ndarray, share: np.ndarray) -> np.ndarray:
        """'what for organisation in year' on the rows without a share, "" on the others."""
        miss = np.full(len(rows), "", dtype=object)
        gap = np.flatnonzero(np.isnan(share))
        if len(gap):
            sub = out.iloc[rows[gap]]
            miss[gap] = [f"{what} for {t} {c} in {y}" for t, c, y in zip(sub["org_type"].astype(str), sub["org_code"].astype(str),
                                                                         sub["year"].astype(str))]
        return miss

    def evaluate(spec: KeySpec, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Shares and 'what is missing' texts for the group rows ``rows``."""
        if spec.kind == "fixed":
            return np.full(len(rows), float(spec.value)), np.full(len(rows), "", dtype=object)  # type: ignore[arg-type]
        if spec.kind == "user":
            if keys is None:
                return np.full(len(rows), np.nan), np.full(len(rows), f"user key {spec.name!r} (no key table given)", dtype=object)
            sub = out.iloc[rows][["org_type", "org_code", "year", "service_class"]].reset_index(drop=True)
            kt = keys.table[keys.table["key"] == spec.name]
            share = np.full(len(rows), np.nan)
            for with_class in (True, False):
                cand = kt[kt["service_class"] != ""] if with_class else kt[kt["service_class"] == ""]
                if cand.empty:
                    continue
                on = ["org_code", "year"] + (["service_class"] if with_class else [])
                typed = cand[cand["org_type"] != ""]
                untyped = cand[cand["org_type"] == ""]
                for part, extra in ((typed, ["org_type"]), (untyped, [])):
                    if part.empty:
                        continue
                    m = sub.merge(part[on + extra + ["share"]], on=on + extra, how="left")["share"].to_numpy(dtype=float)
                    share = np.where(np.isnan(share), m, share)
            return share, missing_for(f"user key {spec.name!r}", rows, share)
        if population is None:
            return np.full(len(rows), np.nan), np.full(len(rows), "population by age (none given)", dtype=object)
        # a wellbeing area's age matrix is the sum of its members': its weighted share is theirs pooled
        per_org_of = {
            "weighted": lambda: age_weights(str(spec.name), weights).share(mat, target.ages),
            "population": lambda: pop_ratio(spec.ages or target.ages, (0, MAX_AGE)),
            "age": lambda: pop_ratio(target.ages, spec.ages),  # type: ignore[arg-type]
        }
        per_org = per_org_of.get(spec.kind, lambda: pop_ratio(spec.ages, spec.denominator))()  # type: ignore[arg-type]
        share = per_org[org_idx[rows]]
        return share, missing_for("population by age", rows, share)

    share = np.full(n, np.nan)
    used = np.full(n, "", dtype=object)
    missing = np.full(n, "", dtype=object)
    rule_idx = out["rule_index"].to_numpy()
    for r in np.unique(rule_idx):
        rows = np.flatnonzero(rule_idx == r)
        key, fallback = specs[int(r)]
        if key is None:
            missing[rows] = say("key.rule_has_none")
            continue
        s, miss = evaluate(key, rows)
        u = np.full(len(rows), key.text, dtype=object)
        if fallback is not None and np.isnan(s).any():
            gap = np.isnan(s)
            s2, miss2 = evaluate(fallback, rows[gap])
            ok = ~np.isnan(s2)
            idx = np.flatnonzero(gap)
            s[idx[ok]] = s2[ok]
            u[idx[ok]] = say("key.fallback_used", used=fallback.text, wanted=key_text(key.text, default_lang()))
            miss[idx[ok]] = ""
            miss[idx[~ok]] = [f"{a}; fallback {fallback.text}: {b}" for a, b in zip(miss[idx[~ok]], miss2[~ok])]
        share[rows] = s
        used[rows] = u
        missing[rows] = miss
    # say so on every group whose population was estimated from another year
    estimated = notes["estimated"].to_numpy(dtype=bool)
    pop_based = np.array(["population" in u or u.startswith(("age:", "ratio:", "weighted:")) for u in used], dtype=bool)
    flag = pop_based & estimated[org_idx] if n else np.zeros(0, dtype=bool)
    if flag.any():
        details = notes["detail"].to_numpy(dtype=object)[org_idx[flag]]
        used[flag] = [f"{u} [{d}]" for u, d in zip(used[flag], details)]
    out["child_share"] = share
    out["key_used"] = used
    out["missing"] = missing
    nearest = estimated
    if policy == "nearest" and nearest.any():
        from .reference._labels import text

        warnings.warn(
            text("warn.nearest_population", default_lang(), n=int(nearest.sum())),
            LapsibudjettiWarning,
            stacklevel=4,
        )
    return out, notes.drop(columns="estimated")


def head_counts(orgs: pd.DataFrame, population: Population | None, registry: Registry, ages: tuple[int, int],
                *, policy: Literal["exact", "nearest"] = "exact", persons: bool = False) -> pd.DataFrame:
    """The target-group population of organisation-years: the denominator of every per-child figure.

    Every head count of the library comes from here: a child budget's
    ``children`` and the views' counts of member municipalities.

    Parameters
    ----------
    orgs
        ``org_type, org_code, year``.
    population, registry
        Residents by age (``None``: no figures) and the organisations (a
        wellbeing area counts its member municipalities).
    ages
        Whose heads are counted, e.g. ``(0, 17)`` (``TargetGroup.ages``).
    policy
        ``exact`` or ``nearest`` (the nearest year's age structure, scaled).
    persons
        Also the residents of all ages (``persons``), for all-ages keys.

    Returns
    -------
    DataFrame
        ``orgs`` with ``children`` (NaN when unknown, and for an age
        structure borrowed from a successor, which gives shares but no head
        count), ``population_basis`` (how the figure was obtained) and, when
        asked, ``persons``.

    Examples
    --------
    >>> from lapsibudjetti.reference import Registry
    >>> orgs = pd.DataFrame({"org_type": ["municipality"], "org_code": ["564"], "year": [2019]})
    >>> head_counts(orgs, Population.packaged(), Registry.default(), (0, 17))["children"].tolist()
    [44133.0]
    """
    if population is not None and len(orgs):
        mat, pnotes = population.age_matrix(orgs, registry, policy=policy)
        mat = mat.copy()
        # a borrowed age structure is normalised to one person: shares, not a head count
        mat[(pnotes["basis"] == "successor").to_numpy()] = np.nan
        lo, hi = ages
        children = mat[:, lo : min(hi, MAX_AGE) + 1].sum(axis=1)
        everyone = mat.sum(axis=1)
        basis = pnotes["basis"].where(pnotes["detail"] == "", pnotes["basis"] + ": " + pnotes["detail"]).to_numpy()
    else:
        children = everyone = np.full(len(orgs), np.nan)
        basis = np.full(len(orgs), "unknown", dtype=object)
    out = orgs.assign(children=children, population_basis=basis)
    return out.assign(persons=everyone) if persons else out


def missing_keys_message(miss: pd.DataFrame, registry: Registry) -> tuple[str, list[str]]:
    """The message of a missing allocation key in the chosen language, naming the organisations and years, with the fixes.

    ``miss`` has ``org_type, org_code, year, missing`` per (rule,
    organisation, year) group; options are spelled as the user gives them
    (Python or the command line). Returns the message and what is missing
    for each group, in the same language.

    Examples
    --------
    >>> miss = pd.DataFrame({"org_type": ["municipality"], "org_code": ["091"], "year": [2021],
    ...                      "missing": ["population by age for municipality 091 in 2021"]})
    >>> print(missing_keys_message(miss, Registry.default())[0])  # doctest: +ELLIPSIS
    Kohdistusavain puuttuu 1 keltaisten ... väestö iän mukaan: Helsinki (091) 2021. ... population_year='nearest' ...
    """
    from .reference._labels import option, text

    lang = default_lang()
    names = registry.names(miss["org_type"].astype(str), miss["org_code"].astype(str), lang).to_numpy()
    where = [text("word.in_year", lang, org=f"{n} ({c})", year=y) for n, c, y in zip(names, miss["org_code"], miss["year"])]
    groups: dict[str, list[str]] = {}
    per_row: list[str] = []
    for w, m in zip(where, miss["missing"].astype(str)):
        user = re.match(r"user key ('[^']*')", m)
        if "population by age" in m:
            kind = text("error.missing_population", lang, orgs="{orgs}")
        elif user and "no key table" in m:
            kind = text("error.no_key_table", lang, name=user.group(1))
        elif user:
            kind = text("error.missing_user_key", lang, name=user.group(1), orgs="{orgs}")
        else:
            kind = m
        groups.setdefault(kind, []).append(w)
        per_row.append(kind.format(orgs=w) if "{orgs}" in kind else kind)
    parts = [k.format(orgs=", ".join(dict.fromkeys(ws[:8])) + (" …" if len(ws) > 8 else "")) if "{orgs}" in k else k
             for k, ws in groups.items()]
    message = text("error.missing_keys", lang, groups=len(miss), what="; ".join(parts))
    if any("population by age" in m for m in miss["missing"].astype(str)):
        message += " " + text("hint.population_year", lang, option=option("population_year", "nearest"))
    return message + " " + text("hint.on_missing_key", lang, option=option("on_missing_key", "unmapped")), per_row
