"""Snapshot tests: compare what users read with a file under `tests/snapshots/`.

`snapshot.check(name, text)` fails with a unified diff when `text` differs from
`tests/snapshots/NAME`; `pytest --update-snapshots` (re)writes the file instead, for review
with `git diff`. Callers normalise what depends on the machine (the checkout's path, the
package version) before comparing: a snapshot must read the same on every machine.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

SNAPSHOTS = Path(__file__).parent / "snapshots"


class Snapshot:
    def __init__(self, update: bool, folder: Path = SNAPSHOTS) -> None:
        self.update = update
        self.folder = folder

    def check(self, name: str, text: str) -> None:
        path = self.folder / name
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if self.update:
            if old != text:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8", newline="\n")
            return
        if old is None:
            pytest.fail(f"no snapshot tests/snapshots/{name}: write it with "
                        "`pytest --update-snapshots`, then review it", pytrace=False)
        if text != old:
            diff = "".join(difflib.unified_diff(
                old.splitlines(keepends=True), text.splitlines(keepends=True),
                fromfile=f"tests/snapshots/{name}", tofile=f"{name} (this run)",
            ))
            pytest.fail(f"output differs from tests/snapshots/{name} (if the change is meant, "
                        f"run `pytest --update-snapshots` and review `git diff`):\n{diff}",
                        pytrace=False)
