"""Build the two benchmark corpora.

1. **no-Claude** — a real tree with no Claude calls: the sdist of a large pure-Python package,
   pinned by version and sha256, downloaded once with pip into the cache folder and unpacked.
2. **Claude-heavy** — a generated tree (default 2,000 files, deterministic from a seed): 10% of
   the files hold call sites of varied shapes (big module-constant prompts, f-strings, classes
   holding `self.client`, async, streams, batches, calls in loops, aliased resources, beta tools
   and thinking, `**kwargs`, prompts imported from a sibling module, Bedrock/Vertex clients),
   plus look-alike decoys and ordinary code:

   - `decoy-text` (6%): files a bytes prefilter can reject — OpenAI chat clients called with
     `messages=`, chat-history classes using `self.messages.append(...)`, `errors.messages`;
   - `decoy-call` (4%): files that look like call sites up to the attribute chain and must be
     rejected by the engine — Twilio's `client.messages.create(...)`, own classes with a
     `.messages.create`, Django related managers, `return self.messages`;
   - `filler`, `prompts`, `init`: ordinary modules (loops, dataclasses, services, regexes, JSON,
     logging that says "messages"), one `prompts.py` and one `__init__.py` per package.

`generate_claude_tree()` is pure (a dict of path -> file), so tests can check its properties
without touching the disk; `write_claude_tree()` writes it (and `MANIFEST.json`, which says
what every file is) and is a no-op when the same corpus is already there.

    python bench/make_corpus.py            # build both into bench/.cache, print where
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "CALL_SHAPES",
    "DECOY_CALL_SHAPES",
    "DECOY_TEXT_SHAPES",
    "GENERATOR_VERSION",
    "REAL_TREE",
    "GeneratedFile",
    "fetch_real_tree",
    "generate_claude_tree",
    "write_claude_tree",
]

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_CACHE = BENCH_DIR / ".cache"

# --------------------------------------------------------------------------- the real tree


@dataclass(frozen=True)
class RealTree:
    name: str
    version: str
    sha256: str

    @property
    def archive(self) -> str:
        return f"{self.name}-{self.version}.tar.gz"

    @property
    def folder(self) -> str:
        return f"{self.name}-{self.version}"


# SymPy's sdist: 1,562 .py files, 25.8 MB of Python, pure Python, no Claude calls.
REAL_TREE = RealTree(
    name="sympy",
    version="1.13.3",
    sha256="b27fd2c6530e0ab39e275fc9b683895367e51d5da91baa8d3d64db2565fec4d9",
)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _safe_extract(archive: Path, dest: Path) -> None:
    with tarfile.open(archive, "r:gz") as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(dest, filter="data")
            return
        root = dest.resolve()
        for member in tar.getmembers():
            target = (dest / member.name).resolve()
            if not (member.isfile() or member.isdir()) or not target.is_relative_to(root):
                raise RuntimeError(f"refusing to extract {member.name!r} from {archive}")
        tar.extractall(dest)  # members checked above


def fetch_real_tree(cache_dir: Path = DEFAULT_CACHE, python: str = sys.executable,
                    tree: RealTree = REAL_TREE, log: Callable[[str], None] = print) -> Path:
    """The unpacked sdist of `tree` under `cache_dir` (downloaded with pip and checked against
    its pinned sha256 the first time)."""
    dest = cache_dir / tree.folder
    stamp = dest / ".bench-extracted"
    if stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == tree.sha256:
        return dest
    downloads = cache_dir / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    archive = downloads / tree.archive
    if not archive.is_file() or _sha256(archive) != tree.sha256:
        log(f"downloading {tree.name}=={tree.version} (sdist) with pip ...")
        subprocess.run(
            [python, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
             "--disable-pip-version-check", "-q", "-d", str(downloads),
             f"{tree.name}=={tree.version}"],
            check=True,
        )
    digest = _sha256(archive)
    if digest != tree.sha256:
        raise RuntimeError(f"{archive}: sha256 {digest}, expected {tree.sha256}")
    tmp = cache_dir / f".{tree.folder}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    _safe_extract(archive, tmp)
    shutil.rmtree(dest, ignore_errors=True)
    (tmp / tree.folder).rename(dest)
    shutil.rmtree(tmp, ignore_errors=True)
    stamp.write_text(tree.sha256 + "\n", encoding="utf-8")
    return dest


# --------------------------------------------------------------------------- vocabulary

# Bump when the generated text changes, so cached corpora are rebuilt.
GENERATOR_VERSION = 1

NOUNS = (
    "order", "invoice", "customer", "account", "report", "document", "ticket", "event",
    "record", "payment", "shipment", "session", "profile", "metric", "article", "review",
    "contract", "policy", "claim", "lead", "campaign", "transcript", "summary", "feedback",
    "incident", "release", "dataset", "query", "product", "catalog",
)
VERBS = (
    "load", "parse", "build", "render", "validate", "normalise", "merge", "export", "sync",
    "fetch", "compute", "score", "rank", "filter", "group", "collect", "format", "index",
    "resolve", "update",
)
ADJECTIVES = (
    "pending", "active", "archived", "primary", "legacy", "daily", "weekly", "internal",
    "external", "draft", "final", "raw", "clean", "shared", "regional",
)
KEYS = ("title", "body", "status", "owner", "region", "label", "note", "source", "kind", "text")
MODELS = (
    "claude-sonnet-4-5-20250929", "claude-opus-4-1-20250805", "claude-haiku-4-5-20251001",
    "claude-sonnet-5-5", "claude-opus-5-5", "claude-haiku-5-5", "claude-3-5-haiku-20241022",
    "claude-3-opus-20240229", "claude-3-5-sonnet-20241022", "claude-sonnet-4-20250514",
    "claude-3-haiku-20240307",
)
MAX_TOKENS = (256, 512, 1024, 1024, 2048, 4096, 4096, 8192, 16000, 32000, 64000)
BETAS = ("interleaved-thinking-2025-05-14", "token-efficient-tools-2025-02-19",
         "context-1m-2025-08-07")
SENTENCES = (
    "You are a careful assistant that reviews <noun>s for the <adj> team.",
    "Read the <noun> below and answer only from what it says.",
    "When a <noun> is incomplete, say which fields are missing instead of guessing.",
    "Keep every answer short, factual and free of speculation.",
    "Use the house style: plain words, short sentences, no marketing language.",
    "If the <noun> mentions a <adj> <noun2>, link the two in your answer.",
    "Never reveal internal identifiers, account numbers or personal data.",
    "Summaries must fit in five bullet points of at most twenty words each.",
    "Classify the <noun> as one of the labels given and explain the choice in one line.",
    "Prefer the most recent <noun2> when two sources disagree.",
    "Report amounts with their currency and dates in ISO format.",
    "Flag anything that looks like a <adj> <noun> that needs a human decision.",
)


def _words(rng: random.Random, template: str) -> str:
    return (template.replace("<noun2>", rng.choice(NOUNS))
            .replace("<noun>", rng.choice(NOUNS))
            .replace("<adj>", rng.choice(ADJECTIVES)))


def _prose(rng: random.Random, size: int, width: int = 88) -> str:
    """Plain sentences (no quotes, braces or backslashes) wrapped into lines, about `size`
    characters, in paragraphs."""
    lines: list[str] = []
    line = ""
    total = 0
    while total < size:
        sentence = _words(rng, rng.choice(SENTENCES))
        if line and len(line) + 1 + len(sentence) > width:
            lines.append(line)
            total += len(line) + 1
            line = sentence
            if rng.random() < 0.15:
                lines.append("")
        else:
            line = f"{line} {sentence}" if line else sentence
    if line:
        lines.append(line)
    return "\n".join(lines)


def _fill(template: str, **values: object) -> str:
    for key, value in values.items():
        template = template.replace(f"<<{key}>>", str(value))
    if "<<" in template:
        raise AssertionError(f"unfilled placeholder in template: {template[:200]!r}")
    return template


def _camel(*parts: str) -> str:
    return "".join(p.capitalize() for p in parts)


# --------------------------------------------------------------------------- one module


@dataclass
class _Module:
    """A module under construction: its imports, lines that follow them, and code blocks."""

    rng: random.Random
    package_has_prompts: bool = True
    imports: set[str] = field(default_factory=set)
    from_imports: dict[str, set[str]] = field(default_factory=dict)
    relative: dict[str, set[str]] = field(default_factory=dict)
    prelude: list[str] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)
    names: set[str] = field(default_factory=set)

    def imp(self, module: str) -> None:
        self.imports.add(module)

    def frm(self, module: str, *names: str) -> None:
        self.from_imports.setdefault(module, set()).update(names)

    def rel(self, module: str, *names: str) -> None:
        self.relative.setdefault(module, set()).update(names)

    def logger(self) -> None:
        self.imp("logging")
        line = "logger = logging.getLogger(__name__)"
        if line not in self.prelude:
            self.prelude.append(line)

    def unique(self, name: str) -> str:
        candidate, n = name, 2
        while candidate in self.names:
            candidate = f"{name}_{n}"
            n += 1
        self.names.add(candidate)
        return candidate

    def size(self) -> int:
        return sum(len(b) + 2 for b in self.blocks)

    def render(self, docstring: str) -> str:
        head = [f'"""{docstring}"""', "", "from __future__ import annotations", ""]
        std = sorted(f"import {m}" for m in self.imports)
        std += sorted(
            f"from {m} import {', '.join(sorted(names))}"
            for m, names in self.from_imports.items()
        )
        if std:
            head.extend(std)
            head.append("")
        if self.relative:
            head.extend(
                f"from {m} import {', '.join(sorted(names))}"
                for m, names in sorted(self.relative.items())
            )
            head.append("")
        if self.prelude:
            head.append("")
            head.extend(self.prelude)
        body = "\n\n\n".join(b.strip("\n") for b in self.blocks)
        return "\n".join(head).rstrip("\n") + "\n\n\n" + body + "\n"


# --------------------------------------------------------------------------- ordinary code


def _blk_constants(m: _Module) -> str:
    r = m.rng
    name = m.unique(f"{r.choice(ADJECTIVES).upper()}_{r.choice(NOUNS).upper()}")
    entries = "\n".join(
        f'    "{k}": "{_words(r, "<adj> <noun>")}",' for k in r.sample(KEYS, r.randint(3, 7))
    )
    return f"{name}_LIMIT = {r.randint(2, 500)}\n{name}_LABELS = {{\n{entries}\n}}\n"


def _blk_dataclass(m: _Module) -> str:
    r = m.rng
    m.frm("dataclasses", "dataclass", "field")
    cls = m.unique(_camel(r.choice(ADJECTIVES), r.choice(NOUNS)))
    keys = r.sample(KEYS, r.randint(2, 6))
    fields = "\n".join(f'    {k}: str = ""' for k in keys)
    as_dict = ", ".join(f'"{k}": self.{k}' for k in keys)
    return _fill(
        '''@dataclass
class <<CLS>>:
    """A <<ADJ>> <<NOUN>> as stored by the <<NOUN2>> service."""

<<FIELDS>>
    tags: list[str] = field(default_factory=list)
    version: int = <<VERSION>>

    def to_dict(self) -> dict[str, object]:
        return {<<AS_DICT>>, "tags": list(self.tags), "version": self.version}

    def is_empty(self) -> bool:
        return not any((<<ANY>>,))
''',
        CLS=cls, ADJ=r.choice(ADJECTIVES), NOUN=r.choice(NOUNS), NOUN2=r.choice(NOUNS),
        FIELDS=fields, VERSION=r.randint(1, 9), AS_DICT=as_dict,
        ANY=", ".join(f"self.{k}" for k in keys),
    )


def _blk_loop(m: _Module) -> str:
    r = m.rng
    noun = r.choice(NOUNS)
    fn = m.unique(f"{r.choice(VERBS)}_{noun}s")
    return _fill(
        '''def <<FN>>(items: list[dict[str, str]], limit: int = <<LIMIT>>) -> list[str]:
    """<<DOC>>"""
    out: list[str] = []
    for index, item in enumerate(items):
        if index >= limit:
            break
        value = item.get("<<KEY>>", "").strip()
        if not value or value.startswith("#"):
            continue
        if len(value) > <<WIDTH>>:
            value = value[:<<WIDTH>>].rstrip() + "..."
        out.append(value.lower())
    return out
''',
        FN=fn, LIMIT=r.randint(10, 1000), DOC=_words(r, r.choice(SENTENCES)),
        KEY=r.choice(KEYS), WIDTH=r.randint(40, 200),
    )


def _blk_json(m: _Module) -> str:
    r = m.rng
    m.imp("json")
    m.logger()
    fn = m.unique(f"{r.choice(VERBS)}_{r.choice(NOUNS)}_payload")
    return _fill(
        '''def <<FN>>(path: str) -> dict[str, object]:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, json.JSONDecodeError) as exc:
        logger.warning("could not read %s: %s", path, exc)
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: value for key, value in data.items() if not str(key).startswith("_")}
''',
        FN=fn,
    )


def _blk_service(m: _Module) -> str:
    r = m.rng
    noun = r.choice(NOUNS)
    cls = m.unique(_camel(noun, "service"))
    verb = r.choice(VERBS)
    return _fill(
        '''class <<CLS>>:
    """Keeps <<NOUN>>s grouped by key; <<DOC>>"""

    def __init__(self, store: dict[str, list[str]] | None = None) -> None:
        self.store: dict[str, list[str]] = store or {}
        self.count = 0

    def add(self, key: str, value: str) -> None:
        self.store.setdefault(key, []).append(value)
        self.count += 1

    def <<VERB>>(self, key: str) -> list[str]:
        return sorted(self.store.get(key, []))

    def keys_with_at_least(self, minimum: int = <<MIN>>) -> list[str]:
        return [key for key, values in self.store.items() if len(values) >= minimum]

    def __len__(self) -> int:
        return self.count
''',
        CLS=cls, NOUN=noun, DOC=_words(r, r.choice(SENTENCES)).lower(), VERB=verb,
        MIN=r.randint(1, 20),
    )


def _blk_regex(m: _Module) -> str:
    r = m.rng
    m.imp("re")
    noun = r.choice(NOUNS)
    const = m.unique(f"_{noun.upper()}_ID_RE")
    fn = m.unique(f"{r.choice(VERBS)}_{noun}_id")
    return _fill(
        r'''<<CONST>> = re.compile(r"^(?P<prefix>[a-z0-9_]+)-(?P<num>\d{<<N>>,})$")


def <<FN>>(text: str) -> tuple[str, int] | None:
    match = <<CONST>>.match(text.strip())
    if match is None:
        return None
    return match.group("prefix"), int(match.group("num"))
''',
        CONST=const, FN=fn, N=r.randint(1, 6),
    )


def _blk_log_messages(m: _Module) -> str:
    """Ordinary code that says "messages" (queues, logs) without a `.messages` attribute."""
    r = m.rng
    m.logger()
    noun = r.choice(NOUNS)
    fn = m.unique(f"drain_{noun}_messages")
    return _fill(
        '''def <<FN>>(queue: list[str], batch_size: int = <<N>>) -> int:
    """Send pending <<NOUN>> messages in batches; return how many were sent."""
    messages = [m for m in queue if m]
    sent = 0
    for start in range(0, len(messages), batch_size):
        chunk = messages[start : start + batch_size]
        logger.info("sending %d <<NOUN>> messages", len(chunk))
        sent += len(chunk)
    if sent != len(messages):
        logger.error("lost messages: %d of %d", len(messages) - sent, len(messages))
    return sent
''',
        FN=fn, N=r.randint(5, 500), NOUN=noun,
    )


def _blk_enum(m: _Module) -> str:
    r = m.rng
    m.imp("enum")
    cls = m.unique(_camel(r.choice(NOUNS), "state"))
    members = "\n".join(f'    {a.upper()} = "{a}"' for a in r.sample(ADJECTIVES, r.randint(3, 7)))
    return f"class {cls}(enum.Enum):\n{members}\n"


def _blk_describe(m: _Module) -> str:
    """A redundant f-string (what the Fixit rule looks for) and, sometimes, a long line."""
    r = m.rng
    noun = r.choice(NOUNS)
    fn = m.unique(f"describe_{noun}")
    long_line = ""
    if r.random() < 0.3:
        long_line = (
            f'    note = "{" ".join(_words(r, r.choice(SENTENCES)) for _ in range(4))}"\n'
            "    header = header + note[:0]\n"
        )
    return (
        f"def {fn}(name: str, count: int = 0) -> str:\n"
        f'    header = f"{noun} report"\n'
        f"{long_line}"
        "    if count:\n"
        '        return f"{header}: {name} ({count})"\n'
        '    return header + ": " + name\n'
    )


def _blk_paths(m: _Module) -> str:
    r = m.rng
    m.imp("os")
    fn = m.unique(f"{r.choice(VERBS)}_{r.choice(NOUNS)}_paths")
    return _fill(
        '''def <<FN>>(root: str, suffix: str = ".<<EXT>>") -> list[str]:
    found: list[str] = []
    for folder, _dirs, names in os.walk(root):
        found.extend(os.path.join(folder, n) for n in names if n.endswith(suffix))
    return sorted(found)
''',
        FN=fn, EXT=r.choice(("json", "csv", "txt", "yaml", "md")),
    )


FILLER_BLOCKS: tuple[Callable[[_Module], str], ...] = (
    _blk_constants, _blk_dataclass, _blk_loop, _blk_loop, _blk_json, _blk_service,
    _blk_regex, _blk_log_messages, _blk_enum, _blk_describe, _blk_paths,
)


def _add_filler(m: _Module, target: int) -> None:
    while m.size() < target:
        m.blocks.append(m.rng.choice(FILLER_BLOCKS)(m))


def _target_size(rng: random.Random) -> int:
    """File sizes of real projects: mostly a few KB, a long tail (mean about 8 KB)."""
    return int(min(60_000, max(600, rng.lognormvariate(math.log(6000), 0.75))))


# --------------------------------------------------------------------------- call sites


def _model(m: _Module) -> str:
    return m.rng.choice(MODELS)


def _prompt_const(m: _Module, suffix: str = "PROMPT") -> tuple[str, str]:
    """A module constant holding a big prompt (1-12 KB): its name and its definition."""
    r = m.rng
    name = m.unique(f"{r.choice(NOUNS).upper()}_{suffix}")
    return name, f'{name} = """\n{_prose(r, r.randint(1000, 12000))}\n"""\n'


def _cs_module_constant(m: _Module) -> str:
    m.imp("anthropic")
    const, definition = _prompt_const(m, "SYSTEM_PROMPT")
    return definition + "\n\n" + _fill(
        '''client = anthropic.Anthropic()


def <<FN>>(text: str) -> str:
    """<<DOC>>"""
    response = client.messages.create(
        model="<<MODEL>>",
        max_tokens=<<MAXTOK>>,
        system=<<CONST>>,
        messages=[{"role": "user", "content": text}],
    )
    return response.content[0].text
''',
        FN=m.unique(f"{m.rng.choice(VERBS)}_{m.rng.choice(NOUNS)}"),
        DOC=_words(m.rng, m.rng.choice(SENTENCES)), MODEL=_model(m),
        MAXTOK=m.rng.choice(MAX_TOKENS), CONST=const,
    )


def _cs_fstring(m: _Module) -> str:
    r = m.rng
    m.frm("anthropic", "Anthropic")
    if r.random() < 0.5:
        m.imp("os")
        model_const = m.unique("MODEL")
        m.prelude.append(f'{model_const} = os.environ.get("CLAUDE_MODEL", "{_model(m)}")')
        model = model_const
    else:
        model = f'"{_model(m)}"'
    noun = r.choice(NOUNS)
    return _fill(
        r'''_client = Anthropic()


def <<FN>>(<<NOUN>>: str, audience: str = "<<ADJ>>") -> str:
    prompt = f"Summarise the following <<NOUN>> for a {audience} reader:\n\n{<<NOUN>>}"
    message = _client.messages.create(
        model=<<MODEL>>,
        max_tokens=<<MAXTOK>>,
        temperature=<<TEMP>>,
        messages=[
            {"role": "user", "content": prompt},
            {"role": "assistant", "content": f"Summary of the <<NOUN>> for {audience}:"},
        ],
    )
    return "".join(block.text for block in message.content if block.type == "text")
''',
        FN=m.unique(f"summarise_{noun}"), NOUN=noun, ADJ=r.choice(ADJECTIVES), MODEL=model,
        MAXTOK=r.choice(MAX_TOKENS), TEMP=r.choice(("0", "0.2", "0.7", "1.0")),
    )


def _cs_class(m: _Module) -> str:
    r = m.rng
    m.imp("anthropic")
    noun = r.choice(NOUNS)
    cache = r.random() < 0.4
    system = (
        '[{"type": "text", "text": self.SYSTEM, "cache_control": {"type": "ephemeral"}}]'
        if cache else "self.SYSTEM"
    )
    return _fill(
        r'''class <<CLS>>:
    """<<DOC>>"""

    SYSTEM = """
