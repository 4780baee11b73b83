"""Lint one file: parse once, find call sites, build Requests, run rules, make findings."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from claudelint.callsites import CallSiteFinder
from claudelint.context import Diagnostic, RuleContext
from claudelint.edits import Edits
from claudelint.finding import Edit, Finding, Fix, parse_error
from claudelint.knowledge import Knowledge, load_knowledge
from claudelint.registry import code_matches, select_rules
from claudelint.request import Request
from claudelint.resolve import Resolver
from claudelint.rule_base import Rule
from claudelint.scopes import ModuleIndex
from claudelint.settings import Settings
from claudelint.suppress import filter_suppressed


@dataclass
class Analysis:
    """A parsed module and the Requests found in it."""

    module: cst.Module
    requests: list[Request]
    _positions: Callable[[], dict[cst.CSTNode, CodeRange]] | None = None
    _cache: dict[str, dict[cst.CSTNode, CodeRange]] = field(default_factory=dict)

    def position(self, node: cst.CSTNode) -> CodeRange:
        if "p" not in self._cache:
            wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
            self._cache["p"] = dict(wrapper.resolve(PositionProvider))
        return self._cache["p"][node]


def analyze(text: str, settings: Settings) -> Analysis:
    """Parse and find every request. Raises libcst.ParserSyntaxError on bad syntax."""
    module = cst.parse_module(text)
    index = ModuleIndex(module)
    resolver = Resolver(index, module)
    finder = CallSiteFinder(
        index, module, resolver, settings.extend_client_factories,
        mentions_cache_control="cache_control" in text,
    )
    return Analysis(module, finder.requests())


class Linter:
    """Lints texts with one set of settings and rules."""

    def __init__(self, settings: Settings, rules: Sequence[type[Rule]] | None = None,
                 knowledge: Knowledge | None = None) -> None:
        self.settings = settings
        self.rules = tuple(rules) if rules is not None else select_rules(
            settings.select, settings.extend_select, settings.ignore
        )
        self.knowledge = knowledge or load_knowledge(settings.models)
        self._instances = [r() for r in self.rules]

    def lint_text(self, text: str, path: str, *, apply_suppressions: bool = True) -> list[Finding]:
        try:
            analysis = analyze(text, self.settings)
        except cst.ParserSyntaxError as e:
            return [parse_error(path, f"SyntaxError: {e.message}", e.raw_line,
                                max(1, e.raw_column + 1))]
        except RecursionError:
            return [parse_error(path, "the file is nested too deeply to parse")]
        if not analysis.requests:
            return []
        findings = self.check(analysis, text, path)
        ignored = self.per_file_ignored(path)
        if ignored:
            findings = [f for f in findings if not code_matches(f.code, f.name, ignored)]
        if apply_suppressions and findings:
            findings = filter_suppressed(findings, text)
        return findings

    def check(self, analysis: Analysis, text: str, path: str) -> list[Finding]:
        edits = Edits(analysis.module)
        lines = text.splitlines()
        out: list[Finding] = []
        seen: set[tuple[str, int, int, str]] = set()
        for rule, instance in zip(self.rules, self._instances, strict=True):
            ctx = RuleContext(rule, self.settings, self.knowledge, edits, path)
            for request in analysis.requests:
                for diag in instance.check(request, ctx):
                    finding = self._finding(rule, diag, request, analysis, path, lines)
                    key = (finding.code, finding.line, finding.column, finding.message)
                    if key not in seen:
                        seen.add(key)
                        out.append(finding)
        out.sort(key=lambda f: (f.line, f.column, f.code))
        return out

    def _finding(self, rule: type[Rule], diag: Diagnostic, request: Request,
                 analysis: Analysis, path: str, lines: list[str]) -> Finding:
        rng = analysis.position(diag.node)
        call_rng = analysis.position(request.call)
        stmt_rng = analysis.position(request.statement)
        if diag.fallback is not None and not (
            stmt_rng.start.line <= rng.start.line and rng.end.line <= stmt_rng.end.line
        ):
            rng = analysis.position(diag.fallback)
        fix = None
        if diag.fix is not None:
            fix_edits = []
            for e in diag.fix.edits:
                r = analysis.position(e.node)
                fix_edits.append(Edit(r.start.line, r.start.column + 1, r.end.line,
                                      r.end.column + 1, e.content))
            fix = Fix(diag.fix.title, diag.fix.applicability, tuple(fix_edits))
        lo = min(rng.start.line, call_rng.start.line)
        hi = max(rng.end.line, call_rng.end.line)
        return Finding(
            code=rule.code,
            name=rule.name,
            message=diag.message,
            level=diag.level or rule.level,
            path=path,
            line=rng.start.line,
            column=rng.start.column + 1,
            end_line=rng.end.line,
            end_column=rng.end.column + 1,
            fix=fix,
            cost=diag.cost,
            suppress_lines=(lo, hi),
            statement_line=stmt_rng.start.line,
            source_line=lines[rng.start.line - 1] if 0 < rng.start.line <= len(lines) else "",
        )

    def per_file_ignored(self, path: str) -> list[str]:
        if not self.settings.per_file_ignores:
            return []
        p = Path(path)
        rel = p
        if self.settings.root is not None:
            try:
                rel = p.resolve().relative_to(self.settings.root.resolve())
            except (ValueError, OSError):
                rel = p
        rel_posix = PurePosixPath(rel.as_posix())
        out: list[str] = []
        for pattern, codes in self.settings.per_file_ignores:
            if (
                fnmatch.fnmatch(str(rel_posix), pattern)
                or fnmatch.fnmatch(p.name, pattern)
                or rel_posix.match(pattern)
            ):
                out.extend(codes)
        return out
