"""Resolved settings for one run (or one directory's config file).

`config.py` builds these from `.claudelint.toml` / `claudelint.toml` / `[tool.claudelint]`;
the command line overrides fields with `dataclasses.replace`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    # Extra or overriding model entries, same shape as data/models.toml [[model]] tables.
    models: tuple[dict[str, Any], ...] = ()
    # rule name -> option name -> value
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The config file these settings came from (None: defaults) and the folder that anchors
    # its relative patterns.
    config_path: Path | None = None
    root: Path | None = None

    def option(self, rule_name: str, key: str, default: Any) -> Any:
        return self.options.get(rule_name, {}).get(key, default)
