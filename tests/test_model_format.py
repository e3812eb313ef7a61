"""The model file format: a directory of plain JSON, checked on load, never unpickled."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import pickle
import re
import shutil
from pathlib import Path

import pytest

import hedge
from hedge.errors import HedgeError, ModelFormatError
from hedge.model import FORMAT_VERSION, load_model, read_meta, save_model

SENTENCES = [
    "The results may suggest a new treatment.",
    "The bridge opened in 1990.",
    "It might rain on May 5.",
    "Officials reportedly left the building.",
    "",
]


def copy_model(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def write_weights(model_dir: Path, weights) -> None:
    """Replace weights.json and re-compute its digest in meta.json, so that the digest check passes."""
    data = weights if isinstance(weights, bytes) else json.dumps(weights).encode("utf-8")
    (model_dir / "weights.json").write_bytes(data)
    meta = read_json(model_dir / "meta.json")
    meta["files"]["weights.json"] = hashlib.sha256(data).hexdigest()
    (model_dir / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def edit_meta(model_dir: Path, **changes) -> None:
    meta = read_json(model_dir / "meta.json")
    meta.update(changes)
    (model_dir / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def assert_one_clear_line(exc: BaseException, *words: str) -> None:
    message = str(exc)
    assert message and "\n" not in message, message
    assert "Traceback" not in message
    for word in words:
        assert word in message, (word, message)


# -- round trip and meta.json ---------------------------------------------------------------------
def test_save_load_round_trip_gives_identical_scores(tiny_model, tiny_model_dir):
    loaded = load_model(tiny_model_dir)
    assert loaded.threshold == tiny_model.threshold
    assert loaded.candidates == tiny_model.candidates
    for text in SENTENCES:
        a, b = tiny_model.score_text(text), loaded.score_text(text)
        assert (a.hedge, a.hedged, a.cues) == (b.hedge, b.hedged, b.cues)
    assert [r.to_dict() for r in loaded.score(" ".join(SENTENCES))] == \
        [r.to_dict() for r in tiny_model.score(" ".join(SENTENCES))]


def test_saved_model_is_only_plain_json(tiny_model_dir):
    assert sorted(p.name for p in tiny_model_dir.iterdir()) == ["meta.json", "weights.json"]
    for path in tiny_model_dir.iterdir():
        json.loads(path.read_text(encoding="utf-8"))  # plain JSON: no pickle, no binary


def test_meta_json_records_how_the_model_was_made(tiny_model_dir, examples, fast_config):
    import numpy
    import sklearn

    from hedge.train import data_digest

    meta = read_json(tiny_model_dir / "meta.json")
    assert meta["format"] == "hedge-model"
    assert meta["format_version"] == FORMAT_VERSION == 1
    assert meta["hedge_version"] == hedge.__version__
    assert meta["trained_with"]["scikit-learn"] == sklearn.__version__
    assert meta["trained_with"]["numpy"] == numpy.__version__
    assert re.fullmatch(r"3\.\d+\.\d+.*", meta["trained_with"]["python"])
    assert meta["labels"] == {"hedged": [False, True]}
    assert 0.0 <= meta["threshold"] <= 1.0
    assert meta["data"]["sentences"] == len(examples)
    assert meta["data"]["hedged"] == sum(ex.hedged for ex in examples)
    assert meta["data"]["digest"] == data_digest(examples)
    assert re.fullmatch(r"[0-9a-f]{64}", meta["data"]["digest"])
    assert meta["config"] == dataclasses.asdict(fast_config)
    dev = meta["metrics"]["dev"]
    dev = dev.get("hedging", dev)  # {task: metrics}, or the hedging metrics themselves
    assert dev["n"] == 4 and dev["positives"] == 2
    for key in ("precision", "recall", "f1", "accuracy"):
        assert 0.0 <= dev[key] <= 1.0
    assert meta["files"]["weights.json"] == hashlib.sha256((tiny_model_dir / "weights.json").read_bytes()).hexdigest()


def test_data_digest_changes_with_the_data(examples):
    from hedge.train import data_digest

    flipped = [dataclasses.replace(ex) for ex in examples]
    flipped[0].hedged, flipped[0].cues = False, []
    assert data_digest(examples) == data_digest([dataclasses.replace(ex) for ex in examples])
    assert data_digest(flipped) != data_digest(examples)
    assert data_digest(examples[::-1]) != data_digest(examples)


def test_training_twice_gives_byte_identical_files(examples, fast_config, tmp_path):
    from hedge.train import train

    one = save_model(train(examples, fast_config), tmp_path / "one")
    two = save_model(train(examples, fast_config), tmp_path / "two")
    for name in ("meta.json", "weights.json"):
        assert (one / name).read_bytes() == (two / name).read_bytes(), name


def test_read_meta_of_a_good_model(tiny_model_dir):
    assert read_meta(tiny_model_dir)["format_version"] == FORMAT_VERSION


def test_default_model_loads_and_is_sane(default_model):
    assert default_model.meta["format_version"] == FORMAT_VERSION
    assert 0.0 < default_model.threshold < 1.0
    assert default_model.candidates


def test_hedge_load_model_is_exported(tiny_model_dir):
    assert hedge.load_model(tiny_model_dir).threshold == load_model(tiny_model_dir).threshold


# -- refusals --------------------------------------------------------------------------------------
def test_missing_directory(tmp_path):
    with pytest.raises(ModelFormatError) as err:
        load_model(tmp_path / "nowhere")
    assert_one_clear_line(err.value, str(tmp_path / "nowhere"), "no model")


def test_directory_without_meta(tmp_path):
    with pytest.raises(ModelFormatError) as err:
        load_model(tmp_path)
    assert_one_clear_line(err.value, "meta.json")


def test_a_file_instead_of_a_directory(tmp_path, tiny_model_dir):
    path = tmp_path / "model.json"
    shutil.copy(tiny_model_dir / "meta.json", path)
    with pytest.raises(ModelFormatError) as err:
        load_model(path)
    assert_one_clear_line(err.value, str(path), "directory")


class _Touch:
    """Unpickling this creates the file ``path`` (a harmless stand-in for arbitrary code)."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_the_pickle_payload_used_below_is_live(tmp_path):
    # Control: proves that unpickling the payload really would create a file.
    marker = tmp_path / "control"
    pickle.loads(pickle.dumps(_Touch(marker))).close()
    assert marker.exists()


