"""`claudelint server`: the language server, over stdio (pygls).

The protocol wiring only; what is checked when, and what a finding becomes, is `session.py`.

- Diagnostics when a document is opened, changed (after `DEBOUNCE_MS` without another change)
  and saved; the open documents that import a changed one are checked again too.
- Code actions: each finding's fix (`quickfix`; a safe fix is the preferred action, an unsafe
  one is labelled "(unsafe)"), "Disable CLxxx for this line" (a `# noqa` comment), and, when
  asked for by kind, `source.fixAll.claudelint` (what `check --fix` would do).
- Hover over a finding: its message, estimated savings and the rule's summary.

`initializationOptions` may set `debounceMs` (the benchmark sets 0).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from lsprotocol import types

from claudelint import __version__
from claudelint.server.positions import UTF8, UTF16, UTF32, Position, Range
from claudelint.server.session import (
    FIX_ALL,
    SOURCE,
    Action,
    Diagnostic,
    Session,
    uri_to_path,
)

try:  # pygls 2
    from pygls.lsp.server import LanguageServer
except ImportError:  # pragma: no cover - pygls 1.x
    import pygls.server

    LanguageServer = pygls.server.LanguageServer  # type: ignore[attr-defined, misc]

log = logging.getLogger(__name__)

# How long a document must stay unchanged before it is checked (a check per keystroke would
# queue up behind fast typing).
DEBOUNCE_MS = 150

_SEVERITY = {"error": types.DiagnosticSeverity.Error,
             "warning": types.DiagnosticSeverity.Warning}


class ClaudelintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("claudelint", __version__)
        self.session = Session()
        self.debounce_ms = DEBOUNCE_MS
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._shown_errors: set[str] = set()

    # --- publishing --------------------------------------------------------------------

    def check(self, uris: list[str]) -> None:
        """Check these documents now and publish their diagnostics."""
        for uri in uris:
            timer = self._timers.pop(uri, None)
            if timer is not None:
                timer.cancel()
            self._sync(uri)
            doc = self.session.docs.get(uri)
            if doc is None:
                continue
            try:
                diagnostics = self.session.diagnostics(uri)
            except Exception as e:  # an internal error must not take the server down
                log.exception("checking %s failed", uri)
                self._show(f"claudelint: checking {doc.path.name} failed: "
                           f"{type(e).__name__}: {e}")
                continue
            if doc.error:
                self._show(f"claudelint: {doc.error}")
            self._publish(uri, [_diagnostic(d) for d in diagnostics], doc.version)

    def schedule(self, uris: list[str]) -> None:
        """Check these documents after the debounce delay (a new change restarts it)."""
        if self.debounce_ms <= 0:
            self.check(uris)
            return
        loop = _loop()
        for uri in uris:
            timer = self._timers.pop(uri, None)
            if timer is not None:
                timer.cancel()
            self._timers[uri] = loop.call_later(self.debounce_ms / 1000, self._fire, uri)

    def _fire(self, uri: str) -> None:
        self._timers.pop(uri, None)
        self.check([uri])

    def _sync(self, uri: str) -> None:
        """Bring the session's copy of an open document up to the workspace's."""
        doc = self.session.docs.get(uri)
        if doc is None:
            return
        text, version = self._text(uri)
        if text is not None and text != doc.text:
            self.session.change(uri, text, version)

    def _text(self, uri: str) -> tuple[str | None, int | None]:
        workspace: Any = self.workspace
        get = getattr(workspace, "get_text_document", None) or workspace.get_document
        document = get(uri)
        return document.source, document.version

    def _publish(self, uri: str, diagnostics: list[types.Diagnostic],
                 version: int | None) -> None:
        if hasattr(self, "text_document_publish_diagnostics"):
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                uri=uri, diagnostics=diagnostics, version=version))
        else:  # pragma: no cover - pygls 1.x
            getattr(self, "publish_diagnostics")(uri, diagnostics, version)  # noqa: B009

    def watch_files(self) -> None:
        """Ask the client to report changes of config files and Python modules on disk
        (`workspace/didChangeWatchedFiles`), when it can: a config edited in another window,
        a `git checkout` that changes an imported module."""
        caps = self.client_capabilities.workspace
        watched = caps.did_change_watched_files if caps is not None else None
        if watched is None or not watched.dynamic_registration:
            return
        from claudelint.workspace.config import CONFIG_NAMES

        params = types.RegistrationParams(registrations=[types.Registration(
            id="claudelint-watched-files",
            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=[
                types.FileSystemWatcher(glob_pattern=f"**/{{{','.join(CONFIG_NAMES)}}}"),
                types.FileSystemWatcher(glob_pattern="**/*.py"),
            ]),
        )])
        register = (getattr(self, "client_register_capability", None)
                    or getattr(self, "register_capability"))  # noqa: B009 (pygls 1.x)
        register(params)

    def _show(self, message: str) -> None:
        if message in self._shown_errors:
            return
        self._shown_errors.add(message)
        params = types.ShowMessageParams(type=types.MessageType.Error, message=message)
        if hasattr(self, "window_show_message"):
            self.window_show_message(params)
        else:  # pragma: no cover - pygls 1.x
            getattr(self, "show_message")(message, types.MessageType.Error)  # noqa: B009


def _within(kind: str, requested: str) -> bool:
    """Whether the code action kind `kind` is `requested` or below it (`source.fixAll`
    covers `source.fixAll.claudelint`)."""
    return kind == requested or kind.startswith(requested + ".")


def _loop() -> asyncio.AbstractEventLoop:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:  # pragma: no cover - pygls 1.x calls handlers outside the loop
        return asyncio.get_event_loop()


def _position(p: Position) -> types.Position:
    return types.Position(line=p.line, character=p.character)


def _range(r: Range) -> types.Range:
    return types.Range(start=_position(r.start), end=_position(r.end))


def _from_range(r: types.Range) -> Range:
    return Range(Position(r.start.line, r.start.character),
                 Position(r.end.line, r.end.character))


def _diagnostic(d: Diagnostic) -> types.Diagnostic:
    return types.Diagnostic(
        range=_range(d.range), message=d.message, severity=_SEVERITY.get(d.level),
        code=d.code, source=SOURCE,
        tags=[types.DiagnosticTag.Unnecessary] if d.unnecessary else None,
    )


def _code_action(uri: str, action: Action,
                 diagnostics: list[types.Diagnostic]) -> types.CodeAction:
    edits = [types.TextEdit(range=_range(e.range), new_text=e.new_text) for e in action.edits]
    f = action.finding
    related = [d for d in diagnostics
               if f is not None and d.code == f.code and d.range.start.line == f.line - 1]
    return types.CodeAction(
        title=action.title, kind=action.kind, is_preferred=action.preferred or None,
        diagnostics=related or None, edit=types.WorkspaceEdit(changes={uri: edits}),
    )


def _encoding(server: ClaudelintServer) -> str:
    chosen = getattr(server.workspace, "position_encoding", None)
    value = str(getattr(chosen, "value", chosen))
    return value if value in (UTF8, UTF32) else UTF16


def build_server() -> ClaudelintServer:
    server = ClaudelintServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: ClaudelintServer, params: types.InitializeParams) -> None:
        options: Any = params.initialization_options
        if isinstance(options, dict) and isinstance(options.get("debounceMs"), (int, float)):
            ls.debounce_ms = int(options["debounceMs"])
        ls.session.encoding = _encoding(ls)

    @server.feature(types.INITIALIZED)
    def initialized(ls: ClaudelintServer, params: types.InitializedParams) -> None:
        ls.watch_files()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: ClaudelintServer, params: types.DidOpenTextDocumentParams) -> None:
        doc = params.text_document
        ls.check(ls.session.open(doc.uri, doc.text, doc.version))

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: ClaudelintServer, params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        text, version = ls._text(uri)
        if text is not None:
            ls.schedule(ls.session.change(uri, text, version))

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE,
                    types.SaveOptions(include_text=False))
    def did_save(ls: ClaudelintServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.check(ls.session.save(params.text_document.uri, params.text))

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ClaudelintServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        timer = ls._timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        dependents = ls.session.close(uri)
        ls._publish(uri, [], None)
        ls.check(dependents)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched(ls: ClaudelintServer,
                           params: types.DidChangeWatchedFilesParams) -> None:
        paths = [uri_to_path(c.uri) for c in params.changes]
        layout = any(c.type != types.FileChangeType.Changed for c in params.changes)
        ls.check(ls.session.files_changed(paths, created_or_deleted=layout))

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: ClaudelintServer, params: types.HoverParams) -> types.Hover | None:
        uri = params.text_document.uri
        ls._sync(uri)
        pos = params.position
        text = ls.session.hover(uri, Position(pos.line, pos.character))
        if text is None:
            return None
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                                        value=text))

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL]))
    def code_action(ls: ClaudelintServer,
                    params: types.CodeActionParams) -> list[types.CodeAction] | None:
        uri = params.text_document.uri
        only = [str(getattr(k, "value", k)) for k in params.context.only or ()]
        ls._sync(uri)
        actions: list[Action] = []
        if not only or any(_within("quickfix", k) for k in only):
            actions.extend(ls.session.code_actions(uri, _from_range(params.range)))
        # "Fix all" only when asked for by kind (on save, or from a menu): it re-lints the
        # document after each pass of fixes, too costly for every cursor move.
        if any(_within(FIX_ALL, k) for k in only):
            fix_all = ls.session.fix_all(uri)
            if fix_all is not None:
                actions.append(fix_all)
        return [_code_action(uri, a, list(params.context.diagnostics)) for a in actions] or None

    return server


def serve() -> None:
    """Run the server on stdin/stdout until the client says `exit`."""
    logging.basicConfig(level=logging.WARNING, format="claudelint server: %(message)s")
    build_server().start_io()
