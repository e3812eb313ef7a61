"""Training on the tiny inline corpus, then scoring and evaluating with the result."""

from __future__ import annotations

import dataclasses
import json

import pytest

from hedge.errors import ConfigError
from hedge.evaluate import binary_metrics, evaluate_all, evaluate_hedging
from hedge.readers import Example
from hedge.train import TrainConfig, best_threshold, train


# -- what a tiny model can learn -------------------------------------------------------------------
# Sentences seen in training and unseen ones with the same cue words, and "May" the month.
SEPARATES = [
    ("The results may suggest a link between the two genes.", True),   # seen
    ("The results may suggest a new treatment.", True),
    ("It may rain.", True),
    ("It may snow in the hills.", True),
    ("The storm might reach the coast.", True),
    ("The minister reportedly left.", True),
    ("The bridge opened in 1990.", False),                             # seen
    ("The meeting took place on May 5.", False),                       # seen
    ("The vote is on May 5.", False),
    ("We met in May.", False),
    ("The cat sat on the mat.", False),
    ("The school opened in 1875.", False),
]


@pytest.mark.parametrize("text, hedged", SEPARATES)
def test_tiny_model_separates_the_obvious_cases(tiny_model, text, hedged):
    score = tiny_model.score_text(text)
    assert score.hedged is hedged, (text, score.hedge, tiny_model.threshold)
    assert 0.0 <= score.hedge <= 1.0


@pytest.mark.parametrize("hedged_text, plain_text", [
    ("It may rain.", "The vote is on May 5."),
    ("The results may suggest a link.", "The bridge opened in 1990."),
    ("Prices may rise in May.", "Prices rose in May."),
])
def test_tiny_model_ranks_hedged_above_plain(tiny_model, hedged_text, plain_text):
    assert tiny_model.score_text(hedged_text).hedge > tiny_model.score_text(plain_text).hedge


@pytest.mark.parametrize("text, cues", [
    ("It may rain.", ["may"]),
    ("The storm might reach the coast.", ["might"]),
    ("The minister reportedly left.", ["reportedly"]),
    ("The vote is on May 5.", []),
    ("The cat sat on the mat.", []),
])
def test_tiny_model_cue_spans(tiny_model, text, cues):
    score = tiny_model.score_text(text)
    assert [c.text for c in score.cues] == cues
    for c in score.cues:
        assert text[c.start:c.end] == c.text


def test_threshold_is_stored_and_used(tiny_model):
    assert 0.05 <= tiny_model.threshold <= 0.95  # chosen on the dev set, from best_threshold's grid
    text = "It may rain."
    prob = tiny_model.score_text(text).hedge
    assert tiny_model.score_text(text, threshold=prob).hedged is True      # >= threshold is hedged
    assert tiny_model.score_text(text, threshold=min(1.0, prob + 1e-9)).hedged is False


@pytest.mark.parametrize("threshold, expected", [(0.0, True), (1.0, False)])
def test_threshold_extremes(tiny_model, threshold, expected):
    for text, _ in SEPARATES:
        assert tiny_model.score_text(text, threshold=threshold).hedged is expected, text


def test_fixed_threshold_from_config(examples, tmp_path):
    from hedge.model import load_model, save_model

    model = train(examples, TrainConfig(folds=2, min_feature_count=1, threshold=0.3))
    assert model.threshold == 0.3
    assert model.meta["config"]["threshold"] == 0.3
    assert load_model(save_model(model, tmp_path / "m")).threshold == 0.3


def test_train_without_dev_has_empty_metrics_and_oof_threshold(examples, fast_config):
    model = train(examples, fast_config)
    assert model.meta["metrics"] == {}
    assert 0.05 <= model.threshold <= 0.95


def test_progress_messages(examples, fast_config):
    said = []
    train(examples, fast_config, progress=said.append)
    assert said and all(isinstance(m, str) and "\n" not in m for m in said)
    assert any("threshold" in m for m in said)


@pytest.mark.parametrize("data, words", [
    ([], "no training examples"),
    ([Example("It may rain.", True, [(3, 6)], doc="a"), Example("It might.", True, [(3, 8)], doc="b")],
     "both hedged and not-hedged"),
    ([Example("It rained.", False, [], doc="a"), Example("It snowed.", False, [], doc="b")],
     "both hedged and not-hedged"),
])
def test_train_refuses_data_it_cannot_learn_from(data, words, fast_config):
    with pytest.raises(ValueError, match=words):
        train(data, fast_config)


