"""The floor under any libcst linter on a tree: read every file, keep those claudelint's
prefilter passes, and only parse them with libcst, in one worker process per CPU (largest files
first and the collector tuned, as claudelint lints). No analysis, no output.

Run in a corpus root (`python parse_floor.py`): the benchmark times it next to claudelint, so
the share of claudelint's time that is the parse itself is measured in the same run.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path


def _tune() -> None:
    import gc

    from claudelint.workspace.runner import GC_YOUNG_THRESHOLD

    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])  # as claudelint lints


def _parse(path: str) -> int:
    import libcst

    libcst.parse_module(Path(path).read_bytes())
    return 1


def main() -> int:
    from claudelint.workspace.discovery import may_hold_call_site

    files: list[tuple[int, str]] = []
    for folder, dirs, names in os.walk("."):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if name.endswith(".py"):
                path = f"{folder}/{name}"
                data = Path(path).read_bytes()
                if may_hold_call_site(data):
                    files.append((len(data), path))
    files.sort(reverse=True)
    if not files:
        return 0
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1, initializer=_tune) as pool:
        parsed = sum(pool.map(_parse, [p for _, p in files]))
    print(f"{parsed} files parsed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
