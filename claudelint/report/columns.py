"""Display columns: the terminal cells a line of source takes, for the text report's frames.

A character is not a column. A CJK ideograph, a full-width form or an emoji takes two cells;
a combining accent, a variation selector or a zero-width joiner takes none, and
`👨‍👩‍👧` (three emoji joined) is one two-cell cluster. Widths come from `wcwidth`, which
keeps Unicode's East Asian Width and emoji tables, measured per grapheme cluster (what a
terminal draws as one glyph). Ambiguous-width characters (`…`, Greek, box drawing) count as
narrow, as Western terminals draw them. Control characters, to which `wcwidth` gives no width,
count one column each, as every character did before. Tabs go to the next multiple of
`TAB_SIZE` display columns, as a terminal's tab stops do.

Only the text report counts in display columns, to draw the underline under the text it
flags. The location (`path:line:col`) and the JSON, SARIF and other machine formats give
character columns (code points, SPEC §5 and §8), as the editors and services that read them
expect.
"""

from __future__ import annotations

from collections.abc import Iterator

# Columns between tab stops.
TAB_SIZE = 4


def _clusters(text: str) -> Iterator[tuple[str, int]]:
    """Each grapheme cluster of `text` (tab-free) with its width in columns."""
    from wcwidth import iter_graphemes, wcswidth

    for cluster in iter_graphemes(text):
        w = wcswidth(cluster)
        yield cluster, (w if w >= 0 else len(cluster))


def expand_tabs(text: str, tabsize: int = TAB_SIZE) -> str:
    """`text` with each tab replaced by spaces up to the next tab stop, counted in display
    columns (`str.expandtabs` counts characters: the same for ASCII text)."""
    if text.isascii() or "\t" not in text:
        return text.expandtabs(tabsize)
    out: list[str] = []
    column = 0
    for i, part in enumerate(text.split("\t")):
        if i:
            spaces = tabsize - column % tabsize
            out.append(" " * spaces)
            column += spaces
        out.append(part)
        column += width(part)
    return "".join(out)


def width(text: str) -> int:
    """The columns `text` takes on a terminal (tabs expanded from column 0)."""
    if text.isascii():
        return len(text.expandtabs(TAB_SIZE))
    if "\t" in text:
        text = expand_tabs(text)
    return sum(w for _, w in _clusters(text))


def clip(text: str, start: int, stop: int) -> str:
    """The part of `text` (tab-free) drawn in columns `start` to `stop` (0-based, `stop`
    excluded). A wide cluster cut by either edge becomes spaces for its columns inside, so the
    result takes exactly the columns of the range that `text` covers."""
    if text.isascii():
        return text[start:stop]
    out: list[str] = []
    column = 0
    for cluster, w in _clusters(text):
        end = column + w
        if column >= stop:
            break
        if column >= start and end <= stop:
            out.append(cluster)
        elif end > start:  # straddles an edge
            out.append(" " * (min(end, stop) - max(column, start)))
        column = end
    return "".join(out)
