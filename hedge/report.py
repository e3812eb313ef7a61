"""Document summaries and the output formats: table, jsonl, json and csv carry the same fields."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TextIO

from hedge.records import DocumentSummary, SentenceRecord

OUTPUT_FORMATS = ("table", "jsonl", "json", "csv")
CSV_FIELDS = ("doc", "index", "start", "end", "text", "hedge", "hedged", "cues", "attribution",
              "source", "flags", "line", "col")
_PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i", "you", "him", "her", "them"})


def _pct(x: float) -> str:
    return f"{round(100 * x)}%"


def summarize(doc: str, records: Sequence[SentenceRecord]) -> DocumentSummary:
    """Signals for one document: how much is hedged, unattributed, vaguely sourced; who is named."""
    scored = [r for r in records if r.text.strip()]
    n = len(scored)
    hedged = sum(r.hedged for r in scored)
    claims = [r for r in scored if r.assertion]
    unattributed = sum(r.attribution == "none" for r in claims)
    vague = sum(r.attribution == "vague" for r in claims)
    sources = Counter(" ".join(r.source.text.split()) for r in scored
                      if r.attribution == "named" and r.source is not None
                      and r.source.text.lower() not in _PRONOUNS)
    named = dict(sorted(sources.items(), key=lambda kv: (-kv[1], kv[0])))
    share = (lambda k, total: k / total if total else 0.0)
    line = f"{n} sentences, {_pct(share(hedged, n))} hedged"
    if claims:
        line += (f"; of {len(claims)} assertions, {_pct(share(unattributed, len(claims)))} unattributed"
                 f" and {_pct(share(vague, len(claims)))} vaguely sourced")
    if named:
        top = ", ".join(f"{k} ({v})" for k, v in list(named.items())[:5])
        line += f"; named sources: {top}"
    return DocumentSummary(doc=doc, sentences=n, hedged_share=share(hedged, n), assertions=len(claims),
                           unattributed_share=share(unattributed, len(claims)),
                           vague_share=share(vague, len(claims)), sources=named, summary=line + ".")


def _highlight(rec: SentenceRecord, color: bool) -> str:
    marks = [(c.start, c.end, "cue") for c in rec.cues]
    if rec.source is not None:
        marks.append((rec.source.start, rec.source.end, "source"))
    out, pos = [], 0
    for s, e, kind in sorted(marks):
        if s < pos:
            continue
        out.append(rec.text[pos:s])
        word = rec.text[s:e]
        if color:
            code = "1;33" if kind == "cue" else "4;36"
            out.append(f"\x1b[{code}m{word}\x1b[0m")
        else:
            out.append(f"[{word}]" if kind == "cue" else f"{{{word}}}")
        pos = e
    out.append(rec.text[pos:])
    return " ".join("".join(out).split())


class Writer:
    """Streams records in one output format; ``close`` writes what only the end can."""

    def __init__(self, stream: TextIO, fmt: str, color: bool = False, summaries: bool = True) -> None:
        if fmt not in OUTPUT_FORMATS:
            raise ValueError(f"unknown output format {fmt!r}; choose from {', '.join(OUTPUT_FORMATS)}")
        self.stream, self.fmt, self.color, self.summaries = stream, fmt, color, summaries
        self._json_docs: list[dict] = []
        self._csv = None
        if fmt == "csv":
            self._csv = csv.writer(stream, lineterminator="\n")
            self._csv.writerow(CSV_FIELDS)

    def document(self, doc: str, records: Sequence[SentenceRecord], shown: Iterable[SentenceRecord]) -> None:
        """Write one document: the ``shown`` records and (in table/json/jsonl) its summary."""
        summary = summarize(doc, records) if self.summaries else None
        write = self.stream.write
        if self.fmt == "jsonl":
            for rec in shown:
                write(json.dumps(rec.to_dict(), ensure_ascii=False) + "\n")
            if summary:
                write(json.dumps(summary.to_dict(), ensure_ascii=False) + "\n")
        elif self.fmt == "json":
            entry = {"doc": doc, "sentences": [r.to_dict() for r in shown]}
            if summary:
                entry["summary"] = summary.to_dict()
            self._json_docs.append(entry)
        elif self.fmt == "csv":
            for rec in shown:
                d = rec.to_dict()
                self._csv.writerow([
                    d["doc"], d["index"], d["start"], d["end"], d["text"], d["hedge"],
                    str(d["hedged"]).lower(), json.dumps(d["cues"], ensure_ascii=False), d["attribution"],
                    json.dumps(d["source"], ensure_ascii=False) if d["source"] else "", ";".join(d["flags"]),
                    d["line"], d["col"],
                ])
        else:
            write(f"{doc}\n")
            for rec in shown:
                mark = "H" if rec.hedged else " "
                flags = f"  <{', '.join(rec.flags)}>" if rec.flags else ""
                write(f"{rec.index:4d}  {rec.hedge:4.2f} {mark}  {rec.attribution:<5}  "
                      f"{_highlight(rec, self.color)}{flags}\n")
            if summary:
                write(f"  summary: {summary.summary}\n")
            write("\n")

    def close(self) -> None:
        if self.fmt == "json":
            from hedge import __version__

            payload = {"hedge_version": __version__, "documents": self._json_docs}
            self.stream.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
        self.stream.flush()
