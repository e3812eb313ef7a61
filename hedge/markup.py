"""Markdown and HTML input, and ``hedge: ignore`` markers: find the prose, keep every offset.

What is not prose (code blocks, inline code, URLs, tags, comments, markup punctuation such as ``#``,
``**`` or ``[...](...)``) is replaced with spaces, line breaks kept, so the prose text is exactly as
long as the original and every offset, line and column still points into the original file. Blocks
(paragraphs, headings, list items, table cells) are split separately: a heading without a full stop
never runs into the paragraph below it.

Suppression markers:

* Markdown and HTML: ``<!-- hedge: ignore -->`` skips the next sentence;
  ``<!-- hedge: ignore-start -->`` ... ``<!-- hedge: ignore-end -->`` skips everything between them
  (to the end of the file when the end marker is missing).
* Plain text: a line containing ``hedge: ignore`` skips the sentences on that line, or the next
  sentence when the line holds nothing but the marker; lines containing ``hedge: ignore-start`` and
  ``hedge: ignore-end`` skip the lines between them, their own included.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import PurePath

from hedge.records import SentenceRecord
from hedge.text import Span, split_sentences

KINDS = ("text", "markdown", "html")
SUFFIX_KINDS = {".md": "markdown", ".markdown": "markdown", ".mdown": "markdown",
                ".html": "html", ".htm": "html", ".xhtml": "html"}
_KEEP = frozenset("\n\r")
_DIRECTIVE = re.compile(r"hedge:\s*ignore(-start|-end)?(?![\w-])", re.IGNORECASE)
# A marker in plain text with the comment marks around it ("# hedge: ignore", "/* hedge: ignore */").
_PLAIN_MARKER = re.compile(r"(?:[#/;%*!<-]+[ \t]*)?hedge:\s*ignore(?:-start|-end)?(?![\w-])(?:[ \t]*[*/>-]+)?",
                           re.IGNORECASE)


def kind_for(name: str, given: str = "auto") -> str:
    """The input kind: ``given`` unless it is ``auto``, else from the file suffix (text by default)."""
    if given != "auto":
        if given not in KINDS:
            raise ValueError(f"unknown input format {given!r}; choose from auto, {', '.join(KINDS)}")
        return given
    return SUFFIX_KINDS.get(PurePath(name).suffix.lower(), "text")


@dataclass
class Prepared:
    """The text to score (as long as the original) and the sentence spans to score in it."""

    text: str
    units: list[Span]
    ignored: int = 0


@dataclass
class _Page:
    """Work in progress: the characters, the blocks found and the suppression markers."""

    chars: list[str]
    blocks: list[Span] = field(default_factory=list)
    skip_next: list[int] = field(default_factory=list)  # the first sentence starting here or later
    skip_lines: list[Span] = field(default_factory=list)  # sentences overlapping these are skipped

    def blank(self, start: int, end: int) -> None:
        chars = self.chars
        for i in range(max(start, 0), min(end, len(chars))):
            if chars[i] not in _KEEP:
                chars[i] = " "

    def text(self) -> str:
        return "".join(self.chars)


def prepare(text: str, kind: str = "text") -> Prepared:
    """The prose of ``text`` (a plain, Markdown or HTML document) and its sentence spans."""
    if kind == "text" and "hedge" not in text.lower():
        return Prepared(text, split_sentences(text))  # nothing to blank or skip
    page = _Page(list(text))
    if kind == "markdown":
        _markdown(text, page)
    elif kind == "html":
        _html(text, page)
    elif kind == "text":
        _plain_markers(text, page)
        page.blocks = [Span(0, len(text))]
    else:
        raise ValueError(f"unknown input format {kind!r}; choose from {', '.join(KINDS)}")
    prose = page.text()
    units = [Span(b.start + s, b.start + e) for b in page.blocks if b.end > b.start
             for s, e in split_sentences(prose[b.start:b.end])]
    kept = _apply_skips(units, page)
    return Prepared(prose, kept, len(units) - len(kept))


def restore_text(records: Sequence[SentenceRecord], original: str, offset: int = 0) -> None:
    """Give records scored on prepared prose the original file's characters (offsets are the same;
    ``original`` starts at ``offset`` when it is a piece of a longer input)."""
    for rec in records:
        rec.text = original[rec.start - offset:rec.end - offset]
        rec.cues = [replace(c, text=rec.text[c.start:c.end]) for c in rec.cues]
        if rec.source is not None:
            rec.source = replace(rec.source, text=rec.text[rec.source.start:rec.source.end])


def _apply_skips(units: list[Span], page: _Page) -> list[Span]:
    # ``units`` are in order and do not overlap, so both searches bisect or sweep: scanning every
    # unit for every marker was quadratic (minutes for a file with some ten thousand markers).
    starts, ends = [u.start for u in units], [u.end for u in units]
    drop: set[int] = set()
    for s, e in page.skip_lines:
        drop.update(range(bisect_right(ends, s), bisect_left(starts, e)))
    i = 0
    for at in sorted(page.skip_next):
        while i < len(units) and (units[i].start < at or i in drop):
            i += 1
        if i < len(units):
            drop.add(i)
    return [u for i, u in enumerate(units) if i not in drop]


def _directive(comment: str) -> str | None:
    """``ignore``, ``ignore-start`` or ``ignore-end`` when the text holds a hedge marker."""
    m = _DIRECTIVE.search(comment)
    return None if m is None else "ignore" + (m.group(1) or "").lower()


def _comment_markers(page: _Page, comments: list[tuple[int, int, str]], length: int) -> None:
    """Blank the comments and turn hedge markers into skips (a missing end skips to the end)."""
    open_at = None
    for start, end, body in comments:
        page.blank(start, end)
        what = _directive(body)
        if what == "ignore-start" and open_at is None:
            open_at = start
        elif what == "ignore-end" and open_at is not None:
            page.blank(open_at, end)
            page.skip_lines.append(Span(open_at, end))
            open_at = None
        elif what == "ignore" and open_at is None:
            page.skip_next.append(end)
    if open_at is not None:
        page.blank(open_at, length)
        page.skip_lines.append(Span(open_at, length))


# -- plain text -----------------------------------------------------------------------------------------
def _line_spans(text: str) -> list[Span]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append(Span(pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _plain_markers(text: str, page: _Page) -> None:
    if "hedge" not in text.lower():
        return
    open_at = None
    for s, e in _line_spans(text):
        line = text[s:e]
        what = _directive(line)
        if what == "ignore-start" and open_at is None:
            open_at = s
        elif what == "ignore-end" and open_at is not None:
            page.blank(open_at, e)
            page.skip_lines.append(Span(open_at, e))
            open_at = None
        elif what == "ignore" and open_at is None:
            for m in _PLAIN_MARKER.finditer(line):
                page.blank(s + m.start(), s + m.end())  # so that it does not join or split sentences
            if re.search(r"\w", _PLAIN_MARKER.sub("", line)):
                page.skip_lines.append(Span(s, e))
            else:
                page.skip_next.append(e)
    if open_at is not None:
        page.blank(open_at, len(text))
        page.skip_lines.append(Span(open_at, len(text)))


# -- Markdown -------------------------------------------------------------------------------------------
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_COMMENT = re.compile(r"<!--(.*?)(?:-->|\Z)", re.DOTALL)
_RAW_BLOCK = re.compile(r"<(script|style|pre|textarea)\b.*?(?:</\1\s*>|\Z)", re.DOTALL | re.IGNORECASE)
_ATX = re.compile(r" {0,3}(#{1,6})(?=\s|$)")
_ATX_CLOSE = re.compile(r"\s#+\s*$")
_SETEXT = re.compile(r" {0,3}(=+|-+)\s*$")
_BREAK = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_QUOTE = re.compile(r" {0,3}(?:>[ \t]?)+")
_ITEM = re.compile(r" {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]+(?:\[[ xX]\][ \t]+)?|$)")
_TABLE_DELIM = re.compile(r"\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)+\|?\s*$")
_REF_DEF = re.compile(r" {0,3}\[[^\]]+\]:\s*\S")
_INLINE_CODE = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
_IMAGE = re.compile(r"!\[[^\]\n]*\](?:\([^)\n]*\)|\[[^\]\n]*\])")
_LINK = re.compile(r"\[([^\]\n]*)\](\([^)\n]*\)|\[[^\]\n]*\])")
_FOOTNOTE = re.compile(r"\[\^[^\]\n]+\]")
_AUTOLINK = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9+.-]{1,31}:|mailto:)[^<>\s]*>|<[^<>@\s]+@[^<>\s]+>")
_URL = re.compile(r"(?:\b[a-zA-Z][a-zA-Z0-9+.-]*://|\bwww\.)[^\s<>]*[^\s<>.,;:!?)\]'\"]")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_EMPHASIS = re.compile(r"(?<![\w*_~])(?:\*{1,3}|_{1,3}|~~)(?=[^\s*_~])|(?<=[^\s*_~])(?:\*{1,3}|_{1,3}|~~)(?![\w*_~])")
_ESCAPE = re.compile(r"\\(?=[!-/:-@\[-`{-~])")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _markdown(text: str, page: _Page) -> None:
    lines = _line_spans(text)
    code = _fenced_and_front_matter(text, lines, page)
    in_code = [False] * len(lines)
    for first, last in code:
        for n in range(first, last + 1):
            in_code[n] = True
    for n, (s, e) in enumerate(lines):
        if not in_code[n] and "`" in text[s:e]:
            for m in _INLINE_CODE.finditer(text, s, e):
                page.blank(m.start(), m.end())  # first, so that a documented `<!-- hedge: ignore -->` is not one
    for m in _RAW_BLOCK.finditer(page.text()):
        page.blank(m.start(), m.end())
    comments = [(m.start(), m.end(), m.group(1)) for m in _COMMENT.finditer(page.text())]
    _comment_markers(page, comments, len(text))
    table = _table_lines(text, lines, in_code)

    block_start: int | None = None
    in_list = False
    prev_blank = True

    def close(at: int) -> None:
        nonlocal block_start
        if block_start is not None:
            page.blocks.append(Span(block_start, at))
        block_start = None

    for n, (s, e) in enumerate(lines):
        if in_code[n]:
            close(s)
            prev_blank = True
            continue
        line = "".join(page.chars[s:e])
        if not line.strip():
            close(s)
            prev_blank = True
            continue
        indent = len(line) - len(line.lstrip(" \t"))
        if prev_blank and not in_list and (indent >= 4 or line.startswith("\t")):
            page.blank(s, e)  # an indented code block
            close(s)
            continue
        if n in table:
            close(s)
            _table_row(text, s, e, page)
            prev_blank = False
            continue
        pos = s
        m = _QUOTE.match(line)
        if m:
            page.blank(s, s + m.end())
            pos = s + m.end()
            line = "".join(page.chars[pos:e])
            if not line.strip():
                close(s)
                prev_blank = True
                continue
        if _REF_DEF.match(line):
            page.blank(pos, e)
            close(s)
            continue
        if _BREAK.match(line) and not (block_start is not None and _SETEXT.match(line)):
            page.blank(pos, e)
            close(s)
            prev_blank = True
            continue
        if block_start is not None and _SETEXT.match(line):
            page.blank(pos, e)  # the underline of a heading: the paragraph above is the heading
            close(s)
            continue
        m = _ATX.match(line)
        if m:
            page.blank(pos, pos + m.end())
            tail = _ATX_CLOSE.search(line)
            if tail:
                page.blank(pos + tail.start(), e)
            close(s)
            _inline(text, pos, e, page)
            page.blocks.append(Span(pos, e))
            prev_blank, in_list = False, False
            continue
        m = _ITEM.match(line)
        if m and block_start is not None and not in_list and m.group(0).strip()[:1].isdigit() \
                and not m.group(0).strip().startswith(("1.", "1)")):
            m = None  # "... in\n2019. The": only "1." starts a list inside a paragraph
        if m:
            page.blank(pos, pos + m.end())
            close(s)
            block_start = pos
            in_list = True
        elif block_start is None:
            in_list = in_list and indent >= 2
            block_start = pos
        _inline(text, pos, e, page)
        prev_blank = False
    close(len(text))


def _fenced_and_front_matter(text: str, lines: list[Span], page: _Page) -> list[tuple[int, int]]:
    """Line ranges of fenced code blocks and YAML front matter, blanked."""
    ranges = []
    n = 0
    if lines and text[lines[0].start:lines[0].end].rstrip() == "---":
        for k in range(1, len(lines)):
            if text[lines[k].start:lines[k].end].rstrip() in ("---", "..."):
                ranges.append((0, k))
                n = k + 1
                break
    while n < len(lines):
        s, e = lines[n]
        m = _FENCE.match(text, s, e)
        if m:
            mark = m.group(1)
            last = len(lines) - 1
            for k in range(n + 1, len(lines)):
                line = text[lines[k].start:lines[k].end].strip()
                if line.startswith(mark[0] * len(mark)) and not line.strip(mark[0]):
                    last = k
                    break
            ranges.append((n, last))
            n = last + 1
        else:
            n += 1
    for first, last in ranges:
        page.blank(lines[first].start, lines[last].end)
    return ranges


def _table_lines(text: str, lines: list[Span], in_code: list[bool]) -> set[int]:
    """Lines of pipe tables: a header row, its delimiter row and the rows after it."""
    out: set[int] = set()
    for n, (s, e) in enumerate(lines):
        if n == 0 or in_code[n] or not _TABLE_DELIM.match(text, s, e) or "|" not in text[s:e]:
            continue
        if "|" not in text[lines[n - 1].start:lines[n - 1].end]:
            continue
        out.update((n - 1, n))
        k = n + 1
        while k < len(lines) and not in_code[k] and "|" in text[lines[k].start:lines[k].end]:
            out.add(k)
            k += 1
    return out


def _table_row(text: str, s: int, e: int, page: _Page) -> None:
    """Each cell of a table row is a block; pipes and the delimiter row are blanked."""
    if _TABLE_DELIM.match(text, s, e):
        page.blank(s, e)
        return
    _inline(text, s, e, page)
    line = "".join(page.chars[s:e])
    cell = s
    for i, ch in enumerate(line):
        if ch == "|" and (i == 0 or line[i - 1] != "\\"):
            page.blank(s + i, s + i + 1)
            page.blocks.append(Span(cell, s + i))
            cell = s + i + 1
    page.blocks.append(Span(cell, e))


def _inline(text: str, s: int, e: int, page: _Page) -> None:
    """Blank inline code, images, link targets, URLs, tags and emphasis marks in ``[s, e)``."""
    def current() -> str:
        return "".join(page.chars[s:e])

    for pattern in (_INLINE_CODE, _IMAGE, _FOOTNOTE):
        for m in pattern.finditer(current()):
            page.blank(s + m.start(), s + m.end())
    for m in _LINK.finditer(current()):
        page.blank(s + m.start(), s + m.start() + 1)  # "["
        page.blank(s + m.start(1) + len(m.group(1)), s + m.end())  # "](target)"
    for pattern in (_AUTOLINK, _URL, _TAG):
        for m in pattern.finditer(current()):
            page.blank(s + m.start(), s + m.end())
    for pattern in (_EMPHASIS, _ESCAPE):
        for m in pattern.finditer(current()):
            page.blank(s + m.start(), s + m.end())
    _entities(s, e, page)


def _entities(s: int, e: int, page: _Page) -> None:
    """``&amp;`` becomes ``&`` and four spaces: the character, at the same length."""
    line = "".join(page.chars[s:e])
    if "&" not in line:
        return
    for m in _ENTITY.finditer(line):
        char = html.unescape(m.group(0))
        if char != m.group(0) and len(char) <= len(m.group(0)):
            start = s + m.start()
            page.chars[start:start + len(m.group(0))] = list(char.ljust(len(m.group(0))))


# -- HTML -----------------------------------------------------------------------------------------------
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "code", "pre", "kbd", "samp",
                        "svg", "math", "textarea", "select", "iframe", "object"})
_BLOCK_TAGS = frozenset("""address article aside blockquote body br caption dd details dialog div dl dt
fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p section summary
table tbody td tfoot th thead tr ul title option legend""".split())


class _Events(HTMLParser):
    """Every parser event with the offset where it starts in the original text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self._starts = [s for s, _ in _line_spans(text)]
        self.events: list[tuple[int, str, str]] = []  # (offset, kind, tag or comment text)

    def _at(self) -> int:
        line, col = self.getpos()
        return self._starts[line - 1] + col

    def handle_starttag(self, tag, attrs):
        self.events.append((self._at(), "start", tag))

    def handle_startendtag(self, tag, attrs):
        self.events.append((self._at(), "void", tag))

    def handle_endtag(self, tag):
        self.events.append((self._at(), "end", tag))

    def handle_data(self, data):
        self.events.append((self._at(), "data", ""))

    def handle_comment(self, data):
        self.events.append((self._at(), "comment", data))

    def handle_decl(self, decl):
        self.events.append((self._at(), "other", ""))

    def handle_pi(self, data):
        self.events.append((self._at(), "other", ""))

    def unknown_decl(self, data):
        self.events.append((self._at(), "other", ""))


def _html(text: str, page: _Page) -> None:
    parser = _Events(text)
    parser.feed(text)
    parser.close()
    events = sorted(parser.events, key=lambda ev: ev[0])  # stable: same offsets keep their order
    bounds = [ev[0] for ev in events[1:]] + [len(text)]
    if events and events[0][0] > 0:
        page.blank(0, events[0][0])
    skip: dict[str, int] = {}
    comments = []
    cuts = [0]
    for (start, kind, tag), end in zip(events, bounds):
        if kind == "data":
            if any(skip.values()):
                page.blank(start, end)
            else:
                _entities(start, end, page)
                for m in _URL.finditer(text, start, end):
                    page.blank(m.start(), m.end())
            continue
        if kind == "comment":
            comments.append((start, end, tag))
            continue
        page.blank(start, end)
        if kind == "start" and tag in _SKIP_TAGS:
            skip[tag] = skip.get(tag, 0) + 1
        elif kind == "end" and skip.get(tag):
            skip[tag] -= 1
        if tag in _BLOCK_TAGS:
            cuts.append(start)
            cuts.append(end)
    _comment_markers(page, comments, len(text))
    cuts.append(len(text))
    page.blocks = [Span(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]
