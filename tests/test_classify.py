"""Classification: every line gets exactly one rule (the most specific) or is unmapped with a reason."""

from __future__ import annotations

import numpy as np
import pytest

import lapsibudjetti as lb
from lapsibudjetti._classify import classify
from lapsibudjetti._rules import rules_from_iterable

BASE = {"colour": "green", "tier": "universal", "sector": "sivistys", "category": "basic_education", "basis": "test"}


def _ledger() -> "lb.ChildBudget":
    return lb.make_ledger({"org_code": ["091", "091", "564"], "year": [2022] * 3,
                           "service_class": ["3051", "3051", "2131"], "account": ["4000", "4300", "4000"],
                           "amount": [10.0, 20.0, 30.0]}, org_type="municipality", phase="actual")


def test_most_specific_rule_wins_and_the_rest_is_unmapped_with_a_reason() -> None:
    rules = rules_from_iterable([
        {"rule_id": "class", "service_class": "3051", **BASE},
        {"rule_id": "class_and_account", "service_class": "3051", "account": "4300", **BASE},
    ])
    c = classify(_ledger(), rules)
    ids = rules.table["rule_id"].to_numpy()
    assert [ids[i] if i >= 0 else None for i in c.rule_index] == ["class", "class_and_account", None]
    assert c.reason[2] and c.reason[0] == ""


def test_equally_specific_rules_on_one_line_are_an_error_naming_both() -> None:
    with pytest.raises(lb.RuleError) as err:  # found when the rules load, before any line is classified
        rules = rules_from_iterable([
            {"rule_id": "a", "service_class": "3051", **BASE},
            {"rule_id": "b", "service_class": "3051", **BASE},
        ])
        classify(_ledger(), rules)
    assert "a" in str(err.value) and "b" in str(err.value)


def test_the_result_does_not_depend_on_line_order() -> None:
    led = _ledger()
    rules = lb.default_rules()
    forward = classify(led, rules).rule_index
    backward = classify(led.iloc[::-1].reset_index(drop=True), rules).rule_index[::-1]
    assert np.array_equal(forward, backward)
