"""Reader for PolNeAR-style brat standoff attribution data.

A corpus folder has ``text/NAME.txt`` and ``attributions/NAME_ANNOTATOR.ann``. Each ``T`` line is a
span (``Source``, ``Cue``, ``Content``, ``Attribution``, ``Attribution-no-source``, ``Discuss``) with
character offsets into the text, possibly discontinuous (``12 20;25 30``). Articles annotated by
several people have one file each; the first in sorted order is used, so that each article is read
once. Texts are split with hedge's own splitter and every span is mapped to the sentence it falls in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hedge.errors import DataFormatError
from hedge.readers import Example, _read_text
from hedge.text import split_sentences

ATTRIBUTION_TYPES = frozenset({"Attribution", "Attribution-no-source"})
_T_LINE = re.compile(r"T\d+\t")
SPAN_TYPES = frozenset({"Source", "Cue", "Content", *ATTRIBUTION_TYPES, "Discuss"})


@dataclass(frozen=True)
class BratSpan:
    """One ``T`` line: its type and its (possibly discontinuous) character ranges."""

    id: str
    type: str
    ranges: tuple[tuple[int, int], ...]

    @property
    def start(self) -> int:
        return self.ranges[0][0]

    @property
    def end(self) -> int:
        return self.ranges[-1][1]


def parse_ann(path: Path, text_length: int) -> list[BratSpan]:
    """The ``T`` spans of one ``.ann`` file; other line kinds (E, A, #) are skipped."""
    spans = []
    for lineno, line in enumerate(_read_text(path).splitlines(), 1):
        if not _T_LINE.match(line):
            continue  # relations, notes, or the continuation of a span text that held a line break
        parts = line.split("\t")
        if len(parts) < 2:
            raise DataFormatError(path, lineno, "a T line needs an id, a type with offsets, and text")
        kind, _, offsets = parts[1].partition(" ")
        try:
            ranges = tuple(tuple(int(x) for x in r.split()) for r in offsets.split(";"))
        except ValueError:
            raise DataFormatError(path, lineno, f"offsets {offsets!r} are not integers") from None
        if not ranges or any(len(r) != 2 or not 0 <= r[0] <= r[1] <= text_length for r in ranges):
            raise DataFormatError(path, lineno, f"offsets {offsets!r} are not start-end pairs inside the text")
        spans.append(BratSpan(parts[0], kind, ranges))  # type: ignore[arg-type]
    return spans


def annotation_files(root: Path) -> dict[str, Path]:
    """Article name -> the first annotator's ``.ann`` file."""
    texts = {p.stem for p in (root / "text").glob("*.txt")}
    chosen: dict[str, Path] = {}
    for ann in sorted((root / "attributions").glob("*.ann")):
        name = ann.stem.rsplit("_", 1)[0] if ann.stem not in texts else ann.stem
        if name in texts and name not in chosen:
            chosen[name] = ann
    return chosen


def read_polnear(root: Path) -> Iterator[Example]:
    """Sentences of every annotated article, with ``attributed`` and ``sources`` in ``extra``.

    ``hedged`` is None: PolNeAR does not label hedging.
    """
    for name, ann in sorted(annotation_files(Path(root)).items()):
        text = _read_text(Path(root) / "text" / f"{name}.txt")
        spans = parse_ann(ann, len(text))
        cues = [s for s in spans if s.type in ATTRIBUTION_TYPES]
        sources = [s for s in spans if s.type == "Source"]
        for start, end in split_sentences(text):
            sent = text[start:end]
            attributed = any(a < end and b > start for c in cues for a, b in c.ranges)
            inside = sorted({(max(a, start) - start, min(b, end) - start)
                             for s in sources for a, b in s.ranges if a < end and b > start and b > a})
            yield Example(
                text=sent, hedged=None, doc=name, origin=f"{ann}:{start}",
                source=inside[0] if inside else None,
                extra={"attributed": attributed, "sources": inside, "doc_start": start},
            )
