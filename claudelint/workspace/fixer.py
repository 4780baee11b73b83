"""Applying fixes: edits, passes until stable, a parse check, atomic writes, diffs.

One mechanism for every rule, modelled on ruff: each pass applies the applicable fixes that do
not overlap, checks that the result still parses, re-lints it, and goes again until nothing
applicable remains. A fix whose result does not parse is dropped, never written.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import itertools
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from claudelint.finding import Edit, Finding, Fix
from claudelint.workspace.atomic import TempFileError, replace_atomically
from claudelint.workspace.source import SourceFile, encode_source, line_starts, offset


class OverlappingEdits(ValueError):
    """Two edits of one set touch the same text, so there is no single way to apply both."""


class FixWriteError(Exception):
    """A fixed file could not be written; the file on disk is left as it was."""

    def __init__(self, reason: str, path: Path | None = None):
        super().__init__(reason)
        self.reason = reason
        self.path = path

    def __str__(self) -> str:
        return self.reason


class ConcurrentModification(FixWriteError):
    """The file changed on disk after it was read; nothing was written."""


@dataclass
class FixResult:
    text: str
    # How many fixes were applied over all passes.
    applied: int
    # Fixes that were not applied because the code would no longer parse (or were invalid).
    dropped: list[Fix] = field(default_factory=list)
    # The findings on the final text (those of the last re-lint).
    remaining: list[Finding] = field(default_factory=list)
    passes: int = 0


# --- edits -----------------------------------------------------------------------------------


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """Apply a set of edits at once (positions refer to `text` before any of them).

    Exact duplicates count once. Raises `OverlappingEdits` when two edits overlap (or insert at
    the same place), and `ValueError` when an edit lies outside the text.
    """
    starts = line_starts(text)
    spans: list[tuple[int, int, str]] = []
    for edit in dict.fromkeys(edits):
        start = _offset(text, starts, edit.line, edit.column)
        end = _offset(text, starts, edit.end_line, edit.end_column)
        if end < start:
            raise ValueError(f"edit ends before it starts: {edit}")
        spans.append((start, end, edit.content))
    spans.sort(key=lambda span: (span[0], span[1]))
    for (s1, e1, _), (s2, e2, _) in itertools.pairwise(spans):
        if s2 < e1 or (s1 == s2 == e1 == e2):
            raise OverlappingEdits(f"edits overlap at offset {s2}")
    pieces: list[str] = []
    pos = 0
    for start, end, content in spans:
        pieces.append(text[pos:start])
        pieces.append(content)
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)


def _offset(text: str, starts: list[int], line: int, column: int) -> int:
    result = offset(starts, line, column)
    if result > len(text):
        raise ValueError(f"position {line}:{column} is past the end of the text")
    return result


def apply_fixes(text: str, fixes: Sequence[Fix]) -> str:
    """Apply several fixes at once (their edits must not overlap, shared identical edits may)."""
    return apply_edits(text, [edit for fix in fixes for edit in fix.edits])


Position = tuple[int, int]


def _span(edit: Edit) -> tuple[Position, Position]:
    return (edit.line, edit.column), (edit.end_line, edit.end_column)


def _conflicts(edit: Edit, chosen: Sequence[Edit]) -> bool:
    """Whether `edit` overlaps or touches one of `chosen` (conservative, like ruff)."""
    start, end = _span(edit)
    for other in chosen:
        other_start, other_end = _span(other)
        if start <= other_end and other_start <= end:
            return True
    return False


def _sort_key(fix: Fix) -> tuple[Position, Position]:
    if not fix.edits:
        return (0, 0), (0, 0)
    return min(_span(e)[0] for e in fix.edits), max(_span(e)[1] for e in fix.edits)


def select_fixes(findings: Sequence[Finding], *, unsafe: bool) -> list[Fix]:
    """The fixes to apply in one pass, in file order.

    Safe fixes, and unsafe ones too when `unsafe`. A fix that overlaps (or touches) a fix
    already chosen is left for a later pass; a fix identical to a chosen one counts once, and
    edits shared with chosen fixes do not count as overlaps.
    """
    candidates: list[Fix] = []
    for finding in findings:
        fix = finding.fix
        if fix is None or not fix.edits:
            continue
        if fix.applicability == "safe" or (unsafe and fix.applicability == "unsafe"):
            candidates.append(fix)
    candidates.sort(key=_sort_key)  # stable: findings' order breaks ties
    chosen: list[Fix] = []
    chosen_edits: list[Edit] = []
    chosen_set: set[Edit] = set()
    for fix in candidates:
        new_edits = [e for e in dict.fromkeys(fix.edits) if e not in chosen_set]
        if not new_edits:
            continue  # identical to (or contained in) what is already chosen
        if any(_conflicts(edit, chosen_edits) for edit in new_edits):
            continue
        chosen.append(fix)
        chosen_edits.extend(new_edits)
        chosen_set.update(new_edits)
    return chosen


# --- the fix loop ----------------------------------------------------------------------------


def fix_text(
    text: str,
    findings: Sequence[Finding],
    *,
    unsafe: bool,
    relint: Callable[[str], Sequence[Finding]],
    parses: Callable[[str], bool],
    max_passes: int = 10,
) -> FixResult:
    """Apply fixes pass after pass until none applicable remains (or `max_passes`).

    Each pass applies `select_fixes(...)` together; when the result does not parse, the pass's
    fixes are tried one at a time, in file order, keeping each one whose addition still parses.
    Fixes that break parsing, or do not apply to the text, are dropped and never retried. The
    new text is re-linted with `relint` before the next pass. The loop stops when a pass
    changes nothing or comes back to a text already seen.
    """
    current = text
    current_findings: list[Finding] = list(findings)
    applied = 0
    dropped: list[Fix] = []
    passes = 0
    seen = {text}
    while passes < max_passes:
        live = [f for f in current_findings if f.fix is None or f.fix not in dropped]
        fixes = select_fixes(live, unsafe=unsafe)
        if not fixes:
            break
        candidate = _try_apply(current, fixes, parses)
        kept = fixes
        if candidate is None:
            kept = []
            candidate = current
            for fix in fixes:
                attempt = _try_apply(current, [*kept, fix], parses)
                if attempt is None:
                    dropped.append(fix)
                else:
                    kept.append(fix)
                    candidate = attempt
        if not kept:
            # Everything this pass was dropped; findings are unchanged, so try the rest again
            # (dropped fixes are now filtered out) without counting a pass.
            continue
        passes += 1
        if candidate == current or candidate in seen:
            break
        seen.add(candidate)
        current = candidate
        applied += len(kept)
        current_findings = list(relint(current))
    return FixResult(
        text=current, applied=applied, dropped=dropped, remaining=current_findings, passes=passes
    )


def _try_apply(text: str, fixes: Sequence[Fix], parses: Callable[[str], bool]) -> str | None:
    try:
        result = apply_fixes(text, fixes)
    except ValueError:  # OverlappingEdits included; an edit outside the text
        return None
    return result if parses(result) else None


def parses(text: str) -> bool:
    """Whether libcst parses `text` (libcst is imported on first use)."""
    import libcst

    from claudelint.syntax.parsing import parse_module

    try:
        parse_module(text)  # bounded: libcst's parser can crash on deep nesting
    except libcst.ParserSyntaxError:
        return False
    except Exception:  # anything else libcst raises: the text cannot be trusted
        return False
    return True


def parse_check(original: str) -> Callable[[str], bool]:
    """A stricter `parses` for fixes of `original`.

    libcst accepts some code CPython rejects (a repeated keyword argument, for one). When the
    running Python compiles `original` (without running it), a fixed text must compile too; when
    it does not (newer syntax than this interpreter knows, top-level `await` in a notebook
    cell), only libcst's verdict counts.
    """
    from claudelint.syntax.parsing import cpython_accepts

    strict = cpython_accepts(original, compiled=True)

    def check(text: str) -> bool:
        return parses(text) and (not strict or cpython_accepts(text, compiled=True))

    return check


# --- writing ---------------------------------------------------------------------------------


def write_atomic(src: SourceFile, new_text: str) -> None:
    """Write `new_text` over `src.path` atomically (`atomic.replace_atomically`), keeping
    encoding, BOM, permissions and a symlink, and only if the file still holds what was read
    (else `ConcurrentModification`). No temp file is left behind, whatever happens.
    """
    try:
        data = encode_source(src, new_text)
    except UnicodeEncodeError as exc:
        char = exc.object[exc.start : exc.end]
        raise FixWriteError(
            f"cannot write {char!r}: not representable in the file's encoding {src.encoding}",
            src.path,
        ) from None
    try:
        # A SourceFile decoded from bytes the run read has no mode: the file keeps its own.
        replace_atomically(src.path, data, mode=src.mode, guard=lambda t: _unchanged(src, t))
    except FixWriteError:
        raise
    except TempFileError as exc:
        raise FixWriteError(f"cannot create a temp file: {exc.strerror or exc}",
                            src.path) from exc
    except OSError as exc:
        raise FixWriteError(f"cannot write: {exc.strerror or exc}", src.path) from exc


@contextlib.contextmanager
def _unchanged(src: SourceFile, target: Path) -> Iterator[None]:
    """Compare-and-swap: the check that the file still holds what was read and the replace
    happen under an exclusive lock on the file, so a second claudelint run fixing the same
    file cannot slip its write in between (its fix would be lost while both counted theirs).
    The loser finds the file changed: "not written"."""
    lock = _lock(target)
    try:
        try:
            on_disk = target.read_bytes()
        except OSError as exc:
            raise ConcurrentModification(
                f"file changed while fixing ({exc.strerror or exc}); not written", src.path
            ) from None
        if hashlib.sha256(on_disk).hexdigest() != src.digest:
            raise ConcurrentModification("file changed on disk while fixing; not written",
                                         src.path)
        yield
    finally:
        if lock is not None:
            os.close(lock)  # releases the lock


def _lock(target: Path) -> int | None:
    """An exclusive advisory lock (flock) on the file `target` names now, held until the
    returned descriptor is closed; None where locks are not available (Windows, some network
    file systems): the content check alone then guards the write."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return None
    try:
        fd = os.open(target, os.O_RDONLY)
    except OSError:
        return None  # the content check reports the missing file
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError:
        os.close(fd)
        return None
    return fd


# --- diffs -----------------------------------------------------------------------------------


def unified_diff(path: str, old: str, new: str, *, context: int = 3) -> str:
    """A unified diff like `ruff --diff` prints; empty when nothing changed."""
    if old == new:
        return ""
    lines = difflib.unified_diff(
        _split_lines(old), _split_lines(new), f"a/{path}", f"b/{path}", n=context
    )
    out: list[str] = []
    for line in lines:
        if line.endswith(("\n", "\r")):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _split_lines(text: str) -> list[str]:
    starts = line_starts(text)
    ends = [*starts[1:], len(text)]
    return [text[s:e] for s, e in zip(starts, ends, strict=True) if s < e]
