"""Configuration: ``[tool.hedge]`` / ``.hedge.toml`` found from the current directory up, checked,
with command-line options on top; extra cue words and words never to flag."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hedge import errors
from hedge.cli import app
from hedge.config import Settings, find_config, load_settings

TEXT = "To our mind the bridge is safe. It may rain tomorrow. The bridge opened in 1990.\n"


@pytest.fixture()
def project(tmp_path, monkeypatch):
    """A project folder with a sub-folder as the current directory, and the text to score in it."""
    sub = tmp_path / "docs" / "news"
    sub.mkdir(parents=True)
    (sub / "a.txt").write_text(TEXT, encoding="utf-8")
    monkeypatch.chdir(sub)
    return tmp_path


def run(runner, model_dir, *args):
    result = runner.invoke(app, ["score", "a.txt", "-f", "jsonl", "--model", str(model_dir), *args])
    return result


def sentences(result) -> list[dict]:
    assert result.exit_code in (0, 1), (result.exit_code, result.stderr)
    return [r for r in map(json.loads, result.stdout.splitlines()) if r["type"] == "sentence"]


def test_found_from_a_sub_directory_pyproject(runner, tiny_model_dir, project):
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.hedge]\nthreshold = 0.0\n')
    assert find_config() == project / "pyproject.toml"
    assert all(r["hedged"] for r in sentences(run(runner, tiny_model_dir)))  # threshold 0: all hedged
    # The command line wins over the file; --no-config ignores it.
    assert not any(r["hedged"] for r in sentences(run(runner, tiny_model_dir, "--threshold", "1")))
    plain = sentences(run(runner, tiny_model_dir, "--no-config"))
    assert [r["hedged"] for r in plain] == [False, True, False]


def test_hedge_toml_wins_over_pyproject_in_the_same_folder(project):
    (project / "pyproject.toml").write_text("[tool.hedge]\nthreshold = 0.1\n")
    (project / ".hedge.toml").write_text("threshold = 0.2\n")
    assert find_config() == project / ".hedge.toml"
    assert load_settings().threshold == 0.2


def test_nearest_folder_wins_and_pyproject_without_table_is_passed_over(project):
    (project / ".hedge.toml").write_text("threshold = 0.3\n")
    (project / "docs" / "pyproject.toml").write_text('[project]\nname = "docs"\n')
    assert find_config() == project / ".hedge.toml"
    (project / "docs" / "news" / ".hedge.toml").write_text("[tool.hedge]\nthreshold = 0.4\n")
    assert load_settings().threshold == 0.4


def test_no_configuration_gives_the_defaults(project):
    assert find_config() is None or not str(find_config()).startswith(str(project))
    assert load_settings(search=False) == Settings()


def test_all_keys(project):
    (project / ".hedge.toml").write_text(
        'threshold = 0.6\nextra-cues = ["We  Believe", "arguably"]\nnever_flag = ["Can"]\n'
        'flags = ["unattributed"]\nfail-on = ["hedged", "unattributed"]\nfail-over = 0.25\nmodel = "models/m"\n')
    s = load_settings()
    assert s == Settings(threshold=0.6, extra_cues=("we believe", "arguably"), never_flag=("can",),
                         flags=("unattributed",), fail_on=("hedged", "unattributed"), fail_over=0.25,
                         model=project / "models" / "m")
    assert s.source == project / ".hedge.toml"


def test_extra_cues_and_never_flag(runner, tiny_model_dir, project):
    (project / ".hedge.toml").write_text('extra-cues = ["to our mind"]\nnever-flag = ["may"]\n')
    first, second, third = sentences(run(runner, tiny_model_dir))
    # "to our mind" is not a cue the model knows: the rule reports it and makes the sentence hedged.
    assert first["hedged"] and [c["text"] for c in first["cues"]] == ["To our mind"]
    assert (first["cues"][0]["line"], first["cues"][0]["col"]) == (1, 1)
    # "may" is never a cue candidate: the model scores the sentence as if the word were not one.
    assert not second["hedged"] and second["cues"] == []
    assert second["hedge"] < sentences(run(runner, tiny_model_dir, "--no-config"))[1]["hedge"]
    assert not third["hedged"]


def test_flags_setting_limits_the_flags_reported(runner, news_model_dir, project):
    text = "Officials said the bridge may reopen soon. The bridge closed in 1990.\n"
    Path("a.txt").write_text(text, encoding="utf-8")
    everything = sentences(run(runner, news_model_dir, "--no-config"))
    assert everything[0]["flags"] == ["vague-source", "hedged-unsourced"]
    assert everything[1]["flags"] == ["unattributed"]
    (project / ".hedge.toml").write_text('flags = ["unattributed"]\n')
    limited = sentences(run(runner, news_model_dir))
    assert [r["flags"] for r in limited] == [[], ["unattributed"]]


def test_model_path_is_relative_to_the_file(runner, tiny_model_dir, project):
    import shutil

    shutil.copytree(tiny_model_dir, project / "models" / "mine")
    (project / ".hedge.toml").write_text('model = "models/mine"\n')
    result = runner.invoke(app, ["score", "a.txt", "-f", "jsonl"])
    assert result.exit_code == 0, result.stderr
    (project / ".hedge.toml").write_text('model = "models/none"\n')
    result = runner.invoke(app, ["score", "a.txt"])
    assert result.exit_code == 2 and str(project / "models" / "none") in result.stderr


BAD = [
    pytest.param("threshold = 2\n", "threshold must be a number from 0 to 1, not 2", id="threshold range"),
    pytest.param('threshold = "high"\n', "threshold must be a number from 0 to 1", id="threshold type"),
    pytest.param("treshold = 0.5\n", "unknown key 'treshold' in the hedge configuration; did you mean 'threshold'?",
                 id="typo"),
    pytest.param("colour = 1\n", "unknown key 'colour'", id="unknown key"),
    pytest.param('extra-cues = "we believe"\n', "extra-cues must be a list of strings", id="not a list"),
    pytest.param('extra-cues = ["we believe!"]\n', "is not a word or phrase", id="not a word"),
    pytest.param('never-flag = ["can be"]\n', "never-flag takes single words", id="phrase in never"),
    pytest.param('flags = ["wrong"]\n', "'wrong' is not one of unattributed, vague-source, hedged-unsourced",
                 id="unknown flag"),
    pytest.param('fail-on = ["typos"]\n', "'typos' is not one of hedged,", id="unknown fail kind"),
    pytest.param("fail-over = 0.3\n", "fail-over needs fail-on", id="fail-over alone"),
    pytest.param('extra-cues = ["may"]\nnever-flag = ["May"]\n', "'may' is in both", id="both lists"),
    pytest.param('flags = ["vague-source"]\nfail-on = ["unattributed"]\n', "flags setting does not report",
                 id="fail on a hidden flag"),
    pytest.param("threshold = \n", "not valid TOML", id="bad toml"),
]


@pytest.mark.parametrize("content, message", BAD)
def test_bad_configuration_is_one_line(runner, tiny_model_dir, project, content, message):
    (project / ".hedge.toml").write_text(content)
    result = run(runner, tiny_model_dir)
    assert result.exit_code == 2, result.stdout
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"hedge: error: {project / '.hedge.toml'}")
    assert message in line


def test_pyproject_errors(project):
    (project / "pyproject.toml").write_text("[tool.hedge]\nthreshold = -1\n")
    with pytest.raises(errors.ConfigError, match=r"pyproject.toml: threshold must be"):
        load_settings()
    (project / "docs" / "pyproject.toml").write_text("[project]\n")
    with pytest.raises(errors.ConfigError, match="no \\[tool.hedge\\] table"):
        load_settings(project / "docs" / "pyproject.toml")  # named on purpose, so it must have one


@pytest.mark.parametrize("args, message", [
    (["--config", "missing.toml"], "missing.toml: no such configuration file"),
    (["--config", ".hedge.toml", "--no-config"], "either --config or --no-config"),
    (["--fail-over", "0.2"], "fail-over needs fail-on"),
    (["--fail-on", "hedged,typos"], "'typos'"),
])
def test_command_line_configuration_errors(runner, tiny_model_dir, project, args, message):
    (project / "docs" / "news" / ".hedge.toml").write_text("")
    result = run(runner, tiny_model_dir, *args)
    assert result.exit_code == 2
    assert result.stderr.startswith("hedge: error: ") and message in result.stderr


def test_explicit_config_file(runner, tiny_model_dir, project):
    (project / "strict.toml").write_text("[tool.hedge]\nthreshold = 1.0\n")
    result = run(runner, tiny_model_dir, "--config", str(project / "strict.toml"))
    assert not any(r["hedged"] for r in sentences(result))
