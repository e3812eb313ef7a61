"""Speed and memory of hedge, measured in one go and printed as a Markdown table (medians).

    python benchmarks/run.py [--corpora DIR] [--quick] [--big-mb N] [--repeats N] [--skip-train]
                             [--only startup,throughput,jobs,memory,train]

What is measured (see "Performance" in the README for the latest output):

* start-up: ``hedge score benchmarks/data/article.txt`` (606 words) as a fresh process, wall time;
* throughput on real sentences (Szeged Wikipedia, BioScope abstracts and full papers, PolNeAR train;
  a list of strings already in memory): hedge's sentence scoring (``HedgeModel.score_texts``), the
  full pipeline with attribution (``HedgeModel.score``, on a part of them), fastText's ``predict``
  and a scikit-learn TF-IDF + logistic regression ``predict``, in the same run, interleaved. fastText
  and TF-IDF + LR are trained on what hedge's hedge model is trained on from these corpora (Szeged
  and BioScope, less the same 20% of documents held out by ``hedge.trainset.in_dev``), and all three
  report F1 of "hedged" on that held-out part;
* the floor: reading the same sentences from a file and splitting them into sentences and tokens,
  with no model, against hedge reading, splitting and scoring them;
* memory: ``hedge score BIG.txt --format jsonl`` on a generated file (corpus text repeated; 1 GB
  by default), its peak RSS and the time to its first line of output;
* ``--jobs 1`` against ``--jobs 2`` over a directory of 400 generated articles;
* ``hedge train --config training/config.toml`` wall time.

``--quick`` is a smoke run: a 50 MB file, fewer repeats, fewer sentences. fastText comes from
``pip install fasttext-numpy2-wheel``; without it its rows are skipped. ``--corpora`` defaults to
``$HEDGE_CORPORA``, else ``../shared/corpora`` beside the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # this checkout's hedge, not an installed one

from hedge.model import load_model  # noqa: E402
from hedge.readers import read_examples  # noqa: E402
from hedge.text import split_sentences, token_strings  # noqa: E402
from hedge.trainset import in_dev  # noqa: E402

ARTICLE = REPO / "benchmarks" / "data" / "article.txt"
HEDGE = [sys.executable, "-m", "hedge"]
TRAIN_PARTS = ["szeged-uncertainty/wiki_train.xml", "bioscope/abstracts.xml", "bioscope/full_papers.xml"]
BATCH_PARTS = TRAIN_PARTS + ["polnear/train"]
DEV_FRACTION = 0.2  # as training/config.toml
PARTS = ("startup", "throughput", "jobs", "memory", "train")
FASTTEXT = {"fastText, unigrams": {"epoch": 25}, "fastText, word bigrams": {"epoch": 25, "wordNgrams": 2}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpora", default=os.environ.get("HEDGE_CORPORA") or str(REPO.parent / "shared" / "corpora"))
    ap.add_argument("--quick", action="store_true", help="a smoke run: 50 MB, fewer repeats and sentences")
    ap.add_argument("--big-mb", type=int, help="size of the generated file for the memory run (default 1000; 50 quick)")
    ap.add_argument("--repeats", type=int, help="repeats of each throughput measurement (default 5; 3 quick)")
    ap.add_argument("--skip-train", action="store_true", help="do not time `hedge train`")
    ap.add_argument("--only", help=f"run only these parts (comma-separated): {', '.join(PARTS)}")
    args = ap.parse_args()
    parts = set(PARTS if args.only is None else args.only.split(","))
    if args.skip_train:
        parts.discard("train")
    if parts - set(PARTS):
        sys.exit(f"unknown part(s) {sorted(parts - set(PARTS))}; choose from {', '.join(PARTS)}")
    big_mb = args.big_mb or (50 if args.quick else 1000)
    repeats = args.repeats or (3 if args.quick else 5)
    corpora = Path(args.corpora)
    if not corpora.is_dir():
        sys.exit(f"no corpora at {corpora}: pass --corpora DIR or set HEDGE_CORPORA")
    os.environ["HEDGE_CORPORA"] = str(corpora.absolute())

    print(f"command: `{shlex.join(['python', os.path.relpath(__file__, Path.cwd()), *sys.argv[1:]])}`  ")
    print(f"machine: {_cpu()}, {os.cpu_count()} CPUs; Python {platform.python_version()}; "
          f"commit {_git('rev-parse', '--short', 'HEAD')}; {time.strftime('%Y-%m-%d')}\n", flush=True)
    rows: list[tuple[str, str, str, str, str, str]] = []  # measure, sentences/s, seconds, MB, F1, notes

    with tempfile.TemporaryDirectory(prefix="hedge-bench-") as tmp:
        tmp = Path(tmp)
        if "startup" in parts:
            startup(rows, repeats_min=7)
        if "throughput" in parts:
            throughput(rows, corpora, tmp, repeats, quick=args.quick)
        if "jobs" in parts:
            jobs(rows, corpora, tmp, repeats=1 if args.quick else 3)
        if "memory" in parts:
            memory(rows, corpora, tmp, big_mb)
        if "train" in parts:
            training(rows, corpora, tmp)

    print("| measure | sentences/s | seconds | peak MB | F1 (dev) | notes |")
    print("|---|--:|--:|--:|--:|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


# -- start-up ----------------------------------------------------------------------------------------
def startup(rows, repeats_min: int) -> None:
    say("start-up")
    command = [*HEDGE, "score", str(ARTICLE.relative_to(REPO))]
    for _ in range(2):  # warm the file system cache
        _run(command)
    times = [_run(command) for _ in range(max(repeats_min, 7))]
    bare = [_run([sys.executable, "-c", "pass"]) for _ in range(7)]
    rows.append(("start-up: `hedge score article.txt` (606 words)", "", _s(statistics.median(times)), "", "",
                 f"median of {len(times)} runs ({_s(min(times))}–{_s(max(times))}); `python -c pass` "
                 f"alone takes {_s(statistics.median(bare))}"))


def _run(cmd: list[str], **kw) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=REPO, **kw)
    return time.perf_counter() - t


# -- throughput -----------------------------------------------------------------------------------------
def throughput(rows, corpora: Path, tmp: Path, repeats: int, quick: bool) -> None:
    say("reading the corpora")
    train, dev = [], []
    for part in TRAIN_PARTS:
        for ex in read_examples([str(corpora / part)]):
            if ex.hedged is not None:
                (dev if in_dev(ex.doc, DEV_FRACTION) else train).append(ex)
    batch = [ex.text for part in BATCH_PARTS for ex in read_examples([str(corpora / part)])]
    if quick:
        batch = batch[::4]
    full_batch = batch[::10] if not quick else batch[::20]
    model = load_model()
    dev_texts, dev_gold = [ex.text for ex in dev], [bool(ex.hedged) for ex in dev]

    contenders: dict[str, tuple[Callable[[], object], float | None, str]] = {}
    ours_f1 = _f1(dev_gold, [s.hedged for s in model.score_texts(dev_texts)])

    def ours() -> None:
        model._cache.clear()  # a cold start: the fast path rebuilds its tables within the batch
        model.score_texts(batch)

    contenders["hedge: sentence scoring (`score_texts`)"] = (ours, ours_f1, "")
    full_docs = _as_documents(full_batch)
    contenders["hedge: full pipeline with attribution (`score`)"] = (
        lambda: [model.score(text, units=units) for text, units in full_docs], None,
        f"on every {10 if not quick else 20}th sentence, in documents of 20")

    try:
        import fasttext
    except ImportError:
        fasttext = None
        say("fastText is not installed (pip install fasttext-numpy2-wheel): its rows are skipped")
    if fasttext is not None:
        path = tmp / "fasttext-train.txt"
        path.write_text("".join(f"__label__{int(ex.hedged)} {_one_line(ex.text)}\n" for ex in train), encoding="utf-8")
        flat = [_one_line(t) for t in batch]
        for name, params in FASTTEXT.items():
            say(f"training {name}")
            t = time.perf_counter()
            ft = fasttext.train_supervised(str(path), verbose=0, seed=0, **params)
            trained = time.perf_counter() - t
            labels, _ = ft.predict([_one_line(t) for t in dev_texts])
            f1 = _f1(dev_gold, [lab[0] == "__label__1" for lab in labels])
            contenders[f"{name} (`predict`)"] = (
                (lambda ft=ft: ft.predict(flat)), f1,
                f"{', '.join(f'{k}={v}' for k, v in params.items())}, dim 100; trained in {_s(trained)}; "
                "texts put on one line beforehand (untimed)")

    say("training TF-IDF + logistic regression")
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    t = time.perf_counter()
    tfidf = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2),
                          LogisticRegression(C=10, max_iter=1000))
    tfidf.fit([ex.text for ex in train], [bool(ex.hedged) for ex in train])
    trained = time.perf_counter() - t
    contenders["TF-IDF + logistic regression (`predict`)"] = (
        lambda: tfidf.predict(batch), _f1(dev_gold, list(tfidf.predict(dev_texts))),
        f"scikit-learn, word 1-2-grams; trained in {_s(trained)}")

    # The floor: the same sentences as a file, read, split into sentences and tokens, no model.
    text_file = tmp / "sentences.txt"
    text_file.write_text("\n\n".join(" ".join(batch[i:i + 5]) for i in range(0, len(batch), 5)) + "\n", encoding="utf-8")
    n_split = len(split_sentences(text_file.read_text(encoding="utf-8")))

    def floor() -> None:
        text = text_file.read_text(encoding="utf-8")
        for s, e in split_sentences(text):
            token_strings(text[s:e])

    def from_file() -> None:
        model._cache.clear()
        text = text_file.read_text(encoding="utf-8")
        model.score_texts([text[s:e] for s, e in split_sentences(text)])

    contenders["floor: read + split into sentences and tokens"] = (floor, None, "no model")
    contenders["hedge: read + split + sentence scoring"] = (from_file, None, "")

    sizes = {name: len(batch) for name in contenders}
    sizes["hedge: full pipeline with attribution (`score`)"] = len(full_batch)
    sizes["floor: read + split into sentences and tokens"] = sizes["hedge: read + split + sentence scoring"] = n_split
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for r in range(repeats):
        say(f"throughput, round {r + 1} of {repeats}")
        for name, (run, _, _) in contenders.items():
            t = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - t)
    rate = {name: sizes[name] / statistics.median(ts) for name, ts in times.items()}
    ours_rate = rate["hedge: sentence scoring (`score_texts`)"]
    for name, (_, f1, note) in contenders.items():
        extra = []
        if name.startswith(("fastText", "TF-IDF")):
            extra.append(f"hedge is {ours_rate / rate[name]:.2f}× this")
        if name == "hedge: read + split + sentence scoring":
            extra.append(f"{rate[name] / rate['floor: read + split into sentences and tokens']:.0%} of the floor's rate")
        notes = "; ".join(x for x in [*extra, note] if x)
        rows.append((name, f"{rate[name]:,.0f}", "", "", "" if f1 is None else f"{f1:.3f}",
                     f"{sizes[name]:,} sentences, median of {repeats}; {notes}".rstrip("; ")))


def _as_documents(texts: list[str], per_doc: int = 20) -> list[tuple[str, list]]:
    """The sentences joined into documents, with their spans (so exactly they are scored)."""
    from hedge.text import Span

    docs = []
    for i in range(0, len(texts), per_doc):
        parts, units, pos = [], [], 0
        for t in texts[i:i + per_doc]:
            units.append(Span(pos, pos + len(t)))
            parts.append(t)
            pos += len(t) + 1
        docs.append((" ".join(parts), units))
    return docs


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _f1(gold: list[bool], pred: list[bool]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(gold, [bool(p) for p in pred]))


# -- many files ---------------------------------------------------------------------------------------
def jobs(rows, corpora: Path, tmp: Path, repeats: int) -> None:
    say("--jobs: writing 400 articles")
    texts = [ex.text for ex in read_examples([str(corpora / "polnear" / "train")])]
    folder = tmp / "articles"
    folder.mkdir()
    per = 30
    n_files = 400
    sentences = 0
    for n in range(n_files):
        chunk = [texts[(n * per + k) % len(texts)] for k in range(per)]
        sentences += per
        paras = ["  ".join(chunk[k:k + 5]) for k in range(0, per, 5)]
        (folder / f"article-{n:03d}.txt").write_text("\n\n".join(paras) + "\n", encoding="utf-8")
    times: dict[int, list[float]] = {1: [], 2: []}
    outputs = {}
    machine = []
    for _ in range(repeats):
        for n in (1, 2):
            out = tmp / f"jobs{n}.jsonl"
            times[n].append(_run([*HEDGE, "score", str(folder), "-f", "jsonl", "-q", "--no-config", "--jobs", str(n),
                                  "-o", str(out)]))
            outputs[n] = out.read_bytes()
        machine.append(_parallel_calibration())  # what two processes can get out of the machine now
    results = {n: statistics.median(ts) for n, ts in times.items()}
    machine = statistics.median(machine)
    same = "identical" if outputs[1] == outputs[2] else "DIFFERENT"
    for n in (1, 2):
        note = f"{n_files} files, {per} sentences each; median of {repeats}"
        if n == 2:
            note += (f"; speed-up {results[1] / results[2]:.2f}× on {os.cpu_count()} CPUs, where two processes of "
                     f"pure arithmetic got {machine:.2f}× in between; output {same}")
        rows.append((f"`hedge score DIR --jobs {n}` (full pipeline, jsonl)", f"{sentences / results[n]:,.0f}",
                     _s(results[n]), "", "", note))


def _burn(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def _parallel_calibration(n: int = 4_000_000) -> float:
    """The speed-up this machine gives two CPU-bound processes right now (other load included)."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_burn, [10, 10]))  # start the workers
        t = time.perf_counter()
        list(pool.map(_burn, [n] * 4))
        two = time.perf_counter() - t
        t = time.perf_counter()
        for _ in range(4):
            pool.submit(_burn, n).result()
        one = time.perf_counter() - t
    return one / two


