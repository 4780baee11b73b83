"""What task a request performs (classification, yes/no, routing, labelling, scoring, short
extraction, open generation), read from evidence: the prompt text, `stop_sequences`, and how
the response is used in the code around the call.

Precision first: a request is a short-answer task only when the evidence says so and nothing
says otherwise. Evidence comes in two strengths:

- *strong*: the prompt pins the output format to a short answer ("Respond with only the
  category name", "Answer yes or no", "Return only JSON with keys name, email"), or the code
  needs the whole response to be a short answer (`text.strip().lower() == "yes"`,
  `label in CATEGORIES`, `int(text)`, `ROUTES[label]`);
- *supporting*: the prompt names a short-answer task (classify, sentiment, route, score 1-5)
  or forbids explanations, `stop_sequences` cut the answer early, or the code parses the
  response (`json.loads(text)`) or uses it as a key of a dict it cannot read.

One strong signal, or a task named in the prompt plus a supporting signal, makes a short-answer
task. Anything that needs room vetoes it: reasoning or explanation asked for (step by step,
chain of thought, explain, justify), open generation (write, draft, summarise, translate,
describe), thinking enabled, tools present.

All syntax-tree work of CL201/CL301 lives here and in the two modules it reads: the prompt's
signals (analysis/prompt_signals.py) and the response's uses (analysis/response_use.py). The
rules read a `TaskEvidence`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from claudelint.analysis.names import code_of
from claudelint.analysis.prompt_signals import _read_prompt, _Signals, prompt_parts
from claudelint.analysis.response_use import _Found, _response_uses
from claudelint.analysis.task_structure import read_structure
from claudelint.analysis.values import Const, DictV, ListV, const_int, const_str
from claudelint.syntax.scopes import Binding, Scope, dotted_name
from claudelint.syntax.walk import Visitor

if TYPE_CHECKING:
    from claudelint.analysis.request import Request
    from claudelint.knowledge.entries import ModelInfo

SHORT_KINDS: tuple[str, ...] = (
    "classification", "yes-no", "routing", "labelling", "scoring", "extraction",
)
# Kinds whose answer is a word or a number; "extraction" (a few fields) has its own cap.
CLASSIFICATION_KINDS: frozenset[str] = frozenset(
    {"classification", "yes-no", "routing", "labelling", "scoring"}
)

_LABELS: dict[str, str] = {
    "classification": "a classification",
    "yes-no": "a yes/no answer",
    "routing": "a routing decision",
    "labelling": "a label",
    "scoring": "a score",
    "extraction": "a short extraction",
}


@dataclass(frozen=True)
class TaskEvidence:
    # "classification" | "yes-no" | "routing" | "labelling" | "scoring" | "extraction" |
    # "generation" | "unknown"
    kind: str = "unknown"
    # Human-readable evidence, quoted in messages: "prompt says 'Respond with only ...'".
    evidence: tuple[str, ...] = ()
    # Why the request is not a short-answer task, when something says so ("prompt asks for
    # reasoning: 'step by step'", "thinking is enabled", "tools are present").
    against: tuple[str, ...] = ()

    @property
    def short_answer(self) -> bool:
        return self.kind in SHORT_KINDS

    @property
    def label(self) -> str:
        """`a yes/no answer`, `a classification`, ... for messages."""
        return _LABELS.get(self.kind, "an open-ended answer")

    def because(self, n: int = 2) -> str:
        """The first `n` pieces of evidence, joined for a message."""
        return "; ".join(self.evidence[:n])


# --------------------------------------------------------------------------- the request


def thinking_setting(request: Request) -> str:
    """"absent", "off" (`disabled`, or `between_tools`: no up-front thinking), "on" or
    "unknown" (a value static analysis cannot read)."""
    value = request.value("thinking")
    if value is None or (isinstance(value, Const) and value.value is None):
        return "absent"
    if isinstance(value, DictV):
        kind = const_str(value.get("type"))
        if kind in ("disabled", "between_tools"):
            return "off"
        if kind is not None:
            return "on"
    return "unknown"


# A `max_tokens` this small leaves no room for thinking: a model that thinks by default
# would spend it before answering (issue 15: successors are not offered for 1-100).
THINKING_ROOM = 100


def ends_with_prefill(request: Request) -> bool:
    """Whether the request's `messages` end with an assistant turn (a prefill), as far as
    the list is known statically."""
    messages = request.value("messages")
    if not isinstance(messages, ListV) or not messages.items:
        return False
    last = messages.items[-1]
    return isinstance(last, DictV) and const_str(last.get("role")) == "assistant"


def breaks_request(info: ModelInfo, request: Request) -> str | None:
    """Why sending this request to `info` instead would fail or change its meaning, or None:
    the request ends with an assistant prefill and the data does not say `info` accepts one
    (`prefill` in models.toml), or `max_tokens` is 1-100 and `info` thinks by default while
    the request does not turn thinking off. The thinking type itself is checked by the
    callers (`accepts_thinking`)."""
    if ends_with_prefill(request) and info.prefill != "accepted":
        return f"the request ends with an assistant prefill, which {info.id} rejects" if (
            info.prefill == "rejected") else (
            f"the request ends with an assistant prefill, and {info.id} is not known to "
            "accept one")
    max_tokens = request.max_tokens
    if (
        max_tokens is not None and 0 < max_tokens <= THINKING_ROOM
        and thinking_setting(request) != "off" and model_thinks_by_default(info) is not False
    ):
        return (f"{info.id} thinks by default, and thinking would use up "
                f"max_tokens={max_tokens} before the answer")
    return None


def model_thinks_by_default(info: ModelInfo) -> bool | None:
    """Whether a request that says nothing about thinking gets thinking tokens (which count
    against `max_tokens`). None when the knowledge base does not say.

    Uses a `thinking_default` field ("on" / "off") when the knowledge base has one; else:
    models that accept manual `enabled` thinking predate thinking by default (off); models that
    accept only `adaptive` always think (on); the rest is not known.
    """
    explicit = getattr(info, "thinking_default", None)
    if explicit in ("on", "adaptive"):
        return True
    if explicit == "off":
        return False
    modes = info.thinking_modes
    if "enabled" in modes:
        return False
    if not modes and info.status == "retired":
        return False
    if modes and "disabled" not in modes:
        return True
    return None


def _stop_sequences(request: Request, sig: _Signals) -> None:
    value = request.value("stop_sequences")
    if isinstance(value, ListV) and value.complete and value.items:
        texts = [const_str(v) for v in value.items]
        if all(t is not None and 0 < len(t) <= 20 for t in texts):
            shown = ", ".join(repr(t) for t in texts[:3])
            sig.support.append(f"stop_sequences=[{shown}] cut the answer short")


def _tools_present(request: Request) -> bool:
    if request.method == "tool_runner":
        return True
    tools = request.value("tools")
    if tools is None or (isinstance(tools, Const) and tools.value is None):
        return False
    return not (isinstance(tools, ListV) and tools.complete and not tools.items)


# --------------------------------------------------------------------------- the verdict


def classify_task(request: Request) -> TaskEvidence:
    sig = _Signals([], [], [], [], [])
    structure = read_structure(request)
    if thinking_setting(request) in ("on", "unknown"):
        sig.against.append("thinking is enabled")
    if _tools_present(request) and not structure.tools_are_format:
        sig.against.append("tools are present")
    sig.against.extend(structure.against)
    parts = prompt_parts(request)
    _read_prompt(parts, sig)
    if sig.against:
        kind = "generation" if any("open-ended" in a for a in sig.against) else "unknown"
        return TaskEvidence(kind, (), tuple(sig.against))
    _stop_sequences(request, sig)
    uses = _response_uses(request)
    strong = [*sig.strong, *structure.strong, *uses.strong]
    support = [*sig.support, *uses.support]
    evidence = tuple(_dedupe([*strong, *sig.task_quotes, *support]))
    if not strong and not (sig.tasks and support):
        return TaskEvidence("unknown", evidence)
    if not strong and sig.tasks == ["extraction"]:
        # "Extract ..." alone says nothing about the size of what is extracted.
        return TaskEvidence("unknown", evidence)
    return TaskEvidence(_kind(sig, uses, structure.kinds), evidence)


def _kind(sig: _Signals, uses: _Found, structural: list[str]) -> str:
    # JSON output decides the cap (several fields), whatever the task.
    if "extraction" in (*sig.kinds, *uses.kinds, *structural):
        return "extraction"
    for kind in ("yes-no", "scoring"):
        if kind in uses.kinds or kind in sig.kinds or kind in structural:
            return kind
    for kind in ("yes-no", "scoring", "routing", "labelling", "classification", "extraction"):
        if kind in sig.tasks:
            return kind
    if uses.kinds:
        return uses.kinds[0]
    return "classification"


def _dedupe(items: list[str]) -> Iterator[str]:
    seen: set[str] = set()
    for item in items:
        if item not in seen:
            seen.add(item)
            yield item


# --------------------------------------------------------------------------- the model


def arg_origin(request: Request, name: str) -> str:
    """Where a request argument comes from: "literal" (a string or number at the call site or
    in a `**params` dict literal), "constant" (a name bound once to a literal, at module or
    class level or in the function), "parameter", "loop", "attribute", or "other"."""
    arg = request.arg(name)
    if arg is None or request.env is None:
        return "other"
    node = arg.node
    literal = (cst.SimpleString, cst.ConcatenatedString, cst.Integer)
    if isinstance(node, literal):
        return "literal"
    if isinstance(node, cst.Name):
        found = request.env.scope.lookup(node.value)
        if found is None:
            return "other"
        kinds = {b.kind for b in found[1]}
        if "param" in kinds:
            return "parameter"
        if "loop" in kinds:
            return "loop"
        assigns = [b for b in found[1] if b.kind == "assign"]
        if kinds <= {"assign", "annotation"} and len(assigns) == 1 and isinstance(
            assigns[0].value, literal
        ):
            return "constant"
        return "other"
    if isinstance(node, cst.Attribute):
        return "attribute"
    return "other"


@dataclass(frozen=True)
class ValueSource:
    """Where a constant request argument comes from. `code` is the expression as written at
    the call (empty for a literal written there), `kind` one of "literal", "constant" (a name
    bound once), "imported" (a constant of another module), "entry" (a subscript of a
    constant dict or list), "attribute" (a class attribute, or an instance attribute set once
    from a constant), "default" (the default of an environment variable)."""

    kind: str
    code: str = ""

    @property
    def shown(self) -> str:
        """` from `config.MAX_TOKENS`` for messages; empty for a literal at the call."""
        if self.kind == "literal" or not self.code:
            return ""
        if self.kind == "default":
            return f" from `{self.code}` (an environment variable's default)"
        return f" from `{self.code}`"


_LITERALS = (cst.SimpleString, cst.ConcatenatedString, cst.Integer)
_ENV_CALLS = frozenset({"os.environ.get", "os.getenv"})


def value_source(request: Request, name: str) -> ValueSource | None:
    """Where the constant value of argument `name` comes from, when it is fixed for the
    process: a literal, a name bound once (at module or class level or in the function) to
    such a value, a constant imported from another module of the project, a subscript with a
    literal key of a constant dict or list (`MODELS["fast"]`), a class attribute, an
    attribute set once in `__init__` from such a value, or an environment variable's default.
    None for a parameter, a loop variable, or anything the resolver cannot show to be
    constant (a value the caller passes can differ per call)."""
    arg = request.arg(name)
    env = request.env
    if arg is None or env is None:
        return None
    value = arg.value
    if not (const_int(value) is not None or const_str(value) is not None):
        return None
    kind = _source_kind(request, arg.node, env.scope, 0)
    if kind is None:
        return None
    return ValueSource(kind, "" if kind == "literal" else code_of(env.module, arg.node))


def _source_kind(request: Request, node: cst.CSTNode, scope: Scope, depth: int) -> str | None:
    env = request.env
    assert env is not None
    if depth > 6:
        return None
    if isinstance(node, (*_LITERALS, cst.Dict, cst.List, cst.Tuple)):
        return "literal"  # a container: its entries are read through a literal subscript
    if isinstance(node, cst.Name):
        found = scope.lookup(node.value)
        if found is None:
            return None
        bindings = [b for b in found[1] if b.kind != "annotation"]
        if len(bindings) != 1:
            return None
        b = bindings[0]
        if b.kind == "import":
            return "imported"
        if b.kind != "assign" or b.value is None or b.in_loop:
            return None
        inner = _source_kind(request, b.value, b.scope, depth + 1)
        return "constant" if inner == "literal" else inner
    if isinstance(node, cst.Subscript):
        base = _source_kind(request, node.value, scope, depth + 1)
        index = node.slice[0].slice if len(node.slice) == 1 else None
        if base is None or not isinstance(index, cst.Index):
            return None
        key = _source_kind(request, index.value, scope, depth + 1)
        return "entry" if key is not None else None
    if isinstance(node, cst.Attribute):
        return _attribute_kind(request, node, scope, depth)
    if isinstance(node, cst.Call) and node.args and len(node.args) >= 2:
        qual = env.resolver.qualified_name(node.func, scope)
        if qual in _ENV_CALLS and isinstance(node.args[1].value, _LITERALS):
            return "default"
    return None


def _attribute_kind(request: Request, node: cst.Attribute, scope: Scope,
                    depth: int) -> str | None:
    fn = scope.function
    attr = node.attr.value
    if isinstance(node.value, cst.Name):
        head = node.value.value
        if fn is not None and fn.class_scope is not None and head == fn.self_name:
            cls = fn.class_scope
            sets = cls.self_attrs.get(attr, [])
            if sets:
                if len(sets) != 1 or sets[0].name != "__init__" or sets[0].value is None:
                    return None
                inner = _source_kind(request, sets[0].value, sets[0].scope, depth + 1)
                return "attribute" if inner is not None else None
            bindings = cls.bindings.get(attr, [])
            if _fields_are_parameters(cls):
                # A dataclass or pydantic field: `self.x` is what the caller passed, the
                # class-level value only its default.
                return None
            if len(bindings) == 1 and bindings[0].value is not None:
                inner = _source_kind(request, bindings[0].value, cls, depth + 1)
                return "attribute" if inner is not None else None
            return None
        found = scope.lookup(head)
        if found is None or len(found[1]) != 1:
            return None
        b = found[1][0]
        if b.kind == "import":
            return "imported"
        if b.kind == "class":
            return "attribute"
        return None
    if isinstance(node.value, cst.Attribute):
        dotted = dotted_name(node.value)
        found = scope.lookup(dotted.split(".")[0]) if dotted else None
        if found is not None and len(found[1]) == 1 and found[1][0].kind == "import":
            return "imported"
    return None


_FIELD_CLASSES = frozenset({"dataclass", "BaseModel", "BaseSettings", "NamedTuple",
                            "TypedDict", "define", "frozen", "attrs", "dataclasses.dataclass"})


def _fields_are_parameters(cls: Scope) -> bool:
    """Whether the class's annotated attributes are constructor parameters (a dataclass, a
    pydantic model or settings class, an attrs class, a NamedTuple)."""
    node = cls.node
    if not isinstance(node, cst.ClassDef):
        return True
    names: list[str] = []
    for d in node.decorators:
        expr = d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator
        names.append(dotted_name(expr) or "")
    names.extend(dotted_name(b.value) or "" for b in node.bases)
    return any(n.rsplit(".", 1)[-1] in _FIELD_CLASSES for n in names)


@dataclass(frozen=True)
class ValueEdit:
    """Where a fix may lower or replace a constant argument: the literal node to edit, or
    why no fix is offered."""

    node: cst.CSTNode | None
    why_not: str = ""


def value_edit(request: Request, name: str) -> ValueEdit:
    """The literal a fix of argument `name` may edit: written at the call (or in a `**params`
    dict literal used by this call alone), or a constant of this module that nothing but this
    request reads (`edit_reach`). Otherwise no node, and why: a fix never rewrites a value
    the program also uses elsewhere."""
    arg = request.arg(name)
    if arg is None:
        return ValueEdit(None)
    node = arg.value.node
    if node is None or not isinstance(node, (cst.SimpleString, cst.Integer)):
        return ValueEdit(None)
    reach = edit_reach(request, node)
    if reach.local:
        return ValueEdit(node)
    if reach.name is not None:
        return ValueEdit(None, f"no fix offered: `{reach.name}` is also read elsewhere")
    return ValueEdit(None, "no fix offered: the value is set outside the call, where other "
                           "code may read it")


def model_literal_node(request: Request) -> cst.SimpleString | None:
    """The string literal of `model` when replacing it changes this request only: written at
    the call site, or in a `**params` dict literal used by this call alone."""
    arg = request.arg("model")
    if arg is None or not isinstance(arg.node, cst.SimpleString):
        return None
    return arg.node if _edit_is_local(request, arg.via_kwargs) else None


def max_tokens_literal_node(request: Request) -> cst.Integer | None:
    """The integer literal of `max_tokens`, on the same terms as `model_literal_node`."""
    arg = request.arg("max_tokens")
    if arg is None or not isinstance(arg.node, cst.Integer):
        return None
    return arg.node if _edit_is_local(request, arg.via_kwargs) else None


def _edit_is_local(request: Request, via_kwargs: bool) -> bool:
    if not via_kwargs:
        return True
    if request.env is None:
        return False
    star = [a for a in request.call.args if a.star == "**"]
    if len(star) != 1:
        return False
    expr = star[0].value
    if isinstance(expr, (cst.Dict, cst.Call)):
        return True
    if not isinstance(expr, cst.Name):
        return False
    found = request.env.scope.lookup(expr.value)
    if found is None or found[0].kind != "function":
        return False  # a module-level dict could be shared by other calls
    return read_only_here(found[0], expr.value, found[1], kinds=("assign", "setitem"))


def read_only_here(owner: Scope, name: str, bindings: list[Binding],
                   kinds: tuple[str, ...] = ("assign",), keywords: tuple[str, ...] = (),
                   own_uses: int = 1) -> bool:
    """Whether `name`, bound in `owner` only by `bindings` of these kinds, is read once in
    `owner`'s code (by the request being fixed) — or, with `keywords`, only as the value of
    those keyword arguments (`model=NAME` in any call). The one test of "is this value also
    used for something else?" that every fix which edits a value outside the call goes
    through: a fix may change what the request sends, never what other code reads.
    `own_uses` is how many reads the request itself makes that are not such keywords."""
    if any(b.kind not in kinds for b in bindings):
        return False
    counter = _NameCounter(name, keywords)
    counter.walk(owner.node)
    return counter.count - counter.as_keyword == len(bindings) + own_uses


@dataclass(frozen=True)
class EditReach:
    """Whether editing a node changes the request being fixed and nothing else (`local`);
    when not, the variable whose value holds the node (`name`, None when not known)."""

    local: bool
    name: str | None = None


def edit_reach(request: Request, node: cst.CSTNode | None,
               keywords: tuple[str, ...] = ()) -> EditReach:
    """Whether a fix may edit `node`: it lies in the call itself (or in a `**params` dict
    literal used by this call alone), or in the value of a name bound once (at module level
    or in the enclosing function) that nothing else in the module reads (see
    `read_only_here`; `keywords` lets `model=NAME` arguments of other calls through). A node
    reached any other way (through a second name, a function, another module) is not local."""
    env = request.env
    if node is None or env is None:
        return EditReach(False)
    if env.resolver.inside(request.call, node):
        star = [a for a in request.call.args if a.star == "**"]
        in_star = any(env.resolver.inside(a.value, node) for a in star)
        return EditReach(not in_star or _edit_is_local(request, True))
    for arg in request.call.args:
        for name in _names_in(arg.value):
            direct = (arg.keyword is not None and arg.keyword.value in keywords
                      and isinstance(arg.value, cst.Name))
            found = env.scope.lookup(name)
            if found is None:
                continue
            owner, bindings = found
            held = [b for b in bindings
                    if b.value is not None and env.resolver.inside(b.value, node)]
            if not held:
                continue
            local = owner.kind in ("module", "function") and read_only_here(
                owner, name, bindings, kinds=("assign", "annotation"), keywords=keywords,
                own_uses=0 if direct else 1)
            return EditReach(local, name)
    return EditReach(False)


class _Names(Visitor):
    def __init__(self) -> None:
        self.names: list[str] = []

    def visit_Name(self, node: cst.Name) -> None:
        self.names.append(node.value)


def _names_in(expr: cst.CSTNode) -> list[str]:
    visitor = _Names()
    visitor.walk(expr)
    return visitor.names


class _NameCounter(Visitor):
    def __init__(self, name: str, keywords: tuple[str, ...] = ()) -> None:
        self.name = name
        self.keywords = keywords
        self.count = 0
        self.as_keyword = 0

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.name:
            self.count += 1

    def visit_Arg(self, node: cst.Arg) -> None:
        if (self.keywords and node.keyword is not None and node.keyword.value in self.keywords
                and isinstance(node.value, cst.Name) and node.value.value == self.name):
            self.as_keyword += 1


_COMPARING = re.compile(r"eval|bench|compar|experiment|ablation|arena", re.I)


def compares_models(request: Request, path: str = "") -> str | None:
    """Why the code looks like it compares models on purpose (an eval or benchmark), or None:
    the function, its class or the file is named so, or the model comes from a loop."""
    origin = arg_origin(request, "model")
    if origin == "loop":
        return "the model comes from a loop"
    env = request.env
    if env is not None:
        fn = env.scope.function
        names = [fn.name if fn is not None else ""]
        if fn is not None and fn.class_scope is not None:
            names.append(fn.class_scope.name)
        for n in names:
            if n and _COMPARING.search(n):
                return f"`{n}` looks like an eval or benchmark"
        if any(loop.target_names and any("model" in t.lower() for t in loop.target_names)
               for loop in request.site.loops):
            return "the call sits in a loop over models"
    stem = re.split(r"[\\/]", path)[-1]
    if stem and _COMPARING.search(stem):
        return f"the file `{stem}` looks like an eval or benchmark"
    return None
