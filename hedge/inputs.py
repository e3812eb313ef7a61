"""Text inputs for scoring: files, directories of text, Markdown and HTML files, and ``-`` for stdin.

Text must be UTF-8 (a UTF-8 or UTF-16 byte-order mark is honoured). Anything else is refused with a
clear error rather than scored as mojibake: a binary file, or bytes that are not valid UTF-8.
"""

from __future__ import annotations

import codecs
import itertools
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from hedge import errors

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
STDIN = "-"


@dataclass(frozen=True)
class TextInput:
    """A named input: ``name`` is what records carry in ``doc``; ``path`` is None for stdin.

    ``listed``: found by listing a directory, so only a regular file is read (a pipe or a device met
    that way could block or never end; one named on the command line is read as asked).
    """

    name: str
    path: Path | None
    listed: bool = False


def expand_inputs(given: list[str]) -> list[TextInput]:
    """Files as given, directories expanded to their ``TEXT_SUFFIXES`` files (sorted, recursive)."""
    out: list[TextInput] = []
    for item in given:
        if item == STDIN:
            out.append(TextInput("<stdin>", None))
            continue
        path = Path(item)
        if path.is_dir():
            # Not only regular files: a broken link or a pipe named *.txt is reported, not silently skipped.
            found = sorted(p for p in path.rglob("*") if p.suffix.lower() in TEXT_SUFFIXES and not p.is_dir())
            if not found:
                raise errors.InputError(errors.INPUT_EMPTY_DIR.format(path=path))
            out.extend(TextInput(str(p), p, listed=True) for p in found)
        elif path.exists():
            out.append(TextInput(str(path), path))
        else:
            raise errors.InputError(errors.INPUT_MISSING.format(path=path))
    return out


BLOCK_BYTES = 1 << 20  # how much of an input is read at a time when it is streamed


def decode_text(data: bytes, name: object) -> str:
    """Decode ``data`` as UTF-8 (or BOM-marked UTF-16), refusing binary and invalid bytes.

    The one decoding policy for every text hedge reads (score inputs and labelled data): refuse with
    :class:`~hedge.errors.TextDecodeError`, naming the byte offset, rather than guess.
    """
    return "".join(decode_blocks([data], name))


def decode_blocks(blocks: Iterable[bytes], name: object) -> Iterator[str]:
    """Decode a byte stream given in blocks, incrementally, as :func:`decode_text` decodes it whole:
    the same text (a UTF-8 byte-order mark dropped), the same errors with the same byte offsets."""
    blocks = iter(blocks)
    first = b""
    for block in blocks:  # enough bytes to recognise a byte-order mark and to look for NULs
        first += block
        if len(first) >= 8192:
            break
    if first.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise errors.TextDecodeError(name, errors.TEXT_BINARY, 0)  # UTF-32 is not read
    utf16 = first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    nul = -1 if utf16 else first.find(b"\x00", 0, 8192)
    if nul >= 0:
        raise errors.TextDecodeError(name, errors.TEXT_BINARY, nul)
    decoder = codecs.getincrementaldecoder("utf-16" if utf16 else "utf-8")()
    done = 0  # bytes fed to the decoder before this block
    at_start = True
    for block, final in _with_last(itertools.chain([first], blocks)):
        pending = len(decoder.buffer)
        try:
            text = decoder.decode(block, final)
        except UnicodeDecodeError as exc:
            if utf16:
                raise errors.TextDecodeError(name, errors.TEXT_BINARY, 0) from None
            offset = done - pending + exc.start
            raise errors.TextDecodeError(name, errors.TEXT_ENCODING.format(offset=offset), offset) from None
        done += len(block)
        if at_start and text:
            at_start = False
            if not utf16 and text.startswith("\ufeff"):
                text = text[1:]
        if text:
            yield text


def _with_last(items: Iterable[bytes]) -> Iterator[tuple[bytes, bool]]:
    """Each item, and whether it is the last one (the empty input gives one empty, last item)."""
    it = iter(items)
    prev = next(it, b"")
    for item in it:
        yield prev, False
        prev = item
    yield prev, True


def _read_blocks(item: TextInput, size: int) -> Iterator[bytes]:
    if item.path is None:
        stream = sys.stdin.buffer
        while block := stream.read(size):
            yield block
        return
    if item.listed and not item.path.is_file() and (item.path.is_symlink() or item.path.exists()):
        raise errors.InputError(errors.INPUT_SPECIAL.format(path=item.name))
    try:
        with open(item.path, "rb") as fh:
            while block := fh.read(size):
                yield block
    except FileNotFoundError:
        raise errors.InputError(errors.INPUT_MISSING.format(path=item.name)) from None
    except OSError as exc:
        raise errors.InputError(f"{item.name}: cannot read ({exc.strerror})") from None


def read_input(item: TextInput) -> str:
    """The whole text of one input."""
    if item.path is None:
        return decode_text(sys.stdin.buffer.read(), item.name)
    if item.listed and not item.path.is_file() and (item.path.is_symlink() or item.path.exists()):
        raise errors.InputError(errors.INPUT_SPECIAL.format(path=item.name))
    try:
        data = item.path.read_bytes()
    except FileNotFoundError:
        raise errors.InputError(errors.INPUT_MISSING.format(path=item.name)) from None
    except OSError as exc:
        raise errors.InputError(f"{item.name}: cannot read ({exc.strerror})") from None
    return decode_text(data, item.name)


def stream_input(item: TextInput, block_bytes: int | None = None) -> Iterator[str]:
    """The text of one input in pieces, read and decoded ``block_bytes`` (default :data:`BLOCK_BYTES`)
    at a time, in bounded memory."""
    return decode_blocks(_read_blocks(item, block_bytes or BLOCK_BYTES), item.name)


def input_size(item: TextInput) -> int | None:
    """The size of a file input in bytes; None for stdin or when it cannot be found out."""
    try:
        return None if item.path is None else item.path.stat().st_size
    except OSError:
        return None


def iter_texts(items: list[TextInput]) -> Iterator[tuple[TextInput, str | errors.InputError]]:
    """Each input with its text, or with the error that stopped it being read."""
    for item in items:
        try:
            yield item, read_input(item)
        except errors.InputError as exc:
            yield item, exc
