"""The one label loader: every text shown to users, in fi/sv/en, from ``data/labels.csv``.

Sheet names, column headers, value labels (``value.<kind>.<code>``: tiers,
sectors, colours, phases, organisation types), chart titles and notes, CLI
lines, the number-format pieces (``fmt.*``) and the wording of measures
(``measure.*``) are rows of one file with one key each. Everything that shows
text calls :func:`text` (or :func:`value_label` for codes); nothing else
reads the file.
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
import os
from collections.abc import Iterator
from importlib import resources

import pandas as pd

from .. import _errors
from .._errors import InputError, ReferenceDataError

__all__ = ["LANGS", "check_lang", "default_lang", "lang_or_default", "interface", "option", "say", "set_interface", "set_lang", "measure_text",
           "text",
           "value_code", "value_label", "value_order"]

#: The languages of every label, in this order.
LANGS: tuple[str, ...] = ("fi", "sv", "en")
_FILE = "lapsibudjetti/data/labels.csv"


@functools.lru_cache(maxsize=1)
def _label_table() -> tuple[dict[str, dict[str, str]], dict[str, int]]:
    raw = resources.files("lapsibudjetti").joinpath("data/labels.csv").read_text(encoding="utf-8")
    df = pd.read_csv(io.StringIO(raw), dtype=str, keep_default_na=False)
    if list(df.columns) != ["key", *LANGS]:
        raise ReferenceDataError(f"{_FILE} must have the columns key,fi,sv,en; it has {','.join(df.columns)}")
    dup = df["key"].duplicated(keep=False)
    if dup.any():
        raise ReferenceDataError(f"{_FILE} has keys twice: " + ", ".join(sorted(set(df.loc[dup, "key"]))), rows=df[dup])
    empty = (df[list(LANGS)] == "").any(axis=1)
    if empty.any():
        raise ReferenceDataError(f"{_FILE} has empty labels; give every key fi, sv and en", rows=df[empty])
    # {nbsp} is written out in the file so that the no-break spaces of numbers stay visible there
    table = {k: {lang: v.replace("{nbsp}", "\u00a0") for lang, v in zip(LANGS, vals)}
             for k, *vals in df.itertuples(index=False, name=None)}
    order = {k: i for i, k in enumerate(df["key"])}
    return table, order


def check_lang(lang: str) -> str:
    """``lang`` if it is one of :data:`LANGS`, else an :class:`~lapsibudjetti.InputError` listing them.

    Examples
    --------
    >>> check_lang("sv")
    'sv'
    """
    if lang not in LANGS:
        raise InputError(say("arg.one_of", name="lang", value=repr(lang), allowed=", ".join(LANGS)))
    return lang


#: The language chosen with :func:`set_lang` (``None``: the environment's or Finnish).
_CHOSEN: list[str] = []
#: The environment variable that sets the language of notebooks and scripts.
LANG_VARIABLE = "LAPSIBUDJETTI_LANG"


def default_lang() -> str:
    """The language used where none is given: :func:`set_lang`'s, else ``$LAPSIBUDJETTI_LANG``, else ``fi``.

    An unknown language in the environment is refused rather than ignored.

    Examples
    --------
    >>> set_lang("sv"); default_lang()
    'sv'
    >>> set_lang(None); default_lang() in LANGS
    True
    """
    if _CHOSEN:
        return _CHOSEN[-1]
    env = os.environ.get(LANG_VARIABLE, "").strip().lower()
    if not env:
        return "fi"
    if env not in LANGS:
        raise InputError(text("arg.one_of", "fi", name=LANG_VARIABLE, value=repr(env), allowed=", ".join(LANGS)))
    return env


def set_lang(lang: str | None) -> None:
    """Choose the language of tables, cards, charts, reports and messages for this Python session (``None``: back to the default).

    Examples
    --------
    >>> set_lang("en"); default_lang()
    'en'
    >>> set_lang(None)
    """
    _CHOSEN.clear()
    if lang is not None:
        _CHOSEN.append(check_lang(lang))


@contextlib.contextmanager
def speaking(lang: str | None) -> Iterator[str]:
    """Inside the block, the session's language is ``lang`` (``None``: unchanged); texts computed there are in it.

    Examples
    --------
    >>> set_lang("fi")
    >>> with speaking("sv"):
    ...     default_lang()
    'sv'
    >>> default_lang(); set_lang(None)
    'fi'
    """
    if lang is None:
        yield default_lang()
        return
    _CHOSEN.append(check_lang(lang))
    try:
        yield lang
    finally:
        if _CHOSEN and _CHOSEN[-1] == lang:
            _CHOSEN.pop()


def lang_or_default(lang: str | None) -> str:
    """``lang`` checked, or :func:`default_lang` when it is ``None``.

    Examples
    --------
    >>> lang_or_default("sv")
    'sv'
    """
    return check_lang(lang) if lang is not None else default_lang()


#: How options are spelled in messages: ``python`` (``population_year='nearest'``) or ``cli`` (``--population-year nearest``).
_INTERFACE: list[str] = ["python"]


def set_interface(interface: str) -> None:
    """Spell options in messages for ``python`` (the library, the default) or the ``cli`` (set by the command)."""
    if interface not in ("python", "cli"):
        raise InputError(say("arg.one_of", name="interface", value=repr(interface), allowed="'python', 'cli'"))
    _INTERFACE[:] = [interface]


def interface() -> str:
    """``cli`` while the command runs, else ``python``: how messages spell options and readers."""
    return _INTERFACE[0]


def option(name: str, value: object = None) -> str:
    """An option as the user gives it: ``population_year='nearest'`` in Python, ``--population-year nearest`` on the command line.

    Examples
    --------
    >>> option("population_year", "nearest")
    "population_year='nearest'"
    >>> set_interface("cli"); option("population_year", "nearest"); set_interface("python")
    '--population-year nearest'
    """
    if _INTERFACE[0] == "cli":
        flag = "--" + name.replace("_", "-")
        return flag if value is None else f"{flag} {value}"
    return f"{name}=..." if value is None else f"{name}={value!r}"


def say(key: str, **values: object) -> str:
    """A label in the session's language (:func:`default_lang`) with its ``{placeholders}`` filled: every message's one way in.

    Examples
    --------
    >>> say("problem.not_one_of", allowed="a, b") in ("ei mikään arvoista a, b", "inte något av a, b", "not one of a, b")
    True
    """
    template = text(key, default_lang())
    return template.format(**values) if values else template


def text(key: str, lang: str = "fi", *, default: str | None = None, **values: object) -> str:
    """A label from ``lapsibudjetti/data/labels.csv`` in ``lang``, with ``{placeholders}`` filled in.

    Parameters
    ----------
    key
        The label key, e.g. ``"col.child_euros"``, ``"value.tier.targeted"``
        or ``"title.tiers"``.
    lang
        ``fi``, ``sv`` or ``en``.
    default
        Returned (formatted) when the key is not in the file; without it an
        unknown key is returned as it is.
    **values
        Values for the placeholders.

    Notes
    -----
    While the command line runs (:func:`interface` ``cli``), a key with a
    ``KEY@cli`` entry takes that one: the same message spelled in the
    command's flags instead of Python arguments.

    Examples
    --------
    >>> text("col.euros_per_child", "fi")
    '€ / lapsi'
    >>> text("note.amounts", "en", measure="net operating cost", target="ages 0–17")
    'Amounts: net operating cost. Target group: ages 0–17.'
    >>> text("title.tiers", "en", year=2019)
    'Child-targeted euros by service tier, 2019'
    >>> text("col.something_new", "sv", default="something_new")
    'something_new'
    """
    check_lang(lang)
    table, _ = _label_table()
    entry = table.get(key + "@cli") if _INTERFACE[0] == "cli" else None
    entry = entry if entry is not None else table.get(key)
    template = entry[lang] if entry is not None else (default if default is not None else key)
    return template.format(**values) if values else template


def _place(kind: str, value: object) -> str:
    """The row or column of an error in the session's language (``rivi 3``, ``rad 3``, ``row 3``)."""
    return text(f"error.place_{kind}", default_lang(), value=value)


