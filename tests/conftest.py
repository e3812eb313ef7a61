"""Shared fixtures: a tiny inline corpus, a model trained on it, and the shipped default model.

The corpus is written here, by hand: short hedged sentences with their cue words, and plain factual
sentences, several of which use "May" as the month so that a small model can learn "May 5" is not a
hedge. Training on it takes well under a second; the trained model is shared by the whole session.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from hedge.readers import Example

# (sentence, its cue words in order of appearance). Cue offsets are found with str.index, so each
# cue word is the first occurrence of that string in the sentence.
HEDGED = [
    ("The results may suggest a link between the two genes.", ["may", "suggest"]),
    ("It may rain tomorrow in the north.", ["may"]),
    ("The drug might reduce the risk of infection.", ["might"]),
    ("These findings suggest that the protein is involved.", ["suggest"]),
    ("The minister reportedly resigned last night.", ["reportedly"]),
    ("The bridge could possibly close next week.", ["could", "possibly"]),
    ("It seems likely that prices will rise.", ["seems", "likely"]),
    ("Officials may have known about the leak.", ["may"]),
    ("The team will perhaps win the title.", ["perhaps"]),
    ("The virus appears to spread through water.", ["appears"]),
]

NOT_HEDGED = [
    "The bridge opened in 1990.",
    "The meeting took place on May 5.",
    "Prices rose by three percent in May.",
    "The council approved the budget on Tuesday.",
    "The election was held on May 12, 2019.",
    "Water boils at 100 degrees Celsius.",
    "The museum closes at six.",
    "She was born in May 1970.",
    "The team won the title in 2004.",
    "The report was published on 3 May.",
    "The company employs 400 people.",
    "The river flows into the sea.",
]

# Held out from training: used as dev data (threshold, metrics) and as unseen test sentences.
DEV_HEDGED = [
    ("The storm may reach the coast tonight.", ["may"]),
    ("The new policy might lower costs.", ["might"]),
]
DEV_NOT_HEDGED = [
    "The storm reached the coast on May 3.",
    "The school opened in 1875.",
]


def cue_spans(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Character spans of ``words`` in ``text`` (each word's first occurrence)."""
    spans = []
    for word in words:
        start = text.index(word)
        spans.append((start, start + len(word)))
    return spans


def make_examples(hedged, not_hedged, prefix: str = "") -> list[Example]:
    """Examples with cue spans; each sentence is its own document (so cross-validation has groups)."""
    out = [Example(text, True, cue_spans(text, cues), doc=f"{prefix}h{i}")
           for i, (text, cues) in enumerate(hedged)]
    out += [Example(text, False, [], doc=f"{prefix}n{i}") for i, text in enumerate(not_hedged)]
    return out


def jsonl_rows(hedged, not_hedged) -> list[dict]:
    """The same corpus as JSON Lines rows with {"start", "end", "text"} cue spans."""
    rows = []
    for text, cues in hedged:
        spans = cue_spans(text, cues)
        rows.append({"text": text, "hedged": True,
                     "cues": [{"start": s, "end": e, "text": text[s:e]} for s, e in spans]})
    rows += [{"text": text, "hedged": False, "cues": []} for text in not_hedged]
    return rows


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


FAST = {"folds": 2, "min_feature_count": 1}


@pytest.fixture(scope="session")
def examples() -> list[Example]:
    return make_examples(HEDGED, NOT_HEDGED)


@pytest.fixture(scope="session")
def dev_examples() -> list[Example]:
    return make_examples(DEV_HEDGED, DEV_NOT_HEDGED, prefix="dev-")


@pytest.fixture(scope="session")
def fast_config():
    from hedge.train import TrainConfig

    return TrainConfig(**FAST)


@pytest.fixture(scope="session")
def tiny_model(examples, dev_examples, fast_config):
    """A model trained on the inline corpus, with the inline dev set (so it has dev metrics)."""
    from hedge.train import train

    return train(examples, fast_config, dev={"dev": dev_examples})


@pytest.fixture(scope="session")
def tiny_model_dir(tiny_model, tmp_path_factory) -> Path:
    """``tiny_model`` saved to a directory. Read-only for tests: copy it before changing anything."""
    from hedge.model import save_model

    return save_model(tiny_model, tmp_path_factory.mktemp("models") / "tiny")


@pytest.fixture()
def train_jsonl(tmp_path) -> Path:
    """The inline training corpus as a JSON Lines file."""
    return write_jsonl(tmp_path / "train.jsonl", jsonl_rows(HEDGED, NOT_HEDGED))


@pytest.fixture()
def dev_jsonl(tmp_path) -> Path:
    return write_jsonl(tmp_path / "dev.jsonl", jsonl_rows(DEV_HEDGED, DEV_NOT_HEDGED))


@pytest.fixture(scope="session")
def default_model():
    """The shipped model (``model/`` in the repository). Only for assertions any sane model meets."""
    from hedge.model import load_model

    return load_model()


@pytest.fixture(scope="session")
def corpora() -> Path:
    """The shared corpora folder from $HEDGE_CORPORA; the test is skipped when it is not set."""
    root = os.environ.get("HEDGE_CORPORA")
    if not root:
        pytest.skip("HEDGE_CORPORA is not set (point it at the shared corpora folder to run this test)")
    path = Path(root)
    if not path.is_dir():
        pytest.skip(f"HEDGE_CORPORA={root} is not a directory")
    return path


@pytest.fixture()
def runner():
    """A CliRunner; in this typer version ``result.stdout`` and ``result.stderr`` are separate."""
    from typer.testing import CliRunner

    return CliRunner()


