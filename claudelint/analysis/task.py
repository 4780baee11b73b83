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

All syntax-tree work of CL201/CL301 lives here; the rules read a `TaskEvidence`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from claudelint.analysis.values import Const, DictV, ListV, Text, Value, const_str, walk_texts
from claudelint.syntax.scopes import Binding, Scope, dotted_name
from claudelint.syntax.walk import Visitor

if TYPE_CHECKING:
    from claudelint.analysis.request import Request
    from claudelint.knowledge.models import ModelInfo

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


# --------------------------------------------------------------------------- the prompt

_VERB = r"(?:respond|reply|answer|output|return|print|give|say|write|provide)"
_ONLY = r"(?:only|just|solely|nothing\s+but|nothing\s+other\s+than|exactly)"
_NOUN = (
    r"(?:(?:single|one)[- ])?(?:word|categor(?:y|ies)|labels?|class(?:es)?|classification|"
    r"number|integer|digit|score|rating|letter|options?|choices?|sentiment|teams?|"
    r"departments?|queues?|intents?|tags?|priority|verdict|boolean)\b"
)
# "Respond with only the category name", "Return just the label".
_FORMAT_ONLY = re.compile(
    rf"\b{_VERB}\b(?:\s+back)?(?:\s+with)?(?:\s+\w+){{0,2}}?\s+{_ONLY}\b[^.\n]{{0,40}}?\b{_NOUN}",
    re.I,
)
# "Only output the label", "Just answer with the number".
_ONLY_FORMAT = re.compile(
    rf"\b(?:only|just)\s+{_VERB}\b(?:\s+with)?[^.\n]{{0,40}}?\b{_NOUN}", re.I
)
# "Answer with a single word", "in one word", "a one-word answer".
_ONE_WORD = re.compile(
    r"\b(?:(?:single|one)[- ]word\b|(?:with|in|using)\s+(?:a|one|exactly\s+one)\s+"
    r"(?:single\s+)?(?:word|number|integer|digit|letter|label|category)\b)",
    re.I,
)
# "Answer yes or no", "Respond with 'true' or 'false'".
_YESNO_FORMAT = re.compile(
    rf"\b{_VERB}\b[^.\n]{{0,30}}?[\"'`\u201c\u2018]?\b(?:yes|true)\b"
    r"[\"'`\u201d\u2019]?\s*(?:or|/)\s*[\"'`\u201c\u2018]?\b(?:no|false)\b",
    re.I,
)
# "Return only JSON", "Respond only with valid JSON".
_JSON_ONLY = re.compile(
    rf"\b(?:{_VERB}\b[^.\n]{{0,30}}?\b{_ONLY}\b[^.\n]{{0,25}}?\bjson\b|"
    rf"\bonly\s+(?:valid\s+|a\s+|the\s+)?json\b|\bjson\s+only\b)",
    re.I,
)
_JSON_KEYS = re.compile(
    r"\b(?:keys?|fields?|properties)\b\s*(?::|named|called)?\s*"
    r"((?:[\"'`]?[A-Za-z_][\w-]*[\"'`]?(?:\s*,\s*(?:and\s+)?|\s+and\s+)?){1,12})",
    re.I,
)
_JSON_OBJECT_KEY = re.compile(r"\"([A-Za-z_][\w-]*)\"\s*:")
_LONG_EXTRACTION = re.compile(
    r"\b(?:extract|list|find|return)\s+(?:all|every|each)\b|"
    r"\ball\s+(?:of\s+)?(?:the\s+)?(?:entities|items|mentions|names|occurrences|products|"
    r"people|dates|fields)\b|\b(?:array|list)\s+of\b|\[",
    re.I,
)
# Negated requests for reasoning ("Do not explain", "no explanation") are format constraints.
_NO_EXPLAIN = re.compile(
    r"\b(?:do\s+not|don't|dont|never|no|without(?:\s+any)?|not)\s+(?:\w+\s+){0,2}?"
    r"(?:explain\w*|explanation\w*|reasoning|justif\w*|rationale|preamble|commentary|"
    r"elaborat\w*|other\s+text|additional\s+text|extra\s+text|punctuation)|"
    r"\b(?:nothing|no\s+other\s+\w+)\s+(?:else|besides)\b",
    re.I,
)

