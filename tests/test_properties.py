"""Properties of the splitter, the tokenizer and the scorer over arbitrary Unicode (hypothesis).

Whatever the text, nothing raises; sentence spans are ordered, disjoint, trimmed, inside the text and
cover every non-space character; cue and source spans lie inside their sentence; scores are finite
probabilities; scoring is deterministic; ``lines=True`` gives one record per line.
"""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from hedge.text import split_sentences, token_strings, tokenize

# Any code point, lone surrogates included (a str from surrogateescape-decoded bytes can hold them).
ANY_CHAR = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())
# Pieces the splitter's rules care about, so that generated texts reach its interesting branches.
PIECES = st.sampled_from([
    "It", "may", "rain", "The", "U.S.", "Dr.", "J.", "e.g.", "p.m.", "No.", "3.5", "$4", "1.", "(a)", "(",
    ")", "[1]", ".", "...", "…", "?", "!", '"', "“", "”", "'", "’", "—", "-", "•", "mRNA", "said", "officials",
    "reportedly", "might", "according to", " ", "  ", "\n", "\n\n", "\r\n", "\r", "\t", "\u00a0", "\u2028",
    "\x85", "\x0b", "\ufeff", "\u200b", "İ", "ß", "ﬁ", "\U0001f600", "\u0301", "\ud800",
])
TEXTS = st.one_of(
    st.text(ANY_CHAR, max_size=300),
    st.lists(st.one_of(PIECES, st.text(ANY_CHAR, max_size=3)), max_size=60).map("".join),
)
BUDGET = settings(max_examples=200, deadline=None)


def assert_sentence_spans(text: str) -> None:
    spans = split_sentences(text)
    covered = bytearray(len(text))
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text), (start, end)
        piece = text[start:end]
        assert piece == piece.strip()
        covered[start:end] = b"\x01" * (end - start)
        previous_end = end
    assert [i for i, ch in enumerate(text) if not ch.isspace() and not covered[i]] == []


@BUDGET
@given(TEXTS)
def test_sentence_spans_are_ordered_disjoint_trimmed_and_cover_the_text(text):
    assert_sentence_spans(text)


@BUDGET
@given(TEXTS)
def test_tokens_are_ordered_non_blank_spans_inside_the_text(text):
    spans = tokenize(text)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        assert not text[start:end].isspace()
        previous_end = end
    assert [text[s:e] for s, e in spans] == token_strings(text)


def expected_lines(text: str) -> list[str]:
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    return [line.rstrip("\r") for line in lines] if text else []


def assert_records(text: str, records, lines: bool) -> None:
    assert [r.index for r in records] == list(range(len(records)))
    if lines:
        assert [r.text for r in records] == expected_lines(text)
    else:
        assert [(r.start, r.end) for r in records] == split_sentences(text)
    for rec in records:
        assert text[rec.start:rec.end] == rec.text
        assert isinstance(rec.hedge, float) and math.isfinite(rec.hedge) and 0.0 <= rec.hedge <= 1.0
        assert isinstance(rec.hedged, bool)
        assert rec.attribution in ("named", "vague", "none")
        spans = [*rec.cues] + ([rec.source] if rec.source is not None else [])
        for span in spans:
            assert 0 <= span.start < span.end <= len(rec.text)
            assert rec.text[span.start:span.end] == span.text
        if rec.cues:
            assert rec.hedged
        if not rec.text.strip():
            assert not rec.hedged and rec.cues == []


@BUDGET
@given(text=TEXTS, lines=st.booleans())
def test_scores_are_probabilities_and_spans_lie_inside_their_sentence(news_model, text, lines):
    assert_records(text, news_model.score(text, lines=lines), lines)


@BUDGET
@given(text=TEXTS, lines=st.booleans())
def test_scoring_twice_gives_the_same_records(news_model, text, lines):
    first = [r.to_dict() for r in news_model.score(text, doc="d", lines=lines)]
    assert [r.to_dict() for r in news_model.score(text, doc="d", lines=lines)] == first


@BUDGET
@given(st.lists(st.text(st.characters(exclude_characters="\n", exclude_categories=()), max_size=40),
                max_size=12), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_lines_gives_exactly_one_record_per_line(tiny_model, lines, newline, final_newline):
    # Every line ends with a line break; the last one may go without when it is not empty.
    text = "".join(line + newline for line in lines)
    if not final_newline and lines and lines[-1].rstrip("\r"):
        text = text[: -len(newline)]
    records = tiny_model.score(text, lines=True)
    assert len(records) == len(lines)
    assert_records(text, records, True)


def test_the_news_model_finds_sources_in_its_training_sentences(news_model):
    # Control: the properties above are only worth something if sources are actually tagged.
    from conftest import ATTRIBUTED

    text = " ".join(t for t, *_ in ATTRIBUTED)
    sources = [r.source.text for r in news_model.score(text) if r.source is not None]
    assert len(sources) >= 4, sources


@settings(max_examples=50, deadline=None)
@given(TEXTS)
def test_the_shipped_model_keeps_the_contract(default_model, text):
    for lines in (False, True):
        assert_records(text, default_model.score(text, lines=lines), lines)
