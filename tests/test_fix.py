from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from claudelint.finding import Applicability, Edit, Finding, Fix
from claudelint.workspace.fixer import (
    ConcurrentModification,
    FixResult,
    FixWriteError,
    OverlappingEdits,
    apply_edits,
    fix_text,
    parse_check,
    parses,
    select_fixes,
    unified_diff,
    write_atomic,
)
from claudelint.workspace.source import line_starts, read_source

# --- helpers: a tiny regex "linter" whose findings carry fixes -------------------------------


def _pos(starts: list[int], at: int) -> tuple[int, int]:
    line = max(i for i, s in enumerate(starts) if s <= at)
    return line + 1, at - starts[line] + 1


def edit_at(text: str, start: int, end: int, content: str) -> Edit:
    starts = line_starts(text)
    (line, column), (end_line, end_column) = _pos(starts, start), _pos(starts, end)
    return Edit(line, column, end_line, end_column, content)


def finding(
    text: str,
    start: int,
    end: int,
    content: str,
    *,
    code: str = "CL999",
    applicability: Applicability = "safe",
) -> Finding:
    edit = edit_at(text, start, end, content)
    return Finding(
        code=code,
        name="test-rule",
        message="m",
        level="warning",
        path="x.py",
        line=edit.line,
        column=edit.column,
        end_line=edit.end_line,
        end_column=edit.end_column,
        fix=Fix(f"replace with {content!r}", applicability, (edit,)),
    )


Rule = tuple[str, str, str, Applicability]  # code, pattern, replacement, applicability


def linter(*rules: Rule) -> Callable[[str], list[Finding]]:
    def lint(text: str) -> list[Finding]:
        found = []
        for code, pattern, replacement, applicability in rules:
            for m in re.finditer(pattern, text):
                new = m.expand(replacement)
                found.append(
                    finding(text, m.start(), m.end(), new, code=code, applicability=applicability)
                )
        return found

    return lint


def never(text: str) -> list[Finding]:
    raise AssertionError("relint should not be called")


# --- apply_edits -----------------------------------------------------------------------------


def test_apply_edits_applies_all_at_once_against_the_original() -> None:
    text = "a = 1\nb = 2\n"
    edits = [Edit(2, 5, 2, 6, "20"), Edit(1, 1, 1, 2, "alpha")]
    assert apply_edits(text, edits) == "alpha = 1\nb = 20\n"


def test_apply_edits_insertion_deletion_and_multiline() -> None:
    text = "f(x)\ny\r\nz\n"
    assert apply_edits(text, [Edit(1, 3, 1, 3, "w, ")]) == "f(w, x)\ny\r\nz\n"
    assert apply_edits(text, [Edit(1, 5, 3, 1, "")]) == "f(x)z\n"
    assert apply_edits(text, [Edit(2, 1, 3, 1, "")]) == "f(x)\nz\n"  # the whole CRLF line
    assert apply_edits(text, [Edit(4, 1, 4, 1, "end\n")]) == "f(x)\ny\r\nz\nend\n"


def test_apply_edits_counts_columns_in_code_points() -> None:
    text = "s = '✓é'; t = 1\n"
    assert apply_edits(text, [Edit(1, 11, 1, 12, "u")]) == "s = '✓é'; u = 1\n"


def test_apply_edits_no_edits_returns_text() -> None:
    assert apply_edits("x\n", []) == "x\n"


@pytest.mark.parametrize(
    "edits",
    [
        [Edit(1, 1, 1, 4, "a"), Edit(1, 3, 1, 5, "b")],  # overlapping ranges
        [Edit(1, 1, 1, 6, "a"), Edit(1, 2, 1, 3, "b")],  # one inside the other
        [Edit(1, 2, 1, 2, "a"), Edit(1, 2, 1, 2, "b")],  # two insertions at one place
    ],
)
def test_apply_edits_rejects_overlaps(edits: list[Edit]) -> None:
    with pytest.raises(OverlappingEdits):
        apply_edits("abcdefg\n", edits)


def test_apply_edits_adjacent_and_duplicate_edits_are_fine() -> None:
    text = "abcdef\n"
    adjacent = [Edit(1, 1, 1, 3, "X"), Edit(1, 3, 1, 5, "Y")]
    assert apply_edits(text, adjacent) == "XYef\n"
    duplicate = [Edit(1, 1, 1, 2, "Z"), Edit(1, 1, 1, 2, "Z")]
    assert apply_edits(text, duplicate) == "Zbcdef\n"
    # An insertion at the start of a replaced range goes before it.
    assert apply_edits(text, [Edit(1, 1, 1, 1, "<"), Edit(1, 1, 1, 3, "X")]) == "<Xcdef\n"


