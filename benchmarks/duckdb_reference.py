"""The child budget as ONE DuckDB SQL query: the benchmark's reference implementation.

The query does what :func:`lapsibudjetti.child_budget` followed by
``summary()``, ``reconciliation`` and ``by("category")`` does, for rule sets
whose rules all constrain the service class (optionally also the account
and the organisation type) — the shape of the benchmark's rules:

1. most-specific-rule resolution: every distinct (service class, account,
   organisation type, year) of the ledger is joined to the rules whose
   class and account intervals and validity years contain it; the rule
   with the highest specificity wins, and two winners of equal
   specificity are counted as conflicts (the library raises for them);
2. population-share keys of yellow rules: persons in the key's numerator
   age band over persons in its denominator band, per organisation-year
   (user keys fall back to their ``key_fallback``, as in the library when
   no key table is given);
3. per organisation × year × phase: input, classified and unmapped euros in
   exact integer cents, child euros by tier, colour and child-protection
   role, the target-group population and the ratios of ``summary()``; and
   per organisation × year × phase × category the euros, child euros and
   line counts of ``by("category")`` — both levels in one result via
   ``GROUPING SETS``.

Only the rule tables and the population are prepared in Python (turning
the parsed :class:`lapsibudjetti.Rules` into relational tables); the ledger
is scanned where it lies, as the registered pandas frame.

Examples
--------
>>> import duckdb, synthetic
>>> led = synthetic.build_ledger(500)
>>> ref = DuckDBReference(synthetic.build_rules(), synthetic.build_population())
>>> out = ref.run(led)
>>> sorted(out) == ["by_category", "reconciliation", "summary"]
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

import lapsibudjetti as lb
from lapsibudjetti._allocate import MAX_AGE, TargetGroup
from lapsibudjetti._rules import KeySpec

__all__ = ["DuckDBReference", "rule_tables", "SQL"]

GROUP = ["org_type", "org_code", "year", "phase"]

SQL = """
WITH
sc_codes AS (SELECT DISTINCT service_class FROM ledger WHERE service_class IS NOT NULL),
acc_codes AS (SELECT DISTINCT account FROM ledger WHERE account IS NOT NULL),
rule_sc_codes AS (
    SELECT DISTINCT a.rule_index, c.service_class
    FROM rule_sc a JOIN sc_codes c
      ON TRY_CAST(CAST(c.service_class AS VARCHAR) AS BIGINT) BETWEEN a.lo AND a.hi
),
rule_acc_codes AS (
    SELECT DISTINCT a.rule_index, c.account
    FROM rule_acc a JOIN acc_codes c
      ON TRY_CAST(CAST(c.account AS VARCHAR) AS BIGINT) BETWEEN a.lo AND a.hi
),
combos AS (
    SELECT DISTINCT service_class, account, org_type, year FROM ledger
),
rule_class AS MATERIALIZED (
    -- every (service class, rule) pair: the ledger's combos join it on the class, by equality
    SELECT s.service_class, r.rule_index, r.specificity, r.valid_from, r.valid_to, r.org_type, r.has_account
    FROM rule_sc_codes s JOIN rules r ON r.rule_index = s.rule_index
),
candidates AS (
    SELECT c.service_class, c.account, c.org_type, c.year, r.rule_index, r.specificity
    FROM combos c
    JOIN rule_class r ON r.service_class = c.service_class
    LEFT JOIN rule_acc_codes a ON a.rule_index = r.rule_index AND a.account = c.account
    WHERE c.year BETWEEN r.valid_from AND r.valid_to
      AND (r.org_type IS NULL OR r.org_type = CAST(c.org_type AS VARCHAR))
      AND (NOT r.has_account OR a.rule_index IS NOT NULL)
),
best AS (
    -- top specificity; the highest and the lowest rule index at it differ only on a tie
    SELECT service_class, account, org_type, year,
           max(specificity * 1000000 + rule_index) AS hi_key,
           max(specificity * 1000000 + (999999 - rule_index)) AS lo_key
    FROM candidates GROUP BY ALL
),
resolved AS (
    SELECT service_class, account, org_type, year,
           CAST(hi_key % 1000000 AS INTEGER) AS rule_index,
           (hi_key // 1000000 = lo_key // 1000000) AND (hi_key % 1000000 <> 999999 - lo_key % 1000000) AS conflict
    FROM best
),
bands AS (
    SELECT p.org_type, p.org_code, p.year, k.spec_id,
           sum(p.persons) FILTER (WHERE p.age BETWEEN k.num_lo AND k.num_hi) AS top,
           sum(p.persons) FILTER (WHERE p.age BETWEEN k.den_lo AND k.den_hi) AS bottom
    FROM population p CROSS JOIN key_specs k
    GROUP BY ALL
),
shares AS (
    SELECT org_type, org_code, year, spec_id,
           CASE WHEN bottom > 0 THEN coalesce(top, 0) / bottom END AS share
    FROM bands
),
children AS (
    SELECT org_type, org_code, year, sum(persons) AS children
    FROM population WHERE age BETWEEN $target_lo AND $target_hi GROUP BY ALL
),
lines AS (
    SELECT l.org_type, l.org_code, l.year, l.phase,
           CAST(round(l.amount * 100) AS BIGINT) AS cents,
           x.rule_index, x.conflict, r.colour, r.tier, r.category, r.role,
           r.colour = 'yellow' AND r.fixed_share IS NULL AND s.share IS NULL AS key_missing,
           l.amount * (CASE r.colour WHEN 'green' THEN 1.0
                                     WHEN 'yellow' THEN coalesce(r.fixed_share, s.share)
                                     ELSE 0.0 END) AS child
    FROM ledger l
    LEFT JOIN resolved x ON x.service_class = l.service_class AND x.account = l.account
                        AND x.org_type = l.org_type AND x.year = l.year
    LEFT JOIN rules r ON r.rule_index = x.rule_index
    LEFT JOIN shares s ON r.spec_id = s.spec_id AND s.org_type = CAST(l.org_type AS VARCHAR)
                      AND s.org_code = CAST(l.org_code AS VARCHAR) AND s.year = l.year
),
agg AS (
    SELECT org_type, org_code, year, phase, category, GROUPING(category) AS whole,
           sum(cents) AS total_cents,
           sum(cents) FILTER (WHERE rule_index IS NOT NULL) AS classified_cents,
           sum(cents) FILTER (WHERE rule_index IS NULL) AS unmapped_cents,
           count(*) AS all_lines,
           count(*) FILTER (WHERE rule_index IS NULL) AS unmapped_lines,
           count(*) FILTER (WHERE conflict) AS conflict_lines,
           count(*) FILTER (WHERE key_missing) AS key_missing_lines,
           coalesce(sum(child), 0) AS child_euros,
           coalesce(sum(child) FILTER (WHERE tier = 'universal'), 0) AS universal_euros,
           coalesce(sum(child) FILTER (WHERE tier = 'targeted'), 0) AS targeted_euros,
           coalesce(sum(child) FILTER (WHERE tier = 'corrective'), 0) AS corrective_euros,
           coalesce(sum(child) FILTER (WHERE colour = 'green'), 0) AS green_child_euros,
           coalesce(sum(child) FILTER (WHERE colour = 'yellow'), 0) AS yellow_child_euros,
           coalesce(sum(child) FILTER (WHERE role = 'placements'), 0) AS placements_euros,
           coalesce(sum(child) FILTER (WHERE role = 'nonresidential'), 0) AS nonresidential_euros,
           coalesce(sum(child) FILTER (WHERE role IN ('placements', 'nonresidential', 'family_social')
                                      AND tier = 'targeted'), 0) AS fam_targeted,
           coalesce(sum(child) FILTER (WHERE role IN ('placements', 'nonresidential', 'family_social')
                                      AND tier = 'corrective'), 0) AS fam_corrective
    FROM lines
    GROUP BY GROUPING SETS ((org_type, org_code, year, phase), (org_type, org_code, year, phase, category))
    HAVING GROUPING(category) = 1 OR category IS NOT NULL
)
SELECT a.* REPLACE (CAST(a.org_type AS VARCHAR) AS org_type, CAST(a.org_code AS VARCHAR) AS org_code,
                   CAST(a.phase AS VARCHAR) AS phase),
       c.children,
       CASE WHEN c.children > 0 THEN a.child_euros / c.children END AS euros_per_child,
       -- a share only of parts that are all >= 0 (up to float dust), clipped to [0, 1], as summary() does
       CASE WHEN a.total_cents > 0 AND a.child_euros >= -1e-9 * greatest(a.total_cents / 100.0, 1)
                 AND a.total_cents / 100.0 - a.child_euros >= -1e-9 * greatest(a.total_cents / 100.0, 1)
            THEN least(greatest(a.child_euros / (a.total_cents / 100.0), 0), 1) END AS child_share_of_total,
       CASE WHEN a.child_euros > 0 AND least(a.universal_euros, a.targeted_euros, a.corrective_euros)
                 >= -1e-9 * greatest(a.child_euros, 1)
            THEN least(greatest((a.universal_euros + a.targeted_euros) / a.child_euros, 0), 1) END AS preventive_share,
       CASE WHEN a.child_euros > 0 AND least(a.universal_euros, a.targeted_euros, a.corrective_euros)
                 >= -1e-9 * greatest(a.child_euros, 1)
            THEN least(greatest(a.corrective_euros / a.child_euros, 0), 1) END AS corrective_share,
       CASE WHEN a.nonresidential_euros > 0 AND a.placements_euros >= -1e-9 * greatest(a.nonresidential_euros, 1)
            THEN greatest(a.placements_euros, 0) / a.nonresidential_euros END AS placements_ratio,
       CASE WHEN a.fam_targeted + a.fam_corrective > 0
                 AND least(a.fam_targeted, a.fam_corrective) >= -1e-9 * greatest(a.fam_targeted + a.fam_corrective, 1)
            THEN least(greatest(a.fam_corrective / (a.fam_targeted + a.fam_corrective), 0), 1)
       END AS family_services_corrective_share
FROM agg a LEFT JOIN children c
  ON c.org_type = CAST(a.org_type AS VARCHAR) AND c.org_code = CAST(a.org_code AS VARCHAR) AND c.year = a.year
"""


def _effective_key(key: KeySpec | None, fallback: KeySpec | None) -> KeySpec | None:
    """The key the library uses when no user key table is given: user keys fall back."""
    if key is not None and key.kind == "user":
        return fallback
    return key


def _bands(spec: KeySpec, target: TargetGroup) -> tuple[int, int, int, int]:
    """(numerator low, high, denominator low, high) ages of a population key, as in ``resolve_shares``."""
    if spec.kind == "population":
        num, den = spec.ages or target.ages, (0, MAX_AGE)
    elif spec.kind == "age":
        num, den = target.ages, spec.ages
    elif spec.kind == "ratio":
        num, den = spec.ages, spec.denominator
    else:
        raise ValueError(f"not a population key: {spec.text}")
    lo, hi = max(num[0], den[0]), min(num[1], den[1])  # type: ignore[index]
    if lo > hi:  # empty numerator band: share 0
        lo, hi = 1, 0
    return lo, min(hi, MAX_AGE), den[0], min(den[1], MAX_AGE)  # type: ignore[index]


def rule_tables(rules: lb.Rules, target: TargetGroup) -> dict[str, pd.DataFrame]:
    """The rules as relational tables: ``rules``, ``rule_sc``, ``rule_acc``, ``key_specs``.

    Raises
    ------
    ValueError
        For rules this reference does not model (task class, cost centre or
        organisation-code constraints, rules without a service class).
    """
    t = rules.table
    roles = rules.categories().set_index("category")["role"]
    rows, sc_atoms, acc_atoms = [], [], []
    specs: dict[tuple[int, int, int, int], int] = {}
    for i in range(len(t)):
        m = rules.matches(i)
        for dim in ("task_class", "cost_centre", "org_code"):
            if m[dim] is not None:
                raise ValueError(f"rule {t.at[i, 'rule_id']!r} constrains {dim}: not modelled by the DuckDB reference")
        if m["service_class"] is None:
            raise ValueError(f"rule {t.at[i, 'rule_id']!r} has no service class: not modelled by the DuckDB reference")
        org_types = m["org_type"].values if m["org_type"] is not None else (None,)
        if len(org_types) > 1:
            raise ValueError(f"rule {t.at[i, 'rule_id']!r} lists several organisation types: not modelled")
        sc_atoms += [(i, a, b) for a, b in m["service_class"].intervals]
        if m["account"] is not None:
            acc_atoms += [(i, a, b) for a, b in m["account"].intervals]
        key, fallback = rules.keys(i)
        eff = _effective_key(key, fallback)
        fixed = spec_id = None
        if t.at[i, "colour"] == "yellow":
            if eff is None:
                raise ValueError(f"rule {t.at[i, 'rule_id']!r}: user key without fallback needs a key table")
            if eff.kind == "fixed":
                fixed = float(eff.value)  # type: ignore[arg-type]
            else:
                spec_id = specs.setdefault(_bands(eff, target), len(specs))
        vf, vt = t.at[i, "valid_from"], t.at[i, "valid_to"]
        rows.append(
            {
                "rule_index": i,
                "rule_id": t.at[i, "rule_id"],
                "specificity": int(t.at[i, "specificity"]),
                "valid_from": int(vf) if pd.notna(vf) else -1,
                "valid_to": int(vt) if pd.notna(vt) else 10**6,
                "org_type": org_types[0],
                "has_account": m["account"] is not None,
                "colour": t.at[i, "colour"],
                "tier": t.at[i, "tier"] or None,
                "category": t.at[i, "category"],
                "role": roles.get(t.at[i, "category"], "") or None,
                "fixed_share": fixed,
                "spec_id": spec_id,
            }
        )
    rules_df = pd.DataFrame(rows).astype({"org_type": object, "tier": object, "role": object,
                                          "fixed_share": "float64", "spec_id": "Int64"})
    key_specs = pd.DataFrame([(sid, *b) for b, sid in specs.items()],
                             columns=["spec_id", "num_lo", "num_hi", "den_lo", "den_hi"]).astype("int64")
    return {
        "rules": rules_df,
        "rule_sc": pd.DataFrame(sc_atoms, columns=["rule_index", "lo", "hi"]).astype("int64"),
        "rule_acc": pd.DataFrame(acc_atoms, columns=["rule_index", "lo", "hi"]).astype("int64"),
        "key_specs": key_specs,
    }


@dataclass
class DuckDBReference:
    """Run :data:`SQL` on a ledger with the given rules and population (``org_type, org_code, year, age, persons``)."""

    rules: lb.Rules
    population: pd.DataFrame
    target_group: str = "0-17"
    threads: int | None = None

    def __post_init__(self) -> None:
        import duckdb

        self.target = TargetGroup.parse(self.target_group)
        self.con = duckdb.connect()
        self.con.execute("SET enable_progress_bar = false")
        if self.threads is not None:
            self.con.execute(f"SET threads = {int(self.threads)}")
        for name, frame in rule_tables(self.rules, self.target).items():
            self.con.register(name, frame)
        pop = self.population[["org_type", "org_code", "year", "age", "persons"]].astype(
            {"org_type": object, "org_code": object, "year": "int64", "age": "int64", "persons": "int64"})
        self.con.register("population", pop)
        self.sql = SQL.replace("$target_lo", str(self.target.low)).replace("$target_hi", str(self.target.high))

    @property
    def thread_count(self) -> int:
        return int(self.con.execute("SELECT current_setting('threads')").fetchall()[0][0])

    def raw(self, ledger: pd.DataFrame) -> pd.DataFrame:
        """The query's single result: both grouping levels (``whole`` = 1 for the org-year-phase rows)."""
        self.con.register("ledger", ledger)
        try:
            return self.con.execute(self.sql).df()
        finally:
            self.con.unregister("ledger")

    def run(self, ledger: pd.DataFrame) -> dict[str, pd.DataFrame]:
        """``summary``, ``reconciliation`` and ``by_category`` frames, sorted like the library's.

        Raises
        ------
        RuntimeError
            When equally specific rules both match lines, or a population key
            is missing (the library raises :class:`lapsibudjetti.RuleError` /
            :class:`lapsibudjetti.AllocationError` there).
        """
        return split(self.raw(ledger))


def split(raw: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Split the query result into the library's three tables."""
    if raw["conflict_lines"].sum() or raw["key_missing_lines"].sum():
        raise RuntimeError(
            f"{int(raw['conflict_lines'].sum())} conflicting and {int(raw['key_missing_lines'].sum())} key-missing "
            "line-counts in the DuckDB result: the library would raise here")
    whole = raw[raw["whole"] == 1].sort_values(GROUP).reset_index(drop=True)
    for col in ("total_cents", "classified_cents", "unmapped_cents"):
        whole[col] = whole[col].fillna(0).astype("int64")
    rec = whole[GROUP].copy()
    rec["input_euros"] = whole["total_cents"] / 100.0
    rec["classified_euros"] = whole["classified_cents"] / 100.0
    rec["unmapped_euros"] = whole["unmapped_cents"] / 100.0
    rec["difference_euros"] = (whole["total_cents"] - whole["classified_cents"] - whole["unmapped_cents"]) / 100.0
    rec["unmapped_lines"] = whole["unmapped_lines"].astype("int64")
    rec["ok"] = rec["difference_euros"] == 0
    summ = whole[GROUP].copy()
    summ["total_euros"] = whole["total_cents"] / 100.0
    for col in ("child_euros", "universal_euros", "targeted_euros", "corrective_euros", "green_child_euros",
                "yellow_child_euros", "placements_euros", "nonresidential_euros", "children", "euros_per_child",
                "child_share_of_total", "preventive_share", "corrective_share", "placements_ratio",
                "family_services_corrective_share"):
        summ[col] = whole[col].astype("float64")
    summ["unmapped_euros"] = whole["unmapped_cents"] / 100.0
    cat = raw[raw["whole"] == 0].sort_values(GROUP + ["category"]).reset_index(drop=True)
    by = cat[GROUP + ["category"]].copy()
    by["euros"] = cat["classified_cents"].fillna(0).astype("int64") / 100.0
    by["child_euros"] = cat["child_euros"].astype("float64")
    by["lines"] = cat["all_lines"].astype("int64")
    return {"summary": summ, "reconciliation": rec, "by_category": by}


def library_tables(cb: lb.ChildBudget) -> dict[str, pd.DataFrame]:
    """The library's three tables, sorted and typed like :func:`split`'s for comparison."""
    return library_tables_from({"summary": cb.summary(), "reconciliation": cb.reconciliation, "by_category": cb.by("category")})


def library_tables_from(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """``summary``, ``reconciliation`` and ``by_category`` frames of the library, sorted and typed like :func:`split`'s."""
    text = {"org_type": object, "org_code": object, "phase": object}
    s = tables["summary"].astype(text).sort_values(GROUP).reset_index(drop=True)
    r = tables["reconciliation"].astype(text).sort_values(GROUP).reset_index(drop=True)
    b = tables["by_category"].astype({**text, "category": object}).sort_values(GROUP + ["category"]).reset_index(drop=True)
    return {"summary": s, "reconciliation": r, "by_category": b}


def compare(lib: dict[str, pd.DataFrame], ref: dict[str, pd.DataFrame]) -> dict[str, float]:
    """Differences between library and DuckDB tables.

    Returns ``max_abs_child_euros`` (per organisation-year-phase),
    ``max_rel`` over every float column of the summary and the by-category
    table, and ``cent_mismatches`` (rows whose integer-cent columns differ;
    must be 0).

    Raises
    ------
    AssertionError
        When the two results do not have the same groups.
    """
    out: dict[str, float] = {}
    ls, rs = lib["summary"], ref["summary"]
    if not ls[GROUP].astype(str).equals(rs[GROUP].astype(str)):
        raise AssertionError("library and DuckDB summaries have different organisation-year-phase groups")
    lb_, rb = lib["by_category"], ref["by_category"]
    if not lb_[GROUP + ["category"]].astype(str).equals(rb[GROUP + ["category"]].astype(str)):
        raise AssertionError("library and DuckDB by-category tables have different groups")
    out["max_abs_child_euros"] = float(np.max(np.abs(ls["child_euros"].to_numpy() - rs["child_euros"].to_numpy())))
    rel = 0.0
    for a, b in ((ls, rs), (lb_, rb)):
        for col in b.columns:
            if col in GROUP or col == "category" or b[col].dtype.kind != "f" or col not in a:
                continue
            x, y = a[col].to_numpy(dtype=float), b[col].to_numpy(dtype=float)
            if not np.array_equal(np.isnan(x), np.isnan(y)):
                raise AssertionError(f"{col}: NaN in different rows")
            ok = ~np.isnan(x)
            scale = np.maximum(np.abs(y[ok]), 1.0)
            rel = max(rel, float(np.max(np.abs(x[ok] - y[ok]) / scale, initial=0.0)))
    out["max_rel"] = rel
    lr, rr = lib["reconciliation"], ref["reconciliation"]
    cents_cols = ["input_euros", "classified_euros", "unmapped_euros", "difference_euros", "unmapped_lines"]
    mism = int((lr[cents_cols].to_numpy() != rr[cents_cols].to_numpy()).any(axis=1).sum())
    mism += int((ls["total_euros"].to_numpy() != rs["total_euros"].to_numpy()).sum())
    mism += int((ls["unmapped_euros"].to_numpy() != rs["unmapped_euros"].to_numpy()).sum())
    mism += int((lb_["euros"].to_numpy() != rb["euros"].to_numpy()).sum())
    mism += int((lb_["lines"].to_numpy() != rb["lines"].to_numpy()).sum())
    out["cent_mismatches"] = mism
    return out
