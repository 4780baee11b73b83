"""Workspace: config, discovery, sources, the runner, the results cache, fixes and notebooks."""
