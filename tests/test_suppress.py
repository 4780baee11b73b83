from __future__ import annotations

import textwrap

import pytest

from claudelint.finding import Finding, parse_error
from claudelint.lint.suppress import ALL, Suppressions, filter_suppressed, parse_suppressions


def make(
    line: int,
    *,
    code: str = "CL101",
    name: str = "missing-cache-control",
    end_line: int | None = None,
    suppress_lines: tuple[int, int] | None = None,
    statement_line: int | None = None,
) -> Finding:
    end = end_line if end_line is not None else line
    return Finding(
        code=code,
        name=name,
        message="m",
        level="warning",
        path="x.py",
        line=line,
        column=1,
        end_line=end,
        end_column=2,
        suppress_lines=suppress_lines if suppress_lines is not None else (line, end),
        statement_line=statement_line if statement_line is not None else line,
    )


def src(code: str) -> str:
    return textwrap.dedent(code).lstrip("\n")


def covered(text: str, finding: Finding) -> bool:
    return parse_suppressions(text).covers(finding)


# --- the forms -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "comment",
    [
        "# noqa: CL101",
        "# noqa:CL101",
        "# noqa: missing-cache-control",
        "# noqa: CL102, CL101",
        "# noqa: CL102 CL101",
        "# noqa: cl101",
        "# NOQA: CL101",
        "# noqa",
        "# NoQA",
        "# claudelint: ignore[CL101, CL401]",
        "# claudelint: ignore[missing-cache-control]",
        "# claudelint: ignore",
        "# CLAUDELINT: IGNORE[cl101]",
        "# type: ignore  # noqa: CL101",
        "# noqa: E501  # claudelint: ignore[CL101]",
        "# noqa: CL101 -- the prompt is tiny in production",
    ],
)
def test_line_forms_that_suppress(comment: str) -> None:
    text = f"r = client.messages.create(**kw)  {comment}\n"
    assert covered(text, make(1))


@pytest.mark.parametrize(
    "comment",
    [
        "# noqa: CL102",
        "# noqa: CL1",  # no prefixes: exact codes only
        "# noqa: E501",
        "# noqa: dynamic-cached-prefix",
        "# noqa:",  # a colon without codes is invalid and suppresses nothing (as in ruff)
        "# noqa: because",
        "# noqarama",
        "# claudelint: ignore[CL102]",
        "# claudelint: ignore[]",
        "# claudelint: ignore[CL101",  # unclosed: not a directive
        "# claudelint: ignored",
        "# some other comment",
    ],
)
def test_line_forms_that_do_not_suppress(comment: str) -> None:
    text = f"r = client.messages.create(**kw)  {comment}\n"
    assert not covered(text, make(1))


def test_directive_details() -> None:
    s = parse_suppressions("x = 1  # noqa: CL101, Missing-Cache-Control\ny = 2  # noqa:\n")
    first, second = s.directives
    assert (first.line, first.column, first.kind) == (1, 8, "noqa")
    assert first.codes == ("CL101", "missing-cache-control")
    assert first.comment_only is False
    assert second.invalid is True
    assert second.codes == ()


def test_noqa_inside_a_string_does_not_count() -> None:
    text = src(
        """
        r = client.messages.create(system="# noqa: CL101")
        s = '# claudelint: ignore'
        """
    )
    assert not covered(text, make(1))
    assert not covered(text, make(2))
    assert parse_suppressions(text).directives == []


def test_noqa_inside_a_multiline_string_does_not_count() -> None:
    text = src(
        '''
        PROMPT = """
        # noqa
        # claudelint: file-ignore
        """
        r = client.messages.create(system=PROMPT)
        '''
    )
    assert not covered(text, make(5))
    assert not covered(text, make(2))


def test_other_lines_do_not_count() -> None:
    text = "a = 1  # noqa\nr = client.messages.create()\nb = 2  # noqa\n"
    assert not covered(text, make(2))


# --- multi-line calls and statements ---------------------------------------------------------

CALL = src(
    """
    def ask(client, q):
        r = client.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=1024,
            system=SYSTEM,
            messages=[{"role": "user", "content": q}],
        ){comment_close}
        return r
    """
)


def call_finding(line: int = 4) -> Finding:
    # Reported on `max_tokens` (line 4); the call spans lines 2-7.
    return make(line, suppress_lines=(2, 7), statement_line=2)


def test_noqa_on_the_closing_line_of_a_call() -> None:
    text = CALL.replace("{comment_close}", "  # noqa: CL101")
    assert covered(text, call_finding())


@pytest.mark.parametrize("line", [2, 3, 4, 5, 6])
def test_noqa_on_any_inner_line_of_a_call(line: int) -> None:
    lines = CALL.replace("{comment_close}", "").split("\n")
    lines[line - 1] += "  # noqa: CL101"
    assert covered("\n".join(lines), call_finding())


def test_noqa_after_the_call_does_not_count() -> None:
    text = CALL.replace("{comment_close}", "").replace("return r", "return r  # noqa")
    assert not covered(text, call_finding())


def test_own_line_comment_above_a_multiline_statement() -> None:
    text = CALL.replace("{comment_close}", "").replace(
        "    r = client", "    # claudelint: ignore[CL101]\n    r = client"
    )
    finding = make(5, suppress_lines=(3, 8), statement_line=3)
    assert covered(text, finding)


def test_consecutive_comment_lines_above_all_count() -> None:
    text = src(
        """
        # claudelint: ignore[CL101]
        # The prompt is cached upstream by the proxy.
        # Another line of explanation.
        r = client.messages.create(**kw)
        """
    )
    assert covered(text, make(4))


