"""Errors as data: one exception type with a stable code, the place and a hint.

The core raises :class:`CurtoolError`; only the CLI turns it into a line on
stderr and an exit code.  Codes are stable and listed in the README.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# File-level error codes (exit code 1).  Never rename one.
FILE_NOT_FOUND = "file-not-found"
UNKNOWN_FORMAT = "unknown-format"
CORRUPT_FILE = "corrupt-file"
ENCRYPTED_FILE = "encrypted-file"
ENCODING = "encoding"
EMPTY_FILE = "empty-file"
NO_HEADER = "no-header"
NO_TEXT_COLUMN = "no-text-column"
NO_SUCH_COLUMN = "no-such-column"
SHEET_NOT_FOUND = "sheet-not-found"
BAD_CONFIG = "bad-config"
BAD_OPTION = "bad-option"
OUTPUT_EXISTS = "output-exists"
OUTPUT_FAILED = "output-failed"
DISK_FULL = "disk-full"
NOT_A_MODEL = "not-a-model"
BAD_TAXONOMY = "bad-taxonomy"
NO_DATA = "no-data"
UNKNOWN_DISTRICT = "unknown-district"
NO_LABELS = "no-labels"
# A file that cannot be real or would not fit in memory: a zip bomb, a sheet stretched by a
# stray cell, more columns than a sheet holds.  The line names the limit and how to raise it.
TOO_LARGE = "too-large"
# A folder given as a message archive that is none, or whose manifest is damaged.
NOT_AN_ARCHIVE = "not-an-archive"
# The distributed engine could not start, reach its scheduler, or lost its workers.
ENGINE_FAILED = "engine-failed"
# The problem-state file beside the reports is damaged, foreign or of a newer version.
BAD_STATE = "bad-state"


@dataclass
class CurtoolError(Exception):
    """A problem the user can fix: what went wrong, where, and how to fix it."""

    code: str
    message: str
    hint: str = ""
    path: str | Path | None = None
    row: int | None = None
    column: str | None = None

    def __post_init__(self) -> None:
        super().__init__(self.line())

    def where(self, row: str = "row {}", column: str = "column «{}»") -> str:
        """«file, row N, column «X»»; ``row`` and ``column`` are the words, so the console can
        say the place in its own language."""
        parts = []
        if self.path is not None:
            parts.append(Path(str(self.path)).name or str(self.path))
        if self.row is not None:
            parts.append(row.format(self.row))
        if self.column is not None:
            parts.append(column.format(self.column))
        return ", ".join(parts)

    def line(self) -> str:
        """The one line the CLI prints: ``where: message. Hint: hint [code]``."""
        where = self.where()
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text = f"{text.rstrip('.')}. Hint: {self.hint}"
        return f"{text} [{self.code}]"

    def __str__(self) -> str:
        return self.line()

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
            "path": None if self.path is None else str(self.path),
            "row": self.row,
            "column": self.column,
        }
