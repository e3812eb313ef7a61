#!/usr/bin/env python
"""Fuzz hedge's readers, the splitter, text decoding, the scorer and the model loader.

A *finding* is any exception other than the one a target may raise: ``DataFormatError`` for the
labelled-data readers, ``InputError`` for text decoding, ``ModelFormatError`` for model files, and
nothing at all for the splitter and the scorer, whose output invariants are checked as well.

Engines: atheris (coverage-guided libFuzzer; ``pip install atheris``) when it is installed, otherwise
hypothesis with a large budget. Each finding is saved once per distinct exception site, as a
reproducer (``.bin``) and its traceback (``.txt``) in ``--findings`` (default ``fuzz/findings/``), and
the run goes on. Examples, from the repository root::

    python fuzz/fuzz_hedge.py all --seconds 60          # every target for a minute each
    python fuzz/fuzz_hedge.py jsonl --runs 100000       # one target
    python fuzz/fuzz_hedge.py split --engine hypothesis --runs 5000
    python fuzz/fuzz_hedge.py --replay fuzz/findings/x.bin jsonl   # re-run one reproducer

The exit status is 1 when there were findings. ``tests/test_fuzz_smoke.py`` runs every target on a
few hundred inputs in CI.
"""

from __future__ import annotations

import argparse
import atexit
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # fuzz this checkout's hedge, not an installed one

atheris = None
if __name__ == "__main__":  # imported by the smoke test, hypothesis runs it and hedge stays as it is
    try:  # coverage guidance for hedge's own code when atheris runs the show
        import atheris

        with atheris.instrument_imports(include=["hedge"]):
            import hedge.attribution
            import hedge.inputs
            import hedge.model
            import hedge.polnear
            import hedge.readers
            import hedge.text
    except ImportError:
        atheris = None

from hedge.errors import DataFormatError, InputError, ModelFormatError  # noqa: E402
from hedge.inputs import decode_text  # noqa: E402
from hedge.polnear import parse_ann, read_polnear  # noqa: E402
from hedge.readers import read_examples, read_file  # noqa: E402
from hedge.text import split_sentences, tokenize  # noqa: E402

