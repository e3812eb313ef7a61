"""The shipped model: it loads, it makes the distinctions it is sold on, and the recipe rebuilds it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hedge.model import META_FILE, WEIGHTS_FILE, default_model_path, load_model, read_meta

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def shipped():
    return load_model()


def test_shipped_model_describes_itself(shipped):
    meta = shipped.meta
    assert meta["format_version"] == 1
    assert {"python", "scikit-learn", "numpy"} <= set(meta["trained_with"])
    assert len(meta["data"]["digest"]) == 64
    assert {"szeged-wiki", "bioscope", "news", "polnear"} <= set(meta["metrics"])
    assert meta["attribution"] == "trained"


@pytest.mark.parametrize("text, hedged", [
    ("The vaccine may reduce hospital admissions by half.", True),
    ("The minister reportedly resigned on Friday night.", True),
    ("It is believed that the fire started in the kitchen.", True),
    ("The suspect appears to have fled across the border.", True),
    ("These results suggest that the protein binds to DNA.", True),
    ("Prosecutors allege that he paid the bribes through a shell company.", True),
    # Context: the month, the noun, a plain negated ability, a plain future, a number.
    ("The council meets again on May 5 to vote on the budget.", False),
    ("The family filed an insurance claim after the flood.", False),
    ("She could not attend the hearing because of illness.", False),
    ("The museum will open at nine o'clock on Saturday.", False),
    ("The bridge was built in 1932 and carries 40,000 cars a day.", False),
])
def test_shipped_model_hedging_golden(shipped, text, hedged):
    assert shipped.score_text(text).hedged is hedged


@pytest.mark.parametrize("text, cue", [
    ("The minister reportedly resigned on Friday night.", "reportedly"),
    ("The vaccine may reduce hospital admissions by half.", "may"),
])
def test_shipped_model_names_the_cue(shipped, text, cue):
    assert cue in [c.text for c in shipped.score_text(text).cues]


@pytest.mark.parametrize("text, attribution, flags", [
    ("Officials said the plant will close in March.", "vague", ["vague-source"]),
    ("Mayor Anna Kowalski said the plant will close in March.", "named", []),
    ("The plant will close in March.", "none", ["unattributed"]),
    ("The fighting is reportedly fierce near the river.", "vague", ["vague-source", "hedged-unsourced"]),
    ("Will the plant close in March?", "none", []),
])
def test_shipped_model_attribution_golden(shipped, text, attribution, flags):
    [rec] = shipped.score(text)
    assert (rec.attribution, rec.flags) == (attribution, flags)


def test_shipped_model_finds_the_source_words(shipped):
    [rec] = shipped.score("Mayor Anna Kowalski said the plant will close in March.")
    assert rec.source is not None and "Kowalski" in rec.source.text


@pytest.mark.corpora
@pytest.mark.slow
def test_recipe_rebuilds_the_shipped_model_byte_for_byte(tmp_path):
    corpora = os.environ.get("HEDGE_CORPORA")
    if not corpora:
        pytest.skip("HEDGE_CORPORA is not set: the recipe needs the shared corpora")
    import platform

    import numpy
    import sklearn

    built_with = read_meta(default_model_path())["trained_with"]
    here = {"python": platform.python_version(), "scikit-learn": sklearn.__version__, "numpy": numpy.__version__}
    if built_with != here:
        pytest.skip(f"the model was built with {built_with}, this is {here}: byte equality is promised "
                    "for the same versions")
    from hedge.api import train_model
    from hedge.trainset import load_config

    config, sources = load_config(ROOT / "training" / "config.toml", corpora)
    train_model(sources, tmp_path / "rebuilt", config)
    for name in (META_FILE, WEIGHTS_FILE):
        assert (tmp_path / "rebuilt" / name).read_bytes() == (ROOT / "model" / name).read_bytes(), name
