"""1-based line and column numbers for character offsets, so editors and CI can point at a cue."""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Sequence

from hedge.records import SentenceRecord, TextSpan


class LineIndex:
    """Maps a character offset to its 1-based (line, column); lines end at ``\\n``.

    Offsets are into ``text``, which starts at line 1, column 1; or, for a window of a longer input,
    ``text[start:]`` is indexed, and ``at``, ``line`` and ``col`` say where its character ``start``
    is in the input (offsets are then the input's).
    """

    def __init__(self, text: str, start: int = 0, at: int = 0, line: int = 1, col: int = 1) -> None:
        shift = at - start
        starts = [at - (col - 1)]
        find = text.find
        nl = find("\n", start)
        while nl >= 0:
            starts.append(shift + nl + 1)
            nl = find("\n", nl + 1)
        self._starts, self._line = starts, line

    def position(self, offset: int) -> tuple[int, int]:
        k = bisect.bisect_right(self._starts, offset) - 1
        return self._line + k, offset - self._starts[k] + 1


def locate(records: Sequence[SentenceRecord], text: str, index: LineIndex | None = None) -> None:
    """Fill ``line``/``col`` of each record, its cues and its source (offsets into ``text``, or those
    of ``index``)."""
    index = index or LineIndex(text)

    def place(span: TextSpan, base: int) -> TextSpan:
        line, col = index.position(base + span.start)
        return dataclasses.replace(span, line=line, col=col)

    for rec in records:
        rec.line, rec.col = index.position(rec.start)
        rec.cues = [place(c, rec.start) for c in rec.cues]
        if rec.source is not None:
            rec.source = place(rec.source, rec.start)
