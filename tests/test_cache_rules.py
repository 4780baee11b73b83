"""CL102 and CL105: where a changing value comes from (hole provenance), whether it changes
between the calls of one request, and the rules' look-alikes."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from claudelint.analysis.request import Request
from claudelint.analysis.values import Hole, Text, Unknown
from claudelint.lint.edits import Edits
from claudelint.lint.engine import Linter, analyze
from claudelint.rules.cl102_dynamic_cached_prefix import DynamicCachedPrefix
from claudelint.rules.cl105_cache_write_never_read import CacheWriteNeverRead
from claudelint.settings import Settings
from claudelint.workspace.fixer import fix_text, parses

HEADER = """\
import os
import random
import time
import uuid
from datetime import date, datetime
from uuid import uuid4

import anthropic

client = anthropic.Anthropic()
POLICY = "Follow the policy. " * 400
"""


def requests_of(body: str) -> list[Request]:
    return analyze(HEADER + textwrap.dedent(body), Settings()).requests


def request_of(body: str) -> Request:
    reqs = requests_of(body)
    assert len(reqs) == 1
    return reqs[0]


def in_function(system: str, pre: str = "", params: str = "q") -> str:
    return (
        f"def ask({params}):\n"
        + textwrap.indent(textwrap.dedent(pre), "    ")
        + "    return client.messages.create(model='claude-sonnet-4-6', max_tokens=5,\n"
        f"        system={system}, messages=[{{'role': 'user', 'content': q}}])\n"
    )


def system_holes(req: Request) -> list[Hole]:
    """The holes of the system value that change between the request's calls."""
    return req.changing_holes(req.value("system"))


# --- provenance: changing ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("system", "expr"),
    [
        ("f'{POLICY} {q}'", "q"),
        ("'%s and %s' % (POLICY, q)", "q"),
        ("'{} and {}'.format(POLICY, q)", "q"),
        ("POLICY + q", "q"),
    ],
)
def test_parameter_fields_are_changing_holes_fixed_at_the_parameter(system: str,
                                                                     expr: str) -> None:
    req = request_of(in_function(system))
    (hole,) = system_holes(req)
    assert hole.expr == expr and hole.origin == "param" and not hole.volatile
    assert isinstance(hole.bound_at, cst.Param)


@pytest.mark.parametrize(
    "call",
    [
        "datetime.now()",
        "datetime.now().strftime('%Y-%m-%d')",
        "date.today().isoformat()",
        "time.time()",
        "uuid4()",
        "uuid.uuid4().hex",
        "random.choice(['a', 'b'])",
        "os.urandom(8).hex()",
    ],
)
def test_volatile_calls_in_the_function(call: str) -> None:
    req = request_of(in_function(f"f'{{POLICY}} {{{call}}}'"))
    (hole,) = system_holes(req)
    assert hole.volatile and hole.origin == "call" and hole.expr == call


def test_volatile_call_bound_to_a_local_first() -> None:
    req = request_of(in_function("f'{POLICY} {stamp}'", pre="stamp = datetime.now()\n"))
    (hole,) = system_holes(req)
    assert hole.volatile and hole.expr == "datetime.now()"


def test_unknown_local_computed_from_a_parameter_takes_its_origin() -> None:
    req = request_of(in_function("f'{POLICY} {context}'", params="q, chunks",
                                 pre="context = '\\n'.join(c.upper() for c in chunks)\n"))
    (hole,) = system_holes(req)
    assert hole.origin == "param" and hole.expr == "context"
    assert isinstance(hole.bound_at, cst.Param)


def test_attribute_of_a_volatile_value_through_a_local() -> None:
    req = request_of(in_function("POLICY + stamp.isoformat()", pre="stamp = datetime.now()\n"))
    (hole,) = system_holes(req)
    assert hole.volatile


def test_loop_variable_changes_in_its_own_loop() -> None:
    req = request_of(
        """
        def run(items):
            for item in items:
                client.messages.create(model='claude-sonnet-4-6', max_tokens=5,
                    system=f'{POLICY} {item}', messages=[])
        """
    )
    (hole,) = system_holes(req)
    assert hole.origin == "loop" and isinstance(hole.bound_at, cst.For)


def test_local_rebound_inside_the_loop_changes() -> None:
    req = request_of(
        """
        def run(items):
            for item in items:
                stamp = time.time()
                client.messages.create(model='claude-sonnet-4-6', max_tokens=5,
                    system=f'{POLICY} {stamp}', messages=[])
        """
    )
    assert [h.expr for h in system_holes(req)] == ["time.time()"]


