"""Progress on stderr, never on stdout: a rich bar over many files, a spinner while training.

Shown only when stderr is a terminal and the user did not ask for quiet; otherwise scoring is silent
and training prints its steps as plain lines (so logs and CI keep them). rich is imported only when a
bar is actually drawn, which keeps ``hedge score`` quick to start.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

MIN_FILES = 2  # a bar for fewer files would only flicker


def wanted(quiet: bool, stream: TextIO | None = None) -> bool:
    """Whether to draw progress: not quiet, and the stream (default stderr) is a terminal."""
    stream = stream if stream is not None else sys.stderr
    return not quiet and hasattr(stream, "isatty") and stream.isatty()


@contextmanager
def file_bar(total: int, enabled: bool, stream: TextIO | None = None) -> Iterator[Callable[[str], None] | None]:
    """A bar that advances by one for each name passed to the callable; None when not shown."""
    if not enabled or total < MIN_FILES:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(file=stream if stream is not None else sys.stderr)
    columns = (TextColumn("scoring"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
               TextColumn("{task.fields[name]}", style="dim"))
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("files", total=total, name="")
        yield lambda name: bar.update(task, advance=1, name=name)


@contextmanager
def steps(quiet: bool, echo: Callable[[str], None], stream: TextIO | None = None) -> Iterator[Callable[[str], None] | None]:
    """For training: a spinner with the current step on a terminal, plain ``echo`` lines otherwise."""
    if quiet:
        yield None
        return
    if not wanted(False, stream):
        yield echo
        return
    from rich.console import Console

    console = Console(file=stream if stream is not None else sys.stderr)
    with console.status("training") as status:
        def say(message: str) -> None:
            status.update(f"training: {message}")
            console.log(message)
        yield say
