"""Compatibility and determinism: a model saved by hedge 0.1 keeps loading; training is reproducible."""

from __future__ import annotations

from pathlib import Path

import pytest

from hedge.cli import app
from hedge.model import FORMAT_VERSION, load_model

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "model-v1"

# (sentence, hedged, cue words): decisions of the saved model, not its exact probabilities.
DECISIONS = [
    ("It may rain tomorrow.", True, ["may"]),
    ("The drug might reduce the risk of infection.", True, ["might"]),
    ("Officials reportedly left the building.", True, ["reportedly"]),
    ("Mary Jones said the storm could possibly reach the coast.", True, ["could possibly"]),
    ("The bridge opened in 1990.", False, []),
    ("The meeting took place on May 5.", False, []),
    ("Analysts say prices will rise.", False, []),
]
SOURCES = [
    ("John Smith said the plan would work.", "named", "John Smith"),
    ("Mary Jones said the storm could possibly reach the coast.", "named", "Mary Jones"),
    ("Experts say the virus spreads in water.", "vague", "Experts"),
]


@pytest.fixture(scope="module")
def saved_v1():
    return load_model(FIXTURE)


def test_the_fixture_is_format_version_1(saved_v1):
    assert saved_v1.meta["format_version"] == 1 and saved_v1.meta["hedge_version"] == "0.1.0"
    if FORMAT_VERSION != 1:  # pragma: no cover - a reminder for the next format change
        pytest.fail("the model format changed: keep reading model-v1 (or refuse it clearly) and add model-v2")


@pytest.mark.parametrize("text, hedged, cues", DECISIONS)
def test_saved_model_v1_keeps_its_hedging_decisions(saved_v1, text, hedged, cues):
    (record,) = saved_v1.score(text)
    assert record.hedged is hedged, (text, record.hedge)
    assert [c.text for c in record.cues] == cues


@pytest.mark.parametrize("text, kind, source", SOURCES)
def test_saved_model_v1_keeps_its_attribution(saved_v1, text, kind, source):
    (record,) = saved_v1.score(text)
    assert (record.attribution, record.source.text if record.source else None) == (kind, source)


def test_saved_model_v1_through_the_cli(runner):
    text = "".join(t + "\n" for t, _, _ in DECISIONS)
    result = runner.invoke(app, ["score", "-", "--lines", "--format", "csv", "--model", str(FIXTURE)], input=text)
    assert result.exit_code == 0, result.stderr
    rows = result.stdout.splitlines()[1:]
    assert [row.split(",")[6] for row in rows] == [str(h).lower() for _, h, _ in DECISIONS]


def test_training_twice_through_the_cli_gives_identical_bytes(runner, tmp_path):
    data = FIXTURE.parent / "model-v1-train.jsonl"
    outs = [tmp_path / "one", tmp_path / "two"]
    for out in outs:
        result = runner.invoke(app, ["train", str(data), "--out", str(out), "-q"])
        assert result.exit_code == 0, result.stderr
    for name in ("meta.json", "weights.json"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
    # And the same decisions as the saved fixture, trained from the same data.
    retrained = load_model(outs[0])
    for text, hedged, _ in DECISIONS:
        assert retrained.score(text)[0].hedged is hedged, text
