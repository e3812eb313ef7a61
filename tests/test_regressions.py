"""One test per bug found by fuzzing (fuzz/fuzz_hedge.py) and by probing for issue 7, named after it.

Each bug was an exception other than the one the code promises (``DataFormatError`` for labelled
data, ``ModelFormatError`` for model files), i.e. a traceback instead of a one-line error, or a
blow-up in time.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from hedge.errors import DataFormatError, ModelFormatError
from hedge.features import inside_quotes
from hedge.model import load_model
from hedge.readers import read_file


def one_line(exc: BaseException) -> str:
    message = str(exc)
    assert message and "\n" not in message and "Traceback" not in message
    return message


# -- readers ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("line, words", [
    pytest.param("[" * 100_000 + "]" * 100_000, "not JSON", id="deeply-nested-RecursionError"),
    pytest.param('{"text": "It may rain.", "hedged": ' + "1" * 5000 + "}", "not JSON",
                 id="number-over-4300-digits-ValueError"),
])
def test_jsonl_line_that_json_cannot_decode_is_a_data_format_error(tmp_path, line, words):
    path = tmp_path / "d.jsonl"
    path.write_text('{"text": "ok", "hedged": true}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(DataFormatError) as err:
        read_file(path)
    assert one_line(err.value).startswith(f"{path}:2: ") and words in str(err.value)


@pytest.mark.parametrize("name, delimiter", [("d.csv", ","), ("d.tsv", "\t")])
@pytest.mark.parametrize("where", ["row", "header"])
def test_delimited_field_longer_than_the_csv_limit_is_a_data_format_error(tmp_path, name, delimiter, where):
    huge = "x" * (csv.field_size_limit() + 1)
    rows = [f"text{delimiter}hedged", f"It may rain.{delimiter}1", f"{huge}{delimiter}0"]
    if where == "header":
        rows = [f"{huge}{delimiter}text{delimiter}hedged"]
    path = tmp_path / name
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(DataFormatError) as err:
        read_file(path)
    line = 3 if where == "row" else 1
    assert one_line(err.value).startswith(f"{path}:{line}: malformed "), str(err.value)


def test_inside_quotes_is_linear_in_the_sentence_length():
    # Asking about every token of a sentence rescanned it from the start each time: a 5 MB line of
    # text without a full stop took hours to score. Now the sentence is scanned once.
    class CountingList(list):
        scans = 0

        def __iter__(self):
            CountingList.scans += 1
            return super().__iter__()

        def __getitem__(self, key):
            if isinstance(key, slice):
                CountingList.scans += 1
            return super().__getitem__(key)

    words = 'He said " it may " and “ then ” he " left'.split()
    tokens = CountingList(words * 50)
    brute = [sum(t in ('"', "“", "”", "‘", "«") for t in tokens[:i]) % 2 == 1 for i in range(len(tokens))]
    CountingList.scans = 0
    assert [inside_quotes(tokens, i) for i in range(len(tokens))] == brute
    assert CountingList.scans <= 1
    # A different list of the same length is not answered from the memo of the first.
    other = list(reversed(tokens))
    assert [inside_quotes(other, i) for i in range(len(other))] == \
        [sum(t in ('"', "“", "”", "‘", "«") for t in other[:i]) % 2 == 1 for i in range(len(other))]


def test_a_long_line_without_a_full_stop_is_scored(tiny_model):
    # The same bug end to end: one 100 kB line, thousands of candidate words (minutes before). As a
    # --lines record it is one unit; as prose it is cut into sentences of bounded length.
    text = "the data may show a trend and it " * 3000
    (record,) = tiny_model.score(text, lines=True)
    assert record.hedged and len(record.cues) > 1000
    records = tiny_model.score(text)
    assert len(records) == 20 and all(r.hedged for r in records)
    assert sum(len(r.cues) for r in records) == 3000


@pytest.mark.parametrize("text", [
    pytest.param("word " * 30_000, id="words-without-a-full-stop"),
    pytest.param("x" * 12_001, id="one-12k-character-token"),
    pytest.param("a " * 2499 + "b" * 6000 + " c. Next one.", id="long-token-after-words"),
])
def test_sentences_are_cut_at_max_sentence_chars(text):
    # A 50 MB line without a full stop was one "sentence": 20 GB of features to attribute it.
    from hedge.text import MAX_SENTENCE_CHARS, split_sentences

    spans = split_sentences(text)
    assert all(e - s <= MAX_SENTENCE_CHARS for s, e in spans)
    assert [i for i, ch in enumerate(text) if not ch.isspace()] == \
        [i for s, e in spans for i in range(s, e) if not text[i].isspace()]  # nothing lost, in order
    assert all(text[s:e] == text[s:e].strip() for s, e in spans)


def test_long_sentence_features_for_scoring_are_the_training_features(news_model):
    # Scoring sums the attribution features one at a time (lists of them for a long line took
    # gigabytes); they must be the very features training saw, in the same order.
    from hedge.attribution import Tokens, iter_sentence_features, sentence_features, source_features

    tok = Tokens.of('Officials said "the plan may fail," according to Dr. Lena Ortiz of the U.S. agency.')
    assert list(iter_sentence_features(tok)) == sentence_features(tok)
    assert len(list(source_features(tok))) == len(tok.lows)


# -- model files --------------------------------------------------------------------------------------
def _plant(src: Path, dst: Path, weights_text: str | None = None, **meta_changes) -> Path:
    """A copy of model ``src`` with other weights (digest recomputed) and meta.json changes."""
    shutil.copytree(src, dst)
    if weights_text is not None:
        data = weights_text.encode("utf-8")
        (dst / "weights.json").write_bytes(data)
        meta_changes.setdefault("files", {"weights.json": hashlib.sha256(data).hexdigest()})
    meta = json.loads((dst / "meta.json").read_text(encoding="utf-8"))
    meta.update(meta_changes)
    (dst / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return dst


def _weights_with(src: Path, path: list, value_json: str) -> str:
    """weights.json of ``src`` with the value at ``path`` replaced by the raw JSON ``value_json``."""
    weights = json.loads((src / "weights.json").read_text(encoding="utf-8"))
    node = weights
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = "@@VALUE@@"
    return json.dumps(weights).replace('"@@VALUE@@"', value_json)


HUGE = "1" + "0" * 400  # an integer JSON accepts and float() cannot hold: OverflowError


@pytest.mark.parametrize("where, value", [
    pytest.param(["cue", "weights", 0], HUGE, id="huge-int-weight-OverflowError"),
    pytest.param(["sentence", "bias"], HUGE, id="huge-int-bias-OverflowError"),
    pytest.param(["attribution", "thresholds", "kind"], HUGE, id="huge-int-attribution-threshold-OverflowError"),
    pytest.param(["attribution", "thresholds"], "[0.5]", id="attribution-thresholds-a-list-AttributeError"),
    pytest.param(["attribution", "thresholds", "source_bias"], "NaN", id="nan-source-bias"),
    pytest.param(["attribution", "thresholds", "source_bias"], "Infinity", id="infinite-source-bias"),
    pytest.param(["cue", "weights", 0], "1" * 5000, id="number-over-4300-digits-ValueError"),
])
def test_model_weights_of_the_wrong_kind_are_a_model_format_error(tmp_path, news_model, where, value):
    from hedge.model import save_model

    src = save_model(news_model, tmp_path / "good")
    bad = _plant(src, tmp_path / "bad", _weights_with(src, where, value))
    with pytest.raises(ModelFormatError) as err:
        load_model(bad)
    assert str(bad) in one_line(err.value)


@pytest.mark.parametrize("threshold", [HUGE, "1" * 5000])
def test_model_meta_threshold_too_big_for_a_float_is_a_model_format_error(tmp_path, tiny_model_dir, threshold):
    bad = _plant(tiny_model_dir, tmp_path / "bad")
    text = (bad / "meta.json").read_text(encoding="utf-8").replace('"threshold": ', f'"threshold": {threshold}, "x": ')
    (bad / "meta.json").write_text(text, encoding="utf-8")
    with pytest.raises(ModelFormatError) as err:
        load_model(bad)
    assert "meta.json" in one_line(err.value) or str(bad) in str(err.value)


# -- atomic writes ------------------------------------------------------------------------------------
def test_saved_model_and_report_get_the_usual_permissions_not_private_ones(tmp_path, tiny_model, tiny_model_dir,
                                                                           runner):
    # mkdtemp / mkstemp make 0700 / 0600 temporaries; renamed into place, a model or report that
    # another user (a web server, a colleague) should read was private.
    import os
    import stat

    from hedge.cli import app
    from hedge.model import save_model

    old = os.umask(0o022)
    try:
        out = save_model(tiny_model, tmp_path / "model")
        text = tmp_path / "a.txt"
        text.write_text("It may rain.\n", encoding="utf-8")
        report = tmp_path / "report.jsonl"
        result = runner.invoke(app, ["score", str(text), "--model", str(tiny_model_dir), "-o", str(report)])
        assert result.exit_code == 0, result.stderr
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o755
    assert stat.S_IMODE((out / "weights.json").stat().st_mode) == 0o644
    assert stat.S_IMODE(report.stat().st_mode) == 0o644


# -- quadratic paths on long or marker-heavy documents ------------------------------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


def _main_span_by_brute_force(rv: list[int], spans: list[tuple[int, int]]) -> tuple[int, int]:
    """The definition _main_span had: nearest reporting word to either end, checked against every one."""
    return min(spans, key=lambda sp: (min(min(abs(p - sp[0]), abs(p - (sp[1] - 1))) for p in rv), sp[0]))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["said", "officials", "the", "plan", "may", "fail", "according", "to"]),
                min_size=1, max_size=40), st.data())
def test_main_span_picks_the_span_nearest_a_reporting_word_like_the_quadratic_definition(words, data):
    # _main_span compared every span with every reporting word: hours for a 50 MB line of
    # "... officials said ..." without a full stop. It now bisects; the choice must not change.
    from hedge.attribution import Tokens, _main_span, reporting_positions

    tok = Tokens.of(" ".join(words))
    n = len(tok.lows)
    cuts = sorted(set(data.draw(st.lists(st.integers(0, n), min_size=2, max_size=12))))
    spans = [(a, b) for a, b in zip(cuts, cuts[1:]) if a < b]
    if not spans:
        return
    rv = reporting_positions(tok)
    expected = _main_span_by_brute_force(rv, spans) if rv else spans[0]
    assert _main_span(tok, spans) == expected


def _skips_by_brute_force(units, skip_lines, skip_next) -> list:
    """The definition _apply_skips had: every marker checked against every unit."""
    drop = set()
    for s, e in skip_lines:
        drop.update(i for i, u in enumerate(units) if u.start < e and u.end > s)
    for at in sorted(skip_next):
        nxt = next((i for i, u in enumerate(units) if u.start >= at and i not in drop), None)
        if nxt is not None:
            drop.add(nxt)
    return [u for i, u in enumerate(units) if i not in drop]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 200), max_size=30), st.lists(st.tuples(st.integers(0, 200), st.integers(0, 40)),
                                                            max_size=8),
       st.lists(st.integers(0, 210), max_size=12))
def test_ignore_markers_skip_the_same_sentences_as_the_quadratic_definition(cuts, lines, nexts):
    # Scanning every sentence for every `hedge: ignore` marker took minutes for a file with
    # some ten thousand markers; the skips now bisect and sweep, with the same result.
    from hedge.markup import _apply_skips, _Page
    from hedge.text import Span

    points = sorted(set(cuts))
    units = [Span(a, b) for a, b in zip(points[::2], points[1::2]) if a < b]  # ordered, disjoint
    page = _Page([], skip_lines=[Span(s, s + w) for s, w in lines], skip_next=list(nexts))
    assert _apply_skips(units, page) == _skips_by_brute_force(units, page.skip_lines, page.skip_next)


def test_a_long_attributed_line_and_many_ignore_markers_are_scored(default_model, news_model):
    from hedge.api import score_document

    # One 120 kB sentence with thousands of "officials said": choosing among its source spans was
    # quadratic (the shipped model tags them; the tiny one does not).
    text = "the data may suggest that it could rain and officials said " * 2000
    (record,) = default_model.score(text, lines=True)  # one unit (as prose it is cut into sentences)
    assert record.attribution in ("named", "vague")
    # Twenty thousand ignore markers: every marked sentence is skipped, none of the others.
    text = "".join(f"Line {i} may rain. # hedge: ignore\nOther line {i}.\n" for i in range(20_000))
    records = score_document(news_model, text, "d")
    assert len(records) == 20_000 and all(r.text.startswith("Other line") for r in records)


# -- training configs of the wrong shape (a TypeError traceback each) -----------------------------------------
@pytest.mark.parametrize("content, words", [
    pytest.param("data = 5\n", "data must be [[data]] tables", id="data-a-number-TypeError"),
    pytest.param("data = [1]\n", "data must be [[data]] tables", id="data-entry-a-number-TypeError"),
    pytest.param("model = 3\n[[data]]\npath = 'x.jsonl'\n", "[model] table", id="model-a-number-TypeError"),
    pytest.param("[[data]]\npath = 5\n", "path must be a string", id="path-a-number-TypeError"),
    pytest.param("[[data]]\npath = ['x.jsonl', 3]\n", "path must be a string", id="path-list-with-number"),
    pytest.param("[[data]]\npath = 'x.jsonl'\ndev = [{a = 1}]\n", "dev must be a string", id="dev-a-table"),
    pytest.param("[[data]]\npath = 'x.jsonl'\nformat = 7\n", "format must be a string", id="format-a-number"),
    pytest.param("[[data]]\npath = 'x.jsonl'\ndev_fraction = 'a'\n", "dev_fraction", id="dev-fraction-text"),
    pytest.param("[[data]]\npath = 'x.jsonl'\ndev_fraction = 1.5\n", "dev_fraction", id="dev-fraction-over-1"),
    pytest.param("[model]\nfolds = 1.5\n[[data]]\npath = 'x.jsonl'\n", "folds must be a whole number",
                 id="folds-a-fraction-was-accepted"),
    pytest.param("[model]\nc_cue = 'x'\n[[data]]\npath = 'x.jsonl'\n", "c_cue must be a number", id="c-text"),
    pytest.param("[model]\nseed = true\n[[data]]\npath = 'x.jsonl'\n", "seed must be a whole number", id="seed-bool"),
])
def test_training_config_of_the_wrong_shape_is_a_config_error(tmp_path, content, words):
    from hedge.errors import ConfigError
    from hedge.trainset import load_config

    cfg = tmp_path / "train.toml"
    cfg.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    assert one_line(err.value).startswith(f"{cfg}: ") and words in str(err.value), str(err.value)


def test_config_files_that_are_not_utf8_are_refused_like_any_text(tmp_path, runner):
    from hedge.cli import app

    cfg = tmp_path / "train.toml"
    cfg.write_bytes(b"[[data]]\npath = 'caf\xe9.jsonl'\n")
    result = runner.invoke(app, ["train", "--config", str(cfg), "--out", str(tmp_path / "m")])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"hedge: error: {cfg}: not valid UTF-8 text (byte 20); convert it to UTF-8 first"
    cfg.write_bytes("[[data]]\npath = 'nowhere.jsonl'\n".encode("utf-16"))  # decoded, then read
    result = runner.invoke(app, ["train", "--config", str(cfg), "--out", str(tmp_path / "m")])
    assert result.exit_code == 2 and "nowhere.jsonl: no such file" in result.stderr
