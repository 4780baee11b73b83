"""What the reporters share: the run summary, the order of findings, the normalised saving,
and paths relative to the root. The format modules import this module, never the package's
`__init__` (which imports them).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from claudelint.finding import Finding


@dataclass(frozen=True)
class RunSummary:
    """What the summary lines need to know beyond the findings themselves."""

    files_checked: int = 0
    # Fixes applied in this run (with --fix).
    fixed: int = 0
    # Findings whose fix needs --unsafe-fixes (when it is not enabled).
    unsafe_fixes_hidden: int = 0
    # --fix was given.
    fix_mode: bool = False
    # --unsafe-fixes was given: unsafe fixes count as fixable and get the `[*]` marker.
    unsafe_fixes: bool = False
    # Paths or files the run could not check (errors printed on stderr): never "All checks
    # passed!" then.
    errors: int = 0



def sort_key(f: Finding) -> tuple[str, int, int, int, str, str]:
    """Deterministic order: path, notebook cell, line, column, code, message."""
    return (f.path, -1 if f.cell is None else f.cell, f.line, f.column, f.code, f.message)


def normalised_usd(f: Finding, basis_calls: int) -> float:
    """What fixing `f` saves per `basis_calls` calls (0 when it has no cost)."""
    if f.cost is None or f.cost.calls <= 0:
        return 0.0
    return f.cost.usd_saved * basis_calls / f.cost.calls


def relative_to_root(path: str, root: Path) -> PurePosixPath | None:
    """`path` (absolute, or relative to the working directory) relative to `root`, or None
    when it lies outside it."""
    base = Path(os.path.normpath(Path.cwd() / root))
    target = Path(os.path.normpath(Path.cwd() / path))
    for b, t in ((base, target), (base.resolve(), target.resolve())):
        try:
            return PurePosixPath(t.relative_to(b).as_posix())
        except ValueError:
            continue
    return None


def absolute(path: str | Path) -> Path:
    return Path(os.path.normpath(Path.cwd() / path))

