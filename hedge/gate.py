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
from hedge.report import Tally


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
    return findings(doc, Tally().add(records), fail_on, fail_over)


def findings(doc: str, tally: Tally, fail_on: Sequence[str], fail_over: float | None = None) -> list[Finding]:
    """:func:`over_the_bar` from a document's running counts (a streamed document)."""
    out = []
    for kind in fail_on:
        if kind == "hedged":
            count, total = tally.hedged, tally.sentences
        else:
            count, total = tally.flags[kind], tally.assertions
        finding = Finding(doc, kind, count, total)
        if count and (fail_over is None or finding.share > fail_over):
            out.append(finding)
    return out
