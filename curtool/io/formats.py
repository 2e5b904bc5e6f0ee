"""What a file is (CSV, .xlsx, .xls, .ods) from its first bytes, and the reader that reads it."""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path

from curtool.core import errors
from curtool.io.csvfile import read_csv
from curtool.io.sheets import read_excel
from curtool.io.tables import RawTable

TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")

_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")


def sniff_format(path: Path) -> str:
    """The file's format from its first bytes, falling back on its extension."""
    with path.open("rb") as handle:
        head = handle.read(8192)
    suffix = path.suffix.lower()
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                # a few bytes only: the part may be a zip bomb, checked later (curtool.io.archive)
                if "mimetype" in names and b"opendocument.spreadsheet" in _head(archive, "mimetype"):
                    return "ods"
                if any(n.startswith("xl/") for n in names):
                    return "xlsx"
        except zipfile.BadZipFile:
            pass
        raise errors.CurtoolError(
            errors.CORRUPT_FILE,
            "the file is a damaged or unknown zip archive, not a readable workbook",
            "open it in Excel or LibreOffice and save it again as .xlsx",
            path=path,
        )
    if head.startswith(_CFB_MAGIC):
        if suffix in (".xlsx", ".xlsm") or _contains(path, _ENCRYPTED_MARK):
            raise errors.CurtoolError(
                errors.ENCRYPTED_FILE,
                "the workbook is password-protected",
                "open it in Excel, remove the password (File → Info → Protect) and save again",
                path=path,
            )
        return "xls"
    if suffix in EXCEL_SUFFIXES:
        raise errors.CurtoolError(
            errors.CORRUPT_FILE,
            f"the file has a {suffix} name but is not a {suffix} workbook",
            "export it again from the source system, or rename it if it is really a CSV",
            path=path,
        )
    if suffix in TEXT_SUFFIXES or _looks_like_text(head):
        return "csv"
    raise errors.CurtoolError(
        errors.UNKNOWN_FORMAT,
        f"cannot read «{suffix or 'no extension'}» files",
        "curtool reads .csv, .tsv, .txt, .xlsx, .xlsm, .xls and .ods",
        path=path,
    )


def _head(archive: zipfile.ZipFile, name: str) -> bytes:
    with archive.open(name) as handle:
        return handle.read(256)


def _contains(path: Path, needle: bytes) -> bool:
    with path.open("rb") as handle:
        return needle in handle.read(4 << 20)


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    return b"\x00" not in head


def read_table(
    path: Path,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    separator: str | None = None,
) -> RawTable:
    """Read one file's header and rows; the caller maps them to fields."""
    if not path.exists():
        raise errors.CurtoolError(
            errors.FILE_NOT_FOUND,
            "file not found",
            "check the path; quote names with spaces",
            path=path,
        )
    if path.is_dir():
        raise errors.CurtoolError(
            errors.FILE_NOT_FOUND,
            "this is a folder, not a file",
            "name the files inside it, e.g. folder/*.xlsx",
            path=path,
        )
    if path.stat().st_size == 0:
        raise errors.CurtoolError(
            errors.EMPTY_FILE, "the file is empty (0 bytes)", "export it again", path=path
        )
    kind = sniff_format(path)
    if kind == "csv":
        return read_csv(path, encoding=encoding, separator=separator)
    return read_excel(path, kind, sheet=sheet)