# A tiny news corpus labelled for attribution too: (sentence, cue words, attribution, source words,
# is an assertion). Trained with the hedge corpus above, it gives a model whose flags are predictable
# on these very sentences (used by the report, annotation and fail-rule tests).
ATTRIBUTED = [
    ("Mayor Anna Kowalski said the bridge will reopen.", [], "named", "Mayor Anna Kowalski", True),
    ("The bridge will reopen in June, Mayor Kowalski said.", [], "named", "Mayor Kowalski", True),
    ("According to John Smith, prices rose in May.", [], "named", "John Smith", True),
    ("Dr. Lena Ortiz said the ramp may collapse.", ["may"], "named", "Dr. Lena Ortiz", True),
    ("Professor Alan Reed said the tests were clean.", [], "named", "Professor Alan Reed", True),
    ("Officials said the bridge may reopen soon.", ["may"], "vague", "Officials", True),
    ("Experts say prices will rise.", [], "vague", "Experts", True),
    ("Sources said the minister resigned.", [], "vague", "Sources", True),
    ("Some residents say the detour adds an hour.", [], "vague", "Some residents", True),
    ("Critics claim the plan might fail.", ["might"], "vague", "Critics", True),
    ("The bridge closed in 1990.", [], "none", None, True),
    ("Prices rose by three percent.", [], "none", None, True),
    ("The minister reportedly resigned.", ["reportedly"], "none", None, True),
    ("The tower may fall tonight.", ["may"], "none", None, True),
    ("The council approved the budget.", [], "none", None, True),
    ("Will the bridge reopen?", [], "none", None, False),
    ("What happens next?", [], "none", None, False),
    ("Bridge closed for repairs", [], "none", None, False),
    ("Storm warning for the coast", [], "none", None, False),
]


@pytest.fixture(scope="session")
def news_model(examples, fast_config):
    """A model trained on the hedge corpus plus ``ATTRIBUTED``, so it has its own attribution part."""
    from hedge.train import train

    news = []
    for i, (text, cues, attribution, source, assertion) in enumerate(ATTRIBUTED):
        src = None
        if source is not None:
            start = text.index(source)
            src = (start, start + len(source))
        news.append(Example(text, bool(cues), cue_spans(text, cues), doc=f"news{i}", attribution=attribution,
                            source=src, assertion=assertion))
    return train(list(examples) + news, fast_config)


@pytest.fixture(scope="session")
def news_model_dir(news_model, tmp_path_factory) -> Path:
    from hedge.model import save_model

    return save_model(news_model, tmp_path_factory.mktemp("models") / "news")


@pytest.fixture(scope="session")
def corpus_sentences(corpora) -> list[str]:
    """A few thousand real sentences: every 4th of Szeged Wikipedia, BioScope abstracts and PolNeAR dev."""
    from hedge.readers import read_examples

    texts = []
    for part in ("szeged-uncertainty/wiki_train.xml", "bioscope/abstracts.xml", "polnear/dev"):
        texts += [ex.text for ex in read_examples([str(corpora / part)])][::4][:1500]
    return texts


@pytest.fixture(params=["strings", "tables"])
def scorer_mode(request, monkeypatch):
    """Run the fast path with feature strings (short texts) and with its weight tables (long ones)."""
    import hedge.fastscore

    if request.param == "tables":
        monkeypatch.setattr(hedge.fastscore, "_PLAIN_SENTENCES", 0)
    return request.param


# -- Dask: a real distributed.LocalCluster with 2 worker processes ---------------------------------
def _local_cluster():
    distributed = pytest.importorskip("distributed")
    pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    return distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")


@pytest.fixture(scope="session")
def dask_cluster():
    """A LocalCluster of 2 worker processes, shared by the tests that leave it as they found it."""
    with _local_cluster() as cluster:
        yield cluster


@pytest.fixture()
def killable_cluster():
    """A LocalCluster of its own, for a test that kills one of its worker processes."""
    with _local_cluster() as cluster:
        yield cluster


@pytest.fixture()
def archive_dir(tmp_path) -> Path:
    """A directory of 24 small articles (one empty, one in a sub-directory, one .md) made of the corpus."""
    sentences = [text for text, _ in HEDGED + DEV_HEDGED] + NOT_HEDGED + DEV_NOT_HEDGED
    root = tmp_path / "archive"
    (root / "section").mkdir(parents=True)
    for i in range(24):
        picked = [sentences[(i * 7 + j * 5) % len(sentences)] for j in range(i % 6 + 1)]
        text = " ".join(picked) + ("\n\nLa réunion a eu lieu le 5 mai. “It may,” she said.\n" if i % 5 == 0 else "\n")
        name = f"section/a{i:02d}.md" if i == 3 else f"a{i:02d}.txt"
        (root / name).write_text("" if i == 7 else text, encoding="utf-8")
    return root


STREAM = {"chunk_size": 8, "epochs": 2, "n_features": 2 ** 16}


@pytest.fixture(scope="session")
def streamed_model_dir(tmp_path_factory) -> Path:
    """A model trained out of core (``--streaming``: hashed cue model) on the inline corpus, with the
    inline dev set, saved. Read-only for tests."""
    from hedge.api import train_model
    from hedge.train_stream import StreamConfig
    from hedge.trainset import DataSource

    root = tmp_path_factory.mktemp("streamed")
    train = write_jsonl(root / "train.jsonl", jsonl_rows(HEDGED, NOT_HEDGED))
    dev = write_jsonl(root / "dev.jsonl", jsonl_rows(DEV_HEDGED, DEV_NOT_HEDGED))
    source = DataSource("data", (str(train),), dev=(str(dev),))
    train_model([source], root / "model", streaming=StreamConfig(**STREAM))
    return root / "model"
