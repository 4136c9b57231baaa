"""Summary tables and metrics of a child budget (domain.md §7).

All sums are ``np.bincount`` over integer group codes built from the
categorical columns, so a national ledger of millions of lines summarises
in a fraction of a second. Euro sums are reconciled in integer cents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._schema import amount_cents

if TYPE_CHECKING:
    from ._budget import ChildBudget

__all__ = ["reconciliation", "summary", "by", "method", "group_codes"]

GROUP = ["org_type", "org_code", "year", "phase"]
TIERS = ("universal", "targeted", "corrective")


def group_codes(frame: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer group id per row and the distinct groups (sorted), without string merges."""
    codes = []
    radices = []
    uniques = []
    for col in columns:
        s = frame[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            c = s.cat.codes.to_numpy().astype("int64") + 1
            u = np.concatenate([[None], np.asarray(s.cat.categories, dtype=object)])
        else:
            c, u_ = pd.factorize(s, sort=True, use_na_sentinel=True)
            c = c.astype("int64") + 1
            u = np.concatenate([[None], np.asarray(u_, dtype=object)])
        codes.append(c)
        radices.append(len(u))
        uniques.append(u)
    key = np.zeros(len(frame), dtype="int64")
    for c, r in zip(codes, radices):
        key = key * r + c
    gid, ukeys = pd.factorize(key, sort=True)
    out = {}
    rem = ukeys.astype("int64")
    parts = []
    for c, r in reversed(list(zip(codes, radices))):
        parts.append(rem % r)
        rem = rem // r
    parts.reverse()
    for col, p, u in zip(columns, parts, uniques):
        out[col] = u[p]
    groups = pd.DataFrame(out)
    if "year" in groups:
        groups["year"] = groups["year"].astype("int64")
    return gid.astype("int64"), groups


def _sum(gid: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(gid, weights=weights, minlength=n)


def _cents(gid: np.ndarray, cents: np.ndarray, n: int) -> np.ndarray:
    """Exact integer sums per group (bincount on float would round big totals)."""
    order = np.argsort(gid, kind="stable")
    sums = np.zeros(n, dtype="int64")
    if len(gid):
        s = np.add.reduceat(cents[order], np.flatnonzero(np.r_[True, np.diff(gid[order]) != 0]))
        sums[np.unique(gid)] = s
    return sums


def reconciliation(cb: ChildBudget) -> pd.DataFrame:
    """Input = classified + unmapped, per organisation × year × phase, in exact cents.

    Columns ``input_euros, classified_euros, unmapped_euros,
    difference_euros`` (euros from integer cents), ``unmapped_lines`` and
    ``ok``.
    """
    a = cb.annotated
    gid, groups = group_codes(a, GROUP)
    n = len(groups)
    cents = amount_cents(a["amount"])
    mapped = a["mapped"].to_numpy()
    total = _cents(gid, cents, n)
    classified = _cents(gid, np.where(mapped, cents, 0), n)
    unmapped = _cents(gid, np.where(mapped, 0, cents), n)
    diff = total - classified - unmapped
    out = groups.copy()
    out["input_euros"] = total / 100.0
    out["classified_euros"] = classified / 100.0
    out["unmapped_euros"] = unmapped / 100.0
    out["difference_euros"] = diff / 100.0
    out["unmapped_lines"] = np.bincount(gid, weights=(~mapped).astype(float), minlength=n).astype("int64")
    out["ok"] = diff == 0
    return out


def _role_sets(cb: ChildBudget) -> dict[str, set[str]]:
    cats = cb.rules.categories()
    roles: dict[str, set[str]] = {"placements": set(), "nonresidential": set(), "family_social": set()}
    for cat, role in zip(cats["category"], cats["role"]):
        if role in roles:
            roles[role].add(cat)
    roles["family_social"] |= roles["placements"] | roles["nonresidential"]
    return roles


def summary(cb: ChildBudget) -> pd.DataFrame:
    """Headline metrics per organisation × year × phase.

    ``total_euros`` is all spend in the ledger (classified and unmapped);
    ``child_euros`` the child-targeted euros (green + the key share of
    yellow); ``children`` the target-group population;
    ``preventive_share = (universal + targeted) / child_euros``;
    ``corrective_share = corrective / child_euros``; ``placements_ratio =
    placements / non-residential child protection``;
    ``family_services_corrective_share = corrective / (targeted + corrective)``
    within child and family social services. Ratios with a zero or negative
    denominator are NaN.
    """
    a = cb.annotated
    gid, groups = group_codes(a, GROUP)
    n = len(groups)
    amount = a["amount"].to_numpy()
    child = a["child_euros"].to_numpy()
    out = groups.copy()
    out["total_euros"] = _cents(gid, amount_cents(amount), n) / 100.0
    out["child_euros"] = _sum(gid, child, n)
    tier = a["tier"].astype(object).to_numpy()
    for name in TIERS:
        out[f"{name}_euros"] = _sum(gid, np.where(tier == name, child, 0.0), n)
    for colour in ("green", "yellow"):
        out[f"{colour}_child_euros"] = _sum(gid, np.where(a["colour"].astype(object).to_numpy() == colour, child, 0.0), n)
    cat = a["category"].astype(object).to_numpy()
    roles = _role_sets(cb)
    placements = _sum(gid, np.where(np.isin(cat, list(roles["placements"])), child, 0.0), n)
    nonres = _sum(gid, np.where(np.isin(cat, list(roles["nonresidential"])), child, 0.0), n)
    fam = np.isin(cat, list(roles["family_social"]))
    fam_targeted = _sum(gid, np.where(fam & (tier == "targeted"), child, 0.0), n)
    fam_corrective = _sum(gid, np.where(fam & (tier == "corrective"), child, 0.0), n)
    out["placements_euros"] = placements
    out["nonresidential_euros"] = nonres
    children = groups[["org_type", "org_code", "year"]].merge(
        cb.children.astype({"org_type": object, "org_code": object}), on=["org_type", "org_code", "year"], how="left"
    )
    out["children"] = children["children"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        out["euros_per_child"] = np.where(out["children"] > 0, out["child_euros"] / out["children"], np.nan)
        tot = out["total_euros"].to_numpy()
        ce = out["child_euros"].to_numpy()
        out["child_share_of_total"] = np.where(tot > 0, ce / tot, np.nan)
        out["preventive_share"] = np.where(ce > 0, (out["universal_euros"] + out["targeted_euros"]) / ce, np.nan)
        out["corrective_share"] = np.where(ce > 0, out["corrective_euros"] / ce, np.nan)
        out["placements_ratio"] = np.where(nonres > 0, placements / nonres, np.nan)
        fs = fam_targeted + fam_corrective
        out["family_services_corrective_share"] = np.where(fs > 0, fam_corrective / fs, np.nan)
    out["unmapped_euros"] = _cents(gid, np.where(a["mapped"].to_numpy(), 0, amount_cents(amount)), n) / 100.0
    out["measure"] = cb.measure
    out["target_group"] = cb.target_group.name
    return out


def by(cb: ChildBudget, dimension: str, *, lang: str = "fi") -> pd.DataFrame:
    """Child euros (and all euros) per organisation × year × phase × ``dimension``."""
    allowed = ("category", "tier", "sector", "colour")
    if dimension not in allowed:
        from ._errors import InputError

        raise InputError(f"by() takes one of {', '.join(allowed)}, not {dimension!r}")
    if lang not in ("fi", "sv", "en"):
        from ._errors import InputError

        raise InputError(f"lang must be fi, sv or en, not {lang!r}")
    a = cb.annotated
    mapped = a["mapped"].to_numpy()
    sub = a.loc[mapped]
    gid, groups = group_codes(sub, GROUP + [dimension])
    n = len(groups)
    out = groups.copy()
    out["euros"] = _cents(gid, amount_cents(sub["amount"]), n) / 100.0
    out["child_euros"] = _sum(gid, sub["child_euros"].to_numpy(), n)
    out["lines"] = np.bincount(gid, minlength=n).astype("int64")
    if dimension == "category":
        cats = cb.rules.categories().set_index("category")
        out["label"] = out["category"].map(cats[f"label_{lang}"])
        out["order"] = out["category"].map(cats["order"]).fillna(999).astype("int64")
        out = out.sort_values(GROUP + ["order", "category"], kind="stable").drop(columns="order")
    else:
        out["label"] = out[dimension].map(lambda v: _LABELS[lang].get(str(v), str(v)) if v is not None else "")
    return out.reset_index(drop=True)


_LABELS: dict[str, dict[str, str]] = {
    "fi": {"universal": "yleiset palvelut", "targeted": "varhainen tuki", "corrective": "korjaavat palvelut",
           "sivistys": "sivistys", "sote": "sote", "other": "muu", "green": "vihreä", "yellow": "keltainen", "red": "punainen", "": "ei kohdistu lapsiin"},
    "sv": {"universal": "allmänna tjänster", "targeted": "tidigt stöd", "corrective": "korrigerande tjänster",
           "sivistys": "bildning", "sote": "social- och hälsovård", "other": "övrigt", "green": "grön", "yellow": "gul", "red": "röd", "": "inte riktad till barn"},
    "en": {"universal": "universal services", "targeted": "targeted early support", "corrective": "corrective services",
           "sivistys": "education and culture", "sote": "social and health", "other": "other", "green": "green", "yellow": "yellow", "red": "red", "": "not child-targeted"},
}


def label(value: str, lang: str = "fi") -> str:
    """Display label of a tier, sector or colour value."""
    return _LABELS.get(lang, _LABELS["en"]).get(value, value)


def method(cb: ChildBudget) -> dict[str, pd.DataFrame]:
    """What was done, for the method sheet: rules with counts, keys, population, settings."""
    a = cb.annotated
    mapped = a["mapped"].to_numpy()
    rid = a.loc[mapped, "rule_id"].astype(object).to_numpy()
    amounts = a.loc[mapped, "amount"].to_numpy()
    childe = a.loc[mapped, "child_euros"].to_numpy()
    t = cb.rules.table.copy()
    codes, uniq = pd.factorize(rid)
    lines = np.bincount(codes, minlength=len(uniq))
    euros = np.bincount(codes, weights=amounts, minlength=len(uniq))
    ceur = np.bincount(codes, weights=childe, minlength=len(uniq))
    used = pd.DataFrame({"rule_id": uniq, "lines": lines, "euros": euros, "child_euros": ceur})
    rules = t.merge(used, on="rule_id", how="left")
    rules[["lines"]] = rules[["lines"]].fillna(0).astype("int64")
    rules[["euros", "child_euros"]] = rules[["euros", "child_euros"]].fillna(0.0)
    rules = rules[["rule_id", "service_class", "task_class", "account", "cost_centre", "org_type", "org_code", "valid_from", "valid_to",
                   "colour", "tier", "sector", "category", "key", "key_fallback", "basis", "specificity", "lines", "euros", "child_euros"]]
    settings = pd.DataFrame(
        [("measure", cb.measure), ("target group", cb.target_group.name), ("population", cb.population_source)]
        + [(k.replace("_", " "), v) for k, v in cb.options.items()],
        columns=["setting", "value"],
    )
    return {
        "settings": settings,
        "rules": rules,
        "keys": cb.key_shares.copy(),
        "population": cb.children.copy(),
        "population_notes": cb.population_notes.copy(),
    }