FOREIGN_META = [
    pytest.param(lambda m: pickle.dumps({"format": "hedge-model", "format_version": 1}), id="pickle"),
    pytest.param(lambda m: pickle.dumps({"format": "hedge-model"}, protocol=0), id="pickle-protocol-0"),
    pytest.param(lambda m: b"\x00\x01\x02\xff\xfe binary", id="binary"),
    pytest.param(lambda m: b"", id="empty"),
    pytest.param(lambda m: (m / "meta.json").read_bytes()[:40], id="truncated"),
    pytest.param(lambda m: b'["hedge-model", 1]', id="json-list"),
    pytest.param(lambda m: b'{"format": "spacy-model", "format_version": 1}', id="other-format"),
    pytest.param(lambda m: b'{"format_version": 1}', id="no-format-name"),
    pytest.param(lambda m: b"[" * 100_000 + b"]" * 100_000, id="deeply-nested-json"),
]


@pytest.mark.parametrize("make", FOREIGN_META)
def test_foreign_meta_json_is_refused_in_one_line(tmp_path, tiny_model_dir, make):
    model_dir = copy_model(tiny_model_dir, tmp_path / "m")
    (model_dir / "meta.json").write_bytes(make(tiny_model_dir))
    with pytest.raises(ModelFormatError) as err:
        load_model(model_dir)
    assert_one_clear_line(err.value, "meta.json", "not a hedge model")


@pytest.mark.parametrize("version", [999, 0, "1", None])
def test_other_format_version(tmp_path, tiny_model_dir, version):
    model_dir = copy_model(tiny_model_dir, tmp_path / "m")
    edit_meta(model_dir, format_version=version)
    with pytest.raises(ModelFormatError) as err:
        load_model(model_dir)
    assert_one_clear_line(err.value, f"format version {version}", "Retrain", str(model_dir))
    assert hedge.__version__ in str(err.value)


def test_missing_format_version(tmp_path, tiny_model_dir):
    model_dir = copy_model(tiny_model_dir, tmp_path / "m")
    meta = read_json(model_dir / "meta.json")
    del meta["format_version"]
    (model_dir / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ModelFormatError) as err:
        load_model(model_dir)
    assert_one_clear_line(err.value, "format version")


