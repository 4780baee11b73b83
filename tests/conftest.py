"""Suite-wide pins that keep every test hermetic.

- **Today.** Verdicts that depend on the date (a deprecated model past its retirement date is
  retired) read `Settings.today`, which reads `CLAUDELINT_TODAY`. It is pinned here for this
  process and every process a test starts (they inherit the environment), so no test reads the
  real clock: `FAKE_TODAY=2027-12-01 PYTHONPATH=../shared/tools/fakedate python -m pytest -q`
  passes as the plain run does.
- **The installed SDK.** claudelint reads the installed `anthropic`'s deprecation table when it
  is newer than its shipped data. `CLAUDELINT_ANTHROPIC_PATH=""` turns that off, so no test
  depends on which `anthropic` happens to be installed; the tests of that feature point it at a
  fake package they write.
- **Hypothesis.** No deadline (a wall-clock limit) and derandomised examples.
- **No results cache in the checkout.** claudelint writes `.claudelint_cache/` in the working
  directory of a run unless given `--no-cache`. A test that runs the CLI from a folder of the
  checkout must pass `--no-cache` (or run in a `tmp_path`): `_no_cache_in_checkout` fails the
  test that leaves a new cache in the usual places, and the session if one appears anywhere
  in the checkout.
- **Snapshots.** `pytest --update-snapshots` rewrites `tests/snapshots/` (see `snapshot.py`).
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from snapshot import Snapshot

from claudelint.workspace.cache import CACHE_DIR

# The date the suite is judged on: the shipped model data's date, so the data's own
# statements ("deprecated, retired on 2027-01-22") hold as written.
TEST_TODAY = datetime.date(2026, 12, 4)

# Fixture trees are code to lint, not tests: some hold look-alike `test_*.py` / `conftest.py`.
collect_ignore_glob = ["fixtures/*"]

os.environ["CLAUDELINT_TODAY"] = TEST_TODAY.isoformat()
os.environ["CLAUDELINT_ANTHROPIC_PATH"] = ""

hypothesis_settings.register_profile("claudelint-hermetic", deadline=None, derandomize=True)
hypothesis_settings.load_profile("claudelint-hermetic")

# The slow tests: each starts many processes (pre-commit's own virtualenv, the robustness
# suite's hostile files and fix races, the exact-token server). `pytest -m "not slow"` runs the
# rest in well under a minute; the README's test command runs everything.
_SLOW_MODULES = ("test_pre_commit.py", "test_exact_tokens.py")
_SLOW_FOLDERS = ("robustness",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = item.path
        if path.name in _SLOW_MODULES or any(part in _SLOW_FOLDERS for part in path.parts):
            item.add_marker(pytest.mark.slow)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-snapshots", action="store_true", default=False,
                     help="rewrite tests/snapshots/ with this run's output instead of comparing")


@pytest.fixture
def snapshot(request: pytest.FixtureRequest) -> Snapshot:
    return Snapshot(update=bool(request.config.getoption("--update-snapshots")))


# ---------------------------------------------------------------- no cache in the checkout

REPO = Path(__file__).resolve().parent.parent
# Where a run from the checkout would put its cache: the folders tests run the CLI from.
_CACHE_SPOTS = tuple(
    REPO / folder / CACHE_DIR
    for folder in (".", "tests", "tests/fixtures/tree", "tests/fixtures/project", "examples")
)
_PRUNE = {".git", "__pycache__", ".mypy_cache", ".ruff_cache", ".hypothesis", ".venv"}


def _caches_in_checkout() -> dict[Path, set[Path]]:
    """Every results-cache folder under the checkout, with the files it holds."""
    found: dict[Path, set[Path]] = {}
    for folder, dirs, _ in os.walk(REPO):
        if CACHE_DIR in dirs:
            top = Path(folder) / CACHE_DIR
            found[top] = {p for p in top.rglob("*") if p.is_file()}
        dirs[:] = [d for d in dirs if d not in _PRUNE and d != CACHE_DIR]
    return found


@pytest.fixture(scope="session", autouse=True)
def _no_cache_in_checkout_session() -> Iterator[None]:
    before = _caches_in_checkout()
    yield
    after = _caches_in_checkout()
    written = sorted(
        str(top.relative_to(REPO)) for top, files in after.items() if files - before.get(top, set())
    )
    assert not written, (f"the tests wrote the results cache into the checkout: {written}; "
                         "run the CLI with --no-cache or from a tmp_path")


@pytest.fixture(autouse=True)
def _no_cache_in_checkout(_no_cache_in_checkout_session: None) -> Iterator[None]:
    before = {spot for spot in _CACHE_SPOTS if spot.exists()}
    yield
    new = [str(spot.relative_to(REPO)) for spot in _CACHE_SPOTS
           if spot.exists() and spot not in before]
    assert not new, (f"this test wrote the results cache into the checkout: {new}; "
                     "run the CLI with --no-cache or from a tmp_path")
