"""Bad text to score and hostile training data: one clear line and a non-zero exit, never a traceback.

The policy for bytes that are not UTF-8 is to refuse them, naming the byte offset, everywhere: text to
score (files and stdin) and labelled data alike. A UTF-8 or UTF-16 byte-order mark is honoured.
"""

from __future__ import annotations

import codecs
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hedge.cli import app
from hedge.errors import DataFormatError
from hedge.readers import read_examples, read_file

ROOT = Path(__file__).resolve().parent.parent
TEXT = "Officials said the bridge may reopen. The bridge opened in 1990.\n"


def run_hedge(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """``python -m hedge ARGS`` in a real process, importing this checkout's hedge."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    kwargs.setdefault("timeout", 120)
    return subprocess.run([sys.executable, "-m", "hedge", *args], capture_output=True, env=env, **kwargs)


def error_line(result, code: int = 2) -> str:
    """The single ``hedge: error:`` line of a failed CliRunner run."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hedge: error: "), result.stderr
    return lines[0]


@pytest.fixture()
def score(runner, tiny_model_dir):
    def run(*args, input=None):
        return runner.invoke(app, ["score", *map(str, args), "--model", str(tiny_model_dir)], input=input)
    return run


def sentences(stdout: str) -> list[dict]:
    return [r for r in map(json.loads, stdout.splitlines()) if r["type"] == "sentence"]


# -- text to score --------------------------------------------------------------------------------
@pytest.mark.parametrize("data", [
    pytest.param(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4, id="elf"),
    pytest.param(b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)), id="zip"),
    pytest.param(b"plain text then a NUL\x00 byte", id="nul-in-text"),
])
def test_binary_file_is_refused_in_one_line(score, tmp_path, data):
    path = tmp_path / "x.txt"
    path.write_bytes(data)
    result = score(path, "--format", "jsonl")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"hedge: warning: {path}: looks like a binary file, not text",
                                          "hedge: warning: 1 input(s) could not be read"]


INVALID_UTF8 = "It may rain in Malmö.\n".encode("latin-1")  # byte 19 is 0xf6


