"""Shared test fixtures and the hypothesis profiles.

The default ``ci`` profile runs 40 derandomised examples
so that the suite time stays predictable; ``HYPOTHESIS_PROFILE=dev`` explores more.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=25, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("dev", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
KTA14 = SHARED / "nettokayttokustannukset_tehtavittain_kunnat_2015_2019__budgetr_statfin_kta14.csv"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real data folder beside the repo; skips loudly when it is absent."""
    if not KTA14.exists():
        pytest.skip(f"SKIPPED: ../shared/data not found at {SHARED}: the real-data checks did not run")
    return SHARED


@pytest.fixture(autouse=True)
def _session_language():  # type: ignore[no-untyped-def]
    """Every test starts in the default language (Finnish unless $LAPSIBUDJETTI_LANG says otherwise); set_lang() does not leak."""
    import lapsibudjetti as lb

    lb.set_lang(None)
    yield
    lb.set_lang(None)