def test_truncated_weights(tmp_path, tiny_model_dir):
    model_dir = copy_model(tiny_model_dir, tmp_path / "m")
    data = (model_dir / "weights.json").read_bytes()
    (model_dir / "weights.json").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFormatError) as err:
        load_model(model_dir)
    assert_one_clear_line(err.value, "weights.json", "digest")


def test_missing_weights(tmp_path, tiny_model_dir):
    model_dir = copy_model(tiny_model_dir, tmp_path / "m")
    (model_dir / "weights.json").unlink()
    with pytest.raises(ModelFormatError) as err:
        load_model(model_dir)
    assert_one_clear_line(err.value, "weights.json", "missing")


def test_edited_weights_fail_the_digest(tmp_path, tiny_model_dir):
    model_dir = copy_model(tiny_model_dir, tmp_path / "m")
    weights = read_json(model_dir / "weights.json")
    weights["sentence"]["bias"] += 1.0
    (model_dir / "weights.json").write_text(json.dumps(weights, indent=1, sort_keys=True) + "\n")
    with pytest.raises(ModelFormatError) as err:
        load_model(model_dir)
    assert_one_clear_line(err.value, "does not match the digest")


def test_truncated_weights_with_a_matching_digest(tmp_path, tiny_model_dir):
    model_dir = copy_model(tiny_model_dir, tmp_path / "m")
    write_weights(model_dir, (model_dir / "weights.json").read_bytes()[:100])
    with pytest.raises(ModelFormatError) as err:
        load_model(model_dir)
    assert_one_clear_line(err.value, "weights.json")


def _weights(tiny_model_dir: Path) -> dict:
    return read_json(tiny_model_dir / "weights.json")


def _drop_last_weight(w):
    w["cue"]["weights"].pop()
    return w


def _set(part, key, value):
    def change(w):
        if key == "weights":
            w[part]["weights"][0] = value
        else:
            w[part][key] = value
        return w
    return change


def _without(key):
    def change(w):
        del w[key]
        return w
    return change


DAMAGED_WEIGHTS = [
    pytest.param(_drop_last_weight, "differ in length", id="shapes-differ"),
    pytest.param(_set("sentence", "features", "max"), "differ in length", id="features-not-a-list"),
    pytest.param(_set("cue", "weights", float("nan")), "finite", id="nan-weight"),
    pytest.param(_set("cue", "weights", float("inf")), "finite", id="inf-weight"),
    pytest.param(_set("cue", "weights", float("-inf")), "finite", id="minus-inf-weight"),
    pytest.param(_set("sentence", "bias", float("nan")), "finite", id="nan-bias"),
    pytest.param(_set("cue", "weights", "0.5"), "finite", id="string-weight"),
    pytest.param(_without("cue"), "cue", id="no-cue-model"),
    pytest.param(_without("candidates"), "candidates", id="no-candidates"),
    pytest.param(lambda w: [w], "", id="weights-a-list"),
]


@pytest.mark.parametrize("change, words", DAMAGED_WEIGHTS)
def test_damaged_weights_with_recomputed_digest(tmp_path, tiny_model_dir, change, words):
    model_dir = copy_model(tiny_model_dir, tmp_path / "m")
    write_weights(model_dir, change(_weights(model_dir)))
    with pytest.raises(ModelFormatError) as err:
        load_model(model_dir)
    assert_one_clear_line(err.value, str(model_dir), words)


def test_non_finite_literal_in_weights_file(tmp_path, tiny_model_dir):
    # 1e999 is valid JSON that parses to infinity.
    model_dir = copy_model(tiny_model_dir, tmp_path / "m")
    text = json.dumps(_weights(model_dir))
    text = text.replace('"bias": ', '"bias": 1e999, "was": ', 1)
    write_weights(model_dir, text.encode())
    with pytest.raises(ModelFormatError) as err:
        load_model(model_dir)
    assert_one_clear_line(err.value, "finite")


@pytest.mark.parametrize("threshold", [1.5, -0.1, float("nan"), "high", None])
def test_bad_threshold_in_meta(tmp_path, tiny_model_dir, threshold):
    model_dir = copy_model(tiny_model_dir, tmp_path / "m")
    edit_meta(model_dir, threshold=threshold)
    with pytest.raises(ModelFormatError) as err:
        load_model(model_dir)
    assert_one_clear_line(err.value, str(model_dir))


