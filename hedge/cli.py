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


@app.command()
@clean_errors
def score(
    inputs: Annotated[list[str], typer.Argument(help="Files, directories (*.txt, *.md) or - for stdin.")],
    model: ModelOpt = None,
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", help="table (the default), jsonl, json or csv.")] = None,
    lines: Annotated[bool, typer.Option("--lines", help="Score each input line as one unit.")] = False,
    threshold: Annotated[Optional[float], typer.Option("--threshold", help="Override the model's threshold (0-1).")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write to this file (atomically) instead of stdout.")] = None,
    color: Annotated[Optional[bool], typer.Option("--color/--no-color", help="Highlight cues with colour (default: when stdout is a terminal).")] = None,
    only_flagged: Annotated[bool, typer.Option("--only-flagged", help="Show only sentences with a flag (summaries still count every sentence).")] = False,
    dask: Annotated[Optional[str], typer.Option("--dask", metavar="ADDRESS|local:N", help="Score one INPUT (a directory of text files, a Parquet file or dataset, or a .jsonl file) on a Dask cluster: a scheduler address, or local:N worker processes. Writes --output (.jsonl or .parquet). Needs pip install 'hedge[dask]'.")] = None,
    text_column: Annotated[str, typer.Option("--text-column", help="With --dask: the text field of Parquet or JSON Lines rows.")] = "text",
    key_column: Annotated[Optional[str], typer.Option("--key-column", help="With --dask: the field naming each row (default: the row number of Parquet, the line number of JSON Lines).")] = None,
    blocksize: Annotated[str, typer.Option("--blocksize", help="With --dask: about this much input per task, e.g. 16MB.")] = "16MB",
) -> None:
    """Score every sentence for hedging; show cue words, attribution and flags."""
    from hedge.api import score_inputs
    from hedge.inputs import expand_inputs
    from hedge.model import load_model
    from hedge.report import OUTPUT_FORMATS, Writer

    if threshold is not None and not 0.0 <= threshold <= 1.0:
        fail(f"--threshold {threshold} is outside [0, 1]")
    if dask is not None:
        if fmt is not None or lines or color is not None or only_flagged:
            fail("--dask writes the format of --output's extension (.jsonl or .parquet); "
                 "--format, --lines, --color and --only-flagged do not apply")
        _score_on_dask(dask, inputs, output, model, threshold, text_column, key_column, blocksize)
        return
    fmt = fmt or "table"
    if fmt not in OUTPUT_FORMATS:
        fail(f"unknown format {fmt!r}; choose from {', '.join(OUTPUT_FORMATS)}")
    items = expand_inputs(inputs)
    loaded = load_model(model)
    with _output_stream(output) as stream:
        use_color = color if color is not None else (output is None and stream.isatty())
        writer = Writer(stream, fmt, color=use_color, summaries=not lines)
        failed = score_inputs(loaded, items, writer, threshold=threshold, lines=lines, on_error=warn,
                              only_flagged=only_flagged)
        writer.close()
    if failed:
        warn(f"{failed} input(s) could not be read")
        raise typer.Exit(EXIT_ERROR)


def _score_on_dask(scheduler: str, inputs: list[str], output: Path | None, model: Path | None,
                   threshold: float | None, text_column: str, key_column: str | None, blocksize: str) -> None:
    from hedge.archive import parse_bytes, score_archive

    if len(inputs) != 1:
        fail("--dask scores one INPUT: a directory of text files, a Parquet file or dataset, or a .jsonl file")
    if output is None:
        fail("--dask needs --output OUT.jsonl or OUT.parquet")
    result = score_archive(inputs[0], output, scheduler, model=model, text_column=text_column,
                           key_column=key_column, threshold=threshold, blocksize=parse_bytes(blocksize),
                           progress=lambda msg: typer.echo(f"hedge: {msg}", err=True))
    for message in result.unreadable:
        warn(message)
    typer.echo(f"hedge: wrote {output}: {result.documents} documents, {result.sentences} sentences", err=True)
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

        target = self.path.absolute()
        fd, self.tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
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
    progress = None if quiet else (lambda msg: typer.echo(f"hedge: {msg}", err=True))
    from hedge.evaluate import metric_lines

    stream = None
    if streaming:
        from hedge.train_stream import StreamConfig

        given = {k: v for k, v in (("chunk_size", chunk_size), ("epochs", epochs)) if v is not None}
        stream = StreamConfig(**given)
    elif chunk_size is not None or epochs is not None:
        fail("--chunk-size and --epochs go with --streaming")
    model = train_model(sources, out, train_cfg, progress=progress, streaming=stream)
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
    app()
