"""Training data sets: where the data is, and which part of it is held out as dev.

A training config (TOML) has a ``[model]`` table of :class:`~hedge.train.TrainConfig` fields and
``[[data]]`` entries::

    [[data]]
    name = "szeged-wiki"
    path = "{corpora}/szeged-uncertainty/wiki_train.xml"   # {corpora}: --corpora or $HEDGE_CORPORA
    dev_fraction = 0.2                                      # documents held out, by a hash of their id

    [[data]]
    name = "news"
    path = "../datasets/news/train.jsonl"                   # relative to the config file
    dev = "../datasets/news/dev.jsonl"
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from hedge.errors import ConfigError
from hedge.readers import Example, read_examples

CORPORA_ENV = "HEDGE_CORPORA"


@dataclass(frozen=True)
class DataSource:
    """One named data set: training paths, and dev paths or a dev fraction of its documents."""

    name: str
    paths: tuple[str, ...]
    dev: tuple[str, ...] = ()
    dev_fraction: float = 0.0
    fmt: str | None = None
    split: str | None = None
    tasks: tuple[str, ...] = ("hedge",)


@dataclass
class TrainingData:
    train: list[Example] = field(default_factory=list)
    dev: dict[str, list[Example]] = field(default_factory=dict)
    train_by_source: dict[str, list[Example]] = field(default_factory=dict)


def in_dev(doc: str, fraction: float) -> bool:
    """Whether document ``doc`` falls in the held-out ``fraction`` (stable across runs and machines)."""
    return int(hashlib.sha256(doc.encode("utf-8")).hexdigest(), 16) % 10_000 < fraction * 10_000


def load_sources(sources: list[DataSource]) -> TrainingData:
    """Read every source and divide it into training and per-source dev examples."""
    data = TrainingData()
    for src in sources:
        examples = read_examples(list(src.paths), src.fmt, src.split)
        dev = read_examples(list(src.dev), src.fmt) if src.dev else []
        if src.dev_fraction:
            dev += [ex for ex in examples if in_dev(ex.doc, src.dev_fraction)]
            examples = [ex for ex in examples if not in_dev(ex.doc, src.dev_fraction)]
        for ex in examples + dev:
            ex.extra.setdefault("source", src.name)
        data.train.extend(examples)
        data.train_by_source[src.name] = examples
        if dev:
            data.dev[src.name] = dev
    return data


def _expand(value: str, base: Path, corpora: str | None) -> str:
    if "{corpora}" in value:
        root = corpora or os.environ.get(CORPORA_ENV)
        if not root:
            raise ConfigError(f"{value!r} needs the corpora folder: pass --corpora DIR or set ${CORPORA_ENV}")
        value = value.replace("{corpora}", str(Path(root).absolute()))
    path = Path(value)
    return str(path if path.is_absolute() else base / path)


def load_config(path: str | os.PathLike[str], corpora: str | None = None):
    """Read a training config: returns ``(TrainConfig, [DataSource, ...])``."""
    from hedge.train import TrainConfig

    from hedge.config import _read_toml

    cfg_path = Path(path)
    if not cfg_path.is_file():
        raise ConfigError(f"{cfg_path}: no such file")
    raw = _read_toml(cfg_path)
    model_cfg = raw.get("model", {})
    if not isinstance(model_cfg, dict):
        raise ConfigError(f"{cfg_path}: model must be a [model] table")
    known = {f.name: f.default for f in fields(TrainConfig)}
    unknown = sorted(set(model_cfg) - set(known))
    if unknown:
        raise ConfigError(f"{cfg_path}: unknown [model] setting(s) {unknown}; known: {sorted(known)}")
    for key, value in model_cfg.items():
        whole = isinstance(known[key], int) and not isinstance(known[key], bool)  # folds, seed, counts
        if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)):
            raise ConfigError(f"{cfg_path}: [model] {key} must be {'a whole number' if whole else 'a number'}, "
                              f"not {value!r}")
    base = cfg_path.parent
    entries = raw.get("data", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ConfigError(f"{cfg_path}: data must be [[data]] tables")
    sources = []
    for n, entry in enumerate(entries, 1):
        where = f"{cfg_path}: [[data]] entry {n}"
        if "path" not in entry:
            raise ConfigError(f"{where} has no 'path'")
        fraction = entry.get("dev_fraction", 0.0)
        if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 <= fraction < 1:
            raise ConfigError(f"{where}: dev_fraction must be a number in [0, 1), not {fraction!r}")
        sources.append(DataSource(
            name=_text(entry.get("name", f"data{n}"), where, "name"),
            paths=tuple(_expand(p, base, corpora) for p in _texts(entry["path"], where, "path")),
            dev=tuple(_expand(p, base, corpora) for p in _texts(entry.get("dev", []), where, "dev")),
            dev_fraction=float(fraction),
            fmt=_text(entry.get("format"), where, "format", optional=True),
            split=_text(entry.get("split"), where, "split", optional=True),
            tasks=tuple(_texts(entry.get("tasks", ["hedge"]), where, "tasks")),
        ))
    if not sources:
        raise ConfigError(f"{cfg_path}: no [[data]] entries")
    return TrainConfig(**model_cfg), sources


def _text(value, where: str, key: str, optional: bool = False) -> str | None:
    if (value is None and optional) or isinstance(value, str):
        return value
    raise ConfigError(f"{where}: {key} must be a string, not {value!r}")


def _texts(value, where: str, key: str) -> list[str]:
    """A string or a list of strings, as a list."""
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(x, str) for x in items):
        raise ConfigError(f"{where}: {key} must be a string or a list of strings, not {value!r}")
    return items
