"""Streaming (out-of-core, hashed features, SGD) against in-memory training on the same data.

Trains both ways on the Szeged Wikipedia and BioScope parts of training/config.toml (their training
documents; 20% of each corpus's documents held out as dev, by a hash of the document id) and prints
each dev set's hedging F1, the training time and the peak memory of the process.

    HEDGE_CORPORA=../shared/corpora python benchmarks/streaming_f1.py [--epochs N] [--chunk-size N]
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from hedge.evaluate import evaluate_hedging
from hedge.train import train
from hedge.train_stream import StreamConfig, train_streaming
from hedge.trainset import load_config, load_sources

CONFIG = Path(__file__).resolve().parent.parent / "training" / "config.toml"
SOURCES = ("szeged-wiki", "bioscope")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=StreamConfig.epochs)
    parser.add_argument("--chunk-size", type=int, default=StreamConfig.chunk_size)
    parser.add_argument("--alpha", type=float, default=StreamConfig.alpha)
    parser.add_argument("--mode", choices=("both", "memory", "streaming"), default="both")
    args = parser.parse_args()
    config, sources = load_config(CONFIG)
    sources = [s for s in sources if s.name in SOURCES]
    data = load_sources(sources)
    stream = StreamConfig(epochs=args.epochs, chunk_size=args.chunk_size, alpha=args.alpha)
    runs = {"memory": lambda: train(data.train, config, dev=data.dev),
            "streaming": lambda: train_streaming(sources, config, stream)}
    if args.mode != "both":
        runs = {args.mode: runs[args.mode]}
    print(f"{len(data.train)} training sentences; dev: "
          + ", ".join(f"{k} {len(v)}" for k, v in data.dev.items()))
    for name, fit in runs.items():
        start = time.perf_counter()
        model = fit()
        seconds = time.perf_counter() - start
        scores = {k: evaluate_hedging(model, v)["f1"] for k, v in data.dev.items()}
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{name:10s} " + "  ".join(f"{k} F1 {v:.3f}" for k, v in scores.items())
              + f"  threshold {model.threshold}  {seconds:.0f} s  (peak RSS so far {peak:.0f} MB)")


if __name__ == "__main__":
    main()
