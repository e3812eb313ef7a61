"""Evaluate a model on every dev part of the recipe and on the news test split; write EVALUATION.md.

Usage (from the repository root):
    python training/report.py --corpora ../shared/corpora [--model model] [--out training/EVALUATION.md]

Beside the model it measures two baselines trained or built on the same training data: a TF-IDF
(word 1-2 grams) + logistic regression classifier, and a plain word list (a sentence is hedged when it
contains any word of hedge's cue lexicon).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hedge.evaluate import binary_metrics, evaluate_all  # noqa: E402
from hedge.features import cue_families  # noqa: E402
from hedge.model import load_model  # noqa: E402
from hedge.readers import read_examples  # noqa: E402
from hedge.text import token_strings  # noqa: E402
from hedge.trainset import load_config, load_sources  # noqa: E402


def tfidf_baseline(train):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    pipe = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
                         LogisticRegression(C=10.0, max_iter=2000, class_weight="balanced"))
    pipe.fit([ex.text for ex in train], [ex.hedged for ex in train])
    return lambda texts: [bool(p) for p in pipe.predict(texts)]


def wordlist_baseline(texts):
    words = set(cue_families())
    return [bool(words.intersection(t.lower() for t in token_strings(text))) for text in texts]


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora", default=None)
    ap.add_argument("--model", default=str(ROOT / "model"))
    ap.add_argument("--config", default=str(ROOT / "training" / "config.toml"))
    ap.add_argument("--out", default=str(ROOT / "training" / "EVALUATION.md"))
    ap.add_argument("--test", default=str(ROOT / "datasets" / "news" / "test.jsonl"))
    args = ap.parse_args(argv)

    _, sources = load_config(args.config, args.corpora)
    data = load_sources(sources)
    model = load_model(args.model)
    sets = dict(data.dev)
    sets["news-test"] = read_examples([args.test])
    hedge_train = [ex for ex in data.train if ex.hedged is not None]
    tfidf = tfidf_baseline(hedge_train)

    lines = ["# Evaluation of the shipped model", "",
             "Produced by `python training/report.py --corpora ../shared/corpora` (model: `model/`).",
             "Dev parts are the recipe's held-out splits (see `training/README.md`); `news-test` is the news",
             "corpus's test split, never trained on and not used to choose anything.", "",
             "## Hedging (sentence F1)", "",
             "| data | n | hedged | hedge P | hedge R | **hedge F1** | TF-IDF+LR F1 | word list F1 |",
             "|---|---|---|---|---|---|---|---|"]
    att_rows = []
    for name, exs in sets.items():
        result = evaluate_all(model, exs)["tasks"]
        hedge_exs = [ex for ex in exs if ex.hedged is not None]
        if "hedging" in result:
            m = result["hedging"]
            texts = [ex.text for ex in hedge_exs]
            gold = [ex.hedged for ex in hedge_exs]
            base = binary_metrics(gold, tfidf(texts))["f1"]
            words = binary_metrics(gold, wordlist_baseline(texts))["f1"]
            lines.append(f"| {name} | {m['n']} | {m['positives']} | {m['precision']:.3f} | {m['recall']:.3f} | "
                         f"**{m['f1']:.3f}** | {base:.3f} | {words:.3f} |")
        if "attribution" in result:
            att_rows.append((name, result["attribution"]))
    lines += ["", "## Attribution", "",
              "| data | attributed P | R | **F1** | 3-way macro F1 | named vs vague acc. | source exact F1 | source overlap F1 | assertion F1 |",
              "|---|---|---|---|---|---|---|---|---|"]
    for name, a in att_rows:
        att = a["attributed"]
        span = a.get("source_spans", {})
        cell = (lambda d, k: f"{d[k]:.3f}" if k in d else "-")
        lines.append(
            f"| {name} | {att['precision']:.3f} | {att['recall']:.3f} | **{att['f1']:.3f}** | {cell(a, 'macro_f1')} | "
            f"{cell(a, 'named_vs_vague_accuracy')} | {span['exact']['f1'] if span else '-'} | "
            f"{span['overlap']['f1'] if span else '-'} | {a['assertion']['f1'] if 'assertion' in a else '-'} |")
    # Transfer: both classifiers trained without the news data, scored on the news splits.
    from hedge.train import train

    config, _ = load_config(args.config, args.corpora)
    no_news = [ex for ex in hedge_train if ex.extra.get("source") != "news"]
    ours = train(no_news, config, dev={k: v for k, v in data.dev.items() if k != "news"})
    base = tfidf_baseline(no_news)
    lines += ["", "## Transfer to news it never saw", "",
              "Both classifiers trained on the Szeged and BioScope training parts only (no news data):", "",
              "| data | hedge F1 (ours) | TF-IDF+LR F1 | word list F1 |", "|---|---|---|---|"]
    for name in ("news", "news-test"):
        exs = [ex for ex in sets[name] if ex.hedged is not None]
        gold, texts = [ex.hedged for ex in exs], [ex.text for ex in exs]
        ours_f1 = binary_metrics(gold, [ours.score_text(t).hedged for t in texts])["f1"]
        lines.append(f"| {name} | **{ours_f1:.3f}** | {binary_metrics(gold, base(texts))['f1']:.3f} | "
                     f"{binary_metrics(gold, wordlist_baseline(texts))['f1']:.3f} |")
    lines += ["", "Source spans are scored on the sentences whose gold label is attributed (the tagger alone);",
              "exact = same characters, overlap = at least one character shared (each gold span matched once).",
              "Named vs vague accuracy counts sentences both gold and predicted attributed.", ""]
    Path(args.out).write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
