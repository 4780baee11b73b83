"""The command line: exit codes, formats, fixes, stdin, config errors, rule pages, start-up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from claudelint.cli import main

BIG = "You are a meticulous support agent for Acme Corp. Follow every rule below. " * 80
BAD = f'''import anthropic

client = anthropic.Anthropic()
POLICY = {BIG!r}


def answer(question: str) -> str:
    response = client.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=1024,
        system=POLICY,
        messages=[{{"role": "user", "content": question}}],
    )
    return response.content[0].text
'''
GOOD = BAD.replace(
    "system=POLICY,",
    'system=[{"type": "text", "text": POLICY, "cache_control": {"type": "ephemeral"}}],',
)


def run(args: list[str], cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return subprocess.run(
        [sys.executable, "-m", "claudelint.cli", *args], cwd=cwd, input=stdin,
        capture_output=True, text=True, env=env, timeout=120,
    )


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(BAD, encoding="utf-8")
    (tmp_path / "clean.py").write_text(GOOD, encoding="utf-8")
    (tmp_path / "other.py").write_text("print('no claude here')\n", encoding="utf-8")
    return tmp_path


def invoke(args: list[str], cwd: Path, input: str | None = None) -> tuple[int, str]:
    runner = CliRunner()
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = runner.invoke(main, args, input=input, catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.output


def test_exit_codes(project: Path) -> None:
    assert invoke(["check", "--isolated", "clean.py", "other.py"], project)[0] == 0
    code, out = invoke(["check", "--isolated", "app.py"], project)
    assert code == 1 and "CL101" in out
    assert invoke(["check", "--isolated", "--exit-zero", "app.py"], project)[0] == 0
    code, out = invoke(["check", "--isolated", "missing.py"], project)
    assert code == 2 and "missing.py" in out


def test_clean_run_says_all_checks_passed_and_quiet_says_nothing(project: Path) -> None:
    code, out = invoke(["check", "--isolated", "clean.py"], project)
    assert code == 0 and "All checks passed!" in out
    code, out = invoke(["check", "--isolated", "--quiet", "clean.py"], project)
    assert code == 0 and out == ""


def test_full_output_has_frame_cost_and_fix(project: Path) -> None:
    _, out = invoke(["check", "--isolated", "app.py"], project)
    assert "app.py:11:16: CL101 [*]" in out
    assert "system=POLICY," in out and "^^^^^^" in out
    assert "= est. savings: ~$" in out and "per 1k calls" in out
    assert "Found 1 problem" in out and "1 fixable with --fix" in out


def test_json_output(project: Path) -> None:
    code, out = invoke(["check", "--isolated", "--output-format", "json", "app.py"], project)
    data = json.loads(out)
    assert code == 1 and len(data) == 1
    f = data[0]
    assert (f["code"], f["name"], f["line"], f["column"]) == (
        "CL101", "missing-cache-control", 11, 16)
    assert f["fix"]["applicability"] == "safe"
    assert f["cost"]["model"] == "claude-sonnet-4-6" and f["cost"]["usd_per_1k_calls"] > 0
    assert f["cost"]["assumptions"]


def test_github_output(project: Path) -> None:
    _, out = invoke(["check", "--isolated", "--output-format", "github", "app.py"], project)
    assert out.startswith("::warning file=app.py,line=11,col=16,")
    assert "title=CL101 (missing-cache-control)::" in out


def test_output_file(project: Path) -> None:
    code, _ = invoke(["check", "--isolated", "--output-format", "sarif", "-o", "r.sarif",
                        "app.py"], project)
    assert code == 1
    sarif = json.loads((project / "r.sarif").read_text(encoding="utf-8"))
    assert sarif["runs"][0]["results"][0]["ruleId"] == "CL101"


def test_fix_writes_and_second_run_is_clean(project: Path) -> None:
    code, out = invoke(["check", "--isolated", "--fix", "app.py"], project)
    assert code == 0, out
    assert (project / "app.py").read_text(encoding="utf-8") == GOOD
    assert invoke(["check", "--isolated", "--fix", "app.py"], project)[0] == 0
    assert (project / "app.py").read_text(encoding="utf-8") == GOOD


def test_diff_writes_nothing(project: Path) -> None:
    code, out = invoke(["check", "--isolated", "--diff", "app.py"], project)
    assert code == 1
    assert "--- a/app.py" in out and "+        system=[{" in out
    assert (project / "app.py").read_text(encoding="utf-8") == BAD


def test_select_and_ignore(project: Path) -> None:
    assert invoke(["check", "--isolated", "--ignore", "CL101", "app.py"], project)[0] == 0
    assert invoke(["check", "--isolated", "--ignore", "missing-cache-control", "app.py"],
                  project)[0] == 0
    assert invoke(["check", "--isolated", "--select", "CL1", "app.py"], project)[0] == 1
    code, out = invoke(["check", "--isolated", "--select", "CL1O1", "app.py"], project)
    assert code == 2 and "did you mean 'CL101'" in out


def test_stdin(project: Path) -> None:
    code, out = invoke(["check", "--isolated", "--stdin-filename", "x.py",
                        "--output-format", "concise", "-"], project, input=BAD)
    assert code == 1 and out.startswith("x.py:11:16: CL101")
    proc = run(["check", "--isolated", "--fix", "-"], project, stdin=BAD)
    assert proc.returncode == 0
    assert proc.stdout == GOOD


def test_config_error_exits_2(project: Path) -> None:
    (project / ".claudelint.toml").write_text("selct = ['CL1']\n", encoding="utf-8")
    code, out = invoke(["check", "app.py"], project)
    assert code == 2
    assert "selct" in out and "did you mean 'select'" in out
    (project / ".claudelint.toml").write_text("select = [\n", encoding="utf-8")
    code, out = invoke(["check", "app.py"], project)
    assert code == 2 and "TOML" in out


def test_config_ignore_and_per_file_ignores(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.claudelint]\nper-file-ignores = { "app.py" = ["CL101"] }\n', encoding="utf-8")
    assert invoke(["check", "app.py"], project)[0] == 0
    assert invoke(["check", "--isolated", "app.py"], project)[0] == 1


def test_noqa_suppresses(project: Path) -> None:
    (project / "app.py").write_text(BAD.replace("system=POLICY,", "system=POLICY,  # noqa: CL101"),
                                    encoding="utf-8")
    assert invoke(["check", "--isolated", "app.py"], project)[0] == 0


def test_syntax_error_is_cl000_and_run_goes_on(project: Path) -> None:
    (project / "broken.py").write_text("client.messages.create(\n", encoding="utf-8")
    (project / "latin.py").write_bytes(b"x = '\xff'  # client.messages.create\n")
    code, out = invoke(["check", "--isolated", "--output-format", "concise", "."], project)
    assert code == 1
    assert "broken.py:" in out and "CL000" in out
    assert "latin.py:" in out and "UTF-8" in out
    assert "app.py:11:16: CL101" in out


def test_statistics(project: Path) -> None:
    code, out = invoke(["check", "--isolated", "--statistics", "app.py"], project)
    assert code == 1 and "CL101" in out and "missing-cache-control" in out


def test_rule_and_rules() -> None:
    runner = CliRunner()
    out = runner.invoke(main, ["rule", "CL101"]).output
    assert "# missing-cache-control (CL101)" in out and "## Why is this bad?" in out
    assert runner.invoke(main, ["rule", "missing-cache-control"]).output == out
    data = json.loads(runner.invoke(main, ["rule", "CL101", "--output-format", "json"]).output)
    assert data["code"] == "CL101" and data["fix"] == "safe"
    bad = runner.invoke(main, ["rule", "CL999"])
    assert bad.exit_code == 2
    listing = runner.invoke(main, ["rules"]).output
    assert "CL101" in listing and "missing-cache-control" in listing


def test_version_and_rule_do_not_import_libcst_or_anthropic(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from claudelint.cli import main\n"
        "r = CliRunner()\n"
        "assert r.invoke(main, ['--version']).exit_code == 0\n"
        "assert r.invoke(main, ['rule', 'CL101']).exit_code == 0\n"
        "assert r.invoke(main, ['rules']).exit_code == 0\n"
        "bad = [m for m in ('libcst', 'anthropic') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""


def test_tree_without_call_sites_never_imports_libcst(tmp_path: Path) -> None:
    for i in range(5):
        (tmp_path / f"m{i}.py").write_text("import os\nmessages = []\n", encoding="utf-8")
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from claudelint.cli import main\n"
        f"res = CliRunner().invoke(main, ['check', '--isolated', {str(tmp_path)!r}])\n"
        "assert res.exit_code == 0, res.output\n"
        "print(','.join(m for m in ('libcst', 'anthropic') if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""


def test_version_flag() -> None:
    from claudelint import __version__

    out = CliRunner().invoke(main, ["--version"]).output
    assert out.strip().startswith(f"claudelint {__version__}")
