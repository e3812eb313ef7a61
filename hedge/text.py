"""Sentence splitting and tokenization with character offsets into the original text.

Rules, not a model: a boundary is a sentence-final mark (``.``, ``!``, ``?``, ``…``), with any closing
quotes, brackets or numbered references (``[12]``) after it, followed by white space and something that
can start a sentence: a capital (possibly after opening quotes or brackets), a digit, a currency sign,
a list label such as "(b)", or, after a single full stop, a lower-case word with a capital or digit in
it ("mRNA", "p53", "eBay"). A lower-case word never follows a boundary otherwise ('"Really?" she
asked.', "Wait... what"). A blank line always ends a sentence, so a headline without a full stop
stays on its own; so does a line break before a bullet ("-", "*", "•") or a list number ("2.", "3)").

A full stop after an abbreviation (word lists in ``hedge/data/``) is a boundary:

* never after ``abbreviations.txt`` words ("Dr. Smith", "e.g. this", "Fig. 2"); "No." and "Est."
  only before a number, so "The answer was no. The vote failed." still splits;
* after ``abbreviations_final.txt`` words, dotted acronyms ("U.S.", "D.C.") and capital initials,
  only before a capitalised sentence opener ("in the U.S. The next day", but "the U.S. Supreme
  Court", "George W. Bush"); an initial after a lower-case content word is a label, and a boundary
  before any capital followed by a lower-case word ("cyclosporin A. Activation of ...");
* after "a.m.", "p.m." and "etc.", before any capital but the words in ``continuations.txt``
  ("at 5 p.m. Officials said", but "at 5 p.m. Monday");
* after a single lower-case letter, before a capital but not a number ("6 h. The", "p. 215").

A sentence that would hold nothing but a list number ("1." or "2 .") is joined to the text after it.
A sentence longer than ``MAX_SENTENCE_CHARS`` is cut at white space into pieces no longer than that.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from hedge.lexicon import load_table, load_words


class Span(NamedTuple):
    """A half-open character range ``[start, end)`` into a text."""

    start: int
    end: int


# A candidate end: the mark(s), closing quotes/brackets, numbered references, then white space.
_END = re.compile(r"""(?:\.{2,}|…|[.!?]+)['"’”»)\]]*(?:\[\d{1,3}(?:[,–-]\d{1,3})*\])*(?=\s)""")
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n\s*")
# A line that starts with a bullet or a list number: the line break before it ends a sentence.
_BULLET_LINE = re.compile(r"\n[ \t\r\f\v]*(?:[-*•·▪◦‣]|\d{1,3}[.)])[ \t]")
# Text without sentence ends (a table dump, minified text, a transcript) is not one sentence: past this
# many characters it is cut at white space, so that the cost of scoring a sentence stays bounded.
MAX_SENTENCE_CHARS = 5000
_LAST_SPACE = re.compile(r"\s\S*\Z")
# A token: a word (with inner apostrophes, hyphens, dots, ampersands) or one other non-space character.
TOKEN = re.compile(r"\w+(?:[’'\-.&]\w+)*|[^\w\s]")
# A bytes.translate table for UTF-8 text: ASCII word characters (the ``\w`` of TOKEN) lower-cased,
# every other byte a space. ``text.encode().translate(WORD_BYTES).split()`` holds every ASCII word
# token of ``text`` (lower-cased) at C speed: no character outside ``\w`` lower-cases to an ASCII
# word character, so a token's neighbours always become separators.
WORD_BYTES = bytes(c + 32 if 65 <= c <= 90 else c if (48 <= c <= 57 or 97 <= c <= 122 or c == 95) else 32
                   for c in range(256))
# What follows the white space: opening punctuation, then the first letter, digit or currency sign.
_NEXT = re.compile(r"""\s*([(\[]?)['"‘“«¿¡(\[]*([^\W_]|[$€£¥])""")
_NEXT_WORD = re.compile(r"\w+(?:[-’']\w+)*(\.?)")
_WORD_BEFORE = re.compile(r"([\w.\-’']+)$")
_LAST_WORD = re.compile(r"([^\W\d_]+)[^\w\s]*\s+$")
_ITEM_LABEL = re.compile(r"\((?:\d{1,2}|[a-zA-Z]|[ivx]{2,4})\)\s")
_DOTTED = re.compile(r"(?:[a-z]\.-?)+[a-z]")
_LIST_NUMBER = re.compile(r"\(?(?:\d{1,3}|[IVX]{1,5}|[ivx]{1,5})\s?\)?\.")
# Capitalised, these words usually open a sentence rather than continue a name ("U.S. The").
_OPENERS = frozenset("""
a an the this that these those his her its their our my your some any no not each every all both
many most several such other another one two three i you he she it we they there here
in on at by for from with into about as after before since during under over between through among
within without despite according unlike like following given
and or but so yet if when while although though because where what which who how why whether
however moreover furthermore thus therefore hence meanwhile nevertheless nonetheless instead
indeed also still then now today yesterday finally first second third next last later earlier
again only even just perhaps maybe rather similarly likewise consequently accordingly overall
is are was were be has have had do does did will would can could may might should must shall
to of let please yes no
""".split())
# Lower-case words after which a capital initial starts a name: "said J. Smith".
_NAME_INTRODUCERS = frozenset({"said", "says", "told", "wrote", "asked", "named", "called"})


@lru_cache(maxsize=1)
def _abbreviations() -> tuple[frozenset[str], ...]:
    """(never a boundary; not a boundary before a number; a boundary before an opener; a boundary
    before a capital; capitalised words that continue a sentence after one of the latter)."""
    final = load_table("abbreviations_final.txt")
    never = load_table("abbreviations.txt")
    return (frozenset(w for w, kind in never.items() if kind != "number"),
            frozenset(w for w, kind in never.items() if kind == "number"),
            frozenset(w for w, kind in final.items() if kind != "capital"),
            frozenset(w for w, kind in final.items() if kind == "capital"),
            load_words("continuations.txt"))


def _next_word_opens(text: str, start: int) -> bool:
    """Whether the word at ``start`` is a capitalised sentence opener and not an initial ("A.")."""
    m = _NEXT_WORD.match(text, start)
    if not m or not text[start].isupper():
        return False
    if m.end() - start == 2 and m.group(1):  # "J. A. Smith": the next word is an initial itself
        return False
    word = text[start:m.end()].rstrip(".").lower()
    return word in _OPENERS


def _after_label(text: str, letter: int, start: int) -> bool:
    """Whether the capital ``letter`` labels a thing ("cyclosporin A.", "NF-kappa B.", "Plan B.") and
    the capitalised word at ``start`` opens a new sentence ("Activation of ...").

    A label follows a lower-case content word; a name's initial follows a capitalised first name or a
    word such as "by". A next word followed by another capitalised one ("economist J. Bradford
    DeLong") is taken for a name."""
    if text[letter] in "NSEW":
        return False  # "denounce N. Korea test": a compass point
    before = _LAST_WORD.search(text, max(0, letter - 40), letter)
    if not before or not before.group(1).islower() or before.group(1) in _OPENERS \
            or before.group(1) in _NAME_INTRODUCERS:
        return False
    m = _NEXT_WORD.match(text, start)
    if not m or m.group(1):
        return False
    after = text[m.end():m.end() + 3]
    return after[:1].isspace() and after.strip()[:1].islower()


def _boundary_ok(text: str, mark_start: int, mark: str, gap_end: int) -> bool:
    """Whether ``mark`` (a final mark with any closing quotes, brackets or references) at
    ``mark_start``, followed by white space up to ``gap_end``, ends a sentence."""
    nxt = _NEXT.match(text, gap_end)
    if not nxt:
        return False  # a dash, a symbol or a closing mark follows
    first, at = nxt.group(2), nxt.start(2)
    lower = first.islower()
    if nxt.group(1):
        if _ITEM_LABEL.match(text, nxt.start(1)):
            return True  # "... as shown. (b) The ...": a list label opens a sentence
        if not first.isalpha():
            return False  # "(1998)" or "[12]": a bracketed number stays with what comes before
    if mark[0] != "." or mark.startswith(".."):
        return not lower  # "!", "?", "...", "…": '"Really?" she asked.' is one sentence
    m = _WORD_BEFORE.search(text, max(0, mark_start - 40), mark_start)
    raw = m.group(1).strip(".-’'") if m else ""
    word = raw.lower()
    never, before_number, final, final_capital, continuations = _abbreviations()
    if mark != ".":  # closing quotes or brackets follow the full stop
        return not lower and not (len(word) > 1 and word in never)  # but "(Texas Sen.) Ted Cruz"
    if len(raw) == 1 and raw.isupper():
        # An initial or a label: "J. Smith", "George W. Bush", but "vitamin C. The".
        return not lower and (_next_word_opens(text, at) or _after_label(text, mark_start - 1, at))
    if word in never or (word in before_number and first.isdigit()):
        return False  # "Dr. Smith", "e.g. this", "No. 10"; but "the answer was no. The"
    if len(word) == 1 and word.isalpha():
        return not lower and not first.isdigit()  # "6 h. The" but "p. 215"
    if word in final_capital:  # "at 5 p.m. Officials said" but "at 5 p.m. Monday"
        w = _NEXT_WORD.match(text, at)
        return (not lower and not first.isdigit() and bool(w) and not (w.end() - at == 2 and w.group(1))
                and w.group(0).rstrip(".").lower() not in continuations)
    if word in final or _DOTTED.fullmatch(word):
        return _next_word_opens(text, at)  # "in the U.S. The next day" but "the U.S. Supreme Court"
    if lower:
        # "... found. mRNA levels rose": a lower-case word with a capital or digit inside.
        w = _NEXT_WORD.match(text, at)
        return bool(w) and any(c.isupper() or c.isdigit() for c in w.group(0))
    return True


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Split ``text`` into sentence spans, in order, trimmed of surrounding white space.

    Given ``start`` and ``end``, only that part is split, and the text around it is context: when
    both are sentence boundaries of the whole text (a blank line, or the end of a sentence), the part
    gets exactly the sentences the whole text has there. This is how long inputs are streamed.
    """
    end = len(text) if end is None else end
    forced = [m.start() for m in _BLANK_LINE.finditer(text, start, end)]
    if text.find("\n", start, end) >= 0:
        forced += [m.start() for m in _BULLET_LINE.finditer(text, start, end)]
    ends = [m.end() for m in _END.finditer(text, start, end) if _boundary_ok(text, m.start(), m.group(0), m.end())]
    spans: list[Span] = []
    if forced:
        forced_set = set(forced)
        cuts = sorted(set(forced) | set(ends))
    else:
        forced_set = set()
        cuts = ends
    for cut in [*cuts, end]:
        span = _trim(text, start, cut)
        if span:
            if (cut not in forced_set and cut != end and span.end - span.start <= 7
                    and _LIST_NUMBER.fullmatch(text, span.start, span.end)):
                continue  # "1." or "2 ." alone: a list number that belongs to what follows
            if span.end - span.start > MAX_SENTENCE_CHARS:
                spans.extend(_pieces(text, span))
            else:
                spans.append(span)
        start = max(start, cut)
    return spans


def _pieces(text: str, span: Span) -> list[Span]:
    """An overlong span cut into pieces of at most ``MAX_SENTENCE_CHARS``, at the last white space
    before the limit when there is one (a single word that long is cut where the limit falls)."""
    out, start = [], span.start
    while span.end - start > MAX_SENTENCE_CHARS:
        limit = start + MAX_SENTENCE_CHARS
        m = _LAST_SPACE.search(text, start + 1, limit + 1)
        cut = m.start() if m else limit
        piece = _trim(text, start, cut)
        if piece:
            out.append(piece)
        start = cut
        while start < span.end and text[start].isspace():
            start += 1
    piece = _trim(text, start, span.end)
    if piece:
        out.append(piece)
    return out


def _trim(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if end > start else None


def tokenize(text: str) -> list[Span]:
    """Word and punctuation tokens of ``text`` as spans."""
    return [Span(m.start(), m.end()) for m in TOKEN.finditer(text)]


def token_strings(text: str) -> list[str]:
    """The token texts of ``text``, in order."""
    return TOKEN.findall(text)
