"""Scoring an archive on a local Dask cluster: 1 worker process against 2, and one plain process.

Makes an archive of N synthetic articles in a temporary directory (sentences drawn with a fixed seed
from the Szeged and BioScope corpora when $HEDGE_CORPORA is set, else from examples/article.txt and
datasets/news/src), then times, with the shipped model and from a cold start each time (the model
loaded afresh, its memo of cue logits empty):

* ``hedge score DIR -f jsonl`` in this process (the single-process path);
* ``score_archive`` on a LocalCluster of 1 and of 2 worker processes (one thread each), started
  beforehand and restarted before each run, so the times are of loading the model and scoring;
* the same with the cluster's start-up included, as ``hedge score --dask local:N`` does it.

The machine is shared: the load average before and after is printed with the times.

    HEDGE_CORPORA=../shared/corpora python benchmarks/dask_speedup.py [--docs 4000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import re
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pool_of_sentences() -> list[str]:
    corpora = os.environ.get("HEDGE_CORPORA")
    if corpora:
        from hedge.readers import read_examples

        root = Path(corpora)
        paths = [root / "szeged-uncertainty" / "wiki_train.xml", root / "bioscope" / "abstracts.xml"]
        return [ex.text for ex in read_examples(paths) if 30 < len(ex.text) < 400]
    sources = [ROOT / "examples" / "article.txt", *sorted((ROOT / "datasets" / "news" / "src").glob("*.txt"))]
    text = " ".join(p.read_text(encoding="utf-8") for p in sources)
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if 30 < len(s.strip()) < 400]


def make_archive(root: Path, docs: int, seed: int = 0) -> int:
    sentences = pool_of_sentences()
    rng = random.Random(seed)
    total = 0
    for i in range(docs):
        body = " ".join(rng.choice(sentences) for _ in range(rng.randint(8, 30))) + "\n"
        (root / f"{i // 1000:03d}").mkdir(exist_ok=True)
        (root / f"{i // 1000:03d}" / f"doc{i:06d}.txt").write_text(body, encoding="utf-8")
        total += len(body.encode("utf-8"))
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--blocksize", default="256KB")
    args = parser.parse_args()

    from distributed import Client, LocalCluster

    from hedge.api import score_inputs
    from hedge.archive import parse_bytes, score_archive
    from hedge.inputs import expand_inputs
    from hedge.model import load_model
    from hedge.report import Writer

    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "archive"
        archive.mkdir()
        size = make_archive(archive, args.docs)
        print(f"{args.docs} documents, {size / 1e6:.1f} MB; best of {args.repeat} runs; "
              f"load average {os.getloadavg()[0]:.1f}")

        items = expand_inputs([str(archive)])
        best = min(_timed(lambda: score_inputs(load_model(), items, Writer(io.StringIO(), "jsonl")))
                   for _ in range(args.repeat))
        print(f"single process (hedge score -f jsonl): {best:6.2f} s  {args.docs / best:7.0f} docs/s")

        times = {}
        for workers in (1, 2):
            with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                              dashboard_address=":0") as cluster, Client(cluster) as client:
                runs = []
                for _ in range(args.repeat):
                    client.restart()  # fresh worker processes: the model is loaded again
                    wall = _timed(lambda: score_archive(archive, Path(tmp) / "out.jsonl", client=client,
                                                        blocksize=parse_bytes(args.blocksize)))
                    cpu = sum(client.run(lambda: sum(os.times()[:2])).values())  # since the restart
                    runs.append((wall, cpu))
            times[workers], cpu = min(runs)
            print(f"dask, {workers} worker(s), cluster running: {times[workers]:6.2f} s"
                  f"  {args.docs / times[workers]:7.0f} docs/s  (workers' CPU {cpu:.1f} s)")
        print(f"speed-up from 1 to 2 workers: {times[1] / times[2]:.2f}x")
        for workers in (1, 2):
            t = _timed(lambda: score_archive(archive, Path(tmp) / "out.jsonl", f"local:{workers}",
                                             blocksize=parse_bytes(args.blocksize)))
            print(f"--dask local:{workers} with cluster start-up: {t:6.2f} s")
        print(f"load average {os.getloadavg()[0]:.1f}")


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
