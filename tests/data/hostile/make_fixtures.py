"""Writes the hostile fixture files in this folder.  Run: python tests/data/hostile/make_fixtures.py

Each file is one thing real exports get wrong; tests/test_loader.py and tests/test_cli.py
say what curtool must do with it.  The texts are invented for these tests.
"""

from __future__ import annotations

import codecs
import datetime as dt
from pathlib import Path

import pandas as pd

HERE = Path(__file__).parent
HEADER = ["Номер", "Дата создания", "Муниципалитет", "Текст сообщения", "Итог"]
ROWS = [
    [
        "101",
        "14.09.2026 10:15",
        "г. Майкоп",
        "Во дворе дома 5 по ул. Пушкина нет света третий день",
        "Решено",
    ],
    ["102", "15.09.2026 08:00", "Майкоп г", "Яма на дороге у школы, машины бьют колёса", ""],
    [
        "103",
        "16.09.2026",
        "Тахтамукайский р-н",
        "Автобус 12 не ходит по расписанию, ждём по часу",
        "Разъяснено",
    ],
    ["104", "2026-09-17 12:30:00", 'МО "Город Майкоп"', "Нет отопления в квартире, батареи холодные", ""],
]


def write_csv(
    name: str,
    rows: list[list[str]],
    *,
    sep: str = ";",
    encoding: str = "utf-8",
    header: list[str] | None = HEADER,
    prefix: str = "",
) -> None:
    lines = [prefix] if prefix else []
    if header is not None:
        lines.append(sep.join(header))
    lines += [sep.join(_quote(c, sep) for c in r) for r in rows]
    (HERE / name).write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))


def _quote(cell: str, sep: str) -> str:
    if any(ch in cell for ch in (sep, '"', "\n")):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def write_hostile_csv() -> None:
    """Text files the CSV reader once refused as internal errors, misread or cut short (issue 11)."""
    lines = [";".join(HEADER)] + [";".join(_quote(c, ";") for c in r) for r in ROWS]
    # Excel for Mac's «CSV»: lines end with a lone CR
    (HERE / "cr_only.csv").write_bytes(("\r".join(lines) + "\r").encode("cp1251"))
    text = "\n".join(lines) + "\n"
    (HERE / "wide_utf16le.csv").write_bytes(text.encode("utf-16-le"))
    (HERE / "wide_utf16be.csv").write_bytes(text.encode("utf-16-be"))
    (HERE / "wide_utf32_bom.csv").write_bytes(text.encode("utf-32"))  # with its BOM, FF FE 00 00
    (HERE / "wide_utf32le.csv").write_bytes(text.encode("utf-32-le"))
    # a Latin header over Russian texts in the old 8-bit pages
    latin = ["id", "created", "district", "text", "status"]
    for encoding in ("koi8-r", "cp866", "mac-cyrillic"):
        write_csv(f"{encoding}.csv", ROWS, encoding=encoding, header=latin)
    # a quote opened in the second row's text and never closed: rows 3-4 would be its text
    stray = [list(r) for r in ROWS]
    stray[1][3] = '"' + stray[1][3]
    (HERE / "stray_quote.csv").write_bytes(
        ("\r\n".join([";".join(HEADER)] + [";".join(r) for r in stray]) + "\r\n").encode("utf-8")
    )
    # the header line is blank (separators only); a row's type cell reads «Обращение»
    body = [[r[0], r[1], "Обращение" if i % 2 == 0 else "Жалоба", r[3]] for i, r in enumerate(ROWS)]
    write_csv("blank_header.csv", body, header=None, prefix=";;;")
    # a header over two lines, as merged cells are saved: a group «Обращение» over «Текст», «Ответ»
    write_csv(
        "two_line_header.csv",
        [[r[0], r[1], r[3], r[4]] for r in ROWS],
        header=None,
        prefix="Номер;Дата создания;Обращение;\r\n;;Текст;Ответ",
    )
    # one column under one known name; the messages hold semicolons and commas
    write_csv(
        "one_column.csv",
        [["Нет света; третий день, никто не чинит"], ["Обращение; яма на дороге у школы"], ["Шум ночью"]],
        header=["Обращение"],
        sep="\t",
    )


