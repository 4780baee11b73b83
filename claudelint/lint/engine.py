"""Lint one file: parse once, find call sites, build Requests, run rules, make findings."""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from claudelint.analysis.callsites import CallSiteFinder
from claudelint.analysis.constructors import FIXABLE as CONSTRUCTOR_FIXABLE
from claudelint.analysis.constructors import constructor_requests
from claudelint.analysis.request import Request
from claudelint.analysis.resolve import Resolver
from claudelint.finding import Edit, Finding, Fix, parse_error
from claudelint.knowledge.models import Knowledge, load_knowledge
from claudelint.lint.context import RuleContext
from claudelint.lint.diagnostic import (
    Diagnostic,
    FileFacts,
    FixPlan,
    LineDiagnostic,
    TokenCounter,
)
from claudelint.lint.edits import Edits
from claudelint.lint.registry import code_matches, get_rule, select_rules
from claudelint.lint.rule import FileRule, Rule
from claudelint.lint.suppress import Suppressions, parse_suppressions
from claudelint.patterns import per_file_ignores_for
from claudelint.settings import Settings
from claudelint.syntax.parsing import (
    ParseLimitExceeded,
    cpython_accepts,
    cpython_tree,
    parse_both,
)
from claudelint.syntax.scopes import ModuleIndex

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class Positions:
    """Line and column of nodes, computed only for the top-level statements that hold them.

    libcst's PositionProvider re-renders the whole module, the largest single cost of a file
    with findings. Here each top-level statement holding a reported node is rendered alone,
    and its lines are shifted by where CPython's `ast` says that statement starts (`tree`, the
    syntax tree the parse checks built, or parsed again). When the two parsers cannot be
    matched up (a text `ast` rejects), the whole-module provider is used.
    """

    def __init__(self, module: cst.Module, text: str, tree: ast.Module | None = None,
                 parents: Callable[[], Mapping[int, cst.CSTNode] | None] | None = None) -> None:
        self.module = module
        self.text = text
        self._tree = tree
        # The module's child -> parent links (analysis/facts.py builds them once per module).
        self._parents = parents
        self._top: dict[int, int] | None = None
        self._ids: dict[int, set[int]] = {}
        self._ranges: dict[int, tuple[dict[cst.CSTNode, _Range], int]] = {}
        self._starts: list[int] | None = None
        self._full: dict[cst.CSTNode, CodeRange] | None = None
        self._last = 0
        # Lines where libcst dropped form feeds (and what came before them): line -> count.
        self._form_feeds: dict[int, int] | None = None

    def _statement_of(self, node: cst.CSTNode) -> int | None:
        from claudelint.syntax.walk import TRIVIA, iter_nodes

        body = self.module.body
        parents = self._parents() if self._parents is not None else None
        if parents is not None and type(node) not in TRIVIA:
            # Climb to the module's child: no walk. Every non-trivia node of the module has a
            # parent link, so a node without one belongs to another module.
            top, up = node, parents.get(id(node))
            while up is not None and up is not self.module:
                top, up = up, parents.get(id(up))
            if up is None:
                return None
            if self._top is None:
                self._top = {id(st): i for i, st in enumerate(body)}
            found = self._top.get(id(top))
            if found is not None:
                self._last = found
            return found
        order: list[int] = [self._last, *range(len(body))]
        for i in order:
            if i >= len(body):
                continue
            ids = self._ids.get(i)
            if ids is None:
                ids = self._ids[i] = {id(n) for n in iter_nodes(body[i], trivia=True)}
            if id(node) in ids:
                self._last = i
                return i
        return None

    def holds(self, node: cst.CSTNode) -> bool:
        if node is self.module or self._statement_of(node) is not None:
            return True
        from claudelint.syntax.walk import iter_nodes

        edges = [*self.module.header, *self.module.footer]
        return any(id(node) in {id(n) for n in iter_nodes(e, trivia=True)} for e in edges)

    def _statement_starts(self) -> list[int] | None:
        if self._starts is None:
            tree = self._tree
            if tree is None:
                try:
                    tree = cpython_tree(self.text)
                except (SyntaxError, ValueError, MemoryError, RecursionError):
                    self._starts = []
                    return None
            starts: list[int] = []
            last_line = 0
            for st in tree.body:
                # libcst places a decorated def at its `def` line too, as ast does.
                line = st.lineno
                if line == last_line:
                    continue  # `a = 1; b = 2`: one libcst statement line
                starts.append(line)
                last_line = getattr(st, "end_lineno", None) or line
            self._starts = starts
        return self._starts if len(self._starts) == len(self.module.body) else None

    def _whole_module(self) -> dict[cst.CSTNode, CodeRange]:
        if self._full is None:
            wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
            self._full = dict(wrapper.resolve(PositionProvider))
        return self._full

    def of(self, node: cst.CSTNode) -> CodeRange:
        r = self._of(node)
        if "\f" not in self.text:
            return r
        return CodeRange((r.start.line, self._column(r.start.line, r.start.column)),
                         (r.end.line, self._column(r.end.line, r.end.column)))

    def _column(self, line: int, column: int) -> int:
        """The column in the text of libcst's `column` on `line` (see `_form_feed_shifts`)."""
        if self._form_feeds is None:
            self._form_feeds = _form_feed_shifts(self.text)
        return column + self._form_feeds.get(line, 0)

    def _of(self, node: cst.CSTNode) -> CodeRange:
        starts = self._statement_starts()
        i = self._statement_of(node) if starts is not None else None
        if starts is None or i is None:
            return self._whole_module()[node]
        got = self._ranges.get(i)
        if got is None:
            stmt = self.module.body[i]
            mini = self.module.with_changes(body=[stmt], header=[], footer=[])
            raw = _positions_of(mini)
            got = self._ranges[i] = (raw, starts[i] - raw[stmt][0])
        raw, shift = got
        r = raw[node]
        return CodeRange((r[0] + shift, r[1]), (r[2] + shift, r[3]))


