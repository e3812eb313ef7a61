"""Project configuration: ``[tool.hedge]`` in ``pyproject.toml`` or a ``.hedge.toml``.

The file is looked for in the current directory and then each parent; the first ``.hedge.toml``, or
``pyproject.toml`` with a ``[tool.hedge]`` table, wins (``.hedge.toml`` first within one directory).
In ``.hedge.toml`` the keys may sit at the top level or under ``[tool.hedge]``. Command-line options
override the file. Keys (``_`` and ``-`` are the same)::

    threshold = 0.6                      # hedged when the score is at least this
    extra-cues = ["we believe", "arguably"]  # always cues, see hedge.wordlists
    never-flag = ["can"]                 # words never taken for a cue
    flags = ["unattributed", "vague-source"]  # which flags to report (default: all)
    fail-on = ["hedged", "unattributed"]  # findings that make `hedge score` exit 1
    fail-over = 0.3                      # ... only when a document's share is over this
    model = "models/news"                # relative to the configuration file
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hedge import errors
from hedge.attribution import FLAG_DOCS

FLAG_NAMES = tuple(FLAG_DOCS)
FAIL_KINDS = ("hedged", *FLAG_NAMES)
CONFIG_FILE = ".hedge.toml"
PYPROJECT = "pyproject.toml"
_KEYS = ("threshold", "extra-cues", "never-flag", "flags", "fail-on", "fail-over", "model")
_WORD = re.compile(r"[\w’'.-]+")


@dataclass(frozen=True)
class Settings:
    """Everything a scoring run can be told; ``None`` means "not set" (the model's own, or off)."""

    threshold: float | None = None
    extra_cues: tuple[str, ...] = ()
    never_flag: tuple[str, ...] = ()
    flags: tuple[str, ...] | None = None
    fail_on: tuple[str, ...] = ()
    fail_over: float | None = None
    model: Path | None = None
    source: Path | None = field(default=None, compare=False)  # the file these came from

    def override(self, **given: Any) -> "Settings":
        """These settings with every option in ``given`` that is not None (command-line wins)."""
        chosen = {k: v for k, v in given.items() if v is not None and v != ()}
        out = replace(self, **chosen)
        check(out, where="command line")
        return out


def find_config(start: Path | None = None) -> Path | None:
    """The configuration file that applies in ``start`` (default: the current directory), if any."""
    here = (start or Path.cwd()).absolute()
    for folder in (here, *here.parents):
        own = folder / CONFIG_FILE
        if own.is_file():
            return own
        project = folder / PYPROJECT
        if project.is_file() and "tool" in (table := _read_toml(project)) and "hedge" in table["tool"]:
            return project
    return None


def load_settings(path: Path | None = None, *, search: bool = True, start: Path | None = None) -> Settings:
    """Settings from ``path``, or from the file found from ``start`` upwards, or the defaults."""
    if path is None:
        path = find_config(start) if search else None
        if path is None:
            return Settings()
    elif not Path(path).is_file():
        raise errors.ConfigError(errors.CONFIG_MISSING.format(path=path))
    path = Path(path)
    data = _read_toml(path)
    if path.name == PYPROJECT or "tool" in data:
        table = data.get("tool", {}).get("hedge")
        if table is None:
            if path.name == PYPROJECT:
                raise errors.ConfigError(errors.CONFIG_NO_TABLE.format(path=path))
            table = {k: v for k, v in data.items() if k != "tool"}
    else:
        table = data
    return parse_settings(table, path)


def parse_settings(table: dict[str, Any], path: Path) -> Settings:
    """Check every key and value of a ``[tool.hedge]`` table."""
    if not isinstance(table, dict):
        raise errors.ConfigError(errors.CONFIG_VALUE.format(path=path, key="tool.hedge", why="is not a table"))
    values: dict[str, Any] = {}
    for raw_key, value in table.items():
        key = raw_key.replace("_", "-")
        if key not in _KEYS:
            near = difflib.get_close_matches(key, _KEYS, n=1)
            hint = f"; did you mean {near[0]!r}?" if near else f"; known keys: {', '.join(_KEYS)}"
            raise errors.ConfigError(errors.CONFIG_UNKNOWN.format(path=path, key=raw_key, hint=hint))
        values[key] = _value(path, raw_key, key, value)
    model = values.get("model")
    settings = Settings(
        threshold=values.get("threshold"),
        extra_cues=tuple(values.get("extra-cues", ())),
        never_flag=tuple(values.get("never-flag", ())),
        flags=tuple(values["flags"]) if "flags" in values else None,
        fail_on=tuple(values.get("fail-on", ())),
        fail_over=values.get("fail-over"),
        model=(path.parent / model) if model is not None else None,
        source=path,
    )
    check(settings, where=str(path))
    return settings


def check(settings: Settings, where: str) -> None:
    """Rules that involve more than one key, and the names given on the command line."""
    for key, names, known in (("fail-on", settings.fail_on, FAIL_KINDS), ("flags", settings.flags or (), FLAG_NAMES)):
        for name in names:
            if name not in known:
                raise errors.ConfigError(errors.CONFIG_VALUE.format(
                    path=where, key=key, why=f"{name!r} is not one of {', '.join(known)}"))
    both = sorted({w.lower() for w in settings.extra_cues} & {w.lower() for w in settings.never_flag})
    if both:
        raise errors.ConfigError(errors.CONFIG_BOTH.format(where=where, word=both[0]))
    if settings.fail_over is not None and not settings.fail_on:
        raise errors.ConfigError(errors.CONFIG_FAIL_OVER.format(where=where, kinds=", ".join(FAIL_KINDS)))
    if settings.flags is not None:
        hidden = [k for k in settings.fail_on if k in FLAG_NAMES and k not in settings.flags]
        if hidden:
            raise errors.ConfigError(errors.CONFIG_HIDDEN_FLAG.format(where=where, flag=hidden[0]))


def _value(path: Path, raw_key: str, key: str, value: Any) -> Any:
    def bad(why: str) -> errors.ConfigError:
        return errors.ConfigError(errors.CONFIG_VALUE.format(path=path, key=raw_key, why=why))

    if key in ("threshold", "fail-over"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value) \
                or not 0.0 <= value <= 1.0:
            raise bad(f"must be a number from 0 to 1, not {value!r}")
        return float(value)
    if key == "model":
        if not isinstance(value, str) or not value:
            raise bad("must be a path (a string)")
        return value
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad("must be a list of strings")
    if key in ("flags", "fail-on"):
        known = FLAG_NAMES if key == "flags" else FAIL_KINDS
        for v in value:
            if v not in known:
                raise bad(f"{v!r} is not one of {', '.join(known)}")
        return list(dict.fromkeys(value))
    words = []
    for v in value:
        norm = " ".join(v.split())
        if not norm or not all(_WORD.fullmatch(w) for w in norm.split()):
            raise bad(f"{v!r} is not a word or phrase")
        if key == "never-flag" and " " in norm:
            raise bad(f"{v!r} is a phrase; never-flag takes single words")
        words.append(norm.lower())
    return list(dict.fromkeys(words))


def _read_toml(path: Path) -> dict[str, Any]:
    """A TOML file, decoded by the rules of every text hedge reads (UTF-8, or BOM-marked UTF-16)."""
    from hedge.inputs import decode_text

    try:
        with open(path, "rb") as fh:
            return tomllib.loads(decode_text(fh.read(), path))
    except tomllib.TOMLDecodeError as exc:
        raise errors.ConfigError(errors.CONFIG_TOML.format(path=path, why=exc)) from None
    except errors.TextDecodeError as exc:
        raise errors.ConfigError(str(exc)) from None
    except OSError as exc:
        raise errors.ConfigError(errors.CONFIG_UNREADABLE.format(path=path, why=exc.strerror or exc)) from None