def test_comment_two_lines_above_separated_by_code_does_not_count() -> None:
    text = src(
        """
        # claudelint: ignore[CL101]
        x = 1
        r = client.messages.create(**kw)
        """
    )
    assert not covered(text, make(3))


def test_comment_above_separated_by_a_blank_line_does_not_count() -> None:
    text = "# noqa: CL101\n\nr = client.messages.create(**kw)\n"
    assert not covered(text, make(3))


def test_trailing_comment_on_the_line_above_does_not_count() -> None:
    text = "x = 1  # noqa: CL101\nr = client.messages.create(**kw)\n"
    assert not covered(text, make(2))


def test_default_ranges_when_finding_has_none() -> None:
    finding = Finding("CL101", "missing-cache-control", "m", "warning", "x.py", 2, 1, 3, 2)
    assert covered("x = 1\nr = f(\n)  # noqa: CL101\n", finding)
    assert covered("# noqa: CL101\nr = f(\n)\n", finding)


# --- file-level ------------------------------------------------------------------------------


def test_file_ignore_with_codes() -> None:
    text = src(
        """
        #!/usr/bin/env python
        # claudelint: file-ignore[CL101, batchable-loop]
        import anthropic
        r = client.messages.create(**kw)
        """
    )
    assert covered(text, make(4))
    assert covered(text, make(4, code="CL401", name="batchable-loop"))
    assert not covered(text, make(4, code="CL102", name="dynamic-cached-prefix"))


def test_bare_file_ignore_covers_everything() -> None:
    text = "# claudelint: file-ignore\nimport anthropic\nr = c.messages.create(**kw)\n"
    assert covered(text, make(3))
    assert covered(text, make(3, code="CL302", name="legacy-model"))


def test_file_ignore_after_a_docstring_counts() -> None:
    text = '"""Module docs."""\n\n# claudelint: file-ignore[CL101]\nimport x\nr = f()\n'
    assert covered(text, make(5))


def test_file_ignore_after_the_first_statement_does_not_count() -> None:
    text = "import anthropic\n# claudelint: file-ignore\n\nr = c.messages.create(**kw)\n"
    s = parse_suppressions(text)
    assert not s.covers(make(4))
    assert [d.line for d in s.misplaced] == [2]


def test_file_ignore_as_trailing_comment_does_not_count() -> None:
    text = "import anthropic  # claudelint: file-ignore\nr = c.messages.create(**kw)\n"
    assert not covered(text, make(2))


# --- parse errors ----------------------------------------------------------------------------


def test_parse_error_not_suppressed_by_line_comments() -> None:
    text = "def f(:  # noqa\n    pass\n# claudelint: ignore\n"
    err = parse_error("x.py", "invalid syntax", line=1, column=7)
    assert not covered(text, err)
    assert not covered("# claudelint: file-ignore\ndef f(:\n", parse_error("x.py", "bad", 2))


@pytest.mark.parametrize("naming", ["CL000", "parse-error"])
def test_parse_error_suppressed_by_a_file_ignore_naming_it(naming: str) -> None:
    text = f"# claudelint: file-ignore[{naming}]\ndef f(:\n    pass\n"
    assert covered(text, parse_error("x.py", "invalid syntax", line=2))


# --- robustness ------------------------------------------------------------------------------


def test_untokenizable_file_falls_back_to_a_quote_aware_scan() -> None:
    # Unbalanced indentation stops the tokenizer; later lines are still read, heuristically.
    text = src(
        """
        def f():
                x = 1
            y = 2
        r = client.messages.create(**kw)  # noqa: CL101
        s = "# noqa"
        """
    )
    assert covered(text, make(4))
    assert not covered(text, make(5))


def test_crlf_and_cr_line_numbers_match_libcst() -> None:
    text = "a = 1\r\nb = 2\rr = c.messages.create()  # noqa: CL101\r\n"
    assert covered(text, make(3))
    assert not covered(text, make(2))


def test_form_feed_is_not_a_line_break() -> None:
    text = "a = 1\x0c\nr = c.messages.create()  # noqa: CL101\n"
    assert covered(text, make(2))


# --- bookkeeping -----------------------------------------------------------------------------


def test_used_and_unused_suppressions_are_recorded() -> None:
    text = src(
        """
        # claudelint: file-ignore[CL302]
        a = c.messages.create()  # noqa: CL101, CL102
        b = c.messages.create()  # noqa
        d = 1  # claudelint: ignore[CL401]
        """
    )
    s = parse_suppressions(text)
    assert s.covers(make(2))
    assert s.covers(make(3, code="CL201", name="oversized-max-tokens"))
    assert s.covers(make(2, code="CL302", name="legacy-model"))
    assert s.used == {(2, "CL101"), (3, ALL), (1, "CL302")}
    unused = {(d.line, token) for d, token in s.unused()}
    assert unused == {(2, "CL102"), (4, "CL401")}


def test_name_match_records_the_name() -> None:
    s = parse_suppressions("r = f()  # noqa: missing-cache-control\n")
    assert s.covers(make(1))
    assert s.used == {(1, "missing-cache-control")}


def test_filter_suppressed() -> None:
    text = "a = f()  # noqa: CL101\nb = f()\n"
    keep = make(2)
    assert filter_suppressed([make(1), keep, make(1, code="CL102")], text) == [
        keep,
        make(1, code="CL102"),
    ]


def test_empty_text() -> None:
    s = parse_suppressions("")
    assert isinstance(s, Suppressions)
    assert not s.covers(make(1))
