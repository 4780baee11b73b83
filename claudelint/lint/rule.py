"""The Rule base class: metadata, documentation page and examples.

A rule module holds one subclass. Importing it must stay cheap: rule modules never import
libcst (fixes are built by the Request's own helpers), so `claudelint rule CODE` starts fast.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from claudelint.finding import Level
from claudelint.lint.diagnostic import Option

if TYPE_CHECKING:
    from claudelint.analysis.request import Request
    from claudelint.lint.context import RuleContext
    from claudelint.lint.diagnostic import Diagnostic, FileFacts, LineDiagnostic

FixSafety = Literal["safe", "unsafe", "none"]

DOC_SECTIONS: tuple[str, ...] = (
    "What it does",
    "Why is this bad?",
    "Known problems",
    "Example",
    "Use instead",
    "Fix safety",
    "Options",
    "References",
)
REQUIRED_SECTIONS: tuple[str, ...] = (
    "What it does",
    "Why is this bad?",
    "Example",
    "Use instead",
    "Fix safety",
)


def snippet(code: str) -> str:
    """An example's code as written in a rule module: a string that starts with a newline (a
    triple-quoted snippet, indented with the code around it) loses that newline and its common
    indentation (`textwrap.dedent`); any other string is taken as it is."""
    if code.startswith("\n"):
        return textwrap.dedent(code[1:])
    return code


@dataclass(frozen=True)
class Valid:
    """Code on which the rule must report nothing; `code` is usually a triple-quoted
    snippet (see `snippet`)."""

    code: str
    path: str = "example.py"
    settings: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", snippet(self.code))


@dataclass(frozen=True)
class Invalid:
    """Code on which the rule must report. `expected` lists the positions reported, in order,
    as `(line, column)` pairs (1-based, as the text output prints them); `message` is a
    substring every finding's message holds. Both are required: the example tests fail
    without them. `fixed` is the code after applying this rule's fixes (safe and unsafe),
    when it has one. `code` and `fixed` are usually triple-quoted snippets (see `snippet`)."""

    code: str
    expected: tuple[tuple[int, int], ...] = ()
    message: str = ""
    fixed: str | None = None
    path: str = "example.py"
    settings: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", snippet(self.code))
        if self.fixed is not None:
            object.__setattr__(self, "fixed", snippet(self.fixed))


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    level: ClassVar[Level] = "warning"
    fix_safety: ClassVar[FixSafety] = "none"
    options: ClassVar[dict[str, Option]] = {}
    valid: ClassVar[tuple[Valid, ...]] = ()
    invalid: ClassVar[tuple[Invalid, ...]] = ()
    # Off unless selected explicitly by full code or name.
    opt_in: ClassVar[bool] = False
    # Also checks the Requests built for calls of functions imported from other modules of
    # the project in a loop (analysis/imported.py, the caller's arguments not bound); only
    # findings on the whole call are kept. Such a rule does not check the Requests built
    # with the arguments bound (analysis/bound_imports.py), which every other rule checks.
    imported_wrappers: ClassVar[bool] = False

    def check(self, request: Request, ctx: RuleContext) -> Iterator[Diagnostic]:
        raise NotImplementedError

    # ------------------------------------------------------------------ documentation

    @classmethod
    def doc(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def doc_sections(cls) -> dict[str, str]:
        """The docstring split into its `## Heading` sections."""
        sections: dict[str, str] = {}
        current: str | None = None
        lines: list[str] = []
        for line in cls.doc().splitlines():
            m = re.match(r"^##\s+(.+?)\s*$", line)
            if m:
                if current is not None:
                    sections[current] = "\n".join(lines).strip()
                current, lines = m.group(1), []
            elif current is not None:
                lines.append(line)
        if current is not None:
            sections[current] = "\n".join(lines).strip()
        return sections

    @classmethod
    def doc_code_block(cls, section: str) -> str | None:
        """The first fenced ```python block of a section."""
        text = cls.doc_sections().get(section, "")
        m = re.search(r"```python\n(.*?)```", text, re.S)
        return m.group(1) if m else None

    @classmethod
    def page(cls) -> str:
        """The rule page `claudelint rule CODE` prints (Markdown)."""
        head = f"# {cls.name} ({cls.code})\n\n"
        fix = {
            "safe": "Fix is always available (safe).",
            "unsafe": "Fix is sometimes available (unsafe: `--unsafe-fixes`).",
            "none": "No fix.",
        }[cls.fix_safety]
        meta = f"Level: {cls.level}. {fix}\n\n"
        body = cls.doc()
        if cls.options and "## Options" not in body:
            opts = "\n".join(
                f"- `{k}` (default `{v.default!r}`): {v.help}" for k, v in cls.options.items()
            )
            body += f"\n\n## Options\n\n{opts}"
        return head + meta + body + "\n"

    @classmethod
    def to_json(cls) -> dict[str, Any]:
        return {
            "code": cls.code,
            "name": cls.name,
            "summary": cls.summary,
            "level": cls.level,
            "fix": cls.fix_safety,
            "opt_in": cls.opt_in,
            "options": {
                k: {"default": v.default, "help": v.help} for k, v in cls.options.items()
            },
            "explanation": cls.doc(),
        }


class FileRule(Rule):
    """A rule checked once per file, on facts about the whole file (`FileFacts`: its text and
    its suppression comments, after every Request rule's findings were matched against them)
    rather than on each Request. It yields `LineDiagnostic`s: positions in the text, fixes as
    text edits. The engine runs file rules only on files it parsed and found call sites in,
    and only when suppressions are applied (not under `--ignore-noqa`)."""

    def check(self, request: Request, ctx: RuleContext) -> Iterator[Diagnostic]:
        return iter(())

    def check_file(self, file: FileFacts, ctx: RuleContext) -> Iterator[LineDiagnostic]:
        raise NotImplementedError
