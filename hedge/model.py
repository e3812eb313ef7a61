"""The hedge model: scoring, and its safe, versioned file format.

A model is a directory holding ``meta.json`` (what it is, how it was made, how well it did) and
``weights.json`` (the linear models as plain lists). Nothing on the load path can run code from the
files: they are parsed as JSON, checked against the format version, their digest and their shapes.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from hedge import __version__, errors
from hedge.features import cue_features, sentence_features
from hedge.linear import HashedScorer, LinearScorer, scorer_from_json, sigmoid
from hedge.positions import LineIndex, locate
from hedge.records import SentenceRecord, TextSpan
from hedge.text import Span, split_sentences, token_strings, tokenize

FORMAT_NAME = "hedge-model"
FORMAT_VERSION = 1  # the cue model is a table of feature strings
HASHED_FORMAT_VERSION = 2  # the cue model is hashed (`hedge train --streaming`); older hedges refuse it cleanly
READ_VERSIONS = (FORMAT_VERSION, HASHED_FORMAT_VERSION)
META_FILE = "meta.json"
WEIGHTS_FILE = "weights.json"
MAX_FILE_BYTES = 256 * 1024 * 1024
REPO_MODEL = Path(__file__).resolve().parent.parent / "model"


@dataclass
class SentenceScore:
    """What the hedge models say about one sentence's text."""

    hedge: float
    hedged: bool
    cues: list[TextSpan]


@dataclass
class HedgeModel:
    """A trained hedge model: cue candidates, the token cue model and the sentence model."""

    candidates: frozenset[str]
    cue: LinearScorer | HashedScorer
    sentence: LinearScorer
    threshold: float = 0.5
    meta: dict[str, Any] = field(default_factory=dict)
    attribution: Any = None  # hedge.attribution.AttributionModel, when trained
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    # -- scoring -----------------------------------------------------------------------------
    def score_texts(self, texts: Iterable[str], threshold: float | None = None) -> list[SentenceScore]:
        """Score many sentences' texts: ``[score_text(t, threshold) for t in texts]``, faster.

        This is the fast path (:mod:`hedge.fastscore`); it gives exactly the numbers of
        :meth:`reference_score_text`. It is built on first use from the model's parts, which are
        not to be changed in place afterwards.
        """
        # Keyed by the candidates' value: copies of the model with the same candidates share it.
        fast = self._cache.get(("fast", self.candidates))
        if fast is None or not (fast.cue is self.cue and fast.sentence is self.sentence):
            from hedge.fastscore import FastScorer

            fast = self._cache[("fast", self.candidates)] = FastScorer(self.candidates, self.cue, self.sentence)
        return fast.score_texts(texts, self.threshold if threshold is None else threshold)

    def score_text(self, text: str, threshold: float | None = None) -> SentenceScore:
        """Score one sentence's text: probability, decision and cue spans."""
        return self.score_texts((text,), threshold)[0]

    def candidate_logits(self, text: str) -> tuple[list[int], list[float]]:
        """Indices (into ``token_strings(text)``) of the candidate tokens, and each one's cue logit."""
        toks = token_strings(text)
        lows = [t.lower() for t in toks]
        cands = [i for i, w in enumerate(lows) if w in self.candidates]
        return cands, [self.cue.decision(cue_features(toks, lows, i)) for i in cands]

    def reference_score_text(self, text: str, threshold: float | None = None) -> SentenceScore:
        """The plain, unoptimised scoring that :meth:`score_text` must reproduce exactly."""
        if not text.strip():
            return SentenceScore(0.0, False, [])
        cands, logits = self.candidate_logits(text)
        prob = sigmoid(self.sentence.decision_dense(sentence_features(logits)))
        hedged = prob >= (self.threshold if threshold is None else threshold)
        cues: list[TextSpan] = []
        if hedged and cands:
            chosen = [i for i, x in zip(cands, logits) if x > 0.0]
            if not chosen:
                chosen = [cands[max(range(len(logits)), key=logits.__getitem__)]]
            spans = tokenize(text)
            cues = merge_adjacent(text, [spans[i] for i in chosen])
        return SentenceScore(prob, hedged, cues)

    def score(self, text: str, doc: str = "<text>", threshold: float | None = None,
              lines: bool = False, units: Sequence[Span] | None = None, *, offset: int = 0,
              first_index: int = 0, index: LineIndex | None = None) -> list[SentenceRecord]:
        """Split ``text`` (or take each line, with ``lines=True``, or the given ``units``) and score
        every sentence. Records carry 1-based line and column numbers into ``text``.

        For a piece of a longer input (see :mod:`hedge.stream`): records start at ``first_index``,
        their offsets are ``offset`` plus those in ``text``, and ``index`` gives lines and columns."""
        if units is None:
            units = _line_spans(text) if lines else split_sentences(text)
        texts = [text[start:end] for start, end in units]
        records = [SentenceRecord(doc, first_index + n, offset + start, offset + end, sent, s.hedge, s.hedged, s.cues)
                   for n, ((start, end), sent, s) in enumerate(zip(units, texts, self.score_texts(texts, threshold)))]
        if self.attribution is not None:
            self.attribution.annotate(records)
        locate(records, text, index)
        return records


