"""Score an archive on a Dask cluster: plan partitions, score each on a worker, assemble the output.

The input is a directory of text files, a Parquet file or dataset (a directory of ``*.parquet``), or a
JSON Lines file. The client cuts it into partitions (runs of files, Parquet row groups, line-aligned
byte ranges of the JSON Lines file) and each task reads its own partition, scores it with the model
it loads once per worker (:func:`hedge.frame.cached_model`) and writes a part file. Parts are named
by their position, so a task that is run again (its worker died, or it failed and was retried) rewrites
its own part and nothing is lost or duplicated. The client then joins the parts in order into the
output, which appears whole or not at all. Workers and client must see the same file system.

Output: ``OUT.jsonl`` is one JSON Lines file with exactly the bytes of ``hedge score -f jsonl``;
``OUT.parquet`` is a directory with ``sentences/`` and ``documents/`` Parquet datasets holding the
columns of :func:`hedge.frame.score_frame`.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path

from hedge import errors
from hedge.config import Settings
from hedge.frame import DOCUMENT_COLUMNS, SENTENCE_COLUMNS, cached_model, score_frame, score_rows
from hedge.inputs import TextInput, expand_inputs, read_input
from hedge.markup import kind_for
from hedge.records import DocumentSummary, SentenceRecord, TextSpan

OUTPUT_SUFFIXES = (".jsonl", ".parquet")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
PARQUET_PARTS = ("sentences", "documents")
DEFAULT_BLOCKSIZE = 16_000_000
DEFAULT_RETRIES = 2


@dataclass(frozen=True)
class Part:
    """One task's share of the input."""

    index: int
    kind: str  # "text", "parquet" or "jsonl"
    path: str = ""  # the Parquet or JSON Lines file
    items: tuple[tuple[str, str], ...] = ()  # text files: (doc name, path)
    row_group: int = 0
    start: int = 0  # JSON Lines: byte range [start, end), starting on line number first_row
    end: int = 0
    first_row: int = 0  # the key of the part's first row when there is no key column


@dataclass
class Job:
    """What every task needs besides its part."""

    model: str
    text_column: str
    key_column: str | None
    settings: Settings  # as `hedge score` takes them: threshold, word lists, flags
    input_format: str  # auto (by file suffix), text, markdown or html
    output: str  # "jsonl" or "parquet"
    workdir: str
    key_type: str  # "string" or "int64", or the Arrow type of a Parquet key column (as its string)


@dataclass
class ArchiveResult:
    documents: int = 0
    sentences: int = 0
    parts: int = 0
    unreadable: list[str] = field(default_factory=list)


def _need(module: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise errors.MissingDependency(errors.EXTRA_MISSING.format(
            what="--dask", extra="dask", module=module.split(".")[0])) from None


def parse_bytes(text: str) -> int:
    """``"16MB"``, ``"512 KiB"`` or ``"1000000"`` as a number of bytes."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmg]i?)?b?\s*", text, re.IGNORECASE)
    if not match or float(match[1]) <= 0:
        raise errors.ConfigError(f"{text!r} is not a size such as 16MB")
    unit = (match[2] or "").lower()
    scale = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9, "ki": 2**10, "mi": 2**20, "gi": 2**30}[unit]
    return max(1, int(float(match[1]) * scale))


def output_kind(output: Path) -> str:
    suffix = output.suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise errors.ConfigError(f"{output}: the output of --dask must end in .jsonl or .parquet")
    return suffix[1:]


# -- planning (on the client) ---------------------------------------------------------------------
def plan(source: str | os.PathLike[str], text_column: str = "text", key_column: str | None = None,
         blocksize: int = DEFAULT_BLOCKSIZE) -> tuple[list[Part], str]:
    """Cut ``source`` into partitions of about ``blocksize`` bytes; also returns the key's type."""
    path = Path(source)
    if not path.exists():
        raise errors.InputError(errors.INPUT_MISSING.format(path=path))
    if path.is_dir():
        parquet = sorted(p for p in path.rglob("*.parquet") if p.is_file() and not _hidden(p, path))
        if parquet:
            return _plan_parquet(parquet, text_column, key_column)
        return _plan_text(path, blocksize), "string"
    if path.suffix.lower() == ".parquet":
        return _plan_parquet([path], text_column, key_column)
    if path.suffix.lower() in JSONL_SUFFIXES:
        return _plan_jsonl(path, blocksize), "string" if key_column else "int64"
    raise errors.InputError(f"{path}: give a directory of text files, a Parquet file or dataset, "
                            f"or a JSON Lines file (.jsonl)")


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith((".", "_")) for part in path.relative_to(root).parts)


