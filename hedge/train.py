"""Training: fit the cue model and the sentence model with scikit-learn, then export plain weights.

The cue model is a logistic regression over the context features of every *candidate* token (a word of
the cue lexicon, or one seen inside a cue span in the training data). Its target is "this token is part
of a cue span" when the data marks cues, and the sentence label otherwise. The sentence model is a
logistic regression over the sentence's candidate logits (max, second, count), fitted on out-of-fold
logits so that its probabilities are calibrated on tokens the cue model did not see.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections import Counter
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import asdict, dataclass

from hedge import __version__
from hedge.features import cue_families, cue_features, sentence_features
from hedge.linear import LinearScorer
from hedge.model import HedgeModel
from hedge.readers import Example
from hedge.text import token_strings, tokenize

Progress = Callable[[str], None]


@dataclass(frozen=True)
class TrainConfig:
    """Every training setting; saved in the model's meta.json."""

    c_cue: float = 0.5
    c_sentence: float = 1.0
    folds: int = 5
    min_cue_count: int = 2
    min_cue_rate: float = 0.05
    min_feature_count: int = 2
    seed: int = 0
    threshold: float | None = None  # None: choose the F1-best threshold on dev (or out-of-fold)
    c_attribution: float = 0.1
    c_source: float = 1.0
    source_bias: float = 1.0
    # Model size: the attribution sentence model keeps features seen this often and weights this large;
    # the source tagger keeps features whose largest tag weight is this large (measured: no F1 lost).
    attribution_min_count: int = 5
    attribution_min_weight: float = 0.05
    source_min_weight: float = 0.02


@dataclass
class _Instances:
    features: list[list[str]]
    labels: list[int]
    sentence_of: list[int]


def _tokens(text: str) -> tuple[list[tuple[int, int]], list[str], list[str]]:
    spans = tokenize(text)
    toks = [text[s:e] for s, e in spans]
    return spans, toks, [t.lower() for t in toks]


def choose_candidates(examples: Sequence[Example], config: TrainConfig) -> frozenset[str]:
    """Lexicon words plus words seen inside cue spans often enough to be worth scoring."""
    in_cue = cue_word_counts(examples)
    return pick_candidates(in_cue, word_counts(examples, in_cue), config)


def cue_word_counts(examples: Iterable[Example]) -> Counter[str]:
    """How often each (lower-cased, alphabetic) word occurs inside a cue span."""
    in_cue: Counter[str] = Counter()
    for ex in examples:
        if not ex.cues:
            continue
        spans, _, lows = _tokens(ex.text)
        for (s, e), w in zip(spans, lows):
            if any(s < ce and e > cs for cs, ce in ex.cues) and w[:1].isalpha():
                in_cue[w] += 1
    return in_cue


def word_counts(examples: Iterable[Example], words: Container[str]) -> Counter[str]:
    """How often each of ``words`` occurs anywhere (only these are counted: no whole vocabulary)."""
    total: Counter[str] = Counter()
    for ex in examples:
        total.update(w for w in map(str.lower, token_strings(ex.text)) if w in words)
    return total


def pick_candidates(in_cue: Counter[str], total: Counter[str], config: TrainConfig) -> frozenset[str]:
    learned = {w for w, n in in_cue.items()
               if n >= config.min_cue_count and n / total[w] >= config.min_cue_rate}
    return frozenset(cue_families()) | frozenset(learned)


def _instances(examples: Sequence[Example], candidates: frozenset[str]) -> _Instances:
    feats, labels, owner = [], [], []
    for n, ex in enumerate(examples):
        toks = token_strings(ex.text)
        lows = [t.lower() for t in toks]
        if candidates.isdisjoint(lows):
            continue  # most sentences: no spans needed
        spans = tokenize(ex.text) if ex.cues else []
        for i, w in enumerate(lows):
            if w not in candidates:
                continue
            if ex.cues is None:
                label = ex.hedged
            elif not ex.cues:
                label = False
            else:
                s, e = spans[i]
                label = any(s < ce and e > cs for cs, ce in ex.cues)
            feats.append(cue_features(toks, lows, i))
            labels.append(int(label))
            owner.append(n)
    return _Instances(feats, labels, owner)


