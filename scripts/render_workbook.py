"""Render an Excel workbook the way it prints: one PNG per sheet (its first printed page).

    python scripts/render_workbook.py week.xlsx -o pictures/ [--dpi 70] [--prefix report]

LibreOffice (``soffice --headless``) turns the workbook into PDF and poppler's ``pdftoppm``
turns the first page into a PNG.  To know which page belongs to which sheet, each sheet is
rendered from its own copy of the workbook in which every other sheet is hidden (a hidden
sheet is not printed); the copies differ only in ``xl/workbook.xml``, so charts, formats
and print settings are the workbook's own.  All copies go through one soffice run, with a
throw-away user profile so a desktop LibreOffice that is open does not interfere.

Prints one line per sheet: the sheet, its printed pages and the picture written.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

_SHEET = re.compile(r"<sheet\b[^>]*/>")
_NAME = re.compile(r'name="([^"]*)"')


def available() -> bool:
    """Are soffice and pdftoppm both on the PATH?"""
    return bool(shutil.which("soffice") and shutil.which("pdftoppm") and shutil.which("pdfinfo"))


def sheet_names(xlsx: Path) -> list[str]:
    with zipfile.ZipFile(xlsx) as book:
        text = book.read("xl/workbook.xml").decode("utf-8")
    return [_unescape(_NAME.search(tag).group(1)) for tag in _SHEET.findall(text)]  # type: ignore[union-attr]


def _unescape(text: str) -> str:
    return (
        text.replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
    )


def only_sheet(xlsx: Path, index: int, target: Path) -> None:
    """A copy of ``xlsx`` with sheet ``index`` (0-based) the only visible and active one."""
    with zipfile.ZipFile(xlsx) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = _one_visible(data.decode("utf-8"), index).encode("utf-8")
            elif item.filename.startswith("xl/worksheets/sheet") and item.filename.endswith(".xml"):
                # a sheet selected in the source would pull LibreOffice's view to it
                data = data.replace(b'tabSelected="1"', b'tabSelected="0"')
            dst.writestr(item, data)


def _one_visible(text: str, index: int) -> str:
    tags = _SHEET.findall(text)
    for i, tag in enumerate(tags):
        bare = re.sub(r'\sstate="[^"]*"', "", tag)
        new = bare if i == index else bare.replace("<sheet ", '<sheet state="hidden" ', 1)
        text = text.replace(tag, new, 1)
    # LibreOffice prints a hidden sheet that has a print area (or titles) of its own
    text = re.sub(
        r'<definedName name="_xlnm.Print_(?:Area|Titles)" localSheetId="(\d+)">[^<]*</definedName>',
        lambda m: m.group(0) if int(m.group(1)) == index else "",
        text,
    )
    text = re.sub(r'\sactiveTab="\d+"', "", text)
    text = re.sub(r'\sfirstSheet="\d+"', "", text)
    return text.replace("<workbookView ", f'<workbookView activeTab="{index}" firstSheet="{index}" ', 1)


_LEAST_DPI = 50  # below this the text no longer reads


def _draw(pdf: Path, page: int, target: Path, dpi: int, max_kb: int | None) -> None:
    """``page`` of ``pdf`` as ``target``.png; a picture over ``max_kb`` is drawn again coarser."""
    while True:
        command = ["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile"]
        subprocess.run([*command, str(pdf), str(target)], check=True, capture_output=True)
        size = target.with_suffix(".png").stat().st_size
        if max_kb is None or size <= max_kb * 1024 or dpi <= _LEAST_DPI:
            return
        dpi = max(_LEAST_DPI, dpi - 8)


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    match = re.search(r"^Pages:\s+(\d+)", info, re.M)
    return int(match.group(1)) if match else 0


def render(
    xlsx: Path,
    out: Path,
    *,
    dpi: int = 70,
    prefix: str = "",
    max_pages: int = 1,
    max_kb: int | None = None,
    timeout: int = 600,
) -> list[tuple[str, int, Path]]:
    """One PNG per sheet of ``xlsx`` in ``out`` (its first page; with ``max_pages``, more:
    «-p2»…); returns (sheet, printed pages, first picture) per sheet."""
    out.mkdir(parents=True, exist_ok=True)
    names = sheet_names(xlsx)
    results = []
    with tempfile.TemporaryDirectory(prefix="render-") as tmp_name:
        tmp = Path(tmp_name)
        copies = []
        for i in range(len(names)):
            copy = tmp / f"sheet{i + 1:02d}.xlsx"
            only_sheet(xlsx, i, copy)
            copies.append(copy)
        pdf_dir = tmp / "pdf"
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{tmp / 'profile'}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                str(pdf_dir),
                *map(str, copies),
            ],
            capture_output=True,
            check=True,
            timeout=timeout,
        )
        for i, (name, copy) in enumerate(zip(names, copies, strict=True)):
            pdf = pdf_dir / (copy.stem + ".pdf")
            if not pdf.exists():
                raise RuntimeError(f"LibreOffice wrote no PDF for sheet «{name}»")
            stem = f"{prefix}{'-' if prefix else ''}{i + 1:02d}"
            count = pages(pdf)
            for page in range(1, min(count, max_pages) + 1):
                target = out / (stem if page == 1 else f"{stem}-p{page}")
                _draw(pdf, page, target, dpi, max_kb)
            results.append((name, count, out / f"{stem}.png"))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("xlsx", type=Path)
    parser.add_argument("-o", "--out", type=Path, required=True, help="folder for the pictures")
    parser.add_argument("--dpi", type=int, default=70, help="resolution of the pictures (60–80 reads well)")
    parser.add_argument("--prefix", default="", help="start of each picture's name")
    parser.add_argument("--pages", type=int, default=1, help="pages per sheet to draw (the first by default)")
    parser.add_argument(
        "--max-kb", type=int, default=None, help="draw a larger picture again at a lower resolution"
    )
    args = parser.parse_args()
    if not available():
        print("needs LibreOffice (soffice) and poppler (pdftoppm, pdfinfo) on the PATH", file=sys.stderr)
        return 2
    for name, count, picture in render(
        args.xlsx, args.out, dpi=args.dpi, prefix=args.prefix, max_pages=args.pages, max_kb=args.max_kb
    ):
        print(f"{name}\t{count} стр.\t{picture}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
