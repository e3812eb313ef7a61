"""Attribution: is a sentence's claim credited to a source, which words name it, named or vague.

Four small linear models, trained in :mod:`hedge.attribution_train`:

- ``sentence``: attributed or not, over verbs of saying, quotation marks, "according to", reportive
  adverbs and the words around them.
- ``source``: a token tagger (B / I / O) for the words that name the source.
- ``kind``: named or vague, over the source span's words (head word, determiner, capitals).
- ``assertion``: a checkable claim, or a question / headline fragment / bare quotation.

A pronoun source ("He said") takes the kind of the nearest earlier named source in the document, and
is vague when there is none. Flags follow from the labels (see :func:`flags_for`).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from hedge.features import BOS, EOS, shape, word_class
from hedge.lexicon import load_table, load_words
from hedge.linear import LinearScorer, sigmoid
from hedge.records import SentenceRecord, TextSpan
from hedge.text import Span, tokenize

TAGS = ("O", "B", "I")
# source_bias is added to the tagger's B score: above 0 it starts more source spans (recall over precision).
DEFAULT_THRESHOLDS = {"sentence": 0.5, "kind": 0.5, "assertion": 0.5, "source_bias": 0.0}
PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i", "you"})
_QUOTES = frozenset('"“”«»')


@lru_cache(maxsize=1)
def reporting_words() -> frozenset[str]:
    return load_words("reporting_verbs.txt")


@lru_cache(maxsize=1)
def vague_heads() -> frozenset[str]:
    return load_words("vague_sources.txt")


@lru_cache(maxsize=1)
def reportive_markers() -> dict[str, str]:
    return load_table("reportive.txt")


_BE = frozenset({"is", "are", "was", "were", "be", "been", "being", "'s"})
_HAVE = frozenset({"has", "have", "had", "is", "was", "are", "were"})


def trim_source(tok: Tokens, i: int, j: int) -> tuple[int, int]:
    """Cut a tagged span ``[i, j)`` at its first reporting word, and, when it stands right before a
    reporting word, keep only its last clause: a source is a noun phrase, not a run of clauses."""
    reporting, lows = reporting_words(), tok.lows
    for k in range(i + 1, j):
        if lows[k] in reporting:
            j = k
            break
    if j < len(lows) and lows[j] in reporting:
        separators = load_words("clause_separators.txt")
        cut = max((k for k in range(i, j) if lows[k] in separators), default=None)
        if cut is not None and cut + 1 < j:
            i = cut + 1
    return i, j


def is_topic_not_source(tok: Tokens, end: int) -> bool:
    """Whether the words before token ``end`` are the topic of a reported claim, not its source:
    "The minister [reportedly] resigned", "A plan [is understood] to...", "He [has reportedly]..."."""
    lows, markers = tok.lows, reportive_markers()
    nxt = lows[end] if end < len(lows) else ""
    after = lows[end + 1] if end + 1 < len(lows) else ""
    if markers.get(nxt) == "adverb" or (nxt in _HAVE and markers.get(after) == "adverb"):
        return True
    return nxt in _BE and markers.get(after) == "passive"


@dataclass
class Tokens:
    """A sentence's tokens: spans, texts and lower-cased texts."""

    spans: list[Span]
    texts: list[str]
    lows: list[str]

    @classmethod
    def of(cls, text: str) -> "Tokens":
        spans = tokenize(text)
        texts = [text[s:e] for s, e in spans]
        return cls(spans, texts, [t.lower() for t in texts])


# -- features ------------------------------------------------------------------------------------
def sentence_features(tok: Tokens) -> list[str]:
    """Features for "is this sentence attributed": reporting words in context, quotes, n-grams."""
    return list(iter_sentence_features(tok))


