"""Find and validate configuration: `.claudelint.toml`, `claudelint.toml`, `[tool.claudelint]`.

Like ruff: in one folder the first existing name of `CONFIG_NAMES` wins (a `pyproject.toml`
counts only when it has a `[tool.claudelint]` table); for a file, the closest config upward from
its folder wins, and configs are never merged. Every problem is a `ConfigError` that names the
file, the key and the reason, with a did-you-mean where one fits; the CLI turns it into exit 2.

Importing this module stays cheap: tomllib (tomli before 3.11) and the rule registry, which
imports rule modules but never libcst or anthropic.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from claudelint.lint import registry
from claudelint.patterns import reanchor_exclude, reanchor_per_file, validate_glob
from claudelint.settings import Settings, default_src

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

__all__ = [
    "CONFIG_NAMES",
    "OUTPUT_FORMATS",
    "ConfigError",
    "ConfigResolver",
    "find_config",
    "load_settings",
]

CONFIG_NAMES: tuple[str, ...] = (".claudelint.toml", "claudelint.toml", "pyproject.toml")
OUTPUT_FORMATS: tuple[str, ...] = (
    "full", "concise", "json", "sarif", "github", "gitlab", "markdown",
)

_PYPROJECT = "pyproject.toml"
_DOTTED_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


class ConfigError(Exception):
    """A configuration file that cannot be read or holds a bad key or value."""

    def __init__(
        self,
        reason: str,
        *,
        path: Path | None = None,
        key: str | None = None,
        section: str | None = None,
    ) -> None:
        self.path = path
        self.key = key
        self.reason = reason
        # "[tool.claudelint]" for pyproject.toml, so the message says where to look.
        self.section = section
        super().__init__(str(self))

    def __str__(self) -> str:
        parts: list[str] = []
        if self.path is not None:
            parts.append(f"{_display(self.path)}:")
        if self.section and self.key is not None:
            parts.append(self.section)
        if self.key is not None:
            parts.append(f"{self.key}:")
        parts.append(self.reason)
        return " ".join(parts)


def _display(path: Path) -> str:
    """A path as the user thinks of it: relative to the working directory when below it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else rel


def _abspath(path: Path) -> Path:
    """Absolute and normalised, without resolving symlinks (so paths stay as the user sees
    them and match what discovery computes)."""
    return Path(os.path.abspath(path))  # noqa: PTH100


def _did_you_mean(word: str, candidates: list[str] | tuple[str, ...]) -> str:
    normalised = word.replace("_", "-").lower()
    for c in candidates:
        if c.lower() == normalised:
            return f"; did you mean '{c}'?"
    match = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean '{match[0]}'?" if match else ""


def _type_name(value: object) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a float",
        str: "a string",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)


# --------------------------------------------------------------------------------- loading


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror or exc}", path=path) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8: {exc}", path=path) from exc
    try:
        doc: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", path=path) from exc
    return doc


def _claudelint_table(path: Path) -> dict[str, Any] | None:
    """The claudelint table of a config file; None for a pyproject.toml without one."""
    if path.name == _PYPROJECT:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"cannot read: {exc.strerror or exc}", path=path) from exc
        # Cheap: most pyproject.toml files never mention us, and a broken one that does not
        # is not ours to complain about.
        if b"claudelint" not in raw:
            return None
        doc = _read_toml(path)
        tool = doc.get("tool")
        if not isinstance(tool, dict) or "claudelint" not in tool:
            return None
        table = tool["claudelint"]
        if not isinstance(table, dict):
            raise ConfigError(
                f"expected a table, got {_type_name(table)}", path=path, key="tool.claudelint"
            )
        return table
    return _read_toml(path)


def find_config(folder: Path) -> Path | None:
    """The config file that lives in `folder` itself, if any (not searching upward)."""
    for name in CONFIG_NAMES:
        candidate = folder / name
        if not candidate.is_file():
            continue
        if name == _PYPROJECT and _claudelint_table(candidate) is None:
            continue
        return candidate
    return None


