"""`claudelint server`: positions, the session (in process) and the real server over stdio."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import BIG, UNCACHED_APP, invoke
from lsp_client import LspClient, apply_edits

from claudelint.analysis import project
from claudelint.server.positions import (
    UTF8,
    UTF16,
    UTF32,
    Lines,
    Position,
    Range,
    from_units,
    split_lines,
    to_units,
)
from claudelint.server.session import Session, uri_to_path

# A program that reads its system prompt from prompts.py: CL101 once the prompt is big.
IMPORTER = (
    "import anthropic\n"
    "from prompts import SYSTEM\n\n"
    "client = anthropic.Anthropic()\n\n\n"
    "def answer(q):\n"
    "    return client.messages.create(\n"
    '        model="claude-sonnet-4-6", max_tokens=100, system=SYSTEM,\n'
    '        messages=[{"role": "user", "content": q}],\n'
    "    )\n"
)
SMALL_PROMPTS = 'SYSTEM = "You are terse."\n'
BIG_PROMPTS = f"SYSTEM = {BIG!r}\n"


# ------------------------------------------------------------------------------ positions


def test_split_lines_keeps_a_last_empty_line() -> None:
    assert split_lines("") == [""]
    assert split_lines("a\nb") == ["a", "b"]
    assert split_lines("a\r\nb\rc\n") == ["a", "b", "c", ""]


@pytest.mark.parametrize(("encoding", "units"), [(UTF16, 4), (UTF8, 7), (UTF32, 3)])
def test_columns_count_code_units(encoding: str, units: int) -> None:
    line = "a\U0001f600é="  # an emoji: 2 UTF-16 units, 4 UTF-8 bytes
    assert to_units(line, 3, encoding) == units
    assert from_units(line, units, encoding) == 3
    assert to_units(line, 99, encoding) == to_units(line, len(line), encoding)


def test_an_offset_inside_a_character_is_that_character() -> None:
    assert from_units("\U0001f600x", 1, UTF16) == 1


def test_lines_convert_both_ways() -> None:
    lines = Lines('s = "\U0001f600"\nprint(s)\n')
    assert lines.to_lsp(1, 7) == Position(0, 7)  # after the emoji: 5 + 2 units
    assert lines.from_lsp(Position(0, 7)) == (1, 7)
    assert lines.to_lsp(2, 1) == Position(1, 0)
    assert lines.to_lsp(9, 1) == Position(2, 0)  # past the end: the end of the text


# ---------------------------------------------------------- parsing only what an edit changed


EDITS = [
    ("", "\n# a comment\n"),
    ("def answer(q):", "def answer(question, q=None):"),
    ('"claude-sonnet-4-6"', '"claude-haiku-4-5"'),
    ("client = anthropic.Anthropic()\n", "client = anthropic.Anthropic()\nx = 1; y = 2\n"),
    ("    )\n", "    )\n    # trailing comment in the body\n"),
    ("import anthropic\n", "import anthropic\n\n\n@decorator\nclass A:\n\tpass\n"),
]


@pytest.mark.parametrize(("old", "new"), EDITS)
def test_a_reparse_after_an_edit_is_the_whole_parse(old: str, new: str) -> None:
    import libcst as cst

    from claudelint.syntax.parsing import parse_both

    pieces: dict[str, cst.Module] = {}
    first, _ = parse_both(UNCACHED_APP, pieces=pieces)
    assert first.deep_equals(cst.parse_module(UNCACHED_APP)) and pieces
    kept = set(map(id, pieces.values()))
    text = UNCACHED_APP.replace(old, new, 1) if old else UNCACHED_APP + new
    module, _ = parse_both(text, pieces=pieces)
    whole = cst.parse_module(text)
    assert module.code == text
    assert module.deep_equals(whole)
    assert module.default_indent == whole.default_indent
    assert kept & set(map(id, pieces.values()))  # the unchanged statements were not parsed


def test_a_repeated_statement_is_parsed_again() -> None:
    """Two equal statements must not be one node twice in the module (positions, parents
    and scopes are keyed by node)."""
    import libcst as cst

    from claudelint.syntax.parsing import parse_both

    text = "x = 1\ny = 2\nx = 1\n"
    pieces: dict[str, cst.Module] = {}
    parse_both(text, pieces=pieces)
    module, _ = parse_both(text, pieces=pieces)
    assert module.body[0] is not module.body[2]
    assert module.deep_equals(cst.parse_module(text))


# -------------------------------------------------------------------------------- session


@pytest.fixture
def session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    monkeypatch.chdir(tmp_path)
    project.reset()
    s = Session()
    yield s
    for uri in list(s.docs):
        s.close(uri)
    project.reset()


def _write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return path.as_uri()


def test_uri_to_path(tmp_path: Path) -> None:
    p = tmp_path / "a b" / "app.py"
    assert uri_to_path(p.as_uri()) == p
    assert uri_to_path("untitled:Untitled-1").name == "Untitled-1.py"


def test_session_reports_quick_fixes_and_hover(session: Session, tmp_path: Path) -> None:
    uri = _write(tmp_path / "app.py", UNCACHED_APP)
    assert session.open(uri, UNCACHED_APP, 1) == [uri]
    [diag] = session.diagnostics(uri)
    assert diag.code == "CL101" and diag.level == "warning"
    actions = session.code_actions(uri, diag.range)
    fix, noqa = actions
    assert fix.kind == "quickfix" and fix.preferred and "(unsafe)" not in fix.title
    assert noqa.title == "Disable CL101 for this line" and not noqa.preferred
    lines = Lines(UNCACHED_APP)
    assert lines.from_lsp(fix.edits[0].range.start) == (9, 59)
    fixed = _apply(UNCACHED_APP, fix.edits)
    assert '"cache_control": {"type": "ephemeral"}' in fixed
    session.change(uri, fixed, 2)
    assert session.diagnostics(uri) == []
    session.change(uri, _apply(UNCACHED_APP, noqa.edits), 3)
    assert session.diagnostics(uri) == []
    session.change(uri, UNCACHED_APP, 4)
    hover = session.hover(uri, diag.range.start)
    assert hover is not None
    assert hover.startswith("**CL101** `missing-cache-control`")
    assert "est. savings: ~$" in hover and "claude-sonnet-4-6" in hover
    assert "without a cache breakpoint" in hover  # the rule's summary
    assert session.hover(uri, Position(0, 0)) is None
    assert session.code_actions(uri, Range(Position(0, 0), Position(0, 0))) == []


def test_fix_all_applies_what_check_fix_would(session: Session, tmp_path: Path) -> None:
    text = UNCACHED_APP + LEGACY.split("\n", 3)[3]  # CL101 (safe fix) and CL302 (unsafe)
    uri = _write(tmp_path / "app.py", text)
    session.open(uri, text, 1)
    assert sorted(d.code for d in session.diagnostics(uri)) == ["CL101", "CL302"]
    action = session.fix_all(uri)
    assert action is not None and action.kind == "source.fixAll.claudelint"
    fixed = _apply(text, action.edits)
    assert '"cache_control": {"type": "ephemeral"}' in fixed
    assert "claude-3-opus-20240229" in fixed  # the unsafe fix is not applied
    session.change(uri, fixed, 2)
    assert [d.code for d in session.diagnostics(uri)] == ["CL302"]
    assert session.fix_all(uri) is None


LEGACY = (
    "import anthropic\n\nclient = anthropic.Anthropic()\n"
    'client.messages.create(model="claude-3-opus-20240229", max_tokens=100,\n'
    '                       messages=[{"role": "user", "content": "hi"}])\n'
)


@pytest.mark.parametrize(("encoding", "end"), [(UTF16, 64), (UTF8, 65), (UTF32, 64)])
def test_ranges_use_the_agreed_position_encoding(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 encoding: str, end: int) -> None:
    monkeypatch.chdir(tmp_path)
    text = UNCACHED_APP.replace("POLICY", "POLIC\u00c9")  # a two-byte letter in UTF-8
    uri = _write(tmp_path / "app.py", text)
    session = Session(encoding)
    session.open(uri, text, 1)
    try:
        [diag] = session.diagnostics(uri)
        assert (diag.range.start, diag.range.end) == (Position(8, 58), Position(8, end))
        assert session.hover(uri, Position(8, end)) is not None
    finally:
        session.close(uri)


def test_unsafe_fixes_are_labelled(session: Session, tmp_path: Path) -> None:
    uri = _write(tmp_path / "app.py", LEGACY)
    session.open(uri, LEGACY, 1)
    [diag] = session.diagnostics(uri)
    assert diag.code == "CL302"
    fix = session.code_actions(uri, diag.range)[0]
    assert fix.title.startswith("CL302: Replace `claude-3-opus-20240229` with `")
    assert fix.title.endswith(" (unsafe)") and not fix.preferred


def test_an_edit_of_an_imported_module_rechecks_its_importers(session: Session,
                                                              tmp_path: Path) -> None:
    prompts = _write(tmp_path / "prompts.py", SMALL_PROMPTS)
    app = _write(tmp_path / "app.py", IMPORTER)
    session.open(app, IMPORTER, 1)
    assert session.diagnostics(app) == []
    assert session.open(prompts, SMALL_PROMPTS, 1) == [prompts]  # as on disk
    # The unsaved buffer of prompts.py is what app.py imports.
    assert session.change(prompts, BIG_PROMPTS, 2) == [prompts, app]
    assert [d.code for d in session.diagnostics(app)] == ["CL101"]
    # Closed without saving: the file on disk again.
    assert session.close(prompts) == [app]
    assert session.diagnostics(app) == []
    # Saved by another program (the client's file watcher says so).
    (tmp_path / "prompts.py").write_text(BIG_PROMPTS, encoding="utf-8")
    assert session.files_changed([tmp_path / "prompts.py"]) == [app]
    assert [d.code for d in session.diagnostics(app)] == ["CL101"]


def test_a_module_imported_through_another_is_followed(session: Session,
                                                       tmp_path: Path) -> None:
    (tmp_path / "base.py").write_text('TEXT = "short"\n', encoding="utf-8")
    (tmp_path / "prompts.py").write_text("from base import TEXT\nSYSTEM = TEXT\n",
                                         encoding="utf-8")
    app = _write(tmp_path / "app.py", IMPORTER)
    session.open(app, IMPORTER, 1)
    assert session.diagnostics(app) == []
    base = (tmp_path / "base.py").as_uri()
    assert session.open(base, 'TEXT = "long"\n', 1) == [base, app]  # unsaved already
    session.change(base, f"TEXT = {BIG!r}\n", 2)
    assert [d.code for d in session.diagnostics(app)] == ["CL101"]


def test_settings_come_from_the_config_file(session: Session, tmp_path: Path) -> None:
    uri = _write(tmp_path / "app.py", UNCACHED_APP)
    session.open(uri, UNCACHED_APP, 1)
    assert [d.code for d in session.diagnostics(uri)] == ["CL101"]
    config = tmp_path / "pyproject.toml"
    config.write_text('[tool.claudelint]\nignore = ["CL101"]\n', encoding="utf-8")
    assert session.save(config.as_uri()) == [uri]
    assert session.diagnostics(uri) == []
    config.write_text('[tool.claudelint]\nextend-exclude = ["app.py"]\n', encoding="utf-8")
    session.files_changed([config])
    assert session.diagnostics(uri) == []
    config.write_text('[tool.claudelint]\nignore = ["CL9999x"]\n', encoding="utf-8")
    session.files_changed([config])
    assert session.diagnostics(uri) == []
    doc = session.docs[uri]
    assert doc.error is not None and "CL9999x" in doc.error


def test_a_syntax_error_is_cl000_and_keeps_the_dependencies(session: Session,
                                                           tmp_path: Path) -> None:
    _write(tmp_path / "prompts.py", BIG_PROMPTS)
    app = _write(tmp_path / "app.py", IMPORTER)
    session.open(app, IMPORTER, 1)
    assert [d.code for d in session.diagnostics(app)] == ["CL101"]
    broken = IMPORTER + "def broken(:\n"
    session.change(app, broken, 2)
    assert [d.code for d in session.diagnostics(app)] == ["CL000"]
    assert session.importers(tmp_path / "prompts.py") == [app]


def test_server_without_pygls_says_how_to_install_it(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pygls", None)
    code, output = invoke(["server"], tmp_path)
    assert code == 2
    assert "pip install 'claude-api-lint[server]'" in output


def _apply(text: str, edits: tuple[object, ...]) -> str:
    return apply_edits(text, [
        {"range": {"start": vars(e.range.start), "end": vars(e.range.end)},  # type: ignore[attr-defined]
         "newText": e.new_text}  # type: ignore[attr-defined]
        for e in edits
    ])


# ------------------------------------------------------------- the real server, over stdio


@pytest.fixture
def client(tmp_path: Path) -> Iterator[LspClient]:
    c = LspClient(tmp_path)
    try:
        yield c
    finally:
        c.close()


def test_server_over_stdio(client: LspClient, tmp_path: Path) -> None:
    init = client.initialize(tmp_path)
    caps = init["capabilities"]
    assert caps["positionEncoding"] == "utf-16"
    assert caps["hoverProvider"] and caps["codeActionProvider"]
    assert init["serverInfo"]["name"] == "claudelint"

    app = tmp_path / "app.py"
    app.write_text(UNCACHED_APP, encoding="utf-8")
    uri = client.open(app, UNCACHED_APP)
    [diag] = client.diagnostics(uri, 1)
    assert diag["code"] == "CL101" and diag["source"] == "claudelint"
    assert diag["range"]["start"] == {"line": 8, "character": 58}

    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": diag["range"],
        "context": {"diagnostics": [diag]},
    })
    fix = actions[0]
    assert fix["kind"] == "quickfix" and fix["isPreferred"] is True
    assert fix["diagnostics"] == [diag]
    fixed = apply_edits(UNCACHED_APP, fix["edit"]["changes"][uri])
    assert '"cache_control": {"type": "ephemeral"}' in fixed
    assert any(a["title"] == "Disable CL101 for this line" for a in actions)

    [fix_all] = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": diag["range"],
        "context": {"diagnostics": [], "only": ["source.fixAll"]},
    })
    assert fix_all["kind"] == "source.fixAll.claudelint"
    assert apply_edits(UNCACHED_APP, fix_all["edit"]["changes"][uri]) == fixed

    hover = client.request("textDocument/hover", {
        "textDocument": {"uri": uri}, "position": diag["range"]["start"]})
    assert hover["contents"]["kind"] == "markdown"
    assert "est. savings" in hover["contents"]["value"]

    client.change(uri, fixed, 2)
    assert client.diagnostics(uri, 2) == []

    # An imported prompts module: its unsaved text re-checks the importer.
    (tmp_path / "prompts.py").write_text(SMALL_PROMPTS, encoding="utf-8")
    importer = tmp_path / "importer.py"
    importer.write_text(IMPORTER, encoding="utf-8")
    importer_uri = client.open(importer, IMPORTER)
    assert client.diagnostics(importer_uri, 1) == []
    prompts_uri = client.open(tmp_path / "prompts.py", SMALL_PROMPTS)
    client.change(prompts_uri, BIG_PROMPTS, 2)
    assert [d["code"] for d in client.diagnostics(importer_uri)] == ["CL101"]

    # Closed unsaved: the importer reads prompts.py on disk again.
    client.notify("textDocument/didClose", {"textDocument": {"uri": prompts_uri}})
    assert client.diagnostics(importer_uri) == []
    # Changed on disk by another program: the client's file watcher reports it.
    assert any(r["method"] == "client/registerCapability" for r in client.server_requests)
    (tmp_path / "prompts.py").write_text(BIG_PROMPTS, encoding="utf-8")
    client.notify("workspace/didChangeWatchedFiles",
                  {"changes": [{"uri": prompts_uri, "type": 2}]})
    assert [d["code"] for d in client.diagnostics(importer_uri)] == ["CL101"]

    assert client.shutdown() == 0