# --- provenance: not changing ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "system"),
    [
        ("TODAY = datetime.now().isoformat()\n", "f'{POLICY} {TODAY}'"),
        ("NAME = 'Acme'\n", "'{} for {}'.format(POLICY, NAME)"),
        ("SUFFIX = 'Be brief.'\n", "POLICY + SUFFIX"),
        ("STARTED = time.time()\n", "'%s %s' % (POLICY, STARTED)"),
    ],
)
def test_module_level_values_are_stable(header: str, system: str) -> None:
    req = request_of(header + in_function(system))
    value = req.value("system")
    assert isinstance(value, Text) and value.is_static
    assert system_holes(req) == []


def test_value_computed_before_the_loop_does_not_change_within_it() -> None:
    req = request_of(
        """
        def run(items, topic):
            today = date.today().isoformat()
            for item in items:
                client.messages.create(model='claude-sonnet-4-6', max_tokens=5,
                    system=f'{POLICY} {today} {topic}', messages=[])
        """
    )
    value = req.value("system")
    assert isinstance(value, Text) and len(value.dynamic_holes) == 2  # dynamic in itself...
    assert system_holes(req) == []  # ...but fixed for the loop that makes the calls


def test_outer_loop_value_is_fixed_in_the_inner_loop() -> None:
    req = request_of(
        """
        def run(docs, questions):
            for doc in docs:
                text = doc.read()
                for q in questions:
                    client.messages.create(model='claude-sonnet-4-6', max_tokens=5,
                        system=f'{POLICY} {doc} {text}', messages=[])
        """
    )
    assert system_holes(req) == []


def test_parameter_of_an_enclosing_function_is_fixed() -> None:
    req = request_of(
        """
        def make(persona):
            def ask(q):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=5,
                    system=f'{POLICY} {persona}', messages=[])
            return ask
        """
    )
    assert system_holes(req) == []


def test_attribute_set_once_in_init_is_instance_stable() -> None:
    req = request_of(
        """
        class Bot:
            def __init__(self, name):
                self.started = datetime.now().isoformat()
                self.greeting = f"Hello {name}"
            def ask(self, q):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=5,
                    system=f'{POLICY} {self.started} {self.greeting}', messages=[])
        """
    )
    value = req.value("system")
    assert isinstance(value, Text) and value.is_static
    assert all(h.origin in ("instance", "module") for h in value.holes)


def test_unknown_helper_result_is_not_evidence() -> None:
    req = request_of(in_function("f'{POLICY} {extra}'", pre="extra = load_extra()\n"))
    value = req.value("system")
    assert isinstance(value, Text) and not value.is_static  # unknown content...
    assert system_holes(req) == []  # ...but nothing shows it changes


def test_unknown_value_keeps_its_provenance() -> None:
    req = request_of(in_function("context", params="q, chunks",
                                 pre="context = '\\n'.join(chunks)\n"))
    value = req.value("system")
    assert isinstance(value, Unknown) and value.origin == "param"


# --- Request helpers -----------------------------------------------------------------------


def test_cache_blocks_in_cache_order_with_breakpoints() -> None:
    req = request_of(
        """
        def ask(q):
            return client.messages.create(model='claude-sonnet-4-6', max_tokens=5,
                tools=[{'name': 't', 'description': 'd', 'input_schema': {}}],
                system=[{'type': 'text', 'text': POLICY, 'cache_control': {'type': 'ephemeral'}},
                        {'type': 'text', 'text': 'tail'}],
                messages=[{'role': 'user', 'content': q}])
        """
    )
    blocks = req.cache_blocks()
    assert [b.where for b in blocks] == ["tools", "system", "system", "messages"]
    assert [b.breakpoint for b in blocks] == [False, True, False, False]
    assert req.single_turn() and req.automatic_cache_control is None


def test_single_turn_needs_a_literal_list_without_history() -> None:
    assert not request_of(
        "def ask(history, q):\n"
        "    return client.messages.create(model='claude-sonnet-4-6', max_tokens=5,\n"
        "        messages=[*history, {'role': 'user', 'content': q}])\n"
    ).single_turn()
    assert not request_of(
        "def ask(msgs):\n"
        "    return client.messages.create(model='claude-sonnet-4-6', max_tokens=5,\n"
        "        messages=msgs)\n"
    ).single_turn()


