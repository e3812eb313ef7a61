"""The Python API behind the CLI: score inputs, train a model, evaluate one."""

from __future__ import annotations

import dataclasses
import io
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hedge import errors
from hedge.config import Settings
from hedge.gate import Finding, findings, over_the_bar
from hedge.inputs import TextInput, input_size, read_input, stream_input
from hedge.markup import kind_for, prepare, restore_text
from hedge.model import HedgeModel, load_model, save_model
from hedge.positions import LineIndex, locate
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
    _apply_settings(records, model, settings, text)
    return records, prose


def _apply_settings(records: list[SentenceRecord], model: HedgeModel, settings: Settings, text: str,
                    index: LineIndex | None = None) -> None:
    """The project's extra cues (placed in ``text``, or by ``index``) and its choice of flags."""
    add_extra_cues(records, settings.extra_cues, flags=model.attribution is not None)
    if settings.flags is not None:
        for rec in records:
            rec.flags = [f for f in rec.flags if f in settings.flags]
    if settings.extra_cues:
        locate(records, text, index)


@dataclass
class RunResult:
    """What a scoring run found: inputs that could not be read, and documents over the fail bar."""

    documents: int = 0
    failed: int = 0
    findings: list[Finding] = field(default_factory=list)


STREAM_BYTES = 1 << 20  # plain-text files larger than this are scored in chunks, in bounded memory


@dataclass(frozen=True)
class _Job:
    """How to score each input (sent to worker processes with ``jobs``)."""

    settings: Settings
    lines: bool
    input_format: str
    explain: bool
    only_flagged: bool
    keep_text: bool  # the html report shows the documents
    render: tuple | None = None  # (format, color, summaries): workers write a streaming format themselves


@dataclass
class _Scored:
    """One input scored: its records (or, rendered by a worker, its output) and its findings."""

    records: list[SentenceRecord] | None
    shown: list[SentenceRecord] | None
    why: dict | None
    text: str | None
    prose: str | None
    rendered: str | None = None
    findings: list[Finding] = field(default_factory=list)


@dataclass(frozen=True)
class _Unreadable:
    """An input that could not be read (a message, not the exception: that crosses processes)."""

    message: str


def score_inputs(model: HedgeModel, items: Sequence[TextInput], writer, *, settings: Settings | None = None,
                 threshold: float | None = None, lines: bool = False, input_format: str = "auto",
                 explain: bool = False, on_error: Callable[[str], None] = print, only_flagged: bool = False,
                 progress: Callable[[str], None] | None = None, jobs: int = 1,
                 model_path: str | os.PathLike[str] | None = None) -> RunResult:
    """Score each input into ``writer`` (all sentences, or with ``only_flagged`` those with a flag;
    summaries and fail rules count every sentence); unreadable inputs are reported through ``on_error``.

    Large plain-text inputs (and stdin) are read and scored in chunks, in bounded memory, when the
    writer's format streams. With ``jobs`` > 1, files are scored in that many worker processes, each
    loading the model from ``model_path`` (None: the default model) once, so ``model`` must be that
    model; the output is the same, in the same order."""
    settings = settings or Settings()
    if threshold is not None:
        settings = settings.override(threshold=threshold)
    job = _Job(settings, lines, input_format, explain, only_flagged, keep_text=writer.fmt == "html")
    result = RunResult()
    items = list(items)
    streamed = [_streams(item, job, writer) for item in items]
    i = 0
    while i < len(items):
        if streamed[i]:
            _stream_document(model, items[i], writer, job, result, on_error)
            if progress is not None:
                progress(items[i].name)
            i += 1
            continue
        j = i + 1
        while j < len(items) and not streamed[j] and items[j].path is not None and items[i].path is not None:
            j += 1
        run = items[i:j]  # files scored whole (stdin is read here, never by a worker)
        if jobs > 1 and len(run) > 1:
            from joblib import Parallel, delayed

            from hedge.report import Writer

            path = None if model_path is None else str(model_path)
            if type(writer) is Writer and writer.streams:  # workers write, the output is only copied here
                job = dataclasses.replace(job, render=(writer.fmt, writer.color, writer.summaries))
            outcomes = Parallel(n_jobs=jobs, return_as="generator")(
                delayed(_score_in_worker)(path, item, job) for item in run)
        else:
            outcomes = (_score_item(model, item, job) for item in run)
        for item, scored in zip(run, outcomes):
            if isinstance(scored, _Unreadable):
                on_error(scored.message)
                result.failed += 1
                if progress is not None:
                    progress(item.name)
                continue
            if scored.rendered is not None:
                writer.stream.write(scored.rendered)
            else:
                writer.document(item.name, scored.records, scored.shown, text=scored.text,
                                explanations=scored.why, prose=scored.prose)
            result.documents += 1
            result.findings += scored.findings
            if progress is not None:
                progress(item.name)
        i = j
    return result


