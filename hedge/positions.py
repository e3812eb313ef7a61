"""1-based line and column numbers for character offsets, so editors and CI can point at a cue."""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Sequence

from hedge.records import SentenceRecord, TextSpan


class LineIndex:
    """Maps a character offset of ``text`` to its 1-based (line, column); lines end at ``\\n``."""

    def __init__(self, text: str) -> None:
        self._starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1


def locate(records: Sequence[SentenceRecord], text: str) -> None:
    """Fill ``line``/``col`` of each record, its cues and its source (offsets into ``text``)."""
    index = LineIndex(text)

    def place(span: TextSpan, base: int) -> TextSpan:
        line, col = index.position(base + span.start)
        return dataclasses.replace(span, line=line, col=col)

    for rec in records:
        rec.line, rec.col = index.position(rec.start)
        rec.cues = [place(c, rec.start) for c in rec.cues]
        if rec.source is not None:
            rec.source = place(rec.source, rec.start)
