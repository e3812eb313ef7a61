"""The ``hedge`` command through typer's CliRunner (stdout and stderr are captured separately)."""

from __future__ import annotations

import csv
import io
import json
import pickle
import re

import pytest

from hedge.cli import app

CONTRACT_KEYS = ["type", "doc", "index", "start", "end", "text", "hedge", "hedged", "cues", "attribution",
                 "source", "flags", "line", "col"]
SPAN_KEYS = ["start", "end", "text", "line", "col"]


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset``, counted the slow, obvious way."""
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1

ARTICLE = ("Officials said the bridge may reopen next week. The bridge opened in 1990.\n\n"
           "The vote took place on May 5. Prices might rise, it seems.\n")
OTHER = "The river flows into the sea. It may rain tomorrow.\n"


@pytest.fixture()
def article(tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


@pytest.fixture()
def score(runner, tiny_model_dir):
    """Run ``hedge score ARGS --model <tiny model>``."""
    def run(*args, input=None):
        return runner.invoke(app, ["score", *map(str, args), "--model", str(tiny_model_dir)], input=input)
    return run


def ok(result):
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr, result.exception)
    return result


def one_error_line(result) -> str:
    """The single stderr line of a failed run (exit 2, no traceback)."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("hedge: error: ")
    return lines[0]


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def check_sentence(rec: dict, original: str) -> None:
    """The output contract of one sentence record."""
    assert list(rec) == CONTRACT_KEYS
    assert rec["type"] == "sentence"
    assert original[rec["start"]:rec["end"]] == rec["text"]
    assert (rec["line"], rec["col"]) == line_col(original, rec["start"])
    assert isinstance(rec["hedge"], float) and 0.0 <= rec["hedge"] <= 1.0
    assert isinstance(rec["hedged"], bool)
    assert rec["attribution"] in ("named", "vague", "none")
    assert isinstance(rec["flags"], list) and all(isinstance(f, str) for f in rec["flags"])
    for cue in rec["cues"]:
        assert list(cue) == SPAN_KEYS
        assert rec["text"][cue["start"]:cue["end"]] == cue["text"]  # relative to the sentence
        assert (cue["line"], cue["col"]) == line_col(original, rec["start"] + cue["start"])
    if rec["cues"]:
        assert rec["hedged"]
    if rec["source"] is not None:
        src = rec["source"]
        assert rec["text"][src["start"]:src["end"]] == src["text"]
        assert (src["line"], src["col"]) == line_col(original, rec["start"] + src["start"])


# -- score: output formats ---------------------------------------------------------------------------
def test_score_jsonl_contract(score, article):
    records = jsonl(ok(score(article, "--format", "jsonl")).stdout)
    sentences = [r for r in records if r["type"] == "sentence"]
    assert [r["text"] for r in sentences] == [
        "Officials said the bridge may reopen next week.", "The bridge opened in 1990.",
        "The vote took place on May 5.", "Prices might rise, it seems."]
    assert [r["index"] for r in sentences] == [0, 1, 2, 3]
    assert all(r["doc"] == str(article) for r in sentences)
    for rec in sentences:
        check_sentence(rec, ARTICLE)
    assert [r["hedged"] for r in sentences] == [True, False, False, True]
    cues = {c["text"]: (c["start"], c["end"]) for c in sentences[0]["cues"]}
    assert cues["may"] == (26, 29)  # "Officials said the bridge |may|": relative to the sentence
    assert cues.keys() <= {"said", "may"}
    assert sentences[1]["cues"] == [] and sentences[2]["cues"] == []
    assert {"text": "might", "start": 7, "end": 12, "line": 3, "col": 38} in sentences[3]["cues"]  # start/end: not file offsets
    # Then one document summary.
    assert records[-1]["type"] == "document" and records[-1]["doc"] == str(article)
    assert records[-1]["sentences"] == 4
    assert [r["type"] for r in records].count("document") == 1