_ONLY_OBJECT = re.compile(r"\b(?:only|just)\s+(?:the\s+|a\s+|an\s+|your\s+)?([\w-]+)", re.I)

# Short-answer tasks named in the prompt: (kind, pattern).
_TASKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("yes-no", re.compile(r"\b(?:yes\s*(?:or|/)\s*no|true\s*(?:or|/)\s*false)\b", re.I)),
    ("scoring", re.compile(
        r"\b(?:score|rate|rating|grade)\b[^.\n]{0,40}?(?:\b\d+\s*(?:-|\u2013|to)\s*\d+\b|\bscale\b)|"
        r"\bon\s+a\s+scale\s+(?:of|from)\b",
        re.I,
    )),
    ("routing", re.compile(
        r"\b(?:route|routing)\b|\bwhich\s+(?:team|department|queue|agent|specialist)\b", re.I
    )),
    ("labelling", re.compile(
        r"\b(?:label|tag)\s+(?:the|this|each|it|every)\b|"
        r"\bassign\s+(?:a|one|the|exactly\s+one)\s+(?:label|tag|category)\b",
        re.I,
    )),
    ("classification", re.compile(
        r"\b(?:classif(?:y|ies|ication)|categori[sz](?:e|es|ation)|sentiment|intent)\b|"
        r"\bone\s+of\s+(?:the\s+following|these)\b|"
        r"\b(?:as|is)\s+either\s+[\"'`]?[\w-]+[\"'`]?\s+or\s+[\"'`]?[\w-]+\b",
        re.I,
    )),
    ("extraction", re.compile(r"\bextract\b", re.I)),
)

# The prompt asks for room: reasoning first, or open generation.
_REASONING = re.compile(
    r"\bstep[- ]by[- ]step\b|\bchain[- ]of[- ]thought\b|"
    r"\bthink\s+(?:through|about|carefully|first|aloud|out\s+loud|it\s+through)\b|"
    r"\b(?:explain|justify)\w*\b|\bexplanation\b|\breasoning\b|\brationale\b|"
    r"\bshow\s+your\s+work\b|<thinking>|<reasoning>|\bscratchpad\b|"
    r"\bbefore\s+(?:answering|you\s+answer|giving)\b",
    re.I,
)
_GENERATION = re.compile(
    r"\b(?:write|draft|compose)\s+(?:\w+\s+){0,3}?(?:essay|report|article|story|summary|e-?mail|"
    r"response|reply|letter|post|description|paragraphs?|code|function|program|script|message|"
    r"poem|note|document|answer|introduction|proposal)s?\b|"
    r"\bsummari[sz]\w*|\bsummary\b|\bessays?\b|\btranslat\w*|\brewrite\b|\bparaphras\w*|"
    r"\bin\s+detail\b|\bdetailed\b|\bdescribe\b|\bcomprehensive\b|"
    r"\bgenerate\s+(?:\w+\s+){0,2}?(?:report|summary|essay|article|story|code|description|"
    r"response|content|text|e-?mail|post|answer|questions?)\b",
    re.I,
)

_MAX_PART = 40_000  # characters of one prompt part scanned (head and tail)


@dataclass
class _Signals:
    strong: list[str]
    support: list[str]
    kinds: list[str]  # candidate kinds, strongest first
    against: list[str]
    tasks: list[str]  # kinds named in the prompt
    task_quotes: list[str] = field(default_factory=list)
    json_keys: tuple[str, ...] = ()