<<PROMPT>>
"""

    def __init__(self, model: str = "<<MODEL>>", max_tokens: int = <<MAXTOK>>) -> None:
        self.client = anthropic.Anthropic(max_retries=3)
        self.model = model
        self.max_tokens = max_tokens
        self.history: list[dict[str, str]] = []

    def ask(self, question: str) -> str:
        self.history.append({"role": "user", "content": question})
        response = self.client.messages.create(
            model=self.model,
            max_tokens=self.max_tokens,
            system=<<SYSTEM>>,
            messages=self.history,
        )
        answer = response.content[0].text
        self.history.append({"role": "assistant", "content": answer})
        return answer

    def classify(self, <<NOUN>>: str, labels: list[str]) -> str:
        response = self.client.messages.create(
            model="<<MODEL2>>",
            max_tokens=<<SMALL>>,
            system=self.SYSTEM,
            messages=[{"role": "user", "content": f"Labels: {', '.join(labels)}\n\n{<<NOUN>>}"}],
        )
        return response.content[0].text.strip()
''',
        CLS=m.unique(_camel(noun, "assistant")), DOC=_words(r, r.choice(SENTENCES)),
        PROMPT=_prose(r, r.randint(500, 8000)), MODEL=_model(m), MAXTOK=r.choice(MAX_TOKENS),
        SYSTEM=system, NOUN=noun, MODEL2=_model(m), SMALL=r.choice((8, 16, 64, 1024)),
    )


def _cs_async(m: _Module) -> str:
    r = m.rng
    m.imp("asyncio")
    m.frm("anthropic", "AsyncAnthropic")
    const, definition = _prompt_const(m)
    noun = r.choice(NOUNS)
    fn = m.unique(f"{r.choice(VERBS)}_{noun}s_concurrently")
    return definition + "\n\n" + _fill(
        '''async_client = AsyncAnthropic()


async def <<FN>>(<<NOUN>>s: list[str]) -> list[str]:
    async def one(text: str) -> str:
        response = await async_client.messages.create(
            model="<<MODEL>>",
            max_tokens=<<MAXTOK>>,
            system=<<CONST>>,
            messages=[{"role": "user", "content": text}],
        )
        return response.content[0].text

    return list(await asyncio.gather(*(one(t) for t in <<NOUN>>s)))


async def <<FN>>_streamed(question: str) -> str:
    parts: list[str] = []
    async with async_client.messages.stream(
        model="<<MODEL2>>",
        max_tokens=<<MAXTOK2>>,
        messages=[{"role": "user", "content": question}],
    ) as stream:
        async for text in stream.text_stream:
            parts.append(text)
    return "".join(parts)
''',
        FN=fn, NOUN=noun, MODEL=_model(m), MAXTOK=r.choice(MAX_TOKENS), CONST=const,
        MODEL2=_model(m), MAXTOK2=r.choice(MAX_TOKENS),
    )


def _cs_batch(m: _Module) -> str:
    r = m.rng
    m.imp("anthropic")
    m.imp("time")
    const, definition = _prompt_const(m)
    noun = r.choice(NOUNS)
    return definition + "\n\n" + _fill(
        '''def <<FN>>(client: anthropic.Anthropic, documents: dict[str, str]) -> str:
    batch = client.messages.batches.create(
        requests=[
            {
                "custom_id": f"<<NOUN>>-{key}",
                "params": {
                    "model": "<<MODEL>>",
                    "max_tokens": <<MAXTOK>>,
                    "system": <<CONST>>,
                    "messages": [{"role": "user", "content": body}],
                },
            }
            for key, body in documents.items()
        ]
    )
    while True:
        status = client.messages.batches.retrieve(batch.id)
        if status.processing_status == "ended":
            break
        time.sleep(<<SLEEP>>)
    return batch.id
''',
        FN=m.unique(f"submit_{noun}_batch"), NOUN=noun, MODEL=_model(m),
        MAXTOK=r.choice(MAX_TOKENS), CONST=const, SLEEP=r.choice((5, 10, 30, 60)),
    )


def _cs_loop(m: _Module) -> str:
    r = m.rng
    m.imp("anthropic")
    const, definition = _prompt_const(m, "INSTRUCTIONS")
    noun = r.choice(NOUNS)
    return definition + "\n\n" + _fill(
        '''def <<FN>>(rows: list[dict[str, str]]) -> list[str]:
    client = anthropic.Anthropic()
    results: list[str] = []
    for row in rows:
        response = client.messages.create(
            model="<<MODEL>>",
            max_tokens=<<MAXTOK>>,
            system=<<CONST>>,
            messages=[{"role": "user", "content": row["<<KEY>>"]}],
        )
        results.append(response.content[0].text)
    return results
''',
        FN=m.unique(f"{r.choice(VERBS)}_each_{noun}"), MODEL=_model(m),
        MAXTOK=r.choice(MAX_TOKENS), CONST=const, KEY=r.choice(KEYS),
    )


def _cs_alias(m: _Module) -> str:
    r = m.rng
    m.imp("anthropic")
    return _fill(
        '''_client = anthropic.Anthropic()
_messages = _client.messages


def <<FN>>(question: str, context: str) -> str:
    reply = _messages.create(
        model="<<MODEL>>",
        max_tokens=<<MAXTOK>>,
        messages=[
            {"role": "user", "content": context},
            {"role": "assistant", "content": "Understood."},
            {"role": "user", "content": question},
        ],
    )
    return reply.content[0].text
''',
        FN=m.unique(f"answer_about_{r.choice(NOUNS)}"), MODEL=_model(m),
        MAXTOK=r.choice(MAX_TOKENS),
    )


def _cs_beta_tools(m: _Module) -> str:
    r = m.rng
    m.frm("anthropic", "Anthropic")
    noun = r.choice(NOUNS)
    tools = m.unique(f"{noun.upper()}_TOOLS")
    key = r.choice(KEYS)
    return _fill(
        '''<<TOOLS>> = [
    {
        "name": "get_<<NOUN>>",
        "description": "<<DESC>>",
        "input_schema": {
            "type": "object",
            "properties": {"<<KEY>>": {"type": "string"}},
            "required": ["<<KEY>>"],
        },
    },
]


def <<FN>>(client: Anthropic, request: str) -> list[object]:
    response = client.beta.messages.create(
        model="<<MODEL>>",
        max_tokens=<<MAXTOK>>,
        tools=<<TOOLS>>,
        thinking={"type": "enabled", "budget_tokens": <<BUDGET>>},
        betas=["<<BETA>>"],
        messages=[{"role": "user", "content": request}],
    )
    return [block for block in response.content if block.type == "tool_use"]
''',
        TOOLS=tools, NOUN=noun, DESC=_words(r, r.choice(SENTENCES)), KEY=key,
        FN=m.unique(f"plan_{noun}_lookup"), MODEL=_model(m),
        MAXTOK=r.choice((4096, 8192, 16000, 32000)), BUDGET=r.choice((1024, 2048, 4096, 10000)),
        BETA=r.choice(BETAS),
    )


def _cs_stream(m: _Module) -> str:
    r = m.rng
    m.imp("anthropic")
    m.logger()
    return _fill(
        '''def <<FN>>(client: anthropic.Anthropic, prompt: str) -> str:
    chunks: list[str] = []
    with client.messages.stream(
        model="<<MODEL>>",
        max_tokens=<<MAXTOK>>,
        messages=[{"role": "user", "content": prompt}],
    ) as stream:
        for text in stream.text_stream:
            chunks.append(text)
        final = stream.get_final_message()
    logger.debug("stop reason %s", final.stop_reason)
    return "".join(chunks)
''',
        FN=m.unique(f"stream_{r.choice(NOUNS)}_answer"), MODEL=_model(m),
        MAXTOK=r.choice(MAX_TOKENS),
    )


def _cs_raw_response(m: _Module) -> str:
    r = m.rng
    m.imp("anthropic")
    return _fill(
        '''def <<FN>>(client: anthropic.Anthropic, text: str) -> tuple[str, str | None]:
    raw = client.messages.with_raw_response.create(
        model="<<MODEL>>",
        max_tokens=<<MAXTOK>>,
        messages=[{"role": "user", "content": text}],
    )
    message = raw.parse()
    return message.content[0].text, raw.headers.get("request-id")
''',
        FN=m.unique(f"{r.choice(VERBS)}_{r.choice(NOUNS)}_with_headers"), MODEL=_model(m),
        MAXTOK=r.choice(MAX_TOKENS),
    )


PROMPT_CONSTANTS = ("SYSTEM_PROMPT", "REVIEW_PROMPT", "SUMMARY_PROMPT")


def _cs_imported_prompt(m: _Module) -> str:
    r = m.rng
    m.imp("anthropic")
    const = r.choice(PROMPT_CONSTANTS)
    m.rel(".prompts", const)
    noun = r.choice(NOUNS)
    return _fill(
        '''def <<FN>>(client: anthropic.Anthropic, <<NOUN>>: str) -> str:
    response = client.messages.create(
        model="<<MODEL>>",
        max_tokens=<<MAXTOK>>,
        system=<<CONST>>,
        messages=[{"role": "user", "content": <<NOUN>>}],
    )
    return response.content[0].text
''',
        FN=m.unique(f"review_{noun}"), NOUN=noun, MODEL=_model(m),
        MAXTOK=r.choice(MAX_TOKENS), CONST=const,
    )


def _cs_kwargs(m: _Module) -> str:
    r = m.rng
    m.imp("anthropic")
    defaults = m.unique("_DEFAULTS")
    return _fill(
        '''<<DEFAULTS>> = {"model": "<<MODEL>>", "max_tokens": <<MAXTOK>>, "temperature": <<TEMP>>}


def <<FN>>(client: anthropic.Anthropic, text: str, **overrides: object) -> str:
    params = {**<<DEFAULTS>>, **overrides}
    response = client.messages.create(
        messages=[{"role": "user", "content": text}],
        **params,
    )
    return response.content[0].text
''',
        DEFAULTS=defaults, MODEL=_model(m), MAXTOK=r.choice(MAX_TOKENS),
        TEMP=r.choice(("0.0", "0.5", "1.0")), FN=m.unique(f"complete_{r.choice(NOUNS)}"),
    )


def _cs_cloud(m: _Module) -> str:
    r = m.rng
    if r.random() < 0.5:
        m.frm("anthropic", "AnthropicBedrock")
        make = f'AnthropicBedrock(aws_region="{r.choice(("us-east-1", "us-west-2", "eu-west-1"))}")'
        model = "anthropic.claude-sonnet-4-5-20250929-v1:0"
    else:
        m.frm("anthropic", "AnthropicVertex")
        make = 'AnthropicVertex(region="us-east5", project_id="example-project")'
        model = "claude-sonnet-4-5@20250929"
    client = m.unique("cloud_client")
    return _fill(
        '''<<CLIENT>> = <<MAKE>>


def <<FN>>(text: str) -> str:
    response = <<CLIENT>>.messages.create(
        model="<<MODEL>>",
        max_tokens=<<MAXTOK>>,
        messages=[{"role": "user", "content": text}],
    )
    return response.content[0].text
''',
        CLIENT=client, MAKE=make, MODEL=model, MAXTOK=r.choice(MAX_TOKENS),
        FN=m.unique(f"{r.choice(VERBS)}_on_cloud"),
    )


CALL_SHAPES: dict[str, Callable[[_Module], str]] = {
    "module-constant": _cs_module_constant,
    "f-string": _cs_fstring,
    "class-self-client": _cs_class,
    "async": _cs_async,
    "batch": _cs_batch,
    "loop": _cs_loop,
    "aliased-resource": _cs_alias,
    "beta-tools-thinking": _cs_beta_tools,
    "stream": _cs_stream,
    "raw-response": _cs_raw_response,
    "imported-prompt": _cs_imported_prompt,
    "kwargs": _cs_kwargs,
    "bedrock-vertex": _cs_cloud,
}


# --------------------------------------------------------------------------- decoys


def _dt_openai(m: _Module) -> str:
    r = m.rng
    m.frm("openai", "OpenAI")
    return _fill(
        '''_openai = OpenAI()


def <<FN>>(history: list[dict[str, str]], question: str) -> str:
    messages = [*history, {"role": "user", "content": question}]
    completion = _openai.chat.completions.create(
        model="gpt-4o-mini",
        messages=messages,
        max_tokens=<<MAXTOK>>,
    )
    return completion.choices[0].message.content or ""
''',
        FN=m.unique(f"chat_about_{r.choice(NOUNS)}"), MAXTOK=r.choice(MAX_TOKENS),
    )


def _dt_history(m: _Module) -> str:
    r = m.rng
    return _fill(
        '''class <<CLS>>:
    """Keeps a conversation's messages in memory."""

    def __init__(self, limit: int = <<N>>) -> None:
        self.messages: list[dict[str, str]] = []
        self.limit = limit

    def add(self, role: str, content: str) -> None:
        self.messages.append({"role": role, "content": content})
        if len(self.messages) > self.limit:
            del self.messages[0]

    def last(self) -> dict[str, str] | None:
        return self.messages[-1] if self.messages else None

    def as_payload(self) -> dict[str, object]:
        return {"messages": list(self.messages), "count": len(self.messages)}
