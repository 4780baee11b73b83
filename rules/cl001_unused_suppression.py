"""CL001 unused-suppression."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from claudelint.api import (
    ALL,
    PARSE_ERROR_CODE,
    Edit,
    FileRule,
    Fix,
    Invalid,
    Valid,
    normalise_token,
)

if TYPE_CHECKING:
    from claudelint.api import Directive, FileFacts, LineDiagnostic, RuleContext

_CL_CODE = re.compile(r"CL[0-9]{3}")
_SPLIT = re.compile(r"[\s,]+")

_BIG = "You are a meticulous support agent for Acme Corp. Follow every rule below. " * 80
_CC = "{'type': 'ephemeral'}"
_ALL = {"extend_select": ("CL001",)}


class UnusedSuppression(FileRule):
    """## What it does
    Finds suppression comments that no longer suppress anything: a claudelint code in a
    `# noqa: ...` list, or an entry of `# claudelint: ignore[...]` or
    `# claudelint: file-ignore[...]`, that matched no finding in this run; a bare
    `# claudelint: ignore` that covered nothing; and a `# claudelint: file-ignore` placed after
    the first statement, where it has no effect. The rule is opt-in: enable it with
    `--extend-select CL001` (or `extend-select = ["CL001"]`).

    ## Why is this bad?
    `--add-noqa` writes a suppression for every finding so a codebase can adopt claudelint with
    a clean baseline. As the code is fixed, those comments outlive their findings — and a
    stale `# noqa: CL101` on a call silently hides the next missing cache breakpoint there,
    the one that costs money. Removing unused suppressions keeps the baseline honest.

    ## Known problems
    Other tools' codes in a shared `# noqa:` list (`E501`, `F401`) and a bare `# noqa` are
    never reported: claudelint cannot know whether they are used. A code of a rule that is not
    enabled for the file (not selected, or ignored through `ignore` or `per-file-ignores`) is
    not reported either: it could match nothing in this run. Files without a Claude call site
    are not parsed at all (the bytes prefilter skips them), so their suppressions are not
    checked; neither are suppressions under `--ignore-noqa`. A code that names no rule
    (`# noqa: CL999`) is reported as unknown.

    ## Example
    ```python
    import anthropic

    client = anthropic.Anthropic()


    def classify(text: str) -> str:
        response = client.messages.create(  # noqa: CL101
            model="claude-haiku-4-5",
            max_tokens=5,
            messages=[{"role": "user", "content": text}],
        )
        return response.content[0].text
    ```

    ## Use instead
    ```python
    import anthropic

    client = anthropic.Anthropic()


    def classify(text: str) -> str:
        response = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=5,
            messages=[{"role": "user", "content": text}],
        )
        return response.content[0].text
    ```

    ## Fix safety
    The fix is safe: it removes the unused codes from the comment, or the whole directive when
    nothing is left, and keeps other tools' codes and any other text of the comment. A comment
    on a line of its own that is left empty is removed with its line. A suppression that
    matches nothing changes no finding, so removing it changes no result of this run. To keep
    one anyway, add `CL001` to it (`# noqa: CL101, CL001`).

    ## Options
    None.

    ## References
    - https://docs.astral.sh/ruff/rules/unused-noqa/ (ruff's RUF100, the same idea)
    """

    code = "CL001"
    name = "unused-suppression"
    summary = "Suppression comment that matches no finding"
    level = "warning"
    fix_safety = "safe"
    opt_in = True

    valid = (
        # Used: the comment suppresses CL101.
        Valid(
            f"""
            import anthropic

            client = anthropic.Anthropic()
            POLICY = {_BIG!r}

            def answer(q):
                return client.messages.create(
                    model='claude-sonnet-4-6', max_tokens=1024,
                    system=POLICY,  # noqa: CL101
                    messages=[{{'role': 'user', 'content': q}}],
                )
            """,
            settings=_ALL,
        ),
        Valid(
            f"""
            import anthropic

            client = anthropic.Anthropic()
            POLICY = {_BIG!r}

            def answer(q):
                return client.messages.create(
                    model='claude-sonnet-4-6', max_tokens=1024,
                    system=POLICY,  # claudelint: ignore[missing-cache-control]
                    messages=[{{'role': 'user', 'content': q}}],
                )
            """,
            settings=_ALL,
        ),
        # Other tools' codes and a bare noqa are never reported.
        Valid(
            f"""
            import anthropic

            client = anthropic.Anthropic()
            POLICY = {_BIG!r}

            def answer(q):
                return client.messages.create(
                    model='claude-sonnet-4-6', max_tokens=1024,
                    system=[{{'type': 'text', 'text': POLICY, 'cache_control': {_CC}}}],
                    messages=[{{'role': 'user', 'content': q}}],  # noqa: E501
                )
            """,
            settings=_ALL,
        ),
        Valid(
            f"""
            import anthropic

            client = anthropic.Anthropic()
            POLICY = {_BIG!r}

            def answer(q):
                return client.messages.create(
                    model='claude-sonnet-4-6', max_tokens=1024,
                    system=[{{'type': 'text', 'text': POLICY, 'cache_control': {_CC}}}],
                    messages=[{{'role': 'user', 'content': q}}],  # noqa
                )
            """,
            settings=_ALL,
        ),
        # A code of a rule not enabled in this run could match nothing: not reported.
        Valid(
            f"""
            import anthropic

            client = anthropic.Anthropic()
            POLICY = {_BIG!r}

            def answer(q):
                return client.messages.create(
                    model='claude-sonnet-4-6', max_tokens=1024,
                    system=[{{'type': 'text', 'text': POLICY, 'cache_control': {_CC}}}],
                    messages=[{{'role': 'user', 'content': q}}],  # noqa: CL101
                )
            """,
            settings={"extend_select": ("CL001",),
                                                    "ignore": ("CL101",)},
        ),
        # Kept on purpose with CL001.
        Valid(
            f"""
            import anthropic

            client = anthropic.Anthropic()
            POLICY = {_BIG!r}

            def answer(q):
                return client.messages.create(
                    model='claude-sonnet-4-6', max_tokens=1024,
                    system=[{{'type': 'text', 'text': POLICY, 'cache_control': {_CC}}}],
                    messages=[{{'role': 'user', 'content': q}}],  # noqa: CL101, CL001
                )
            """,
            settings=_ALL,
        ),
    )
    invalid = (
        Invalid(
            f"""
            import anthropic

            client = anthropic.Anthropic()
            POLICY = {_BIG!r}

            def answer(q):
                return client.messages.create(
                    model='claude-sonnet-4-6', max_tokens=1024,
                    system=[{{'type': 'text', 'text': POLICY, 'cache_control': {_CC}}}],
                    messages=[{{'role': 'user', 'content': q}}],  # noqa: CL101
                )
            """,
            expected=((10, 53),),
            message="it matched no finding",
            fixed=f"""
            import anthropic

            client = anthropic.Anthropic()
            POLICY = {_BIG!r}

            def answer(q):
                return client.messages.create(
                    model='claude-sonnet-4-6', max_tokens=1024,
                    system=[{{'type': 'text', 'text': POLICY, 'cache_control': {_CC}}}],
                    messages=[{{'role': 'user', 'content': q}}],
                )
            """,
            settings=_ALL,
        ),
        # Only the unused code goes; the other tool's code stays.
        Invalid(
            f"""
            import anthropic

            client = anthropic.Anthropic()
            POLICY = {_BIG!r}

            def answer(q):
                return client.messages.create(
                    model='claude-sonnet-4-6', max_tokens=1024,
                    system=[{{'type': 'text', 'text': POLICY, 'cache_control': {_CC}}}],
                    messages=[{{'role': 'user', 'content': q}}],  # noqa: E501, CL101
                )
            """,
            expected=((10, 53),),
            message="`CL101` matched no finding",
            fixed=f"""
            import anthropic

            client = anthropic.Anthropic()
            POLICY = {_BIG!r}

            def answer(q):
                return client.messages.create(
                    model='claude-sonnet-4-6', max_tokens=1024,
                    system=[{{'type': 'text', 'text': POLICY, 'cache_control': {_CC}}}],
                    messages=[{{'role': 'user', 'content': q}}],  # noqa: E501
                )
            """,
            settings=_ALL,
        ),
        # One entry of an ignore list is used, the other is not.
        Invalid(
            f"""
            import anthropic

            client = anthropic.Anthropic()
            POLICY = {_BIG!r}

            def answer(q):
                return client.messages.create(
                    model='claude-sonnet-4-6', max_tokens=1024,
                    system=POLICY,  # claudelint: ignore[CL101, CL401]
                    messages=[{{'role': 'user', 'content': q}}],
                )
            """,
            expected=((9, 25),),
            message="`CL401`",
            fixed=f"""
            import anthropic

            client = anthropic.Anthropic()
            POLICY = {_BIG!r}

            def answer(q):
                return client.messages.create(
                    model='claude-sonnet-4-6', max_tokens=1024,
                    system=POLICY,  # claudelint: ignore[CL101]
                    messages=[{{'role': 'user', 'content': q}}],
                )
            """,
            settings=_ALL,
        ),
        # A comment line above the statement, left empty: the line goes.
        Invalid(
            f"""
            import anthropic

            client = anthropic.Anthropic()
            POLICY = {_BIG!r}

            def answer(q):
                # claudelint: ignore[CL101]
                return client.messages.create(
                    model='claude-sonnet-4-6', max_tokens=1024,
                    system=[{{'type': 'text', 'text': POLICY, 'cache_control': {_CC}}}],
                    messages=[{{'role': 'user', 'content': q}}],
                )
            """,
            expected=((7, 5),),
            message="it matched no finding",
            fixed=f"""
            import anthropic

            client = anthropic.Anthropic()
            POLICY = {_BIG!r}

            def answer(q):
                return client.messages.create(
                    model='claude-sonnet-4-6', max_tokens=1024,
                    system=[{{'type': 'text', 'text': POLICY, 'cache_control': {_CC}}}],
                    messages=[{{'role': 'user', 'content': q}}],
                )
            """,
            settings=_ALL,
        ),
        # The directive goes, the rest of the comment stays.
        Invalid(
            f"""
            import anthropic

            client = anthropic.Anthropic()
            POLICY = {_BIG!r}

            def answer(q):
                return client.messages.create(
                    model='claude-sonnet-4-6', max_tokens=1024,
                    system=[{{'type': 'text', 'text': POLICY, 'cache_control': {_CC}}}],
                    messages=[{{'role': 'user', 'content': q}}],  # noqa: CL101  # legacy prompt
                )
            """,
            expected=((10, 53),),
            message="unused suppression `# noqa: CL101`",
            fixed=f"""
            import anthropic

            client = anthropic.Anthropic()
            POLICY = {_BIG!r}

            def answer(q):
                return client.messages.create(
                    model='claude-sonnet-4-6', max_tokens=1024,
                    system=[{{'type': 'text', 'text': POLICY, 'cache_control': {_CC}}}],
                    messages=[{{'role': 'user', 'content': q}}],  # legacy prompt
                )
            """,
            settings=_ALL,
        ),
        # A file-ignore after the first statement does nothing.
        Invalid(
            f"""
            import anthropic

            client = anthropic.Anthropic()
            POLICY = {_BIG!r}

            # claudelint: file-ignore[CL101]
            def answer(q):
                return client.messages.create(
                    model='claude-sonnet-4-6', max_tokens=1024,
                    system=[{{'type': 'text', 'text': POLICY, 'cache_control': {_CC}}}],
                    messages=[{{'role': 'user', 'content': q}}],
                )
            """,
            expected=((6, 1),),
            message="no effect",
            fixed=f"""
            import anthropic

            client = anthropic.Anthropic()
            POLICY = {_BIG!r}

            def answer(q):
                return client.messages.create(
                    model='claude-sonnet-4-6', max_tokens=1024,
                    system=[{{'type': 'text', 'text': POLICY, 'cache_control': {_CC}}}],
                    messages=[{{'role': 'user', 'content': q}}],
                )
            """,
            settings=_ALL,
        ),
        # An unknown code.
        Invalid(
            f"""
            import anthropic

            client = anthropic.Anthropic()
            POLICY = {_BIG!r}

            def answer(q):
                return client.messages.create(
                    model='claude-sonnet-4-6', max_tokens=1024,
                    system=[{{'type': 'text', 'text': POLICY, 'cache_control': {_CC}}}],
                    messages=[{{'role': 'user', 'content': q}}],  # noqa: CL999
                )
            """,
            expected=((10, 53),),
            message="not a claudelint rule",
            settings=_ALL,
        ),
    )

    def check_file(self, file: FileFacts, ctx: RuleContext) -> Iterator[LineDiagnostic]:
        s = file.suppressions
        for d in s.directives:
            if d.invalid:
                continue
            if d in s.misplaced:
                yield self._diagnostic(
                    file, d, list(d.tokens),
                    f"`{d.text}` has no effect after the first statement: file-level "
                    "suppressions belong in the comment block at the top of the file",
                )
                continue
            unused: list[str] = []
            unknown: list[str] = []
            for token in d.tokens:
                if (d.line, token) in s.used:
                    continue
                verdict = _judge(d, token, file)
                if verdict == "unused":
                    unused.append(token)
                elif verdict == "unknown":
                    unknown.append(token)
            if not unused and not unknown:
                continue
            parts = []
            if unused and set(unused) == set(d.tokens):
                parts.append("it matched no finding")
            elif unused:
                parts.append(", ".join(f"`{t}`" for t in unused) + " matched no finding")
            if unknown:
                verb = ("is not a claudelint rule" if len(unknown) == 1
                        else "are no claudelint rules")
                parts.append(", ".join(f"`{t}`" for t in unknown) + " " + verb)
            yield self._diagnostic(file, d, unused + unknown,
                                   f"unused suppression `{d.text}`: " + "; ".join(parts))

    @staticmethod
    def _diagnostic(file: FileFacts, d: Directive, stale: list[str],
                    message: str) -> LineDiagnostic:
        from claudelint.api import LineDiagnostic

        edit = removal_edit(file.lines, d, stale)
        fix = Fix(_title(d, stale), "safe", (edit,)) if edit is not None else None
        return LineDiagnostic(d.line, d.column, d.line, d.column + len(d.text), message, fix)


def _judge(d: Directive, token: str, file: FileFacts) -> str | None:
    """"unused", "unknown", or None when the token is not claudelint's to judge."""
    if token == ALL:
        # A bare noqa belongs to every tool; a bare claudelint directive only to us.
        return None if d.kind == "noqa" else "unused"
    code = file.rule_code(token)
    if code is None:
        if d.kind == "noqa" and not _CL_CODE.fullmatch(token):
            return None  # another tool's code
        return None if token == PARSE_ERROR_CODE else "unknown"
    if code == UnusedSuppression.code:
        return None
    return "unused" if file.checked(code) else None


