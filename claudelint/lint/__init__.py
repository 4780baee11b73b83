"""Lint: the rule base and context, edits, suppressions, the registry and the per-file engine."""