@pytest.mark.parametrize("files", [
    pytest.param({}, id="no-digest"),
    pytest.param({"weights.json": "0" * 64}, id="wrong-digest"),
    pytest.param(["weights.json"], id="files-a-list"),
])
def test_bad_files_table_in_meta(tmp_path, tiny_model_dir, files):
    model_dir = copy_model(tiny_model_dir, tmp_path / "m")
    edit_meta(model_dir, files=files)
    with pytest.raises(ModelFormatError) as err:
        load_model(model_dir)
    assert_one_clear_line(err.value, "weights.json")


# -- pickles are never loaded -------------------------------------------------------------------------
def _pickle_as_meta(model_dir: Path, payload: bytes) -> None:
    (model_dir / "meta.json").write_bytes(payload)


def _pickle_as_weights(model_dir: Path, payload: bytes) -> None:
    write_weights(model_dir, payload)  # with a matching digest, so only the parser stands in the way


def _pickle_beside(model_dir: Path, payload: bytes) -> None:
    for name in ("model.pkl", "weights.pkl", "model.joblib", "weights.npy"):
        (model_dir / name).write_bytes(payload)


@pytest.mark.parametrize("plant, loads", [
    pytest.param(_pickle_as_meta, False, id="pickle-renamed-meta.json"),
    pytest.param(_pickle_as_weights, False, id="pickle-renamed-weights.json"),
    pytest.param(_pickle_beside, True, id="pickle-files-beside-a-good-model"),
])
def test_crafted_pickle_is_never_unpickled(tmp_path, tiny_model_dir, plant, loads):
    marker = tmp_path / "PWNED"
    model_dir = copy_model(tiny_model_dir, tmp_path / "m")
    plant(model_dir, pickle.dumps(_Touch(marker)))
    if loads:
        assert load_model(model_dir).threshold == load_model(tiny_model_dir).threshold
    else:
        with pytest.raises(ModelFormatError) as err:
            load_model(model_dir)
        assert_one_clear_line(err.value)
    assert not marker.exists()


# -- saving -------------------------------------------------------------------------------------
def test_save_replaces_an_existing_model(tmp_path, tiny_model, examples, fast_config):
    from hedge.train import train

    out = tmp_path / "m"
    save_model(tiny_model, out)
    other = train(examples[:-2], fast_config)
    save_model(other, out)
    assert load_model(out).meta["data"]["sentences"] == len(examples) - 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]  # no temporary or old directories left


def test_save_creates_parent_directories(tmp_path, tiny_model):
    out = save_model(tiny_model, tmp_path / "a" / "b" / "model")
    assert load_model(out).threshold == tiny_model.threshold


def test_save_refuses_to_overwrite_a_file(tmp_path, tiny_model):
    path = tmp_path / "model"
    path.write_text("precious")
    with pytest.raises(HedgeError):
        save_model(tiny_model, path)
    assert path.read_text() == "precious"


def test_save_never_deletes_files_of_a_directory_that_is_not_a_model(tmp_path, tiny_model):
    out = tmp_path / "mydocs"
    (out / "sub").mkdir(parents=True)
    (out / "notes.txt").write_text("precious")
    (out / "sub" / "more.txt").write_text("precious too")
    try:
        save_model(tiny_model, out)
    except HedgeError:
        pass  # refusing is fine; losing the files is not
    assert (out / "notes.txt").read_text() == "precious"
    assert (out / "sub" / "more.txt").read_text() == "precious too"


# -- hostile model files (issue 7) ------------------------------------------------------------------
def _no_decompression(monkeypatch) -> None:
    """Make any decompression on the load path fail loudly: a zip bomb must never be opened."""
    import gzip
    import zipfile
    import zlib

    def refuse(*args, **kwargs):
        raise AssertionError("the model loader tried to decompress something")

    for module, name in [(zlib, "decompress"), (zlib, "decompressobj"), (gzip, "decompress"),
                         (gzip, "GzipFile"), (zipfile, "ZipFile")]:
        monkeypatch.setattr(module, name, refuse)


def _zip_bomb(path: Path) -> Path:
    """A small zip holding 64 MB of zeros (a real bomb nests these; one layer shows the point)."""
    import zipfile

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        with zf.open("weights.json", "w") as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(64):
                fh.write(chunk)
    return path


