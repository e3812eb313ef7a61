"""The fast scoring path (hedge.fastscore) gives exactly the numbers of the plain, reference path."""

from __future__ import annotations

import dataclasses
import re
import sys

import pytest

from hedge.features import cue_features
from hedge.linear import LinearScorer
from hedge.model import HedgeModel
from hedge.text import WORD_BYTES

# Sentences that probe the pre-filter, the candidate search and the token windows: case, joiners,
# quotes, "|" tokens, white space, non-ASCII, candidates at either end, long words around candidates.
TRICKY = [
    "", "   ", "\n\t", "—", "May.", "may", "MAY", "mAy", "May may MAY might.",
    "It may rain.", "It may-be rain; x'may _may may_ 2may may2 a.may may.b may&co.",
    "It may- rain -may and 'may' and \"may\" and “may” and ‘may’ and «may».",
    '"He may go," she said, "and it may rain" — or "it might".',
    'An odd " quote may matter " here " may " too.',
    "A | may | b || might || c |may| d.", "|may", "may|",
    "Pneumonoultramicroscopicsilicovolcanoconiosis may supercalifragilisticexpialidocious.",
    "Pneumonoultramicroscopicsilicovolcanoconiosis supercalifragilisticexpialidocious may "
    "antidisestablishmentarianism floccinaucinihilipilification.",
    "Honorificabilitudinitatibus, antidisestablishmentarianism may; floccinaucinihilipilification!",
    "may be be be be be be be be be be be be be be be be be be be be be be be be be be be may",
    "The results may suggest that it could possibly be thought to indicate a link.",
    "Officials said on Tuesday that the bridge would perhaps reopen, but it is unclear whether it will.",
    "Café owners may close; naïve views might differ.", "İf it may rain, thinK again.",
    "Η βροχή may fall; ΟΔΟΣ might close.", "It may rain 🌧️ tomorrow.", "It\x1cmay\x1drain.",
    "May 5 was the day. In May, prices rose.", "They suggested, suggested and suggest.",
    "The council approved the budget on Tuesday.", "Whether or not, if, unless, until.",
    "e.g. it may rain; i.e. it might.", "It\tmay\nrain\r\nor\u00a0might\u2003not.",
]


def assert_same(model: HedgeModel, texts: list[str], threshold: float | None = None) -> None:
    fast = model.score_texts(texts, threshold)
    for text, got in zip(texts, fast):
        assert got == model.reference_score_text(text, threshold), text
    assert [model.score_text(t, threshold) for t in texts] == fast


@pytest.mark.parametrize("threshold", [None, 0.0, 0.37, 1.0])
def test_fast_path_equals_reference_on_tricky_sentences(default_model, tiny_model, scorer_mode, threshold):
    for model in (dataclasses.replace(default_model, _cache={}), dataclasses.replace(tiny_model, _cache={})):
        assert_same(model, TRICKY, threshold)


def test_fast_path_equals_reference_on_real_sentences(default_model, corpus_sentences, scorer_mode):
    model = dataclasses.replace(default_model, _cache={})
    assert_same(model, corpus_sentences)
    assert any(s.hedged for s in model.score_texts(corpus_sentences))


@pytest.mark.parametrize("extra", [
    pytest.param({"so-called"}, id="candidate-with-a-joiner"),
    pytest.param({"naïve"}, id="non-ascii-candidate"),
    pytest.param({"可能"}, id="candidate-without-ascii-letters"),
])
def test_unusual_candidates_take_the_slower_exact_paths(tiny_model, scorer_mode, extra):
    model = dataclasses.replace(tiny_model, candidates=tiny_model.candidates | extra, _cache={})
    texts = TRICKY + ["A so-called fact may be naïve; 可能 it is.", "So called, so-called."]
    assert_same(model, texts)


def test_unknown_feature_templates_fall_back_to_feature_strings(tiny_model, scorer_mode):
    weights = {**tiny_model.cue.weights, "zz=may": 3.0}
    model = dataclasses.replace(tiny_model, cue=LinearScorer(weights, tiny_model.cue.bias), _cache={})
    assert_same(model, TRICKY)


def test_a_copy_with_other_candidates_is_scored_with_its_own(tiny_model):
    shared = dataclasses.replace(tiny_model, _cache={})
    fewer = dataclasses.replace(shared, candidates=shared.candidates - {"may"})
    text = "It may rain tomorrow."
    assert shared.score_text(text).cues and not fewer.score_text(text).cues
    assert fewer.score_text(text) == fewer.reference_score_text(text)


def test_no_character_outside_word_characters_lowercases_to_an_ascii_word_character():
    """What the pre-filter rests on (hedge.text.WORD_BYTES): a token's neighbours become separators."""
    word = re.compile(r"\w")
    ascii_word = set(c for c in range(128) if WORD_BYTES[c] != 32)
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        if any(ord(c) in ascii_word for c in char.lower()):
            assert word.match(char), hex(code)


def test_cue_features_are_unchanged():
    """The feature strings are the model's vocabulary: a change would silently break saved models."""
    tokens = ["The", "drug", "may", "not", "work", "."]
    lows = [t.lower() for t in tokens]
    assert cue_features(tokens, lows, 2) == [
        "w=may", "fam=modal", "sh=low", "w|sh=may|low", "p1=drug", "n1=not", "p2=the", "n2=work",
        "p1|w=drug|may", "w|n1=may|not", "w|n1|n2=may|not|work", "p2|p1|w=the|drug|may",
        "pc1=low", "nc1=neg", "w|pc1=may|low", "w|nc1=may|neg", "w|pc1|nc1=may|low|neg",
        "w|nc1|nc2=may|neg|low", "w|pc2|pc1=may|det|low", "fam|pc1=modal|low", "fam|nc1=modal|neg",
        "fam|pc1|nc1=modal|low|neg",
    ]
