"""The ``hedge`` command: parses options and calls library functions; errors become one line + exit 2."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Optional

import typer

from hedge import errors

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="How sure is this text, and who says so? Hedging and attribution signals per sentence.")

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def fail(message: str) -> None:
    """Print one clean line on stderr and exit 2."""
    typer.echo(f"hedge: error: {message}", err=True)
    raise typer.Exit(EXIT_ERROR)


def warn(message: str) -> None:
    typer.echo(f"hedge: warning: {message}", err=True)


def clean_errors(func: Callable) -> Callable:
    """Turn library errors into one line and exit code 2; a closed stdout pipe exits quietly."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except errors.HedgeError as exc:
            fail(str(exc))
        except (ValueError, OSError) as exc:
            if isinstance(exc, BrokenPipeError):
                _quiet_broken_pipe()
            fail(f"{exc.__class__.__name__}: {exc}" if isinstance(exc, OSError) else str(exc))
        except KeyboardInterrupt:
            typer.echo("hedge: interrupted", err=True)
            raise typer.Exit(130) from None

    return wrapper


def _quiet_broken_pipe() -> None:
    # The reader went away (`hedge score big.txt | head`): stop without a traceback.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    raise typer.Exit(EXIT_OK)


ModelOpt = Annotated[Optional[Path], typer.Option("--model", "-m", help="Model directory (default: the shipped model).")]
ConfigOpt = Annotated[Optional[Path], typer.Option("--config", help="A hedge configuration file (default: .hedge.toml or [tool.hedge] in pyproject.toml, from here upwards).")]
NoConfigOpt = Annotated[bool, typer.Option("--no-config", help="Ignore configuration files.")]
ThresholdOpt = Annotated[Optional[float], typer.Option("--threshold", help="Override the model's threshold (0-1).")]


def _settings(config: Path | None, no_config: bool, **overrides):
    """The configuration file's settings with the command-line options that were given on top."""
    from hedge.config import Settings, load_settings

    if config is not None and no_config:
        fail("give either --config or --no-config, not both")
    base = Settings() if no_config else load_settings(config)
    return base.override(**overrides)


def _check_threshold(threshold: float | None) -> None:
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        fail(f"--threshold {threshold} is outside [0, 1]")


@app.command()
@clean_errors
def score(
    inputs: Annotated[list[str], typer.Argument(help="Files, directories (*.txt, *.md, *.html) or - for stdin.")],
    model: ModelOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, jsonl, json, csv, github (Actions annotations) or html.")] = "table",
    lines: Annotated[bool, typer.Option("--lines", help="Score each input line as one unit (plain text).")] = False,
    threshold: ThresholdOpt = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write to this file (atomically) instead of stdout.")] = None,
    color: Annotated[Optional[bool], typer.Option("--color/--no-color", help="Highlight cues with colour (default: when stdout is a terminal).")] = None,
    only_flagged: Annotated[bool, typer.Option("--only-flagged", help="Show only sentences with a flag (summaries still count every sentence).")] = False,
    input_format: Annotated[str, typer.Option("--input-format", help="auto (by file suffix), text, markdown or html.")] = "auto",
    explain: Annotated[bool, typer.Option("--explain", help="Say why each sentence scored as it did.")] = False,
    fail_on: Annotated[Optional[list[str]], typer.Option("--fail-on", help="Exit 1 when a document has these findings: hedged, unattributed, vague-source, hedged-unsourced (repeat or comma-separate).")] = None,
    fail_over: Annotated[Optional[float], typer.Option("--fail-over", help="With --fail-on: exit 1 only when a document's share of findings is over this (0-1).")] = None,
    config: ConfigOpt = None,
    no_config: NoConfigOpt = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar on stderr.")] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Score files in this many processes (same output, same order).")] = 1,
    dask: Annotated[Optional[str], typer.Option("--dask", metavar="ADDRESS|local:N", help="Score one INPUT (a directory of text files, a Parquet file or dataset, or a .jsonl file) on a Dask cluster: a scheduler address, or local:N worker processes. Writes --output (.jsonl or .parquet). Needs pip install 'hedge[dask]'.")] = None,
    text_column: Annotated[str, typer.Option("--text-column", help="With --dask: the text field of Parquet or JSON Lines rows.")] = "text",
    key_column: Annotated[Optional[str], typer.Option("--key-column", help="With --dask: the field naming each row (default: the row number of Parquet, the line number of JSON Lines).")] = None,
    blocksize: Annotated[str, typer.Option("--blocksize", help="With --dask: about this much input per task, e.g. 16MB.")] = "16MB",
) -> None:
    """Score every sentence for hedging; show cue words, attribution and flags.

    Exit status: 0 when nothing is over the bar, 1 when a --fail-on rule is met, 2 on a usage or
    input error.
    """
    from hedge import progress
    from hedge.api import score_inputs
    from hedge.inputs import expand_inputs
    from hedge.markup import kind_for
    from hedge.model import load_model
    from hedge.report import EXPLAIN_FORMATS, OUTPUT_FORMATS, Writer

    if fmt not in OUTPUT_FORMATS:
        fail(f"unknown format {fmt!r}; choose from {', '.join(OUTPUT_FORMATS)}")
    if explain and fmt not in EXPLAIN_FORMATS:
        fail(f"--explain works with --format {', '.join(EXPLAIN_FORMATS)}, not {fmt}")
    _check_threshold(threshold)
    if fail_over is not None and not 0.0 <= fail_over <= 1.0:
        fail(f"--fail-over {fail_over} is outside [0, 1]")
    kind_for("-", input_format)  # checks the name
    kinds = tuple(k.strip() for item in fail_on or () for k in item.split(",") if k.strip())
    settings = _settings(config, no_config, threshold=threshold, fail_on=kinds or None, fail_over=fail_over)
    if dask is not None:
        given = [name for name, on in (("--format", fmt != "table"), ("--lines", lines), ("--color", color is not None),
                                       ("--only-flagged", only_flagged), ("--explain", explain),
                                       ("--fail-on", bool(kinds)), ("--fail-over", fail_over is not None)) if on]
        if given:
            fail(f"--dask writes the format of --output's extension (.jsonl or .parquet) and takes none of "
                 f"{', '.join(given)}")
        _score_on_dask(dask, inputs, output, model or settings.model, settings, input_format, text_column,
                       key_column, blocksize, quiet)
        return
    items = expand_inputs(inputs)
    loaded = load_model(model or settings.model)
    with _output_stream(output) as stream:
        use_color = color if color is not None else (output is None and stream.isatty())
        writer = Writer(stream, fmt, color=use_color, summaries=not lines)
        with progress.file_bar(len(items), progress.wanted(quiet)) as advance:
            result = score_inputs(loaded, items, writer, settings=settings, lines=lines, input_format=input_format,
                                  explain=explain, on_error=warn, only_flagged=only_flagged, progress=advance,
                                  jobs=jobs, model_path=model or settings.model)
        writer.close()
    if result.failed:
        warn(f"{result.failed} input(s) could not be read")
        raise typer.Exit(EXIT_ERROR)
    if result.findings:
        bar = f" over {settings.fail_over:g}" if settings.fail_over is not None else ""
        docs = len({f.doc for f in result.findings})
        warn(f"{docs} of {result.documents} document(s) over the bar "
             f"(fail-on {','.join(settings.fail_on)}{bar}):")
        for finding in result.findings:
            typer.echo(f"  {finding.describe()}", err=True)
        raise typer.Exit(EXIT_FINDINGS)


