"""Out-of-core training (`hedge train --streaming`): hashed cue features, chunks, and a memory cap."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from hedge.cli import app
from hedge.errors import ModelFormatError
from hedge.linear import HashedScorer, feature_hash, scorer_from_json
from hedge.model import HASHED_FORMAT_VERSION, load_model, save_model
from hedge.readers import Example
from hedge.train_stream import StreamConfig, mixed
from hedge.trainset import DataSource

REPO = Path(__file__).resolve().parent.parent
SMALL = StreamConfig(chunk_size=8, epochs=2, n_features=2 ** 16)


def stream_train(paths, stream=SMALL, **config):
    from hedge.api import train_model
    from hedge.train import TrainConfig

    return train_model([DataSource("data", tuple(map(str, paths)))], None, TrainConfig(**config), streaming=stream)


def write_rows(path: Path, examples) -> Path:
    rows = [{"text": ex.text, "hedged": ex.hedged, "cues": ex.cues, "doc": ex.doc} for ex in examples]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


# -- the hash: the same at training and scoring time, and stable ---------------------------------------
@pytest.mark.parametrize("feature, n, expected", [
    # Golden values: a change here silently breaks every saved hashed model.
    ("w=may", 2 ** 20, (854599, -1.0)),
    ("fam|pc1|nc1=modal|<s>|NUM", 2 ** 20, (416503, -1.0)),
    ("p1=économie", 2 ** 20, (809073, 1.0)),
    ("p1=économie", 1000, (569, 1.0)),
    ("", 1000, (756, -1.0)),
])
def test_feature_hash_is_stable(feature, n, expected):
    assert feature_hash(feature, n) == expected


def test_hashed_training_matrix_matches_scoring_decisions(tmp_path):
    """The matrix SGD is trained on and HashedScorer.decision agree on every row (collisions included)."""
    import numpy as np

    from hedge.train_stream import hashed_matrix

    feats = [["w=may", "p1=the", "w=may"], ["quoted"], [], [f"f{i}" for i in range(50)]]
    n = 64  # small, so that features collide
    rng = np.random.default_rng(0)
    weights = rng.normal(size=n)
    scorer = HashedScorer(n, {i: float(w) for i, w in enumerate(weights)}, 0.25)
    expected = hashed_matrix(feats, n) @ weights + 0.25
    assert np.allclose(expected, [scorer.decision(f) for f in feats])


@pytest.mark.parametrize("change, words", [
    (lambda d: d.update(hash="murmur3"), "hash"),
    (lambda d: d.update(n_features=0), "n_features"),
    (lambda d: d["indices"].append(10 ** 9), "indices and weights"),
    (lambda d: d.update(indices=[3, 10 ** 9], weights=[1.0, 2.0]), "[0, n_features)"),
    (lambda d: d.update(weights=[math.inf, 1.0]), "finite"),
    (lambda d: d.update(kind="forest"), "unknown scorer kind"),
])
def test_hashed_weights_are_checked_on_load(change, words):
    data = HashedScorer(16, {3: 1.0, 5: -2.0}, 0.5).to_json()
    change(data)
    with pytest.raises(ValueError, match=words.replace("[", r"\[").replace(")", r"\)")):
        scorer_from_json(data)


def test_mixed_takes_from_each_stream_in_proportion():
    a = iter([Example("a1", True), Example("a2", True)])
    b = iter([Example(f"b{i}", False) for i in range(1, 5)])
    assert [ex.text for ex in mixed([a, b], [2, 4])] == ["a1", "b1", "b2", "a2", "b3", "b4"]


# -- a streamed model --------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, hedged", [
    ("The results may suggest a link between the two genes.", True),
    ("The drug might reduce the risk of infection.", True),
    ("The meeting took place on May 5.", False),
    ("The bridge opened in 1990.", False),
])
def test_streamed_model_separates_the_obvious_cases(streamed_model_dir, text, hedged):
    assert load_model(streamed_model_dir).score_text(text).hedged is hedged


def test_streamed_model_is_saved_as_format_2_with_hashed_cue_weights(streamed_model_dir, tmp_path):
    meta = json.loads((streamed_model_dir / "meta.json").read_text())
    weights = json.loads((streamed_model_dir / "weights.json").read_text())
    assert meta["format_version"] == HASHED_FORMAT_VERSION
    assert weights["cue"]["kind"] == "hashed" and weights["cue"]["n_features"] == meta["streaming"]["n_features"]
    assert meta["data"]["sentences"] == 22  # the inline corpus
    assert "data" in meta["metrics"]  # its dev set
    # Saved again, it gives the same bytes; a hashed cue model under format version 1 is refused.
    again = save_model(load_model(streamed_model_dir), tmp_path / "again")
    assert (again / "weights.json").read_bytes() == (streamed_model_dir / "weights.json").read_bytes()
    meta["format_version"] = 1
    (again / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ModelFormatError, match="format version 2"):
        load_model(again)


def test_scoring_with_a_hashed_model_does_not_import_scikit_learn(streamed_model_dir):
    code = ("import sys; from hedge.model import load_model; "
            f"m = load_model({str(streamed_model_dir)!r}); r = m.score('It may rain. The bridge opened in 1990.'); "
            "assert len(r) == 2; print(sorted(k for k in sys.modules if k.split('.')[0] in ('sklearn', 'scipy')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_training_twice_gives_the_same_model(tmp_path, train_jsonl):
    a = save_model(stream_train([train_jsonl]), tmp_path / "a")
    b = save_model(stream_train([train_jsonl]), tmp_path / "b")
    assert (a / "weights.json").read_bytes() == (b / "weights.json").read_bytes()


def test_cli_train_streaming_then_score(runner, tmp_path, train_jsonl, dev_jsonl):
    out = tmp_path / "m"
    result = runner.invoke(app, ["train", "--streaming", "--chunk-size", "4", "--epochs", "2", str(train_jsonl),
                                 "--dev", str(dev_jsonl), "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    assert "epoch 2/2" in result.stderr and "dev set data:" in result.stdout
    scored = runner.invoke(app, ["score", "-", "-f", "jsonl", "--model", str(out)],
                           input="Officials may have known about the leak.\n")
    assert scored.exit_code == 0 and json.loads(scored.stdout.splitlines()[0])["hedged"] is True


@pytest.mark.parametrize("args, words", [
    (["--chunk-size", "10"], "go with --streaming"),
    (["--streaming", "--chunk-size", "0"], "chunk_size must be at least 1"),
    (["--streaming", "--epochs", "0"], "epochs must be at least 1"),
])
def test_cli_streaming_option_errors(runner, tmp_path, train_jsonl, args, words):
    result = runner.invoke(app, ["train", str(train_jsonl), "--out", str(tmp_path / "m"), *args])
    assert result.exit_code == 2 and words in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "m").exists()


def test_streaming_refuses_data_it_cannot_learn_from(tmp_path, examples):
    path = write_rows(tmp_path / "one.jsonl", [ex for ex in examples if not ex.hedged])
    with pytest.raises(ValueError, match="both hedged and not-hedged"):
        stream_train([path])


# -- more data than memory ------------------------------------------------------------------------------
FILLER = ("The bridge opened in 1990. The council approved the budget on Tuesday. Water boils at 100 degrees "
          "Celsius. The museum closes at six. The company employs 400 people. The river flows into the sea. ") * 5

CAPPED_CHILD = """
import json, resource, sys
from hedge.model import load_model, save_model
from hedge.readers import read_examples
from hedge.train_stream import StreamConfig, train_streaming
from hedge.trainset import DataSource

