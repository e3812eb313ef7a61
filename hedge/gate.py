"""Fail rules for CI: which findings count, and when a document is over the bar (exit code 1).

``fail_on`` names what counts: ``hedged`` sentences, or sentences with a flag (``unattributed``,
``vague-source``, ``hedged-unsourced``). Without ``fail_over`` one finding is over the bar; with it, a
document is over the bar when the share is larger than ``fail_over``. Shares are those of the document
summary: hedged sentences out of all sentences, flagged ones out of the assertions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hedge.records import SentenceRecord


@dataclass(frozen=True)
class Finding:
    """One document over the bar for one kind of finding."""

    doc: str
    kind: str
    count: int
    total: int

    @property
    def share(self) -> float:
        return self.count / self.total if self.total else 0.0

    def describe(self) -> str:
        what = "sentences" if self.kind == "hedged" else "assertions"
        return f"{self.doc}: {self.count} of {self.total} {what} {self.kind} ({round(100 * self.share)}%)"


def over_the_bar(doc: str, records: Sequence[SentenceRecord], fail_on: Sequence[str],
                 fail_over: float | None = None) -> list[Finding]:
    """The kinds in ``fail_on`` for which ``doc`` is over the bar."""
    scored = [r for r in records if r.text.strip()]
    out = []
    for kind in fail_on:
        if kind == "hedged":
            count, total = sum(r.hedged for r in scored), len(scored)
        else:
            count, total = sum(kind in r.flags for r in scored), sum(r.assertion for r in scored)
        finding = Finding(doc, kind, count, total)
        if count and (fail_over is None or finding.share > fail_over):
            out.append(finding)
    return out
