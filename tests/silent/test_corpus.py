"""Issue 14's adversarial corpus (``make_corpus.py``): each file is read exactly or refused with a located message."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import lapsibudjetti as lb
from lapsibudjetti._schema import amount_cents

sys.path.insert(0, str(Path(__file__).parent))
from make_corpus import Case, write_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Case, Path]]:
    folder = tmp_path_factory.mktemp("corpus")
    return {c.name: (c, folder / c.name) for c in write_corpus(folder)}


def _names() -> list[str]:
    from make_corpus import _cases

    return [case.name for case, _ in _cases()]


def _read(case: Case, path: Path) -> object:
    if case.read == "keys":
        return lb.KeyTable.read(path)
    return lb.read_ledger(path, check_codes=False, **case.kwargs)


@pytest.mark.parametrize("name", _names())
def test_corpus_file(corpus: dict[str, tuple[Case, Path]], name: str) -> None:
    lb.set_lang("en")  # the problem texts asserted below are the English ones
    case, path = corpus[name]
    if case.expect == "refuse":
        with pytest.raises(lb.InputError, match=case.match) as err:
            _read(case, path)
        message = str(err.value)
        assert path.name in message, message  # the file is named
        if case.row is not None:
            assert err.value.row == case.row, message
        return
    ledger = _read(case, path)
    assert len(ledger) == case.lines  # type: ignore[arg-type]
    assert int(amount_cents(ledger["amount"]).sum()) == case.cents  # type: ignore[index]
    names = set(ledger["cost_centre"].astype(str))  # type: ignore[index]
    for text in case.texts:
        assert text in names, (text, names)


def test_the_corpus_covers_every_silent_class() -> None:
    from make_corpus import CLASSES, _cases

    assert {case.klass for case, _ in _cases()} == set(CLASSES)
