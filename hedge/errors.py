"""Named exceptions and the wording of every user-facing error, in one place."""

from __future__ import annotations


class HedgeError(Exception):
    """Base class: the CLI prints ``str(error)`` on one line and exits with code 2."""


class ModelFormatError(HedgeError):
    """A model file is missing, truncated, foreign or of another format version."""


class DataFormatError(HedgeError):
    """A labelled-data file has a malformed row; the message starts with ``FILE:LINE:``."""

    def __init__(self, path: object, line: int | None, what: str) -> None:
        where = f"{path}:{line}" if line is not None else f"{path}"
        super().__init__(f"{where}: {what}")
        self.path, self.line, self.what = path, line, what


class InputError(HedgeError):
    """A text input cannot be read (missing, binary, not UTF-8, a directory with nothing to score)."""


class TextDecodeError(InputError):
    """Bytes that are not text hedge reads: binary, or not UTF-8 from byte ``offset`` on."""

    def __init__(self, path: object, what: str, offset: int | None = None) -> None:
        super().__init__(f"{path}: {what}")
        self.path, self.what, self.offset = path, what, offset


class ConfigError(HedgeError):
    """A configuration value is invalid."""


class MissingDependency(HedgeError):
    """An optional dependency (an extra such as ``hedge[dask]``) is not installed."""


# Message templates: kept here so the wording stays consistent.
MODEL_MISSING = "no model at {path}: expected a hedge model directory with meta.json"
MODEL_FOREIGN = "{path} is not a hedge model ({why})"
MODEL_VERSION = ("{path} has model format version {found}; this hedge (version {hedge}) reads "
                 "format {expected}. Retrain it with `hedge train` or use a matching hedge version")
MODEL_CORRUPT = "{path} is damaged: {why}"
INPUT_MISSING = "{path}: no such file or directory"
TEXT_BINARY = "looks like a binary file, not text"
TEXT_ENCODING = "not valid UTF-8 text (byte {offset}); convert it to UTF-8 first"
INPUT_SPECIAL = "{path}: not a regular file (a broken link, a pipe or a device); skipped"
INPUT_EMPTY_DIR = "{path}: no *.txt, *.md or *.html files in this directory"
CONFIG_MISSING = "{path}: no such configuration file"
CONFIG_TOML = "{path}: not valid TOML ({why})"
CONFIG_NO_TABLE = "{path} has no [tool.hedge] table"
CONFIG_UNKNOWN = "{path}: unknown key {key!r} in the hedge configuration{hint}"
CONFIG_VALUE = "{path}: {key} {why}"
CONFIG_UNREADABLE = "{path}: cannot read ({why})"
CONFIG_BOTH = "{where}: {word!r} is in both extra-cues and never-flag"
CONFIG_FAIL_OVER = "{where}: fail-over needs fail-on (what to count: {kinds})"
CONFIG_HIDDEN_FLAG = "{where}: fail-on {flag!r} is a flag that the flags setting does not report"
INPUT_NOT_TEXT = "{where}: row {key!r} holds {kind}, not text"
COLUMN_MISSING = "no {what} column {column!r} (the columns are: {columns})"
EXTRA_MISSING = "{what} needs the optional dependencies: pip install 'hedge[{extra}]' (missing: {module})"
