"""Benchmark `claudelint server`: how long a re-check takes after an edit (issue 16).

    python bench/lsp_bench.py                 # 30 edits of a ~500-line file
    python bench/lsp_bench.py --edits 100 --json out.json

Starts the real server (`python -m claudelint server` of this interpreter) over stdio in a
temporary project: a ~500-line module with a dozen call sites (a big module-constant system
prompt re-sent uncached, a prompt imported from `prompts.py`, calls in loops, an f-string
prompt, a legacy model), opens it, waits for the first diagnostics, then makes `--edits` edits
one after another (each changes the user message of one call) and times each from sending
`didChange` to receiving the `publishDiagnostics` of that version. The server is started with
`debounceMs: 0`, so the time is the re-check and the round trip; an editor also waits the
debounce delay (150 ms) after the last keystroke.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from lsp_client import LspClient

PROMPT = "You are a meticulous support agent for Acme Corp. Follow every rule below. " * 80

HEAD = f'''"""A support bot: generated for the language-server benchmark."""

import anthropic

from prompts import SYSTEM as IMPORTED_SYSTEM

client = anthropic.Anthropic()
POLICY = {PROMPT!r}
'''

# One block per call site; {i} numbers it, {msg} is the text the edits change.
BLOCKS = [
    '''

def answer_{i}(question: str) -> str:
    """Answer one question (site {i})."""
    reply = client.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=1024,
        system=POLICY,
        messages=[{{"role": "user", "content": question + "{msg}"}}],
    )
    text = reply.content[0].text
    if not text:
        return ""
    return text.strip()
''',
    '''

def summarise_{i}(documents: list[str]) -> list[str]:
    """Summarise each document (site {i})."""
    out = []
    for doc in documents:
        reply = client.messages.create(
            model="claude-sonnet-4-6",
            max_tokens=512,
            system=IMPORTED_SYSTEM,
            messages=[{{"role": "user", "content": f"Summarise: {{doc}} {msg}"}}],
        )
        out.append(reply.content[0].text)
    return out
''',
    '''

def classify_{i}(ticket: str) -> str:
    """Classify a ticket (site {i})."""
    reply = client.messages.create(
        model="claude-3-opus-20240229",
        max_tokens=8000,
        messages=[
            {{"role": "user", "content": "Label as bug, question or praise. {msg}"}},
            {{"role": "user", "content": ticket}},
        ],
    )
    label = reply.content[0].text.strip().lower()
    return label if label in ("bug", "question", "praise") else "question"
''',
    '''

class Helper{i}:
    """A helper holding its own client (site {i})."""

    def __init__(self) -> None:
        self.client = anthropic.Anthropic()
        self.history: list[dict[str, str]] = []

    def chat(self, text: str) -> str:
        self.history.append({{"role": "user", "content": text + "{msg}"}})
        reply = self.client.messages.create(
            model="claude-sonnet-4-6",
            max_tokens=2048,
            system=POLICY,
            messages=self.history,
        )
        answer = reply.content[0].text
        self.history.append({{"role": "assistant", "content": answer}})
        return answer
''',
]


# Ordinary code between the call sites; {i} numbers it, {msg} is the text the edits change.
FILLER = '''

def load_records_{i}(rows: list[dict[str, str]], limit: int = 100) -> list[dict[str, object]]:
    """Clean up to `limit` raw rows (helper {i}){msg}."""
    out: list[dict[str, object]] = []
    seen: set[str] = set()
    for row in rows[:limit]:
        key = row.get("id", "").strip()
        if not key or key in seen:
            continue
        seen.add(key)
        fields = {{name: value.strip() for name, value in row.items() if value}}
        fields["score"] = sum(len(v) for v in fields.values()) / max(1, len(fields))
        out.append(fields)
    return sorted(out, key=lambda r: (r["score"], str(r.get("id"))))
'''


def make_module(lines: int, edit: int = 0, every: int = 1) -> tuple[str, int]:
    """The module (about `lines` long) and how many call sites it holds: one block in
    `every` is a call site, the others ordinary code. `edit` changes the text of block
    `edit % blocks` (a call's user message, or a docstring)."""
    blocks: list[str] = []
    sites = 0
    while sum(b.count("\n") for b in [HEAD, *blocks]) < lines:
        i = len(blocks)
        if i % every == 0:
            blocks.append(BLOCKS[sites % len(BLOCKS)].format(i=i, msg="{msg}"))
            sites += 1
        else:
            blocks.append(FILLER.format(i=i, msg="{msg}"))
    target = edit % len(blocks)
    text = HEAD + "".join(
        b.replace("{msg}", f" (edit {edit})" if k == target and edit else "")
        for k, b in enumerate(blocks))
    return text, sites


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (Linux: /proc), else None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=30)
    parser.add_argument("--lines", type=int, default=500)
    parser.add_argument("--every", type=int, default=4,
                        help="one block in EVERY is a call site (1: every block)")
    parser.add_argument("--json", type=Path, help="also write the samples here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="claudelint-lsp-bench-") as tmp:
        root = Path(tmp).resolve()
        (root / "prompts.py").write_text(f"SYSTEM = {PROMPT!r}\n", encoding="utf-8")
        text, sites = make_module(args.lines, every=args.every)
        app = root / "app.py"
        app.write_text(text, encoding="utf-8")
        env = {"CLAUDELINT_ANTHROPIC_PATH": ""}
        client = LspClient(root, env={**env, **{k: v for k, v in os.environ.items()
                                                 if k == "CLAUDELINT_TODAY"}})
        try:
            t0 = time.perf_counter()
            client.initialize(root, {"debounceMs": 0})
            uri = client.open(app, text)
            first = client.diagnostics(uri, 1, timeout=120)
            first_ms = (time.perf_counter() - t0) * 1000
            samples: list[float] = []
            cpu: list[float] = []
            pid = client.proc.pid
            for n in range(1, args.edits + 1):
                edited, _ = make_module(args.lines, n, args.every)
                cpu_start = cpu_seconds(pid)
                start = time.perf_counter()
                client.change(uri, edited, n + 1)
                got = client.diagnostics(uri, n + 1, timeout=120)
                samples.append((time.perf_counter() - start) * 1000)
                cpu_end = cpu_seconds(pid)
                if cpu_start is not None and cpu_end is not None:
                    cpu.append((cpu_end - cpu_start) * 1000)
                assert len(got) == len(first), (len(got), len(first))
            client.shutdown()
        finally:
            client.close()

    lines = text.count("\n")
    print(f"file: {lines} lines, {sites} call sites, {len(first)} findings")
    print(f"start-up to first diagnostics: {first_ms:.0f} ms")
    print(f"re-check after an edit ({len(samples)} edits): median "
          f"{statistics.median(samples):.1f} ms, p95 {percentile(samples, 0.95):.1f} ms, "
          f"max {max(samples):.1f} ms")
    if cpu:
        print(f"server CPU time per re-check: median {statistics.median(cpu):.0f} ms, p95 "
              f"{percentile(cpu, 0.95):.0f} ms (at {os.getloadavg()[0]:.1f} load on "
              f"{os.cpu_count()} CPUs)")
    if args.json:
        args.json.write_text(json.dumps({
            "lines": lines, "sites": sites, "findings": len(first), "first_ms": first_ms,
            "samples_ms": samples, "cpu_ms": cpu,
        }, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