@pytest.mark.parametrize(
    "edit", [Edit(5, 1, 5, 1, "x"), Edit(1, 10, 1, 11, "x"), Edit(1, 3, 1, 2, "x")]
)
def test_apply_edits_rejects_edits_outside_the_text(edit: Edit) -> None:
    with pytest.raises(ValueError):
        apply_edits("abc\n", [edit])


# --- select_fixes ----------------------------------------------------------------------------


def test_select_fixes_respects_applicability() -> None:
    text = "aaa bbb\n"
    safe = finding(text, 0, 3, "A")
    risky = finding(text, 4, 7, "B", applicability="unsafe")
    nofix = Finding("CL1", "n", "m", "warning", "x.py", 1, 1, 1, 2)
    assert select_fixes([safe, risky, nofix], unsafe=False) == [safe.fix]
    assert select_fixes([risky, safe, nofix], unsafe=True) == [safe.fix, risky.fix]


def test_select_fixes_drops_overlaps_and_keeps_file_order() -> None:
    text = "abcdefghij\n"
    late = finding(text, 6, 8, "L")
    first = finding(text, 0, 4, "F")
    overlapping = finding(text, 2, 5, "O")
    touching = finding(text, 4, 6, "T")  # touches `first`: deferred, like ruff
    chosen = select_fixes([late, overlapping, touching, first], unsafe=False)
    assert chosen == [first.fix, late.fix]


def test_select_fixes_counts_identical_fixes_once() -> None:
    text = "abc\n"
    one = finding(text, 0, 1, "X", code="CL1")
    two = finding(text, 0, 1, "X", code="CL2")
    assert select_fixes([one, two], unsafe=False) == [one.fix]


# --- fix_text --------------------------------------------------------------------------------


def test_fix_text_applies_and_relints_until_clean() -> None:
    lint = linter(("CL1", r"old_model", "new_model", "safe"))
    text = "a = old_model\nb = old_model\n"
    result = fix_text(text, lint(text), unsafe=False, relint=lint, parses=parses)
    assert result.text == "a = new_model\nb = new_model\n"
    assert result.applied == 2
    assert result.dropped == []
    assert result.remaining == []


def test_fix_text_unsafe_only_when_asked() -> None:
    lint = linter(("CL1", r"9999", "100", "unsafe"))
    text = "max_tokens = 9999\n"
    kept = fix_text(text, lint(text), unsafe=False, relint=never, parses=parses)
    assert kept.text == text
    assert kept.applied == 0
    assert len(kept.remaining) == 1
    fixed = fix_text(text, lint(text), unsafe=True, relint=lint, parses=parses)
    assert fixed.text == "max_tokens = 100\n"


def test_fix_text_resolves_overlapping_fixes_over_passes() -> None:
    # CL1 renames foo -> bar; CL2 fills the empty call; their edits overlap on "foo".
    lint = linter(("CL1", r"\bfoo\b", "bar", "safe"), ("CL2", r"\b(foo|bar)\(\)", r"\1(x)", "safe"))
    text = "y = foo()\n"
    first = select_fixes(lint(text), unsafe=False)
    assert len(first) == 1  # only one of the two fits in pass 1
    result = fix_text(text, lint(text), unsafe=False, relint=lint, parses=parses)
    assert result.text == "y = bar(x)\n"
    assert result.applied == 2
    assert result.passes == 2
    assert result.remaining == []


def test_fix_that_breaks_parsing_is_dropped_and_text_unchanged() -> None:
    text = "x = f(1)\n"
    bad = finding(text, 5, 6, "((")  # x = f(((1)
    calls: list[str] = []

    def relint(new: str) -> list[Finding]:
        calls.append(new)
        return []

    result = fix_text(text, [bad], unsafe=False, relint=relint, parses=parses)
    assert result.text == text
    assert result.applied == 0
    assert result.dropped == [bad.fix]
    assert result.remaining == [bad]
    assert calls == []


