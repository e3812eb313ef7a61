"""Document summaries and the output formats: table, jsonl, json and csv carry the same fields;
github prints GitHub Actions annotations and html writes one self-contained page."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, TextIO

from hedge.records import DocumentSummary, SentenceRecord

if TYPE_CHECKING:
    from hedge.explain import Explanation

OUTPUT_FORMATS = ("table", "jsonl", "json", "csv", "github", "html")
EXPLAIN_FORMATS = ("table", "jsonl", "json", "html")
CSV_FIELDS = ("doc", "index", "start", "end", "text", "hedge", "hedged", "cues", "attribution",
              "source", "flags", "line", "col")
EXPLAIN_TOP = 5  # terms shown per cue candidate
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


def _gh(value: str, prop: bool = False) -> str:
    """Escape for a GitHub workflow command (``prop``: a property value, where ``:`` and ``,`` count)."""
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if prop else value


def github_annotation(rec: SentenceRecord) -> str | None:
    """One ``::warning`` line for a hedged or flagged sentence, at its first cue (else its start)."""
    if not (rec.hedged or rec.flags):
        return None
    at = rec.cues[0] if rec.hedged and rec.cues else None
    line, col = (at.line, at.col) if at is not None else (rec.line, rec.col)
    props = [f"file={_gh(rec.doc, True)}"]
    if line is not None:
        props += [f"line={line}", f"col={col}"]
        if at is not None and "\n" not in at.text:
            props.append(f"endColumn={col + len(at.text)}")
    parts = []
    if rec.hedged:
        cues = ", ".join(f"'{c.text}'" for c in rec.cues)
        word = "cue" if len(rec.cues) == 1 else "cues"
        parts.append(f"hedged ({rec.hedge:.2f})" + (f", {word} {cues}" if cues else ""))
    if rec.flags:
        parts.append("flags: " + ", ".join(rec.flags))
    excerpt = " ".join(rec.text.split())
    excerpt = excerpt if len(excerpt) <= 100 else excerpt[:99] + "…"
    title = "hedge: " + ", ".join((["hedged"] if rec.hedged else []) + rec.flags)
    props.append(f"title={_gh(title, True)}")
    return f"::warning {','.join(props)}::{_gh('; '.join(parts) + ': ' + excerpt)}"


class Writer:
    """Streams records in one output format; ``close`` writes what only the end can."""

    def __init__(self, stream: TextIO, fmt: str, color: bool = False, summaries: bool = True) -> None:
        if fmt not in OUTPUT_FORMATS:
            raise ValueError(f"unknown output format {fmt!r}; choose from {', '.join(OUTPUT_FORMATS)}")
        self.stream, self.fmt, self.color, self.summaries = stream, fmt, color, summaries
        self._json_docs: list[dict] = []
        self._csv = None
        self._html = None
        if fmt == "csv":
            self._csv = csv.writer(stream, lineterminator="\n")
            self._csv.writerow(CSV_FIELDS)
        elif fmt == "html":
            from hedge.html import HtmlReport

            self._html = HtmlReport()

    def document(self, doc: str, records: Sequence[SentenceRecord], shown: Iterable[SentenceRecord],
                 text: str | None = None, explanations: Mapping[int, Explanation] | None = None,
                 prose: str | None = None) -> None:
        """Write one document: the ``shown`` records and (in table/json/jsonl/html) its summary.

        The html report uses ``text`` (the original document) for paragraphs and shows ``prose`` (what
        was scored, Markdown or HTML markup blanked out); ``explanations`` (by sentence index) are
        added in the table, json, jsonl and html formats."""
        summary = summarize(doc, records) if self.summaries else None
        why = explanations or {}
        write = self.stream.write

        def as_dict(rec: SentenceRecord) -> dict:
            d = rec.to_dict()
            if rec.index in why:
                d["explanation"] = why[rec.index].to_dict(top=EXPLAIN_TOP)
            return d

        if self.fmt == "jsonl":
            for rec in shown:
                write(json.dumps(as_dict(rec), ensure_ascii=False) + "\n")
            if summary:
                write(json.dumps(summary.to_dict(), ensure_ascii=False) + "\n")
        elif self.fmt == "github":
            for rec in shown:
                line = github_annotation(rec)
                if line:
                    write(line + "\n")
        elif self.fmt == "html":
            from hedge.explain import explanation_lines

            notes = {i: "\n".join(explanation_lines(e, top=3, every=False)) for i, e in why.items()}
            self._html.add(doc, summary, list(shown), text, prose, notes)
        elif self.fmt == "json":
            entry = {"doc": doc, "sentences": [as_dict(r) for r in shown]}
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
                if rec.index in why:
                    from hedge.explain import explanation_lines

                    lines = explanation_lines(why[rec.index], top=EXPLAIN_TOP, indent=" " * 6, every=False)
                    write("\n".join(lines) + "\n")
            if summary:
                write(f"  summary: {summary.summary}\n")
            write("\n")

    def close(self) -> None:
        if self.fmt == "json":
            from hedge import __version__

            payload = {"hedge_version": __version__, "documents": self._json_docs}
            self.stream.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
        elif self.fmt == "html":
            self.stream.write(self._html.render())
        self.stream.flush()
