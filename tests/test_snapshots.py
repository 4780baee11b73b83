"""What users read, pinned: the output of `claudelint check` on the fixture tree in every
shape a person or a CI system reads (text, JSON, SARIF, `--diff`) and a rule page. A change
to any of them shows up here as a diff; `pytest --update-snapshots` accepts it.

Each run is `--isolated --no-cache` from the tree's folder, so paths are relative and no
cache is written. The date and the SDK data are pinned by conftest. Only SARIF holds the
checkout's absolute path (its base URI) and the package version; both are replaced by
placeholders."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import invoke
from snapshot import Snapshot

from claudelint import __version__

TREE = Path(__file__).parent / "fixtures" / "tree"
CHECK = ["check", "--isolated", "--no-cache"]


def _check(*args: str) -> str:
    code, out = invoke([*CHECK, *args, "."], TREE)
    assert code == 1, out  # the tree has findings
    return out


def test_text_output(snapshot: Snapshot) -> None:
    snapshot.check("tree.txt", _check())


def test_json_output(snapshot: Snapshot) -> None:
    snapshot.check("tree.json", _check("--output-format", "json"))


def test_sarif_output(snapshot: Snapshot) -> None:
    out = _check("--output-format", "sarif")
    base = TREE.resolve().as_uri() + "/"
    assert f'"uri": "{base}"' in out
    out = out.replace(base, "file:///CHECKOUT/tests/fixtures/tree/")
    version = f'"version": "{__version__}"'
    assert out.count(version) == 1  # the tool's; the log's own is "2.1.0"
    snapshot.check("tree.sarif", out.replace(version, '"version": "VERSION"'))


def test_diff_output(snapshot: Snapshot) -> None:
    snapshot.check("tree.diff", _check("--diff"))


@pytest.mark.parametrize("code", ["CL101"])
def test_rule_page(snapshot: Snapshot, code: str) -> None:
    status, out = invoke(["rule", code], TREE)
    assert status == 0
    snapshot.check(f"rule-{code}.md", out)


def test_a_mismatch_fails_with_a_unified_diff(tmp_path: Path) -> None:
    (tmp_path / "out.txt").write_text("one\ntwo\n", encoding="utf-8")
    Snapshot(update=False, folder=tmp_path).check("out.txt", "one\ntwo\n")
    with pytest.raises(pytest.fail.Exception) as info:
        Snapshot(update=False, folder=tmp_path).check("out.txt", "one\nthree\n")
    assert "--- tests/snapshots/out.txt\n+++ out.txt (this run)\n" in str(info.value)
    assert "-two\n+three\n" in str(info.value)
    with pytest.raises(pytest.fail.Exception, match="--update-snapshots"):
        Snapshot(update=False, folder=tmp_path).check("missing.txt", "x\n")


def test_update_rewrites_the_snapshot(tmp_path: Path) -> None:
    Snapshot(update=True, folder=tmp_path).check("new/out.txt", "fresh\n")
    assert (tmp_path / "new" / "out.txt").read_text(encoding="utf-8") == "fresh\n"
