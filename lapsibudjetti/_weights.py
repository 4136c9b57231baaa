"""Age-cost weights for allocation keys (``weighted:NAME``): the population by age weighted by what each age costs.

A weight table says what one resident of each age costs in a service, in
relative terms (e.g. the state's health-care base prices by age). The child
share of an organisation's spend is then

    Σ_{a in target ages} persons(a) × weight(a)  /  Σ_{all a} persons(a) × weight(a),

so a key follows how the service is used instead of the plain head count.
The packaged tables live in ``lapsibudjetti/data/weights/`` with their
source; users add their own (e.g. a hospital district's cost by age) with
``child_budget(weights={"name": frame_or_path})``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ._errors import InputError, ReferenceDataError
from .reference._labels import say

__all__ = ["AgeWeights", "age_weights", "packaged_weights"]

MAX_AGE = 100


@dataclass(frozen=True)
class AgeWeights:
    """Relative cost of one resident by single year of age (0 … 100 = 100 and over).

    Examples
    --------
    >>> w = age_weights("health_care_2014")
    >>> float(w.by_age[5]), float(w.by_age[40]), float(w.by_age[90])
    (940.05, 1018.36, 8019.4)
    >>> w.share(np.array([[100.0] * 18 + [0.0] * 83]), (0, 17)).round(3).tolist()
    [1.0]
    """

    name: str
    by_age: np.ndarray
    source: str
    unit: str = ""
    year: int | None = None

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, name: str, source: str = "user") -> AgeWeights:
        """Bands ``age_from, age_to`` (empty ``age_to`` = and older) with a ``weight``; every age 0–100 exactly once."""
        df = frame.copy()
        df.columns = [str(c).strip() for c in df.columns]
        missing = [c for c in ("age_from", "weight") if c not in df.columns]
        if missing:
            raise InputError(say("weights.columns", name=repr(name), missing=", ".join(missing), have=", ".join(df.columns)), file=source)
        lo = pd.to_numeric(df["age_from"], errors="coerce")
        hi = pd.to_numeric(df["age_to"], errors="coerce") if "age_to" in df.columns else pd.Series(np.nan, index=df.index)
        hi = hi.fillna(MAX_AGE)
        w = pd.to_numeric(df["weight"], errors="coerce")
        bad = lo.isna() | w.isna() | (w < 0) | (lo < 0) | (hi > MAX_AGE) | (lo > hi) | (lo % 1 != 0) | (hi % 1 != 0)
        if bad.any():
            raise InputError(say("weights.bad_rows", name=repr(name), n=int(bad.sum())), rows=df.loc[bad], file=source, column="weight")
        vec = np.full(MAX_AGE + 1, np.nan)
        count = np.zeros(MAX_AGE + 1, dtype=int)
        for a, b, v in zip(lo.astype(int), hi.astype(int), w.astype(float)):
            vec[a:b + 1] = v
            count[a:b + 1] += 1
        gaps, twice = np.flatnonzero(count == 0), np.flatnonzero(count > 1)
        if len(gaps) or len(twice):
            what = "; ".join(([say("weights.gaps", ages=_ages(gaps))] if len(gaps) else [])
                             + ([say("weights.twice", ages=_ages(twice))] if len(twice) else []))
            raise InputError(say("weights.every_age", name=repr(name), what=what), file=source)
        unit = str(df["unit"].iloc[0]) if "unit" in df.columns and len(df) else ""
        src = str(df["source"].iloc[0]) if "source" in df.columns and len(df) else source
        year = int(df["year"].iloc[0]) if "year" in df.columns and len(df) and str(df["year"].iloc[0]).strip().isdigit() else None
        return cls(name=name, by_age=vec, source=src, unit=unit, year=year)

    @classmethod
    def read(cls, path: str | Path, *, name: str | None = None) -> AgeWeights:
        """Read a weight table from CSV (``,`` or ``;``, decimal comma accepted) or XLSX."""
        from .read._tables import read_text_table

        path = Path(path)
        df = read_text_table(path, what="age weights", numeric=("age_from", "age_to", "weight"))
        return cls.from_frame(df, name=name or path.stem, source=path.name)

    def share(self, persons_by_age: np.ndarray, ages: tuple[int, int]) -> np.ndarray:
        """The weighted share of ``ages`` for each row of ``persons_by_age`` (organisations × ages 0–100); NaN without people."""
        weighted = np.asarray(persons_by_age, dtype=float) * self.by_age
        lo, hi = ages[0], min(ages[1], MAX_AGE)
        part, whole = weighted[:, lo:hi + 1].sum(axis=1), weighted.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(whole > 0, part / whole, np.nan)


def _ages(ages: np.ndarray) -> str:
    return ", ".join(str(a) for a in ages[:10]) + (" …" if len(ages) > 10 else "")


@functools.cache
def packaged_weights() -> dict[str, AgeWeights]:
    """The packaged weight tables by name (``data/weights/<name>.csv``)."""
    out = {}
    for entry in resources.files("lapsibudjetti").joinpath("data/weights").iterdir():
        if entry.name.endswith(".csv"):
            import io

            frame = pd.read_csv(io.StringIO(entry.read_text(encoding="utf-8")), dtype=str, keep_default_na=False)
            frame = frame.replace("", np.nan)
            try:
                out[entry.name[:-4]] = AgeWeights.from_frame(frame, name=entry.name[:-4], source=f"lapsibudjetti/data/weights/{entry.name}")
            except InputError as exc:  # pragma: no cover - packaged data
                raise ReferenceDataError(say("ref.weights_broken", name=entry.name, error=exc)) from None
    return out


def age_weights(name: str, extra: Mapping[str, AgeWeights] | None = None) -> AgeWeights:
    """A weight table by name: the user's (``extra``) first, then the packaged ones."""
    if extra and name in extra:
        return extra[name]
    packaged = packaged_weights()
    if name in packaged:
        return packaged[name]
    known = sorted({*packaged, *(extra or {})})
    raise InputError(say("weights.unknown", name=repr(name), known=", ".join(known)))


def weights_of(given: Mapping[str, AgeWeights | pd.DataFrame | str | Path] | None) -> dict[str, AgeWeights]:
    """The user's weight tables as :class:`AgeWeights`, by name."""
    out: dict[str, AgeWeights] = {}
    for name, value in (given or {}).items():
        if isinstance(value, AgeWeights):
            out[str(name)] = value
        elif isinstance(value, pd.DataFrame):
            out[str(name)] = AgeWeights.from_frame(value, name=str(name))
        elif isinstance(value, str | Path):
            out[str(name)] = AgeWeights.read(value, name=str(name))
        else:
            raise InputError(say("arg.type", name=f"weights[{name!r}]", expected=say("what.weights"), got=type(value).__name__))
    return out
