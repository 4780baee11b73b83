"""The results cache: findings of unchanged files, keyed by content, version and settings.

One small JSON file per entry under `.claudelint_cache/` (with a `CACHEDIR.TAG` and a
`.gitignore`), written atomically (temp file + rename), so concurrent runs (pre-commit runs
partitions in parallel) never see a partial entry; an unreadable or corrupt entry is a miss.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claudelint import __version__
from claudelint.finding import Cost, Edit, Finding, Fix
from claudelint.settings import Settings
from claudelint.workspace.atomic import replace_atomically

if TYPE_CHECKING:
    from claudelint.workspace.prefilter_index import PrefilterIndex

CACHE_DIR = ".claudelint_cache"
_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by claudelint.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)
_FORMAT = 3  # 2: costs stored unrounded; 3: call-site rows (`claudelint sites`) stored too


def settings_key(settings: Settings) -> str:
    """A digest of everything in the settings that can change findings, including the
    date-dependent facts (see `date_facts`)."""
    parts = (date_facts(settings),
        settings.select, settings.extend_select, settings.ignore, settings.per_file_ignores,
        settings.default_model, settings.extend_client_factories, settings.cost_basis_calls,
        repr(settings.models), repr(sorted((k, repr(v)) for k, v in settings.options.items())),
        settings.unsafe_fixes,
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


_LIFECYCLE_DATE = re.compile(
    r"^\s*\w*(?:deprecated|retired)_on\s*=\s*(\d{4}-\d{2}-\d{2})", re.MULTILINE)
_SDK_VERSION = re.compile(r'^sdk_version\s*=\s*"([^"]+)"', re.MULTILINE)


def date_facts(settings: Settings) -> str:
    """What date-dependent verdicts depend on: which lifecycle dates of the model data (and of
    configured `[models]`) have passed by `settings.today`, and the installed SDK whose
    deprecation table is read. Two days with the same facts get the same verdicts, so the
    cache keys on these, not on the date (which would empty it daily), and a model whose
    retirement date passes does not keep its cached "deprecated" verdict. Read from the data
    files' text, without parsing them: a warm run stays light."""
    import claudelint.knowledge.data
    from claudelint.knowledge.sdk import newer_than

    folder = Path(claudelint.knowledge.data.__file__).parent
    dates = set(_LIFECYCLE_DATE.findall((folder / "models.toml").read_text(encoding="utf-8")))
    for entry in settings.models:
        dates.update(str(v) for k, v in entry.items()
                      if k.endswith(("deprecated_on", "retired_on")))
    today = settings.today.isoformat()
    passed = sorted(d for d in dates if d <= today)
    shipped = _SDK_VERSION.search((folder / "sdk.toml").read_text(encoding="utf-8"))
    sdk = newer_than(shipped[1]) if shipped else None
    return f"{len(passed)}:{passed[-1] if passed else '-'}:{sdk.version if sdk else '-'}"


def code_digest() -> str:
    """A digest of claudelint's own code and data (names, sizes, mtimes): a changed rule or
    model table invalidates the cache even without a version bump (a development install)."""
    import importlib.util

    import claudelint

    h = hashlib.sha256(__version__.encode())
    folders = {Path(claudelint.__file__).parent}
    # Where `claudelint.rules` lives, found without importing the rule modules (a warm run
    # over cached files should not pay for them).
    spec = importlib.util.find_spec("claudelint.rules")
    for location in (spec.submodule_search_locations or []) if spec else []:
        folders.add(Path(location))
    for folder in sorted(folders):
        for p in sorted(folder.rglob("*")):
            if p.suffix in (".py", ".toml"):
                with contextlib.suppress(OSError):
                    st = p.stat()
                    h.update(f"{p.name}:{st.st_size}:{st.st_mtime_ns}\0".encode())
    return h.hexdigest()[:16]