@app.command("explain")
@clean_errors
def explain_cmd(
    text: Annotated[str, typer.Argument(help="The sentence(s) to explain, or - to read them from stdin.")],
    model: ModelOpt = None,
    threshold: ThresholdOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    top: Annotated[int, typer.Option("--top", help="Terms to show per cue candidate.", min=1)] = 8,
    config: ConfigOpt = None,
    no_config: NoConfigOpt = False,
) -> None:
    """Why a sentence is (not) hedged: the model's strongest reasons, signed, in words."""
    import json

    from hedge.explain import explain_sentence, explanation_lines
    from hedge.inputs import STDIN, TextInput, read_input
    from hedge.model import load_model
    from hedge.text import split_sentences
    from hedge.wordlists import without_words

    if fmt not in ("table", "json"):
        fail(f"unknown format {fmt!r}; choose from table, json")
    _check_threshold(threshold)
    settings = _settings(config, no_config, threshold=threshold)
    if text == STDIN:
        text = read_input(TextInput("<stdin>", None))
    units = split_sentences(text)
    if not units:
        fail("nothing to explain: the text is empty")
    scorer = without_words(load_model(model or settings.model), settings.never_flag)
    found = [explain_sentence(scorer, text[s:e], settings.threshold, settings.extra_cues) for s, e in units]
    if fmt == "json":
        typer.echo(json.dumps([e.to_dict(top=top) for e in found], ensure_ascii=False, indent=1))
        return
    for n, exp in enumerate(found):
        if n:
            typer.echo("")
        typer.echo(exp.text)
        typer.echo("\n".join(explanation_lines(exp, top=top, indent="  ")))


def _score_on_dask(scheduler: str, inputs: list[str], output: Path | None, model: Path | None, settings,
                   input_format: str, text_column: str, key_column: str | None, blocksize: str, quiet: bool) -> None:
    from hedge.archive import parse_bytes, score_archive

    if len(inputs) != 1:
        fail("--dask scores one INPUT: a directory of text files, a Parquet file or dataset, or a .jsonl file")
    if output is None:
        fail("--dask needs --output OUT.jsonl or OUT.parquet")
    say = (lambda msg: None) if quiet else (lambda msg: typer.echo(f"hedge: {msg}", err=True))
    result = score_archive(inputs[0], output, scheduler, model=model, settings=settings, input_format=input_format,
                           text_column=text_column, key_column=key_column, blocksize=parse_bytes(blocksize),
                           progress=say)
    for message in result.unreadable:
        warn(message)
    say(f"wrote {output}: {result.documents} documents, {result.sentences} sentences")
    if result.unreadable:
        warn(f"{len(result.unreadable)} input(s) could not be read")
        raise typer.Exit(EXIT_ERROR)


