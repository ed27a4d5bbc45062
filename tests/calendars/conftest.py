"""Import set-up for the calendars tests.

The builders live beside the tests in ``calendar_builders.py``; this folder goes on
``sys.path`` so every test module can import them whatever pytest's import mode. The
repository root goes first, so ``import calendars`` is the package and never this
folder read as a namespace package (which "prepend" mode would otherwise do).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = str(HERE.parents[1])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
if str(HERE) not in sys.path:
    sys.path.append(str(HERE))
_loaded = sys.modules.get("calendars")
if _loaded is not None and getattr(_loaded, "__file__", None) is None:
    for _name in [n for n in sys.modules if n == "calendars" or n.startswith("calendars.")]:
        del sys.modules[_name]  # a namespace stand-in imported before this ran