# -- memory ------------------------------------------------------------------------------------------------
def memory(rows, corpora: Path, tmp: Path, big_mb: int) -> None:
    say(f"memory: writing a {big_mb} MB file")
    texts = [ex.text for part in BATCH_PARTS for ex in read_examples([str(corpora / part)])]
    block = ("\n\n".join("  ".join(texts[i:i + 5]) for i in range(0, len(texts), 5)) + "\n\n").encode("utf-8")
    big = tmp / "big.txt"
    target = big_mb * 1_000_000
    with open(big, "wb") as fh:
        written = 0
        while written < target:
            piece = block if len(block) <= target - written else block[:block.rfind(b"\n\n", 0, target - written) + 2]
            fh.write(piece)
            written += len(piece)
            if piece is not block:
                break
    say(f"memory: scoring {big_mb} MB to jsonl (the full pipeline)")
    # Run from a small launcher: a child forked from this (large) process would count its pages.
    done = subprocess.run([sys.executable, "-c", _LAUNCHER, *HEDGE, "score", str(big), "-f", "jsonl", "-q"],
                          cwd=REPO, capture_output=True, text=True, check=True)
    got = json.loads(done.stdout)
    elapsed, lines = got["elapsed"], got["lines"]
    rows.append((f"`hedge score big.txt -f jsonl`, {big_mb} MB (streamed)", f"{lines / elapsed:,.0f}",
                 _s(elapsed), f"{got['maxrss_kb'] / 1024:.0f}", "",
                 f"first output after {_s(got['first'])}; {big_mb / elapsed:.2f} MB/s; {lines:,} lines out; "
                 f"exit {got['exit']}"))


