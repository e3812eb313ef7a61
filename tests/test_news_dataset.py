"""The news corpus in datasets/news: counts, schema, spans, labels in every split, and freshness."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from hedge.readers import read_examples

NEWS = Path(__file__).resolve().parent.parent / "datasets" / "news"
SPLITS = ("train", "dev", "test")


@pytest.fixture(scope="module")
def rows() -> dict[str, list[dict]]:
    return {s: [json.loads(line) for line in (NEWS / f"{s}.jsonl").read_text(encoding="utf-8").splitlines()]
            for s in SPLITS}


def test_corpus_size_and_shape(rows):
    every = [r for part in rows.values() for r in part]
    per_doc = Counter(r["doc"] for r in every)
    assert len(every) >= 4000
    assert len(per_doc) >= 300
    assert all(3 <= n <= 25 for n in per_doc.values())
    assert len({r["beat"] for r in every}) >= 12
    hard = sum(bool(set(r["tags"]) - {"headline"}) for r in every)
    assert hard / len(every) >= 0.15


def test_every_row_has_the_schema(rows):
    for part in rows.values():
        for r in part:
            assert isinstance(r["text"], str) and r["text"] == r["text"].strip() and r["text"]
            assert isinstance(r["hedged"], bool) and isinstance(r["assertion"], bool)
            assert r["attribution"] in ("named", "vague", "none")
            assert r["hedged"] == bool(r["cues"])
            for span in [*r["cues"], *([r["source"]] if r["source"] else [])]:
                assert 0 <= span["start"] < span["end"] <= len(r["text"])
                assert r["text"][span["start"]:span["end"]] == span["text"]
            if r["attribution"] == "named":
                assert r["source"] is not None
            if r["attribution"] == "none":
                assert r["source"] is None


def test_hedge_reader_accepts_every_split():
    for split in SPLITS:
        examples = read_examples([NEWS / f"{split}.jsonl"])
        assert examples and all(ex.split == split for ex in examples)


def test_every_label_present_in_every_split(rows):
    for split, part in rows.items():
        assert {r["hedged"] for r in part} == {True, False}, split
        assert {r["assertion"] for r in part} == {True, False}, split
        assert {r["attribution"] for r in part} == {"named", "vague", "none"}, split


def test_split_is_by_article(rows):
    docs = {s: {r["doc"] for r in part} for s, part in rows.items()}
    assert not (docs["train"] & docs["dev"]) and not (docs["train"] & docs["test"]) and not (docs["dev"] & docs["test"])


def test_built_files_match_the_authored_sources():
    script = NEWS.parent / "tools" / "build_news.py"
    result = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