def iter_sentence_features(tok: Tokens) -> Iterator[str]:
    """:func:`sentence_features` one at a time (scoring sums them: a list for a long sentence took
    gigabytes)."""
    lows, texts = tok.lows, tok.texts
    reporting = reporting_words()
    n = len(lows)
    has_quote = False
    for i, w in enumerate(lows):
        yield "u=" + w
        if i + 1 < n:
            yield "b=" + w + "|" + lows[i + 1]
        if texts[i] in _QUOTES:
            has_quote = True
        if w in reporting:
            pc = word_class(texts[i - 1], lows[i - 1]) if i > 0 else BOS
            nc = word_class(texts[i + 1], lows[i + 1]) if i + 1 < n else EOS
            yield from ("rv", "rv|pc=" + pc, "rv|nc=" + nc, "rv=" + w + "|" + pc, "rv=" + w + "|" + nc)
    classes = [BOS, *(word_class(t, w) for t, w in zip(texts, lows)), EOS]
    for i in range(len(classes) - 1):
        yield "c2=" + classes[i] + "|" + classes[i + 1]
        if i + 2 < len(classes):
            yield "c3=" + classes[i] + "|" + classes[i + 1] + "|" + classes[i + 2]
    for i, w in enumerate(lows):
        yield "cw=" + classes[i] + "|" + w
        yield "wc=" + w + "|" + classes[i + 2]
    if has_quote:
        yield "quote"
    if n:
        yield "end=" + (texts[-1] if not texts[-1][0].isalnum() else "word")


def source_features(tok: Tokens) -> Iterator[list[str]]:
    """Features of every token for the source tagger (without the previous-tag features), one token at
    a time: a list for every token of a long sentence took gigabytes."""
    lows, texts = tok.lows, tok.texts
    n = len(lows)
    if not n:
        return
    reporting, vague = reporting_words(), vague_heads()
    shapes = [shape(t) for t in texts]
    classes = [word_class(t, w) for t, w in zip(texts, lows)]
    quoted = _quoted_flags(texts)
    # Distance to the nearest reporting word after / before each token, capped at 6.
    after: list[int | None] = [None] * n
    before: list[int | None] = [None] * n
    nxt = None
    for i in range(n - 1, -1, -1):
        after[i] = nxt
        if lows[i] in reporting:
            nxt = i
    prv = None
    for i in range(n):
        before[i] = prv
        if lows[i] in reporting:
            prv = i
    caps = [t[:1].isupper() for t in texts]
    run_start = [0] * n
    for i in range(1, n):
        run_start[i] = run_start[i - 1] if caps[i] and caps[i - 1] else i
    run_end = [n - 1] * n
    for i in range(n - 2, -1, -1):
        run_end[i] = run_end[i + 1] if caps[i] and caps[i + 1] else i
    for i in range(n):
        w = lows[i]
        sh = shapes[i] if i else "first-" + shapes[i]
        p1 = lows[i - 1] if i > 0 else BOS
        n1 = lows[i + 1] if i + 1 < n else EOS
        pc1 = classes[i - 1] if i > 0 else BOS
        nc1 = classes[i + 1] if i + 1 < n else EOS
        a, b = after[i], before[i]
        da = "none" if a is None else str(min(a - i, 6))
        db = "none" if b is None else str(min(i - b, 6))
        feats = [
            "w=" + w, "sh=" + sh, "p1=" + p1, "n1=" + n1, "pc1=" + pc1, "nc1=" + nc1,
            "p1|w=" + p1 + "|" + w, "w|n1=" + w + "|" + n1, "sh|nc1=" + sh + "|" + nc1,
            "pc1|sh=" + pc1 + "|" + sh, "da=" + da, "db=" + db, "da|sh=" + da + "|" + sh,
            "db|sh=" + db + "|" + sh, "da|pc1=" + da + "|" + pc1, "db|pc1=" + db + "|" + pc1,
            "q=" + str(quoted[i]),
            "rvw=" + (lows[a] if a is not None else "none"),
            "p2=" + (lows[i - 2] if i > 1 else BOS),
            "n2=" + (lows[i + 2] if i + 2 < n else EOS),
        ]
        if caps[i]:
            j, k = run_start[i], run_end[i]
            feats.append("run=" + str(min(k - j + 1, 4)))
            feats.append("runpos=" + ("s" if i == j else "m") + ("e" if i == k else ""))
        if w in PRONOUNS:
            feats.append("pron|da=" + da)
        if w in vague:
            feats.append("vague|da=" + da)
        yield feats


def with_previous_tag(feats: list[str], prev: str) -> list[str]:
    """The tagger's features plus the previous token's tag (gold in training, predicted when scoring)."""
    return [*feats, "pt=" + prev, "pt|" + feats[1]]


