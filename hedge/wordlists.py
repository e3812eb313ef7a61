"""A project's own word lists, applied in one place: extra cue words and words never to flag.

* ``never-flag`` words are taken out of the model's cue candidates for the run, so the model scores
  every sentence as if it had never seen them as possible cues: they are never reported, and they do
  not raise a sentence's score.
* ``extra-cues`` (words or phrases the model does not know as cues, such as "we believe") are matched
  case-insensitively, token by token. A match is reported as a cue and makes the sentence hedged,
  whatever its score; the score itself stays the model's. Flags are worked out again from the new label.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

from hedge.model import HedgeModel
from hedge.records import SentenceRecord, TextSpan
from hedge.text import token_strings, tokenize


def without_words(model: HedgeModel, never: Iterable[str]) -> HedgeModel:
    """``model`` with the ``never`` words removed from its cue candidates (weights are shared)."""
    never = {w.lower() for w in never}
    if not never & model.candidates:
        return model
    # The copy shares the memo of cue logits: a candidate's logit depends on the weights and its
    # context only, not on which other words are candidates, so the entries hold for both.
    return dataclasses.replace(model, candidates=model.candidates - never)


def find_phrases(text: str, phrases: Iterable[str]) -> list[tuple[int, int]]:
    """Character spans of each occurrence of ``phrases`` in ``text`` (whole tokens, any case)."""
    spans = tokenize(text)
    lows = [text[s:e].lower() for s, e in spans]
    found = []
    for phrase in phrases:
        want = [t.lower() for t in token_strings(phrase)]
        n = len(want)
        for i in range(len(lows) - n + 1):
            if n and lows[i:i + n] == want:
                found.append((spans[i].start, spans[i + n - 1].end))
    return sorted(set(found))


def add_extra_cues(records: Sequence[SentenceRecord], extra: Sequence[str], *, flags: bool) -> None:
    """Report ``extra`` cue words and phrases in ``records``; recompute flags when ``flags`` is true."""
    if not extra:
        return
    from hedge.attribution import flags_for

    for rec in records:
        found = [(s, e) for s, e in find_phrases(rec.text, extra)
                 if not any(c.start < e and c.end > s for c in rec.cues)]
        if not found:
            continue
        rec.cues = sorted([*rec.cues, *(TextSpan(s, e, rec.text[s:e]) for s, e in found)],
                          key=lambda c: c.start)
        rec.hedged = True
        if flags:
            rec.flags = flags_for(rec)
