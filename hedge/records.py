"""The typed records hedge returns: the stable output contract (see README, "Output")."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class TextSpan:
    """Characters ``[start, end)`` of a sentence's text, and those characters.

    ``line`` and ``col`` (1-based, in characters) place the span's first character in the original file.
    """

    start: int
    end: int
    text: str
    line: int | None = None
    col: int | None = None


def _span_dict(span: TextSpan) -> dict:
    return {"start": span.start, "end": span.end, "text": span.text, "line": span.line, "col": span.col}


@dataclass
class SentenceRecord:
    """One scored sentence. Cue and source offsets are relative to ``text``; ``start``/``end`` and
    ``line``/``col`` (1-based, in characters) point into the original file."""

    doc: str
    index: int
    start: int
    end: int
    text: str
    hedge: float
    hedged: bool
    cues: list[TextSpan] = field(default_factory=list)
    attribution: str = "none"
    source: TextSpan | None = None
    flags: list[str] = field(default_factory=list)
    assertion: bool = True
    line: int | None = None
    col: int | None = None

    def to_dict(self) -> dict:
        """The JSON form: ``{"type": "sentence", ...}`` with the contract's keys, in order.

        Written out rather than with ``dataclasses.asdict``, which is several times slower (it deep-copies);
        the keys follow the fields' order, as ``asdict`` gives them (a test compares the two)."""
        return {
            "type": "sentence", "doc": self.doc, "index": self.index, "start": self.start, "end": self.end,
            "text": self.text, "hedge": round(self.hedge, 4), "hedged": self.hedged,
            "cues": [_span_dict(c) for c in self.cues], "attribution": self.attribution,
            "source": None if self.source is None else _span_dict(self.source), "flags": list(self.flags),
            "line": self.line, "col": self.col,
        }


@dataclass
class DocumentSummary:
    """Per-document signals: never a verdict on truth."""

    doc: str
    sentences: int
    hedged_share: float
    assertions: int
    unattributed_share: float
    vague_share: float
    sources: dict[str, int]
    summary: str

    def to_dict(self) -> dict:
        d = asdict(self)
        for key in ("hedged_share", "unattributed_share", "vague_share"):
            d[key] = round(d[key], 4)
        return {"type": "document", **d}
