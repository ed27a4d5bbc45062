"""Fixtures for the nightly tests (helpers live in ``nightly_support.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.nightly.nightly_support import avoid_cp_sat_repair_hint_abort


@pytest.fixture(autouse=True, scope="module")
def _no_cp_sat_repair_hint_abort() -> Iterator[None]:
    undo = avoid_cp_sat_repair_hint_abort()
    yield
    undo()