def test_score_json_is_one_document_with_the_same_records(score, article):
    payload = json.loads(ok(score(article, "--format", "json")).stdout)
    assert set(payload) >= {"hedge_version", "documents"}
    (doc,) = payload["documents"]
    assert doc["doc"] == str(article)
    lines = jsonl(ok(score(article, "--format", "jsonl")).stdout)
    assert doc["sentences"] == [r for r in lines if r["type"] == "sentence"]
    assert doc["summary"] == lines[-1]


def test_score_csv_carries_the_same_fields(score, article):
    out = ok(score(article, "--format", "csv")).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == CONTRACT_KEYS[1:]  # every field but "type"
    expected = [r for r in jsonl(ok(score(article, "--format", "jsonl")).stdout) if r["type"] == "sentence"]
    assert len(rows) == len(expected)
    for row, rec in zip(rows, expected):
        assert row["doc"] == rec["doc"] and row["text"] == rec["text"]
        assert (int(row["index"]), int(row["start"]), int(row["end"])) == (rec["index"], rec["start"], rec["end"])
        assert float(row["hedge"]) == rec["hedge"]
        assert row["hedged"] == str(rec["hedged"]).lower()
        assert json.loads(row["cues"]) == rec["cues"]
        assert row["attribution"] == rec["attribution"]
        assert (json.loads(row["source"]) if row["source"] else None) == rec["source"]
        assert (row["flags"].split(";") if row["flags"] else []) == rec["flags"]
        assert (int(row["line"]), int(row["col"])) == (rec["line"], rec["col"])


def test_score_table(score, article):
    out = ok(score(article)).stdout
    lines = out.splitlines()
    assert lines[0] == str(article)
    rows = [ln for ln in lines if re.match(r"\s+\d+\s+\d\.\d\d", ln)]
    assert len(rows) == 4
    assert re.match(r"\s+0\s+\d\.\d\d H\s", rows[0]) and "[may]" in rows[0]
    assert re.match(r"\s+1\s+\d\.\d\d  \s", rows[1]) and "[" not in rows[1]
    assert any(ln.strip().startswith("summary:") for ln in lines)
    assert "\x1b[" not in out  # no colour when not a terminal


def test_score_several_files_in_the_given_order(score, article, tmp_path):
    other = tmp_path / "other.txt"
    other.write_text(OTHER, encoding="utf-8")
    records = jsonl(ok(score(other, article, "--format", "jsonl")).stdout)
    docs = [r["doc"] for r in records if r["type"] == "document"]
    assert docs == [str(other), str(article)]
    for rec in records:
        if rec["type"] == "sentence":
            check_sentence(rec, OTHER if rec["doc"] == str(other) else ARTICLE)


def test_score_a_directory(score, tmp_path):
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "b.txt").write_text(OTHER, encoding="utf-8")
    (folder / "a.md").write_text(ARTICLE, encoding="utf-8")
    (folder / "sub" / "c.txt").write_text("It may snow.", encoding="utf-8")
    (folder / "skip.json").write_text("{}", encoding="utf-8")
    records = jsonl(ok(score(folder, "--format", "jsonl")).stdout)
    docs = [r["doc"] for r in records if r["type"] == "document"]
    assert docs == [str(folder / "a.md"), str(folder / "b.txt"), str(folder / "sub" / "c.txt")]


def test_score_stdin(score):
    records = jsonl(ok(score("-", "--format", "jsonl", input=ARTICLE)).stdout)
    sentences = [r for r in records if r["type"] == "sentence"]
    assert len(sentences) == 4 and all(r["doc"] == "<stdin>" for r in sentences)
    for rec in sentences:
        check_sentence(rec, ARTICLE)


def test_score_utf16_file_offsets_are_characters(score, tmp_path):
    path = tmp_path / "u16.txt"
    path.write_bytes(ARTICLE.encode("utf-16"))
    sentences = [r for r in jsonl(ok(score(path, "--format", "jsonl")).stdout) if r["type"] == "sentence"]
    for rec in sentences:
        check_sentence(rec, ARTICLE)


