"""The language server's state and logic, apart from the protocol (testable without pygls).

A `Session` holds the open documents. Each open document's text stands in for its file on
disk wherever the project is read (`analysis.project.set_overlay`): a module that imports
`prompts.py` sees the unsaved buffer of `prompts.py`. The project's modules stay parsed in
memory between checks (`workspace.runner.lint_buffer`); a module is parsed again only when it
changed. Every check records the files its analysis read, so a change to one of them (an
edit of an open buffer, a save, a file watched by the client) names the open documents that
must be checked again: the methods that take a change return those documents' URIs.

Settings come from the config files `claudelint check` reads: the closest config upward from
the document's folder. A change to a config file reloads them for every document.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse
from urllib.request import url2pathname

from claudelint.analysis import project
from claudelint.finding import PARSE_ERROR_CODE, PARSE_ERROR_SUMMARY, Finding
from claudelint.server.positions import UTF16, Lines, Position, Range
from claudelint.settings import Settings
from claudelint.workspace.config import CONFIG_NAMES, ConfigError, ConfigResolver

SOURCE = "claudelint"
FIX_ALL = "source.fixAll.claudelint"
# CL001 (a suppression that suppresses nothing): shown faded, as editors show unused code.
UNUSED_SUPPRESSION = "CL001"
# Findings that get no "Disable ... for this line" action.
_NO_NOQA = (PARSE_ERROR_CODE, UNUSED_SUPPRESSION)


def uri_to_path(uri: str) -> Path:
    """The file of a `file:` URI; for another scheme (an unsaved `untitled:` buffer), a file
    of that name in the working directory, so settings and imports resolve from there."""
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return Path(url2pathname(unquote(parsed.path))).absolute()
    name = Path(unquote(parsed.path)).name or "untitled"
    return Path.cwd() / (name if name.endswith(".py") else f"{name}.py")


@dataclass
class Document:
    uri: str
    path: Path
    text: str
    version: int | None = None
    # The text `findings` are of (None: never checked, or the settings changed since).
    linted_text: str | None = None
    findings: list[Finding] = field(default_factory=list)
    # The real paths of the other files the last check read (modules, prompt files).
    deps: frozenset[str] = frozenset()
    settings: Settings | None = None
    # Why the document could not be checked (a bad config file).
    error: str | None = None
    # Its top-level statements as last parsed (only those an edit changes are parsed again).
    pieces: dict[str, Any] = field(default_factory=dict)

    @property
    def stale(self) -> bool:
        return self.linted_text != self.text


@dataclass(frozen=True)
class TextEdit:
    range: Range
    new_text: str


@dataclass(frozen=True)
class Action:
    """A code action: a quick fix, or a noqa comment."""

    title: str
    kind: str
    preferred: bool
    edits: tuple[TextEdit, ...]
    # The finding it answers (None: every fixable finding of the document).
    finding: Finding | None = None


@dataclass(frozen=True)
class Diagnostic:
    range: Range
    level: str
    code: str
    message: str
    # An unused suppression comment (LSP's DiagnosticTag.Unnecessary).
    unnecessary: bool = False


def _real(path: str | Path) -> str:
    return os.path.realpath(path)


class Session:
    def __init__(self, encoding: str = UTF16) -> None:
        self.encoding = encoding
        self.docs: dict[str, Document] = {}
        self._resolver = ConfigResolver()

    # --- document life cycle: each returns the URIs to check again --------------------

    def open(self, uri: str, text: str, version: int | None = None) -> list[str]:
        doc = Document(uri, uri_to_path(uri), text, version)
        self.docs[uri] = doc
        project.set_overlay(doc.path, text)
        if not _differs_from_disk(doc.path, text):
            return [uri]  # what importers read is what they read before
        return [uri, *self.importers(doc.path, but=uri)]

    def change(self, uri: str, text: str, version: int | None = None) -> list[str]:
        doc = self.docs.get(uri)
        if doc is None:
            return self.open(uri, text, version)
        doc.text = text
        doc.version = version
        project.set_overlay(doc.path, text)
        return [uri, *self.importers(doc.path, but=uri)]

    def save(self, uri: str, text: str | None = None) -> list[str]:
        doc = self.docs.get(uri)
        path = doc.path if doc is not None else uri_to_path(uri)
        if path.name in CONFIG_NAMES:
            return self.reload_settings()
        if doc is None:
            return self.files_changed([path])
        if text is not None and text != doc.text:
            return self.change(uri, text, doc.version)
        return [uri]

    def close(self, uri: str) -> list[str]:
        doc = self.docs.pop(uri, None)
        if doc is None:
            return []
        project.set_overlay(doc.path, None)  # importers read the file on disk again
        return self.importers(doc.path)

    def files_changed(self, paths: list[Path], *, created_or_deleted: bool = False) -> list[str]:
        """Files changed on disk (the client's file watcher, or a save)."""
        if any(p.name in CONFIG_NAMES for p in paths):
            return self.reload_settings()
        out: list[str] = []
        for p in paths:
            project.invalidate(p.absolute(), layout=created_or_deleted)
            if created_or_deleted:
                # A new module may now be found where none was: check every document.
                for doc in self.docs.values():
                    doc.linted_text = None
                return list(self.docs)
            out.extend(u for u in self.importers(p) if u not in out)
        return out

    def reload_settings(self) -> list[str]:
        self._resolver = ConfigResolver()
        for doc in self.docs.values():
            doc.linted_text = None
        return list(self.docs)

    def importers(self, path: Path, *, but: str | None = None) -> list[str]:
        """The open documents whose last check read `path`, marked for a new check."""
        real = _real(path)
        out = [u for u, d in self.docs.items() if u != but and real in d.deps]
        for u in out:
            self.docs[u].linted_text = None
        return out

    # --- checking --------------------------------------------------------------------

    def lint(self, uri: str) -> Document | None:
        """Check the document if its text changed since its last check."""
        doc = self.docs.get(uri)
        if doc is None or not doc.stale:
            return doc
        from claudelint.patterns import is_excluded
        from claudelint.workspace.runner import lint_buffer

        text = doc.text
        try:
            settings = self._resolver.settings_for(doc.path)
        except ConfigError as e:
            doc.error, doc.findings, doc.linted_text = str(e), [], text
            return doc
        doc.error = None
        doc.settings = settings
        if is_excluded(doc.path, settings):
            doc.findings, doc.deps, doc.linted_text = [], frozenset(), text
            return doc
        result = lint_buffer(doc.path, text, settings, doc.pieces)
        doc.findings = [f for f in result.findings if f.cell is None]
        doc.error = "; ".join(result.errors) or None
        if result.deps or not any(f.code == PARSE_ERROR_CODE for f in doc.findings):
            # While the text does not parse, keep the files it read before.
            doc.deps = frozenset(_real(p) for p in result.deps if p != str(doc.path))
        doc.linted_text = text
        return doc

    def diagnostics(self, uri: str) -> list[Diagnostic]:
        doc = self.lint(uri)
        if doc is None:
            return []
        lines = Lines(doc.text, self.encoding)
        return [
            Diagnostic(lines.range(f.line, f.column, f.end_line, f.end_column), f.level, f.code,
                       f.message, unnecessary=f.code == UNUSED_SUPPRESSION)
            for f in doc.findings
        ]

    def findings_in(self, uri: str, range_: Range) -> list[Finding]:
        """The findings whose range touches `range_` (a cursor: an empty range)."""
        doc = self.lint(uri)
        if doc is None:
            return []
        lines = Lines(doc.text, self.encoding)
        start = lines.from_lsp(range_.start)
        end = lines.from_lsp(range_.end)
        return [f for f in doc.findings
                if (f.line, f.column) <= end and start <= (f.end_line, f.end_column)]

    def hover(self, uri: str, position: Position) -> str | None:
        """Markdown for the findings at `position`: message, estimated savings, rule."""
        found = self.findings_in(uri, Range(position, position))
        if not found:
            return None
        doc = self.docs[uri]
        basis = doc.settings.cost_basis_calls if doc.settings is not None else 1000
        return "\n\n---\n\n".join(_hover_text(f, basis) for f in found)

    def code_actions(self, uri: str, range_: Range) -> list[Action]:
        doc = self.docs.get(uri)
        found = self.findings_in(uri, range_)
        if doc is None or not found:
            return []
        lines = Lines(doc.text, self.encoding)
        fixes: list[Action] = []
        noqa: list[Action] = []
        for f in found:
            if f.fix is not None and f.fix.edits:
                safe = f.fix.applicability == "safe"
                edits = tuple(
                    TextEdit(lines.range(e.line, e.column, e.end_line, e.end_column), e.content)
                    for e in f.fix.edits
                )
                title = f"{f.code}: {f.fix.title}" + ("" if safe else " (unsafe)")
                fixes.append(Action(title, "quickfix", safe, edits, f))
            if f.code not in _NO_NOQA and not any(
                    a.finding is not None and a.finding.code == f.code for a in noqa):
                edit = _noqa_edit(doc.text, f, lines)
                if edit is not None:
                    noqa.append(Action(f"Disable {f.code} for this line", "quickfix", False,
                                       (edit,), f))
        return fixes + noqa

    def fix_all(self, uri: str) -> Action | None:
        """"Fix all": every fix `claudelint check --fix` would apply to the document, as one
        edit of the whole text (None when there is none)."""
        doc = self.lint(uri)
        if doc is None or doc.settings is None:
            return None
        unsafe = doc.settings.unsafe_fixes
        fixable = [f for f in doc.findings
                   if f.fix is not None and (unsafe or f.fix.applicability == "safe")]
        if not fixable:
            return None
        from claudelint.workspace.runner import fix_buffer

        new_text, applied = fix_buffer(doc.path, doc.text, doc.settings, doc.findings)
        if not applied or new_text == doc.text:
            return None
        lines = Lines(doc.text, self.encoding)
        whole = Range(Position(0, 0), lines.to_lsp(len(lines.lines) + 1, 1))
        return Action(f"{SOURCE}: fix all auto-fixable problems", FIX_ALL, True,
                      (TextEdit(whole, new_text),))


def _differs_from_disk(path: Path, text: str) -> bool:
    try:
        return path.read_bytes() != text.encode("utf-8", "surrogatepass")
    except OSError:
        return True


def _hover_text(f: Finding, basis_calls: int) -> str:
    from claudelint.lint.registry import get_rule
    from claudelint.report.text import SAVINGS_LABEL, cost_text

    parts = [f"**{f.code}** `{f.name}`: {f.message}"]
    cost = cost_text(f, basis_calls)
    if cost is not None:
        parts.append(f"{SAVINGS_LABEL}: {cost}")
    rule = get_rule(f.code)
    summary = rule.summary if rule is not None else (
        PARSE_ERROR_SUMMARY if f.code == PARSE_ERROR_CODE else None)
    if summary:
        parts.append(f"*{summary}* (`claudelint rule {f.code}`)")
    if f.fix is not None:
        unsafe = " (unsafe)" if f.fix.applicability == "unsafe" else ""
        parts.append(f"Fix: {f.fix.title}{unsafe}")
    return "\n\n".join(parts)


def _noqa_edit(text: str, f: Finding, lines: Lines) -> TextEdit | None:
    """The edit `--add-noqa` would make for this one finding: one line rewritten."""
    from claudelint.workspace.add_noqa import add_noqa

    new_text, added = add_noqa(text, [f])
    if not added:
        return None
    old = Lines(text).lines
    new = Lines(new_text).lines
    if len(old) != len(new):
        return None
    for i, (a, b) in enumerate(zip(old, new, strict=True)):
        if a != b:
            return TextEdit(Range(Position(i, 0), lines.to_lsp(i + 1, len(a) + 1)), b)
    return None