def main() -> None:
    write_csv("cp1251_no_bom.csv", ROWS, encoding="cp1251")
    (HERE / "utf8_bom.csv").write_bytes(
        codecs.BOM_UTF8
        + (
            "\n".join([",".join(HEADER)] + [",".join(_quote(c, ",") for c in r) for r in ROWS]) + "\n"
        ).encode()
    )
    text = "\n".join(["\t".join(HEADER)] + ["\t".join(r) for r in ROWS]) + "\n"
    (HERE / "utf16.tsv").write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    write_csv("title_rows.csv", ROWS, prefix="Выгрузка обращений за сентябрь 2026;;;;\r\n;;;;")
    write_csv(
        "ragged.csv",
        ROWS[:2]
        + [["105", "18.09.2026", "г. Майкоп"]]
        + [["106", "18.09.2026", "г. Майкоп", "Лишнее поле в строке", "", "лишнее"]]
        + ROWS[2:],
    )
    (HERE / "empty.csv").write_bytes(b"")
    (HERE / "blank.csv").write_bytes(b"\r\n  \r\n\r\n")
    write_csv("header_only.csv", [])
    write_csv(
        "no_text_column.csv",
        [[r[0], r[1], r[2], r[4]] for r in ROWS],
        header=["Номер", "Дата создания", "Муниципалитет", "Итог"],
    )
    write_csv(
        "formula.csv",
        [
            ["201", "19.09.2026", "г. Майкоп", '=HYPERLINK("http://x","y")', ""],
            ["202", "19.09.2026", "г. Майкоп", "+79181234567 звоните, никто не берёт", ""],
            ["203", "19.09.2026", "г. Майкоп", "-5 градусов в квартире, отопления нет", ""],
            ["204", "19.09.2026", "г. Майкоп", "@admin когда починят лифт?", ""],
        ],
    )
    write_csv("duplicates.csv", ROWS + [ROWS[0], ROWS[1]])
    # every data line ends with the separator, the header does not (a common export habit)
    write_csv("trailing_separator.csv", [r + [""] for r in ROWS], encoding="cp1251")
    write_csv(
        "bad_dates.csv",
        [
            ["301", "32.13.2026", "г. Майкоп", "Не вывозят мусор из контейнеров", ""],
            ["302", "вчера", "г. Майкоп", "Не горят фонари на улице", ""],
            ["303", "20.09.2026", "г. Майкоп", "Разбита дорога у рынка", ""],
        ],
    )
    write_csv(
        "multiline.csv",
        [
            [
                "401",
                "21.09.2026",
                "г. Майкоп",
                'Первая строка жалобы;\nвторая строка, где "цитата" и точка с запятой',
                "",
            ],
            ["402", "21.09.2026", "г. Майкоп", "Обычная жалоба на шум", ""],
        ],
    )
    (HERE / "bad_bytes.csv").write_bytes(
        ";".join(HEADER).encode("utf-8") + b"\r\n501;22.09.2026;\xd0\x9c\x98\x98;text\x98;\r\n"
    )
    write_hostile_csv()
    (HERE / "corrupt.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 40 + b"truncated workbook")
    (HERE / "not_really.xlsx").write_text("Номер;Текст\n1;привет\n", encoding="utf-8")
    # what a password-protected workbook looks like: a compound file holding «EncryptedPackage»
    (HERE / "encrypted.xlsx").write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 504
        + "EncryptedPackage".encode("utf-16-le")
        + b"\x00" * 512
    )
    (HERE / "report.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n\x00\x01")

    frame = pd.DataFrame(ROWS, columns=HEADER)
    frame["Дата создания"] = [dt.datetime(2026, 9, 14, 10, 15), 46280.5, "16.09.2026", "2026-09-17 12:30:00"]
    title = pd.DataFrame([["Выгрузка из «Инцидент Менеджмент»"] + [None] * 4, [None] * 5], columns=HEADER)
    with pd.ExcelWriter(HERE / "title_rows.xlsx", engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name="Инциденты", index=False, startrow=2)
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="Справка", index=False)
        ws = writer.sheets["Инциденты"]
        ws["A1"] = title.iloc[0, 0]
    with pd.ExcelWriter(HERE / "export.ods", engine="odf") as writer:
        pd.DataFrame(ROWS, columns=HEADER).to_excel(writer, sheet_name="Лист1", index=False)
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Лист1")
    for c, name in enumerate(HEADER):
        sheet.write(0, c, name)
    for r, row in enumerate(ROWS, start=1):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.save(str(HERE / "legacy.xls"))
    write_sheet_fixtures()


def write_sheet_fixtures() -> None:
    """Workbooks for tests/test_hostile_sheets.py (the big ones are made there, at test time)."""
    import openpyxl

    # one value typed far away (or pasted by accident) at the last cell of the sheet: calamine
    # builds a grid from A1 to it, 16384 × 1048576 cells, and the process aborted
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Лист1"
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    sheet["XFD1048576"] = "x"
    book.save(HERE / "stray_cell.xlsx")

    # a cover first, a hidden copy, two months of data (the second with its columns in
    # another order) and a lookup table: only the first data sheet used to be read
    book = openpyxl.Workbook()
    cover = book.active
    cover.title = "Обложка"
    for line in ("Выгрузка обращений граждан", "Период: сентябрь – октябрь 2026", "Подготовил: ЦУР"):
        cover.append([line])
    hidden = book.create_sheet("Копия")
    hidden.sheet_state = "hidden"
    hidden.append(HEADER)
    hidden.append(ROWS[0])
    september = book.create_sheet("Сентябрь")
    september.append(HEADER)
    for row in ROWS[:2]:
        september.append(row)
    october = book.create_sheet("Октябрь")
    order = [3, 0, 1, 2, 4]
    october.append([HEADER[i] for i in order])
    for row in ROWS[2:]:
        october.append([row[i] for i in order])
    lookup = book.create_sheet("Районы")
    lookup.append(["Район", "Код"])
    lookup.append(["г. Майкоп", "01"])
    lookup.append(["Тахтамукайский р-н", "02"])
    book.save(HERE / "multi_sheet.xlsx")


if __name__ == "__main__":
    main()
