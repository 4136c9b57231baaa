"""The steps of a child budget on lines in memory: classify, key, annotate, reconcile (shared by every engine)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from ._allocate import KeyTable, Population, TargetGroup, resolve_shares
from ._classify import Classification, classify
from ._errors import AllocationError, ReconciliationError
from ._groups import LineGroups
from ._groups import categorical_of_codes as _categorical
from ._groups import code_dtype as _code_dtype
from ._groups import vocab_categorical as _vocab_categorical
from ._rules import Rules
from ._schema import LEDGER_COLUMNS
from ._weights import AgeWeights
from .reference._labels import say
from .reference._registry import Registry

__all__ = ["Settings", "annotate_lines", "is_canonical", "version"]

# pandas 3 shares column data under copy-on-write; pandas 2 copies unless told not to
_NO_COPY: dict[str, bool] = {"copy": False} if int(pd.__version__.split(".")[0]) < 3 else {}


def version() -> str:
    try:
        from importlib.metadata import version

        return version("lapsibudjetti")
    except Exception:  # not installed (running from a checkout): the source's own version
        from ._version import __version__

        return f"{__version__} (source checkout)"


def is_canonical(df: pd.DataFrame) -> bool:
    if list(df.columns) != list(LEDGER_COLUMNS):
        return False
    kinds = LEDGER_COLUMNS
    for col, kind in kinds.items():
        dt = df[col].dtype
        if kind == "cat" and not isinstance(dt, pd.CategoricalDtype):
            return False
        if kind == "int" and dt != np.dtype("int64"):
            return False
        if kind == "float" and dt != np.dtype("float64"):
            return False
    return True

def _yellow_groups(
    frame: pd.DataFrame, rule_index: np.ndarray, ypos: np.ndarray, user_rule: np.ndarray
) -> tuple[np.ndarray, pd.DataFrame]:
    """Distinct (rule, organisation, year, class) groups of the yellow lines at ``ypos``, in order of appearance.

    The class is kept only for rules with user keys (which may be per
    class), "" otherwise. Returns each yellow line's group and the groups
    (``rule_index, org_type, org_code, year, service_class``).
    """
    ri = rule_index[ypos].astype("int64")
    parts: list[tuple[np.ndarray, np.ndarray]] = [(ri, np.arange(int(ri.max()) + 1))]
    for col in ("org_type", "org_code", "service_class"):
        s = frame[col]
        if not isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object).astype("category")
        c = s.cat.codes.to_numpy()[ypos].astype("int64") + 1
        values = np.concatenate([[None], np.asarray(s.cat.categories, dtype=object)])
        if col == "service_class":
            c = np.where(user_rule[ri], c, 0)
            values[0] = ""
        parts.append((c, values))
    years = frame["year"].to_numpy(dtype="int64")[ypos]
    y0 = int(years.min())
    parts.insert(3, (years - y0, np.arange(y0, int(years.max()) + 1)))
    space = 1
    for _c, v in parts:
        space *= len(v)
    if space >= 2**62:  # too many combinations for one integer key
        cols = ["rule_index", "org_type", "org_code", "year", "service_class"]
        ysub = pd.DataFrame({k: v[c] for k, (c, v) in zip(cols, parts)})
        gid, uniq = pd.MultiIndex.from_frame(ysub).factorize()
        groups = uniq.to_frame(index=False)
        groups.columns = cols
        return gid.astype("int64"), groups
    key = np.zeros(len(ypos), dtype="int64")
    for c, v in parts:
        key = key * len(v) + c
    gid, ukeys = pd.factorize(key)  # order of first appearance
    rem = np.asarray(ukeys, dtype="int64")
    decoded = []
    for _c, v in reversed(parts):
        decoded.append(v[rem % len(v)])
        rem = rem // len(v)
    decoded.reverse()
    groups = pd.DataFrame(
        {
            "rule_index": decoded[0].astype("int64"),
            "org_type": decoded[1].astype(object),
            "org_code": decoded[2].astype(object),
            "year": decoded[3].astype("int64"),
            "service_class": decoded[4].astype(object),
        }
    )
    return gid.astype("int64"), groups

@dataclass(frozen=True)
class Settings:
    """The settings of one :func:`child_budget` call, resolved (shared by the in-memory and the larger-than-memory paths)."""

    rules: Rules
    target: TargetGroup
    registry: Registry
    population: Population | None
    keys: KeyTable | None
    weights: dict[str, AgeWeights]
    population_year: str
    on_missing_key: str
    measure: str
    shares_known: KnownShares | None = field(default=None, compare=False, repr=False)
    """Key resolutions already made (for the batches of one input); None: resolve every group of the lines."""


def annotate_lines(frame: pd.DataFrame, s: Settings, *, on_missing_key: str) -> tuple[pd.DataFrame, _Shares, Classification]:
    """Steps 2–4 on canonical lines: each line's rule, colour, child share and child euros (no checks, no head counts)."""
    classified = classify(frame, s.rules)
    shares = _shares(frame, s.rules, classified)
    if shares.yellow.any():
        _allocate_yellow(shares, frame, s.rules, target=s.target, population=s.population, registry=s.registry, keys=s.keys,
                         policy=s.population_year, on_missing_key=on_missing_key, weights=s.weights, known=s.shares_known)
    return _annotate(frame, s.rules, shares), shares, classified

