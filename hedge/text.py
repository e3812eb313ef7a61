"""Sentence splitting and tokenization with character offsets into the original text.

Rules, not a model: a boundary is a sentence-final mark (``.``, ``!``, ``?``, ``…``), with any closing
quotes or brackets after it, followed by white space and something that can start a sentence. A blank
line always ends a sentence, so a headline without a full stop stays on its own. Abbreviations and
initials (word lists in ``hedge/data/abbreviations.txt``) do not end sentences.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from hedge.lexicon import load_words


class Span(NamedTuple):
    """A half-open character range ``[start, end)`` into a text."""

    start: int
    end: int


# A candidate end: the mark(s), closing quotes/brackets, then the white space after them.
_END = re.compile(r"""(?:\.{2,}|…|[.!?]+)['"’”»)\]]*(?=(\s+))""")
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_TOKEN = re.compile(r"\w+(?:[’'\-.&]\w+)*|[^\w\s]")
# What may begin the next sentence: an upper-case letter, a digit, or opening punctuation.
_STARTER = re.compile(r"""['"‘“«(\[]*[^\W\d_]""")
_WORD_BEFORE = re.compile(r"([\w.\-’']+)$")


@lru_cache(maxsize=1)
def _abbreviations() -> tuple[frozenset[str], frozenset[str]]:
    """(abbreviations that never end a sentence, those that end one only before a capital)."""
    return load_words("abbreviations.txt"), load_words("abbreviations_final.txt")


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the full stop at ``dot`` belongs to an abbreviation or an initial."""
    m = _WORD_BEFORE.search(text, max(0, dot - 40), dot)
    if not m:
        return False
    word = m.group(1).lower().rstrip(".")
    never_final, _ = _abbreviations()
    if word in never_final:
        return True
    # Initials and dotted acronyms: "J.", "U.S", "a.m".
    if len(word) == 1 and word.isalpha():
        return True
    return bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]", word))


def _boundary_ok(text: str, mark_start: int, mark: str, next_start: int) -> bool:
    nxt = text[next_start:next_start + 4]
    if not nxt:
        return True
    if mark.startswith(".") and not mark.startswith(".."):
        if _is_abbreviation(text, mark_start):
            word = _WORD_BEFORE.search(text, max(0, mark_start - 40), mark_start)
            _, final_ok = _abbreviations()
            # "in the U.S. The next day": an acronym that can close a sentence before a capital.
            if not (word and word.group(1).lower().rstrip(".") in final_ok and nxt[:1].isupper()):
                return False
            following = re.match(r"\w+", text[next_start:next_start + 12])
            if following and following.group(0).lower() in load_words("continuations.txt"):
                return False  # "at 5 p.m. Monday", "10 a.m. GMT"
    if _STARTER.match(nxt) or nxt[:1].isdigit():
        first = _STARTER.match(nxt)
        if first and nxt[first.end() - 1].islower() and mark[0] in ".…":
            return False  # "... and then" or "e.g. this": the next word is lower-case
        return True
    return mark[0] in "!?" and nxt[:1].isalpha()


def split_sentences(text: str) -> list[Span]:
    """Split ``text`` into sentence spans, in order, trimmed of surrounding white space."""
    cuts: list[int] = []
    for m in _BLANK_LINE.finditer(text):
        cuts.append(m.start())
    for m in _END.finditer(text):
        mark = m.group(0)
        if _boundary_ok(text, m.start(), mark, m.end() + len(m.group(1))):
            cuts.append(m.end())
    cuts.sort()
    spans: list[Span] = []
    start = 0
    for cut in [*cuts, len(text)]:
        span = _trim(text, start, cut)
        if span:
            spans.append(span)
        start = max(start, cut)
    return spans


def _trim(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if end > start else None


def tokenize(text: str) -> list[Span]:
    """Word and punctuation tokens of ``text`` as spans."""
    return [Span(m.start(), m.end()) for m in _TOKEN.finditer(text)]


def token_strings(text: str) -> list[str]:
    """The token texts of ``text``, in order."""
    return _TOKEN.findall(text)