def _quoted_flags(texts: Sequence[str]) -> list[bool]:
    inside, out = False, []
    for t in texts:
        if t in _QUOTES:
            inside = not inside if t == '"' else t in "“«"
            out.append(False)
        else:
            out.append(inside)
    return out


def reporting_positions(tok: Tokens) -> list[int]:
    """Indices of the sentence's reporting words ("said", "according", ...)."""
    reporting = reporting_words()
    return [i for i, w in enumerate(tok.lows) if w in reporting]


def kind_features(words: Sequence[str]) -> list[str]:
    """Features of a source span's words for named-vs-vague."""
    lows = [w.lower() for w in words]
    caps = sum(1 for j, w in enumerate(words) if j > 0 and w[:1].isupper())
    head = lows[-1] if lows else ""
    first = lows[0] if lows else ""
    feats = ["first=" + first, "head=" + head, "caps=" + str(min(caps, 3)),
             "firstcap=" + str(bool(words) and words[0][:1].isupper() and first not in PRONOUNS),
             "len=" + str(min(len(words), 6))]
    if head in vague_heads() or any(w in vague_heads() for w in lows):
        feats.append("vague-word")
    if first in ("a", "an", "some", "several", "many", "one", "two", "three", "few", "other"):
        feats.append("indefinite")
    if head.endswith("s") and caps == 0 and len(words) <= 3:
        feats.append("plural-common-head")
    return feats


