"""Explanations: ``hedge explain`` and ``hedge score --explain`` say, exactly and in words, why."""

from __future__ import annotations

import json
import math
import re

import pytest

from hedge.cli import app
from hedge.explain import describe_feature, explain_sentence
from hedge.features import cue_features
from hedge.linear import sigmoid
from hedge.text import token_strings


@pytest.mark.parametrize("feature, word, words", [
    ("w=reportedly", "reportedly", "cue word 'reportedly'"),
    ("w|nc1=may|low", "may", "'may' before a verb"),
    ("w|nc1=may|NUM", "may", "'may' before a number"),
    ("w|nc1=likely|low", "likely", "'likely' before a lower-case word"),
    ("w|pc1=may|prep", "may", "'may' after a preposition"),
    ("w|pc1=may|month", "may", "'may' after a month name"),
    ("w|pc1|nc1=may|det|NUM", "may", "'may' between a determiner and a number"),
    ("fam=reportive", "reportedly", "'reportedly' is a reporting word"),
    ("fam|nc1=modal|NUM", "may", "a modal verb before a number"),
    ("w|sh=may|CAP", "may", "'may' capitalised"),
    ("sh=first", "may", "any cue word opening the sentence"),
    ("p1|w=on|may", "may", "the words 'on may'"),
    ("w|n1=may|be", "may", "the words 'may be'"),
    ("p2|p1|w=<s>|it|may", "may", "'it may' opening the sentence"),
    ("n1=</s>", "likely", "'likely' at the end of the sentence"),
    ("p1=the", "may", "after 'the'"),
    ("nc1=cue-verb", "may", "before another cue word (a hedging verb)"),
    ("w|nc1=may|,", "may", "'may' before ','"),
    ("quoted", "may", "inside a quotation"),
    ("unknown=thing", "may", "unknown=thing"),  # a feature a newer model may have: shown as it is
])
def test_features_in_words(feature, word, words):
    assert describe_feature(feature, word) == words


@pytest.mark.parametrize("sentence", [
    "It may rain tomorrow.",
    "The vote took place on May 5.",
    '"It could possibly close," she said, "and may not reopen."',
    "Perhaps.",
])
def test_every_feature_the_model_uses_reads_as_words(sentence):
    tokens = token_strings(sentence)
    lows = [t.lower() for t in tokens]
    for i in range(len(tokens)):
        for feature in cue_features(tokens, lows, i):
            words = describe_feature(feature, lows[i])
            assert words != feature and "{" not in words, feature


@pytest.mark.parametrize("sentence", [
    "Officials said the bridge may reopen on May 5.",
    "The bridge opened in 1990.",
    "It seems likely that prices will rise.",
])
def test_terms_add_up_to_the_score(tiny_model, sentence):
    exp = explain_sentence(tiny_model, sentence)
    # The sentence model's terms are its log-odds; each candidate's terms are its cue score.
    assert sigmoid(sum(r.weight for r in exp.sentence)) == pytest.approx(exp.hedge, abs=1e-9)
    assert exp.hedge == pytest.approx(tiny_model.score_text(sentence).hedge, abs=1e-12)
    for cand in exp.candidates:
        assert sum(r.weight for r in cand.reasons) == pytest.approx(cand.score, abs=1e-9)
        assert sentence[cand.start:cand.end] == cand.word
        magnitudes = [abs(r.weight) for r in cand.reasons]
        assert magnitudes == sorted(magnitudes, reverse=True)
    # Adjacent cues are merged into one span ("seems likely"); the candidates are single words.
    assert " ".join(c.word for c in exp.candidates if c.cue) == " ".join(
        c.text for c in tiny_model.score_text(sentence).cues)


