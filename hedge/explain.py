"""Why a sentence scored as it did: the signed contributions (weight x value) of the linear models.

The sentence model adds up a baseline and what its candidates' cue scores contribute; each candidate
word's cue score is the cue model's baseline plus the weights of its context features. Every term is
shown in words from the table below, e.g. ``w|nc1=may|NUM`` is "'may' before a number".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from hedge.features import BOS, EOS, cue_features, sentence_features
from hedge.model import HedgeModel
from hedge.text import tokenize

# How each cue-model feature reads. The names are the parts of the feature name before "=":
# {w} {p1} {n1} {p2} {n2} are words, {pc1} {nc1} {pc2} {nc2} word classes, {fam} the cue family,
# {sh} the shape of the word. Phrase features ("p1|w", "w|n1", ...) read as the words in a row.
FEATURE_WORDS = {
    "w": "cue word {w}",
    "fam": "{w} is {fam}",
    "sh": "any cue word {sh}",
    "w|sh": "{w} {sh}",
    "p1": "after {p1}",
    "n1": "before {n1}",
    "p2": "{p2} two words before",
    "n2": "{n2} two words after",
    "pc1": "after {pc1}",
    "nc1": "before {nc1}",
    "w|pc1": "{w} after {pc1}",
    "w|nc1": "{w} before {nc1}",
    "w|pc1|nc1": "{w} between {pc1} and {nc1}",
    "w|nc1|nc2": "{w} before {nc1}, then {nc2}",
    "w|pc2|pc1": "{w} after {pc2}, then {pc1}",
    "fam|pc1": "{fam} after {pc1}",
    "fam|nc1": "{fam} before {nc1}",
    "fam|pc1|nc1": "{fam} between {pc1} and {nc1}",
    "quoted": "inside a quotation",
}
PHRASES = frozenset({"p1|w", "w|n1", "w|n1|n2", "p2|p1|w"})
CLASS_WORDS = {
    "det": "a determiner", "adv": "an adverb", "be": "a form of 'be'", "conj": "a conjunction",
    "do": "a form of 'do'", "have": "a form of 'have'", "modal": "a modal verb", "neg": "a negation",
    "prep": "a preposition", "pron": "a pronoun", "to": "'to'", "wh": "a wh-word", "month": "a month name",
    "NUM": "a number", "CAP": "a capitalised word", "UP": "a word in capitals", "low": "a lower-case word",
    "Q": "a quotation mark", BOS: "the start of the sentence", EOS: "the end of the sentence",
}
# A lower-case word right after a modal is nearly always its verb ("may rain").
AFTER_MODAL = {"low": "a verb"}
FAMILY_WORDS = {
    "modal": "a modal verb", "adverb": "a hedging adverb", "adjective": "a hedging adjective",
    "verb": "a hedging verb", "reportive": "a reporting word", "doxastic": "a word of belief",
    "noun": "a hedging noun", "conditional": "a conditional", "none": "not in the cue list",
}
EDGE_WORDS = {("p1", BOS): "{w} at the start of the sentence", ("p2", BOS): "{w} near the start of the sentence",
              ("n1", EOS): "{w} at the end of the sentence", ("n2", EOS): "{w} near the end of the sentence",
              ("p1", EOS): "{w} at the end of the sentence", ("p2", EOS): "{w} near the end of the sentence",
              ("n1", BOS): "{w} at the start of the sentence", ("n2", BOS): "{w} near the start of the sentence"}
SHAPE_WORDS = {"first": "opening the sentence", "CAP": "capitalised", "UP": "in capitals",
               "low": "in lower case", "NUM": "with digits"}


def _quote(word: str) -> str:
    return f"'{word}'"


def _class(label: str, family: str) -> str:
    if family == "modal" and label in AFTER_MODAL:
        return AFTER_MODAL[label]
    if label in CLASS_WORDS:
        return CLASS_WORDS[label]
    if label.startswith("cue-"):
        return "another cue word (" + FAMILY_WORDS.get(label[4:], label[4:]) + ")"
    return _quote(label)  # a punctuation mark


def _phrase(words: list[str]) -> str:
    inner = [w for w in words if w not in (BOS, EOS)]
    text = _quote(" ".join(inner))
    if words[0] == BOS:
        return f"{text} opening the sentence"
    if words[-1] == EOS:
        return f"{text} ending the sentence"
    return f"the words {text}"


def describe_feature(feature: str, word: str) -> str:
    """A cue-model feature of candidate ``word`` in words ("'may' before a number")."""
    name, _, value = feature.partition("=")
    if name in PHRASES:
        return _phrase(value.split("|"))
    template = FEATURE_WORDS.get(name)
    parts = name.split("|")
    values = value.split("|") if value else []
    if template is None or len(values) != len(parts) and name != "quoted":
        return feature
    family = dict(zip(parts, values)).get("fam", "")
    if not family:
        from hedge.features import cue_families

        family = cue_families().get(word, "none")
    slots = {"w": _quote(word)}
    for part, val in zip(parts, values):
        if part == "w":
            slots["w"] = _quote(val)
        elif part in ("p1", "n1", "p2", "n2"):
            if val in (BOS, EOS):  # "after the start of the sentence": at its start, or near it
                return EDGE_WORDS[part, val].format(**slots)
            slots[part] = _quote(val)
        elif part in ("pc1", "nc1", "pc2", "nc2"):
            slots[part] = _class(val, family if part == "nc1" else "")
        elif part == "fam":
            slots["fam"] = FAMILY_WORDS.get(val, val)
        elif part == "sh":
            slots["sh"] = SHAPE_WORDS.get(val, "next to " + _quote(val))
    try:
        return template.format(**slots)
    except KeyError:
        return feature


@dataclass
class Reason:
    """One signed term of a model's log-odds, with its feature name and its reading in words."""

    weight: float
    feature: str
    words: str


