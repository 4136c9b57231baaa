"""Organisations by year: municipalities, wellbeing areas and who belongs where.

The registry answers the questions every cross-boundary figure needs:
which wellbeing area a municipality belonged to in a year, which
municipalities an area had, what an organisation is called in Finnish,
Swedish or English, and which organisation a business ID (Y-tunnus) is.
The default registry is built from the packaged reference data; users can
add organisations of their own (a joint authority, or the fictional ones of
a training exercise) with :meth:`Registry.extend`.
"""

from __future__ import annotations

import difflib
import functools
import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._errors import AllocationError, InputError, LapsibudjettiWarning
from ._labels import LANGS, check_lang, default_lang, say

__all__ = ["Registry", "business_id_ok"]

_BUSINESS_ID = re.compile(r"^\d{7}-\d$")
#: Organisation types whose names and codes are those of the wellbeing areas:
#: ``region`` is a wellbeing area together with its member municipalities
#: (see :func:`lapsibudjetti.region_view`).
_AREA_LIKE = ("wellbeing_area", "region")


def _text(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    out = df.copy()
    for c in cols:
        if c in out:
            out[c] = out[c].astype(object).where(out[c].notna(), None)
            out[c] = [None if v is None or str(v).strip() == "" else str(v).strip() for v in out[c]]
    return out


def _years(s: pd.Series, default: int) -> np.ndarray:
    return pd.to_numeric(s, errors="coerce").fillna(default).astype("int64").to_numpy()


def business_id_ok(business_id: str) -> bool:
    """Whether a business ID (Y-tunnus ``1234567-8``) has the right check digit.

    The digits are weighted 7, 9, 10, 5, 8, 4, 2; the check digit is 0 when
    the sum leaves no remainder by 11, else 11 minus the remainder (a
    remainder of 1 is never issued).

    Examples
    --------
    >>> business_id_ok("0187690-1"), business_id_ok("0187690-2"), business_id_ok("0201256-6")
    (True, False, True)
    """
    if not _BUSINESS_ID.fullmatch(business_id):
        return False
    remainder = sum(int(d) * w for d, w in zip(business_id[:7], (7, 9, 10, 5, 8, 4, 2))) % 11
    return remainder != 1 and int(business_id[8]) == (0 if remainder == 0 else 11 - remainder)



@dataclass(frozen=True)
class Registry:
    """Municipalities, wellbeing areas and memberships, each with validity years.

    Attributes
    ----------
    municipalities
        ``code, business_id, name_fi, name_sv, name_en, valid_from, valid_to, merged_into`` (+ group columns).
    areas
        ``code, name_fi, name_sv, name_en, organiser_type``.
    membership
        ``municipality_code, area_code, valid_from, valid_to``.

    Examples
    --------
    >>> reg = Registry.default()
    >>> reg.area_of(["091", "564"], 2024).tolist()
    ['90', '19']
    >>> reg.name("wellbeing_area", "19", "en")
    'North Ostrobothnia wellbeing services county'
    >>> reg.resolve("Pertunmaa", 2024), reg.resolve("0187690-1", 2024)
    (('municipality', '588'), ('municipality', '564'))
    """

    municipalities: pd.DataFrame
    areas: pd.DataFrame
    membership: pd.DataFrame
    extra: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["org_type", "code", "name_fi", "name_sv", "name_en", "business_id"]))
    source: str = "packaged reference data"

    @classmethod
    def default(cls) -> Registry:
        """The registry built from the packaged reference data."""
        return _default_registry()

    @classmethod
    def _load_default(cls) -> Registry:
        from . import _tables as ref

        return cls(
            municipalities=ref.municipalities(),
            areas=ref.wellbeing_areas(),
            membership=ref.membership(),
        )

    def extend(
        self,
        *,
        municipalities: pd.DataFrame | None = None,
        areas: pd.DataFrame | None = None,
        membership: pd.DataFrame | None = None,
        organisations: pd.DataFrame | None = None,
        source: str = "user",
    ) -> Registry:
        """A new registry with more organisations.

        ``municipalities`` and ``areas`` need at least ``code`` and
        ``name_fi``; ``membership`` needs ``municipality_code, area_code``
        (``valid_from``/``valid_to`` optional); ``organisations`` (e.g.
        joint authorities) needs ``org_type, code, name_fi``.

        Examples
        --------
        >>> reg = Registry.default().extend(
        ...     municipalities=pd.DataFrame({"code": ["X01"], "name_fi": ["Esimerkkilä"]}),
        ...     areas=pd.DataFrame({"code": ["X1"], "name_fi": ["Esimerkin hyvinvointialue"]}),
        ...     membership=pd.DataFrame({"municipality_code": ["X01"], "area_code": ["X1"]}))
        >>> reg.members("X1", 2024)
        ['X01']
        """
        muni, area, mem, extra = self.municipalities, self.areas, self.membership, self.extra
        if municipalities is not None:
            m = self._require(municipalities, ["code", "name_fi"], "municipalities")
            muni = pd.concat([muni, m], ignore_index=True)
        if areas is not None:
            a = self._require(areas, ["code", "name_fi"], "areas")
            if "organiser_type" not in a:
                a["organiser_type"] = "wellbeing_area"
            area = pd.concat([area, a], ignore_index=True)
        if membership is not None:
            b = self._require(membership, ["municipality_code", "area_code"], "membership")
            mem = pd.concat([mem, b], ignore_index=True)
        if organisations is not None:
            o = self._require(organisations, ["org_type", "code", "name_fi"], "organisations")
            extra = pd.concat([extra, o], ignore_index=True)
        for frame, name in ((muni, "municipalities"), (area, "areas")):
            # one row per code, unless the rows are periods (different valid_from)
            keys = [frame["code"].astype(str)]
            if "valid_from" in frame:
                keys.append(pd.to_numeric(frame["valid_from"], errors="coerce").fillna(-1))
            dup = pd.DataFrame({f"k{i}": k for i, k in enumerate(keys)}).duplicated(keep=False)
            if dup.any():
                raise InputError(say("org.codes_twice", name=name, codes=sorted(set(frame.loc[dup, "code"]))), rows=frame.loc[dup])
        return Registry(muni, area, mem, extra, source=f"{self.source} + {source}")

    @staticmethod
    def _require(df: pd.DataFrame, cols: list[str], what: str) -> pd.DataFrame:
        missing = [c for c in cols if c not in df]
        if missing:
            raise InputError(say("org.table_columns", what=what, missing=", ".join(missing), have=", ".join(map(str, df.columns))))
        return _text(df, [c for c in df.columns if c not in ("valid_from", "valid_to")])

    # ------------------------------------------------------------------ lookups
    def membership_in(self, year: int) -> pd.DataFrame:
        """``municipality_code, area_code`` valid in ``year`` (one row per municipality)."""
        m = self.membership
        vf = _years(m["valid_from"], -1) if "valid_from" in m else np.full(len(m), -1)
        vt = _years(m["valid_to"], 10**6) if "valid_to" in m else np.full(len(m), 10**6)
        cur = m.loc[(vf <= year) & (vt >= year), ["municipality_code", "area_code"]].astype(str)
        dup = cur["municipality_code"].duplicated(keep=False)
        if dup.any():
            raise InputError(
                say("org.two_areas", codes=sorted(set(cur.loc[dup, "municipality_code"])), year=year),
                rows=cur.loc[dup],
            )
        return cur.reset_index(drop=True)

    def area_of(self, municipality_codes: list[str] | np.ndarray | pd.Series, year: int) -> np.ndarray:
        """The wellbeing area of each municipality in ``year``.

        Raises
        ------
        AllocationError
            Naming the municipalities that have no membership in that year.
        """
        codes = pd.Series(np.asarray(municipality_codes, dtype=object)).astype(str)
        cur = self.membership_in(year).set_index("municipality_code")["area_code"]
        out = codes.map(cur)
        if out.isna().any():
            missing = sorted(set(codes[out.isna()]))
            why = [self._absence(c, year) for c in missing]
            raise AllocationError(
                say("org.no_membership", year=year, why="; ".join(why)),
                rows=pd.DataFrame({"municipality_code": missing, "year": year, "problem": why}),
            )
        return out.to_numpy(dtype=object)

    def members(self, area_code: str, year: int) -> list[str]:
        """Municipality codes belonging to ``area_code`` in ``year`` (sorted).

        Raises
        ------
        AllocationError
            When the area has no members in that year.
        """
        cur = self.membership_in(year)
        out = sorted(cur.loc[cur["area_code"] == str(area_code), "municipality_code"])
        if not out:
            raise AllocationError(
                say("org.no_members", code=repr(area_code), year=year),
                rows=pd.DataFrame({"area_code": [area_code], "year": [year]}),
            )
        return out

    def name(self, org_type: str, code: str, lang: str | None = None) -> str:
        """Name of an organisation in Finnish, Swedish or English (falls back to Finnish, then the code); default the session's language."""
        lang = check_lang(lang or default_lang())
        table = {"municipality": self.municipalities, "wellbeing_area": self.areas, "region": self.areas}.get(org_type)
        frames = [table] if table is not None else []
        frames.append(self.extra[self.extra["org_type"] == org_type] if len(self.extra) else self.extra)
        for frame in frames:
            if frame is None or len(frame) == 0:
                continue
            hit = frame[frame["code"].astype(str) == str(code)]
            if len(hit):
                row = hit.iloc[-1]
                for col in (f"name_{lang}", "name_fi"):
                    if col in row and isinstance(row[col], str) and row[col]:
                        return row[col]
        return str(code)

    def names(self, org_type: pd.Series, org_code: pd.Series, lang: str | None = None) -> pd.Series:
        """Vector form of :meth:`name` (computed once per distinct organisation); default the session's language."""
        lang = check_lang(lang or default_lang())
        pairs = pd.DataFrame({"t": org_type.astype(str).to_numpy(), "c": org_code.astype(str).to_numpy()})
        by_type: dict[str, dict[str, str]] = {}
        for t in pairs["t"].unique():
            # the same precedence as name(): the type's own table over ``extra``; last row of a code wins
            table = {"municipality": self.municipalities, "wellbeing_area": self.areas, "region": self.areas}.get(t)
            frames = [self.extra[self.extra["org_type"] == t]] if len(self.extra) else []
            frames += [table] if table is not None else []
            found: dict[str, str] = {}
            for frame in frames:
                if len(frame) == 0:
                    continue
                last = frame.assign(_c=frame["code"].astype(str)).drop_duplicates("_c", keep="last")
                for col in ("name_fi", f"name_{lang}"):
                    if col in last:
                        ok = [isinstance(v, str) and v != "" for v in last[col]]
                        found.update(zip(last["_c"][ok], last[col][ok]))
            by_type[t] = found
        return pd.Series([by_type[t].get(c, c) for t, c in pairs.itertuples(index=False)], index=org_code.index)

    def business_ids(self) -> pd.DataFrame:
        """``business_id, org_type, code`` for every organisation with a business ID."""
        frames = []
        if "business_id" in self.municipalities:
            m = self.municipalities[["business_id", "code"]].dropna()
            frames.append(m.assign(org_type="municipality"))
        if "business_id" in self.areas:
            a = self.areas[["business_id", "code"]].dropna()
            frames.append(a.assign(org_type="wellbeing_area"))
        if len(self.extra) and "business_id" in self.extra:
            frames.append(self.extra[["business_id", "code", "org_type"]].dropna())
        out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["business_id", "code", "org_type"])
        out = out[out["business_id"].astype(str).str.len() > 0]
        return out.drop_duplicates("business_id").reset_index(drop=True)

    def knows(self, org_type: str, code: str) -> bool:
        """Whether the registry has an organisation of this type and code."""
        table = {"municipality": self.municipalities, "wellbeing_area": self.areas, "region": self.areas}.get(org_type)
        if table is not None and (table["code"].astype(str) == str(code)).any():
            return True
        return bool(len(self.extra) and ((self.extra["org_type"] == org_type) & (self.extra["code"].astype(str) == str(code))).any())

    # ------------------------------------------------------------ by year
    def _validity(self) -> pd.DataFrame:
        """``code, valid_from, valid_to, merged_into`` with open ends as ±10**6."""
        m = self.municipalities
        return pd.DataFrame({
            "code": m["code"].astype(str).to_numpy(dtype=object),
            "valid_from": _years(m["valid_from"], -(10**6)) if "valid_from" in m else np.full(len(m), -(10**6)),
            "valid_to": _years(m["valid_to"], 10**6) if "valid_to" in m else np.full(len(m), 10**6),
            "merged_into": (m["merged_into"].astype(object).where(m["merged_into"].notna(), None).to_numpy()
                            if "merged_into" in m else np.full(len(m), None, dtype=object)),
        })

    def municipalities_in(self, year: int) -> list[str]:
        """Codes of the municipalities that existed in ``year`` (sorted).

        Examples
        --------
        >>> reg = Registry.default()
        >>> len(reg.municipalities_in(2024)), "588" in reg.municipalities_in(2025)
        (309, False)
        """
        v = self._validity()
        alive = (v["valid_from"] <= year) & (v["valid_to"] >= year)
        return sorted(set(v.loc[alive, "code"]))

    @functools.cached_property
    def _merged_into(self) -> dict[str, object]:
        m = self.municipalities
        return dict(zip(m["code"].astype(str), m["merged_into"])) if "merged_into" in m else {}

    def merger_chain(self, code: str) -> list[str]:
        """``code``, the municipality it merged into, that one's successor, and so on: the one walk of the chain.

        Examples
        --------
        >>> Registry.default().merger_chain("099"), Registry.default().merger_chain("091")
        (['099', '214'], ['091'])
        """
        chain = [str(code)]
        while True:
            nxt = self._merged_into.get(chain[-1])
            if not isinstance(nxt, str) or not nxt or nxt in chain:
                return chain
            chain.append(nxt)

    def successor(self, code: str, year: int) -> str:
        """The municipality whose territory ``code`` belonged to in ``year``.

        The municipality itself if it existed in ``year``; for one merged away
        before ``year``, the municipality it merged into, following chains
        (Honkajoki 099 is part of Kankaanpää 214 from 2021). Used to regroup
        older data on a later division (``membership_year=`` of
        :func:`lapsibudjetti.region_view`).

        Raises
        ------
        InputError
            For an unknown code, or a municipality that did not exist yet in ``year``.

        Examples
        --------
        >>> reg = Registry.default()
        >>> reg.successor("099", 2020), reg.successor("099", 2026), reg.successor("588", 2025)
        ('099', '214', '507')
        """
        v = self._validity().groupby("code", sort=False).agg(valid_from=("valid_from", "min"), valid_to=("valid_to", "max"))
        for cur in self.merger_chain(code):
            if cur not in v.index:
                raise InputError(say("org.unknown_municipality", code=repr(cur)))
            row = v.loc[cur]
            if int(row["valid_from"]) > year:
                raise InputError(say("org.not_yet", code=cur, name=self.name("municipality", cur), year=year, first=int(row["valid_from"])))
            if int(row["valid_to"]) >= year:
                return cur
        raise InputError(say("org.no_successor", code=cur, name=self.name("municipality", cur), last=int(row["valid_to"]), year=year))

    def organiser_type(self, area_code: str) -> str:
        """Who organises social and health services in an area: ``wellbeing_area``, ``municipality`` (Helsinki, 90) or ``none`` (Åland, 91).

        Examples
        --------
        >>> reg = Registry.default()
        >>> reg.organiser_type("19"), reg.organiser_type("90"), reg.organiser_type("91")
        ('wellbeing_area', 'municipality', 'none')
        """
        a = self.areas
        hit = a[a["code"].astype(str) == str(area_code)]
        if hit.empty:
            raise InputError(say("org.unknown_area", code=repr(area_code)))
        value = hit["organiser_type"].iloc[-1] if "organiser_type" in hit else None
        return str(value) if isinstance(value, str) and value else "wellbeing_area"

    def _absence(self, code: str, year: int) -> str:
        """Why a municipality has no membership in ``year``, in words."""
        v = self._validity()
        rows = v[v["code"] == str(code)]
        if rows.empty:
            return say("org.absence_unknown", code=code)
        name = self.name("municipality", str(code))
        last, first = int(rows["valid_to"].max()), int(rows["valid_from"].min())
        if last < year:
            into = rows["merged_into"].iloc[-1]
            if isinstance(into, str) and into:
                return say("org.absence_merged", code=code, name=name, year=year, into=into,
                           into_name=self.name("municipality", into), date_year=last + 1)
            return say("org.absence_gone", code=code, name=name, year=year)
        if first > year:
            return say("org.absence_not_yet", code=code, name=name, year=year)
        return say("org.absence_no_row", code=code, name=name, year=year)

    def _check_alive(self, org_type: str, code: str, year: int | None, given: str) -> tuple[str, str]:
        if year is not None and org_type == "municipality":
            v = self._validity()
            rows = v[v["code"] == code]
            if len(rows) and not ((rows["valid_from"] <= year) & (rows["valid_to"] >= year)).any():
                raise InputError(say("org.not_alive", given=repr(given), absence=self._absence(code, year)))
        return org_type, code

    def resolve(self, value: str | int, year: int | None = None) -> tuple[str, str]:
        """The one organisation a code, business ID or name stands for.

        Parameters
        ----------
        value
            A municipality code (``"091"``; three digits), a wellbeing-area
            code (``"19"``; two digits, ``"90"`` Helsinki, ``"91"`` Åland), a
            business ID (Y-tunnus ``"0187690-1"``) or a name in Finnish,
            Swedish or English (case does not matter), or a code of an
            organisation added with :meth:`extend`.
        year
            When given, a municipality must exist in that year.

        Returns
        -------
        (org_type, code)

        Raises
        ------
        InputError
            For an unknown or ambiguous value (listing the candidates and
            close names), or a municipality that did not exist in ``year``
            (naming the municipality it merged into).

        Examples
        --------
        >>> reg = Registry.default()
        >>> reg.resolve("helsingfors"), reg.resolve("90"), reg.resolve("564")
        (('municipality', '091'), ('wellbeing_area', '90'), ('municipality', '564'))
        >>> reg.resolve("Pohjois-Pohjanmaan hyvinvointialue")
        ('wellbeing_area', '19')
        >>> reg.resolve("Pertunmaa", 2025)
        Traceback (most recent call last):
        ...
        lapsibudjetti._errors.InputError: 'Pertunmaa' on kunta 588 (Pertunmaa), jota ei ollut vuonna 2025: se yhdistyi kuntaan 507 ...
        """
        if isinstance(value, bool) or not isinstance(value, str | int | np.integer):
            raise InputError(say("org.not_text", kind=type(value).__name__))
        text = str(value).strip()
        if not text:
            raise InputError(say("org.empty"))
        if _BUSINESS_ID.fullmatch(text):
            ids = self.business_ids()
            hit = ids[ids["business_id"].astype(str) == text]
            if hit.empty:
                raise InputError(
                    say("org.unknown_business_id_one", id=repr(text)))
            return self._check_alive(str(hit["org_type"].iloc[0]), str(hit["code"].iloc[0]), year, text)
        frames = {"municipality": self.municipalities, "wellbeing_area": self.areas}
        if text.isdigit():
            if len(text) == 3 and self.knows("municipality", text):
                return self._check_alive("municipality", text, year, text)
            if len(text) == 2 and self.knows("wellbeing_area", text):
                return ("wellbeing_area", text)
            if len(text) < 3 and (self.knows("municipality", text.zfill(3)) or self.knows("wellbeing_area", text.zfill(2))):
                raise InputError(say("org.ambiguous_code", text=repr(text), three=repr(text.zfill(3)), two=repr(text.zfill(2))))
            raise InputError(say("org.unknown_code", text=repr(text), where=say("org.where")))
        candidates: list[tuple[str, str]] = []
        for org_type, frame in frames.items():
            if (frame["code"].astype(str) == text).any():
                candidates.append((org_type, text))
        if len(self.extra):
            hit = self.extra[self.extra["code"].astype(str) == text]
            candidates += [(str(t), str(c)) for t, c in zip(hit["org_type"], hit["code"])]
        if not candidates:
            candidates = self._by_name(text, frames, year)
        candidates = sorted(set(candidates))
        if len(candidates) > 1:
            listed = ", ".join(f"{t} {c} ({self.name(t, c)})" for t, c in candidates)
            raise InputError(say("org.several", text=repr(text), listed=listed))
        return self._check_alive(candidates[0][0], candidates[0][1], year, text)

    def _by_name(self, text: str, frames: dict[str, pd.DataFrame], year: int | None) -> list[tuple[str, str]]:
        """Organisations whose name (in any language, any case) is ``text``; close names in the error."""
        key = text.casefold()
        pool: list[tuple[str, str, str]] = []
        extra = self.extra.assign(_t=self.extra["org_type"]) if len(self.extra) else None
        for org_type, frame in list(frames.items()) + ([("", extra)] if extra is not None else []):
            for lang in LANGS:
                col = f"name_{lang}"
                if col not in frame:
                    continue
                types = frame["_t"].astype(str) if org_type == "" else pd.Series(org_type, index=frame.index)
                for t, c, n in zip(types, frame["code"].astype(str), frame[col]):
                    if isinstance(n, str) and n:
                        pool.append((t, c, n))
        candidates = sorted({(t, c) for t, c, n in pool if n.casefold() == key})
        if not candidates:
            close = difflib.get_close_matches(text, sorted({n for _, _, n in pool}), n=5, cutoff=0.75)
            hint = say("org.close", names=", ".join(close)) if close else ""
            raise InputError(say("org.none", text=repr(text), hint=hint))
        if len(candidates) > 1 and year is not None:
            alive = [(t, c) for t, c in candidates if t != "municipality" or c in set(self.municipalities_in(year))]
            candidates = alive or candidates
        return candidates

    def with_org_codes(self, ledger: pd.DataFrame, *, file: str = "<memory>") -> pd.DataFrame:
        """Fill ``org_type`` and ``org_code`` from ``business_id`` where the code is missing.

        The State Treasury's municipal and wellbeing-area data are keyed by
        business ID (Y-tunnus). Lines with a business ID and no ``org_code``
        get the organisation the registry knows by that ID, with a warning
        listing what was resolved; unknown business IDs are an error naming
        them and their rows. :func:`lapsibudjetti.validate_ledger` calls this
        for every ledger with a ``business_id`` column.

        Returns
        -------
        DataFrame
            A new frame (the input itself when there was nothing to fill).

        Raises
        ------
        InputError
            Naming unknown business IDs, or lines whose ``org_type`` disagrees
            with the organisation the business ID belongs to.

        Examples
        --------
        >>> import warnings
        >>> reg = Registry.default()
        >>> with warnings.catch_warnings(record=True) as seen:
        ...     warnings.simplefilter("always")
        ...     out = reg.with_org_codes(pd.DataFrame({"business_id": ["0187690-1"], "amount": [1.0]}))
        >>> out[["org_type", "org_code"]].to_dict("records"), "0187690-1 → municipality 564 (Oulu)" in str(seen[0].message)
        ([{'org_type': 'municipality', 'org_code': '564'}], True)
        """
        if "business_id" not in ledger.columns:
            return ledger

        def blank(s: pd.Series) -> np.ndarray:
            obj = s.astype(object)
            return (obj.isna() | (obj.astype(str).str.strip() == "")).to_numpy()

        n = len(ledger)
        code_blank = blank(ledger["org_code"]) if "org_code" in ledger.columns else np.ones(n, dtype=bool)
        bid = ledger["business_id"].astype(object)
        todo = code_blank & ~blank(bid)
        if not todo.any():
            return ledger
        ids = self.business_ids()
        lookup = {str(b): (str(t), str(c)) for b, t, c in zip(ids["business_id"], ids["org_type"], ids["code"])}
        wanted = bid[todo].astype(str).str.strip().to_numpy()
        rows_ = (ledger["source_row"].to_numpy()[todo] if "source_row" in ledger.columns
                 else np.flatnonzero(todo) + 1)
        files = (ledger["source_file"].astype(object).fillna(file).to_numpy()[todo] if "source_file" in ledger.columns
                 else np.full(int(todo.sum()), file, dtype=object))
        unknown = np.array([w not in lookup for w in wanted])
        if unknown.any():
            bad = pd.DataFrame({"file": files[unknown], "row": rows_[unknown], "column": "business_id",
                                "value": wanted[unknown], "problem": say("org.unknown_business_id")})
            names = sorted(set(wanted[unknown]))
            raise InputError(
                say("org.unknown_business_ids", n=int(unknown.sum()), ids=", ".join(names[:20]) + (" …" if len(names) > 20 else ""),
                    how=say("org.add_business_ids")),
                rows=bad, file=str(bad["file"].iloc[0]), row=int(bad["row"].iloc[0]), column="business_id")
        types = np.array([lookup[w][0] for w in wanted], dtype=object)
        codes = np.array([lookup[w][1] for w in wanted], dtype=object)
        out = ledger.copy()
        if "org_type" in out.columns:
            given = out["org_type"].astype(object).to_numpy()[todo]
            clash = np.array([isinstance(g, str) and g.strip() != "" and g.strip() != t for g, t in zip(given, types)])
            if clash.any():
                bad = pd.DataFrame({"file": files[clash], "row": rows_[clash], "column": "org_type", "value": given[clash],
                                    "problem": [say("org.belongs", id=w, type=t) for w, t in zip(wanted[clash], types[clash])]})
                listed = sorted({say("org.belongs_line", id=w, type=t, given=str(g).strip()) for w, t, g in
                                 zip(wanted[clash], types[clash], given[clash])})
                raise InputError(
                    say("org.type_clash", n=int(clash.sum()), listed="; ".join(listed[:10])), rows=bad, file=str(bad["file"].iloc[0]),
                    row=int(bad["row"].iloc[0]),
                    column="org_type")
            ot = out["org_type"].astype(object).to_numpy(copy=True)
        else:
            ot = np.full(n, None, dtype=object)
        oc = out["org_code"].astype(object).to_numpy(copy=True) if "org_code" in out.columns else np.full(n, None, dtype=object)
        ot[todo] = types
        oc[todo] = codes
        out["org_type"] = ot
        out["org_code"] = oc
        pairs = sorted({f"{w} → {t} {c} ({self.name(t, c)})" for w, t, c in zip(wanted, types, codes)})
        from ._labels import default_lang, text

        warnings.warn(
            text("warn.business_id", default_lang(), n=int(todo.sum()), source=self.source,
                 pairs="; ".join(pairs[:10]) + (" …" if len(pairs) > 10 else "")),
            LapsibudjettiWarning,
            stacklevel=3,
        )
        return out


@functools.lru_cache(maxsize=1)
def _default_registry() -> Registry:
    return Registry._load_default()
