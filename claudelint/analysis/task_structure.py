"""Task evidence from the request's structure rather than its words (analysis/task.py reads
what is found): a tiny `max_tokens` after an assistant prefill, few-shot assistant turns that
are one-word labels, and structured output with a handful of short fields — a
`messages.parse(output_format=Model)` class, an `output_format` / `output_config` JSON schema,
or a tool forced by `tool_choice` whose `input_schema` is the answer's format.

Precision first: a schema with many fields, a nested object or list, or a free-text string
field (`summary`, `body`, `explanation`, ...) says the answer has room, and is reported as
evidence against a short answer; a prefill with a large `max_tokens`, or a few-shot answer
longer than a few words, says nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from claudelint.analysis.values import DictV, ListV, Text, const_int, const_str
from claudelint.syntax.scopes import dotted_name

if TYPE_CHECKING:
    from claudelint.analysis.request import Request

# A `max_tokens` at or below this after a prefill leaves room for a label and nothing more.
PREFILL_ROOM = 10
# At most this many fields make "a handful": a short extraction.
MAX_FIELDS = 8
_LABEL = re.compile(r"[A-Za-z0-9][\w'/+-]*(?:[ .][\w'/+-]+){0,2}")
_YES_NO = frozenset({"yes", "no", "true", "false", "y", "n"})
# Field names that hold free text: a schema with one has room for an open-ended answer.
_FREE_TEXT = re.compile(
    r"(?:^|_)(?:summary|summari[sz]ed|body|description|explanation|explain|reasoning|"
    r"rationale|justification|text|content|analysis|details?|notes?|comments?|message|"
    r"answer|response|reply|feedback|critique|review|thoughts?|thinking|story|essay|draft|"
    r"letter|report|article|paragraphs?|translation|code|steps|plan|outline|overview|"
    r"insights?|recommendations?|suggestions?)(?:$|_)",
    re.I,
)
_NUMBER_TYPES = frozenset({"int", "float", "integer", "number", "Decimal", "decimal.Decimal"})


@dataclass
class Structure:
    strong: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    against: list[str] = field(default_factory=list)
    # The tools are the answer's format (one tool forced by `tool_choice`), not an agent's.
    tools_are_format: bool = False


def read_structure(request: Request) -> Structure:
    found = Structure()
    _prefill(request, found)
    _few_shot(request, found)
    _output_format(request, found)
    _forced_tool(request, found)
    return found


# --------------------------------------------------------------------------- messages


def _turns(request: Request) -> list[DictV] | None:
    messages = request.value("messages")
    if not isinstance(messages, ListV) or not messages.complete or not messages.items:
        return None
    turns = [m for m in messages.items if isinstance(m, DictV)]
    return turns if len(turns) == len(messages.items) else None


def _content_text(turn: DictV) -> str | None:
    """The literal text of a turn's content: a string, or a list of one text block."""
    content = turn.get("content")
    if isinstance(content, ListV) and content.complete and len(content.items) == 1:
        block = content.items[0]
        if isinstance(block, DictV) and const_str(block.get("type")) == "text":
            content = block.get("text")
    return const_str(content) if isinstance(content, Text) else None


def _prefill(request: Request, found: Structure) -> None:
    turns = _turns(request)
    limit = request.max_tokens
    if not turns or limit is None or limit > PREFILL_ROOM:
        return
    last = turns[-1]
    if const_str(last.get("role")) != "assistant":
        return
    text = _content_text(last)
    if text is None or not text.strip():
        return
    shown = " ".join(text.split())
    shown = shown if len(shown) <= 40 else "…" + shown[-39:]
    found.strong.append(f"room for a few tokens after the assistant prefill '{shown}'")
    found.kinds.append("classification")


