"""Scoring an archive: score_frame, and `hedge score --dask` on a real LocalCluster of 2 worker processes."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

import pytest

from hedge.cli import app
from hedge.errors import HedgeError, InputError, MissingDependency

pd = pytest.importorskip("pandas")

TEXTS = [
    "The drug may reduce the risk. It was approved on May 5.",
    "",
    "Officials reportedly left the building. The museum closes at six.",
    None,
    "It seems likely that prices will rise.",
]


def records_of(frames) -> list[dict]:
    """score_frame's two frames as the JSON Lines stream: each document's sentences, then its summary."""
    sentences, documents = frames
    by_key: dict = {}
    for row in sentences.to_dict("records"):
        by_key.setdefault(row.pop("key"), []).append({"type": "sentence", **row})
    out = []
    for row in documents.to_dict("records"):
        out += by_key.get(row.pop("key"), [])
        out.append({"type": "document", **row})
    return out


def jsonl_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def plain(value):
    """Arrow/pandas values as plain Python: arrays to lists."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def frame_rows(frame) -> list[dict]:
    rows = [{k: plain(v) for k, v in row.items()} for row in frame.to_dict("records")]
    for row in rows:
        if isinstance(row.get("sources"), list):  # an Arrow map reads back as (key, value) pairs
            row["sources"] = dict(row["sources"])
    return rows


def parquet_rows(path: Path) -> list[dict]:
    return frame_rows(pd.read_parquet(path))


# -- score_frame -------------------------------------------------------------------------------------
def test_score_frame_has_the_fields_of_the_jsonl_records(tiny_model, tiny_model_dir):
    from hedge.frame import score_frame
    from hedge.report import summarize

    df = pd.DataFrame({"id": [f"r{i}" for i in range(len(TEXTS))], "body": TEXTS})
    sentences, documents = score_frame(df, "body", model=tiny_model_dir, key_column="id")
    expected = []
    for key, text in zip(df["id"], TEXTS):
        records = tiny_model.score(text or "", doc=key)
        expected += [r.to_dict() for r in records] + [summarize(key, records).to_dict()]
    assert records_of((sentences, documents)) == expected
    assert list(documents["key"]) == list(df["id"])  # one summary per row, in row order
    assert sentences["key"].tolist() == [r["doc"] for r in expected if r["type"] == "sentence"]


def test_score_frame_keys_rows_by_their_index_without_a_key_column(tiny_model_dir):
    from hedge.frame import score_frame

    df = pd.DataFrame({"text": TEXTS[:3]}, index=[10, 20, 30])
    sentences, documents = score_frame(df, model=tiny_model_dir)
    assert documents["key"].tolist() == [10, 20, 30]
    assert documents["doc"].tolist() == ["10", "20", "30"]
    assert set(sentences["key"]) == {10, 30}  # the empty text has no sentence


def test_score_frame_of_an_empty_frame_has_the_columns_and_types(tiny_model_dir):
    from hedge.frame import DOCUMENT_COLUMNS, SENTENCE_COLUMNS, empty_frames, score_frame

    sentences, documents = score_frame(pd.DataFrame({"text": []}), model=tiny_model_dir)
    assert (len(sentences), len(documents)) == (0, 0)
    assert tuple(sentences.columns) == SENTENCE_COLUMNS and tuple(documents.columns) == DOCUMENT_COLUMNS
    empty = empty_frames()
    assert dict(sentences.dtypes.items())["hedge"] == dict(empty[0].dtypes.items())["hedge"] == "float64"


@pytest.mark.parametrize("frame, args, words", [
    (pd.DataFrame({"body": ["x"]}), {}, ["text column 'text'", "body"]),
    (pd.DataFrame({"text": ["x"]}), {"key_column": "id"}, ["key column 'id'"]),
    (pd.DataFrame({"text": ["fine", 42]}, index=["a", "b"]), {}, ["row 'b'", "int", "not text"]),
])
def test_score_frame_refuses_bad_frames_in_one_line(tiny_model_dir, frame, args, words):
    from hedge.frame import score_frame

    with pytest.raises(InputError) as err:
        score_frame(frame, model=tiny_model_dir, **args)
    message = str(err.value)
    assert "\n" not in message and all(w in message for w in words), message