''',
        CLS=m.unique(_camel(r.choice(NOUNS), "conversation")), N=r.randint(10, 200),
    )


def _dt_validation(m: _Module) -> str:
    r = m.rng
    return _fill(
        '''def <<FN>>(form: object) -> list[str]:
    errors = getattr(form, "errors", None)
    if errors is None:
        return []
    try:
        return [str(message) for message in errors.messages]
    except AttributeError:
        return [str(errors)]
''',
        FN=m.unique(f"{r.choice(NOUNS)}_error_messages"),
    )


DECOY_TEXT_SHAPES: dict[str, Callable[[_Module], str]] = {
    "openai-chat": _dt_openai,
    "chat-history": _dt_history,
    "validation-messages": _dt_validation,
}


def _dc_twilio(m: _Module) -> str:
    r = m.rng
    m.imp("os")
    m.frm("twilio.rest", "Client")
    return _fill(
        '''_sms = Client(os.environ["TWILIO_SID"], os.environ["TWILIO_TOKEN"])


def <<FN>>(to: str, body: str) -> str:
    message = _sms.messages.create(body=body, from_=os.environ["TWILIO_FROM"], to=to)
    return str(message.sid)
''',
        FN=m.unique(f"text_{r.choice(NOUNS)}_owner"),
    )


def _dc_mailbox(m: _Module) -> str:
    r = m.rng
    cls = m.unique(_camel(r.choice(NOUNS), "mailbox"))
    return _fill(
        '''class <<CLS>>Store:
    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def create(self, **fields: str) -> dict[str, str]:
        self.items.append(dict(fields))
        return fields

    def stream(self) -> list[dict[str, str]]:
        return list(self.items)


