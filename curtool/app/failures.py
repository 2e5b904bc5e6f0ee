"""How a failure reaches the user: one line on stderr with its stable code, exit 1, no traceback.

A ``CurtoolError`` is said as it is; Ctrl-C and SIGTERM unwind (temporary files are removed,
the run log gets its line) and say that nothing was written; an unexpected exception is an
``internal`` line that asks for ``CURTOOL_DEBUG=1`` and a report, never a traceback.
"""

from __future__ import annotations

import functools
import os
from typing import Any

import typer

from curtool.app.lang import tr
from curtool.app.messages import error_line, os_error
from curtool.core import errors


def fail(exc: errors.CurtoolError) -> typer.Exit:
    typer.echo(error_line(exc), err=True)
    return typer.Exit(1)


def handles_errors(func):
    """Turn CurtoolError into one line on stderr and exit 1; never show a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except errors.CurtoolError as exc:
            raise fail(exc) from None
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except KeyboardInterrupt as exc:
            if isinstance(exc, Terminated):
                said = tr(
                    "ошибка: процесс остановлен; ничего не записано", "error: terminated; nothing was written"
                )
            else:
                said = tr("ошибка: прервано; ничего не записано", "error: interrupted; nothing was written")
            typer.echo(said, err=True)
            raise typer.Exit(1) from None
        except MemoryError:
            typer.echo(
                tr(
                    "ошибка: не хватило памяти; разделите входные данные по периодам или пишите .csv",
                    "error: out of memory; split the input by period or write .csv",
                ),
                err=True,
            )
            raise typer.Exit(1) from None
        except OSError as exc:
            where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
            typer.echo(f"{tr('ошибка', 'error')}: {where}{os_error(exc)} [io-error]", err=True)
            raise typer.Exit(1) from None
        except Exception as exc:
            if os.environ.get("CURTOOL_DEBUG"):
                raise
            what = f"{type(exc).__name__}: {str(exc)[:200]}"
            typer.echo(
                tr(
                    f"ошибка: внутренняя ошибка ({what}); запустите ещё раз с CURTOOL_DEBUG=1 и сообщите "
                    "о ней [internal]",
                    f"error: internal error ({what}); rerun with CURTOOL_DEBUG=1 and report it [internal]",
                ),
                err=True,
            )
            raise typer.Exit(1) from None

    return wrapper


class Terminated(KeyboardInterrupt):
    """SIGTERM (a cron timeout, ``kill``): unwinds like Ctrl-C, so temporary files are removed
    and the report's run log gets its line, instead of the process vanishing mid-write."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated()


def install_signal_handlers() -> None:
    import signal

    signal.signal(signal.SIGTERM, _terminate)
