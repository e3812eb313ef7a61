"""A short run of the fuzzer (fuzz/fuzz_hedge.py) in CI: every target, a hundred inputs each.

The long runs are made by hand (``python fuzz/fuzz_hedge.py all --seconds 60``); this keeps the
targets themselves working and catches what a few hundred random inputs can.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "fuzz" / "fuzz_hedge.py"


@pytest.fixture(scope="module")
def fuzzer():
    spec = importlib.util.spec_from_file_location("fuzz_hedge", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_target_has_seeds(fuzzer):
    assert set(fuzzer.SEEDS) == set(fuzzer.TARGETS)


@pytest.mark.parametrize("target", ["jsonl", "csv", "tsv", "fasttext", "szeged", "bioscope", "detect", "brat",
                                    "split", "decode", "score", "model", "jsonl-rows", "model-json"])
def test_fuzz_target_smoke(fuzzer, tmp_path, target):
    runs, findings = fuzzer.fuzz(target, "hypothesis", runs=100, seconds=None, findings=tmp_path)
    assert findings == set(), [p.read_text() for p in tmp_path.glob("*.txt")]
    assert runs >= 100


def test_a_finding_is_saved_with_its_traceback(fuzzer, tmp_path, monkeypatch):
    # Control: the runner really catches and records what a target lets escape.
    def broken(data: bytes) -> None:
        if b"x" in data:
            raise KeyError("boom")

    monkeypatch.setitem(fuzzer.TARGETS, "split", broken)
    runner = fuzzer.Runner("split", tmp_path)
    for data in (b"a", b"x", b"xx"):
        runner(data)
    assert runner.runs == 3 and len(runner.seen) == 1
    (saved,) = tmp_path.glob("split-*.bin")
    assert saved.read_bytes() == b"x"
    assert "KeyError" in saved.with_suffix(".txt").read_text()
