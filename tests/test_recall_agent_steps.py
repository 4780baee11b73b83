"""CL401 stays silent on two loops that are not data sets, wherever the loop is: the tools
a response asked for (an agent's step) and a scheduler's tick over the jobs due now. A loop
over the same collection without those signs is still reported (from its caller too)."""

from __future__ import annotations

import textwrap

from claudelint.lint.engine import Linter
from claudelint.settings import Settings

HEAD = """
import time
import anthropic
client = anthropic.Anthropic()

def analyse(code):
    return client.messages.create(model="claude-sonnet-4-6", max_tokens=512,
        messages=[{"role": "user", "content": code}])
"""


def _cl401(body: str) -> list[int]:
    """The lines CL401 reports, as offsets from the line of the body's `analyse(` call."""
    text = textwrap.dedent(HEAD) + textwrap.dedent(body)
    call = next(i for i, line in enumerate(text.splitlines(), 1)
                if "analyse(" in line and "def " not in line)
    return [f.line - call for f in Linter(Settings()).lint_text(text, "app.py")
            if f.code == "CL401"]


def test_the_tools_a_response_asked_for_are_an_agent_step() -> None:
    assert _cl401("""
        def run_tool(name, data):
            if name == "execute_code":
                return analyse(data["code"])
            return ""

        def step(response):
            tool_uses = [b for b in response.content if b.type == "tool_use"]
            for tool_use in tool_uses:
                run_tool(tool_use.name, tool_use.input)
        """) == []


def test_a_scheduler_tick_runs_only_the_jobs_due_now() -> None:
    assert _cl401("""
        def tick(jobs):
            now = time.time()
            for job in jobs:
                if not job.enabled or now < job.next_run_at:
                    continue
                analyse(job.message)
        """) == []


def test_a_loop_over_jobs_without_a_due_check_is_reported() -> None:
    assert _cl401("""
        def nightly(jobs):
            for job in jobs:
                if not job.enabled:
                    continue
                analyse(job.message)
        """) == [0]


def test_a_size_filter_is_not_a_due_check() -> None:
    assert _cl401("""
        def summarise_all(docs):
            for doc in docs:
                if len(doc.text) < 100:
                    continue
                analyse(doc.text)
        """) == [0]


def test_a_search_loop_makes_one_request_at_most() -> None:
    assert _cl401("""
        def trigger(jobs, wanted):
            for job in jobs:
                if job.id == wanted:
                    analyse(job.message)
                    return "triggered"
            return "not found"
        """) == []


def test_the_loop_around_a_search_loop_is_still_seen() -> None:
    assert _cl401("""
        def trigger_all(batches, wanted):
            for jobs in batches:
                for job in jobs:
                    if job.id == wanted:
                        analyse(job.message)
                        break
        """) == [0]
