"""Manual scale measurement (not collected by pytest): `claudelint check` over the standard
library and every site-packages of this machine, and an engine sweep that parses every file
(bypassing the bytes prefilter, which lets only ~0.2% of these files reach the parser).

    python tests/robustness/measure_scale.py cli    # the real command, under /usr/bin/time
    python tests/robustness/measure_scale.py sweep  # Linter.lint_text on every file

Roots default to this interpreter's stdlib and site-packages (pass others as arguments).
"""

from __future__ import annotations

import collections
import os
import re
import resource
import subprocess
import sys
import sysconfig
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path


def default_roots() -> list[str]:
    roots = [sysconfig.get_paths()["stdlib"]]
    for key in ("purelib", "platlib"):
        roots.append(sysconfig.get_paths()[key])
    base_site = Path(sysconfig.get_paths()["stdlib"]) / "site-packages"
    if base_site.is_dir():
        roots.append(str(base_site))
    return list(dict.fromkeys(roots))


def cli(roots: list[str]) -> None:
    cmd = ["/usr/bin/time", "-f", "ELAPSED %e s PEAK_RSS %M KB", sys.executable, "-m",
           "claudelint.cli", "check", "--isolated", "--no-cache", "--exit-zero",
           "--output-format", "json", *roots]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd="/tmp", check=False)
    import json

    findings = json.loads(proc.stdout)
    print("exit", proc.returncode, "findings", len(findings),
          collections.Counter(f["code"] for f in findings))
    print(proc.stderr.strip())


def _lint_chunk(paths: list[str]) -> list[tuple[str, str, str]]:
    from claudelint.lint.engine import Linter
    from claudelint.settings import Settings
    from claudelint.workspace.source import SourceError, decode_source, read_file_bytes

    linter = _LINTER.get("l") or _LINTER.setdefault("l", Linter(Settings()))
    out = []
    for p in paths:
        try:
            src = decode_source(read_file_bytes(Path(p)), Path(p))
        except (SourceError, OSError) as e:
            out.append((p, "decode", str(e)))
            continue
        if p.endswith(".ipynb"):
            continue
        try:
            for f in linter.lint_text(src.text, p):
                if f.code == "CL000":
                    out.append((p, "CL000", f.message))
        except Exception as e:  # what the run would report as an internal error
            out.append((p, "INTERNAL", f"{type(e).__name__}: {e}"))
    return out


_LINTER: dict[str, object] = {}


def sweep(roots: list[str]) -> None:
    from claudelint.workspace.config import ConfigResolver
    from claudelint.workspace.discovery import discover

    found = discover([Path(r) for r in roots], ConfigResolver(isolated=True))
    files = [str(p) for p in found.files]
    size = sum(Path(f).stat().st_size for f in files)
    print(f"files {len(files)}, {size / 1e6:.1f} MB", flush=True)
    chunks = [files[i:i + 40] for i in range(0, len(files), 40)]
    start = time.monotonic()
    results: list[tuple[str, str, str]] = []
    broken: list[list[str]] = []
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        futures = [(c, pool.submit(_lint_chunk, c)) for c in chunks]
        for c, fut in futures:
            try:
                results.extend(fut.result())
            except BrokenProcessPool:
                broken.append(c)
    elapsed = time.monotonic() - start
    kinds = collections.Counter(k for _, k, _ in results)
    reasons = collections.Counter(re.sub(r"\d+", "N", m)[:70] for _, k, m in results
                                  if k == "CL000")
    print(f"elapsed {elapsed:.0f} s; {kinds}; crashed worker chunks {len(broken)}")
    for reason, n in reasons.most_common(12):
        print(f"  {n:5d}  {reason}")
    for p, k, m in results:
        if k == "INTERNAL" or "too deeply" in m or "too large" in m:
            print(k, p, m[:150])
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"peak RSS of the largest worker: {children / 1024:.0f} MB")


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "cli"
    roots = sys.argv[2:] or default_roots()
    {"cli": cli, "sweep": sweep}[mode](roots)