class _output_stream:
    """stdout, or a temporary file renamed over ``path`` only when everything was written."""

    def __init__(self, path: Path | None) -> None:
        self.path, self.tmp = path, None

    def __enter__(self):
        if self.path is None:
            return sys.stdout
        import tempfile

        from hedge import atomic

        target = self.path.absolute()
        atomic.remove_stale(target)
        fd, self.tmp = tempfile.mkstemp(prefix=atomic.temp_prefix(target), dir=target.parent)
        os.chmod(fd, atomic.usual_mode(directory=False))
        self.fh = os.fdopen(fd, "w", encoding="utf-8", newline="")
        return self.fh

    def __exit__(self, exc_type, exc, tb):
        if self.path is None:
            return False
        self.fh.close()
        if exc_type is None or (exc_type is typer.Exit and exc.exit_code in (EXIT_OK, EXIT_FINDINGS)):
            os.replace(self.tmp, self.path)
        else:
            os.unlink(self.tmp)
        return False


@app.command()
@clean_errors
def train(
    data: Annotated[Optional[list[str]], typer.Argument(help="Labelled data files or directories.")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Model directory to write.")] = Path("hedge-model"),
    fmt: Annotated[Optional[str], typer.Option("--format", help="Force the data format (jsonl, csv, tsv, fasttext, szeged, bioscope, brat).")] = None,
    dev: Annotated[Optional[list[str]], typer.Option("--dev", help="Held-out data: picks the threshold, gives metrics.")] = None,
    dev_fraction: Annotated[float, typer.Option("--dev-fraction", help="Hold out this share of documents as dev.")] = 0.0,
    split: Annotated[Optional[str], typer.Option("--split", help="Use only records whose 'split' field is this (e.g. train).")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", "-c", help="A training config (TOML) with [model] and [[data]].")] = None,
    corpora: Annotated[Optional[str], typer.Option("--corpora", help="Folder of the shared corpora, for {corpora} in a config.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")] = False,
    streaming: Annotated[bool, typer.Option("--streaming", help="Out of core: read the data in chunks, once per pass, and train a hashed cue model with SGD (attribution is inherited from the shipped model).")] = False,
    chunk_size: Annotated[Optional[int], typer.Option("--chunk-size", help="With --streaming: examples per chunk (default 5000).")] = None,
    epochs: Annotated[Optional[int], typer.Option("--epochs", help="With --streaming: passes of SGD over the data (default 6).")] = None,
) -> None:
    """Train a model on labelled data and write it to --out."""
    from hedge.api import train_model
    from hedge.trainset import DataSource, load_config
    from hedge.train import TrainConfig

    if config is not None:
        train_cfg, sources = load_config(config, corpora)
        if data:
            fail("give either DATA or --config, not both")
    else:
        if not data:
            fail("no training data: give DATA files or --config")
        train_cfg = TrainConfig()
        sources = [DataSource(name="data", paths=tuple(data), dev=tuple(dev or ()),
                              dev_fraction=dev_fraction, fmt=fmt, split=split)]
    from hedge import progress
    from hedge.evaluate import metric_lines

    stream = None
    if streaming:
        from hedge.train_stream import StreamConfig

        given = {k: v for k, v in (("chunk_size", chunk_size), ("epochs", epochs)) if v is not None}
        stream = StreamConfig(**given)
    elif chunk_size is not None or epochs is not None:
        fail("--chunk-size and --epochs go with --streaming")
    with progress.steps(quiet, lambda msg: typer.echo(f"hedge: {msg}", err=True)) as say:
        model = train_model(sources, out, train_cfg, progress=say, streaming=stream)
    for name, tasks in model.meta.get("metrics", {}).items():
        typer.echo(f"dev set {name}:")
        typer.echo("\n".join("  " + line for line in metric_lines(tasks)))
    typer.echo(f"wrote {out}")


@app.command()
@clean_errors
def evaluate(
    data: Annotated[list[str], typer.Argument(help="Labelled data files or directories.")],
    model: ModelOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    data_format: Annotated[Optional[str], typer.Option("--data-format", help="Force the data format.")] = None,
    split: Annotated[Optional[str], typer.Option("--split", help="Use only records whose 'split' field is this.")] = None,
    threshold: Annotated[Optional[float], typer.Option("--threshold", help="Override the model's threshold.")] = None,
) -> None:
    """Precision, recall, F1 and the confusion matrix of a model on labelled data."""
    import json

    from hedge.api import evaluate_data

    if fmt not in ("table", "json"):
        fail(f"unknown format {fmt!r}; choose from table, json")
    result = evaluate_data(data, model=model, fmt=data_format, split=split, threshold=threshold)
    if fmt == "json":
        typer.echo(json.dumps(result, indent=1))
        return
    from hedge.evaluate import metric_lines

    typer.echo(f"{result['examples']} sentences, threshold {result['threshold']}")
    typer.echo("\n".join(metric_lines(result["tasks"])))


def main() -> None:
    import signal

    # SIGTERM (kill, timeout, a stopped container) unwinds like Ctrl-C, so temporaries are removed.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    app()