def test_explain_command_in_words(runner, tiny_model_dir):
    result = runner.invoke(app, ["explain", "It may rain tomorrow. The vote took place on May 5.",
                                 "--model", str(tiny_model_dir), "--no-config"])
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    first, second = out.split("\n\n")
    assert first.startswith("It may rain tomorrow.\n") and ": hedged (threshold" in first
    assert "'may' at 3: cue score +" in first and ", a cue" in first
    assert "strongest candidate 'may'" in first
    assert second.startswith("The vote took place on May 5.\n") and "not hedged" in second
    assert "'May' at 23: cue score -" in second and "not a cue" in second
    assert re.search(r"^\s+[+-]\d+\.\d\d  \S", out, re.M)  # signed weights, then words


def test_explain_json_matches_score(runner, tiny_model_dir, tiny_model):
    result = runner.invoke(app, ["explain", "-", "--format", "json", "--top", "3", "--model", str(tiny_model_dir),
                                 "--no-config"], input="Prices might rise, it seems.")
    assert result.exit_code == 0, result.stderr
    (exp,) = json.loads(result.stdout)
    assert exp["hedge"] == round(tiny_model.score_text("Prices might rise, it seems.").hedge, 4)
    assert exp["hedged"] is True
    assert {c["word"] for c in exp["candidates"]} >= {"might", "seems"}
    for cand in exp["candidates"]:
        assert 1 <= len(cand["reasons"]) <= 3
        assert all(set(r) == {"weight", "feature", "words"} for r in cand["reasons"])


@pytest.mark.parametrize("args, words", [
    (["explain", ""], "nothing to explain"),
    (["explain", "It may rain.", "--format", "csv"], "csv"),
    (["explain", "It may rain.", "--threshold", "2"], "threshold"),
])
def test_explain_usage_errors(runner, tiny_model_dir, args, words):
    result = runner.invoke(app, [*args, "--model", str(tiny_model_dir), "--no-config"])
    assert result.exit_code == 2
    assert result.stderr.startswith("hedge: error: ") and words in result.stderr
    assert "Traceback" not in result.stderr


def test_score_explain_in_jsonl_and_table(runner, tiny_model_dir, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("It may rain tomorrow. The bridge opened in 1990.\n", encoding="utf-8")
    base = ["score", str(path), "--model", str(tiny_model_dir), "--no-config", "--explain"]
    lines = [json.loads(line) for line in runner.invoke(app, [*base, "-f", "jsonl"]).stdout.splitlines()]
    hedged, plain = lines[0], lines[1]
    assert hedged["explanation"]["hedged"] is True and hedged["explanation"]["text"] == hedged["text"]
    assert any(c["cue"] and c["word"] == "may" for c in hedged["explanation"]["candidates"])
    assert math.isclose(hedged["explanation"]["hedge"], hedged["hedge"], abs_tol=1e-4)
    assert plain["explanation"]["candidates"] == []
    assert plain["explanation"]["sentence"][0]["words"] == "no possible cue word in the sentence"
    table = runner.invoke(app, base).stdout
    assert "sentence score (log-odds):" in table and "'may' at 3: cue score" in table


def test_score_explain_refuses_formats_without_room_for_it(runner, tiny_model_dir, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("It may rain.", encoding="utf-8")
    result = runner.invoke(app, ["score", str(path), "--model", str(tiny_model_dir), "--explain", "-f", "csv"])
    assert result.exit_code == 2 and "--explain works with" in result.stderr


def test_explain_uses_the_configuration(runner, tiny_model_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".hedge.toml").write_text('extra-cues = ["to our mind"]\nnever-flag = ["may"]\n')
    result = runner.invoke(app, ["explain", "To our mind it may rain.", "--model", str(tiny_model_dir)])
    assert result.exit_code == 0, result.stderr
    assert "cue 'To our mind' is in your configuration's extra-cues: hedged by rule" in result.stdout
    assert ": hedged (threshold" in result.stdout
    assert "'may' at" not in result.stdout  # never-flag: not a candidate at all
    plain = runner.invoke(app, ["explain", "To our mind it may rain.", "--model", str(tiny_model_dir), "--no-config"])
    assert "'may' at 15" in plain.stdout and "extra-cues" not in plain.stdout