def _vectorize(feature_lists: list[list[str]], min_count: int):
    from sklearn.feature_extraction import DictVectorizer

    counts = Counter(f for fl in feature_lists for f in set(fl))
    keep = {f for f, c in counts.items() if c >= min_count}
    vec = DictVectorizer(dtype=float, sort=True)
    matrix = vec.fit_transform([{f: 1.0 for f in fl if f in keep} for fl in feature_lists])
    return vec, _int32(matrix)


def _int32(matrix):
    """liblinear takes only 32-bit sparse indices."""
    matrix = matrix.tocsr()
    matrix.indices = matrix.indices.astype("int32")
    matrix.indptr = matrix.indptr.astype("int32")
    return matrix


def _logistic(c: float, seed: int):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, solver="liblinear", random_state=seed, max_iter=2000)


def _export(vec, clf, min_weight: float = 1e-6) -> LinearScorer:
    """The fitted weights as a :class:`LinearScorer`, dropping those smaller than ``min_weight``."""
    names = vec.get_feature_names_out()
    weights = {str(n): float(f"{w:.6g}") for n, w in zip(names, clf.coef_[0]) if abs(w) >= min_weight}
    return LinearScorer(weights, float(f"{clf.intercept_[0]:.6g}"))


def _sentence_rows(n_sentences: int, owner: list[int], logits) -> list[dict[str, float]]:
    per: list[list[float]] = [[] for _ in range(n_sentences)]
    for sent, logit in zip(owner, logits):
        per[sent].append(float(logit))
    return [sentence_features(x) for x in per]


def data_digest(examples: Iterable[Example]) -> str:
    """A SHA-256 over the training examples' texts and labels, in order."""
    h = hashlib.sha256()
    for ex in examples:
        digest_example(h, ex)
    return h.hexdigest()


def digest_example(h, ex: Example) -> None:
    """Add one example to the running digest ``h`` (see :func:`data_digest`)."""
    h.update(json.dumps([ex.text, ex.hedged, ex.cues], ensure_ascii=False).encode("utf-8"))
    h.update(b"\n")


def best_threshold(labels: Sequence[bool], probs: Sequence[float]) -> float:
    """The threshold in [0.05, 0.95] with the best F1; ties go to the one nearest 0.5."""
    from sklearn.metrics import f1_score

    grid = [round(0.05 + 0.01 * i, 2) for i in range(91)]
    scored = [(f1_score(labels, [p >= t for p in probs], zero_division=0.0), -abs(t - 0.5), t)
              for t in grid]
    return max(scored)[2]


