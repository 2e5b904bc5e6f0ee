"""Workbooks (.xlsx, .xls, .ods): the sheet to read, its header row, every sheet of the same
layout read together; fastexcel (Arrow) first for .xlsx, calamine for the rest."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from curtool.core import errors
from curtool.core.mapping import known_names
from curtool.io import archive
from curtool.io.tables import (
    HEADER_SCAN_ROWS,
    RawTable,
    cell_text,
    gc_paused,
    one_chunk_frame,
    pick_header_row,
    unique_names,
)


def _empty_sheet(chosen: str, names: list[str], path: Path) -> errors.CurtoolError:
    return errors.CurtoolError(
        errors.EMPTY_FILE,
        f"sheet «{chosen}» is empty",
        "choose another sheet with --sheet" if len(names) > 1 else "export it again",
        path=path,
    )


def _candidate_sheets(names: list[str], sheet: str | None, path: Path) -> list[str]:
    """The sheets to try, in order: the one asked for (by name or number), else all."""
    if sheet is None:
        return names
    if sheet in names:
        return [sheet]
    if sheet.isdigit() and 1 <= int(sheet) <= len(names):
        return [names[int(sheet) - 1]]
    raise errors.CurtoolError(
        errors.SHEET_NOT_FOUND,
        f"no sheet «{sheet}»",
        "the workbook has: " + ", ".join(f"«{n}»" for n in names),
        path=path,
    )


def read_xlsx_arrow(path: Path, *, sheet: str | None) -> RawTable | None:
    """An .xlsx sheet straight into Arrow text columns by fastexcel (calamine in Rust).

    No Python object per cell: a million rows × 47 columns in about 16 s against 35 s.
    Every cell arrives as text, the way it reads in Excel (numbers without a trailing
    ".0", dates as "2026-09-14 10:00:00"). Returns None when fastexcel cannot read the
    file; the calamine reader then gives the error or the rows.
    """
    import fastexcel
    import pyarrow as pa

    try:
        book = fastexcel.read_excel(str(path))
        names = list(book.sheet_names)
    except Exception:  # fastexcel's own error types; the calamine reader explains
        return None
    candidates = _candidate_sheets(names, sheet, path)
    chosen, batch = candidates[0], None
    for name in candidates:
        try:
            batch = book.load_sheet(name, header_row=None, dtypes="string", eager=True)
        except Exception:
            return None
        chosen = name
        if batch.num_rows and _arrow_filled(batch.slice(0, HEADER_SCAN_ROWS)).any():
            break
    if batch is None:
        return None
    table = pa.Table.from_batches([batch])
    # header detection reads the head; the body is sliced, not filtered (a filter would
    # copy every column to drop the title rows)
    head_filled = np.flatnonzero(_arrow_filled(table.slice(0, 2 * HEADER_SCAN_ROWS)))
    if not len(head_filled) and not _arrow_filled(table).any():
        raise _empty_sheet(chosen, names, path)
    if not len(head_filled):
        return None  # the data starts far down the sheet: the calamine reader handles it
    head_positions = head_filled[:HEADER_SCAN_ROWS]
    head = [list(table.slice(int(i), 1).to_pylist()[0].values()) for i in head_positions]
    header_idx = pick_header_row(head)
    header_pos = int(head_positions[header_idx])
    header = unique_names([cell_text(c) for c in head[header_idx]])
    body = table.slice(header_pos + 1)
    body_filled = _arrow_filled(body)
    physical = header_pos + 2 + np.flatnonzero(body_filled)
    if not body_filled.all():
        body = body.filter(pa.array(body_filled))
    width = len(header)
    # trailing empty header cells with no data under them are formatting, not columns
    while (
        width > 1
        and header[width - 1].startswith("column_")
        and not _arrow_filled(body.select([width - 1])).any()
    ):
        width -= 1
    body = body.select(list(range(width))).rename_columns(header[:width])
    frame = one_chunk_frame(body)
    return RawTable(
        path=path,
        frame=frame,
        format="xlsx",
        sheet=chosen,
        sheets=names,
        header_row=header_pos + 1,
        title_rows=[" ".join(cell_text(c) for c in r if _filled(c)) for r in head[:header_idx]],
        lines=physical.astype(np.int64),
        ragged=np.zeros(len(frame), dtype=bool),
        header_cells=[cell_text(c) for c in head[header_idx]][:width],
    )


def _arrow_filled(table) -> np.ndarray:
    """Per row: does any cell hold more than whitespace? Stops once every row has one."""
    import pyarrow.compute as pc

    filled = None
    for column in table.columns:
        has = pc.and_kleene(pc.is_valid(column), pc.invert(pc.match_substring_regex(column, r"^\s*$")))
        has = pc.fill_null(has, False)
        filled = has if filled is None else pc.or_(filled, has)
        if pc.all(filled).as_py():
            break
    if filled is None:
        return np.zeros(table.num_rows, dtype=bool)
    return np.asarray(filled.to_numpy(zero_copy_only=False), dtype=bool)


def _check_workbook(path: Path, kind: str, sheet: str | None) -> set[str]:
    """Zip bombs, forged part sizes and sheets stretched by a stray cell are refused before
    calamine unpacks anything: it would take the machine's memory or abort the process
    (see :mod:`curtool.io.archive`). Returns the names of the hidden sheets (.xlsx)."""
    hidden: set[str] = set()
    # an .ods cell has no reference that changes from row to row, so similar rows pack tighter
    book = archive.check_zip(path, ratio_scale=2 if kind == "ods" else 1)
    if book is None:
        return hidden
    with book:
        parts = archive.xlsx_sheet_parts(book, hidden) if kind == "xlsx" else {}
        names = list(parts)
        if sheet is not None and (sheet in names or (sheet.isdigit() and 1 <= int(sheet) <= len(names))):
            names = _candidate_sheets(names, sheet, path)
        scanned = set()
        if kind == "ods":
            refusal = archive.refuse_unfolded(archive.ods_cells(book, path), path)
            if refusal is not None:
                raise refusal
            scanned.add("content.xml")
        for name in names:
            extent = archive.sheet_extent(book, parts[name], path)
            scanned.add(parts[name])
            if extent is not None and archive.too_wide(extent, book.getinfo(parts[name]).file_size):
                raise archive.refuse_stray_cells(extent, name, path, others=len(parts) > 1)
        archive.verify_parts(book, path, skip=scanned)
    return hidden


def read_excel(path: Path, kind: str, *, sheet: str | None) -> RawTable:
    hidden = _check_workbook(path, kind, sheet)
    first = _read_sheet(path, kind, sheet)
    if sheet is not None or len(first.sheets) < 2:
        return first
    tables = [first]
    for name in first.sheets:
        if name == first.sheet:
            continue
        try:
            tables.append(_read_sheet(path, kind, name))
        except errors.CurtoolError as exc:
            if exc.code != errors.EMPTY_FILE:
                raise
    return _join_sheets(tables, hidden, path)


def _read_sheet(path: Path, kind: str, sheet: str | None) -> RawTable:
    """One sheet: the one named, else the first with something in its first rows."""
    if kind == "xlsx":
        fast = read_xlsx_arrow(path, sheet=sheet)
        if fast is not None:
            return fast
    # A sheet arrives as one Python list per row: a million containers, over which the
    # cyclic garbage collector would walk again and again (to_python took 14 s instead
    # of 5 s at a million rows). Nothing here makes cycles, so it rests meanwhile.
    with gc_paused():
        return read_excel_rows(path, kind, sheet=sheet)


def _join_sheets(tables: list[RawTable], hidden: set[str], path: Path) -> RawTable:
    """The rows of every sheet laid out like the main one; the others named in warnings.

    A weekly export split over sheets (one per month, per district, or 65,536 rows each in
    old Excel) has one header on every sheet: reading only the first lost 57 % of the rows
    in the issue's workbook, without a word. The main sheet is the first visible one whose
    header has known column names (a cover or a hidden sheet first is passed over), else
    the first visible one. Sheets with its columns, in any order, are read with it; hidden
    sheets and sheets with other columns are not, and each gets a warning naming --sheet.
    """
    order = {name: i for i, name in enumerate(tables[0].sheets)}
    with_rows = sorted((t for t in tables if len(t.frame)), key=lambda t: order.get(t.sheet or "", 0))
    if not with_rows:
        return tables[0]  # headers only: as before, the first sheet's
    tables = with_rows
    visible = [t for t in tables if t.sheet not in hidden] or tables
    known = [t for t in visible if known_names(t.header_cells or []) >= 2]
    main = (known or visible)[0]
    columns = list(main.frame.columns)
    same = [
        t
        for t in tables
        if t is main or (t.sheet not in hidden and sorted(map(str, t.frame.columns)) == sorted(columns))
    ]
    warnings = []
    for t in tables:
        if any(t is s for s in same):
            continue
        why = "it is hidden" if t.sheet in hidden else f"its columns differ from sheet «{main.sheet}»"
        warnings.append(
            f"{path.name}: sheet «{t.sheet}» ({len(t.frame):,} row{'s' if len(t.frame) > 1 else ''}) "
            f"was not read: {why}; "
            f'read it on its own with --sheet "{t.sheet}"'
        )
    if len(same) == 1:
        main.warnings = warnings
        return main
    frame = pd.concat([t.frame[columns] for t in same], ignore_index=True)
    return RawTable(
        path=path,
        frame=frame,
        format=main.format,
        sheet=main.sheet,
        sheets=main.sheets,
        header_row=main.header_row,
        title_rows=main.title_rows,
        lines=np.concatenate([np.asarray(t.lines, dtype=np.int64) for t in same]),
        ragged=np.concatenate([np.asarray(t.ragged, dtype=bool) for t in same]),
        header_cells=main.header_cells,
        sheet_rows=[(t.sheet or "", len(t.frame)) for t in same],
        warnings=warnings,
    )


def read_excel_rows(path: Path, kind: str, *, sheet: str | None) -> RawTable:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise errors.CurtoolError(
            errors.CORRUPT_FILE,
            f"the workbook cannot be read ({type(exc).__name__}: {str(exc)[:120]})",
            "open it in Excel or LibreOffice and save it again",
            path=path,
        ) from None
    names = list(book.sheet_names)
    candidates = _candidate_sheets(names, sheet, path)
    # Loading a sheet parses all of it, so sheets are loaded one at a time until one has data.
    chosen, rows = candidates[0], []
    for name in candidates:
        chosen, rows = name, _sheet_rows(book, name, path)
        if any(any(_filled(c) for c in r) for r in rows[:HEADER_SCAN_ROWS]):
            break
    keep = [i for i, r in enumerate(rows) if _row_filled(r)]
    if not keep:
        raise _empty_sheet(chosen, names, path)
    if len(keep) != len(rows):
        rows = [rows[i] for i in keep]
    physical = [i + 1 for i in keep]
    header_idx = pick_header_row(rows)
    header = unique_names([cell_text(c) for c in rows[header_idx]])
    body = rows[header_idx + 1 :]
    width = len(header)
    # trailing empty header cells with no data under them are formatting, not columns
    while (
        width > 1
        and header[width - 1].startswith("column_")
        and not any(len(r) >= width and _filled(r[width - 1]) for r in body)
    ):
        width -= 1
    header = header[:width]
    # calamine returns a rectangle, so the frame is built in one go and cut to the header
    frame = pd.DataFrame(body, dtype=object) if body else pd.DataFrame(columns=range(width))
    if frame.shape[1] < width:
        for extra in range(frame.shape[1], width):
            frame[extra] = None
    frame = frame.iloc[:, :width]
    frame.columns = header
    return RawTable(
        path=path,
        frame=frame,
        format=kind,
        sheet=chosen,
        sheets=names,
        header_row=physical[header_idx],
        title_rows=[" ".join(cell_text(c) for c in r if _filled(c)) for r in rows[:header_idx]],
        lines=np.asarray(physical[header_idx + 1 :], dtype=np.int64),
        ragged=np.zeros(len(frame), dtype=bool),
        header_cells=[cell_text(c) for c in rows[header_idx]][:width],
    )


def _sheet_rows(book, name: str, path: Path) -> list[list[object]]:
    try:
        return book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine has its own error types for damaged sheets
        raise errors.CurtoolError(
            errors.CORRUPT_FILE,
            f"sheet «{name}» cannot be read ({str(exc)[:120]})",
            "open it in Excel or LibreOffice and save it again",
            path=path,
        ) from None


def _row_filled(row: list[object]) -> bool:
    # stops at the first filled cell, which in a data row is nearly always the first one
    return any(c is not None and c != "" and not (isinstance(c, str) and not c.strip()) for c in row)


def _filled(cell: object) -> bool:
    return cell is not None and not (isinstance(cell, str) and cell.strip() == "")
