"""The CSV reading roads: Arrow on every core for the common case, pandas' C parser, and the
exact reader (Python's csv module) that splits swallowed rows and flags ragged ones."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from curtool.core import errors
from curtool.core.arrowtext import string_buffers
from curtool.io.csvrecords import (
    header_ends_blank,
    holds_rows,
    scan_records,
    spans_rows,
    split_swallowed,
    trailing_separator,
)
from curtool.io.encoding import check_separator, decode, detect_encoding, detect_separator
from curtool.io.tables import (
    HEADER_SCAN_ROWS,
    RawTable,
    one_chunk_frame,
    pick_header_row,
    second_header_row,
    unique_names,
)

# Python's csv module refuses a field over 131,072 characters; a pasted document in a message
# is longer than that and is still one cell (Arrow and pandas read it): no limit but memory.
csv.field_size_limit(2**31 - 1)


def read_csv(path: Path, *, encoding: str | None, separator: str | None) -> RawTable:
    separator = check_separator(separator, path)
    fast = read_csv_arrow(path, encoding=encoding, separator=separator)
    if fast is not None:
        return fast
    data = path.read_bytes()
    enc = detected = encoding or detect_encoding(data, path)
    transcoded = False
    if enc.lower().replace("_", "-").startswith(("utf-16", "utf-32")):
        # Separators, quotes and newlines are single ASCII bytes in UTF-8 and cp1251 alike,
        # so only UTF-16/32 need re-encoding before the byte-level scan.
        data = decode(data, enc, path).lstrip("\ufeff").encode("utf-8")
        enc, transcoded = "utf-8", True
    if b"\n" not in data and b"\r" in data:
        # Line ends of a lone CR (Excel for Mac's «CSV», classic Mac OS): every reader here
        # splits lines on LF, so CR becomes LF; a CR inside a quoted text is a line break too.
        data = data.replace(b"\r", b"\n")
        transcoded = True
    elif enc == "utf-8-sig":
        enc = "utf-8"  # pandas' utf-8 reader drops the BOM itself
    elif enc != "utf-8":
        decode(data[: 1 << 20], enc, path)  # an unknown codec name fails here, clearly
    if data.startswith(codecs.BOM_UTF8):
        # the scan sees fields byte by byte: after a BOM the first header cell's opening
        # quote would not follow a line start, and «"ID"» would keep its quotes
        data = data[len(codecs.BOM_UTF8) :]
    head_text = data[:200_000].decode(enc, errors="replace")
    head_lines = head_text.splitlines()[:HEADER_SCAN_ROWS]
    if not any(line.strip() for line in head_lines):
        raise errors.CurtoolError(
            errors.EMPTY_FILE, "the file has no text in it", "export it again", path=path
        )
    sep = separator or detect_separator(head_text[:65536])
    structure = scan_records(data, sep)
    first = [structure.split_line(data, i, sep, enc) for i in range(min(len(structure), 30))]
    header_idx = pick_header_row(first)
    if first and first[0]:
        first[0][0] = first[0][0].lstrip("\ufeff")
    header = unique_names(first[header_idx])
    data_fields = structure.fields[header_idx + 1 :]
    data_lines = structure.lines[header_idx + 1 :]
    width = len(header)
    two_lines = header_idx + 1 < len(first) and second_header_row(first[header_idx], first[header_idx + 1])
    if two_lines or spans_rows(data, structure, header_idx + 1, sep, enc, width):
        return read_csv_exact(path, decode(data, enc, path).lstrip("\ufeff"), sep, detected)
    extra = int(data_fields.max()) - width if len(data_fields) else 0
    names = header + [f"extra_{i + 1}" for i in range(max(extra, 0))]
    # pandas reads the file itself where it can, so the raw bytes are freed before parsing
    source: Path | bytes = data if transcoded else path
    del data
    frame = parse_csv(source, sep, enc, names, int(structure.lines[header_idx]), path)
    if len(frame) != len(data_fields):
        # The quick structural scan disagreed with the parser (odd quoting): trust the slow,
        # exact reader rather than guess which rows were ragged.
        raw = source if isinstance(source, bytes) else path.read_bytes()
        return read_csv_exact(path, decode(raw, enc, path).lstrip("\ufeff"), sep, detected)
    if extra <= 0:
        frame = frame[header]
    frame, ragged = trailing_separator(frame, width, data_fields, header_ends_blank(first[header_idx]))
    return _csv_table(
        path,
        frame,
        detected,
        sep,
        int(structure.lines[header_idx]),
        first[:header_idx],
        data_lines,
        ragged,
        first[header_idx],
    )


# Encodings whose separators, quotes and newlines are the ASCII bytes, one byte each.
_ARROW_ENCODINGS = {"utf-8", "utf-8-sig", "cp1251", "koi8-r", "cp866", "mac-cyrillic", "iso8859-5", "latin-1"}
_STREAM_CHUNK = 1 << 20
_TRAILING = "\x00trailing"  # the name given to the empty field after a line-ending separator
_HEAD_BYTES = 1 << 20  # read first, for the encoding, separator and header


class _Transcoder(io.RawIOBase):
    """A file read as UTF-8 from a byte offset: Arrow's parser threads run while this decodes.

    Decoding the whole file first doubles the memory and keeps both cores waiting; small
    pieces are decoded so that the allocator reuses the same memory for each of them.
    """

    def __init__(self, path: Path, start: int, encoding: str) -> None:
        self._file = path.open("rb")
        self._file.seek(start)
        self._decoder = None if encoding == "utf-8" else codecs.getincrementaldecoder(encoding)()
        self._pending = b""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._decoder is None:
            return self._file.read(size)
        pieces, have = [self._pending], len(self._pending)
        while size < 0 or have < size:
            chunk = self._file.read(_STREAM_CHUNK)
            piece = self._decoder.decode(chunk, final=not chunk).encode("utf-8")
            pieces.append(piece)
            have += len(piece)
            if not chunk:
                break
        data = b"".join(pieces)
        if size < 0 or size >= len(data):
            self._pending = b""
            return data
        self._pending = data[size:]
        return data[:size]

    def close(self) -> None:
        self._file.close()
        super().close()


def read_csv_arrow(path: Path, *, encoding: str | None, separator: str | None) -> RawTable | None:
    """The common case fast: a well-formed CSV parsed by Arrow on every core.

    Returns None whenever the file needs the exact reader: ragged or blank rows, one
    column, UTF-16, bytes the encoding cannot read. That reader then says what is wrong.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES + 4)
    try:
        enc = encoding or detect_encoding(head, path, truncated=path.stat().st_size > len(head))
        name = codecs.lookup(enc).name
    except (errors.CurtoolError, LookupError):
        return None
    if name not in _ARROW_ENCODINGS:
        return None
    bom = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) and name.startswith("utf-8") else 0
    stream_encoding = "utf-8" if name.startswith("utf-8") else name
    head_text = head[bom:200_000].decode(stream_encoding, errors="replace")
    if not any(line.strip() for line in head_text.splitlines()[:HEADER_SCAN_ROWS]):
        return None
    sep = separator or detect_separator(head_text[:65536])
    body = head[bom:]
    if len(head) > _HEAD_BYTES:  # the last record of the head may be cut short
        body = body[: body.rfind(b"\n") + 1]
    structure = scan_records(body, sep)
    count = min(len(structure), HEADER_SCAN_ROWS)
    if count < 2:
        return None
    first = [structure.split_line(body, i, sep, stream_encoding) for i in range(count)]
    header_idx = pick_header_row(first)
    names = unique_names(first[header_idx])
    header_line = int(structure.lines[header_idx])
    next_line = int(structure.lines[header_idx + 1]) if header_idx + 1 < len(structure) else None
    if len(names) < 2 or (next_line is not None and next_line != header_line + 1):
        return None  # one column (blank lines are rows there) or a header spread over lines
    if header_idx + 1 < count and second_header_row(first[header_idx], first[header_idx + 1]):
        return None  # a header over two lines: the exact reader joins them
    # a separator ending the lines (see trailing_separator): the empty field after it is
    # read under a spare name and dropped, the header's unnamed last column when empty
    blank_tail = header_ends_blank(first[header_idx])
    row = first[header_idx + 1] if header_idx + 1 < count else names
    read_names = list(names)
    if blank_tail and len(row) == len(names) - 1:
        read_names = names[:-1]  # only the header ends with one
    elif len(row) == len(names) + 1 and not row[-1].strip():
        read_names = names + [_TRAILING]
    invalid = 0

    def on_invalid(row: object) -> str:
        nonlocal invalid
        invalid += 1
        return "skip"

    source = _Transcoder(path, bom + int(structure.starts[header_idx]), stream_encoding)
    try:
        table = pacsv.read_csv(
            source,
            read_options=pacsv.ReadOptions(column_names=read_names, skip_rows=1, block_size=16 << 20),
            parse_options=pacsv.ParseOptions(
                delimiter=sep,
                quote_char='"',
                double_quote=True,
                newlines_in_values=True,
                ignore_empty_lines=False,
                invalid_row_handler=on_invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in read_names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=stream_encoding == "utf-8",
            ),
        )
    except (pa.ArrowException, UnicodeDecodeError, OSError):
        return None
    finally:
        source.close()
    if invalid:
        return None  # ragged rows: the exact reader flags them
    # each row starts one line after the previous one ended; quoted fields may hold line
    # breaks. A blank line is read as a row of empty fields: one line, like any row.
    breaks = np.zeros(table.num_rows, dtype=np.int64)
    for column in table.columns:
        counts = _count_newlines(column)
        if counts.any() and holds_rows(column, counts, sep, len(names)):
            return None  # a stray quote merged rows: the exact reader splits or flags them
        breaks += counts
    lines = header_line + 1 + np.arange(table.num_rows, dtype=np.int64)
    lines[1:] += np.cumsum(breaks)[:-1]
    empty = _empty_rows(table)
    keep = None
    if empty.any():
        if not _blank_lines(path, lines[empty]).all():
            return None  # a line of separators only is a row: the exact reader keeps and flags it
        keep = ~empty
        lines = lines[keep]
    spare = [_TRAILING] if _TRAILING in read_names else []
    if blank_tail and names[-1] in read_names:
        spare.append(names[-1])
    for name in spare:
        held = pc.utf8_trim_whitespace(table.column(name))
        if bool(pc.any(pc.greater(pc.binary_length(held), 0)).as_py()):
            if name == _TRAILING:
                return None  # text past the header: the exact reader flags those rows
            continue  # the header left it unnamed, but it holds something: kept
        table = table.drop_columns([name])
    frame = one_chunk_frame(table, keep)
    del table
    return _csv_table(
        path,
        frame,
        enc,
        sep,
        header_line,
        first[:header_idx],
        lines,
        np.zeros(len(frame), dtype=bool),
        first[header_idx],
    )


