"""The Python API behind the CLI: score inputs, train a model, evaluate one."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hedge.config import Settings
from hedge.gate import Finding, over_the_bar
from hedge.inputs import TextInput, iter_texts
from hedge.markup import kind_for, prepare, restore_text
from hedge.model import HedgeModel, load_model, save_model
from hedge.positions import locate
from hedge.records import SentenceRecord
from hedge.wordlists import add_extra_cues, without_words


def score_text(text: str, model: HedgeModel | None = None, doc: str = "<text>") -> list[SentenceRecord]:
    """Score a text with ``model`` (default: the shipped model)."""
    return (model or load_model()).score(text, doc=doc)


def score_document(model: HedgeModel, text: str, doc: str = "<text>", *, kind: str = "text",
                   settings: Settings | None = None, lines: bool = False) -> list[SentenceRecord]:
    """Score one document as ``hedge score`` does: the prose of a plain, Markdown or HTML text, with
    ``hedge: ignore`` markers, the project's word lists and flag choice from ``settings``."""
    return _score_document(model, text, doc, kind, settings or Settings(), lines)[0]


def _score_document(model: HedgeModel, text: str, doc: str, kind: str, settings: Settings,
                    lines: bool) -> tuple[list[SentenceRecord], str]:
    """The records, and the prose they were scored on (offsets are the same as in ``text``)."""
    model = without_words(model, settings.never_flag)
    if lines:
        prose = text
        records = model.score(text, doc=doc, threshold=settings.threshold, lines=True)
    else:
        prepared = prepare(text, kind)
        prose = prepared.text
        records = model.score(prose, doc=doc, threshold=settings.threshold, units=prepared.units)
        restore_text(records, text)
    add_extra_cues(records, settings.extra_cues, flags=model.attribution is not None)
    if settings.flags is not None:
        for rec in records:
            rec.flags = [f for f in rec.flags if f in settings.flags]
    locate(records, text)
    return records, prose


@dataclass
class RunResult:
    """What a scoring run found: inputs that could not be read, and documents over the fail bar."""

    documents: int = 0
    failed: int = 0
    findings: list[Finding] = field(default_factory=list)


def score_inputs(model: HedgeModel, items: Sequence[TextInput], writer, *, settings: Settings | None = None,
                 threshold: float | None = None, lines: bool = False, input_format: str = "auto",
                 explain: bool = False, on_error: Callable[[str], None] = print, only_flagged: bool = False,
                 progress: Callable[[str], None] | None = None) -> RunResult:
    """Score each input into ``writer`` (all sentences, or with ``only_flagged`` those with a flag;
    summaries and fail rules count every sentence); unreadable inputs are reported through ``on_error``."""
    settings = settings or Settings()
    if threshold is not None:
        settings = settings.override(threshold=threshold)
    result = RunResult()
    for item, text in iter_texts(list(items)):
        if isinstance(text, Exception):
            on_error(str(text))
            result.failed += 1
        else:
            kind = "text" if lines else kind_for(item.name, input_format)
            records, prose = _score_document(model, text, item.name, kind, settings, lines)
            shown = [r for r in records if r.flags] if only_flagged else records
            why = None
            if explain:
                from hedge.explain import explain_sentence

                scorer = without_words(model, settings.never_flag)
                why = {rec.index: explain_sentence(scorer, prose[rec.start:rec.end], settings.threshold,
                                                   settings.extra_cues) for rec in shown}
            writer.document(item.name, records, shown, text=text, explanations=why, prose=prose)
            result.documents += 1
            if settings.fail_on:
                result.findings += over_the_bar(item.name, records, settings.fail_on, settings.fail_over)
        if progress is not None:
            progress(item.name)
    return result


def train_model(sources, out: str | os.PathLike[str] | None = None, config=None, progress=None,
                streaming=None) -> HedgeModel:
    """Read ``sources`` (:class:`~hedge.trainset.DataSource` objects, or paths of labelled data files),
    train, and (when ``out`` is given) save atomically. Nothing is written on error.

    With ``streaming`` (a :class:`hedge.train_stream.StreamConfig`) the data is read in chunks and never
    held whole, and the cue model is hashed (see :mod:`hedge.train_stream`).
    """
    from hedge.trainset import DataSource, load_sources

    sources = list(sources)
    paths = tuple(str(s) for s in sources if not isinstance(s, DataSource))
    sources = [s for s in sources if isinstance(s, DataSource)]
    if paths:
        sources.append(DataSource(name="data", paths=paths))
    if streaming is not None:
        from hedge.train_stream import train_streaming

        model = train_streaming(sources, config, streaming, progress=progress)
    else:
        from hedge.train import train

        data = load_sources(sources)
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