def test_the_model_is_loaded_once_per_process_and_again_when_it_changes(tmp_path, tiny_model_dir, tiny_model):
    import shutil

    from hedge.frame import cached_model
    from hedge.model import save_model

    path = shutil.copytree(tiny_model_dir, tmp_path / "m")
    first = cached_model(path)
    assert cached_model(str(path)) is first  # the same object: not loaded again
    changed = tiny_model.__class__(tiny_model.candidates, tiny_model.cue, tiny_model.sentence, threshold=0.9,
                                   meta=dict(tiny_model.meta), attribution=tiny_model.attribution)
    save_model(changed, path)
    again = cached_model(path)
    assert again is not first and again.threshold == 0.9


def test_score_frame_maps_over_the_partitions_of_a_dask_dataframe(tiny_model_dir):
    """The README's recipe: map_partitions with score_frame, its meta from score_frame of the empty meta."""
    dd = pytest.importorskip("dask.dataframe")
    from hedge.frame import score_frame

    frame = pd.DataFrame({"id": range(10), "body": [t or "" for t in TEXTS] * 2})
    ddf = dd.from_pandas(frame, npartitions=3)
    meta = score_frame(ddf._meta, "body", model=tiny_model_dir, key_column="id")[0]
    lazy = ddf.map_partitions(lambda df: score_frame(df, "body", model=str(tiny_model_dir), key_column="id")[0],
                              meta=meta)
    got = lazy.compute(scheduler="sync").reset_index(drop=True)
    expected = score_frame(frame, "body", model=tiny_model_dir, key_column="id")[0]
    assert frame_rows(got) == frame_rows(expected)


def test_score_frame_without_pandas_says_which_extra(monkeypatch, tiny_model_dir):
    from hedge.frame import score_frame

    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(MissingDependency, match=r"pip install 'hedge\[dask\]'"):
        score_frame(None, model=tiny_model_dir)


# -- planning partitions (no cluster) ----------------------------------------------------------------
@pytest.mark.parametrize("blocksize", [1, 7, 40, 10_000])
def test_jsonl_parts_cover_every_line_once_and_know_their_line_numbers(tmp_path, blocksize):
    from hedge.archive import plan

    lines = [json.dumps({"text": "x" * (i % 9)}) for i in range(23)]
    path = tmp_path / "rows.jsonl"
    data = ("\n".join(lines[:10]) + "\n\n" + "\n".join(lines[10:])).encode()  # a blank line, no final newline
    path.write_bytes(data)
    parts, key_type = plan(path, blocksize=blocksize)
    assert key_type == "int64"
    assert parts[0].start == 0 and parts[-1].end == len(data)
    assert all(a.end == b.start for a, b in zip(parts, parts[1:]))
    for part in parts:
        assert part.first_row == data[:part.start].count(b"\n") + 1
        assert part.start == 0 or data[part.start - 1:part.start] == b"\n"


@pytest.mark.parametrize("text, expected", [
    ("16MB", 16_000_000), ("512 KiB", 524_288), ("1000", 1000), ("1.5g", 1_500_000_000), ("2mib", 2_097_152),
])
def test_blocksize_sizes(text, expected):
    from hedge.archive import parse_bytes

    assert parse_bytes(text) == expected


@pytest.mark.parametrize("text", ["", "MB", "-1MB", "0", "16 XB", "1e6"])
def test_blocksize_refuses_what_is_not_a_size(text):
    from hedge.archive import parse_bytes

    with pytest.raises(HedgeError, match="not a size"):
        parse_bytes(text)


