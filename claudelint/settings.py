"""Resolved settings for one run (or one directory's config file).

`config.py` builds these from `.claudelint.toml` / `claudelint.toml` / `[tool.claudelint]`;
the command line overrides fields with `dataclasses.replace`.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The one place that decides what "today" is. Verdicts that depend on the date (a deprecated
# model whose retirement date has passed is retired) read `Settings.today`, which defaults to
# this. `CLAUDELINT_TODAY=YYYY-MM-DD` pins it: the test suite pins it, and a user can ask
# "what will fail on that date?".
TODAY_ENV = "CLAUDELINT_TODAY"


def current_date() -> datetime.date:
    """`CLAUDELINT_TODAY` when set, else the real date. Raises ValueError on a malformed
    `CLAUDELINT_TODAY` (the command line reports it and exits 2)."""
    pinned = os.environ.get(TODAY_ENV, "").strip()
    if pinned:
        try:
            return datetime.date.fromisoformat(pinned)
        except ValueError:
            raise ValueError(f"{TODAY_ENV}={pinned!r} is not a date (YYYY-MM-DD)") from None
    return datetime.date.today()

DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".ipynb_checkpoints",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    ".claudelint_cache",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
)


@dataclass(frozen=True)
class Settings:
    # Rule selection: codes, code prefixes ("CL1") or rule names, as written by the user.
    select: tuple[str, ...] = ("CL",)
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    # glob pattern -> codes/prefixes/names ignored for matching files
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDES
    extend_exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    force_exclude: bool = False
    unsafe_fixes: bool = False
    output_format: str = "full"
    default_model: str | None = None
    extend_client_factories: tuple[str, ...] = ()
    cost_basis_calls: int = 1000
    # Warn (once per run, on stderr) when the shipped model data is more than 90 days old.
    stale_data_warning: bool = True
    # Extra or overriding model entries, same shape as data/models.toml [[model]] tables.
    models: tuple[dict[str, Any], ...] = ()
    # rule name -> option name -> value
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    # `[traffic]`: pattern ("path/glob" or "path/glob::function") -> calls per day, in the
    # config's order (see workspace/traffic.py). Weights turn per-call costs into $/month.
    traffic: tuple[tuple[str, float], ...] = ()
    # The config file these settings came from (None: defaults) and the folder that anchors
    # its relative patterns.
    config_path: Path | None = None
    root: Path | None = None
    # Import roots for project-wide resolution (`from pkg.prompts import SYSTEM`), absolute,
    # in search order: the config's `src` (anchored at the folder of the file that wrote it),
    # else `root` and `root/src` (as ruff). None (settings built by hand): `root` and
    # `root/src`, or the working directory and its `src` when there is no root either.
    src: tuple[Path, ...] | None = None
    # The date that date-dependent verdicts are judged on (see `current_date`).
    today: datetime.date = field(default_factory=current_date)

    def option(self, rule_name: str, key: str, default: Any) -> Any:
        return self.options.get(rule_name, {}).get(key, default)


def default_src(root: Path) -> tuple[Path, ...]:
    """The import roots when `src` is not set: the project root and its `src` folder."""
    return (root, root / "src")


def _setting_text(value: Any) -> str:
    """One setting's value, written the way a config file would spell it."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, Path):
        return _setting_text(str(value))
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_setting_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_setting_text(k)} = {_setting_text(v)}"
                               for k, v in value.items()) + "}"
    return repr(value)


def describe_settings(settings: Settings) -> list[str]:
    """Every field of `settings`, one `name = value` line each, in declaration order
    (`claudelint check --show-settings`)."""
    from dataclasses import fields

    lines: list[str] = []
    for f in fields(settings):
        value = getattr(settings, f.name)
        if f.name in ("per_file_ignores", "traffic"):  # as the config file writes them
            value = dict(value)
        lines.append(f"{f.name} = {_setting_text(value)}")
    return lines
