"""Atomic writes: a model or report killed half-way leaves the earlier one intact and no litter behind.

The kill tests run ``python -m hedge`` in a real process and signal it in the middle of its work.
SIGINT and SIGTERM unwind and remove the temporary; SIGKILL cannot be caught, so its temporary (if the
kill lands while one exists) is removed by the next write to the same target (hedge/atomic.py).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import HEDGED, NOT_HEDGED, jsonl_rows
from hedge import atomic
from hedge.model import load_model, save_model

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
SIGNALS = [pytest.param(signal.SIGINT, id="SIGINT"), pytest.param(signal.SIGTERM, id="SIGTERM"),
           pytest.param(signal.SIGKILL, id="SIGKILL")]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def start(*args: str, stderr=subprocess.PIPE) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "hedge", *args], stdout=subprocess.PIPE, stderr=stderr,
                            env=ENV, text=True)


def wait_for_line(proc: subprocess.Popen, words: str, timeout: float = 60) -> list[str]:
    """Read stderr lines until one holds ``words`` (the process is then busy with that step)."""
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        seen.append(line)
        if words in line:
            return seen
    proc.kill()
    pytest.fail(f"never saw {words!r}: {seen}")


def expected_exit(sig: int) -> int:
    return {signal.SIGINT: 130, signal.SIGTERM: 128 + signal.SIGTERM, signal.SIGKILL: -signal.SIGKILL}[sig]


@pytest.fixture()
def big_jsonl(tmp_path) -> Path:
    """The inline corpus 100 times over (2,200 sentences): training takes a few seconds."""
    rows = [dict(r, doc=f"d{k}-{n % 7}") for k in range(100) for n, r in enumerate(jsonl_rows(HEDGED, NOT_HEDGED))]
    path = tmp_path / "big.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("sig", SIGNALS)
def test_killing_train_leaves_the_earlier_model_intact(tmp_path, tiny_model, big_jsonl, sig):
    out = save_model(tiny_model, tmp_path / "model")
    before = snapshot(out)
    proc = start("train", str(big_jsonl), "--out", str(out))
    wait_for_line(proc, "vectorizing")  # data read, training under way
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == expected_exit(sig), err
    assert "Traceback" not in err
    if sig == signal.SIGINT:
        assert err.strip().endswith("hedge: interrupted")
    assert snapshot(out) == before
    assert load_model(out).threshold == tiny_model.threshold
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.jsonl", "model"]  # no temporary left


@pytest.mark.parametrize("sig", SIGNALS)
def test_killing_score_leaves_no_partial_report(tmp_path, tiny_model_dir, sig):
    docs = tmp_path / "docs"
    docs.mkdir()
    for n in range(400):
        (docs / f"{n:03d}.txt").write_text("Officials said it may rain. The bridge opened in 1990.\n" * 40,
                                           encoding="utf-8")
    report = tmp_path / "report.jsonl"
    report.write_text("earlier results\n", encoding="utf-8")
    proc = start("score", str(docs), "--model", str(tiny_model_dir), "-f", "jsonl", "-o", str(report))
    deadline = time.monotonic() + 60
    while not [p for p in tmp_path.glob(".report.jsonl.hedge-tmp-*") if p.stat().st_size > 10_000]:
        assert proc.poll() is None and time.monotonic() < deadline, "scoring ended before it could be killed"
        time.sleep(0.02)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == expected_exit(sig), err
    assert "Traceback" not in err
    assert report.read_text(encoding="utf-8") == "earlier results\n"
    leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".report"))
    if sig != signal.SIGKILL:
        assert leftovers == []
        return
    assert len(leftovers) == 1  # SIGKILL cannot be cleaned up after ...
    small = tmp_path / "small"
    small.mkdir()
    (small / "a.txt").write_text("It may rain.\n", encoding="utf-8")
    proc = start("score", str(small), "--model", str(tiny_model_dir), "-f", "jsonl", "-o", str(report))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert [json.loads(line)["type"] for line in report.read_text().splitlines()] == ["sentence", "document"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report")] == []  # ... the next run does


# -- in-process: the moments a kill test cannot aim at ---------------------------------------------------
def test_interrupt_between_the_two_renames_puts_the_earlier_model_back(tmp_path, tiny_model, news_model,
                                                                       monkeypatch):
    out = save_model(tiny_model, tmp_path / "model")
    before = snapshot(out)
    real_replace, calls = os.replace, []

    def replace(src, dst):
        calls.append((Path(src).name, Path(dst).name))
        if len(calls) == 2:  # the earlier model has been moved aside; the new one is not in place
            raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        save_model(news_model, out)
    monkeypatch.setattr(os, "replace", real_replace)
    assert calls[0][0] == "model" and ".hedge-old-" in calls[0][1]
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


def _dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(proc.stdout)


def test_temporaries_of_a_killed_run_are_removed_and_a_moved_model_restored(tmp_path, tiny_model):
    out = tmp_path / "model"
    dead = _dead_pid()
    ours, live = atomic.temp_prefix(out).replace(str(os.getpid()), str(dead)), atomic.temp_prefix(out)
    moved = tmp_path / (atomic.temp_prefix(out, "old").replace(str(os.getpid()), str(dead)) + "dir")
    save_model(tiny_model, tmp_path / "m")
    shutil.move(tmp_path / "m", moved)                       # killed between the two renames
    (tmp_path / (ours + "abc")).mkdir()                      # a half-written model of that run
    (tmp_path / (ours + "abc") / "meta.json").write_text("{")
    (tmp_path / (live + "xyz")).mkdir()                      # a write still going on (this process)
    (tmp_path / ".other.hedge-tmp-elsewhere-1-x").mkdir()    # another target's: not touched
    (tmp_path / ".model.hedge-tmp-otherhost-1-q").mkdir()    # another machine's (shared disk): not touched
    handled = atomic.remove_stale(out)
    assert sorted(p.name for p in handled) == sorted([moved.name, ours + "abc"])
    assert load_model(out).threshold == tiny_model.threshold  # the earlier model is back
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [".model.hedge-tmp-otherhost-1-q", ".other.hedge-tmp-elsewhere-1-x", live + "xyz", "model"])