def _empty_rows(table) -> np.ndarray:
    import pyarrow.compute as pc

    empty = None
    for column in table.columns:
        is_empty = pc.equal(pc.binary_length(column), 0)
        empty = is_empty if empty is None else pc.and_(empty, is_empty)
    if empty is None:
        return np.zeros(table.num_rows, dtype=bool)
    return np.asarray(empty.to_numpy(zero_copy_only=False), dtype=bool)


def _blank_lines(path: Path, lines: np.ndarray) -> np.ndarray:
    """Whether each of the 1-based physical ``lines`` of the file is empty (or a lone CR).

    Found from the file's line breaks, read through a memory map: this runs only for files
    with rows of empty fields, to tell a blank line (skipped) from a line of separators.
    """
    data = np.memmap(path, dtype=np.uint8, mode="r")
    step = 64 << 20  # a window at a time: a mask of the whole file would be its size again
    newline = np.concatenate(
        [np.zeros(0, dtype=np.int64)]
        + [np.flatnonzero(data[i : i + step] == 10) + i for i in range(0, len(data), step)]
    )
    ends = np.append(newline, len(data))
    starts = np.concatenate(([0], newline + 1))
    first, last = starts[lines - 1], ends[lines - 1]
    length = last - first
    lone_cr = (length == 1) & (data[np.minimum(first, max(len(data) - 1, 0))] == 13)
    return (length == 0) | lone_cr


