"""hedge in CI: exit codes (0 / 1 / 2), fail rules, and GitHub Actions annotations."""

from __future__ import annotations

import json
import re

import pytest

from hedge.cli import app
from hedge.report import github_annotation
from hedge.records import SentenceRecord, TextSpan

# With the news model: 2 of 4 sentences hedged (50%); of 4 assertions, 2 unattributed (50%) and 1
# vaguely sourced ("Officials said ..."); the mayor's is a named source.
NEWS = ("Officials said the bridge may reopen soon.\nThe bridge closed in 1990. The tower may fall tonight.\n"
        "Mayor Anna Kowalski said the bridge will reopen.\n")
CALM = "Mayor Anna Kowalski said the bridge will reopen.\n"


@pytest.fixture()
def docs(tmp_path):
    (tmp_path / "news.txt").write_text(NEWS, encoding="utf-8")
    (tmp_path / "calm.txt").write_text(CALM, encoding="utf-8")
    return tmp_path


EXIT_CODES = [
    pytest.param([], 0, id="no rule: 0 even with findings"),
    pytest.param(["--fail-on", "hedged"], 1, id="hedged"),
    pytest.param(["--fail-on", "hedged", "--fail-over", "0.5"], 0, id="hedged share 50% is not over 0.5"),
    pytest.param(["--fail-on", "hedged", "--fail-over", "0.49"], 1, id="hedged share over 0.49"),
    pytest.param(["--fail-on", "unattributed"], 1, id="unattributed"),
    pytest.param(["--fail-on", "unattributed", "--fail-over", "0.3"], 1, id="unattributed 50% over 0.3"),
    pytest.param(["--fail-on", "unattributed", "--fail-over", "0.5"], 0, id="unattributed 50% is not over 0.5"),
    pytest.param(["--fail-on", "vague-source,hedged-unsourced"], 1, id="comma-separated kinds"),
    pytest.param(["--fail-on", "hedged", "--format", "github"], 1, id="with annotations"),
    pytest.param(["--fail-on", "sloppy"], 2, id="unknown kind"),
    pytest.param(["--fail-over", "0.3"], 2, id="share without kind"),
    pytest.param(["--fail-on", "hedged", "--fail-over", "1.5"], 2, id="share out of range"),
    pytest.param(["--format", "yaml"], 2, id="unknown format"),
    pytest.param(["--bogus"], 2, id="unknown option"),
]


@pytest.mark.parametrize("args, code", EXIT_CODES)
def test_exit_codes(runner, news_model_dir, docs, args, code):
    result = runner.invoke(app, ["score", str(docs / "news.txt"), "--model", str(news_model_dir), "--no-config",
                                 *args])
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr


def test_over_the_bar_is_reported_on_stderr_and_output_is_complete(runner, news_model_dir, docs):
    out = docs / "out.jsonl"
    result = runner.invoke(app, ["score", str(docs), "--model", str(news_model_dir), "--no-config",
                                 "--fail-on", "hedged", "-f", "jsonl", "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "hedge: warning: 1 of 2 document(s) over the bar (fail-on hedged):",
        f"  {docs / 'news.txt'}: 2 of 4 sentences hedged (50%)",
    ]
    docs_written = [r["doc"] for r in map(json.loads, out.read_text().splitlines()) if r["type"] == "document"]
    assert docs_written == [str(docs / "calm.txt"), str(docs / "news.txt")]  # the file is written all the same


def test_input_error_wins_over_findings(runner, news_model_dir, docs):
    (docs / "bad.txt").write_bytes(b"\xff\xfe\x00\x00binary")
    result = runner.invoke(app, ["score", str(docs / "bad.txt"), str(docs / "news.txt"), "--model",
                                 str(news_model_dir), "--no-config", "--fail-on", "hedged"])
    assert result.exit_code == 2


def test_fail_rules_from_the_configuration(runner, news_model_dir, docs, monkeypatch):
    monkeypatch.chdir(docs)
    (docs / ".hedge.toml").write_text('fail-on = ["hedged"]\nfail-over = 0.4\n')
    args = ["score", "news.txt", "--model", str(news_model_dir)]
    assert runner.invoke(app, args).exit_code == 1
    assert runner.invoke(app, [*args, "--fail-over", "0.6"]).exit_code == 0  # the command line wins
    assert runner.invoke(app, ["score", "calm.txt", "--model", str(news_model_dir)]).exit_code == 0


ANNOTATION = re.compile(r"::warning file=(?P<file>[^,]+),line=(?P<line>\d+),col=(?P<col>\d+)"
                        r"(?:,endColumn=(?P<end>\d+))?,title=(?P<title>[^:]+)::(?P<message>.+)")


def test_github_annotations_point_at_cues_and_flags(runner, news_model_dir, docs):
    path = docs / "news.txt"
    result = runner.invoke(app, ["score", str(path), "--model", str(news_model_dir), "--no-config",
                                 "--format", "github"])
    assert result.exit_code == 0
    found = [ANNOTATION.fullmatch(line) for line in result.stdout.splitlines()]
    assert all(found), result.stdout
    lines = NEWS.split("\n")
    at = [(int(m["line"]), int(m["col"])) for m in found]
    assert at == [(1, 27), (2, 1), (2, 38)]  # 'may'; the unattributed sentence's start; 'may'
    for m in found:
        assert m["file"] == str(path).replace(":", "%3A").replace(",", "%2C")
        text_there = lines[int(m["line"]) - 1][int(m["col"]) - 1:]
        if m["end"]:
            assert text_there[:int(m["end"]) - int(m["col"])] == "may"
    assert found[0]["title"] == "hedge%3A hedged%2C vague-source%2C hedged-unsourced"
    assert re.fullmatch(r"hedged \(\d\.\d\d\), cue 'may'; flags: vague-source, hedged-unsourced: "
                        r"Officials said the bridge may reopen soon\.", found[0]["message"])
    assert found[1]["message"].startswith("flags: unattributed: The bridge closed in 1990.")
    assert "Mayor" not in result.stdout  # a named, unhedged claim has nothing to report
    # The positions agree with the jsonl output.
    jsonl = runner.invoke(app, ["score", str(path), "--model", str(news_model_dir), "--no-config", "-f", "jsonl"])
    recs = [r for r in map(json.loads, jsonl.stdout.splitlines()) if r["type"] == "sentence"]
    assert (recs[0]["cues"][0]["line"], recs[0]["cues"][0]["col"]) == at[0]
    assert (recs[1]["line"], recs[1]["col"]) == at[1]


@pytest.mark.parametrize("doc, text, expected", [
    ("a,b:c.md", "It may rain.", "::warning file=a%2Cb%3Ac.md,line=1,col=4,endColumn=7,title=hedge%3A hedged::"
                                 "hedged (0.90), cue 'may': It may rain."),
    ("a.md", "100% may\nrain", "::warning file=a.md,line=1,col=6,endColumn=9,title=hedge%3A hedged::"
                               "hedged (0.90), cue 'may': 100%25 may rain"),
])
def test_github_escaping(doc, text, expected):
    start = text.index("may")
    rec = SentenceRecord(doc, 0, 0, len(text), text, 0.9, True, [TextSpan(start, start + 3, "may", 1, start + 1)],
                         line=1, col=1)
    assert github_annotation(rec) == expected


def test_github_says_nothing_about_plain_sentences():
    rec = SentenceRecord("a.md", 0, 0, 10, "It rained.", 0.1, False, line=1, col=1)
    assert github_annotation(rec) is None
