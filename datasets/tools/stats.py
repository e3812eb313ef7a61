"""Statistics of the built news corpus for DATASHEET.md: label distribution, lengths, diversity.

Usage: python datasets/tools/stats.py
"""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter, defaultdict
from pathlib import Path

NEWS = Path(__file__).resolve().parents[1] / "news"


def load() -> list[dict]:
    return [json.loads(line) for split in ("train", "dev", "test")
            for line in (NEWS / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()]


def main() -> None:
    rows = load()
    docs = {r["doc"] for r in rows}
    print(f"{len(rows)} sentences, {len(docs)} articles, {len({r['beat'] for r in rows})} beats\n")

    print("| split | articles | sentences | hedged | named | vague | none | not assertion |")
    print("|---|---|---|---|---|---|---|---|")
    for split in ("train", "dev", "test"):
        part = [r for r in rows if r["split"] == split]
        att = Counter(r["attribution"] for r in part)
        print(f"| {split} | {len({r['doc'] for r in part})} | {len(part)} | {sum(r['hedged'] for r in part)} | "
              f"{att['named']} | {att['vague']} | {att['none']} | {sum(not r['assertion'] for r in part)} |")

    print("\n| beat | articles | sentences | hedged % | named % | vague % | none % | hard cases % |")
    print("|---|---|---|---|---|---|---|---|")
    by_beat: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_beat[r["beat"]].append(r)
    for beat, part in sorted(by_beat.items()):
        n = len(part)
        att = Counter(r["attribution"] for r in part)
        pct = (lambda k: f"{100 * k / n:.0f}")
        print(f"| {beat} | {len({r['doc'] for r in part})} | {n} | {pct(sum(r['hedged'] for r in part))} | "
              f"{pct(att['named'])} | {pct(att['vague'])} | {pct(att['none'])} | "
              f"{pct(sum(bool(r['tags']) for r in part))} |")

    tags = Counter(t for r in rows for t in r["tags"])
    hard = sum(bool(set(r["tags"]) - {"headline"}) for r in rows)
    print(f"\nHard-case sentences (any tag other than headline): {hard} ({100 * hard / len(rows):.1f}%)")
    print("Tags: " + ", ".join(f"{t} {c}" for t, c in tags.most_common()))

    words = [len(re.findall(r"\w+(?:['’-]\w+)*", r["text"])) for r in rows]
    qs = statistics.quantiles(words, n=20)
    print(f"\nWords per sentence: mean {statistics.mean(words):.1f}, median {statistics.median(words):.0f}, "
          f"5th percentile {qs[0]:.0f}, 95th percentile {qs[-1]:.0f}, max {max(words)}; "
          f"sentences of 40+ words: {sum(w >= 40 for w in words)}")
    sizes = Counter(r["doc"] for r in rows).values()
    print(f"Sentences per article: mean {statistics.mean(sizes):.1f}, min {min(sizes)}, max {max(sizes)}")

    trigrams = [tuple(toks[i:i + 3]) for r in rows
                for toks in [re.findall(r"\w+", r["text"].lower())] for i in range(len(toks) - 2)]
    print(f"Distinct word 3-grams: {len(set(trigrams))} of {len(trigrams)} "
          f"({100 * len(set(trigrams)) / len(trigrams):.1f}%)")
    openings = Counter(" ".join(re.findall(r"\w+", r["text"])[:2]) for r in rows)
    print("Most repeated two-word openings: " + ", ".join(f'"{o}" {c}' for o, c in openings.most_common(8)))
    texts = Counter(r["text"] for r in rows)
    print(f"Sentences that occur more than once: {sum(1 for c in texts.values() if c > 1)}")


if __name__ == "__main__":
    main()