def test_good_fixes_survive_a_bad_one_in_the_same_pass() -> None:
    text = "a = 1\nb = 2\nc = 3\n"
    good1 = finding(text, 4, 5, "10")
    bad = finding(text, 10, 11, "2 +")  # b = 2 + : a syntax error
    good3 = finding(text, 16, 17, "30")
    result = fix_text(text, [good1, bad, good3], unsafe=False, relint=lambda t: [], parses=parses)
    assert result.text == "a = 10\nb = 2\nc = 30\n"
    assert result.applied == 2
    assert result.dropped == [bad.fix]


def test_fix_with_edit_outside_text_is_dropped() -> None:
    text = "x = 1\n"
    broken = Finding(
        "CL1", "n", "m", "warning", "x.py", 1, 1, 1, 2,
        fix=Fix("t", "safe", (Edit(9, 1, 9, 2, "y"),)),
    )  # fmt: skip
    result = fix_text(text, [broken], unsafe=False, relint=never, parses=parses)
    assert result.text == text
    assert result.dropped == [broken.fix]


def test_fix_text_is_idempotent() -> None:
    lint = linter(("CL1", r"claude-2\.1", "claude-haiku-4-5", "safe"))
    text = 'client.messages.create(model="claude-2.1")\n'
    once = fix_text(text, lint(text), unsafe=False, relint=lint, parses=parses)
    assert once.text == 'client.messages.create(model="claude-haiku-4-5")\n'
    twice = fix_text(once.text, lint(once.text), unsafe=False, relint=lint, parses=parses)
    assert twice.text == once.text
    assert twice.applied == 0
    assert twice.passes == 0


def test_fix_text_stops_on_a_cycle() -> None:
    # Two rules that undo each other must not loop forever.
    lint = linter(("CL1", r"\bx\b", "y", "safe"), ("CL2", r"\by\b", "x", "safe"))
    text = "x\n"
    result = fix_text(text, lint(text), unsafe=False, relint=lint, parses=parses, max_passes=50)
    assert result.passes <= 2
    assert result.text in ("x\n", "y\n")


def test_fix_text_respects_max_passes() -> None:
    lint = linter(("CL1", r"a$", "aa", "safe"))  # always fixable again
    result = fix_text("a", lint("a"), unsafe=False, relint=lint, parses=parses, max_passes=3)
    assert result.text == "aaaa"
    assert result.passes == 3
    assert result.applied == 3
    assert isinstance(result, FixResult)


def test_no_op_fix_stops_the_loop() -> None:
    text = "x = 1\n"
    same = finding(text, 0, 1, "x")
    result = fix_text(text, [same], unsafe=False, relint=never, parses=parses)
    assert result.text == text
    assert result.applied == 0


# --- parses ----------------------------------------------------------------------------------


def test_parses() -> None:
    assert parses("x = 1\n")
    assert parses("")
    assert not parses("x = (\n")
    assert not parses("def f(:\n")


def test_parse_check_also_compiles_when_the_original_does() -> None:
    repeated = "f(a=1, a=2)\n"
    assert parses(repeated)  # libcst accepts a repeated keyword...
    assert not parse_check("f(a=1)\n")(repeated)  # ...CPython does not
    assert parse_check("f(a=1)\n")("f(a=1, b=2)\n")
    # When this interpreter cannot compile the original, only libcst decides.
    assert parse_check("f(a=1, a=2)\n")(repeated)


# --- write_atomic ----------------------------------------------------------------------------


def temp_files(folder: Path) -> list[Path]:
    return sorted(folder.glob(".claudelint-*"))


def lint_and_write(path: Path, rules: Sequence[Rule]) -> None:
    src = read_source(path)
    lint = linter(*rules)
    result = fix_text(src.text, lint(src.text), unsafe=False, relint=lint, parses=parses)
    write_atomic(src, result.text)