_errors.PLACE[:] = [_place]


def population_key_text(target: str) -> str:
    """How a population-share allocation key reads in the session's language (``children 0–17 population share``).

    Examples
    --------
    >>> set_lang("en"); population_key_text("children 0–17"); set_lang(None)
    'children 0–17 population share'
    """
    return say("key.population_share", target=setting_text("target group", target, default_lang()))


def is_population_key(key_text: str) -> bool:
    """Whether an allocation key's text (in any language) is a population share, not a user key.

    Examples
    --------
    >>> is_population_key("0–17-vuotiaat: osuus väestöstä"), is_population_key("pupils (keys.csv)")
    (True, False)
    """
    endings = [text("key.population_share", lang).split("{target}")[-1] for lang in LANGS]
    return any(key_text.endswith(e) for e in endings) or key_text in {text("key.all_ages", lang) for lang in LANGS}


def basis_text(basis: object, lang: str) -> str:
    """A rule's basis in ``lang``: the packaged rules' phrases (labels ``basis.<English phrase>``) translated part by part.

    A basis the user wrote stays as written; so does any part without a translation.

    Examples
    --------
    >>> basis_text("red by default: not child-targeted (project choice); any more specific rule above overrides it", "fi")
    'oletuksena punainen: ei kohdistu lapsiin (projektin valinta); mikä tahansa tarkempi yllä oleva sääntö ohittaa sen'
    >>> basis_text("Valtuuston päätös 12/2024", "en")
    'Valtuuston päätös 12/2024'
    """
    raw = value_code(basis)
    return "; ".join(text(f"basis.{part}", lang, default=part) for part in raw.split("; "))


