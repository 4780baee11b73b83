"""One run over many paths: discover, prefilter, lint, fix, collect.

libcst is imported (through the engine) only once a file survives the bytes prefilter, so a
run over a tree with no Claude calls never pays for it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from claudelint.config import ConfigResolver
from claudelint.discovery import discover, may_hold_call_site
from claudelint.finding import Finding, parse_error
from claudelint.settings import Settings
from claudelint.source import SourceError, SourceFile, decode_source, encode_source

if TYPE_CHECKING:
    from claudelint.engine import Linter
    from claudelint.notebook import Notebook


@dataclass(frozen=True)
class RunOptions:
    fix: bool = False
    diff: bool = False
    stdin_filename: str | None = None
    force_exclude: bool = False


@dataclass
class RunResult:
    findings: list[Finding] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    diffs: list[str] = field(default_factory=list)
    # Files rewritten by --fix: display path -> new text (for source frames).
    fixed_texts: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    files_checked: int = 0
    fixed: int = 0
    unsafe_fixes_hidden: int = 0
    # Bytes read from stdin, and their fixed version (printed when fixing stdin).
    stdin_raw: bytes = b""
    stdin_fixed: bytes | None = None


class _Linters:
    """One Linter per distinct settings object (closest config wins per folder)."""

    def __init__(self) -> None:
        self._by_id: dict[int, tuple[Settings, Linter]] = {}

    def get(self, settings: Settings) -> Linter:
        hit = self._by_id.get(id(settings))
        if hit is None:
            from claudelint.engine import Linter

            hit = (settings, Linter(settings))
            self._by_id[id(settings)] = hit
        return hit[1]


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def run(paths: list[str], resolver: ConfigResolver, options: RunOptions) -> RunResult:
    result = RunResult()
    linters = _Linters()
    if paths == ["-"]:
        name = options.stdin_filename or "-"
        raw = sys.stdin.buffer.read()
        result.stdin_raw = raw
        settings = resolver.settings_for(Path(name).resolve() if name != "-" else Path.cwd() / "-")
        _lint_one(Path(name), name, raw, settings, linters, options, result, stdin=True)
        return result
    found = discover([Path(p) for p in paths], resolver, force_exclude=options.force_exclude)
    for bad_path, reason in found.errors:
        result.errors.append(f"{bad_path}: {reason}")
    for path in found.files:
        display = _display(path)
        try:
            raw = path.read_bytes()
        except OSError as e:
            result.errors.append(f"{display}: cannot read: {e.strerror or e}")
            result.findings.append(parse_error(display, f"cannot read: {e.strerror or e}"))
            continue
        result.files_checked += 1
        if not may_hold_call_site(raw):
            continue
        settings = resolver.settings_for(path.resolve())
        _lint_one(path, display, raw, settings, linters, options, result)
    result.findings.sort(key=lambda f: (f.path, f.line, f.column, f.code))
    return result


def _lint_one(path: Path, display: str, raw: bytes, settings: Settings, linters: _Linters,
              options: RunOptions, result: RunResult, stdin: bool = False) -> None:
    try:
        src = decode_source(raw, path)
    except SourceError as e:
        result.findings.append(parse_error(display, e.reason, e.line, e.column))
        return
    if stdin:
        result.files_checked += 1
        if not may_hold_call_site(raw):
            return
    notebook: Notebook | None = None
    text = src.text
    if path.suffix == ".ipynb":
        from claudelint.notebook import NotebookError, read_notebook

        try:
            notebook = read_notebook(src.text)
        except NotebookError as e:
            result.findings.append(parse_error(display, e.reason))
            return
        text = notebook.text
    linter = linters.get(settings)
    try:
        findings = linter.lint_text(text, display)
        if (options.fix or options.diff) and any(f.fix for f in findings):
            findings = _fix(src, text, notebook, display, findings, settings, linter, options,
                            result, stdin)
    except RecursionError:
        result.findings.append(parse_error(display, "the file is nested too deeply to analyse"))
        return
    except Exception as e:  # an internal error must not stop the run
        result.errors.append(
            f"{display}: internal error: {type(e).__name__}: {e} "
            "(please report this with the file that caused it)"
        )
        return
    unsafe_hidden = 0 if settings.unsafe_fixes else sum(
        1 for f in findings if f.fix is not None and f.fix.applicability == "unsafe"
    )
    result.unsafe_fixes_hidden += unsafe_hidden
    if notebook is not None:
        findings = [notebook.map_finding(f) for f in findings]
    elif findings:
        result.sources[display] = result.fixed_texts.get(display, src.text)
    result.findings.extend(findings)


def _fix(src: SourceFile, text: str, notebook: Notebook | None, display: str,
         findings: list[Finding], settings: Settings, linter: Linter, options: RunOptions,
         result: RunResult, stdin: bool) -> list[Finding]:
    """Apply fixes to `text` (the file's text, or a notebook's code cells); write the file
    (or print the diff). Returns the findings that remain."""
    from claudelint.fix import (
        ConcurrentModification,
        FixWriteError,
        fix_text,
        parse_check,
        unified_diff,
        write_atomic,
    )

    fixed = fix_text(
        text, findings, unsafe=settings.unsafe_fixes,
        relint=lambda t: linter.lint_text(t, display), parses=parse_check(text),
    )
    if fixed.text == text:
        return findings
    new_file_text = fixed.text
    if notebook is not None:
        from claudelint.notebook import NotebookError

        try:
            new_file_text = notebook.with_text(fixed.text)
        except NotebookError as e:
            result.errors.append(f"{display}: fix not written: {e.reason}")
            return findings
    if options.diff:
        result.diffs.append(unified_diff(display, src.text, new_file_text))
        return findings
    if stdin:
        try:
            result.stdin_fixed = encode_source(src, new_file_text)
        except UnicodeEncodeError:
            result.errors.append(f"{display}: fix not applied: not representable in "
                                 f"{src.encoding}")
            return findings
        result.fixed += fixed.applied
        return list(fixed.remaining)
    try:
        write_atomic(src, new_file_text)
    except ConcurrentModification:
        result.errors.append(f"{display}: changed by another process during --fix; not written")
        return findings
    except (FixWriteError, OSError) as e:
        result.errors.append(f"{display}: fix not written: {e}")
        return findings
    result.fixed += fixed.applied
    result.fixed_texts[display] = new_file_text
    return list(fixed.remaining)
