"""The Python API behind the CLI: score inputs, train a model, evaluate one."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from hedge.inputs import TextInput, iter_texts
from hedge.model import HedgeModel, load_model, save_model
from hedge.records import SentenceRecord


def score_text(text: str, model: HedgeModel | None = None, doc: str = "<text>") -> list[SentenceRecord]:
    """Score a text with ``model`` (default: the shipped model)."""
    return (model or load_model()).score(text, doc=doc)


def score_inputs(model: HedgeModel, items: Sequence[TextInput], writer, *, threshold: float | None = None,
                 lines: bool = False, on_error: Callable[[str], None] = print, only_flagged: bool = False) -> int:
    """Score each input into ``writer``; returns how many inputs could not be read."""
    failed = 0
    for item, text in iter_texts(list(items)):
        if isinstance(text, Exception):
            on_error(str(text))
            failed += 1
            continue
        records = model.score(text, doc=item.name, threshold=threshold, lines=lines)
        shown = [r for r in records if r.flags] if only_flagged else records
        writer.document(item.name, records, shown)
    return failed


def train_model(sources, out: str | os.PathLike[str] | None, config=None, progress=None,
                streaming=None) -> HedgeModel:
    """Read ``sources``, train, and (when ``out`` is given) save atomically. Nothing is written on error.

    With ``streaming`` (a :class:`hedge.train_stream.StreamConfig`) the data is read in chunks and never
    held whole, and the cue model is hashed (see :mod:`hedge.train_stream`).
    """
    if streaming is not None:
        from hedge.train_stream import train_streaming

        model = train_streaming(list(sources), config, streaming, progress=progress)
        if out is not None:
            save_model(model, out)
        return model
    from hedge.train import train
    from hedge.trainset import load_sources

    data = load_sources(list(sources))
    model = train(data.train, config, dev=data.dev, progress=progress)
    if out is not None:
        save_model(model, out)
    return model


def evaluate_data(paths: Sequence[str | Path], model: HedgeModel | str | Path | None = None,
                  fmt: str | None = None, split: str | None = None, threshold: float | None = None) -> dict:
    """Metrics of ``model`` on labelled data: hedging always, attribution when the data has it."""
    from hedge.evaluate import evaluate_all
    from hedge.readers import read_examples

    if not isinstance(model, HedgeModel):
        model = load_model(model)
    examples = read_examples(list(paths), fmt, split)
    if not examples:
        raise ValueError("no labelled examples to evaluate" + (f" in split {split!r}" if split else ""))
    return evaluate_all(model, examples, threshold=threshold)