def prompt_parts(request: Request) -> list[str]:
    """The known characters of the system prompt and the messages, each literal part apart
    (holes split parts, so a match never spans a run-time value)."""
    out: list[str] = []
    for name in ("system", "messages"):
        for text in _prompt_texts(request, request.value(name)):
            for part in text.parts:
                if isinstance(part, str) and part.strip():
                    if len(part) > _MAX_PART:
                        part = part[: _MAX_PART // 2] + "\n" + part[-_MAX_PART // 2 :]
                    out.append(part)
    return out


# Template methods whose receiver holds the instructions: `PROMPT.replace("{{x}}", x)`.
_TEMPLATE_METHODS = frozenset({"replace", "format", "format_map", "strip", "lstrip", "rstrip"})


def _prompt_texts(request: Request, value: Value | None) -> Iterator[Text]:
    """Every Text of a value; for a value the resolver could not read, built by template
    methods on a readable text (`dedent(TEMPLATE).replace("{{ticket}}", t)`), the template."""
    if isinstance(value, Text):
        yield value
    elif isinstance(value, ListV):
        for item in value.items:
            yield from _prompt_texts(request, item)
    elif isinstance(value, DictV):
        for _, item in value.items:
            yield from _prompt_texts(request, item)
    elif value is not None and request.env is not None:
        yield from _template_texts(request, value.node)


def _template_texts(request: Request, node: cst.CSTNode | None) -> Iterator[Text]:
    """The template under a chain of template methods, with literal `.replace(a, b)` calls
    applied, and the texts passed as arguments (they may carry instructions too)."""
    env = request.env
    assert env is not None
    calls: list[cst.Call] = []
    while (
        isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
        and node.func.attr.value in _TEMPLATE_METHODS and len(calls) < 8
    ):
        calls.append(node)
        node = node.func.value
    if not calls or not isinstance(node, cst.BaseExpression):
        return
    base = env.resolver.resolve(node, env.scope)
    if not isinstance(base, Text):
        return
    args: list[Text] = []
    for c in reversed(calls):
        values = [env.resolver.resolve(a.value, env.scope) for a in c.args]
        texts = [v for v in values if isinstance(v, Text)]
        args.extend(texts)
        func = c.func
        assert isinstance(func, cst.Attribute)
        if func.attr.value == "replace" and len(values) >= 2:
            old, new = const_str(values[0]), const_str(values[1])
            if old:
                replacement = new if new is not None else " "
                base = base.map(_replacer(old, replacement), base.node)
    yield base
    yield from args


def _replacer(old: str, new: str) -> Callable[[str], str]:
    def replace(text: str) -> str:
        return text.replace(old, new)

    return replace


def _quote(part: str, m: re.Match[str]) -> str:
    """The sentence around a match, quoted and trimmed."""
    start = max(part.rfind(c, 0, m.start()) for c in ".!?\n")
    end_candidates = [i for c in ".!?\n" if (i := part.find(c, m.end())) >= 0]
    end = min(end_candidates) if end_candidates else len(part)
    if end < len(part) and part[end] in ".!?":
        end += 1
    sentence = " ".join(part[start + 1 : end].split())
    if len(sentence) > 80:
        a = max(0, m.start() - start - 1 - 20)
        sentence = "…" + " ".join(part[start + 1 + a : start + 1 + a + 76].split()) + "…"
    return f"'{sentence}'"


def _read_prompt(parts: list[str], sig: _Signals) -> None:
    for part in parts:
        # A negated request for reasoning is a format constraint, not a request for room.
        for neg in _NO_EXPLAIN.finditer(part):
            quote = _quote(part, neg)
            # "Output only the prompt and nothing else": the object is not a short answer.
            obj = _ONLY_OBJECT.search(quote)
            if obj is None or re.fullmatch(_NOUN, obj.group(1), re.I):
                sig.support.append(f"prompt says {quote}")
                break
        cleaned = _NO_EXPLAIN.sub(" ", part)
        m = _REASONING.search(cleaned)
        if m:
            sig.against.append(f"prompt asks for reasoning: {_quote(cleaned, m)}")
        m = _GENERATION.search(cleaned)
        if m:
            sig.against.append(f"prompt asks for open-ended output: {_quote(cleaned, m)}")
        m = _YESNO_FORMAT.search(part)
        if m:
            sig.strong.append(f"prompt says {_quote(part, m)}")
            sig.kinds.append("yes-no")
        m = _JSON_ONLY.search(part)
        if m:
            keys = _json_keys(part)
            if keys and not _LONG_EXTRACTION.search(_strip_json_object(part)):
                sig.strong.append(f"prompt says {_quote(part, m)}")
                sig.kinds.append("extraction")
                sig.json_keys = keys
            else:
                sig.support.append(f"prompt says {_quote(part, m)}")
        for pattern in (_FORMAT_ONLY, _ONLY_FORMAT, _ONE_WORD):
            m = pattern.search(part)
            if m:
                sig.strong.append(f"prompt says {_quote(part, m)}")
                break
        for kind, pattern in _TASKS:
            m = pattern.search(part)
            if m and kind not in sig.tasks:
                sig.tasks.append(kind)
                sig.task_quotes.append(f"prompt says {_quote(part, m)}")
    if "extraction" in sig.tasks and "extraction" not in sig.kinds:
        joined = "\n".join(parts)
        if _LONG_EXTRACTION.search(_strip_json_object(joined)):
            sig.against.append("prompt asks to extract a list of unknown length")


def _strip_json_object(text: str) -> str:
    """The text without `{...}` examples (whose `[` would read as a list)."""
    return re.sub(r"\{[^{}]*\}", " ", text)


def _json_keys(part: str) -> tuple[str, ...]:
    m = _JSON_KEYS.search(part)
    if m:
        keys = tuple(k for k in re.findall(r"[A-Za-z_][\w-]*", m.group(1)) if k != "and")
        if 1 <= len(keys) <= 8:
            return keys
    obj = re.search(r"\{[^{}\[\]]{1,400}\}", part)
    if obj:
        keys = tuple(_JSON_OBJECT_KEY.findall(obj.group(0)))
        if 1 <= len(keys) <= 8:
            return keys
    return ()


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


# --------------------------------------------------------------------------- the response

_TEXT_METHODS = frozenset({
    "strip", "lstrip", "rstrip", "lower", "upper", "casefold", "title", "capitalize",
    "removeprefix", "removesuffix",
})
_YES_NO = frozenset({"yes", "no", "true", "false", "y", "n"})
_MAX_SHORT = 40  # characters of a short answer literal


def _short_literal(value: Value | None) -> str | None:
    s = const_str(value)
    if s is None or not s.strip() or len(s) > _MAX_SHORT or len(s.split()) > 4:
        return None
    return s


def _short_collection(value: Value) -> list[str] | None:
    """The short strings of a literal list/tuple/set, or the keys of a literal dict."""
    if isinstance(value, ListV) and value.complete and value.items:
        items = [_short_literal(v) for v in value.items]
        return [s for s in items if s is not None] if all(items) else None
    if isinstance(value, DictV) and value.complete and value.items:
        keys = [k for k, _ in value.items]
        if all(k.strip() and len(k) <= _MAX_SHORT and len(k.split()) <= 4 for k in keys):
            return keys
    return None


@dataclass
class _Found:
    strong: list[str]
    support: list[str]
    kinds: list[str]
    returned: str | None = None  # the level of a `return`ed response value
    compared: list[str] = field(default_factory=list)  # short literals compared with


class _Flow(Visitor):
    """Follows a response through one function body (not into nested functions or classes):
    which names hold the Message, its content, a text block, or the response text, and how
    that text is used."""

    def __init__(self, root: cst.CSTNode, source: Callable[[cst.Call], str | None],
                 resolve: Callable[[cst.BaseExpression], Value], module: cst.Module,
                 who: str) -> None:
        self.root = root
        self.source = source
        self.value_of = resolve
        self.module = module
        self.who = who  # "response" or "`fn()` result"
        self.names: dict[str, str] = {}
        self.found = _Found([], [], [])
        self.collect = False

    def run(self) -> _Found:
        for _ in range(3):  # bindings to a fixpoint (names used before, in loops)
            before = dict(self.names)
            self.walk(self.root)
            if self.names == before:
                break
        self.collect = True
        self.walk(self.root)
        return self.found

    # --- scope: stay in this body ---------------------------------------------------------

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return node is self.root

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return node is self.root

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    # --- levels ---------------------------------------------------------------------------

    def level(self, e: cst.BaseExpression) -> str | None:
        if isinstance(e, cst.Await):
            return self.level(e.expression)
        if isinstance(e, cst.NamedExpr):
            return self.level(e.value)
        if isinstance(e, cst.Name):
            return self.names.get(e.value)
        if isinstance(e, cst.Attribute):
            base = self.level(e.value)
            if base == "response" and e.attr.value == "content":
                return "content"
            if base == "block" and e.attr.value == "text":
                return "text"
            return None
        if isinstance(e, cst.Subscript):
            base = self.level(e.value)
            if (
                base == "content" and len(e.slice) == 1
                and isinstance(e.slice[0].slice, cst.Index)
            ):
                return "block"
            return None
        if isinstance(e, cst.Call):
            src = self.source(e)
            if src is not None:
                return src
            func = e.func
            if isinstance(func, cst.Attribute):
                method = func.attr.value
                if method == "join" and len(e.args) == 1 and isinstance(
                    e.args[0].value, (cst.GeneratorExp, cst.ListComp)
                ):
                    comp = e.args[0].value
                    if self.level(comp.for_in.iter) == "content":
                        return "text"
                    return None
                base = self.level(func.value)
                if base == "text" and method in _TEXT_METHODS:
                    return "text"
                if base == "stream" and method == "get_final_text":
                    return "text"
                if base == "stream" and method == "get_final_message":
                    return "response"
                return None
            if isinstance(func, cst.Name) and func.value == "str" and len(e.args) == 1:
                return "text" if self.level(e.args[0].value) == "text" else None
        return None

    def _bind(self, target: cst.BaseExpression, level: str | None) -> None:
        if level is not None and isinstance(target, cst.Name):
            self.names[target.value] = level

    def visit_Assign(self, node: cst.Assign) -> None:
        if not self.collect:
            lvl = self.level(node.value)
            for t in node.targets:
                self._bind(t.target, lvl)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if not self.collect and node.value is not None:
            self._bind(node.target, self.level(node.value))

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        if not self.collect:
            self._bind(node.target, self.level(node.value))

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if not self.collect and node.asname is not None:
            self._bind(node.asname.name, self.level(node.item))

    def visit_For(self, node: cst.For) -> None:
        if not self.collect and self.level(node.iter) == "content":
            self._bind(node.target, "block")

    # --- uses -----------------------------------------------------------------------------

    def _code(self, node: cst.CSTNode) -> str:
        code = " ".join(self.module.code_for_node(node).split())
        return code if len(code) <= 60 else code[:57] + "..."

    def visit_Return(self, node: cst.Return) -> None:
        if self.collect and node.value is not None:
            lvl = self.level(node.value)
            if lvl is not None:
                self.found.returned = lvl

    def visit_Comparison(self, node: cst.Comparison) -> None:
        if not self.collect:
            return
        left = node.left
        for target in node.comparisons:
            op, right = target.operator, target.comparator
            if isinstance(op, (cst.Equal, cst.NotEqual)):
                for a, b in ((left, right), (right, left)):
                    if self.level(a) != "text":
                        continue
                    lit = _short_literal(self.value_of(b))
                    if lit is None:
                        continue
                    sym = "==" if isinstance(op, cst.Equal) else "!="
                    what = f"{self.who} compared with `{sym} {self._code(b)}`"
                    if lit.strip().strip(".").lower() in _YES_NO:
                        self.found.strong.append(what)
                        self.found.kinds.append("yes-no")
                    else:
                        # One literal may be a sentinel (`== "NONE"`); two or more are
                        # categories.
                        self.found.compared.append(lit)
                        self.found.support.append(what)
                        if len(set(self.found.compared)) == 2:
                            self.found.strong.append(what)
                            self.found.kinds.append("classification")
            elif isinstance(op, (cst.In, cst.NotIn)) and self.level(left) == "text":
                values = _short_collection(self.value_of(right))
                if values is not None and len(values) >= 2:
                    self.found.strong.append(f"{self.who} checked `in {self._code(right)}`")
                    yes_no = {v.strip().lower() for v in values} <= _YES_NO
                    self.found.kinds.append("yes-no" if yes_no else "classification")
                elif isinstance(right, (cst.Name, cst.Attribute)):
                    self.found.support.append(f"{self.who} checked `in {self._code(right)}`")
            left = right

    def visit_Match(self, node: cst.Match) -> None:
        if not self.collect or self.level(node.subject) != "text":
            return
        values: list[str] = []
        for case in node.cases:
            pat = case.pattern
            if isinstance(pat, cst.MatchValue) and isinstance(pat.value, cst.SimpleString):
                v = pat.value.evaluated_value
                if isinstance(v, str) and len(v) <= _MAX_SHORT:
                    values.append(v)
        if values:
            self.found.strong.append(f"{self.who} matched against `case {values[0]!r}`")
            yes_no = {v.strip().lower() for v in values} <= _YES_NO
            self.found.kinds.append("yes-no" if yes_no else "classification")

    def visit_Call(self, node: cst.Call) -> None:
        if not self.collect or not node.args:
            return
        first = node.args[0].value
        if self.level(first) != "text":
            return
        name = dotted_name(node.func) or ""
        if name in ("int", "float", "Decimal", "decimal.Decimal"):
            self.found.strong.append(f"{self.who} parsed with `{name}(...)`")
            self.found.kinds.append("scoring")
        elif name in ("json.loads", "loads", "orjson.loads") or name.endswith(
            ("model_validate_json", "parse_raw")
        ):
            self.found.support.append(f"{self.who} parsed with `{name}(...)`")
            self.found.kinds.append("extraction")
        elif isinstance(node.func, cst.Attribute) and node.func.attr.value == "get":
            self._dict_key(node.func.value, node)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if (
            self.collect and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index)
            and self.level(node.slice[0].slice.value) == "text"
        ):
            self._dict_key(node.value, node)

    def _dict_key(self, mapping: cst.BaseExpression, use: cst.CSTNode) -> None:
        value = self.value_of(mapping)
        keys = _short_collection(value) if isinstance(value, DictV) else None
        if keys is not None:
            self.found.strong.append(f"{self.who} used as a key of `{self._code(mapping)}`")
            self.found.kinds.append("routing")
        else:
            self.found.support.append(f"{self.who} used as a dict key: `{self._code(use)}`")


