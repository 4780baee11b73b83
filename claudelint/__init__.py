"""claudelint: a linter for Claude Messages API call sites."""

__version__ = "0.1.0"
