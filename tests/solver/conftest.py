"""Import set-up for the solver tests.

The builders live beside the tests in ``solver_builders.py``; this folder goes on
``sys.path`` so every test module can import them whatever pytest's import mode.
The repository root goes there too, so ``import solver`` is the package and never
this folder read as a namespace package (which ``prepend`` mode would do).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for path in (str(HERE), str(HERE.parents[1])):
    if path not in sys.path:
        sys.path.append(path)
loaded = sys.modules.get("solver")
if loaded is not None and getattr(loaded, "__file__", None) is None:
    for name in [n for n in sys.modules if n == "solver" or n.startswith("solver.")]:
        del sys.modules[name]
