"""Readers for labelled data: JSON Lines, CSV/TSV, fastText lines, Szeged and BioScope XML.

Each reader yields :class:`Example` records. A malformed row raises :class:`DataFormatError` whose
message starts with ``FILE:LINE:``. Formats are detected from the extension and the content;
``fmt`` forces one.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from hedge import errors
from hedge.errors import DataFormatError, TextDecodeError

FORMATS = ("jsonl", "csv", "tsv", "fasttext", "szeged", "bioscope", "brat")
POSITIVE = frozenset({"1", "true", "yes", "hedged", "uncertain", "hedge", "speculative"})
NEGATIVE = frozenset({"0", "false", "no", "certain", "not_hedged", "unhedged", "nonhedged",
                      "not-hedged", "none"})
ATTRIBUTIONS = ("named", "vague", "none")
DATA_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".tsv": "tsv", ".xml": None,
                 ".txt": None}


@dataclass
class Example:
    """A labelled sentence. ``cues`` is None when the data marks no cue spans."""

    text: str
    hedged: bool | None  # None: the data does not label hedging (attribution-only corpora)
    cues: list[tuple[int, int]] | None = None
    doc: str = ""
    origin: str = ""
    attribution: str | None = None
    source: tuple[int, int] | None = None
    assertion: bool | None = None
    split: str | None = None
    extra: dict = field(default_factory=dict)


def parse_label(value: object, path: object, line: int) -> bool:
    """A hedge label from a bool, 0/1 or a word such as 'hedged' / 'certain'."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    word = str(value).strip().lower()
    if word in POSITIVE:
        return True
    if word in NEGATIVE:
        return False
    raise DataFormatError(path, line, f"label {value!r} is not one of {sorted(POSITIVE | NEGATIVE)}")


def detect_format(path: Path) -> str:
    """Guess a file's format from its extension and first bytes."""
    if path.is_dir():
        if (path / "text").is_dir() and (path / "attributions").is_dir():
            return "brat"
        raise DataFormatError(path, None, "a directory is read file by file; this one is not brat")
    suffix = path.suffix.lower()
    known = DATA_SUFFIXES.get(suffix)
    if known:
        return known
    with open(path, "rb") as fh:
        raw = fh.read(4096)
    utf16 = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))  # read as _read_text will
    head = raw.decode("utf-16" if utf16 else "utf-8-sig", errors="replace")
    if suffix == ".xml" or head.lstrip().startswith("<"):
        if "<Sentence" in head or "Uncertainty" in head:
            return "szeged"
        if "<sentence" in head or "BIOSCOPE" in head.upper():
            return "bioscope"
        raise DataFormatError(path, 1, "XML that is neither Szeged Uncertainty nor BioScope")
    if head.lstrip().startswith("__label__"):
        return "fasttext"
    if head.lstrip().startswith("{"):
        return "jsonl"
    raise DataFormatError(path, 1, f"cannot tell the format; use --format ({', '.join(FORMATS)})")


def data_files(path: Path) -> list[Path]:
    """The labelled-data files under ``path``: itself, or a directory's data files, sorted."""
    if not path.exists():
        raise DataFormatError(path, None, "no such file or directory")
    if path.is_dir():
        if (path / "text").is_dir() and (path / "attributions").is_dir():
            return [path]
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in DATA_SUFFIXES)
        if not files:
            raise DataFormatError(path, None, "no labelled-data files (.jsonl .csv .tsv .txt .xml) here")
        return files
    return [path]


def read_examples(paths: list[str | Path], fmt: str | None = None, split: str | None = None) -> list[Example]:
    """Read every file under ``paths``; keep only records of ``split`` when given."""
    return list(iter_examples(paths, fmt, split))


def iter_examples(paths: list[str | Path], fmt: str | None = None, split: str | None = None) -> Iterator[Example]:
    """:func:`read_examples` one example at a time. JSON Lines and fastText files are read line by line,
    so they need not fit in memory; the other formats are read one whole file at a time."""
    for given in paths:
        for path in data_files(Path(given)):
            for ex in iter_file(path, fmt):
                if split is None or ex.split == split:
                    yield ex