@dataclass
class Candidate:
    """A word that can be a cue: where it is, its cue score (log-odds) and the terms that make it."""

    word: str
    start: int
    end: int
    score: float
    cue: bool
    reasons: list[Reason]


@dataclass
class Explanation:
    """Why one sentence got its score: the sentence model's terms and each candidate's."""

    text: str
    hedge: float
    hedged: bool
    threshold: float
    sentence: list[Reason]
    candidates: list[Candidate] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)  # configured extra cues found in the sentence

    def to_dict(self, top: int | None = None) -> dict:
        def reasons(rs: list[Reason]) -> list[dict]:
            return [{"weight": round(r.weight, 4), "feature": r.feature, "words": r.words} for r in rs[:top]]

        return {
            "text": self.text, "hedge": round(self.hedge, 4), "hedged": self.hedged,
            "threshold": self.threshold, "sentence": reasons(self.sentence),
            "candidates": [{"word": c.word, "start": c.start, "end": c.end, "score": round(c.score, 4),
                            "cue": c.cue, "reasons": reasons(c.reasons)} for c in self.candidates],
            "extra_cues": list(self.rules),
        }


def explain_sentence(model: HedgeModel, text: str, threshold: float | None = None,
                     extra_cues: Sequence[str] = ()) -> Explanation:
    """Explain ``model``'s score for one sentence, exactly: the terms add up to the log-odds."""
    from hedge.wordlists import find_phrases

    scored = model.score_text(text, threshold)
    cands, logits = model.candidate_logits(text)
    spans = tokenize(text)
    tokens = [text[s:e] for s, e in spans]
    lows = [t.lower() for t in tokens]
    cue_spans = [(c.start, c.end) for c in scored.cues]
    candidates = []
    for i, logit in zip(cands, logits):
        s, e = spans[i]
        reasons = [Reason(w, f, describe_feature(f, lows[i]))
                   for f, w in model.cue.contributions(cue_features(tokens, lows, i))]
        reasons.append(Reason(model.cue.bias, "bias", "baseline of the cue model"))
        reasons.sort(key=lambda r: -abs(r.weight))
        candidates.append(Candidate(tokens[i], s, e, logit, any(a <= s and e <= b for a, b in cue_spans),
                                    reasons))
    ranked = sorted(candidates, key=lambda c: -c.score)
    sentence = [Reason(w, f, _sentence_words(f, v, ranked))
                for f, v, w in _dense_terms(model, sentence_features(logits) if text.strip() else {})]
    sentence.append(Reason(model.sentence.bias, "bias", "baseline of the sentence model"))
    sentence.sort(key=lambda r: -abs(r.weight))
    rules = [text[s:e] for s, e in find_phrases(text, extra_cues)]
    return Explanation(text, scored.hedge, scored.hedged or bool(rules),
                       model.threshold if threshold is None else threshold, sentence, candidates, rules)


def _dense_terms(model: HedgeModel, feats: dict[str, float]) -> list[tuple[str, float, float]]:
    get = model.sentence.weights.get
    return [(f, v, get(f, 0.0) * v) for f, v in feats.items() if get(f, 0.0) * v != 0.0]


def _sentence_words(feature: str, value: float, ranked: list[Candidate]) -> str:
    if feature == "max":
        return f"strongest candidate {_quote(ranked[0].word)} (cue score {value:+.2f})"
    if feature == "second":
        if len(ranked) > 1:
            return f"second candidate {_quote(ranked[1].word)} (cue score {value:+.2f})"
        return "no second candidate"
    if feature == "n_pos":
        n = int(value)
        return f"{n} candidate{'s' if n != 1 else ''} scored as a cue"
    if feature == "none":
        return "no possible cue word in the sentence"
    return feature


def explanation_lines(exp: Explanation, top: int = 5, indent: str = "", every: bool = True) -> list[str]:
    """The explanation as text: the sentence's terms, then each candidate's strongest terms (with
    ``every=False`` only the cues', or the strongest candidate's when none is a cue)."""
    verdict = "hedged" if exp.hedged else "not hedged"
    out = [f"{indent}hedge {exp.hedge:.2f}: {verdict} (threshold {exp.threshold:.2f})"]
    for phrase in exp.rules:
        out.append(f"{indent}  cue {_quote(phrase)} is in your configuration's extra-cues: hedged by rule")
    out.append(f"{indent}  sentence score (log-odds):")
    out += [f"{indent}    {r.weight:+6.2f}  {r.words}" for r in exp.sentence]
    shown = sorted(exp.candidates, key=lambda c: -c.score)
    if not every:
        shown = [c for c in shown if c.cue] or shown[:1]
    for cand in shown:
        role = "a cue" if cand.cue else "not a cue"
        out.append(f"{indent}  {_quote(cand.word)} at {cand.start}: cue score {cand.score:+.2f}, {role}")
        out += [f"{indent}    {r.weight:+6.2f}  {r.words}" for r in cand.reasons[:top]]
        rest = cand.reasons[top:]
        if rest:
            out.append(f"{indent}    {sum(r.weight for r in rest):+6.2f}  {len(rest)} smaller terms")
    return out
