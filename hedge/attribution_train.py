"""Training the attribution models (scikit-learn, imported only here)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from hedge.attribution import (
    BOS, PRONOUNS, AttributionModel, with_previous_tag, Tokens, assertion_features, kind_features, sentence_features,
    source_features,
)
from hedge.readers import Example
from hedge.linear import LinearScorer
from hedge.train import _export, _logistic, _vectorize, best_threshold

Progress = Callable[[str], None]


def gold_attributed(ex: Example) -> bool | None:
    """Whether the example's claim is credited to a source, or None when the data does not say."""
    if "attributed" in ex.extra:
        return bool(ex.extra["attributed"])
    if ex.attribution is not None:
        return ex.attribution != "none"
    return None


def gold_sources(ex: Example) -> list[tuple[int, int]] | None:
    """Character spans of the source words, or None when the data does not mark them."""
    if "sources" in ex.extra:
        return list(ex.extra["sources"])
    if ex.attribution is not None:
        return [ex.source] if ex.source else []
    return None


def bio_tags(tok: Tokens, spans: Sequence[tuple[int, int]]) -> list[str]:
    """B / I / O per token for the character ``spans``."""
    tags = ["O"] * len(tok.spans)
    for s, e in spans:
        inside = [i for i, (ts, te) in enumerate(tok.spans) if ts < e and te > s]
        for k, i in enumerate(inside):
            tags[i] = "B" if k == 0 else "I"
    return tags


def _fit_tagger(feature_lists, labels, c: float, min_count: int, min_weight: float = 0.0) -> dict:
    """A multinomial logistic regression over B / I / O, exported as one linear scorer per tag."""
    from sklearn.linear_model import LogisticRegression

    vec, matrix = _vectorize(feature_lists, min_count)
    clf = LogisticRegression(C=c, max_iter=300, tol=1e-3).fit(matrix, labels)
    names = vec.get_feature_names_out()
    keep = abs(clf.coef_).max(axis=0) >= max(min_weight, 1e-6)
    out = {}
    for row, tag in enumerate(clf.classes_):
        weights = {str(n): float(f"{w:.6g}") for n, w, k in zip(names, clf.coef_[row], keep) if k}
        out[str(tag)] = LinearScorer(weights, float(f"{clf.intercept_[row]:.6g}"))
    return out


def _fit_binary(feature_lists, labels, c: float, seed: int, min_count: int, min_weight: float = 1e-6):
    vec, matrix = _vectorize(feature_lists, min_count)
    clf = _logistic(c, seed).fit(matrix, labels)
    return _export(vec, clf, min_weight)


def train_attribution(examples: Sequence[Example], dev: Sequence[Example] = (), *, c_sentence: float = 0.1,
                      c_tagger: float = 1.0, source_bias: float = 1.0, seed: int = 0, min_count: int = 2,
                      sentence_min_count: int = 5, sentence_min_weight: float = 0.05, source_min_weight: float = 0.02,
                      progress: Progress | None = None,
                      inherit: Callable[[], AttributionModel | None] | None = None) -> AttributionModel | None:
    """Fit the four attribution models; None when ``examples`` label no attribution at all.

    Data that marks attribution but not named/vague or assertion (PolNeAR alone) takes those two
    parts from ``inherit()`` (the default model), or fails when there is none.
    """
    say = progress or (lambda msg: None)
    labelled = [(ex, gold_attributed(ex)) for ex in examples]
    labelled = [(ex, y) for ex, y in labelled if y is not None]
    if not labelled or len({y for _, y in labelled}) < 2:
        return None
    toks = {id(ex): Tokens.of(ex.text) for ex, _ in labelled}

    say(f"attribution: sentence model on {len(labelled)} sentences")
    sentence = _fit_binary([sentence_features(toks[id(ex)]) for ex, _ in labelled],
                           [int(y) for _, y in labelled], c_sentence, seed, sentence_min_count, sentence_min_weight)

    tag_feats, tag_labels = [], []
    for ex, y in labelled:
        spans = gold_sources(ex)
        if not y or spans is None:
            continue
        tok = toks[id(ex)]
        tags = bio_tags(tok, spans)
        for i, (tag, base) in enumerate(zip(tags, source_features(tok))):
            prev = tags[i - 1] if i else BOS
            tag_feats.append(with_previous_tag(base, prev))
            tag_labels.append(tag)
    say(f"attribution: source tagger on {len(tag_labels)} tokens")
    source = _fit_tagger(tag_feats, tag_labels, c_tagger, min_count, source_min_weight)

    kind_rows, kind_labels = [], []
    assertion_rows, assertion_labels = [], []
    for ex, _ in labelled:
        tok = toks[id(ex)]
        if ex.assertion is not None and tok.lows:
            assertion_rows.append(assertion_features(tok))
            assertion_labels.append(int(ex.assertion))
        if ex.attribution in ("named", "vague") and ex.source is not None:
            words = [t for (s, e), t in zip(tok.spans, tok.texts) if s < ex.source[1] and e > ex.source[0]]
            if words and not (len(words) == 1 and words[0].lower() in PRONOUNS):
                kind_rows.append(kind_features(words))
                kind_labels.append(int(ex.attribution == "named"))
    if len(set(kind_labels)) < 2 or len(set(assertion_labels)) < 2:
        base = inherit() if inherit else None
        if base is None:
            raise ValueError("attribution training needs sentences labelled named and vague, and assertion "
                             "true and false (the news corpus in datasets/news has them)")
        say("attribution: no named/vague or assertion labels; those two parts come from the default model")
        kind, assertion = base.kind, base.assertion
    else:
        say(f"attribution: kind model on {len(kind_labels)} sources, assertion model on {len(assertion_labels)}")
        kind = _fit_binary(kind_rows, kind_labels, 1.0, seed, 1)
        assertion = _fit_binary(assertion_rows, assertion_labels, 1.0, seed, 1)
    model = AttributionModel(sentence=sentence, source=source, kind=kind, assertion=assertion)
    model.thresholds["source_bias"] = source_bias

    dev_labelled = [(ex, gold_attributed(ex)) for ex in dev]
    dev_labelled = [(ex, y) for ex, y in dev_labelled if y is not None]
    if dev_labelled:
        probs = [model.attributed_prob(Tokens.of(ex.text)) for ex, _ in dev_labelled]
        model.thresholds["sentence"] = best_threshold([y for _, y in dev_labelled], probs)
    return model