def merge_adjacent(text: str, spans: list[Span]) -> list[TextSpan]:
    """Join cue tokens separated only by white space ("is thought") into one span."""
    merged: list[list[int]] = []
    for s, e in sorted(spans):
        if merged and not text[merged[-1][1]:s].strip():
            merged[-1][1] = e
        else:
            merged.append([s, e])
    return [TextSpan(s, e, text[s:e]) for s, e in merged]


def _line_spans(text: str) -> list[Span]:
    """One span per line, empty lines included, without the line break."""
    if not text:
        return []
    spans, pos = [], 0
    for line in text.split("\n"):
        spans.append(Span(pos, pos + len(line.rstrip("\r"))))
        pos += len(line) + 1
    if text.endswith("\n"):
        spans.pop()
    return spans


# -- file format --------------------------------------------------------------------------------
def default_model_path() -> Path:
    """The model shipped with the package (inside the wheel), or the repository's ``model/``."""
    packaged = resources.files("hedge") / "_default_model"
    if packaged.is_dir():
        return Path(str(packaged))
    return REPO_MODEL


def save_model(model: HedgeModel, path: str | os.PathLike[str]) -> Path:
    """Write ``model`` to directory ``path`` atomically: all files appear at once or none change."""
    out = Path(path)
    weights = {
        "candidates": sorted(model.candidates),
        "cue": model.cue.to_json(),
        "sentence": model.sentence.to_json(),
    }
    if model.attribution is not None:
        weights["attribution"] = model.attribution.to_json()
    weights_bytes = _dump(weights, compact=True)
    meta = dict(model.meta)
    meta.update({
        "format": FORMAT_NAME,
        "format_version": HASHED_FORMAT_VERSION if isinstance(model.cue, HashedScorer) else FORMAT_VERSION,
        "threshold": model.threshold,
        "files": {WEIGHTS_FILE: hashlib.sha256(weights_bytes).hexdigest()},
    })
    meta.setdefault("hedge_version", __version__)
    files = {META_FILE: _dump(meta), WEIGHTS_FILE: weights_bytes}
    _atomic_write_dir(out, files)
    return out


