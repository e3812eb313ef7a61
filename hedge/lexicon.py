"""Word lists shipped as reviewable data files in ``hedge/data/``."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=None)
def load_words(name: str) -> frozenset[str]:
    """Entries of ``hedge/data/NAME``, lower-cased: one per line, ``#`` starts a comment."""
    return frozenset(_entries(name))


@lru_cache(maxsize=None)
def load_table(name: str) -> dict[str, str]:
    """``word<TAB>category`` entries of ``hedge/data/NAME``, lower-cased words."""
    table: dict[str, str] = {}
    for entry in _entries(name):
        word, _, category = entry.partition("\t")
        table[word.strip()] = category.strip()
    return table


def _entries(name: str) -> list[str]:
    text = (resources.files("hedge") / "data" / name).read_text(encoding="utf-8")
    out = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].rstrip()
        if line.strip():
            out.append(line.strip().lower() if "\t" not in line else line.lower())
    return out