_KEY_SHARE_COLUMNS: tuple[str, ...] = ("rule_id", "org_type", "org_code", "year", "service_class", "child_share", "key_used", "missing")


@dataclass
class _Shares:
    """Step 2's working state: each line's rule, colour, child share, key and (for unmapped lines) reason."""

    rule_index: np.ndarray
    colours: np.ndarray
    line_colour: np.ndarray
    yellow: np.ndarray
    mapped: np.ndarray
    child_share: np.ndarray
    key_code: np.ndarray
    key_vocab: list[str]
    key_present: list[bool]
    reason_code: np.ndarray
    reason_texts: list[str]
    lost_any: bool = False
    key_shares: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(_KEY_SHARE_COLUMNS)))
    notes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["org_type", "org_code", "year", "basis", "detail"]))



def _shares(frame: pd.DataFrame, rules: Rules, cls: Classification) -> _Shares:
    """Step 2: green lines count whole, red lines not at all; yellow lines wait for their key."""
    rule_index = cls.rule_index
    n = len(frame)
    t = rules.table
    # per-rule lookups with a trailing entry for 'no rule': rule_index -1 picks it
    colours, colour_of_rule = np.unique(t["colour"].to_numpy(dtype=object).astype(str), return_inverse=True)
    line_colour = np.append(colour_of_rule, -1).astype("int8")[rule_index]  # codes of the colour column
    green, yellow_code = (int(np.searchsorted(colours, c)) if c in colours else -2 for c in ("green", "yellow"))
    child_share = np.zeros(n)
    child_share[line_colour == green] = 1.0
    yellow = line_colour == yellow_code
    # key_used per line as a code into key_vocab (0: "" for green and red lines, -1 unmapped)
    return _Shares(
        rule_index=rule_index, colours=colours, line_colour=line_colour, yellow=yellow, mapped=rule_index >= 0,
        child_share=child_share, key_code=np.array([0] * len(colours) + [-1], dtype="int32")[line_colour],
        key_vocab=[""], key_present=[bool(np.count_nonzero(yellow) + np.count_nonzero(rule_index < 0) < n)],
        reason_code=cls.reason_code, reason_texts=list(cls.reason_texts),
    )