def _body_of(scope: Scope) -> cst.CSTNode | None:
    s: Scope | None = scope
    while s is not None and s.kind in ("comprehension", "loop"):
        s = s.parent
    if s is None or s.kind == "lambda":
        return None
    return s.node


def _response_uses(request: Request) -> _Found:
    env = request.env
    found = _Found([], [], [])
    if env is None:
        return found
    stream_arg = request.value("stream")
    if isinstance(stream_arg, Const) and stream_arg.value is not False:
        return found  # an event stream: the text is assembled from deltas
    root = _body_of(env.scope)
    if root is None:
        return found
    call = request.call
    level = "stream" if request.method == "stream" else "response"
    if request.method in ("batch", "tool_runner"):
        return found

    def source(c: cst.Call) -> str | None:
        return level if c is call else None

    scope = env.scope

    def resolve(e: cst.BaseExpression) -> Value:
        return env.resolver.resolve(e, scope)

    found = _Flow(root, source, resolve, env.module, "response").run()
    fn = scope.function
    if (
        found.returned is not None and fn is not None and fn.kind == "function"
        and isinstance(fn.node, cst.FunctionDef)
    ):
        _callers(request, fn, found)
    return found


def _callers(request: Request, fn: Scope, found: _Found) -> None:
    """The function returns the response (or its text): follow calls to it in this module,
    one level up."""
    env = request.env
    assert env is not None and found.returned is not None
    name = fn.name
    returned = found.returned
    is_method = fn.class_scope is not None

    def source(c: cst.Call) -> str | None:
        f = c.func
        if isinstance(f, cst.Name) and f.value == name and not is_method:
            return returned
        if isinstance(f, cst.Attribute) and f.attr.value == name and is_method:
            return returned
        return None

    text = env.index.text
    if text and len(re.findall(rf"\b{re.escape(name)}\s*\(", text)) < 2:
        return  # only the definition names it: no caller in this module
    seen = 0
    for scope in env.index.scopes:
        if scope is fn or scope.kind not in ("function", "module"):
            continue
        root = scope.node
        if not isinstance(root, (cst.FunctionDef, cst.Module)):
            continue
        if seen >= 40:
            break
        seen += 1

        def resolve(e: cst.BaseExpression, s: Scope = scope) -> Value:
            return env.resolver.resolve(e, s)

        sub = _Flow(root, source, resolve, env.module, f"`{name}()` result").run()
        found.strong.extend(sub.strong)
        found.support.extend(sub.support)
        found.kinds.extend(sub.kinds)


