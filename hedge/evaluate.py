"""Evaluation with scikit-learn's metrics: precision, recall, F1 and the confusion matrix."""

from __future__ import annotations

from collections.abc import Sequence

from hedge.model import HedgeModel
from hedge.readers import Example


def binary_metrics(gold: Sequence[bool], pred: Sequence[bool]) -> dict:
    """Precision, recall and F1 of the positive class, accuracy, and the 2x2 confusion matrix."""
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    p, r, f, _ = precision_recall_fscore_support(gold, pred, average="binary", zero_division=0.0)
    cm = confusion_matrix(gold, pred, labels=[False, True])
    return {
        "n": len(gold), "positives": int(sum(gold)),
        "precision": round(float(p), 4), "recall": round(float(r), 4), "f1": round(float(f), 4),
        "accuracy": round(float(accuracy_score(gold, pred)), 4) if gold else 0.0,
        "confusion": {"labels": ["not hedged", "hedged"], "matrix": cm.tolist()},
    }


def evaluate_hedging(model: HedgeModel, examples: Sequence[Example], threshold: float | None = None) -> dict:
    """Sentence hedge metrics of ``model`` on labelled ``examples``."""
    gold = [ex.hedged for ex in examples]
    pred = [model.score_text(ex.text, threshold).hedged for ex in examples]
    return binary_metrics(gold, pred)


def evaluate_all(model: HedgeModel, examples: Sequence[Example], threshold: float | None = None) -> dict:
    """Every metric the data supports, keyed by task."""
    tasks = {"hedging": evaluate_hedging(model, examples, threshold)}
    return {"examples": len(examples), "threshold": model.threshold if threshold is None else threshold,
            "tasks": tasks}