def _allocate_yellow(shares: _Shares, frame: pd.DataFrame, rules: Rules, *, target: TargetGroup, population: Population | None,
                     registry: Registry, keys: KeyTable | None, policy: str, on_missing_key: str,
                     weights: Mapping[str, AgeWeights] | None = None, known: KnownShares | None = None) -> None:
    """Step 3: the child share of yellow lines, one key resolution per (rule, organisation, year) group."""
    t = rules.table
    user_rule = np.array([(k is not None and k.kind == "user") or (f is not None and f.kind == "user") for k, f in rules._keys])
    ypos = np.flatnonzero(shares.yellow)
    gid, groups = _yellow_groups(frame, shares.rule_index, ypos, user_rule)

    def resolve(todo: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        return resolve_shares(todo, list(rules._keys), target=target, population=population, registry=registry, keys=keys,
                              policy=policy,  # type: ignore[arg-type]
                              weights=weights)

    if known is None:
        resolved, shares.notes = resolve(groups)
    else:
        resolved, shares.notes = _resolve_once(groups, resolve, known)
    share_g = resolved["child_share"].to_numpy()
    bad_g = np.isnan(share_g)
    if bad_g.any() and on_missing_key == "raise":
        raise _missing_keys_error(resolved, bad_g, gid, t, registry)
    shares.child_share[ypos] = np.nan_to_num(share_g, nan=0.0)[gid]
    used_g, used_vocab = pd.factorize(resolved["key_used"].to_numpy(dtype=object), sort=True)
    shares.key_vocab += [str(v) for v in used_vocab]
    present_g = np.zeros(len(used_vocab), dtype=bool)
    present_g[used_g[~bad_g]] = True
    shares.key_present += present_g.tolist()
    shares.key_code[ypos] = (used_g.astype("int32") + 1)[gid]
    if bad_g.any():
        _unmap_missing_keys(shares, ypos, gid, bad_g, resolved["missing"].to_numpy())
    key_shares = resolved.assign(rule_id=t["rule_id"].to_numpy()[resolved["rule_index"].to_numpy()])
    shares.key_shares = key_shares[list(_KEY_SHARE_COLUMNS)]


@dataclass
class KnownShares:
    """Key resolutions already made, one row per (rule, organisation, year, class): the batches of one input resolve each group once.

    Each group is looked up by one integer: its organisation-year's and class's numbers (given in order of first
    appearance, and kept) and its rule index. Batches bring their groups with their own category codes; only the
    few distinct organisation-years and classes of a batch go through a dict, not the thousands of groups.
    """

    table: pd.DataFrame | None = None
    keys: pd.Index | None = None  #: the integer key of each row of ``table``
    org_years: dict[tuple[object, object, int], int] = field(default_factory=dict)
    classes: dict[object, int] = field(default_factory=dict)

    _RULE_BITS: ClassVar[int] = 20
    _CLASS_BITS: ClassVar[int] = 16
    _ORG_YEAR_BITS: ClassVar[int] = 26

    def key_of(self, groups: pd.DataFrame) -> np.ndarray | None:
        """Each group's integer key (``None``: more rules, classes or organisation-years than the key holds)."""
        # organisation-years: each column factorised alone (a MultiIndex of text columns hashed tuples: 60 ms a batch)
        t_codes, t_values = pd.factorize(groups["org_type"].to_numpy(dtype=object), use_na_sentinel=False)
        c_codes, c_values = pd.factorize(groups["org_code"].to_numpy(dtype=object), use_na_sentinel=False)
        years = groups["year"].to_numpy(dtype="int64")
        y0 = int(years.min())
        span = int(years.max()) - y0 + 1
        oy_local, oy_keys = pd.factorize((t_codes.astype("int64") * len(c_values) + c_codes) * span + (years - y0))
        oy_keys = np.asarray(oy_keys, dtype="int64")
        oy_values = zip(t_values[oy_keys // span // len(c_values)], c_values[oy_keys // span % len(c_values)],
                        (oy_keys % span + y0).tolist())
        oy_lut = np.array([self.org_years.setdefault(v, len(self.org_years)) for v in oy_values], dtype="int64")
        cl_local, cl_values = pd.factorize(groups["service_class"].to_numpy(dtype=object), use_na_sentinel=False)
        cl_lut = np.array([self.classes.setdefault(v, len(self.classes)) for v in cl_values], dtype="int64")
        rule = groups["rule_index"].to_numpy(dtype="int64")
        if (len(self.org_years) >= 1 << self._ORG_YEAR_BITS or len(self.classes) >= 1 << self._CLASS_BITS
                or (len(rule) and int(rule.max()) >= 1 << self._RULE_BITS)):  # pragma: no cover - beyond any ledger
            return None
        key = oy_lut[oy_local] << (self._CLASS_BITS + self._RULE_BITS)
        key |= cl_lut[cl_local] << self._RULE_BITS
        key |= rule
        return key


def _resolve_once(groups: pd.DataFrame, resolve: Callable[[pd.DataFrame], tuple[pd.DataFrame, pd.DataFrame]],
                  known: KnownShares) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`resolve_shares` for the groups not resolved before, the others looked up: the same rows, in the same order."""
    wanted = known.key_of(groups) if len(groups) else None
    if wanted is None:  # nothing to look up (or too many groups to key): resolve them all
        return resolve(groups)
    if known.table is None or known.keys is None:  # the first batch: resolve, remember, done
        fresh, notes = resolve(groups)
        known.table, known.keys = fresh, pd.Index(wanted)
        return fresh, notes
    notes = pd.DataFrame(columns=["org_type", "org_code", "year", "basis", "detail"])
    pos = known.keys.get_indexer(wanted)
    new = pos < 0
    if new.any():
        fresh, notes = resolve(groups.loc[new].reset_index(drop=True))
        pos[new] = len(known.table) + np.arange(int(new.sum()))
        known.table = pd.concat([known.table, fresh], ignore_index=True)
        known.keys = known.keys.append(pd.Index(wanted[new]))
    return known.table.take(pos).reset_index(drop=True), notes


def _missing_keys_error(resolved: pd.DataFrame, bad_g: np.ndarray, gid: np.ndarray, t: pd.DataFrame, registry: Registry) -> AllocationError:
    from ._allocate import missing_keys_message

    miss = resolved.loc[bad_g, ["org_type", "org_code", "year", "service_class", "missing"]].copy()
    miss.insert(0, "rule_id", t["rule_id"].to_numpy()[resolved.loc[bad_g, "rule_index"].to_numpy()])
    miss["lines"] = np.bincount(gid, minlength=len(resolved))[bad_g]
    message, per_row = missing_keys_message(miss, registry)
    miss["missing"] = per_row
    return AllocationError(message, rows=miss.reset_index(drop=True))


def _unmap_missing_keys(shares: _Shares, ypos: np.ndarray, gid: np.ndarray, bad_g: np.ndarray, missing_g: np.ndarray) -> None:
    """on_missing_key='unmapped': the lines of groups without a key become unmapped, with the reason."""
    shares.lost_any = True
    lost = ypos[bad_g[gid]]
    shares.mapped[lost] = False
    shares.reason_code = shares.reason_code.copy()
    miss_g, miss_vocab = pd.factorize(np.array(["allocation key missing: " + m for m in missing_g[bad_g]], dtype=object))
    per_group = np.full(len(bad_g), -1, dtype="int32")
    per_group[bad_g] = miss_g.astype("int32") + len(shares.reason_texts)
    shares.reason_texts += [str(v) for v in miss_vocab]
    shares.reason_code[lost] = per_group[gid[bad_g[gid]]]
    shares.child_share[lost] = 0.0
    shares.key_code[lost] = -1
    shares.line_colour[lost] = -1


def _annotate(frame: pd.DataFrame, rules: Rules, shares: _Shares) -> pd.DataFrame:
    """Step 4: the ledger's columns (shared, never changed) and the new ones, without copies."""
    t = rules.table
    # lines that lost their key are unmapped: their rule-derived attributes are missing too
    line_rule = np.where(shares.mapped, shares.rule_index, -1) if shares.lost_any else shares.rule_index

    def attr(col: str, drop_empty: bool = False) -> pd.Categorical:
        values = t[col].to_numpy(dtype=object).astype(str)
        cats, inv = np.unique(values, return_inverse=True)
        if drop_empty and len(cats) and cats[0] == "":  # "" sorts first
            cats, inv = cats[1:], inv - 1
        inv = np.append(inv, -1).astype(_code_dtype(len(cats)))
        return _categorical(inv[line_rule], cats.tolist())

    added: dict[str, object] = {"rule_id": attr("rule_id"), "colour": _categorical(shares.line_colour, shares.colours.tolist())}
    for col in ("tier", "sector", "category"):
        added[col] = attr(col, drop_empty=(col == "tier"))
    added["key_used"] = _vocab_categorical(shares.key_code, shares.key_vocab, np.array(shares.key_present))
    added["child_share"] = shares.child_share  # zero on every unmapped line
    added["child_euros"] = frame["amount"].to_numpy() * shares.child_share
    added["mapped"] = shares.mapped
    # every reason text came from at least one unmapped line
    added["reason"] = _vocab_categorical(shares.reason_code, shares.reason_texts, np.ones(len(shares.reason_texts), dtype=bool))
    out = pd.concat([frame, pd.DataFrame(added, index=frame.index, copy=False)], axis=1, **_NO_COPY)
    out.attrs.update(frame.attrs)
    return out

def _reconcile(frame: pd.DataFrame, out: pd.DataFrame) -> LineGroups:
    """Step 5: input = classified + unmapped to the cent, on independent sums per organisation-year-phase."""
    line_groups = LineGroups.of(out)
    cents = line_groups.cents
    bad = cents["total"] != cents["classified"] + cents["unmapped"]
    if bad.any() or len(out) != len(frame):
        in_total, cl_total, un_total = (int(cents[k].sum()) for k in ("total", "classified", "unmapped"))
        raise ReconciliationError(
            say("internal.error", detail=f"input {in_total} cents != classified {cl_total} + unmapped {un_total} "
                                    f"in {int(bad.sum())} organisation-year-phase group(s)"),
            rows=line_groups.groups.loc[bad].reset_index(drop=True),
        )
    return line_groups


def _organisation_years(line_groups: LineGroups) -> pd.DataFrame:
    """The organisation-years of the lines, in order of first appearance."""
    return (
        line_groups.groups.iloc[pd.unique(line_groups.gid)][["org_type", "org_code", "year"]]
        .drop_duplicates()
        .astype({"org_type": object, "org_code": object})
        .reset_index(drop=True)
    )