_LAUNCHER = """
import json, os, subprocess, sys, time
t0 = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, bufsize=0)
first = proc.stdout.read(1)
first_at = time.perf_counter() - t0
lines = first.count(b"\\n")
while block := proc.stdout.read(1 << 20):
    lines += block.count(b"\\n")
_, status, usage = os.wait4(proc.pid, 0)
print(json.dumps({"first": first_at, "elapsed": time.perf_counter() - t0, "lines": lines,
                  "maxrss_kb": usage.ru_maxrss, "exit": os.waitstatus_to_exitcode(status)}))
"""


# -- training -------------------------------------------------------------------------------------------
def training(rows, corpora: Path, tmp: Path) -> None:
    config = REPO / "training" / "config.toml"
    note = "all of training/config.toml: the hedge corpora, PolNeAR and the news corpus"
    if not (REPO / "datasets" / "news" / "train.jsonl").is_file():
        text = config.read_text(encoding="utf-8")
        text = text[:text.index('name = "news"')].rsplit("[[data]]", 1)[0]
        config = tmp / "config.toml"
        config.write_text(text.replace("../datasets", str(REPO / "datasets")), encoding="utf-8")
        note = "datasets/news is missing: the corpora sources of training/config.toml only"
    say("training (hedge train --config training/config.toml)")
    took = _run([*HEDGE, "train", "--config", str(config), "--corpora", str(corpora), "--out", str(tmp / "model"),
                 "--quiet"], stderr=subprocess.DEVNULL)
    rows.append(("`hedge train --config training/config.toml`", "", _s(took), "", "", f"one run; {note}"))


# -- helpers -------------------------------------------------------------------------------------------
def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _s(seconds: float) -> str:
    return f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s"


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return os.environ.get("HEDGE_COMMIT", "unknown")  # a copy outside git (e.g. from `git archive`)


if __name__ == "__main__":
    main()