small, big, cap, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
stream = StreamConfig(chunk_size=100, epochs=1, n_features=2 ** 16, sample_size=1000)
# Before the cap: every lazy import, and the shipped model's attribution part (its size does not
# depend on the data).
attribution = load_model().attribution
train_streaming([DataSource("warm-up", (small,))], stream=stream, attribution=attribution)
base = next(int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith("VmSize:"))
resource.setrlimit(resource.RLIMIT_AS, (base + cap, resource.RLIM_INFINITY))
model = train_streaming([DataSource("big", (big,))], stream=stream, attribution=attribution)
try:
    read_examples([big])
    whole = "fits"
except MemoryError:
    whole = "MemoryError"
resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
save_model(model, out)  # writing the inherited attribution part takes memory of its own
print(json.dumps({"whole": whole}))
"""


def write_big_jsonl(path: Path, size: int, examples) -> Path:
    """Articles of ~1 KB: a long plain lead, then a sentence of the inline corpus (its cues shifted)."""
    written, n = 0, 0
    with open(path, "w", encoding="utf-8") as fh:
        while written < size:
            ex = examples[n % len(examples)]
            cues = [[s + len(FILLER), e + len(FILLER)] for s, e in ex.cues]
            row = {"text": FILLER + ex.text, "hedged": ex.hedged, "cues": cues, "doc": f"d{n // 4}"}
            line = json.dumps(row) + "\n"
            fh.write(line)
            written += len(line.encode("utf-8"))
            n += 1
    return path


@pytest.mark.slow
def test_streaming_trains_on_data_larger_than_its_memory_cap(tmp_path, train_jsonl, examples):
    """Under an address-space cap smaller than the data file, streaming training succeeds and reading
    the data whole fails: the data never has to fit in memory."""
    cap, size = 5_000_000, 8_000_000
    big = write_big_jsonl(tmp_path / "big.jsonl", size, examples)
    assert big.stat().st_size > cap
    env = {"PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", CAPPED_CHILD, str(train_jsonl), str(big), str(cap),
                          str(tmp_path / "model")], cwd=REPO, capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.splitlines()[-1]) == {"whole": "MemoryError"}
    model = load_model(tmp_path / "model")
    assert model.meta["data"]["sentences"] == sum(1 for _ in open(big, encoding="utf-8"))
    assert model.score_text("Officials may have known about the leak.").hedged
    assert not model.score_text("The museum closes at six.").hedged


# -- on a real corpus ----------------------------------------------------------------------------------
@pytest.mark.corpora
def test_streaming_on_szeged_is_close_to_in_memory_training(corpora, tmp_path):
    from hedge.evaluate import evaluate_hedging
    from hedge.readers import read_file
    from hedge.train import TrainConfig, train

    examples = read_file(corpora / "szeged-uncertainty" / "wiki_train.xml")
    path = write_rows(tmp_path / "szeged.jsonl", examples[:3000])
    held_out = examples[3000:4000]
    streamed = stream_train([path], stream=StreamConfig(), folds=2)
    in_memory = train(examples[:3000], TrainConfig(folds=2))
    f_stream, f_memory = (evaluate_hedging(m, held_out)["f1"] for m in (streamed, in_memory))
    assert f_stream >= 0.7 and f_stream >= f_memory - 0.08, (f_stream, f_memory)
