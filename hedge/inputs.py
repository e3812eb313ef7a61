"""Text inputs for scoring: files, directories of text, Markdown and HTML files, and ``-`` for stdin.

Text must be UTF-8 (a UTF-8 or UTF-16 byte-order mark is honoured). Anything else is refused with a
clear error rather than scored as mojibake: a binary file, or bytes that are not valid UTF-8.
"""

from __future__ import annotations

import codecs
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hedge import errors

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
STDIN = "-"


@dataclass(frozen=True)
class TextInput:
    """A named input: ``name`` is what records carry in ``doc``; ``path`` is None for stdin."""

    name: str
    path: Path | None


def expand_inputs(given: list[str]) -> list[TextInput]:
    """Files as given, directories expanded to their ``TEXT_SUFFIXES`` files (sorted, recursive)."""
    out: list[TextInput] = []
    for item in given:
        if item == STDIN:
            out.append(TextInput("<stdin>", None))
            continue
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix.lower() in TEXT_SUFFIXES and p.is_file())
            if not found:
                raise errors.InputError(errors.INPUT_EMPTY_DIR.format(path=path))
            out.extend(TextInput(str(p), p) for p in found)
        elif path.exists():
            out.append(TextInput(str(path), path))
        else:
            raise errors.InputError(errors.INPUT_MISSING.format(path=path))
    return out


def decode_text(data: bytes, name: str) -> str:
    """Decode ``data`` as UTF-8 (or BOM-marked UTF-16), refusing binary and invalid bytes."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise errors.InputError(errors.INPUT_BINARY.format(path=name))  # UTF-32 is not read
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise errors.InputError(errors.INPUT_BINARY.format(path=name)) from None
    if b"\x00" in data[:8192]:
        raise errors.InputError(errors.INPUT_BINARY.format(path=name))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise errors.InputError(errors.INPUT_ENCODING.format(path=name, offset=exc.start)) from None
    return text[1:] if text.startswith("\ufeff") else text


def read_input(item: TextInput) -> str:
    """The whole text of one input."""
    if item.path is None:
        return decode_text(sys.stdin.buffer.read(), item.name)
    try:
        data = item.path.read_bytes()
    except FileNotFoundError:
        raise errors.InputError(errors.INPUT_MISSING.format(path=item.name)) from None
    except OSError as exc:
        raise errors.InputError(f"{item.name}: cannot read ({exc.strerror})") from None
    return decode_text(data, item.name)


def iter_texts(items: list[TextInput]) -> Iterator[tuple[TextInput, str | errors.InputError]]:
    """Each input with its text, or with the error that stopped it being read."""
    for item in items:
        try:
            yield item, read_input(item)
        except errors.InputError as exc:
            yield item, exc