# -- score --lines ------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "It may rain.\n\nThe bridge opened in 1990.\n",
    "It may rain.\r\n\r\nThe bridge opened in 1990.",
    "It may rain. The vote is on May 5.\n   \n\n",
    "\n",
    "Only one line",
    "First.\nSecond: it might. Third sentence on the same line.\n",
])
def test_lines_gives_exactly_one_record_per_line(score, text):
    records = jsonl(ok(score("-", "--lines", "--format", "jsonl", input=text)).stdout)
    expected = text.split("\n")
    if text.endswith("\n"):
        expected.pop()
    expected = [line.rstrip("\r") for line in expected]
    assert [r["type"] for r in records] == ["sentence"] * len(expected)  # no document summary
    assert [r["index"] for r in records] == list(range(len(expected)))
    assert [r["text"] for r in records] == expected
    for rec in records:
        check_sentence(rec, text)
        if not rec["text"].strip():
            assert rec["hedged"] is False and rec["cues"] == []


def test_lines_in_csv_and_table(score):
    text = "It may rain.\n\nThe bridge opened in 1990.\n"
    rows = list(csv.DictReader(io.StringIO(ok(score("-", "--lines", "--format", "csv", input=text)).stdout)))
    assert [r["index"] for r in rows] == ["0", "1", "2"]
    assert [r["hedged"] for r in rows] == ["true", "false", "false"]
    table = ok(score("-", "--lines", input=text)).stdout
    assert len([ln for ln in table.splitlines() if re.match(r"\s+\d+\s+\d\.\d\d", ln)]) == 3


def test_lines_of_empty_input_gives_no_records(score):
    assert ok(score("-", "--lines", "--format", "jsonl", input="")).stdout == ""


def test_lines_empty_lines_stay_not_hedged_at_threshold_zero(score):
    text = "It may rain.\n\nThe bridge opened in 1990.\n   \n"
    records = jsonl(ok(score("-", "--lines", "--threshold", "0", "--format", "jsonl", input=text)).stdout)
    assert [r["hedged"] for r in records] == [True, False, True, False]


# -- score --threshold ---------------------------------------------------------------------------------
@pytest.mark.parametrize("threshold, expected", [("0", True), ("0.0", True), ("1", False), ("1.0", False)])
def test_threshold_extremes(score, article, threshold, expected):
    # 0 makes every sentence hedged. 1 makes none hedged: `hedged` is `hedge >= threshold`, and the
    # tiny model's probabilities never reach exactly 1.0.
    records = jsonl(ok(score(article, "--threshold", threshold, "--format", "jsonl")).stdout)
    sentences = [r for r in records if r["type"] == "sentence"]
    assert [r["hedged"] for r in sentences] == [expected] * 4
    for rec in sentences:
        check_sentence(rec, ARTICLE)


def test_threshold_overrides_the_models(score, article, tiny_model):
    plain = [r for r in jsonl(ok(score(article, "--format", "jsonl")).stdout) if r["type"] == "sentence"]
    # A threshold just above the top score turns every sentence off, whatever the model's own threshold.
    top = max(r["hedge"] for r in plain)
    assert top >= tiny_model.threshold
    over = jsonl(ok(score(article, "--threshold", str(min(1.0, top + 0.001)), "--format", "jsonl")).stdout)
    assert not any(r.get("hedged") for r in over)


@pytest.mark.parametrize("value", ["-0.1", "1.5", "nan"])
def test_threshold_out_of_range(score, article, value):
    line = one_error_line(score(article, "--threshold", value))
    assert "threshold" in line


def test_unknown_output_format(score, article):
    assert "xml" in one_error_line(score(article, "--format", "xml"))


# -- score: models, errors, --output --------------------------------------------------------------------
def test_score_with_a_model_trained_in_the_test(runner, tmp_path, examples, article):
    from hedge.model import save_model
    from hedge.train import TrainConfig, train

    model_dir = save_model(train(examples, TrainConfig(folds=2, min_feature_count=1, threshold=0.99)),
                           tmp_path / "strict")
    result = ok(runner.invoke(app, ["score", str(article), "--model", str(model_dir), "--format", "jsonl"]))
    hedged = [r["hedged"] for r in jsonl(result.stdout) if r["type"] == "sentence"]
    assert hedged == [False] * 4  # the model's own threshold (0.99) is applied


