"""What the prompt says about the answer it wants (analysis/task.py reads these signals):
the known text of the system prompt and the messages, and the phrases that pin the output to a
short answer ("Respond with only the category name", "Answer yes or no", "Return only JSON with
keys ..."), name a short-answer task (classify, route, score), forbid explanations, or ask for
room (reasoning, open generation).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from claudelint.analysis.values import DictV, ListV, Text, Value, const_str, walk_texts

if TYPE_CHECKING:
    from claudelint.analysis.request import Request


_VERB = r"(?:respond|reply|answer|output|return|print|give|say|write|provide)"
_ONLY = r"(?:only|just|solely|nothing\s+but|nothing\s+other\s+than|exactly)"
_NOUN = (
    r"(?:(?:single|one)[- ])?(?:word|categor(?:y|ies)|labels?|class(?:es)?|classification|"
    r"number|integer|digit|score|rating|letter|options?|choices?|sentiment|teams?|"
    r"departments?|queues?|intents?|tags?|priority|verdict|boolean|"
    r"ind(?:ex|ices|exes)|ids?|dates?|timestamp|(?:language|country|currency|postal|zip|iso)"
    r"[- ]codes?)\b"
)
# Nouns of a list whose length the input decides ("only the indices of the relevant
# passages"): a short extraction, not a one-word answer.
_LIST_NOUN = re.compile(r"\b(?:ind(?:ex|ices|exes)|ids)\b", re.I)
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
# "Respond with a JSON object with keys name, email and company" (no "only").
_JSON_WITH_KEYS = re.compile(
    rf"\b{_VERB}\b[^.\n]{{0,20}}?\b(?:a|an|the|valid)?\s*json(?:\s+object)?\s+"
    r"(?:with|containing|that\s+has|having)\s+(?:(?:exactly|only|the|these|two|three|four|"
    r"five|\d)\s+)*(?:keys?|fields?|properties)\b",
    re.I,
)
# Keys that hold free text: JSON with one has room for an open-ended answer.
_FREE_TEXT_KEY = re.compile(
    r"^(?:summary|body|description|explanation|reasoning|rationale|justification|"
    r"text|content|analysis|details|notes|comments?|message|answer|response|reply|feedback|"
    r"critique|review|thoughts|story|essay|draft|report|article|translation|code|steps|plan)$",
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


@dataclass(frozen=True)
class _PartSignals:
    """What one prompt part says, read once per distinct text (an editor re-checks the same
    prompts on every keystroke; a project sends the same system prompt from many calls)."""

    strong: tuple[str, ...]
    support: tuple[str, ...]
    kinds: tuple[str, ...]
    against: tuple[str, ...]
    tasks: tuple[tuple[str, str], ...]  # (kind, quote), first match of each kind
    json_keys: tuple[str, ...] | None  # None: the part names no keys


@functools.lru_cache(maxsize=512)
def _part_signals(part: str) -> _PartSignals:
    strong: list[str] = []
    support: list[str] = []
    kinds: list[str] = []
    against: list[str] = []
    json_keys: tuple[str, ...] | None = None
    # A negated request for reasoning is a format constraint, not a request for room.
    for neg in _NO_EXPLAIN.finditer(part):
        quote = _quote(part, neg)
        # "Output only the prompt and nothing else": the object is not a short answer.
        obj = _ONLY_OBJECT.search(quote)
        if obj is None or re.fullmatch(_NOUN, obj.group(1), re.I):
            support.append(f"prompt says {quote}")
            break
    cleaned = _NO_EXPLAIN.sub(" ", part)
    m = _REASONING.search(cleaned)
    if m:
        against.append(f"prompt asks for reasoning: {_quote(cleaned, m)}")
    m = _GENERATION.search(cleaned)
    if m:
        against.append(f"prompt asks for open-ended output: {_quote(cleaned, m)}")
    m = _YESNO_FORMAT.search(part)
    if m:
        strong.append(f"prompt says {_quote(part, m)}")
        kinds.append("yes-no")
    m = _JSON_ONLY.search(part) or _JSON_WITH_KEYS.search(part)
    if m:
        keys = _json_keys(part)
        free = [k for k in keys if _FREE_TEXT_KEY.match(k)]
        if free:
            against.append(f"prompt asks for a free-text JSON field `{free[0]}`")
        elif keys and not _LONG_EXTRACTION.search(_strip_json_object(part)):
            strong.append(f"prompt says {_quote(part, m)}")
            kinds.append("extraction")
            json_keys = keys
        elif _JSON_ONLY.search(part):
            support.append(f"prompt says {_quote(part, m)}")
    for pattern in (_FORMAT_ONLY, _ONLY_FORMAT, _ONE_WORD):
        m = pattern.search(part)
        if m:
            strong.append(f"prompt says {_quote(part, m)}")
            if _LIST_NOUN.search(m.group(0)):
                kinds.append("extraction")
            break
    tasks: list[tuple[str, str]] = []
    for kind, pattern in _TASKS:
        m = pattern.search(part)
        if m:
            tasks.append((kind, f"prompt says {_quote(part, m)}"))
    return _PartSignals(tuple(strong), tuple(support), tuple(kinds), tuple(against),
                        tuple(tasks), json_keys)


def _read_prompt(parts: list[str], sig: _Signals) -> None:
    for part in parts:
        found = _part_signals(part)
        sig.strong.extend(found.strong)
        sig.support.extend(found.support)
        sig.kinds.extend(found.kinds)
        sig.against.extend(found.against)
        if found.json_keys is not None:
            sig.json_keys = found.json_keys
        for kind, quote in found.tasks:
            if kind not in sig.tasks:
                sig.tasks.append(kind)
                sig.task_quotes.append(quote)
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
