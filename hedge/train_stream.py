"""Out-of-core training (``hedge train --streaming``): the data is read in chunks, again for each pass,
and never held whole.

The cue model is a logistic regression fitted by ``SGDClassifier(loss="log_loss").partial_fit`` over
*hashed* cue features (:func:`hedge.linear.feature_hash` of the strings :func:`hedge.features.cue_features`
makes), so no table of feature strings has to fit in memory either; it is saved as a
:class:`~hedge.linear.HashedScorer`. The passes over the data:

1. count the words inside cue spans (for the cue candidates), the sentences and the data digest;
2. count how often those words occur anywhere (only those: no vocabulary);
3. ``epochs`` passes of ``partial_fit``, each chunk shuffled, for the cue model on all the data and for
   one model per fold of documents;
4. the out-of-fold cue logits of each sentence, from the model that did not see its document: a fixed-size
   random sample of them (with the labels) fits the sentence model and, without dev data, the threshold,
   exactly as :func:`hedge.train.train` does with all of them.

What is held in memory is one chunk, the weight vectors, the sample and the dev sets (held-out data
is read whole: keep it modest). The attribution part is inherited from the shipped model.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from itertools import islice
from pathlib import Path

from hedge.linear import HashedScorer, feature_hash
from hedge.model import HedgeModel
from hedge.readers import Example, data_files, iter_file, read_examples
from hedge.train import (
    TrainConfig, _inherited_attribution, _instances, _sentence_rows, choose_threshold, cue_word_counts,
    digest_example, fit_sentence_model, model_meta, pick_candidates, word_counts,
)
from hedge.trainset import DataSource, in_dev

Progress = Callable[[str], None]


@dataclass(frozen=True)
class StreamConfig:
    """Settings of streaming training; saved in meta.json under ``"streaming"``."""

    chunk_size: int = 5000  # examples per chunk
    epochs: int = 6
    n_features: int = 2 ** 20  # hash buckets of the cue model
    alpha: float = 1e-4  # SGD's L2 penalty
    folds: int = 2  # document folds for the sentence model's out-of-fold logits
    sample_size: int = 100_000  # sentences kept for the sentence model and the threshold (~300 bytes each)

    def __post_init__(self) -> None:
        for name in ("chunk_size", "epochs", "n_features", "sample_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"streaming {name} must be at least 1")
        if self.folds < 2:
            raise ValueError("streaming folds must be at least 2")
        if not self.alpha > 0:
            raise ValueError("streaming alpha must be above 0")


def source_stream(src: DataSource) -> Iterator[Example]:
    """One source's training examples labelled for hedging (its dev part left out), read lazily."""
    for given in src.paths:
        for path in data_files(Path(given)):
            for ex in iter_file(path, src.fmt):
                if src.split is not None and ex.split != src.split:
                    continue
                if ex.hedged is None or (src.dev_fraction and in_dev(ex.doc, src.dev_fraction)):
                    continue
                yield ex


def mixed(streams: Sequence[Iterator[Example]], sizes: Sequence[int]) -> Iterator[Example]:
    """The streams merged in proportion to their sizes, so that SGD never sees one source for long:
    the next example comes from the stream that has given the smallest share of its size so far."""
    taken = [0] * len(streams)
    live = [i for i, n in enumerate(sizes) if n > 0]
    while live:
        i = min(live, key=lambda k: (taken[k] / sizes[k], k))
        ex = next(streams[i], None)
        if ex is None:
            live.remove(i)
            continue
        taken[i] += 1
        yield ex


def dev_sets(sources: Sequence[DataSource]) -> dict[str, list[Example]]:
    """Each source's dev files and held-out documents, read into memory."""
    out = {}
    for src in sources:
        dev = read_examples(list(src.dev), src.fmt) if src.dev else []
        if src.dev_fraction:
            dev += [ex for path in src.paths for ex in _held_out(path, src)]
        if dev:
            out[src.name] = dev
    return out


def _held_out(given: str, src: DataSource) -> Iterator[Example]:
    for path in data_files(Path(given)):
        for ex in iter_file(path, src.fmt):
            if (src.split is None or ex.split == src.split) and in_dev(ex.doc, src.dev_fraction):
                yield ex


def chunks(examples: Iterable[Example], size: int) -> Iterator[list[Example]]:
    it = iter(examples)
    while chunk := list(islice(it, size)):
        yield chunk


def hashed_matrix(feature_lists: list[list[str]], n_features: int):
    """A CSR matrix of the hashed, signed features (colliding features add up, as at scoring time)."""
    import numpy as np
    from scipy.sparse import csr_matrix

    indices, values, indptr = [], [], [0]
    for feats in feature_lists:
        for f in feats:
            index, sign = feature_hash(f, n_features)
            indices.append(index)
            values.append(sign)
        indptr.append(len(indices))
    matrix = csr_matrix((np.array(values, dtype=np.float64), np.array(indices, dtype=np.int64),
                         np.array(indptr, dtype=np.int64)), shape=(len(feature_lists), n_features))
    matrix.sum_duplicates()
    return matrix


def fold_of(doc: str, folds: int) -> int:
    """A document's fold: stable across runs and machines."""
    return int.from_bytes(hashlib.sha256(doc.encode("utf-8")).digest()[:8], "little") % folds