# --- rules: look-alikes and edge cases ---------------------------------------------------------


def lint(rule: type, body: str) -> list[tuple[int, str]]:
    text = HEADER + textwrap.dedent(body)
    return [(f.line - HEADER.count("\n"), f.code)
            for f in Linter(Settings(), rules=[rule]).lint_text(text, "x.py")]


CC = "{'type': 'ephemeral'}"


def test_cl102_two_requests_sharing_a_loop_value_read_each_others_entry() -> None:
    body = f"""
        def review(docs):
            for doc in docs:
                for task in ('summary', 'risks'):
                    client.messages.create(model='claude-sonnet-4-6', max_tokens=5,
                        system=[{{'type': 'text', 'text': f'{{POLICY}} {{doc}}',
                            'cache_control': {CC}}}],
                        messages=[{{'role': 'user', 'content': task}}])
        def review_twice(docs):
            for doc in docs:
                a = client.messages.create(model='claude-sonnet-4-6', max_tokens=5,
                    system=[{{'type': 'text', 'text': f'{{POLICY}} {{doc}}',
                        'cache_control': {CC}}}],
                    messages=[{{'role': 'user', 'content': 'Summarise.'}}])
                b = client.messages.create(model='claude-sonnet-4-6', max_tokens=5,
                    system=[{{'type': 'text', 'text': f'{{POLICY}} {{doc}}',
                        'cache_control': {CC}}}],
                    messages=[{{'role': 'user', 'content': 'List the risks.'}}])
    """
    assert lint(DynamicCachedPrefix, body) == []


def test_cl102_volatile_value_in_an_earlier_block_before_a_later_breakpoint() -> None:
    body = f"""
        def ask(q):
            return client.messages.create(model='claude-sonnet-4-6', max_tokens=5,
                system=[{{'type': 'text', 'text': f'Now: {{time.time()}}'}},
                        {{'type': 'text', 'text': POLICY, 'cache_control': {CC}}}],
                messages=[{{'role': 'user', 'content': q}}])
    """
    assert lint(DynamicCachedPrefix, body) == [(4, "CL102")]


def test_cl102_readable_earlier_breakpoint_still_reported_for_the_later_one() -> None:
    body = f"""
        def ask(q):
            return client.messages.create(model='claude-sonnet-4-6', max_tokens=5,
                system=[{{'type': 'text', 'text': POLICY, 'cache_control': {CC}}},
                        {{'type': 'text', 'text': f'{{POLICY}} {{uuid4()}}',
                            'cache_control': {CC}}}],
                messages=[{{'role': 'user', 'content': q}}])
    """
    findings = Linter(Settings(), rules=[DynamicCachedPrefix]).lint_text(
        HEADER + textwrap.dedent(body), "x.py")
    (f,) = findings
    assert "`uuid4()`" in f.message and f.cost is not None and f.fix is not None


def test_cl102_parameter_without_a_cacheable_head_is_silent() -> None:
    body = f"""
        def ask(user, q):
            return client.messages.create(model='claude-sonnet-4-6', max_tokens=5,
                system=[{{'type': 'text', 'text': f'User: {{user}}. ' + POLICY,
                    'cache_control': {CC}}}],
                messages=[{{'role': 'user', 'content': q}}])
    """
    assert lint(DynamicCachedPrefix, body) == []


def test_cl102_below_minimum_is_silent() -> None:
    body = f"""
        def ask(q):
            return client.messages.create(model='claude-sonnet-4-6', max_tokens=5,
                system=[{{'type': 'text', 'text': f'Be brief. {{datetime.now()}}',
                    'cache_control': {CC}}}],
                messages=[{{'role': 'user', 'content': q}}])
    """
    assert lint(DynamicCachedPrefix, body) == []


def test_cl102_and_cl105_do_not_report_the_same_last_block() -> None:
    body = f"""
        def ask(q):
            return client.messages.create(model='claude-sonnet-4-6', max_tokens=5,
                system=POLICY, cache_control={CC},
                messages=[{{'role': 'user', 'content': f'{{datetime.now()}} {{q}}'}}])
    """
    assert lint(DynamicCachedPrefix, body) == []
    assert lint(CacheWriteNeverRead, body) == [(5, "CL105")]