def _count_newlines(column) -> np.ndarray:
    """Line breaks inside each value, from the Arrow buffers: no per-string work."""
    counts = [np.zeros(0, dtype=np.int64)]
    for chunk in column.chunks:
        offsets, data = string_buffers(chunk)
        where = np.flatnonzero(data[offsets[0] : offsets[-1]] == 10) + offsets[0]
        rows = np.searchsorted(offsets, where, side="right") - 1
        counts.append(np.bincount(rows, minlength=len(chunk)).astype(np.int64))
    return np.concatenate(counts)


def _csv_table(
    path: Path,
    frame: pd.DataFrame,
    encoding: str,
    sep: str,
    header_row: int,
    title_records: list[list[str]],
    lines: np.ndarray,
    ragged: np.ndarray,
    header_cells: list[str] | None = None,
) -> RawTable:
    return RawTable(
        path=path,
        frame=frame,
        format="tsv" if sep == "\t" else "csv",
        encoding=encoding,
        separator=sep,
        header_row=header_row,
        title_rows=[sep.join(r) for r in title_records],
        lines=lines,
        ragged=ragged,
        header_cells=[str(c) for c in header_cells] if header_cells is not None else None,
    )


def parse_csv(source: Path | bytes, sep: str, enc: str, names: list[str], header_line: int, path: Path):
    """pandas' C parser, every column as text."""

    def read(**extra: object) -> pd.DataFrame:
        return pd.read_csv(
            io.BytesIO(source) if isinstance(source, bytes) else source,
            sep=sep,
            header=None,
            names=names,
            skiprows=header_line,
            keep_default_na=False,
            skip_blank_lines=True,
            encoding=enc,
            engine="c",
            quotechar='"',
            index_col=False,
            **extra,
        )

    try:
        # Letting the parser infer types is 5x faster than dtype=str for text columns, but
        # numbers must stay text (ids keep their zeros): a sample names the numeric columns.
        sample = read(nrows=2000)
        numeric = {c: str for c in sample.columns if not pd.api.types.is_string_dtype(sample[c])}
        frame = read(dtype=numeric) if numeric else read()
        for col in frame.columns:
            if not pd.api.types.is_string_dtype(frame[col]):  # numeric only past the sample
                frame[col] = frame[col].astype(object).where(frame[col].notna(), "").astype(str)
            elif col in numeric:
                frame[col] = frame[col].fillna("")
        return frame
    except UnicodeDecodeError:
        data = source if isinstance(source, bytes) else path.read_bytes()
        try:
            data.decode(enc)
            where = ""
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            where = f" near line {line}"
        raise errors.CurtoolError(
            errors.ENCODING,
            f"bytes{where} cannot be read as {enc}",
            "save the file as UTF-8, or name its encoding with --encoding",
            path=path,
        ) from None
    except pd.errors.ParserError as exc:
        raise errors.CurtoolError(
            errors.CORRUPT_FILE,
            f"the CSV cannot be parsed: {str(exc).strip().splitlines()[-1]}",
            "check the quoting around that line, or name the separator with --separator",
            path=path,
        ) from None