def _few_shot(request: Request, found: Structure) -> None:
    """Example answers: every assistant turn before the last user turn is a literal of one to
    three words, and there are at least two."""
    turns = _turns(request)
    if not turns:
        return
    roles = [const_str(t.get("role")) for t in turns]
    if "user" not in roles:
        return
    last_user = len(roles) - 1 - roles[::-1].index("user")
    answers: list[str] = []
    for turn, role in zip(turns[:last_user], roles[:last_user], strict=True):
        if role != "assistant":
            continue
        text = _content_text(turn)
        if text is None or not _LABEL.fullmatch(text.strip()) or len(text.strip()) > 30:
            return  # a long or unknown example answer says nothing
        answers.append(text.strip())
    if len(answers) < 2:
        return
    shown = ", ".join(f"'{a}'" for a in dict.fromkeys(answers))
    found.strong.append(f"the few-shot answers are one-word labels ({shown})")
    lowered = {a.lower() for a in answers}
    if lowered <= _YES_NO:
        found.kinds.append("yes-no")
    elif all(a.replace(".", "", 1).isdigit() for a in answers):
        found.kinds.append("scoring")
    else:
        found.kinds.append("classification")


# --------------------------------------------------------------------------- output formats


@dataclass
class _Fields:
    names: list[str]
    kinds: list[str]  # "enum" | "bool" | "number" | "string"
    why_not: str | None = None  # why the format has room for a long answer


def _record(fields: _Fields, what: str, found: Structure) -> None:
    if fields.why_not is not None:
        found.against.append(f"{what} {fields.why_not}")
        return
    if not fields.names:
        return
    shown = ", ".join(fields.names[:4]) + (", ..." if len(fields.names) > 4 else "")
    found.strong.append(f"{what} has {_count(len(fields.names))} ({shown})")
    if len(fields.kinds) == 1 and fields.kinds[0] != "string":
        found.kinds.append({"bool": "yes-no", "number": "scoring"}.get(fields.kinds[0],
                                                                      "classification"))
    else:
        found.kinds.append("extraction")


def _count(n: int) -> str:
    return "one short field" if n == 1 else f"{n} short fields"


def _output_format(request: Request, found: Structure) -> None:
    arg = request.arg("output_format")
    if arg is not None:
        if isinstance(arg.value, DictV):
            schema = arg.value.get("schema")
            if const_str(arg.value.get("type")) == "json_schema" and isinstance(schema, DictV):
                _record(_schema_fields(schema), "the output schema", found)
            return
        cls = _model_class(request, arg.node)
        if cls is not None:
            _record(_class_fields(request, cls), f"output_format `{cls.name.value}`", found)
        return
    config = request.value("output_config")
    if isinstance(config, DictV):
        fmt = config.get("format")
        schema = fmt.get("schema") if isinstance(fmt, DictV) else None
        if isinstance(schema, DictV):
            _record(_schema_fields(schema), "the output schema", found)


def _forced_tool(request: Request, found: Structure) -> None:
    """One tool forced by `tool_choice` is the answer's format: its input schema decides."""
    choice = request.value("tool_choice")
    tools = request.value("tools")
    if not isinstance(choice, DictV) or not isinstance(tools, ListV) or not tools.complete:
        return
    kind = const_str(choice.get("type"))
    named = const_str(choice.get("name"))
    if kind == "tool" and named is not None:
        picked = [t for t in tools.items
                  if isinstance(t, DictV) and const_str(t.get("name")) == named]
    elif kind == "any" and len(tools.items) == 1:
        picked = [t for t in tools.items if isinstance(t, DictV)]
    else:
        return
    if len(picked) != 1 or const_str(picked[0].get("type")) not in (None, "custom"):
        return
    schema = picked[0].get("input_schema")
    if not isinstance(schema, DictV):
        return
    fields = _schema_fields(schema)
    name = const_str(picked[0].get("name")) or "tool"
    _record(fields, f"the forced tool `{name}`'s input schema", found)
    found.tools_are_format = fields.why_not is None and bool(fields.names)


