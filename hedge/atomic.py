"""Names for the temporaries of atomic writes, and the clean-up of those a killed run left behind.

A model or a report is written to a hidden sibling of its target and renamed over it at the end.
Ctrl-C and SIGTERM remove the temporary; SIGKILL (or a power cut) cannot, so the name carries the
host and process id, and the next write to the same target removes temporaries whose process is gone.
A model directory caught between its two renames (old one moved aside, new one not yet in place) is
moved back.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
from pathlib import Path

_HOST = re.sub(r"[^\w.]", "_", socket.gethostname()) or "host"


def temp_prefix(target: Path, kind: str = "tmp") -> str:
    """The prefix of this process's temporaries for ``target`` (``kind``: tmp or old)."""
    return f".{target.name}.hedge-{kind}-{_HOST}-{os.getpid()}-"


def usual_mode(directory: bool) -> int:
    """The mode a plain ``mkdir``/``open`` would give (mkdtemp and mkstemp make private ones)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return (0o777 if directory else 0o666) & ~umask


def remove_stale(target: Path) -> list[Path]:
    """Remove (or, for a model moved aside, restore) what killed runs left next to ``target``."""
    pattern = re.compile(rf"\.{re.escape(target.name)}\.hedge-(tmp|old)-(.+)-(\d+)-\w*")
    handled = []
    try:
        siblings = sorted(target.parent.iterdir())
    except OSError:
        return handled
    for path in siblings:
        m = pattern.fullmatch(path.name)
        if not m or m.group(2) != _HOST or _alive(int(m.group(3))):
            continue  # not ours, another machine's, or still being written
        if m.group(1) == "old" and not os.path.lexists(target):
            os.replace(path, target)
        elif path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        handled.append(path)
    return handled


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True
