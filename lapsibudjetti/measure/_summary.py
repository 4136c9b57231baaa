"""The tables of a child budget: reconciliation, summary, by(), method()."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..reference._labels import check_lang, say, value_label
from ._metrics import add_metrics

if TYPE_CHECKING:
    from .._budget import ChildBudget
from .._groups import (
    _DENSE_GROUPS,
    GROUP,
    TIERS,
    _cents,
    _column_codes,
    _sum,
    line_counts,
)


def reconciliation(cb: ChildBudget) -> pd.DataFrame:
    """Input = classified + unmapped, per organisation × year × phase, in exact cents.

    Columns ``input_euros, classified_euros, unmapped_euros,
    difference_euros`` (euros from integer cents), ``unmapped_lines`` and
    ``ok``.
    """
    _gid, groups = (cb.groups.gid, cb.groups.groups)
    c = cb.groups.cents
    total, classified, unmapped = c["total"], c["classified"], c["unmapped"]
    diff = total - classified - unmapped
    out = groups.copy()
    out["input_euros"] = total / 100.0
    out["classified_euros"] = classified / 100.0
    out["unmapped_euros"] = unmapped / 100.0
    out["difference_euros"] = diff / 100.0
    out["unmapped_lines"] = c["unmapped_lines"]
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


def _bucket_codes(col: pd.Series, buckets: dict[str, int]) -> np.ndarray:
    """Each line's bucket number from a categorical column (0: in no bucket, also for missing)."""
    cats = np.asarray(col.cat.categories, dtype=object)
    lut = np.array([buckets.get(str(c), 0) for c in cats] + [0], dtype="int8")  # -1 (missing) picks the last
    return lut[col.cat.codes.to_numpy()]


