"""Loads the emutest harness (pytests/emutest/) as a pytest plugin; see docs/testing.md."""

import sys
from pathlib import Path

_here = str(Path(__file__).resolve().parent)
if _here not in sys.path:
    sys.path.insert(0, _here)

pytest_plugins = ["emutest.plugin", "pytester"]
