"""Make ``import solver`` find the package, not this test folder.

``tests/solver`` has no ``__init__.py``, so with pytest's default import mode the
folder ``tests/`` lands on ``sys.path`` and ``solver`` would resolve to this
folder as a namespace package (the editable install's finder runs after the
path finder). Putting the repository root on ``sys.path`` lets the real package
win. (A ``pythonpath = ["."]`` in pyproject's pytest section would make this moot.)
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.append(ROOT)
loaded = sys.modules.get("solver")
if loaded is not None and getattr(loaded, "__file__", None) is None:
    for name in [n for n in sys.modules if n == "solver" or n.startswith("solver.")]:
        del sys.modules[name]