def _title(d: Directive, stale: list[str]) -> str:
    if d.codes is None or set(stale) >= set(d.codes):
        return "Remove the unused suppression"
    return "Remove the unused code" + ("s" if len(stale) > 1 else "") + " from the suppression"


def removal_edit(lines: list[str], d: Directive, stale: list[str]) -> Edit | None:
    """An edit that drops `stale` tokens from directive `d` (the whole directive when none
    is left; the whole line when that leaves it empty)."""
    if not 0 < d.line <= len(lines):
        return None
    line = lines[d.line - 1]
    start = d.column - 1
    end = start + len(d.text)
    if line[start:end] != d.text:
        return None  # the text moved since the comments were read
    kept = _rewrite(d, stale)
    if kept is not None:
        return Edit(d.line, start + 1, d.line, end + 1, kept)
    comment_start = d.comment_column - 1
    comment = line[comment_start:]
    if comment.strip() == d.text:
        # The directive is the whole comment.
        if not line[:comment_start].strip():
            if d.line < len(lines):
                return Edit(d.line, 1, d.line + 1, 1, "")  # a comment line: drop the line
            return Edit(d.line, 1, d.line, len(line) + 1, "")
        code_end = len(line[:comment_start].rstrip())
        return Edit(d.line, code_end + 1, d.line, len(line) + 1, "")
    if start == comment_start:
        # A directive followed by more comment text: keep the text as the comment.
        rest = line[end:].strip()
        new = rest if rest.startswith("#") else "# " + rest
        return Edit(d.line, start + 1, d.line, len(line.rstrip()) + 1, new)
    # A directive after other comment text: drop it and the blanks before it.
    lead = len(line[:start].rstrip())
    return Edit(d.line, lead + 1, d.line, end + 1, "")


def _rewrite(d: Directive, stale: list[str]) -> str | None:
    """The directive without the `stale` tokens, spelled as written; None when nothing is
    left (or it was bare)."""
    if d.codes is None:
        return None
    gone = set(stale)
    if d.kind == "noqa":
        colon = d.text.index(":")
        head, body, tail = d.text[: colon + 1] + " ", d.text[colon + 1:], ""
    else:
        open_, close = d.text.index("["), d.text.rindex("]")
        head, body, tail = d.text[: open_ + 1], d.text[open_ + 1: close], "]"
    tokens = [t for t in _SPLIT.split(body.strip()) if t]
    kept = [t for t in tokens if normalise_token(t) not in gone]
    if not kept:
        return None
    return head + ", ".join(kept) + tail