# -- evaluation ------------------------------------------------------------------------------------
def test_evaluate_on_training_data_is_perfect(tiny_model, examples):
    m = evaluate_hedging(tiny_model, examples)
    assert m["n"] == len(examples) and m["positives"] == 10
    assert (m["precision"], m["recall"], m["f1"], m["accuracy"]) == (1.0, 1.0, 1.0, 1.0)
    assert m["confusion"]["matrix"] == [[12, 0], [0, 10]]


def test_evaluate_all_shape(tiny_model, dev_examples):
    result = evaluate_all(tiny_model, dev_examples)
    assert result["examples"] == 4
    assert result["threshold"] == tiny_model.threshold
    hedging = result["tasks"]["hedging"]
    assert hedging["n"] == 4 and hedging["positives"] == 2
    assert sum(map(sum, hedging["confusion"]["matrix"])) == 4
    json.dumps(result)  # plain JSON types only


def test_evaluate_with_threshold_override(tiny_model, dev_examples):
    everything = evaluate_all(tiny_model, dev_examples, threshold=0.0)
    assert everything["threshold"] == 0.0
    h = everything["tasks"]["hedging"]
    assert h["recall"] == 1.0 and h["precision"] == 0.5
    assert h["confusion"]["matrix"] == [[0, 2], [0, 2]]


def test_metrics_in_meta_match_a_fresh_evaluation(tiny_model, dev_examples):
    stored = tiny_model.meta["metrics"]["dev"]
    stored = stored.get("hedging", stored)
    assert stored == evaluate_hedging(tiny_model, dev_examples)


@pytest.mark.parametrize("gold, pred, p, r, f, matrix", [
    ([True, True, False, False], [True, True, False, False], 1.0, 1.0, 1.0, [[2, 0], [0, 2]]),
    ([True, True, False, False], [True, False, True, False], 0.5, 0.5, 0.5, [[1, 1], [1, 1]]),
    ([True, False, False, False], [False, False, False, False], 0.0, 0.0, 0.0, [[3, 0], [1, 0]]),
    ([True, True, True, False], [True, True, True, True], 0.75, 1.0, 0.8571, [[0, 1], [0, 3]]),
])
def test_binary_metrics_golden(gold, pred, p, r, f, matrix):
    m = binary_metrics(gold, pred)
    assert (m["precision"], m["recall"], m["f1"]) == (p, r, f)
    assert m["confusion"]["matrix"] == matrix
    assert m["n"] == len(gold) and m["positives"] == sum(gold)


@pytest.mark.parametrize("labels, probs, expected", [
    ([False, False, True, True], [0.1, 0.2, 0.8, 0.9], 0.5),   # a wide gap: the tie goes to 0.5
    ([False, True, True], [0.1, 0.3, 0.35], 0.3),              # best F1 only below 0.31
    ([False, True, True], [0.8, 0.9, 0.95], 0.81),             # ... only above 0.8
    ([False, False, True], [0.01, 0.02, 0.03], 0.5),           # F1 is 0 everywhere on the grid: 0.5
])
def test_best_threshold_golden(labels, probs, expected):
    assert best_threshold(labels, probs) == expected


# -- the Python API ----------------------------------------------------------------------------------
def test_api_train_model_and_evaluate_data(train_jsonl, dev_jsonl, tmp_path):
    from hedge.api import evaluate_data, train_model
    from hedge.trainset import DataSource

    out = tmp_path / "m"
    model = train_model([DataSource("tiny", (str(train_jsonl),), dev=(str(dev_jsonl),))], out,
                        TrainConfig(folds=2, min_feature_count=1))
    assert (out / "meta.json").is_file()
    assert "tiny" in model.meta["metrics"]
    by_path = evaluate_data([dev_jsonl], model=out)
    by_model = evaluate_data([dev_jsonl], model=model)
    assert by_path == by_model
    assert by_path["tasks"]["hedging"]["n"] == 4


def test_api_train_model_without_out_writes_nothing(train_jsonl, tmp_path):
    from hedge.api import train_model
    from hedge.trainset import DataSource

    before = sorted(tmp_path.iterdir())
    train_model([DataSource("tiny", (str(train_jsonl),))], None, TrainConfig(folds=2, min_feature_count=1))
    assert sorted(tmp_path.iterdir()) == before


