"""DataFrames in, DataFrames out: the unit of work for Dask, Spark or any engine that maps over pandas.

:func:`score_frame` scores a pandas DataFrame of texts and returns two frames with the fields of the
JSON Lines records (``SentenceRecord.to_dict`` and ``DocumentSummary.to_dict`` without ``type``), each
led by the row's ``key``. Pass the model as a path (or nothing, for the shipped model): each process
then loads it once and keeps it (:func:`cached_model`), so an engine ships a short string with every
task rather than the model.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from hedge import errors
from hedge.config import Settings
from hedge.model import META_FILE, HedgeModel, default_model_path, load_model
from hedge.records import DocumentSummary, SentenceRecord
from hedge.report import summarize

# The contract's keys in order, taken from the records themselves so they cannot drift apart.
SENTENCE_FIELDS = tuple(SentenceRecord("", 0, 0, 0, "", 0.0, False).to_dict())[1:]
DOCUMENT_FIELDS = tuple(DocumentSummary("", 0, 0.0, 0, 0.0, 0.0, {}, "").to_dict())[1:]
SENTENCE_COLUMNS = ("key", *SENTENCE_FIELDS)
DOCUMENT_COLUMNS = ("key", *DOCUMENT_FIELDS)
_DTYPES = {"doc": "str", "text": "str", "attribution": "str", "summary": "str", "index": "int64", "start": "int64", "end": "int64", "hedge": "float64", "hedged": "bool",
           "sentences": "int64", "assertions": "int64", "hedged_share": "float64",
           "unattributed_share": "float64", "vague_share": "float64"}
_MAX_CACHED = 4
_MODELS: dict[tuple[str, str], HedgeModel] = {}


def cached_model(path: str | os.PathLike[str] | None = None) -> HedgeModel:
    """The model at ``path`` (default: the shipped one), loaded once per process.

    The cache key is the resolved path and the SHA-256 of its ``meta.json`` (which holds the digest of
    the weights), so a model retrained in place is loaded afresh.
    """
    root = Path(path if path is not None else default_model_path()).resolve()
    try:
        digest = hashlib.sha256((root / META_FILE).read_bytes()).hexdigest()
    except OSError:
        return load_model(root)  # raises the model format's own clear error
    key = (str(root), digest)
    model = _MODELS.get(key)
    if model is None:
        model = load_model(root)
        if len(_MODELS) >= _MAX_CACHED:
            _MODELS.clear()
        _MODELS[key] = model
    return model


def resolve_model(model: HedgeModel | str | os.PathLike[str] | None) -> HedgeModel:
    return model if isinstance(model, HedgeModel) else cached_model(model)


def score_rows(model: HedgeModel, keys: Iterable[Any], texts: Iterable[Any], *, settings: Settings | None = None,
               kind: str | Callable[[str], str] = "text",
               where: str = "row") -> Iterator[tuple[Any, str, list[SentenceRecord]]]:
    """Score each text as one document named ``str(key)``, as ``hedge score`` does
    (:func:`hedge.api.score_document`); yields ``(key, doc, records)``. ``kind`` is the input kind
    (text, markdown, html) or a function of the document name giving it.

    A missing text (None) is an empty document; any other value that is not a string is an error.
    """
    from hedge.api import score_document

    settings = settings or Settings()
    for key, text in zip(keys, texts):
        if text is None:
            text = ""
        elif not isinstance(text, str):
            raise errors.InputError(errors.INPUT_NOT_TEXT.format(
                where=where, key=key, kind=type(text).__name__))
        doc = key if isinstance(key, str) else str(key)
        records = score_document(model, text, doc, kind=kind(doc) if callable(kind) else kind, settings=settings)
        yield key, doc, records


def _pandas():
    try:
        import pandas
    except ImportError:
        raise errors.MissingDependency(errors.EXTRA_MISSING.format(what="score_frame", extra="dask",
                                                                  module="pandas")) from None
    return pandas


def score_frame(df, text_column: str = "text", model: HedgeModel | str | os.PathLike[str] | None = None,
                key_column: str | None = None, threshold: float | None = None, *,
                settings: Settings | None = None, kind: str = "text"):
    """Score every row's ``text_column``: returns ``(sentences, documents)`` DataFrames.

    ``key`` is the row's ``key_column`` value, or its index label; ``doc`` is ``str(key)``. Rows keep
    their order, and each document's sentences their order in it. ``settings`` (word lists, flags, a
    threshold: :class:`hedge.config.Settings`) and ``kind`` (text, markdown or html) are those of
    ``hedge score``; ``threshold`` overrides the settings' one.
    """
    pd = _pandas()
    for name, what in ((text_column, "text"), (key_column, "key")):
        if name is not None and name not in df.columns:
            raise errors.InputError(errors.COLUMN_MISSING.format(
                what=what, column=name, columns=", ".join(map(str, df.columns))))
    scorer = resolve_model(model)
    column = df[text_column]
    texts = column.astype(object).where(column.notna(), None)
    keys = df[key_column] if key_column is not None else df.index
    sentences, documents = [], []
    settings = (settings or Settings()).override(threshold=threshold)
    for key, doc, records in score_rows(scorer, keys, texts, settings=settings, kind=kind,
                                        where=f"column {text_column!r}"):
        # to_dict() leads with "type"; the frames lead with the key instead.
        sentences.extend([key, *list(rec.to_dict().values())[1:]] for rec in records)
        documents.append([key, *list(summarize(doc, records).to_dict().values())[1:]])
    return _frame(pd, sentences, SENTENCE_COLUMNS), _frame(pd, documents, DOCUMENT_COLUMNS)


def _frame(pd, rows: list, columns: tuple[str, ...]):
    frame = pd.DataFrame(rows, columns=list(columns))
    return frame.astype({c: t for c, t in _DTYPES.items() if c in frame.columns})


def empty_frames():
    """Empty sentence and document frames with the right columns and types (e.g. Dask's ``meta``)."""
    pd = _pandas()
    return _frame(pd, [], SENTENCE_COLUMNS), _frame(pd, [], DOCUMENT_COLUMNS)
