"""Hypothesis profiles for the robustness suite.

- `ci` (the default): bounded by example count, so that the whole suite stays well under a
  minute on a 2-core machine.
- `long`: for a run by hand, `HYPOTHESIS_PROFILE=long pytest tests/robustness` (about 20 times
  the examples; takes several minutes).

The profiles are applied per test (`robust_settings()`), not loaded globally, so the other
tests' hypothesis settings are left alone.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much,
                              HealthCheck.data_too_large],
    "print_blob": True,
}
settings.register_profile("claudelint-ci", max_examples=40, derandomize=True, **_COMMON)
settings.register_profile("claudelint-long", max_examples=800, **_COMMON)

# Which one the tests use: robustness_helpers.robust_settings() reads HYPOTHESIS_PROFILE.
