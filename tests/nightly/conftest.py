"""Fixtures for the nightly tests (helpers live in ``nightly_support.py``)."""

from __future__ import annotations

import pytest

from tests.nightly.nightly_support import avoid_cp_sat_repair_hint_abort


@pytest.fixture(autouse=True, scope="session")
def _no_cp_sat_repair_hint_abort() -> None:
    avoid_cp_sat_repair_hint_abort()
