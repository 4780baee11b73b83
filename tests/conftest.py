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
"""

from __future__ import annotations

import datetime
import os

import pytest
from hypothesis import settings as hypothesis_settings

# The date the suite is judged on: the shipped model data's date, so the data's own
# statements ("deprecated, retired on 2027-01-22") hold as written.
TEST_TODAY = datetime.date(2026, 12, 4)

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
