"""Streaming long inputs (hedge.stream, inputs.decode_blocks, report.Tally) and --jobs: the same
records, summaries and bytes as scoring whole documents one by one."""

from __future__ import annotations

import codecs
import dataclasses
import json

import pytest

import hedge.api
import hedge.inputs
import hedge.stream
from hedge.api import score_document
from hedge.attribution import PRONOUNS
from hedge.cli import app
from hedge.errors import InputError
from hedge.gate import findings, over_the_bar
from hedge.inputs import decode_blocks, decode_text
from hedge.records import SentenceRecord, TextSpan
from hedge.report import Tally, summarize
from hedge.stream import score_stream

PARAGRAPHS = [
    "Mayor Anna Kowalski said on Tuesday that the bridge may reopen next week. The repairs cost "
    "$4.5 million, according to the city.",
    "She said the council had approved the budget. Officials said the detour might last until June.",
    'He added that the work was "nearly done". It is unclear whether the contractor will finish on time.',
    "Dr. Lena Ortiz, an engineer at the U.S. Department of Transportation, said the cracks were minor. "
    "They may, however, widen in winter.",
    "1. The east ramp closes first.\n2. The west ramp follows.\n- Buses run every 10 min.",
    "Residents say the noise is unbearable! Will it end soon? Nobody knows.",
    "Café owners on the Straße said business fell by 30 % — perhaps more. Prof. J. R. Smith disagreed.",
]
ARTICLE = "\n\n".join(PARAGRAPHS * 3) + "\n"
MARKED = ARTICLE.replace(PARAGRAPHS[1], "# hedge: ignore\n" + PARAGRAPHS[1], 1).replace(
    PARAGRAPHS[5], "hedge: ignore-start\n" + PARAGRAPHS[5] + "\n\n" + PARAGRAPHS[6] + "\nhedge: ignore-end", 1).replace(
    "Nobody knows.", "Nobody knows. # hedge: ignore")

TEXTS = {
    "paragraphs": ARTICLE,
    "one-paragraph": " ".join(PARAGRAPHS * 3),
    "crlf": ARTICLE.replace("\n", "\r\n"),
    "markers": MARKED,
    "line-marker": ARTICLE + " ".join(PARAGRAPHS[:4]) + " # hedge: ignore\n\n" + ARTICLE,
    "blank-lines-with-spaces": ARTICLE.replace("\n\n", "\n  \t\n\n"),
}


def pieces(text: str, n: int = 7) -> list[str]:
    return [text[i:i + n] for i in range(0, len(text), n)]


def streamed(model, text: str, size: int, **kw) -> list[dict]:
    return [r.to_dict() for records, _, _ in score_stream(model, pieces(text), "doc", size=size, **kw)
            for r in records]


@pytest.mark.parametrize("size", [1, 64, 300, 100_000])
@pytest.mark.parametrize("name", sorted(TEXTS))
def test_streamed_records_equal_the_whole_documents(default_model, name, size):
    text = TEXTS[name]
    whole = [r.to_dict() for r in score_document(default_model, text, "doc")]
    assert streamed(default_model, text, size) == whole


def test_a_pronoun_source_after_a_named_one_in_an_earlier_chunk_stays_named(default_model, monkeypatch):
    text = TEXTS["paragraphs"]
    whole = score_document(default_model, text, "doc")
    carried = [r for r in whole if r.source is not None and r.source.text.lower() in PRONOUNS
               and r.attribution == "named"]
    assert carried, "the model should name the source of 'She said ...' after 'Mayor Anna Kowalski said'"
    assert streamed(default_model, text, 64) == [r.to_dict() for r in whole]
    monkeypatch.setattr(hedge.stream, "carry_named_source", lambda records, named: named)
    assert streamed(default_model, text, 64) != [r.to_dict() for r in whole]


@pytest.mark.parametrize("size", [1, 50])
def test_streamed_lines_equal_whole_lines(default_model, size):
    text = "It may rain.\n\nThe vote is on May 5.\r\nPrices might rise\n" * 5
    whole = [r.to_dict() for r in score_document(default_model, text, "doc", lines=True)]
    assert streamed(default_model, text, size, lines=True) == whole