# -- the command without a cluster: clear refusals ------------------------------------------------------
def one_error_line(result) -> str:
    """The one error line of a failed run (exit 2, no traceback; other lines are progress)."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("hedge: error: ")]
    assert len(errors) == 1 and all(line.startswith("hedge: ") for line in lines), result.stderr
    return errors[0]


def test_dask_without_the_extra_is_one_clear_line(runner, monkeypatch, archive_dir, tmp_path):
    monkeypatch.setitem(sys.modules, "distributed", None)
    result = runner.invoke(app, ["score", "--dask", "local:2", str(archive_dir), "-o", str(tmp_path / "o.jsonl")])
    line = one_error_line(result)
    assert "pip install 'hedge[dask]'" in line and "distributed" in line
    assert not (tmp_path / "o.jsonl").exists()


@pytest.mark.parametrize("args, words", [
    (["-o", "{tmp}/o.csv"], ["must end in .jsonl or .parquet"]),
    ([], ["needs --output"]),
    (["-o", "{tmp}/o.jsonl", "--format", "csv"], ["--format"]),
    (["-o", "{tmp}/o.jsonl", "--lines"], ["--lines"]),
    (["-o", "{tmp}/o.jsonl", "--blocksize", "big"], ["not a size"]),
    (["-o", "{tmp}/o.jsonl", "--dask", "local:zero"], ["local:N"]),
    (["-o", "{tmp}/archive"], ["must end in .jsonl or .parquet"]),
])
def test_dask_option_errors(runner, archive_dir, tmp_path, args, words):
    argv = ["score", "--dask", "local:2", str(archive_dir)] + [a.format(tmp=tmp_path) for a in args]
    line = one_error_line(runner.invoke(app, argv))
    assert all(w in line for w in words), line


def test_dask_refuses_a_parquet_without_the_text_column(runner, tmp_path, tiny_model_dir):
    pd.DataFrame({"body": ["It may rain."]}).to_parquet(tmp_path / "in.parquet")
    line = one_error_line(runner.invoke(app, [
        "score", "--dask", "tcp://127.0.0.1:1", str(tmp_path / "in.parquet"), "-o", str(tmp_path / "o.jsonl"),
        "--model", str(tiny_model_dir)]))
    assert "text column 'text'" in line and "body" in line


def test_dask_refuses_to_replace_a_directory_that_is_not_its_output(runner, archive_dir, tmp_path):
    out = tmp_path / "o.parquet"
    out.mkdir()
    (out / "precious.txt").write_text("keep me")
    line = one_error_line(runner.invoke(app, ["score", "--dask", "local:2", str(archive_dir), "-o", str(out)]))
    assert "refusing" in line and (out / "precious.txt").read_text() == "keep me"


# -- on the cluster ---------------------------------------------------------------------------------------
def dask_score(runner, cluster, source, out, model, *extra):
    return runner.invoke(app, ["score", "--dask", cluster.scheduler_address, str(source), "-o", str(out),
                               "--model", str(model), *map(str, extra)])


def ok(result):
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr, result.exception)
    return result


def test_a_directory_on_the_cluster_gives_the_bytes_of_single_process_jsonl(runner, dask_cluster, archive_dir,
                                                                           tiny_model_dir, tmp_path):
    single = ok(runner.invoke(app, ["score", str(archive_dir), "-f", "jsonl", "--model", str(tiny_model_dir)]))
    out = tmp_path / "scores.jsonl"
    result = ok(dask_score(runner, dask_cluster, archive_dir, out, tiny_model_dir, "--blocksize", "300B"))
    assert out.read_text(encoding="utf-8") == single.stdout
    assert "on 2 worker(s)" in result.stderr and "wrote" in result.stderr
    quiet = ok(dask_score(runner, dask_cluster, archive_dir, out, tiny_model_dir, "--quiet"))
    assert quiet.stderr == "" and out.read_text(encoding="utf-8") == single.stdout
    parts = int(result.stderr.split("scoring ")[1].split(" part")[0])
    assert parts >= 4  # the small blocksize made several tasks
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no part files left behind


def test_a_directory_with_a_configuration_gives_what_hedge_score_gives(runner, dask_cluster, archive_dir,
                                                                        tiny_model_dir, tmp_path):
    """The configuration's threshold, word lists and flags reach the workers."""
    config = tmp_path / ".hedge.toml"
    config.write_text('threshold = 0.3\nextra-cues = ["took place"]\nnever-flag = ["may"]\n'
                      'flags = ["unattributed"]\n', encoding="utf-8")
    single = ok(runner.invoke(app, ["score", str(archive_dir), "-f", "jsonl", "--model", str(tiny_model_dir),
                                    "--config", str(config)]))
    plain = ok(runner.invoke(app, ["score", str(archive_dir), "-f", "jsonl", "--model", str(tiny_model_dir),
                                   "--no-config"]))
    assert single.stdout != plain.stdout  # the configuration changes the records
    out = tmp_path / "scores.jsonl"
    ok(dask_score(runner, dask_cluster, archive_dir, out, tiny_model_dir, "--config", config, "--blocksize", "1KB"))
    assert out.read_text(encoding="utf-8") == single.stdout


def test_a_directory_to_parquet_has_the_jsonl_records(runner, dask_cluster, archive_dir, tiny_model_dir, tmp_path):
    single = ok(runner.invoke(app, ["score", str(archive_dir), "-f", "jsonl", "--model", str(tiny_model_dir)]))
    out = tmp_path / "scores.parquet"
    ok(dask_score(runner, dask_cluster, archive_dir, out, tiny_model_dir, "--blocksize", "1KB"))
    frames = (pd.read_parquet(out / "sentences"), pd.read_parquet(out / "documents"))
    expected = [json.loads(line) for line in single.stdout.splitlines()]
    got = [{k: plain(v) for k, v in r.items()} for r in records_of(frames)]
    for r in got:
        if r["type"] == "document":
            r["sources"] = dict(r["sources"])
    assert got == expected


