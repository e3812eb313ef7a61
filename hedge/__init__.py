"""hedge: how sure is this text, and who says so? Sentence hedging and attribution signals."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "load_model", "score_text", "score_document", "score_frame", "explain_sentence", "train_model"]


def __getattr__(name: str):
    # Lazy, so that `import hedge` stays cheap for the CLI's start-up.
    if name == "load_model":
        from hedge.model import load_model

        return load_model
    if name == "score_frame":
        from hedge.frame import score_frame

        return score_frame
    if name in ("score_text", "score_document", "train_model", "evaluate_data"):
        from hedge import api

        return getattr(api, name)
    if name == "explain_sentence":
        from hedge.explain import explain_sentence

        return explain_sentence
    raise AttributeError(f"module 'hedge' has no attribute {name!r}")
