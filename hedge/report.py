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
STREAM_FORMATS = ("table", "jsonl", "csv", "github")  # written document by document, in parts
CSV_FIELDS = ("doc", "index", "start", "end", "text", "hedge", "hedged", "cues", "attribution",
              "source", "flags", "line", "col")
EXPLAIN_TOP = 5  # terms shown per cue candidate
_PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i", "you", "him", "her", "them"})


def _pct(x: float) -> str:
    return f"{round(100 * x)}%"


class Tally:
    """Running counts over a document's records: all that its summary and the fail rules need, so a
    long document is summarised without keeping its records."""

    def __init__(self) -> None:
        self.sentences = self.hedged = self.assertions = self.unattributed = self.vague = 0
        self.sources: Counter[str] = Counter()
        self.flags: Counter[str] = Counter()  # sentences with each flag

    def add(self, records: Iterable[SentenceRecord]) -> Tally:
        for r in records:
            if not r.text.strip():
                continue
            self.sentences += 1
            self.hedged += r.hedged
            if r.assertion:
                self.assertions += 1
                self.unattributed += r.attribution == "none"
                self.vague += r.attribution == "vague"
            if r.attribution == "named" and r.source is not None and r.source.text.lower() not in _PRONOUNS:
                self.sources[" ".join(r.source.text.split())] += 1
            self.flags.update(set(r.flags))
        return self

    def summary(self, doc: str) -> DocumentSummary:
        """Signals for the document: how much is hedged, unattributed, vaguely sourced; who is named."""
        n, claims = self.sentences, self.assertions
        named = dict(sorted(self.sources.items(), key=lambda kv: (-kv[1], kv[0])))
        share = (lambda k, total: k / total if total else 0.0)
        line = f"{n} sentences, {_pct(share(self.hedged, n))} hedged"
        if claims:
            line += (f"; of {claims} assertions, {_pct(share(self.unattributed, claims))} unattributed"
                     f" and {_pct(share(self.vague, claims))} vaguely sourced")
        if named:
            top = ", ".join(f"{k} ({v})" for k, v in list(named.items())[:5])
            line += f"; named sources: {top}"
        return DocumentSummary(doc=doc, sentences=n, hedged_share=share(self.hedged, n), assertions=claims,
                               unattributed_share=share(self.unattributed, claims),
                               vague_share=share(self.vague, claims), sources=named, summary=line + ".")


def summarize(doc: str, records: Sequence[SentenceRecord]) -> DocumentSummary:
    """Signals for one document: how much is hedged, unattributed, vaguely sourced; who is named."""
    return Tally().add(records).summary(doc)


def _as_dict(rec: SentenceRecord, why: Mapping[int, Explanation]) -> dict:
    d = rec.to_dict()
    if rec.index in why:
        d["explanation"] = why[rec.index].to_dict(top=EXPLAIN_TOP)
    return d


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

    @property
    def streams(self) -> bool:
        """Whether a document can be written in parts (:meth:`begin`, :meth:`part`, :meth:`end`)."""
        return self.fmt in STREAM_FORMATS

    def document(self, doc: str, records: Sequence[SentenceRecord], shown: Iterable[SentenceRecord],
                 text: str | None = None, explanations: Mapping[int, Explanation] | None = None,
                 prose: str | None = None) -> None:
        """Write one document: the ``shown`` records and (in table/json/jsonl/html) its summary.

        The html report uses ``text`` (the original document) for paragraphs and shows ``prose`` (what
        was scored, Markdown or HTML markup blanked out); ``explanations`` (by sentence index) are
        added in the table, json, jsonl and html formats."""
        summary = summarize(doc, records) if self.summaries else None
        why = explanations or {}
        if self.streams:
            self.begin(doc)
            self.part(shown, why)
            self.end(summary)
        elif self.fmt == "html":
            from hedge.explain import explanation_lines

            notes = {i: "\n".join(explanation_lines(e, top=3, every=False)) for i, e in why.items()}
            self._html.add(doc, summary, list(shown), text, prose, notes)
        else:
            entry = {"doc": doc, "sentences": [_as_dict(r, why) for r in shown]}
            if summary:
                entry["summary"] = summary.to_dict()
            self._json_docs.append(entry)

    def begin(self, doc: str) -> None:
        """Start a document written in parts (a streamed one)."""
        if self.fmt == "table":
            self.stream.write(f"{doc}\n")

    def part(self, shown: Iterable[SentenceRecord], explanations: Mapping[int, Explanation] | None = None) -> None:
        """Write some of the document's records."""
        why = explanations or {}
        write = self.stream.write
        if self.fmt == "jsonl":
            for rec in shown:
                write(json.dumps(_as_dict(rec, why), ensure_ascii=False) + "\n")
        elif self.fmt == "github":
            for rec in shown:
                line = github_annotation(rec)
                if line:
                    write(line + "\n")
        elif self.fmt == "csv":
            for rec in shown:
                d = rec.to_dict()
                self._csv.writerow([
                    d["doc"], d["index"], d["start"], d["end"], d["text"], d["hedge"],
                    str(d["hedged"]).lower(), json.dumps(d["cues"], ensure_ascii=False), d["attribution"],
                    json.dumps(d["source"], ensure_ascii=False) if d["source"] else "", ";".join(d["flags"]),
                    d["line"], d["col"],
                ])
        elif self.fmt == "table":
            for rec in shown:
                mark = "H" if rec.hedged else " "
                flags = f"  <{', '.join(rec.flags)}>" if rec.flags else ""
                write(f"{rec.index:4d}  {rec.hedge:4.2f} {mark}  {rec.attribution:<5}  "
                      f"{_highlight(rec, self.color)}{flags}\n")
                if rec.index in why:
                    from hedge.explain import explanation_lines

                    lines = explanation_lines(why[rec.index], top=EXPLAIN_TOP, indent=" " * 6, every=False)
                    write("\n".join(lines) + "\n")

    def end(self, summary: DocumentSummary | None) -> None:
        """Finish a document written in parts, with its summary (when summaries are shown)."""
        summary = summary if self.summaries else None
        if self.fmt == "jsonl" and summary:
            self.stream.write(json.dumps(summary.to_dict(), ensure_ascii=False) + "\n")
        elif self.fmt == "table":
            if summary:
                self.stream.write(f"  summary: {summary.summary}\n")
            self.stream.write("\n")

    def close(self) -> None:
        if self.fmt == "json":
            from hedge import __version__

            payload = {"hedge_version": __version__, "documents": self._json_docs}
            self.stream.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
        elif self.fmt == "html":
            self.stream.write(self._html.render())
        self.stream.flush()
