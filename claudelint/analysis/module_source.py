"""What the resolver needs from the project around the file it resolves: the value of a name
in another module, and the text of a prompt file. `Project` (analysis/project.py) provides
it; the resolver (analysis/resolve.py) depends only on this protocol, so the two modules do
not import each other's module at run time or for type checking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from claudelint.analysis.values import Value


@dataclass(frozen=True)
class FileText:
    text: str | None  # None: missing, too big or undecodable
    reason: str
    digest: str


class ModuleSource(Protocol):
    """The modules and prompt files of one project, as the resolver reads them."""

    def import_value(self, importer: Path, module: str, name: str,
                     deps: dict[str, str]) -> Value | None:
        """The value of `name` bound at the top level of `module` as seen from `importer`,
        or None when not known; files read are added to `deps`."""
        ...

    def import_summary(self, importer: Path, module: str, name: str,
                       deps: dict[str, str]) -> object | None:
        """The summary (analysis/summaries.py) of the function `name` defined at the top
        level of `module`, or None; files read are added to `deps`."""
        ...

    def import_module(self, importer: Path, module: str, name: str,
                      deps: dict[str, str], needle: re.Pattern[bytes] | None = None
                      ) -> object | None:
        """The parsed project module `module` (a `project.ModuleCtx`) when it is part of the
        project and mentions `name` (and matches `needle`, when given), or None; its file is
        added to `deps`."""
        ...

    def read_text(self, path: Path, encoding: str = "utf-8") -> FileText:
        """A prompt file's text (size-capped, decoded strictly) and its digest."""
        ...
