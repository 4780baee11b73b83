"""claudelint: a linter for Claude Messages API call sites."""

from __future__ import annotations

from pathlib import Path as _Path

__version__ = "0.1.0"

# The rules live in the top-level `rules/` folder and ship as `claudelint.rules` (setuptools
# `package-dir`). When this package is imported straight from a source checkout (for example
# `python -m pytest` run in the repository root puts the checkout first on sys.path), make
# `claudelint.rules` resolve to that folder too, as it does when installed.
_here = _Path(__file__).parent
if not (_here / "rules").is_dir() and (_here.parent / "rules" / "__init__.py").is_file():
    __path__.append(str(_here.parent))
