"""The Rule base class: metadata, documentation page and examples.

A rule module holds one subclass. Importing it must stay cheap: rule modules never import
libcst (fixes are built by the Request's own helpers), so `claudelint rule CODE` starts fast.
"""

from __future__ import annotations

import inspect
import re
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


@dataclass(frozen=True)
class Valid:
    """Code on which the rule must report nothing."""

    code: str
    path: str = "example.py"
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Invalid:
    """Code on which the rule must report; `expected` lists the 1-based lines reported (in
    order; empty means "at least one finding"), `message` a substring every message holds,
    `fixed` the code after applying this rule's fixes (safe and unsafe), when it has one."""

    code: str
    expected_lines: tuple[int, ...] = ()
    message: str = ""
    fixed: str | None = None
    path: str = "example.py"
    settings: dict[str, Any] = field(default_factory=dict)


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
