"""Fixtures for the calendars tests.

``tests/calendars`` has no ``__init__.py`` (it would shadow the real package), but
pytest's default "prepend" import mode still puts ``tests/`` on ``sys.path``, where
this folder looks like a namespace package called ``calendars``. Putting the
repository root first makes ``import calendars`` find the real one.
(``pythonpath = ["."]`` in the pytest configuration would do the same.)
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
_loaded = sys.modules.get("calendars")
if _loaded is not None and getattr(_loaded, "__file__", None) is None:
    del sys.modules["calendars"]  # a namespace stand-in imported before this ran
