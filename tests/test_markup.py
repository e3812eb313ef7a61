"""Markdown and HTML input, and ``hedge: ignore`` markers: the prose is scored, offsets stay true."""

from __future__ import annotations

import json

import pytest

from hedge.cli import app
from hedge.markup import kind_for, prepare


def sentences(text: str, kind: str) -> list[str]:
    """The prose of each unit, white space collapsed; and every unit checked against the original."""
    prepared = prepare(text, kind)
    assert len(prepared.text) == len(text)
    assert [i for i, ch in enumerate(text) if ch == "\n"] == [i for i, ch in enumerate(prepared.text) if ch == "\n"]
    out = []
    for start, end in prepared.units:
        prose = prepared.text[start:end]
        for i, ch in enumerate(prose):  # prose characters are the original's, or blanked
            assert ch == text[start + i] or ch.isspace() or text[start + i] == "&"
        out.append(" ".join(prose.split()))
    return out


MARKDOWN = [
    pytest.param("# Bridge may close\nThe council met.\n", ["Bridge may close", "The council met."], id="atx heading"),
    pytest.param("Bridge may close\n================\nThe council met.\n", ["Bridge may close", "The council met."],
                 id="setext heading"),
    pytest.param("Run `it may fail` now.\n", ["Run now."], id="inline code"),
    pytest.param("Text.\n\n```python\nx = 'it may rain'\n```\n\nMore.\n", ["Text.", "More."], id="fenced code"),
    pytest.param("Text.\n\n~~~\nit may\n~~~\n", ["Text."], id="tilde fence"),
    pytest.param("Text.\n\n    it may be code\n\nMore.\n", ["Text.", "More."], id="indented code"),
    pytest.param("See [the report](https://example.com/may-report) now.\n", ["See the report now."], id="link"),
    pytest.param("See ![a chart that may mislead](chart.png) here.\n", ["See here."], id="image"),
    pytest.param("Visit https://example.com/it-may-rain. Then go.\n", ["Visit .", "Then go."], id="bare url"),
    pytest.param("Mail <someone@example.com> or <https://x.org>.\n", ["Mail or ."], id="autolinks"),
    pytest.param("It **may** _possibly_ ~~fail~~ rain.\n", ["It may possibly fail rain."], id="emphasis"),
    pytest.param("- It might rain\n- Prices rose\n1. First item\n", ["It might rain", "Prices rose", "First item"],
                 id="list items are units"),
    pytest.param("- [x] Done may be\n- [ ] Open\n", ["Done may be", "Open"], id="task list"),
    pytest.param("> It may rain.\n> Really.\n", ["It may rain.", "Really."], id="blockquote"),
    pytest.param("| Name | Claim |\n|---|---|\n| Ann | It may work |\n", ["Name", "Claim", "Ann", "It may work"],
                 id="table cells"),
    pytest.param("---\ntitle: It may rain\n---\nBody text.\n", ["Body text."], id="front matter"),
    pytest.param("Text <span class=\"x\">may</span> here.\n", ["Text may here."], id="inline html"),
    pytest.param("Before.\n\n<script>var s = 'it may rain';</script>\n\nAfter.\n", ["Before.", "After."],
                 id="script block"),
    pytest.param("Before.\n\n---\n\nAfter.\n", ["Before.", "After."], id="thematic break"),
    pytest.param("Fish &amp; chips may be hot.\n", ["Fish & chips may be hot."], id="entity"),
    pytest.param("The vote was held in\n2019. The result may stand.\n",
                 ["The vote was held in 2019.", "The result may stand."], id="a number is not a list"),
    pytest.param("[ref]: https://example.com\nText.\n", ["Text."], id="reference definition"),
]


@pytest.mark.parametrize("text, expected", MARKDOWN)
def test_markdown_prose(text, expected):
    assert sentences(text, "markdown") == expected


HTML = [
    pytest.param("<p>It <em>may</em> rain.</p><p>The vote was on May 5.</p>",
                 ["It may rain.", "The vote was on May 5."], id="paragraphs"),
    pytest.param("<h1>Bridge may close</h1>Officials met.", ["Bridge may close", "Officials met."], id="heading"),
    pytest.param("<head><title>It may</title><style>p{}</style></head><body><p>Body.</p></body>", ["Body."],
                 id="head skipped"),
    pytest.param("<p>Run <code>may fail</code> now.</p><pre>it\nmay</pre>", ["Run now."], id="code and pre"),
    pytest.param("<script>if (a < b) { x = 'may'; }</script><p>Text.</p>", ["Text."], id="script"),
    pytest.param('<p>See <a href="https://example.com/may">the report</a>.</p>', ["See the report ."], id="link"),
    pytest.param("<ul><li>It might rain</li><li>Prices rose</li></ul>", ["It might rain", "Prices rose"], id="list"),
    pytest.param("<p>Fish &amp; chips &#8212; hot.</p>", ["Fish & chips — hot."], id="entities"),
    pytest.param("<p>Line one<br>line two</p>", ["Line one", "line two"], id="br"),
    pytest.param("<!DOCTYPE html><p>A &lt; b.</p>", ["A < b."], id="doctype"),
    pytest.param("<p>Unclosed <b>bold and a < sign.", ["Unclosed bold and a < sign."], id="sloppy html"),
]


@pytest.mark.parametrize("text, expected", HTML)
def test_html_prose(text, expected):
    assert sentences(text, "html") == expected


