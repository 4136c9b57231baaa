"""The organisation registry: codes, names and business IDs resolve; merged municipalities have successors."""

from __future__ import annotations

import pytest

import lapsibudjetti as lb


@pytest.fixture(scope="module")
def reg() -> lb.Registry:
    return lb.Registry.default()


def test_resolve_by_code_name_and_padding(reg: lb.Registry) -> None:
    assert reg.resolve("091") == ("municipality", "091")
    assert reg.resolve("Oulu") == ("municipality", "564")
    assert reg.resolve(91) == ("wellbeing_area", "91")  # two digits: Statistics Finland's area key (Åland)


def test_unknown_organisation_is_an_input_error(reg: lb.Registry) -> None:
    with pytest.raises(lb.InputError):
        reg.resolve("Atlantis")


def test_names_in_three_languages(reg: lb.Registry) -> None:
    assert reg.name("municipality", "091", "fi") == "Helsinki"
    assert reg.name("municipality", "091", "sv") == "Helsingfors"


def test_merged_municipality_has_its_successor(reg: lb.Registry) -> None:
    assert reg.successor("099", 2020) == "099"
    assert reg.successor("099", 2026) != "099"


def test_membership_of_a_year_maps_municipalities_to_areas(reg: lb.Registry) -> None:
    m = reg.membership_in(2023).set_index("municipality_code")["area_code"]
    assert m["564"] == reg.area_of(["564"], 2023)[0]
    assert "564" in reg.members(str(m["564"]), 2023)