HERE = Path(__file__).resolve().parent
_SCRATCH = Path(tempfile.mkdtemp(prefix="hedge-fuzz-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None))
atexit.register(shutil.rmtree, _SCRATCH, True)  # (libFuzzer exits without it: the folder is small)


class Finding(AssertionError):
    """An output invariant does not hold."""


def check(condition: bool, what: str) -> None:
    if not condition:
        raise Finding(what)


# -- targets: each takes bytes; returning normally or raising the allowed error is a pass -----------
def _file(name: str, data: bytes) -> Path:
    path = _SCRATCH / name
    path.write_bytes(data)
    return path


def _reader(fmt: str | None, name: str) -> Callable[[bytes], None]:
    def target(data: bytes) -> None:
        path = _file(name, data)
        try:
            examples = read_file(path, fmt) if fmt else read_examples([path])
        except DataFormatError as exc:
            check("\n" not in str(exc) and str(exc).startswith(str(path)), f"badly worded error: {exc!r}")
            return
        for ex in examples:
            check(isinstance(ex.text, str), "text is not a string")
            for s, e in ex.cues or []:
                check(0 <= s <= e <= len(ex.text), f"cue {(s, e)} outside the text")
    return target


def _detect(data: bytes) -> None:
    # The first byte picks the file name, so that detection by extension and by content both run.
    names = ["d.jsonl", "d.csv", "d.tsv", "d.txt", "d.xml", "d.data"]
    name = names[data[0] % len(names)] if data else names[0]
    _reader(None, name)(data[1:])


def _brat(data: bytes) -> None:
    # "<text>\0<ann>": an article and its annotation file, read as a PolNeAR folder.
    text, _, ann = data.partition(b"\x00")
    root = _SCRATCH / "brat"
    for sub in ("text", "attributions"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    (root / "text" / "a.txt").write_bytes(text)
    ann_path = root / "attributions" / "a_x.ann"
    ann_path.write_bytes(ann)
    try:
        parse_ann(ann_path, len(text))
        examples = list(read_polnear(root))
    except DataFormatError:
        return
    for ex in examples:
        for s, e in ex.extra["sources"]:
            check(0 <= s <= e <= len(ex.text), f"source {(s, e)} outside its sentence")


def _text(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")  # any byte string is some text (lone surrogates too)


def check_split(text: str) -> None:
    """The splitter's and tokenizer's contract on ``text``."""
    spans = split_sentences(text)
    prev = 0
    covered = bytearray(len(text))
    for start, end in spans:
        check(prev <= start < end <= len(text), f"span {(start, end)} out of order or outside the text")
        piece = text[start:end]
        check(piece == piece.strip(), f"span {(start, end)} is not trimmed")
        covered[start:end] = b"\x01" * (end - start)
        prev = end
    missed = [i for i, ch in enumerate(text) if not covered[i] and not ch.isspace()]
    check(not missed, f"characters at {missed[:5]} belong to no sentence")
    last = 0
    for start, end in tokenize(text):
        check(last <= start < end <= len(text), f"token {(start, end)} out of order or outside the text")
        check(not text[start:end].isspace(), "a white-space token")
        last = end


def _split(data: bytes) -> None:
    check_split(_text(data))


def _decode(data: bytes) -> None:
    try:
        text = decode_text(data, "input.txt")
    except InputError as exc:
        check("\n" not in str(exc) and str(exc).startswith("input.txt: "), f"badly worded error: {exc!r}")
        return
    check_split(text)


_MODEL = None


def _default_model():
    global _MODEL
    if _MODEL is None:
        from hedge.model import load_model

        _MODEL = load_model()
    return _MODEL


def check_records(text: str, records, lines: bool, units=None) -> None:
    """The scorer's output contract for ``text``."""
    import math

    if units is not None:
        check([(r.start, r.end) for r in records] == [tuple(u) for u in units], "records are not the units")
    if lines:
        expected = text.split("\n")
        if text.endswith("\n"):
            expected.pop()
        check(len(records) == (len(expected) if text else 0), "--lines did not give one record per line")
    for n, rec in enumerate(records):
        check(rec.index == n and text[rec.start:rec.end] == rec.text, "record offsets do not match the text")
        check(math.isfinite(rec.hedge) and 0.0 <= rec.hedge <= 1.0, f"score {rec.hedge} outside [0, 1]")
        for span in [*rec.cues, *([rec.source] if rec.source else [])]:
            check(0 <= span.start < span.end <= len(rec.text) and rec.text[span.start:span.end] == span.text,
                  f"span {span} is not inside its sentence")
        json.dumps(rec.to_dict(), ensure_ascii=False)


def _markup(data: bytes) -> None:
    # The first byte picks plain text, Markdown or HTML; the rest is the document.
    from hedge.api import score_document
    from hedge.markup import KINDS, prepare

    kind = KINDS[data[0] % len(KINDS)] if data else "text"
    text = _text(data[1:])
    prepared = prepare(text, kind)
    check(len(prepared.text) == len(text), "the prose is not as long as the original")
    prev = 0
    for start, end in prepared.units:
        check(prev <= start < end <= len(text), f"unit {(start, end)} out of order or outside the text")
        prev = end
    records = score_document(_default_model(), text, "d", kind=kind)
    check_records(text, records, False, units=prepared.units)


def _score(data: bytes) -> None:
    text = _text(data)
    model = _default_model()
    for lines in (False, True):
        records = model.score(text, lines=lines)
        check_records(text, records, lines)
        check([r.to_dict() for r in model.score(text, lines=lines)] == [r.to_dict() for r in records],
              "scoring twice gave different results")


def _model(data: bytes) -> None:
    # "<weights.json>" or "<meta.json>\0<weights.json>"; meta's digest is made to match, so that the
    # parser and the shape checks are what stands between the bytes and the scorer.
    from hedge.model import META_FILE, WEIGHTS_FILE, default_model_path, load_model

    root = _SCRATCH / "model"
    root.mkdir(exist_ok=True)
    meta_bytes, sep, weights = data.partition(b"\x00")
    if not sep:
        meta_bytes, weights = b"", data
    meta = json.loads((default_model_path() / META_FILE).read_text(encoding="utf-8"))
    meta["files"] = {WEIGHTS_FILE: hashlib.sha256(weights).hexdigest()}
    (root / META_FILE).write_bytes(meta_bytes or json.dumps(meta).encode())
    (root / WEIGHTS_FILE).write_bytes(weights)
    try:
        model = load_model(root)
    except ModelFormatError as exc:
        check("\n" not in str(exc), f"a multi-line error: {exc!r}")
        return
    text = "Officials said the plan may fail. It rained on May 5."
    check_records(text, model.score(text), False)


# -- structured targets: the bytes choose where a valid record or model is changed, and to what ---
class _Choices:
    """Reads choices from fuzz bytes (zeros once they run out), so any input is some structure."""

    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def byte(self) -> int:
        self.pos += 1
        return self.data[self.pos - 1] if self.pos <= len(self.data) else 0

    def pick(self, options):
        return options[self.byte() % len(options)]


_KEYS = ["text", "hedged", "label", "cues", "start", "end", "doc", "split", "id", "attribution", "source",
         "assertion", "para", "index", "tags", "candidates", "cue", "sentence", "features", "weights", "bias",
         "thresholds", "kind", "O", "B", "I", "format", "format_version", "threshold", "files", "weights.json"]
_SCALARS = [None, True, False, 0, 1, -1, 2, 3, 0.5, -0.0, 1e308, 10**400, -(10**400), float("nan"), float("inf"),
            "", "may", "It", "hedged", "certain", "named", "vague", "none", "\ud800", "x" * 3, [], {}]


def _value(c: _Choices, depth: int = 0):
    kind = c.byte() % 6
    if kind == 0 and depth < 4:
        return {c.pick(_KEYS): _value(c, depth + 1) for _ in range(c.byte() % 4)}
    if kind == 1 and depth < 4:
        return [_value(c, depth + 1) for _ in range(c.byte() % 4)]
    if kind == 2:
        return int.from_bytes(bytes([c.byte(), c.byte()]), "big") - 32768
    if kind == 3:
        return bytes(c.byte() for _ in range(c.byte() % 8)).decode("utf-8", "surrogateescape")
    return c.pick(_SCALARS)


def _mutate(obj, c: _Choices):
    """``obj`` with one node (chosen by the bytes) replaced, added to or removed."""
    if not isinstance(obj, (dict, list)) or not obj or c.byte() % 3 == 0:
        return _value(c)
    keys = list(obj) if isinstance(obj, dict) else list(range(len(obj)))
    key = c.pick(keys)
    out = dict(obj) if isinstance(obj, dict) else list(obj)
    action = c.byte() % 4
    if action == 0 and isinstance(out, dict):
        del out[key]
    elif action == 1 and isinstance(out, dict):
        out[c.pick(_KEYS)] = _value(c)
    else:
        out[key] = _mutate(out[key], c)
    return out


def _dumps(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8", "surrogatepass")


def _jsonl_rows(data: bytes) -> None:
    c = _Choices(data)
    rows = [json.loads(line) for line in SEEDS["jsonl"][c.byte() % len(SEEDS["jsonl"])].decode().splitlines()]
    for _ in range(1 + c.byte() % 3):
        n = c.byte() % len(rows)
        rows[n] = _mutate(rows[n], c)
    _reader("jsonl", "d.jsonl")(b"\n".join(_dumps(r) for r in rows) + b"\n")


def _model_json(data: bytes) -> None:
    c = _Choices(data)
    weights = json.loads(SEEDS["model"][1])
    for _ in range(1 + c.byte() % 3):
        weights = _mutate(weights, c)
    _model(_dumps(weights))


TARGETS: dict[str, Callable[[bytes], None]] = {
    "jsonl": _reader("jsonl", "d.jsonl"),
    "csv": _reader("csv", "d.csv"),
    "tsv": _reader("tsv", "d.tsv"),
    "fasttext": _reader("fasttext", "d.txt"),
    "szeged": _reader("szeged", "d.xml"),
    "bioscope": _reader("bioscope", "d.xml"),
    "detect": _detect,
    "brat": _brat,
    "split": _split,
    "decode": _decode,
    "score": _score,
    "markup": _markup,
    "model": _model,
    "jsonl-rows": _jsonl_rows,
    "model-json": _model_json,
}

# -- seeds ---------------------------------------------------------------------------------------
_SZEGED = (b'<?xml version="1.0"?><Annotation><DocumentSet><Document type="w"><DocID>Rain_1</DocID>'
           b'<DocumentPart type="Title"><Sentence id="S1.1">Rain</Sentence></DocumentPart>'
           b'<DocumentPart type="Text"><Sentence id="S1.2">It <ccue type="speculation">may</ccue> rain.'
           b'</Sentence><Sentence id="S1.3"> The bridge opened. </Sentence></DocumentPart></Document>'
           b'</DocumentSet></Annotation>\n')
_BIOSCOPE = (b'<?xml version="1.0"?><Annotation><DocumentSet><Document><DocID>9</DocID>'
             b'<DocumentPart type="AbstractText"><sentence id="S1">These <xcope id="X1"><cue type='
             b'"speculation" ref="X1">indicate that</cue> it <cue type="negation" ref="X2">not</cue>'
             b' works</xcope>.</sentence></DocumentPart></Document></DocumentSet></Annotation>\n')
SEEDS: dict[str, list[bytes]] = {
    "jsonl": [b'{"text": "It may rain.", "hedged": true, "cues": [{"start": 3, "end": 6, "text": "may"}]}\n'
              b'{"text": "It rained.", "hedged": false, "doc": "a", "split": "train"}\n',
              b'{"text": "Officials said so.", "label": "certain", "attribution": "named", "source": [0, 9],'
              b' "assertion": true, "id": "x1"}\n'],
    "csv": [b'text,hedged,doc\n"It may rain, they say.",1,a\n"Two\nlines.",0,b\n'],
    "tsv": [b"Text\tLabel\tsplit\nIt may rain.\thedged\ttrain\nIt rained.\tcertain\tdev\n"],
    "fasttext": [b"__label__hedged It may rain.\n\n__label__0 The bridge opened in 1990.\n"],
    "szeged": [_SZEGED],
    "bioscope": [_BIOSCOPE],
    "detect": [b"\x00" + b'{"text": "a", "hedged": true}\n', b"\x03__label__1 It may rain.\n",
               b"\x04" + _SZEGED, b"\x05" + _BIOSCOPE, b"\x01text,hedged\na,1\n"],
    "brat": [b"Officials said the plan may fail. It rained.\x00T1\tSource 0 9\tOfficials\n"
             b"T2\tCue 10 14\tsaid\nT3\tAttribution 0 33;34 45\tOfficials said\nE1\tAttribution:T3\n"],
    "split": [b"Dr. Smith said it may rain. The U.S. Supreme Court ruled at 5 p.m. Monday.\n\n- A bullet\n"
              b"1. Growth slowed. \"Really?\" she asked. (a) The first... Then \xe2\x80\xa6 [12] mRNA levels."],
    "decode": [b"\xef\xbb\xbfIt may rain.", "It may rain.".encode("utf-16"), b"caf\xe9", b"\x00\x01"],
    "markup": [b"\x01# Title\n\nOfficials said the bridge *may* reopen [soon](http://x.org).\n<!-- hedge: ignore -->\n"
               b"It might rain.\n\n```\ncode may\n```\n| a | b |\n|---|---|\n| it may | x |\n",
               b"\x02<html><body><h1>Bridge</h1><p>It <b>may</b> reopen &amp; close.<!-- hedge: ignore --></p>"
               b"<script>may()</script><p>Officials said so.</p></body></html>",
               b"\x00It may rain. # hedge: ignore\nhedge: ignore-start\nNo.\nhedge: ignore-end\nDone.\n"],
    "score": [b"Officials said the bridge may reopen next week. The bridge opened in 1990.\n\n"
              b"The vote took place on May 5. Prices might rise, it seems.\n"],
    "jsonl-rows": [b"", b"\x01\x02\x03\x04\x05\x06\x07\x08"],
    "model-json": [b"", b"\x01\x02\x03\x04\x05\x06\x07\x08"],
    "model": [b'{"candidates": ["may"], "cue": {"bias": 0.0, "features": ["w=may"], "weights": [1.0]}, '
              b'"sentence": {"bias": -1.0, "features": ["max"], "weights": [2.0]}}',
              b'{"candidates": ["may"], "cue": {"bias": 0.0, "features": ["w=may"], "weights": [1.0]}, '
              b'"sentence": {"bias": -1.0, "features": ["max"], "weights": [2.0]}, "attribution": {'
              b'"sentence": {"bias": 0, "features": ["rv"], "weights": [3]}, "source": {'
              b'"O": {"bias": 0, "features": [], "weights": []}, "B": {"bias": 0, "features": [], "weights": []},'
              b' "I": {"bias": 0, "features": [], "weights": []}}, "kind": {"bias": 0, "features": [], "weights":'
              b' []}, "assertion": {"bias": 1, "features": [], "weights": []}, "thresholds": {"sentence": 0.5,'
              b' "kind": 0.5, "assertion": 0.5, "source_bias": 0.0}}}'],
}


# -- running -------------------------------------------------------------------------------------
class Runner:
    """Runs one target, saving each distinct unexpected exception once."""

    def __init__(self, name: str, findings: Path) -> None:
        self.name, self.target, self.findings = name, TARGETS[name], findings
        self.runs = 0
        self.seen: set[str] = set()

    def __call__(self, data: bytes) -> None:
        self.runs += 1
        try:
            self.target(data)
        except RecursionError:
            self._save(data, "RecursionError")
        except Exception as exc:  # noqa: BLE001 - anything else is what we are looking for
            self._save(data, _site(exc))

    def _save(self, data: bytes, site: str) -> None:
        if site in self.seen:
            return
        self.seen.add(site)
        self.findings.mkdir(parents=True, exist_ok=True)
        stem = f"{self.name}-{hashlib.sha1(site.encode()).hexdigest()[:10]}"
        (self.findings / f"{stem}.bin").write_bytes(data)
        (self.findings / f"{stem}.txt").write_text(f"{site}\n\n{traceback.format_exc()}", encoding="utf-8")
        print(f"FINDING {self.name}: {site} -> {self.findings / stem}.bin", file=sys.stderr, flush=True)


def _site(exc: BaseException) -> str:
    """Exception type and the innermost hedge frame: one finding per distinct bug."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/hedge/" in f.filename]
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "outside hedge"
    return f"{type(exc).__name__} at {where}"


def run_atheris(runner: Runner, runs: int | None, seconds: float | None) -> int:
    corpus = HERE / "corpus" / runner.name
    corpus.mkdir(parents=True, exist_ok=True)
    for n, seed in enumerate(SEEDS[runner.name]):
        (corpus / f"seed-{n}").write_bytes(seed)
    args = [sys.argv[0], str(corpus), "-rss_limit_mb=4096", "-timeout=30"]
    if runs:
        args.append(f"-runs={runs}")
    if seconds:
        args.append(f"-max_total_time={int(seconds)}")
    if runner.name in ("szeged", "bioscope", "detect"):
        args.append(f"-dict={HERE / 'xml.dict'}")
    atheris.Setup(args, runner)
    atheris.Fuzz()  # exits the process when done
    return runner.runs


def run_hypothesis(runner: Runner, runs: int | None, seconds: float | None) -> int:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    seeds = SEEDS[runner.name]

    def splice(args) -> bytes:
        seed, at, cut, insert = args
        at %= len(seed) + 1
        return seed[:at] + insert + seed[at + cut:]

    data = st.one_of(
        st.binary(max_size=4096),
        st.text(max_size=1000).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.tuples(st.sampled_from(seeds), st.integers(0, 10_000), st.integers(0, 64),
                  st.one_of(st.binary(max_size=64), st.text(max_size=32).map(str.encode))).map(splice),
    )
    deadline = time.monotonic() + seconds if seconds else None

    @settings(max_examples=runs or 10**9, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(data)
    def loop(item: bytes) -> None:
        if deadline and time.monotonic() > deadline:
            return
        runner(item)

    for seed in seeds:
        runner(seed)
    loop()
    return runner.runs


def fuzz(name: str, engine: str, runs: int | None, seconds: float | None, findings: Path) -> tuple[int, set[str]]:
    """Fuzz one target in this process; returns (inputs tried, finding sites)."""
    runner = Runner(name, findings)
    if engine == "atheris":
        run_atheris(runner, runs, seconds)
    else:
        run_hypothesis(runner, runs, seconds)
    return runner.runs, runner.seen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", choices=[*TARGETS, "all"])
    parser.add_argument("--engine", choices=["auto", "atheris", "hypothesis"], default="auto")
    parser.add_argument("--runs", type=int, help="Inputs per target.")
    parser.add_argument("--seconds", type=float, help="Time per target.")
    parser.add_argument("--findings", type=Path, default=HERE / "findings")
    parser.add_argument("--replay", type=Path, help="Run the target once on this file and show what happens.")
    args, extra = parser.parse_known_args(argv)
    engine = args.engine if args.engine != "auto" else ("atheris" if atheris else "hypothesis")
    if engine == "atheris" and atheris is None:
        parser.error("atheris is not installed (pip install atheris)")
    if args.replay:
        TARGETS[args.target](args.replay.read_bytes())
        print("no finding")
        return 0
    if not args.runs and not args.seconds:
        args.runs = 1000
    if args.target != "all":
        if engine == "atheris":  # libFuzzer prints the count ("Done N runs") and exits
            sys.argv = [sys.argv[0], *extra]
        runs, seen = fuzz(args.target, engine, args.runs, args.seconds, args.findings)
        print(f"{args.target}: {runs} inputs, {len(seen)} findings")
        return 1 if seen else 0
    # Every target, each in its own process (atheris sets up once per process).
    total, found = 0, 0
    for name in TARGETS:
        cmd = [sys.executable, __file__, name, "--engine", engine, "--findings", str(args.findings)]
        cmd += ["--runs", str(args.runs)] if args.runs else []
        cmd += ["--seconds", str(args.seconds)] if args.seconds else []
        proc = subprocess.run(cmd, capture_output=True, text=True)
        out = proc.stdout + proc.stderr
        m = re.search(r"Done (\d+) runs", out) or re.search(r": (\d+) inputs", out)
        n = int(m.group(1)) if m else 0
        sites = re.findall(r"FINDING \S+ (.+) ->", out)
        total += n
        found += len(sites)
        print(f"{name:10s} {n:>10d} inputs  {len(sites)} findings" + "".join(f"\n    {s}" for s in sites),
              flush=True)
    print(f"total      {total:>10d} inputs  {found} findings")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