SUPPRESSION = [
    pytest.param("markdown", "<!-- hedge: ignore -->\nIt may rain. It might snow.\n", ["It might snow."],
                 id="md next sentence"),
    pytest.param("markdown", "It may rain. <!-- hedge: ignore --> It might snow. Fine.\n", ["It may rain.", "Fine."],
                 id="md inline marker"),
    pytest.param("markdown", "A.\n\n<!-- hedge: ignore-start -->\nIt may.\n\nIt might.\n<!-- hedge: ignore-end -->\n\nB.\n",
                 ["A.", "B."], id="md block"),
    pytest.param("markdown", "A.\n<!-- hedge: ignore-start -->\nIt may.\n", ["A."], id="md block to the end"),
    pytest.param("markdown", "Use `<!-- hedge: ignore -->` to skip.\nNext.\n", ["Use to skip.", "Next."],
                 id="md marker in code is documentation"),
    pytest.param("markdown", "<!-- a normal comment -->\nIt may rain.\n", ["It may rain."], id="md other comment"),
    pytest.param("html", "<p>A.</p><!-- hedge: ignore --><p>It may. B.</p>", ["A.", "B."], id="html next sentence"),
    pytest.param("html", "<p>A.</p><!--hedge:ignore-start--><p>It may.</p><!--hedge:ignore-end--><p>B.</p>",
                 ["A.", "B."], id="html block"),
    pytest.param("text", "It may rain. It might snow. # hedge: ignore\nThe bridge closed.\n", ["The bridge closed."],
                 id="text marked line"),
    pytest.param("text", "// hedge: ignore\nIt may rain. It might snow.\n", ["It might snow."], id="text marker line"),
    pytest.param("text", "A.\nhedge: ignore-start\nIt may.\nhedge: ignore-end\nB.\n", ["A.", "B."], id="text block"),
    pytest.param("text", "The hedge: ignored rows.\n", ["The hedge: ignored rows."], id="not a marker"),
]


@pytest.mark.parametrize("kind, text, expected", SUPPRESSION)
def test_suppression(kind, text, expected):
    assert sentences(text, kind) == expected


@pytest.mark.parametrize("name, given, kind", [
    ("a.md", "auto", "markdown"), ("a.MARKDOWN", "auto", "markdown"), ("a.html", "auto", "html"),
    ("a.htm", "auto", "html"), ("a.txt", "auto", "text"), ("<stdin>", "auto", "text"), ("a.txt", "markdown", "markdown"),
])
def test_kind_for(name, given, kind):
    assert kind_for(name, given) == kind


STORY_MD = """# Bridge may close

Officials said the bridge **may** reopen soon, see [the notes](https://example.com/may).

```
it may be code
```

<!-- hedge: ignore -->
This sentence might be skipped. The tower may fall tonight.
"""


def test_score_markdown_file_offsets_point_into_the_file(runner, tiny_model_dir, tmp_path):
    path = tmp_path / "story.md"
    path.write_text(STORY_MD, encoding="utf-8")
    result = runner.invoke(app, ["score", str(path), "-f", "jsonl", "--model", str(tiny_model_dir), "--no-config"])
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    sents = [r for r in records if r["type"] == "sentence"]
    assert [r["text"] for r in sents] == [
        "Bridge may close",
        "Officials said the bridge **may** reopen soon, see [the notes](https://example.com/may).",
        "The tower may fall tonight.",
    ]
    lines = STORY_MD.split("\n")
    url = STORY_MD.index("https://")
    code = STORY_MD.index("```")
    for rec in sents:
        assert STORY_MD[rec["start"]:rec["end"]] == rec["text"]
        for cue in rec["cues"]:
            assert lines[cue["line"] - 1][cue["col"] - 1:].startswith(cue["text"])
            at = rec["start"] + cue["start"]
            assert not url <= at < STORY_MD.index(")", url) and not code <= at < STORY_MD.index("<!--")
    may = next(c for c in sents[1]["cues"] if c["text"] == "may")
    assert (may["line"], may["col"]) == (3, 29)  # after "Officials said the bridge **"
    assert records[-1]["type"] == "document" and records[-1]["sentences"] == 3


def test_input_format_option(runner, tiny_model_dir):
    text = "Run `it may fail` now.\n"
    args = ["score", "-", "-f", "jsonl", "--model", str(tiny_model_dir), "--no-config"]
    plain = [json.loads(x) for x in runner.invoke(app, args, input=text).stdout.splitlines()]
    marked = [json.loads(x) for x in runner.invoke(app, [*args, "--input-format", "markdown"], input=text).stdout.splitlines()]
    assert [c["text"] for c in plain[0]["cues"]] == ["may"]
    assert marked[0]["cues"] == [] and marked[0]["text"] == "Run `it may fail` now."
    bad = runner.invoke(app, [*args, "--input-format", "rtf"], input=text)
    assert bad.exit_code == 2 and "rtf" in bad.stderr


def test_directory_includes_html(runner, tiny_model_dir, tmp_path):
    (tmp_path / "a.html").write_text("<p>It may rain.</p>", encoding="utf-8")
    (tmp_path / "b.txt").write_text("It may rain.", encoding="utf-8")
    result = runner.invoke(app, ["score", str(tmp_path), "-f", "jsonl", "--model", str(tiny_model_dir), "--no-config"])
    docs = [json.loads(x)["doc"] for x in result.stdout.splitlines() if '"document"' in x]
    assert docs == [str(tmp_path / "a.html"), str(tmp_path / "b.txt")]
