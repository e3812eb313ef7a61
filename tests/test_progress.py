"""Progress: a bar on stderr when it is a terminal, never a byte of it on stdout."""

from __future__ import annotations

import io
import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def run_with_terminal_stderr(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run ``python -m hedge ARGS`` with stdout a pipe and stderr a pseudo-terminal."""
    leader, follower = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "100", "TERM": "xterm"}
    proc = subprocess.Popen([sys.executable, "-m", "hedge", *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=follower, stdin=subprocess.DEVNULL, env=env)
    os.close(follower)
    seen = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    out = proc.stdout.read().decode("utf-8")
    code = proc.wait(timeout=60)
    os.close(leader)
    return code, out, seen.decode("utf-8", "replace")


@pytest.fixture()
def many(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(5):
        (folder / f"{i}.txt").write_text(f"It may rain on day {i}. The bridge opened in 1990.\n", encoding="utf-8")
    return folder


def test_progress_bar_goes_to_a_terminal_stderr_only(many, tiny_model_dir, tmp_path):
    code, out, err = run_with_terminal_stderr(
        ["score", str(many), "-f", "jsonl", "--model", str(tiny_model_dir), "--no-config"], tmp_path)
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]  # stdout is clean JSON Lines
    assert sum(r["type"] == "document" for r in records) == 5
    assert "scoring" in err and "5/5" in err  # the bar was drawn, to the end


def test_quiet_draws_nothing(many, tiny_model_dir, tmp_path):
    code, out, err = run_with_terminal_stderr(
        ["score", str(many), "-f", "jsonl", "--model", str(tiny_model_dir), "--no-config", "--quiet"], tmp_path)
    assert code == 0
    assert err == "" and len(out.splitlines()) == 15


def test_no_bar_when_stderr_is_not_a_terminal(runner, many, tiny_model_dir):
    from hedge.cli import app

    result = runner.invoke(app, ["score", str(many), "-f", "jsonl", "--model", str(tiny_model_dir), "--no-config"])
    assert result.exit_code == 0 and result.stderr == ""



class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("quiet, terminal, expected", [
    (False, True, "rich"), (False, False, "plain"), (True, True, "nothing"), (True, False, "nothing"),
])
def test_training_steps(quiet, terminal, expected):
    from hedge.progress import steps

    stream = Terminal() if terminal else io.StringIO()
    plain: list[str] = []
    with steps(quiet, plain.append, stream=stream) as say:
        if say is not None:
            say("cue model, all data")
    assert plain == (["cue model, all data"] if expected == "plain" else [])
    assert ("cue model, all data" in stream.getvalue()) == (expected == "rich")