# --------------------------------------------------------------------------- the verdict


def classify_task(request: Request) -> TaskEvidence:
    sig = _Signals([], [], [], [], [])
    if thinking_setting(request) in ("on", "unknown"):
        sig.against.append("thinking is enabled")
    if _tools_present(request):
        sig.against.append("tools are present")
    parts = prompt_parts(request)
    _read_prompt(parts, sig)
    if sig.against:
        kind = "generation" if any("open-ended" in a for a in sig.against) else "unknown"
        return TaskEvidence(kind, (), tuple(sig.against))
    _stop_sequences(request, sig)
    uses = _response_uses(request)
    strong = [*sig.strong, *uses.strong]
    support = [*sig.support, *uses.support]
    evidence = tuple(_dedupe([*strong, *sig.task_quotes, *support]))
    if not strong and not (sig.tasks and support):
        return TaskEvidence("unknown", evidence)
    if not strong and sig.tasks == ["extraction"]:
        # "Extract ..." alone says nothing about the size of what is extracted.
        return TaskEvidence("unknown", evidence)
    return TaskEvidence(_kind(sig, uses), evidence)


def _kind(sig: _Signals, uses: _Found) -> str:
    # JSON output decides the cap (several fields), whatever the task.
    if "extraction" in sig.kinds or "extraction" in uses.kinds:
        return "extraction"
    for kind in ("yes-no", "scoring"):
        if kind in uses.kinds or kind in sig.kinds:
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


def known_prompt_text(request: Request) -> str:
    """All statically known characters of system and messages (for token estimates)."""
    out: list[str] = []
    for name in ("system", "messages"):
        v = request.value(name)
        if isinstance(v, Text):
            out.append(v.known)
        elif isinstance(v, ListV):
            for item in v.items:
                if isinstance(item, DictV):
                    content = item.get("content") if name == "messages" else item.get("text")
                    out.extend(t.known for t in walk_texts(content))
                elif isinstance(item, Text):
                    out.append(item.known)
    return "\n".join(out)