def _plan_text(path: Path, blocksize: int) -> list[Part]:
    parts, run, size = [], [], 0
    for item in expand_inputs([str(path)]):
        item_size = item.path.stat().st_size if item.path else 0
        if run and size + item_size > blocksize:
            parts.append(Part(len(parts), "text", items=tuple(run)))
            run, size = [], 0
        run.append((item.name, str(item.path)))
        size += item_size
    if run:
        parts.append(Part(len(parts), "text", items=tuple(run)))
    return parts


def _plan_parquet(files: list[Path], text_column: str, key_column: str | None) -> tuple[list[Part], str]:
    pq = _need("pyarrow.parquet")
    parts, row, key_type = [], 0, "int64"
    for path in files:
        try:
            meta = pq.ParquetFile(path)
        except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
            raise errors.InputError(f"{path}: not a readable Parquet file ({exc})") from None
        schema = meta.schema_arrow
        for name, what in ((text_column, "text"), (key_column, "key")):
            if name is not None and name not in schema.names:
                raise errors.InputError(f"{path}: " + errors.COLUMN_MISSING.format(
                    what=what, column=name, columns=", ".join(schema.names)))
        if key_column is not None:
            key_type = str(schema.field(key_column).type)
        for group in range(meta.num_row_groups):
            parts.append(Part(len(parts), "parquet", path=str(path), row_group=group, first_row=row))
            row += meta.metadata.row_group(group).num_rows
    return parts, key_type


def _plan_jsonl(path: Path, blocksize: int) -> list[Part]:
    """Byte ranges that end at line ends; each part knows the number of its first line."""
    parts: list[Part] = []
    start = pos = 0
    first = line = 1
    with open(path, "rb") as fh:
        for raw in fh:  # binary lines end at b"\n" only, as the JSON Lines reader's do
            pos += len(raw)
            line += 1
            if pos - start >= blocksize:
                parts.append(Part(len(parts), "jsonl", path=str(path), start=start, end=pos, first_row=first))
                start, first = pos, line
    if pos > start or not parts:
        parts.append(Part(len(parts), "jsonl", path=str(path), start=start, end=pos, first_row=first))
    return parts


# -- one task (on a worker) -------------------------------------------------------------------------
def score_part(part: Part, job: Job) -> ArchiveResult:
    """Read, score and write one partition; safe to run again (it rewrites the same part files)."""
    keys, texts, unreadable, where = _read_part(part, job)
    model = cached_model(job.model)
    if part.kind == "text":
        kind = lambda name: kind_for(name, job.input_format)  # noqa: E731 - by file suffix, as hedge score
    else:
        kind = "text" if job.input_format == "auto" else job.input_format
    result = ArchiveResult(parts=1, unreadable=unreadable)
    workdir = Path(job.workdir)
    name = f"part-{part.index:06d}"
    if job.output == "jsonl":
        from hedge.report import Writer

        buffer = io.StringIO()
        writer = Writer(buffer, "jsonl")
        for _, doc, records in score_rows(model, keys, texts, settings=job.settings, kind=kind, where=where):
            writer.document(doc, records, records)
            result.documents += 1
            result.sentences += len(records)
        writer.close()
        _write_atomic(workdir / f"{name}.jsonl", buffer.getvalue().encode("utf-8"))
        return result
    pd, pa, pq = _need("pandas"), _need("pyarrow"), _need("pyarrow.parquet")
    frame = pd.DataFrame({"key": pd.Series(keys, dtype=object), "text": pd.Series(texts, dtype=object)})
    frames = score_frame(frame, "text", model, key_column="key", settings=job.settings, kind=kind)
    for sub, data, schema in zip(PARQUET_PARTS, frames, arrow_schemas(job.key_type)):
        table = pa.Table.from_pandas(data, schema=schema, preserve_index=False)
        sink = io.BytesIO()
        pq.write_table(table, sink)
        _write_atomic(workdir / sub / f"{name}.parquet", sink.getvalue())
    result.documents, result.sentences = len(frames[1]), len(frames[0])
    return result