class ResultsCache:
    def __init__(self, root: Path) -> None:
        self.dir = root / CACHE_DIR / f"v{_FORMAT}-{__version__}"
        self._ready = False
        self._code = code_digest()
        # Digests of dependency files, computed once per run.
        self._digests: dict[str, str] = {}

    def key(self, raw: bytes, path: str, settings_digest: str) -> str:
        h = hashlib.sha256(raw)
        h.update(b"\0" + path.encode("utf-8", "surrogatepass") + b"\0" + settings_digest.encode())
        h.update(b"\0" + self._code.encode())
        return h.hexdigest()

    def get(self, key: str) -> list[Finding] | None:
        """The findings stored under `key`, unless a file the analysis read besides the
        linted one (an imported module, a prompt file) changed since: then a miss."""
        entry = self.get_entry(key)
        return entry[0] if entry is not None else None

    def get_entry(self, key: str) -> tuple[list[Finding], list[dict[str, Any]]] | None:
        """The findings and the call-site rows (as `SiteRow.to_cache` wrote them) stored
        under `key`; None for a miss (see `get`)."""
        try:
            data = json.loads((self.dir / key[:2] / key).read_text(encoding="utf-8"))
            deps = data.get("deps") or {}
            if any(self._digest(path) != digest for path, digest in deps.items()):
                return None
            sites = data.get("sites") or []
            if not isinstance(sites, list) or not all(isinstance(s, dict) for s in sites):
                return None
            return [finding_from_json(f) for f in data["findings"]], sites
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return None  # a corrupt entry (deeply nested JSON included) is a miss

    def _digest(self, path: str) -> str:
        hit = self._digests.get(path)
        if hit is None:
            from claudelint.analysis.project import file_digest

            hit = self._digests[path] = file_digest(path)
        return hit

    def put(self, key: str, findings: list[Finding],
            deps: dict[str, str] | None = None,
            sites: list[dict[str, Any]] | None = None) -> None:
        """Store a file's findings and call-site rows, with the other files its analysis read
        (path -> digest, as `project.file_digest` computes it)."""
        try:
            self._prepare()
            folder = self.dir / key[:2]
            folder.mkdir(exist_ok=True)
            payload = json.dumps({"findings": [finding_to_json(f) for f in findings],
                                  "deps": dict(deps or {}), "sites": list(sites or [])})
            write_entry(folder / key, payload)
        except OSError:
            pass  # a cache that cannot be written is no error

    def prefilter_index(self) -> PrefilterIndex:
        """The index of files known to hold no call site, kept beside the entries."""
        from claudelint.workspace.prefilter_index import PrefilterIndex

        return PrefilterIndex(self.dir, self._code, self._prepare)

    def _prepare(self) -> None:
        """Make the cache folder, tagged as a cache and ignored by git. Raises OSError."""
        if self._ready:
            return
        top = self.dir.parent
        self.dir.mkdir(parents=True, exist_ok=True)
        marks = (("CACHEDIR.TAG", _TAG), (".gitignore", "# Created by claudelint\n*\n"))
        for name, content in marks:
            p = top / name
            if not p.exists():
                with contextlib.suppress(OSError):
                    p.write_text(content, encoding="utf-8")
        self._ready = True


def write_entry(path: Path, text: str) -> None:
    """Write a cache entry atomically: a concurrent reader sees the old file or the new one,
    never a part. Not fsynced: an entry lost in a crash is a miss. Raises OSError."""
    replace_atomically(path, text.encode("utf-8"), durable=False)


def finding_to_json(f: Finding) -> dict[str, Any]:
    d = f.to_json()
    d["cell"] = f.cell  # the 0-based index, as Finding holds it
    if f.cost is not None:
        # Unrounded: a warm run must total and round exactly as the cold run did.
        d["cost"]["usd_saved"] = f.cost.usd_saved
    d["suppress_lines"] = list(f.suppress_lines)
    d["statement_line"] = f.statement_line
    d["source_line"] = f.source_line
    return d


def finding_from_json(d: dict[str, Any]) -> Finding:
    fix = None
    if d.get("fix"):
        fx = d["fix"]
        fix = Fix(fx["title"], fx["applicability"], tuple(
            Edit(e["location"]["row"], e["location"]["column"], e["end_location"]["row"],
                 e["end_location"]["column"], e["content"]) for e in fx["edits"]))
    cost = None
    if d.get("cost"):
        c = d["cost"]
        cost = Cost(c["model"], c["tokens"], c["usd_saved"], c["calls"], tuple(c["assumptions"]),
                    bool(c.get("upper_bound", False)))
    lo, hi = d.get("suppress_lines", (0, 0))
    return Finding(
        code=d["code"], name=d["name"], message=d["message"], level=d["level"], path=d["path"],
        line=d["line"], column=d["column"], end_line=d["end_line"], end_column=d["end_column"],
        fix=fix, cost=cost, cell=d.get("cell"), suppress_lines=(lo, hi),
        statement_line=d.get("statement_line", 0), source_line=d.get("source_line", ""),
    )