def train_streaming(sources: Sequence[DataSource], config: TrainConfig | None = None,
                    stream: StreamConfig | None = None, progress: Progress | None = None,
                    attribution=None) -> HedgeModel:
    """Train a :class:`HedgeModel` with a hashed cue model, reading ``sources`` in chunks.

    The attribution part is ``attribution`` (an :class:`~hedge.attribution.AttributionModel`), else the
    shipped model's."""
    import numpy as np

    config, stream = config or TrainConfig(), stream or StreamConfig()
    say = progress or (lambda msg: None)
    dev = dev_sets(sources)

    say("pass 1: counting sentences and cue words")
    digest, stats, sizes = hashlib.sha256(), {"sentences": 0, "hedged": 0}, [0] * len(sources)

    def counted() -> Iterator[Example]:
        for n, src in enumerate(sources):
            for ex in source_stream(src):
                digest_example(digest, ex)
                sizes[n] += 1
                stats["hedged"] += bool(ex.hedged)
                yield ex
        stats["sentences"] = sum(sizes)

    in_cue = cue_word_counts(counted())

    def examples() -> Iterator[Example]:
        return mixed([source_stream(src) for src in sources], sizes)

    if not stats["sentences"]:
        raise ValueError("no training examples labelled for hedging")
    if stats["hedged"] in (0, stats["sentences"]):
        raise ValueError("training data needs both hedged and not-hedged sentences")
    say(f"pass 2: counting {len(in_cue)} cue words in {stats['sentences']} sentences")
    candidates = pick_candidates(in_cue, word_counts(examples(), in_cue), config)

    full = _sgd(stream, config.seed)
    by_fold = [_sgd(stream, config.seed + 1 + k) for k in range(stream.folds)]
    seen: set[int] = set()
    for epoch in range(stream.epochs):
        say(f"pass {3 + epoch}: cue model, epoch {epoch + 1}/{stream.epochs}")
        rng = np.random.default_rng([config.seed, epoch])
        for chunk in chunks(examples(), stream.chunk_size):
            inst = _instances(chunk, candidates)
            if not inst.labels:
                continue
            order = rng.permutation(len(inst.labels))
            matrix = hashed_matrix(inst.features, stream.n_features)[order]
            labels = np.array(inst.labels)[order]
            folds = np.array([fold_of(chunk[n].doc, stream.folds) for n in inst.sentence_of])[order]
            full.partial_fit(matrix, labels, classes=[0, 1])
            seen.update(labels.tolist())
            for k, model in enumerate(by_fold):
                rows = folds != k
                if rows.any():
                    model.partial_fit(matrix[rows], labels[rows], classes=[0, 1])
    if len(seen) < 2:
        raise ValueError("no candidate token is labelled both ways; the data has too few cues")

    say(f"pass {3 + stream.epochs}: out-of-fold cue logits for the sentence model")
    sample: list[tuple[dict[str, float], bool]] = []
    rng_sample = random.Random(config.seed)
    count = 0
    for chunk in chunks(examples(), stream.chunk_size):
        inst = _instances(chunk, candidates)
        oof: list[float] = []
        if inst.labels:
            matrix = hashed_matrix(inst.features, stream.n_features)
            logits = np.stack([m.decision_function(matrix) for m in by_fold])
            folds = [fold_of(chunk[n].doc, stream.folds) for n in inst.sentence_of]
            oof = [float(logits[k, i]) for i, k in enumerate(folds)]
        for row, ex in zip(_sentence_rows(len(chunk), inst.sentence_of, oof), chunk):
            count += 1
            if len(sample) < stream.sample_size:
                sample.append((row, bool(ex.hedged)))
            else:  # reservoir sampling: every sentence is kept with the same chance
                j = rng_sample.randrange(count)
                if j < stream.sample_size:
                    sample[j] = (row, bool(ex.hedged))
    rows, labels = [r for r, _ in sample], [y for _, y in sample]
    if len(set(labels)) < 2:
        raise ValueError("the sample of sentences has only one label; raise the sample size")
    sentence, oof_probs = fit_sentence_model(rows, labels, config)
    model = HedgeModel(candidates=candidates, cue=_export_hashed(full, stream), sentence=sentence)
    model.threshold = choose_threshold(model, config, dev, labels, oof_probs)
    say(f"threshold {model.threshold}")
    if attribution is None:
        model.attribution, origin = _inherited_attribution()
    else:
        model.attribution, origin = attribution, "given by the caller of train_streaming"
    data = {**stats, "digest": digest.hexdigest()}
    model.meta = model_meta(model, config, data, origin, dev)
    model.meta["streaming"] = asdict(stream)
    return model


def _sgd(stream: StreamConfig, seed: int):
    from sklearn.linear_model import SGDClassifier

    return SGDClassifier(loss="log_loss", alpha=stream.alpha, random_state=seed)


def _export_hashed(clf, stream: StreamConfig) -> HashedScorer:
    weights = {int(i): float(f"{w:.6g}") for i, w in enumerate(clf.coef_[0]) if abs(w) >= 1e-6}
    return HashedScorer(stream.n_features, weights, float(f"{clf.intercept_[0]:.6g}"))

