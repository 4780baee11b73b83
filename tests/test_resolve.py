"""Static values (SPEC §2): text with holes resolved within a file."""

from __future__ import annotations

import textwrap

import pytest

from claudelint.analysis.request import Request
from claudelint.analysis.values import Const, DictV, Hole, ListV, Text, Unknown, Value
from claudelint.lint.engine import analyze
from claudelint.settings import Settings


def system_of(body: str, header: str = "") -> Value | None:
    code = textwrap.dedent(header) + "\nimport anthropic\nclient = anthropic.Anthropic()\n" + (
        textwrap.dedent(body)
    )
    reqs: list[Request] = analyze(code, Settings()).requests
    assert len(reqs) == 1, code
    return reqs[0].value("system")


def call(system_expr: str, pre: str = "", params: str = "q") -> str:
    return (
        f"def ask({params}):\n"
        + textwrap.indent(textwrap.dedent(pre), "    ")
        + f"    return client.messages.create(model='claude-sonnet-4-6', max_tokens=5,\n"
        f"        system={system_expr}, messages=[])\n"
    )


def text(v: Value | None) -> Text:
    assert isinstance(v, Text), v
    return v


def test_literal_and_implicit_concatenation() -> None:
    t = text(system_of(call('"You are " "helpful."')))
    assert t.literal == "You are helpful." and t.is_static


def test_module_constant() -> None:
    t = text(system_of(call("SYSTEM"), header="SYSTEM = 'Be terse.'"))
    assert t.literal == "Be terse."


def test_fstring_static_head_dynamic_tail() -> None:
    t = text(system_of(call('f"{DOC}\\n\\nQuestion: {q}"'), header="DOC = 'Doc text.'"))
    assert t.static_head() == "Doc text.\n\nQuestion: "
    assert not t.is_static
    (hole,) = t.dynamic_holes
    assert hole.expr == "q" and hole.origin == "param"


def test_fstring_escapes_and_braces() -> None:
    t = text(system_of(call('f"a\\tb {{literal}} {X}"'), header="X = 'x'"))
    assert t.literal == "a\tb {literal} x"


def test_percent_and_format() -> None:
    t = text(system_of(call('"Hello %s, you are %s" % (NAME, q)'), header="NAME = 'Ann'"))
    assert t.static_head() == "Hello Ann, you are "
    t = text(system_of(call('"{a} and {b}".format(a=NAME, b=q)'), header="NAME = 'Ann'"))
    assert t.static_head() == "Ann and "
    t = text(system_of(call('"{} {}".format(NAME, NAME)'), header="NAME = 'Ann'"))
    assert t.literal == "Ann Ann"


def test_percent_with_a_mapping() -> None:
    t = text(system_of(call('"Hi %(name)s, %(n)d new" % {"name": NAME, "n": q}'),
                       header="NAME = 'Ann'"))
    assert t.static_head() == "Hi Ann, " and not t.is_static
    v = system_of(call('"Hi %(who)s" % {"name": NAME}'), header="NAME = 'Ann'")
    assert isinstance(v, Unknown)


def test_plus_join_dedent_strip() -> None:
    header = 'A = """\n    line one\n    line two\n"""\nB = "tail"\n'
    t = text(system_of(call('textwrap.dedent(A).strip() + "\\n" + B'),
                       header="import textwrap\n" + header))
    assert t.literal == "line one\nline two\ntail"
    t = text(system_of(call('"\\n".join([A.strip(), B, q])'), header=header))
    assert t.static_head().endswith("tail\n") and not t.is_static
    t = text(system_of(call("cleandoc(A)"), header="from inspect import cleandoc\n" + header))
    assert t.literal == "line one\nline two"


def test_repetition() -> None:
    t = text(system_of(call('"ab" * 3')))
    assert t.literal == "ababab"


