"""Traffic weights: how many times a day each call site runs, to turn per-call costs into
dollars per month.

Two sources, the closer one winning:
- a comment on the call's line or directly above it: `# claudelint: calls-per-day=5000`;
- the `[traffic]` table of the config (`[tool.claudelint.traffic]` in pyproject.toml), which
  maps patterns to calls per day, like `per-file-ignores` maps them to codes:
  `"app/chat.py" = 20000` (every call site in matching files) or
  `"app/jobs.py::nightly_*" = 50` (call sites inside functions of a matching name).
  A `::function` entry beats a path-only entry; among entries of the same kind the last
  matching one in the table wins.
A weight is per call site: every site a pattern matches is taken to run that often.
"""

from __future__ import annotations

import fnmatch
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from claudelint.patterns import per_file_matches, validate_glob
from claudelint.settings import Settings

DAYS_PER_MONTH = 30
FUNCTION_SEP = "::"

# `# claudelint: calls-per-day=5000` (spaces allowed around ':' and '=').
_COMMENT = re.compile(r"#\s*claudelint\s*:\s*calls-per-day\s*=\s*([^\s#]*)", re.IGNORECASE)
_FUNCTION_NAME = re.compile(r"^[A-Za-z_*?\[\]!][A-Za-z0-9_*?\[\]!]*$")


def parse_calls_per_day(value: object) -> float | None:
    """A weight from config or a comment: a finite number >= 0 (`_` allowed in comment
    text, as in Python literals); None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.replace("_", "")) if value.strip() else None
        except ValueError:
            return None
    if not isinstance(value, (int, float)):
        return None
    number = float(value)
    if not math.isfinite(number) or number < 0:
        return None
    return number


def split_key(key: str) -> tuple[str, str | None]:
    """`"path/glob::function"` -> ("path/glob", "function"); no `::`: (key, None)."""
    path, sep, function = key.rpartition(FUNCTION_SEP)
    if not sep:
        return key, None
    return path, function


def key_problem(key: str) -> str | None:
    """Why a `[traffic]` key is unusable, or None."""
    path, function = split_key(key)
    if function is not None:
        if not function:
            return "nothing after '::' (write 'path::function_name')"
        if not _FUNCTION_NAME.match(function):
            return (f"'{function}' is not a function name (a plain name, wildcards allowed, "
                    "as in 'handle_*')")
        if not path:
            return "nothing before '::' (write '**::function_name' for any file)"
    problem = validate_glob(path)
    return f"bad pattern '{path}': {problem}" if problem else None


def comment_weight(lines: Sequence[str], first: int, call_line: int) -> tuple[float | None,
                                                                             str | None, int]:
    """The `calls-per-day` comment for a call whose statement starts on line `first` and whose
    call starts on `call_line` (1-based): on a line from `first` through `call_line`, or in
    the comment-only lines directly above `first`. Returns (weight, problem, line): weight
    None and problem set when the comment's value is not a number >= 0; line 0 when there is
    no comment."""
    candidates = list(range(call_line, first - 1, -1))
    above = first - 1
    while 0 < above <= len(lines) and lines[above - 1].lstrip().startswith("#"):
        candidates.append(above)
        above -= 1
    for n in candidates:
        if not 0 < n <= len(lines):
            continue
        m = _COMMENT.search(lines[n - 1])
        if m is None:
            continue
        weight = parse_calls_per_day(m.group(1))
        if weight is None:
            return None, (f"calls-per-day={m.group(1)!s}: expected a number of calls per day "
                          "(>= 0)"), n
        return weight, None, n
    return None, None, 0


@dataclass(frozen=True)
class Weight:
    calls_per_day: float
    # Where it came from: "comment (line 12)" or "pyproject.toml [traffic] \"app/*.py\"".
    source: str


def config_weight(settings: Settings, path: str | Path, function: str | None) -> Weight | None:
    """The `[traffic]` weight of a call site in file `path` (inside `function`, None at
    module level): the last matching `::function` entry, else the last matching path entry."""
    if not settings.traffic:
        return None
    best: tuple[int, str, float] | None = None
    for key, calls in settings.traffic:
        pattern, fn_pattern = split_key(key)
        rank = 1 if fn_pattern is not None else 0
        if fn_pattern is not None and (function is None
                                       or not fnmatch.fnmatchcase(function, fn_pattern)):
            continue
        if best is not None and best[0] > rank:
            continue
        if per_file_matches(settings, pattern, path):
            best = (rank, key, calls)
    if best is None:
        return None
    where = settings.config_path.name if settings.config_path is not None else "config"
    return Weight(best[2], f'{where} [traffic] "{best[1]}"')


def per_month(usd_per_call: float, calls_per_day: float) -> float:
    return usd_per_call * calls_per_day * DAYS_PER_MONTH


def format_calls_per_day(calls: float) -> str:
    return f"{calls:,.0f}" if calls == int(calls) else f"{calls:,.2f}"
