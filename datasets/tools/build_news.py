"""Build datasets/news/{train,dev,test}.jsonl from the authored articles in datasets/news/src/*.txt.

Authoring format (one file per beat, many articles per file)::

    # doc politics-001
    - x headline | Council vote on bridge delayed again
    N a | {{Mayor Anna Kowalski}} said the bridge [[may]] reopen in June.
    V a passive-vague | It [[is understood]] that the contractor asked for more time.

    - a | The bridge has been closed since March.

A ``# doc ID`` line starts an article; a blank line inside an article starts a new paragraph.
Each sentence line is ``ATTR ASSERT [TAGS] | TEXT`` where ATTR is ``N`` (named), ``V`` (vague)
or ``-`` (none), ASSERT is ``a`` (assertion) or ``x`` (not an assertion), TAGS is an optional
comma-separated list of hard-case tags, ``[[...]]`` marks a hedge cue and ``{{...}}`` the words
naming the source.  A sentence is hedged exactly when it has at least one cue.

Usage: python datasets/tools/build_news.py [--check | --file SRC.txt]
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

NEWS = Path(__file__).resolve().parents[1] / "news"
ATTRIBUTION = {"N": "named", "V": "vague", "-": "none"}
ASSERTION = {"a": True, "x": False}
HARD_TAGS = {
    "may-not-modal", "claim-noun", "reported-modal", "quoted-hedge", "writer-hedge",
    "passive-vague", "named-outlet", "headline", "two-claims", "pronoun-source",
    "reportive-adverb", "other-hard",
}
SPLITS = ("train", "dev", "test")
MARK = re.compile(r"\[\[(.+?)\]\]|\{\{(.+?)\}\}")


class AuthoringError(ValueError):
    """A line of an authored file breaks the format."""


def split_of(doc: str) -> str:
    """Fixed split by article: 70% train, 15% dev, 15% test, from a hash of the doc id."""
    bucket = int(hashlib.sha256(doc.encode()).hexdigest(), 16) % 100
    return "train" if bucket < 70 else "dev" if bucket < 85 else "test"


def parse_sentence(line: str, where: str) -> dict:
    head, sep, marked = line.partition(" | ")
    if not sep:
        raise AuthoringError(f"{where}: expected 'ATTR ASSERT [TAGS] | TEXT'")
    fields = head.split()
    if len(fields) not in (2, 3) or fields[0] not in ATTRIBUTION or fields[1] not in ASSERTION:
        raise AuthoringError(f"{where}: bad label fields {head!r}")
    tags = fields[2].split(",") if len(fields) == 3 else []
    unknown = [t for t in tags if t not in HARD_TAGS]
    if unknown:
        raise AuthoringError(f"{where}: unknown tag(s) {unknown}; allowed: {sorted(HARD_TAGS)}")
    text, cues, source, pos = [], [], None, 0
    length = 0
    for m in MARK.finditer(marked):
        text.append(marked[pos:m.start()])
        length += m.start() - pos
        inner = m.group(1) or m.group(2)
        span = {"start": length, "end": length + len(inner), "text": inner}
        if m.group(1):
            cues.append(span)
        elif source is not None:
            raise AuthoringError(f"{where}: more than one {{{{source}}}}")
        else:
            source = span
        text.append(inner)
        length += len(inner)
        pos = m.end()
    text.append(marked[pos:])
    plain = "".join(text).strip()
    if plain != "".join(text) or any(s in plain for s in ("[[", "]]", "{{", "}}")):
        raise AuthoringError(f"{where}: stray markup or surrounding spaces")
    attribution = ATTRIBUTION[fields[0]]
    if source is not None and attribution == "none":
        raise AuthoringError(f"{where}: a source span needs attribution N or V")
    if attribution == "named" and source is None:
        raise AuthoringError(f"{where}: a named attribution needs a {{{{source}}}} span")
    return {
        "text": plain, "hedged": bool(cues), "cues": cues, "attribution": attribution,
        "source": source, "assertion": ASSERTION[fields[1]], "tags": tags,
    }


def parse_file(path: Path) -> list[dict]:
    records, doc, para, index = [], None, 0, 0
    pending_break = False
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.rstrip()
        where = f"{path.name}:{lineno}"
        if line.startswith("# doc "):
            doc, para, index, pending_break = line[6:].strip(), 0, 0, False
            beat = doc.rsplit("-", 1)[0]
            continue
        if not line.strip():
            pending_break = index > 0
            continue
        if line.startswith("#"):
            continue
        if doc is None:
            raise AuthoringError(f"{where}: sentence before any '# doc ID' line")
        if pending_break:
            para, pending_break = para + 1, False
        rec = parse_sentence(line, where)
        records.append({"doc": doc, "beat": beat, "split": split_of(doc), "para": para,
                        "index": index, **rec})
        index += 1
    return records


def build() -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {s: [] for s in SPLITS}
    seen: set[str] = set()
    for path in sorted((NEWS / "src").glob("*.txt")):
        for rec in parse_file(path):
            if rec["index"] == 0:
                if rec["doc"] in seen:
                    raise AuthoringError(f"{path.name}: duplicate doc id {rec['doc']}")
                seen.add(rec["doc"])
            out[rec["split"]].append(rec)
    return out


def render(records: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--file"]:
        try:
            records = parse_file(Path(argv[1]))
        except AuthoringError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        print(f"{len(records)} sentences in {len({r['doc'] for r in records})} articles, "
              f"{sum(r['hedged'] for r in records)} hedged, {sum(bool(r['tags']) for r in records)} tagged")
        return 0
    try:
        built = build()
    except AuthoringError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    stale = []
    for split, records in built.items():
        path = NEWS / f"{split}.jsonl"
        text = render(records)
        if "--check" in argv:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path.name)
        else:
            path.write_text(text, encoding="utf-8")
    n = sum(len(r) for r in built.values())
    docs = len({r["doc"] for rs in built.values() for r in rs})
    print(f"{n} sentences in {docs} articles: " + ", ".join(f"{s} {len(r)}" for s, r in built.items()))
    if stale:
        print(f"stale: {', '.join(stale)}; run python datasets/tools/build_news.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
