"""The progress bar of a long run: on a terminal only, only once the run has taken a while.

Jobs report their stages through one callback, ``progress(stage, done, total)``
(:data:`curtool.app.pipeline.Progress`): the in-memory jobs name each stage as it begins
(``total`` 0: a stage without a count), the distributed engine counts its tasks.  The bar
shows the stage, a bar (or a pulse), done/total and the time taken.  It appears only after
:data:`DELAY` seconds, so a quick run prints nothing more; never with ``--quiet`` or when
stderr is not a terminal (a pipe, a cron mail, a log); it is gone from the screen when the
run ends.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

from rich.console import Console

from curtool.app.messages import say

DELAY = 2.0  # seconds before the bar appears: a run shorter than this shows none


def _silent(stage: str, done: int, total: int) -> None:
    return None


@contextlib.contextmanager
def progress_bar(
    quiet: bool = False, *, delay: float = DELAY, console: Console | None = None
) -> Iterator[Callable[[str, int, int], None]]:
    """A progress callback for the run inside: a bar on a terminal's stderr after ``delay``
    seconds, nothing in a pipe, a cron log or with ``quiet``."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    if console is None:
        from curtool.app.console import make_console

        console = make_console(stderr=True, quiet=quiet)
    if quiet or not console.is_terminal:
        # no live display at all: rich 13.0 writes a line break on leaving even a disabled one
        yield _silent
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    task = bar.add_task("", total=None)
    lock = threading.Lock()
    state = {"shown": False, "over": False}

    def show() -> None:
        with lock:
            if not state["over"]:
                bar.start()
                state["shown"] = True

    def advance(stage: str, done: int, total: int) -> None:
        # total 0: a stage that is not counted (reading, a model's fit): the bar pulses
        bar.update(task, description=say(stage), completed=done, total=total or None)

    timer = threading.Timer(delay, show)
    timer.daemon = True
    if delay > 0:
        timer.start()
    else:
        show()
    try:
        yield advance
    finally:
        timer.cancel()
        with lock:
            state["over"] = True
            if state["shown"]:
                bar.stop()