def _buckets(cb: ChildBudget) -> np.ndarray:
    """Each line's (tier, colour, child-protection role) bucket: ``tier * 12 + colour * 4 + role``.

    tier: 0 none, 1 universal, 2 targeted, 3 corrective; colour: 0 red or
    unmapped, 1 green, 2 yellow; role: 0 none, 1 placements, 2
    non-residential, 3 other family social services.
    """
    a = cb.annotated
    roles = _role_sets(cb)
    tiers = {name: k + 1 for k, name in enumerate(TIERS)}
    colours = {"green": 1, "yellow": 2}
    role_of = {**dict.fromkeys(roles["family_social"], 3), **dict.fromkeys(roles["nonresidential"], 2), **dict.fromkeys(roles["placements"], 1)}
    rid = a["rule_id"]
    table = cb.rules.table.drop_duplicates("rule_id").set_index("rule_id")
    ids = pd.Index(np.asarray(rid.cat.categories, dtype=object))
    if ids.isin(table.index).all():  # a line's tier, colour and category are its rule's: one lookup per line
        t = table.loc[ids]
        per_rule = [tiers.get(x, 0) * 12 + colours.get(c, 0) * 4 + role_of.get(g, 0)
                    for x, c, g in zip(t["tier"], t["colour"], t["category"])]
        return np.array(per_rule + [0], dtype="int8")[rid.cat.codes.to_numpy()]  # -1 (unmapped) picks 0
    tier_b = _bucket_codes(a["tier"], tiers)
    colour_b = _bucket_codes(a["colour"], colours)
    role_b = _bucket_codes(a["category"], role_of)
    return (tier_b * 12 + colour_b * 4 + role_b).astype("int8")


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
    denominator are NaN, and so is a share (or ratio) whose parts are not all
    ≥ 0: in net costs a part can be negative where revenue outweighs costs,
    and a share of such parts would leave [0, 1] (the euros of every part
    stay in the table).
    """
    a = cb.annotated
    gid, groups = (cb.groups.gid, cb.groups.groups)
    n = len(groups)
    child = a["child_euros"].to_numpy()
    out = groups.copy()
    out["total_euros"] = cb.groups.cents["total"] / 100.0
    # one pass: child euros per group × (tier, colour, role) bucket; the metrics add buckets
    bucket = _buckets(cb)
    if n * 48 <= max(1 << 24, 4 * len(a)):
        key = gid * 48
        key += bucket
        by_bucket = np.bincount(key, weights=child, minlength=n * 48).reshape(n, 48)
        del key
        out["child_euros"] = by_bucket.sum(axis=1)

        def part(mask: np.ndarray) -> np.ndarray:
            return by_bucket[:, mask].sum(axis=1)
    else:  # very many groups: one weighted pass per metric instead
        out["child_euros"] = _sum(gid, child, n)

        def part(mask: np.ndarray) -> np.ndarray:
            return _sum(gid, np.where(mask[bucket], child, 0.0), n)

    b = np.arange(48)
    b_tier, b_colour, b_role = b // 12, (b // 4) % 3, b % 4
    for k, name in enumerate(TIERS):
        out[f"{name}_euros"] = part(b_tier == k + 1)
    out["green_child_euros"] = part(b_colour == 1)
    out["yellow_child_euros"] = part(b_colour == 2)
    placements = part(b_role == 1)
    nonres = part(b_role == 2)
    fam = b_role > 0
    fam_targeted = part(fam & (b_tier == 2))
    fam_corrective = part(fam & (b_tier == 3))
    out["placements_euros"] = placements
    out["nonresidential_euros"] = nonres
    out["family_targeted_euros"] = fam_targeted
    out["family_corrective_euros"] = fam_corrective
    children = groups[["org_type", "org_code", "year"]].merge(
        cb.children.astype({"org_type": object, "org_code": object}), on=["org_type", "org_code", "year"], how="left"
    )
    out["children"] = children["children"].to_numpy()
    out = add_metrics(out)
    out["unmapped_euros"] = cb.groups.cents["unmapped"] / 100.0
    out["measure"] = cb.measure
    out["target_group"] = cb.target_group.name
    return out


def by(cb: ChildBudget, dimension: str, *, lang: str = "fi") -> pd.DataFrame:
    """Child euros (and all euros) per organisation × year × phase × ``dimension``."""
    allowed = ("category", "tier", "sector", "colour")
    if dimension not in allowed:
        from .._errors import InputError

        raise InputError(say("summary.by", allowed=", ".join(allowed), dimension=repr(dimension)))
    check_lang(lang)
    a = cb.annotated
    gid, groups = (cb.groups.gid, cb.groups.groups)
    raw, offset, values = _column_codes(a[dimension])
    width = len(values)
    space = len(groups) * width
    key = gid * width
    key += raw
    key += offset
    # unmapped lines have no rule and so no category, colour or sector: code 0 (missing). If code 0
    # holds exactly the unmapped lines, its slots are dropped; otherwise (mapped lines without a
    # tier) the unmapped lines are moved to one extra slot at the end first.
    n_unmapped = int(cb.groups.cents["unmapped_lines"].sum())
    if space < min(_DENSE_GROUPS, 2 * len(a) + (1 << 20)):
        lines = np.bincount(key, minlength=space + 1)
        if lines[::width].sum() != n_unmapped:
            key[~cb.groups.mapped] = space
            lines = np.bincount(key, minlength=space + 1)
        else:
            lines[::width] = 0
        present = np.flatnonzero(lines[:space])
        out = groups.iloc[present // width].reset_index(drop=True)
        out[dimension] = values[present % width]
        out["euros"] = _cents(key, cb.groups.line_cents, space + 1)[present] / 100.0
        out["child_euros"] = _sum(key, a["child_euros"].to_numpy(), space + 1)[present]
        counted = lines if "line_count" not in a.columns else np.bincount(key, weights=line_counts(a), minlength=space + 1)
        out["lines"] = counted[present].astype("int64")
    else:
        key[~cb.groups.mapped] = space
        sid, present = pd.factorize(key, sort=True)
        sid = sid.astype("int64")
        if len(present) and present[-1] == space:  # the unmapped slot sorts last
            present = present[:-1]
        k = len(present)
        out = groups.iloc[present // width].reset_index(drop=True)
        out[dimension] = values[present % width]
        out["euros"] = _cents(sid, cb.groups.line_cents, k + 1)[:k] / 100.0
        out["child_euros"] = _sum(sid, a["child_euros"].to_numpy(), k + 1)[:k]
        out["lines"] = np.bincount(sid, weights=line_counts(a), minlength=k + 1)[:k].astype("int64")
    if dimension == "category":
        cats = cb.rules.categories().set_index("category")
        out["label"] = out["category"].map(cats[f"label_{lang}"])
        out["order"] = out["category"].map(cats["order"]).fillna(999).astype("int64")
        out = out.sort_values(GROUP + ["order", "category"], kind="stable").drop(columns="order")
    else:
        out["label"] = [value_label(dimension, v, lang) for v in out[dimension].astype(object)]
    return out.reset_index(drop=True)


def method(cb: ChildBudget) -> dict[str, pd.DataFrame]:
    """What was done, for the method sheet: rules with counts, keys, population, settings."""
    a = cb.annotated
    mapped = a["mapped"].to_numpy()
    rid = a.loc[mapped, "rule_id"].astype(object).to_numpy()
    amounts = a.loc[mapped, "amount"].to_numpy()
    childe = a.loc[mapped, "child_euros"].to_numpy()
    t = cb.rules.table.copy()
    codes, uniq = pd.factorize(rid)
    lines = np.bincount(codes, weights=line_counts(a)[mapped], minlength=len(uniq)).astype("int64")
    euros = np.bincount(codes, weights=amounts, minlength=len(uniq))
    ceur = np.bincount(codes, weights=childe, minlength=len(uniq))
    used = pd.DataFrame({"rule_id": uniq, "lines": lines, "euros": euros, "child_euros": ceur})
    rules = t.merge(used, on="rule_id", how="left")
    rules[["lines"]] = rules[["lines"]].fillna(0).astype("int64")
    rules[["euros", "child_euros"]] = rules[["euros", "child_euros"]].fillna(0.0)
    rules = rules[["rule_id", "service_class", "task_class", "account", "cost_centre", "org_type", "org_code", "valid_from", "valid_to",
                   "colour", "tier", "sector", "category", "label_fi", "label_sv", "label_en", "key", "key_fallback", "basis", "specificity",
                   "lines", "euros", "child_euros"]]
    settings = pd.DataFrame(
        [("measure", cb.measure), ("target group", cb.target_group.name), ("population", cb.population_source),
         ("shares and ratios", "left empty where a part is negative (revenue outweighing costs in net costs) or the "
                               "whole is not positive; the euros of every part are in the tables")]
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