def test_missing_input_file(score, tmp_path):
    line = one_error_line(score(tmp_path / "nope.txt"))
    assert str(tmp_path / "nope.txt") in line and "no such file" in line


def test_unreadable_input_is_reported_and_the_others_are_scored(score, article, tmp_path):
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    result = score(binary, article, "--format", "jsonl")
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert f"{binary}: looks like a binary file" in result.stderr
    docs = {r["doc"] for r in jsonl(result.stdout)}
    assert docs == {str(article)}


def test_invalid_utf8_input_names_the_byte(score, tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("It may rain in Malmö.".encode("latin-1"))
    result = score(path)
    assert result.exit_code == 2
    assert f"{path}: not valid UTF-8 text (byte 19)" in result.stderr


@pytest.mark.parametrize("make", ["missing", "file", "pickle"])
def test_bad_model_is_one_line(runner, tmp_path, article, make):
    target = tmp_path / "model"
    marker = tmp_path / "PWNED"
    if make == "file":
        target.write_text("{}")
    elif make == "pickle":
        target.mkdir()

        class Touch:
            def __reduce__(self):
                return (open, (str(marker), "w"))

        (target / "meta.json").write_bytes(pickle.dumps(Touch()))
    line = one_error_line(runner.invoke(app, ["score", str(article), "--model", str(target)]))
    assert str(target) in line
    assert not marker.exists()


def test_output_file(score, article, tmp_path):
    out = tmp_path / "out.jsonl"
    result = ok(score(article, "--format", "jsonl", "--output", out))
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8") == ok(score(article, "--format", "jsonl")).stdout
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []  # no temporary left


def test_output_file_not_written_on_error(runner, article, tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("previous results\n")
    one_error_line(runner.invoke(app, ["score", str(article), "--model", str(tmp_path / "none"), "-o", str(out)]))
    assert out.read_text() == "previous results\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["article.txt", "out.jsonl"]


def test_default_model_smoke(runner):
    text = "It may rain tomorrow.\nThe meeting took place on May 5.\n"
    records = jsonl(ok(runner.invoke(app, ["score", "-", "--lines", "--format", "jsonl"], input=text)).stdout)
    assert len(records) == 2
    assert records[0]["hedge"] > records[1]["hedge"]
    assert records[0]["hedged"] and not records[1]["hedged"]
    assert [c["text"] for c in records[0]["cues"]] == ["may"]
    for rec in records:
        check_sentence(rec, text)


# -- train and evaluate -----------------------------------------------------------------------------------
def test_train_then_evaluate(runner, tmp_path, train_jsonl, dev_jsonl):
    out = tmp_path / "model"
    result = ok(runner.invoke(app, ["train", str(train_jsonl), "--dev", str(dev_jsonl), "--out", str(out)]))
    assert f"wrote {out}" in result.stdout
    assert result.stderr  # progress on stderr
    meta = json.loads((out / "meta.json").read_text())
    assert meta["data"]["sentences"] == 22 and "data" in meta["metrics"]

    table = ok(runner.invoke(app, ["evaluate", str(train_jsonl), "--model", str(out)])).stdout
    assert "hedging" in table and "precision" in table and "recall" in table
    as_json = json.loads(ok(runner.invoke(app, ["evaluate", str(train_jsonl), "--model", str(out),
                                                "--format", "json"])).stdout)
    assert as_json["examples"] == 22
    assert as_json["threshold"] == meta["threshold"]
    hedging = as_json["tasks"]["hedging"]
    assert hedging["n"] == 22 and hedging["positives"] == 10
    assert hedging["f1"] >= 0.8  # on its own training data

    scored = jsonl(ok(runner.invoke(app, ["score", "-", "--lines", "--model", str(out), "--format", "jsonl"],
                                    input="It may rain.\nThe vote is on May 5.\n")).stdout)
    assert scored[0]["hedge"] > scored[1]["hedge"]


def test_train_quiet_prints_no_progress(runner, tmp_path, train_jsonl):
    result = ok(runner.invoke(app, ["train", str(train_jsonl), "--out", str(tmp_path / "m"), "-q"]))
    assert result.stderr == ""
    assert (tmp_path / "m" / "weights.json").is_file()


def test_train_with_forced_format(runner, tmp_path):
    data = tmp_path / "data.ft"  # an extension the detector does not know, and CSV content
    rows = ["text,hedged"]
    rows += [f"It may rain on day {i}.,1" for i in range(6)] + [f"It rained on May {i}.,0" for i in range(6)]
    data.write_text("\n".join(rows) + "\n")
    failed = runner.invoke(app, ["train", str(data), "--out", str(tmp_path / "m1"), "-q"])
    assert "--format" in one_error_line(failed)
    ok(runner.invoke(app, ["train", str(data), "--format", "csv", "--out", str(tmp_path / "m2"), "-q"]))
    assert json.loads((tmp_path / "m2" / "meta.json").read_text())["data"]["sentences"] == 12


@pytest.mark.parametrize("bad_line, words", [
    ('{"text": "broken", ', "not JSON"),
    ('{"hedged": true}', "text"),
    ('{"text": "It may rain.", "hedged": "perhaps"}', "perhaps"),
    ('{"text": "It may rain.", "hedged": true, "cues": [[3, 99]]}', "not inside the text"),
    ('{"text": "It may rain.", "hedged": true, "cues": [{"start": 3, "end": 6, "text": "can"}]}', "does not match"),
])
def test_train_malformed_row_exit_2_and_no_model(runner, tmp_path, train_jsonl, bad_line, words):
    lines = train_jsonl.read_text().splitlines()
    lines.insert(4, bad_line)  # becomes line 5
    train_jsonl.write_text("\n".join(lines) + "\n")
    out = tmp_path / "model"
    line = one_error_line(runner.invoke(app, ["train", str(train_jsonl), "--out", str(out)]))
    assert f"{train_jsonl}:5: " in line and words in line
    assert re.fullmatch(rf"hedge: error: {re.escape(str(train_jsonl))}:5: .+", line)
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".model")]


