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

import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._errors import AllocationError, InputError

__all__ = ["Registry"]

_LANGS = ("fi", "sv", "en")


def _text(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    out = df.copy()
    for c in cols:
        if c in out:
            out[c] = out[c].astype(object).where(out[c].notna(), None)
            out[c] = [None if v is None or str(v).strip() == "" else str(v).strip() for v in out[c]]
    return out


def _years(s: pd.Series, default: int) -> np.ndarray:
    return pd.to_numeric(s, errors="coerce").fillna(default).astype("int64").to_numpy()


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
    'Wellbeing services county of North Ostrobothnia'
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
        from . import _reference as ref

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
            dup = frame["code"].astype(str).duplicated(keep=False) & frame.get("valid_from", pd.Series(0, index=frame.index)).isna()
            if dup.any():
                raise InputError(f"{name}: code(s) {sorted(set(frame.loc[dup, 'code']))} given twice", rows=frame.loc[dup])
        return Registry(muni, area, mem, extra, source=f"{self.source} + {source}")

    @staticmethod
    def _require(df: pd.DataFrame, cols: list[str], what: str) -> pd.DataFrame:
        missing = [c for c in cols if c not in df]
        if missing:
            raise InputError(f"{what} table needs column(s) {', '.join(missing)}; it has {', '.join(map(str, df.columns))}")
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
                f"municipality/ies {sorted(set(cur.loc[dup, 'municipality_code']))} belong to two areas in {year}; "
                "fix the membership validity years",
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
            raise AllocationError(
                f"no wellbeing-area membership in {year} for municipality/ies {', '.join(missing)}. "
                "Add it with Registry.extend(membership=...)",
                rows=pd.DataFrame({"municipality_code": missing, "year": year}),
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
                f"wellbeing area {area_code!r} has no member municipalities in {year} in the registry",
                rows=pd.DataFrame({"area_code": [area_code], "year": [year]}),
            )
        return out

    def name(self, org_type: str, code: str, lang: str = "fi") -> str:
        """Name of an organisation in Finnish, Swedish or English (falls back to Finnish, then the code)."""
        if lang not in _LANGS:
            raise InputError(f"unknown language {lang!r}; use one of {', '.join(_LANGS)}")
        table = {"municipality": self.municipalities, "wellbeing_area": self.areas}.get(org_type)
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

    def names(self, org_type: pd.Series, org_code: pd.Series, lang: str = "fi") -> pd.Series:
        """Vector form of :meth:`name` (computed once per distinct organisation)."""
        pairs = pd.DataFrame({"t": org_type.astype(str).to_numpy(), "c": org_code.astype(str).to_numpy()})
        uniq = pairs.drop_duplicates()
        lookup = {(t, c): self.name(t, c, lang) for t, c in uniq.itertuples(index=False)}
        return pd.Series([lookup[(t, c)] for t, c in pairs.itertuples(index=False)], index=org_code.index)

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
        table = {"municipality": self.municipalities, "wellbeing_area": self.areas}.get(org_type)
        if table is not None and (table["code"].astype(str) == str(code)).any():
            return True
        return bool(len(self.extra) and ((self.extra["org_type"] == org_type) & (self.extra["code"].astype(str) == str(code))).any())


@functools.lru_cache(maxsize=1)
def _default_registry() -> Registry:
    return Registry._load_default()