def train(examples: Sequence[Example], config: TrainConfig | None = None,
          dev: dict[str, Sequence[Example]] | None = None,
          progress: Progress | None = None) -> HedgeModel:
    """Fit a :class:`HedgeModel` on ``examples``; ``dev`` sets pick the threshold and give metrics."""
    from sklearn.model_selection import GroupKFold

    config = config or TrainConfig()
    say = progress or (lambda msg: None)
    all_examples, examples = examples, [ex for ex in examples if ex.hedged is not None]
    if not examples:
        raise ValueError("no training examples labelled for hedging")
    labels = [ex.hedged for ex in examples]
    if all(labels) or not any(labels):
        raise ValueError("training data needs both hedged and not-hedged sentences")
    say(f"choosing cue candidates from {len(examples)} sentences")
    candidates = choose_candidates(examples, config)
    inst = _instances(examples, candidates)
    if len(set(inst.labels)) < 2:
        raise ValueError("no candidate token is labelled both ways; the data has too few cues")
    say(f"vectorizing {len(inst.labels)} candidate tokens")
    vec, matrix = _vectorize(inst.features, config.min_feature_count)

    # Out-of-fold cue logits for the sentence model.
    groups = [examples[n].doc for n in inst.sentence_of]
    n_groups = len(set(groups))
    folds = min(config.folds, n_groups)
    oof = [0.0] * len(inst.labels)
    if folds >= 2:
        for k, (tr, te) in enumerate(GroupKFold(n_splits=folds).split(matrix, inst.labels, groups)):
            say(f"cue model, fold {k + 1}/{folds}")
            ys = [inst.labels[i] for i in tr]
            if len(set(ys)) < 2:
                continue
            clf = _logistic(config.c_cue, config.seed).fit(matrix[tr], ys)
            for i, x in zip(te, clf.decision_function(matrix[te])):
                oof[i] = float(x)
    say("cue model, all data")
    cue_clf = _logistic(config.c_cue, config.seed).fit(matrix, inst.labels)
    if folds < 2:
        oof = [float(x) for x in cue_clf.decision_function(matrix)]
    cue = _export(vec, cue_clf)

    say("sentence model")
    rows = _sentence_rows(len(examples), inst.sentence_of, oof)
    sentence, oof_probs = fit_sentence_model(rows, labels, config)
    model = HedgeModel(candidates=candidates, cue=cue, sentence=sentence, threshold=0.5)
    dev_sets = {k: v for k, v in (dev or {}).items() if v}
    model.threshold = choose_threshold(model, config, dev_sets, labels, oof_probs)
    say(f"threshold {model.threshold}")

    from hedge.attribution_train import train_attribution

    model.attribution = train_attribution(
        all_examples, [ex for exs in dev_sets.values() for ex in exs], c_sentence=config.c_attribution,
        c_tagger=config.c_source, source_bias=config.source_bias, seed=config.seed,
        min_count=config.min_feature_count, sentence_min_count=config.attribution_min_count,
        sentence_min_weight=config.attribution_min_weight, source_min_weight=config.source_min_weight,
        progress=say, inherit=lambda: _inherited_attribution()[0])
    attribution_origin = "trained"
    if model.attribution is None:
        model.attribution, attribution_origin = _inherited_attribution()

    data = {"sentences": len(examples), "hedged": sum(labels), "digest": data_digest(examples)}
    model.meta = model_meta(model, config, data, attribution_origin, dev_sets)
    return model


def model_meta(model: HedgeModel, config: TrainConfig, data: dict, attribution: str,
               dev_sets: dict[str, Sequence[Example]]) -> dict:
    """What goes in meta.json: versions, the data's size and digest, the config and dev metrics."""
    from hedge.evaluate import evaluate_all

    return {
        "hedge_version": __version__,
        "trained_with": _library_versions(),
        "labels": {"hedged": [False, True]},
        "data": data,
        "config": asdict(config),
        "attribution": attribution,
        "metrics": {name: evaluate_all(model, exs)["tasks"] for name, exs in dev_sets.items()},
    }


def fit_sentence_model(rows: list[dict[str, float]], labels: Sequence[bool],
                       config: TrainConfig) -> tuple[LinearScorer, list[float]]:
    """The sentence model over out-of-fold cue-logit features, and its probabilities on ``rows``."""
    from sklearn.feature_extraction import DictVectorizer

    svec = DictVectorizer(dtype=float, sort=True)
    smatrix = _int32(svec.fit_transform(rows))
    sent_clf = _logistic(config.c_sentence, config.seed).fit(smatrix, labels)
    return _export(svec, sent_clf), [float(p) for p in sent_clf.predict_proba(smatrix)[:, 1]]


def choose_threshold(model: HedgeModel, config: TrainConfig, dev_sets: dict[str, Sequence[Example]],
                     labels: Sequence[bool], oof_probs: Sequence[float]) -> float:
    """The configured threshold, else the F1-best one on the pooled dev sets, else out of fold."""
    hedge_dev = [ex for exs in dev_sets.values() for ex in exs if ex.hedged is not None]
    if config.threshold is not None:
        return config.threshold
    if hedge_dev:
        return best_threshold([ex.hedged for ex in hedge_dev], [model.score_text(ex.text).hedge for ex in hedge_dev])
    return best_threshold(labels, oof_probs)


def _inherited_attribution():
    """The shipped model's attribution part, for data that labels hedging only."""
    from hedge.errors import ModelFormatError
    from hedge.model import load_model

    try:
        base = load_model()
    except ModelFormatError:
        return None, "none (no attribution labels in the data and no default model to inherit from)"
    return base.attribution, f"inherited from the default model (data digest {base.meta['data']['digest'][:12]})"


def _library_versions() -> dict[str, str]:
    import numpy
    import sklearn

    return {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
            "numpy": numpy.__version__}