def _dump(obj: Any, compact: bool = False) -> bytes:
    if compact:  # weights: large, read by machines
        return (json.dumps(obj, separators=(",", ":"), sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
    return (json.dumps(obj, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def _atomic_write_dir(out: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` into a fresh sibling directory, then swap it in with renames."""
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists() and not out.is_dir():
        raise errors.HedgeError(f"{out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not _is_model_dir(out):
        raise errors.HedgeError(f"{out} is a directory that is not a hedge model; refusing to replace it")
    from hedge import atomic

    atomic.remove_stale(out)
    tmp = Path(tempfile.mkdtemp(prefix=atomic.temp_prefix(out), dir=out.parent))
    old = None
    try:
        os.chmod(tmp, atomic.usual_mode(directory=True))
        for name, data in files.items():
            with open(tmp / name, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        if out.exists():
            old = out.with_name(atomic.temp_prefix(out, "old") + "dir")
            os.replace(out, old)
        os.replace(tmp, out)
    except BaseException:
        if old is not None and old.exists() and not os.path.lexists(out):
            os.replace(old, out)  # interrupted between the two renames: put the earlier model back
        _remove_tree(tmp)
        raise
    if old is not None:
        _remove_tree(old)


def _is_model_dir(path: Path) -> bool:
    """Whether ``path`` holds a hedge model and nothing else (so replacing it loses nothing)."""
    names = {p.name for p in path.iterdir()}
    if not names <= {META_FILE, WEIGHTS_FILE} or META_FILE not in names:
        return False
    try:
        read_meta(path)
    except errors.ModelFormatError:
        return False
    return True


def _remove_tree(path: Path) -> None:
    if path.is_dir():
        for child in path.iterdir():
            child.unlink()
        path.rmdir()


def _read_capped(path: Path) -> bytes:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise errors.ModelFormatError(errors.MODEL_CORRUPT.format(
            path=path, why=f"{size} bytes is larger than a hedge model can be"))
    return path.read_bytes()


def _parse_json(path: Path, data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # bad UTF-8 or JSON, too deep, or a number too long
        raise errors.ModelFormatError(errors.MODEL_FOREIGN.format(
            path=path, why=f"not JSON: {exc.__class__.__name__}")) from None


def read_meta(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and check a model's ``meta.json`` (format name and version)."""
    root = Path(path)
    meta_path = root / META_FILE
    if not root.exists():
        raise errors.ModelFormatError(errors.MODEL_MISSING.format(path=root))
    if not root.is_dir():
        raise errors.ModelFormatError(errors.MODEL_FOREIGN.format(
            path=root, why="a hedge model is a directory with meta.json and weights.json"))
    if not meta_path.is_file():
        raise errors.ModelFormatError(errors.MODEL_MISSING.format(path=root))
    meta = _parse_json(meta_path, _read_capped(meta_path))
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
        raise errors.ModelFormatError(errors.MODEL_FOREIGN.format(
            path=meta_path, why=f"its format is not {FORMAT_NAME!r}"))
    version = meta.get("format_version")
    if type(version) is not int or version not in READ_VERSIONS:
        raise errors.ModelFormatError(errors.MODEL_VERSION.format(
            path=root, found=version, expected=" or ".join(map(str, READ_VERSIONS)), hedge=__version__))
    return meta


def load_model(path: str | os.PathLike[str] | None = None) -> HedgeModel:
    """Load a model directory (the shipped default when ``path`` is None), checking every part."""
    root = Path(path) if path is not None else default_model_path()
    meta = read_meta(root)
    weights_path = root / WEIGHTS_FILE
    if not weights_path.is_file():
        raise errors.ModelFormatError(errors.MODEL_CORRUPT.format(path=root, why=f"{WEIGHTS_FILE} is missing"))
    data = _read_capped(weights_path)
    files = meta.get("files")
    expected = files.get(WEIGHTS_FILE) if isinstance(files, dict) else None
    if hashlib.sha256(data).hexdigest() != expected:
        raise errors.ModelFormatError(errors.MODEL_CORRUPT.format(
            path=root, why=f"{WEIGHTS_FILE} does not match the digest in {META_FILE} (truncated or edited)"))
    weights = _parse_json(weights_path, data)
    try:
        candidates = weights["candidates"]
        if not isinstance(candidates, list) or not all(isinstance(c, str) for c in candidates):
            raise ValueError("candidates is not a list of words")
        threshold = float(meta["threshold"])
        if not (0.0 <= threshold <= 1.0) or math.isnan(threshold):
            raise ValueError(f"threshold {threshold} is outside [0, 1]")
        cue = scorer_from_json(weights["cue"])
        if isinstance(cue, HashedScorer) and meta["format_version"] < HASHED_FORMAT_VERSION:
            raise ValueError(f"a hashed cue model needs format version {HASHED_FORMAT_VERSION}")
        model = HedgeModel(
            candidates=frozenset(candidates),
            cue=cue,
            sentence=LinearScorer.from_json(weights["sentence"]),
            threshold=threshold,
            meta=meta,
        )
        if "attribution" in weights:
            from hedge.attribution import AttributionModel

            model.attribution = AttributionModel.from_json(weights["attribution"])
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:  # JSON of the wrong shape
        why = f"missing part {exc}" if isinstance(exc, KeyError) else str(exc)
        raise errors.ModelFormatError(errors.MODEL_CORRUPT.format(path=root, why=why)) from None
    return model

