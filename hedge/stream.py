"""Long plain texts in bounded memory: cut into chunks at safe places, scored chunk by chunk.

A chunk ends where a sentence surely ends: at a blank line, failing that after a sentence the
splitter found well before the end of what has been read, and failing that (a stretch of
``limit`` characters without either) at white space. Each chunk is split with the text around it as
context (:func:`hedge.text.split_sentences` with ``start``/``end``), so its sentences are those of the
whole text, and records carry offsets, lines and columns into the whole input. A chunk holding a
``hedge: ignore`` marker is prepared as a text of its own (:func:`hedge.markup.prepare`); a chunk
never ends while a marker still has something to skip, as far as what has been read shows (a marker
more than ``LOOKAHEAD_CHARS`` after a sentence end on the same line is not seen in time).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from hedge.markup import prepare, restore_text
from hedge.model import HedgeModel, _line_spans
from hedge.positions import LineIndex
from hedge.records import SentenceRecord
from hedge.text import _BLANK_LINE, Span, split_sentences

CHUNK_CHARS = 1 << 20  # characters scored at a time
FIRST_CHARS = 1 << 14  # the first chunk's size; each next one is twice as large, up to CHUNK_CHARS
LIMIT_CHARS = 1 << 24  # the most read while looking for a sentence end
CONTEXT_CHARS = 100  # kept before a chunk: the splitter looks back at most 40 characters
LOOKAHEAD_CHARS = 1000  # read beyond a chunk: the splitter looks at what follows a sentence end
# Markers as hedge.markup finds them in plain text ("hedge: ignore", "-start", "-end").
_MARKER = re.compile(r"hedge:\s*ignore", re.IGNORECASE)
_MARKER_START = re.compile(r"hedge:\s*ignore-start", re.IGNORECASE)
_MARKER_END = re.compile(r"hedge:\s*ignore-end", re.IGNORECASE)


@dataclass
class Chunk:
    """``text[start:end]`` is the chunk; ``text`` holds some context on each side. ``offset`` is the
    position of ``text[0]`` in the whole input; ``units`` (spans of ``text``) are its sentences, or its
    lines with ``lines=True``; ``prose`` is the text scored (markers blanked), when it differs."""

    text: str
    offset: int
    start: int
    end: int
    units: list[Span]
    prose: str | None = None


def chunks(pieces: Iterable[str], *, lines: bool = False, size: int | None = None,
           limit: int | None = None) -> Iterator[Chunk]:
    """Cut the text given as ``pieces`` into chunks of up to about ``size`` characters (default
    :data:`CHUNK_CHARS`; the first ones smaller, so output starts at once; see the module); with
    ``lines``, at line ends, each line a unit."""
    size, limit = size or CHUNK_CHARS, limit or LIMIT_CHARS
    it = iter(pieces)
    buf, offset, pos = "", 0, 0  # buf[pos:] is not scored yet; buf[:pos] is context
    eof = False
    target = want = min(FIRST_CHARS, size)
    while True:
        while not eof and len(buf) - pos < want + LOOKAHEAD_CHARS:
            piece = next(it, None)
            if piece is None:
                eof = True
            else:
                buf += piece
        if eof and len(buf) - pos <= want:
            yield _chunk(buf, offset, pos, len(buf), lines)
            return
        # The chunk ends by ``hi``, with enough read after it for the splitter to look ahead.
        hi = min(pos + want, len(buf) if eof else len(buf) - LOOKAHEAD_CHARS)
        if lines:
            at = buf.rfind("\n", pos, hi)
            cut, units = (None if at < 0 else at + 1), None
        else:
            cut, units = _cut(buf, pos, hi)
        if cut is None:
            if want < limit:
                want = min(2 * want, limit)  # look further
                continue
            cut = _forced_cut(buf, pos, hi)
        yield _chunk(buf, offset, pos, cut, lines) if units is None else Chunk(buf, offset, pos, cut, units)
        target = want = min(2 * target, size)
        keep = max(0, cut - CONTEXT_CHARS)
        buf, offset, pos = buf[keep:], offset + keep, cut - keep


def _chunk(text: str, offset: int, start: int, end: int, lines: bool) -> Chunk:
    if lines:
        return Chunk(text, offset, start, end, [Span(start + s, start + e) for s, e in _line_spans(text[start:end])])
    if _MARKER.search(text, start, end):
        part = text[start:end]
        prepared = prepare(part, "text")
        units = [Span(start + s, start + e) for s, e in prepared.units]
        prose = text[:start] + prepared.text + text[end:] if prepared.text != part else None
        return Chunk(text, offset, start, end, units, prose)
    return Chunk(text, offset, start, end, split_sentences(text, start, end))


def _cut(text: str, start: int, hi: int) -> tuple[int | None, list[Span] | None]:
    """Where a chunk of ``text[start:]`` may end, at most at ``hi``: after a blank line, else after a
    sentence followed by another one (then with the chunk's sentences); None when there is no such
    place yet."""
    settled = _Markers(text, start)
    ends = [m.end() for m in _BLANK_LINE.finditer(text, start, hi) if m.end() < hi]
    for cut in reversed(ends):
        if settled(cut):
            return cut, None
    spans = split_sentences(text, start, hi)
    for k in range(len(spans) - 2, -1, -1):  # the last span may go on beyond ``hi``
        if settled(spans[k].end, mid_line=True):
            return spans[k].end, (spans[:k + 1] if not settled.found else None)
    return None, None


class _Markers:
    """Whether the ``hedge: ignore`` markers of ``text[start:]`` (what has been read) let a chunk end
    at ``cut``: none before it is still open; after the last one before it comes a paragraph (a bare
    marker line skips the next sentence); and, for a cut inside a line, the line holds no marker (a
    marker skips the sentences of its line)."""

    def __init__(self, text: str, start: int) -> None:
        self.text = text
        self.found = [m.start() for m in _MARKER.finditer(text, start)]
        self.opens = [m.start() for m in self.found_of(_MARKER_START, start)]
        self.closes = [m.start() for m in self.found_of(_MARKER_END, start)]

    def found_of(self, pattern: re.Pattern, start: int) -> list:
        return list(pattern.finditer(self.text, start)) if self.found else []

    def __call__(self, cut: int, mid_line: bool = False) -> bool:
        if not self.found:
            return True
        text = self.text
        if mid_line:
            line_end = text.find("\n", cut)
            line_end = len(text) if line_end < 0 else line_end
            k = bisect.bisect_left(self.found, text.rfind("\n", 0, cut) + 1)
            if k < len(self.found) and self.found[k] < line_end:
                return False
        k = bisect.bisect_left(self.found, cut)
        if not k:
            return True
        n_open, n_close = bisect.bisect_left(self.opens, cut), bisect.bisect_left(self.closes, cut)
        if n_open and (not n_close or self.opens[n_open - 1] > self.closes[n_close - 1]):
            return False
        m = _BLANK_LINE.search(text, self.found[k - 1], cut)
        return m is not None and bool(text[m.end():cut].strip())


def _forced_cut(text: str, start: int, hi: int) -> int:
    """No sentence end in ``limit`` characters: cut at the last white space (or anywhere)."""
    at = max(text.rfind(" ", start, hi), text.rfind("\n", start, hi))
    return at + 1 if at > start else hi


def score_stream(model: HedgeModel, pieces: Iterable[str], doc: str = "<text>", *,
                 threshold: float | None = None, lines: bool = False,
                 size: int | None = None) -> Iterator[tuple[list[SentenceRecord], Chunk, LineIndex]]:
    """Score the plain text given as ``pieces`` chunk by chunk: each chunk's records (as
    :meth:`HedgeModel.score` of the whole text gives them: indices, offsets, lines and columns into the
    whole input, the original characters), the chunk, and the index that places its offsets."""
    index, line, col = 0, 1, 1
    named = False
    for chunk in chunks(pieces, lines=lines, size=size):
        at = chunk.offset + chunk.start
        where = LineIndex(chunk.text, chunk.start, at, line, col)
        records = model.score(chunk.prose or chunk.text, doc, threshold, units=chunk.units, offset=chunk.offset,
                              first_index=index, index=where)
        if chunk.prose is not None:
            restore_text(records, chunk.text, chunk.offset)
        if model.attribution is not None:
            named = carry_named_source(records, named)
        index += len(records)
        breaks = chunk.text.count("\n", chunk.start, chunk.end)
        if breaks:
            line, col = line + breaks, chunk.end - chunk.text.rfind("\n", chunk.start, chunk.end)
        else:
            col += chunk.end - chunk.start
        yield records, chunk, where


def carry_named_source(records: list[SentenceRecord], named: bool) -> bool:
    """Carry the attribution model's one piece of document state into a later chunk's records.

    :meth:`AttributionModel.annotate` gives a pronoun source ("he said") the kind of the nearest
    earlier named source in the document; annotating a chunk on its own starts without one. When an
    earlier chunk had one, such pronoun sources are named. Returns the state after ``records``.
    """
    from hedge.attribution import PRONOUNS, flags_for

    if named:
        for rec in records:
            if rec.attribution == "vague" and rec.source is not None and rec.source.text.lower() in PRONOUNS:
                rec.attribution = "named"
                rec.flags = flags_for(rec)
    return named or any(rec.attribution == "named" for rec in records)
