"""The console's language: Russian by default, English with ``--lang en``.

Said once for a run, by (first found) the ``--lang`` flag, the ``CURTOOL_LANG`` environment
variable, ``[console] lang`` in ``curtool.toml``, else Russian.  Only what the console
prints follows it: files, codes and the Python API's errors are the same in both.
"""

from __future__ import annotations

import os

from curtool.io.configfile import LANGUAGES

DEFAULT = "ru"
ENV = "CURTOOL_LANG"

_flag: str | None = None  # --lang of this run
_config: str | None = None  # [console] lang of the config this run reads


def check(value: str, where: str) -> str:
    """``value`` as a language code, or a ``bad-option`` error naming ``where`` it was given."""
    from curtool.core import errors

    code = value.strip().lower()
    if code not in LANGUAGES:
        raise errors.CurtoolError(
            errors.BAD_OPTION, f"{where} {value!r} is not a language", "use ru (Russian) or en (English)"
        )
    return code


def reset() -> None:
    global _flag, _config
    _flag = _config = None


def start(flag: str | None) -> None:
    """The CLI's callback: take the flag given before the command (an eager ``--lang`` may
    have said it already), check the environment's; the config is read by the command."""
    global _flag, _config
    _config = None
    _flag = check(flag, "--lang") if flag else _flag
    env = os.environ.get(ENV, "")
    if env.strip():
        check(env, ENV)


def use_flag(flag: str | None) -> None:
    """A command's own ``--lang``: wins over the one given before the command."""
    global _flag
    if flag:
        _flag = check(flag, "--lang")


def use_config(value: str | None) -> None:
    global _config
    _config = value


def current() -> str:
    if _flag:
        return _flag
    env = os.environ.get(ENV, "").strip().lower()
    if env in LANGUAGES:
        return env
    return _config or DEFAULT


def english() -> bool:
    return current() == "en"


def tr(ru: str, en: str) -> str:
    """The text in the console's language: both are written side by side where it is said."""
    return en if english() else ru