def assertion_features(tok: Tokens) -> list[str]:
    """Features for "is this a checkable claim" (not a question, fragment or bare reaction)."""
    lows, texts = tok.lows, tok.texts
    if not lows:
        return ["empty"]
    last = texts[-1]
    words = [w for w in lows if w[0].isalnum()]
    feats = ["end=" + (last if not last[0].isalnum() else "word"), "len=" + str(min(len(words) // 4, 8)),
             "first=" + lows[0], "startq=" + str(texts[0] in _QUOTES)]
    if "?" in texts:
        feats.append("question-mark")
    if lows[0] in ("i", "we") or "i" in lows:
        feats.append("first-person")
    if texts[-1] in _QUOTES or (len(texts) > 1 and texts[-2] in _QUOTES):
        feats.append("ends-quote")
    caps = sum(1 for t in texts[1:] if t[:1].isupper())
    feats.append("capsratio=" + str(min(int(4 * caps / max(1, len(words))), 4)))
    return feats


# -- the model -----------------------------------------------------------------------------------
@dataclass
class AttributionModel:
    """The four attribution models and their thresholds."""

    sentence: LinearScorer
    source: dict[str, LinearScorer]
    kind: LinearScorer
    assertion: LinearScorer
    thresholds: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    _merged: tuple | None = field(default=None, repr=False, compare=False)

    def attributed_prob(self, tok: Tokens) -> float:
        return sigmoid(self.sentence.decision(iter_sentence_features(tok)))

    def source_spans(self, tok: Tokens) -> list[tuple[int, int]]:
        """Token index ranges ``[i, j)`` tagged as source, decoded left to right (greedy)."""
        table, bias_o, bias_b, bias_i = self._tag_table()
        bias_b += self.thresholds.get("source_bias", 0.0)
        spans: list[tuple[int, int]] = []
        start, prev = None, BOS
        get = table.get
        for i, base in enumerate(source_features(tok)):
            o, b, m = bias_o, bias_b, bias_i
            for f in with_previous_tag(base, prev):
                w = get(f)
                if w is not None:
                    o += w[0]
                    b += w[1]
                    m += w[2]
            # Ties go to the earlier tag in TAGS (O, then B, then I).
            tag = "O" if o >= b and o >= m else ("B" if b >= m else "I")
            if tag == "I" and start is None:
                tag = "B"
            if tag == "B" or tag == "O":
                if start is not None:
                    spans.append((start, i))
                start = i if tag == "B" else None
            prev = tag
        if start is not None:
            spans.append((start, len(tok.lows)))
        return [trim_source(tok, i, j) for i, j in spans]

    def _tag_table(self) -> tuple[dict[str, tuple[float, float, float]], float, float, float]:
        """The three tag scorers merged into one lookup: feature -> (O, B, I) weights."""
        if self._merged is None:
            o, b, i = (self.source[t] for t in TAGS)
            names = set(o.weights) | set(b.weights) | set(i.weights)
            table = {f: (o.weights.get(f, 0.0), b.weights.get(f, 0.0), i.weights.get(f, 0.0)) for f in names}
            self._merged = (table, o.bias, b.bias, i.bias)
        return self._merged

    def is_named(self, words: Sequence[str]) -> bool:
        return sigmoid(self.kind.decision(kind_features(words))) >= self.thresholds["kind"]

    def is_assertion(self, tok: Tokens) -> bool:
        return sigmoid(self.assertion.decision(assertion_features(tok))) >= self.thresholds["assertion"]

    def annotate(self, records: Sequence[SentenceRecord]) -> None:
        """Fill ``attribution``, ``source``, ``assertion`` and ``flags`` of one document's records, in order."""
        last_named = False
        for rec in records:
            tok = Tokens.of(rec.text)
            rec.assertion = bool(tok.lows) and self.is_assertion(tok)
            rec.attribution, rec.source = "none", None
            if tok.lows and self.attributed_prob(tok) >= self.thresholds["sentence"]:
                rec.attribution = "vague"
                spans = [sp for sp in self.source_spans(tok) if not is_topic_not_source(tok, sp[1])]
                if spans:
                    i, j = _main_span(tok, spans)
                    s, e = tok.spans[i].start, tok.spans[j - 1].end
                    rec.source = TextSpan(s, e, rec.text[s:e])
                    words = tok.texts[i:j]
                    if len(words) == 1 and tok.lows[i] in PRONOUNS:
                        named = last_named
                    else:
                        named = self.is_named(words)
                        last_named = last_named or named
                    rec.attribution = "named" if named else "vague"
            rec.flags = flags_for(rec)

    def to_json(self) -> dict:
        return {
            "sentence": self.sentence.to_json(),
            "source": {t: self.source[t].to_json() for t in TAGS},
            "kind": self.kind.to_json(),
            "assertion": self.assertion.to_json(),
            "thresholds": dict(self.thresholds),
        }

    @classmethod
    def from_json(cls, data: Mapping) -> "AttributionModel":
        thresholds = {k: float(v) for k, v in data["thresholds"].items()}
        if set(thresholds) != set(DEFAULT_THRESHOLDS) or not all(
                0 <= v <= 1 if k != "source_bias" else abs(v) < float("inf") for k, v in thresholds.items()):
            raise ValueError(f"attribution thresholds must be {sorted(DEFAULT_THRESHOLDS)}, probabilities in [0, 1]")
        return cls(
            sentence=LinearScorer.from_json(data["sentence"]),
            source={t: LinearScorer.from_json(data["source"][t]) for t in TAGS},
            kind=LinearScorer.from_json(data["kind"]),
            assertion=LinearScorer.from_json(data["assertion"]),
            thresholds=thresholds,
        )


def _main_span(tok: Tokens, spans: list[tuple[int, int]]) -> tuple[int, int]:
    """The source of the main claim: the span nearest a reporting word (the first when there is none)."""
    rv = reporting_positions(tok)  # ascending
    if not rv:
        return spans[0]

    def distance(i: int) -> int:  # to the nearest reporting word, by bisection: spans x words was quadratic
        k = bisect_left(rv, i)
        return min(abs(rv[j] - i) for j in (k - 1, k) if 0 <= j < len(rv))

    return min(spans, key=lambda sp: (min(distance(sp[0]), distance(sp[1] - 1)), sp[0]))


FLAG_DOCS = {
    "unattributed": "an assertion credited to no source at all",
    "vague-source": "an assertion credited only to a vague source (officials, experts, social media)",
    "hedged-unsourced": "a hedged assertion with no named source ('The fighting is reportedly fierce')",
}


def flags_for(rec: SentenceRecord) -> list[str]:
    """The reader warnings for one sentence; sentences that are not assertions get none."""
    if not rec.assertion:
        return []
    flags = []
    if rec.attribution == "none":
        flags.append("unattributed")
    elif rec.attribution == "vague":
        flags.append("vague-source")
    if rec.hedged and rec.attribution != "named":
        flags.append("hedged-unsourced")
    return flags