def read_csv_exact(path: Path, text: str, sep: str, enc: str) -> RawTable:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    records: list[list[str]] = []
    lines: list[int] = []
    last_lines: list[int] = []
    line = 1
    for row in reader:
        if row:
            records.append(row)
            lines.append(line)
            last_lines.append(reader.line_num)
        line = reader.line_num + 1
    header_idx = pick_header_row(records[:HEADER_SCAN_ROWS])
    header_cells = records[header_idx]
    skip = header_idx + 1
    if skip < len(records):
        joined = second_header_row(header_cells, records[skip])
        if joined is not None:
            header_cells, skip = joined, skip + 1
    header = unique_names(header_cells)
    width = len(header)
    blank_tail = header_ends_blank(header_cells)
    body = records[skip:]
    body_lines = lines[skip:]
    body, body_lines, swallowed = split_swallowed(
        text, body, body_lines, last_lines[skip:], sep, width, blank_tail
    )
    widest = max((len(r) for r in body), default=width)
    names = header + [f"extra_{i + 1}" for i in range(max(widest - width, 0))]
    padded = [r + [""] * (len(names) - len(r)) for r in body]
    frame = pd.DataFrame(padded, columns=names, dtype=object)
    frame, ragged = trailing_separator(
        frame, width, np.asarray([len(r) for r in body], dtype=np.int64), blank_tail
    )
    table = _csv_table(
        path,
        frame,
        enc,
        sep,
        lines[header_idx] if lines else 1,
        records[:header_idx],
        np.asarray(body_lines, dtype=np.int64),
        ragged,
        header_cells,
    )
    if swallowed.any():
        table.swallowed = swallowed
    return table