def test_evaluate_data_with_no_examples_in_split(train_jsonl, tiny_model):
    from hedge.api import evaluate_data

    with pytest.raises(ValueError, match="split 'test'"):
        evaluate_data([train_jsonl], model=tiny_model, split="test")


def test_score_text_api_uses_the_given_model(tiny_model):
    from hedge.api import score_text

    records = score_text("It may rain. The vote is on May 5.", model=tiny_model, doc="d")
    assert [(r.text, r.hedged, r.doc) for r in records] == [
        ("It may rain.", True, "d"), ("The vote is on May 5.", False, "d")]


# -- training configs ----------------------------------------------------------------------------------
def test_config_file_resolves_paths_and_corpora(tmp_path, train_jsonl, monkeypatch):
    from hedge.trainset import load_config

    (tmp_path / "corp").mkdir()
    cfg = tmp_path / "cfg" / "train.toml"
    cfg.parent.mkdir()
    cfg.write_text(
        "[model]\nfolds = 2\nmin_feature_count = 1\n\n"
        "[[data]]\nname = \"tiny\"\npath = \"../train.jsonl\"\ndev_fraction = 0.25\n\n"
        "[[data]]\npath = [\"{corpora}/a.xml\", \"{corpora}/b.xml\"]\nformat = \"szeged\"\n",
        encoding="utf-8")
    monkeypatch.delenv("HEDGE_CORPORA", raising=False)
    config, sources = load_config(cfg, corpora=str(tmp_path / "corp"))
    assert (config.folds, config.min_feature_count) == (2, 1)
    assert sources[0].name == "tiny" and sources[0].dev_fraction == 0.25
    assert sources[0].paths == (str(cfg.parent / "../train.jsonl"),)
    assert sources[1].name == "data2" and sources[1].fmt == "szeged"
    assert sources[1].paths == (str(tmp_path / "corp" / "a.xml"), str(tmp_path / "corp" / "b.xml"))
    monkeypatch.setenv("HEDGE_CORPORA", str(tmp_path / "corp"))
    assert load_config(cfg)[1][1].paths == sources[1].paths


@pytest.mark.parametrize("content, words", [
    ("[model]\nfolds = 2\n", "no [[data]]"),
    ("[model]\nfoldz = 2\n[[data]]\npath = \"x.jsonl\"\n", "foldz"),
    ("[[data]]\nname = \"x\"\n", "no 'path'"),
    ("[[data]]\npath = \"{corpora}/x.xml\"\n", "HEDGE_CORPORA"),
    ("[model\n", "not valid TOML"),
])
def test_config_errors(tmp_path, monkeypatch, content, words):
    from hedge.trainset import load_config

    monkeypatch.delenv("HEDGE_CORPORA", raising=False)
    cfg = tmp_path / "train.toml"
    cfg.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    assert words in str(err.value)
    assert "\n" not in str(err.value)


def test_dev_fraction_holds_out_whole_documents_stably(train_jsonl):
    from hedge.trainset import DataSource, in_dev, load_sources

    data = load_sources([DataSource("tiny", (str(train_jsonl),), dev_fraction=0.3)])
    held = data.dev.get("tiny", [])
    assert len(data.train) + len(held) == 22
    assert held and data.train  # 30% of 22 one-sentence documents: some, not all
    assert {ex.doc for ex in held}.isdisjoint({ex.doc for ex in data.train})
    assert all(in_dev(ex.doc, 0.3) for ex in held)
    again = load_sources([DataSource("tiny", (str(train_jsonl),), dev_fraction=0.3)])
    assert [ex.text for ex in again.dev["tiny"]] == [ex.text for ex in held]


# -- a real corpus --------------------------------------------------------------------------------------
@pytest.mark.corpora
def test_train_on_part_of_szeged_generalises_to_the_rest(corpora):
    from hedge.readers import read_file

    examples = read_file(corpora / "szeged-uncertainty" / "wiki_train.xml")
    model = train(examples[:3000], TrainConfig(folds=2))
    m = evaluate_hedging(model, examples[3000:4000])
    assert m["f1"] >= 0.7, m
    assert dataclasses.asdict(TrainConfig(folds=2)) == model.meta["config"]