def _read_part(part: Part, job: Job) -> tuple[list, list, list[str], str]:
    """The part's row keys and texts, the messages of text files that could not be read, and a label."""
    if part.kind == "text":
        keys, texts, unreadable = [], [], []
        for name, path in part.items:
            try:
                texts.append(read_input(TextInput(name, Path(path))))
                keys.append(name)
            except errors.InputError as exc:
                unreadable.append(str(exc))
        return keys, texts, unreadable, "text file"
    if part.kind == "parquet":
        pq = _need("pyarrow.parquet")
        columns = [job.text_column] + ([job.key_column] if job.key_column else [])
        table = pq.ParquetFile(part.path).read_row_group(part.row_group, columns=list(dict.fromkeys(columns)))
        texts = table.column(job.text_column).to_pylist()
        keys = (table.column(job.key_column).to_pylist() if job.key_column
                else list(range(part.first_row, part.first_row + len(texts))))
        return keys, texts, [], f"{part.path}, row group {part.row_group}"
    return (*_read_jsonl_part(part, job), [], part.path)


def _read_jsonl_part(part: Part, job: Job) -> tuple[list, list]:
    with open(part.path, "rb") as fh:
        fh.seek(part.start)
        data = fh.read(part.end - part.start)
    keys, texts = [], []
    for line, raw in enumerate(data.split(b"\n"), part.first_row):
        if not raw.strip():
            continue
        where = f"{part.path}:{line}"
        try:
            row = json.loads(raw.decode("utf-8-sig" if line == 1 else "utf-8"))
        except UnicodeDecodeError:
            raise errors.InputError(f"{where}: not valid UTF-8") from None
        except json.JSONDecodeError as exc:
            raise errors.InputError(f"{where}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise errors.InputError(f"{where}: each line must be a JSON object")
        for name in (job.text_column, job.key_column):
            if name is not None and name not in row:
                raise errors.InputError(f"{where}: no {name!r} field")
        texts.append(row[job.text_column])
        if job.key_column is None:
            keys.append(line)
        else:
            key = row[job.key_column]
            keys.append(key if isinstance(key, str) else json.dumps(key, ensure_ascii=False))
    return keys, texts


def arrow_schemas(key_type) -> tuple:
    """The Arrow schemas of the sentence and document parts, from the records' own field types (so they
    follow the output contract); ``key_type`` is an alias such as ``"string"`` or an Arrow type."""
    pa = _need("pyarrow")
    key = pa.type_for_alias(key_type) if isinstance(key_type, str) else key_type
    out = []
    for record, columns in ((SentenceRecord, SENTENCE_COLUMNS), (DocumentSummary, DOCUMENT_COLUMNS)):
        types = {f.name: f.type for f in fields(record)}
        out.append(pa.schema([("key", key)] + [(c, _arrow_type(pa, types[c])) for c in columns[1:]]))
    return tuple(out)


def _arrow_type(pa, annotation: str):
    """The Arrow type of a record field's annotation (a string: the records use postponed annotations)."""
    annotation = annotation.removesuffix(" | None")  # every Arrow field may be null
    simple = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "str": pa.string()}
    if annotation in simple:
        return simple[annotation]
    if annotation == "TextSpan":
        return pa.struct([(f.name, _arrow_type(pa, f.type)) for f in fields(TextSpan)])
    if annotation.startswith("list[") and annotation.endswith("]"):
        return pa.list_(_arrow_type(pa, annotation[5:-1]))
    if annotation == "dict[str, int]":
        return pa.map_(pa.string(), pa.int64())
    raise TypeError(f"no Arrow type for a record field of type {annotation!r}")


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# -- the run (on the client) ------------------------------------------------------------------------
def score_archive(source: str | os.PathLike[str], output: str | os.PathLike[str], scheduler: str | None = None, *,
                  client=None, model: str | os.PathLike[str] | None = None, settings: Settings | None = None,
                  input_format: str = "auto", text_column: str = "text", key_column: str | None = None,
                  threshold: float | None = None,
                  blocksize: int = DEFAULT_BLOCKSIZE, retries: int = DEFAULT_RETRIES,
                  progress: Callable[[str], None] | None = None) -> ArchiveResult:
    """Score ``source`` on a Dask cluster into ``output`` (``.jsonl`` or ``.parquet``).

    ``scheduler`` is a scheduler address or ``local:N`` (a local cluster of N worker processes);
    alternatively pass a connected ``client``. ``settings`` and ``input_format`` are those of
    ``hedge score`` (``threshold`` overrides the settings' one), so the records are the same. Each
    task is retried ``retries`` times when it fails; a task whose worker dies is rescheduled by Dask.
    Nothing is written unless every part succeeds.
    """
    from hedge.model import default_model_path

    say = progress or (lambda msg: None)
    out = Path(output).absolute()
    out_kind = output_kind(out)
    for module in ("distributed", "pandas", "pyarrow") if out_kind == "parquet" else ("distributed",):
        _need(module)
    _check_replaceable(out, out_kind)
    settings = (settings or Settings()).override(threshold=threshold)
    kind_for("-", input_format)  # checks the name
    parts, key_type = plan(source, text_column, key_column, blocksize)
    model_path = str(Path(model if model is not None else default_model_path()).resolve())
    cached_model(model_path)  # a bad model fails here, once, rather than in every task
    out.parent.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=f".{out.name}.parts-", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(workdir, 0o777 & ~umask)  # it becomes the Parquet output: not mkdtemp's owner-only mode
    if out_kind == "parquet":
        for sub in PARQUET_PARTS:
            (workdir / sub).mkdir()
    job = Job(model_path, text_column, key_column, settings, input_format, out_kind, str(workdir), key_type)
    result = ArchiveResult(parts=len(parts))
    try:
        with _connect(scheduler, client) as dask_client:
            say(f"scoring {len(parts)} part(s) on {_describe(dask_client)}")
            # pure=False: every run gets fresh task keys, so no result of an earlier run is reused.
            futures = dask_client.map(score_part, parts, job=job, retries=retries, pure=False)
            for future in futures:
                try:
                    done = future.result()
                except (errors.HedgeError, OSError):
                    raise
                except Exception as exc:  # e.g. KilledWorker: Dask gave up on a task
                    raise errors.HedgeError(f"a task failed on the cluster ({exc.__class__.__name__}: {exc})") from None
                result.documents += done.documents
                result.sentences += done.sentences
                result.unreadable.extend(done.unreadable)
        _assemble(workdir, out, out_kind, len(parts))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return result


