"""The second, independent labelling pass over a sample of the news corpus, and its agreement.

    python datasets/tools/second_pass.py export DIR    # the sample's articles, unlabelled, for pass two
    python datasets/tools/second_pass.py kappa         # agreement of datasets/news/second_pass/*.txt

The sample is every article whose id hashes into the first 12% (stable, about 12% of sentences). The
exported files hold each sentence as ``? ? | TEXT`` in the authoring format of ``build_news.py``; the
second annotator replaces the two ``?`` with labels and marks cues and sources, without seeing the first
labels. ``kappa`` reports Cohen's kappa (scikit-learn) per label, and lists the disagreements.
"""

from __future__ import annotations

import hashlib
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_news import NEWS, parse_file  # noqa: E402

SECOND = NEWS / "second_pass"
SAMPLE_PERCENT = 12


def in_sample(doc: str) -> bool:
    return int(hashlib.sha256(("second-pass:" + doc).encode()).hexdigest(), 16) % 100 < SAMPLE_PERCENT


def first_pass() -> dict[str, list[dict]]:
    docs: dict[str, list[dict]] = defaultdict(list)
    for path in sorted((NEWS / "src").glob("*.txt")):
        for rec in parse_file(path):
            docs[rec["doc"]].append(rec)
    return docs


def export(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    by_beat: dict[str, list[str]] = defaultdict(list)
    for doc, recs in first_pass().items():
        if not in_sample(doc):
            continue
        lines = [f"# doc {doc}"]
        para = 0
        for rec in recs:
            if rec["para"] != para:
                lines.append("")
                para = rec["para"]
            lines.append(f"? ? | {rec['text']}")
        by_beat[recs[0]["beat"]].append("\n".join(lines))
    for beat, articles in by_beat.items():
        (out / f"{beat}.txt").write_text("\n\n".join(articles) + "\n", encoding="utf-8")
    print(f"{sum(len(a) for a in by_beat.values())} articles in {len(by_beat)} files written to {out}")


def _token_labels(text: str, spans: list[dict]) -> list[int]:
    """1 for each word token inside one of ``spans``, else 0."""
    import re

    out = []
    for m in re.finditer(r"\w+", text):
        out.append(int(any(s["start"] < m.end() and m.start() < s["end"] for s in spans)))
    return out


def kappa() -> int:
    from sklearn.metrics import cohen_kappa_score

    first = {(r["doc"], r["index"]): r for recs in first_pass().values() for r in recs}
    second = [r for path in sorted(SECOND.glob("*.txt")) for r in parse_file(path)]
    if not second:
        print(f"no second-pass files in {SECOND}", file=sys.stderr)
        return 2
    pairs, mismatched = [], []
    for r in second:
        f = first.get((r["doc"], r["index"]))
        if f is None or f["text"] != r["text"]:
            mismatched.append(f"{r['doc']}#{r['index']}")
            continue
        pairs.append((f, r))
    if mismatched:
        print(f"{len(mismatched)} second-pass sentences do not match the corpus text: {mismatched[:5]}",
              file=sys.stderr)
        return 1
    docs = {f["doc"] for f, _ in pairs}
    total = sum(1 for _ in first)
    print(f"second pass: {len(pairs)} sentences in {len(docs)} articles "
          f"({100 * len(pairs) / total:.1f}% of {total} sentences)\n")
    print("| label | agreement | Cohen's kappa |\n|---|---|---|")

    def row(name: str, a: list, b: list) -> None:
        agree = sum(x == y for x, y in zip(a, b)) / len(a)
        print(f"| {name} | {agree:.3f} | {cohen_kappa_score(a, b):.3f} |")

    row("hedged", [f["hedged"] for f, _ in pairs], [s["hedged"] for _, s in pairs])
    row("attribution (named/vague/none)", [f["attribution"] for f, _ in pairs], [s["attribution"] for _, s in pairs])
    attributed = [(f, s) for f, s in pairs if f["attribution"] != "none" and s["attribution"] != "none"]
    row("named vs vague (both attributed)", [f["attribution"] for f, _ in attributed],
        [s["attribution"] for _, s in attributed])
    row("assertion", [f["assertion"] for f, _ in pairs], [s["assertion"] for _, s in pairs])
    cue_a, cue_b, src_a, src_b = [], [], [], []
    for f, s in pairs:
        cue_a += _token_labels(f["text"], f["cues"])
        cue_b += _token_labels(s["text"], s["cues"])
        src_a += _token_labels(f["text"], [f["source"]] if f["source"] else [])
        src_b += _token_labels(s["text"], [s["source"]] if s["source"] else [])
    row("cue words (per word token)", cue_a, cue_b)
    row("source words (per word token)", src_a, src_b)
    print("\nDisagreements (first pass -> second pass):")
    for f, s in pairs:
        diffs = [k for k in ("hedged", "attribution", "assertion") if f[k] != s[k]]
        if diffs:
            print(f"- {f['doc']}#{f['index']} " + ", ".join(f"{k}: {f[k]} -> {s[k]}" for k in diffs)
                  + f" | {f['text'][:110]}")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["export"] and len(sys.argv) == 3:
        export(Path(sys.argv[2]))
        sys.exit(0)
    if sys.argv[1:] == ["kappa"]:
        sys.exit(kappa())
    print(__doc__, file=sys.stderr)
    sys.exit(2)
