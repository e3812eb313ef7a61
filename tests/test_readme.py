"""The README's "Using hedge day to day" examples still work."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def section_code(heading: str, language: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(heading)
    block = re.search(rf"```{language}\n(.*?)```", text[start:], re.S)
    assert block, f"no {language} block under {heading}"
    return block.group(1)


def test_python_api_example_runs(tmp_path, monkeypatch, train_jsonl):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "story.md").write_text("# Bridge may close\n\nRun `may` now. It might rain.\n", encoding="utf-8")
    train_jsonl.rename(tmp_path / "labelled.jsonl")
    out = io.StringIO()
    scope: dict = {}
    with contextlib.redirect_stdout(out):
        exec(compile(section_code("### Python API", "python"), "README.md", "exec"), scope)
    printed = out.getvalue().splitlines()
    assert printed[0].startswith("0 1 1 ") and printed[0].endswith("['may']")
    assert printed[1].startswith("1 1 39 ")
    assert [r.text for r in scope["records"]] == ["Bridge may close", "Run `may` now.", "It might rain."]
    assert scope["records"][1].cues == []  # "may" in inline code is not prose
    assert (tmp_path / "my-model" / "meta.json").is_file()
    assert printed[2]  # the words of the strongest reason


def test_configuration_example_is_valid(tmp_path):
    from hedge.config import load_settings

    (tmp_path / "pyproject.toml").write_text(section_code("### Configuration", "toml"), encoding="utf-8")
    settings = load_settings(tmp_path / "pyproject.toml")
    assert settings.threshold == 0.6 and settings.fail_on == ("hedged",)
    assert settings.model == tmp_path / "models" / "news"