def test_invalid_utf8_is_refused_naming_the_byte_in_a_real_process(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(INVALID_UTF8)
    result = run_hedge("score", str(path))
    assert result.returncode == 2
    assert result.stderr.decode().splitlines() == [
        f"hedge: warning: {path}: not valid UTF-8 text (byte 19); convert it to UTF-8 first",
        "hedge: warning: 1 input(s) could not be read"]


def test_invalid_utf8_on_stdin_names_the_byte(score):
    result = score("-", input=INVALID_UTF8)
    assert result.exit_code == 2
    assert "<stdin>: not valid UTF-8 text (byte 19)" in result.stderr


@pytest.mark.parametrize("encode", [
    pytest.param(lambda t: t.encode("utf-16"), id="utf-16"),
    pytest.param(lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"), id="utf-16-be"),
    pytest.param(lambda t: codecs.BOM_UTF8 + t.encode("utf-8"), id="utf-8-bom"),
])
def test_bom_marked_text_is_decoded(score, tmp_path, encode):
    path = tmp_path / "bom.txt"
    path.write_bytes(encode(TEXT))
    result = score(path, "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    assert [r["text"] for r in sentences(result.stdout)] == ["Officials said the bridge may reopen.",
                                                            "The bridge opened in 1990."]
    assert sentences(result.stdout)[0]["start"] == 0  # the mark is not part of the text


@pytest.mark.parametrize("content", ["", "\n\n  \n", "\ufeff"])
def test_empty_file_gives_no_sentences_and_exit_0(score, tmp_path, content):
    path = tmp_path / "empty.txt"
    path.write_text(content, encoding="utf-8")
    result = score(path, "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["type"] for r in records] == ["document"] and records[0]["sentences"] == 0
    assert score(path, "--lines", "--format", "jsonl").stdout.count('"type": "sentence"') == content.count("\n")


def _folder_with_bad_entries(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    (folder / "c.txt").write_text("It might snow.\n", encoding="utf-8")
    (folder / "b-dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    os.mkfifo(folder / "b-fifo.txt")  # reading it would block forever
    (folder / "b-secret.txt").write_text("unreadable", encoding="utf-8")
    return folder


def test_directory_with_unreadable_entries_skips_them_warns_and_exits_2(score, tmp_path, monkeypatch):
    folder = _folder_with_bad_entries(tmp_path)
    # chmod 000 does not stop root (CI runs as root), so the permission error is simulated.
    secret = folder / "b-secret.txt"
    real_read_bytes = Path.read_bytes

    def read_bytes(self):
        if self == secret:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = score(folder, "--format", "jsonl")
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    warnings = result.stderr.strip().splitlines()
    assert warnings == [
        f"hedge: warning: {folder / 'b-dangling.txt'}: not a regular file (a broken link, a pipe or a device); skipped",
        f"hedge: warning: {folder / 'b-fifo.txt'}: not a regular file (a broken link, a pipe or a device); skipped",
        f"hedge: warning: {secret}: cannot read (Permission denied)",
        "hedge: warning: 3 input(s) could not be read",  # reported at the end
    ]
    docs = [r["doc"] for r in map(json.loads, result.stdout.splitlines()) if r["type"] == "document"]
    assert docs == [str(folder / "a.txt"), str(folder / "c.txt")]  # the rest is scored


def test_directory_with_a_fifo_does_not_hang_in_a_real_process(tmp_path, tiny_model_dir):
    folder = _folder_with_bad_entries(tmp_path)
    result = run_hedge("score", str(folder), "--model", str(tiny_model_dir), "--format", "jsonl", timeout=60)
    assert result.returncode == 2
    assert b"b-fifo.txt: not a regular file" in result.stderr and b"Traceback" not in result.stderr
    assert result.stdout.count(b'"type": "document"') == 3  # a.txt, b-secret.txt (root can read it), c.txt


def test_a_fifo_named_on_the_command_line_is_read(tmp_path, tiny_model_dir):
    # What the user names explicitly is read as asked: `hedge score <(cat file)` gives a pipe.
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "hedge", "score", str(fifo), "--model", str(tiny_model_dir),
                             "--format", "jsonl"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + 60
    while True:  # open for writing once hedge has opened it for reading (never block the test)
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError:
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.02)
    os.set_blocking(fd, True)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(TEXT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert out.count(b'"type": "sentence"') == 2


def test_broken_pipe_on_stdout_exits_quietly(tmp_path, tiny_model_dir):
    big = tmp_path / "big.txt"
    big.write_text(TEXT * 5000, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for fmt in ("table", "jsonl"):
        cmd = (f"{sys.executable} -m hedge score {big} --model {tiny_model_dir} --format {fmt} | head -1; "
               "echo \"status=${PIPESTATUS[0]}\"")
        result = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, env=env, timeout=120)
        assert result.stderr == "", result.stderr  # no traceback, no "Exception ignored" either
        assert result.stdout.splitlines()[-1] == "status=0"
        assert len(result.stdout.splitlines()) == 2


# -- labelled data --------------------------------------------------------------------------------
def test_invalid_utf8_in_data_names_line_and_byte_like_text_input(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_bytes(b'{"text": "ok", "hedged": true}\n{"text": "caf\xe9", "hedged": false}\n')
    with pytest.raises(DataFormatError) as err:
        read_file(path)
    assert str(err.value) == f"{path}:2: not valid UTF-8 text (byte 44); convert it to UTF-8 first"


@pytest.mark.parametrize("name, content", [
    ("d.jsonl", '{"text": "It may rain.", "hedged": true}\n{"text": "It rained.", "hedged": false}\n'),
    ("d.csv", "text,hedged\nIt may rain.,1\nIt rained.,0\n"),
])
def test_utf16_data_file_with_a_bom_is_decoded(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content.encode("utf-16"))
    assert [(ex.text, ex.hedged) for ex in read_file(path)] == [("It may rain.", True), ("It rained.", False)]


def test_utf16_data_file_format_is_detected_from_its_content(tmp_path):
    path = tmp_path / "d.txt"
    path.write_bytes("__label__1 It may rain.\n__label__0 It rained.\n".encode("utf-16"))
    assert [(ex.text, ex.hedged) for ex in read_examples([path])] == [("It may rain.", True), ("It rained.", False)]


@pytest.mark.parametrize("name, content, fmt", [
    pytest.param("d.jsonl", "", None, id="jsonl-empty"),
    pytest.param("d.jsonl", "\n \n\n", None, id="jsonl-blank-lines"),
    pytest.param("d.csv", "text,hedged\n", None, id="csv-header-only"),
    pytest.param("d.tsv", "", "tsv", id="tsv-empty"),
    pytest.param("d.txt", "\n", "fasttext", id="fasttext-empty"),
    pytest.param("d.xml", "<Annotation><DocumentSet/></Annotation>", "szeged", id="xml-without-sentences"),
])
def test_empty_data_file_is_an_error_not_zero_examples(tmp_path, name, content, fmt):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataFormatError) as err:
        read_file(path, fmt)
    assert str(err.value).startswith(f"{path}:1: no labelled sentences"), str(err.value)


def test_brat_folder_without_annotations_is_an_error(tmp_path):
    (tmp_path / "text").mkdir()
    (tmp_path / "attributions").mkdir()
    (tmp_path / "text" / "a.txt").write_text(TEXT, encoding="utf-8")
    with pytest.raises(DataFormatError) as err:
        read_examples([tmp_path])
    assert str(err.value).startswith(f"{tmp_path}: no labelled sentences")


@pytest.mark.parametrize("name, content, line, first", [
    pytest.param("d.jsonl", '{"id": "s1", "text": "It may rain.", "hedged": true}\n'
                            '{"id": "s2", "text": "It rained.", "hedged": false}\n\n'
                            '{"id": "s1", "text": "It rained again.", "hedged": false}\n', 4, 1, id="jsonl"),
    pytest.param("d.jsonl", '{"id": 7, "text": "a", "hedged": true}\n{"id": 7, "text": "b", "hedged": false}\n',
                 2, 1, id="jsonl-number-ids"),
    pytest.param("d.csv", "id,text,hedged\n1,It may rain.,1\n2,\"Two\nlines.\",0\n1,It rained.,0\n", 5, 2, id="csv"),
])
def test_duplicate_id_in_one_file_is_an_error(tmp_path, name, content, line, first):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataFormatError) as err:
        read_file(path)
    assert str(err.value).startswith(f"{path}:{line}: duplicate id ")
    assert f"(first on line {first})" in str(err.value)


def test_same_id_in_different_files_and_missing_ids_are_fine(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"id": 1, "text": "a", "hedged": true}\n{"text": "b", "hedged": false}\n'
                                      '{"text": "c", "hedged": false}\n', encoding="utf-8")
    (tmp_path / "b.jsonl").write_text('{"id": 1, "text": "d", "hedged": true}\n', encoding="utf-8")
    assert [ex.text for ex in read_examples([tmp_path])] == ["a", "b", "c", "d"]


# -- hostile training data through `hedge train` --------------------------------------------------
BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<Annotation><DocumentSet><Document><DocID>d</DocID><DocumentPart type="Text">
<Sentence id="S1">It <ccue>may</ccue> be &lol9;.</Sentence><Sentence id="S2">It is.</Sentence>
</DocumentPart></Document></DocumentSet></Annotation>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE Annotation [<!ENTITY secret SYSTEM "file://{target}">]>
<Annotation><DocumentSet><Document><DocID>d</DocID><DocumentPart type="Text">
<Sentence id="S1">It <ccue>may</ccue> leak: &secret;</Sentence><Sentence id="S2">It is.</Sentence>
</DocumentPart></Document></DocumentSet></Annotation>
"""


@pytest.mark.parametrize("kind", ["billion-laughs", "external-entity"])
def test_train_refuses_unsafe_xml_and_writes_no_model(runner, tmp_path, tiny_model_dir, kind):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-TOKEN", encoding="utf-8")
    xml = BILLION_LAUGHS if kind == "billion-laughs" else EXTERNAL_ENTITY.replace("{target}", str(secret))
    data = tmp_path / "wiki.xml"
    data.write_text(xml, encoding="utf-8")
    fresh, existing = tmp_path / "fresh", shutil.copytree(tiny_model_dir, tmp_path / "existing")
    before = {p.name: p.read_bytes() for p in existing.iterdir()}
    for out in (fresh, existing):
        line = error_line(runner.invoke(app, ["train", str(data), "--out", str(out), "-q"]))
        assert f"{data}" in line and "unsafe XML refused" in line
        assert "TOP-SECRET-TOKEN" not in line
    assert not fresh.exists()
    assert {p.name: p.read_bytes() for p in existing.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing", "secret.txt", "wiki.xml"]


@pytest.mark.parametrize("name, content, line, words", [
    pytest.param("d.jsonl", "", 1, "no labelled sentences", id="empty-jsonl"),
    pytest.param("d.csv", "text,hedged\n", 1, "no labelled sentences", id="csv-header-only"),
    pytest.param("d.csv", "sentence,hedged\nIt may rain.,1\n", 1, "'text' column", id="missing-text-column"),
    pytest.param("d.tsv", "text\tscore\nIt may rain.\t1\n", 1, "'hedged' or 'label' column", id="missing-label-column"),
    pytest.param("d.txt", "__label__maybe It may rain.\n", 1, "'maybe'", id="wrong-fasttext-label"),
    pytest.param("d.jsonl", '{"id": 1, "text": "a", "hedged": true}\n{"id": 1, "text": "b", "hedged": false}\n',
                 2, "duplicate id", id="duplicate-id"),
])
def test_train_on_bad_data_gives_file_line_and_writes_no_model(runner, tmp_path, name, content, line, words):
    data = tmp_path / name
    data.write_text(content, encoding="utf-8")
    out = tmp_path / "model"
    message = error_line(runner.invoke(app, ["train", str(data), "--out", str(out), "-q"]))
    assert message.startswith(f"hedge: error: {data}:{line}: ") and words in message, message
    assert not out.exists()