def test_local_bound_once_and_rebound() -> None:
    t = text(system_of(call("s", pre="s = 'fixed'\n")))
    assert t.literal == "fixed"
    v = system_of(call("s", pre="s = 'a'\nif q:\n    s = 'b'\n"))
    assert isinstance(v, Unknown)


def test_parameter_default_and_plain_parameter() -> None:
    t = text(system_of(call("system", params="q, system=DEFAULT"), header="DEFAULT = 'd'"))
    assert t.literal == "d"
    t = text(system_of(call("system", params="q, system")))
    assert isinstance(t.parts[0], Hole) and t.parts[0].origin == "param"


def test_self_attribute_set_in_init_and_class_attribute() -> None:
    code = """
        class Bot:
            PREFIX = "Class-level prompt."
            def __init__(self):
                self.system = "Instance prompt."
            def a(self, q):
                return client.messages.create(model='claude-sonnet-4-6', max_tokens=5,
                    system=self.system + " " + self.PREFIX, messages=[])
    """
    t = text(system_of(code))
    assert t.literal == "Instance prompt. Class-level prompt."


def test_env_default_and_dict_lookup_for_model() -> None:
    code = """
        import os
        MODELS = {"fast": "claude-haiku-5-5", "smart": "claude-opus-5-5"}
        DEFAULT = os.environ.get("MODEL", "claude-sonnet-4-6")
        def ask(q):
            client.messages.create(model=MODELS["fast"], max_tokens=5, messages=[])
            client.messages.create(model=DEFAULT, max_tokens=5, messages=[])
            client.messages.create(model=os.environ["MODEL"], max_tokens=5, messages=[])
    """
    code = "import anthropic\nclient = anthropic.Anthropic()\n" + textwrap.dedent(code)
    reqs = analyze(code, Settings()).requests
    assert [r.model_id for r in reqs] == ["claude-haiku-5-5", "claude-sonnet-4-6", None]


def test_volatile_call_is_a_dynamic_hole_in_a_function_but_stable_at_module_level() -> None:
    t = text(system_of(call('f"Today is {datetime.now()}"'),
                       header="from datetime import datetime"))
    (hole,) = t.dynamic_holes
    assert hole.volatile
    t = text(system_of(call('f"Started {STARTED}"'),
                       header="import time\nSTARTED = time.time()"))
    assert t.is_static  # computed once at import


def test_loop_variable_at_module_level_is_dynamic() -> None:
    code = """
        for item in ["a", "b"]:
            client.messages.create(model='claude-sonnet-4-6', max_tokens=5,
                system=f"About {item}", messages=[])
    """
    t = text(system_of(code))
    assert not t.is_static and t.static_head() == "About "


def test_containers() -> None:
    code = """
        BLOCKS = [{"type": "text", "text": "A"}, *EXTRA]
        def ask(q):
            return client.messages.create(model='claude-sonnet-4-6', max_tokens=5,
                system=BLOCKS, messages=[])
    """
    v = system_of(code, header="EXTRA = [{'type': 'text', 'text': 'B'}]")
    assert isinstance(v, ListV) and v.complete and len(v.items) == 2
    first = v.items[0]
    assert isinstance(first, DictV) and text(first.get("text")).literal == "A"


@pytest.mark.parametrize("expr", ["q.upper()", "open('x').read()", "foo(q)", "q[1:]"])
def test_unresolvable_is_unknown_or_dynamic(expr: str) -> None:
    v = system_of(call(expr))
    assert isinstance(v, Unknown) or (isinstance(v, Text) and not v.is_static)


def test_numbers() -> None:
    code = """
        N = 512
        def ask(q):
            return client.messages.create(model='claude-sonnet-4-6', max_tokens=N * 2,
                system="x", messages=[])
    """
    reqs = analyze("import anthropic\nclient = anthropic.Anthropic()\n" + textwrap.dedent(code),
                   Settings()).requests
    assert reqs[0].max_tokens == 1024
    assert isinstance(reqs[0].value("max_tokens"), Const)
