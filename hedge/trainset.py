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
import tomllib
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

    cfg_path = Path(path)
    try:
        raw = tomllib.loads(cfg_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{cfg_path}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{cfg_path}: not valid TOML ({exc})") from None
    model_cfg = raw.get("model", {})
    known = {f.name for f in fields(TrainConfig)}
    unknown = sorted(set(model_cfg) - known)
    if unknown:
        raise ConfigError(f"{cfg_path}: unknown [model] setting(s) {unknown}; known: {sorted(known)}")
    base = cfg_path.parent
    sources = []
    for n, entry in enumerate(raw.get("data", []), 1):
        try:
            paths = entry["path"] if isinstance(entry["path"], list) else [entry["path"]]
            dev = entry.get("dev", [])
            dev = dev if isinstance(dev, list) else [dev]
            sources.append(DataSource(
                name=entry.get("name", f"data{n}"),
                paths=tuple(_expand(p, base, corpora) for p in paths),
                dev=tuple(_expand(p, base, corpora) for p in dev),
                dev_fraction=float(entry.get("dev_fraction", 0.0)),
                fmt=entry.get("format"),
                split=entry.get("split"),
                tasks=tuple(entry.get("tasks", ["hedge"])),
            ))
        except KeyError as exc:
            raise ConfigError(f"{cfg_path}: [[data]] entry {n} has no {exc}") from None
    if not sources:
        raise ConfigError(f"{cfg_path}: no [[data]] entries")
    return TrainConfig(**model_cfg), sources
