"""Text inputs for scoring: decoding, refusing binary / invalid text, expanding directories."""

from __future__ import annotations

import codecs
import io
import sys

import pytest

from hedge.errors import InputError
from hedge.inputs import TextInput, decode_text, expand_inputs, iter_texts, read_input

TEXT = "It may rain — perhaps. Café “quoted”."


@pytest.mark.parametrize("data", [
    pytest.param(TEXT.encode("utf-8"), id="utf-8"),
    pytest.param(codecs.BOM_UTF8 + TEXT.encode("utf-8"), id="utf-8-bom"),
    pytest.param(TEXT.encode("utf-16"), id="utf-16-native-bom"),
    pytest.param(codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), id="utf-16-le-bom"),
    pytest.param(codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), id="utf-16-be-bom"),
])
def test_decodes_utf8_and_bom_marked_utf16(data):
    assert decode_text(data, "t.txt") == TEXT  # and the BOM is not part of the text


def test_empty_input_is_empty_text():
    assert decode_text(b"", "t.txt") == ""


def test_only_one_leading_bom_is_removed():
    assert decode_text(codecs.BOM_UTF8 + "\ufeffx".encode(), "t.txt") == "\ufeffx"


@pytest.mark.parametrize("data", [
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", id="png"),
    pytest.param(b"PK\x03\x04\x14\x00\x00\x00", id="zip"),
    pytest.param(b"\x7fELF\x02\x01\x01\x00\x00", id="elf"),
    pytest.param("no BOM".encode("utf-16-le"), id="utf-16-without-bom"),
    pytest.param(codecs.BOM_UTF16_LE + b"\x41\x00\x42", id="utf-16-odd-length"),
    pytest.param("A".encode("utf-32"), id="utf-32"),
])
def test_binary_is_refused(data):
    with pytest.raises(InputError) as err:
        decode_text(data, "img.bin")
    assert str(err.value).startswith("img.bin: ")
    assert "binary" in str(err.value)


@pytest.mark.parametrize("data, offset", [
    (b"\xff", 0),
    (b"abc\xffdef", 3),
    ("Café ".encode("utf-8") + b"caf\xe9 au lait", 9),   # Latin-1 é after valid UTF-8 é
    (b"truncated \xe2\x80", 10),
])
def test_invalid_utf8_is_refused_naming_the_byte_offset(data, offset):
    with pytest.raises(InputError) as err:
        decode_text(data, "latin.txt")
    message = str(err.value)
    assert message.startswith("latin.txt: ")
    assert f"byte {offset}" in message
    assert "UTF-8" in message and "\n" not in message


def test_read_input_from_file(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(codecs.BOM_UTF8 + b"It may rain.\r\nNext line.\n")
    assert read_input(TextInput(str(path), path)) == "It may rain.\r\nNext line.\n"


def test_read_input_from_stdin(monkeypatch):
    fake = io.TextIOWrapper(io.BytesIO("It may rain.".encode("utf-16")), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", fake)
    assert read_input(TextInput("<stdin>", None)) == "It may rain."


def test_read_input_of_a_file_deleted_after_expansion(tmp_path):
    path = tmp_path / "gone.txt"
    with pytest.raises(InputError, match="no such file"):
        read_input(TextInput(str(path), path))


def test_expand_directory_to_sorted_txt_and_md_files(tmp_path):
    (tmp_path / "sub").mkdir()
    for name in ["b.txt", "a.md", "C.TXT", "notes.rst", "data.jsonl", "sub/d.txt", "sub/e.pdf"]:
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "dir.txt").mkdir()  # a directory named like a text file is not an input
    got = expand_inputs([str(tmp_path)])
    names = [item.path.relative_to(tmp_path).as_posix() for item in got]
    assert names == ["C.TXT", "a.md", "b.txt", "sub/d.txt"]
    assert all(item.name == str(item.path) for item in got)


def test_expand_keeps_the_given_order_of_files_and_stdin(tmp_path):
    b, a = tmp_path / "b.log", tmp_path / "a.txt"
    b.write_text("x")
    a.write_text("y")
    got = expand_inputs([str(b), "-", str(a)])
    assert [i.name for i in got] == [str(b), "<stdin>", str(a)]
    assert got[1].path is None
    assert got[0].path == b  # a file given by name is read whatever its extension


def test_expand_missing_file(tmp_path):
    missing = tmp_path / "nope.txt"
    with pytest.raises(InputError) as err:
        expand_inputs([str(missing)])
    assert str(err.value) == f"{missing}: no such file or directory"


def test_expand_directory_without_text_files(tmp_path):
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    with pytest.raises(InputError) as err:
        expand_inputs([str(tmp_path)])
    assert str(tmp_path) in str(err.value) and "*.txt" in str(err.value)


def test_iter_texts_reports_each_failure_and_continues(tmp_path):
    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    good.write_text("It may rain.", encoding="utf-8")
    bad.write_bytes(b"\x00\x01binary")
    got = list(iter_texts([TextInput(str(bad), bad), TextInput(str(good), good)]))
    assert isinstance(got[0][1], InputError) and "binary" in str(got[0][1])
    assert got[1][1] == "It may rain."
