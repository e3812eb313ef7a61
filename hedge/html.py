"""The HTML report: one self-contained page (inline CSS, no scripts, nothing fetched) showing each
document with its hedge cues, sources and flags highlighted, a legend, and the summaries on top.

Everything that comes from a document is escaped; the page's Content-Security-Policy forbids loading
anything, so it renders the same offline, from a mail attachment or a CI artifact.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from hedge.records import DocumentSummary, SentenceRecord

_CSS = """
:root { --cue: #ffd43b; --hedged: #fff6cc; --src: #d0ebff; --src-line: #1c7ed6; --flag: #c92a2a; }
* { box-sizing: border-box; }
body { font: 16px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #212529;
       margin: 0 auto; max-width: 60rem; padding: 1.5rem; background: #fff; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; } h2 { font-size: 1.25rem; margin: 1.5rem 0 .5rem; }
.meta { color: #666; margin: 0 0 1rem; font-size: .9rem; }
.legend { border: 1px solid #dee2e6; border-radius: 6px; padding: .5rem 1rem; font-size: .9rem; }
.legend ul { list-style: none; margin: .25rem 0; padding: 0; display: grid; gap: .25rem 1rem;
             grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); }
.legend ul.flags { grid-template-columns: repeat(auto-fit, minmax(17rem, 1fr));
                   border-top: 1px solid #dee2e6; padding-top: .35rem; }
.overview { border-collapse: collapse; width: 100%; font-size: .9rem; margin: 1rem 0; }
.overview th, .overview td { border-bottom: 1px solid #dee2e6; padding: .25rem .5rem; text-align: right; }
.overview th:first-child, .overview td:first-child { text-align: left; }
.document { border-top: 2px solid #343a40; margin-top: 2rem; }
.summary { background: #f8f9fa; border-radius: 6px; padding: .5rem 1rem; margin-bottom: 1rem; }
.summary dl { display: flex; flex-wrap: wrap; gap: .25rem 1.5rem; margin: .25rem 0 0; }
.summary dt { color: #666; font-size: .8rem; } .summary dd { margin: 0; font-weight: 600; }
.summary p { margin: 0; }
.s.hedged { background: var(--hedged); }
.s.flagged { text-decoration: underline wavy var(--flag); text-decoration-thickness: 1px;
             text-underline-offset: 4px; }
mark.cue { background: var(--cue); color: inherit; font-weight: 600; padding: 0 .1em; border-radius: 3px; }
.src { background: var(--src); border-bottom: 2px solid var(--src-line); }
.score { font-size: .7rem; color: #8a6d00; vertical-align: super; margin-left: .1em; }
.flag { display: inline-block; font-size: .7rem; line-height: 1.3; color: #fff; background: var(--flag);
        border-radius: 3px; padding: 0 .35em; margin: 0 .15em; vertical-align: middle; }
.text p { margin: 0 0 .9rem; }
.empty { color: #666; font-style: italic; }
"""

# A gap between two sentences that holds one of these starts a new paragraph in the report.
_BLOCK_GAP = re.compile(r"\n[ \t\r\f\v]*\n|</?(?:p|div|h[1-6]|li|ul|ol|br|tr|td|th|table|blockquote|section|"
                        r"article|header|footer|pre|hr|dd|dt)\b|\n\s*(?:#{1,6}\s|[-*+]\s|\d+[.)]\s|>|\|)",
                        re.IGNORECASE)


@dataclass
class _Document:
    doc: str
    summary: DocumentSummary | None
    shown: list[SentenceRecord]
    text: str | None
    prose: str | None
    notes: dict[int, str]


class HtmlReport:
    """Collects documents; :meth:`render` gives the page."""

    def __init__(self, title: str = "hedge report") -> None:
        self.title = title
        self.documents: list[_Document] = []

    def add(self, doc: str, summary: DocumentSummary | None, shown: Sequence[SentenceRecord],
            text: str | None = None, prose: str | None = None, notes: dict[int, str] | None = None) -> None:
        """One document: its summary, the sentences to show, its original text (for paragraphs), the
        prose that was scored (shown instead of Markdown or HTML source) and notes per sentence index
        (shown as a tooltip)."""
        self.documents.append(_Document(doc, summary, list(shown), text, prose, dict(notes or {})))

    def render(self) -> str:
        from hedge import __version__

        parts = [
            "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            'style-src \'unsafe-inline\'; img-src data:">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(self.title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
            f"<header><h1>{escape(self.title)}</h1>",
            f'<p class="meta">{len(self.documents)} document{"s" if len(self.documents) != 1 else ""}'
            f" &middot; hedge {escape(__version__)}</p></header>",
            _legend(),
        ]
        if len(self.documents) > 1:
            parts.append(_overview(self.documents))
        for n, document in enumerate(self.documents, 1):
            parts.append(_document(n, document))
        parts += ["</body>", "</html>"]
        return "\n".join(parts) + "\n"


def _legend() -> str:
    from hedge.attribution import FLAG_DOCS

    marks = [
        '<li><mark class="cue">cue</mark> a word or phrase that hedges the claim</li>',
        '<li><span class="s hedged">hedged sentence</span><span class="score">0.87</span> '
        "with its hedge score</li>",
        '<li><span class="src">source</span> who the claim is credited to</li>',
        '<li><span class="s flagged">flagged sentence</span>, followed by its flags</li>',
    ]
    flags = [f'<li><span class="flag">{escape(name)}</span> {escape(why)}</li>' for name, why in FLAG_DOCS.items()]
    return ('<section class="legend"><strong>Legend</strong><ul>' + "".join(marks) + "</ul>"
            '<ul class="flags">' + "".join(flags) + "</ul></section>")


def _pct(x: float) -> str:
    return f"{round(100 * x)}%"


def _overview(documents: Sequence[_Document]) -> str:
    rows = ["<tr><th>document</th><th>sentences</th><th>hedged</th><th>unattributed</th>"
            "<th>vaguely sourced</th></tr>"]
    for n, d in enumerate(documents, 1):
        s = d.summary
        cells = ([str(s.sentences), _pct(s.hedged_share), _pct(s.unattributed_share), _pct(s.vague_share)]
                 if s else ["", "", "", ""])
        rows.append(f'<tr><td><a href="#doc-{n}">{escape(d.doc)}</a></td>'
                    + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return '<table class="overview">' + "".join(rows) + "</table>"


def _summary(s: DocumentSummary) -> str:
    stats = [("sentences", str(s.sentences)), ("hedged", _pct(s.hedged_share)),
             ("assertions", str(s.assertions)), ("unattributed", _pct(s.unattributed_share)),
             ("vaguely sourced", _pct(s.vague_share))]
    if s.sources:
        stats.append(("named sources", ", ".join(f"{k} ({v})" for k, v in list(s.sources.items())[:8])))
    dl = "".join(f"<div><dt>{escape(k)}</dt><dd>{escape(v)}</dd></div>" for k, v in stats)
    return f'<div class="summary"><p>{escape(s.summary)}</p><dl>{dl}</dl></div>'


def _document(n: int, d: _Document) -> str:
    out = [f'<article class="document" id="doc-{n}">', f"<h2>{escape(d.doc)}</h2>"]
    if d.summary is not None:
        out.append(_summary(d.summary))
    out.append('<div class="text">')
    if not d.shown:
        out.append('<p class="empty">no sentences to show</p>')
    else:
        paragraph: list[str] = []
        prev: SentenceRecord | None = None
        for rec in d.shown:
            if prev is not None and d.text is not None and _BLOCK_GAP.search(d.text, prev.end, rec.start):
                out.append("<p>" + " ".join(paragraph) + "</p>")
                paragraph = []
            shown = d.prose[rec.start:rec.end] if d.prose is not None else rec.text
            paragraph.append(_sentence(n, rec, shown, d.notes.get(rec.index)))
            prev = rec
        out.append("<p>" + " ".join(paragraph) + "</p>")
    out.append("</div></article>")
    return "\n".join(out)


def _sentence(n: int, rec: SentenceRecord, text: str, note: str | None) -> str:
    classes = ["s"] + (["hedged"] if rec.hedged else []) + (["flagged"] if rec.flags else [])
    tip = [f"hedge {rec.hedge:.2f}" + (" (hedged)" if rec.hedged else ""), f"attribution: {rec.attribution}"]
    if rec.line is not None:
        tip.append(f"line {rec.line}, column {rec.col}")
    if note:
        tip.append(note)
    body = _marked(rec, text)
    extra = f'<span class="score">{rec.hedge:.2f}</span>' if rec.hedged else ""
    extra += "".join(f'<span class="flag">{escape(f)}</span>' for f in rec.flags)
    return (f'<span class="{" ".join(classes)}" id="doc-{n}-s{rec.index}" data-hedge="{rec.hedge:.4f}" '
            f'title="{escape(chr(10).join(tip))}">{body}</span>{extra}')


def _marked(rec: SentenceRecord, text: str) -> str:
    """``text`` (the sentence, or its prose) escaped, with cues and the source wrapped (overlaps: the
    earlier mark wins). Markup blanked out of the prose leaves no gap ("**may**." shows "may.")."""
    pieces = [ch if not ch.isspace() else (" " if orig.isspace() else "") for ch, orig in zip(text, rec.text)]
    marks = [(c.start, c.end, '<mark class="cue">', "</mark>") for c in rec.cues]
    if rec.source is not None:
        marks.append((rec.source.start, rec.source.end, '<span class="src">', "</span>"))
    out, pos = [], 0
    for s, e, open_tag, close_tag in sorted(marks):
        if s < pos:
            continue
        out += [escape("".join(pieces[pos:s])), open_tag, escape("".join(pieces[s:e])), close_tag]
        pos = e
    out.append(escape("".join(pieces[pos:])))
    return re.sub(r"\s+", " ", "".join(out)).strip()
