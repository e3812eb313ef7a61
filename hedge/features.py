"""Features for the linear models: a token and its context, described so that it transfers.

Topic words are what a bag-of-words classifier learns and what fails on a new domain. These features
describe a *candidate* token (a word that can be a cue) by itself, its neighbours' closed-class word
classes and shapes ("may" + number = a date, "an" + "claim" = a noun, "could" + "not"), its cue family
from the lexicon, and a few neighbouring words. Every feature is a short string; a model is a weight
per string.
"""

from __future__ import annotations

import re
from functools import lru_cache

from hedge.lexicon import load_table, load_words

BOS, EOS = "<s>", "</s>"
_DIGIT = re.compile(r"\d")
_OPEN_QUOTES = frozenset('"“‘«')
_CLOSE_QUOTES = frozenset('"”’»')


@lru_cache(maxsize=1)
def cue_families() -> dict[str, str]:
    """Candidate cue words and their family (``hedge/data/cues.txt``)."""
    return load_table("cues.txt")


@lru_cache(maxsize=1)
def _function_classes() -> dict[str, str]:
    return load_table("function_words.txt")


def shape(token: str) -> str:
    """A coarse shape: NUM, CAP, UP (all capitals), low, or the punctuation mark itself."""
    if token in (BOS, EOS):
        return token
    first = token[0]
    if not token.isalpha() and _DIGIT.search(token):
        return "NUM"
    if first.isalpha():
        if first.isupper():
            return "UP" if len(token) > 1 and token.isupper() else "CAP"
        return "low"
    if token in _OPEN_QUOTES or token in _CLOSE_QUOTES or token in "'`":
        return "Q"
    return token


def word_class(token: str, low: str) -> str:
    """A closed-class label for a context word: its function class, 'month', its cue family, or its shape."""
    cls = _function_classes().get(low)
    if cls:
        return cls
    if low in load_words("months.txt") and token[:1].isupper():
        return "month"
    fam = cue_families().get(low)
    if fam:
        return "cue-" + fam
    return shape(token)


_quoted_memo: tuple[list[str], list[bool]] = ([], [])


def inside_quotes(tokens: list[str], i: int) -> bool:
    """Whether token ``i`` lies inside a quotation (odd number of quote marks before it).

    Callers ask this of every candidate of one sentence in turn, so the answers for the last token list
    seen are kept: counting from the start each time made a long sentence quadratic (hours for a 5 MB
    line of text without a full stop).
    """
    memo_tokens, quoted = _quoted_memo
    if memo_tokens is not tokens or len(quoted) != len(tokens):
        quoted, count = [], 0
        for tok in tokens:
            quoted.append(count % 2 == 1)
            if tok == '"' or tok in _OPEN_QUOTES or tok in ("”",):
                count += 1
        _remember(tokens, quoted)
    return quoted[i]


def _remember(tokens: list[str], quoted: list[bool]) -> None:
    global _quoted_memo
    _quoted_memo = (tokens, quoted)  # one assignment: a reader sees a matching pair, thread or not


_CLASS_CACHE: dict[str, str] = {}
_CLASS_CACHE_SIZE = 100_000


def cached_word_class(token: str) -> str:
    """``word_class(token, token.lower())``, memoised (bounded): context words repeat endlessly."""
    cls = _CLASS_CACHE.get(token)
    if cls is None:
        if len(_CLASS_CACHE) >= _CLASS_CACHE_SIZE:
            _CLASS_CACHE.clear()
        cls = _CLASS_CACHE[token] = word_class(token, token.lower())
    return cls


def cue_features(tokens: list[str], lows: list[str], i: int) -> list[str]:
    """Features of candidate token ``i`` for the cue model (``lows[j]`` is ``tokens[j].lower()``).

    :class:`hedge.fastscore.CueWeights` computes the same sum of weights without these strings: a
    change here needs the same change there (the tests compare the two).
    """
    n = len(tokens)
    w = lows[i]
    fam = cue_families().get(w, "none")
    p1 = lows[i - 1] if i > 0 else BOS
    p2 = lows[i - 2] if i > 1 else BOS
    n1 = lows[i + 1] if i + 1 < n else EOS
    n2 = lows[i + 2] if i + 2 < n else EOS
    pc1 = cached_word_class(tokens[i - 1]) if i > 0 else BOS
    pc2 = cached_word_class(tokens[i - 2]) if i > 1 else BOS
    nc1 = cached_word_class(tokens[i + 1]) if i + 1 < n else EOS
    nc2 = cached_word_class(tokens[i + 2]) if i + 2 < n else EOS
    sh = "first" if i == 0 else shape(tokens[i])
    feats = [
        f"w={w}", f"fam={fam}", f"sh={sh}", f"w|sh={w}|{sh}",
        f"p1={p1}", f"n1={n1}", f"p2={p2}", f"n2={n2}",
        f"p1|w={p1}|{w}", f"w|n1={w}|{n1}",
        f"w|n1|n2={w}|{n1}|{n2}", f"p2|p1|w={p2}|{p1}|{w}",
        f"pc1={pc1}", f"nc1={nc1}",
        f"w|pc1={w}|{pc1}", f"w|nc1={w}|{nc1}",
        f"w|pc1|nc1={w}|{pc1}|{nc1}",
        f"w|nc1|nc2={w}|{nc1}|{nc2}",
        f"w|pc2|pc1={w}|{pc2}|{pc1}",
        f"fam|pc1={fam}|{pc1}", f"fam|nc1={fam}|{nc1}",
        f"fam|pc1|nc1={fam}|{pc1}|{nc1}",
    ]
    if inside_quotes(tokens, i):
        feats.append("quoted")
    return feats


def sentence_features(cue_logits: list[float]) -> dict[str, float]:
    """Dense features of a sentence for the sentence model, from its candidates' cue logits."""
    if not cue_logits:
        return {"none": 1.0}
    ranked = sorted(cue_logits, reverse=True)
    second = ranked[1] if len(ranked) > 1 else min(ranked[0], -5.0)
    return {
        "max": ranked[0],
        "second": second,
        "n_pos": float(sum(1 for x in ranked if x > 0.0)),
    }