@functools.lru_cache(maxsize=1)
def _basis_phrases() -> dict[str, str]:
    table, _ = _label_table()
    return {entry[lang]: key[len("basis."):] for key, entry in table.items() if key.startswith("basis.") for lang in LANGS}


def basis_canonical(basis: str) -> str:
    """A basis read from a rules file with the packaged phrases in any language turned back into their one (English) text.

    So a workbook written in Finnish and read back holds the same rules (a rules diff shows only what a participant changed).

    Examples
    --------
    >>> basis_canonical("oletuksena punainen: ei kohdistu lapsiin (projektin valinta); oma huomautus")
    'red by default: not child-targeted (project choice); oma huomautus'
    """
    phrases = _basis_phrases()
    return "; ".join(phrases.get(part, part) for part in str(basis).split("; "))


def key_text(key: object, lang: str) -> str:
    """An allocation key of the rules syntax with its kind in ``lang`` (``väestö:0-17``); the loader reads it back.

    Examples
    --------
    >>> key_text("population:0-17", "fi"), key_text("user:pupils", "sv"), key_text("", "fi")
    ('väestö:0-17', 'egen:pupils', '')
    """
    raw = value_code(key)
    kind, colon, arg = raw.partition(":")
    if not raw or text(f"value.key.{kind}", lang, default="") == "":
        return raw
    return text(f"value.key.{kind}", lang) + (colon + arg if colon else "")


def value_code(v: object) -> str:
    """The code of a value as a label key part: ``""`` for a missing value.

    Examples
    --------
    >>> value_code(None), value_code(float("nan")), value_code("sote")
    ('', '', 'sote')
    """
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(v)


def value_label(kind: str, v: object, lang: str = "fi") -> str:
    """The label of a code (``value.<kind>.<code>``), or the code itself when it has none.

    Examples
    --------
    >>> value_label("tier", "corrective", "en")
    'corrective services'
    >>> value_label("sector", "sote", "sv")
    'social- och hälsovård'
    >>> value_label("sector", None, "en")
    'no sector'
    """
    code = value_code(v)
    return text(f"value.{kind}.{code}", lang, default=code)


def value_order(kind: str, v: object) -> int:
    """Where a code's label stands in the file (so tables list tiers and sectors in one order)."""
    _, order = _label_table()
    return order.get(f"value.{kind}.{value_code(v)}", len(order))


def measure_text(measure: str, lang: str) -> str:
    """The wording of a measure (``"net operating cost"``) in ``lang``; else as given.

    Examples
    --------
    >>> measure_text("Net operating cost", "fi")
    'nettokäyttökustannukset'
    >>> measure_text("euros of our own kind", "sv")
    'euros of our own kind'
    """
    return text(f"measure.{measure.strip().lower()}", lang, default=measure)


def setting_text(setting: str, value: object, lang: str) -> str:
    """A method setting's value in ``lang`` (``settingvalue.<value>`` in the labels; measures as :func:`measure_text`); else as given.

    Free text (a file name, a population source) stays as it is.

    Examples
    --------
    >>> setting_text("population year", "nearest", "fi")
    'lähimmän vuoden väestö'
    >>> setting_text("measure", "net operating cost", "sv")
    'nettodriftskostnader'
    >>> setting_text("rules source", "saannot.xlsx", "en")
    'saannot.xlsx'
    """
    raw = "" if value is None else str(value)
    if setting == "measure":
        return measure_text(raw, lang)
    return text(f"settingvalue.{raw}", lang, default=raw)