def test_a_chunk_without_any_sentence_end_is_cut_at_white_space(default_model):
    text = "word " * 300
    chunks = list(hedge.stream.chunks(pieces(text, 100), size=10, limit=200))
    assert len(chunks) > 1
    assert all(c.text[c.end - 1] == " " for c in chunks[:-1])
    assert "".join(c.text[c.start:c.end] for c in chunks) == text


# -- the command line -------------------------------------------------------------------------------
@pytest.fixture()
def article(tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(MARKED, encoding="utf-8")
    return path


def run(runner, model_dir, *args, input=None):
    return runner.invoke(app, ["score", *map(str, args), "--model", str(model_dir)], input=input)


@pytest.mark.parametrize("args", [
    ["-f", "jsonl"], ["-f", "table"], ["-f", "csv"], ["-f", "github"], ["-f", "jsonl", "--only-flagged"],
    ["-f", "jsonl", "--explain"], ["-f", "table", "--lines"], ["-f", "jsonl", "--fail-on", "hedged"],
])
def test_score_streams_a_large_file_with_the_same_output(runner, news_model_dir, article, monkeypatch, args):
    whole = run(runner, news_model_dir, article, *args)
    monkeypatch.setattr(hedge.api, "STREAM_BYTES", 0)  # every file counts as large
    monkeypatch.setattr(hedge.stream, "CHUNK_CHARS", 80)
    streamed_run = run(runner, news_model_dir, article, *args)
    assert (streamed_run.exit_code, streamed_run.stdout, streamed_run.stderr) == \
        (whole.exit_code, whole.stdout, whole.stderr)
    assert whole.stdout.count("\n") > 10


def test_stdin_is_streamed_with_the_same_records(runner, news_model_dir, article, monkeypatch):
    monkeypatch.setattr(hedge.stream, "CHUNK_CHARS", 80)
    from_file = run(runner, news_model_dir, article, "-f", "jsonl").stdout
    from_stdin = run(runner, news_model_dir, "-", "-f", "jsonl", input=MARKED).stdout
    assert from_stdin == from_file.replace(json.dumps(str(article)), json.dumps("<stdin>"))


def test_invalid_utf8_far_into_a_streamed_file_names_its_byte(runner, news_model_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(hedge.api, "STREAM_BYTES", 0)
    monkeypatch.setattr(hedge.stream, "CHUNK_CHARS", 80)
    monkeypatch.setattr(hedge.inputs, "BLOCK_BYTES", 64)
    good = (ARTICLE * 5).encode("utf-8")  # more than the 8192 bytes looked at before anything is decoded
    path = tmp_path / "bad.txt"
    path.write_bytes(good + b"caf\xe9.\n")
    result = run(runner, news_model_dir, path, "-f", "jsonl")
    assert result.exit_code == 2
    assert f"not valid UTF-8 text (byte {len(good) + 3})" in result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records and all(r["type"] == "sentence" for r in records)  # what came before; no summary


@pytest.mark.parametrize("args", [["-f", "jsonl"], ["-f", "csv", "--fail-on", "hedged"], ["-f", "html"],
                                  ["-f", "table", "--explain", "--only-flagged"]])
def test_jobs_give_the_same_bytes_in_the_same_order(runner, news_model_dir, tmp_path, args):
    folder = tmp_path / "articles"
    folder.mkdir()
    for n in range(7):
        (folder / f"a{n}.txt").write_text("\n\n".join(PARAGRAPHS[n:] + PARAGRAPHS[:n]), encoding="utf-8")
    (folder / "b.md").write_text("# Heading\n\nIt may *rain*, officials said.\n", encoding="utf-8")
    (folder / "c.txt").write_bytes(b"caf\xe9")
    one = run(runner, news_model_dir, folder, *args, "--jobs", "1")
    two = run(runner, news_model_dir, folder, *args, "--jobs", "2")
    assert one.exit_code == 2 and "c.txt: not valid UTF-8" in one.stderr
    assert (two.exit_code, two.stdout, two.stderr) == (one.exit_code, one.stdout, one.stderr)


# -- pieces --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("data", [
    b"", "It may rain — perhaps. Café “quoted”.".encode("utf-8"),
    codecs.BOM_UTF8 + "\ufeffx é".encode("utf-8"), "UTF-16 ✓".encode("utf-16"),
    b"abc\xffdef", "Café ".encode("utf-8") + b"caf\xe9 au lait", b"truncated \xe2\x80", "é".encode() * 9000 + b"\x80",
    b"\x00\x01binary", "A".encode("utf-32"),
])
@pytest.mark.parametrize("block", [1, 2, 3, 5, 8192, 1 << 20])
def test_decoding_in_blocks_gives_what_decoding_whole_gives(data, block):
    try:
        expected = decode_text(data, "t.txt")
    except InputError as exc:
        expected = "error: " + str(exc)
    try:
        got = "".join(decode_blocks([data[i:i + block] for i in range(0, len(data), block)], "t.txt"))
    except InputError as exc:
        got = "error: " + str(exc)
    assert got == expected