def _describe(client) -> str:
    workers = client.scheduler_info().get("workers", {})
    return f"{len(workers)} worker(s) at {client.scheduler.address}"


class _connect:
    """The given client, a local cluster for ``local:N``, or a client of the scheduler at an address."""

    def __init__(self, scheduler: str | None, client) -> None:
        self.scheduler, self.client, self.owned = scheduler, client, []

    def __enter__(self):
        if self.client is not None:
            return self.client
        distributed = _need("distributed")
        if not self.scheduler:
            raise errors.ConfigError("--dask needs a scheduler address or local:N")
        if self.scheduler.startswith("local:"):
            count = self.scheduler.removeprefix("local:")
            if not count.isdigit() or int(count) < 1:
                raise errors.ConfigError(f"--dask {self.scheduler}: N in local:N must be a whole number above 0")
            # Quiet workers: a failed task reaches the user once, as the client's one-line error.
            cluster = distributed.LocalCluster(n_workers=int(count), threads_per_worker=1, processes=True,
                                               dashboard_address=None, silence_logs=logging.CRITICAL)
            self.owned.append(cluster)
            client = distributed.Client(cluster)
        else:
            client = distributed.Client(self.scheduler)
        self.owned.insert(0, client)
        return client

    def __exit__(self, *exc) -> bool:
        for thing in self.owned:
            thing.close()
        return False


def _check_replaceable(out: Path, kind: str) -> None:
    if kind == "jsonl" and out.is_dir():
        raise errors.ConfigError(f"{out} is a directory; give a file name ending in .jsonl")
    if kind == "parquet" and out.exists():
        if not out.is_dir() or not {p.name for p in out.iterdir()} <= set(PARQUET_PARTS):
            raise errors.ConfigError(f"{out} exists and is not an earlier Parquet output of hedge; "
                                     f"refusing to replace it")


def _assemble(workdir: Path, out: Path, kind: str, count: int) -> None:
    """Join the parts, in order, into ``out``: it appears whole, or not at all."""
    names = [f"part-{i:06d}" for i in range(count)]
    if kind == "jsonl":
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                for name in names:
                    with open(workdir / f"{name}.jsonl", "rb") as part:
                        shutil.copyfileobj(part, fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, out)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return
    for sub in PARQUET_PARTS:
        missing = [n for n in names if not (workdir / sub / f"{n}.parquet").is_file()]
        if missing:
            raise errors.HedgeError(f"{sub} part {missing[0]} is missing from {workdir}")
        for stray in (workdir / sub).glob(".*"):  # half-written by a worker that died
            stray.unlink()
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
        os.replace(workdir, out)
        shutil.rmtree(old)
    else:
        os.replace(workdir, out)