class <<CLS>>:
    def __init__(self) -> None:
        self.messages = <<CLS>>Store()

    def post(self, subject: str, body: str) -> dict[str, str]:
        return self.messages.create(subject=subject, body=body, model="<<MODEL>>")

    def replay(self) -> list[dict[str, str]]:
        return self.messages.stream()
''',
        CLS=cls, MODEL=_model(m),
    )


def _dc_django(m: _Module) -> str:
    r = m.rng
    m.frm("typing", "Any")
    return _fill(
        '''def <<FN>>(thread: Any, author: Any, text: str) -> Any:
    if not text.strip():
        raise ValueError("empty message")
    return thread.messages.create(author=author, body=text, max_tokens=<<N>>)
''',
        FN=m.unique(f"post_{r.choice(NOUNS)}_comment"), N=r.randint(100, 5000),
    )


def _dc_history_return(m: _Module) -> str:
    r = m.rng
    return _fill(
        '''class <<CLS>>:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def push(self, text: str) -> None:
        self.messages.append(text)

    def all(self) -> list[str]:
        return self.messages
''',
        CLS=m.unique(_camel(r.choice(NOUNS), "log")),
    )


DECOY_CALL_SHAPES: dict[str, Callable[[_Module], str]] = {
    "twilio-client": _dc_twilio,
    "own-messages-create": _dc_mailbox,
    "django-related-manager": _dc_django,
    "returns-self-messages": _dc_history_return,
}


# --------------------------------------------------------------------------- the tree


@dataclass(frozen=True)
class GeneratedFile:
    kind: str  # call | decoy-text | decoy-call | filler | prompts | init
    shape: str  # the call-site or decoy shape; "" for ordinary code
    text: str


def _prompts_module(rng: random.Random) -> str:
    m = _Module(rng)
    for name in PROMPT_CONSTANTS:
        m.blocks.append(f'{name} = """\n{_prose(rng, rng.randint(800, 6000))}\n"""\n')
    return m.render("Prompts shared by the modules of this package.")


def _code_module(rng: random.Random, kind: str, shape: str) -> str:
    m = _Module(rng)
    target = _target_size(rng)
    before = rng.randint(0, 3)
    _add_filler(m, min(target // 3, 2500) if before else 0)
    if kind == "call":
        m.blocks.append(CALL_SHAPES[shape](m))
        # Some files hold a second call site of another shape.
        if rng.random() < 0.3:
            m.blocks.append(rng.choice(list(CALL_SHAPES.values()))(m))
    elif kind == "decoy-text":
        m.blocks.append(DECOY_TEXT_SHAPES[shape](m))
    elif kind == "decoy-call":
        m.blocks.append(DECOY_CALL_SHAPES[shape](m))
    _add_filler(m, target)
    doc = _words(rng, "Helpers for <adj> <noun>s and the <noun2> workflow.")
    return m.render(doc)


def generate_claude_tree(seed: int = 6, n_files: int = 2000, call_share: float = 0.10,
                         decoy_text_share: float = 0.06, decoy_call_share: float = 0.04,
                         files_per_package: int = 50) -> dict[str, GeneratedFile]:
    """The Claude-heavy corpus as {relative posix path: file}, the same for the same
    arguments. Exactly round(n_files * share) files of each special kind; call-site and decoy
    shapes are dealt out in turn, so each appears once there are as many files as shapes."""
    rng = random.Random(f"claudelint-bench:{seed}")
    n_packages = max(1, math.ceil(n_files / files_per_package))
    slots: list[str] = []  # module paths (not __init__ / prompts)
    fixed: dict[str, GeneratedFile] = {}
    per_package = [n_files // n_packages + (1 if i < n_files % n_packages else 0)
                   for i in range(n_packages)]
    for i, count in enumerate(per_package):
        noun = NOUNS[i % len(NOUNS)]
        pkg = f"app/{noun}_{i:02d}"
        init = f'"""The {noun} package."""\n'
        specials = [(f"{pkg}/__init__.py", GeneratedFile("init", "", init))]
        if count >= 2:
            specials.append(
                (f"{pkg}/prompts.py", GeneratedFile("prompts", "", _prompts_module(rng)))
            )
        for path, gen in specials[:count]:
            fixed[path] = gen
        for j in range(count - min(count, len(specials))):
            slots.append(f"{pkg}/{rng.choice(VERBS)}_{rng.choice(NOUNS)}_{j:03d}.py")
    n_call = round(n_files * call_share)
    n_dtext = round(n_files * decoy_text_share)
    n_dcall = round(n_files * decoy_call_share)
    if n_call + n_dtext + n_dcall > len(slots):
        raise ValueError("too few module slots for the requested shares")
    order = list(slots)
    rng.shuffle(order)
    plan: dict[str, tuple[str, str]] = {}
    call_shapes, text_shapes, dcall_shapes = (
        list(CALL_SHAPES), list(DECOY_TEXT_SHAPES), list(DECOY_CALL_SHAPES))
    for k, path in enumerate(order):
        if k < n_call:
            plan[path] = ("call", call_shapes[k % len(call_shapes)])
        elif k < n_call + n_dtext:
            plan[path] = ("decoy-text", text_shapes[(k - n_call) % len(text_shapes)])
        elif k < n_call + n_dtext + n_dcall:
            plan[path] = ("decoy-call", dcall_shapes[(k - n_call - n_dtext) % len(dcall_shapes)])
        else:
            plan[path] = ("filler", "")
    out: dict[str, GeneratedFile] = dict(fixed)
    for path in slots:  # generate in path order: the text does not depend on set ordering
        kind, shape = plan[path]
        out[path] = GeneratedFile(kind, shape, _code_module(rng, kind, shape))
    return dict(sorted(out.items()))


def _manifest(files: dict[str, GeneratedFile], params: dict[str, object]) -> str:
    return json.dumps(
        {"generator_version": GENERATOR_VERSION, "params": params,
         "files": {path: {"kind": f.kind, "shape": f.shape} for path, f in files.items()}},
        indent=1, sort_keys=True,
    ) + "\n"


def write_claude_tree(dest: Path, seed: int = 6, n_files: int = 2000) -> Path:
    """Generate the Claude-heavy corpus into `dest` (kept when the same one is there)."""
    params: dict[str, object] = {"seed": seed, "n_files": n_files}
    manifest = dest / "MANIFEST.json"
    if manifest.is_file():
        try:
            old = json.loads(manifest.read_text(encoding="utf-8"))
        except ValueError:
            old = {}
        if old.get("generator_version") == GENERATOR_VERSION and old.get("params") == params:
            return dest
    files = generate_claude_tree(seed=seed, n_files=n_files)
    tmp = dest.with_name(dest.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    for rel, gen in files.items():
        path = tmp / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(gen.text, encoding="utf-8", newline="\n")
    (tmp / "MANIFEST.json").write_text(_manifest(files, params), encoding="utf-8")
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)
    return dest


def claude_tree_dir(cache_dir: Path, seed: int, n_files: int) -> Path:
    return cache_dir / f"claude-heavy-s{seed}-n{n_files}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--files", type=int, default=2000)
    args = parser.parse_args(argv)
    real = fetch_real_tree(args.cache_dir)
    heavy = write_claude_tree(claude_tree_dir(args.cache_dir, args.seed, args.files),
                              seed=args.seed, n_files=args.files)
    print(f"no-Claude tree:    {real}")
    print(f"Claude-heavy tree: {heavy}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
