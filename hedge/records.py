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
        """The JSON form: ``{"type": "sentence", ...}`` with the contract's keys, in order."""
        d = asdict(self)
        d.pop("assertion")
        d["hedge"] = round(self.hedge, 4)
        return {"type": "sentence", **d}


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