def _schema_fields(schema: DictV) -> _Fields:
    props = schema.get("properties")
    out = _Fields([], [])
    if not isinstance(props, DictV) or not props.complete or not props.items:
        out.why_not = "has no fields that can be read"
        return out
    if len(props.items) > MAX_FIELDS:
        out.why_not = f"has {len(props.items)} fields"
        return out
    for name, prop in props.items:
        if not isinstance(prop, DictV):
            out.why_not = f"has a field `{name}` that cannot be read"
            return out
        kind = _schema_kind(prop)
        if kind is None:
            out.why_not = f"has a nested or list field `{name}`"
            return out
        if kind == "string" and _FREE_TEXT.search(name):
            out.why_not = f"has a free-text field `{name}`"
            return out
        out.names.append(name)
        out.kinds.append(kind)
    return out


def _schema_kind(prop: DictV) -> str | None:
    if prop.get("enum") is not None or prop.get("const") is not None:
        return "enum"
    kind = const_str(prop.get("type"))
    if kind in ("integer", "number"):
        return "number"
    if kind == "boolean":
        return "bool"
    if kind == "string":
        limit = const_int(prop.get("maxLength"))
        return "string" if limit is None or limit <= 200 else None
    return None


# --------------------------------------------------------------------------- model classes


def _model_class(request: Request, node: cst.BaseExpression) -> cst.ClassDef | None:
    env = request.env
    if env is None or not isinstance(node, cst.Name):
        return None
    found = env.scope.lookup(node.value)
    if found is None or len(found[1]) != 1 or found[1][0].kind != "class":
        return None
    cls = found[1][0].node
    return cls if isinstance(cls, cst.ClassDef) else None


def _class_fields(request: Request, cls: cst.ClassDef) -> _Fields:
    out = _Fields([], [])
    body = cls.body.body if isinstance(cls.body, cst.IndentedBlock) else ()
    for stmt in body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                name = small.target.value
                if name.startswith("_") or name == "model_config":
                    continue
                kind = _annotation_kind(request, small.annotation.annotation)
                if kind is None:
                    out.why_not = f"has a nested or list field `{name}`"
                    return out
                if kind == "string" and _FREE_TEXT.search(name):
                    out.why_not = f"has a free-text field `{name}`"
                    return out
                out.names.append(name)
                out.kinds.append(kind)
    if len(out.names) > MAX_FIELDS:
        out.why_not = f"has {len(out.names)} fields"
    if not out.names and out.why_not is None:
        out.why_not = "has no fields that can be read"
    return out


def _annotation_kind(request: Request, ann: cst.BaseExpression) -> str | None:
    """"enum" (Literal[...], an Enum of this module), "bool", "number", "string", or None
    (a list, a dict, a nested model, anything else)."""
    if isinstance(ann, cst.BinaryOperation) and isinstance(ann.operator, cst.BitOr):
        # `X | None`
        if isinstance(ann.right, cst.Name) and ann.right.value == "None":
            return _annotation_kind(request, ann.left)
        return None
    if isinstance(ann, cst.Subscript):
        head = dotted_name(ann.value) or ""
        last = head.rsplit(".", 1)[-1]
        if last == "Literal":
            return "enum"
        if last in ("Optional", "Annotated") and ann.slice:
            inner = ann.slice[0].slice
            if isinstance(inner, cst.Index):
                return _annotation_kind(request, inner.value)
        return None
    name = dotted_name(ann) if isinstance(ann, (cst.Name, cst.Attribute)) else None
    if name is None:
        return None
    if name == "bool":
        return "bool"
    if name in _NUMBER_TYPES:
        return "number"
    if name == "str":
        return "string"
    env = request.env
    if env is not None and isinstance(ann, cst.Name):
        found = env.scope.lookup(ann.value)
        if found is not None and len(found[1]) == 1 and found[1][0].kind == "class":
            cls = found[1][0].node
            if isinstance(cls, cst.ClassDef) and any(
                (dotted_name(b.value) or "").rsplit(".", 1)[-1] in ("Enum", "StrEnum", "IntEnum")
                for b in cls.bases
            ):
                return "enum"
    return None