def test_train_malformed_row_leaves_an_existing_model_intact(runner, tmp_path, train_jsonl, tiny_model_dir):
    import shutil

    out = shutil.copytree(tiny_model_dir, tmp_path / "model")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with train_jsonl.open("a") as fh:
        fh.write("__label__1 not JSON at all\n")
    line = one_error_line(runner.invoke(app, ["train", str(train_jsonl), "--out", str(out)]))
    assert f"{train_jsonl}:23: " in line
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_train_on_data_with_one_label_only(runner, tmp_path):
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps({"text": f"It may rain {i}.", "hedged": True}) + "\n" for i in range(5)))
    line = one_error_line(runner.invoke(app, ["train", str(data), "--out", str(tmp_path / "m")]))
    assert "both hedged and not-hedged" in line
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize("command", ["train", "evaluate"])
def test_missing_data_file(runner, tmp_path, tiny_model_dir, command):
    args = [command, str(tmp_path / "nope.jsonl")]
    args += ["--out", str(tmp_path / "m")] if command == "train" else ["--model", str(tiny_model_dir)]
    line = one_error_line(runner.invoke(app, args))
    assert f"{tmp_path / 'nope.jsonl'}: no such file" in line


def test_evaluate_malformed_row(runner, tmp_path, tiny_model_dir):
    data = tmp_path / "d.csv"
    data.write_text("text,hedged\nIt may rain.,1\nIt rained.,sometimes\n")
    line = one_error_line(runner.invoke(app, ["evaluate", str(data), "--model", str(tiny_model_dir)]))
    assert f"{data}:3: " in line


def test_train_without_data(runner, tmp_path):
    assert "no training data" in one_error_line(runner.invoke(app, ["train", "--out", str(tmp_path / "m")]))


def test_unknown_evaluate_format(runner, train_jsonl, tiny_model_dir):
    line = one_error_line(runner.invoke(app, ["evaluate", str(train_jsonl), "--model", str(tiny_model_dir),
                                              "--format", "csv"]))
    assert "csv" in line