def _form_feed_shifts(text: str) -> dict[int, int]:
    """Lines where a statement starts after other indentation than libcst renders -> how many
    characters libcst's columns there are short. libcst renders every statement of a block with
    the indentation of the block's first line: a form feed in a later line's indentation (and
    what precedes it, which CPython ignores) is dropped."""
    import io
    import tokenize

    out: dict[int, int] = {}
    skip = {tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT}
    indents = [""]
    at_start = True
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text, newline="").readline):
            if tok.type == tokenize.NEWLINE:
                at_start = True
            elif tok.type == tokenize.INDENT:
                indents.append(tok.string)
            elif tok.type == tokenize.DEDENT:
                indents.pop()
            elif tok.type not in skip and at_start:
                at_start = False
                shift = tok.start[1] - len(indents[-1])
                if shift:
                    out[tok.start[0]] = shift
    except (tokenize.TokenError, SyntaxError, ValueError, IndexError):
        pass  # out holds the lines before the failure
    return out


_Range = tuple[int, int, int, int]  # start line, start column, end line, end column
_NEWLINE = re.compile(r"\r\n?|\n")


@dataclasses.dataclass(frozen=False)
class _PositionState(CodegenState):
    """What libcst's PositionProvider computes (syntactic ranges; the whitespace-inclusive
    range for a node that records none), as plain tuples: no CodeRange or CodePosition per
    node and no generator-based context manager, about half the cost."""

    line: int = 1
    column: int = 0
    ranges: dict[cst.CSTNode, _Range] = dataclasses.field(default_factory=dict)
    stack: list[tuple[int, int]] = dataclasses.field(default_factory=list)

    def add_indent_tokens(self) -> None:
        self.tokens.extend(self.indent_tokens)
        for token in self.indent_tokens:
            self._advance(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self._advance(value)

    def _advance(self, value: str) -> None:
        if "\n" not in value and "\r" not in value:
            self.column += len(value)
            return
        segments = _NEWLINE.split(value)
        self.line += len(segments) - 1
        self.column = len(segments[-1])

    def before_codegen(self, node: cst.CSTNode) -> None:
        self.stack.append((self.line, self.column))

    def after_codegen(self, node: cst.CSTNode) -> None:
        line, column = self.stack.pop()
        if node not in self.ranges:
            self.ranges[node] = (line, column, self.line, self.column)

    def record_syntactic_position(  # type: ignore[override]
        self, node: cst.CSTNode, *, start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> _Syntactic:
        return _Syntactic(self, node, start_node, end_node)


class _Syntactic:
    __slots__ = ("column", "end_node", "line", "node", "start_node", "state")

    def __init__(self, state: _PositionState, node: cst.CSTNode,
                 start_node: cst.CSTNode | None, end_node: cst.CSTNode | None) -> None:
        self.state, self.node = state, node
        self.start_node, self.end_node = start_node, end_node
        self.line, self.column = state.line, state.column

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        state = self.state
        ranges = state.ranges
        start = ((self.line, self.column) if self.start_node is None
                 else ranges[self.start_node][:2])
        end = (state.line, state.column) if self.end_node is None else ranges[self.end_node][2:]
        ranges[self.node] = (*start, *end)


def _positions_of(module: cst.Module) -> dict[cst.CSTNode, _Range]:
    state = _PositionState(default_indent=module.default_indent,
                           default_newline=module.default_newline)
    module._codegen(state)
    return state.ranges


@dataclass
class Analysis:
    """A parsed module and the Requests found in it.

    `requests` are the call sites; `wrapper_requests` the extra Requests built for calls of
    wrapper functions of this module (callsites.py), located at the caller. `deps` lists the
    other files (modules of the project, prompt files) the analysis read: path -> digest.
    """

    module: cst.Module
    requests: list[Request]
    wrapper_requests: list[Request] = field(default_factory=list)
    # Requests built for calls of functions imported from other project modules, in a loop
    # (analysis/imported.py): checked only by rules with `imported_wrappers`.
    imported_requests: list[Request] = field(default_factory=list)
    resolver: Resolver | None = None
    # Requests holding only the model a constructor call gives a project class's requests
    # (analysis/constructors.py), located at the call.
    constructor_requests: list[Request] = field(default_factory=list)

    text: str = ""
    tree: ast.Module | None = None  # CPython's syntax tree of `text`, when it has one
    _positions_obj: Positions | None = None

    @property
    def positions(self) -> Positions:
        if self._positions_obj is None:
            from claudelint.analysis.facts import module_parents

            index = self.resolver.index if self.resolver is not None else None
            self._positions_obj = Positions(
                self.module, self.text, self.tree,
                parents=(lambda: module_parents(index)) if index is not None else None,
            )
        return self._positions_obj

    def position(self, node: cst.CSTNode) -> CodeRange:
        return self.positions.of(node)

    def has(self, node: cst.CSTNode) -> bool:
        """Whether a node belongs to this module (values read from another module of the
        project carry that module's nodes)."""
        return self.positions.holds(node)

    @property
    def deps(self) -> dict[str, str]:
        return dict(self.resolver.deps) if self.resolver is not None else {}


def analyze(text: str, settings: Settings, path: str | Path | None = None, *,
            pieces: dict[str, cst.Module] | None = None) -> Analysis:
    """Parse and find every request. Raises libcst.ParserSyntaxError on bad syntax.

    With `path` (the file the text was read from), names imported from other modules of the
    project and prompt files read at known paths are resolved too (project.py). `pieces`: the
    top-level statements parsed before (`parse_both`; an editor buffer)."""
    # bounded: a deep or huge file must not crash the run
    module, tree = parse_both(text, pieces=pieces)
    index = ModuleIndex(module)
    index.text = text
    file_path: Path | None = None
    project = None
    if path is not None and str(path) not in ("", "-"):
        from claudelint.analysis.project import import_roots, project_for

        file_path = Path(path).absolute()
        project = project_for(import_roots(settings))
    resolver = Resolver(index, module, path=file_path, project=project)
    finder = CallSiteFinder(
        index, module, resolver, settings.extend_client_factories,
        mentions_cache_control="cache_control" in text, source=text,
    )
    requests = finder.requests()
    imported: list[Request] = []
    if project is not None:
        from claudelint.analysis.imported import imported_requests

        imported = imported_requests(index, module, resolver, settings.extend_client_factories)
    made = constructor_requests(index, module, resolver, requests,
                                settings.extend_client_factories)
    wrapped = finder.wrapper_requests(requests)
    if project is not None:
        from claudelint.analysis.bound_imports import bound_imported_requests

        wrapped.extend(bound_imported_requests(index, module, resolver,
                                               settings.extend_client_factories))
    return Analysis(module, requests, wrapper_requests=wrapped, text=text,
                    resolver=resolver, tree=tree, imported_requests=imported,
                    constructor_requests=made)


class RuleError(Exception):
    """A rule raised while checking a file: the run reports an internal error naming the rule
    and the file (exit 2) and goes on with the other files."""

    def __init__(self, rule: type[Rule], error: Exception) -> None:
        super().__init__(f"rule {rule.code} ({rule.name}) failed: {type(error).__name__}: {error}")
        self.rule = rule
        self.error = error


@contextlib.contextmanager
def _rule_errors(rule: type[Rule]) -> Iterator[None]:
    try:
        yield
    except (RecursionError, RuleError):  # too deep: a parse error for the file (run.py)
        raise
    except Exception as exc:
        raise RuleError(rule, exc) from exc


def syntax_error(text: str, path: str, e: cst.ParserSyntaxError) -> Finding:
    """CL000 for a file libcst cannot parse. libcst places tokenizer errors (an unterminated
    string, a bad indent) at the start of the file; CPython's own parser knows the line, so
    ask it when it also rejects the text."""
    try:
        cpython_tree(text)
    except SyntaxError as err:
        if err.lineno:
            return parse_error(path, f"{type(err).__name__}: {err.msg}", err.lineno,
                               max(1, err.offset or 1))
    except (ValueError, MemoryError, RecursionError):
        pass
    return parse_error(path, f"SyntaxError: {e.message}", max(1, e.raw_line),
                       max(1, e.raw_column + 1))


class Linter:
    """Lints texts with one set of settings and rules."""

    def __init__(self, settings: Settings, rules: Sequence[type[Rule]] | None = None,
                 knowledge: Knowledge | None = None,
                 token_counter: TokenCounter | None = None) -> None:
        self.settings = settings
        self.rules = tuple(rules) if rules is not None else select_rules(
            settings.select, settings.extend_select, settings.ignore
        )
        self.knowledge = knowledge or load_knowledge(settings.models)
        # Exact token counts (--exact-tokens); None: estimates from characters.
        self.token_counter = token_counter
        self._instances = [r() for r in self.rules]
        # The other files (project modules, prompt files) the last `lint_text` read.
        self.last_deps: dict[str, str] = {}
        # Notes for stderr from the last `lint_text` (a file it could not analyse).
        self.last_warnings: list[str] = []
        # The analysis of the last `lint_text` (None when the text did not parse), for callers
        # that describe its call sites from the same analysis (`claudelint sites`).
        self.last_analysis: Analysis | None = None

    def lint_text(self, text: str, path: str, *, apply_suppressions: bool = True,
                  pieces: dict[str, cst.Module] | None = None) -> list[Finding]:
        self.last_warnings = []
        self.last_analysis = None
        try:
            analysis = analyze(text, self.settings, path, pieces=pieces)
        except cst.ParserSyntaxError as e:
            if cpython_accepts(text):
                # Valid Python that libcst's grammar does not know (`(x): int = 1`): not a
                # finding in the user's code. Say on stderr that the file was not analysed.
                self.last_warnings.append(
                    f"{path}: not analysed: valid Python that the parser (libcst) cannot read")
                return []
            return [syntax_error(text, path, e)]
        except ParseLimitExceeded as e:
            return [parse_error(path, e.reason)]
        except RecursionError:
            return [parse_error(path, "the file is nested too deeply to parse")]
        self.last_deps = analysis.deps
        self.last_analysis = analysis
        if (not analysis.requests and not analysis.imported_requests
                and not analysis.constructor_requests and not analysis.wrapper_requests):
            return []
        findings = self.check(analysis, text, path)
        ignored = self.per_file_ignored(path)
        if ignored:
            findings = [f for f in findings if not code_matches(f.code, f.name, ignored)]
        if not apply_suppressions:
            return findings
        file_rules = [(r, i) for r, i in zip(self.rules, self._instances, strict=True)
                      if isinstance(i, FileRule) and not code_matches(r.code, r.name, ignored)]
        if not findings and not file_rules:
            return findings
        suppressions = parse_suppressions(text)
        findings = [f for f in findings if not suppressions.covers(f)]
        if file_rules:
            extra = self.check_file(file_rules, analysis, suppressions, text, path, ignored)
            findings.extend(f for f in extra if not suppressions.covers(f, bare=False))
            findings.sort(key=lambda f: (f.line, f.column, f.code))
        return findings

    def check_file(self, file_rules: list[tuple[type[Rule], FileRule]], analysis: Analysis,
                   suppressions: Suppressions, text: str, path: str,
                   ignored: list[str]) -> list[Finding]:
        """Run the file rules on the file's suppressions (after the Request rules' findings
        were matched against them)."""
        enabled = {r.code for r in self.rules if not code_matches(r.code, r.name, ignored)}
        lines = _LINE_BREAK.split(text)
        facts = FileFacts(path, text, lines, suppressions, lambda code: code in enabled,
                          _rule_code)
        edits = Edits(analysis.module)
        out: list[Finding] = []
        for rule, instance in file_rules:
            ctx = RuleContext(rule, self.settings, self.knowledge, edits, path,
                              self.token_counter)
            with _rule_errors(rule):
                out.extend(self._line_finding(rule, d, path, lines)
                           for d in instance.check_file(facts, ctx))
        return out

    @staticmethod
    def _line_finding(rule: type[Rule], d: LineDiagnostic, path: str,
                      lines: list[str]) -> Finding:
        return Finding(
            code=rule.code, name=rule.name, message=d.message, level=rule.level, path=path,
            line=d.line, column=d.column, end_line=d.end_line, end_column=d.end_column,
            fix=d.fix, cost=d.cost, suppress_lines=(d.line, d.line), statement_line=d.line,
            source_line=lines[d.line - 1] if 0 < d.line <= len(lines) else "",
        )

    def check(self, analysis: Analysis, text: str, path: str) -> list[Finding]:
        edits = Edits(analysis.module)
        lines = text.splitlines()
        out: list[Finding] = []
        seen: set[tuple[str, int, int, str]] = set()
        for rule, instance in zip(self.rules, self._instances, strict=True):
            if isinstance(instance, FileRule):
                continue
            ctx = RuleContext(rule, self.settings, self.knowledge, edits, path,
                              self.token_counter)
            with _rule_errors(rule):
                for diag, request in self._diagnostics(instance, ctx, analysis):
                    finding = self._finding(rule, diag, request, analysis, path, lines)
                    key = (finding.code, finding.line, finding.column, finding.message)
                    if key not in seen:
                        seen.add(key)
                        out.append(finding)
        out.sort(key=lambda f: (f.line, f.column, f.code))
        return out

    def _diagnostics(self, instance: Rule, ctx: RuleContext,
                     analysis: Analysis) -> list[tuple[Diagnostic, Request]]:
        """What one rule finds on the file's Requests (with the calls of wrapper functions:
        `_with_wrapper_calls`)."""
        found: list[tuple[Diagnostic, Request]] = []
        own: dict[int, list[Diagnostic]] = {}
        for request in analysis.requests:
            for diag in instance.check(request, ctx):
                own.setdefault(id(request), []).append(diag)
                found.append((diag, request))
        if analysis.wrapper_requests:
            found = self._with_wrapper_calls(instance, ctx, analysis, found, own)
        if analysis.imported_requests and instance.imported_wrappers:
            for request in analysis.imported_requests:
                assert request.via is not None
                suffix = (f" (the request is made in `{request.via.name}()` of "
                          f"`{request.imported_from}`)")
                found.extend(
                    (dataclasses.replace(diag, message=diag.message + suffix, fix=None,
                                         fallback=None), request)
                    for diag in instance.check(request, ctx) if diag.node is request.call)
        for request in analysis.constructor_requests:
            found.extend((diag, request) for diag in _at_constructor(instance, ctx, request))
        return found

    def _with_wrapper_calls(self, instance: Rule, ctx: RuleContext, analysis: Analysis,
                            found: list[tuple[Diagnostic, Request]],
                            own: dict[int, list[Diagnostic]]
                            ) -> list[tuple[Diagnostic, Request]]:
        """Add what the rule finds on the Requests built for calls of wrapper functions
        (`Request.via`), so that each fact is reported once, where it can be changed:
        - a node the wrapper's own Request already reports stays reported there, once;
        - a finding in the caller's statement (the call, or an argument the caller passes)
          is reported there, its fix kept only when it edits that statement;
        - a finding about the wrapper's code (a default of its parameters, a literal in its
          request) is reported there once, and only when every call of the wrapper in the
          module gives it (`WrapperCall.complete`): "a classifier wrapper's `max_tokens=4096`
          default" is a fact about the wrapper only when all its callers classify;
        - anything else (a node elsewhere in the file, or in another module) is reported at
          the caller's call, without a fix;
        and a whole-call finding (node: the call) is reported once: at the wrapper when the
        request sits in a loop inside the wrapper, else at the callers (the wrapper's own
        finding then saw a loop one call up through the wrapper)."""
        out = list(found)
        in_wrapper: dict[tuple[int, int], list[Diagnostic]] = {}
        inners: dict[int, Request] = {}
        moved: set[int] = set()
        # Calls of a function of another module making several requests: what each gives.
        several: dict[int, list[list[tuple[Diagnostic, Request]]]] = {}
        for request in analysis.wrapper_requests:
            via = request.via
            assert via is not None
            inner = via.inner
            inners[id(inner)] = inner
            other = request.imported_from is not None  # made in another module
            if other and instance.imported_wrappers:
                continue  # such rules check `analysis.imported_requests` instead
            mine = own.get(id(inner), []) if not other else _own(instance, ctx, inner, own)
            known = {id(d.node) for d in mine}
            # The wrapper's own finding on the whole request, about a loop inside the
            # wrapper: the callers' findings on the whole call would repeat it.
            whole = inner.site.loops and any(
                d.node in (inner.call, inner.statement) for d in mine)
            # Another module reports its own findings on its whole request, once.
            whole_said = {d.message for d in mine if d.node in (inner.call, inner.statement)
                          } if other else set()
            suffix = f" (the request is made in `{via.name}()`)"
            got: list[tuple[Diagnostic, Request]] = []
            for diag in instance.check(request, ctx):
                if id(diag.node) in known or (whole and diag.node is request.call):
                    continue
                if diag.message in whole_said and diag.node in (request.call,
                                                                request.statement):
                    continue
                if request.encloses(diag.node):
                    fix = diag.fix
                    if fix is not None and not all(request.encloses(e.node) for e in fix.edits):
                        fix = None
                    got.append((dataclasses.replace(diag, message=diag.message + suffix,
                                                    fix=fix, fallback=None), request))
                elif via.forwards and request.env is not None and _in_caller(request,
                                                                             diag.node):
                    # A forwarding wrapper sends what the caller builds: a node of the
                    # caller's own function (the `**params` dict it fills) is where to change
                    # it.
                    got.append((dataclasses.replace(diag, message=diag.message + suffix,
                                                    fix=None, fallback=None), request))
                elif not other and request.env is not None and request.env.resolver.inside(
                        via.function, diag.node):
                    in_wrapper.setdefault((id(inner), id(diag.node)), []).append(diag)
                    continue
                else:
                    got.append((dataclasses.replace(
                        diag, node=request.call, message=diag.message + suffix, fix=None,
                        fallback=None), request))
                moved.add(id(inner))
            if other and via.callers > 1:
                several.setdefault(id(request.call), []).append(got)
            else:
                out.extend(got)
        out.extend(_agreed(several))
        for (inner_id, _), diags in in_wrapper.items():
            inner = inners[inner_id]
            first = diags[0]
            some = next(r for r in analysis.wrapper_requests
                        if r.via is not None and r.via.inner is inner)
            assert some.via is not None
            if not some.via.complete or len(diags) != some.via.callers:
                continue
            same_fix = first.fix is not None and all(
                d.fix is not None and _fix_key(d.fix) == _fix_key(first.fix) for d in diags
            )
            message = first.message + f" (every call of `{some.via.name}()` in this file)"
            out.append((dataclasses.replace(first, message=message,
                                            fix=first.fix if same_fix else None), inner))
        if moved:
            out = [
                (d, r) for d, r in out
                if not (id(r) in moved and r.via is None and not r.site.loops
                        and d.node in (r.call, r.statement))
            ]
        return out

    def _finding(self, rule: type[Rule], diag: Diagnostic, request: Request,
                 analysis: Analysis, path: str, lines: list[str]) -> Finding:
        call_rng = analysis.position(request.call)
        stmt_rng = analysis.position(request.statement)
        if analysis.has(diag.node):
            rng = analysis.position(diag.node)
        else:
            # A node of another module (a constant imported from it): point into the call.
            fallback = diag.fallback
            rng = analysis.position(fallback) if fallback is not None and analysis.has(
                fallback) else call_rng
        if diag.fallback is not None and analysis.has(diag.fallback) and not (
            stmt_rng.start.line <= rng.start.line and rng.end.line <= stmt_rng.end.line
        ):
            rng = analysis.position(diag.fallback)
        fix = None
        # A fix that would edit another module's nodes is dropped: only the linted file is
        # ever rewritten.
        if diag.fix is not None and all(analysis.has(e.node) for e in diag.fix.edits):
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
        return list(per_file_ignores_for(self.settings, path))


def _rule_code(token: str) -> str | None:
    rule = get_rule(token)
    return rule.code if rule is not None else None


def _at_constructor(instance: Rule, ctx: RuleContext, request: Request) -> list[Diagnostic]:
    """What a rule finds about the argument a constructor call gives a class's requests
    (analysis/constructors.py): only findings on that argument's value; one found where the
    value is defined away from the call (a constant) is reported at the argument, and a fix
    is kept only when it edits nothing but the argument."""
    assert request.env is not None
    inside = request.env.resolver.inside
    fixable = bool(request._memo.get(CONSTRUCTOR_FIXABLE))
    out: list[Diagnostic] = []
    for diag in instance.check(request, ctx):
        for arg in request.args.values():
            value_node = arg.value.node
            if inside(arg.node, diag.node):
                fix = diag.fix
                message = diag.message
                if fix is not None and not all(inside(arg.node, e.node) for e in fix.edits):
                    fix = None
                elif fix is not None and not fixable:
                    fix = None
                    message += (" (no fix offered: the class also reads the attribute other "
                                "than as the request's argument)")
                out.append(dataclasses.replace(diag, message=message, fix=fix, fallback=None))
            elif value_node is not None and diag.node is value_node:
                out.append(dataclasses.replace(diag, node=arg.node, fix=None, fallback=None))
    return out


def _in_caller(request: Request, node: cst.CSTNode | None) -> bool:
    """Whether `node` lies in the function (or module body) making the call `request`."""
    assert request.env is not None
    fn = request.env.scope.function
    if node is None or fn is None:
        return False
    return request.env.resolver.inside(fn.node, node)


def _own(instance: Rule, ctx: RuleContext, inner: Request,
         own: dict[int, list[Diagnostic]]) -> list[Diagnostic]:
    """What the rule finds on a request of another module as that module's own report does
    (its parameters unbound), once per request."""
    if id(inner) not in own:
        own[id(inner)] = list(instance.check(inner, ctx))
    return own[id(inner)]


# A request method named in a message (`client.beta.messages.create`): the requests of one
# function may differ in it alone.
_METHOD = re.compile(r"`[\w.]*messages\.\w+`")


def _agreed(several: dict[int, list[list[tuple[Diagnostic, Request]]]]
            ) -> list[tuple[Diagnostic, Request]]:
    """For a call of a function of another module that makes one of several requests
    (on different branches, with the same arguments): only the findings every one of them
    gives (the same node and message, but for the request method it names), once."""
    out: list[tuple[Diagnostic, Request]] = []
    for each in several.values():
        common = set.intersection(*({(id(d.node), _METHOD.sub("`", d.message)) for d, _ in got}
                                    for got in each))
        # The methods each finding names, over all the requests (in order, once each).
        methods: dict[tuple[int, str], list[str]] = {}
        for got in each:
            for d, _ in got:
                named = methods.setdefault((id(d.node), _METHOD.sub("`", d.message)), [])
                m = _METHOD.search(d.message)
                if m is not None and m.group() not in named:
                    named.append(m.group())
        done: set[tuple[int, str]] = set()
        for d, r in each[0]:
            key = (id(d.node), _METHOD.sub("`", d.message))
            if key in common and key not in done:
                done.add(key)
                named = methods.get(key, [])
                if len(named) > 1:
                    # Which request is made depends on the run: name every one.
                    both = " or ".join(named).replace("\\", "\\\\")
                    d = dataclasses.replace(d, message=_METHOD.sub(both, d.message, count=1))
                out.append((d, r))
    return out


def _fix_key(fix: FixPlan) -> tuple[object, ...]:
    return (fix.title, fix.applicability, tuple((id(e.node), e.content) for e in fix.edits))