class _Validator:
    """Turns one claudelint table into `Settings` keyword arguments."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.section = "[tool.claudelint]" if path.name == _PYPROJECT else None

    def error(self, key: str | None, reason: str) -> ConfigError:
        return ConfigError(reason, path=self.path, key=key, section=self.section)

    # ---- scalar helpers

    def boolean(self, key: str, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.error(key, f"expected a boolean (true/false), got {_type_name(value)}")
        return value

    def string(self, key: str, value: Any) -> str:
        if not isinstance(value, str):
            raise self.error(key, f"expected a string, got {_type_name(value)}")
        if not value.strip():
            raise self.error(key, "expected a non-empty string")
        return value

    def strings(self, key: str, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list):
            hint = f" (write [{value!r}])" if isinstance(value, str) else ""
            raise self.error(key, f"expected an array of strings, got {_type_name(value)}{hint}")
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise self.error(f"{key}[{i}]", f"expected a string, got {_type_name(item)}")
        return tuple(value)

    def selectors(self, key: str, value: Any) -> tuple[str, ...]:
        items = self.strings(key, value)
        for item in items:
            if not registry.is_valid_selector(item):
                suggestion = registry.suggest(item)
                hint = f"; did you mean '{suggestion}'?" if suggestion else ""
                raise self.error(key, f"unknown rule selector '{item}'{hint}")
        return items

    def glob(self, key: str, pattern: str) -> str:
        problem = validate_glob(pattern)
        if problem:
            raise self.error(key, f"bad pattern '{pattern}': {problem}")
        return pattern

    def globs(self, key: str, value: Any) -> tuple[str, ...]:
        return tuple(self.glob(key, item) for item in self.strings(key, value))

    # ---- keys

    def src(self, key: str, value: Any) -> tuple[Path, ...]:
        """Import roots, relative to this file's folder; inherited ones come already anchored
        (`_anchor_src`)."""
        if isinstance(value, tuple) and all(isinstance(p, Path) for p in value):
            return value
        try:
            return src_roots(self.strings(key, value), self.path.parent)
        except ValueError as exc:
            raise self.error(key, str(exc)) from None

    def per_file_ignores(self, key: str, value: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
        if not isinstance(value, dict):
            raise self.error(key, f"expected a table of pattern = [codes], got {_type_name(value)}")
        out: list[tuple[str, tuple[str, ...]]] = []
        for pattern, codes in value.items():
            sub = f'{key}."{pattern}"'
            out.append((self.glob(sub, pattern), self.selectors(sub, codes)))
        return tuple(out)

    def traffic(self, key: str, value: Any) -> tuple[tuple[str, float], ...]:
        from claudelint.workspace.traffic import key_problem, parse_calls_per_day

        if not isinstance(value, dict):
            raise self.error(
                key, f'expected a table of "pattern" = calls per day, got {_type_name(value)}')
        out: list[tuple[str, float]] = []
        for pattern, calls in value.items():
            sub = f'{key}."{pattern}"'
            problem = key_problem(pattern)
            if problem:
                raise self.error(sub, problem)
            weight = parse_calls_per_day(calls) if not isinstance(calls, str) else None
            if weight is None:
                shown = f"{calls!r}" if isinstance(calls, (int, float, str)) else _type_name(calls)
                raise self.error(
                    sub, f"expected a number of calls per day (0 or more), got {shown}")
            out.append((pattern, weight))
        return tuple(out)

    def output_format(self, key: str, value: Any) -> str:
        text = self.string(key, value)
        if text not in OUTPUT_FORMATS:
            choices = ", ".join(OUTPUT_FORMATS)
            raise self.error(
                key,
                f"unknown output format '{text}' (one of {choices})"
                + _did_you_mean(text, OUTPUT_FORMATS),
            )
        return text

    def factories(self, key: str, value: Any) -> tuple[str, ...]:
        items = self.strings(key, value)
        for item in items:
            if not _DOTTED_NAME.match(item):
                raise self.error(
                    key, f"'{item}' is not a dotted name (like 'myproject.llm.make_client')"
                )
        return items

    def positive_int(self, key: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, f"expected a positive integer, got {_type_name(value)}")
        if value <= 0:
            raise self.error(key, f"expected a positive integer, got {value}")
        return value

    def models(self, key: str, value: Any) -> tuple[dict[str, Any], ...]:
        entries: list[dict[str, Any]] = []
        if isinstance(value, list):  # [[models]] with an id each
            for i, entry in enumerate(value):
                sub = f"{key}[{i}]"
                if not isinstance(entry, dict):
                    raise self.error(sub, f"expected a table, got {_type_name(entry)}")
                if "id" not in entry:
                    raise self.error(sub, "missing 'id'")
                self.string(f"{sub}.id", entry["id"])
                entries.append(dict(entry))
        elif isinstance(value, dict):  # [models.<id>] tables
            for model_id, entry in value.items():
                sub = f'{key}."{model_id}"'
                if not isinstance(entry, dict):
                    raise self.error(sub, f"expected a table, got {_type_name(entry)}")
                if "id" in entry and entry["id"] != model_id:
                    raise self.error(
                        f"{sub}.id", f"'{entry['id']}' differs from the table name '{model_id}'"
                    )
                entries.append({**entry, "id": model_id})
        else:
            raise self.error(
                key, f"expected [[models]] tables or a [models] table, got {_type_name(value)}"
            )
        seen: set[str] = set()
        for entry in entries:
            if entry["id"] in seen:
                raise self.error(key, f"model '{entry['id']}' is defined twice")
            seen.add(entry["id"])
        # Check the entries now (knowledge.py validates them when loading): a bad one must be a
        # config error, not a traceback when the first file is linted.
        from claudelint.knowledge.models import load_knowledge

        try:
            load_knowledge(tuple(entries))
        except ValueError as exc:
            raise self.error(key, str(exc)) from None
        return tuple(entries)

    def options(self, key: str, value: Any) -> dict[str, dict[str, Any]]:
        if not isinstance(value, dict):
            raise self.error(
                key, f"expected a table of [options.<rule-name>], got {_type_name(value)}"
            )
        rules = registry.all_rules()
        by_name = {r.name: r for r in rules}
        by_code = {r.code: r for r in rules}
        out: dict[str, dict[str, Any]] = {}
        for rule_key, table in value.items():
            sub = f"{key}.{rule_key}"
            rule = by_name.get(rule_key) or by_code.get(rule_key.upper())
            if rule is None:
                names = sorted(by_name)
                raise self.error(
                    sub, f"unknown rule name '{rule_key}'" + _did_you_mean(rule_key, names)
                )
            if not isinstance(table, dict):
                raise self.error(sub, f"expected a table, got {_type_name(table)}")
            known = dict(rule.options)
            checked: dict[str, Any] = {}
            for opt_key, opt_value in table.items():
                opt_sub = f"{sub}.{opt_key}"
                if opt_key not in known:
                    if not known:
                        raise self.error(opt_sub, f"rule '{rule.name}' has no options")
                    raise self.error(
                        opt_sub,
                        f"unknown option of '{rule.name}'" + _did_you_mean(opt_key, sorted(known)),
                    )
                checked[opt_key] = self.option_value(opt_sub, known[opt_key].type, opt_value)
            out.setdefault(rule.name, {}).update(checked)
        return out

    def option_value(self, key: str, expected: type, value: Any) -> Any:
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if expected is int and isinstance(value, bool):
            raise self.error(key, f"expected an integer, got {_type_name(value)}")
        if expected is tuple and isinstance(value, list):
            return tuple(value)
        if expected in (list, tuple) and isinstance(value, (list, tuple)):
            return expected(value)
        if not isinstance(value, expected):
            want = (
                _type_name(expected())
                if expected in (bool, int, float, str, list, dict)
                else expected.__name__
            )
            raise self.error(key, f"expected {want}, got {_type_name(value)}")
        return value


_Handler = Callable[[_Validator, str, Any], Any]

# TOML key -> (Settings field, validator)
_KEYS: dict[str, tuple[str, _Handler]] = {
    "select": ("select", _Validator.selectors),
    "extend-select": ("extend_select", _Validator.selectors),
    "ignore": ("ignore", _Validator.selectors),
    "per-file-ignores": ("per_file_ignores", _Validator.per_file_ignores),
    "exclude": ("exclude", _Validator.globs),
    "extend-exclude": ("extend_exclude", _Validator.globs),
    "respect-gitignore": ("respect_gitignore", _Validator.boolean),
    "force-exclude": ("force_exclude", _Validator.boolean),
    "unsafe-fixes": ("unsafe_fixes", _Validator.boolean),
    "output-format": ("output_format", _Validator.output_format),
    "default-model": ("default_model", _Validator.string),
    "extend-client-factories": ("extend_client_factories", _Validator.factories),
    "cost-basis-calls": ("cost_basis_calls", _Validator.positive_int),
    "stale-data-warning": ("stale_data_warning", _Validator.boolean),
    "models": ("models", _Validator.models),
    "options": ("options", _Validator.options),
    "src": ("src", _Validator.src),
    "traffic": ("traffic", _Validator.traffic),
}


_EXTEND = "extend"


def settings_from_table(table: Mapping[str, Any], path: Path) -> Settings:
    """Validate a claudelint table read from `path` and build its Settings (an `extend` key
    is the loader's business: `load_settings` follows it; here it is skipped)."""
    path = _abspath(path)
    validator = _Validator(path)
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key == _EXTEND:
            continue
        entry = _KEYS.get(key)
        if entry is None:
            raise validator.error(
                key, "unknown key" + _did_you_mean(key, (*_KEYS, _EXTEND))
            )
        field_name, handler = entry
        values[field_name] = handler(validator, key, value)
    values.setdefault("src", default_src(path.parent))
    return Settings(**values, config_path=path, root=path.parent)


def load_settings(path: Path) -> Settings:
    """Read and validate one config file, following `extend` (as ruff does).

    Relative patterns of `exclude`, `extend-exclude`, `per-file-ignores` and `traffic`, and
    the folders of `src`, are anchored at the file's folder, which becomes `Settings.root`;
    those inherited through `extend` stay anchored at the folder of the file that wrote them.
    """
    path = _abspath(path)
    return settings_from_table(_resolved_table(path, ()), path)


def _resolved_table(path: Path, chain: tuple[Path, ...]) -> dict[str, Any]:
    """The claudelint table of `path` with everything its `extend` chain inherits merged
    under it. Each file's own keys are validated against that file (so an error names it)."""
    table = _claudelint_table(path)
    if table is None:
        raise ConfigError("no [tool.claudelint] table", path=path)
    settings_from_table(table, path)
    if _EXTEND not in table:
        return dict(table)
    validator = _Validator(path)
    target_text = validator.string(_EXTEND, table[_EXTEND])
    target = _abspath(path.parent / Path(target_text).expanduser())
    seen = (*chain, path)
    if target in seen:
        loop = " -> ".join(_display(p) for p in (*seen[seen.index(target):], target))
        raise validator.error(_EXTEND, f"'{target_text}' makes a cycle: {loop}")
    if not target.is_file():
        raise validator.error(_EXTEND, f"'{target_text}' is not a file ({_display(target)})")
    base = _anchor_src(_reanchored(_resolved_table(target, seen), target.parent, path.parent),
                       target.parent)
    own = {k: v for k, v in table.items() if k != _EXTEND}
    merged = {**base, **own}
    if isinstance(base.get("options"), dict) and isinstance(own.get("options"), dict):
        # Per-rule options merge option by option: setting one keeps the others inherited.
        options = {k: dict(v) for k, v in base["options"].items()}
        for rule_key, rule_table in own["options"].items():
            options[rule_key] = {**options.get(rule_key, {}), **rule_table}
        merged["options"] = options
    return merged


def _reanchored(table: dict[str, Any], source: Path, dest: Path) -> dict[str, Any]:
    """`table`, written in folder `source`, with its relative path patterns made absolute so
    they mean the same when read from a config file in `dest` (`patterns.reanchor_*`)."""
    if source == dest:
        return table
    root = source.as_posix().rstrip("/")
    out = dict(table)
    for key in ("exclude", "extend-exclude"):
        if key in out:
            out[key] = [reanchor_exclude(p, root) for p in out[key]]
    if "per-file-ignores" in out:
        out["per-file-ignores"] = {
            reanchor_per_file(p, root): c for p, c in out["per-file-ignores"].items()
        }
    if isinstance(out.get("traffic"), dict):
        out["traffic"] = {reanchor_per_file(p, root): c for p, c in out["traffic"].items()}
    return out


def src_roots(entries: tuple[str, ...] | list[str], folder: Path) -> tuple[Path, ...]:
    """`src` entries as absolute folders: each relative to `folder` (`~` expands); an entry
    with `*`, `?` or `[` is a glob that stands for the folders it matches now, in sorted order
    (`packages/*`, as ruff). A plain entry is kept even when the folder does not exist (yet).
    Raises ValueError for an entry that cannot name a folder."""
    out: list[Path] = []
    for entry in entries:
        if "\0" in entry:
            raise ValueError(f"{entry!r} contains a NUL character")
        try:
            path = Path(entry).expanduser()
        except RuntimeError:  # `~name` of an unknown user, or no home folder
            raise ValueError(f"cannot expand '~' in '{entry}'") from None
        if any(c in entry for c in "*?["):
            base = Path(path.anchor) if path.is_absolute() else folder
            pattern = str(path.relative_to(base)) if path.is_absolute() else str(path)
            found = [_abspath(p) for p in sorted(base.glob(pattern)) if p.is_dir()]
        else:
            found = [_abspath(folder / path)]
        out.extend(p for p in found if p not in out)
    return tuple(out)


def _anchor_src(table: dict[str, Any], folder: Path) -> dict[str, Any]:
    """`table`, read from a file in `folder` and inherited through `extend`, with its `src`
    entries made absolute folders: they stay relative to the file that wrote them."""
    value = table.get("src")
    if not isinstance(value, list):  # unset, or already anchored further down the chain
        return table
    return {**table, "src": src_roots(value, folder)}


# --------------------------------------------------------------------------------- resolving

_FIELDS = {f.name: f for f in dataclasses.fields(Settings)}


def _apply_overrides(settings: Settings, overrides: Mapping[str, Any]) -> Settings:
    if not overrides:
        return settings
    values: dict[str, Any] = {}
    for key, value in overrides.items():
        if key not in _FIELDS:
            raise ConfigError("unknown setting" + _did_you_mean(key, tuple(_FIELDS)), key=key)
        value = tuple(value) if isinstance(value, list) else value
        if key in _PATTERNS:
            for pattern in value:
                problem = validate_glob(pattern)
                if problem:
                    raise ConfigError(f"bad pattern '{pattern}': {problem}",
                                      key="--" + key.replace("_", "-"))
        if key in _EXTENDING and isinstance(value, tuple):
            # Like ruff: --extend-select, --ignore and --extend-exclude add to the config's list.
            value = (*getattr(settings, key), *value)
        values[key] = value
    return dataclasses.replace(settings, **values)


# Command-line options that add to the config file's list rather than replace it.
_EXTENDING = frozenset({"extend_select", "ignore", "extend_exclude"})
# Command-line options that hold path patterns, checked as the config file's are.
_PATTERNS = frozenset({"exclude", "extend_exclude"})


class ConfigResolver:
    """Which settings apply to which file.

    - default: the closest config upward from the file's folder (cached per folder);
    - `config_file`: that one file for everything;
    - `isolated`: no config file at all, defaults only.
    `overrides` (Settings field name -> value, from the command line) go on top of whichever
    settings apply. Settings without a config file are anchored at the working directory.
    """

    def __init__(
        self,
        *,
        config_file: Path | None = None,
        isolated: bool = False,
        overrides: Mapping[str, Any] | None = None,
    ) -> None:
        self.config_file = config_file
        self.isolated = isolated
        self.overrides: dict[str, Any] = dict(overrides or {})
        self._cwd = Path.cwd()
        self._by_folder: dict[Path, Settings] = {}
        self._by_config: dict[Path, Settings] = {}
        self._fixed: Settings | None = None
        if isolated:
            self._fixed = self._without_config()
        elif config_file is not None:
            self._fixed = _apply_overrides(load_settings(config_file), self.overrides)
        else:
            _apply_overrides(Settings(), self.overrides)  # reject bad override keys now

    def _without_config(self) -> Settings:
        """Defaults (and overrides), anchored at the working directory."""
        return _apply_overrides(Settings(root=self._cwd, src=default_src(self._cwd)),
                                self.overrides)

    def settings_for(self, path: Path) -> Settings:
        """The settings for a file: those of the closest config upward from its folder."""
        return self.settings_for_folder(_abspath(path).parent)

    def root_settings(self, cwd: Path) -> Settings:
        """The settings that apply at the working directory (for run-wide choices such as the
        output format)."""
        return self.settings_for_folder(cwd)

    def settings_for_folder(self, folder: Path) -> Settings:
        """The settings for the files directly inside `folder`."""
        if self._fixed is not None:
            return self._fixed
        folder = _abspath(folder)
        cached = self._by_folder.get(folder)
        if cached is not None:
            return cached
        visited: list[Path] = []
        settings: Settings | None = None
        current = folder
        while True:
            hit = self._by_folder.get(current)
            if hit is not None:
                settings = hit
                break
            visited.append(current)
            config = find_config(current)
            if config is not None:
                settings = self._load(config)
                break
            parent = current.parent
            if parent == current:
                break
            current = parent
        if settings is None:
            settings = self._without_config()
        for f in visited:
            self._by_folder[f] = settings
        return settings

    def _load(self, config: Path) -> Settings:
        cached = self._by_config.get(config)
        if cached is None:
            cached = _apply_overrides(load_settings(config), self.overrides)
            self._by_config[config] = cached
        return cached