def test_a_summary_counted_in_parts_is_the_summary_of_the_whole(news_model):
    records = news_model.score(ARTICLE, "doc")
    tally = Tally()
    for k in range(0, len(records), 4):
        tally.add(records[k:k + 4])
    assert tally.summary("doc") == summarize("doc", records)
    kinds = ["hedged", "unattributed", "vague-source", "hedged-unsourced"]
    assert findings("doc", tally, kinds) == over_the_bar("doc", records, kinds)
    assert findings("doc", tally, kinds, 0.99) == []


def test_record_to_dict_is_the_dataclass_as_a_dict():
    cue = TextSpan(4, 7, "may", 1, 5)
    rec = SentenceRecord("d", 3, 10, 22, "It may rain.", 0.123456, True, [cue], "named",
                         TextSpan(0, 2, "It", 1, 1), ["hedged-unsourced"], False, 1, 1)
    expected = dataclasses.asdict(rec)
    expected.pop("assertion")
    expected["hedge"] = 0.1235
    assert json.dumps(rec.to_dict()) == json.dumps({"type": "sentence", **expected})


def test_scoring_imports_neither_scikit_learn_nor_joblib(tmp_path, article):
    """Start-up: `hedge score` on one file loads no training libraries (they take over a second)."""
    import subprocess
    import sys

    code = ("import sys\nfrom hedge.cli import app\n"
            f"try:\n    app(['score', {str(article)!r}, '-f', 'jsonl', '-o', {str(tmp_path / 'o.jsonl')!r}])\n"
            "except SystemExit:\n    pass\n"
            "print(sorted(m for m in ('sklearn', 'joblib', 'numpy', 'scipy') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    assert (tmp_path / "o.jsonl").read_text(encoding="utf-8").count('"type": "sentence"') > 5


def test_jobs_read_stdin_in_the_main_process(runner, news_model_dir, article):
    args = [article, "-", article, "-f", "json"]  # json is not streamed: stdin is read whole
    one = run(runner, news_model_dir, *args, "--jobs", "1", input=ARTICLE)
    two = run(runner, news_model_dir, *args, "--jobs", "2", input=ARTICLE)
    assert one.exit_code == 0 and "<stdin>" in one.stdout
    assert two.stdout == one.stdout


def test_the_first_chunks_are_small_so_output_starts_at_once():
    text = ARTICLE * 2000  # about 5 million characters
    sizes = [c.end - c.start for c in hedge.stream.chunks([text], size=1 << 20)]
    assert sizes[0] <= hedge.stream.FIRST_CHARS < 4 * sizes[0]
    assert sizes[:5] == sorted(sizes[:5]) and max(sizes) <= 1 << 20 and max(sizes) > (1 << 20) // 2
    assert sum(sizes) == len(text)