def test_crlf_file_stays_crlf(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_bytes(b"import anthropic\r\nm = 'claude-2.1'\r\nx = 1\r\n")
    lint_and_write(path, [("CL1", r"claude-2\.1", "claude-haiku-4-5", "safe")])
    assert path.read_bytes() == b"import anthropic\r\nm = 'claude-haiku-4-5'\r\nx = 1\r\n"
    assert temp_files(tmp_path) == []


def test_bom_stays(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_bytes(b"\xef\xbb\xbfm = 'old'\n")
    lint_and_write(path, [("CL1", r"old", "new", "safe")])
    assert path.read_bytes() == b"\xef\xbb\xbfm = 'new'\n"


def test_latin1_file_stays_latin1(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_bytes(b"# -*- coding: latin-1 -*-\ns = 'caf\xe9'\nm = 'old'\n")
    lint_and_write(path, [("CL1", r"old", "n\u00e9w", "safe")])
    assert path.read_bytes() == b"# -*- coding: latin-1 -*-\ns = 'caf\xe9'\nm = 'n\xe9w'\n"


def test_unencodable_fix_raises_and_leaves_file_untouched(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    raw = b"# -*- coding: latin-1 -*-\nm = 'old'\n"
    path.write_bytes(raw)
    src = read_source(path)
    with pytest.raises(FixWriteError, match="not representable"):
        write_atomic(src, src.text.replace("old", "€"))
    assert path.read_bytes() == raw
    assert temp_files(tmp_path) == []


def test_mode_bits_stay(tmp_path: Path) -> None:
    path = tmp_path / "script.py"
    path.write_text("#!/usr/bin/env python\nm = 'old'\n")
    path.chmod(0o755)
    lint_and_write(path, [("CL1", r"old", "new", "safe")])
    assert stat.S_IMODE(path.stat().st_mode) == 0o755
    assert path.read_text() == "#!/usr/bin/env python\nm = 'new'\n"
    path.chmod(0o640)
    lint_and_write(path, [("CL1", r"new", "newer", "safe")])
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_symlink_is_kept_and_its_target_fixed(tmp_path: Path) -> None:
    target = tmp_path / "real.py"
    target.write_text("m = 'old'\n")
    link = tmp_path / "link.py"
    link.symlink_to(target)
    lint_and_write(link, [("CL1", r"old", "new", "safe")])
    assert link.is_symlink()
    assert target.read_text() == "m = 'new'\n"


def test_concurrent_modification_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_text("m = 'old'\n")
    src = read_source(path)
    path.write_text("m = 'theirs'\n")  # another writer, between our read and our write
    with pytest.raises(ConcurrentModification):
        write_atomic(src, "m = 'new'\n")
    assert path.read_text() == "m = 'theirs'\n"
    assert temp_files(tmp_path) == []


def test_concurrent_removal_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_text("m = 'old'\n")
    src = read_source(path)
    path.unlink()
    with pytest.raises(ConcurrentModification):
        write_atomic(src, "m = 'new'\n")
    assert not path.exists()
    assert temp_files(tmp_path) == []


def test_failed_rename_leaves_no_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.py"
    path.write_text("m = 'old'\n")
    src = read_source(path)

    def boom(self: Path, target: object) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "replace", boom)
    with pytest.raises(FixWriteError, match="No space left"):
        write_atomic(src, "m = 'new'\n")
    assert path.read_text() == "m = 'old'\n"
    assert temp_files(tmp_path) == []


def test_unexpected_error_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.py"
    path.write_text("m = 'old'\n")
    src = read_source(path)

    def boom(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(src, "m = 'new'\n")
    assert path.read_text() == "m = 'old'\n"
    assert temp_files(tmp_path) == []


def test_successful_write_leaves_no_temp_file(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_text("m = 'old'\n")
    src = read_source(path)
    write_atomic(src, "m = 'new'\n")
    assert path.read_text() == "m = 'new'\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.py"]


# --- unified_diff ----------------------------------------------------------------------------


def test_unified_diff_like_ruff() -> None:
    old = "a = 1\nb = 2\nc = 3\n"
    new = "a = 1\nb = 20\nc = 3\n"
    assert unified_diff("pkg/x.py", old, new) == (
        "--- a/pkg/x.py\n+++ b/pkg/x.py\n@@ -1,3 +1,3 @@\n a = 1\n-b = 2\n+b = 20\n c = 3\n"
    )


def test_unified_diff_empty_when_unchanged() -> None:
    assert unified_diff("x.py", "a\n", "a\n") == ""


def test_unified_diff_marks_missing_final_newline() -> None:
    diff = unified_diff("x.py", "a = 1", "a = 2")
    assert diff.endswith(
        "-a = 1\n\\ No newline at end of file\n+a = 2\n\\ No newline at end of file\n"
    )


def test_unified_diff_splits_only_on_real_line_breaks() -> None:
    diff = unified_diff("x.py", "s = 'a\x0cb'\nx = 1\n", "s = 'a\x0cb'\nx = 2\n")
    assert " s = 'a\x0cb'\n" in diff
    assert "-x = 1\n+x = 2\n" in diff