def _streams(item: TextInput, job: _Job, writer) -> bool:
    if not writer.streams or (not job.lines and kind_for(item.name, job.input_format) != "text"):
        return False
    size = input_size(item)
    return item.path is None or (size is not None and size > STREAM_BYTES)


def _score_item(model: HedgeModel, item: TextInput, job: _Job) -> _Scored | _Unreadable:
    """One whole input scored; an input that cannot be read gives its error message."""
    try:
        text = read_input(item)
    except errors.InputError as exc:
        return _Unreadable(str(exc))
    kind = "text" if job.lines else kind_for(item.name, job.input_format)
    settings = job.settings
    records, prose = _score_document(model, text, item.name, kind, settings, job.lines)
    shown = [r for r in records if r.flags] if job.only_flagged else records
    why = _explanations(model, shown, prose, 0, settings) if job.explain else None
    found = over_the_bar(item.name, records, settings.fail_on, settings.fail_over) if settings.fail_on else []
    if job.render is not None:
        from hedge.report import Writer

        out = io.StringIO()
        writer = Writer(out, *job.render)
        out.seek(0)
        out.truncate()  # a csv header: the real writer has written it
        writer.document(item.name, records, shown, explanations=why)
        return _Scored(None, None, None, None, None, out.getvalue(), found)
    return _Scored(records, shown, why, text if job.keep_text else None, prose if job.keep_text else None,
                   findings=found)


_WORKER_MODELS: dict[str | None, HedgeModel] = {}


def _score_in_worker(model_path: str | None, item: TextInput, job: _Job) -> _Scored | _Unreadable:
    """:func:`_score_item` in a worker process, which loads the model once."""
    model = _WORKER_MODELS.get(model_path)
    if model is None:
        model = _WORKER_MODELS[model_path] = load_model(model_path)
    return _score_item(model, item, job)


def _stream_document(model: HedgeModel, item: TextInput, writer, job: _Job, result: RunResult,
                     on_error: Callable[[str], None]) -> None:
    """Score one plain-text input chunk by chunk, writing as it goes; only counts are kept."""
    from hedge.report import Tally
    from hedge.stream import score_stream

    settings = job.settings
    scorer = without_words(model, settings.never_flag)
    tally = Tally()
    begun = False
    try:
        for records, chunk, where in score_stream(scorer, stream_input(item), item.name,
                                                  threshold=settings.threshold, lines=job.lines):
            _apply_settings(records, scorer, settings, chunk.text, where)
            if not begun:
                writer.begin(item.name)
                begun = True
            shown = [r for r in records if r.flags] if job.only_flagged else records
            why = (_explanations(model, shown, chunk.prose or chunk.text, chunk.offset, settings)
                   if job.explain else None)
            writer.part(shown, why)
            tally.add(records)
    except errors.InputError as exc:
        if begun:
            writer.end(None)  # what was read before the bad bytes is written; there is no summary
        on_error(str(exc))
        result.failed += 1
        return
    if not begun:
        writer.begin(item.name)
    writer.end(tally.summary(item.name))
    result.documents += 1
    if settings.fail_on:
        result.findings += findings(item.name, tally, settings.fail_on, settings.fail_over)


def _explanations(model: HedgeModel, shown: Sequence[SentenceRecord], prose: str, offset: int,
                  settings: Settings) -> dict:
    """Why each shown sentence scored as it did, by sentence index (``prose`` starts at ``offset``)."""
    from hedge.explain import explain_sentence

    scorer = without_words(model, settings.never_flag)
    return {rec.index: explain_sentence(scorer, prose[rec.start - offset:rec.end - offset], settings.threshold,
                                        settings.extra_cues) for rec in shown}


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