def test_the_workers_import_this_hedge(dask_cluster):
    import hedge
    from distributed import Client

    with Client(dask_cluster) as client:
        files = client.run(lambda: __import__("hedge").__file__)
    assert set(files.values()) == {hedge.__file__}


def test_parquet_in_parquet_out_equals_score_frame(runner, dask_cluster, tmp_path, tiny_model_dir):
    from hedge.frame import score_frame

    texts = [t or "" for t in TEXTS] * 5
    source = pd.DataFrame({"id": range(100, 100 + len(texts)), "text": texts})
    source.to_parquet(tmp_path / "in.parquet", row_group_size=4)
    out = tmp_path / "scores.parquet"
    ok(dask_score(runner, dask_cluster, tmp_path / "in.parquet", out, tiny_model_dir, "--key-column", "id"))
    sentences, documents = score_frame(source, model=tiny_model_dir, key_column="id")
    assert parquet_rows(out / "documents") == frame_rows(documents)
    assert parquet_rows(out / "sentences") == frame_rows(sentences)
    # Run again: the earlier output is replaced, not added to.
    ok(dask_score(runner, dask_cluster, tmp_path / "in.parquet", out, tiny_model_dir, "--key-column", "id"))
    assert len(pd.read_parquet(out / "documents")) == len(texts)


def test_jsonl_in_jsonl_out_equals_score_frame_keyed_by_line(runner, dask_cluster, tmp_path, tiny_model_dir):
    from hedge.frame import score_frame

    rows = [{"body": t, "n": i} for i, t in enumerate(TEXTS * 3)]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "scores.jsonl"
    ok(dask_score(runner, dask_cluster, source, out, tiny_model_dir, "--text-column", "body", "--blocksize", "150"))
    frame = pd.DataFrame({"body": [r["body"] for r in rows]}, index=range(1, len(rows) + 1))  # line numbers
    assert jsonl_lines(out) == records_of(score_frame(frame, "body", model=tiny_model_dir))


def test_a_bad_row_fails_the_run_in_one_line_and_writes_nothing(runner, dask_cluster, tmp_path, tiny_model_dir):
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "It may rain."}\n{"text": "fine"}\n{"text": oops}\n', encoding="utf-8")
    out = tmp_path / "scores.jsonl"
    line = one_error_line(dask_score(runner, dask_cluster, source, out, tiny_model_dir, "--blocksize", "10"))
    assert f"{source}:3: not JSON" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_an_unreadable_file_is_reported_and_the_rest_written(runner, dask_cluster, archive_dir, tmp_path,
                                                            tiny_model_dir):
    (archive_dir / "broken.txt").write_bytes(b"caf\xe9 au lait\n")
    out = tmp_path / "scores.jsonl"
    result = dask_score(runner, dask_cluster, archive_dir, out, tiny_model_dir)
    assert result.exit_code == 2 and "broken.txt: not valid UTF-8" in result.stderr
    docs = [r["doc"] for r in jsonl_lines(out) if r["type"] == "document"]
    assert len(docs) == 24 and not any("broken" in d for d in docs)


class KillFirstScoringWorker:
    """A worker plugin: the first worker to start scoring a part writes its pid to ``marker`` and kills itself."""

    name = "kill-first-scoring-worker"

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def setup(self, worker) -> None:
        pass

    def teardown(self, worker) -> None:
        pass

    def transition(self, key, start, finish, **kwargs) -> None:
        if finish != "executing" or "score_part" not in str(key):
            return
        try:
            fd = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        os.kill(os.getpid(), signal.SIGKILL)


def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(runner, killable_cluster, archive_dir, tmp_path,
                                                             tiny_model_dir):
    from distributed import Client
    from distributed.diagnostics.plugin import WorkerPlugin

    plugin = type("KillOnce", (KillFirstScoringWorker, WorkerPlugin), {})(str(tmp_path / "killed.pid"))
    single = ok(runner.invoke(app, ["score", str(archive_dir), "-f", "jsonl", "--model", str(tiny_model_dir)]))
    with Client(killable_cluster) as client:
        client.register_plugin(plugin)
        out = tmp_path / "scores.jsonl"
        ok(dask_score(runner, killable_cluster, archive_dir, out, tiny_model_dir, "--blocksize", "300B"))
    pid = int((tmp_path / "killed.pid").read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # the worker really died
    assert out.read_text(encoding="utf-8") == single.stdout
    docs = [r["doc"] for r in jsonl_lines(out) if r["type"] == "document"]
    assert len(docs) == len(set(docs)) == 24