def read_file(path: Path, fmt: str | None = None) -> list[Example]:
    return list(iter_file(path, fmt))


def iter_file(path: Path, fmt: str | None = None) -> Iterator[Example]:
    """Every example of one file (or brat folder); a file without any is an error, not zero examples."""
    fmt = fmt or detect_format(path)
    if fmt not in READERS:
        raise DataFormatError(path, None, f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    return _not_empty(READERS[fmt](path), path, fmt)


def _not_empty(examples: Iterator[Example], path: Path, fmt: str) -> Iterator[Example]:
    n = 0
    for n, example in enumerate(examples, 1):
        yield example
    if not n:
        raise DataFormatError(path, None if path.is_dir() else 1, f"no labelled sentences ({fmt}); is it empty?")


def _read_text(path: Path) -> str:
    """A data file's text, decoded by the same rules as text to score (UTF-8 or BOM-marked UTF-16)."""
    from hedge.inputs import decode_text

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataFormatError(path, None, f"cannot read ({exc.strerror or exc})") from None
    try:
        return decode_text(data, path)
    except TextDecodeError as exc:
        line = data[: exc.offset].count(b"\n") + 1 if exc.offset is not None else None
        raise DataFormatError(path, line, exc.what) from None


def _unique_id(row_id: object, seen: dict, path: Path, line: int) -> None:
    """Refuse a second record with the same ``id`` in one file (a copy-paste slip or a merge gone wrong)."""
    if row_id is None or row_id == "":
        return
    key = json.dumps(row_id, sort_keys=True)
    if key in seen:
        raise DataFormatError(path, line, f"duplicate id {row_id!r} (first on line {seen[key]})")
    seen[key] = line


# -- JSON Lines --------------------------------------------------------------------------------
def _span(value: object, text: str, path: Path, line: int, what: str) -> tuple[int, int]:
    if isinstance(value, dict):
        start, end = value.get("start"), value.get("end")
    elif isinstance(value, (list, tuple)) and len(value) == 2:
        start, end = value
    else:
        raise DataFormatError(path, line, f"{what} must be {{\"start\": s, \"end\": e}} or [s, e]")
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        raise DataFormatError(path, line, f"{what} [{start}, {end}) is not inside the text")
    if isinstance(value, dict) and "text" in value and text[start:end] != value["text"]:
        raise DataFormatError(path, line, f"{what} text {value['text']!r} does not match {text[start:end]!r}")
    return start, end


def _lines(path: Path) -> Iterator[str]:
    """Lines split at newlines only (str.splitlines would also split at U+2028, which JSON allows in
    strings), read one at a time and decoded by the rules of :func:`_read_text`, whose errors they give."""
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise DataFormatError(path, None, f"cannot read ({exc.strerror or exc})") from None
    with fh:
        if fh.peek(2)[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):  # UTF-16 (or 32): not line by line
            yield from (line.removesuffix("\r") for line in _read_text(path).split("\n"))
            return
        offset = 0
        for lineno, raw in enumerate(fh, 1):
            if offset < 8192 and b"\x00" in raw[: 8192 - offset]:
                raise DataFormatError(path, lineno, errors.TEXT_BINARY)
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise DataFormatError(path, lineno, errors.TEXT_ENCODING.format(offset=offset + exc.start)) from None
            offset += len(raw)
            yield (line.removeprefix("\ufeff") if lineno == 1 else line).removesuffix("\n").removesuffix("\r")


def read_jsonl(path: Path) -> Iterator[Example]:
    ids: dict[str, int] = {}
    for lineno, raw in enumerate(_lines(path), 1):
        if not raw.strip():
            continue
        try:
            row = json.loads(raw)
        except (ValueError, RecursionError) as exc:  # also too deeply nested, or an over-long number
            raise DataFormatError(path, lineno, f"not JSON ({getattr(exc, 'msg', exc)})") from None
        if not isinstance(row, dict):
            raise DataFormatError(path, lineno, "each line must be a JSON object")
        _unique_id(row.get("id"), ids, path, lineno)
        yield _example_from_row(row, path, lineno)


def _example_from_row(row: dict, path: Path, lineno: int) -> Example:
    text = row.get("text")
    if not isinstance(text, str):
        raise DataFormatError(path, lineno, "missing \"text\" (a string)")
    cues = None
    if row.get("cues") is not None:
        if not isinstance(row["cues"], list):
            raise DataFormatError(path, lineno, "\"cues\" must be a list of spans")
        cues = [_span(c, text, path, lineno, "cue") for c in row["cues"]]
    if "hedged" in row:
        hedged = parse_label(row["hedged"], path, lineno)
    elif "label" in row:
        hedged = parse_label(row["label"], path, lineno)
    elif cues is not None:
        hedged = bool(cues)
    else:
        raise DataFormatError(path, lineno, "missing \"hedged\" (true/false)")
    if cues is not None and bool(cues) != hedged:
        raise DataFormatError(path, lineno, f"\"hedged\" is {str(hedged).lower()} but there are {len(cues)} cues")
    attribution = row.get("attribution")
    if attribution is not None and attribution not in ATTRIBUTIONS:
        raise DataFormatError(path, lineno, f"attribution {attribution!r} is not one of {ATTRIBUTIONS}")
    source = row.get("source")
    source_span = _span(source, text, path, lineno, "source") if source is not None else None
    assertion = row.get("assertion")
    if assertion is not None and not isinstance(assertion, bool):
        raise DataFormatError(path, lineno, "\"assertion\" must be true or false")
    doc = row.get("doc")
    return Example(
        text=text, hedged=hedged, cues=cues, doc=str(doc) if doc is not None else f"{path.name}:{lineno}",
        origin=f"{path}:{lineno}", attribution=attribution, source=source_span, assertion=assertion,
        split=row.get("split"), extra={k: row[k] for k in ("para", "index", "beat", "tags") if k in row},
    )


# -- CSV / TSV --------------------------------------------------------------------------------
def _read_delimited(path: Path, delimiter: str) -> Iterator[Example]:
    text = _read_text(path)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from _delimited_rows(reader, path)
    except csv.Error as exc:  # e.g. a field longer than csv.field_size_limit(), raised on the line after line_num
        kind = "TSV" if delimiter == "\t" else "CSV"
        raise DataFormatError(path, reader.line_num + 1, f"malformed {kind} ({exc})") from None


def _delimited_rows(reader: csv.DictReader, path: Path) -> Iterator[Example]:
    if reader.fieldnames is None:
        return  # an empty file: read_file says so
    fields = [f.strip().lower() for f in reader.fieldnames]
    if "text" not in fields:
        raise DataFormatError(path, 1, f"the header needs a 'text' column (found {reader.fieldnames})")
    label_col = next((c for c in ("hedged", "label") if c in fields), None)
    if label_col is None:
        raise DataFormatError(path, 1, "the header needs a 'hedged' or 'label' column")
    reader.fieldnames = fields
    ids: dict[str, int] = {}
    for row in reader:
        lineno = reader.line_num
        if None in row or any(v is None for v in row.values()):
            raise DataFormatError(path, lineno, f"expected {len(fields)} columns")
        _unique_id(row.get("id"), ids, path, lineno)
        yield Example(text=row["text"], hedged=parse_label(row[label_col], path, lineno),
                      doc=row.get("doc") or f"{path.name}:{lineno}", origin=f"{path}:{lineno}",
                      split=row.get("split") or None)


def read_csv(path: Path) -> Iterator[Example]:
    return _read_delimited(path, ",")


def read_tsv(path: Path) -> Iterator[Example]:
    return _read_delimited(path, "\t")


# -- fastText ------------------------------------------------------------------------------------
def read_fasttext(path: Path) -> Iterator[Example]:
    for lineno, raw in enumerate(_lines(path), 1):
        if not raw.strip():
            continue
        labels, words = [], raw.split()
        while words and words[0].startswith("__label__"):
            labels.append(words.pop(0)[len("__label__"):])
        if len(labels) != 1:
            raise DataFormatError(path, lineno, f"expected one __label__ prefix, found {len(labels)}")
        if not words:
            raise DataFormatError(path, lineno, "no text after the label")
        text = raw.split(None, 1)[1].strip()
        yield Example(text=text, hedged=parse_label(labels[0], path, lineno),
                      doc=f"{path.name}:{lineno}", origin=f"{path}:{lineno}")


# -- XML corpora ---------------------------------------------------------------------------------
def _parse_xml(path: Path):
    import defusedxml.ElementTree as safe_et
    from defusedxml import DefusedXmlException
    from xml.etree.ElementTree import ParseError

    try:
        return safe_et.parse(str(path))
    except ParseError as exc:
        line = exc.position[0] if exc.position else None
        raise DataFormatError(path, line, f"malformed XML ({exc})") from None
    except DefusedXmlException as exc:
        raise DataFormatError(path, None, f"unsafe XML refused ({exc.__class__.__name__})") from None


def _flatten(elem, is_cue, parts: list[str], cues: list[tuple[int, int]], offset: list[int]) -> None:
    """Append ``elem``'s text to ``parts`` and record the spans of cue elements inside it."""
    start = offset[0]
    if elem.text:
        parts.append(elem.text)
        offset[0] += len(elem.text)
    for child in elem:
        _flatten(child, is_cue, parts, cues, offset)
        if child.tail:
            parts.append(child.tail)
            offset[0] += len(child.tail)
    if is_cue(elem) and offset[0] > start:
        cues.append((start, offset[0]))


def _read_annotated_xml(path: Path, sentence_tag: str, is_cue, skip_parts: set[str]) -> Iterator[Example]:
    root = _parse_xml(path).getroot()
    for doc in root.iter("Document"):
        doc_id = (doc.findtext("DocID") or "").strip()
        for part in doc.iter("DocumentPart"):
            if part.get("type") in skip_parts:
                continue
            for sent in part.iter(sentence_tag):
                parts: list[str] = []
                cues: list[tuple[int, int]] = []
                _flatten(sent, is_cue, parts, cues, [0])
                raw = "".join(parts)
                text = raw.strip()
                shift = len(raw) - len(raw.lstrip())
                cues = sorted({(max(0, s - shift), min(len(text), e - shift)) for s, e in cues
                               if raw[s:e].strip()})
                cues = [_strip_span(text, s, e) for s, e in cues]
                if not text:
                    continue
                yield Example(text=text, hedged=bool(cues), cues=cues, doc=doc_id,
                              origin=f"{path}:{doc_id}:{sent.get('id')}")


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def read_szeged(path: Path) -> Iterator[Example]:
    """Szeged Uncertainty XML: ``<ccue>`` marks a cue; article titles are skipped."""
    return _read_annotated_xml(path, "Sentence", lambda e: e.tag == "ccue", {"Title"})


def read_bioscope(path: Path) -> Iterator[Example]:
    """BioScope XML: ``<cue type="speculation">`` marks a cue (negation cues are not hedges)."""
    return _read_annotated_xml(path, "sentence",
                               lambda e: e.tag == "cue" and e.get("type") == "speculation", set())


def read_brat(path: Path) -> Iterator[Example]:
    from hedge.polnear import read_polnear

    return read_polnear(path)


READERS = {
    "jsonl": read_jsonl, "csv": read_csv, "tsv": read_tsv, "fasttext": read_fasttext,
    "szeged": read_szeged, "bioscope": read_bioscope, "brat": read_brat,
}
