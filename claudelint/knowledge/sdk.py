"""What the user's installed `anthropic` SDK says about models, read from its files.

claudelint ships its model data (`data/models.toml`, `data/sdk.toml`). When the environment it
runs in has a *newer* `anthropic` than the one `data/sdk.toml` was generated from, that SDK may
know of deprecations and models the shipped data does not: its deprecation table
(`DEPRECATED_MODELS`, with the end-of-life date the SDK warns with) and its `ModelParam` list.
This module reads both from the package's source files **without importing it** (importing
`anthropic` costs over a second) and never executes them: the table is a literal, read with
`ast.literal_eval`.

`CLAUDELINT_ANTHROPIC_PATH` overrides where the package is looked for: a folder holding the
`anthropic` package's files, or the empty string for "read no installed SDK" (the test suite sets
it so that no test depends on what happens to be installed).
"""

from __future__ import annotations

import datetime
import functools
import importlib.util
import os
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SDK_PATH_ENV", "InstalledSdk", "find_installed_sdk", "newer_than",
           "parse_end_of_life", "read_sdk", "version_key"]

SDK_PATH_ENV = "CLAUDELINT_ANTHROPIC_PATH"

# Where the deprecation table lives: its own module from 2.13 on, the messages resource before.
_DEPRECATION_FILES = ("_data/deprecated_models.py", "resources/messages/messages.py")
_MODEL_FILES = ("types/model_param.py", "types/model.py")
_VERSION = re.compile(r"""^__version__\s*=\s*["']([^"']+)["']""", re.MULTILINE)
_TABLE = re.compile(r"^DEPRECATED_MODELS\b[^=\n]*=\s*\{", re.MULTILINE)
_MODEL_ID = re.compile(r"""["'](claude-[A-Za-z0-9.\-@:]+)["']""")
_DATE = re.compile(r"\A([A-Z][a-z]+)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\Z")
_MONTHS = {name: i for i, name in enumerate(
    ("January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December"), start=1)}
# Largest file read (the messages resource of older SDKs is ~150 KB).
_MAX_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class InstalledSdk:
    """The installed SDK's version, its deprecation table and its model list."""

    version: str
    path: Path
    # model ID -> end-of-life date, as the SDK's DEPRECATED_MODELS states it
    deprecated: dict[str, datetime.date]
    # The IDs of its ModelParam literal.
    models: tuple[str, ...]


def version_key(version: str) -> tuple[int, ...]:
    """`"2.17.0"` -> `(2, 17, 0)`; a pre-release or odd part counts as its leading digits."""
    parts: list[int] = []
    for piece in version.split("."):
        digits = re.match(r"\d+", piece)
        parts.append(int(digits.group()) if digits else 0)
    return tuple(parts)


def parse_end_of_life(text: str) -> datetime.date | None:
    """`"January 22nd, 2027"` (the SDK's wording) or `"2027-01-22"` -> a date; None otherwise."""
    text = text.strip()
    with_iso = re.fullmatch(r"\d{4}-\d{2}-\d{2}", text)
    try:
        if with_iso:
            return datetime.date.fromisoformat(text)
        m = _DATE.match(text)
        if m and m.group(1) in _MONTHS:
            return datetime.date(int(m.group(3)), _MONTHS[m.group(1)], int(m.group(2)))
    except ValueError:
        return None
    return None


def _read(path: Path) -> str | None:
    try:
        if path.stat().st_size > _MAX_BYTES:
            return None
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _deprecation_table(text: str) -> dict[str, datetime.date]:
    m = _TABLE.search(text)
    if m is None:
        return {}
    import ast  # only here: most runs never read a table

    start = m.end() - 1
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                try:
                    table = ast.literal_eval(text[start:i + 1])
                except (ValueError, SyntaxError, MemoryError, RecursionError):
                    return {}
                break
    else:
        return {}
    result: dict[str, datetime.date] = {}
    if isinstance(table, dict):
        for model, when in table.items():
            day = parse_end_of_life(when) if isinstance(when, str) else None
            if isinstance(model, str) and day is not None:
                result[model] = day
    return result


def read_sdk(package_dir: Path) -> InstalledSdk | None:
    """Read the `anthropic` package in `package_dir` (the folder holding its `__init__.py`);
    None when it is not one (no readable version)."""
    version_text = _read(package_dir / "_version.py")
    version = _VERSION.search(version_text) if version_text else None
    if version is None:
        return None
    deprecated: dict[str, datetime.date] = {}
    for name in _DEPRECATION_FILES:
        text = _read(package_dir / name)
        if text is not None and "DEPRECATED_MODELS" in text:
            deprecated = _deprecation_table(text)
            break
    models: list[str] = []
    for name in _MODEL_FILES:
        text = _read(package_dir / name)
        if text is not None:
            models = list(dict.fromkeys(_MODEL_ID.findall(text)))
            break
    return InstalledSdk(version.group(1), package_dir, deprecated, tuple(models))


@functools.lru_cache(maxsize=1)
def find_installed_sdk() -> InstalledSdk | None:
    """The `anthropic` package of this environment, read without importing it (cached);
    None when there is none, or when `CLAUDELINT_ANTHROPIC_PATH` is set to the empty string."""
    override = os.environ.get(SDK_PATH_ENV)
    if override is not None:
        return read_sdk(Path(override)) if override.strip() else None
    try:
        spec = importlib.util.find_spec("anthropic")  # locates; does not import
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    return read_sdk(Path(spec.origin).parent)


def newer_than(shipped_version: str) -> InstalledSdk | None:
    """The installed SDK when it is newer than `shipped_version` (the one `data/sdk.toml`
    was generated from): only then may its deprecations and model IDs be newer than the
    shipped data."""
    sdk = find_installed_sdk()
    if sdk is None or version_key(sdk.version) <= version_key(shipped_version):
        return None
    return sdk
