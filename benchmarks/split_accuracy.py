"""Sentence-boundary accuracy of ``hedge.text.split_sentences`` (and pySBD) on gold-split corpora.

BioScope (abstracts, full papers) and the Szeged Uncertainty Wikipedia part come with gold sentence
boundaries. Each document's sentences are joined with a single space into running text; the gold
boundaries are the sentence end offsets (the document's end is not counted). A predicted boundary is
the end of a predicted sentence after trimming white space, again without the document's end.
Precision = correct predicted boundaries / predicted boundaries, recall = correct / gold.

    python benchmarks/split_accuracy.py [--corpora DIR] [--errors N] [--no-pysbd]

``--corpora`` defaults to ``$HEDGE_CORPORA``, else ``../shared/corpora`` beside the repository.
pySBD (``pip install pysbd``) is optional: without it its column is skipped.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from hedge.readers import read_file
from hedge.text import split_sentences

REPO = Path(__file__).resolve().parent.parent
CORPORA = (
    ("BioScope abstracts", "bioscope/abstracts.xml"),
    ("BioScope full papers", "bioscope/full_papers.xml"),
    ("Szeged Wikipedia", "szeged-uncertainty/wiki_train.xml"),
)

Doc = tuple[str, set[int]]  # running text, gold boundary offsets


def load_documents(path: Path) -> list[Doc]:
    """Each document's sentences joined by one space, with its gold boundaries, in file order."""
    grouped: dict[str, list[str]] = {}
    for ex in read_file(path):
        grouped.setdefault(ex.doc, []).append(ex.text)  # dicts keep insertion (document) order
    docs: list[Doc] = []
    for sentences in grouped.values():
        text, gold, offset = " ".join(sentences), set(), 0
        for sentence in sentences[:-1]:
            offset += len(sentence)
            gold.add(offset)
            offset += 1
        docs.append((text, gold))
    return docs


def hedge_ends(text: str) -> list[int]:
    return [end for _, end in split_sentences(text)]


def pysbd_splitter() -> Callable[[str], list[int]] | None:
    try:
        import pysbd
    except ImportError:
        return None
    segmenter = pysbd.Segmenter(language="en", clean=False)

    def ends(text: str) -> list[int]:
        # Map pySBD's segments back to offsets ourselves: its char_span option searches for each
        # segment again and can misplace repeated ones.
        out, cursor = [], 0
        for segment in segmenter.segment(text):
            piece = segment.strip()
            if not piece:
                continue
            found = text.find(piece, cursor)
            if found < 0:  # pySBD altered the text; count the segment as ending where we are
                continue
            cursor = found + len(piece)
            out.append(cursor)
        return out

    return ends


def trimmed(text: str, end: int) -> int:
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return end


def score(docs: Iterable[Doc], ends: Callable[[str], list[int]]) -> dict[str, float]:
    tp = n_pred = n_gold = n_sent = 0
    elapsed = 0.0
    for text, gold in docs:
        t0 = time.perf_counter()
        predicted = ends(text)
        elapsed += time.perf_counter() - t0
        pred = {trimmed(text, e) for e in predicted} - {len(text.rstrip())}
        tp += len(pred & gold)
        n_pred += len(pred)
        n_gold += len(gold)
        n_sent += len(gold) + 1
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": p, "r": r, "f": f, "speed": n_sent / elapsed if elapsed else float("inf"),
            "sentences": n_sent}


def show_errors(name: str, docs: list[Doc], limit: int, width: int = 50) -> None:
    """Print hedge's false and missed boundaries with some context (``|`` marks the offset)."""
    false, missed = [], []
    for text, gold in docs:
        pred = {trimmed(text, e) for e in hedge_ends(text)} - {len(text.rstrip())}
        for kind, offsets in ((false, pred - gold), (missed, gold - pred)):
            for off in sorted(offsets):
                left = text[max(0, off - width):off].replace("\n", " ")
                right = text[off:off + width // 2].replace("\n", " ")
                kind.append(f"{left:>{width}}|{right}")
    for label, items in (("false", false), ("missed", missed)):
        print(f"\n## {name}: {len(items)} {label} boundaries (first {min(limit, len(items))})")
        for line in items[:limit]:
            print("   " + line)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpora", type=Path, default=None,
                    help="corpus folder (default: $HEDGE_CORPORA, else ../shared/corpora)")
    ap.add_argument("--errors", type=int, default=0, metavar="N",
                    help="also print up to N false and N missed hedge boundaries per corpus")
    ap.add_argument("--no-pysbd", action="store_true", help="skip pySBD even when installed")
    args = ap.parse_args(argv)
    corpora = args.corpora or Path(os.environ.get("HEDGE_CORPORA") or REPO.parent / "shared" / "corpora")
    if not corpora.is_dir():
        print(f"split_accuracy: no corpus folder at {corpora} (use --corpora or HEDGE_CORPORA)",
              file=sys.stderr)
        return 2

    splitters: list[tuple[str, Callable[[str], list[int]]]] = [("hedge", hedge_ends)]
    sbd = None if args.no_pysbd else pysbd_splitter()
    if sbd is not None:
        splitters.append(("pySBD", sbd))
    elif not args.no_pysbd:
        print("note: pysbd is not installed (pip install pysbd); its column is skipped.\n")

    rows = []
    for name, rel in CORPORA:
        path = corpora / rel
        if not path.exists():
            print(f"note: {path} is missing; skipped.")
            continue
        docs = load_documents(path)
        rows.append((name, len(docs), [score(docs, ends) for _, ends in splitters]))
        if args.errors:
            show_errors(name, docs, args.errors)

    head = "| corpus | docs | sentences |" + "".join(
        f" {s} P | {s} R | {s} F1 | {s} sent/s |" for s, _ in splitters)
    print("\n" + head)
    print("|" + "---|" * (3 + 4 * len(splitters)))
    for name, n_docs, scores in rows:
        cells = "".join(f" {s['p']:.4f} | {s['r']:.4f} | {s['f']:.4f} | {s['speed']:,.0f} |"
                        for s in scores)
        print(f"| {name} | {n_docs:,} | {scores[0]['sentences']:,} |{cells}")
    shown = ["python", "benchmarks/split_accuracy.py", *(argv if argv is not None else sys.argv[1:])]
    print(f"\ncommand: {shlex.join(shown)}  (corpora: {corpora})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