@pytest.mark.parametrize("where", ["model-path", "meta.json", "weights.json"])
def test_zip_bomb_is_refused_without_being_opened(tmp_path, tiny_model_dir, monkeypatch, where):
    bomb = _zip_bomb(tmp_path / "bomb.zip")
    assert bomb.stat().st_size < 200_000
    if where == "model-path":
        target = bomb
    else:
        target = copy_model(tiny_model_dir, tmp_path / "m")
        if where == "meta.json":
            shutil.copy(bomb, target / "meta.json")
        else:
            write_weights(target, bomb.read_bytes())  # digest made to match: only the parser refuses it
    _no_decompression(monkeypatch)
    with pytest.raises(ModelFormatError) as err:
        load_model(target)
    assert_one_clear_line(err.value, "not a hedge model")


@pytest.mark.parametrize("name", ["meta.json", "weights.json"])
def test_file_larger_than_the_cap_is_refused_before_reading(tmp_path, tiny_model_dir, name):
    # A sparse 300 MB file costs no disk; the size check must refuse it from its size alone.
    import hedge.model

    model_dir = copy_model(tiny_model_dir, tmp_path / "m")
    with open(model_dir / name, "r+b") as fh:
        fh.truncate(hedge.model.MAX_FILE_BYTES + 1)
    with pytest.raises(ModelFormatError) as err:
        load_model(model_dir)
    assert_one_clear_line(err.value, name, "larger than a hedge model can be")


def test_cap_applies_to_the_real_files(tmp_path, tiny_model_dir, monkeypatch):
    import hedge.model

    size = (tiny_model_dir / "weights.json").stat().st_size
    monkeypatch.setattr(hedge.model, "MAX_FILE_BYTES", size - 1)
    reads = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: reads.append(self.name) or real(self))
    with pytest.raises(ModelFormatError) as err:
        load_model(tiny_model_dir)
    assert_one_clear_line(err.value, "weights.json", f"{size} bytes")
    assert "weights.json" not in reads
    monkeypatch.setattr(hedge.model, "MAX_FILE_BYTES", size)
    assert load_model(tiny_model_dir).threshold > 0


@pytest.mark.parametrize("name, device", [("meta.json", "/dev/zero"), ("weights.json", "/dev/urandom")])
def test_model_file_that_is_an_endless_device_is_refused(tmp_path, tiny_model_dir, name, device):
    model_dir = copy_model(tiny_model_dir, tmp_path / "m")
    (model_dir / name).unlink()
    (model_dir / name).symlink_to(device)
    with pytest.raises(ModelFormatError) as err:
        load_model(model_dir)
    assert_one_clear_line(err.value, str(model_dir))


HOSTILE_MODELS = {
    "pickle": lambda d, marker: (d / "meta.json").write_bytes(pickle.dumps(_Touch(marker))),
    "pickle-as-weights": lambda d, marker: write_weights(d, pickle.dumps(_Touch(marker))),
    "zip-bomb": lambda d, marker: write_weights(d, _zip_bomb(d.parent / "bomb.zip").read_bytes()),
    "wrong-format-version": lambda d, marker: edit_meta(d, format_version=999),
    "wrong-shape": lambda d, marker: write_weights(d, _drop_last_weight(_weights(d))),
    "missing-weights": lambda d, marker: (d / "weights.json").unlink(),
    "missing-meta": lambda d, marker: (d / "meta.json").unlink(),
    "truncated-weights": lambda d, marker: (d / "weights.json").write_bytes((d / "weights.json").read_bytes()[:99]),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE_MODELS))
def test_hostile_model_through_the_cli_is_one_line_and_exit_2(runner, tmp_path, tiny_model_dir, kind):
    from hedge.cli import app

    marker = tmp_path / "PWNED"
    model_dir = copy_model(tiny_model_dir, tmp_path / "m")
    HOSTILE_MODELS[kind](model_dir, marker)
    data = tmp_path / "d.jsonl"
    data.write_text('{"text": "It may rain.", "hedged": true}\n{"text": "It rained.", "hedged": false}\n')
    for args in (["score", "-"], ["evaluate", str(data)]):
        result = runner.invoke(app, [*args, "--model", str(model_dir)], input="It may rain.\n")
        assert result.exit_code == 2, (kind, result.stdout, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("hedge: error: "), result.stderr
        assert str(model_dir) in lines[0]
        assert "Traceback" not in result.stderr and result.stdout == ""
    assert not marker.exists()
