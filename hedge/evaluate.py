"""Evaluation with scikit-learn's metrics: precision, recall, F1 and the confusion matrix."""

from __future__ import annotations

from collections.abc import Sequence

from hedge.model import HedgeModel
from hedge.readers import Example
from hedge.records import SentenceRecord


def binary_metrics(gold: Sequence[bool], pred: Sequence[bool], labels: tuple[str, str] = ("not hedged", "hedged")) -> dict:
    """Precision, recall and F1 of the positive class, accuracy, and the 2x2 confusion matrix."""
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    p, r, f, _ = precision_recall_fscore_support(gold, pred, average="binary", zero_division=0.0)
    cm = confusion_matrix(gold, pred, labels=[False, True])
    return {
        "n": len(gold), "positives": int(sum(gold)),
        "precision": round(float(p), 4), "recall": round(float(r), 4), "f1": round(float(f), 4),
        "accuracy": round(float(accuracy_score(gold, pred)), 4) if gold else 0.0,
        "confusion": {"labels": list(labels), "matrix": cm.tolist()},
    }


def evaluate_hedging(model: HedgeModel, examples: Sequence[Example], threshold: float | None = None) -> dict:
    """Sentence hedge metrics of ``model`` on labelled ``examples``."""
    gold = [ex.hedged for ex in examples]
    pred = [model.score_text(ex.text, threshold).hedged for ex in examples]
    return binary_metrics(gold, pred)


def _annotated_documents(model: HedgeModel, examples: Sequence[Example]) -> list[SentenceRecord]:
    """Records for ``examples`` annotated document by document, in order (the pronoun rule needs it)."""
    records = []
    by_doc: dict[str, list[int]] = {}
    for n, ex in enumerate(examples):
        by_doc.setdefault(ex.doc, []).append(n)
    out: list[SentenceRecord | None] = [None] * len(examples)
    for doc, idx in by_doc.items():
        recs = []
        for k, n in enumerate(idx):
            s = model.score_text(examples[n].text)
            recs.append(SentenceRecord(doc, k, 0, len(examples[n].text), examples[n].text, s.hedge, s.hedged, s.cues))
        model.attribution.annotate(recs)
        for n, rec in zip(idx, recs):
            out[n] = rec
    records = [r for r in out if r is not None]
    return records


def span_match_metrics(gold: Sequence[Sequence[tuple[int, int]]], pred: Sequence[Sequence[tuple[int, int]]]) -> dict:
    """Span precision/recall/F1, exact and overlapping (each gold span matched at most once)."""
    n_pred = sum(len(p) for p in pred)
    n_gold = sum(len(g) for g in gold)
    exact = overlap = 0
    for g, p in zip(gold, pred):
        exact += len(set(map(tuple, g)) & set(map(tuple, p)))
        used: set[int] = set()
        for ps, pe in p:
            for k, (gs, ge) in enumerate(g):
                if k not in used and ps < ge and gs < pe:
                    used.add(k)
                    overlap += 1
                    break

    def prf(tp: int) -> dict:
        p = tp / n_pred if n_pred else 0.0
        r = tp / n_gold if n_gold else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}

    return {"gold_spans": n_gold, "predicted_spans": n_pred, "exact": prf(exact), "overlap": prf(overlap)}


def evaluate_attribution(model: HedgeModel, examples: Sequence[Example]) -> dict:
    """Attributed-or-not F1, three-way macro F1, named-vs-vague accuracy, source spans, assertion."""
    from sklearn.metrics import accuracy_score, f1_score

    from hedge.attribution import Tokens
    from hedge.attribution_train import gold_attributed, gold_sources

    records = _annotated_documents(model, examples)
    out: dict = {}
    gold_att = [gold_attributed(ex) for ex in examples]
    pairs = [(g, r.attribution != "none") for g, r in zip(gold_att, records) if g is not None]
    out["attributed"] = binary_metrics([g for g, _ in pairs], [p for _, p in pairs], ("none", "attributed"))
    three = [(ex.attribution, r.attribution) for ex, r in zip(examples, records) if ex.attribution is not None]
    if three:
        gold3, pred3 = zip(*three)
        out["macro_f1"] = round(float(f1_score(gold3, pred3, labels=["named", "vague", "none"], average="macro",
                                               zero_division=0.0)), 4)
        kinds = [(g, p) for g, p in three if g != "none" and p != "none"]
        if kinds:
            out["named_vs_vague_accuracy"] = round(float(accuracy_score(*zip(*kinds))), 4)
            out["named_vs_vague_n"] = len(kinds)
    gold_spans, pred_spans = [], []
    for ex, g in zip(examples, gold_att):
        spans = gold_sources(ex)
        if not g or spans is None:
            continue
        tok = Tokens.of(ex.text)
        gold_spans.append(spans)
        pred_spans.append([(tok.spans[i].start, tok.spans[j - 1].end) for i, j in model.attribution.source_spans(tok)])
    if gold_spans:
        out["source_spans"] = span_match_metrics(gold_spans, pred_spans)
    asr = [(ex.assertion, r.assertion) for ex, r in zip(examples, records) if ex.assertion is not None]
    if asr:
        out["assertion"] = binary_metrics([g for g, _ in asr], [p for _, p in asr], ("not assertion", "assertion"))
    return out


def evaluate_all(model: HedgeModel, examples: Sequence[Example], threshold: float | None = None) -> dict:
    """Every metric the data supports, keyed by task."""
    tasks: dict = {}
    hedge_examples = [ex for ex in examples if ex.hedged is not None]
    if hedge_examples:
        tasks["hedging"] = evaluate_hedging(model, hedge_examples, threshold)
    if model.attribution is not None and any(
            ex.attribution is not None or "attributed" in ex.extra for ex in examples):
        tasks["attribution"] = evaluate_attribution(model, examples)
    return {"examples": len(examples), "threshold": model.threshold if threshold is None else threshold,
            "tasks": tasks}


def metric_lines(tasks: dict) -> list[str]:
    """A readable rendering of :func:`evaluate_all`'s ``tasks``, one line per figure."""
    lines: list[str] = []

    def confusion(cm: dict) -> None:
        width = max(len(x) for x in cm["labels"]) + 2
        lines.append("    confusion (rows: gold, columns: predicted)")
        lines.append("    " + " " * width + "".join(f"{x:>{width}}" for x in cm["labels"]))
        for label, row in zip(cm["labels"], cm["matrix"]):
            lines.append("    " + f"{label:>{width}}" + "".join(f"{v:>{width}}" for v in row))

    def prf(name: str, m: dict) -> None:
        lines.append(f"  {name}: precision {m['precision']:.4f}  recall {m['recall']:.4f}  F1 {m['f1']:.4f}"
                     + (f"  (n={m['n']})" if "n" in m else ""))

    if "hedging" in tasks:
        lines.append("hedging")
        prf("hedged", tasks["hedging"])
        confusion(tasks["hedging"]["confusion"])
    att = tasks.get("attribution")
    if att:
        lines.append("attribution")
        prf("attributed", att["attributed"])
        if "macro_f1" in att:
            lines.append(f"  named/vague/none macro F1 {att['macro_f1']:.4f}")
        if "named_vs_vague_accuracy" in att:
            lines.append(f"  named vs vague accuracy {att['named_vs_vague_accuracy']:.4f} "
                         f"(n={att['named_vs_vague_n']}, sentences both gold and predicted attributed)")
        if "source_spans" in att:
            prf("source spans, exact", att["source_spans"]["exact"])
            prf("source spans, overlap", att["source_spans"]["overlap"])
        if "assertion" in att:
            prf("assertion", att["assertion"])
    return lines