def test_cl105_one_hour_ttl_reported_without_a_fix() -> None:
    body = """
        def ask(q):
            return client.messages.create(model='claude-sonnet-4-6', max_tokens=5,
                system=POLICY, cache_control={'type': 'ephemeral', 'ttl': '1h'},
                messages=[{'role': 'user', 'content': q}])
    """
    findings = Linter(Settings(), rules=[CacheWriteNeverRead]).lint_text(
        HEADER + textwrap.dedent(body), "x.py")
    (f,) = findings
    assert f.fix is None and f.cost is not None and f.cost.usd_saved > 0


def test_cl105_unknown_model_uses_least_favourable_prices() -> None:
    body = f"""
        BIG = POLICY * 6
        def ask(model, q):
            return client.messages.create(model=model, max_tokens=5,
                system=BIG, cache_control={CC},
                messages=[{{'role': 'user', 'content': q}}])
    """
    findings = Linter(Settings(), rules=[CacheWriteNeverRead]).lint_text(
        HEADER + textwrap.dedent(body), "x.py")
    (f,) = findings
    assert f.cost is not None
    assert any("least favourable" in a for a in f.cost.assumptions)


def test_cl105_messages_from_a_variable_is_silent() -> None:
    body = f"""
        def ask(q):
            msgs = [{{'role': 'user', 'content': q}}]
            return client.messages.create(model='claude-sonnet-4-6', max_tokens=5,
                system=POLICY, cache_control={CC}, messages=msgs)
    """
    assert lint(CacheWriteNeverRead, body) == []


def test_cl105_fix_is_idempotent_and_clears_the_finding() -> None:
    body = f"""
        def ask(q):
            return client.messages.create(
                model='claude-sonnet-4-6',
                max_tokens=5,
                system=POLICY,
                messages=[{{'role': 'user', 'content': q}}],
                cache_control={CC},
            )
    """
    text = HEADER + textwrap.dedent(body)
    linter = Linter(Settings(), rules=[CacheWriteNeverRead, DynamicCachedPrefix])
    findings = linter.lint_text(text, "x.py")
    result = fix_text(text, findings, unsafe=True, relint=lambda t: linter.lint_text(t, "x.py"),
                      parses=parses)
    assert parses(result.text) and linter.lint_text(result.text, "x.py") == []
    assert "        messages=[{'role': 'user', 'content': q}],\n    )\n" in result.text
    assert "cache_control={" not in result.text


# --- edit builders -------------------------------------------------------------------------------


def _call(code: str) -> tuple[Edits, cst.Call]:
    module = cst.parse_module(code)
    stmt = module.body[0]
    assert isinstance(stmt, cst.SimpleStatementLine)
    expr = stmt.body[0]
    assert isinstance(expr, cst.Expr) and isinstance(expr.value, cst.Call)
    return Edits(module), expr.value


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("f(a=1, cache_control=x, b=2)\n", "f(a=1, b=2)"),
        ("f(a=1, cache_control=x)\n", "f(a=1)"),
        ("f(\n    a=1,\n    cache_control=x,\n)\n", "f(\n    a=1,\n)"),
        ("f(\n    cache_control=x,\n    a=1\n)\n", "f(\n    a=1\n)"),
        ("f(\n    a=1,  # keep\n    cache_control=x,\n)\n", "f(\n    a=1,  # keep\n)"),
        ("f(\n    a=1,  # keep\n    cache_control=x\n)\n", "f(\n    a=1,  # keep\n)"),
        ("f(\n    a=1,\n    cache_control=x\n)\n", "f(\n    a=1\n)"),
    ],
)
def test_remove_keyword_keeps_the_layout(code: str, expected: str) -> None:
    edits, call = _call(code)
    result = edits.remove_keyword(call, "cache_control")
    assert result is not None and result[0].content == expected


def test_split_cached_block_needs_a_list_holding_the_block() -> None:
    edits, call = _call("f([{'type': 'text', 'text': f'{A} {b}', 'cache_control': C}])\n")
    holder = call.args[0].value
    assert isinstance(holder, cst.List)
    block = holder.elements[0].value
    assert isinstance(block, cst.Dict)
    text = block.elements[1].value
    edit = edits.split_cached_block(block, holder, text,
                                    lambda e: isinstance(e, cst.Name) and e.value == "A")
    assert edit is not None
    assert edit.content == (
        "{'type': 'text', 'text': f'{A} ', 'cache_control': C}, "
        '{"type": "text", "text": f\'{b}\'}'
    )
    assert edits.split_cached_block(block, None, text, lambda e: True) is None
